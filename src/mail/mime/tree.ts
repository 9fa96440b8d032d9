/**
 * The MIME structure of a message, found by scanning its bytes (scan.ts), with each entity's header
 * parsed by imap-core's own header parser so that ENVELOPE and BODYSTRUCTURE come out exactly as
 * imap-core would build them. Building imap-core's tree ourselves (instead of letting
 * parseMimeTree split the message) is what ties BODYSTRUCTURE to the part map: both come from
 * one walk, so BODY[n] always is the part BODYSTRUCTURE calls n.
 *
 * Sizes and line counts are those of the bytes as stored, not imap-core's CRLF-normalised text:
 * the front streams BODY[n] from the blob, so a part's BODYSTRUCTURE size equals the length of
 * the literal that BODY[n] sends, just as RFC822.SIZE equals the blob's length. For CRLF mail
 * (nearly all of it) the numbers are the same as imap-core's.
 */
import { decodeBytes } from './headers.ts';
import { countLines, findBodyStart, splitMultipart } from './scan.ts';
import type { PartBudget } from './scan.ts';
import type { PartMap, PartLocation } from './types.ts';
import { parseMimeTree } from './vendor.ts';
import type { MimeTreeNode, ParsedHeader, ParsedParamValue } from './vendor-types.d.ts';

/** Deeper nesting than this is treated as an opaque part (no real message nests so far). */
const MAX_DEPTH = 40;
/** Most parts one message may have in its part map; delimiters past it are ignored. */
const MAX_PARTS = 5000;
/**
 * imap-core's header parser joins folded lines with Array.splice, quadratic in their number; a
 * "header" this long is garbage (a message with no blank line), so only its start is parsed.
 * The byte ranges still cover all of it.
 */
const MAX_PARSED_HEADER = 256 * 1024;

/** One MIME entity: header [start, bodyStart), body [bodyStart, end) of the original buffer. */
export interface Entity {
  start: number;
  bodyStart: number;
  end: number;
  /** Lower-case "type/subtype" as used for the structure (after the fallbacks below). */
  contentType: string;
  parsedHeader: ParsedHeader;
  node: MimeTreeNode;
  children?: Entity[];
  message?: Entity;
}

const TEXT_PLAIN: ParsedParamValue = { value: 'text/plain', type: 'text', subtype: 'plain', params: {} };

function parseHeader(buf: Buffer, start: number, bodyStart: number): { header: string[]; parsedHeader: ParsedHeader } {
  let stop = bodyStart;
  if (stop - start > MAX_PARSED_HEADER) {
    const cut = buf.lastIndexOf(0x0a, start + MAX_PARSED_HEADER);
    stop = cut > start ? cut + 1 : start + MAX_PARSED_HEADER;
  }
  let node: MimeTreeNode | false = false;
  try {
    node = parseMimeTree(buf.subarray(start, stop));
  } catch {
    // imap-core's parser is not meant to throw; if it does, the part is plain text with no header.
  }
  if (!node) return { header: [], parsedHeader: { 'content-type': { ...TEXT_PLAIN, params: {} } } };
  return { header: node.header, parsedHeader: node.parsedHeader };
}

/**
 * imap-core's createEnvelope decodes the subject from 'binary' a second time, after its header
 * parser already decoded it as UTF-8, which turns a raw 8-bit subject into U+FFFD. Hand it the
 * bytes as a binary string of UTF-8 instead (decoded from UTF-8, or Latin-1 when not UTF-8).
 */
function envelopeSafeSubject(parsed: ParsedHeader, header: string[]): void {
  const values = header
    .filter(line => /^subject\s*:/i.test(line))
    .map(line => line.slice(line.indexOf(':') + 1).trim().replace(/\s*\r?\n\s*/g, ' '));
  if (!values.some(v => /[\u0080-\uffff]/.test(v))) return;
  const fixed = values.map(v => Buffer.from(decodeBytes(Buffer.from(v, 'latin1')), 'utf8').toString('latin1'));
  parsed.subject = fixed.length === 1 ? fixed[0] : fixed;
}

function hasExplicitContentType(header: string[]): boolean {
  return header.some(line => /^content-type\s*:/i.test(line));
}

const TOKEN = "[!#$%&'*+\\-.^_`{|}~0-9A-Za-z]+";
const CONTENT_TYPE = new RegExp(`^content-type\\s*:\\s*${TOKEN}\\s*/\\s*${TOKEN}\\s*(;|$)`, 'i');

