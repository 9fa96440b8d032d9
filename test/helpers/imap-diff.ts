/**
 * Compares two servers' FETCH answers field by field. ENVELOPE and BODYSTRUCTURE are flattened to
 * leaves named by their meaning ("1.2/subtype", "1.2/param/charset", "envelope/from/0/name"), so a
 * difference says which field differs, and each leaf keeps its form as sent (quoted, literal,
 * NIL, atom) so that form differences show too.
 */
import type { Token } from './raw-imap.ts';

export interface Leaf {
  kind: 'atom' | 'quoted' | 'literal' | 'nil' | 'missing';
  bytes: Buffer;
}

export interface Difference {
  /** Leaf name, e.g. "BODYSTRUCTURE 2/param/name". */
  field: string;
  ours: Leaf;
  theirs: Leaf;
}

const MISSING: Leaf = { kind: 'missing', bytes: Buffer.alloc(0) };

/** A token as a leaf; a list (where a string was expected) shows as its item count. */
export function leaf(t: Token | undefined): Leaf {
  if (!t) return MISSING;
  switch (t.kind) {
    case 'atom': return { kind: 'atom', bytes: Buffer.from(t.value, 'latin1') };
    case 'quoted':
    case 'literal': return { kind: t.kind, bytes: t.value };
    case 'nil': return { kind: 'nil', bytes: Buffer.alloc(0) };
    case 'list': return { kind: 'atom', bytes: Buffer.from(`(${t.items.length} items)`) };
  }
}

