import type { Db, IndexDescription } from 'mongodb';
import {
  MongoClient,
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
} from 'mongodb';
import { ConflictError, StoreUnavailableError, VersionConflictError } from '../ports/errors.ts';
import { BlobTooLargeError } from '../ports/blob.ts';

/** Collection names; the GridFS bucket `blobs` adds `blobs.files` and `blobs.chunks`. */
export const COLLECTIONS = {
  tenants: 'tenants',
  domains: 'domains',
  users: 'users',
  addresses: 'addresses',
  groups: 'groups',
  appPasswords: 'app_passwords',
  scimTokens: 'scim_tokens',
  kv: 'kv',
  claims: 'claims',
  journal: 'journal',
  blobIndex: 'blobs_index',
  mailboxes: 'mail_mailboxes',
  uidValidity: 'mail_uid_validity',
  uids: 'mail_uids',
  messages: 'mail_messages',
  expunging: 'mail_expunging',
  usage: 'mail_usage',
  fileNodes: 'file_nodes',
  fileDrives: 'file_drives',
  fileLeases: 'file_leases',
  outboundQueue: 'outbound_queue',
  davCollections: 'dav_collections',
  davObjects: 'dav_objects',
  davLeases: 'dav_leases',
  davGrants: 'dav_grants',
} as const;

export const BLOB_BUCKET = 'blobs';

/**
 * Uniqueness that matters is enforced by the server, never by a read-then-write. "Unique among live
 * users" has no partial index to lean on (FerretDB lacks `partialFilterExpression`): the user
 * document carries `liveUserName` / `liveExternalId` only while live, and a sparse unique index
 * ignores documents without them (FerretDB drops the `sparse` flag, but it leaves missing fields
 * out of unique indexes all the same). Address uniqueness is the `addresses` collection's `_id`,
 * because FerretDB does not enforce a unique index on an array field.
 */
const INDEXES: Record<string, IndexDescription[]> = {
  [COLLECTIONS.tenants]: [
    { key: { slug: 1 }, name: 'slug', unique: true },
    { key: { createdAt: 1, _id: 1 }, name: 'created' },
  ],
  [COLLECTIONS.domains]: [{ key: { tenantId: 1, _id: 1 }, name: 'tenant' }],
  [COLLECTIONS.users]: [
    { key: { liveUserName: 1 }, name: 'live_user_name', unique: true, sparse: true },
    { key: { liveExternalId: 1 }, name: 'live_external_id', unique: true, sparse: true },
    { key: { tenantId: 1, createdAt: 1, _id: 1 }, name: 'tenant_created' },
    { key: { tenantId: 1, userNameLc: 1 }, name: 'tenant_user_name' },
    { key: { tenantId: 1, externalId: 1 }, name: 'tenant_external_id' },
    { key: { addressesLc: 1 }, name: 'addresses' },
    { key: { deletedAt: 1 }, name: 'deleted' },
  ],
  [COLLECTIONS.addresses]: [{ key: { userId: 1 }, name: 'user' }],
  [COLLECTIONS.groups]: [
    { key: { tenantId: 1, createdAt: 1, _id: 1 }, name: 'tenant_created' },
    { key: { tenantId: 1, displayNameLc: 1 }, name: 'tenant_display_name' },
    { key: { tenantId: 1, externalId: 1 }, name: 'tenant_external_id' },
    { key: { members: 1 }, name: 'members' },
  ],
  [COLLECTIONS.appPasswords]: [
    { key: { hash: 1 }, name: 'hash', unique: true },
    { key: { userId: 1, createdAt: 1, _id: 1 }, name: 'user_created' },
  ],
  [COLLECTIONS.scimTokens]: [{ key: { hash: 1 }, name: 'hash', unique: true }],
  [COLLECTIONS.kv]: [{ key: { expiresAt: 1 }, name: 'expires' }],
  [COLLECTIONS.claims]: [{ key: { ns: 1, at: 1 }, name: 'ns_at' }],
  // `_id` is the global seq; this index is what makes a container's modseq unique.
  [COLLECTIONS.journal]: [{ key: { container: 1, modseq: 1 }, name: 'container_modseq', unique: true }],
  [COLLECTIONS.blobIndex]: [
    { key: { lastUsed: 1 }, name: 'last_used' },
    { key: { fileId: 1 }, name: 'file' },
  ],
  // A compound unique index is enforced by FerretDB (unlike one on an array): one path per user.
  [COLLECTIONS.mailboxes]: [{ key: { userId: 1, path: 1 }, name: 'user_path', unique: true }],
  // `_id` is `{mailboxId}:{uid}` in both: inserting it is what allocates (or takes) the UID.
  [COLLECTIONS.uids]: [{ key: { mailboxId: 1, uid: 1 }, name: 'mailbox_uid' }],
  [COLLECTIONS.messages]: [
    { key: { mailboxId: 1, uid: 1 }, name: 'mailbox_uid' },
    { key: { blob: 1 }, name: 'blob' },
  ],
  [COLLECTIONS.expunging]: [{ key: { mailboxId: 1 }, name: 'mailbox' }],
  // Names are unique per directory by the drive lease (files.ts), not by an index: roots share a null parent.
  [COLLECTIONS.fileNodes]: [
    { key: { parentId: 1, name: 1 }, name: 'parent_name' },
    { key: { blob: 1 }, name: 'blob' },
  ],
  [COLLECTIONS.outboundQueue]: [{ key: { dueAt: 1 }, name: 'due' }, { key: { blob: 1 }, name: 'blob' }],
  [COLLECTIONS.davCollections]: [
    { key: { key: 1 }, name: 'owner_kind_name', unique: true },
    { key: { ownerId: 1, kind: 1 }, name: 'owner_kind' },
  ],
  // One UID per collection is kept by the collection lease (dav-objects.ts).
  [COLLECTIONS.davObjects]: [
    { key: { collectionId: 1, uid: 1 }, name: 'collection_uid' },
    { key: { collectionId: 1, spanStart: 1 }, name: 'collection_span' },
  ],
  // The _id `{collectionId}\n{granteeId}` makes a grant unique; these answer both directions.
  [COLLECTIONS.davGrants]: [
    { key: { collectionId: 1, granteeId: 1 }, name: 'collection_grantee', unique: true },
    { key: { granteeId: 1 }, name: 'grantee' },
  ],
};

