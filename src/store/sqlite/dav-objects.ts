import { randomUUID } from 'node:crypto';
import type { DavCollection, DavCollectionKind, DavCollectionProps, DavGrant, DavObject, DavObjectInput, DavObjectStore, DavObjectSummary, DavShareAccess } from '../ports/dav-objects.ts';
import { DavCollectionExistsError, DavCollectionNotFoundError, davContainer, UidConflictError } from '../ports/dav-objects.ts';
import { collectionProps, propsOf, withProps } from '../shared/dav-collections.ts';
import type { Db } from './database.ts';
import { fromJson, guard, StatementCache, toJson } from './database.ts';
import type { SqliteJournal } from './journal.ts';

interface CollectionRow {
  id: string;
  owner_id: string;
  kind: string;
  name: string;
  props: string;
  created_at: string;
}

interface ObjectRow {
  collection_id: string;
  name: string;
  uid: string;
  component: string;
  span_start: number | null;
  span_end: number | null;
  data: Uint8Array;
  content_type: string;
  etag: string;
  modified_at: string;
}

interface GrantRow {
  collection_id: string;
  grantee_id: string;
  access: string;
  created_at: string;
  props: string;
}

function grantFromRow(row: GrantRow): DavGrant {
  return { collectionId: row.collection_id, granteeId: row.grantee_id, access: row.access as DavShareAccess, createdAt: row.created_at, props: fromJson<Record<string, string>>(row.props) };
}

const OBJECT_COLUMNS = 'collection_id, name, uid, component, span_start, span_end, data, content_type, etag, modified_at';
const SUMMARY_COLUMNS = 'name, etag, content_type AS contentType, modified_at AS modifiedAt, length(data) AS size';

function collectionFromRow(row: CollectionRow): DavCollection {
  return { id: row.id, ownerId: row.owner_id, kind: row.kind as DavCollectionKind, name: row.name, createdAt: row.created_at, ...fromJson<DavCollectionProps>(row.props) };
}

function objectFromRow(row: ObjectRow): DavObject {
  return {
    collectionId: row.collection_id, name: row.name, uid: row.uid, component: row.component, spanStart: row.span_start, spanEnd: row.span_end,
    data: row.data, contentType: row.content_type, etag: row.etag, modifiedAt: row.modified_at,
  };
}

/**
 * Calendars and address books on SQLite: one row per collection (properties as JSON) and one per
 * object with its bytes in the row (objects are small). The UID is unique per collection by index,
 * and every write changes the rows and the collection's journal head in one IMMEDIATE transaction.
 */
export class SqliteDavObjectStore implements DavObjectStore {
  readonly #journal: SqliteJournal;
  readonly #sql: StatementCache;

  constructor(db: Db, journal: SqliteJournal) {
    this.#journal = journal;
    this.#sql = new StatementCache(db);
  }

  collections(ownerId: string, kind: DavCollectionKind): Promise<DavCollection[]> {
    return guard(() => (this.#sql.get('SELECT * FROM dav_collections WHERE owner_id = ? AND kind = ? ORDER BY name').all(ownerId, kind) as CollectionRow[]).map(collectionFromRow));
  }

  collection(id: string): Promise<DavCollection | null> {
    return guard(() => this.#collection(id));
  }

  createCollection(ownerId: string, kind: DavCollectionKind, name: string, props: Partial<DavCollectionProps>): Promise<DavCollection> {
    return guard(() => this.#journal.transact(() => {
      if (this.#sql.get('SELECT 1 FROM dav_collections WHERE owner_id = ? AND kind = ? AND name = ?').get(ownerId, kind, name)) throw new DavCollectionExistsError(name);
      const collection: DavCollection = { id: randomUUID(), ownerId, kind, name, createdAt: new Date().toISOString(), ...collectionProps(props) };
      this.#sql.get('INSERT INTO dav_collections (id, owner_id, kind, name, props, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(collection.id, ownerId, kind, name, toJson(propsOf(collection)), collection.createdAt);
      return collection;
    }));
  }

  updateCollection(id: string, props: Partial<Omit<DavCollectionProps, 'dead'>>, setDead: Record<string, string>, removeDead: string[]): Promise<DavCollection> {
    return guard(() => this.#journal.transact(() => {
      const current = this.#collection(id);
      if (!current) throw new DavCollectionNotFoundError();
      const next: DavCollection = { ...current, ...props, dead: withProps(current.dead, setDead, removeDead) };
      this.#sql.get('UPDATE dav_collections SET props = ? WHERE id = ?').run(toJson(propsOf(next)), id);
      return next;
    }));
  }

