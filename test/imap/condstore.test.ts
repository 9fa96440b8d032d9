/** CONDSTORE (RFC 7162): HIGHESTMODSEQ in SELECT and STATUS, FETCH CHANGEDSINCE, STORE UNCHANGEDSINCE. */
import { message, PASSWORD, rawAnswers, useImapServer } from './setup.ts';

const t = useImapServer();
const LOGIN = `LOGIN ann@acme.test "${PASSWORD}"`;

const highest = (text: string) => Number(/HIGHESTMODSEQ (\d+)/.exec(text)?.[1]);

test('HIGHESTMODSEQ grows with each change, and CHANGEDSINCE fetches only what changed', async () => {
  const c = await t.clients.connected();
  await c.mailboxCreate('Cond');
  for (const s of ['a', 'b', 'c']) await c.append('Cond', message(s), []);
  const [, selected, status] = await rawAnswers(t.port, [LOGIN, 'SELECT Cond (CONDSTORE)', 'STATUS Cond (HIGHESTMODSEQ MESSAGES)']);
  const before = highest(selected!);
  expect(before).toBeGreaterThan(0);
  expect(highest(status!)).toBe(before);

  const answers = await rawAnswers(t.port, [
    LOGIN, 'SELECT Cond (CONDSTORE)', 'UID STORE 2 +FLAGS.SILENT (\\Flagged)',
    `UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${before})`, 'STATUS Cond (HIGHESTMODSEQ)',
  ]);
  const changed = [...answers[3]!.matchAll(/^\* \d+ FETCH \((.*)\)\r$/gm)].map((m) => m[1]!);
  expect(changed).toHaveLength(1);
  expect(changed[0]).toMatch(/UID 2\b/);
  expect(changed[0]).toMatch(/MODSEQ \((\d+)\)/);
  expect(changed[0]).toContain('\\Flagged');
  expect(highest(answers[4]!)).toBeGreaterThan(before);
});

test('STORE UNCHANGEDSINCE changes what has not moved and answers MODIFIED for the rest', async () => {
  const c = await t.clients.connected();
  await c.mailboxCreate('Uncond');
  for (const s of ['a', 'b']) await c.append('Uncond', message(s), []);
  const [, selected] = await rawAnswers(t.port, [LOGIN, 'SELECT Uncond (CONDSTORE)']);
  const base = highest(selected!);
  const answers = await rawAnswers(t.port, [
    LOGIN, 'SELECT Uncond (CONDSTORE)', 'UID STORE 1 +FLAGS (\\Seen)',
    `UID STORE 1:2 (UNCHANGEDSINCE ${base}) +FLAGS (\\Answered)`, 'UID FETCH 1:2 (FLAGS)',
  ]);
  expect(answers[3]).toMatch(/^r4 OK \[MODIFIED 1\]/m);
  expect(answers[4]).toMatch(/UID 1 FLAGS \(\\Seen\)|FLAGS \(\\Seen\) UID 1/);
  expect(answers[4]).toMatch(/\\Answered/);
});
