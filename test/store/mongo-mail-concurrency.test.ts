/**
 * The mail store with two store instances (two clients, as two processes would have) writing one
 * mailbox at once, and what a writer that died half-way leaves behind. In-process writers are
 * queued per mailbox, so only this shows lost updates or duplicate numbers on FerretDB.
 */
import type { MailboxRecord, NewMessage } from '../../src/store/ports/index.ts';
import { OverQuotaError } from '../../src/store/ports/index.ts';
import type { MongoStore } from '../../src/store/mongo/index.ts';
import { openMongoStore } from '../../src/store/mongo/index.ts';
import { COLLECTIONS } from '../../src/store/mongo/database.ts';
import { describeWithServers } from '../helpers/ferretdb.ts';

function message(n: number, size = 10): NewMessage {
  return {
    blob: n.toString(16).padStart(64, '0'),
    size,
    internalDate: '2024-03-01T10:00:00.000Z',
    flags: [],
    meta: {},
    search: { headers: { subject: `message ${n}` }, body: `body ${n}` },
  };
}

const ascending = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describeWithServers('mongo mail store under contention', (server) => {
  let databases = 0;
  let a: MongoStore;
  let b: MongoStore;
  let box: MailboxRecord;

  beforeEach(async () => {
    const url = `${server().url}/stoa_mail_contention_${++databases}`;
    a = await openMongoStore({ url, pollIntervalMs: 50 });
    b = await openMongoStore({ url, pollIntervalMs: 50 });
    box = await a.mail.createMailbox({ userId: 'u', tenantId: 't', path: 'INBOX', specialUse: null, subscribed: true });
  });

  afterEach(async () => {
    await a.db.dropDatabase();
    await a.close();
    await b.close();
  });

  it('numbers appends of two writers 1..n with the modseqs of their journal entries', async () => {
    const results = await Promise.all(ascending(60).map((n) => (n % 2 ? a : b).mail.appendMessage(box.id, message(n), null)));
    expect(results.map((r) => r.uid).sort((x, y) => x - y)).toEqual(ascending(60));
    expect(results.map((r) => r.modseq).sort((x, y) => x - y)).toEqual(ascending(60));
    expect(await b.mail.snapshot(box.id)).toEqual({ uids: ascending(60), modseq: 60 });
    const rows = await a.mail.getMessages(box.id, ascending(60));
    const journaled = await a.journal.since(`mailbox:${box.id}`, 0, 1000);
    for (const row of rows) expect(journaled.find((e) => e.item === String(row.uid))?.modseq).toBe(row.modseq);
    expect(await a.mail.usage('u')).toBe(600);
    expect(await a.mail.getMailboxById('u', box.id)).toMatchObject({ uidNext: 61, modseq: 60 });
  });

  it('loses no flag change when two writers store on one message at once', async () => {
    await a.mail.appendMessage(box.id, message(1), null);
    const results = await Promise.all(ascending(20).map((n) => (n % 2 ? a : b).mail.setFlags(box.id, [1], 'add', [`k${n}`])));
    expect(results.flatMap((r) => r.changed)).toHaveLength(20);
    const [stored] = await a.mail.getMessages(box.id, [1]);
    expect([...(stored?.flags ?? [])].sort()).toEqual(ascending(20).map((n) => `k${n}`).sort());
    expect(stored?.modseq).toBe(21);
    expect(await b.journal.head(`mailbox:${box.id}`)).toBe(21);
  });

  it('lets two writers near the quota pass only as far as it allows', async () => {
    const results = await Promise.allSettled(ascending(10).map((n) => (n % 2 ? a : b).mail.appendMessage(box.id, message(n, 100), 550)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(OverQuotaError);
    expect(await a.mail.usage('u')).toBe(500);
    expect((await b.mail.snapshot(box.id)).uids).toEqual(ascending(5));
  });

  it('ignores, then cleans up, an append whose writer died before journaling it', async () => {
    await a.mail.appendMessage(box.id, message(1), null);
    // What a dead appender leaves: its UID, its bytes and a pending document, but no journal entry.
    await a.mail.appendMessage(box.id, message(2), null);
    const id = `${box.id}:${'2'.padStart(10, '0')}`;
    const entries = a.db.collection(COLLECTIONS.journal);
    await entries.deleteOne({ container: `mailbox:${box.id}`, item: '2' });
    await a.db.collection(COLLECTIONS.messages).updateOne({ _id: id as never }, { $set: { created: null, modseq: null, at: new Date(Date.now() - 60_000) } });
    expect(await b.mail.snapshot(box.id)).toEqual({ uids: [1], modseq: 1 });
    expect(await b.mail.search(box.id, { kind: 'all' })).toEqual([1]);
    expect(await b.mail.counts(box.id)).toEqual({ messages: 1, unseen: 1, bytes: 10 });
    expect(await b.mail.getMessages(box.id, [1, 2])).toHaveLength(1);
    expect(await b.mail.expunge(box.id)).toEqual([]);
    expect(await b.mail.usage('u')).toBe(10);
    expect(await b.mail.isBlobReferenced(message(2).blob)).toBe(false);
    // Its UID stays used.
    expect((await b.mail.appendMessage(box.id, message(3), null)).uid).toBe(3);
  });

  it('journals a removal whose writer died between deleting and journaling it', async () => {
    await a.mail.appendMessage(box.id, message(1), null);
    await a.mail.appendMessage(box.id, message(2), null);
    const id = `${box.id}:${'1'.padStart(10, '0')}`;
    await a.db.collection(COLLECTIONS.expunging).insertOne({ _id: id as never, mailboxId: box.id, uid: 1, userId: 'u', size: 10, at: new Date(Date.now() - 60_000) });
    await a.db.collection(COLLECTIONS.messages).deleteOne({ _id: id as never });
    expect(await b.mail.snapshot(box.id)).toEqual({ uids: [2], modseq: 2 });
    expect(await b.mail.expunge(box.id)).toEqual([]);
    const [entry] = await b.journal.since(`mailbox:${box.id}`, 2, 10);
    expect(entry).toMatchObject({ op: 'delete', item: '1', modseq: 3 });
    expect(await a.db.collection(COLLECTIONS.expunging).countDocuments()).toBe(0);
    expect(await b.mail.usage('u')).toBe(10);
  });
});
