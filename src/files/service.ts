import type { Readable } from 'node:stream';
import type { BlobStore, FileNode, FilesStore, Journal } from '../store/ports/index.ts';
import { BlobTooLargeError, DriveFullError, FileNotFoundError, filesContainer } from '../store/ports/index.ts';
import { memberChanges, type MemberChanges } from '../journal/member-changes.ts';
import { contentTypeFor } from './content-type.ts';

/** A drive a principal may use: their own, or a group's shared one. */
export interface Drive {
  id: string;
  /** Bytes the drive may hold; null = no limit. */
  quota: number | null;
}

export class FileTooLargeError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`files are limited to ${limit} bytes`);
    this.name = 'FileTooLargeError';
    this.limit = limit;
  }
}

/**
 * File drives, independent of the protocol: path lookup, streamed writes into blobs that replace a
 * file in one store step (an interrupted upload never shows), quota, copies and moves, and each
 * directory's change journal for sync tokens. WebDAV is the first front; others can share it.
 */
export class FilesService {
  readonly #files: FilesStore;
  readonly #blobs: BlobStore;
  readonly #journal: Journal;
  readonly #maxFileBytes: number;

  constructor(options: { files: FilesStore; blobs: BlobStore; journal: Journal; maxFileBytes: number }) {
    this.#files = options.files;
    this.#blobs = options.blobs;
    this.#journal = options.journal;
    this.#maxFileBytes = options.maxFileBytes;
  }

  static userDrive(tenantId: string, userId: string): string {
    return `${tenantId}:user:${userId}`;
  }

  static groupDrive(tenantId: string, groupId: string): string {
    return `${tenantId}:group:${groupId}`;
  }

  async resolve(driveId: string, path: string[]): Promise<FileNode | null> {
    let node: FileNode | null = await this.#files.root(driveId);
    for (const name of path) {
      if (node.kind !== 'dir') return null;
      node = await this.#files.child(node.id, name);
      if (!node) return null;
    }
    return node;
  }

  children(node: FileNode): Promise<FileNode[]> {
    return this.#files.children(node.id);
  }

  read(node: FileNode, range?: { start: number; end: number }): Readable {
    if (!node.blob) throw new FileNotFoundError('not a file');
    return this.#blobs.read(node.blob, range);
  }

  /**
   * Streams the body into a blob (bounded by the file limit and the drive's free space), then
   * points the name at it. A failed or aborted body leaves the previous version in place.
   */
  async write(drive: Drive, path: string[], body: AsyncIterable<Uint8Array>, contentType: string | null): Promise<{ node: FileNode; created: boolean }> {
    const { parent, name } = await this.#parent(drive.id, path);
    const existing = await this.#files.child(parent.id, name);
    const room = drive.quota === null ? Infinity : drive.quota - (await this.#files.usage(drive.id)) + (existing?.size ?? 0);
    const maxBytes = Math.max(0, Math.min(this.#maxFileBytes, room));
    let blob;
    try {
      blob = await this.#blobs.put(body, { maxBytes });
    } catch (err) {
      if (err instanceof BlobTooLargeError) throw maxBytes < this.#maxFileBytes ? new DriveFullError() : new FileTooLargeError(this.#maxFileBytes);
      throw err;
    }
    return this.#files.putFile(parent.id, name, blob, contentTypeFor(name, contentType), drive.quota);
  }

  async mkdir(drive: Drive, path: string[]): Promise<FileNode> {
    const { parent, name } = await this.#parent(drive.id, path);
    return this.#files.mkdir(parent.id, name);
  }

  async remove(drive: Drive, path: string[]): Promise<void> {
    const node = await this.resolve(drive.id, path);
    if (!node) throw new FileNotFoundError();
    await this.#files.remove(node.id);
  }

  /** Deprovisioning: empties a purged user's drive; the bytes go with the next blob collection. */
  async purgeDrive(driveId: string): Promise<void> {
    const root = await this.#files.root(driveId);
    for (const node of await this.#files.children(root.id)) await this.#files.remove(node.id);
  }

  async copy(drive: Drive, from: string[], to: string[], deep: boolean): Promise<FileNode> {
    const node = await this.resolve(drive.id, from);
    if (!node) throw new FileNotFoundError();
    const { parent, name } = await this.#parent(drive.id, to);
    return this.#files.copy(node.id, parent.id, name, deep, drive.quota);
  }

  async move(drive: Drive, from: string[], to: string[]): Promise<FileNode> {
    const node = await this.resolve(drive.id, from);
    if (!node) throw new FileNotFoundError();
    const { parent, name } = await this.#parent(drive.id, to);
    return this.#files.move(node.id, parent.id, name);
  }

  async setProps(drive: Drive, path: string[], set: Record<string, string>, remove: string[]): Promise<FileNode> {
    const node = await this.resolve(drive.id, path);
    if (!node) throw new FileNotFoundError();
    return this.#files.setProps(node.id, set, remove);
  }

  usage(drive: Drive): Promise<number> {
    return this.#files.usage(drive.id);
  }

  /** A directory's change counter: its sync token and getctag. */
  changeCounter(directory: FileNode): Promise<number> {
    return this.#journal.head(filesContainer(directory.id));
  }

  /** Members changed or removed since `since`; null when `since` is in the directory's future. */
  changesSince(directory: FileNode, since: number, limit?: number): Promise<MemberChanges | null> {
    return memberChanges(this.#journal, filesContainer(directory.id), since, async () => new Set((await this.#files.children(directory.id)).map((n) => n.name)), limit);
  }

  isBlobReferenced(hash: string): Promise<boolean> {
    return this.#files.isBlobReferenced(hash);
  }

  async #parent(driveId: string, path: string[]): Promise<{ parent: FileNode; name: string }> {
    const name = path[path.length - 1];
    const parent = name === undefined ? null : await this.resolve(driveId, path.slice(0, -1));
    if (!parent || parent.kind !== 'dir' || name === undefined) throw new FileNotFoundError('the parent directory does not exist');
    return { parent, name };
  }
}
