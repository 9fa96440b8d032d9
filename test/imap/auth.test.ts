/**
 * Sign-in and the protocol surface before it: CAPABILITY as issue 5 lists it, AUTHENTICATE PLAIN
 * with SASL-IR, app passwords, bearer tokens (XOAUTH2/OAUTHBEARER), throttling, LITERAL-, and bad
 * input that gets BAD/NO while the connection stays usable.
 */
import { ImapFlow } from 'imapflow';
import { FREE_PORT } from '../helpers/server.ts';
import { startLocalIdp, type LocalIdp } from '../helpers/jwks.ts';
import { PASSWORD, rawAnswers, rawDialog, SETUP_TIMEOUT_MS, SLOW_TEST_MS, useImapServer } from './setup.ts';

const t = useImapServer({ STOA_IMAP_STARTTLS_PORT: FREE_PORT });
let idp: LocalIdp;

beforeAll(async () => {
  idp = await startLocalIdp();
  await t.s.stoaOk(['tenant', 'oauth', 'acme', '--issuer', idp.issuer, '--audience', 'stoa', '--jwks', idp.jwksUrl]);
}, SETUP_TIMEOUT_MS);
afterAll(() => idp?.close());

const base64 = (s: string) => Buffer.from(s).toString('base64');
const capabilities = (answer: string) => new Set((/^\* CAPABILITY (.*)\r$/m.exec(answer)?.[1] ?? '').split(' '));

test('CAPABILITY on implicit TLS is exactly the issue\'s list, with AUTH= before login only', async () => {
  const answers = await rawAnswers(t.port, ['CAPABILITY', `LOGIN ann@acme.test "${PASSWORD}"`, 'CAPABILITY']);
  const before = capabilities(answers[0]!);
  const appendLimit = [...before].find((c) => c.startsWith('APPENDLIMIT='));
  expect(appendLimit).toMatch(/^APPENDLIMIT=\d+$/);
  const common = ['IMAP4rev1', 'IDLE', 'UIDPLUS', 'MOVE', 'CONDSTORE', 'SPECIAL-USE', 'QUOTA', 'NAMESPACE', 'ID', 'ENABLE', 'UTF8=ACCEPT', 'UNSELECT', appendLimit!, 'LITERAL-'];
  expect(before).toEqual(new Set([...common, 'SASL-IR', 'AUTH=PLAIN', 'AUTH=XOAUTH2', 'AUTH=OAUTHBEARER']));
  expect(capabilities(answers[2]!)).toEqual(new Set(common));
});

test('the STARTTLS port offers STARTTLS and LOGINDISABLED and no mechanism, and refuses LOGIN and AUTHENTICATE', async () => {
  const port = t.s.ports.STOA_IMAP_STARTTLS_PORT!;
  const answers = await rawAnswersPlain(port, ['CAPABILITY', `LOGIN ann@acme.test "${PASSWORD}"`, `AUTHENTICATE PLAIN ${base64(`\0ann@acme.test\0${PASSWORD}`)}`]);
  const caps = capabilities(answers[0]!);
  expect(caps.has('STARTTLS') && caps.has('LOGINDISABLED')).toBe(true);
  expect([...caps].filter((c) => c.startsWith('AUTH=') || c === 'SASL-IR')).toEqual([]);
  expect(answers[1]).toMatch(/^r2 (BAD|NO)/m);
  expect(answers[2]).toMatch(/^r3 (BAD|NO)/m);
});

test('AUTHENTICATE PLAIN with an initial response (SASL-IR) signs in', async () => {
  const answers = await rawAnswers(t.port, [`AUTHENTICATE PLAIN ${base64(`\0ann@acme.test\0${PASSWORD}`)}`, 'SELECT INBOX']);
  expect(answers[0]).toMatch(/^r1 OK/m);
  expect(answers[1]).toMatch(/^r2 OK/m);
});

test('an app password with the imap scope signs in; one scoped to smtp only does not', async () => {
  const imap = (await t.s.stoaOk(['apppass', 'add', 'ann@acme.test', 'Phone', '--scope', 'imap'])).lastLine.trim();
  const smtp = (await t.s.stoaOk(['apppass', 'add', 'ann@acme.test', 'Relay', '--scope', 'smtp'])).lastLine.trim();
  const ok = await t.clients.connected({ auth: { user: 'ann@acme.test', pass: imap } });
  expect(ok.authenticated).toBeTruthy();
  const refused = t.clients.make({ auth: { user: 'ann@acme.test', pass: smtp } });
  await expect(refused.connect()).rejects.toThrow();
}, SLOW_TEST_MS);

