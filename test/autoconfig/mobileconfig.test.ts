/** The Apple profile: its plist (three payloads, values of `stoa dns`, escaping) and its CMS signature. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dnsRecords } from '../../src/autoconfig/dns.ts';
import type { PublicEndpoints } from '../../src/autoconfig/endpoints.ts';
import { buildProfile, type ProfileInput } from '../../src/autoconfig/mobileconfig.ts';
import { signProfile } from '../../src/autoconfig/sign.ts';
import { generateSelfSigned, type KeyPair } from '../../src/tls/certificates.ts';
import { ENDPOINTS } from './fixtures.ts';
import { parsePlist, type Plist } from './mobileconfig-plist.ts';
import { expectWellFormed } from './xmllint.ts';

const INPUT: ProfileInput = {
  address: 'ann@acme.test',
  displayName: 'Ann Example',
  appPassword: 'app-pass-1234',
  tenantSlug: 'acme',
  organisation: 'Acme Ltd',
  endpoints: ENDPOINTS,
};

type Dict = Record<string, Plist>;

function profile(input: Partial<ProfileInput> = {}): Dict {
  return parsePlist(buildProfile({ ...INPUT, ...input })) as Dict;
}

function payloads(p: Dict): Dict[] {
  return p.PayloadContent as Dict[];
}

/** SRV targets/ports and TXT paths as `stoa dns` prints them for these endpoints. */
function dns(e: PublicEndpoints): { srv: Record<string, { host: string; port: number }>; path: Record<string, string> } {
  const out = { srv: {} as Record<string, { host: string; port: number }>, path: {} as Record<string, string> };
  for (const line of dnsRecords('acme.test', 'acme', e)) {
    const srv = /^_([a-z]+)\._tcp\.\S+ \d+ IN SRV \d+ \d+ (\d+) (\S+)\.$/.exec(line);
    if (srv) out.srv[srv[1]!] = { host: srv[3]!, port: Number(srv[2]) };
    const txt = /^_([a-z]+)\._tcp\.\S+ \d+ IN TXT "path=(.*)"$/.exec(line);
    if (txt) out.path[txt[1]!] = txt[2]!;
  }
  return out;
}

const UUID5 = /^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;

