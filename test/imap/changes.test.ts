/** STORE, EXPUNGE and the journal-backed notifier through a real client (imapflow). */
import type { ImapFlow } from 'imapflow';
import { message, messagesIn, nextEvent, PASSWORD, rawSession, useImapServer } from './setup.ts';

const t = useImapServer();
const client = () => t.clients.connected();

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
  const transcript = await rawSession(t.port, [
    `LOGIN ann@acme.test "${PASSWORD}"`, 'SELECT Seen',
    `UID FETCH ${peeked.uid} BODY.PEEK[TEXT]`, `UID FETCH ${read.uid} BODY[TEXT]`,
  ]);
  expect(transcript).toMatch(/FLAGS \(\\Seen\)/);
  await c.mailboxOpen('Seen');
  expect(await flagsOf(c, peeked.uid)).toEqual([]);
  expect(await flagsOf(c, read.uid)).toEqual(['\\Seen']);
});
