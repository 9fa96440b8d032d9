/** The first IMAP slice end to end, through a real client (imapflow) against `node src/main.ts`. */
import { connect } from 'node:net';
import { mailFixture } from '../fixtures/mail/fixtures.ts';
import { FREE_PORT } from '../helpers/server.ts';
import { useImapServer } from './setup.ts';

const t = useImapServer({ STOA_IMAP_STARTTLS_PORT: FREE_PORT });
const client = t.clients.make.bind(t.clients);

test('LOGIN works over implicit TLS', async () => {
  const c = client();
  await c.connect();
  expect(c.authenticated).toBeTruthy();
});

test('LOGIN works after STARTTLS, and the plain port refuses LOGIN before it', async () => {
  const c = client({ port: t.s.ports.STOA_IMAP_STARTTLS_PORT!, secure: false, doSTARTTLS: true });
  await c.connect();
  expect(c.authenticated).toBeTruthy();
  expect(c.secureConnection).toBe(true);
  const greeting = await plainCapability(t.s.ports.STOA_IMAP_STARTTLS_PORT!);
  expect(greeting).toMatch(/LOGINDISABLED/);
  expect(greeting).toMatch(/STARTTLS/);
});

/** The CAPABILITY line a plain connection gets before STARTTLS. */
function plainCapability(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('error', reject);
    socket.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('* OK') && !text.includes('a1 ')) {
        if (!text.includes('CAPABILITY')) socket.write('a1 CAPABILITY\r\n');
      }
      if (/a1 OK/.test(text)) {
        socket.end();
        resolve(text);
      }
    });
  });
}

test('a wrong password is an authentication failure', async () => {
  const c = client({ auth: { user: 'ann@acme.test', pass: 'wrong password' } });
  await expect(c.connect()).rejects.toMatchObject({ authenticationFailed: true });
});

test('the default folders are listed with their special-use', async () => {
  const c = client();
  await c.connect();
  const list = await c.list();
  const uses = Object.fromEntries(list.map((f) => [f.path, f.specialUse ?? null]));
  expect(uses).toMatchObject({ INBOX: '\\Inbox', Sent: '\\Sent', Drafts: '\\Drafts', Trash: '\\Trash', Junk: '\\Junk', Archive: '\\Archive' });
});

test('APPEND then FETCH gives the message back byte-exact, with ENVELOPE and BODYSTRUCTURE', async () => {
  const raw = mailFixture('mixed-attachment');
  const c = client();
  await c.connect();
  const appended = await c.append('INBOX', raw, ['\\Seen']);
  expect(appended).toMatchObject({ uid: expect.any(Number) });
  const uid = (appended as { uid: number }).uid;
  await c.mailboxOpen('INBOX');
  const message = await c.fetchOne(String(uid), { source: true, envelope: true, bodyStructure: true, size: true, flags: true }, { uid: true });
  expect(message).toBeTruthy();
  if (!message) return;
  expect(Buffer.compare(message.source!, raw)).toBe(0);
  expect(message.size).toBe(raw.length);
  expect(message.envelope?.subject).toBe('Invoice attached');
  expect(message.bodyStructure?.type).toBe('multipart/mixed');
  expect([...(message.flags ?? [])]).toContain('\\Seen');
});

test('a failing hook answers NO and the connection and the server stay usable', async () => {
  const c = client();
  await c.connect();
  await expect(c.mailboxOpen('No Such Folder')).rejects.toThrow();
  const status = await c.status('INBOX', { messages: true });
  expect(status && typeof status.messages).toBe('number');
  // NO [ALREADYEXISTS], which imapflow reports as created: false.
  await expect(c.mailboxCreate('Sent')).resolves.toMatchObject({ created: false });
  const other = client();
  await other.connect();
  expect((await other.list()).length).toBeGreaterThan(0);
});