/**
 * Whether the Content-Type that imap-core uses (the last one) is `type/subtype`. RFC 2045 §5.2
 * recommends text/plain for a syntactically invalid one; imap-core would make it
 * application/octet-stream (or keep a type without a subtype).
 */
function validContentType(header: string[]): boolean {
  const last = header.filter((line) => /^content-type\s*:/i.test(line)).pop();
  return last === undefined || CONTENT_TYPE.test(last.replace(/\s*\r?\n\s*/g, ' ').trim());
}

function setContentType(parsed: ParsedHeader, value: ParsedParamValue): void {
  parsed['content-type'] = value;
}

export function parseEntity(buf: Buffer, start: number, end: number, depth: number, inDigest: boolean, budget: PartBudget): Entity {
  const bodyStart = findBodyStart(buf, start, end);
  const { header, parsedHeader } = parseHeader(buf, start, bodyStart);
  envelopeSafeSubject(parsedHeader, header);
  let ct = validContentType(header) ? parsedHeader['content-type'] ?? { ...TEXT_PLAIN, params: {} } : { ...TEXT_PLAIN, params: {} };
  // A parameter with no name (`; =value`) is a parse artefact, not a parameter.
  for (const name of Object.keys(ct.params)) if (!name.trim()) delete ct.params[name];
  // RFC 2046 §5.1.5: in a digest, a part without Content-Type is a message/rfc822.
  if (inDigest && !hasExplicitContentType(header)) ct = { value: 'message/rfc822', type: 'message', subtype: 'rfc822', params: {} };
  // imap-core compares subtypes case-sensitively ("message/RFC822" would lose its envelope).
  ct.subtype = ct.subtype.toLowerCase();
  setContentType(parsedHeader, ct);

  const node: MimeTreeNode = {
    header,
    parsedHeader,
    multipart: false,
    boundary: false,
    size: end - bodyStart,
    lineCount: countLines(buf, bodyStart, end),
  };
  const entity: Entity = { start, bodyStart, end, contentType: `${ct.type}/${ct.subtype}`, parsedHeader, node };

  if (ct.type === 'multipart') {
    const boundary = ct.params.boundary;
    const ranges = boundary && depth < MAX_DEPTH ? splitMultipart(buf, bodyStart, end, boundary, budget) : [];
    if (ranges.length && boundary) {
      const digest = ct.subtype === 'digest';
      entity.children = ranges.map(([s, e]) => parseEntity(buf, s, e, depth + 1, digest, budget));
      node.multipart = ct.subtype;
      node.boundary = boundary;
      node.childNodes = entity.children.map(c => c.node);
    } else {
      // A multipart with no boundary, or whose boundary never occurs, has no parts: it is shown as
      // one text part so that clients can still read it (BODYSTRUCTURE needs at least one part).
      setContentType(parsedHeader, { ...TEXT_PLAIN, params: {} });
      entity.contentType = 'text/plain';
    }
  } else if (ct.type === 'message' && ct.subtype === 'rfc822' && depth < MAX_DEPTH) {
    // Parsed even when it is encoded (not allowed by RFC 2046 §5.2.1, and then it is mostly one
    // garbage header): RFC 3501's body-type-msg must carry an envelope, a body and a line count,
    // and a BODYSTRUCTURE without them breaks client parsers. Dovecot does the same.
    entity.message = parseEntity(buf, bodyStart, end, depth + 1, false, budget);
    node.message = entity.message.node;
  }
  return entity;
}

export function parseMessage(buf: Buffer): Entity {
  return parseEntity(buf, 0, buf.length, 0, false, { remaining: MAX_PARTS });
}

function location(e: Entity): PartLocation {
  return { header: [e.start, e.bodyStart - e.start], body: [e.bodyStart, e.end - e.bodyStart] };
}

function addPart(map: PartMap, path: string, e: Entity): void {
  const loc = location(e);
  map[path] = loc;
  if (e.children) {
    e.children.forEach((child, i) => addPart(map, `${path}.${i + 1}`, child));
  } else if (e.message) {
    loc.message = location(e.message);
    addMessageParts(map, `${path}.`, e.message);
  }
}

/** The parts of a (possibly encapsulated) message: its children, or itself as part 1. */
function addMessageParts(map: PartMap, prefix: string, m: Entity): void {
  if (m.children) m.children.forEach((child, i) => addPart(map, `${prefix}${i + 1}`, child));
  else addPart(map, `${prefix}1`, m);
}

export function buildPartMap(root: Entity): PartMap {
  const map: PartMap = {};
  map[''] = location(root);
  addMessageParts(map, '', root);
  return map;
}
