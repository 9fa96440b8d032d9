import type { Readable } from 'node:stream';
import { FileTooLargeError, type Drive, type FilesService } from '../files/service.ts';
import type { FileNode } from '../store/ports/index.ts';
import { DriveFullError, FileExistsError, FileNotFoundError } from '../store/ports/index.ts';
import { DavError } from './errors.ts';
import type { CollectionInit, DavResource, DavSpace, QuotaInfo, SyncDelta } from './resource.ts';

export function fileResource(node: FileNode, displayName: string | null = null): DavResource {
  return {
    collection: node.kind === 'dir',
    etag: node.etag,
    contentLength: node.kind === 'file' ? node.size : null,
    contentType: node.contentType,
    lastModified: new Date(node.modifiedAt),
    created: new Date(node.createdAt),
    displayName,
    deadProps: node.props,
  };
}

/** Maps the files service's errors onto DAV answers. */
async function mapped<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof FileNotFoundError) throw new DavError(409, null, err.message);
    if (err instanceof FileExistsError) throw new DavError(405, null, err.message);
    if (err instanceof DriveFullError) throw new DavError(507, 'quota-not-exceeded', err.message);
    if (err instanceof FileTooLargeError) throw new DavError(413, null, err.message);
    throw err;
  }
}

/** A file drive (a user's own or a group's) as a DAV space. */
export class DriveSpace implements DavSpace {
  readonly #files: FilesService;
  readonly #drive: Drive;
  readonly #displayName: string | null;
  readonly writable = true;
  readonly owner: string | null;

  constructor(files: FilesService, drive: Drive, options: { owner: string | null; displayName: string | null }) {
    this.#files = files;
    this.#drive = drive;
    this.owner = options.owner;
    this.#displayName = options.displayName;
  }

  async find(path: string[]): Promise<DavResource | null> {
    const node = await this.#files.resolve(this.#drive.id, path);
    return node ? fileResource(node, path.length ? null : this.#displayName) : null;
  }

  async list(path: string[]): Promise<Array<{ name: string; resource: DavResource }>> {
    const node = await this.#files.resolve(this.#drive.id, path);
    if (!node || node.kind !== 'dir') return [];
    return (await this.#files.children(node)).map((child) => ({ name: child.name, resource: fileResource(child) }));
  }

  async read(path: string[], range?: { start: number; end: number }): Promise<Readable> {
    const node = await this.#files.resolve(this.#drive.id, path);
    if (!node) throw new DavError(404);
    return this.#files.read(node, range);
  }

  put(path: string[], body: AsyncIterable<Uint8Array>, contentType: string | null): Promise<{ created: boolean; resource: DavResource }> {
    return mapped(async () => {
      const { node, created } = await this.#files.write(this.#drive, path, body, contentType);
      return { created, resource: fileResource(node) };
    });
  }

  mkcol(path: string[], init?: CollectionInit): Promise<void> {
    if (init) return Promise.reject(new DavError(403, 'valid-resourcetype', 'a drive holds plain folders only'));
    return mapped(async () => void (await this.#files.mkdir(this.#drive, path)));
  }

  remove(path: string[]): Promise<void> {
    return mapped(() => this.#files.remove(this.#drive, path));
  }

  patch(path: string[], set: Record<string, string>, remove: string[]): Promise<void> {
    return mapped(async () => void (await this.#files.setProps(this.#drive, path, set, remove)));
  }

  copy(from: string[], to: string[], deep: boolean): Promise<void> {
    return mapped(async () => void (await this.#files.copy(this.#drive, from, to, deep)));
  }

  move(from: string[], to: string[]): Promise<void> {
    return mapped(async () => void (await this.#files.move(this.#drive, from, to)));
  }

  async quota(): Promise<QuotaInfo> {
    const used = await this.#files.usage(this.#drive);
    return { used, available: this.#drive.quota === null ? null : Math.max(0, this.#drive.quota - used) };
  }

  /** `{directory id}-{modseq}`: a token from another directory never passes for this one's. */
  async syncToken(path: string[]): Promise<string | null> {
    const node = await this.#files.resolve(this.#drive.id, path);
    return node?.kind === 'dir' ? `${node.id}-${await this.#files.changeCounter(node)}` : null;
  }

  async changesSince(path: string[], token: string, limit: number): Promise<SyncDelta | null> {
    const node = await this.#files.resolve(this.#drive.id, path);
    const match = /^(.+)-(\d+)$/.exec(token);
    if (node?.kind !== 'dir' || !match || match[1] !== node.id) return null;
    const changes = await this.#files.changesSince(node, Number(match[2]), limit);
    return changes && { ...changes, token: `${node.id}-${changes.head}` };
  }
}

