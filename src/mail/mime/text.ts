/**
 * The searchable text of a message (SEARCH BODY/TEXT): text/plain and text/html parts, transfer
 * encoding and charset decoded, HTML reduced to its text, whitespace collapsed. Capped, because it
 * is stored in the full-text index and a 25 MB text attachment is not worth indexing whole.
 */
import { cleanText } from './headers.ts';
import type { Entity } from './tree.ts';
import { charset as libcharset } from './vendor.ts';

export const BODY_TEXT_LIMIT = 1024 * 1024;

/** Base64 with any junk (line breaks, garbage characters) skipped; never throws. */
function decodeBase64(bytes: Buffer): Buffer {
  return Buffer.from(bytes.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Quoted-printable (RFC 2045 §6.7), lenient: a malformed "=" escape is kept as written. */
export function decodeQuotedPrintable(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if (c !== 0x3d) {
      out[n++] = c;
      continue;
    }
    const hi = hexValue(bytes[i + 1]);
    const lo = hexValue(bytes[i + 2]);
    if (hi >= 0 && lo >= 0) {
      out[n++] = hi * 16 + lo;
      i += 2;
      continue;
    }
    // Soft line break: "=" then optional whitespace then (CR)LF.
    let j = i + 1;
    while (bytes[j] === 0x20 || bytes[j] === 0x09) j++;
    if (bytes[j] === 0x0d) j++;
    if (bytes[j] === 0x0a || j >= bytes.length) {
      i = j;
      continue;
    }
    out[n++] = c;
  }
  return out.subarray(0, n);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (m, e: string) => {
    if (e.startsWith('#')) {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/**
 * HTML to text, simply: tags become spaces, comments and script/style/head contents go away,
 * entities are decoded. One forward pass with indexOf, so hostile markup cannot make it quadratic.
 */
export function htmlToText(html: string): string {
  const lower = html.toLowerCase();
  let out = '';
  let pos = 0;
  while (pos < html.length) {
    const lt = html.indexOf('<', pos);
    if (lt < 0) {
      out += html.slice(pos);
      break;
    }
    out += html.slice(pos, lt) + ' ';
    let skipTo: number;
    if (lower.startsWith('<!--', lt)) {
      const close = lower.indexOf('-->', lt + 4);
      skipTo = close < 0 ? html.length : close + 3;
    } else {
      const name = /^<([a-z]+)/.exec(lower.slice(lt, lt + 10))?.[1];
      const gt = html.indexOf('>', lt);
      skipTo = gt < 0 ? html.length : gt + 1;
      if (name === 'script' || name === 'style' || name === 'head') {
        const close = lower.indexOf(`</${name}`, skipTo);
        const end = close < 0 ? -1 : lower.indexOf('>', close);
        skipTo = end < 0 ? html.length : end + 1;
      }
    }
    pos = skipTo;
  }
  return decodeEntities(out);
}

function decodeCharset(bytes: Buffer, name: string | undefined): string {
  if (!name) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return new TextDecoder('windows-1252').decode(bytes);
    }
  }
  try {
    return libcharset.decode(bytes, name); // falls back to UTF-8 for an unknown charset
  } catch {
    return bytes.toString('utf8');
  }
}

/** The decoded text of one text/plain or text/html entity. */
export function entityText(buf: Buffer, e: Entity): string {
  const ct = e.parsedHeader['content-type'];
  let bytes = buf.subarray(e.bodyStart, e.end);
  const cte = String(e.parsedHeader['content-transfer-encoding'] ?? '').trim().toLowerCase();
  if (cte === 'base64') bytes = decodeBase64(bytes);
  else if (cte === 'quoted-printable') bytes = decodeQuotedPrintable(bytes);
  const text = decodeCharset(bytes, ct?.params.charset || undefined);
  return cleanText(e.contentType === 'text/html' ? htmlToText(text) : text);
}

/** Text of every text/plain and text/html part, in order, including encapsulated messages. */
export function messageText(buf: Buffer, root: Entity, limit = BODY_TEXT_LIMIT): string {
  const pieces: string[] = [];
  let length = 0;
  const walk = (e: Entity): void => {
    if (length >= limit) return;
    if (e.children) e.children.forEach(walk);
    else if (e.message) walk(e.message);
    else if (e.contentType === 'text/plain' || e.contentType === 'text/html') {
      // Decode at most what can still be used: a huge text part is cut before decoding.
      const room = limit - length;
      const capped = e.end - e.bodyStart > room * 4 + 1024 ? { ...e, end: e.bodyStart + room * 4 + 1024 } : e;
      const text = entityText(buf, capped);
      if (text) {
        pieces.push(text);
        length += text.length + 1;
      }
    }
  };
  walk(root);
  const joined = pieces.join('\n');
  if (joined.length <= limit) return joined;
  // Never end on the first half of a surrogate pair (it would be invalid text in the index).
  const code = joined.charCodeAt(limit - 1);
  return joined.slice(0, code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit);
}
