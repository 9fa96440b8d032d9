/**
 * Replaces imap-core's SEARCH / UID SEARCH handler (a shared, mutable command module,
 * docs/notes/imap-core.md §5) with one that parses the attribute tree itself, keeping
 * parenthesised groups, and hands the store a MailQuery through `server.onSearch`.
 * The answer is formatted as imap-core does: `* SEARCH n…` (sequence numbers unless UID SEARCH),
 * with `(MODSEQ m)` when MODSEQ was searched (RFC 7162 §3.1.5).
 */
import { createRequire } from 'node:module';
import type { MailQuery } from '../../store/ports/mail.ts';
import '../imap-core.ts';
import { parseSearch, SearchSyntaxError, type AttributeTree } from './parse.ts';

export interface SearchRequest {
  query: MailQuery;
  /** MODSEQ was searched: answer the highest modseq of the matches too. */
  modseq: boolean;
}

export interface SearchAnswer {
  uids: number[];
  highestModseq?: number;
}

type Done = (err: Error | null, res?: { response: string; code?: string; message?: string }) => void;

interface SearchConnection {
  _server: { onSearch?: (mailbox: unknown, request: SearchRequest, session: unknown, cb: (err: Error | null, answer?: SearchAnswer) => void) => void };
  selected: { mailbox: unknown; uidList: number[]; condstoreEnabled?: boolean };
  condstoreEnabled?: boolean;
  session: unknown;
  send(line: string): void;
}

const require = createRequire(import.meta.url);
const search = require('@zone-eu/wildduck/imap-core/lib/commands/search.js') as { handler: unknown };
const imapTools = require('@zone-eu/wildduck/imap-core/lib/imap-tools.js') as {
  validateSequence(range: string): boolean;
  getMessageRange(uidList: number[], range: string, isUid: boolean): number[];
};

search.handler = function (this: SearchConnection, command: { command?: string; attributes?: AttributeTree }, callback: Done) {
  const isUid = String(command.command ?? '').toUpperCase() === 'UID SEARCH';
  const onSearch = this._server.onSearch;
  if (!onSearch) return callback(null, { response: 'NO', message: 'SEARCH not implemented' });
  const uidList = this.selected.uidList;
  let parsed;
  try {
    parsed = parseSearch(command.attributes ?? [], (set, uid) =>
      imapTools.validateSequence(set) ? imapTools.getMessageRange(uidList, set, uid) : null);
  } catch (err) {
    // → TAG BAD message; the connection stays usable.
    return callback(err instanceof SearchSyntaxError ? err : new Error('Invalid SEARCH arguments'));
  }
  if (parsed.badCharset) return callback(null, { response: 'NO', code: 'BADCHARSET (UTF-8 US-ASCII)', message: 'Only UTF-8 and US-ASCII are supported' });
  if (parsed.modseq) this.condstoreEnabled = this.selected.condstoreEnabled = true;
  const selected = this.selected;
  onSearch.call(this._server, selected.mailbox, { query: parsed.query, modseq: parsed.modseq }, this.session, (err, answer) => {
    if (err || !answer) return callback(null, { response: 'NO', code: 'TEMPFAIL' });
    // The session's view: a match it has not heard of yet (another session's append) is left out.
    const seqOf = new Map(selected.uidList.map((uid, i) => [uid, i + 1]));
    const known = answer.uids.filter((uid) => seqOf.has(uid)).sort((a, b) => a - b);
    const numbers = isUid ? known : known.map((uid) => seqOf.get(uid)!);
    let line = '* SEARCH' + (numbers.length ? ' ' + numbers.join(' ') : '');
    if (parsed.modseq && answer.highestModseq && numbers.length) line += ` (MODSEQ ${answer.highestModseq})`;
    this.send(line);
    callback(null, { response: 'OK' });
  });
};
