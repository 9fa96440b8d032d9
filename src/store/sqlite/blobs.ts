import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, openSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, opendir, rename, stat, unlink, utimes } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobInfo, BlobStore } from '../ports/blob.ts';
import { BlobTooLargeError } from '../ports/blob.ts';

const HASH = /^[0-9a-f]{64}$/;
const FANOUT = /^[0-9a-f]{2}$/;
/** Small chunks (a line at a time from a parser) are gathered and written in pieces this big. */
const WRITE_BUFFER_BYTES = 256 * 1024;

/**
 * Blobs as files: `{root}/ab/cd/<sha256>`, written under `{root}/tmp/` first. A file's mtime is
 * its last use: set when written, refreshed when the same bytes are put again, and what `collect`
 * compares with its grace date. `read` of a missing blob throws an error whose code is 'ENOENT'.
 */
export class FileBlobStore implements BlobStore {
  readonly #root: string;
  readonly #tmp: string;

  constructor(root: string) {
    this.#root = root;
    this.#tmp = join(root, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.#tmp, { recursive: true });
  }

  async put(source: AsyncIterable<Uint8Array>, options?: { maxBytes?: number }): Promise<BlobInfo> {
    const maxBytes = options?.maxBytes ?? Infinity;
    const temp = join(this.#tmp, `${randomUUID()}.put`);
    const hasher = createHash('sha256');
    let size = 0;
    const file = await open(temp, 'wx');
    try {
      // Copied, not kept: a producer may reuse a chunk's memory once the iteration moves on.
      const buffer = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
      let used = 0;
      for await (const chunk of source) {
        size += chunk.byteLength;
        if (size > maxBytes) throw new BlobTooLargeError(maxBytes);
        hasher.update(chunk);
        if (used + chunk.byteLength > buffer.byteLength) {
          await writeAll(file, buffer.subarray(0, used));
          used = 0;
        }
        if (chunk.byteLength >= buffer.byteLength) {
          await writeAll(file, chunk);
        } else {
          buffer.set(chunk, used);
          used += chunk.byteLength;
        }
      }
      await writeAll(file, buffer.subarray(0, used));
      // The bytes are on disk before any row can point at them.
      await file.sync();
    } catch (error) {
      await file.close();
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await file.close();
    const hash = hasher.digest('hex');
    try {
      await this.#place(temp, hash);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    return { hash, size };
  }

  read(hash: string, range?: { start: number; end?: number }): Readable {
    if (range && (!isOffset(range.start) || (range.end !== undefined && !(isOffset(range.end) && range.end >= range.start)))) {
      throw new RangeError('a blob range needs integer bounds with 0 <= start <= end');
    }
    // Opened now, not when the stream first reads: a missing blob throws here, and a blob
    // collected after this call keeps its bytes for the open file.
    const fd = openSync(this.#pathOf(hash), 'r');
    return createReadStream('', { fd, start: range?.start, end: range?.end });
  }

  async stat(hash: string): Promise<BlobInfo | null> {
    if (!HASH.test(hash)) return null;
    try {
      const info = await stat(this.#pathOf(hash));
      return { hash, size: info.size };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async collect(before: Date, isReferenced: (hash: string) => Promise<boolean>): Promise<number> {
    let removed = 0;
    for await (const first of await opendir(this.#root)) {
      if (!first.isDirectory() || !FANOUT.test(first.name)) continue;
      for await (const second of await opendir(join(this.#root, first.name))) {
        if (!second.isDirectory() || !FANOUT.test(second.name)) continue;
        for await (const file of await opendir(join(this.#root, first.name, second.name))) {
          if (!file.isFile() || !HASH.test(file.name)) continue;
          if (await this.#collectOne(file.name, before, isReferenced)) removed++;
        }
      }
    }
    await this.#sweepTemp(before);
    return removed;
  }

  #pathOf(hash: string): string {
    if (!HASH.test(hash)) throw Object.assign(new Error(`no blob ${hash}`), { code: 'ENOENT' });
    return join(this.#root, hash.slice(0, 2), hash.slice(2, 4), hash);
  }

  /** Moves a finished temp file to its address, or refreshes the copy already there. */
  async #place(temp: string, hash: string): Promise<void> {
    const target = this.#pathOf(hash);
    const now = new Date();
    try {
      // Refreshing the existing copy's last use is what keeps `collect` from deleting it now.
      await utimes(target, now, now);
      await unlink(temp);
      return;
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    const fanout = join(this.#root, hash.slice(0, 2));
    const dir = join(fanout, hash.slice(2, 4));
    const created = await mkdir(dir, { recursive: true });
    await rename(temp, target);
    // The rename and any directory mkdir made must survive a crash as well as the bytes: each new
    // entry is made durable by syncing the directory that holds it, and only those. The syncs are
    // independent, so they run together; ext4's journal commits concurrent syncs as one.
    const holders = [dir];
    if (created !== undefined) holders.push(fanout);
    if (created !== undefined && resolve(created) !== resolve(dir)) holders.push(this.#root);
    await Promise.all(holders.map(syncDirectory));
  }

  /**
   * Takes the blob out of its place before the final look at its mtime: a writer that refreshed
   * it before the move is seen in the mtime (the blob goes back), one that comes after finds no
   * file and stores its own copy. So a blob a writer has just put is never lost.
   */
  async #collectOne(hash: string, before: Date, isReferenced: (hash: string) => Promise<boolean>): Promise<boolean> {
    const path = this.#pathOf(hash);
    const info = await stat(path).catch((error: unknown) => (isMissing(error) ? null : Promise.reject(error)));
    if (!info || info.mtimeMs >= before.getTime() || (await isReferenced(hash))) return false;
    const doomed = join(this.#tmp, `${hash}.${randomUUID()}.collect`);
    try {
      await rename(path, doomed);
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    if ((await stat(doomed)).mtimeMs >= before.getTime()) {
      await rename(doomed, path);
      return false;
    }
    await unlink(doomed);
    return true;
  }

  /** Temp files of puts that died (or collects interrupted) long ago. */
  async #sweepTemp(before: Date): Promise<void> {
    for await (const entry of await opendir(this.#tmp)) {
      if (!entry.isFile()) continue;
      const path = join(this.#tmp, entry.name);
      try {
        if ((await stat(path)).mtimeMs < before.getTime()) await unlink(path);
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
  }
}

async function writeAll(file: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await file.write(bytes, offset, bytes.byteLength - offset);
    offset += bytesWritten;
  }
}

async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

function isOffset(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
