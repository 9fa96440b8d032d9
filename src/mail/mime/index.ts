/**
 * MIME indexing: a message's bytes → everything FETCH and SEARCH need, computed once at delivery
 * or APPEND so that FETCH never parses a message again and BODY[…] sections are byte ranges of
 * the stored blob. Pure and synchronous; never throws on malformed input (it still gets an index
 * in which the message is one text part, and the blob is stored as it came).
 */
import { repairEnvelope, repairNestedEnvelopes } from './envelope.ts';
import { parseSentDate, searchHeaders } from './headers.ts';
import { buildPartMap, parseMessage } from './tree.ts';
import { messageText } from './text.ts';
import type { ImapValue, IndexedMessage } from './types.ts';
import { indexer } from './vendor.ts';

export type { ByteRange, ImapValue, IndexedMessage, MimeMeta, PartLocation, PartMap } from './types.ts';
export { copyForResponse, metaFromJson, metaToJson, storeFields, toMeta } from './meta.ts';
export { BODY_TEXT_LIMIT } from './text.ts';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/g;

/**
 * Makes every value safe for imap-core's compiler (docs/notes/imap-core.md §6.3): a JS string is
 * written with 'binary' encoding and JSON escapes, so text beyond ASCII becomes a Buffer, and
 * control characters (CR/LF from a decoded word, NUL) become spaces. An array where imap-core
 * expected one string (a repeated Date header) keeps its first value.
 */
function sanitize(v: ImapValue): ImapValue {
  if (Array.isArray(v)) return v.map(sanitize);
  if (Buffer.isBuffer(v)) return v.some(b => b < 0x20 ? b !== 0x09 : b === 0x7f) ? Buffer.from(v.toString('utf8').replace(CONTROL, ' ')) : v;
  if (typeof v === 'string') {
    const clean = v.replace(CONTROL, ' ');
    return /[^\x20-\x7e\t]/.test(clean) ? Buffer.from(clean) : clean;
  }
  return v;
}

function lastDate(value: unknown): string | undefined {
  const v = Array.isArray(value) ? (value[value.length - 1] as unknown) : value;
  return typeof v === 'string' ? v : undefined;
}

export function indexMessage(raw: Buffer): IndexedMessage {
  const root = parseMessage(raw);
  let envelope: ImapValue[];
  let bodystructure: ImapValue[];
  let body: ImapValue[];
  try {
    envelope = repairEnvelope(sanitize(indexer.getEnvelope(root.node)) as ImapValue[], root.parsedHeader);
    bodystructure = sanitize(indexer.getBodyStructure(root.node)) as ImapValue[];
    body = sanitize(indexer.getBody(root.node)) as ImapValue[];
    repairNestedEnvelopes(root, bodystructure);
    repairNestedEnvelopes(root, body);
  } catch {
    // Not expected (imap-core guards its decoders), but a message must never fail to index.
    envelope = [null, Buffer.alloc(0), null, null, null, null, null, null, null, null];
    body = ['TEXT', 'PLAIN', null, null, null, '7BIT', root.end - root.bodyStart, root.node.lineCount];
    bodystructure = [...body, null, null, null, null];
  }
  return {
    v: 1,
    envelope,
    bodystructure,
    body,
    parts: buildPartMap(root),
    sentDate: parseSentDate(lastDate(root.parsedHeader.date)),
    headers: searchHeaders(raw.subarray(root.start, root.bodyStart)),
    bodyText: messageText(raw, root),
  };
}
