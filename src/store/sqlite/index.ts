import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '../ports/index.ts';
import { FileBlobStore } from './blobs.ts';
import type { Db } from './database.ts';
import { openDatabase } from './database.ts';
import { SqliteDavObjectStore } from './dav-objects.ts';
import { SqliteDirectory } from './directory.ts';
import { SqliteFilesStore } from './files.ts';
import { SqliteJournal } from './journal.ts';
import { SqliteKeyValue } from './key-value.ts';
import { SqliteMailStore } from './mail.ts';
import { SqliteOutboundQueue } from './queue.ts';

export type { Db } from './database.ts';
export { MIGRATIONS } from './schema.ts';
export { appendInTransaction, SqliteJournal } from './journal.ts';
export type { AppendInTransaction } from './journal.ts';

export interface SqliteStoreOptions {
  /** Holds `stoa.db` (with its -wal and -shm files) and `blobs/`; created when missing. */
  dataDir: string;
  /** How often entries appended by other processes are looked for while anyone listens. */
  pollIntervalMs?: number;
  /** Hears what a journal listener threw (and failed polls); by default a process warning. */
  onListenerError?: (error: unknown) => void;
}

/** The SQLite store, with the concrete journal and the database handle for sibling adapters. */
export interface SqliteStore extends Store {
  readonly kind: 'sqlite';
  readonly journal: SqliteJournal;
  readonly db: Db;
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  await mkdir(options.dataDir, { recursive: true });
  const blobs = new FileBlobStore(join(options.dataDir, 'blobs'));
  await blobs.init();
  const db = openDatabase(options.dataDir);
  try {
    const journal = new SqliteJournal(db, {
      pollIntervalMs: options.pollIntervalMs ?? 500,
      onListenerError: options.onListenerError ?? warn,
    });
    let closed = false;
    return {
      kind: 'sqlite',
      db,
      directory: new SqliteDirectory(db),
      journal,
      kv: new SqliteKeyValue(db),
      mail: new SqliteMailStore(db, journal),
      files: new SqliteFilesStore(db, journal),
      queue: new SqliteOutboundQueue(db),
      davObjects: new SqliteDavObjectStore(db, journal),
      blobs,
      close() {
        if (!closed) {
          closed = true;
          journal.close();
          db.close();
        }
        return Promise.resolve();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

function warn(error: unknown): void {
  // A string, not the Error: emitWarning rejects errors made in another realm (a vm, a test runner).
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.emitWarning(`journal listener failed: ${text}`, 'JournalListenerWarning');
}
