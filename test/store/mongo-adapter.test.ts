/** What the contract suites cannot see: connecting, losing and regaining the server, stored shapes. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoNetworkError, MongoServerError } from 'mongodb';
import type { JournalEntry } from '../../src/store/ports/index.ts';
import { ConflictError, StoreUnavailableError } from '../../src/store/ports/index.ts';
import { databaseName, isDuplicateKey, redactUrl, translateError } from '../../src/store/mongo/database.ts';
import type { MongoStore } from '../../src/store/mongo/index.ts';
import { openMongoStore } from '../../src/store/mongo/index.ts';
import type { MongoServer } from '../helpers/ferretdb.ts';
import { describeWithServers, startMongoServer } from '../helpers/ferretdb.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from './contract/helpers.ts';

async function* once(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}

/** Retries `step` until it resolves: the driver needs a moment to notice the server is back. */
async function eventually<T>(step: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await step();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function errorOf(action: Promise<unknown>): Promise<unknown> {
  return action.then(
    () => null,
    (error: unknown) => error,
  );
}

describe('mongo store: opening', () => {
  it('rejects an unreachable server quickly, naming it without its password', async () => {
    const port = await freePort();
    const error = await errorOf(
      openMongoStore({ url: `mongodb://stoa:s3cret@127.0.0.1:${port}/stoa`, serverSelectionTimeoutMs: 500 }),
    );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toContain(`cannot reach mongodb://…@127.0.0.1:${port}/stoa within 500 ms`);
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('rejects a URL that is not a MongoDB URL', async () => {
    await expect(openMongoStore({ url: 'postgres://127.0.0.1/stoa' })).rejects.toThrow(/invalid URL postgres:\/\/127\.0\.0\.1\/stoa/);
    await expect(openMongoStore({ url: 'not a url' })).rejects.toThrow(/invalid URL/);
  });

  it('takes the database from the URL path, else stoa', () => {
    expect(databaseName('mongodb://h:1/mail?replicaSet=rs0')).toBe('mail');
    expect(databaseName('mongodb+srv://u:p@cluster.example/')).toBe('stoa');
    expect(databaseName('mongodb://a:1,b:2/?w=majority')).toBe('stoa');
    expect(databaseName('mongodb://a:1,b:2')).toBe('stoa');
    expect(redactUrl('mongodb://u:p@h/db')).toBe('mongodb://…@h/db');
  });

  it('maps driver errors to the port’s errors', () => {
    const network = translateError(new MongoNetworkError('connection closed'));
    expect(network).toBeInstanceOf(StoreUnavailableError);
    expect((network as StoreUnavailableError).cause).toBeInstanceOf(MongoNetworkError);
    // FerretDB reports a unique index refusing an update as an InternalError, not 11000.
    const ferret = new MongoServerError({
      ok: 0,
      code: 1,
      errmsg: "[msg_update.go:133] constraint failed: UNIQUE constraint failed: index 'users_x_live_user_name' (2067)",
    });
    expect(isDuplicateKey(ferret)).toBe(true);
    expect(translateError(ferret)).toBeInstanceOf(ConflictError);
    expect(isDuplicateKey(new MongoServerError({ ok: 0, code: 1, errmsg: 'something else' }))).toBe(false);
    const plain = new Error('not a driver error');
    expect(translateError(plain)).toBe(plain);
  });
});

describeWithServers('mongo store adapter', (server) => {
  let databases = 0;
  let store: MongoStore;
  let name: string;

  beforeEach(async () => {
    name = `stoa_adapter_${++databases}`;
    store = await openMongoStore({ url: `${server().url}/${name}`, pollIntervalMs: 50 });
  });

  afterEach(async () => {
    await store.db.dropDatabase();
    await store.close();
  });

  it('opens the same database again (creating its indexes is idempotent)', async () => {
    await store.kv.set('k', 'v', null);
    const again = await openMongoStore({ url: `${server().url}/${name}` });
    try {
      expect(await again.kv.get('k')).toBe('v');
      const indexes = await again.db.collection('users').indexes();
      expect(indexes.filter((index) => index.unique).map((index) => index.name).sort()).toEqual(['live_external_id', 'live_user_name']);
    } finally {
      await again.close();
    }
  });

  it('keeps field names FerretDB refuses (dots, a leading $) in SCIM attributes and journal data', async () => {
    const scim = { 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { $ref: '../Users/1', value: '1' } } };
    await store.directory.createTenant({ id: 't', slug: 't', name: 'T', settings: {}, createdAt: 'x' });
    const user = {
      id: 'u',
      tenantId: 't',
      userName: 'u@t.test',
      externalId: null,
      displayName: null,
      active: true,
      ssoOnly: false,
      passwordHash: null,
      quotaBytes: 5_000_000_000,
      addresses: ['u@t.test'],
      aliases: [],
      scim,
      version: 1,
      createdAt: 'x',
      updatedAt: 'x',
      deletedAt: null,
    };
    await store.directory.createUser(user);
    expect(await store.directory.getUser('t', 'u')).toEqual(user);
    const entry = await store.journal.append('dav:1', { op: 'update', item: 'a', data: { 'a.b': 1, $c: [2] } });
    expect(await store.journal.since('dav:1', 0, 10)).toEqual([entry]);
  });

  it('summarises DAV objects stored before their size was kept, from their data', async () => {
    const cal = await store.davObjects.createCollection('t:a', 'calendar', 'c', {});
    const data = Buffer.from('BEGIN:VCALENDAR\r\nX-ü:1\r\nEND:VCALENDAR\r\n');
    await store.davObjects.putObject(cal.id, 'old.ics', { uid: 'old', component: 'VEVENT', spanStart: null, spanEnd: null, data, contentType: 'text/calendar' });
    await store.davObjects.putObject(cal.id, 'new.ics', { uid: 'new', component: 'VEVENT', spanStart: null, spanEnd: null, data: Buffer.from('x'), contentType: 'text/calendar' });
    await store.db.collection('dav_objects').updateOne({ _id: `${cal.id}/old.ics` } as object, { $unset: { size: '' } });
    expect((await store.davObjects.objectSummaries(cal.id, null)).map((s) => [s.name, s.size])).toEqual([['new.ics', 1], ['old.ics', data.length]]);
  });

  it('leaves nothing in GridFS of a blob over maxBytes, and sweeps files of puts that died', async () => {
    await expect(store.blobs.put(once(new Uint8Array(600_000)), { maxBytes: 500_000 })).rejects.toThrow(/exceeds/);
    expect(await store.db.collection('blobs.files').countDocuments()).toBe(0);
    expect(await store.db.collection('blobs.chunks').countDocuments()).toBe(0);

    const kept = await store.blobs.put(once(new Uint8Array([1, 2, 3])));
    const files = store.db.collection('blobs.files');
    expect((await files.find().toArray()).map((file) => file.filename)).toEqual([kept.hash]);
    // A put that died after streaming, before its index entry: a pending file nobody points at.
    await files.insertOne({ filename: 'put:dead', length: 0, chunkSize: 261_120, uploadDate: new Date(1000) });
    await files.insertOne({ filename: 'put:live', length: 0, chunkSize: 261_120, uploadDate: new Date() });
    expect(await store.blobs.collect(new Date(Date.now() - 60_000), () => Promise.resolve(false))).toBe(0);
    expect((await files.find().toArray()).map((file) => file.filename).sort()).toEqual([kept.hash, 'put:live']);
  });

  it('fails a read of a missing blob through the stream, with ENOENT', async () => {
    const stream = store.blobs.read('0'.repeat(64));
    const error = await errorOf((async () => {
      for await (const _ of stream) void _;
    })());
    expect(error).toMatchObject({ code: 'ENOENT' });
    expect(() => store.blobs.read('../etc/passwd')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => store.blobs.read('0'.repeat(64), { start: 5, end: 2 })).toThrow(RangeError);
  });

  it('fails calls with StoreUnavailableError while the server is gone and works again once it is back', async () => {
    // A server of this test's own, restarted on the same port and data folder.
    const dataDir = await mkdtemp(join(tmpdir(), 'stoa-restart-'));
    let current: MongoServer = await startMongoServer(server().kind, { dataDir });
    const url = `${current.url}/stoa_restart`;
    const listenerErrors: unknown[] = [];
    const store = await openMongoStore({
      url,
      pollIntervalMs: 50,
      serverSelectionTimeoutMs: 1000,
      onListenerError: (error) => listenerErrors.push(error),
    });
    const other = await openMongoStore({ url, pollIntervalMs: 50, serverSelectionTimeoutMs: 1000 });
    try {
      await store.kv.set('k', 'v', null);
      const first = await store.journal.append('mailbox:1', { op: 'create', item: '1' });
      await store.directory.createTenant({ id: 't', slug: 't', name: 'T', settings: {}, createdAt: 'x' });
      const blob = await store.blobs.put(once(Buffer.from('kept across a restart')));
      const heard: JournalEntry[] = [];
      const stop = store.journal.subscribe((entry) => heard.push(entry));

      await current.stop();
      await expect(store.kv.get('k')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.journal.append('mailbox:1', { op: 'create', item: '2' })).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      await expect(store.directory.getTenant('t')).rejects.toBeInstanceOf(StoreUnavailableError);
      // The poller keeps going and says why it hears nothing.
      await waitFor(() => listenerErrors.some((error) => error instanceof StoreUnavailableError), 10_000);

      current = await startMongoServer(server().kind, { port: current.port, dataDir });
      // The same store object, not reopened: what was acknowledged before the stop is there.
      expect(await eventually(() => store.kv.get('k'))).toBe('v');
      expect(await store.journal.head('mailbox:1')).toBe(1);
      expect((await store.directory.getTenant('t'))?.slug).toBe('t');
      expect(await store.blobs.stat(blob.hash)).toEqual(blob);
      const next = await store.journal.append('mailbox:1', { op: 'create', item: '2' });
      expect(next.modseq).toBe(first.modseq + 1);
      // And the poller hears another store again.
      const remote = await eventually(() => other.journal.append('mailbox:1', { op: 'create', item: '3' }));
      await waitFor(() => heard.some((entry) => entry.seq === remote.seq), 10_000);
      stop();
    } finally {
      await store.close();
      await other.close();
      await current.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
