/**
 * Mail from the internet on the MX listener (SPF/DKIM/DMARC by mailauth through a DNS responder on
 * loopback) and from a filtering relay by LMTP, with per-recipient answers.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Socket } from 'node:net';
import { dkimSign } from 'mailauth';
import nodemailer from 'nodemailer';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.ts';
import { FREE_PORT, startServer, type RunningServer } from '../helpers/server.ts';
import { eventually, lastMessage, message, PASSWORD, smtplib } from './setup.ts';

let s: RunningServer;
let dns: DnsServer;
/** Small, so one message fills a mailbox. */
const QUOTA = 40_000;

beforeAll(async () => {
  dns = await startDnsServer({
    'remote.test': { TXT: [['v=spf1 ip4:127.0.0.1 -all']] },
    '_dmarc.remote.test': { TXT: [['v=DMARC1; p=reject']] },
    'strict.test': { TXT: [['v=spf1 ip4:192.0.2.1 -all']] },
    '_dmarc.strict.test': { TXT: [['v=DMARC1; p=reject']] },
  });
  s = await startServer({
    STOA_IMAP_PORT: FREE_PORT, STOA_SMTP_MX_PORT: FREE_PORT, STOA_LMTP_PORT: FREE_PORT,
    STOA_SMTP_DNS_SERVERS: dns.address, STOA_SMTP_DMARC_REJECT: 'true', STOA_MAIL_QUOTA_BYTES: String(QUOTA),
  });
  await s.stoaOk(['tenant', 'add', 'acme']);
  await s.stoaOk(['domain', 'add', 'acme', 'acme.test']);
  for (const user of ['ann', 'bob', 'full']) await s.stoaOk(['user', 'add', `${user}@acme.test`, '--password-stdin'], `${PASSWORD}\n`);
  await s.stoaOk(['alias', 'add', 'ann@acme.test', 'sales@acme.test']);
}, 60_000);

afterAll(async () => {
  await s?.stop();
  await dns?.close();
});

test('port 25 refuses relaying to a foreign domain and unknown local users, without authentication', async () => {
  const results = await smtplib(s.ports.STOA_SMTP_MX_PORT!, 'plain', [
    ['ehlo'],
    ['sendmail', 'someone@remote.test', ['victim@elsewhere.test'], message('someone@remote.test', 'victim@elsewhere.test', 'relay me')],
    ['sendmail', 'someone@remote.test', ['nobody@acme.test'], message('someone@remote.test', 'nobody@acme.test', 'to nobody')],
    ['docmd', 'AUTH PLAIN AGFubkBhY21lLnRlc3QAeA=='],
    ['noop'],
  ]);
  expect(results[0]!.features).not.toContain('auth');
  expect(results[1]!.refused).toEqual({ 'victim@elsewhere.test': [550, expect.stringMatching(/^5\.7\.1 /)] });
  expect(results[2]!.refused).toEqual({ 'nobody@acme.test': [550, expect.stringMatching(/^5\.1\.1 /)] });
  expect(results[3]!.code).toBeGreaterThanOrEqual(500);
  expect(results[4]!.code).toBe(250);
});

test('inbound mail to an alias lands in INBOX with Received and Authentication-Results (SPF and DMARC pass)', async () => {
  const results = await smtplib(s.ports.STOA_SMTP_MX_PORT!, 'plain', [
    ['ehlo'],
    ['sendmail', 'news@remote.test', ['Sales@acme.test'], message('News <news@remote.test>', 'sales@acme.test', 'from the internet')],
  ]);
  expect(results[1]).toEqual({ code: 250, refused: {} });
  const source = await lastMessage(s, 'ann@acme.test');
  expect(source).toContain('Subject: from the internet');
  const headerBlock = source.slice(0, source.indexOf('\r\n\r\n'));
  expect(headerBlock).toMatch(/^Received: from /);
  expect(headerBlock).toMatch(/Authentication-Results: localhost;[\s\S]*spf=pass[\s\S]*dmarc=pass/);
});

