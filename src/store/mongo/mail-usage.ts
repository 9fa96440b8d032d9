import type { Collection, Db } from 'mongodb';
import { StoreUnavailableError } from '../ports/errors.ts';
import { OverQuotaError } from '../ports/mail.ts';
import { COLLECTIONS, backoff, isDuplicateKey } from './database.ts';
import type { UsageDoc } from './mail-docs.ts';
import { Revisions, newRev } from './revisions.ts';
import { KeyedQueue } from './serial.ts';

const BUSY_TIMEOUT_MS = 15_000;

/**
 * Bytes per user, one document each, changed only by compare-and-swap on its revision (see
 * revisions.ts), so concurrent changes are never lost. The quota check is part of that same swap:
 * `reserve` refuses when the new total would pass the quota, and only one writer can move the
 * total from a value it read, so two appends near the limit cannot both pass.
 *
 * Bytes are reserved before the messages are written and given back if the write fails. A process
 * that dies in between leaves the total too high by what it reserved (the user loses that much
 * quota until an operator recounts); it never lets a user past the quota.
 */
export class MailUsage {
  readonly #usage: Collection<UsageDoc>;
  readonly #revisions: Revisions;
  readonly #queue = new KeyedQueue();

  constructor(db: Db) {
    this.#usage = db.collection<UsageDoc>(COLLECTIONS.usage);
    this.#revisions = new Revisions(db, 'mail_usage', COLLECTIONS.usage);
  }

  async get(userId: string): Promise<number> {
    return (await this.#usage.findOne({ _id: userId }))?.bytes ?? 0;
  }

  /** Adds `bytes`; OverQuotaError (and nothing changes) when the total would pass `quotaBytes`. */
  reserve(userId: string, bytes: number, quotaBytes: number | null): Promise<void> {
    return this.#change(userId, (used) => {
      if (quotaBytes !== null && bytes > 0 && used + bytes > quotaBytes) throw new OverQuotaError();
      return used + bytes;
    });
  }

  /** Adds (or with a negative number, gives back) bytes, whatever the quota. */
  add(userId: string, bytes: number): Promise<void> {
    return bytes === 0 ? Promise.resolve() : this.#change(userId, (used) => used + bytes);
  }

  /** Removes claims of totals that have moved on (see Revisions.sweep). */
  sweep(): Promise<void> {
    return this.#revisions.sweep();
  }

  /** Writes of this process to one user are queued, so they never contend with each other. */
  #change(userId: string, next: (used: number) => number): Promise<void> {
    return this.#queue.run(userId, async () => {
      const deadline = Date.now() + BUSY_TIMEOUT_MS;
      for (let attempt = 0; ; attempt++) {
        const stored = await this.#usage.findOne({ _id: userId });
        const readAt = Date.now();
        const bytes = next(stored?.bytes ?? 0);
        if (await this.#swap(userId, stored, bytes, readAt)) return;
        if (Date.now() > deadline) throw new StoreUnavailableError(`mail usage of ${userId} stays busy`);
        await backoff(attempt);
      }
    });
  }

  async #swap(userId: string, stored: UsageDoc | null, bytes: number, readAt: number): Promise<boolean> {
    if (!stored) {
      try {
        await this.#usage.insertOne({ _id: userId, bytes, rev: newRev() });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    }
    const claim = await this.#revisions.take(userId, stored.rev, readAt);
    if (!claim) return false;
    if (claim.takenOver && (await this.#usage.findOne({ _id: userId }))?.rev !== stored.rev) return false;
    return (await this.#usage.replaceOne({ _id: userId }, { bytes, rev: newRev() })).matchedCount > 0;
  }
}
