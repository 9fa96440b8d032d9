import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { ConflictError } from '../ports/errors.ts';
import type {
  FlagAction,
  FlagResult,
  MailboxCounts,
  MailboxRecord,
  MailboxSnapshot,
  MailQuery,
  MailStore,
  MessageRecord,
  NewMessage,
  UidMapping,
} from '../ports/mail.ts';
import { MailboxNotFoundError } from '../ports/mail.ts';
import type { Db } from './database.ts';
import { guard, writeTransaction } from './database.ts';
import type { SqliteJournal } from './journal.ts';
import { SqliteMessageChanges } from './mail-changes.ts';
import { MessageTables, SqliteMessages } from './mail-messages.ts';
import type { MailboxRow } from './mail-rows.ts';
import { MAILBOX_SELECT, mailboxFromRow } from './mail-rows.ts';

type NewMailbox = Parameters<MailStore['createMailbox']>[0];

/**
 * Mailboxes and messages on SQLite. Mailbox operations live here; message reads in
 * SqliteMessages, message writes in SqliteMessageChanges. A mailbox's modseq is its journal head,
 * and every message write journals inside its own transaction (see MessageTables).
 */
export class SqliteMailStore implements MailStore {
  readonly #db: Db;
  readonly #messages: SqliteMessages;
  readonly #changes: SqliteMessageChanges;
  readonly #s: {
    byPath: Statement<[string, string], MailboxRow>;
    byId: Statement<[string, string], MailboxRow>;
    list: Statement<[string], MailboxRow>;
    pathTaken: Statement<[string, string], { id: string }>;
    uidValidity: Statement<[number], { value: number }>;
    insert: Statement<[Omit<MailboxRow, 'modseq'>]>;
    subtree: Statement<[string, string, string, string], { id: string; path: string }>;
    setPath: Statement<[string, string]>;
    subscribe: Statement<[number, string, string]>;
    owner: Statement<[string, string], { bytes: number }>;
    deleteMessages: Statement<[string]>;
    deleteMailbox: Statement<[string]>;
    addUsage: Statement<[string, number]>;
  };

  constructor(db: Db, journal: SqliteJournal) {
    this.#db = db;
    const tables = new MessageTables(db, journal);
    this.#messages = new SqliteMessages(tables);
    this.#changes = new SqliteMessageChanges(tables);
    this.#s = {
      byPath: db.prepare(`${MAILBOX_SELECT} WHERE b.user_id = ? AND b.path = ?`),
      byId: db.prepare(`${MAILBOX_SELECT} WHERE b.user_id = ? AND b.id = ?`),
      list: db.prepare(`${MAILBOX_SELECT} WHERE b.user_id = ? ORDER BY b.path`),
      pathTaken: db.prepare('SELECT id FROM mailboxes WHERE user_id = ? AND path = ?'),
      // Seconds since the epoch, but always above the last one handed out: a mailbox deleted and
      // created again within a second still gets a new UIDVALIDITY.
      uidValidity: db.prepare(
        `INSERT INTO mail_counters (name, value) VALUES ('uid_validity', ?)
         ON CONFLICT (name) DO UPDATE SET value = max(value + 1, excluded.value) RETURNING value`,
      ),
      insert: db.prepare(
        `INSERT INTO mailboxes (id, user_id, tenant_id, path, special_use, subscribed, uid_validity, uid_next, created_at)
         VALUES (@id, @user_id, @tenant_id, @path, @special_use, @subscribed, @uid_validity, @uid_next, @created_at)`,
      ),
      // substr/length count characters on both sides, so a non-ASCII prefix is compared whole.
      subtree: db.prepare(
        `SELECT id, path FROM mailboxes WHERE user_id = ?
           AND (path = ? OR substr(path, 1, length(?)) = ?) ORDER BY path`,
      ),
      setPath: db.prepare('UPDATE mailboxes SET path = ? WHERE id = ?'),
      subscribe: db.prepare('UPDATE mailboxes SET subscribed = ? WHERE user_id = ? AND id = ?'),
      owner: db.prepare(
        `SELECT coalesce((SELECT sum(size) FROM messages WHERE mailbox_id = b.id), 0) AS bytes
         FROM mailboxes b WHERE b.user_id = ? AND b.id = ?`,
      ),
      deleteMessages: db.prepare('DELETE FROM messages WHERE mailbox_id = ?'),
      deleteMailbox: db.prepare('DELETE FROM mailboxes WHERE id = ?'),
      addUsage: db.prepare(
        `INSERT INTO mail_usage (user_id, bytes) VALUES (?, ?)
         ON CONFLICT (user_id) DO UPDATE SET bytes = bytes + excluded.bytes`,
      ),
    };
  }

  createMailbox(input: NewMailbox): Promise<MailboxRecord> {
    return guard(() =>
      writeTransaction(this.#db, () => {
        if (this.#s.pathTaken.get(input.userId, input.path)) throw new ConflictError('path');
        const uidValidity = this.#s.uidValidity.get(Math.floor(Date.now() / 1000))?.value;
        if (uidValidity === undefined) throw new Error('no UIDVALIDITY was allocated');
        const row: MailboxRow = {
          id: randomUUID(),
          user_id: input.userId,
          tenant_id: input.tenantId,
          path: input.path,
          special_use: input.specialUse,
          subscribed: input.subscribed ? 1 : 0,
          uid_validity: uidValidity,
          uid_next: 1,
          created_at: new Date().toISOString(),
          modseq: null,
        };
        const { modseq: _modseq, ...columns } = row;
        this.#s.insert.run(columns);
        return mailboxFromRow(row);
      }),
    );
  }

  getMailbox(userId: string, path: string): Promise<MailboxRecord | null> {
    return guard(() => {
      const row = this.#s.byPath.get(userId, path);
      return row ? mailboxFromRow(row) : null;
    });
  }

  getMailboxById(userId: string, id: string): Promise<MailboxRecord | null> {
    return guard(() => {
      const row = this.#s.byId.get(userId, id);
      return row ? mailboxFromRow(row) : null;
    });
  }

  listMailboxes(userId: string): Promise<MailboxRecord[]> {
    return guard(() => this.#s.list.all(userId).map(mailboxFromRow));
  }

  renameMailbox(userId: string, fromPath: string, toPath: string): Promise<void> {
    return guard(() =>
      writeTransaction(this.#db, () => {
        const below = `${fromPath}/`;
        const moving = this.#s.subtree.all(userId, fromPath, below, below);
        if (!moving.some((m) => m.path === fromPath)) throw new MailboxNotFoundError();
        const ids = new Set(moving.map((m) => m.id));
        const renamed = moving.map((m) => ({ id: m.id, path: toPath + m.path.slice(fromPath.length) }));
        for (const { path } of renamed) {
          const holder = this.#s.pathTaken.get(userId, path);
          if (holder && !ids.has(holder.id)) throw new ConflictError('path');
        }
        if (fromPath === toPath) throw new ConflictError('path');
        // Two passes, so that a rename into its own subtree never meets a path it is vacating.
        for (const { id } of renamed) this.#s.setPath.run(`\u0000${id}`, id);
        for (const { id, path } of renamed) this.#s.setPath.run(path, id);
      }),
    );
  }

  deleteMailbox(userId: string, id: string): Promise<boolean> {
    return guard(() =>
      writeTransaction(this.#db, () => {
        const owned = this.#s.owner.get(userId, id);
        if (!owned) return false;
        // The messages' search text goes with them (trigger); their blobs become collectable.
        this.#s.deleteMessages.run(id);
        this.#s.deleteMailbox.run(id);
        if (owned.bytes !== 0) this.#s.addUsage.run(userId, -owned.bytes);
        return true;
      }),
    );
  }

  setSubscribed(userId: string, id: string, subscribed: boolean): Promise<void> {
    return guard(() => {
      if (this.#s.subscribe.run(subscribed ? 1 : 0, userId, id).changes === 0) throw new MailboxNotFoundError();
    });
  }

  appendMessage(mailboxId: string, message: NewMessage, quotaBytes: number | null): Promise<{ uid: number; modseq: number; uidValidity: number }> {
    return this.#messages.appendMessage(mailboxId, message, quotaBytes);
  }

  snapshot(mailboxId: string): Promise<MailboxSnapshot> {
    return this.#messages.snapshot(mailboxId);
  }

  getMessages(mailboxId: string, uids: number[], changedSince?: number): Promise<MessageRecord[]> {
    return this.#messages.getMessages(mailboxId, uids, changedSince);
  }

  setFlags(mailboxId: string, uids: number[], action: FlagAction, flags: string[], unchangedSince?: number): Promise<FlagResult> {
    return this.#changes.setFlags(mailboxId, uids, action, flags, unchangedSince);
  }

  expunge(mailboxId: string, uids?: number[]): Promise<number[]> {
    return this.#changes.expunge(mailboxId, uids);
  }

  copyMessages(fromMailboxId: string, uids: number[], toMailboxId: string, quotaBytes: number | null): Promise<UidMapping[]> {
    return this.#changes.copyMessages(fromMailboxId, uids, toMailboxId, quotaBytes);
  }

  moveMessages(fromMailboxId: string, uids: number[], toMailboxId: string): Promise<UidMapping[]> {
    return this.#changes.moveMessages(fromMailboxId, uids, toMailboxId);
  }

  search(mailboxId: string, query: MailQuery): Promise<number[]> {
    return this.#messages.search(mailboxId, query);
  }

  counts(mailboxId: string): Promise<MailboxCounts> {
    return this.#messages.counts(mailboxId);
  }

  usage(userId: string): Promise<number> {
    return this.#messages.usage(userId);
  }

  isBlobReferenced(hash: string): Promise<boolean> {
    return this.#messages.isBlobReferenced(hash);
  }
}
