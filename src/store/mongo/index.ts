import type { Db } from 'mongodb';
import type { Store } from '../ports/index.ts';
import { GridFsBlobStore } from './blobs.ts';
import { connect, ensureIndexes, guard } from './database.ts';
import { MongoDavObjectStore } from './dav-objects.ts';
import { MongoDirectory } from './directory.ts';
import { MongoFilesStore } from './files.ts';
import { MongoJournal } from './journal.ts';
import { MongoKeyValue } from './key-value.ts';
import { MongoMailStore } from './mail.ts';
import { MongoOutboundQueue } from './queue.ts';

export { MongoJournal } from './journal.ts';

export interface MongoStoreOptions {
  /** `mongodb://…` or `mongodb+srv://…`; the path names the database (default `stoa`). */
  url: string;
  /** How often entries appended by other processes are looked for while anyone listens. */
  pollIntervalMs?: number;
  /** How long to wait for a server, at start and on every call (default 5 s). */
  serverSelectionTimeoutMs?: number;
  /** Hears what a journal listener threw (and failed polls); by default a process warning. */
  onListenerError?: (error: unknown) => void;
}

/** The MongoDB store, with the concrete journal and the database handle for sibling adapters. */
export interface MongoStore extends Store {
  readonly kind: 'mongo';
  readonly journal: MongoJournal;
  readonly db: Db;
}

/**
 * Opens the store on a MongoDB server (or a wire-compatible one such as FerretDB) and creates its
 * indexes. Rejects within about `serverSelectionTimeoutMs` when the server cannot be reached, with
 * the URL (password hidden) in the message. Needs no transactions and no change streams. When the
 * server goes away later, calls fail with StoreUnavailableError and the driver reconnects by itself.
 */
export async function openMongoStore(options: MongoStoreOptions): Promise<MongoStore> {
  const { client, db } = await connect(options.url, options.serverSelectionTimeoutMs ?? 5000);
  try {
    await guard(() => ensureIndexes(db));
    const journal = new MongoJournal(db, {
      pollIntervalMs: options.pollIntervalMs ?? 500,
      onListenerError: options.onListenerError ?? warn,
    });
    let closing: Promise<void> | null = null;
    const kv = new MongoKeyValue(db);
    return {
      kind: 'mongo',
      db,
      directory: new MongoDirectory(db),
      journal,
      kv,
      mail: new MongoMailStore(db, journal),
      files: new MongoFilesStore(db, journal),
      queue: new MongoOutboundQueue(db, kv),
      davObjects: new MongoDavObjectStore(db, journal),
      blobs: new GridFsBlobStore(db),
      close() {
        if (!closing) {
          journal.close();
          closing = client.close();
        }
        return closing;
      },
    };
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}

function warn(error: unknown): void {
  // A string, not the Error: emitWarning rejects errors made in another realm (a vm, a test runner).
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.emitWarning(`journal listener failed: ${text}`, 'JournalListenerWarning');
}
