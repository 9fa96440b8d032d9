import type { ImapValue } from './vendor-types.d.ts';

export type { ImapValue };

/** [offset, length] of a byte range in the stored message (the blob). */
export type ByteRange = [offset: number, length: number];

/**
 * Where one part sits in the blob. `header` includes the blank line that ends it (or is the whole
 * part when there is none); `body` is what BODY[path] returns. For message/rfc822 parts,
 * `message` holds the encapsulated message's header and text (BODY[path.HEADER], BODY[path.TEXT]).
 */
export interface PartLocation {
  header: ByteRange;
  body: ByteRange;
  message?: { header: ByteRange; body: ByteRange };
}

/**
 * Part path → location. '' is the whole message (BODY[HEADER] = header, BODY[TEXT] = body);
 * '1', '1.2', … follow RFC 3501 §6.4.5: a non-multipart message (or encapsulated message) has a
 * part 1 that is its own body, and the parts of a message/rfc822 part p are p.1, p.2, ….
 */
export type PartMap = Record<string, PartLocation>;

/** What FETCH needs, computed once from the bytes: stored as the message's `meta`. */
export interface MimeMeta {
  /** Format version, so a later change can re-index old rows instead of misreading them. */
  v: 1;
  /** imap-core arrays (text values as Buffers), for session.getQueryResponse. */
  envelope: ImapValue[];
  bodystructure: ImapValue[];
  body: ImapValue[];
  parts: PartMap;
  /** The Date header as ISO 8601 with its own zone offset, or null when missing or unusable. */
  sentDate: string | null;
}

export interface IndexedMessage extends MimeMeta {
  /** Decoded header values by lower-cased name (repeated headers joined by '\n'), for SEARCH HEADER. */
  headers: Record<string, string>;
  /** Decoded text of the text/plain and text/html parts, whitespace collapsed, capped. */
  bodyText: string;
}
