/**
 * The part of imap-core (`@zone-eu/wildduck` 1.51.1, which ships no types) that the IMAP front
 * uses, in the shapes docs/notes/imap-core.md §1–§3 describes. Only what we touch is declared.
 */
import type { EventEmitter } from 'node:events';
import type { Server } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Writable } from 'node:stream';
import type { SearchRequest } from './search/command.ts';

export type Callback = (err: Error | null, ...results: unknown[]) => void;

/** `cb(err, context)`: implicit TLS passes (opts, cb), STARTTLS passes (servername, cb) (§1). */
export type SniCallback = (servername: unknown, cb: (err: Error | null, ctx: SecureContext | null) => void) => void;

export interface ImapServerOptions {
  secure: boolean;
  key: string | Buffer;
  cert: string | Buffer;
  minVersion?: string;
  SNICallback?: SniCallback;
  maxMessage?: number;
  id?: Record<string, string>;
  logger?: unknown;
  logoutMessages?: string[];
  skipFetchLog?: boolean;
  closeTimeout?: number;
  idleTimeout?: number;
}

export interface SessionUser {
  id: string;
  username: string;
}

export interface ImapSession {
  id: string;
  remoteAddress: string;
  user?: SessionUser;
  writeStream: Writable;
  isUTF8Enabled(): boolean;
  getQueryResponse(query: FetchQueryItem[], message: object, options: { acceptUTF8Enabled: boolean }): unknown[];
  /** Set by SELECT/EXAMINE (§2); `mailbox` is onOpen's `_id`. */
  selected?: SelectedMailbox | null;
  formatResponse(command: 'FETCH', uid: number, data: { query: FetchQueryItem[]; values: unknown[] }): object | false;
  /** Falsy keys are left out (§2 onStore). */
  formatResponse(command: 'FETCH', uid: number, data: { uid?: number | false; flags: string[]; modseq?: number | false }): object | false;
  /** Splices (EXPUNGE) or pushes (EXISTS) `selected.uidList`; false for an EXPUNGE of an unknown UID. */
  formatResponse(command: 'EXPUNGE' | 'EXISTS', uid: number): object | false;
}

export interface SelectedMailbox {
  mailbox: unknown;
  uidList: number[];
  modifyIndex: number;
  condstoreEnabled?: boolean;
  readOnly?: boolean;
}

export interface StoreUpdate {
  isUid?: boolean;
  action: 'set' | 'add' | 'remove';
  type: string;
  value: string[];
  silent?: boolean;
  messages: number[];
  unchangedSince?: number;
}

export interface ExpungeUpdate {
  isUid?: boolean;
  messages?: number[];
  silent?: boolean;
}

export interface CopyUpdate {
  destination: string;
  messages: number[];
}

export interface LoginData {
  method: string;
  username: string;
  password: string;
  connection: { remoteAddress?: string };
}

export interface FetchQueryItem {
  item: string;
  original: unknown;
  query?: string;
  path?: string;
  type?: string;
  headers?: string[];
  partial?: { startFrom: number; maxLength?: number };
  isLiteral?: boolean;
}

export interface FetchOptions {
  messages: number[];
  query: FetchQueryItem[];
  changedSince?: number;
  isUid?: boolean;
  markAsSeen?: boolean;
}

export interface Notifier {
  addListener(session: ImapSession, fn: (payload?: unknown) => void): void;
  removeListener(session: ImapSession, fn: (payload?: unknown) => void): void;
  getUpdates(mailboxId: unknown, modifyIndex: number, cb: (err: Error | null, entries: unknown[]) => void): void;
}

export declare class ImapCoreServer extends EventEmitter {
  constructor(options: ImapServerOptions);
  server: Server;
  notifier: Notifier;
  listen(port: number, host: string, cb: () => void): void;
  close(cb: () => void): void;
  updateSecureContext(options: { key: string | Buffer; cert: string | Buffer }): void;
  onAuth?: (login: LoginData, session: ImapSession, cb: Callback) => void;
  onList?: (query: string, session: ImapSession, cb: Callback) => void;
  onLsub?: (query: string, session: ImapSession, cb: Callback) => void;
  onCreate?: (path: string, session: ImapSession, cb: Callback) => void;
  onRename?: (path: string, newPath: string, session: ImapSession, cb: Callback) => void;
  onDelete?: (path: string, session: ImapSession, cb: Callback) => void;
  onSubscribe?: (path: string, session: ImapSession, cb: Callback) => void;
  onUnsubscribe?: (path: string, session: ImapSession, cb: Callback) => void;
  onOpen?: (path: string, session: ImapSession, cb: Callback) => void;
  onStatus?: (path: string, session: ImapSession, cb: Callback) => void;
  onAppend?: (path: string, flags: string[], date: string | false, raw: Buffer, session: ImapSession, cb: Callback) => void;
  onFetch?: (mailboxId: unknown, options: FetchOptions, session: ImapSession, cb: Callback) => void;
  onStore?: (mailboxId: unknown, update: StoreUpdate, session: ImapSession, cb: Callback) => void;
  onExpunge?: (mailboxId: unknown, update: ExpungeUpdate, session: ImapSession, cb: Callback) => void;
  onCopy?: (connection: unknown, mailboxId: unknown, update: CopyUpdate, session: ImapSession, cb: Callback) => void;
  onMove?: (mailboxId: unknown, update: CopyUpdate, session: ImapSession, cb: Callback) => void;
  /** Stoa's own SEARCH handler calls this (src/imap/search/command.ts), not imap-core's shape. */
  onGetQuota?: (root: string, session: ImapSession, cb: Callback) => void;
  /** Stoa's own (core-patches.ts): a refusal when an APPEND literal of `bytes` would not fit. */
  onAppendSize?: (session: ImapSession, bytes: number, cb: (refusal: string | null) => void) => void;
  onGetQuotaRoot?: (path: string, session: ImapSession, cb: Callback) => void;
  onSearch?: (mailboxId: unknown, request: SearchRequest, session: ImapSession, cb: Callback) => void;
}

export interface ImapHandler {
  compileStream(response: object): NodeJS.ReadableStream;
  compiler(response: object): string;
}

export interface ImapCoreModule {
  IMAPServer: typeof ImapCoreServer;
  imapHandler: ImapHandler;
}
