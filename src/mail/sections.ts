/**
 * BODY[section]<partial> → a byte range of the stored blob, from the part map the indexer made at
 * APPEND (src/mail/mime/types.ts). Pure, so every section shape is testable without a store.
 */
import type { ByteRange, PartMap } from './mime/index.ts';
import { MailError } from './errors.ts';

export type SectionText = 'HEADER' | 'TEXT' | 'MIME' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT';

export interface BodySection {
  /** '' for the whole message, else '1', '1.2', … (RFC 3501 §6.4.5). */
  part: string;
  /** Absent: BODY[part] (BODY[] for the message). */
  text?: SectionText;
  /** Header names, for HEADER.FIELDS and HEADER.FIELDS.NOT. */
  fields?: readonly string[];
  /** `<start.length>`; without `length`, to the end of the section. */
  partial?: { start: number; length?: number };
}

const PART = /^(?:[1-9]\d{0,8})(?:\.[1-9]\d{0,8})*$/;

/**
 * Where the section sits, or null when the message has no such part: RFC 3501 leaves that to
 * the server, and imap-core, Dovecot and Cyrus answer an empty string, which the front does by
 * sending zero bytes. HEADER/TEXT after a part number need a message/rfc822 part (§6.4.5).
 */
export function sectionRange(parts: PartMap, size: number, section: BodySection): ByteRange | null {
  const { part, text } = section;
  if (part !== '' && !PART.test(part)) throw new MailError('invalid', 'a part number is dot-separated positive integers');
  if (text === 'MIME' && part === '') throw new MailError('invalid', 'MIME needs a part number');
  if ((text === 'HEADER.FIELDS' || text === 'HEADER.FIELDS.NOT') && !section.fields?.length) {
    throw new MailError('invalid', `${text} needs at least one field name`);
  }
  if (part === '' && text === undefined) return [0, size];
  const location = parts[part];
  if (!location) return null;
  switch (text) {
    case undefined: return location.body;
    case 'MIME': return location.header;
    case 'HEADER':
    case 'HEADER.FIELDS':
    case 'HEADER.FIELDS.NOT': return part === '' ? location.header : location.message?.header ?? null;
    case 'TEXT': return part === '' ? location.body : location.message?.body ?? null;
  }
}

/**
 * The header fields whose names are (HEADER.FIELDS) or are not (.NOT) in `names`, as stored,
 * followed by the blank line (RFC 3501 §6.4.5: "the subset … includes the blank line").
 * `header` is a header block as the part map gives it, ending with its blank line.
 */
export function filterHeader(header: Buffer, names: readonly string[], exclude: boolean): Buffer {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const kept: Buffer[] = [];
  let start = 0;
  let keep = false;
  let eol = '\r\n';
  while (start < header.length) {
    const lf = header.indexOf(0x0a, start);
    const end = lf < 0 ? header.length : lf + 1;
    const line = header.subarray(start, end);
    start = end;
    const content = line.toString('latin1').replace(/\r?\n$/, '');
    if (content === '') {
      // The blank line that ends the header: end the subset the way the message does.
      eol = line.toString('latin1');
      break;
    }
    // A continuation line (folded header) goes with the field it continues.
    if (content[0] !== ' ' && content[0] !== '\t') {
      const colon = content.indexOf(':');
      const name = (colon < 0 ? content : content.slice(0, colon)).trim().toLowerCase();
      keep = wanted.has(name) !== exclude;
    }
    if (keep) kept.push(line);
  }
  const last = kept.at(-1);
  if (last && last[last.length - 1] !== 0x0a) kept.push(Buffer.from('\r\n'));
  kept.push(Buffer.from(eol));
  return Buffer.concat(kept);
}

/** The part of a section of `total` bytes that `<start.length>` selects (RFC 3501: past the end → empty). */
export function partialRange(total: number, partial: BodySection['partial']): { start: number; length: number } {
  if (!partial) return { start: 0, length: total };
  const { start, length } = partial;
  if (!Number.isSafeInteger(start) || start < 0 || (length !== undefined && (!Number.isSafeInteger(length) || length < 0))) {
    throw new MailError('invalid', 'a partial range needs non-negative integers');
  }
  const from = Math.min(start, total);
  return { start: from, length: Math.min(length ?? total, total - from) };
}
