import { randomUUID } from 'node:crypto';
import type { Collection, Db, Filter } from 'mongodb';
import type { DavCollection, DavCollectionKind, DavCollectionProps, DavGrant, DavObject, DavObjectInput, DavObjectStore, DavObjectSummary, DavShareAccess } from '../ports/dav-objects.ts';
import { DavCollectionExistsError, DavCollectionNotFoundError, davContainer, UidConflictError } from '../ports/dav-objects.ts';
import { collectionProps, propsOf, withProps } from '../shared/dav-collections.ts';
import { COLLECTIONS, guard, isDuplicateKey } from './database.ts';
import type { MongoJournal } from './journal.ts';
import { Leases, type LeaseDoc } from './leases.ts';

interface CollectionDoc {
  _id: string;
  /** `{ownerId}\n{kind}\n{name}`: unique by index, so two creators of one name race on the insert. */
  key: string;
  ownerId: string;
  kind: DavCollectionKind;
  name: string;
  /** JSON text: dead property names hold '.' and '{', which FerretDB refuses as field names. */
  props: string;
  createdAt: string;
}

interface ObjectDoc extends Omit<DavObject, 'data'> {
  /** `{collectionId}/{name}`. */
  _id: string;
  data: Buffer;
  /** The data's length, so a listing need not read the data; missing on documents written before it was kept. */
  size?: number;
}

interface GrantDoc extends Omit<DavGrant, 'props'> {
  /** `{collectionId}\n{granteeId}`. */
  _id: string;
  /** JSON text, as for collections; missing on grants made before sharees had their own. */
  props?: string;
}

function grantFromDoc(doc: GrantDoc): DavGrant {
  const { _id, props, ...grant } = doc;
  return { ...grant, props: props ? JSON.parse(props) as Record<string, string> : {} };
}

const SUMMARY = { name: 1, etag: 1, contentType: 1, modifiedAt: 1, size: 1 } as const;

/** Binary fields come back as Buffers rather than BSON Binary. */
const READ = { promoteBuffers: true } as const;

function collectionFromDoc(doc: CollectionDoc): DavCollection {
  return { id: doc._id, ownerId: doc.ownerId, kind: doc.kind, name: doc.name, createdAt: doc.createdAt, ...(JSON.parse(doc.props) as DavCollectionProps) };
}

function objectFromDoc(doc: ObjectDoc): DavObject {
  const { _id, size: _size, ...object } = doc;
  return object;
}

function membersFilter(collectionId: string, names: string[] | null): Filter<ObjectDoc> {
  return names === null ? { collectionId } : { _id: { $in: [...new Set(names)].map((name) => `${collectionId}/${name}`) } };
}

/** Orders by one string field in code-unit order, as the listings promise (no locale collation). */
function by<K extends string>(key: K): (a: Record<K, string>, b: Record<K, string>) => number {
  return (a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0);
}

const byName = by('name');

/**
 * Calendars and address books on MongoDB and FerretDB (no transactions, no atomic read-modify-write).
 * Writes to one collection's objects and properties are serialised by a lease (`dav_leases
 * {_id: collectionId}`, leases.ts); the holder checks the UID, writes the object document (one
 * write: readers see the old bytes or the new), then appends the journal entry. The lease names the
 * object, so when a holder dies between its write and the journal append, the writer that takes the
 * stale lease over journals that name again and sync clients still hear of the change.
 */
export class MongoDavObjectStore implements DavObjectStore {
  readonly #collections: Collection<CollectionDoc>;
  readonly #objects: Collection<ObjectDoc>;
  readonly #grants: Collection<GrantDoc>;
  readonly #leases: Leases;
  readonly #journal: MongoJournal;

  constructor(db: Db, journal: MongoJournal) {
    this.#collections = db.collection<CollectionDoc>(COLLECTIONS.davCollections);
    this.#objects = db.collection<ObjectDoc>(COLLECTIONS.davObjects);
    this.#grants = db.collection<GrantDoc>(COLLECTIONS.davGrants);
    // An 'update' for a name that is gone reads as its removal in sync (memberChanges checks the members).
    this.#leases = new Leases(db.collection<LeaseDoc>(COLLECTIONS.davLeases), async (collectionId, item) => void (await journal.append(davContainer(collectionId), { op: 'update', item })));
    this.#journal = journal;
  }

