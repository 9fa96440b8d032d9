/**
 * The acceptance walk's imapflow parts not covered elsewhere: a 25 MB APPEND fetched back
 * byte-exact (streamed on both sides of the test), SEARCH through imapflow's query API, and
 * CONDSTORE through its options. Logins, folders, COPY/MOVE, EXPUNGE, QUOTA and IDLE with imapflow
 * are in basic, auth, folders, copy-move, changes and quota.test.ts.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { SETUP_TIMEOUT_MS, useImapServer } from './setup.ts';

const t = useImapServer();
const MiB = 1024 * 1024;

/** A 25 MB multipart message with a base64 attachment, and its sha256. */
function bigMessage(): { raw: Buffer; sha256: string; decodedBytes: number } {
  const line = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3\r\n';
  const head = 'From: big@example.test\r\nTo: ann@acme.test\r\nSubject: 25 MB\r\nMIME-Version: 1.0\r\n' +
    'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nattached\r\n' +
    '--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n';
  const lines = Math.ceil(25 * MiB / line.length);
  const raw = Buffer.concat([Buffer.from(head), Buffer.from(line.repeat(lines)), Buffer.from('--b--\r\n')]);
  // 80 base64 characters a line are 60 bytes.
  return { raw, sha256: createHash('sha256').update(raw).digest('hex'), decodedBytes: lines * 60 };
}

async function sha256Of(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

test('APPEND of a 25 MB message and a streamed FETCH of it give the same sha256', async () => {
  const c = await t.clients.connected();
  await c.mailboxCreate('Big');
  const { raw, sha256, decodedBytes } = bigMessage();
  expect(raw.length).toBeGreaterThanOrEqual(25 * MiB);
  const { uid } = (await c.append('Big', raw, [])) as { uid: number };
  await c.mailboxOpen('Big');
  const meta = await c.fetchOne(String(uid), { size: true, bodyStructure: true }, { uid: true });
  expect(meta && meta.size).toBe(raw.length);
  expect(meta && meta.bodyStructure?.childNodes?.[1]?.type).toBe('application/octet-stream');
  const whole = await c.download(String(uid), undefined, { uid: true });
  expect(await sha256Of(whole.content as Readable)).toEqual({ sha256, bytes: raw.length });
  // The attachment part alone (imapflow decodes the base64).
  const part = await c.download(String(uid), '2', { uid: true });
  expect((await sha256Of(part.content as Readable)).bytes).toBe(decodedBytes);
}, SETUP_TIMEOUT_MS);

test('SEARCH through imapflow: header, date, size, flag and body word', async () => {
  const c = await t.clients.connected();
  await c.mailboxCreate('Find');
  const mail = (from: string, subject: string, body: string) =>
    Buffer.from(`From: ${from}\r\nTo: ann@acme.test\r\nSubject: ${subject}\r\nDate: Mon, 1 Jun 2020 10:00:00 +0000\r\n\r\n${body}\r\n`);
  const a = (await c.append('Find', mail('ola@example.test', 'Invoice 7', 'pay the ocelot'), ['\\Seen'], new Date('2020-06-01T10:00:00Z'))) as { uid: number };
  const b = (await c.append('Find', mail('per@example.test', 'Holiday', `${'sand '.repeat(2000)}and a capybara`), ['\\Flagged'], new Date('2023-07-01T10:00:00Z'))) as { uid: number };
  await c.mailboxOpen('Find');
  const find = (query: object) => c.search(query, { uid: true });
  expect(await find({ from: 'ola' })).toEqual([a.uid]);
  expect(await find({ header: { subject: 'holiday' } })).toEqual([b.uid]);
  expect(await find({ since: new Date('2021-01-01') })).toEqual([b.uid]);
  expect(await find({ larger: 5000 })).toEqual([b.uid]);
  expect(await find({ seen: false })).toEqual([b.uid]);
  expect(await find({ flagged: true })).toEqual([b.uid]);
  expect(await find({ body: 'capybara' })).toEqual([b.uid]);
  expect(await find({ or: [{ body: 'ocelot' }, { from: 'per' }] })).toEqual([a.uid, b.uid]);
});

test('CONDSTORE through imapflow: STORE with unchangedSince and FETCH with changedSince', async () => {
  const c = await t.clients.connected();
  await c.mailboxCreate('Modseq');
  const { uid } = (await c.append('Modseq', Buffer.from('Subject: m\r\n\r\nm\r\n'), [])) as { uid: number };
  const box = await c.mailboxOpen('Modseq');
  const start = BigInt(box.highestModseq ?? 0);
  expect(start).toBeGreaterThan(0n);
  expect(await c.messageFlagsAdd(String(uid), ['\\Flagged'], { uid: true, unchangedSince: start })).toBe(true);
  const changed = [];
  for await (const m of c.fetch('1:*', { flags: true }, { uid: true, changedSince: start })) changed.push(m);
  expect(changed.map((m) => m.uid)).toEqual([uid]);
  expect(BigInt(changed[0]!.modseq ?? 0)).toBeGreaterThan(start);
  // The message changed after `start`: a STORE conditional on it changes nothing.
  await c.messageFlagsAdd(String(uid), ['\\Answered'], { uid: true, unchangedSince: start });
  const after = await c.fetchOne(String(uid), { flags: true }, { uid: true });
  expect(after && [...after.flags!]).not.toContain('\\Answered');
});
