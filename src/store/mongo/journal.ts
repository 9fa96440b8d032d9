import { randomUUID } from 'node:crypto';
import { JournalListeners } from '../shared/journal-listeners.ts';
import type { Collection, Db } from 'mongodb';
import type { Change, ChangeOp, Journal, JournalEntry, JournalListener } from '../ports/journal.ts';
import { StoreUnavailableError } from '../ports/errors.ts';
import { COLLECTIONS, backoff, guard, isDuplicateKey, translateError } from './database.ts';
import { KeyedQueue } from './serial.ts';

interface EntryDoc {
  /** The global seq as 16 zero-padded digits (see `seqId`). */
  _id: string;
  container: string;
  modseq: number;
  op: string;
  item: string;
  /** JSON text: FerretDB refuses keys with '.' or a leading '$', which listener data may have. */
  data: string | null;
  at: string;
  /** The store instance that appended it: its own listeners heard it already. */
  origin: string;
}

/** Rows fetched per poll query; a poll keeps fetching until it is caught up. */
const POLL_BATCH = 500;
/** Containers whose last modseq is remembered; any other is read from the journal first. */
const REMEMBERED_CONTAINERS = 1000;
/** How long an append keeps retrying while other processes keep taking the numbers it tries. */
const BUSY_TIMEOUT_MS = 15_000;
/** Entries looked up one by one when catching up; beyond that, read in batches. */
const CATCH_UP_PROBES = 20;

/**
 * The seq as a document `_id`: a string, because an `_id` string is the one thing FerretDB's SQLite
 * handler looks up through an index (any other filter scans the collection), and zero-padded to
 * the digits of Number.MAX_SAFE_INTEGER so that strings sort as the numbers do.
 */
function seqId(seq: number): string {
  return String(Math.max(0, Math.trunc(seq))).padStart(16, '0');
}

/**
 * The change journal on MongoDB, with no transactions and no atomic counters.
 *
 * An entry's numbers are allocated by inserting it: `_id` is the global seq and a unique index
 * holds (container, modseq). An append tries seq = last seq + 1 and modseq = the container's last
 * modseq + 1. Both numbers are only ever chosen one above an entry that is already stored, so entry
 * N+1 cannot exist before entry N and no reader (`since`, `tail`, another process's poller) ever
 * sees a gap that fills in later. The container's modseq comes from an entry whose seq is at most
 * the last seq, so a later modseq also gets a later seq.
 *
 * On a duplicate key another process took a number: the loser follows the seqs after its last one
 * by `_id` (learning the modseqs of the containers it knows on the way) and tries again. Following
 * by `_id` is cheap on both servers, which keeps the loser as quick as a writer that never loses;
 * a loser that had to re-read the journal each time would starve behind a busy process.
 *
 * Why not the design's alternatives: a `findOneAndUpdate` + `$inc` counter is not atomic on
 * FerretDB 1.24 (concurrent increments are lost), and a lease document cannot be taken over
 * safely without an atomic conditional update either. The insert is the one atomic step both
 * servers share, and it needs no crash recovery: a dead appender leaves nothing half-written.
 *
 * Appends of this process are queued one at a time (the seq is global), so they never collide with
 * each other; the last numbers used are remembered, so an uncontended append is a single insert.
 */
export class MongoJournal implements Journal {
  readonly #entries: Collection<EntryDoc>;
  readonly #origin = randomUUID();
  readonly #pollIntervalMs: number;
  readonly #listeners: JournalListeners;
  readonly #queue = new KeyedQueue();
  /** A seq known to be stored, and every seq below it (null: not read yet). */
  #lastSeq: number | null = null;
  /** Last stored modseq of recently used containers, oldest use first. */
  readonly #modseqs = new Map<string, number>();
  #poller: NodeJS.Timeout | null = null;
  /** Bumped whenever polling stops, so a poll in flight knows its results are no longer wanted. */
  #pollGeneration = 0;
  /** Highest seq the poller has handed out or skipped; null until its first read. */
  #polledSeq: number | null = null;
  #closed = false;

  constructor(db: Db, options: { pollIntervalMs: number; onListenerError: (error: unknown) => void }) {
    this.#entries = db.collection<EntryDoc>(COLLECTIONS.journal);
    this.#pollIntervalMs = options.pollIntervalMs;
    this.#listeners = new JournalListeners(options.onListenerError);
  }

