/**
 * Remote delivery through the queue: Stoa's resolver points at a DNS responder on loopback, whose
 * MX for remote.test is an smtp-server on loopback (test/smtp/remote-mx.ts).
 */
import { Resolver } from 'node:dns/promises';
import { authenticate } from 'mailauth';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { sendAsAnn, startRemoteWorld, survivesKill, type DsnRequest, type RemoteWorld } from './remote-mx.ts';
import { eventually, imapClient, inboxSubjects, lastMessage, provisionAcme } from './setup.ts';

let s: RunningServer;
let world: RemoteWorld;

beforeAll(async () => {
  world = await startRemoteWorld();
  s = await startServer(world.env);
  await provisionAcme(s);
  const created = await s.stoaOk(['dkim', 'add', 'acme.test']);
  const record = created.lastLine;
  const strings = [...record.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
  expect(record).toMatch(/^stoa\._domainkey\.acme\.test\. 3600 IN TXT "v=DKIM1; k=rsa; p=/);
  world.dns.zones.set('stoa._domainkey.acme.test', { TXT: [strings] });
  expect((await s.stoaOk(['dns', 'acme.test'])).stdout).toContain(record);
}, 60_000);

afterAll(async () => {
  await s?.stop();
  await world?.close();
});

const send = (to: string, subject: string, dsn?: DsnRequest) => sendAsAnn(s, to, subject, dsn);
const receivedBy = (rcpt: string) => world.receivedBy(rcpt);

test('a message to a remote domain reaches its MX, DKIM-signed with a key that verifies there', async () => {
  const info = await send('carol@remote.test', 'signed');
  expect(info.accepted).toEqual(['carol@remote.test']);
  const got = await receivedBy('carol@remote.test');
  expect(got.from).toBe('ann@acme.test');
  const resolver = new Resolver();
  resolver.setServers([world.dns.address]);
  const result = await authenticate(got.message, {
    ip: '127.0.0.1', sender: 'ann@acme.test', mta: 'mx.remote.test', disableBimi: true, disableArc: true,
    resolver: (name, type) => resolver.resolve(name, type) as Promise<string[][] | string[]>,
  });
  const signature = result.dkim.results[0];
  expect(signature?.signingDomain).toBe('acme.test');
  expect(signature?.status.result).toBe('pass');
});

test('a remote that answers 451 and then 250 gets the message on a retry', async () => {
  world.mx.answer = (rcpt, attempt) => (rcpt === 'flaky@remote.test' && attempt === 1 ? [451, '4.3.0 try again later'] : null);
  await send('flaky@remote.test', 'retried');
  const got = await receivedBy('flaky@remote.test');
  expect(got.message.toString()).toContain('Subject: retried');
  expect(world.mx.rcpts.filter((a) => a === 'flaky@remote.test')).toHaveLength(2);
});

test("a remote that answers 550 produces an RFC 3464 bounce in the sender's INBOX, unless NOTIFY=NEVER", async () => {
  world.mx.answer = (rcpt) => (rcpt.startsWith('gone') ? [550, '5.1.1 no such user at remote'] : null);
  await send('gone-quietly@remote.test', 'no bounce wanted', { notify: ['never'] });
  await eventually(async () => world.mx.rcpts.includes('gone-quietly@remote.test'), 'the NOTIFY=NEVER attempt');
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
  s = await survivesKill(s, world, () => startServer(world.env, s.dataDir));
});
