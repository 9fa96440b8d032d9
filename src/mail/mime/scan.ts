/**
 * Byte-level scanning of a message: where a header block ends and where the parts of a multipart
 * body lie (RFC 2046 §5.1.1), as offsets into the original buffer. Tolerant by design: CRLF or
 * bare LF, transport padding after a delimiter, preamble and epilogue, a missing close delimiter.
 * Linear in the input (Buffer.indexOf), so a 25 MB attachment costs one pass.
 */

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const TAB = 0x09;
const DASH = 0x2d;

/** End (exclusive) of the line that starts at `pos`, including its LF; `end` if there is none. */
function lineEnd(view: Buffer, pos: number): number {
  const i = view.indexOf(LF, pos);
  return i < 0 ? view.length : i + 1;
}

/** A line made only of line-break bytes (CR*LF): the blank line that ends a header block. */
function isBlankLine(buf: Buffer, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = buf[i];
    if (c !== CR && c !== LF) return false;
  }
  return true;
}

/**
 * Where the body of the entity in [start, end) begins: just after the first blank line. Without a
 * blank line the whole entity is header and the body is empty at `end` (a message that is only
 * headers, or a truncated one).
 */
export function findBodyStart(buf: Buffer, start: number, end: number): number {
  const view = buf.subarray(0, end);
  let pos = start;
  while (pos < end) {
    const next = lineEnd(view, pos);
    if (isBlankLine(buf, pos, next)) return next;
    pos = next;
  }
  return end;
}

/**
 * The start of the line break that precedes `pos` (a delimiter line), not before `floor`. RFC 2046
 * makes that CRLF part of the delimiter, so a part's content stops before it.
 */
function beforeLineBreak(buf: Buffer, pos: number, floor: number): number {
  let e = pos;
  if (e > floor && buf[e - 1] === LF) {
    e--;
    while (e > floor && buf[e - 1] === CR) e--;
  }
  return e;
}

/**
 * If a delimiter line for `delim` ("--" + boundary) starts at `pos`: 'close' for the close delimiter
 * ("--boundary--"), 'part' for an ordinary one, null otherwise. Trailing spaces and tabs
 * (transport padding) are allowed; any other text after the boundary means it is not a delimiter.
 */
function delimiterAt(buf: Buffer, pos: number, lineStop: number, delim: Buffer): 'part' | 'close' | null {
  if (pos + delim.length > lineStop || buf.compare(delim, 0, delim.length, pos, pos + delim.length) !== 0) return null;
  let i = pos + delim.length;
  let close = false;
  if (i + 1 < lineStop && buf[i] === DASH && buf[i + 1] === DASH) {
    close = true;
    i += 2;
  }
  while (i < lineStop && (buf[i] === SP || buf[i] === TAB)) i++;
  while (i < lineStop && buf[i] === CR) i++;
  if (i < lineStop && buf[i] !== LF) return null;
  return close ? 'close' : 'part';
}

/** Shared across one message so a hostile message cannot make the part map arbitrarily large. */
export interface PartBudget {
  remaining: number;
}

/**
 * The byte ranges [start, end) of the body parts of a multipart body in [start, end). Empty when
 * no delimiter line is found (the caller then treats the entity as a single part). Without a
 * close delimiter the last part runs to `end`. Once the budget is spent, later delimiters are
 * ignored and the last part runs to `end`, which keeps every byte reachable.
 */
export function splitMultipart(buf: Buffer, start: number, end: number, boundary: string, budget: PartBudget): Array<[number, number]> {
  const delim = Buffer.from(`--${boundary}`, 'utf8');
  const view = buf.subarray(0, end);
  const parts: Array<[number, number]> = [];
  let partStart = -1;
  let pos = start;
  while (pos < end) {
    const next = lineEnd(view, pos);
    const kind = budget.remaining > 0 || partStart < 0 ? delimiterAt(buf, pos, next, delim) : null;
    if (kind) {
      if (partStart >= 0) parts.push([partStart, beforeLineBreak(buf, pos, partStart)]);
      if (kind === 'close') return parts;
      budget.remaining--;
      partStart = next;
    }
    pos = next;
  }
  if (partStart >= 0) parts.push([partStart, end]);
  return parts;
}

/**
 * Line count of [start, end) as imap-core counts it for BODYSTRUCTURE: line breaks, where CR*LF
 * and a lone CR each count once.
 */
export function countLines(buf: Buffer, start: number, end: number): number {
  const view = buf.subarray(0, end);
  let n = 0;
  for (let i = view.indexOf(LF, start); i >= 0; i = view.indexOf(LF, i + 1)) n++;
  for (let i = view.indexOf(CR, start); i >= 0; i = view.indexOf(CR, i + 1)) {
    const next = view[i + 1];
    if (next !== LF && next !== CR) n++;
  }
  return n;
}
