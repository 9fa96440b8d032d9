/** STORE, EXPUNGE and the journal-backed notifier through a real client (imapflow). */
import { connect as tlsConnect } from 'node:tls';
import { ImapFlow } from 'imapflow';
import { FREE_PORT, startServer, type RunningServer } from '../helpers/server.ts';
import { provisionAnn } from './setup.ts';

const PASSWORD = 'a long enough password';
/** Generous: events arrive after a debounce; the wait only bounds a failing test. */
const EVENT_TIMEOUT_MS = 10_000;
let s: RunningServer;
let port: number;
const clients: ImapFlow[] = [];

beforeAll(async () => {
  s = await startServer({ STOA_IMAP_PORT: FREE_PORT, STOA_IMAP_STARTTLS_PORT: '0' });
  port = s.ports.STOA_IMAP_PORT!;
  await provisionAnn(s, PASSWORD);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
  await s?.stop();
});

async function client(): Promise<ImapFlow> {
  const c = new ImapFlow({
    host: '127.0.0.1', port, secure: true, tls: { rejectUnauthorized: false },
    auth: { user: 'ann@acme.test', pass: PASSWORD }, logger: false,
  });
  c.on('error', () => undefined);
  clients.push(c);
  await c.connect();
  return c;
}

function message(subject: string): Buffer {
  return Buffer.from(`From: bob@example.test\r\nTo: ann@acme.test\r\nSubject: ${subject}\r\n\r\nHello\r\n`);
}

/** The next event of `name` on `c` that matches `accept`. */
function nextEvent<T>(c: ImapFlow, name: string, accept: (data: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      c.off(name, on);
      reject(new Error(`no '${name}' event within ${EVENT_TIMEOUT_MS} ms`));
    }, EVENT_TIMEOUT_MS);
    const on = (data: T) => {
      if (!accept(data)) return;
      clearTimeout(timer);
      c.off(name, on);
      resolve(data);
    };
    c.on(name, on);
  });
}

async function messagesIn(c: ImapFlow, path: string): Promise<number | undefined> {
  const status = await c.status(path, { messages: true });
  return status ? status.messages : undefined;
}

async function flagsOf(c: ImapFlow, uid: number): Promise<string[]> {
  const m = await c.fetchOne(String(uid), { flags: true }, { uid: true });
  return m ? [...(m.flags ?? [])].sort() : [];
}

test('STORE adds and removes \\Flagged and a keyword, and FETCH FLAGS shows them', async () => {
  const c = await client();
  await c.mailboxCreate('Store');
  const { uid } = (await c.append('Store', message('store'), ['\\Seen'])) as { uid: number };
  await c.mailboxOpen('Store');
  expect(await c.messageFlagsAdd(String(uid), ['\\Flagged', 'Work'], { uid: true })).toBe(true);
  expect(await flagsOf(c, uid)).toEqual(['Work', '\\Flagged', '\\Seen'].sort());
  expect(await c.messageFlagsRemove(String(uid), ['\\Flagged', 'Work'], { uid: true })).toBe(true);
  expect(await flagsOf(c, uid)).toEqual(['\\Seen']);
  expect(await c.messageFlagsSet(String(uid), ['\\Answered'], { uid: true })).toBe(true);
  expect(await flagsOf(c, uid)).toEqual(['\\Answered']);
});

test('STORE on a mailbox opened read-only is refused', async () => {
  const c = await client();
  await c.mailboxCreate('ReadOnly');
  const { uid } = (await c.append('ReadOnly', message('ro'), [])) as { uid: number };
  await c.mailboxOpen('ReadOnly', { readOnly: true });
  expect(await c.messageFlagsAdd(String(uid), ['\\Flagged'], { uid: true })).toBe(false);
  await c.mailboxOpen('ReadOnly');
  expect(await flagsOf(c, uid)).toEqual([]);
});

test('EXPUNGE removes a \\Deleted message and STATUS MESSAGES drops', async () => {
  const c = await client();
  await c.mailboxCreate('Expunge');
  await c.append('Expunge', message('keep'), []);
  const { uid } = (await c.append('Expunge', message('drop'), [])) as { uid: number };
  expect(await messagesIn(c, 'Expunge')).toBe(2);
  await c.mailboxOpen('Expunge');
  const expunged = nextEvent<{ seq: number }>(c, 'expunge');
  expect(await c.messageDelete(String(uid), { uid: true })).toBe(true);
  expect((await expunged).seq).toBe(2);
  expect(c.mailbox && c.mailbox.exists).toBe(1);
  expect(await messagesIn(c, 'Expunge')).toBe(1);
});

