/**
 * MailQuery → one SQL condition over `messages m`. Every leaf is a non-NULL boolean, so NOT is the
 * exact complement. Text terms are matched as case-insensitive substrings of the normalised text:
 * through the FTS5 trigram index when the term has three or more characters (a trigram phrase is a
 * substring), with instr() over the same stored text when it is shorter (trigrams cannot answer).
 */
import type { MailQuery } from '../ports/mail.ts';
import { characters, isoDatePoint, normalise } from './mail-rows.ts';

export interface Condition {
  sql: string;
  params: unknown[];
}

export function compileQuery(query: MailQuery): Condition {
  const params: unknown[] = [];
  const sql = compile(query, params);
  return { sql, params };
}

function compile(query: MailQuery, params: unknown[]): string {
  switch (query.kind) {
    case 'all':
      return '1';
    case 'uids':
      params.push(JSON.stringify(query.uids));
      return 'm.uid IN (SELECT value FROM json_each(?))';
    case 'flag':
      params.push(query.flag);
      return `${query.present ? '' : 'NOT '}EXISTS (SELECT 1 FROM json_each(m.flags) WHERE lower(value) = lower(?))`;
    case 'header':
      return header(query.name, query.value, params);
    case 'body':
      return text(['body'], query.value, params);
    case 'text':
      return text(['headers', 'body'], query.value, params);
    case 'internalDate':
    case 'sentDate':
      return date(query.kind === 'internalDate' ? 'internal' : 'sent', query.op, query.date, params);
    case 'size':
      params.push(query.bytes);
      return `m.size ${query.op === '<' ? '<' : '>'} ?`;
    case 'modseq':
      params.push(query.atLeast);
      return 'm.modseq >= ?';
    case 'not':
      return `NOT (${compile(query.query, params)})`;
    case 'and':
    case 'or': {
      if (query.queries.length === 0) return query.kind === 'and' ? '1' : '0';
      const parts = query.queries.map((q) => `(${compile(q, params)})`);
      return parts.join(query.kind === 'and' ? ' AND ' : ' OR ');
    }
  }
}

/** An FTS5 phrase restricted to columns; `"` is the only character a phrase must escape. */
function phrase(columns: string[], term: string): string {
  return `{${columns.join(' ')}} : "${term.replaceAll('"', '""')}"`;
}

function text(columns: Array<'headers' | 'body'>, value: string, params: unknown[]): string {
  const term = normalise(value);
  if (characters(term) >= 3) {
    params.push(phrase(columns, term));
    return 'm.id IN (SELECT rowid FROM message_text WHERE message_text MATCH ?)';
  }
  const tests = columns.map((c) => {
    params.push(term);
    return `instr(t.${c}, ?) > 0`;
  });
  return `EXISTS (SELECT 1 FROM message_text t WHERE t.rowid = m.id AND (${tests.join(' OR ')}))`;
}

function header(name: string, value: string, params: unknown[]): string {
  const term = normalise(value);
  params.push(name.toLowerCase());
  if (term === '') return 'EXISTS (SELECT 1 FROM json_each(m.search_headers) WHERE key = ?)';
  params.push(term);
  const exact = 'EXISTS (SELECT 1 FROM json_each(m.search_headers) WHERE key = ? AND instr(value, ?) > 0)';
  if (characters(term) < 3) return exact;
  // The index narrows the candidates (the value is a substring of its `name: value` line); the
  // exact test then keeps only matches inside that one header.
  params.push(phrase(['headers'], term));
  return `${exact} AND m.id IN (SELECT rowid FROM message_text WHERE message_text MATCH ?)`;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function date(prefix: 'internal' | 'sent', op: '<' | '>=' | 'on', value: string, params: unknown[]): string {
  if (DAY.test(value)) {
    params.push(value);
    return `m.${prefix}_day ${op === 'on' ? '=' : op} ?`;
  }
  const point = isoDatePoint(value);
  if (!point) throw new TypeError(`not a date: ${value}`);
  if (op === 'on') {
    params.push(new Date(point.ms).toISOString().slice(0, 10));
    return `m.${prefix}_day = ?`;
  }
  params.push(point.ms);
  return `m.${prefix}_ms ${op} ?`;
}
