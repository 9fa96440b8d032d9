import type { Collection, Db, Filter } from 'mongodb';
import type { Page, Paging, PurgedUser, UserQuery, UserRecord } from '../ports/directory.ts';
import { ConflictError, VersionConflictError } from '../ports/errors.ts';
import { COLLECTIONS, isDuplicateKey } from './database.ts';
import { AddressClaims } from './directory-addresses.ts';
import type { AppPasswordDoc, UserDoc } from './directory-docs.ts';
import { externalIdKey, isListedLive, lc, liveAddresses, userFromDoc, userToDoc } from './directory-docs.ts';
import type { MongoGroups } from './directory-groups.ts';
import { Revisions, newRev } from './revisions.ts';

/**
 * Users with no multi-document transactions. Unique values live in one place each, so the server
 * refuses a duplicate whatever the interleaving: userName and externalId as sparse unique fields of
 * the user document (present only while live), addresses as claims (directory-addresses.ts).
 * A write checks the unique values first (to report conflicts in the same order as the SQLite
 * adapter), claims new addresses, writes the user, then releases dropped addresses; a failure
 * at any step undoes the earlier steps. An update is a compare-and-swap on the user's revision
 * (revisions.ts), so of two updates from the same version exactly one wins.
 */
export class MongoUsers {
  readonly #users: Collection<UserDoc>;
  readonly #appPasswords: Collection<AppPasswordDoc>;
  readonly #addresses: AddressClaims;
  readonly #revisions: Revisions;
  readonly #groups: MongoGroups;

  constructor(db: Db, groups: MongoGroups) {
    this.#users = db.collection<UserDoc>(COLLECTIONS.users);
    this.#appPasswords = db.collection<AppPasswordDoc>(COLLECTIONS.appPasswords);
    this.#addresses = new AddressClaims(db);
    this.#revisions = new Revisions(db, 'user', COLLECTIONS.users);
    this.#groups = groups;
  }

