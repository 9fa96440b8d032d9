/** Outlook POX Autodiscover: reading the 2006 request, writing the 2006a response and the error body. */
import {
  MAX_REQUEST_BYTES, MOBILESYNC_REQUEST_NS, OUTLOOK_RESPONSE_NS, parsePoxRequest, poxError, PoxRequestError, poxSettings, REQUEST_NS,
} from '../../src/autoconfig/pox.ts';
import { ENDPOINTS, outlookRequest } from './fixtures.ts';
import { attribute, childNames, childText, parse, select, value } from './xpath.ts';
import { expectWellFormed } from './xmllint.ts';

function refusal(body: string): number | undefined {
  try {
    parsePoxRequest(body);
  } catch (err) {
    if (err instanceof PoxRequestError) return err.code;
    throw err;
  }
  return undefined;
}

describe('parsePoxRequest', () => {
  test('reads the address from the request Outlook sends, normalised', () => {
    expect(parsePoxRequest(outlookRequest(' Ann@Acme.TEST '))).toBe('ann@acme.test');
  });

  test('namespace-aware: a prefixed request is the same request', () => {
    const body = `<a:Autodiscover xmlns:a="${REQUEST_NS}"><a:Request><a:EMailAddress>ann@acme.test</a:EMailAddress>`
      + `<a:AcceptableResponseSchema>${OUTLOOK_RESPONSE_NS}</a:AcceptableResponseSchema></a:Request></a:Autodiscover>`;
    expect(parsePoxRequest(body)).toBe('ann@acme.test');
  });

  test('the right names in the wrong namespace, or none, are an invalid request (600)', () => {
    expect(refusal(outlookRequest('ann@acme.test').replace(REQUEST_NS, 'urn:other'))).toBe(600);
    expect(refusal('<Autodiscover><Request><EMailAddress>ann@acme.test</EMailAddress></Request></Autodiscover>')).toBe(600);
  });

  test('a request without AcceptableResponseSchema is answered with the one schema we serve', () => {
    expect(parsePoxRequest(`<Autodiscover xmlns="${REQUEST_NS}"><Request><EMailAddress>ann@acme.test</EMailAddress></Request></Autodiscover>`)).toBe('ann@acme.test');
  });

  test('another response schema, or an ActiveSync request, gets 601: no provider of that kind here', () => {
    expect(refusal(outlookRequest('ann@acme.test').replace(OUTLOOK_RESPONSE_NS, 'http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006'))).toBe(601);
    expect(refusal(outlookRequest('ann@acme.test').replace(REQUEST_NS, MOBILESYNC_REQUEST_NS))).toBe(601);
  });

  test('malformed XML, a missing or doubled address, or a non-address are 600', () => {
    expect(refusal('<Autodiscover xmlns="')).toBe(600);
    expect(refusal(outlookRequest('ann@acme.test').replace('</Request>', ''))).toBe(600);
    expect(refusal(`<Autodiscover xmlns="${REQUEST_NS}"><Request/></Autodiscover>`)).toBe(600);
    expect(refusal(outlookRequest('ann@acme.test</EMailAddress><EMailAddress>bob@acme.test'))).toBe(600);
    expect(refusal(outlookRequest('not an address'))).toBe(600);
    expect(refusal(outlookRequest('<b>ann@acme.test</b>'))).toBe(600);
  });

  test('entity tricks are refused, not expanded', () => {
    expect(refusal(`<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>${outlookRequest('&x;@acme.test').replace(/^<\?xml[^>]*>\n/, '')}`)).toBe(600);
  });

  test('a body over the size limit is refused before parsing', () => {
    const padded = outlookRequest('ann@acme.test').replace('<Request>', `<!--${'x'.repeat(MAX_REQUEST_BYTES)}--><Request>`);
    expect(refusal(padded)).toBe(600);
    expect(refusal(outlookRequest('ann@acme.test'))).toBeUndefined();
  });
});