  collections(ownerId: string, kind: DavCollectionKind): Promise<DavCollection[]> {
    return guard(async () => (await this.#collections.find({ ownerId, kind }).toArray()).map(collectionFromDoc).sort(byName));
  }

  collection(id: string): Promise<DavCollection | null> {
    return guard(() => this.#collection(id));
  }

  createCollection(ownerId: string, kind: DavCollectionKind, name: string, props: Partial<DavCollectionProps>): Promise<DavCollection> {
    return guard(async () => {
      const collection: DavCollection = { id: randomUUID(), ownerId, kind, name, createdAt: new Date().toISOString(), ...collectionProps(props) };
      try {
        await this.#collections.insertOne({
          _id: collection.id, key: `${ownerId}\n${kind}\n${name}`, ownerId, kind, name, props: JSON.stringify(propsOf(collection)), createdAt: collection.createdAt,
        });
      } catch (err) {
        if (isDuplicateKey(err)) throw new DavCollectionExistsError(name);
        throw err;
      }
      return collection;
    });
  }

  updateCollection(id: string, props: Partial<Omit<DavCollectionProps, 'dead'>>, setDead: Record<string, string>, removeDead: string[]): Promise<DavCollection> {
    return guard(() => this.#leases.hold(id, async () => {
      const current = await this.#collection(id);
      if (!current) throw new DavCollectionNotFoundError();
      const next: DavCollection = { ...current, ...props, dead: withProps(current.dead, setDead, removeDead) };
      await this.#collections.updateOne({ _id: id }, { $set: { props: JSON.stringify(propsOf(next)) } });
      return next;
    }));
  }

  removeCollection(id: string): Promise<void> {
    return guard(() => this.#leases.hold(id, async () => {
      // The collection first: a crash after it leaves unreachable objects, never a half-empty calendar.
      await this.#collections.deleteOne({ _id: id });
      await this.#objects.deleteMany({ collectionId: id });
      await this.#grants.deleteMany({ collectionId: id });
    }));
  }

  object(collectionId: string, name: string): Promise<DavObject | null> {
    return guard(async () => {
      const doc = await this.#objects.findOne({ _id: `${collectionId}/${name}` }, READ);
      return doc ? objectFromDoc(doc) : null;
    });
  }

  objects(collectionId: string, names: string[] | null): Promise<DavObject[]> {
    return this.#find(membersFilter(collectionId, names));
  }

  objectSummaries(collectionId: string, names: string[] | null): Promise<DavObjectSummary[]> {
    return guard(async () => {
      const docs = await this.#objects.find(membersFilter(collectionId, names), { projection: SUMMARY }).toArray();
      const unsized = docs.filter((d) => d.size === undefined).map((d) => d._id);
      const sizes = new Map<string, number>();
      if (unsized.length) for (const d of await this.#objects.find({ _id: { $in: unsized } }, { ...READ, projection: { data: 1 } }).toArray()) sizes.set(d._id, d.data.length);
      return docs.map((d) => ({ name: d.name, etag: d.etag, contentType: d.contentType, modifiedAt: d.modifiedAt, size: d.size ?? sizes.get(d._id) ?? 0 })).sort(byName);
    });
  }

  objectsInRange(collectionId: string, start: number | null, end: number | null, component: string | null): Promise<DavObject[]> {
    const filter: Filter<ObjectDoc> = { collectionId, $and: [] };
    if (end !== null) filter.$and!.push({ $or: [{ spanStart: null }, { spanStart: { $lte: end } }] });
    if (start !== null) filter.$and!.push({ $or: [{ spanEnd: null }, { spanEnd: { $gte: start } }] });
    if (component !== null) filter.component = component;
    if (filter.$and!.length === 0) delete filter.$and;
    return this.#find(filter);
  }

  putObject(collectionId: string, name: string, input: DavObjectInput): Promise<{ object: DavObject; created: boolean }> {
    return guard(() => this.#leases.hold(collectionId, async () => {
      if (!(await this.#collection(collectionId))) throw new DavCollectionNotFoundError();
      const holder = await this.#objects.findOne({ collectionId, uid: input.uid }, { projection: { name: 1 } });
      if (holder && holder.name !== name) throw new UidConflictError(holder.name);
      const _id = `${collectionId}/${name}`;
      const created = (await this.#objects.findOne({ _id }, { projection: { _id: 1 } })) === null;
      const object: DavObject = { ...input, data: Buffer.from(input.data), collectionId, name, etag: randomUUID().replace(/-/g, ''), modifiedAt: new Date().toISOString() };
      await this.#objects.replaceOne({ _id }, { ...object, data: Buffer.from(input.data), size: input.data.length }, { upsert: true });
      await this.#journal.append(davContainer(collectionId), { op: created ? 'create' : 'update', item: name });
      return { object, created };
    }, name));
  }

  removeObject(collectionId: string, name: string): Promise<boolean> {
    return guard(() => this.#leases.hold(collectionId, async () => {
      const { deletedCount } = await this.#objects.deleteOne({ _id: `${collectionId}/${name}` });
      if (deletedCount === 0) return false;
      await this.#journal.append(davContainer(collectionId), { op: 'delete', item: name });
      return true;
    }, name));
  }

  /** Under the collection's lease, so a grant never outlives a concurrent removeCollection. */
  grant(collectionId: string, granteeId: string, access: DavShareAccess): Promise<DavGrant> {
    return guard(() => this.#leases.hold(collectionId, async () => {
      if (!(await this.#collection(collectionId))) throw new DavCollectionNotFoundError();
      const _id = `${collectionId}\n${granteeId}`;
      // A changed access keeps the grant's age and the sharee's own properties.
      const current = await this.#grants.findOne({ _id });
      const grant: DavGrant = { collectionId, granteeId, access, createdAt: current?.createdAt ?? new Date().toISOString(), props: current ? grantFromDoc(current).props : {} };
      await this.#grants.replaceOne({ _id }, { ...grant, props: JSON.stringify(grant.props) }, { upsert: true });
      return grant;
    }));
  }

  revoke(collectionId: string, granteeId: string): Promise<boolean> {
    return guard(async () => (await this.#grants.deleteOne({ _id: `${collectionId}\n${granteeId}` })).deletedCount > 0);
  }

  /** Under the collection's lease, as grant() is: the two would otherwise lose each other's change. */
  setGrantProps(collectionId: string, granteeId: string, set: Record<string, string>, remove: string[]): Promise<DavGrant | null> {
    return guard(() => this.#leases.hold(collectionId, async () => {
      const _id = `${collectionId}\n${granteeId}`;
      const current = await this.#grants.findOne({ _id });
      if (!current) return null;
      const grant = grantFromDoc(current);
      grant.props = withProps(grant.props, set, remove);
      await this.#grants.updateOne({ _id }, { $set: { props: JSON.stringify(grant.props) } });
      return grant;
    }));
  }

  grantsOf(collectionId: string): Promise<DavGrant[]> {
    return guard(async () => (await this.#grants.find({ collectionId }).toArray()).map(grantFromDoc).sort(by('granteeId')));
  }

  grantsTo(granteeId: string): Promise<DavGrant[]> {
    return guard(async () => (await this.#grants.find({ granteeId }).toArray()).map(grantFromDoc).sort(by('collectionId')));
  }

  async #collection(id: string): Promise<DavCollection | null> {
    const doc = await this.#collections.findOne({ _id: id });
    return doc ? collectionFromDoc(doc) : null;
  }

  #find(filter: Filter<ObjectDoc>): Promise<DavObject[]> {
    return guard(async () => (await this.#objects.find(filter, READ).toArray()).map(objectFromDoc).sort(byName));
  }
}
