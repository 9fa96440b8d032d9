/**
 * Calendars and address books: collections per owner (a user's home), each holding objects
 * (iCalendar or vCard resources) stored as the client's bytes. An object carries what queries need
 * without parsing it again: its UID (unique per collection, CalDAV's `no-uid-conflict`), its main
 * component and the span its instances cover (epoch ms; `spanEnd` null when a recurrence never
 * ends), so a time-range query reads only the objects whose span overlaps. Every change to a
 * collection's members appends to the journal container `dav:{collectionId}` (item = object name),
 * which gives the collection its sync token and getctag.
 */
export type DavCollectionKind = 'calendar' | 'addressbook';

export interface DavCollectionProps {
  displayName: string | null;
  description: string | null;
  /** CalDAV timezone: a VCALENDAR with one VTIMEZONE, as text. */
  timezone: string | null;
  /** Apple's calendar-color and calendar-order. */
  color: string | null;
  order: number | null;
  /** Component names the calendar accepts (VEVENT, VTODO, …); empty for an address book. */
  components: string[];
  /** Dead properties: clark name → the property element as XML text. */
  dead: Record<string, string>;
}

export interface DavCollection extends DavCollectionProps {
  id: string;
  /** Whose home the collection lives in, e.g. `{tenantId}:{userId}`. */
  ownerId: string;
  kind: DavCollectionKind;
  /** The URL segment; unique per owner and kind. */
  name: string;
  createdAt: string;
}

export interface DavObjectInput {
  uid: string;
  /** VEVENT, VTODO, VJOURNAL, VFREEBUSY or VCARD. */
  component: string;
  spanStart: number | null;
  spanEnd: number | null;
  data: Uint8Array;
  contentType: string;
}

export interface DavObject extends DavObjectInput {
  collectionId: string;
  name: string;
  /** Opaque, unquoted; new on every write. */
  etag: string;
  modifiedAt: string;
}

/** What a listing needs of an object, without its bytes (PROPFIND Depth 1, sync-collection). */
export type DavObjectSummary = Pick<DavObject, 'name' | 'etag' | 'contentType' | 'modifiedAt'> & {
  /** The byte length of the data. */
  size: number;
};

/** Another object of the collection already has this UID; `existing` is that object's name. */
export class UidConflictError extends Error {
  readonly existing: string;
  constructor(existing: string) {
    super(`the UID is already used by ${existing}`);
    this.name = 'UidConflictError';
    this.existing = existing;
  }
}

export class DavCollectionExistsError extends Error {
  constructor(name: string) {
    super(`"${name}" already exists`);
    this.name = 'DavCollectionExistsError';
  }
}

export class DavCollectionNotFoundError extends Error {
  constructor() {
    super('no such collection');
    this.name = 'DavCollectionNotFoundError';
  }
}

/** What a grant lets the grantee do with a collection's objects. */
export type DavShareAccess = 'read' | 'read-write';

/** One user's access to another user's collection (sharing). */
export interface DavGrant {
  collectionId: string;
  /** `{tenantId}:{userId}`, the form of DavCollection.ownerId. */
  granteeId: string;
  access: DavShareAccess;
  createdAt: string;
  /**
   * The sharee's own properties of the collection (clark name → element XML: their name and colour
   * for it), shown to them over the owner's.
   */
  props: Record<string, string>;
}

export function davContainer(collectionId: string): string {
  return `dav:${collectionId}`;
}

export interface DavObjectStore {
  /** The owner's collections of one kind, ordered by name. */
  collections(ownerId: string, kind: DavCollectionKind): Promise<DavCollection[]>;
  collection(id: string): Promise<DavCollection | null>;
  /** DavCollectionExistsError when the owner already has one of that kind and name. */
  createCollection(ownerId: string, kind: DavCollectionKind, name: string, props: Partial<DavCollectionProps>): Promise<DavCollection>;
  /** Sets the given properties (and dead ones: `dead` entries set, `removeDead` names removed). */
  updateCollection(id: string, props: Partial<Omit<DavCollectionProps, 'dead'>>, setDead: Record<string, string>, removeDead: string[]): Promise<DavCollection>;
  /** Removes a collection with all its objects and grants. */
  removeCollection(id: string): Promise<void>;
  object(collectionId: string, name: string): Promise<DavObject | null>;
  /** Objects by name (unknown names left out), ordered by name; all of them when `names` is null. */
  objects(collectionId: string, names: string[] | null): Promise<DavObject[]>;
  /** Like `objects`, without the bytes: one read however many names, none of the data. */
  objectSummaries(collectionId: string, names: string[] | null): Promise<DavObjectSummary[]>;
  /**
   * Objects whose span meets [start, end] (epoch ms, inclusive; null = unbounded), optionally of one
   * component; objects without a span (no dates) are included, as the caller must test them.
   */
  objectsInRange(collectionId: string, start: number | null, end: number | null, component: string | null): Promise<DavObject[]>;
  /**
   * Creates or replaces an object in one step. UidConflictError (nothing changed) when another
   * object of the collection has the UID; DavCollectionNotFoundError when the collection is gone.
   */
  putObject(collectionId: string, name: string, input: DavObjectInput): Promise<{ object: DavObject; created: boolean }>;
  /** False when there was no such object. */
  removeObject(collectionId: string, name: string): Promise<boolean>;
  /** Gives or changes a grantee's access; DavCollectionNotFoundError when the collection is gone. */
  grant(collectionId: string, granteeId: string, access: DavShareAccess): Promise<DavGrant>;
  /** False when the grantee had no grant. */
  revoke(collectionId: string, granteeId: string): Promise<boolean>;
  /** Sets and removes the grantee's own properties; null when they hold no grant. */
  setGrantProps(collectionId: string, granteeId: string, set: Record<string, string>, remove: string[]): Promise<DavGrant | null>;
  /** The grants of a collection, ordered by grantee. */
  grantsOf(collectionId: string): Promise<DavGrant[]>;
  /** The grants a grantee holds, ordered by collection id. */
  grantsTo(granteeId: string): Promise<DavGrant[]>;
}
