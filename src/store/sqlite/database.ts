import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ConflictError, StoreUnavailableError } from '../ports/errors.ts';
import { migrate } from './schema.ts';

export type Db = Database.Database;

/**
 * How long a write waits for another connection's write lock before giving up. The admin CLI and
 * the server (and several server processes) write the same file; their transactions are short, so
 * a few seconds covers any real contention. better-sqlite3 waits synchronously, so this is also
 * the longest the event loop can stall on a lock: keep every transaction short.
 */
const BUSY_TIMEOUT_MS = 5000;

/** Opens `{dataDir}/stoa.db` and brings its schema up to date. The directory must exist. */
export function openDatabase(dataDir: string): Db {
  const db = new Database(join(dataDir, 'stoa.db'), { timeout: BUSY_TIMEOUT_MS });
  try {
    // Set before anything that takes a lock (switching to WAL does), so that too waits its turn.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // WAL: readers never block the writer nor the writer the readers, which is what lets the CLI,
    // the server and cross-process journal pollers share one file.
    db.pragma('journal_mode = WAL');
    // FULL syncs the WAL on every commit. NORMAL would be crash-safe for the process but could
    // lose the last commits on power loss, i.e. forget a message SMTP has already answered 250 for
    // or a modseq a client has already seen. Blobs are fsynced anyway, so one more fsync per
    // commit is the price of keeping every acknowledged write.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (error) {
    db.close();
    throw translateError(error);
  }
  return db;
}

const UNAVAILABLE_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_CANTOPEN']);

/**
 * Uniqueness violations that a pre-check inside the same write transaction should have caught,
 * keyed as SQLite names them (the columns, also for partial indexes; the index name for expressions).
 */
const CONFLICT_FIELDS: Record<string, string> = {
  'tenants.id': 'id',
  'tenants.slug': 'slug',
  'domains.name': 'name',
  'users.id': 'id',
  'users.user_name_lc': 'userName',
  'users.tenant_id, users.external_id': 'externalId',
  'addresses.address': 'address',
  'groups.id': 'id',
  'app_passwords.id': 'id',
  'app_passwords.hash': 'hash',
  'scim_tokens.id': 'id',
  'scim_tokens.hash': 'hash',
  'mailboxes.user_id, mailboxes.path': 'path',
};

/** Maps driver errors to the port's errors, so no service ever sees a SqliteError. */
export function translateError(error: unknown): unknown {
  // By shape, not instanceof: the native addon keeps the SqliteError class (and the Error it
  // extends) of the first module instance that loaded it, which differs from ours when modules are
  // loaded twice, as in jest's per-file module registries.
  const candidate = error as { name?: unknown; code?: unknown; message?: unknown } | null;
  if (typeof candidate !== 'object' || candidate === null || candidate.name !== 'SqliteError' || typeof candidate.code !== 'string') return error;
  const code = candidate.code;
  const message = String(candidate.message);
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const match = /UNIQUE constraint failed: (?:index '([^']+)'|(.+))$/.exec(message);
    const key = match?.[1] ?? match?.[2] ?? '';
    return new ConflictError(CONFLICT_FIELDS[key] ?? key);
  }
  if (UNAVAILABLE_CODES.has(code.split('_').slice(0, 2).join('_')) || code.startsWith('SQLITE_IOERR')) {
    return new StoreUnavailableError(`sqlite: ${message}`, { cause: error });
  }
  return error;
}

/** Runs a synchronous database step as a port call: a promise, with driver errors translated. */
export function guard<T>(step: () => T): Promise<T> {
  try {
    return Promise.resolve(step());
  } catch (error) {
    return Promise.reject(translateError(error));
  }
}

/** Runs `step` in a BEGIN IMMEDIATE transaction: it holds the write lock from its first read. */
export function writeTransaction<T>(db: Db, step: () => T): T {
  return db.transaction(step).immediate();
}

/** Runs `step` in a read transaction, so that its several reads see one snapshot. */
export function readTransaction<T>(db: Db, step: () => T): T {
  return db.transaction(step).deferred();
}

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** Prepared statements for queries built at run time (a handful of filter combinations each). */
export class StatementCache {
  readonly #db: Db;
  readonly #statements = new Map<string, Database.Statement<unknown[], unknown>>();

  constructor(db: Db) {
    this.#db = db;
  }

  get(sql: string): Database.Statement<unknown[], unknown> {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
