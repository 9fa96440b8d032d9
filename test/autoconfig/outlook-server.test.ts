/**
 * Outlook against the running server: the POX request as Outlook posts it (and GET), odd path cases,
 * errors as Autodiscover bodies, Autodiscover v2 JSON, and every host and port equal to `stoa dns`.
 */
import type { RunningServer } from '../helpers/server.ts';
import { MAX_REQUEST_BYTES } from '../../src/autoconfig/pox.ts';
import { outlookRequest } from './fixtures.ts';
import { dnsOf, type DnsAnswer, startWithTenants } from './setup.ts';
import { childText, parse, select, value } from './xpath.ts';
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

const POX = '/autodiscover/autodiscover.xml';

async function post(path: string, body: string, type = 'text/xml') {
  const res = await fetch(`${s.http}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

async function get(path: string) {
  const res = await fetch(`${s.http}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

/** The ErrorCode of an Autodiscover error body (which must be one, well-formed, without a trace). */
function errorCode(body: string): string {
  expectWellFormed(body);
  expect(body).not.toMatch(/\n\s+at |Error:|XmlError|node_modules/);
  return value(parse(body), '/ad:Autodiscover/ad:Response/ad:Error/ad:ErrorCode');
}

describe('POX Autodiscover', () => {
  test('the request Outlook posts gets the 2006a settings, with the hosts and ports of `stoa dns`', async () => {
    const res = await post(POX, outlookRequest('ann@acme.test'));
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/xml; charset=utf-8');
    expectWellFormed(res.body);
    const protocols = select(parse(res.body), '/ad:Autodiscover/o:Response/o:Account/o:Protocol');
    expect(protocols.map((p) => ({ type: childText(p, 'Type'), server: childText(p, 'Server'), port: Number(childText(p, 'Port')), login: childText(p, 'LoginName') }))).toEqual([
      { type: 'IMAP', server: dns.srv.imaps!.target, port: dns.srv.imaps!.port, login: 'ann@acme.test' },
      { type: 'SMTP', server: dns.srv.submissions!.target, port: dns.srv.submissions!.port, login: 'ann@acme.test' },
    ]);
    // The published values, not the defaults or the bound ports.
    expect(dns.srv.imaps).toEqual({ target: 'mx.example.net', port: 1993 });
    expect(dns.srv.submissions).toEqual({ target: 'mx.example.net', port: 1465 });
  });

  test('any case of the path, and GET with ?email= or ?EmailAddress=, give the same answer', async () => {
    const expected = (await post(POX, outlookRequest('ann@acme.test'))).body;
    for (const path of ['/Autodiscover/Autodiscover.xml', '/AUTODISCOVER/AUTODISCOVER.XML', '/AutoDiscover/autodiscover.XML']) {
      const res = await post(path, outlookRequest('ann@acme.test'));
      expect({ path, status: res.status, body: res.body }).toEqual({ path, status: 200, body: expected });
    }
    for (const path of ['/autodiscover/autodiscover.xml?email=ann@acme.test', '/Autodiscover/Autodiscover.xml?EmailAddress=Ann%40Acme.test']) {
      const res = await get(path);
      expect({ path, status: res.status, body: res.body }).toEqual({ path, status: 200, body: expected });
    }
    // application/xml is as good as text/xml.
    expect((await post(POX, outlookRequest('ann@acme.test'), 'application/xml; charset=utf-8')).body).toBe(expected);
  });

  test('an unknown user of our domain gets exactly what a known one gets', async () => {
    const known = (await post(POX, outlookRequest('ann@acme.test'))).body;
    const unknown = await post(POX, outlookRequest('zed@acme.test'));
    expect(unknown.status).toBe(200);
    expect(unknown.body).not.toBe(known);
    expect(unknown.body.replaceAll('zed@acme.test', 'ann@acme.test')).toBe(known);
  });

  test('a domain that is not ours gets Error 601 with HTTP 200; another tenant\'s domain is answered', async () => {
    const foreign = await post(POX, outlookRequest('someone@foreign.example'));
    expect(foreign.status).toBe(200);
    expect(errorCode(foreign.body)).toBe('601');
    const other = await post(POX, outlookRequest('bob@other.test'));
    expect(value(parse(other.body), '/ad:Autodiscover/o:Response/o:Account/o:Action')).toBe('settings');
  });

  test('malformed XML, a request without an address, and a bare GET get Error 600 with HTTP 200', async () => {
    for (const body of ['<Autodiscover xmlns="', '<Autodiscover><Request></Autodiscover>', outlookRequest('').replace('<EMailAddress></EMailAddress>', ''), '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>']) {
      const res = await post(POX, body);
      expect({ body, status: res.status, type: res.type }).toEqual({ body, status: 200, type: 'application/xml; charset=utf-8' });
      expect(errorCode(res.body)).toBe('600');
    }
    const bare = await get(POX);
    expect(bare.status).toBe(200);
    expect(errorCode(bare.body)).toBe('600');
  });

  test('an ActiveSync (mobilesync) request gets Error 601: no ActiveSync here', async () => {
    const res = await post(POX, outlookRequest('ann@acme.test').replaceAll('/outlook/', '/mobilesync/').replace('responseschema/2006a', 'responseschema/2006'));
    expect(errorCode(res.body)).toBe('601');
  });

  test('an oversized body is refused with 413 and an Autodiscover error body; the server goes on', async () => {
    const big = outlookRequest('ann@acme.test').replace('<Request>', `<!--${'x'.repeat(MAX_REQUEST_BYTES)}--><Request>`);
    const res = await post(POX, big);
    expect(res.status).toBe(413);
    expect(errorCode(res.body)).toBe('600');
    expect((await post(POX, outlookRequest('ann@acme.test'))).status).toBe(200);
  });

  test('a body that is not XML is refused with 415 and an Autodiscover error body', async () => {
    const res = await post(POX, '{"email":"ann@acme.test"}', 'application/json');
    expect(res.status).toBe(415);
    expect(errorCode(res.body)).toBe('600');
  });
});

describe('Autodiscover v2 (JSON)', () => {
  const expectedUrl = () => `https://${dns.srv.autodiscover!.target}:${dns.srv.autodiscover!.port}/autodiscover/autodiscover.xml`;

  test('both forms, in any case, point AutodiscoverV1 at the POX endpoint named by the _autodiscover SRV record', async () => {
    for (const path of [
      '/autodiscover/autodiscover.json/v1.0/ann@acme.test?Protocol=AutodiscoverV1&RedirectCount=1',
      '/Autodiscover/Autodiscover.json/V1.0/ann%40acme.test?protocol=autodiscoverv1',
      '/autodiscover/autodiscover.json?Email=ann@acme.test&Protocol=AutodiscoverV1&RedirectCount=1',
      '/AUTODISCOVER/AUTODISCOVER.JSON?email=zed@acme.test&PROTOCOL=AutodiscoverV1',
    ]) {
      const res = await get(path);
      expect({ path, status: res.status, type: res.type }).toEqual({ path, status: 200, type: 'application/json; charset=utf-8' });
      expect(JSON.parse(res.body)).toEqual({ Protocol: 'AutodiscoverV1', Url: expectedUrl() });
    }
    expect(expectedUrl()).toBe('https://autodiscover.example.org:8443/autodiscover/autodiscover.xml');
    // The path it names is the one this server answers.
    const pox = await get(`${new URL(expectedUrl()).pathname}?email=ann@acme.test`);
    expect(value(parse(pox.body), '/ad:Autodiscover/o:Response/o:Account/o:Action')).toBe('settings');
  });

  test.each(['ActiveSync', 'Ews', 'Rest'])('%s gets 400 InvalidProtocol', async (protocol) => {
    const res = await get(`/autodiscover/autodiscover.json/v1.0/ann@acme.test?Protocol=${protocol}&RedirectCount=1`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ ErrorCode: 'InvalidProtocol', ErrorMessage: `The given protocol value '${protocol}' is invalid. Supported values are 'AutodiscoverV1'` });
  });

  test('an address outside our domains gets 404, so Outlook tries its next method', async () => {
    const res = await get('/autodiscover/autodiscover.json/v1.0/someone@foreign.example?Protocol=AutodiscoverV1');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toEqual({ ErrorCode: 'NotFound', ErrorMessage: expect.any(String) });
  });

  test('other paths under /autodiscover/ are not found', async () => {
    expect((await get('/autodiscover/other.xml')).status).toBe(404);
    expect((await get('/autodiscover/autodiscover.json/v2.0/ann@acme.test')).status).toBe(404);
  });
});
