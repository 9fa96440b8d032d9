import type { Collection, Db, Filter } from 'mongodb';
import type {
  AppPasswordRecord,
  DirectoryStore,
  DomainRecord,
  GroupQuery,
  GroupRecord,
  Page,
  Paging,
  PurgedUser,
  ScimTokenRecord,
  TenantRecord,
  UserQuery,
  UserRecord,
} from '../ports/directory.ts';
import { ConflictError, VersionConflictError } from '../ports/errors.ts';
import { COLLECTIONS, guard, isDuplicateKey } from './database.ts';
import type { AppPasswordDoc, DomainDoc, ScimTokenDoc, TenantDoc } from './directory-docs.ts';
import { appPasswordFromDoc, appPasswordToDoc, lc, scimTokenFromDoc, tenantFromDoc, tenantToDoc } from './directory-docs.ts';
import { MongoGroups } from './directory-groups.ts';
import { MongoUsers } from './directory-users.ts';

/**
 * The directory on MongoDB. Domain names are keys and compared lower-case. An update of a record
 * that no longer exists throws VersionConflictError, as the record changed under the caller.
 * Every unique value is enforced by a unique index or `_id`; when the server refuses a write, the
 * field is named by looking (FerretDB's duplicate-key errors do not say which index objected).
 */
export class MongoDirectory implements DirectoryStore {
  readonly #tenants: Collection<TenantDoc>;
  readonly #domains: Collection<DomainDoc>;
  readonly #appPasswords: Collection<AppPasswordDoc>;
  readonly #scimTokens: Collection<ScimTokenDoc>;
  readonly #users: MongoUsers;
  readonly #groups: MongoGroups;

  constructor(db: Db) {
    this.#tenants = db.collection<TenantDoc>(COLLECTIONS.tenants);
    this.#domains = db.collection<DomainDoc>(COLLECTIONS.domains);
    this.#appPasswords = db.collection<AppPasswordDoc>(COLLECTIONS.appPasswords);
    this.#scimTokens = db.collection<ScimTokenDoc>(COLLECTIONS.scimTokens);
    this.#groups = new MongoGroups(db);
    this.#users = new MongoUsers(db, this.#groups);
  }