  removeCollection(id: string): Promise<void> {
    return guard(() => this.#journal.transact(() => {
      this.#sql.get('DELETE FROM dav_objects WHERE collection_id = ?').run(id);
      // Its grants go by the foreign key's ON DELETE CASCADE.
      this.#sql.get('DELETE FROM dav_collections WHERE id = ?').run(id);
    }));
  }

  object(collectionId: string, name: string): Promise<DavObject | null> {
    return guard(() => this.#object(collectionId, name));
  }

  objects(collectionId: string, names: string[] | null): Promise<DavObject[]> {
    return guard(() => (this.#members(OBJECT_COLUMNS, collectionId, names) as ObjectRow[]).map(objectFromRow));
  }

  objectSummaries(collectionId: string, names: string[] | null): Promise<DavObjectSummary[]> {
    return guard(() => this.#members(SUMMARY_COLUMNS, collectionId, names) as DavObjectSummary[]);
  }

  objectsInRange(collectionId: string, start: number | null, end: number | null, component: string | null): Promise<DavObject[]> {
    return guard(() => {
      const rows = this.#sql.get(
        `SELECT ${OBJECT_COLUMNS} FROM dav_objects WHERE collection_id = ?
         AND (? IS NULL OR span_start IS NULL OR span_start <= ?)
         AND (? IS NULL OR span_end IS NULL OR span_end >= ?)
         AND (? IS NULL OR component = ?) ORDER BY name`,
      ).all(collectionId, end, end, start, start, component, component) as ObjectRow[];
      return rows.map(objectFromRow);
    });
  }

  putObject(collectionId: string, name: string, input: DavObjectInput): Promise<{ object: DavObject; created: boolean }> {
    return guard(() => this.#journal.transact((append) => {
      if (!this.#collection(collectionId)) throw new DavCollectionNotFoundError();
      const holder = this.#sql.get('SELECT name FROM dav_objects WHERE collection_id = ? AND uid = ?').get(collectionId, input.uid) as { name: string } | undefined;
      if (holder && holder.name !== name) throw new UidConflictError(holder.name);
      const created = !this.#sql.get('SELECT 1 FROM dav_objects WHERE collection_id = ? AND name = ?').get(collectionId, name);
      const object: DavObject = { ...input, data: Buffer.from(input.data), collectionId, name, etag: randomUUID().replace(/-/g, ''), modifiedAt: new Date().toISOString() };
      this.#sql.get(
        `INSERT INTO dav_objects (${OBJECT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (collection_id, name) DO UPDATE SET uid = excluded.uid, component = excluded.component, span_start = excluded.span_start,
         span_end = excluded.span_end, data = excluded.data, content_type = excluded.content_type, etag = excluded.etag, modified_at = excluded.modified_at`,
      ).run(collectionId, name, object.uid, object.component, object.spanStart, object.spanEnd, object.data, object.contentType, object.etag, object.modifiedAt);
      append(davContainer(collectionId), { op: created ? 'create' : 'update', item: name });
      return { object, created };
    }));
  }

  removeObject(collectionId: string, name: string): Promise<boolean> {
    return guard(() => this.#journal.transact((append) => {
      const { changes } = this.#sql.get('DELETE FROM dav_objects WHERE collection_id = ? AND name = ?').run(collectionId, name);
      if (changes === 0) return false;
      append(davContainer(collectionId), { op: 'delete', item: name });
      return true;
    }));
  }

  grant(collectionId: string, granteeId: string, access: DavShareAccess): Promise<DavGrant> {
    return guard(() => this.#journal.transact(() => {
      if (!this.#collection(collectionId)) throw new DavCollectionNotFoundError();
      // A changed access keeps the grant's age.
      this.#sql.get(`INSERT INTO dav_grants (collection_id, grantee_id, access, created_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (collection_id, grantee_id) DO UPDATE SET access = excluded.access`).run(collectionId, granteeId, access, new Date().toISOString());
      return this.#grant(collectionId, granteeId)!;
    }));
  }

  revoke(collectionId: string, granteeId: string): Promise<boolean> {
    return guard(() => this.#sql.get('DELETE FROM dav_grants WHERE collection_id = ? AND grantee_id = ?').run(collectionId, granteeId).changes > 0);
  }

  setGrantProps(collectionId: string, granteeId: string, set: Record<string, string>, remove: string[]): Promise<DavGrant | null> {
    return guard(() => this.#journal.transact(() => {
      const grant = this.#grant(collectionId, granteeId);
      if (!grant) return null;
      grant.props = withProps(grant.props, set, remove);
      this.#sql.get('UPDATE dav_grants SET props = ? WHERE collection_id = ? AND grantee_id = ?').run(toJson(grant.props), collectionId, granteeId);
      return grant;
    }));
  }

  grantsOf(collectionId: string): Promise<DavGrant[]> {
    return guard(() => (this.#sql.get('SELECT * FROM dav_grants WHERE collection_id = ? ORDER BY grantee_id').all(collectionId) as GrantRow[]).map(grantFromRow));
  }

  grantsTo(granteeId: string): Promise<DavGrant[]> {
    return guard(() => (this.#sql.get('SELECT * FROM dav_grants WHERE grantee_id = ? ORDER BY collection_id').all(granteeId) as GrantRow[]).map(grantFromRow));
  }

  #grant(collectionId: string, granteeId: string): DavGrant | null {
    const row = this.#sql.get('SELECT * FROM dav_grants WHERE collection_id = ? AND grantee_id = ?').get(collectionId, granteeId) as GrantRow | undefined;
    return row ? grantFromRow(row) : null;
  }

  #collection(id: string): DavCollection | null {
    const row = this.#sql.get('SELECT * FROM dav_collections WHERE id = ?').get(id) as CollectionRow | undefined;
    return row ? collectionFromRow(row) : null;
  }

  /**
   * A collection's rows, all or those named: one statement however many names, which are passed as
   * a JSON array. Two statements, as `? IS NULL OR name IN …` would make SQLite scan the collection.
   */
  #members(columns: string, collectionId: string, names: string[] | null): unknown[] {
    if (names === null) return this.#sql.get(`SELECT ${columns} FROM dav_objects WHERE collection_id = ? ORDER BY name`).all(collectionId);
    return this.#sql.get(`SELECT ${columns} FROM dav_objects WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?)) ORDER BY name`).all(collectionId, JSON.stringify(names));
  }

  #object(collectionId: string, name: string): DavObject | null {
    const row = this.#sql.get(`SELECT ${OBJECT_COLUMNS} FROM dav_objects WHERE collection_id = ? AND name = ?`).get(collectionId, name) as ObjectRow | undefined;
    return row ? objectFromRow(row) : null;
  }
}
