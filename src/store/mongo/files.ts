import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { BlobInfo } from '../ports/blob.ts';
import type { FileNode, FilesStore } from '../ports/files.ts';
import { DriveFullError, FileExistsError, FileNotFoundError, filesContainer } from '../ports/files.ts';
import type { Change } from '../ports/journal.ts';
import { COLLECTIONS, guard, isDuplicateKey } from './database.ts';
import type { MongoJournal } from './journal.ts';
import { Leases, type LeaseDoc } from './leases.ts';

interface NodeDoc extends Omit<FileNode, 'id' | 'props'> {
  _id: string;
  /** Dead properties as JSON text: FerretDB refuses field names with '.' or a leading '$'. */
  props: string;
}

interface DriveDoc {
  _id: string;
  bytes: number;
}

function fromDoc(doc: NodeDoc): FileNode {
  const { _id, props, ...rest } = doc;
  return { ...rest, id: _id, props: JSON.parse(props) as Record<string, string> };
}

function toDoc(node: FileNode): NodeDoc {
  const { id, props, ...rest } = node;
  return { ...rest, _id: id, props: JSON.stringify(props) };
}

function newEtag(): string {
  return randomUUID().replace(/-/g, '');
}

/**
 * File drives on MongoDB and FerretDB (no transactions, no atomic read-modify-write). Writes to one
 * drive are serialised by a lease (`file_leases {_id: driveId}`, leases.ts): the holder alone
 * changes that drive's nodes and its usage total, then appends the journal entries and releases.
 *
 * A root's `_id` is `root:{driveId}`, so creating it races safely on the insert. Crash windows:
 * a holder that dies mid-write can leave part of a subtree copy or removal done and the usage total
 * off by that part; a PUT is one node write, so a file is always the old or the new version.
 */
export class MongoFilesStore implements FilesStore {
  readonly #nodes: Collection<NodeDoc>;
  readonly #drives: Collection<DriveDoc>;
  readonly #leases: Leases;
  readonly #journal: MongoJournal;

  constructor(db: Db, journal: MongoJournal) {
    this.#nodes = db.collection<NodeDoc>(COLLECTIONS.fileNodes);
    this.#drives = db.collection<DriveDoc>(COLLECTIONS.fileDrives);
    this.#leases = new Leases(db.collection<LeaseDoc>(COLLECTIONS.fileLeases));
    this.#journal = journal;
  }