  createTenant(tenant: TenantRecord): Promise<void> {
    return guard(async () => {
      const doc = tenantToDoc(tenant);
      await insertUnique(this.#tenants, doc, [
        ['id', { _id: doc._id }],
        ['slug', { slug: doc.slug }],
      ]);
    });
  }

  updateTenant(tenant: TenantRecord): Promise<void> {
    return guard(async () => {
      const { _id, ...doc } = tenantToDoc(tenant);
      if ((await this.#tenants.countDocuments({ _id }, { limit: 1 })) === 0) throw new VersionConflictError('no such tenant');
      const owner = await this.#tenants.findOne({ slug: doc.slug }, { projection: { _id: 1 } });
      if (owner && owner._id !== _id) throw new ConflictError('slug');
      try {
        const { matchedCount } = await this.#tenants.replaceOne({ _id }, doc);
        if (matchedCount === 0) throw new VersionConflictError('no such tenant');
      } catch (error) {
        if (isDuplicateKey(error)) throw new ConflictError('slug');
        throw error;
      }
    });
  }

  getTenant(id: string): Promise<TenantRecord | null> {
    return guard(async () => nullable(await this.#tenants.findOne({ _id: id }), tenantFromDoc));
  }

  getTenantBySlug(slug: string): Promise<TenantRecord | null> {
    return guard(async () => nullable(await this.#tenants.findOne({ slug }), tenantFromDoc));
  }

  listTenants(): Promise<TenantRecord[]> {
    return guard(async () => (await this.#tenants.find({}).sort({ createdAt: 1, _id: 1 }).toArray()).map(tenantFromDoc));
  }

  addDomain(domain: DomainRecord): Promise<void> {
    return guard(async () => {
      const doc = { _id: lc(domain.name), tenantId: domain.tenantId, createdAt: domain.createdAt };
      await insertUnique(this.#domains, doc, [['name', { _id: doc._id }]]);
    });
  }

  getDomain(name: string): Promise<DomainRecord | null> {
    return guard(async () => nullable(await this.#domains.findOne({ _id: lc(name) }), domainFromDoc));
  }

  listDomains(tenantId: string): Promise<DomainRecord[]> {
    return guard(async () => (await this.#domains.find({ tenantId }).sort({ _id: 1 }).toArray()).map(domainFromDoc));
  }

  createUser(user: UserRecord): Promise<void> {
    return guard(() => this.#users.create(user));
  }

  updateUser(user: UserRecord, expectedVersion: number): Promise<void> {
    return guard(() => this.#users.update(user, expectedVersion));
  }

  getUser(tenantId: string, id: string, includeDeleted = false): Promise<UserRecord | null> {
    return guard(() => this.#users.get(tenantId, id, includeDeleted));
  }

  findUserByAddress(address: string): Promise<UserRecord | null> {
    return guard(() => this.#users.findByAddress(address));
  }

  findUsers(tenantId: string, query: UserQuery, paging: Paging): Promise<Page<UserRecord>> {
    return guard(() => this.#users.find(tenantId, query, paging));
  }

  expiredUsers(deletedBefore: string): Promise<PurgedUser[]> {
    return guard(() => this.#users.expired(deletedBefore));
  }

  purgeUsers(deletedBefore: string): Promise<PurgedUser[]> {
    return guard(async () => {
      const purged = await this.#users.purge(deletedBefore);
      // Purging is the periodic job of the directory: old revision claims go with it.
      await this.#users.sweepClaims();
      await this.#groups.sweepClaims();
      return purged;
    });
  }

  createGroup(group: GroupRecord): Promise<void> {
    return guard(() => this.#groups.create(group));
  }

  updateGroup(group: GroupRecord, expectedVersion: number): Promise<void> {
    return guard(() => this.#groups.update(group, expectedVersion));
  }

  getGroup(tenantId: string, id: string): Promise<GroupRecord | null> {
    return guard(() => this.#groups.get(tenantId, id));
  }

  deleteGroup(tenantId: string, id: string): Promise<boolean> {
    return guard(() => this.#groups.delete(tenantId, id));
  }

  findGroups(tenantId: string, query: GroupQuery, paging: Paging): Promise<Page<GroupRecord>> {
    return guard(() => this.#groups.find(tenantId, query, paging));
  }

  addAppPassword(record: AppPasswordRecord): Promise<void> {
    return guard(() =>
      insertUnique(this.#appPasswords, appPasswordToDoc(record), [
        ['id', { _id: record.id }],
        ['hash', { hash: record.hash }],
      ]),
    );
  }

  findAppPasswordByHash(hash: string): Promise<AppPasswordRecord | null> {
    return guard(async () => nullable(await this.#appPasswords.findOne({ hash }), appPasswordFromDoc));
  }

  listAppPasswords(userId: string): Promise<AppPasswordRecord[]> {
    return guard(async () =>
      (await this.#appPasswords.find({ userId }).sort({ createdAt: 1, _id: 1 }).toArray()).map(appPasswordFromDoc),
    );
  }

  revokeAppPassword(userId: string, id: string, at: string): Promise<boolean> {
    return guard(async () => {
      const { modifiedCount } = await this.#appPasswords.updateOne({ _id: id, userId, revokedAt: null }, { $set: { revokedAt: at } });
      return modifiedCount > 0;
    });
  }

  touchAppPassword(id: string, at: string, ip: string | null): Promise<void> {
    return guard(async () => {
      await this.#appPasswords.updateOne({ _id: id }, { $set: { lastUsedAt: at, lastUsedIp: ip } });
    });
  }

  addScimToken(record: ScimTokenRecord): Promise<void> {
    const doc: ScimTokenDoc = {
      _id: record.id,
      tenantId: record.tenantId,
      hash: record.hash,
      createdAt: record.createdAt,
      revokedAt: record.revokedAt,
    };
    return guard(() =>
      insertUnique(this.#scimTokens, doc, [
        ['id', { _id: doc._id }],
        ['hash', { hash: doc.hash }],
      ]),
    );
  }

  findScimTokenByHash(hash: string): Promise<ScimTokenRecord | null> {
    return guard(async () => nullable(await this.#scimTokens.findOne({ hash }), scimTokenFromDoc));
  }
}

/**
 * Inserts a document whose unique values are listed as [field, filter] in the order conflicts are
 * reported. Looked up first (the usual case, and the same order as the SQLite adapter); the unique
 * indexes still decide a race, after which the same lookups name the field.
 */
async function insertUnique<T extends { _id: string }>(
  collection: Collection<T>,
  doc: T,
  uniques: [field: string, filter: Filter<T>][],
): Promise<void> {
  const taken = async (): Promise<string | null> => {
    for (const [field, filter] of uniques) {
      if ((await collection.countDocuments(filter, { limit: 1 })) > 0) return field;
    }
    return null;
  };
  const field = await taken();
  if (field !== null) throw new ConflictError(field);
  try {
    await collection.insertOne(doc as Parameters<Collection<T>['insertOne']>[0]);
  } catch (error) {
    if (isDuplicateKey(error)) throw new ConflictError((await taken()) ?? uniques[0]?.[0] ?? 'id');
    throw error;
  }
}

function domainFromDoc(doc: DomainDoc): DomainRecord {
  return { name: doc._id, tenantId: doc.tenantId, createdAt: doc.createdAt };
}

function nullable<D, T>(doc: D | null, convert: (doc: D) => T): T | null {
  return doc === null ? null : convert(doc);
}
