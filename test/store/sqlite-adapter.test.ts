/** What the contract suites cannot see: SQLite specifics of the embedded adapter. */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { JournalEntry } from '../../src/store/ports/index.ts';
import { BlobTooLargeError, ConflictError, StoreUnavailableError } from '../../src/store/ports/index.ts';
import { guard, translateError } from '../../src/store/sqlite/database.ts';
import type { SqliteStore } from '../../src/store/sqlite/index.ts';
import { appendInTransaction, MIGRATIONS, openSqliteStore } from '../../src/store/sqlite/index.ts';
import { sleep, waitFor } from './contract/helpers.ts';

describe('sqlite adapter', () => {
  let dataDir: string;
  let store: SqliteStore;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stoa-sqlite-'));
    store = await openSqliteStore({ dataDir, pollIntervalMs: 50 });
  });

  afterEach(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('opens stoa.db in WAL mode with durable commits, a busy timeout and foreign keys', () => {
    const pragma = (name: string) => store.db.pragma(name, { simple: true });
    expect(pragma('journal_mode')).toBe('wal');
    expect(pragma('synchronous')).toBe(2);
    expect(pragma('busy_timeout')).toBe(5000);
    expect(pragma('foreign_keys')).toBe(1);
    expect(pragma('user_version')).toBe(MIGRATIONS.length);
    expect(store.db.name).toBe(join(dataDir, 'stoa.db'));
  });

  it('keeps its data across a reopen and migrates only once', async () => {
    await store.kv.set('k', 'v', null);
    await store.journal.append('mailbox:1', { op: 'create', item: '1' });
    await store.close();
    store = await openSqliteStore({ dataDir });
    expect(await store.kv.get('k')).toBe('v');
    expect(await store.journal.head('mailbox:1')).toBe(1);
  });

  it('refuses a database written by a newer schema', async () => {
    store.db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    await expect(openSqliteStore({ dataDir })).rejects.toThrow(/newer/);
  });

  it('journals other writes atomically with transact, and notifies only after commit', async () => {
    const heard: JournalEntry[] = [];
    const stop = store.journal.subscribe((entry) => heard.push(entry));
    const setFlag = store.db.prepare("INSERT INTO kv (key, value) VALUES ('flag', ?)");

    expect(() =>
      store.journal.transact((append) => {
        setFlag.run('rolled back');
        append('mailbox:9', { op: 'create', item: '1' });
        throw new Error('step failed');
      }),
    ).toThrow('step failed');
    expect(await store.kv.get('flag')).toBeNull();
    expect(await store.journal.head('mailbox:9')).toBe(0);

    const entry = store.journal.transact((append) => {
      setFlag.run('kept');
      return append('mailbox:9', { op: 'create', item: '1' });
    });
    expect(entry.modseq).toBe(1);
    expect(await store.kv.get('flag')).toBe('kept');
    await waitFor(() => heard.length > 0);
    await sleep(150);
    expect(heard).toEqual([entry]);
    stop();
  });

  it('appends inside a caller’s transaction only, heard at the next poll', async () => {
    const heard: JournalEntry[] = [];
    const stop = store.journal.subscribe((entry) => heard.push(entry));
    expect(() => appendInTransaction(store.db, 'mailbox:1', { op: 'create', item: '1' })).toThrow(/transaction/);
    const entry = store.db
      .transaction(() => appendInTransaction(store.db, 'mailbox:1', { op: 'create', item: '1' }))
      .immediate();
    expect(entry).toMatchObject({ container: 'mailbox:1', modseq: 1 });
    expect(() => store.db.transaction(() => store.journal.transact(() => 1)).immediate()).toThrow(/inside/);
    await waitFor(() => heard.length > 0);
    expect(heard).toEqual([entry]);
    stop();
  });

  it('hears a second connection to the same file by polling', async () => {
    const other = await openSqliteStore({ dataDir });
    try {
      const heard: JournalEntry[] = [];
      const stop = store.journal.subscribe((entry) => heard.push(entry));
      const entry = await other.journal.append('dav:1', { op: 'update', item: 'x' });
      await waitFor(() => heard.length > 0);
      expect(heard).toEqual([entry]);
      stop();
    } finally {
      await other.close();
    }
  });

  it('lays blobs out as ab/cd/<sha256> and leaves no temp file behind', async () => {
    const data = Buffer.from('hello blobs');
    const hash = createHash('sha256').update(data).digest('hex');
    async function* once(): AsyncGenerator<Uint8Array> {
      yield data;
    }
    await store.blobs.put(once());
    expect((await stat(join(dataDir, 'blobs', hash.slice(0, 2), hash.slice(2, 4), hash))).size).toBe(data.length);

    async function* big(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 10; i++) yield new Uint8Array(100_000);
    }
    await expect(store.blobs.put(big(), { maxBytes: 250_000 })).rejects.toBeInstanceOf(BlobTooLargeError);
    expect(await readdir(join(dataDir, 'blobs', 'tmp'))).toEqual([]);
  });

  it('throws ENOENT from read at once for a missing blob', () => {
    expect(() => store.blobs.read('0'.repeat(64))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('removes temp files of dead writes older than the grace date', async () => {
    const stale = join(dataDir, 'blobs', 'tmp', 'dead.put');
    const fresh = join(dataDir, 'blobs', 'tmp', 'live.put');
    await writeFile(stale, 'partial');
    await writeFile(fresh, 'partial');
    await utimes(stale, new Date(1000), new Date(1000));
    expect(await store.blobs.collect(new Date(Date.now() - 60_000), () => Promise.resolve(false))).toBe(0);
    expect(await readdir(join(dataDir, 'blobs', 'tmp'))).toEqual(['live.put']);
  });

  it('maps constraint errors that slip past the checks to the port’s errors', async () => {
    await store.directory.createTenant({ id: 't', slug: 't', name: 'T', settings: {}, createdAt: 'x' });
    const insertUser = store.db.prepare(
      `INSERT INTO users (id, tenant_id, user_name, user_name_lc, active, sso_only, addresses, aliases, scim, version,
         created_at, updated_at) VALUES (?, 't', ?, ?, 1, 0, '[]', '[]', '{}', 1, 'x', 'x')`,
    );
    insertUser.run('u1', 'A@t.test', 'a@t.test');
    store.db.prepare("UPDATE users SET external_id = 'e1' WHERE id = 'u1'").run();
    const conflict = async (step: () => unknown) =>
      guard(step).then(
        () => null,
        (error: unknown) => (error instanceof ConflictError ? error.field : error),
      );
    expect(await conflict(() => insertUser.run('u2', 'a@t.test', 'a@t.test'))).toBe('userName');
    expect(await conflict(() => insertUser.run('u1', 'b@t.test', 'b@t.test'))).toBe('id');
    insertUser.run('u3', 'c@t.test', 'c@t.test');
    expect(await conflict(() => store.db.prepare("UPDATE users SET external_id = 'e1' WHERE id = 'u3'").run())).toBe(
      'externalId',
    );
    expect(await conflict(() => store.db.prepare("INSERT INTO tenants VALUES ('t2', 't', 'x', '{}', 'x')").run())).toBe('slug');
    const busy = translateError(new Database.SqliteError('database is locked', 'SQLITE_BUSY'));
    expect(busy).toBeInstanceOf(StoreUnavailableError);
  });
});
