/** QUOTA from the directory's per-user quota (here the configured default), OVERQUOTA and TOOBIG refusals. */
import { message, messagesIn, PASSWORD, rawAnswers, useImapServer } from './setup.ts';

const QUOTA = 100_000;
const LIMIT = 1_048_576;
const t = useImapServer({ STOA_MAIL_QUOTA_BYTES: String(QUOTA), STOA_MAIL_APPEND_LIMIT_BYTES: String(LIMIT) });
const LOGIN = `LOGIN ann@acme.test "${PASSWORD}"`;

test('GETQUOTAROOT and GETQUOTA report usage and the limit in KiB', async () => {
  const c = await t.clients.connected();
  const before = await c.getQuota('INBOX');
  await c.append('INBOX', message('quota', 'x'.repeat(20_000)), []);
  const after = await c.getQuota('INBOX');
  expect(before && before.storage?.limit).toBe(Math.ceil(QUOTA / 1024) * 1024);
  expect(after && before && after.storage!.usage! - before.storage!.usage!).toBeGreaterThanOrEqual(19 * 1024);
  const answers = await rawAnswers(t.port, [LOGIN, 'GETQUOTAROOT INBOX', 'GETQUOTA ""', 'GETQUOTA "other"', 'GETQUOTAROOT Nowhere']);
  expect(answers[1]).toMatch(/^\* QUOTAROOT "INBOX" ""\r$/m);
  expect(answers[1]).toMatch(/^\* QUOTA "" \(STORAGE \d+ 98\)\r$/m);
  expect(answers[2]).toMatch(/^\* QUOTA "" \(STORAGE \d+ 98\)\r$/m);
  expect(answers[3]).toMatch(/^r4 NO/m);
  expect(answers[4]).toMatch(/^r5 NO/m);
});

test('APPEND over quota is NO [OVERQUOTA] and stores nothing; so is a COPY that would not fit', async () => {
  const c = await t.clients.connected();
  await c.mailboxCreate('Full');
  const big = message('big', 'y'.repeat(60_000));
  await c.append('Full', big, []); // fits next to the 20 KB above
  const refused = await c.append('Full', big, []).catch((err: { serverResponseCode?: string }) => err);
  expect(refused).toMatchObject({ serverResponseCode: 'OVERQUOTA' });
  // Refused before the literal: no "+" is sent and no byte of it is needed.
  const early = await rawAnswers(t.port, [LOGIN, `APPEND Full {${big.length}}`, 'NOOP']);
  expect(early[1]).not.toMatch(/^\+/m);
  expect(early[1]).toMatch(/^r2 NO \[OVERQUOTA\]/m);
  expect(early[2]).toMatch(/^r3 OK/m);
  const answers = await rawAnswers(t.port, [LOGIN, 'SELECT Full', 'COPY 1 INBOX']);
  expect(answers[2]).toMatch(/^r3 NO \[OVERQUOTA\]/m);
  expect(await messagesIn(c, 'Full')).toBe(1);
});

test('APPEND over APPENDLIMIT is refused before the literal is read, and the connection stays usable', async () => {
  const c = await t.clients.connected();
  const before = await messagesIn(c, 'INBOX');
  // No literal bytes follow: the server must answer at once instead of sending "+".
  const answers = await rawAnswers(t.port, [LOGIN, 'CAPABILITY', `APPEND INBOX {${LIMIT + 1}}`, 'NOOP']);
  expect(answers[1]).toMatch(new RegExp(`APPENDLIMIT=${LIMIT}\\b`));
  expect(answers[2]).not.toMatch(/^\+/m);
  expect(answers[2]).toMatch(/^r3 NO \[TOOBIG\]/m);
  expect(answers[3]).toMatch(/^r4 OK/m);
  expect(await messagesIn(c, 'INBOX')).toBe(before);
});

test('stoa user quota sets the user\'s own limit, which IMAP reports at once; "default" goes back to the configured one', async () => {
  const limitKiB = async () => (await rawAnswers(t.port, [LOGIN, 'GETQUOTA ""']))[1]!.match(/STORAGE \d+ (\d+)\)/)![1];
  await t.s.stoaOk(['user', 'quota', 'ann@acme.test', '2M']);
  expect(await limitKiB()).toBe('2048');
  await t.s.stoaOk(['user', 'quota', 'ann@acme.test', 'default']);
  expect(await limitKiB()).toBe(String(Math.ceil(QUOTA / 1024)));
  const wrong = await t.s.stoa(['user', 'quota', 'ann@acme.test', 'lots']);
  expect(wrong.code).toBe(2);
  expect(await limitKiB()).toBe(String(Math.ceil(QUOTA / 1024)));
}, 120_000);
