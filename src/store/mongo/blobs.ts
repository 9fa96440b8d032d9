import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Collection, Db, GridFSBucketWriteStream, ObjectId } from 'mongodb';
import { GridFSBucket } from 'mongodb';
import type { BlobInfo, BlobStore } from '../ports/blob.ts';
import { BlobTooLargeError } from '../ports/blob.ts';
import { BLOB_BUCKET, COLLECTIONS, guard, isDuplicateKey, translateError } from './database.ts';

const HASH = /^[0-9a-f]{64}$/;
/** GridFS files still being written (or left by a put that died) are named this way. */
const PENDING_PREFIX = 'put:';

/** Which GridFS file holds a hash's bytes: the `_id` makes each hash stored once. */
interface IndexDoc {
  _id: string;
  fileId: ObjectId;
  size: number;
  /** Set when stored, refreshed when the same bytes are put again; what `collect` compares. */
  lastUsed: Date;
}

/**
 * Blobs in GridFS (bucket `blobs`), addressed by sha256 through `blobs_index`. A put streams into a
 * new GridFS file while hashing (GridFS copies each piece into its own chunk buffer, so memory stays
 * at about one chunk), then inserts the index entry; when the hash is already there it refreshes
 * that entry's last use and deletes its own copy. GridFS's write concern makes the bytes durable
 * before the index entry that points at them exists.
 *
 * Collection removes the index entry only while it is still unused since `before` (one conditional
 * delete), then the file. A put that refreshed just before finds the entry gone and stores its own
 * copy. On FerretDB a conditional delete is a find then a delete by _id, so a refresh landing
 * in between those two server-side steps would be lost; that needs a blob both unused for the whole
 * grace period and put again at that instant.
 */
export class GridFsBlobStore implements BlobStore {
  readonly #bucket: GridFSBucket;
  readonly #index: Collection<IndexDoc>;
  readonly #files: Collection<{ _id: ObjectId; filename: string; uploadDate: Date }>;

  constructor(db: Db) {
    this.#bucket = new GridFSBucket(db, { bucketName: BLOB_BUCKET });
    this.#index = db.collection<IndexDoc>(COLLECTIONS.blobIndex);
    this.#files = db.collection(`${BLOB_BUCKET}.files`);
  }

  put(source: AsyncIterable<Uint8Array>, options?: { maxBytes?: number }): Promise<BlobInfo> {
    return guard(async () => {
      const { fileId, hash, size } = await this.#upload(source, options?.maxBytes ?? Infinity);
      try {
        await this.#place(fileId, hash, size);
      } catch (error) {
        await this.#bucket.delete(fileId).catch(() => undefined);
        throw error;
      }
      return { hash, size };
    });
  }

  read(hash: string, range?: { start: number; end?: number }): Readable {
    if (range && (!isOffset(range.start) || (range.end !== undefined && !(isOffset(range.end) && range.end >= range.start)))) {
      throw new RangeError('a blob range needs integer bounds with 0 <= start <= end');
    }
    if (!HASH.test(hash)) throw missing(hash);
    return Readable.from(this.#stream(hash, range), { objectMode: false });
  }

  stat(hash: string): Promise<BlobInfo | null> {
    return guard(async () => {
      if (!HASH.test(hash)) return null;
      const doc = await this.#index.findOne({ _id: hash });
      return doc ? { hash, size: doc.size } : null;
    });
  }

  collect(before: Date, isReferenced: (hash: string) => Promise<boolean>): Promise<number> {
    return guard(async () => {
      let removed = 0;
      const candidates = this.#index.find({ lastUsed: { $lt: before } }, { projection: { _id: 1, fileId: 1 } }).sort({ _id: 1 });
      for await (const doc of candidates) {
        if (await isReferenced(doc._id)) continue;
        const { deletedCount } = await this.#index.deleteOne({ _id: doc._id, fileId: doc.fileId, lastUsed: { $lt: before } });
        if (deletedCount === 0) continue;
        await this.#bucket.delete(doc.fileId).catch(ignoreMissingFile);
        removed++;
      }
      await this.#sweepPending(before);
      return removed;
    });
  }

  /** Streams the source into a new GridFS file; on any failure the partial file is removed. */
  async #upload(source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ fileId: ObjectId; hash: string; size: number }> {
    const upload = this.#bucket.openUploadStream(`${PENDING_PREFIX}${randomUUID()}`);
    // Failures are seen through the write and end callbacks; an 'error' event must not go unheard.
    upload.on('error', () => undefined);
    const hasher = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of source) {
        size += chunk.byteLength;
        if (size > maxBytes) throw new BlobTooLargeError(maxBytes);
        hasher.update(chunk);
        await write(upload, chunk);
      }
      await end(upload);
    } catch (error) {
      await upload.abort().catch(() => undefined);
      throw error;
    }
    return { fileId: upload.id, hash: hasher.digest('hex'), size };
  }

  /** Makes the new file the hash's copy, or refreshes the copy already there and drops the new one. */
  async #place(fileId: ObjectId, hash: string, size: number): Promise<void> {
    for (;;) {
      try {
        await this.#index.insertOne({ _id: hash, fileId, size, lastUsed: new Date() });
        // For people looking at the bucket; a crash before this leaves a pending name that the
        // index still points at, which the sweep checks.
        await this.#bucket.rename(fileId, hash).catch(() => undefined);
        return;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      // Refreshing the existing copy's last use is what keeps `collect` from deleting it now.
      const { matchedCount } = await this.#index.updateOne({ _id: hash }, { $set: { lastUsed: new Date() } });
      if (matchedCount > 0) {
        await this.#bucket.delete(fileId).catch(ignoreMissingFile);
        return;
      }
      // Collected between the insert and the refresh: store this copy after all.
    }
  }

  async *#stream(hash: string, range?: { start: number; end?: number }): AsyncGenerator<Buffer> {
    let doc: IndexDoc | null;
    try {
      doc = await this.#index.findOne({ _id: hash });
    } catch (error) {
      throw translateError(error);
    }
    if (!doc) throw missing(hash);
    const start = range?.start ?? 0;
    // GridFS's `end` is exclusive and must not pass the file's length.
    const end = Math.min(doc.size, range?.end === undefined ? doc.size : range.end + 1);
    if (start >= end) return;
    try {
      for await (const chunk of this.#bucket.openDownloadStream(doc.fileId, { start, end })) yield chunk as Buffer;
    } catch (error) {
      // A file collected while it was being read reports ENOENT, as the port asks.
      throw translateError(error);
    }
  }

  /** Files of puts that died before they were indexed, older than the grace date. */
  async #sweepPending(before: Date): Promise<void> {
    const pending = this.#files.find(
      { filename: { $regex: `^${PENDING_PREFIX}` }, uploadDate: { $lt: before } },
      { projection: { _id: 1 } },
    );
    for await (const file of pending) {
      if (await this.#index.findOne({ fileId: file._id }, { projection: { _id: 1 } })) continue;
      await this.#bucket.delete(file._id).catch(ignoreMissingFile);
    }
  }
}

function write(stream: GridFSBucketWriteStream, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    // The callback comes once GridFS has copied the piece (and stored any chunk it filled).
    stream.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

function end(stream: GridFSBucketWriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

function missing(hash: string): Error {
  return Object.assign(new Error(`no blob ${hash}`), { code: 'ENOENT' });
}

function ignoreMissingFile(error: unknown): void {
  // Someone else deleted it first; anything else is a real failure.
  if (!(error instanceof Error && /File not found/.test(error.message))) throw error;
}

function isOffset(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}
