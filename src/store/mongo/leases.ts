import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongodb';
import { StoreUnavailableError } from '../ports/errors.ts';
import { backoff, isDuplicateKey } from './database.ts';
import { KeyedQueue } from './serial.ts';

export interface LeaseDoc {
  _id: string;
  holder: string;
  at: Date;
}

const LEASE_STALE_MS = 10_000;
const LEASE_WAIT_MS = 15_000;

/**
 * Serialises writers of one key (a drive, a DAV collection) across processes without transactions:
 * inserting `{_id: key}` is the one atomic step, and the holder alone writes under that key, then
 * releases. A lease older than 10 s is taken over (its holder is presumed dead). Within a process a
 * queue keeps writers from contending at all.
 */
export class Leases {
  readonly #leases: Collection<LeaseDoc>;
  readonly #queue = new KeyedQueue();

  constructor(leases: Collection<LeaseDoc>) {
    this.#leases = leases;
  }

  hold<T>(key: string, step: () => Promise<T>): Promise<T> {
    return this.#queue.run(key, async () => {
      const holder = await this.#acquire(key);
      try {
        return await step();
      } finally {
        await this.#leases.deleteOne({ _id: key, holder });
      }
    });
  }

  async #acquire(key: string): Promise<string> {
    const holder = randomUUID();
    const deadline = Date.now() + LEASE_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#leases.insertOne({ _id: key, holder, at: new Date() });
        return holder;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const current = await this.#leases.findOne({ _id: key });
      if (current && current.at.getTime() < Date.now() - LEASE_STALE_MS) await this.#leases.deleteOne({ _id: key, holder: current.holder });
      if (Date.now() > deadline) throw new StoreUnavailableError(`${key} is busy`);
      await backoff(attempt);
    }
  }
}
