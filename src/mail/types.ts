import type { Readable } from 'node:stream';
import type { Principal } from '../directory/principal.ts';
import type { BlobStore } from '../store/ports/blob.ts';
import type { MailStore, UidMapping } from '../store/ports/mail.ts';

/** Whose mailboxes: a signed-in Principal, or a directory user that local delivery writes to. */
export type MailOwner = Pick<Principal, 'userId' | 'tenantId'>;

export interface MailServiceDeps {
  mail: MailStore;
  blobs: BlobStore;
  /** The owner's quota in bytes, or null for none (see directoryQuota). */
  quota: (owner: MailOwner) => Promise<number | null>;
  /** The largest message accepted, in bytes (config mail.append_limit_bytes, IMAP APPENDLIMIT). */
  appendLimit: number;
}

/** Message bytes: whole (IMAP literals arrive buffered) or streamed (SMTP DATA, LMTP). */
export type MessageSource = Buffer | AsyncIterable<Uint8Array>;

export interface AppendOptions {
  flags?: readonly string[];
  /** A Date, an IMAP date-time (`17-Jul-1996 02:44:25 -0700`) or ISO 8601; default now. */
  internalDate?: Date | string;
}

export interface AppendResult {
  mailboxId: string;
  uid: number;
  uidValidity: number;
  modseq: number;
  size: number;
}

/** COPY/MOVE: the target's UIDVALIDITY and the UIDs each message got there (COPYUID). */
export interface CopyResult {
  uidValidity: number;
  mappings: UidMapping[];
}

export interface BodyStream {
  stream: Readable;
  /** Bytes in the whole section, before any `<start.length>`. */
  totalLength: number;
  /** Where `stream` starts inside the section, and how many bytes it yields. */
  start: number;
  length: number;
}
