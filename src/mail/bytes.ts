import { Readable } from 'node:stream';
import type { BlobStore } from '../store/ports/blob.ts';

/** A Buffer as the async source BlobStore.put takes, in slices so a writer never copies it whole. */
export async function* chunksOf(buffer: Buffer, size = 1024 * 1024): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < buffer.length; at += size) yield buffer.subarray(at, at + size);
}

/**
 * A blob (or a range of it) read into one Buffer of exactly `length` bytes, allocated up front so
 * the message is held once, not once per chunk plus a concat. Fails if the store gives more or less.
 */
export async function readBlob(blobs: BlobStore, hash: string, start: number, length: number): Promise<Buffer> {
  const out = Buffer.allocUnsafe(length);
  if (length === 0) return out;
  let at = 0;
  for await (const chunk of blobs.read(hash, { start, end: start + length - 1 }) as AsyncIterable<Uint8Array>) {
    if (at + chunk.byteLength > length) throw new Error(`blob ${hash} is longer than its record says`);
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  if (at !== length) throw new Error(`blob ${hash} is shorter than its record says`);
  return out;
}

/** A Readable of a blob range; zero bytes need no store read (and BlobStore ranges cannot be empty). */
export function blobRange(blobs: BlobStore, hash: string, start: number, length: number): Readable {
  return length === 0 ? Readable.from([]) : blobs.read(hash, { start, end: start + length - 1 });
}
