/**
 * The acceptance walk with a second, unrelated client: Python's stdlib imaplib
 * (test/imap/clients/imaplib_client.py), which prints what it saw as JSON.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FREE_PORT } from '../helpers/server.ts';
import { startLocalIdp, type LocalIdp } from '../helpers/jwks.ts';
import { EVENT_TIMEOUT_MS, PASSWORD, SETUP_TIMEOUT_MS, useImapServer } from './setup.ts';

const t = useImapServer({ STOA_IMAP_STARTTLS_PORT: FREE_PORT });
let idp: LocalIdp;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the script's JSON, asserted field by field
let out: any;

beforeAll(async () => {
  idp = await startLocalIdp();
  await t.s.stoaOk(['tenant', 'oauth', 'acme', '--issuer', idp.issuer, '--audience', 'stoa', '--jwks', idp.jwksUrl]);
  const appPassword = (await t.s.stoaOk(['apppass', 'add', 'ann@acme.test', 'Python', '--scope', 'imap'])).lastLine.trim();
  const config = {
    imaps: t.port, starttls: t.s.ports.STOA_IMAP_STARTTLS_PORT, user: 'ann@acme.test', password: PASSWORD, appPassword,
    token: await idp.token({ email: 'ann@acme.test' }, 'stoa'), bigBytes: 25 * 1024 * 1024, eventTimeout: EVENT_TIMEOUT_MS / 1000,
  };
  const script = join(import.meta.dirname, 'clients/imaplib_client.py');
  const { stdout } = await promisify(execFile)('python3', [script, JSON.stringify(config)], { maxBuffer: 1 << 20, timeout: 2 * SETUP_TIMEOUT_MS - 30_000 });
  out = JSON.parse(stdout);
}, 2 * SETUP_TIMEOUT_MS);
afterAll(() => idp?.close());

test('logs in on 993, on 143 after STARTTLS (LOGINDISABLED before), with an app password and with a bearer token', () => {
  expect(out.login993).toBe('AUTH');
  expect(out.caps143).toEqual(expect.arrayContaining(['STARTTLS', 'LOGINDISABLED']));
  expect(out.plainLoginBeforeStarttls).toBe('refused');
  expect(out.login143).toBe('AUTH');
  expect(out.loginAppPassword).toBe('AUTH');
  expect(out.loginBearer).toBe('AUTH');
  expect(out.capsBeforeLogin).toEqual(expect.arrayContaining(['AUTH=PLAIN', 'AUTH=XOAUTH2', 'AUTH=OAUTHBEARER', 'SASL-IR', 'LITERAL-', 'IDLE', 'MOVE', 'UIDPLUS', 'CONDSTORE', 'QUOTA']));
});

test('creates, subscribes, renames, unsubscribes and deletes a Unicode folder in modified UTF-7', () => {
  expect([out.create, out.subscribe, out.rename, out.unsubscribe, out.delete]).toEqual(['OK', 'OK', 'OK', 'OK', 'OK']);
  expect(out.listed.join('\n')).toContain('"&ANw-berweisungen/&ZeVnLA-"');
  expect(out.lsub.join('\n')).toContain('"&ANw-berweisungen/&ZeVnLA-"');
  expect(out.listedAfterRename.join('\n')).toContain('"&ANw-berweisungen/&Ti1W,Q-"');
  expect(out.listedAfterDelete.join('\n')).not.toContain('&Ti1W,Q-');
});

test('APPENDs a 25 MB message and FETCHes it back byte-exact', () => {
  expect(out.bigAppend).toMatch(/APPENDUID \d+ \d+/);
  expect(out.bigSize).toBeGreaterThanOrEqual(25 * 1024 * 1024 - 100);
  expect(out.bigFetchedSha256).toBe(out.bigSha256);
  expect(out.bigRfc822Size).toBe(out.bigSize);
});

test('STORE flags, UNCHANGEDSINCE answers MODIFIED, CHANGEDSINCE returns only the later change', () => {
  expect(out.store).toMatch(/\\Flagged/);
  expect(out.storeUnchangedSince[0]).toBe('OK');
  expect(out.storeUnchangedSince[1]).toMatch(/\[MODIFIED 2\]/);
  expect(out.changedSince).toHaveLength(1);
  expect(out.changedSince[0]).toMatch(/UID 3/);
  expect(out.changedSince[0]).toMatch(/\\Draft/);
  expect(out.changedSince[0]).toMatch(/MODSEQ \(\d+\)/);
});

test('SEARCH by header, date, size, flag and body word', () => {
  expect(out.search).toEqual({
    from: [2], subject: [1, 3], header: [2], since: [2, 3], sentbefore: [1], larger: [3],
    seen: [1], flagged: [2], keyword: [2], body: [2], or: [1, 3],
  });
});

test('COPY and MOVE answer COPYUID, MOVE expunges the source, EXPUNGE removes \\Deleted', () => {
  expect(out.copy[0]).toBe('OK');
  expect(out.copy[1]).toMatch(/\[COPYUID \d+ 1 \d+\]/);
  expect(out.move[0]).toBe('OK');
  expect(out.move[1]).toMatch(/\[COPYUID \d+ 3 \d+\]/);
  expect(out.moveExpunge).toEqual(['3']);
  expect(out.expunge).toEqual(['OK', ['2']]);
  expect(out.statusPy).toMatch(/MESSAGES 1\b/);
  expect(out.statusPyTo).toMatch(/MESSAGES 2\b/);
});

test('GETQUOTAROOT names the root and its STORAGE', () => {
  expect(out.quotaroot[0]).toBe('OK');
  expect(JSON.stringify(out.quotaroot[1])).toMatch(/STORAGE \d+ \d+/);
});

test('IDLE on one connection sees APPEND, a flag change and EXPUNGE from another', () => {
  expect(out.idleStart).toMatch(/^\+/);
  expect(out.idle[0]).toMatch(/^\* 1 EXISTS/);
  expect(out.idle[1]).toMatch(/^\* 1 FETCH \(FLAGS \(.*\\Flagged/);
  expect(out.idle[2]).toMatch(/^\* 1 EXPUNGE/);
  expect(out.idle[3]).toMatch(/ OK/);
});
