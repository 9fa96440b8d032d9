import type { Statement } from 'better-sqlite3';
import type { KeyValue } from '../ports/key-value.ts';
import type { Db } from './database.ts';
import { guard } from './database.ts';

/** Expired rows are swept after this many writes, a bounded batch at a time. */
const SWEEP_EVERY_WRITES = 500;
const SWEEP_BATCH = 1000;

/**
 * The key-value on SQLite. Every operation is one statement, so it is atomic against other
 * connections too. An expired row is treated as absent by every operation and deleted later.
 * `incr` counts a value that is not an integer as 0.
 */
export class SqliteKeyValue implements KeyValue {
  readonly #get: Statement<[string, number], { value: string }>;
  readonly #set: Statement<[string, string, number | null]>;
  readonly #setIfAbsent: Statement<[{ key: string; value: string; expiresAt: number; now: number }]>;
  readonly #incr: Statement<[{ key: string; by: number; expiresAt: number; now: number }], { value: string }>;
  readonly #delete: Statement<[string]>;
  readonly #sweep: Statement<[number]>;
  #writes = 0;

  constructor(db: Db) {
    this.#get = db.prepare('SELECT value FROM kv WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)');
    this.#set = db.prepare(
      `INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    );
    // The WHERE of the upsert turns "key exists and is live" into zero changes.
    this.#setIfAbsent = db.prepare(
      `INSERT INTO kv (key, value, expires_at) VALUES (@key, @value, @expiresAt)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
       WHERE kv.expires_at IS NOT NULL AND kv.expires_at <= @now`,
    );
    // better-sqlite3 binds every JS number as a REAL: cast, or 1 + 1 would be stored as '2.0'.
    this.#incr = db.prepare(
      `INSERT INTO kv (key, value, expires_at) VALUES (@key, CAST(CAST(@by AS INTEGER) AS TEXT), @expiresAt)
       ON CONFLICT (key) DO UPDATE SET
         value = CASE WHEN kv.expires_at IS NOT NULL AND kv.expires_at <= @now THEN excluded.value
                 ELSE CAST(CAST(kv.value AS INTEGER) + CAST(@by AS INTEGER) AS TEXT) END,
         expires_at = CASE WHEN kv.expires_at IS NOT NULL AND kv.expires_at <= @now THEN excluded.expires_at
                      ELSE kv.expires_at END
       RETURNING value`,
    );
    this.#delete = db.prepare('DELETE FROM kv WHERE key = ?');
    this.#sweep = db.prepare(
      `DELETE FROM kv WHERE key IN
         (SELECT key FROM kv WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ${SWEEP_BATCH})`,
    );
    this.#sweep.run(Date.now());
  }

  get(key: string): Promise<string | null> {
    return guard(() => this.#get.get(key, Date.now())?.value ?? null);
  }

  set(key: string, value: string, ttlMs: number | null): Promise<void> {
    return guard(() => {
      this.#set.run(key, value, ttlMs === null ? null : expiry(Date.now(), ttlMs));
      this.#wrote();
    });
  }

  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return guard(() => {
      const now = Date.now();
      const changed = this.#setIfAbsent.run({ key, value, expiresAt: expiry(now, ttlMs), now }).changes > 0;
      this.#wrote();
      return changed;
    });
  }

  incr(key: string, by: number, ttlMs: number): Promise<number> {
    return guard(() => {
      if (!Number.isSafeInteger(by)) throw new RangeError('incr needs an integer step');
      const now = Date.now();
      const row = this.#incr.get({ key, by, expiresAt: expiry(now, ttlMs), now });
      this.#wrote();
      return Number(row?.value);
    });
  }

  delete(key: string): Promise<void> {
    return guard(() => {
      this.#delete.run(key);
    });
  }

  #wrote(): void {
    if (++this.#writes % SWEEP_EVERY_WRITES === 0) this.#sweep.run(Date.now());
  }
}

function expiry(now: number, ttlMs: number): number {
  return now + Math.ceil(ttlMs);
}