describe('poxSettings (2006a response)', () => {
  const text = poxSettings('ann@acme.test', ENDPOINTS);
  const doc = parse(text);
  const protocols = select(doc, '/ad:Autodiscover/o:Response/o:Account/o:Protocol');

  test('is well-formed (xmllint) and in the two response namespaces', () => {
    expectWellFormed(text);
    expect(select(doc, '/ad:Autodiscover/o:Response')).toHaveLength(1);
  });

  test('User, then an email Account with Action settings', () => {
    expect(childNames(select(doc, '/ad:Autodiscover/o:Response')[0]!)).toEqual(['User', 'Account']);
    expect(value(doc, '/ad:Autodiscover/o:Response/o:User/o:DisplayName')).toBe('ann@acme.test');
    expect(childNames(select(doc, '/ad:Autodiscover/o:Response/o:Account')[0]!)).toEqual(['AccountType', 'Action', 'Protocol', 'Protocol']);
    expect(value(doc, '/ad:Autodiscover/o:Response/o:Account/o:AccountType')).toBe('email');
    expect(value(doc, '/ad:Autodiscover/o:Response/o:Account/o:Action')).toBe('settings');
  });

  test('IMAP on 993 and SMTP on 465, implicit TLS, SPA off, the address as login', () => {
    const read = (p: (typeof protocols)[number]) => Object.fromEntries(childNames(p).map((n) => [n, childText(p, n)]));
    expect(protocols.map(read)).toEqual([
      { Type: 'IMAP', Server: 'mx.example.net', Port: '993', LoginName: 'ann@acme.test', DomainRequired: 'off', SPA: 'off', SSL: 'on', Encryption: 'SSL', AuthRequired: 'on' },
      { Type: 'SMTP', Server: 'mx.example.net', Port: '465', LoginName: 'ann@acme.test', DomainRequired: 'off', SPA: 'off', SSL: 'on', Encryption: 'SSL', AuthRequired: 'on' },
    ]);
  });

  test('elements in the order of the POX reference', () => {
    for (const p of protocols) expect(childNames(p)).toEqual(['Type', 'Server', 'Port', 'LoginName', 'DomainRequired', 'SPA', 'SSL', 'Encryption', 'AuthRequired']);
  });

  test('without implicit-TLS ports, STARTTLS ports with Encryption TLS (Outlook\'s name for STARTTLS)', () => {
    const starttls = parse(poxSettings('ann@acme.test', { ...ENDPOINTS, imapPort: 0, submissionsPort: 0 }));
    const ps = select(starttls, '/ad:Autodiscover/o:Response/o:Account/o:Protocol');
    expect(ps.map((p) => [childText(p, 'Type'), childText(p, 'Port'), childText(p, 'Encryption')])).toEqual([['IMAP', '143', 'TLS'], ['SMTP', '587', 'TLS']]);
  });

  test('a service with no published port is left out', () => {
    const imapOnly = parse(poxSettings('ann@acme.test', { ...ENDPOINTS, submissionPort: 0, submissionsPort: 0 }));
    expect(select(imapOnly, '/ad:Autodiscover/o:Response/o:Account/o:Protocol').map((p) => childText(p, 'Type'))).toEqual(['IMAP']);
  });

  test('the echoed address is escaped', () => {
    const odd = `o'neil&<x>@acme.test`;
    const out = poxSettings(odd, ENDPOINTS);
    expectWellFormed(out);
    const again = parse(out);
    expect(value(again, '/ad:Autodiscover/o:Response/o:User/o:DisplayName')).toBe(odd);
    expect(select(again, '/ad:Autodiscover/o:Response/o:Account/o:Protocol').map((p) => childText(p, 'LoginName'))).toEqual([odd, odd]);
  });
});

describe('poxError', () => {
  test.each([[600, 'Invalid Request'], [601, 'Provider is not available'], [603, 'Internal Server Error']] as const)('%i: Error with code, message, Time and Id', (code, message) => {
    const text = poxError(code, new Date('2026-03-04T05:06:07.089Z'), '1234');
    expectWellFormed(text);
    const doc = parse(text);
    // Exchange's shape: <Response> without a namespace of its own, so in the outer one.
    const [error] = select(doc, '/ad:Autodiscover/ad:Response/ad:Error');
    expect(error).toBeDefined();
    expect(childNames(error!)).toEqual(['ErrorCode', 'Message', 'DebugData']);
    expect(childText(error!, 'ErrorCode')).toBe(String(code));
    expect(childText(error!, 'Message')).toBe(message);
    expect(childText(error!, 'DebugData')).toBe('');
    expect(attribute(error!, 'Time')).toBe('05:06:07.0890000');
    expect(attribute(error!, 'Id')).toBe('1234');
  });
});
