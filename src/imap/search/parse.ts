/**
 * RFC 3501 §6.4.4 SEARCH keys (plus MODSEQ from RFC 7162 and OLDER/YOUNGER from RFC 5032) → the
 * store's MailQuery. imap-core's own parser flattens parenthesised groups (`OR (A B) C` becomes
 * `(OR A B) C`, docs/notes/imap-core.md §2), so Stoa parses imap-core's attribute tree itself:
 * a nested array there is a parenthesised group, kept as an AND.
 */
import type { MailQuery } from '../../store/ports/mail.ts';

/** One parsed attribute as imap-core's parser gives it; strings are binary (latin1) strings. */
export interface Attribute {
  type?: string;
  value?: unknown;
}
export type AttributeTree = Array<Attribute | AttributeTree>;

export interface ParsedSearch {
  query: MailQuery;
  /** Whether MODSEQ was used: CONDSTORE turns on and the answer carries (MODSEQ n). */
  modseq: boolean;
  /** A CHARSET other than UTF-8 / US-ASCII: NO [BADCHARSET]. */
  badCharset: boolean;
}

/** Resolves a sequence set (or with `uid`, a UID set) against the session's UID list. */
export type SetResolver = (set: string, uid: boolean) => number[] | null;

export class SearchSyntaxError extends Error {}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const SEARCH_DATE = /^(\d{1,2})-([a-z]{3})-(\d{4})$/i;
const NUMBER = /^\d{1,15}$/;
const NEVER: MailQuery = { kind: 'or', queries: [] };
const ALL: MailQuery = { kind: 'all' };

/** Flag keys: name → [flag, present]. Stoa keeps no \Recent, so RECENT/NEW match nothing, OLD all. */
const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true], DELETED: ['\\Deleted', true], DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true], SEEN: ['\\Seen', true],
  UNANSWERED: ['\\Answered', false], UNDELETED: ['\\Deleted', false], UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false], UNSEEN: ['\\Seen', false],
};
const HEADER_KEYS = new Set(['FROM', 'TO', 'CC', 'BCC', 'SUBJECT']);
const DATE_KEYS: Record<string, [('internalDate' | 'sentDate'), '<' | '>=' | 'on']> = {
  BEFORE: ['internalDate', '<'], ON: ['internalDate', 'on'], SINCE: ['internalDate', '>='],
  SENTBEFORE: ['sentDate', '<'], SENTON: ['sentDate', 'on'], SENTSINCE: ['sentDate', '>='],
};

export function parseSearch(attributes: AttributeTree, resolve: SetResolver, now = Date.now()): ParsedSearch {
  const state = { modseq: false, badCharset: false };
  const tokens = [...attributes];
  if (tokens[0] !== undefined && word(tokens[0]) === 'CHARSET') {
    tokens.shift();
    const charset = text(next(tokens, 'CHARSET')).toUpperCase();
    state.badCharset = charset !== 'UTF-8' && charset !== 'US-ASCII';
  }
  if (tokens.length === 0) throw new SearchSyntaxError('SEARCH needs at least one key');
  const query = all(tokens, state, resolve, now);
  return { query, ...state };
}

type State = { modseq: boolean };

function all(tokens: AttributeTree, state: State, resolve: SetResolver, now: number): MailQuery {
  const queries: MailQuery[] = [];
  while (tokens.length > 0) queries.push(key(tokens, state, resolve, now));
  return queries.length === 1 ? queries[0]! : { kind: 'and', queries };
}