  async create(user: UserRecord): Promise<void> {
    if (await this.#users.findOne({ _id: user.id }, { projection: { _id: 1 } })) throw new ConflictError('id');
    await this.#checkUnique(user);
    const claimed = await this.#addresses.claim(user.id, liveAddresses(user));
    try {
      await this.#users.insertOne(userToDoc(user, newRev()));
    } catch (error) {
      await this.#addresses.release(user.id, claimed).catch(() => undefined);
      if (isDuplicateKey(error)) throw await this.#conflict(user);
      throw error;
    }
  }

  async update(user: UserRecord, expectedVersion: number): Promise<void> {
    const readAt = Date.now();
    const current = await this.#users.findOne({ _id: user.id });
    if (!current || current.tenantId !== user.tenantId || current.version !== expectedVersion) {
      throw new VersionConflictError();
    }
    await this.#checkUnique(user);
    const claim = await this.#revisions.take(user.id, current.rev, readAt);
    if (!claim) throw new VersionConflictError();
    if (claim.takenOver && (await this.#users.findOne({ _id: user.id }))?.rev !== current.rev) {
      throw new VersionConflictError();
    }
    const before = liveAddresses(current);
    const after = liveAddresses(user);
    let claimed: string[];
    try {
      claimed = await this.#addresses.claim(user.id, [...after].filter((address) => !before.has(address)));
    } catch (error) {
      await this.#moveOn(current);
      throw error;
    }
    try {
      const { _id, ...doc } = userToDoc(user, newRev());
      if ((await this.#users.replaceOne({ _id }, doc)).matchedCount === 0) throw new VersionConflictError();
    } catch (error) {
      await this.#addresses.release(user.id, claimed).catch(() => undefined);
      if (error instanceof VersionConflictError) throw error;
      await this.#moveOn(current);
      if (isDuplicateKey(error)) throw await this.#conflict(user);
      throw error;
    }
    await this.#addresses.release(user.id, [...before].filter((address) => !after.has(address)));
  }

  // Point reads filter by `_id` alone and check the rest here: an `_id` is the one filter FerretDB's
  // SQLite handler answers from an index (it scans the collection for anything else).

  async get(tenantId: string, id: string, includeDeleted: boolean): Promise<UserRecord | null> {
    const doc = await this.#users.findOne({ _id: id });
    return doc && doc.tenantId === tenantId && (includeDeleted || doc.deletedAt === null) ? userFromDoc(doc) : null;
  }

  async findByAddress(address: string): Promise<UserRecord | null> {
    const key = lc(address);
    const owner = await this.#addresses.owner(key);
    if (owner === null) return null;
    const doc = await this.#users.findOne({ _id: owner });
    // A claim its user does not list is an orphan of a write that died (see AddressClaims).
    return doc && isListedLive(doc, key) ? userFromDoc(doc) : null;
  }

  async find(tenantId: string, query: UserQuery, paging: Paging): Promise<Page<UserRecord>> {
    const filter: Filter<UserDoc> = { tenantId };
    if (!query.includeDeleted) filter.deletedAt = null;
    if (query.userName !== undefined) filter.userNameLc = lc(query.userName);
    if (query.externalId !== undefined) filter.externalId = query.externalId;
    // Live users hold a claim on every address they list, so the listing answers for them too.
    if (query.address !== undefined) filter.addressesLc = lc(query.address);
    const total = await this.#users.countDocuments(filter);
    // limit(0) would mean "no limit" to the server.
    if (paging.limit <= 0) return { total, items: [] };
    const docs = await this.#users.find(filter).sort({ createdAt: 1, _id: 1 }).skip(paging.offset).limit(paging.limit).toArray();
    return { total, items: docs.map(userFromDoc) };
  }

  /**
   * Removes users deleted before the cutoff: out of their groups, their app passwords, then the
   * user (last, so a purge that dies half-way is finished by the next one). A user changed while
   * being purged (restored, say) is skipped: the delete is a claim on the revision that was read.
   */
  async expired(deletedBefore: string): Promise<PurgedUser[]> {
    return (await this.#expired(deletedBefore)).map(({ _id, tenantId }) => ({ tenantId, id: _id }));
  }

  #expired(deletedBefore: string): Promise<Array<{ _id: string; rev: string; tenantId: string }>> {
    return this.#users
      .find({ deletedAt: { $ne: null, $lt: deletedBefore } }, { projection: { _id: 1, rev: 1, tenantId: 1 } })
      .sort({ deletedAt: 1, _id: 1 })
      .toArray();
  }

  async purge(deletedBefore: string): Promise<PurgedUser[]> {
    const purged: PurgedUser[] = [];
    const readAt = Date.now();
    const candidates = await this.#expired(deletedBefore);
    for (const { _id, rev, tenantId } of candidates) {
      const claim = await this.#revisions.take(_id, rev, readAt);
      if (!claim) continue;
      if (claim.takenOver && (await this.#users.findOne({ _id }))?.rev !== rev) continue;
      await this.#groups.removeMember(_id);
      await this.#appPasswords.deleteMany({ userId: _id });
      // A deleted user holds no claims; this removes orphans of a write that died.
      await this.#addresses.releaseAll(_id);
      await this.#users.deleteOne({ _id });
      purged.push({ tenantId, id: _id });
    }
    return purged;
  }

  sweepClaims(): Promise<void> {
    return this.#revisions.sweep();
  }

  async #checkUnique(user: UserRecord): Promise<void> {
    if (user.deletedAt !== null) return;
    if (await this.#users.findOne({ liveUserName: lc(user.userName), _id: { $ne: user.id } }, { projection: { _id: 1 } })) {
      throw new ConflictError('userName');
    }
    if (
      user.externalId !== null &&
      (await this.#users.findOne(
        { liveExternalId: externalIdKey(user.tenantId, user.externalId), _id: { $ne: user.id } },
        { projection: { _id: 1 } },
      ))
    ) {
      throw new ConflictError('externalId');
    }
  }

  /** Names the unique value a refused write collided with (the server does not say which, on FerretDB). */
  async #conflict(user: UserRecord): Promise<ConflictError> {
    try {
      await this.#checkUnique(user);
    } catch (error) {
      if (error instanceof ConflictError) return error;
      throw error;
    }
    return new ConflictError('id');
  }

  /**
   * Gives up a claimed revision after a failed write by storing the same user under a new revision,
   * so that the next writer need not wait for the claim to go stale. Best effort: if this fails too,
   * the claim goes stale and is taken over.
   */
  async #moveOn(current: UserDoc): Promise<void> {
    const { _id, ...doc } = current;
    await this.#users.replaceOne({ _id }, { ...doc, rev: newRev() }).catch(() => undefined);
  }
}
