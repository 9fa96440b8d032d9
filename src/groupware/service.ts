import { CalendarDataError, COMPONENT_KINDS, parseCalendarObject, type ComponentKind } from '../calendar/calendar-object.ts';
import { objectSpan } from '../calendar/instances.ts';
import { AddressDataError, parseCard } from '../contacts/vcard.ts';
import { memberChanges, type MemberChanges } from '../journal/member-changes.ts';
import type { DavCollection, DavCollectionKind, DavCollectionProps, DavObject, DavObjectInput, DavObjectStore, DavObjectSummary, Journal } from '../store/ports/index.ts';
import { DavCollectionExistsError, davContainer } from '../store/ports/index.ts';

/** Every user's home has one of each from the first request on, so a new account syncs at once. */
export const DEFAULT_COLLECTION = 'default';

const DEFAULTS: Record<DavCollectionKind, Partial<DavCollectionProps>> = {
  calendar: { displayName: 'Calendar', components: ['VEVENT', 'VTODO'] },
  addressbook: { displayName: 'Contacts' },
};

/** Objects larger than this are refused (CALDAV:max-resource-size). */
export const MAX_OBJECT_BYTES = 1024 * 1024;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Calendars and address books, independent of the protocol: collections per owner (created with
 * defaults on first use), objects checked and indexed before they are stored as the client's bytes,
 * and each collection's change journal for sync tokens. CalDAV and CardDAV are the fronts.
 */
export class GroupwareService {
  readonly #store: DavObjectStore;
  readonly #journal: Journal;

  constructor(store: DavObjectStore, journal: Journal) {
    this.#store = store;
    this.#journal = journal;
  }

  static ownerId(tenantId: string, userId: string): string {
    return `${tenantId}:${userId}`;
  }

  /** The tenant and user of an `ownerId` (ids hold no ':'). */
  static parseOwnerId(ownerId: string): { tenantId: string; userId: string } {
    const at = ownerId.indexOf(':');
    return { tenantId: ownerId.slice(0, at), userId: ownerId.slice(at + 1) };
  }

  /** The owner's collections of a kind, the default one created when there is none. */
  async collections(ownerId: string, kind: DavCollectionKind): Promise<DavCollection[]> {
    const found = await this.#store.collections(ownerId, kind);
    if (found.length) return found;
    try {
      await this.#store.createCollection(ownerId, kind, DEFAULT_COLLECTION, DEFAULTS[kind]);
    } catch (err) {
      if (!(err instanceof DavCollectionExistsError)) throw err;
    }
    return this.#store.collections(ownerId, kind);
  }

  async collection(ownerId: string, kind: DavCollectionKind, name: string): Promise<DavCollection | null> {
    return (await this.collections(ownerId, kind)).find((c) => c.name === name) ?? null;
  }

  create(ownerId: string, kind: DavCollectionKind, name: string, props: Partial<DavCollectionProps>): Promise<DavCollection> {
    return this.#store.createCollection(ownerId, kind, name, { ...(kind === 'calendar' ? { components: [...COMPONENT_KINDS.filter((k) => k !== 'VFREEBUSY')] } : {}), ...props });
  }

  update(collection: DavCollection, props: Partial<Omit<DavCollectionProps, 'dead'>>, setDead: Record<string, string>, removeDead: string[]): Promise<DavCollection> {
    return this.#store.updateCollection(collection.id, props, setDead, removeDead);
  }

  removeCollection(collection: DavCollection): Promise<void> {
    return this.#store.removeCollection(collection.id);
  }

  /**
   * Deprovisioning: removes every calendar and address book of a purged user (with the shares of
   * them) and the shares others gave them. Returns the count of collections removed.
   */
  async purgeOwner(ownerId: string): Promise<number> {
    const collections = [...await this.#store.collections(ownerId, 'calendar'), ...await this.#store.collections(ownerId, 'addressbook')];
    for (const collection of collections) await this.#store.removeCollection(collection.id);
    for (const grant of await this.#store.grantsTo(ownerId)) await this.#store.revoke(grant.collectionId, ownerId);
    return collections.length;
  }

  object(collection: DavCollection, name: string): Promise<DavObject | null> {
    return this.#store.object(collection.id, name);
  }

  objects(collection: DavCollection, names: string[] | null): Promise<DavObject[]> {
    return this.#store.objects(collection.id, names);
  }

  /** The objects' names, etags and sizes, without reading their bytes. */
  summaries(collection: DavCollection, names: string[] | null): Promise<DavObjectSummary[]> {
    return this.#store.objectSummaries(collection.id, names);
  }

  objectsInRange(collection: DavCollection, start: number | null, end: number | null, component: string | null): Promise<DavObject[]> {
    return this.#store.objectsInRange(collection.id, start, end, component);
  }

  /**
   * Checks and stores an object. CalendarDataError / AddressDataError (nothing stored) for data the
   * collection cannot take; UidConflictError when another object has its UID.
   */
  put(collection: DavCollection, name: string, bytes: Uint8Array): Promise<{ object: DavObject; created: boolean }> {
    return this.#store.putObject(collection.id, name, indexed(collection, name, bytes));
  }

  removeObject(collection: DavCollection, name: string): Promise<boolean> {
    return this.#store.removeObject(collection.id, name);
  }

  changeCounter(collection: DavCollection): Promise<number> {
    return this.#journal.head(davContainer(collection.id));
  }

  changesSince(collection: DavCollection, since: number, limit?: number): Promise<MemberChanges | null> {
    return memberChanges(this.#journal, davContainer(collection.id), since, async (names) => new Set((await this.#store.objectSummaries(collection.id, names)).map((o) => o.name)), limit);
  }
}

/** What the store keeps besides the bytes: UID, component and the span of the instances. */
function indexed(collection: DavCollection, name: string, bytes: Uint8Array): DavObjectInput {
  const calendar = collection.kind === 'calendar';
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw calendar ? new CalendarDataError('valid-calendar-data', 'not UTF-8') : new AddressDataError('valid-address-data', 'not UTF-8');
  }
  if (calendar) {
    const object = parseCalendarObject(text, collection.components.filter((c): c is ComponentKind => (COMPONENT_KINDS as readonly string[]).includes(c)));
    const span = objectSpan(object);
    return { uid: object.uid, component: object.kind, spanStart: span.start, spanEnd: span.end, data: bytes, contentType: 'text/calendar; charset=utf-8' };
  }
  const card = parseCard(text);
  // RFC 6352 wants a UID; a card without one is still unique by its name.
  return { uid: card.uid ?? `name:${name}`, component: 'VCARD', spanStart: null, spanEnd: null, data: bytes, contentType: 'text/vcard; charset=utf-8' };
}
