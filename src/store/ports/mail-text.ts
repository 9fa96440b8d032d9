/**
 * The pure mail rules both adapters share, so that they fold text, compare flags and read dates
 * identically (the contract suite checks they return the same UIDs): no adapter code here.
 */
import type { FlagAction, NewMessage } from './mail.ts';

/**
 * How search text and terms are folded before they meet: NFC, then lower case. Both sides go
 * through this one function, so every index, scan and term compares the same strings.
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

/** What a new message contributes to SEARCH, folded and parsed once at write time. */
export interface SearchText {
  internalDay: string;
  internalMs: number;
  sentDay: string;
  sentMs: number;
  /** Lower-case header name → normalised value. */
  headers: Record<string, string>;
  /** `name: value` lines of the normalised headers, for SEARCH TEXT. */
  headersText: string;
  bodyText: string;
}

export function searchText(message: NewMessage): SearchText {
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
    internalDay: internal.day,
    internalMs: internal.ms,
    sentDay: sent.day,
    sentMs: sent.ms,
    headers,
    headersText: lines.join('\n'),
    bodyText: normalise(message.search.body),
  };
}