  async append(container: string, change: Change): Promise<JournalEntry> {
    const entry = await guard(() => this.#queue.run('', () => this.#append(container, change)));
    this.#listeners.deliver(entry);
    return entry;
  }

  head(container: string): Promise<number> {
    return guard(async () => (await this.#last(container))?.modseq ?? 0);
  }

  since(container: string, afterModseq: number, limit: number): Promise<JournalEntry[]> {
    return guard(async () => {
      if (limit <= 0) return [];
      const docs = await this.#entries
        .find({ container, modseq: { $gt: afterModseq } })
        .sort({ modseq: 1 })
        .limit(limit)
        .toArray();
      return docs.map(entryFromDoc);
    });
  }

  /**
   * The latest entry of `container` with this op and item, or null. Not part of the port: the mail
   * adapter asks it whether a write it finds half done was journaled (see mail.ts).
   */
  findEntry(container: string, op: ChangeOp, item: string): Promise<JournalEntry | null> {
    return guard(async () => {
      const doc = await this.#entries.find({ container, op, item }).sort({ modseq: -1 }).limit(1).next();
      return doc ? entryFromDoc(doc) : null;
    });
  }

  tail(afterSeq: number, limit: number): Promise<JournalEntry[]> {
    return guard(async () => (await this.#tailDocs(afterSeq, limit)).map(entryFromDoc));
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

  async #append(container: string, change: Change): Promise<JournalEntry> {
    this.#lastSeq ??= await this.#newestSeq();
    let modseq = this.#modseqs.get(container) ?? (await this.#readHead(container));
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    for (let attempt = 0; ; attempt++) {
      const seq: number = (this.#lastSeq ?? 0) + 1;
      const doc: EntryDoc = {
        _id: seqId(seq),
        container,
        modseq: modseq + 1,
        op: change.op,
        item: change.item,
        data: change.data === undefined ? null : JSON.stringify(change.data),
        at: new Date().toISOString(),
        origin: this.#origin,
      };
      try {
        await this.#entries.insertOne(doc);
        this.#lastSeq = seq;
        this.#remember(container, doc.modseq);
        return entryFromDoc(doc);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      if (Date.now() > deadline) throw new StoreUnavailableError(`journal: could not append to ${container}, too busy`);
      if (attempt > 2) await backoff(attempt);
      // Another process took the seq, or the modseq (then our memory of the container is stale).
      const remembered = (await this.#catchUp()) ? this.#modseqs.get(container) : undefined;
      modseq = remembered ?? (await this.#readHead(container));
    }
  }

  /** Follows the entries after the last known seq; true when there were any. */
  async #catchUp(): Promise<boolean> {
    let last = this.#lastSeq ?? 0;
    const start = last;
    for (let probe = 0; probe < CATCH_UP_PROBES; probe++) {
      const doc = await this.#entries.findOne({ _id: seqId(last + 1) });
      if (!doc) break;
      last++;
      this.#learn(doc);
    }
    if (last - start >= CATCH_UP_PROBES) {
      // Far behind (this process was quiet for a while): batches are cheaper than single looks.
      for (;;) {
        const docs = await this.#tailDocs(last, POLL_BATCH);
        for (const doc of docs) {
          last = Number(doc._id);
          this.#learn(doc);
        }
        if (docs.length < POLL_BATCH) break;
      }
    }
    this.#lastSeq = last;
    return last > start;
  }

  /** Updates the remembered modseq of a container this process uses. */
  #learn(doc: EntryDoc): void {
    const known = this.#modseqs.get(doc.container);
    if (known !== undefined && doc.modseq > known) this.#modseqs.set(doc.container, doc.modseq);
  }

  /** The container's last modseq as stored (also moving the last seq up to that entry's). */
  async #readHead(container: string): Promise<number> {
    const last = await this.#last(container);
    if (last) this.#lastSeq = Math.max(this.#lastSeq ?? 0, Number(last._id));
    const modseq = last?.modseq ?? 0;
    this.#remember(container, modseq);
    return modseq;
  }

  async #newestSeq(): Promise<number> {
    const [newest] = await this.#entries.find({}, { projection: { _id: 1 } }).sort({ _id: -1 }).limit(1).toArray();
    return newest ? Number(newest._id) : 0;
  }

  #last(container: string): Promise<EntryDoc | null> {
    return this.#entries.find({ container }).sort({ modseq: -1 }).limit(1).next();
  }

  #remember(container: string, modseq: number): void {
    this.#modseqs.delete(container);
    this.#modseqs.set(container, modseq);
    if (this.#modseqs.size > REMEMBERED_CONTAINERS) {
      const oldest = this.#modseqs.keys().next().value;
      if (oldest !== undefined) this.#modseqs.delete(oldest);
    }
  }

  #tailDocs(afterSeq: number, limit: number): Promise<EntryDoc[]> {
    if (limit <= 0) return Promise.resolve([]);
    return this.#entries.find({ _id: { $gt: seqId(afterSeq) } }).sort({ _id: 1 }).limit(limit).toArray();
  }


  /**
   * Other processes' entries are found by polling `tail` while anyone listens. (Change streams
   * would wake listeners sooner on a replica set, but FerretDB has none; the poll works on both.)
   */
  #startPolling(): void {
    if (this.#poller || this.#closed) return;
    this.#polledSeq = null;
    this.#schedule(this.#pollGeneration, 0);
  }

  #stopPolling(): void {
    if (this.#poller) clearTimeout(this.#poller);
    this.#poller = null;
    this.#pollGeneration++;
  }

  #schedule(generation: number, delayMs: number): void {
    this.#poller = setTimeout(() => void this.#poll(generation), delayMs);
    // A listener is no reason to keep the process alive.
    this.#poller.unref();
  }

  async #poll(generation: number): Promise<void> {
    try {
      if (this.#polledSeq === null) {
        // Start after what is stored now: listeners hear entries appended from now on.
        const newest = await this.#newestSeq();
        if (generation !== this.#pollGeneration) return;
        this.#polledSeq = Math.max(this.#lastSeq ?? 0, newest);
      }
      for (;;) {
        const docs = await this.#tailDocs(this.#polledSeq, POLL_BATCH);
        if (generation !== this.#pollGeneration) return;
        for (const doc of docs) {
          this.#polledSeq = Number(doc._id);
          if (doc.origin !== this.#origin) this.#listeners.deliver(entryFromDoc(doc));
        }
        if (docs.length < POLL_BATCH) break;
      }
    } catch (error) {
      // A failing read now is retried at the next tick; readers re-check heads anyway.
      if (generation === this.#pollGeneration) this.#listeners.report(translateError(error));
    }
    if (generation === this.#pollGeneration) this.#schedule(generation, this.#pollIntervalMs);
  }

}

function entryFromDoc(doc: EntryDoc): JournalEntry {
  const entry: JournalEntry = {
    seq: Number(doc._id),
    container: doc.container,
    modseq: doc.modseq,
    op: doc.op as ChangeOp,
    item: doc.item,
    at: doc.at,
  };
  if (doc.data !== null) entry.data = JSON.parse(doc.data) as Record<string, unknown>;
  return entry;
}
