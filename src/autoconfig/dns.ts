import type { PublicEndpoints } from './endpoints.ts';

/**
 * The records an admin publishes for a mail domain, in zone-file form: MX and SPF for mail, the
 * SRV records of RFC 6186/8314 (mail) and RFC 6764 (CalDAV/CardDAV, with their context paths), and
 * the names Outlook and Thunderbird try when they configure themselves.
 */
export function dnsRecords(domain: string, tenantSlug: string, e: PublicEndpoints): string[] {
  const d = `${domain}.`;
  const srv = (service: string, port: number, host: string) =>
    port ? `_${service}._tcp.${d} 3600 IN SRV 0 1 ${port} ${host}.` : `_${service}._tcp.${d} 3600 IN SRV 0 0 0 .`;
  return [
    `${d} 3600 IN MX 10 ${e.mailHost}.`,
    `${d} 3600 IN TXT "v=spf1 mx -all"`,
    `_dmarc.${d} 3600 IN TXT "v=DMARC1; p=quarantine; rua=mailto:postmaster@${domain}"`,
    srv('imaps', e.imapPort, e.mailHost),
    srv('imap', e.imapStarttlsPort, e.mailHost),
    srv('submissions', e.submissionsPort, e.mailHost),
    srv('submission', e.submissionPort, e.mailHost),
    srv('pop3s', 0, ''),
    srv('pop3', 0, ''),
    srv('caldavs', e.httpsPort, e.davHost),
    `_caldavs._tcp.${d} 3600 IN TXT "path=/${tenantSlug}/calendar/"`,
    srv('caldav', 0, ''),
    srv('carddavs', e.httpsPort, e.davHost),
    `_carddavs._tcp.${d} 3600 IN TXT "path=/${tenantSlug}/contacts/"`,
    srv('carddav', 0, ''),
    srv('autodiscover', e.httpsPort, e.autodiscoverHost),
    `autodiscover.${d} 3600 IN CNAME ${e.autodiscoverHost}.`,
    `autoconfig.${d} 3600 IN CNAME ${e.autoconfigHost}.`,
  ];
}
