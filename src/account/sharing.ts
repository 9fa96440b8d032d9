/**
 * What the sharing page shows and acts on: the signed-in user's own calendars and address books
 * with their sharees, and what colleagues shared with them. Collections are looked up among the
 * user's own (or their grants) only, so an id from another home is simply not found.
 */
import type { UserService } from '../directory/users.ts';
import { GroupwareService } from '../groupware/service.ts';
import type { Share, SharedCollection, SharingService } from '../groupware/sharing.ts';
import type { DavCollection, DavCollectionKind } from '../store/ports/index.ts';

export interface SharingDeps {
  groupware: GroupwareService;
  sharing: SharingService;
  users: Pick<UserService, 'get'>;
}

export interface OwnCollection {
  collection: DavCollection;
  shares: Share[];
}

export interface Subscription extends SharedCollection {
  /** The owner's address; null once the owner is gone (their collections wait for the purge). */
  owner: string | null;
}

export interface SharingView {
  own: OwnCollection[];
  sharedWithMe: Subscription[];
}

const KINDS: DavCollectionKind[] = ['calendar', 'addressbook'];

async function ownCollections(deps: SharingDeps, ownerId: string): Promise<DavCollection[]> {
  return (await Promise.all(KINDS.map((kind) => deps.groupware.collections(ownerId, kind)))).flat();
}

async function subscriptions(deps: SharingDeps, granteeId: string): Promise<SharedCollection[]> {
  return (await Promise.all(KINDS.map((kind) => deps.sharing.sharedWith(granteeId, kind)))).flat();
}

export async function sharingView(deps: SharingDeps, ownerId: string): Promise<SharingView> {
  const own = await Promise.all((await ownCollections(deps, ownerId)).map(async (collection) => ({ collection, shares: await deps.sharing.sharesOf(collection) })));
  const sharedWithMe = await Promise.all((await subscriptions(deps, ownerId)).map(async (shared) => {
    const { tenantId, userId } = GroupwareService.parseOwnerId(shared.collection.ownerId);
    return { ...shared, owner: (await deps.users.get(tenantId, userId))?.userName ?? null };
  }));
  return { own, sharedWithMe };
}

/** One of the user's own collections by id, or null. */
export async function ownCollection(deps: SharingDeps, ownerId: string, collectionId: string): Promise<DavCollection | null> {
  return (await ownCollections(deps, ownerId)).find((c) => c.id === collectionId) ?? null;
}

/** Whether a collection is shared with the user (so they may drop it from their account). */
export async function isSharedWith(deps: SharingDeps, granteeId: string, collectionId: string): Promise<boolean> {
  return (await subscriptions(deps, granteeId)).some((s) => s.collection.id === collectionId);
}
