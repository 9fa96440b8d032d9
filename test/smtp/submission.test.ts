/** Submission on 587 (STARTTLS) and 465 (TLS) with nodemailer and Python's smtplib, seen over IMAP. */
import { connect as tlsConnect } from 'node:tls';
import type { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { FREE_PORT, startServer, type RunningServer } from '../helpers/server.ts';
import { eventually, imapClient, inboxSubjects, message, PASSWORD, provisionAcme, smtplib, WAIT_MS } from './setup.ts';

let s: RunningServer;
let submission: number;
let submissions: number;
const clients: ImapFlow[] = [];
/** Small, so the over-SIZE test sends little. The IMAP APPENDLIMIT minimum is 1 MiB. */
const SIZE = 1_048_576;

beforeAll(async () => {
  s = await startServer({
    STOA_IMAP_PORT: FREE_PORT, STOA_SMTP_SUBMISSION_PORT: FREE_PORT, STOA_SMTP_SUBMISSIONS_PORT: FREE_PORT,
    STOA_MAIL_APPEND_LIMIT_BYTES: String(SIZE),
  });
  submission = s.ports.STOA_SMTP_SUBMISSION_PORT!;
  submissions = s.ports.STOA_SMTP_SUBMISSIONS_PORT!;
  await provisionAcme(s);
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
  await s?.stop();
});

async function imap(user: string): Promise<ImapFlow> {
  const c = await imapClient(s, user);
  clients.push(c);
  return c;
}

function transport(port: number, secure: boolean, user = 'ann@acme.test') {
  return nodemailer.createTransport({
    host: '127.0.0.1', port, secure, requireTLS: !secure, tls: { rejectUnauthorized: false },
    auth: { user, pass: PASSWORD },
  });
}

test('nodemailer on 587 with STARTTLS delivers to a local user: in INBOX over IMAP and heard by an IDLE session', async () => {
  const watcher = await imap('bob@acme.test');
  await watcher.mailboxOpen('INBOX');
  const before = (watcher.mailbox && watcher.mailbox.exists) || 0;
  const heard = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no EXISTS while idling')), WAIT_MS);
    watcher.on('exists', (data: { count: number }) => {
      clearTimeout(timer);
      resolve(data.count);
    });
  });
  void watcher.idle().catch(() => undefined);
  const info = await transport(submission, false).sendMail({ from: 'ann@acme.test', to: 'bob@acme.test', subject: 'over 587', text: 'hello bob' });
  expect(info.accepted).toEqual(['bob@acme.test']);
  expect(info.response).toMatch(/^250 /);
  expect(await heard).toBe(before + 1);

  const reader = await imap('bob@acme.test');
  const subjects = await inboxSubjects(reader);
  expect(subjects).toContain('over 587');
  const lock = await reader.getMailboxLock('INBOX');
  try {
    const last = await reader.fetchOne('*', { source: true });
    const source = last ? last.source!.toString() : '';
    expect(source).toMatch(/^Received: from \S+ \(.*\[127\.0\.0\.1\]\)\r\n\tby localhost \(Stoa\) with ESMTPSA/);
    expect(source).toContain('hello bob');
  } finally {
    lock.release();
  }
});

test("smtplib on 465 (implicit TLS) delivers, with an alias as sender and From", async () => {
  const results = await smtplib(submissions, 'ssl', [
    ['ehlo'],
    ['login', 'ann@acme.test', PASSWORD],
    ['sendmail', 'anne@acme.test', ['bob@acme.test'], message('Ann <anne@acme.test>', 'bob@acme.test', 'over 465')],
  ]);
  expect(results[0]!.features).toEqual(expect.arrayContaining(['size', '8bitmime', 'smtputf8', 'pipelining', 'enhancedstatuscodes', 'dsn', 'auth']));
  expect(results[0]!.text).toContain(`SIZE ${SIZE}`);
  expect(results[1]!.code).toBe(235);
  expect(results[2]).toEqual({ code: 250, refused: {} });
  const reader = await imap('bob@acme.test');
  await eventually(async () => (await inboxSubjects(reader)).includes('over 465'), 'the 465 message in INBOX');
});

test('AUTH before STARTTLS is refused, and works after it', async () => {
  const plain = Buffer.from(`\0ann@acme.test\0${PASSWORD}`).toString('base64');
  const results = await smtplib(submission, 'starttls', [
    ['ehlo'],
    ['docmd', `AUTH PLAIN ${plain}`],
    ['docmd', 'MAIL FROM:<ann@acme.test>'],
    ['starttls'],
    ['ehlo'],
    ['login', 'ann@acme.test', PASSWORD],
  ]);
  expect(results[0]!.features).toContain('starttls');
  expect(results[0]!.features).not.toContain('auth');
  expect(results[1]!.code).toBeGreaterThanOrEqual(500);
  expect(results[2]!.code).toBe(530);
  expect(results[2]!.text).toMatch(/^5\.7\.0 /);
  expect(results[3]!.code).toBe(220);
  expect(results[4]!.features).toContain('auth');
  expect(results[5]!.code).toBe(235);

  // nodemailer without TLS: AUTH is not offered, so it does not send the password; MAIL is refused.
  const refused = nodemailer.createTransport({ host: '127.0.0.1', port: submission, secure: false, ignoreTLS: true, auth: { user: 'ann@acme.test', pass: PASSWORD } });
  await expect(refused.sendMail({ from: 'ann@acme.test', to: 'bob@acme.test', subject: 'x', text: 'x' })).rejects.toMatchObject({ responseCode: 530 });
});

