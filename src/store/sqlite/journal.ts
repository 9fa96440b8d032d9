import type { Statement } from 'better-sqlite3';
import { JournalListeners } from '../shared/journal-listeners.ts';
import type { Change, ChangeOp, Journal, JournalEntry, JournalListener } from '../ports/journal.ts';
import type { Db } from './database.ts';
import { fromJson, guard, toJson, translateError, writeTransaction } from './database.ts';

interface JournalRow {
  seq: number;
  container: string;
  modseq: number;
  op: string;
  item: string;
  data: string | null;
  at: string;
}

/** Appends inside the caller's transaction; what `SqliteJournal.transact` hands to its step. */
export type AppendInTransaction = (container: string, change: Change) => JournalEntry;

/** Rows fetched per poll query; a poll keeps fetching until it is caught up. */
const POLL_BATCH = 500;

interface AppendStatements {
  bump: Statement<[string], { modseq: number }>;
  insert: Statement<[unknown], { seq: number }>;
}

const statementsByDb = new WeakMap<Db, AppendStatements>();

/**
 * Bumps the container's modseq and inserts its journal row. Only inside a write transaction
 * (BEGIN IMMEDIATE) that also writes whatever changed, so the change, the new modseq and the row
 * commit together or not at all. Listeners hear of the row by polling, as if another process had
 * written it; `SqliteJournal.transact` wraps this to tell this process's listeners at commit.
 */
export function appendInTransaction(db: Db, container: string, change: Change): JournalEntry {
  if (!db.inTransaction) throw new Error('appendInTransaction needs an open write transaction');
  let statements = statementsByDb.get(db);
  if (!statements) {
    statements = {
      bump: db.prepare(
        `INSERT INTO journal_heads (container, modseq) VALUES (?, 1)
         ON CONFLICT (container) DO UPDATE SET modseq = modseq + 1 RETURNING modseq`,
      ),
      insert: db.prepare(
        `INSERT INTO journal (container, modseq, op, item, data, at)
         VALUES (@container, @modseq, @op, @item, @data, @at) RETURNING seq`,
      ),
    };
    statementsByDb.set(db, statements);
  }
  const head = statements.bump.get(container);
  if (!head) throw new Error('journal head was not bumped');
  const at = new Date().toISOString();
  const row = {
    container,
    modseq: head.modseq,
    op: change.op,
    item: change.item,
    data: change.data === undefined ? null : toJson(change.data),
    at,
  };
  const inserted = statements.insert.get(row);
  if (!inserted) throw new Error('journal row was not inserted');
  return entryFromRow({ ...row, seq: inserted.seq });
}

/**
 * The change journal on SQLite. Listeners in this process hear an entry right after its commit;
 * entries committed by other connections to the same file are found by polling `tail` while
 * anyone listens. Listener errors go to `onListenerError`, never to the writer.
 */
export class SqliteJournal implements Journal {
  readonly #db: Db;
  readonly #pollIntervalMs: number;
  readonly #listeners: JournalListeners;
  readonly #head: Statement<[string], { modseq: number }>;
  readonly #since: Statement<[string, number, number], JournalRow>;
  readonly #tail: Statement<[number, number], JournalRow>;
  readonly #lastSeq: Statement<[], { seq: number | null }>;
  #poller: NodeJS.Timeout | null = null;
  /** Highest seq the poller has handed out (or skipped). */
  #polledSeq = 0;
  /** Seqs appended here after `#polledSeq`, already delivered at commit: the poller skips them. */
  readonly #ownSeqs = new Set<number>();
  #closed = false;

  constructor(db: Db, options: { pollIntervalMs: number; onListenerError: (error: unknown) => void }) {
    this.#db = db;
    this.#pollIntervalMs = options.pollIntervalMs;
    this.#listeners = new JournalListeners(options.onListenerError);
    this.#head = db.prepare('SELECT modseq FROM journal_heads WHERE container = ?');
    this.#since = db.prepare('SELECT * FROM journal WHERE container = ? AND modseq > ? ORDER BY modseq LIMIT ?');
    this.#tail = db.prepare('SELECT * FROM journal WHERE seq > ? ORDER BY seq LIMIT ?');
    this.#lastSeq = db.prepare('SELECT max(seq) AS seq FROM journal');
  }

  append(container: string, change: Change): Promise<JournalEntry> {
    return guard(() => this.transact((append) => append(container, change)));
  }

  /**
   * Runs `step` in one write transaction with an `append` that journals inside it, then tells
   * this process's listeners about every appended entry once the transaction has committed. For
   * adapters whose writes must be journaled atomically (allocate a UID, store the row, append).
   * Not nestable: an outer transaction could still roll back what listeners were told.
   */
  transact<T>(step: (append: AppendInTransaction) => T): T {
    if (this.#db.inTransaction) throw new Error('SqliteJournal.transact cannot run inside another transaction');
    const entries: JournalEntry[] = [];
    const result = writeTransaction(this.#db, () =>
      step((container, change) => {
        const entry = appendInTransaction(this.#db, container, change);
        entries.push(entry);
        return entry;
      }),
    );
    for (const entry of entries) this.#published(entry);
    return result;
  }

  head(container: string): Promise<number> {
    return guard(() => this.#head.get(container)?.modseq ?? 0);
  }

  since(container: string, afterModseq: number, limit: number): Promise<JournalEntry[]> {
    return guard(() => this.#since.all(container, afterModseq, limit).map(entryFromRow));
  }

  tail(afterSeq: number, limit: number): Promise<JournalEntry[]> {
    return guard(() => this.#tail.all(afterSeq, limit).map(entryFromRow));
  }

  subscribe(listener: JournalListener): () => void {
    const remove = this.#listeners.add(listener);
    this.#startPolling();
    return () => {
      remove();
      if (this.#listeners.size === 0) this.#stopPolling();
    };
  }

  close(): void {
    this.#closed = true;
    this.#listeners.clear();
    this.#stopPolling();
  }

  #published(entry: JournalEntry): void {
    if (this.#poller) this.#ownSeqs.add(entry.seq);
    this.#listeners.deliver(entry);
  }


  #startPolling(): void {
    if (this.#poller || this.#closed) return;
    this.#polledSeq = this.#lastSeq.get()?.seq ?? 0;
    this.#poller = setInterval(() => this.#poll(), this.#pollIntervalMs);
    // A listener is no reason to keep the process alive.
    this.#poller.unref();
  }

  #stopPolling(): void {
    if (this.#poller) clearInterval(this.#poller);
    this.#poller = null;
    this.#ownSeqs.clear();
  }

  #poll(): void {
    try {
      for (;;) {
        const rows = this.#tail.all(this.#polledSeq, POLL_BATCH);
        for (const row of rows) {
          this.#polledSeq = row.seq;
          if (!this.#ownSeqs.delete(row.seq)) this.#listeners.deliver(entryFromRow(row));
        }
        if (rows.length < POLL_BATCH || !this.#poller) break;
      }
    } catch (error) {
      // A busy or failing read now is retried at the next tick; readers re-check heads anyway.
      this.#listeners.report(translateError(error));
    }
  }

}

function entryFromRow(row: JournalRow): JournalEntry {
  const entry: JournalEntry = {
    seq: row.seq,
    container: row.container,
    modseq: row.modseq,
    op: row.op as ChangeOp,
    item: row.item,
    at: row.at,
  };
  if (row.data !== null) entry.data = fromJson<Record<string, unknown>>(row.data);
  return entry;
}
