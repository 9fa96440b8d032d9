import type { UserService } from '../directory/users.ts';
import type { DavCollection, DavCollectionKind, DavGrant, DavObjectStore, DavShareAccess, UserRecord } from '../store/ports/index.ts';
import { GroupwareService } from './service.ts';

/** A sharee as a request names them: by an address they receive mail at, or by user id. */
export type ShareeRef = { address: string } | { userId: string };

/** One change to a collection's sharees: `access` null ends their share. */
export interface ShareChange {
  sharee: ShareeRef;
  access: DavShareAccess | null;
}

export type ShareRefusal = 'not-owner' | 'unknown-sharee' | 'self';

/** A share request that cannot be honoured; nothing of it was applied. */
export class ShareError extends Error {
  readonly reason: ShareRefusal;
  constructor(reason: ShareRefusal, message: string) {
    super(message);
    this.name = 'ShareError';
    this.reason = reason;
  }
}

export interface Share {
  grant: DavGrant;
  sharee: UserRecord;
}

export interface SharedCollection {
  grant: DavGrant;
  collection: DavCollection;
}

/**
 * Sharing calendars and address books between users of one tenant: the owner gives another active
 * user of the same tenant read or read-write access, auto-accepted (one organisation, no invitation
 * round trip). A sharee of another tenant is unknown here, as the directory is searched within the
 * owner's tenant only.
 */
export class SharingService {
  readonly #store: DavObjectStore;
  readonly #users: Pick<UserService, 'get' | 'byAddress'>;

  constructor(store: DavObjectStore, users: Pick<UserService, 'get' | 'byAddress'>) {
    this.#store = store;
    this.#users = users;
  }

  /**
   * Applies every change of one request, or none: all sharees are resolved before anything is
   * stored. `actorId` is the requesting user's owner id; only the collection's owner may share it.
   */
  async apply(actorId: string, collection: DavCollection, changes: ShareChange[]): Promise<void> {
    if (collection.ownerId !== actorId) throw new ShareError('not-owner', 'only the owner shares a collection');
    const { tenantId } = GroupwareService.parseOwnerId(actorId);
    const resolved = await Promise.all(changes.map(async (change) => ({ user: await this.#sharee(tenantId, change.sharee), access: change.access })));
    for (const { user } of resolved) {
      if (GroupwareService.ownerId(user.tenantId, user.id) === actorId) throw new ShareError('self', 'the owner cannot be a sharee');
    }
    for (const { user, access } of resolved) {
      const granteeId = GroupwareService.ownerId(user.tenantId, user.id);
      if (access === null) await this.#store.revoke(collection.id, granteeId);
      else await this.#store.grant(collection.id, granteeId, access);
    }
  }

  /** The collection's sharees who can still use their share (deprovisioned users left out). */
  async sharesOf(collection: DavCollection): Promise<Share[]> {
    const grants = await this.#store.grantsOf(collection.id);
    const shares = await Promise.all(grants.map(async (grant) => {
      const { tenantId, userId } = GroupwareService.parseOwnerId(grant.granteeId);
      const sharee = await this.#users.get(tenantId, userId);
      return sharee && usable(sharee) ? { grant, sharee } : null;
    }));
    return shares.filter((s): s is Share => s !== null);
  }

  /**
   * The collections of a kind shared with a user, each with the grant that gives access. A
   * deactivated or deleted owner's collections are left out, as their principal is: otherwise a
   * sharee kept reading and writing a removed user's calendar until the purge.
   */
  async sharedWith(granteeId: string, kind: DavCollectionKind): Promise<SharedCollection[]> {
    const grants = await this.#store.grantsTo(granteeId);
    const found = await Promise.all(grants.map(async (grant) => {
      const collection = await this.#store.collection(grant.collectionId);
      if (collection?.kind !== kind) return null;
      const { tenantId, userId } = GroupwareService.parseOwnerId(collection.ownerId);
      const owner = await this.#users.get(tenantId, userId);
      return owner && usable(owner) ? { grant, collection } : null;
    }));
    return found.filter((f): f is SharedCollection => f !== null);
  }

  /** The sharee's own name, colour and such for a collection shared with them; false without a share. */
  async setOwnProps(granteeId: string, collectionId: string, set: Record<string, string>, remove: string[]): Promise<boolean> {
    return (await this.#store.setGrantProps(collectionId, granteeId, set, remove)) !== null;
  }

  /** The sharee drops a collection from their home; the owner's data stays. */
  async unsubscribe(granteeId: string, collectionId: string): Promise<void> {
    await this.#store.revoke(collectionId, granteeId);
  }

  async #sharee(tenantId: string, ref: ShareeRef): Promise<UserRecord> {
    const user = 'address' in ref ? await this.#users.byAddress(ref.address) : await this.#users.get(tenantId, ref.userId);
    // Another tenant's user is answered exactly like an unknown one.
    if (!user || user.tenantId !== tenantId || !usable(user)) throw new ShareError('unknown-sharee', 'no such user here');
    return user;
  }
}

function usable(user: UserRecord): boolean {
  return user.active && user.deletedAt === null;
}
