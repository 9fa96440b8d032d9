import type { Statement } from 'better-sqlite3';
import type { MailboxCounts, MailboxSnapshot, MailQuery, MessageRecord, NewMessage } from '../ports/mail.ts';
import { MailboxNotFoundError, OverQuotaError } from '../ports/mail.ts';
import type { Db } from './database.ts';
import { guard, readTransaction, toJson } from './database.ts';
import type { AppendInTransaction, SqliteJournal } from './journal.ts';
import { compileQuery } from './mail-search.ts';
import type { MessageRow, SearchColumns } from './mail-rows.ts';
import { container, isSeen, messageFromRow, searchColumns, uniqueFlags } from './mail-rows.ts';

type InsertRow = Omit<MessageRow, 'id'>;

/**
 * What every message write shares: the statements, and the steps that run inside the caller's
 * `journal.transact` (allocating UIDs, checking quota, keeping usage in step with the rows).
 */
export class MessageTables {
  readonly db: Db;
  readonly journal: SqliteJournal;
  readonly statements: {
    mailbox: Statement<[string], { user_id: string; uid_validity: number }>;
    allocate: Statement<[number, string], { uid_next: number }>;
    insert: Statement<[InsertRow], { id: number }>;
    insertText: Statement<[number, string, string]>;
    copyText: Statement<[number, number]>;
    usage: Statement<[string], { bytes: number }>;
    addUsage: Statement<[string, number]>;
    selected: Statement<[string, string], MessageRow>;
    changedSince: Statement<[string, string, number], MessageRow>;
    uids: Statement<[string], { uid: number }>;
    head: Statement<[string], { modseq: number }>;
    counts: Statement<[string], MailboxCounts>;
    blob: Statement<[string], { one: number }>;
  };

  constructor(db: Db, journal: SqliteJournal) {
    this.db = db;
    this.journal = journal;
    const uidsIn = 'uid IN (SELECT value FROM json_each(?))';
    this.statements = {
      mailbox: db.prepare('SELECT user_id, uid_validity FROM mailboxes WHERE id = ?'),
      allocate: db.prepare('UPDATE mailboxes SET uid_next = uid_next + ? WHERE id = ? RETURNING uid_next'),
      insert: db.prepare(
        `INSERT INTO messages (mailbox_id, uid, modseq, blob, size, internal_date, internal_day, internal_ms,
           sent_day, sent_ms, flags, seen, meta, search_headers)
         VALUES (@mailbox_id, @uid, @modseq, @blob, @size, @internal_date, @internal_day, @internal_ms,
           @sent_day, @sent_ms, @flags, @seen, @meta, @search_headers) RETURNING id`,
      ),
      insertText: db.prepare('INSERT INTO message_text (rowid, headers, body) VALUES (?, ?, ?)'),
      copyText: db.prepare('INSERT INTO message_text (rowid, headers, body) SELECT ?, headers, body FROM message_text WHERE rowid = ?'),
      usage: db.prepare('SELECT bytes FROM mail_usage WHERE user_id = ?'),
      addUsage: db.prepare(
        `INSERT INTO mail_usage (user_id, bytes) VALUES (?, ?)
         ON CONFLICT (user_id) DO UPDATE SET bytes = bytes + excluded.bytes`,
      ),
      selected: db.prepare(`SELECT * FROM messages WHERE mailbox_id = ? AND ${uidsIn} ORDER BY uid`),
      changedSince: db.prepare(`SELECT * FROM messages WHERE mailbox_id = ? AND ${uidsIn} AND modseq > ? ORDER BY uid`),
      uids: db.prepare('SELECT uid FROM messages WHERE mailbox_id = ? ORDER BY uid'),
      head: db.prepare('SELECT modseq FROM journal_heads WHERE container = ?'),
      counts: db.prepare(
        `SELECT count(*) AS messages, coalesce(sum(1 - seen), 0) AS unseen, coalesce(sum(size), 0) AS bytes
         FROM messages WHERE mailbox_id = ?`,
      ),
      blob: db.prepare('SELECT 1 AS one FROM messages WHERE blob = ? LIMIT 1'),
    };
  }

  /** The mailbox a write goes to; MailboxNotFoundError when it is gone. */
  mailbox(id: string): { user_id: string; uid_validity: number } {
    const box = this.statements.mailbox.get(id);
    if (!box) throw new MailboxNotFoundError();
    return box;
  }

  /** Checked inside the write transaction, before anything is written. */
  checkQuota(userId: string, bytes: number, quotaBytes: number | null): void {
    if (quotaBytes === null) return;
    const used = this.statements.usage.get(userId)?.bytes ?? 0;
    if (used + bytes > quotaBytes) throw new OverQuotaError();
  }