test('a wrong password gets 535 5.7.8', async () => {
  const results = await smtplib(submissions, 'ssl', [['ehlo'], ['login', 'ann@acme.test', 'not the password']]);
  expect(results[1]).toMatchObject({ code: 535 });
  expect(results[1]!.text).toMatch(/^5\.7\.8 /);
});

test('an envelope sender or From that is not the user\'s is refused with 5.7.1, and nothing is delivered', async () => {
  const reader = await imap('bob@acme.test');
  const before = await inboxSubjects(reader);
  const results = await smtplib(submissions, 'ssl', [
    ['ehlo'],
    ['login', 'ann@acme.test', PASSWORD],
    ['sendmail', 'bob@acme.test', ['bob@acme.test'], message('bob@acme.test', 'bob@acme.test', 'forged envelope')],
    ['sendmail', 'ann@acme.test', ['bob@acme.test'], message('Boss <ceo@acme.test>', 'bob@acme.test', 'forged from')],
    ['noop'],
  ]);
  expect(results[2]).toMatchObject({ code: 550 });
  expect(results[2]!.text).toMatch(/^5\.7\.1 /);
  expect(results[3]).toMatchObject({ code: 550 });
  expect(results[3]!.text).toMatch(/^5\.7\.1 /);
  expect(results[4]!.code).toBe(250);
  await expect(transport(submission, false).sendMail({ from: 'ceo@acme.test', to: 'bob@acme.test', subject: 'x', text: 'x' })).rejects.toMatchObject({ responseCode: 550 });
  expect(await inboxSubjects(reader)).toEqual(before);
});

test('a message over SIZE is refused with 552 and not stored; a malformed command gets 5xx and the session goes on', async () => {
  const reader = await imap('bob@acme.test');
  const before = await inboxSubjects(reader);
  const big = message('ann@acme.test', 'bob@acme.test', 'too big', `${'x'.repeat(998)}\r\n`.repeat(1100));
  const results = await smtplib(submissions, 'ssl', [
    ['ehlo'],
    ['login', 'ann@acme.test', PASSWORD],
    ['docmd', 'MAIL FROM:<ann@acme.test> SIZE=99999999'],
    ['docmd', 'BOGUS command'],
    ['docmd', 'MAIL FROM:ann'],
    ['noop'],
    ['sendmail', 'ann@acme.test', ['bob@acme.test'], big],
    ['sendmail', 'ann@acme.test', ['bob@acme.test'], message('ann@acme.test', 'bob@acme.test', 'after the refusals')],
  ]);
  expect(results[2]).toMatchObject({ code: 552 });
  expect(results[3]!.code).toBeGreaterThanOrEqual(500);
  expect(results[4]!.code).toBeGreaterThanOrEqual(500);
  expect(results[5]!.code).toBe(250);
  expect(results[6]!.code).toBe(552);
  expect(results[7]).toEqual({ code: 250, refused: {} });
  await eventually(async () => (await inboxSubjects(reader)).includes('after the refusals'), 'the message after the refusals');
  expect(await inboxSubjects(reader)).toEqual([...before, 'after the refusals']);
});

test('a connection cut in DATA stores nothing', async () => {
  const reader = await imap('bob@acme.test');
  const before = await inboxSubjects(reader);
  const socket = tlsConnect({ host: '127.0.0.1', port: submissions, rejectUnauthorized: false });
  const auth = Buffer.from(`\0ann@acme.test\0${PASSWORD}`).toString('base64');
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString()));
  const waitFor = (pattern: RegExp) => eventually(async () => pattern.test(received), `server reply ${pattern}`);
  await waitFor(/^220 /m);
  socket.write(`EHLO cutter\r\nAUTH PLAIN ${auth}\r\n`);
  await waitFor(/^235 /m);
  socket.write('MAIL FROM:<ann@acme.test>\r\nRCPT TO:<bob@acme.test>\r\nDATA\r\n');
  await waitFor(/^354 /m);
  socket.write('From: ann@acme.test\r\nSubject: cut off\r\n\r\nhalf a mess');
  await new Promise((r) => setTimeout(r, 300));
  socket.destroy();
  await transport(submissions, true).sendMail({ from: 'ann@acme.test', to: 'bob@acme.test', subject: 'after the cut', text: 'whole' });
  await eventually(async () => (await inboxSubjects(reader)).includes('after the cut'), 'the message after the cut');
  expect(await inboxSubjects(reader)).toEqual([...before, 'after the cut']);
});
