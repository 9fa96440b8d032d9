/** Shared by the MIME indexer tests (not imported by the indexer itself). */
import type { ByteRange, ImapValue } from './types.ts';

/** The bytes of a range, as a latin1 string (one char per byte, so comparisons are byte-exact). */
export function bytes(raw: Buffer, range: ByteRange | undefined): string {
  if (!range) throw new Error('no such range');
  return raw.subarray(range[0], range[0] + range[1]).toString('latin1');
}

export function crlf(s: string): Buffer {
  return Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');
}

function isMultipart(node: ImapValue[]): boolean {
  return Array.isArray(node[0]);
}

/** Part `step` of a (possibly encapsulated) message: a child of a multipart, or itself as part 1. */
function messagePart(message: ImapValue[], step: number): ImapValue | undefined {
  return isMultipart(message) ? message[step - 1] : step === 1 ? message : undefined;
}

/**
 * The BODYSTRUCTURE entry for a part path (RFC 3501 §6.4.5 numbering), walking imap-core's
 * arrays: a multipart lists its children first; a MESSAGE/RFC822 part holds the encapsulated
 * message's structure at index 8, whose parts are the next step.
 */
export function structureAt(bodystructure: ImapValue[], path: string): ImapValue[] | undefined {
  let node: ImapValue | undefined = bodystructure;
  path.split('.').map(Number).forEach((step, i) => {
    if (!Array.isArray(node)) return;
    if (i === 0) node = messagePart(node, step);
    else if (isMultipart(node)) node = node[step - 1];
    else if (node[0] === 'MESSAGE' && node[1] === 'RFC822' && Array.isArray(node[8])) node = messagePart(node[8], step);
    else node = undefined;
  });
  return Array.isArray(node) ? node : undefined;
}
