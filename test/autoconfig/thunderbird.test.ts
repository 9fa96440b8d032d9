/** Thunderbird's config-v1.1.xml: domains, servers in order of preference, placeholders, DAV homes. */
import { thunderbirdConfig, type ThunderbirdInput } from '../../src/autoconfig/thunderbird.ts';
import { ENDPOINTS } from './fixtures.ts';
import { attribute, childNames, childText, parse, select, texts, value } from './xpath.ts';
import { expectWellFormed } from './xmllint.ts';

const INPUT: ThunderbirdInput = { domain: 'acme.test', domains: ['acme.example', 'acme.test'], tenantName: 'Acme Ltd', tenantSlug: 'acme', endpoints: ENDPOINTS };

function servers(doc: ReturnType<typeof parse>, element: 'incomingServer' | 'outgoingServer'): Array<Record<string, string | undefined>> {
  return select(doc, `/clientConfig/emailProvider/${element}`).map((s) => ({
    type: attribute(s, 'type'),
    ...Object.fromEntries(childNames(s).map((n) => [n, childText(s, n)])),
  }));
}

describe('thunderbirdConfig', () => {
  const text = thunderbirdConfig(INPUT);
  const doc = parse(text);

  test('is well-formed (xmllint): clientConfig 1.1 with one provider named after the domain asked about', () => {
    expectWellFormed(text);
    expect(attribute(doc, 'version')).toBe('1.1');
    expect(childNames(doc)).toEqual(['emailProvider', 'addressBook', 'calendar']);
    expect(select(doc, '/clientConfig/emailProvider').map((p) => attribute(p, 'id'))).toEqual(['acme.test']);
  });

  test('every domain of the tenant, the one asked about first, then the names', () => {
    expect(texts(doc, '/clientConfig/emailProvider/domain')).toEqual(['acme.test', 'acme.example']);
    expect(value(doc, '/clientConfig/emailProvider/displayName')).toBe('Acme Ltd');
    expect(value(doc, '/clientConfig/emailProvider/displayShortName')).toBe('acme.test');
    expect(childNames(select(doc, '/clientConfig/emailProvider')[0]!)).toEqual([
      'domain', 'domain', 'displayName', 'displayShortName', 'incomingServer', 'incomingServer', 'outgoingServer', 'outgoingServer',
    ]);
  });

  test('IMAP over TLS on 993, then STARTTLS on 143; the address as username, cleartext password inside TLS', () => {
    const common = { hostname: 'mx.example.net', username: '%EMAILADDRESS%', authentication: 'password-cleartext' };
    expect(servers(doc, 'incomingServer')).toEqual([
      { type: 'imap', ...common, port: '993', socketType: 'SSL' },
      { type: 'imap', ...common, port: '143', socketType: 'STARTTLS' },
    ]);
    expect(childNames(select(doc, '/clientConfig/emailProvider/incomingServer')[0]!)).toEqual(['hostname', 'port', 'socketType', 'username', 'authentication']);
  });

  test('SMTP submission over TLS on 465, then STARTTLS on 587', () => {
    const common = { hostname: 'mx.example.net', username: '%EMAILADDRESS%', authentication: 'password-cleartext' };
    expect(servers(doc, 'outgoingServer')).toEqual([
      { type: 'smtp', ...common, port: '465', socketType: 'SSL' },
      { type: 'smtp', ...common, port: '587', socketType: 'STARTTLS' },
    ]);
  });

  test('CardDAV and CalDAV homes of the tenant, with HTTP Basic and the address', () => {
    const dav = (element: string) => {
      const [el] = select(doc, `/clientConfig/${element}`);
      return { type: attribute(el!, 'type'), ...Object.fromEntries(childNames(el!).map((n) => [n, childText(el!, n)])) };
    };
    expect(dav('addressBook')).toEqual({ type: 'carddav', username: '%EMAILADDRESS%', authentication: 'http-basic', serverURL: 'https://dav.example.net/acme/contacts/' });
    expect(dav('calendar')).toEqual({ type: 'caldav', username: '%EMAILADDRESS%', authentication: 'http-basic', serverURL: 'https://dav.example.net/acme/calendar/' });
  });

  test('published ports are used as they are; a port of 0 drops that server', () => {
    const other = parse(thunderbirdConfig({ ...INPUT, endpoints: { ...ENDPOINTS, imapStarttlsPort: 0, submissionsPort: 0, httpsPort: 8443 } }));
    expect(servers(other, 'incomingServer').map((s) => s.port)).toEqual(['993']);
    expect(servers(other, 'outgoingServer').map((s) => [s.port, s.socketType])).toEqual([['587', 'STARTTLS']]);
    expect(value(other, '/clientConfig/calendar/serverURL')).toBe('https://dav.example.net:8443/acme/calendar/');
  });

  test('names are escaped', () => {
    const out = thunderbirdConfig({ ...INPUT, tenantName: 'Smith & <Sons> "Ltd"' });
    expectWellFormed(out);
    expect(value(parse(out), '/clientConfig/emailProvider/displayName')).toBe('Smith & <Sons> "Ltd"');
  });
});