describe('buildProfile', () => {
  const text = buildProfile(INPUT);
  const p = parsePlist(text) as Dict;
  const [mail, caldav, carddav] = payloads(p);

  test('is a well-formed (xmllint) Apple XML plist holding one Configuration profile', () => {
    expectWellFormed(text);
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC')).toBe(true);
    const { PayloadContent, ...top } = p;
    expect(PayloadContent).toHaveLength(3);
    expect(top).toEqual({
      PayloadDisplayName: 'Acme Ltd (ann@acme.test)',
      PayloadDescription: 'Mail, calendars and contacts for ann@acme.test',
      PayloadIdentifier: `net.example.mx.stoa.profile.${p.PayloadUUID as string}`,
      PayloadOrganization: 'Acme Ltd',
      PayloadRemovalDisallowed: false,
      PayloadType: 'Configuration',
      PayloadUUID: expect.stringMatching(UUID5),
      PayloadVersion: 1,
    });
  });

  test('exactly a mail, a CalDAV and a CardDAV payload, each with the common payload keys', () => {
    expect(payloads(p).map((d) => d.PayloadType)).toEqual(['com.apple.mail.managed', 'com.apple.caldav.account', 'com.apple.carddav.account']);
    for (const [d, kind] of [[mail, 'mail'], [caldav, 'caldav'], [carddav, 'carddav']] as const) {
      expect(d!.PayloadVersion).toBe(1);
      expect(d!.PayloadIdentifier).toBe(`${p.PayloadIdentifier as string}.${kind}`);
      expect(d!.PayloadUUID).toMatch(UUID5);
      expect(typeof d!.PayloadDisplayName).toBe('string');
    }
  });

  test('mail: IMAP on the implicit-TLS port and submission on 465, as `stoa dns` publishes them; the app password', () => {
    const { srv } = dns(ENDPOINTS);
    const { PayloadType, PayloadVersion, PayloadIdentifier, PayloadUUID, PayloadDisplayName, ...keys } = mail!;
    void [PayloadType, PayloadVersion, PayloadIdentifier, PayloadUUID, PayloadDisplayName];
    expect(keys).toEqual({
      EmailAccountType: 'EmailTypeIMAP',
      EmailAccountDescription: 'ann@acme.test',
      EmailAccountName: 'Ann Example',
      EmailAddress: 'ann@acme.test',
      IncomingMailServerHostName: srv.imaps!.host,
      IncomingMailServerPortNumber: srv.imaps!.port,
      IncomingMailServerUseSSL: true,
      IncomingMailServerAuthentication: 'EmailAuthPassword',
      IncomingMailServerUsername: 'ann@acme.test',
      IncomingPassword: 'app-pass-1234',
      OutgoingMailServerHostName: srv.submissions!.host,
      OutgoingMailServerPortNumber: srv.submissions!.port,
      OutgoingMailServerUseSSL: true,
      OutgoingMailServerAuthentication: 'EmailAuthPassword',
      OutgoingMailServerUsername: 'ann@acme.test',
      OutgoingPasswordSameAsIncomingPassword: true,
    });
    expect([srv.imaps, srv.submissions]).toEqual([{ host: 'mx.example.net', port: 993 }, { host: 'mx.example.net', port: 465 }]);
  });

  test('CalDAV and CardDAV: the DAV host and port of the SRV records, the TXT paths as principal URLs', () => {
    const { srv, path } = dns(ENDPOINTS);
    expect(caldav).toMatchObject({
      CalDAVAccountDescription: 'ann@acme.test',
      CalDAVHostName: srv.caldavs!.host,
      CalDAVPort: srv.caldavs!.port,
      CalDAVUseSSL: true,
      CalDAVPrincipalURL: path.caldavs,
      CalDAVUsername: 'ann@acme.test',
      CalDAVPassword: 'app-pass-1234',
    });
    expect(carddav).toMatchObject({
      CardDAVAccountDescription: 'ann@acme.test',
      CardDAVHostName: srv.carddavs!.host,
      CardDAVPort: srv.carddavs!.port,
      CardDAVUseSSL: true,
      CardDAVPrincipalURL: path.carddavs,
      CardDAVUsername: 'ann@acme.test',
      CardDAVPassword: 'app-pass-1234',
    });
    expect([caldav!.CalDAVHostName, caldav!.CalDAVPort, caldav!.CalDAVPrincipalURL, carddav!.CardDAVPrincipalURL]).toEqual(['dav.example.net', 443, '/acme/calendar/', '/acme/contacts/']);
    expect(Object.keys(caldav!)).toHaveLength(5 + 7);
    expect(Object.keys(carddav!)).toHaveLength(5 + 7);
  });

  test('without implicit TLS published, STARTTLS ports with UseSSL (Apple negotiates STARTTLS there)', () => {
    const [m] = payloads(profile({ endpoints: { ...ENDPOINTS, imapPort: 0, submissionsPort: 0 } }));
    expect(m).toMatchObject({
      IncomingMailServerPortNumber: 143,
      IncomingMailServerUseSSL: true,
      OutgoingMailServerPortNumber: 587,
      OutgoingMailServerUseSSL: true,
    });
  });

  test('no published IMAP or submission port: refused rather than a profile that cannot work', () => {
    expect(() => buildProfile({ ...INPUT, endpoints: { ...ENDPOINTS, imapPort: 0, imapStarttlsPort: 0 } })).toThrow(/IMAP/);
    expect(() => buildProfile({ ...INPUT, endpoints: { ...ENDPOINTS, submissionPort: 0, submissionsPort: 0 } })).toThrow(/submission/);
  });

  test('UUIDs and identifier are stable per address (a re-download replaces), distinct per address and kind', () => {
    const again = profile({ appPassword: 'another-one', displayName: 'Ann E.' });
    const uuids = (d: Dict) => [d.PayloadUUID, ...payloads(d).map((x) => x.PayloadUUID)];
    expect(uuids(again)).toEqual(uuids(p));
    expect(again.PayloadIdentifier).toBe(p.PayloadIdentifier);
    expect(profile({ address: 'ANN@acme.test' }).PayloadUUID).toBe(p.PayloadUUID);
    expect(new Set(uuids(p)).size).toBe(4);
    const other = profile({ address: 'bob@acme.test' });
    expect(uuids(other).filter((u) => uuids(p).includes(u))).toEqual([]);
    expect(other.PayloadIdentifier).not.toBe(p.PayloadIdentifier);
  });

  test('a given profileUuid is the profile UUID; payload UUIDs then derive from it; a non-UUID is refused', () => {
    const given = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const q = profile({ profileUuid: given });
    expect(q.PayloadUUID).toBe(given.toUpperCase());
    expect(q.PayloadIdentifier).toBe(`net.example.mx.stoa.profile.${given.toUpperCase()}`);
    const ids = payloads(q).map((d) => d.PayloadUUID);
    expect(ids.every((u) => UUID5.test(u as string))).toBe(true);
    expect(ids.filter((u) => payloads(p).some((d) => d.PayloadUUID === u))).toEqual([]);
    expect(payloads(profile({ profileUuid: given })).map((d) => d.PayloadUUID)).toEqual(ids);
    expect(() => buildProfile({ ...INPUT, profileUuid: 'x"/><key>' })).toThrow(/UUID/);
  });

  test('every user-supplied value is escaped and round-trips', () => {
    const odd = {
      address: `a<&>"'b@acme.test`,
      displayName: 'Ann <&> "Ex" \'ample\' ]]> </string><true/>',
      appPassword: '<&>"\'&amp;',
      tenantSlug: 'a&b<c>',
      organisation: 'Acme & <Sons> "Ltd"',
    };
    const raw = buildProfile({ ...INPUT, ...odd });
    expectWellFormed(raw);
    const q = parsePlist(raw) as Dict;
    const [m, cal, card] = payloads(q);
    expect(q.PayloadOrganization).toBe(odd.organisation);
    expect(q.PayloadDisplayName).toBe(`${odd.organisation} (${odd.address})`);
    expect([m!.EmailAddress, m!.IncomingMailServerUsername, m!.OutgoingMailServerUsername, cal!.CalDAVUsername, card!.CardDAVUsername]).toEqual(Array(5).fill(odd.address));
    expect(m!.EmailAccountName).toBe(odd.displayName);
    expect([m!.IncomingPassword, cal!.CalDAVPassword, card!.CardDAVPassword]).toEqual(Array(3).fill(odd.appPassword));
    expect([cal!.CalDAVPrincipalURL, card!.CardDAVPrincipalURL]).toEqual(['/a&b<c>/calendar/', '/a&b<c>/contacts/']);
    expect(payloads(q)).toHaveLength(3);
  });
});

