/**
 * Mailboxes and messages. Every write to a mailbox allocates what it needs (UIDs, the next modseq)
 * and appends its journal rows (container `mailbox:{id}`) in one step, so IMAP sessions that
 * resume from a modseq or fetch `UID last+1:*` never miss a change. Message bytes are blobs (see
 * BlobStore), written before the row that points at them.
 */

export type SpecialUse = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive' | '\\All' | '\\Flagged';

export interface MailboxRecord {
  id: string;
  userId: string;
  tenantId: string;
  /** Unicode, hierarchy separated by '/'; INBOX is always `INBOX`. */
  path: string;
  specialUse: SpecialUse | null;
  subscribed: boolean;
  /** Fixed at creation; never changes while the mailbox exists. */
  uidValidity: number;
  /** The UID the next message will get; UIDs are never reused. */
  uidNext: number;
  /** The mailbox's current modseq (= its journal head). */
  modseq: number;
  createdAt: string;
}

/**
 * What was learnt from the message's bytes once, at delivery or APPEND, so nothing is parsed again:
 * the IMAP ENVELOPE/BODYSTRUCTURE structures and where each MIME part sits in the blob. Opaque to
 * the store (stored and returned as given; the mail service owns its shape).
 */
export type MessageMeta = Record<string, unknown>;

export interface NewMessage {
  /** sha256 of the stored blob. */
  blob: string;
  size: number;
  internalDate: string;
  flags: string[];
  meta: MessageMeta;
  /** Searchable text: selected headers and the decoded text parts, for SEARCH HEADER/BODY/TEXT. */
  search: { headers: Record<string, string>; body: string };
}

export interface MessageRecord {
  mailboxId: string;
  uid: number;
  /** The modseq of the message's last change (append or flags). */
  modseq: number;
  blob: string;
  size: number;
  internalDate: string;
  flags: string[];
  meta: MessageMeta;
}

export interface MailboxSnapshot {
  /** Ascending. */
  uids: number[];
  /** The modseq that `uids` reflects: every change after it is in the journal. */
  modseq: number;
}

export interface MailboxCounts {
  messages: number;
  unseen: number;
  /** Sum of message sizes. */
  bytes: number;
}

export type FlagAction = 'add' | 'remove' | 'set';

export interface FlagChange {
  uid: number;
  flags: string[];
  modseq: number;
}

export interface FlagResult {
  changed: FlagChange[];
  /** UIDs left alone because they changed after `unchangedSince` (RFC 7162 MODIFIED). */
  modified: number[];
}

export interface UidMapping {
  sourceUid: number;
  destinationUid: number;
}

/** Thrown by writes that would put the user over their quota; nothing is written. */
export class OverQuotaError extends Error {
  constructor(message = 'mailbox quota exceeded') {
    super(message);
    this.name = 'OverQuotaError';
  }
}

/**
 * Thrown by writes (and snapshot/counts) on a mailbox that does not exist (any more), and by
 * renameMailbox/setSubscribed when the user has no such mailbox: IMAP's TRYCREATE/NONEXISTENT.
 */
export class MailboxNotFoundError extends Error {
  constructor(message = 'mailbox not found') {
    super(message);
    this.name = 'MailboxNotFoundError';
  }
}

/** A search over one mailbox, evaluated by the store (indexed where it can). */
export type MailQuery =
  | { kind: 'all' }
  | { kind: 'uids'; uids: number[] }
  | { kind: 'flag'; flag: string; present: boolean }
  /** Case-insensitive substring of a header's decoded value; empty `value` = the header is present. */
  | { kind: 'header'; name: string; value: string }
  /** Case-insensitive substring of the decoded body text (`text` adds the headers). */
  | { kind: 'body' | 'text'; value: string }
  /**
   * `date` `YYYY-MM-DD` compares calendar days, disregarding time and zone (BEFORE/ON/SINCE and
   * SENT*); a full ISO timestamp compares instants (OLDER/YOUNGER; `on` then means its UTC day).
   */
  | { kind: 'internalDate' | 'sentDate'; op: '<' | '>=' | 'on'; date: string }
  | { kind: 'size'; op: '<' | '>'; bytes: number }
  | { kind: 'modseq'; atLeast: number }
  | { kind: 'not'; query: MailQuery }
  | { kind: 'and' | 'or'; queries: MailQuery[] };

export interface MailStore {
  /** Throws ConflictError('path') when the user has a mailbox with that path. */
  createMailbox(input: { userId: string; tenantId: string; path: string; specialUse: SpecialUse | null; subscribed: boolean }): Promise<MailboxRecord>;
  getMailbox(userId: string, path: string): Promise<MailboxRecord | null>;
  getMailboxById(userId: string, id: string): Promise<MailboxRecord | null>;
  listMailboxes(userId: string): Promise<MailboxRecord[]>;
  /** Renames a mailbox and every mailbox below it; ConflictError('path') when a target exists. */
  renameMailbox(userId: string, fromPath: string, toPath: string): Promise<void>;
  /** Deletes the mailbox and its messages (their blobs become collectable). */
  deleteMailbox(userId: string, id: string): Promise<boolean>;
  setSubscribed(userId: string, id: string, subscribed: boolean): Promise<void>;

  /** Allocates the next UID; OverQuotaError when the user's total would pass `quotaBytes`. */
  appendMessage(mailboxId: string, message: NewMessage, quotaBytes: number | null): Promise<{ uid: number; modseq: number; uidValidity: number }>;
  snapshot(mailboxId: string): Promise<MailboxSnapshot>;
  /** The given UIDs that exist, ascending; with `changedSince`, only those changed after it. */
  getMessages(mailboxId: string, uids: number[], changedSince?: number): Promise<MessageRecord[]>;
  setFlags(mailboxId: string, uids: number[], action: FlagAction, flags: string[], unchangedSince?: number): Promise<FlagResult>;
  /** Removes messages flagged \Deleted (only among `uids` when given); returns the removed UIDs. */
  expunge(mailboxId: string, uids?: number[]): Promise<number[]>;
  /** New UIDs in the destination; blobs are shared, not copied. */
  copyMessages(fromMailboxId: string, uids: number[], toMailboxId: string, quotaBytes: number | null): Promise<UidMapping[]>;
  /** Copy then expunge, with the destination written first so a crash never loses a message. */
  moveMessages(fromMailboxId: string, uids: number[], toMailboxId: string): Promise<UidMapping[]>;
  search(mailboxId: string, query: MailQuery): Promise<number[]>;
  counts(mailboxId: string): Promise<MailboxCounts>;
  /** Bytes used by all of the user's messages. */
  usage(userId: string): Promise<number>;
  /** Whether any message anywhere refers to the blob (for blob collection). */
  isBlobReferenced(hash: string): Promise<boolean>;
}