  root(driveId: string): Promise<FileNode> {
    return guard(async () => {
      const id = `root:${driveId}`;
      const found = await this.#nodes.findOne({ _id: id });
      if (found) return fromDoc(found);
      const now = new Date().toISOString();
      const node: FileNode = { id, driveId, parentId: null, name: '', kind: 'dir', blob: null, size: 0, contentType: null, etag: newEtag(), createdAt: now, modifiedAt: now, props: {} };
      try {
        await this.#nodes.insertOne(toDoc(node));
        return node;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        return fromDoc((await this.#nodes.findOne({ _id: id }))!);
      }
    });
  }

  get(id: string): Promise<FileNode | null> {
    return guard(async () => {
      const doc = await this.#nodes.findOne({ _id: id });
      return doc ? fromDoc(doc) : null;
    });
  }

  child(parentId: string, name: string): Promise<FileNode | null> {
    return guard(async () => {
      const doc = await this.#nodes.findOne({ parentId, name });
      return doc ? fromDoc(doc) : null;
    });
  }

  children(parentId: string): Promise<FileNode[]> {
    return guard(async () => (await this.#nodes.find({ parentId }).toArray()).map(fromDoc).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
  }

  mkdir(parentId: string, name: string): Promise<FileNode> {
    return this.#inDriveOf(parentId, async (parent, journal) => {
      if (parent.kind !== 'dir') throw new FileNotFoundError('no such directory');
      if (await this.#nodes.findOne({ parentId, name })) throw new FileExistsError(name);
      const now = new Date().toISOString();
      const node: FileNode = { id: randomUUID(), driveId: parent.driveId, parentId, name, kind: 'dir', blob: null, size: 0, contentType: null, etag: newEtag(), createdAt: now, modifiedAt: now, props: {} };
      await this.#nodes.insertOne(toDoc(node));
      journal(parentId, { op: 'create', item: name });
      return node;
    });
  }

  putFile(parentId: string, name: string, blob: BlobInfo, contentType: string | null, quota: number | null): Promise<{ node: FileNode; created: boolean }> {
    return this.#inDriveOf(parentId, async (parent, journal) => {
      if (parent.kind !== 'dir') throw new FileNotFoundError('no such directory');
      const existingDoc = await this.#nodes.findOne({ parentId, name });
      const existing = existingDoc ? fromDoc(existingDoc) : null;
      if (existing?.kind === 'dir') throw new FileExistsError(name);
      const delta = blob.size - (existing?.size ?? 0);
      const used = await this.#used(parent.driveId);
      if (quota !== null && delta > 0 && used + delta > quota) throw new DriveFullError();
      const now = new Date().toISOString();
      const node: FileNode = existing
        ? { ...existing, blob: blob.hash, size: blob.size, contentType, etag: newEtag(), modifiedAt: now }
        : { id: randomUUID(), driveId: parent.driveId, parentId, name, kind: 'file', blob: blob.hash, size: blob.size, contentType, etag: newEtag(), createdAt: now, modifiedAt: now, props: {} };
      // One document write: readers see the old blob pointer or the new one.
      await this.#nodes.replaceOne({ _id: node.id }, toDoc(node), { upsert: true });
      await this.#setUsed(parent.driveId, used + delta);
      journal(parentId, { op: existing ? 'update' : 'create', item: name });
      return { node, created: !existing };
    });
  }

  remove(id: string): Promise<void> {
    return this.#inDriveOf(id, async (node, journal) => {
      const subtree = await this.#subtree(node);
      const bytes = subtree.reduce((sum, n) => sum + (n.kind === 'file' ? n.size : 0), 0);
      await this.#nodes.deleteMany({ _id: { $in: subtree.map((n) => n.id) } });
      await this.#setUsed(node.driveId, (await this.#used(node.driveId)) - bytes);
      if (node.parentId) journal(node.parentId, { op: 'delete', item: node.name });
    });
  }

  move(id: string, parentId: string, name: string): Promise<FileNode> {
    return this.#inDriveOf(id, async (node, journal) => {
      const parent = await this.get(parentId);
      if (!node.parentId || !parent || parent.kind !== 'dir' || parent.driveId !== node.driveId) throw new FileNotFoundError('no such directory');
      if ((await this.#subtree(node)).some((n) => n.id === parentId)) throw new FileExistsError(name);
      if (await this.#nodes.findOne({ parentId, name })) throw new FileExistsError(name);
      const moved = { ...node, parentId, name };
      await this.#nodes.replaceOne({ _id: id }, toDoc(moved));
      journal(node.parentId, { op: 'delete', item: node.name });
      journal(parentId, { op: 'create', item: name });
      return moved;
    });
  }

  copy(id: string, parentId: string, name: string, deep: boolean, quota: number | null): Promise<FileNode> {
    return this.#inDriveOf(parentId, async (parent, journal) => {
      const source = await this.get(id);
      if (!source) throw new FileNotFoundError();
      if (parent.kind !== 'dir') throw new FileNotFoundError('no such directory');
      if (await this.#nodes.findOne({ parentId, name })) throw new FileExistsError(name);
      const nodes = deep ? await this.#subtree(source) : [source];
      if (nodes.some((n) => n.id === parentId)) throw new FileExistsError(name);
      const bytes = nodes.reduce((sum, n) => sum + (n.kind === 'file' ? n.size : 0), 0);
      const used = await this.#used(parent.driveId);
      if (quota !== null && bytes > 0 && used + bytes > quota) throw new DriveFullError();
      const now = new Date().toISOString();
      const ids = new Map<string, string>();
      const copies = nodes.map((n) => {
        const copyId = randomUUID();
        ids.set(n.id, copyId);
        const top = n.id === id;
        return { ...n, id: copyId, driveId: parent.driveId, parentId: top ? parentId : (ids.get(n.parentId ?? '') ?? parentId), name: top ? name : n.name, etag: newEtag(), createdAt: now, modifiedAt: now };
      });
      // Children first, the top last: until the top exists the copy is invisible.
      await this.#nodes.insertMany([...copies].reverse().map(toDoc), { ordered: true });
      await this.#setUsed(parent.driveId, used + bytes);
      for (const c of copies.slice(1)) journal(c.parentId!, { op: 'create', item: c.name });
      journal(parentId, { op: 'create', item: name });
      return copies[0]!;
    });
  }

  setProps(id: string, set: Record<string, string>, remove: string[]): Promise<FileNode> {
    return this.#inDriveOf(id, async (node, journal) => {
      const props = { ...node.props, ...set };
      for (const key of remove) delete props[key];
      const next = { ...node, props };
      await this.#nodes.replaceOne({ _id: id }, toDoc(next));
      if (node.parentId) journal(node.parentId, { op: 'update', item: node.name });
      return next;
    });
  }

  usage(driveId: string): Promise<number> {
    return guard(() => this.#used(driveId));
  }

  isBlobReferenced(hash: string): Promise<boolean> {
    return guard(async () => (await this.#nodes.findOne({ blob: hash }, { projection: { _id: 1 } })) !== null);
  }

  async #used(driveId: string): Promise<number> {
    return (await this.#drives.findOne({ _id: driveId }))?.bytes ?? 0;
  }

  async #setUsed(driveId: string, bytes: number): Promise<void> {
    await this.#drives.replaceOne({ _id: driveId }, { bytes }, { upsert: true });
  }

  /** The node and everything below it, parents before children. */
  async #subtree(node: FileNode): Promise<FileNode[]> {
    const all = [node];
    for (let i = 0; i < all.length; i++) {
      if (all[i]!.kind === 'dir') all.push(...(await this.#nodes.find({ parentId: all[i]!.id }).toArray()).map(fromDoc));
    }
    return all;
  }

  /**
   * Runs `step` holding the lease of the drive the node belongs to, then appends the journal
   * entries it collected (after its writes, so a reader that sees a modseq also sees the change).
   */
  #inDriveOf<T>(nodeId: string, step: (node: FileNode, journal: (directoryId: string, change: Change) => void) => Promise<T>): Promise<T> {
    return guard(async () => {
      const first = await this.get(nodeId);
      if (!first) throw new FileNotFoundError();
      return this.#leases.hold(first.driveId, async () => {
        const changes: Array<[string, Change]> = [];
        const node = await this.get(nodeId);
        if (!node) throw new FileNotFoundError();
        const result = await step(node, (directoryId, change) => changes.push([directoryId, change]));
        for (const [directoryId, change] of changes) await this.#journal.append(filesContainer(directoryId), change);
        return result;
      });
    });
  }
}
