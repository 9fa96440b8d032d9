import type { BlobStore } from './blob.ts';
import type { DavObjectStore } from './dav-objects.ts';
import type { DirectoryStore } from './directory.ts';
import type { FilesStore } from './files.ts';
import type { Journal } from './journal.ts';
import type { KeyValue } from './key-value.ts';
import type { MailStore } from './mail.ts';
import type { OutboundQueue } from './queue.ts';

export type * from './blob.ts';
export type * from './dav-objects.ts';
export type * from './directory.ts';
export type * from './files.ts';
export type * from './journal.ts';
export type * from './key-value.ts';
export type * from './mail.ts';
export type * from './queue.ts';
export { MailboxNotFoundError, OverQuotaError } from './mail.ts';
export { BlobTooLargeError } from './blob.ts';
export { ConflictError, VersionConflictError, StoreUnavailableError } from './errors.ts';
export { PROTOCOLS } from './directory.ts';
export { DriveFullError, FileExistsError, FileNotFoundError, filesContainer } from './files.ts';
export { DavCollectionExistsError, DavCollectionNotFoundError, davContainer, UidConflictError } from './dav-objects.ts';

/** Everything an adapter provides; services take only the ports they need. */
export interface Store {
  readonly kind: string;
  directory: DirectoryStore;
  journal: Journal;
  kv: KeyValue;
  blobs: BlobStore;
  mail: MailStore;
  files: FilesStore;
  queue: OutboundQueue;
  davObjects: DavObjectStore;
  close(): Promise<void>;
}
