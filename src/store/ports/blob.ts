import type { Readable } from 'node:stream';

export interface BlobInfo {
  /** sha256, lower-case hex: the blob's address. */
  hash: string;
  size: number;
}

export class BlobTooLargeError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`blob exceeds ${limit} bytes`);
    this.name = 'BlobTooLargeError';
    this.limit = limit;
  }
}

/** Content-addressed bytes, streamed in and out, never held whole in memory. */
export interface BlobStore {
  /**
   * Streams the source to durable storage and returns its address. When the bytes are already
   * stored their last-use time is refreshed instead, so collection never races a writer. Over
   * `maxBytes` it throws BlobTooLargeError and keeps nothing.
   */
  put(source: AsyncIterable<Uint8Array>, options?: { maxBytes?: number }): Promise<BlobInfo>;
  /**
   * `end` is inclusive, as in HTTP ranges. When the blob does not exist it throws, or fails the
   * stream (an adapter that learns it only when reading), with an error whose `code` is 'ENOENT'.
   */
  read(hash: string, range?: { start: number; end?: number }): Readable;
  stat(hash: string): Promise<BlobInfo | null>;
  /** Removes blobs last used before `before` for which `isReferenced` says false. */
  collect(before: Date, isReferenced: (hash: string) => Promise<boolean>): Promise<number>;
}