/**
 * Creates the indexes, one call per index: idempotent on MongoDB and FerretDB alike. (FerretDB
 * 1.24 drops the connection on a `createIndexes` naming several indexes that all exist already.)
 */
export async function ensureIndexes(db: Db): Promise<void> {
  for (const [collection, indexes] of Object.entries(INDEXES)) {
    for (const index of indexes) await db.collection(collection).createIndexes([index]);
  }
}

/** Hides the password (and user) of a connection string in messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//…@');
}

/** The database named in the URL's path, else `stoa` (the driver would pick `test`). */
export function databaseName(url: string): string {
  const path = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]+)/.exec(url)?.[1];
  return path ? decodeURIComponent(path) : 'stoa';
}

/** Connects and pings; rejects within about `timeoutMs` when the server cannot be reached. */
export async function connect(url: string, timeoutMs: number): Promise<{ client: MongoClient; db: Db }> {
  let client: MongoClient;
  try {
    client = new MongoClient(url, { serverSelectionTimeoutMS: timeoutMs, appName: 'stoa' });
  } catch (error) {
    throw new Error(`mongo store: invalid URL ${redactUrl(url)}: ${messageOf(error)}`, { cause: error });
  }
  try {
    await client.connect();
    const db = client.db(databaseName(url));
    await db.command({ ping: 1 });
    return { client, db };
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new StoreUnavailableError(
      `mongo store: cannot reach ${redactUrl(url)} within ${timeoutMs} ms: ${messageOf(error)}`,
      { cause: error },
    );
  }
}

/** A unique index refused a write. FerretDB reports it on updates as an InternalError, not 11000. */
export function isDuplicateKey(error: unknown): boolean {
  if (!(error instanceof MongoError)) return false;
  if (error.code === 11000 || error.code === 11001) return true;
  return error.code === 1 && /UNIQUE constraint failed/.test(error.message);
}

/** Server errors that mean "not now" (a primary stepping down, a server shutting down). */
const UNAVAILABLE_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

/** Maps driver errors to the port's errors, so no service ever sees a MongoError. */
export function translateError(error: unknown): unknown {
  if (
    error instanceof ConflictError ||
    error instanceof VersionConflictError ||
    error instanceof StoreUnavailableError ||
    error instanceof BlobTooLargeError ||
    !(error instanceof MongoError)
  ) {
    return error;
  }
  if (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoServerClosedError ||
    (error instanceof MongoServerError && typeof error.code === 'number' && UNAVAILABLE_CODES.has(error.code))
  ) {
    return new StoreUnavailableError(`mongo: ${error.message}`, { cause: error });
  }
  if (isDuplicateKey(error)) {
    // Every write diagnoses its own duplicates; one arriving here slipped past, so name what we can.
    const pattern = (error as MongoServerError).keyPattern as Record<string, unknown> | undefined;
    return new ConflictError(Object.keys(pattern ?? {})[0] ?? 'key');
  }
  return error;
}

/** Runs one port call with driver errors translated. */
export async function guard<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw translateError(error);
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A short random pause that grows with the attempt, so contending writers stop colliding. */
export function backoff(attempt: number): Promise<void> {
  return sleep(Math.random() * Math.min(50, 2 ** Math.min(attempt, 6)));
}
