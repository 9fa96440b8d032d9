import { randomUUID } from 'node:crypto';
import type { BlobInfo } from '../ports/blob.ts';
import type { FileNode, FilesStore } from '../ports/files.ts';
import { DriveFullError, FileExistsError, FileNotFoundError, filesContainer } from '../ports/files.ts';
import type { SqliteJournal } from './journal.ts';
import type { Db } from './database.ts';
import { fromJson, guard, StatementCache, toJson } from './database.ts';

interface NodeRow {
  id: string;
  drive_id: string;
  parent_id: string | null;
  name: string;
  kind: string;
  blob: string | null;
  size: number;
  content_type: string | null;
  etag: string;
  created_at: string;
  modified_at: string;
  props: string;
}

const COLUMNS = 'id, drive_id, parent_id, name, kind, blob, size, content_type, etag, created_at, modified_at, props';

function fromRow(row: NodeRow): FileNode {
  return {
    id: row.id, driveId: row.drive_id, parentId: row.parent_id, name: row.name, kind: row.kind === 'dir' ? 'dir' : 'file',
    blob: row.blob, size: row.size, contentType: row.content_type, etag: row.etag,
    createdAt: row.created_at, modifiedAt: row.modified_at, props: row.props === '{}' ? {} : fromJson(row.props),
  };
}

function newEtag(): string {
  return randomUUID().replace(/-/g, '');
}

/**
 * File drives on SQLite: an adjacency list with one row per node. Every write is one IMMEDIATE
 * transaction that changes the rows, the drive's usage and the parent directories' journal heads
 * together, so a PUT replaces the blob pointer atomically and quota is checked where it is spent.
 */
export class SqliteFilesStore implements FilesStore {
  readonly #journal: SqliteJournal;
  readonly #sql: StatementCache;

  constructor(db: Db, journal: SqliteJournal) {
    this.#journal = journal;
    this.#sql = new StatementCache(db);
  }

