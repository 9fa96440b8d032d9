/**
 * MailQuery evaluated over the stored search fields of one message. MongoDB-compatible servers
 * have no trigram index (and FerretDB scans for any filter but `_id`), so the store narrows by
 * mailbox and then tests each candidate here: substrings of the text folded at write time with the
 * same `normalise` the SQLite adapter uses, so both adapters answer with the same UIDs.
 */
import type { MailQuery } from '../ports/mail.ts';
import { isoDatePoint, normalise } from '../ports/mail-text.ts';
import type { MessageDoc } from './mail-docs.ts';

/** The fields search reads: never `meta`, never the blob. */
export const SEARCH_PROJECTION = { meta: 0 } as const;

export interface Candidate {
  doc: MessageDoc;
  modseq: number;
}

/** Compiles once per search: terms are folded here, not per message. */
export function compileQuery(query: MailQuery): (candidate: Candidate) => boolean {
  switch (query.kind) {
    case 'all':
      return () => true;
    case 'uids': {
      const uids = new Set(query.uids);
      return ({ doc }) => uids.has(doc.uid);
    }
    case 'flag': {
      const flag = query.flag.toLowerCase();
      return ({ doc }) => doc.flags.some((f) => f.toLowerCase() === flag) === query.present;
    }
    case 'header':
      return header(query.name.toLowerCase(), normalise(query.value));
    case 'body': {
      const term = normalise(query.value);
      return ({ doc }) => doc.bodyText.includes(term);
    }
    case 'text': {
      const term = normalise(query.value);
      return ({ doc }) => doc.headersText.includes(term) || doc.bodyText.includes(term);
    }
    case 'internalDate':
    case 'sentDate':
      return date(query.kind === 'internalDate' ? 'internal' : 'sent', query.op, query.date);
    case 'size': {
      const { op, bytes } = query;
      return ({ doc }) => (op === '<' ? doc.size < bytes : doc.size > bytes);
    }
    case 'modseq': {
      const { atLeast } = query;
      return ({ modseq }) => modseq >= atLeast;
    }
    case 'not': {
      const inner = compileQuery(query.query);
      return (candidate) => !inner(candidate);
    }
    case 'and': {
      const parts = query.queries.map(compileQuery);
      return (candidate) => parts.every((part) => part(candidate));
    }
    case 'or': {
      const parts = query.queries.map(compileQuery);
      return (candidate) => parts.some((part) => part(candidate));
    }
  }
}

/** Parsed once per message per search, however many header terms the query has. */
const parsedHeaders = new WeakMap<MessageDoc, Record<string, string>>();

function headersOf(doc: MessageDoc): Record<string, string> {
  let headers = parsedHeaders.get(doc);
  if (!headers) {
    headers = JSON.parse(doc.headers) as Record<string, string>;
    parsedHeaders.set(doc, headers);
  }
  return headers;
}

function header(name: string, term: string): (candidate: Candidate) => boolean {
  return ({ doc }) => {
    const value = headersOf(doc)[name];
    return value !== undefined && value.includes(term);
  };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function date(prefix: 'internal' | 'sent', op: '<' | '>=' | 'on', value: string): (candidate: Candidate) => boolean {
  const dayOf = (doc: MessageDoc) => (prefix === 'internal' ? doc.internalDay : doc.sentDay);
  const msOf = (doc: MessageDoc) => (prefix === 'internal' ? doc.internalMs : doc.sentMs);
  if (DAY.test(value)) return ({ doc }) => compare(dayOf(doc), op === 'on' ? '=' : op, value);
  const point = isoDatePoint(value);
  if (!point) throw new TypeError(`not a date: ${value}`);
  if (op === 'on') {
    const day = new Date(point.ms).toISOString().slice(0, 10);
    return ({ doc }) => dayOf(doc) === day;
  }
  return ({ doc }) => compare(msOf(doc), op, point.ms);
}

function compare<T extends string | number>(a: T, op: '<' | '>=' | '=', b: T): boolean {
  if (op === '<') return a < b;
  if (op === '>=') return a >= b;
  return a === b;
}
