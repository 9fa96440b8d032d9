/**
 * The mail store on MongoDB, built, like the rest of this adapter, on the one atomic step FerretDB
 * 1.24 offers: an insert into a unique key (no transactions, no atomic updates; see
 * docs/ARCHITECTURE.md). What each step relies on, and what a process dying half way leaves:
 *
 * - UIDs: inserting `{mailboxId}:{uid}` into `mail_uids` allocates the UID, trying one above the
 *   last one stored and moving up on a duplicate key, the pattern the journal uses for modseqs. So
 *   UIDs are gap-free and each goes to one writer. The UID documents stay when messages are
 *   expunged, so a UID is never handed out again; `uidNext` is the last one plus one.
 * - Modseqs are the journal's (container `mailbox:{id}`): every change appends its entry and the
 *   message takes that entry's modseq. An append inserts the message "pending" (no modseq), then
 *   journals it, then writes the modseq in. A pending message counts only once its `create` entry
 *   exists (readers look it up), so a dead appender leaves an invisible document, which `repair`
 *   removes after the claim timeout.
 * - Snapshot: the journal head first, then the documents, keeping those created at or below it.
 *   Messages are written before their `create` entry and deleted before their `delete` entry, so
 *   nothing the head counts is missing or left over in `uids` (reasoning at `snapshot`). A removal
 *   is marked in `mail_expunging` first, so one whose process died before journaling is finished
 *   (journaled) by `repair` on the next expunge of that mailbox.
 * - Flags, expunge, move: compare-and-swap per message on its `rev` (a claim insert, as for users
 *   and key-value entries), then the journal entry, then the write. Concurrent STOREs on one
 *   message therefore never lose an update, and UNCHANGEDSINCE compares the modseq read under the
 *   claim. Window: between the entry and the write (one round trip) a reader can see the entry
 *   with the old flags in the document; a process dying there leaves the flags of the entry
 *   unapplied.
 * - Quota: a usage document per user, changed by compare-and-swap; the check is inside the swap,
 *   so two appends near the limit cannot both pass. Bytes are reserved before the write and given
 *   back when it fails; a crash in between leaves the total too high (never too low).
 * - Mailbox paths are unique per user by a compound unique index (FerretDB enforces those; only
 *   unique indexes on arrays it does not). Renames move one mailbox at a time in an order that
 *   never meets a path being vacated, and undo on a conflict; a crash half way leaves part of a
 *   subtree renamed (each mailbox intact).
 * - Deleting a mailbox removes its document first, so writes to it start failing, then its
 *   messages one by one (bytes given back only for those this call deleted). An append that
 *   races with it removes its own message again when it finds the mailbox gone afterwards.
 *
 * Search has no index to lean on (no trigrams here): candidates are narrowed by mailbox (or by
 * `_id` for UID sets) and tested in mail-search.ts over text folded at write time the same way as
 * on SQLite. Headers and meta are JSON text, as field names with '.' or '$' are refused. Blobs are
 * never read.
 */
import type { Db } from 'mongodb';
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
import type { MongoJournal } from './journal.ts';
import { MongoMailboxes } from './mail-boxes.ts';
import { MongoMessageChanges } from './mail-changes.ts';
import { MongoMessages } from './mail-messages.ts';
import { MessageTables } from './mail-tables.ts';

type NewMailbox = Parameters<MailStore['createMailbox']>[0];

export class MongoMailStore implements MailStore {
  readonly #boxes: MongoMailboxes;
  readonly #messages: MongoMessages;
  readonly #changes: MongoMessageChanges;

  constructor(db: Db, journal: MongoJournal) {
    const tables = new MessageTables(db, journal);
    this.#boxes = new MongoMailboxes(db, tables);
    this.#messages = new MongoMessages(tables);
    this.#changes = new MongoMessageChanges(tables);
  }

  createMailbox(input: NewMailbox): Promise<MailboxRecord> {
    return this.#boxes.create(input);
  }

  getMailbox(userId: string, path: string): Promise<MailboxRecord | null> {
    return this.#boxes.get(userId, { path });
  }

  getMailboxById(userId: string, id: string): Promise<MailboxRecord | null> {
    return this.#boxes.get(userId, { _id: id });
  }

  listMailboxes(userId: string): Promise<MailboxRecord[]> {
    return this.#boxes.list(userId);
  }

  renameMailbox(userId: string, fromPath: string, toPath: string): Promise<void> {
    return this.#boxes.rename(userId, fromPath, toPath);
  }

  deleteMailbox(userId: string, id: string): Promise<boolean> {
    return this.#boxes.delete(userId, id);
  }

  setSubscribed(userId: string, id: string, subscribed: boolean): Promise<void> {
    return this.#boxes.setSubscribed(userId, id, subscribed);
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
