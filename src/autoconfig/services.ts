/**
 * What every set-up format tells a client, derived from the published endpoints exactly as
 * `stoa dns` derives its SRV records (dns.ts), so the two never disagree: IMAP on the implicit-TLS
 * port, then STARTTLS; submission on implicit TLS (RFC 8314 prefers it), then STARTTLS. A port of
 * 0 means "not offered" there (a null SRV record) and here (no entry).
 */
import type { PublicEndpoints } from './endpoints.ts';

export type Socket = 'SSL' | 'STARTTLS';

export interface MailServer {
  host: string;
  port: number;
  socket: Socket;
}

export function imapServers(e: PublicEndpoints): MailServer[] {
  return offered([
    { host: e.mailHost, port: e.imapPort, socket: 'SSL' },
    { host: e.mailHost, port: e.imapStarttlsPort, socket: 'STARTTLS' },
  ]);
}

export function submissionServers(e: PublicEndpoints): MailServer[] {
  return offered([
    { host: e.mailHost, port: e.submissionsPort, socket: 'SSL' },
    { host: e.mailHost, port: e.submissionPort, socket: 'STARTTLS' },
  ]);
}

function offered(servers: MailServer[]): MailServer[] {
  return servers.filter((s) => s.port > 0);
}

/** An https URL on a published host, with the port only when it is not 443. */
export function httpsUrl(host: string, port: number, path: string): string {
  return `https://${host}${port === 443 ? '' : `:${port}`}${path}`;
}

/** The tenant's CalDAV or CardDAV home, as the `_caldavs`/`_carddavs` SRV and TXT records name it. */
export function davUrl(e: PublicEndpoints, tenantSlug: string, kind: 'calendar' | 'contacts'): string {
  return httpsUrl(e.davHost, e.httpsPort, `/${tenantSlug}/${kind}/`);
}

/** The tenant's files drive (WebDAV), as Windows `net use` and Finder open it. */
export function filesUrl(e: PublicEndpoints, tenantSlug: string): string {
  return httpsUrl(e.filesHost, e.httpsPort, `/${tenantSlug}/webdav/`);
}

/** Where the identity provider sends the browser back after an OpenID Connect sign-in. */
export function oidcRedirectUrl(e: PublicEndpoints): string {
  return httpsUrl(e.webHost, e.httpsPort, '/account/oidc/callback');
}

/** Where Outlook posts its POX request, as the `_autodiscover` SRV record names it. */
export function poxUrl(e: PublicEndpoints): string {
  return httpsUrl(e.autodiscoverHost, e.httpsPort, '/autodiscover/autodiscover.xml');
}
