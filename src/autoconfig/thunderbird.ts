/**
 * Thunderbird's autoconfig file (`config-v1.1.xml`, clientConfig version 1.1), as the format is
 * written up in draft-bucksch-autoconfig and the ISPDB: one <emailProvider> naming every domain of
 * the tenant, IMAP and SMTP servers in order of preference, the username as the `%EMAILADDRESS%`
 * placeholder (so the file is the same for every user and needs no address), and the CalDAV and
 * CardDAV homes as <calendar type="caldav"> and <addressBook type="carddav"> beside the provider.
 */
import type { PublicEndpoints } from './endpoints.ts';
import { davUrl, imapServers, type MailServer, submissionServers } from './services.ts';
import { leaf, node, renderXml, type XmlOut } from './xml-write.ts';

export interface ThunderbirdInput {
  /** The domain asked about: the provider's id. */
  domain: string;
  /** Every domain of the domain's tenant. */
  domains: string[];
  tenantName: string;
  tenantSlug: string;
  endpoints: PublicEndpoints;
}

const USERNAME = '%EMAILADDRESS%';

export function thunderbirdConfig(input: ThunderbirdInput): string {
  const e = input.endpoints;
  const domains = [input.domain, ...input.domains.filter((d) => d !== input.domain)];
  return renderXml(node('clientConfig', [
    node('emailProvider', [
      ...domains.map((d) => leaf('domain', d)),
      leaf('displayName', input.tenantName),
      leaf('displayShortName', input.domain),
      ...imapServers(e).map((s) => server('incomingServer', 'imap', s)),
      ...submissionServers(e).map((s) => server('outgoingServer', 'smtp', s)),
    ], [['id', input.domain]]),
    dav('addressBook', 'carddav', davUrl(e, input.tenantSlug, 'contacts')),
    dav('calendar', 'caldav', davUrl(e, input.tenantSlug, 'calendar')),
  ], [['version', '1.1']]));
}

function server(element: string, type: string, s: MailServer): XmlOut {
  return node(element, [
    leaf('hostname', s.host),
    leaf('port', s.port),
    leaf('socketType', s.socket),
    leaf('username', USERNAME),
    leaf('authentication', 'password-cleartext'),
  ], [['type', type]]);
}

function dav(element: string, type: string, url: string): XmlOut {
  return node(element, [
    leaf('username', USERNAME),
    leaf('authentication', 'http-basic'),
    leaf('serverURL', url),
  ], [['type', type]]);
}
