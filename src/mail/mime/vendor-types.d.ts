/**
 * The few functions of imap-core (from `@zone-eu/wildduck`) and libmime that the MIME indexer
 * uses. Neither package ships types; these declare only what `vendor.ts` loads, in the shapes
 * that imap-core 1.51.1 and libmime 5.4.3 actually have.
 */

/** A value inside imap-core's ENVELOPE/BODYSTRUCTURE arrays, as its compiler accepts them. */
export type ImapValue = Buffer | string | number | null | ImapValue[];

/** `parseValueParams` output for Content-Type / Content-Disposition. */
export interface ParsedParamValue {
  value: string;
  type: string;
  subtype: string;
  params: Record<string, string>;
  hasParams?: boolean;
}

/** imap-core's `parsedHeader`: lower-cased keys; structured values for the headers it knows. */
export type ParsedHeader = Record<string, unknown> & {
  'content-type'?: ParsedParamValue;
  'content-transfer-encoding'?: string;
};

/** A node of imap-core's MIME tree, as `BodyStructure` and `createEnvelope` read it. */
export interface MimeTreeNode {
  header: string[];
  parsedHeader: ParsedHeader;
  multipart: string | false;
  boundary: string | false;
  size: number;
  lineCount: number;
  childNodes?: MimeTreeNode[];
  message?: MimeTreeNode;
}

/** `imap-core/lib/indexer/parse-mime-tree.js` (module.exports is the function). */
export type ParseMimeTree = (rfc822: Buffer | string) => MimeTreeNode | false;

/** `imap-core/lib/indexer/indexer.js` (module.exports is the class). */
export interface IndexerInstance {
  getEnvelope(tree: MimeTreeNode): ImapValue[];
  getBodyStructure(tree: MimeTreeNode): ImapValue[];
  getBody(tree: MimeTreeNode): ImapValue[];
}
export type IndexerClass = new (options?: Record<string, unknown>) => IndexerInstance;

/** The `libmime` module object (an instance of its Libmime class). */
export interface Libmime {
  decodeWords(str: string): string;
}

/** `libmime/lib/charset.js`: decode never throws for an unknown charset (it falls back to UTF-8). */
export interface LibmimeCharset {
  decode(buf: Buffer, fromCharset?: string): string;
  normalizeCharset(charset: string): string;
}
