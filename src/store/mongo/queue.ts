import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { KeyValue } from '../ports/key-value.ts';
import type { LeasedEntry, OutboundQueue, QueueEntry } from '../ports/queue.ts';
import { COLLECTIONS, guard } from './database.ts';

interface QueueDoc {
  _id: string;
  /** The entry as JSON text (addresses may hold characters FerretDB refuses in field names). */
  entry: string;
  /** Epoch milliseconds of the next attempt. */
  dueAt: number;
  /** The message's blob, outside the JSON so blob collection can ask by index. */
  blob: string;
  /** Bumped by every write-back, so a lease names the version it was taken on. */
  gen: number;
}

/** Due entries looked at per claim, beyond `limit`, to step over those another process holds. */
const CLAIM_SLACK = 4;

/**
 * The outbound queue on MongoDB. A lease is a key-value entry `outbound:{id}@{gen}` set only when
 * absent (the key-value's compare-and-swap rests on insert-only claims, so it holds on FerretDB
 * too): one claimer wins, and an expired lease is free again. Writing back checks the lease, then
 * replaces the entry at its generation. As everywhere in this adapter, a holder stalled past its
 * lease could still write after another took over; leases are minutes long, deliveries seconds.
 */
export class MongoOutboundQueue implements OutboundQueue {
  readonly #entries: Collection<QueueDoc>;
  readonly #kv: KeyValue;

  constructor(db: Db, kv: KeyValue) {
    this.#entries = db.collection<QueueDoc>(COLLECTIONS.outboundQueue);
    this.#kv = kv;
  }

  enqueue(entry: QueueEntry): Promise<void> {
    return guard(async () => {
      await this.#entries.insertOne({ _id: entry.id, entry: JSON.stringify(entry), dueAt: Date.parse(entry.nextAttemptAt), blob: entry.blob, gen: 0 });
    });
  }

  claimDue(now: Date, leaseMs: number, limit: number): Promise<LeasedEntry[]> {
    return guard(async () => {
      const due = await this.#entries.find({ dueAt: { $lte: now.getTime() } }).sort({ dueAt: 1 }).limit(limit * CLAIM_SLACK).toArray();
      const claimed: LeasedEntry[] = [];
      for (const doc of due) {
        if (claimed.length >= limit) break;
        const lease = `${doc.gen}:${randomUUID()}`;
        if (await this.#kv.setIfAbsent(leaseKey(doc._id, doc.gen), lease, leaseMs)) {
          claimed.push({ ...(JSON.parse(doc.entry) as QueueEntry), lease });
        }
      }
      return claimed;
    });
  }

  reschedule(entry: LeasedEntry): Promise<boolean> {
    return guard(async () => {
      const gen = await this.#held(entry);
      if (gen === null) return false;
      const { lease: _lease, ...stored } = entry;
      const doc = { entry: JSON.stringify(stored), dueAt: Date.parse(entry.nextAttemptAt), blob: entry.blob, gen: gen + 1 };
      const written = (await this.#entries.replaceOne({ _id: entry.id, gen }, doc)).matchedCount > 0;
      await this.#kv.delete(leaseKey(entry.id, gen));
      return written;
    });
  }

  complete(entry: LeasedEntry): Promise<boolean> {
    return guard(async () => {
      const gen = await this.#held(entry);
      if (gen === null) return false;
      const removed = (await this.#entries.deleteOne({ _id: entry.id, gen })).deletedCount > 0;
      await this.#kv.delete(leaseKey(entry.id, gen));
      return removed;
    });
  }

  get(id: string): Promise<QueueEntry | null> {
    return guard(async () => {
      const doc = await this.#entries.findOne({ _id: id });
      return doc ? (JSON.parse(doc.entry) as QueueEntry) : null;
    });
  }

  isBlobReferenced(hash: string): Promise<boolean> {
    return guard(async () => (await this.#entries.findOne({ blob: hash }, { projection: { _id: 1 } })) !== null);
  }

  /** The generation the caller's lease is on, or null when the lease ran out and was taken. */
  async #held(entry: LeasedEntry): Promise<number | null> {
    const gen = Number.parseInt(entry.lease, 10);
    return (await this.#kv.get(leaseKey(entry.id, gen))) === entry.lease ? gen : null;
  }
}

function leaseKey(id: string, gen: number): string {
  return `outbound:${id}@${gen}`;
}