test('a DKIM signature of the sending domain is verified through the configured resolver (dkim=pass)', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  dns.zones.set('sel._domainkey.remote.test', { TXT: [[`v=DKIM1; k=rsa; p=${p}`]] });
  const raw = message('Signer <signer@remote.test>', 'bob@acme.test', 'signed inbound');
  // mailauth 7.1 signs only what is in signatureData; the same fields at the top level (as its
  // typings allow) silently give no signature.
  const key = { signingDomain: 'remote.test', selector: 'sel', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  const { signatures } = await dkimSign(raw, { ...key, signatureData: [key] });
  expect(signatures).toMatch(/^DKIM-Signature: /);
  const results = await smtplib(s.ports.STOA_SMTP_MX_PORT!, 'plain', [['ehlo'], ['sendmail', 'signer@remote.test', ['bob@acme.test'], signatures + raw]]);
  expect(results[1]).toEqual({ code: 250, refused: {} });
  const source = await lastMessage(s, 'bob@acme.test');
  expect(source).toContain('Subject: signed inbound');
  expect(source.slice(0, source.indexOf('\r\n\r\n'))).toMatch(/Authentication-Results: localhost;[\s\S]*dkim=pass[^;]*header\.(d|i)=@?remote\.test/);
});

test('a DMARC failure of a p=reject domain is refused with 5.7.1 (smtp.dmarc_reject)', async () => {
  const results = await smtplib(s.ports.STOA_SMTP_MX_PORT!, 'plain', [
    ['ehlo'],
    ['sendmail', 'ceo@strict.test', ['bob@acme.test'], message('ceo@strict.test', 'bob@acme.test', 'spoofed')],
  ]);
  expect(results[1]!.code).toBe(550);
  expect(results[1]!.text).toMatch(/^5\.7\.1 /);
});

test('LMTP answers per recipient: delivered, unknown (550 5.1.1) and over quota (452 4.2.2)', async () => {
  const lmtp = nodemailer.createTransport({ host: '127.0.0.1', port: s.ports.STOA_LMTP_PORT!, lmtp: true, secure: false, ignoreTLS: true });
  const filler = await lmtp.sendMail({ envelope: { from: 'relay@remote.test', to: ['full@acme.test'] }, raw: message('relay@remote.test', 'full@acme.test', 'filler', `${'f'.repeat(76)}\r\n`.repeat(400)) });
  expect(filler.accepted).toEqual(['full@acme.test']);
  const info = await lmtp.sendMail({
    envelope: { from: 'relay@remote.test', to: ['bob@acme.test', 'nobody@acme.test', 'full@acme.test'] },
    raw: message('relay@remote.test', 'bob@acme.test', 'by lmtp', `${'l'.repeat(76)}\r\n`.repeat(200)),
  });
  expect(info.accepted).toEqual(['bob@acme.test']);
  expect([...info.rejected].sort()).toEqual(['full@acme.test', 'nobody@acme.test']);
  const errors = Object.fromEntries((info.rejectedErrors ?? []).map((e) => [e.recipient, e.response]));
  expect(errors['nobody@acme.test']).toMatch(/^550 5\.1\.1 /);
  expect(errors['full@acme.test']).toMatch(/^452 4\.2\.2 /);
  expect(await lastMessage(s, 'bob@acme.test')).toContain('Subject: by lmtp');
});

test('LMTP refuses a peer that is not trusted (here 127.0.0.2: only 127.0.0.1 and ::1 are)', async () => {
  const socket = new Socket();
  let greeting = '';
  socket.on('data', (d: Buffer) => (greeting += d.toString()));
  socket.on('error', () => undefined);
  socket.connect({ port: s.ports.STOA_LMTP_PORT!, host: '127.0.0.1', localAddress: '127.0.0.2' });
  await eventually(async () => /^554 /m.test(greeting), 'a 554 greeting');
  socket.destroy();
});