test('a bearer token signs in with imapflow, and through raw XOAUTH2 and OAUTHBEARER', async () => {
  const token = await idp.token({ email: 'ann@acme.test' }, 'stoa');
  const c = await t.clients.connected({ auth: { user: 'ann@acme.test', accessToken: token } });
  expect(c.authenticated).toBeTruthy();
  const xoauth2 = base64(`user=ann@acme.test\x01auth=Bearer ${token}\x01\x01`);
  const oauthbearer = base64(`n,a=ann@acme.test,\x01host=127.0.0.1\x01port=${t.port}\x01auth=Bearer ${token}\x01\x01`);
  const [a] = await rawAnswers(t.port, [`AUTHENTICATE XOAUTH2 ${xoauth2}`]);
  const [b] = await rawAnswers(t.port, [`AUTHENTICATE OAUTHBEARER ${oauthbearer}`]);
  expect(a).toMatch(/^r1 OK/m);
  expect(b).toMatch(/^r1 OK/m);
});

test('a bad bearer token gets the RFC 7628 error challenge, then NO [AUTHENTICATIONFAILED]', async () => {
  const wrongAudience = await idp.token({ email: 'ann@acme.test' }, 'someone-else');
  const c = new ImapFlow({
    host: '127.0.0.1', port: t.port, secure: true, tls: { rejectUnauthorized: false }, logger: false,
    auth: { user: 'ann@acme.test', accessToken: wrongAudience },
  });
  c.on('error', () => undefined);
  await expect(c.connect()).rejects.toThrow();
  const xoauth2 = base64(`user=ann@acme.test\x01auth=Bearer ${wrongAudience}\x01\x01`);
  const transcript = await rawDialog(t.port, [
    [`a1 AUTHENTICATE XOAUTH2 ${xoauth2}`, /^\+ \S+/m], ['', /^a1 /m], ['a2 NOOP', /^a2 /m],
  ]);
  const challenge = JSON.parse(Buffer.from(/^\+ (\S+)/m.exec(transcript)![1]!, 'base64').toString()) as { status: string };
  expect(challenge.status).toBe('invalid_token');
  expect(transcript).toMatch(/^a1 NO \[AUTHENTICATIONFAILED\]/m);
  expect(transcript).toMatch(/^a2 OK/m);
});

test('repeated failed logins are throttled by the directory, even for the right password', async () => {
  await t.s.stoaOk(['user', 'add', 'tom@acme.test', '--password-stdin'], `${PASSWORD}\n`);
  let throttled = false;
  for (let i = 0; i < 10 && !throttled; i++) {
    const [answer] = await rawAnswers(t.port, ['LOGIN tom@acme.test "wrong password"']);
    throttled = /^r1 NO \[LIMIT\]/m.test(answer!);
  }
  expect(throttled).toBe(true);
  const [answer] = await rawAnswers(t.port, [`LOGIN tom@acme.test "${PASSWORD}"`]);
  expect(answer).toMatch(/^r1 NO \[LIMIT\]/m);
}, SLOW_TEST_MS);

test('bad input gets BAD or NO and the connection stays usable', async () => {
  const answers = await rawAnswers(t.port, [
    'FROBNICATE', 'SELECT INBOX', 'FETCH 1 FLAGS', 'LOGIN {2000}', `LOGIN ann@acme.test "${PASSWORD}"`,
    'FETCH 1 FLAGS', 'SELECT', 'SELECT INBOX', 'FETCH 1:* (FLAGS', 'UID FETCH x FLAGS', 'NOOP',
  ]);
  expect(answers[0]).toMatch(/^r1 BAD/m);
  expect(answers[1]).toMatch(/^r2 (BAD|NO)/m); // not signed in
  expect(answers[2]).toMatch(/^r3 (BAD|NO)/m);
  expect(answers[3]).toMatch(/^r4 NO.*too large/im); // refused before any byte of the literal
  expect(answers[4]).toMatch(/^r5 OK/m);
  expect(answers[5]).toMatch(/^r6 (BAD|NO)/m); // nothing selected
  expect(answers[6]).toMatch(/^r7 BAD/m);
  expect(answers[7]).toMatch(/^r8 OK/m);
  expect(answers[8]).toMatch(/^r9 BAD/m);
  expect(answers[9]).toMatch(/^r10 BAD/m);
  expect(answers[10]).toMatch(/^r11 OK/m);
});

test('LITERAL-: a small non-synchronizing literal works, one over 4096 bytes is BAD [TOOBIG]', async () => {
  const msg = 'Subject: nonsync\r\n\r\nhi\r\n';
  const answers = await rawAnswers(t.port, [
    `LOGIN {13+}\r\nann@acme.test "${PASSWORD}"`, `APPEND INBOX {${msg.length}+}\r\n${msg}`, 'NOOP',
  ]);
  expect(answers[0]).not.toMatch(/^\+/m);
  expect(answers[0]).toMatch(/^r1 OK/m);
  expect(answers[1]).toMatch(/^r2 OK \[APPENDUID/m);
  expect(answers[2]).toMatch(/^r3 OK/m);
  const transcript = (await rawAnswers(t.port, [`LOGIN ann@acme.test "${PASSWORD}"`, 'APPEND INBOX {5000+}'])).join('');
  expect(transcript).toMatch(/^r2 BAD \[TOOBIG\]/m);
});

function rawAnswersPlain(port: number, commands: string[]): Promise<string[]> {
  return rawAnswers(port, commands, { tls: false });
}