  addUsage(userId: string, bytes: number): void {
    if (bytes !== 0) this.statements.addUsage.run(userId, bytes);
  }

  /** Reserves `count` UIDs; returns the first. uid_next only grows, so no UID is handed out twice. */
  allocate(mailboxId: string, count: number): number {
    const row = this.statements.allocate.get(count, mailboxId);
    if (!row) throw new MailboxNotFoundError();
    return row.uid_next - count;
  }

  /** The rows of `uids` that exist, ascending. */
  selected(mailboxId: string, uids: readonly number[]): MessageRow[] {
    return this.statements.selected.all(mailboxId, toJson(uids));
  }

  /** Writes a message under a new UID and journals its creation. */
  insert(append: AppendInTransaction, mailboxId: string, uid: number, row: Omit<InsertRow, 'mailbox_id' | 'uid' | 'modseq'>): { id: number; modseq: number } {
    const { modseq } = append(container(mailboxId), { op: 'create', item: String(uid) });
    const inserted = this.statements.insert.get({ ...row, mailbox_id: mailboxId, uid, modseq });
    if (!inserted) throw new Error('message row was not inserted');
    return { id: inserted.id, modseq };
  }
}

/** Appends and the reads that need no write lock. */
export class SqliteMessages {
  readonly #t: MessageTables;

  constructor(tables: MessageTables) {
    this.#t = tables;
  }

  appendMessage(mailboxId: string, message: NewMessage, quotaBytes: number | null): Promise<{ uid: number; modseq: number; uidValidity: number }> {
    return guard(() => {
      // Everything that can be worked out without the lock is, so the transaction stays short.
      const columns: SearchColumns = searchColumns(message);
      const flags = uniqueFlags(message.flags);
      const { headers_text, body_text, ...searchable } = columns;
      return this.#t.journal.transact((append) => {
        const box = this.#t.mailbox(mailboxId);
        this.#t.checkQuota(box.user_id, message.size, quotaBytes);
        const uid = this.#t.allocate(mailboxId, 1);
        const { id, modseq } = this.#t.insert(append, mailboxId, uid, {
          blob: message.blob,
          size: message.size,
          internal_date: message.internalDate,
          flags: toJson(flags),
          seen: isSeen(flags) ? 1 : 0,
          meta: toJson(message.meta),
          ...searchable,
        });
        this.#t.statements.insertText.run(id, headers_text, body_text);
        this.#t.addUsage(box.user_id, message.size);
        return { uid, modseq, uidValidity: box.uid_validity };
      });
    });
  }

  snapshot(mailboxId: string): Promise<MailboxSnapshot> {
    return guard(() =>
      // One read transaction: the UIDs and the head come from the same database snapshot.
      readTransaction(this.#t.db, () => {
        this.#t.mailbox(mailboxId);
        const uids = this.#t.statements.uids.all(mailboxId).map((r) => r.uid);
        const modseq = this.#t.statements.head.get(container(mailboxId))?.modseq ?? 0;
        return { uids, modseq };
      }),
    );
  }

  getMessages(mailboxId: string, uids: number[], changedSince?: number): Promise<MessageRecord[]> {
    return guard(() => {
      const rows =
        changedSince === undefined
          ? this.#t.selected(mailboxId, uids)
          : this.#t.statements.changedSince.all(mailboxId, toJson(uids), changedSince);
      return rows.map(messageFromRow);
    });
  }

  search(mailboxId: string, query: MailQuery): Promise<number[]> {
    return guard(() => {
      const condition = compileQuery(query);
      const sql = `SELECT m.uid AS uid FROM messages m WHERE m.mailbox_id = ? AND (${condition.sql}) ORDER BY m.uid`;
      // Prepared per call, not cached: clients choose the query's shape, so the shapes are unbounded.
      const statement = this.#t.db.prepare<unknown[], { uid: number }>(sql);
      return statement.all(mailboxId, ...condition.params).map((r) => r.uid);
    });
  }

  counts(mailboxId: string): Promise<MailboxCounts> {
    return guard(() =>
      readTransaction(this.#t.db, () => {
        this.#t.mailbox(mailboxId);
        const counts = this.#t.statements.counts.get(mailboxId);
        return counts ?? { messages: 0, unseen: 0, bytes: 0 };
      }),
    );
  }

  usage(userId: string): Promise<number> {
    return guard(() => this.#t.statements.usage.get(userId)?.bytes ?? 0);
  }

  isBlobReferenced(hash: string): Promise<boolean> {
    return guard(() => this.#t.statements.blob.get(hash) !== undefined);
  }
}