export function show(l: Leaf): string {
  // eslint-disable-next-line no-control-regex
  const text = l.bytes.toString('latin1').replace(/[\x00-\x1f\x7f-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  switch (l.kind) {
    case 'nil': return 'NIL';
    case 'missing': return '(absent)';
    case 'quoted': return `"${text}"`;
    case 'literal': return `{${l.bytes.length}}${text}`;
    case 'atom': return text;
  }
}

type Leaves = Map<string, Leaf>;

function items(t: Token | undefined): Token[] {
  return t?.kind === 'list' ? t.items : [];
}

function flattenAddresses(out: Leaves, prefix: string, t: Token | undefined): void {
  if (t?.kind !== 'list') {
    out.set(prefix, leaf(t));
    return;
  }
  t.items.forEach((addr, i) => {
    ['name', 'adl', 'mailbox', 'host'].forEach((role, j) => out.set(`${prefix}/${i}/${role}`, leaf(items(addr)[j])));
  });
}

const ENVELOPE_FIELDS = ['date', 'subject', 'from', 'sender', 'reply-to', 'to', 'cc', 'bcc', 'in-reply-to', 'message-id'];

export function flattenEnvelope(out: Leaves, prefix: string, t: Token | undefined): void {
  const list = items(t);
  ENVELOPE_FIELDS.forEach((field, i) => {
    if (i >= 2 && i <= 7) flattenAddresses(out, `${prefix}${field}`, list[i]);
    else out.set(`${prefix}${field}`, leaf(list[i]));
  });
}

/** Parameters by lower-cased name; the name as sent is kept under param-name/. */
function flattenParams(out: Leaves, prefix: string, t: Token | undefined): void {
  if (t?.kind !== 'list') {
    out.set(`${prefix}params`, leaf(t));
    return;
  }
  for (let i = 0; i + 1 < t.items.length; i += 2) {
    const name = leaf(t.items[i]);
    const key = name.bytes.toString('latin1').toLowerCase();
    out.set(`${prefix}param-name/${key}`, name);
    out.set(`${prefix}param/${key}`, leaf(t.items[i + 1]));
  }
}

function flattenDisposition(out: Leaves, prefix: string, t: Token | undefined): void {
  if (t?.kind !== 'list') {
    out.set(`${prefix}disposition`, leaf(t));
    return;
  }
  out.set(`${prefix}disposition/type`, leaf(t.items[0]));
  flattenParams(out, `${prefix}disposition/`, t.items[1]);
}

function flattenLanguage(out: Leaves, prefix: string, t: Token | undefined): void {
  if (t?.kind === 'list') t.items.forEach((x, i) => out.set(`${prefix}language/${i}`, leaf(x)));
  else out.set(`${prefix}language`, leaf(t));
}

/** The extension fields after `from`: disposition, language, location, then anything further. */
function flattenExtensions(out: Leaves, prefix: string, list: Token[], from: number): void {
  flattenDisposition(out, prefix, list[from]);
  flattenLanguage(out, prefix, list[from + 1]);
  out.set(`${prefix}location`, leaf(list[from + 2]));
  for (let i = from + 3; i < list.length; i++) out.set(`${prefix}ext/${i}`, leaf(list[i]));
}

function isMultipart(t: Token | undefined): boolean {
  return items(t)[0]?.kind === 'list';
}

/**
 * BODYSTRUCTURE leaves of one body under the name `own`; its children are numbered
 * `${childPrefix}1`, … (RFC 3501 §6.4.5). The body of a message/rfc822 part p is p.1 when it is
 * a single part, else its parts are p.1, p.2 and its own fields are named p/message/body.
 */
function flattenBody(out: Leaves, own: string, childPrefix: string, t: Token | undefined): void {
  const list = items(t);
  const q = `${own}/`;
  if (isMultipart(t)) {
    let i = 0;
    while (list[i]?.kind === 'list') {
      flattenBody(out, `${childPrefix}${i + 1}`, `${childPrefix}${i + 1}.`, list[i]);
      i++;
    }
    out.set(`${q}subtype`, leaf(list[i]));
    flattenParams(out, q, list[i + 1]);
    flattenExtensions(out, q, list, i + 2);
    return;
  }
  ['type', 'subtype'].forEach((role, i) => out.set(`${q}${role}`, leaf(list[i])));
  flattenParams(out, q, list[2]);
  ['id', 'description', 'encoding', 'size'].forEach((role, i) => out.set(`${q}${role}`, leaf(list[i + 3])));
  const type = leaf(list[0]).bytes.toString('latin1').toLowerCase();
  const subtype = leaf(list[1]).bytes.toString('latin1').toLowerCase();
  let next = 7;
  if (type === 'message' && subtype === 'rfc822' && list[7]?.kind === 'list') {
    flattenEnvelope(out, `${q}message/envelope/`, list[7]);
    flattenBody(out, isMultipart(list[8]) ? `${own}/message/body` : `${own}.1`, `${own}.`, list[8]);
    out.set(`${q}lines`, leaf(list[9]));
    next = 10;
  } else if (type === 'text') {
    out.set(`${q}lines`, leaf(list[7]));
    next = 8;
  }
  out.set(`${q}md5`, leaf(list[next]));
  flattenExtensions(out, q, list, next + 1);
}

export function flatten(item: 'ENVELOPE' | 'BODYSTRUCTURE', t: Token | undefined): Leaves {
  const out: Leaves = new Map();
  if (item === 'ENVELOPE') flattenEnvelope(out, '', t);
  else flattenBody(out, isMultipart(t) ? '' : '1', '', t);
  return out;
}

export function sameLeaf(a: Leaf, b: Leaf): boolean {
  return a.kind === b.kind && a.bytes.equals(b.bytes);
}

export function diffLeaves(prefix: string, ours: Leaves, theirs: Leaves): Difference[] {
  const out: Difference[] = [];
  const keys = [...new Set([...ours.keys(), ...theirs.keys()])];
  for (const key of keys) {
    const a = ours.get(key) ?? MISSING;
    const b = theirs.get(key) ?? MISSING;
    if (!sameLeaf(a, b)) out.push({ field: `${prefix} ${key}`, ours: a, theirs: b });
  }
  return out;
}

/**
 * The part numbers a BODYSTRUCTURE has (for BODY[n] and BODY[n.MIME]), including the parts of
 * encapsulated messages.
 */
export function partNumbers(t: Token | undefined, path = ''): string[] {
  const list = items(t);
  if (list[0]?.kind === 'list') {
    const out: string[] = [];
    list.filter((x) => x.kind === 'list').forEach((child, i) => {
      const p = path ? `${path}.${i + 1}` : `${i + 1}`;
      out.push(p, ...subParts(child, p));
    });
    return out;
  }
  const p = path || '1';
  return path ? [] : [p, ...subParts(t, p)];
}

/** The parts inside a non-multipart part p: those of its encapsulated message, if it is one. */
function subParts(t: Token | undefined, p: string): string[] {
  const list = items(t);
  if (list[0]?.kind === 'list') return partNumbers(t, p);
  const type = leaf(list[0]).bytes.toString('latin1').toLowerCase();
  const subtype = leaf(list[1]).bytes.toString('latin1').toLowerCase();
  if (type !== 'message' || subtype !== 'rfc822' || list[8]?.kind !== 'list') return [];
  const inner = list[8];
  if (items(inner)[0]?.kind === 'list') return partNumbers(inner, p);
  const only = `${p}.1`;
  return [only, ...subParts(inner, only)];
}