function key(tokens: AttributeTree, state: State, resolve: SetResolver, now: number): MailQuery {
  const token = tokens.shift()!;
  if (Array.isArray(token)) {
    if (token.length === 0) throw new SearchSyntaxError('empty parenthesised search group');
    return all([...token], state, resolve, now);
  }
  const name = word(token);
  const flag = FLAG_KEYS[name];
  if (flag) return { kind: 'flag', flag: flag[0], present: flag[1] };
  const date = DATE_KEYS[name];
  if (date) return { kind: date[0], op: date[1], date: searchDay(text(next(tokens, name))) };
  if (HEADER_KEYS.has(name)) return { kind: 'header', name: name.toLowerCase(), value: text(next(tokens, name)) };
  switch (name) {
    case 'ALL':
    case 'OLD':
      return ALL;
    case 'RECENT':
    case 'NEW':
      return NEVER;
    case 'KEYWORD':
    case 'UNKEYWORD':
      return { kind: 'flag', flag: text(next(tokens, name)), present: name === 'KEYWORD' };
    case 'HEADER': {
      const field = text(next(tokens, name)).toLowerCase();
      if (!/^[\x21-\x39\x3b-\x7e]+$/.test(field)) throw new SearchSyntaxError('HEADER needs a field name');
      return { kind: 'header', name: field, value: text(next(tokens, name)) };
    }
    case 'BODY':
    case 'TEXT':
      return { kind: name === 'BODY' ? 'body' : 'text', value: text(next(tokens, name)) };
    case 'LARGER':
    case 'SMALLER':
      return { kind: 'size', op: name === 'LARGER' ? '>' : '<', bytes: number(next(tokens, name), name) };
    case 'OLDER':
    case 'YOUNGER': {
      const seconds = number(next(tokens, name), name);
      const edge = now - seconds * 1000;
      // RFC 5032: OLDER n is an INTERNALDATE at or before the edge, YOUNGER n one at or after it.
      return name === 'YOUNGER'
        ? { kind: 'internalDate', op: '>=', date: new Date(edge).toISOString() }
        : { kind: 'internalDate', op: '<', date: new Date(edge + 1).toISOString() };
    }
    case 'UID': {
      const set = text(next(tokens, name));
      const uids = resolve(set, true);
      if (!uids) throw new SearchSyntaxError('UID needs a UID set');
      return { kind: 'uids', uids };
    }
    case 'NOT':
      return { kind: 'not', query: key(nonEmpty(tokens, name), state, resolve, now) };
    case 'OR': {
      const left = key(nonEmpty(tokens, name), state, resolve, now);
      return { kind: 'or', queries: [left, key(nonEmpty(tokens, name), state, resolve, now)] };
    }
    case 'MODSEQ': {
      // MODSEQ ["entry-name" entry-type] n: Stoa keeps one modseq per message, so the entry is ignored.
      if (tokens.length >= 3 && !NUMBER.test(text(tokens[0]!))) tokens.splice(0, 2);
      state.modseq = true;
      return { kind: 'modseq', atLeast: number(next(tokens, name), name) };
    }
    default: {
      const uids = resolve(text(token), false);
      if (uids) return { kind: 'uids', uids };
      throw new SearchSyntaxError(`Unknown search key ${name.slice(0, 40)}`);
    }
  }
}

function nonEmpty(tokens: AttributeTree, name: string): AttributeTree {
  if (tokens.length === 0) throw new SearchSyntaxError(`${name} needs a search key`);
  return tokens;
}

function next(tokens: AttributeTree, name: string): Attribute | AttributeTree {
  const token = tokens.shift();
  if (token === undefined || Array.isArray(token)) throw new SearchSyntaxError(`${name} needs an argument`);
  return token;
}

/** An argument as Unicode: quoted strings and atoms arrive as binary strings, literals as Buffers. */
function text(token: Attribute | AttributeTree): string {
  if (Array.isArray(token)) throw new SearchSyntaxError('unexpected parenthesised group');
  const value = token.value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'string') return Buffer.from(value, 'binary').toString('utf8');
  throw new SearchSyntaxError('unexpected search argument');
}

function word(token: Attribute | AttributeTree): string {
  return Array.isArray(token) ? '' : text(token).toUpperCase();
}

function number(token: Attribute | AttributeTree, name: string): number {
  const value = text(token);
  if (!NUMBER.test(value)) throw new SearchSyntaxError(`${name} needs a number`);
  return Number(value);
}

/** `1-Feb-1994` → `1994-02-01`, the calendar day the store compares. */
function searchDay(value: string): string {
  const m = SEARCH_DATE.exec(value);
  const month = m ? MONTHS.indexOf(m[2]!.toLowerCase()) + 1 : 0;
  if (!m || month === 0) throw new SearchSyntaxError('a search date looks like 1-Feb-1994');
  const day = Number(m[1]);
  const probe = new Date(Date.UTC(Number(m[3]), month - 1, day));
  if (probe.getUTCDate() !== day) throw new SearchSyntaxError('a search date looks like 1-Feb-1994');
  return `${m[3]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
