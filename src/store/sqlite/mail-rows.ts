/** Row shapes of the mail tables and the pure conversions the mail adapter shares. */
import type { FlagAction, MailboxRecord, MessageMeta, MessageRecord, NewMessage, SpecialUse } from '../ports/mail.ts';
import { fromJson, toJson } from './database.ts';

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

/**
 * How search text and terms are folded before they meet: NFC, then lower case. Both sides go
 * through this one function, so the FTS index and the instr() fallback compare the same strings.
 */
export function normalise(text: string): string {
  return text.normalize('NFC').toLowerCase();
}

/** Code points, which is what the trigram tokenizer counts. */
export function characters(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

const SYSTEM_FLAGS = new Map(['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft', '\\Recent'].map((f) => [f.toLowerCase(), f]));

/** System flags in their canonical case; keywords as given. Flags are compared case-insensitively. */
export function canonicalFlag(flag: string): string {
  return SYSTEM_FLAGS.get(flag.toLowerCase()) ?? flag;
}

/** Canonical, without case-insensitive duplicates, first spelling kept. */
export function uniqueFlags(flags: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const flag of flags.map(canonicalFlag)) {
    const key = flag.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(flag);
    }
  }
  return out;
}

/** The flags after `action`, or null when they would not change (so nothing is journaled). */
export function applyFlags(current: readonly string[], action: FlagAction, requested: readonly string[]): string[] | null {
  const wanted = uniqueFlags(requested);
  const has = new Set(current.map((f) => f.toLowerCase()));
  const asked = new Set(wanted.map((f) => f.toLowerCase()));
  const added = action === 'remove' ? [] : wanted.filter((f) => !has.has(f.toLowerCase()));
  const kept =
    action === 'add'
      ? [...current]
      : current.filter((f) => (action === 'remove' ? !asked.has(f.toLowerCase()) : asked.has(f.toLowerCase())));
  if (added.length === 0 && kept.length === current.length) return null;
  return [...kept, ...added];
}

export function isSeen(flags: readonly string[]): boolean {
  return flags.includes('\\Seen');
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** A calendar day and an instant, for SEARCH on dates. */
export interface DatePoint {
  day: string;
  ms: number;
}

/** The day as written (ISO strings are read in their own zone); the UTC day of the instant otherwise. */
export function isoDatePoint(value: string): DatePoint | null {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return null;
  const written = /^(\d{4}-\d{2}-\d{2})/.exec(value)?.[1];
  return { day: written ?? new Date(ms).toISOString().slice(0, 10), ms };
}

/** An RFC 5322 Date: value: the day as written in the header ("disregarding time and timezone"). */
export function headerDatePoint(value: string | undefined): DatePoint | null {
  if (value === undefined) return null;
  const ms = Date.parse(value);
  const match = /(\d{1,2})\s+([a-z]{3})[a-z]*\s+(\d{2,4})/i.exec(value);
  const month = match ? MONTHS.indexOf((match[2] ?? '').toLowerCase()) : -1;
  if (match && month >= 0) {
    let year = Number(match[3]);
    // RFC 5322 obsolete two-digit years.
    if (year < 50) year += 2000;
    else if (year < 1000) year += 1900;
    const day = `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${(match[1] ?? '').padStart(2, '0')}`;
    return { day, ms: Number.isNaN(ms) ? Date.parse(`${day}T00:00:00Z`) : ms };
  }
  return Number.isNaN(ms) ? null : { day: new Date(ms).toISOString().slice(0, 10), ms };
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
  const internal = isoDatePoint(message.internalDate);
  if (!internal) throw new TypeError(`internalDate is not a date: ${message.internalDate}`);
  const headers: Record<string, string> = {};
  const lines: string[] = [];
  let date: string | undefined;
  for (const [name, value] of Object.entries(message.search.headers)) {
    const key = name.toLowerCase();
    const text = normalise(value);
    if (key === 'date') date = value;
    headers[key] = text;
    lines.push(`${key}: ${text}`);
  }
  // The Date header is among the search headers when the indexer has one; otherwise INTERNALDATE.
  const sent = headerDatePoint(date) ?? internal;
  return {
    internal_day: internal.day,
    internal_ms: internal.ms,
    sent_day: sent.day,
    sent_ms: sent.ms,
    search_headers: toJson(headers),
    headers_text: lines.join('\n'),
    body_text: normalise(message.search.body),
  };
}
