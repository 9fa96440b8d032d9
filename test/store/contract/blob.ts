import { createHash } from 'node:crypto';
import type { BlobStore } from '../../../src/store/ports/index.ts';
import { BlobTooLargeError } from '../../../src/store/ports/index.ts';
import type { BuildStore } from './helpers.ts';
import { freshStore, sleep } from './helpers.ts';

const MB = 1024 * 1024;
/** Uneven, sometimes tiny chunks: a parser may hand over a line at a time. */
const CHUNK_SIZES = [65_536, 1, 7, 300_000, 1000, 16_384, 3];
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Deterministic pseudo-random bytes (xorshift32), generated as they are consumed. */
async function* bytes(seed: number, total: number): AsyncGenerator<Uint8Array> {
  let state = seed | 0 || 1;
  let sent = 0;
  for (let i = 0; sent < total; i++) {
    const chunk = new Uint8Array(Math.min(total - sent, CHUNK_SIZES[i % CHUNK_SIZES.length] ?? 1));
    for (let j = 0; j < chunk.length; j++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      chunk[j] = state & 0xff;
    }
    sent += chunk.length;
    yield chunk;
  }
}

async function sha256Of(source: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of source) hash.update(chunk);
  return hash.digest('hex');
}

async function* once(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}

/** Reads a blob whole; a missing blob may throw at once or fail the stream, as the port allows. */
async function readAll(blobs: BlobStore, hash: string, range?: { start: number; end?: number }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of blobs.read(hash, range)) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function errorOf(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  return null;
}

export function run(name: string, build: BuildStore): void {
  describe(`BlobStore contract: ${name}`, () => {
    const current = freshStore(build);
    const blobs = () => current().blobs;

    it('round-trips a multi-megabyte stream byte for byte', async () => {
      const size = 6 * MB + 123;
      const expected = await sha256Of(bytes(1, size));
      const info = await blobs().put(bytes(1, size));
      expect(info).toEqual({ hash: expected, size });
      expect(await blobs().stat(expected)).toEqual({ hash: expected, size });
      expect(await sha256Of(blobs().read(expected))).toBe(expected);
    });

    it('stores the same bytes once under one address', async () => {
      const first = await blobs().put(bytes(2, 500_000));
      const second = await blobs().put(bytes(2, 500_000));
      expect(second).toEqual(first);
      const other = await blobs().put(bytes(3, 500_000));
      expect(other.hash).not.toBe(first.hash);
      expect(await sha256Of(blobs().read(first.hash))).toBe(first.hash);
    });

    it('stores an empty blob', async () => {
      expect(await blobs().put(once(new Uint8Array(0)))).toEqual({ hash: EMPTY_SHA256, size: 0 });
      expect((await readAll(blobs(), EMPTY_SHA256)).length).toBe(0);
    });

    it('reads inclusive byte ranges', async () => {
      const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff));
      const { hash } = await blobs().put(once(data));
      expect(await readAll(blobs(), hash, { start: 10, end: 19 })).toEqual(data.subarray(10, 20));
      expect(await readAll(blobs(), hash, { start: 0, end: 0 })).toEqual(data.subarray(0, 1));
      expect(await readAll(blobs(), hash, { start: 990 })).toEqual(data.subarray(990));
      expect(await readAll(blobs(), hash, { start: 999, end: 5000 })).toEqual(data.subarray(999));
      expect(await readAll(blobs(), hash, { start: 0 })).toEqual(data);
    });

    it('reports a missing blob as ENOENT on read and null on stat', async () => {
      const missing = createHash('sha256').update('never stored').digest('hex');
      expect(await blobs().stat(missing)).toBeNull();
      expect(await errorOf(() => readAll(blobs(), missing))).toMatchObject({ code: 'ENOENT' });
      expect(await blobs().stat('../../stoa.db')).toBeNull();
      expect(await errorOf(() => readAll(blobs(), '../../stoa.db'))).toMatchObject({ code: 'ENOENT' });
    });

    it('refuses a blob over maxBytes and keeps nothing of it', async () => {
      const size = 2 * MB;
      const hash = await sha256Of(bytes(4, size));
      const error = await errorOf(() => blobs().put(bytes(4, size), { maxBytes: MB }));
      expect(error).toBeInstanceOf(BlobTooLargeError);
      expect((error as BlobTooLargeError).limit).toBe(MB);
      expect(await blobs().stat(hash)).toBeNull();
      expect(await blobs().put(bytes(4, size), { maxBytes: size })).toEqual({ hash, size });
    });

    it('keeps nothing when the source fails', async () => {
      const hash = await sha256Of(bytes(5, MB));
      async function* failing(): AsyncGenerator<Uint8Array> {
        let sent = 0;
        for await (const chunk of bytes(5, MB)) {
          yield chunk;
          sent += chunk.length;
          if (sent > MB / 2) throw new Error('client went away');
        }
      }
      expect(await errorOf(() => blobs().put(failing()))).toMatchObject({ message: 'client went away' });
      expect(await blobs().stat(hash)).toBeNull();
    });

    it('collects only blobs that are old enough and unreferenced', async () => {
      const kept = await blobs().put(bytes(6, 10_000));
      const dropped = await blobs().put(bytes(7, 10_000));
      const alsoDropped = await blobs().put(once(new Uint8Array([1, 2, 3])));
      // Nothing was last used before the epoch.
      expect(await blobs().collect(new Date(0), () => Promise.resolve(false))).toBe(0);
      expect(await blobs().stat(dropped.hash)).not.toBeNull();

      const asked: string[] = [];
      const removed = await blobs().collect(new Date(Date.now() + 60_000), (hash) => {
        asked.push(hash);
        return Promise.resolve(hash === kept.hash);
      });
      expect(removed).toBe(2);
      expect(asked.sort()).toEqual([kept.hash, dropped.hash, alsoDropped.hash].sort());
      expect(await blobs().stat(kept.hash)).toEqual(kept);
      expect(await blobs().stat(dropped.hash)).toBeNull();
      expect(await blobs().stat(alsoDropped.hash)).toBeNull();
      expect(await sha256Of(blobs().read(kept.hash))).toBe(kept.hash);
      // A collected blob can be stored again.
      expect(await blobs().put(bytes(7, 10_000))).toEqual(dropped);
      expect(await sha256Of(blobs().read(dropped.hash))).toBe(dropped.hash);
    });

    it('treats putting the same bytes again as a fresh use', async () => {
      const blob = await blobs().put(bytes(8, 20_000));
      await sleep(50);
      const mark = new Date();
      await sleep(50);
      await blobs().put(bytes(8, 20_000));
      expect(await blobs().collect(mark, () => Promise.resolve(false))).toBe(0);
      expect(await blobs().stat(blob.hash)).toEqual(blob);
      expect(await blobs().collect(new Date(Date.now() + 60_000), () => Promise.resolve(false))).toBe(1);
      expect(await blobs().stat(blob.hash)).toBeNull();
    });
  });
}
