/**
 * Two store instances (two clients, as two processes would have) writing one database at once, and
 * what a writer that died half-way leaves behind. This is where a server without atomic updates
 * (FerretDB) would show lost updates or duplicate numbers.
 */
import type { UserRecord } from '../../src/store/ports/index.ts';
import { ConflictError, davContainer, VersionConflictError } from '../../src/store/ports/index.ts';
import type { MongoStore } from '../../src/store/mongo/index.ts';
import { openMongoStore } from '../../src/store/mongo/index.ts';
import type { LeaseDoc } from '../../src/store/mongo/leases.ts';
import { describeWithServers } from '../helpers/ferretdb.ts';
import { tenant, user } from './contract/directory-fixtures.ts';

function settle<T>(work: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

describeWithServers('mongo store under contention', (server) => {
  let databases = 0;
  let a: MongoStore;
  let b: MongoStore;

  beforeEach(async () => {
    const url = `${server().url}/stoa_contention_${++databases}`;
    a = await openMongoStore({ url, pollIntervalMs: 50 });
    b = await openMongoStore({ url, pollIntervalMs: 50 });
    await a.directory.createTenant(tenant('ta', 'alpha'));
    await a.directory.createTenant(tenant('tb', 'beta'));
  });

  afterEach(async () => {
    await a.db.dropDatabase();
    await a.close();
    await b.close();
  });

  it('numbers journal entries of two writers without gaps, repeats or reordering', async () => {
    const entries = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).journal.append('mailbox:shared', { op: 'update', item: String(i) })),
    );
    expect(entries.map((e) => e.modseq).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const stored = await b.journal.since('mailbox:shared', 0, 1000);
    expect(stored.map((e) => e.modseq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const seqs = stored.map((e) => e.seq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(100);
    expect(await a.journal.tail(0, 1000)).toEqual(stored);
  });

  it('catches up after another writer appended many entries', async () => {
    // b learns the numbers once, then a writes far past them.
    await b.journal.append('mailbox:x', { op: 'create', item: 'b0' });
    for (let i = 0; i < 45; i++) await a.journal.append(i % 3 ? 'mailbox:x' : 'mailbox:y', { op: 'update', item: `a${i}` });
    const next = await b.journal.append('mailbox:x', { op: 'update', item: 'b1' });
    expect(next).toMatchObject({ seq: 47, modseq: 32 });
    expect(await a.journal.head('mailbox:x')).toBe(32);
    expect((await a.journal.tail(0, 100)).map((entry) => entry.seq)).toEqual(Array.from({ length: 47 }, (_, i) => i + 1));
  });

  it('counts and leases atomically across two writers', async () => {
    const counts = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).kv.incr('hits', 1, 60_000)));
    expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await a.kv.get('hits')).toBe('40');
    const leases = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).kv.setIfAbsent('lease', `h${i}`, 60_000)));
    expect(leases.filter(Boolean)).toHaveLength(1);
    expect(await b.kv.get('lease')).toBe(`h${leases.indexOf(true)}`);
  });

  it('lets exactly one of two updates from the same version win', async () => {
    const alice = user({ id: 'u', tenantId: 'ta', userName: 'alice@alpha.test' });
    await a.directory.createUser(alice);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        settle((i % 2 ? a : b).directory.updateUser({ ...alice, displayName: `writer ${i}`, version: 2 }, 1)),
      ),
    );
    const winners = results.filter((result) => result.ok);
    expect(winners).toHaveLength(1);
    for (const result of results) if (!result.ok) expect(result.error).toBeInstanceOf(VersionConflictError);
    const stored = await b.directory.getUser('ta', 'u');
    expect(stored?.version).toBe(2);
    // The writer that won is the one whose name was stored.
    expect(results[Number(stored?.displayName?.split(' ')[1])]?.ok).toBe(true);
  });

  it('gives a contested address to exactly one user', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        settle(
          (i % 2 ? a : b).directory.createUser(
            user({ id: `u${i}`, tenantId: i % 2 ? 'ta' : 'tb', userName: `user${i}@x.test`, addresses: [`user${i}@x.test`, 'shared@x.test'] }),
          ),
        ),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    for (const result of results) if (!result.ok) expect(result.error).toMatchObject({ field: 'address' });
    const owner = await a.directory.findUserByAddress('shared@x.test');
    expect(results[Number(owner?.id.slice(1))]?.ok).toBe(true);
    // The losers kept nothing: their own addresses are free.
    for (let i = 0; i < 6; i++) {
      if (`u${i}` !== owner?.id) expect(await b.directory.findUserByAddress(`user${i}@x.test`)).toBeNull();
    }
  });

  it('gives a contested userName to exactly one user', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        settle((i % 2 ? a : b).directory.createUser(user({ id: `u${i}`, tenantId: 'ta', userName: 'Same@alpha.test', addresses: [`a${i}@alpha.test`] }))),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    for (const result of results) if (!result.ok) expect(result.error).toMatchObject({ field: expect.stringMatching(/^(userName|address)$/) });
    expect((await a.directory.findUsers('ta', { userName: 'same@alpha.test' }, { offset: 0, limit: 10 })).total).toBe(1);
  });

  describe('after a writer died half-way', () => {
    const old = () => new Date(Date.now() - 60_000);

    async function claimRevision(store: MongoStore, ns: string, collection: string, key: string, at: Date): Promise<void> {
      const doc = await store.db.collection<{ _id: string; rev: string }>(collection).findOne({ _id: key });
      if (!doc) throw new Error(`no ${collection} ${key}`);
      const claims = store.db.collection<{ _id: string; ns: string; key: string; rev: string; at: Date }>('claims');
      await claims.insertOne({ _id: `${ns}:${key}@${doc.rev}`, ns, key, rev: doc.rev, at });
    }

    it('treats a fresh revision claim as a concurrent writer and takes over a stale one', async () => {
      const alice: UserRecord = user({ id: 'u', tenantId: 'ta', userName: 'alice@alpha.test' });
      await a.directory.createUser(alice);
      await claimRevision(a, 'user', 'users', 'u', new Date());
      await expect(a.directory.updateUser({ ...alice, version: 2 }, 1)).rejects.toBeInstanceOf(VersionConflictError);

      await a.db.collection('claims').deleteMany({});
      await claimRevision(a, 'user', 'users', 'u', old());
      await a.directory.updateUser({ ...alice, displayName: 'Alice', version: 2 }, 1);
      expect((await b.directory.getUser('ta', 'u'))?.displayName).toBe('Alice');

      await a.kv.set('k', '1', null);
      await claimRevision(a, 'kv', 'kv', 'k', old());
      expect(await b.kv.incr('k', 1, 60_000)).toBe(2);
    });

    it('ignores an address claim its user does not list, and frees it once stale', async () => {
      const claims = a.db.collection<{ _id: string; userId: string; at: Date }>('addresses');
      await claims.insertOne({ _id: 'ghost@alpha.test', userId: 'ghost', at: new Date() });
      expect(await a.directory.findUserByAddress('ghost@alpha.test')).toBeNull();
      const bob = user({ id: 'bob', tenantId: 'ta', userName: 'bob@alpha.test', addresses: ['bob@alpha.test', 'ghost@alpha.test'] });
      // Fresh: maybe a write in flight that will list it in a moment.
      await expect(a.directory.createUser(bob)).rejects.toBeInstanceOf(ConflictError);
      expect(await a.directory.findUserByAddress('bob@alpha.test')).toBeNull();

      await claims.updateOne({ _id: 'ghost@alpha.test' }, { $set: { at: old() } });
      await a.directory.createUser(bob);
      expect((await b.directory.findUserByAddress('GHOST@alpha.test'))?.id).toBe('bob');
    });

    it('keeps an address claim whose user does list it, however old', async () => {
      const carol = user({ id: 'carol', tenantId: 'ta', userName: 'carol@alpha.test' });
      await a.directory.createUser(carol);
      await a.db.collection<{ _id: string }>('addresses').updateOne({ _id: 'carol@alpha.test' }, { $set: { at: old() } });
      await expect(
        b.directory.createUser(user({ id: 'x', tenantId: 'tb', userName: 'x@beta.test', addresses: ['carol@alpha.test'] })),
      ).rejects.toMatchObject({ field: 'address' });
      expect((await b.directory.findUserByAddress('carol@alpha.test'))?.id).toBe('carol');
    });

    it('journals again the calendar object a dead writer stored without its journal entry', async () => {
      const calendar = await a.davObjects.createCollection('ta:u', 'calendar', 'work', {});
      const input = (uid: string) => ({ uid, component: 'VEVENT', spanStart: 0, spanEnd: 1, data: Buffer.from(`BEGIN:VCALENDAR\r\nUID:${uid}\r\nEND:VCALENDAR\r\n`), contentType: 'text/calendar' });
      await a.davObjects.putObject(calendar.id, 'first.ics', input('first'));
      const container = davContainer(calendar.id);
      const before = await a.journal.head(container);
      // What a writer leaves when it dies after its object write: the document and its lease, no journal entry.
      await a.db.collection('dav_objects').insertOne({
        _id: `${calendar.id}/lost.ics` as never, ...input('lost'), collectionId: calendar.id, name: 'lost.ics', etag: 'e', modifiedAt: new Date().toISOString(),
      });
      await a.db.collection<LeaseDoc>('dav_leases').insertOne({ _id: calendar.id, holder: 'dead', at: old(), intent: 'lost.ics' });
      await b.davObjects.putObject(calendar.id, 'next.ics', input('next'));
      const items = (await b.journal.since(container, before, 10)).map((e) => e.item);
      expect(items).toEqual(expect.arrayContaining(['lost.ics', 'next.ics']));
    });
  });
});
