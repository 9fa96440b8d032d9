/** COPY and MOVE with COPYUID (UIDPLUS), and what MOVE's source expunges tell each session. */
import { EVENT_TIMEOUT_MS, message, messagesIn, nextEvent, PASSWORD, rawSession, useImapServer } from './setup.ts';

const t = useImapServer();
const client = () => t.clients.connected();

test('COPY answers COPYUID, keeps the source and the copy is byte-exact', async () => {
  const c = await client();
  await c.mailboxCreate('CopyFrom');
  await c.mailboxCreate('CopyTo');
  const first = (await c.append('CopyFrom', message('one'), ['\\Flagged'])) as { uid: number };
  const second = (await c.append('CopyFrom', message('two'), [])) as { uid: number };
  const target = await c.status('CopyTo', { uidValidity: true });
  await c.mailboxOpen('CopyFrom');
  const copied = await c.messageCopy(`${first.uid}:${second.uid}`, 'CopyTo', { uid: true });
  expect(copied).toBeTruthy();
  if (!copied) return;
  expect(target && copied.uidValidity).toBe(target && target.uidValidity);
  expect([...copied.uidMap!.keys()]).toEqual([first.uid, second.uid]);
  expect(c.mailbox && c.mailbox.exists).toBe(2);

  await c.mailboxOpen('CopyTo');
  const newUid = copied.uidMap!.get(first.uid)!;
  const fetched = await c.fetchOne(String(newUid), { source: true, flags: true }, { uid: true });
  expect(fetched && fetched.source?.equals(message('one'))).toBe(true);
  expect(fetched && [...fetched.flags!]).toContain('\\Flagged');
});

test('COPY to a missing mailbox is NO [TRYCREATE]', async () => {
  const c = await client();
  await c.mailboxCreate('CopyMissing');
  await c.append('CopyMissing', message('x'), []);
  const transcript = await rawSession(t.port, [`LOGIN ann@acme.test "${PASSWORD}"`, 'SELECT CopyMissing', 'COPY 1 Nowhere']);
  expect(transcript).toMatch(/^r3 NO \[TRYCREATE\]/m);
});

test('MOVE answers COPYUID and one EXPUNGE; an idling session hears the EXPUNGE', async () => {
  const a = await client();
  const watcher = await client();
  await a.mailboxCreate('MoveFrom');
  await a.mailboxCreate('MoveTo');
  const { uid } = (await a.append('MoveFrom', message('move'), [])) as { uid: number };
  await a.append('MoveFrom', message('stays'), []);
  await watcher.mailboxOpen('MoveFrom');
  void watcher.idle();

  await a.mailboxOpen('MoveFrom');
  const ownExpunges: number[] = [];
  a.on('expunge', (d: { seq: number }) => ownExpunges.push(d.seq));
  const heard = nextEvent<{ seq: number }>(watcher, 'expunge');
  const moved = await a.messageMove(String(uid), 'MoveTo', { uid: true });
  expect(moved && moved.uidMap!.get(uid)).toBeGreaterThan(0);
  expect((await heard).seq).toBe(1);

  // Anything the notifier wrongly repeated for the moving session would arrive with this NOOP.
  let laterExists = 0;
  a.on('exists', () => laterExists++);
  await a.noop();
  await new Promise((r) => setTimeout(r, 500));
  await a.noop();
  expect(ownExpunges).toEqual([1]);
  expect(laterExists).toBe(0);
  expect(a.mailbox && a.mailbox.exists).toBe(1);
  expect(await messagesIn(a, 'MoveTo')).toBe(1);
});

test('MOVE from a mailbox opened read-only is refused and moves nothing', async () => {
  const c = await client();
  await c.mailboxCreate('MoveRo');
  await c.append('MoveRo', message('ro'), []);
  const transcript = await rawSession(t.port, [`LOGIN ann@acme.test "${PASSWORD}"`, 'EXAMINE MoveRo', 'MOVE 1 INBOX']);
  expect(transcript).toMatch(/^r3 NO/m);
  expect(await messagesIn(c, 'MoveRo')).toBe(1);
});

test('a mailbox of 2048 messages (built by COPY doubling) FETCHes every row, in order, across batches', async () => {
  const c = await client();
  await c.mailboxCreate('Many');
  await c.append('Many', message('many'), []);
  await c.mailboxOpen('Many');
  for (let n = 1; n < 2048; n *= 2) {
    await c.messageCopy('1:*', 'Many');
    // The copies reach this session as EXISTS through the notifier; COPY 1:* only sees known ones.
    const deadline = Date.now() + EVENT_TIMEOUT_MS;
    while (c.mailbox && c.mailbox.exists < 2 * n && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      await c.noop();
    }
  }
  expect(c.mailbox && c.mailbox.exists).toBe(2048);
  const seqs: number[] = [];
  for await (const m of c.fetch('1:*', { uid: true, flags: true, envelope: true })) {
    if (m.envelope?.subject !== 'many') throw new Error(`row ${m.seq} has no envelope`);
    seqs.push(m.seq);
  }
  expect(seqs).toEqual(Array.from({ length: 2048 }, (_, i) => i + 1));
  expect(await c.search({ all: true })).toHaveLength(2048);
}, 120_000);
