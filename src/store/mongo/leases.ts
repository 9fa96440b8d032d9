import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongodb';
import { StoreUnavailableError } from '../ports/errors.ts';
import { backoff, isDuplicateKey } from './database.ts';
import { KeyedQueue } from './serial.ts';

export interface LeaseDoc {
  _id: string;
  holder: string;
  at: Date;
  /** What the holder is about to change (an item name), so whoever takes a stale lease over can finish it. */
  intent?: string;
}

const LEASE_STALE_MS = 10_000;
const LEASE_WAIT_MS = 15_000;

/**
 * Serialises writers of one key (a drive, a DAV collection) across processes without transactions:
 * inserting `{_id: key}` is the one atomic step, and the holder alone writes under that key, then
 * releases. A lease older than 10 s is taken over (its holder is presumed dead); the one that removes
 * it runs `recover` for the dead holder's intent, since that write may have landed without its
 * journal entry. Within a process a queue keeps writers from contending at all.
 */
export class Leases {
  readonly #leases: Collection<LeaseDoc>;
  readonly #queue = new KeyedQueue();
  readonly #recover: ((key: string, item: string) => Promise<void>) | null;

  /** `recover` finishes a dead holder's declared change (e.g. journals it again). */
  constructor(leases: Collection<LeaseDoc>, recover: ((key: string, item: string) => Promise<void>) | null = null) {
    this.#leases = leases;
    this.#recover = recover;
  }

  /** `intent`: the item the step changes, kept in the lease for recovery. */
  hold<T>(key: string, step: () => Promise<T>, intent?: string): Promise<T> {
    return this.#queue.run(key, async () => {
      const holder = await this.#acquire(key, intent);
      try {
        return await step();
      } finally {
        await this.#leases.deleteOne({ _id: key, holder });
      }
    });
  }

  async #acquire(key: string, intent: string | undefined): Promise<string> {
    const holder = randomUUID();
    const deadline = Date.now() + LEASE_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#leases.insertOne({ _id: key, holder, at: new Date(), ...(intent !== undefined ? { intent } : {}) });
        return holder;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const current = await this.#leases.findOne({ _id: key });
      if (current && current.at.getTime() < Date.now() - LEASE_STALE_MS) {
        const { deletedCount } = await this.#leases.deleteOne({ _id: key, holder: current.holder });
        // Only the one whose delete removed it recovers; the lease is free meanwhile, which is fine, as recovery only journals.
        if (deletedCount === 1 && current.intent !== undefined && this.#recover) await this.#recover(key, current.intent);
      }
      if (Date.now() > deadline) throw new StoreUnavailableError(`${key} is busy`);
      await backoff(attempt);
    }
  }
}