function openssl(args: string[]): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync('openssl', args);
  if (r.error) throw new Error(`openssl is needed for these tests: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

describe('signProfile', () => {
  let dir: string;
  let pair: KeyPair;
  const plist = buildProfile({ ...INPUT, displayName: 'Ann «Ü» <&>' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stoa-mobileconfig-'));
    pair = await generateSelfSigned('stoa.test');
    writeFileSync(join(dir, 'cert.pem'), pair.cert);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** `openssl smime -verify` of a DER profile; the extracted content on success. */
  function verify(der: Buffer, trust: 'noverify' | 'cafile'): { ok: boolean; content: Buffer; stderr: string } {
    const file = join(dir, 'profile.mobileconfig');
    const out = join(dir, 'content.plist');
    rmSync(out, { force: true });
    writeFileSync(file, der);
    const trustArgs = trust === 'noverify' ? ['-noverify'] : ['-CAfile', join(dir, 'cert.pem')];
    const r = openssl(['smime', '-verify', '-inform', 'der', '-in', file, ...trustArgs, '-purpose', 'any', '-out', out]);
    return { ok: r.status === 0, content: r.status === 0 ? readFileSync(out) : Buffer.alloc(0), stderr: r.stderr };
  }

  test('verifies (signature only, and against the server certificate) and carries the plist byte for byte', () => {
    const der = signProfile(plist, pair);
    for (const trust of ['noverify', 'cafile'] as const) {
      const r = verify(der, trust);
      expect({ ok: r.ok, stderr: r.stderr.trim() }).toEqual({ ok: true, stderr: 'Verification successful' });
      expect(r.content.equals(Buffer.from(plist, 'utf8'))).toBe(true);
    }
  });

  test('is DER SignedData with the content attached as one primitive OCTET STRING and the certificate embedded', () => {
    const der = signProfile(plist, pair);
    const file = join(dir, 'parse.der');
    writeFileSync(file, der);
    const parsed = openssl(['asn1parse', '-inform', 'der', '-in', file]).stdout.toString();
    expect(parsed).toMatch(/OBJECT\s+:pkcs7-signedData/);
    expect(parsed).toMatch(new RegExp(`d=5 +hl=\\d+ l= *${Buffer.byteLength(plist)} prim: OCTET STRING`));
    expect(parsed).toMatch(/OBJECT\s+:ecdsa-with-SHA256/);
    const certs = openssl(['pkcs7', '-inform', 'der', '-in', file, '-print_certs']).stdout.toString();
    expect(certs.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g)).toEqual([pair.cert.trim()]);
  });

  test('a tampered signature or content fails verification', () => {
    const der = signProfile(plist, pair);
    const badSignature = Buffer.from(der);
    badSignature[badSignature.length - 1]! ^= 0x01;
    expect(verify(badSignature, 'noverify').ok).toBe(false);
    const badContent = Buffer.from(der);
    const at = badContent.indexOf('ann@acme.test');
    badContent[at]! ^= 0x02;
    const r = verify(badContent, 'noverify');
    expect(r.ok).toBe(false);
    expect(r.stderr).toMatch(/digest/i);
  });

  test('against another certificate it does not verify', async () => {
    const other = await generateSelfSigned('other.test');
    writeFileSync(join(dir, 'other.pem'), other.cert);
    const file = join(dir, 'profile.mobileconfig');
    writeFileSync(file, signProfile(plist, pair));
    const r = openssl(['smime', '-verify', '-inform', 'der', '-in', file, '-CAfile', join(dir, 'other.pem'), '-purpose', 'any', '-out', join(dir, 'x')]);
    expect(r.status).not.toBe(0);
  });

  test('an RSA certificate signs too (sha256WithRSAEncryption)', () => {
    const key = join(dir, 'rsa.key');
    const cert = join(dir, 'rsa.pem');
    const made = openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=rsa.test', '-days', '2', '-keyout', key, '-out', cert]);
    expect(made.status).toBe(0);
    const der = signProfile(plist, { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') });
    const file = join(dir, 'rsa.mobileconfig');
    writeFileSync(file, der);
    const r = openssl(['smime', '-verify', '-inform', 'der', '-in', file, '-CAfile', cert, '-purpose', 'any', '-out', join(dir, 'rsa.plist')]);
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'rsa.plist')).equals(Buffer.from(plist, 'utf8'))).toBe(true);
  });

  test('a key that is not the certificate\'s is refused', async () => {
    const other = await generateSelfSigned('other.test');
    expect(() => signProfile(plist, { cert: pair.cert, key: other.key })).toThrow(/does not belong/);
    expect(() => signProfile(plist, { cert: '', key: pair.key })).toThrow(/no certificate/);
  });
});