  root(driveId: string): Promise<FileNode> {
    return guard(() => {
      const found = this.#rootRow(driveId);
      if (found) return fromRow(found);
      return this.#journal.transact(() => {
        const again = this.#rootRow(driveId);
        if (again) return fromRow(again);
        const now = new Date().toISOString();
        const node: FileNode = { id: randomUUID(), driveId, parentId: null, name: '', kind: 'dir', blob: null, size: 0, contentType: null, etag: newEtag(), createdAt: now, modifiedAt: now, props: {} };
        this.#insert(node);
        return node;
      });
    });
  }

  get(id: string): Promise<FileNode | null> {
    return guard(() => this.#row(id));
  }

  child(parentId: string, name: string): Promise<FileNode | null> {
    return guard(() => {
      const row = this.#sql.get(`SELECT ${COLUMNS} FROM file_nodes WHERE parent_id = ? AND name = ?`).get(parentId, name) as NodeRow | undefined;
      return row ? fromRow(row) : null;
    });
  }

  children(parentId: string): Promise<FileNode[]> {
    return guard(() => (this.#sql.get(`SELECT ${COLUMNS} FROM file_nodes WHERE parent_id = ? ORDER BY name`).all(parentId) as NodeRow[]).map(fromRow));
  }

  mkdir(parentId: string, name: string): Promise<FileNode> {
    return guard(() => this.#journal.transact((append) => {
      const parent = this.#directory(parentId);
      if (this.#childRow(parentId, name)) throw new FileExistsError(name);
      const now = new Date().toISOString();
      const node: FileNode = { id: randomUUID(), driveId: parent.driveId, parentId, name, kind: 'dir', blob: null, size: 0, contentType: null, etag: newEtag(), createdAt: now, modifiedAt: now, props: {} };
      this.#insert(node);
      append(filesContainer(parentId), { op: 'create', item: name });
      return node;
    }));
  }

  putFile(parentId: string, name: string, blob: BlobInfo, contentType: string | null, quota: number | null): Promise<{ node: FileNode; created: boolean }> {
    return guard(() => this.#journal.transact((append) => {
      const parent = this.#directory(parentId);
      const existing = this.#childRow(parentId, name);
      if (existing?.kind === 'dir') throw new FileExistsError(name);
      const delta = blob.size - (existing?.size ?? 0);
      if (quota !== null && delta > 0 && this.#usage(parent.driveId) + delta > quota) throw new DriveFullError();
      const now = new Date().toISOString();
      let node: FileNode;
      if (existing) {
        node = { ...fromRow(existing), blob: blob.hash, size: blob.size, contentType, etag: newEtag(), modifiedAt: now };
        this.#sql.get('UPDATE file_nodes SET blob = ?, size = ?, content_type = ?, etag = ?, modified_at = ? WHERE id = ?')
          .run(node.blob, node.size, node.contentType, node.etag, now, node.id);
      } else {
        node = { id: randomUUID(), driveId: parent.driveId, parentId, name, kind: 'file', blob: blob.hash, size: blob.size, contentType, etag: newEtag(), createdAt: now, modifiedAt: now, props: {} };
        this.#insert(node);
      }
      this.#addUsage(parent.driveId, delta);
      append(filesContainer(parentId), { op: existing ? 'update' : 'create', item: name });
      return { node, created: !existing };
    }));
  }

  remove(id: string): Promise<void> {
    return guard(() => this.#journal.transact((append) => {
      const node = this.#row(id);
      if (!node) throw new FileNotFoundError();
      const subtree = this.#subtree(id);
      const bytes = subtree.reduce((sum, n) => sum + (n.kind === 'file' ? n.size : 0), 0);
      // Deepest first, so no row outlives its parent (the foreign key).
      for (const n of subtree.reverse()) this.#sql.get('DELETE FROM file_nodes WHERE id = ?').run(n.id);
      this.#addUsage(node.driveId, -bytes);
      if (node.parentId) append(filesContainer(node.parentId), { op: 'delete', item: node.name });
    }));
  }

  move(id: string, parentId: string, name: string): Promise<FileNode> {
    return guard(() => this.#journal.transact((append) => {
      const node = this.#row(id);
      if (!node || !node.parentId) throw new FileNotFoundError();
      const parent = this.#directory(parentId);
      if (parent.driveId !== node.driveId) throw new Error('move across drives');
      if (this.#subtree(id).some((n) => n.id === parentId)) throw new FileExistsError(name);
      if (this.#childRow(parentId, name)) throw new FileExistsError(name);
      this.#sql.get('UPDATE file_nodes SET parent_id = ?, name = ? WHERE id = ?').run(parentId, name, id);
      append(filesContainer(node.parentId), { op: 'delete', item: node.name });
      append(filesContainer(parentId), { op: 'create', item: name });
      return { ...node, parentId, name };
    }));
  }

  copy(id: string, parentId: string, name: string, deep: boolean, quota: number | null): Promise<FileNode> {
    return guard(() => this.#journal.transact((append) => {
      const source = this.#row(id);
      if (!source) throw new FileNotFoundError();
      const parent = this.#directory(parentId);
      if (this.#childRow(parentId, name)) throw new FileExistsError(name);
      const nodes = deep ? this.#subtree(id) : [source];
      if (nodes.some((n) => n.id === parentId)) throw new FileExistsError(name);
      const bytes = nodes.reduce((sum, n) => sum + (n.kind === 'file' ? n.size : 0), 0);
      if (quota !== null && bytes > 0 && this.#usage(parent.driveId) + bytes > quota) throw new DriveFullError();
      const now = new Date().toISOString();
      const ids = new Map<string, string>();
      let top: FileNode | undefined;
      for (const n of nodes) {
        const copyId = randomUUID();
        ids.set(n.id, copyId);
        const isTop = n.id === id;
        const copied: FileNode = {
          ...n, id: copyId, driveId: parent.driveId, parentId: isTop ? parentId : (ids.get(n.parentId ?? '') ?? parentId),
          name: isTop ? name : n.name, etag: newEtag(), createdAt: now, modifiedAt: now,
        };
        this.#insert(copied);
        if (!isTop && copied.parentId) append(filesContainer(copied.parentId), { op: 'create', item: copied.name });
        top ??= copied;
      }
      this.#addUsage(parent.driveId, bytes);
      append(filesContainer(parentId), { op: 'create', item: name });
      return top!;
    }));
  }

  setProps(id: string, set: Record<string, string>, remove: string[]): Promise<FileNode> {
    return guard(() => this.#journal.transact((append) => {
      const node = this.#row(id);
      if (!node) throw new FileNotFoundError();
      const props = { ...node.props, ...set };
      for (const key of remove) delete props[key];
      const next = { ...node, props };
      this.#sql.get('UPDATE file_nodes SET props = ? WHERE id = ?').run(toJson(props), id);
      if (node.parentId) append(filesContainer(node.parentId), { op: 'update', item: node.name });
      return next;
    }));
  }

  usage(driveId: string): Promise<number> {
    return guard(() => this.#usage(driveId));
  }

  isBlobReferenced(hash: string): Promise<boolean> {
    return guard(() => this.#sql.get('SELECT 1 FROM file_nodes WHERE blob = ? LIMIT 1').get(hash) !== undefined);
  }

  #rootRow(driveId: string): NodeRow | undefined {
    return this.#sql.get(`SELECT ${COLUMNS} FROM file_nodes WHERE drive_id = ? AND parent_id IS NULL`).get(driveId) as NodeRow | undefined;
  }

  #row(id: string): FileNode | null {
    const row = this.#sql.get(`SELECT ${COLUMNS} FROM file_nodes WHERE id = ?`).get(id) as NodeRow | undefined;
    return row ? fromRow(row) : null;
  }

  #childRow(parentId: string, name: string): NodeRow | undefined {
    return this.#sql.get(`SELECT ${COLUMNS} FROM file_nodes WHERE parent_id = ? AND name = ?`).get(parentId, name) as NodeRow | undefined;
  }

  #directory(id: string): FileNode {
    const node = this.#row(id);
    if (!node || node.kind !== 'dir') throw new FileNotFoundError('no such directory');
    return node;
  }

  /** The node and everything below it, parents before children. */
  #subtree(id: string): FileNode[] {
    const rows = this.#sql.get(
      `WITH RECURSIVE tree(id, depth) AS (SELECT ?, 0 UNION ALL SELECT n.id, t.depth + 1 FROM file_nodes n JOIN tree t ON n.parent_id = t.id)
       SELECT ${COLUMNS.split(', ').map((c) => `n.${c}`).join(', ')} FROM tree JOIN file_nodes n ON n.id = tree.id ORDER BY tree.depth`,
    ).all(id) as NodeRow[];
    return rows.map(fromRow);
  }

  #insert(node: FileNode): void {
    this.#sql.get(`INSERT INTO file_nodes (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      node.id, node.driveId, node.parentId, node.name, node.kind, node.blob, node.size, node.contentType, node.etag, node.createdAt, node.modifiedAt, toJson(node.props),
    );
  }

  #usage(driveId: string): number {
    return (this.#sql.get('SELECT bytes FROM file_usage WHERE drive_id = ?').get(driveId) as { bytes: number } | undefined)?.bytes ?? 0;
  }

  #addUsage(driveId: string, delta: number): void {
    if (delta === 0) return;
    this.#sql.get('INSERT INTO file_usage (drive_id, bytes) VALUES (?, ?) ON CONFLICT (drive_id) DO UPDATE SET bytes = bytes + excluded.bytes').run(driveId, delta);
  }
}
