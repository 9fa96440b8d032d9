import type { Collection, Db, Filter } from 'mongodb';
import type { GroupQuery, GroupRecord, Page, Paging } from '../ports/directory.ts';
import { ConflictError, StoreUnavailableError, VersionConflictError } from '../ports/errors.ts';
import { COLLECTIONS, backoff, isDuplicateKey } from './database.ts';
import type { GroupDoc } from './directory-docs.ts';
import { groupFromDoc, groupToDoc, lc } from './directory-docs.ts';
import { Revisions, newRev } from './revisions.ts';

/** How long purging keeps retrying a group that other writers keep changing. */
const BUSY_TIMEOUT_MS = 15_000;

/**
 * Groups, members as an array in the document (a multikey index answers "the groups of user X").
 * displayName matches case-insensitively through a lower-case copy, as SCIM defines it. An update
 * is a compare-and-swap on the group's revision (revisions.ts): the version check alone would be
 * a read-then-write on FerretDB.
 */
export class MongoGroups {
  readonly #groups: Collection<GroupDoc>;
  readonly #revisions: Revisions;

  constructor(db: Db) {
    this.#groups = db.collection<GroupDoc>(COLLECTIONS.groups);
    this.#revisions = new Revisions(db, 'group', COLLECTIONS.groups);
  }

  async create(group: GroupRecord): Promise<void> {
    try {
      await this.#groups.insertOne(groupToDoc(group, newRev()));
    } catch (error) {
      if (isDuplicateKey(error)) throw new ConflictError('id');
      throw error;
    }
  }

  async update(group: GroupRecord, expectedVersion: number): Promise<void> {
    const readAt = Date.now();
    const current = await this.#groups.findOne({ _id: group.id });
    if (!current || current.tenantId !== group.tenantId || current.version !== expectedVersion) {
      throw new VersionConflictError();
    }
    const claim = await this.#revisions.take(group.id, current.rev, readAt);
    if (!claim) throw new VersionConflictError();
    if (claim.takenOver && (await this.#groups.findOne({ _id: group.id }))?.rev !== current.rev) {
      throw new VersionConflictError();
    }
    const { matchedCount } = await this.#groups.replaceOne({ _id: group.id }, groupToDoc(group, newRev()));
    // Deleted meanwhile: the record changed under the caller.
    if (matchedCount === 0) throw new VersionConflictError();
  }

  async get(tenantId: string, id: string): Promise<GroupRecord | null> {
    // By `_id` alone, the one filter FerretDB answers from an index; the tenant is checked here.
    const doc = await this.#groups.findOne({ _id: id });
    return doc && doc.tenantId === tenantId ? groupFromDoc(doc) : null;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return (await this.#groups.deleteOne({ _id: id, tenantId })).deletedCount > 0;
  }

  async find(tenantId: string, query: GroupQuery, paging: Paging): Promise<Page<GroupRecord>> {
    const filter: Filter<GroupDoc> = { tenantId };
    if (query.displayName !== undefined) filter.displayNameLc = lc(query.displayName);
    if (query.externalId !== undefined) filter.externalId = query.externalId;
    if (query.memberId !== undefined) filter.members = query.memberId;
    const total = await this.#groups.countDocuments(filter);
    // limit(0) would mean "no limit" to the server.
    if (paging.limit <= 0) return { total, items: [] };
    const docs = await this.#groups.find(filter).sort({ createdAt: 1, _id: 1 }).skip(paging.offset).limit(paging.limit).toArray();
    return { total, items: docs.map(groupFromDoc) };
  }

  /** Takes a purged user out of every group; each group that loses a member gets a new version. */
  async removeMember(userId: string): Promise<void> {
    for (const { _id } of await this.#groups.find({ members: userId }, { projection: { _id: 1 } }).toArray()) {
      const deadline = Date.now() + BUSY_TIMEOUT_MS;
      for (let attempt = 0; ; attempt++) {
        const readAt = Date.now();
        const current = await this.#groups.findOne({ _id });
        if (!current || !current.members.includes(userId)) break;
        const claim = await this.#revisions.take(_id, current.rev, readAt);
        if (claim && !(claim.takenOver && (await this.#groups.findOne({ _id }))?.rev !== current.rev)) {
          const { _id: _same, ...rest } = current;
          await this.#groups.replaceOne(
            { _id },
            { ...rest, members: rest.members.filter((member) => member !== userId), version: rest.version + 1, rev: newRev() },
          );
          break;
        }
        if (Date.now() > deadline) throw new StoreUnavailableError(`group ${_id} stays busy`);
        await backoff(attempt);
      }
    }
  }

  sweepClaims(): Promise<void> {
    return this.#revisions.sweep();
  }
}
