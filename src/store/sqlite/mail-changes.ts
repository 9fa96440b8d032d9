import type { Statement } from 'better-sqlite3';
import type { FlagAction, FlagChange, FlagResult, UidMapping } from '../ports/mail.ts';
import { guard, toJson } from './database.ts';
import type { MessageTables } from './mail-messages.ts';
import type { MessageRow } from './mail-rows.ts';
import { applyFlags, container, fromRowFlags, isSeen } from './mail-rows.ts';

/**
 * Flag changes, expunge, copy and move. Each is one `journal.transact`: the rows, the modseqs and
 * the journal entries (one per changed message) commit together.
 */
export class SqliteMessageChanges {
  readonly #t: MessageTables;
  readonly #s: {
    setFlags: Statement<[string, number, number, number]>;
    deleted: Statement<[string], MessageRow>;
    remove: Statement<[number]>;
    relocate: Statement<[string, number, number, number]>;
  };

  constructor(tables: MessageTables) {
    this.#t = tables;
    const db = tables.db;
    this.#s = {
      setFlags: db.prepare('UPDATE messages SET flags = ?, seen = ?, modseq = ? WHERE id = ?'),
      deleted: db.prepare(
        `SELECT * FROM messages WHERE mailbox_id = ?
           AND EXISTS (SELECT 1 FROM json_each(flags) WHERE value = '\\Deleted') ORDER BY uid`,
      ),
      remove: db.prepare('DELETE FROM messages WHERE id = ?'),
      relocate: db.prepare('UPDATE messages SET mailbox_id = ?, uid = ?, modseq = ? WHERE id = ?'),
    };
  }

  setFlags(mailboxId: string, uids: number[], action: FlagAction, flags: string[], unchangedSince?: number): Promise<FlagResult> {
    return guard(() =>
      this.#t.journal.transact((append) => {
        this.#t.mailbox(mailboxId);
        const changed: FlagChange[] = [];
        const modified: number[] = [];
        for (const row of this.#t.selected(mailboxId, uids)) {
          // RFC 7162: a message changed after UNCHANGEDSINCE is left alone, whatever the STORE asks.
          if (unchangedSince !== undefined && row.modseq > unchangedSince) {
            modified.push(row.uid);
            continue;
          }
          const next = applyFlags(fromRowFlags(row), action, flags);
          // No change, no new modseq: clients resyncing with CHANGEDSINCE are not sent noise.
          if (!next) continue;
          const { modseq } = append(container(mailboxId), { op: 'update', item: String(row.uid), data: { flags: next } });
          this.#s.setFlags.run(toJson(next), isSeen(next) ? 1 : 0, modseq, row.id);
          changed.push({ uid: row.uid, flags: next, modseq });
        }
        return { changed, modified };
      }),
    );
  }

  expunge(mailboxId: string, uids?: number[]): Promise<number[]> {
    return guard(() =>
      this.#t.journal.transact((append) => {
        const box = this.#t.mailbox(mailboxId);
        const wanted = uids === undefined ? null : new Set(uids);
        const removed: number[] = [];
        let bytes = 0;
        for (const row of this.#s.deleted.all(mailboxId)) {
          if (wanted && !wanted.has(row.uid)) continue;
          this.#s.remove.run(row.id);
          append(container(mailboxId), { op: 'delete', item: String(row.uid) });
          removed.push(row.uid);
          bytes += row.size;
        }
        this.#t.addUsage(box.user_id, -bytes);
        return removed;
      }),
    );
  }

  copyMessages(fromMailboxId: string, uids: number[], toMailboxId: string, quotaBytes: number | null): Promise<UidMapping[]> {
    return guard(() =>
      this.#t.journal.transact((append) => {
        this.#t.mailbox(fromMailboxId);
        const target = this.#t.mailbox(toMailboxId);
        const rows = this.#t.selected(fromMailboxId, uids);
        if (rows.length === 0) return [];
        const bytes = rows.reduce((sum, row) => sum + row.size, 0);
        this.#t.checkQuota(target.user_id, bytes, quotaBytes);
        let uid = this.#t.allocate(toMailboxId, rows.length);
        const mappings: UidMapping[] = [];
        for (const row of rows) {
          const { id: _id, mailbox_id: _mailbox, uid: sourceUid, modseq: _modseq, ...rest } = row;
          // Same blob hash: the bytes are shared, only the row is new.
          const { id } = this.#t.insert(append, toMailboxId, uid, rest);
          this.#t.statements.copyText.run(id, row.id);
          mappings.push({ sourceUid, destinationUid: uid });
          uid++;
        }
        this.#t.addUsage(target.user_id, bytes);
        return mappings;
      }),
    );
  }

  moveMessages(fromMailboxId: string, uids: number[], toMailboxId: string): Promise<UidMapping[]> {
    return guard(() =>
      this.#t.journal.transact((append) => {
        const source = this.#t.mailbox(fromMailboxId);
        const target = this.#t.mailbox(toMailboxId);
        const rows = this.#t.selected(fromMailboxId, uids);
        if (rows.length === 0) return [];
        let uid = this.#t.allocate(toMailboxId, rows.length);
        const mappings: UidMapping[] = [];
        // The destination first, then the source's deletions, as the port promises; the row itself
        // (and so its search text) moves, so nothing is copied.
        for (const row of rows) {
          const { modseq } = append(container(toMailboxId), { op: 'create', item: String(uid) });
          this.#s.relocate.run(toMailboxId, uid, modseq, row.id);
          mappings.push({ sourceUid: row.uid, destinationUid: uid });
          uid++;
        }
        for (const row of rows) append(container(fromMailboxId), { op: 'delete', item: String(row.uid) });
        if (source.user_id !== target.user_id) {
          const bytes = rows.reduce((sum, row) => sum + row.size, 0);
          this.#t.addUsage(source.user_id, -bytes);
          this.#t.addUsage(target.user_id, bytes);
        }
        return mappings;
      }),
    );
  }
}
