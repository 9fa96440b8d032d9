/** SEARCH / UID SEARCH with RFC 3501 keys, groups, MODSEQ, and BODY through the index (no blob reads). */
import { createHash } from 'node:crypto';
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PASSWORD, rawAnswers, useImapServer } from './setup.ts';

const t = useImapServer();
const LOGIN = `LOGIN ann@acme.test "${PASSWORD}"`;

function mail(from: string, to: string, subject: string, date: string, body: string, extra = ''): Buffer {
  return Buffer.from(`From: ${from}\r\nTo: ${to}\r\nSubject: ${subject}\r\nDate: ${date}\r\n${extra}\r\n${body}\r\n`);
}

const MESSAGES = [
  { raw: mail('Alice <alice@example.test>', 'ann@acme.test', 'Quarterly report', 'Sat, 1 Feb 2020 10:00:00 +0000', 'the zebra crossing', 'X-Tracker: blue\r\n'),
    flags: ['\\Seen'], idate: new Date('2020-02-01T10:00:00Z') },
  { raw: mail('bob@example.test', 'ann@acme.test', 'Lunch', 'Mon, 15 Mar 2021 12:00:00 +0000', 'pizza tonight?'),
    flags: ['\\Flagged', 'Work'], idate: new Date('2021-03-15T12:00:00Z') },
  { raw: mail('carol@example.test', 'dave@example.test', 'Report draft', 'Wed, 1 Jun 2022 08:00:00 +0000', `${'filler '.repeat(700)}aardvark`),
    flags: [], idate: new Date('2022-06-01T08:00:00Z') },
];

beforeAll(async () => {
  const c = await t.clients.connected();
  await c.mailboxCreate('Search');
  for (const m of MESSAGES) await c.append('Search', m.raw, m.flags, m.idate);
});

/** `* SEARCH` numbers from each answer (UIDs 1–3 here equal the sequence numbers). */
async function search(...criteria: string[]): Promise<string[]> {
  const answers = await rawAnswers(t.port, [LOGIN, 'SELECT Search', ...criteria.map((c) => `UID SEARCH ${c}`)]);
  return answers.slice(2).map((a) => /^\* SEARCH ?(.*)\r$/m.exec(a)?.[1] ?? `no SEARCH line: ${a}`);
}

test('header keys: FROM, TO, CC, SUBJECT, HEADER (value and presence)', async () => {
  expect(await search('FROM alice', 'TO dave', 'CC anyone', 'SUBJECT report', 'HEADER X-Tracker blue', 'HEADER X-Tracker ""', 'FROM "ALICE@EXAMPLE"'))
    .toEqual(['1', '3', '', '1 3', '1', '1', '1']);
});

test('dates: internal BEFORE/ON/SINCE and sent SENTBEFORE/SENTON/SENTSINCE', async () => {
  expect(await search('SINCE 1-Jan-2021', 'BEFORE 1-Jan-2021', 'ON 15-Mar-2021', 'SENTON 1-Jun-2022', 'SENTBEFORE 1-Jun-2022', 'SENTSINCE 15-Mar-2021', 'YOUNGER 3600'))
    .toEqual(['2 3', '1', '2', '3', '1 2', '2 3', '']);
});

test('sizes, flags and keywords', async () => {
  expect(await search('LARGER 4000', 'SMALLER 4000', 'SEEN', 'UNSEEN', 'FLAGGED', 'KEYWORD Work', 'UNKEYWORD Work', 'NEW', 'OLD', 'ALL', 'RECENT'))
    .toEqual(['3', '1 2', '1', '2 3', '2', '2', '1 3', '', '1 2 3', '1 2 3', '']);
});

test('BODY and TEXT words, sequence and UID sets', async () => {
  expect(await search('BODY zebra', 'BODY aardvark', 'TEXT pizza', 'TEXT lunch', 'BODY lunch', '2:*', 'UID 1,3', '1:2 UID 2:3'))
    .toEqual(['1', '3', '2', '2', '', '2 3', '1 3', '2']);
});

test('NOT, OR and parenthesised groups keep their meaning', async () => {
  // imap-core's own parser flattens groups: the first would match nothing, the second only 3.
  expect(await search('OR (FROM alice SUBJECT lunch) FROM carol', 'NOT (FROM alice SUBJECT report)', 'OR SEEN FLAGGED', 'NOT OR SEEN FLAGGED', '(OR 1 2) (OR 2 3)'))
    .toEqual(['3', '2 3', '1 2', '3', '2']);
});

test('SEARCH answers sequence numbers and MODSEQ adds the highest modseq of the matches', async () => {
  const answers = await rawAnswers(t.port, [LOGIN, 'SELECT Search (CONDSTORE)', 'SEARCH FROM carol', 'UID SEARCH MODSEQ 1', 'FETCH 1:* (UID MODSEQ)']);
  expect(answers[2]).toMatch(/^\* SEARCH 3\r$/m);
  const modseqs = [...answers[4]!.matchAll(/MODSEQ \((\d+)\)/g)].map((m) => Number(m[1]));
  expect(answers[3]).toMatch(new RegExp(`^\\* SEARCH 1 2 3 \\(MODSEQ ${Math.max(...modseqs)}\\)\\r$`, 'm'));
});

test('bad SEARCH input gets BAD or NO [BADCHARSET] and the connection stays usable', async () => {
  const answers = await rawAnswers(t.port, [LOGIN, 'SELECT Search', 'SEARCH FROBNICATE', 'SEARCH OR SEEN', 'SEARCH BEFORE 31-Feb-2020', 'SEARCH CHARSET KOI8-R FROM x', 'SEARCH CHARSET UTF-8 FROM alice', 'NOOP']);
  expect(answers[2]).toMatch(/^r3 BAD/m);
  expect(answers[3]).toMatch(/^r4 BAD/m);
  expect(answers[4]).toMatch(/^r5 BAD/m);
  expect(answers[5]).toMatch(/^r6 NO \[BADCHARSET/m);
  expect(answers[6]).toMatch(/^\* SEARCH 1\r$/m);
  expect(answers[7]).toMatch(/^r8 OK/m);
});

test('BODY search answers from the index: it still finds words after the message blobs are gone', async () => {
  const c = await t.clients.connected();
  await c.mailboxCreate('NoBlobs');
  const raw = mail('eve@example.test', 'ann@acme.test', 'Indexed', 'Sat, 1 Feb 2020 10:00:00 +0000', 'quetzalcoatl unique word');
  await c.append('NoBlobs', raw, []);
  const hash = createHash('sha256').update(raw).digest('hex');
  const files = (await readdir(t.s.dataDir, { recursive: true })).filter((f) => f.endsWith(hash));
  expect(files).toHaveLength(1);
  await unlink(join(t.s.dataDir, files[0]!));
  const answers = await rawAnswers(t.port, [LOGIN, 'SELECT NoBlobs', 'UID SEARCH BODY quetzalcoatl', 'UID SEARCH TEXT indexed', 'UID FETCH 1 BODY.PEEK[]']);
  expect(answers[2]).toMatch(/^\* SEARCH 1\r$/m);
  expect(answers[3]).toMatch(/^\* SEARCH 1\r$/m);
  // The blob really is gone: reading the body fails.
  expect(answers[4]).toMatch(/^r5 NO/m);
});