test('IDLE on one connection hears another connection append, store flags and expunge', async () => {
  const a = await client();
  const b = await client();
  await a.mailboxCreate('Idle');
  await a.mailboxOpen('Idle');
  void a.idle(); // stays in IDLE until the next command

  const exists = nextEvent<{ count: number }>(a, 'exists');
  const { uid } = (await b.append('Idle', message('idle'), [])) as { uid: number };
  expect((await exists).count).toBe(1);

  await b.mailboxOpen('Idle');
  const flags = nextEvent<{ seq: number; flags: Set<string> }>(a, 'flags');
  await b.messageFlagsAdd(String(uid), ['\\Flagged'], { uid: true });
  const flagged = await flags;
  expect(flagged.seq).toBe(1);
  expect([...flagged.flags]).toContain('\\Flagged');

  const expunge = nextEvent<{ seq: number }>(a, 'expunge');
  await b.messageDelete(String(uid), { uid: true });
  expect((await expunge).seq).toBe(1);
});

test('one APPEND gives exactly one EXISTS, with the right count', async () => {
  const a = await client();
  const b = await client();
  await a.mailboxCreate('Once');
  await b.append('Once', message('first'), []);
  await a.mailboxOpen('Once');
  const seen: number[] = [];
  a.on('exists', (data: { count: number }) => seen.push(data.count));
  void a.idle();

  const exists = nextEvent(a, 'exists');
  const { uid } = (await b.append('Once', message('second'), [])) as { uid: number };
  await exists;
  // A later change on the same mailbox: any duplicate EXISTS would have been sent before its FETCH.
  await b.mailboxOpen('Once');
  const flags = nextEvent(a, 'flags');
  await b.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
  await flags;
  expect(seen).toEqual([2]);
});

test('a session that stores flags gets its own FETCH once, not again from the notifier', async () => {
  const a = await client();
  const b = await client();
  await a.mailboxCreate('Echo');
  const { uid } = (await a.append('Echo', message('echo'), [])) as { uid: number };
  await a.mailboxOpen('Echo');
  let flagEvents = 0;
  a.on('flags', () => flagEvents++);
  await a.messageFlagsAdd(String(uid), ['\\Flagged'], { uid: true });
  void a.idle();
  // The journal row of a's STORE is polled together with b's APPEND; it must be skipped.
  const exists = nextEvent(a, 'exists');
  await b.append('Echo', message('later'), []);
  await exists;
  expect(flagEvents).toBe(1);
});

test('a non-PEEK BODY[] FETCH sets \\Seen, BODY.PEEK[] does not', async () => {
  const c = await client();
  await c.mailboxCreate('Seen');
  const peeked = (await c.append('Seen', message('peek'), [])) as { uid: number };
  const read = (await c.append('Seen', message('read'), [])) as { uid: number };
  const transcript = await raw([
    'LOGIN ann@acme.test "a long enough password"', 'SELECT Seen',
    `UID FETCH ${peeked.uid} BODY.PEEK[TEXT]`, `UID FETCH ${read.uid} BODY[TEXT]`,
  ]);
  expect(transcript).toMatch(/FLAGS \(\\Seen\)/);
  await c.mailboxOpen('Seen');
  expect(await flagsOf(c, peeked.uid)).toEqual([]);
  expect(await flagsOf(c, read.uid)).toEqual(['\\Seen']);
});

/** Runs commands one by one on a raw TLS connection (imapflow always PEEKs) and returns the transcript. */
function raw(commands: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    let text = '';
    let sent = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`raw session stalled: ${text}`));
    }, EVENT_TIMEOUT_MS);
    const next = () => {
      if (sent === commands.length) {
        clearTimeout(timer);
        socket.end();
        resolve(text);
        return;
      }
      sent++;
      socket.write(`r${sent} ${commands[sent - 1]}\r\n`);
    };
    socket.on('error', reject);
    socket.on('data', (d: Buffer) => {
      text += d.toString();
      if (sent === 0 && text.includes('* OK')) next();
      else if (sent > 0 && new RegExp(`^r${sent} (OK|NO|BAD)`, 'm').test(text)) next();
    });
  });
}
