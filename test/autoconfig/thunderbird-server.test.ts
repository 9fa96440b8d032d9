/**
 * Thunderbird against the running server: both paths, with and without `emailaddress` (then the
 * Host header names the domain), 404 for domains that are not ours, and every host, port and DAV
 * URL equal to what `stoa dns` prints.
 */
import type { RunningServer } from '../helpers/server.ts';
import { dnsOf, type DnsAnswer, getWithHost, startWithTenants } from './setup.ts';
import { attribute, childText, parse, select, texts, value } from './xpath.ts';
import { expectWellFormed } from './xmllint.ts';

let s: RunningServer;
let dns: DnsAnswer;

beforeAll(async () => {
  s = await startWithTenants();
  dns = await dnsOf(s, 'acme.test');
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

const MAIL_PATH = '/mail/config-v1.1.xml';
const WELL_KNOWN = '/.well-known/autoconfig/mail/config-v1.1.xml';

async function get(path: string) {
  const res = await fetch(`${s.http}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

describe('Thunderbird autoconfig', () => {
  test('with emailaddress: the tenant\'s domains and the servers and DAV homes `stoa dns` publishes', async () => {
    const res = await get(`${MAIL_PATH}?emailaddress=ann@acme.test`);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/xml; charset=utf-8');
    expectWellFormed(res.body);
    const doc = parse(res.body);
    expect(select(doc, '/clientConfig/emailProvider').map((p) => attribute(p, 'id'))).toEqual(['acme.test']);
    expect(texts(doc, '/clientConfig/emailProvider/domain')).toEqual(['acme.test', 'acme.example']);
    expect(value(doc, '/clientConfig/emailProvider/displayName')).toBe('Acme Ltd');

    const servers = (element: string) => select(doc, `/clientConfig/emailProvider/${element}`)
      .map((el) => ({ host: childText(el, 'hostname'), port: Number(childText(el, 'port')), socket: childText(el, 'socketType') }));
    const fromDns = (service: string, socket: string) => ({ host: dns.srv[service]!.target, port: dns.srv[service]!.port, socket });
    expect(servers('incomingServer')).toEqual([fromDns('imaps', 'SSL'), fromDns('imap', 'STARTTLS')]);
    expect(servers('outgoingServer')).toEqual([fromDns('submissions', 'SSL'), fromDns('submission', 'STARTTLS')]);
    expect(servers('incomingServer').map((x) => x.port)).toEqual([1993, 1143]);

    const davUrl = (service: string) => `https://${dns.srv[service]!.target}:${dns.srv[service]!.port}${dns.path[service]}`;
    expect(value(doc, '/clientConfig/calendar/serverURL')).toBe(davUrl('caldavs'));
    expect(value(doc, '/clientConfig/addressBook/serverURL')).toBe(davUrl('carddavs'));
    expect(davUrl('caldavs')).toBe('https://dav.example.net:8443/acme/calendar/');
  });

  test('the well-known path, an unknown user and the Host header all give the same document', async () => {
    const expected = (await get(`${MAIL_PATH}?emailaddress=ann@acme.test`)).body;
    expect((await get(`${WELL_KNOWN}?emailaddress=ann@acme.test`)).body).toBe(expected);
    expect((await get(`${MAIL_PATH}?emailaddress=zed@acme.test`)).body).toBe(expected);
    const byAutoconfigHost = await getWithHost(s.http, MAIL_PATH, 'autoconfig.acme.test');
    expect({ status: byAutoconfigHost.status, body: byAutoconfigHost.body }).toEqual({ status: 200, body: expected });
    const byDomainHost = await getWithHost(s.http, WELL_KNOWN, 'ACME.test:8080');
    expect({ status: byDomainHost.status, body: byDomainHost.body }).toEqual({ status: 200, body: expected });
  });

  test('another domain of the tenant is the provider id when it is the one asked about', async () => {
    const res = await getWithHost(s.http, MAIL_PATH, 'autoconfig.acme.example');
    expect(res.status).toBe(200);
    const doc = parse(res.body);
    expect(attribute(select(doc, '/clientConfig/emailProvider')[0]!, 'id')).toBe('acme.example');
    expect(texts(doc, '/clientConfig/emailProvider/domain')).toEqual(['acme.example', 'acme.test']);
  });

  test('a tenant\'s document names only its own domains and DAV homes', async () => {
    const doc = parse((await get(`${MAIL_PATH}?emailaddress=bob@other.test`)).body);
    expect(texts(doc, '/clientConfig/emailProvider/domain')).toEqual(['other.test']);
    expect(value(doc, '/clientConfig/calendar/serverURL')).toBe('https://dav.example.net:8443/other/calendar/');
  });

  test('a domain that is not ours, by address or by Host, is 404', async () => {
    expect((await get(`${MAIL_PATH}?emailaddress=someone@foreign.example`)).status).toBe(404);
    expect((await get(`${MAIL_PATH}?emailaddress=not-an-address`)).status).toBe(404);
    expect((await getWithHost(s.http, MAIL_PATH, 'autoconfig.foreign.example')).status).toBe(404);
    // fetch sends Host 127.0.0.1:port: no domain at all.
    expect((await get(WELL_KNOWN)).status).toBe(404);
  });
});
