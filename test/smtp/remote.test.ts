/**
 * Remote delivery through the queue: Stoa's resolver points at a DNS responder on loopback, whose
 * MX for remote.test is an smtp-server on loopback (test/smtp/remote-mx.ts).
 */
import { Resolver } from 'node:dns/promises';
import { authenticate } from 'mailauth';
import nodemailer from 'nodemailer';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.ts';
import { FREE_PORT, startServer, type RunningServer } from '../helpers/server.ts';
import { startRemoteMx, type RemoteMx } from './remote-mx.ts';
import { eventually, imapClient, inboxSubjects, lastMessage, PASSWORD, provisionAcme } from './setup.ts';

let s: RunningServer;
let dns: DnsServer;
let mx: RemoteMx;
let env: Record<string, string>;

beforeAll(async () => {
  dns = await startDnsServer({ 'remote.test': { MX: [{ priority: 10, exchange: 'mx.remote.test' }] }, 'mx.remote.test': { A: ['127.0.0.1'] } });
  mx = await startRemoteMx();
  env = {
    STOA_IMAP_PORT: FREE_PORT, STOA_SMTP_SUBMISSIONS_PORT: FREE_PORT,
    STOA_SMTP_DNS_SERVERS: dns.address, STOA_SMTP_RELAY_PORT: String(mx.port), STOA_SMTP_RELAY_TLS_VERIFY: 'false',
    STOA_SMTP_RETRY_SECONDS: '2', STOA_SMTP_QUEUE_POLL_SECONDS: '1',
  };
  s = await startServer(env);
  await provisionAcme(s);
  const created = await s.stoaOk(['dkim', 'add', 'acme.test']);
  const record = created.lastLine;
  const strings = [...record.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
  expect(record).toMatch(/^stoa\._domainkey\.acme\.test\. 3600 IN TXT "v=DKIM1; k=rsa; p=/);
  dns.zones.set('stoa._domainkey.acme.test', { TXT: [strings] });
  expect((await s.stoaOk(['dns', 'acme.test'])).stdout).toContain(record);
}, 60_000);

afterAll(async () => {
  await s?.stop();
  await mx?.close();
  await dns?.close();
});

function send(to: string, subject: string, dsn?: { id?: string; return?: 'headers' | 'full'; notify?: ('never' | 'failure')[]; recipient?: string }) {
  return nodemailer.createTransport({
    host: '127.0.0.1', port: s.ports.STOA_SMTP_SUBMISSIONS_PORT!, secure: true, tls: { rejectUnauthorized: false },
    auth: { user: 'ann@acme.test', pass: PASSWORD },
  }).sendMail({ from: 'ann@acme.test', to, subject, text: `about ${subject}`, ...(dsn ? { dsn } : {}) });
}

function receivedBy(rcpt: string) {
  return eventually(async () => mx.received.find((r) => r.to.includes(rcpt)), `a message at the remote MX for ${rcpt}`);
}

test('a message to a remote domain reaches its MX, DKIM-signed with a key that verifies there', async () => {
  const info = await send('carol@remote.test', 'signed');
  expect(info.accepted).toEqual(['carol@remote.test']);
  const got = await receivedBy('carol@remote.test');
  expect(got.from).toBe('ann@acme.test');
  const resolver = new Resolver();
  resolver.setServers([dns.address]);
  const result = await authenticate(got.message, {
    ip: '127.0.0.1', sender: 'ann@acme.test', mta: 'mx.remote.test', disableBimi: true, disableArc: true,
    resolver: (name, type) => resolver.resolve(name, type) as Promise<string[][] | string[]>,
  });
  const signature = result.dkim.results[0];
  expect(signature?.signingDomain).toBe('acme.test');
  expect(signature?.status.result).toBe('pass');
});

test('a remote that answers 451 and then 250 gets the message on a retry', async () => {
  mx.answer = (rcpt, attempt) => (rcpt === 'flaky@remote.test' && attempt === 1 ? [451, '4.3.0 try again later'] : null);
  await send('flaky@remote.test', 'retried');
  const got = await receivedBy('flaky@remote.test');
  expect(got.message.toString()).toContain('Subject: retried');
  expect(mx.rcpts.filter((a) => a === 'flaky@remote.test')).toHaveLength(2);
});

test("a remote that answers 550 produces an RFC 3464 bounce in the sender's INBOX, unless NOTIFY=NEVER", async () => {
  mx.answer = (rcpt) => (rcpt.startsWith('gone') ? [550, '5.1.1 no such user at remote'] : null);
  await send('gone-quietly@remote.test', 'no bounce wanted', { notify: ['never'] });
  await eventually(async () => mx.rcpts.includes('gone-quietly@remote.test'), 'the NOTIFY=NEVER attempt');
  await send('gone@remote.test', 'will bounce', { id: 'envelope-42', return: 'full', notify: ['failure'], recipient: 'gone@remote.test' });
  const source = await lastMessage(s, 'ann@acme.test');
  expect(source).toContain('Original-Envelope-Id: envelope-42');
  expect(source).toContain('Original-Recipient: rfc822;gone@remote.test');
  expect(source).toContain('Content-Type: message/rfc822');
  expect(source).toContain('about will bounce');
  const c = await imapClient(s, 'ann@acme.test');
  try {
    expect((await inboxSubjects(c)).filter((subject) => subject.startsWith('Undelivered'))).toHaveLength(1);
  } finally {
    await c.logout();
  }
  expect(source).toContain('Subject: Undelivered Mail Returned to Sender');
  expect(source).toMatch(/Content-Type: multipart\/report; report-type=delivery-status;/);
  expect(source).toContain('Content-Type: message/delivery-status');
  expect(source).toContain('Final-Recipient: rfc822; gone@remote.test');
  expect(source).toContain('Action: failed');
  expect(source).toContain('Status: 5.1.1');
  expect(source).toContain('Subject: will bounce');
});

test('a queued message survives kill -9 of Stoa and is delivered after the restart', async () => {
  mx.answer = (rcpt) => (rcpt === 'later@remote.test' ? [451, '4.3.0 not now'] : null);
  await send('later@remote.test', 'survivor');
  await eventually(async () => mx.rcpts.includes('later@remote.test'), 'a first attempt at the remote');
  // Let the worker write the retry back (it releases its lease), well before the next attempt.
  await new Promise((r) => setTimeout(r, 300));
  await s.stop({ hard: true, keepData: true });
  mx.answer = () => null;
  s = await startServer(env, s.dataDir);
  const got = await receivedBy('later@remote.test');
  expect(got.message.toString()).toContain('Subject: survivor');
});
