/** Document shapes of the mail collections and the pure conversions the mail adapter shares. */
import type { MailboxRecord, MessageMeta, MessageRecord, SpecialUse } from '../ports/mail.ts';

export interface MailboxDoc {
  /** A random UUID: a deleted mailbox's id, and so its journal container, is never reused. */
  _id: string;
  userId: string;
  tenantId: string;
  path: string;
  specialUse: string | null;
  subscribed: boolean;
  uidValidity: number;
  createdAt: string;
}

/** A handed-out UID; kept while the mailbox exists, so an expunged UID is never handed out again. */
export interface UidDoc {
  _id: string;
  mailboxId: string;
  uid: number;
}

export interface MessageDoc {
  /** `{mailboxId}:{uid}` (see messageId). */
  _id: string;
  mailboxId: string;
  uid: number;
  userId: string;
  /**
   * The modseq of the message's journal `create` entry and of its last change. Both null while
   * the append is between its insert and its journal entry ("pending", see mail.ts).
   */
  created: number | null;
  modseq: number | null;
  /** Random; the right to change the document is the claim of its rev (revisions.ts). */
  rev: string;
  blob: string;
  size: number;
  internalDate: string;
  flags: string[];
  /** JSON text: FerretDB refuses field names with '.' or a leading '$', which meta may have. */
  meta: string;
  /** JSON text of {lower-case header name: normalised value}, for the same reason. */
  headers: string;
  headersText: string;
  bodyText: string;
  internalDay: string;
  internalMs: number;
  sentDay: string;
  sentMs: number;
  /** When the document was inserted: a pending one older than the claim timeout was abandoned. */
  at: Date;
}

/** A message being removed (expunge, move): its journal `delete` entry may still be missing. */
export interface ExpungingDoc {
  _id: string;
  mailboxId: string;
  uid: number;
  /** Whose bytes to give back, and how many, if the removal has to be finished by `repair`. */
  userId: string;
  size: number;
  at: Date;
}

export interface UsageDoc {
  _id: string;
  bytes: number;
  rev: string;
}

/** The journal container of a mailbox (the same as on SQLite). */
export function container(mailboxId: string): string {
  return `mailbox:${mailboxId}`;
}

/** Zero-padded so that ids sort as the UIDs do (UIDs are below 2^32). */
export function messageId(mailboxId: string, uid: number): string {
  return `${mailboxId}:${String(uid).padStart(10, '0')}`;
}

export function mailboxFromDoc(doc: MailboxDoc, uidNext: number, modseq: number): MailboxRecord {
  return {
    id: doc._id,
    userId: doc.userId,
    tenantId: doc.tenantId,
    path: doc.path,
    specialUse: doc.specialUse as SpecialUse | null,
    subscribed: doc.subscribed,
    uidValidity: doc.uidValidity,
    uidNext,
    modseq,
    createdAt: doc.createdAt,
  };
}

/** A committed message, with its modseq resolved (see MessageTables.visible). */
export function messageFromDoc({ doc, modseq }: { doc: MessageDoc; modseq: number }): MessageRecord {
  return {
    mailboxId: doc.mailboxId,
    uid: doc.uid,
    modseq,
    blob: doc.blob,
    size: doc.size,
    internalDate: doc.internalDate,
    flags: doc.flags,
    meta: JSON.parse(doc.meta) as MessageMeta,
  };
}
