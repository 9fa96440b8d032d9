/**
 * Storing the index and handing it to imap-core. JSON turns a Buffer into
 * {"type":"Buffer","data":[…]}, which imap-core prints as nothing, and getQueryResponse edits the
 * envelope/bodystructure arrays in place (docs/notes/imap-core.md §4), hence these helpers.
 */
import type { MessageMeta } from '../../store/ports/mail.ts';
import type { ByteRange, ImapValue, IndexedMessage, MimeMeta, PartLocation, PartMap } from './types.ts';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function encode(v: unknown): Json {
  if (Buffer.isBuffer(v)) return { $b64: v.toString('base64') };
  if (Array.isArray(v)) return v.map(encode);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = encode(x);
    return out;
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  return null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Revives {$b64} (ours) and {type:'Buffer',data} (a Buffer that went through plain JSON). */
function reviveValue(v: unknown): ImapValue {
  if (Array.isArray(v)) return v.map(reviveValue);
  if (isRecord(v)) {
    if (typeof v.$b64 === 'string') return Buffer.from(v.$b64, 'base64');
    if (v.type === 'Buffer' && Array.isArray(v.data)) return Buffer.from(v.data as number[]);
    throw new TypeError('unexpected object in an imap-core structure');
  }
  if (typeof v === 'string' || typeof v === 'number' || v === null) return v;
  if (v === undefined) return null;
  throw new TypeError('unexpected value in an imap-core structure');
}

function range(v: unknown): ByteRange {
  if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && Number.isSafeInteger(v[1])) return [v[0] as number, v[1] as number];
  throw new TypeError('bad byte range');
}

function reviveParts(v: unknown): PartMap {
  if (!isRecord(v)) throw new TypeError('bad part map');
  const parts: PartMap = {};
  for (const [path, loc] of Object.entries(v)) {
    if (!isRecord(loc)) throw new TypeError('bad part');
    const out: PartLocation = { header: range(loc.header), body: range(loc.body) };
    if (isRecord(loc.message)) out.message = { header: range(loc.message.header), body: range(loc.message.body) };
    parts[path] = out;
  }
  return parts;
}

/** The stored part of an index (the rest, headers and text, goes to the store's search fields). */
export function toMeta(ix: IndexedMessage): MimeMeta {
  return { v: 1, envelope: ix.envelope, bodystructure: ix.bodystructure, body: ix.body, parts: ix.parts, sentDate: ix.sentDate };
}

/** A plain-JSON form of the meta (Buffers as {$b64}) that survives JSON.stringify/parse unchanged. */
export function metaToJson(meta: MimeMeta): MessageMeta {
  return encode(meta) as MessageMeta;
}

/**
 * The meta back from its JSON form (an object or the JSON text), Buffers revived. Null when it is
 * not a meta this version wrote, so the caller can re-index the message from its blob.
 */
export function metaFromJson(json: unknown): MimeMeta | null {
  try {
    const v: unknown = typeof json === 'string' ? JSON.parse(json) : json;
    if (!isRecord(v) || v.v !== 1) return null;
    const arrays = [v.envelope, v.bodystructure, v.body].map(reviveValue);
    const [envelope, bodystructure, body] = arrays;
    if (!Array.isArray(envelope) || !Array.isArray(bodystructure) || !Array.isArray(body)) return null;
    const sentDate = typeof v.sentDate === 'string' ? v.sentDate : null;
    return { v: 1, envelope, bodystructure, body, parts: reviveParts(v.parts), sentDate };
  } catch {
    return null;
  }
}

/** The meta and search fields of a NewMessage (store port) for an indexed message. */
export function storeFields(ix: IndexedMessage): { meta: MessageMeta; search: { headers: Record<string, string>; body: string } } {
  return { meta: metaToJson(toMeta(ix)), search: { headers: ix.headers, body: ix.bodyText } };
}

/**
 * A fresh copy of an envelope/bodystructure for one FETCH response: getQueryResponse replaces
 * array items in place. Arrays are copied, Buffers are shared (never written to); not
 * structuredClone, which turns Buffers into Uint8Arrays that imap-core prints as nothing.
 */
export function copyForResponse<T extends ImapValue>(v: T): T {
  return (Array.isArray(v) ? v.map(x => copyForResponse(x)) : v) as T;
}
