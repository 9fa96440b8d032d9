/** Row shapes of the mail tables, their conversions, and the shared mail rules (ports/mail-text.ts) re-exported for the SQLite files. */
import type { MailboxRecord, MessageMeta, MessageRecord, NewMessage, SpecialUse } from '../ports/mail.ts';
import { searchText } from '../ports/mail-text.ts';
import { fromJson, toJson } from './database.ts';

export {
  applyFlags,
  canonicalFlag,
  characters,
  headerDatePoint,
  isoDatePoint,
  isSeen,
  normalise,
  uniqueFlags,
} from '../ports/mail-text.ts';
export type { DatePoint } from '../ports/mail-text.ts';

export interface MailboxRow {
  id: string;
  user_id: string;
  tenant_id: string;
  path: string;
  special_use: string | null;
  subscribed: number;
  uid_validity: number;
  uid_next: number;
  created_at: string;
  /** Joined from journal_heads; null before the first change. */
  modseq: number | null;
}

export interface MessageRow {
  id: number;
  mailbox_id: string;
  uid: number;
  modseq: number;
  blob: string;
  size: number;
  internal_date: string;
  internal_day: string;
  internal_ms: number;
  sent_day: string;
  sent_ms: number;
  flags: string;
  seen: number;
  meta: string;
  search_headers: string;
}

/** The journal container of a mailbox. */
export function container(mailboxId: string): string {
  return `mailbox:${mailboxId}`;
}

/** Reads a mailbox with its journal head; `?` is the user, then whatever the caller appends. */
export const MAILBOX_SELECT = `SELECT b.*, h.modseq AS modseq FROM mailboxes b
  LEFT JOIN journal_heads h ON h.container = 'mailbox:' || b.id`;

export function mailboxFromRow(row: MailboxRow): MailboxRecord {
  return {
    id: row.id,
    userId: row.user_id,
    tenantId: row.tenant_id,
    path: row.path,
    specialUse: row.special_use as SpecialUse | null,
    subscribed: row.subscribed === 1,
    uidValidity: row.uid_validity,
    uidNext: row.uid_next,
    modseq: row.modseq ?? 0,
    createdAt: row.created_at,
  };
}

export function fromRowFlags(row: Pick<MessageRow, 'flags'>): string[] {
  return fromJson<string[]>(row.flags);
}

export function messageFromRow(row: MessageRow): MessageRecord {
  return {
    mailboxId: row.mailbox_id,
    uid: row.uid,
    modseq: row.modseq,
    blob: row.blob,
    size: row.size,
    internalDate: row.internal_date,
    flags: fromRowFlags(row),
    meta: fromJson<MessageMeta>(row.meta),
  };
}

/** The searchable columns of a new message. */
export interface SearchColumns {
  internal_day: string;
  internal_ms: number;
  sent_day: string;
  sent_ms: number;
  search_headers: string;
  headers_text: string;
  body_text: string;
}

export function searchColumns(message: NewMessage): SearchColumns {
  const text = searchText(message);
  return {
    internal_day: text.internalDay,
    internal_ms: text.internalMs,
    sent_day: text.sentDay,
    sent_ms: text.sentMs,
    search_headers: toJson(text.headers),
    headers_text: text.headersText,
    body_text: text.bodyText,
  };
}
