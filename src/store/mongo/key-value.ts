import type { Collection, Db } from 'mongodb';
import type { KeyValue } from '../ports/key-value.ts';
import { StoreUnavailableError } from '../ports/errors.ts';
import { COLLECTIONS, backoff, guard, isDuplicateKey } from './database.ts';
import { Revisions, newRev } from './revisions.ts';
import { KeyedQueue } from './serial.ts';

interface KvDoc {
  _id: string;
  value: string;
  /** Epoch milliseconds; null never expires. */
  expiresAt: number | null;
  rev: string;
}

type Next = { value: string; expiresAt: number | null } | null;

/** Expired entries (and old claims) are swept after this many writes of this process. */
const SWEEP_EVERY_WRITES = 500;
const SWEEP_BATCH = 1000;
/** How long a write keeps retrying a key other processes keep changing. */
const BUSY_TIMEOUT_MS = 15_000;

/**
 * The key-value on MongoDB. Every write is a compare-and-swap on the entry's revision (see
 * revisions.ts), so `incr` and `setIfAbsent` stay atomic across processes even on servers without
 * atomic updates. Writes of this process to one key are queued, so they never collide. An expired
 * entry counts as absent and is deleted by a later sweep; there is no TTL index, because a TTL
 * delete would bypass the revision check (and FerretDB has none).
 */
export class MongoKeyValue implements KeyValue {
  readonly #entries: Collection<KvDoc>;
  readonly #revisions: Revisions;
  readonly #queue = new KeyedQueue();
  #writes = 0;

  constructor(db: Db) {
    this.#entries = db.collection<KvDoc>(COLLECTIONS.kv);
    this.#revisions = new Revisions(db, 'kv', COLLECTIONS.kv);
  }

  get(key: string): Promise<string | null> {
    return guard(async () => {
      const doc = await this.#entries.findOne({ _id: key });
      return doc && isLive(doc, Date.now()) ? doc.value : null;
    });
  }

  set(key: string, value: string, ttlMs: number | null): Promise<void> {
    return this.#write(key, (_live, now) => ({ value, expiresAt: ttlMs === null ? null : expiry(now, ttlMs) }));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    let taken = false;
    await this.#write(key, (live, now) => {
      taken = live === null;
      return taken ? { value, expiresAt: expiry(now, ttlMs) } : undefined;
    });
    return taken;
  }

  async incr(key: string, by: number, ttlMs: number): Promise<number> {
    if (!Number.isSafeInteger(by)) throw new RangeError('incr needs an integer step');
    let result = 0;
    await this.#write(key, (live, now) => {
      // As on SQLite: a value that is not an integer counts from its integer prefix, or 0.
      result = (live ? Number.parseInt(live.value, 10) || 0 : 0) + by;
      return { value: String(result), expiresAt: live ? live.expiresAt : expiry(now, ttlMs) };
    });
    return result;
  }

  delete(key: string): Promise<void> {
    return this.#write(key, (_live, _now, stored) => (stored ? null : undefined));
  }

  /**
   * Applies `decide` to the entry as stored: it returns the new entry, null to delete it, or
   * undefined to leave it. Retried with a fresh read whenever another process got there first.
   */
  #write(key: string, decide: (live: KvDoc | null, now: number, stored: KvDoc | null) => Next | undefined): Promise<void> {
    return guard(() =>
      this.#queue.run(key, async () => {
        await this.#change(key, decide);
        if (++this.#writes % SWEEP_EVERY_WRITES === 0) void this.#sweep().catch(() => undefined);
      }),
    );
  }

  async #change(key: string, decide: (live: KvDoc | null, now: number, stored: KvDoc | null) => Next | undefined): Promise<void> {
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    for (let attempt = 0; ; attempt++) {
      const stored = await this.#entries.findOne({ _id: key });
      const now = Date.now();
      const next = decide(stored && isLive(stored, now) ? stored : null, now, stored);
      if (next === undefined) return;
      if (await this.#apply(key, stored, next, now)) return;
      if (Date.now() > deadline) throw new StoreUnavailableError(`key-value: "${key}" stays busy`);
      await backoff(attempt);
    }
  }

  /** One compare-and-swap from `stored` to `next`; false when someone else changed it first. */
  async #apply(key: string, stored: KvDoc | null, next: Next, readAt: number): Promise<boolean> {
    if (!stored) {
      if (next === null) return true;
      try {
        await this.#entries.insertOne({ _id: key, ...next, rev: newRev() });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    }
    const claim = await this.#revisions.take(key, stored.rev, readAt);
    if (!claim) return false;
    if (claim.takenOver && (await this.#entries.findOne({ _id: key }))?.rev !== stored.rev) return false;
    if (next === null) {
      await this.#entries.deleteOne({ _id: key });
      return true;
    }
    // Matches nothing only if the entry was removed behind the protocol's back: then start over.
    return (await this.#entries.replaceOne({ _id: key }, { ...next, rev: newRev() })).matchedCount > 0;
  }

  async #sweep(): Promise<void> {
    const now = Date.now();
    const expired = await this.#entries
      .find({ expiresAt: { $ne: null, $lte: now } }, { projection: { _id: 1 } })
      .limit(SWEEP_BATCH)
      .toArray();
    for (const { _id } of expired) {
      await this.#queue.run(_id, () => this.#change(_id, (live, _now, stored) => (stored && !live ? null : undefined)));
    }
    await this.#revisions.sweep();
  }
}

function isLive(doc: KvDoc, now: number): boolean {
  return doc.expiresAt === null || doc.expiresAt > now;
}

function expiry(now: number, ttlMs: number): number {
  return now + Math.ceil(ttlMs);
}
