import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { LeasedEntry, OutboundQueue, QueueEntry } from '../ports/queue.ts';
import type { Db } from './database.ts';
import { guard } from './database.ts';

interface Row {
  entry: string;
  lease: string | null;
}

/**
 * The outbound queue on SQLite. Claiming is one UPDATE … RETURNING over due, unleased rows, so
 * two processes on the same file never claim the same entry; writing back checks the lease.
 */
export class SqliteOutboundQueue implements OutboundQueue {
  readonly #insert: Statement<[{ id: string; entry: string; dueAt: number }]>;
  readonly #claim: Statement<[{ now: number; until: number; lease: string; limit: number }], Row>;
  readonly #reschedule: Statement<[{ id: string; entry: string; dueAt: number; lease: string }]>;
  readonly #complete: Statement<[{ id: string; lease: string }]>;
  readonly #get: Statement<[string], Row>;
  readonly #blob: Statement<[string], unknown>;

  constructor(db: Db) {
    this.#insert = db.prepare('INSERT INTO outbound_queue (id, entry, due_at) VALUES (@id, @entry, @dueAt)');
    this.#claim = db.prepare(
      `UPDATE outbound_queue SET lease = @lease, lease_until = @until
       WHERE id IN (SELECT id FROM outbound_queue WHERE due_at <= @now AND lease_until <= @now ORDER BY due_at LIMIT @limit)
       RETURNING entry, lease`,
    );
    this.#reschedule = db.prepare(
      'UPDATE outbound_queue SET entry = @entry, due_at = @dueAt, lease = NULL, lease_until = 0 WHERE id = @id AND lease = @lease',
    );
    this.#complete = db.prepare('DELETE FROM outbound_queue WHERE id = @id AND lease = @lease');
    this.#get = db.prepare('SELECT entry, lease FROM outbound_queue WHERE id = ?');
    this.#blob = db.prepare("SELECT 1 FROM outbound_queue WHERE json_extract(entry, '$.blob') = ? LIMIT 1");
  }

  enqueue(entry: QueueEntry): Promise<void> {
    return guard(() => {
      this.#insert.run({ id: entry.id, entry: JSON.stringify(entry), dueAt: Date.parse(entry.nextAttemptAt) });
    });
  }

  claimDue(now: Date, leaseMs: number, limit: number): Promise<LeasedEntry[]> {
    return guard(() => {
      const lease = randomUUID();
      const rows = this.#claim.all({ now: now.getTime(), until: now.getTime() + Math.ceil(leaseMs), lease, limit });
      return rows.map((row) => ({ ...(JSON.parse(row.entry) as QueueEntry), lease }));
    });
  }

  reschedule(entry: LeasedEntry): Promise<boolean> {
    return guard(() => {
      const { lease, ...stored } = entry;
      return this.#reschedule.run({ id: entry.id, entry: JSON.stringify(stored), dueAt: Date.parse(entry.nextAttemptAt), lease }).changes > 0;
    });
  }

  complete(entry: LeasedEntry): Promise<boolean> {
    return guard(() => this.#complete.run({ id: entry.id, lease: entry.lease }).changes > 0);
  }

  get(id: string): Promise<QueueEntry | null> {
    return guard(() => {
      const row = this.#get.get(id);
      return row ? (JSON.parse(row.entry) as QueueEntry) : null;
    });
  }

  // A scan of the entry JSON: the queue holds what waits for remote servers, a few rows, not the mail store.
  isBlobReferenced(hash: string): Promise<boolean> {
    return guard(() => this.#blob.get(hash) !== undefined);
  }
}
