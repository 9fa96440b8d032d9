/**
 * The one change journal. Every write to a container (a mailbox, a DAV collection, a tenant's
 * directory) bumps that container's modseq and appends one row, in one step, so that no reader sees
 * modseq N+1 before N. IMAP CONDSTORE/IDLE, DAV sync tokens and webhooks all read from here.
 */
export type ChangeOp = 'create' | 'update' | 'delete';

export interface Change {
  op: ChangeOp;
  /** What changed inside the container: a message UID, a resource name, a user id. */
  item: string;
  /** Small, JSON-serialisable details for listeners (never message bodies). */
  data?: Record<string, unknown>;
}

export interface JournalEntry extends Change {
  /** Global order across all containers; what cross-process listeners tail. */
  seq: number;
  /** e.g. `directory:{tenantId}`, `mailbox:{id}`, `dav:{collectionId}`. */
  container: string;
  /** The container's counter after this change (IMAP modseq, DAV sync token). */
  modseq: number;
  at: string;
}

export type JournalListener = (entry: JournalEntry) => void;

export interface Journal {
  append(container: string, change: Change): Promise<JournalEntry>;
  /** The container's current modseq; 0 when nothing was ever written. */
  head(container: string): Promise<number>;
  /** Entries of one container with modseq > `afterModseq`, oldest first. */
  since(container: string, afterModseq: number, limit: number): Promise<JournalEntry[]>;
  /** Entries of every container with seq > `afterSeq`, oldest first. */
  tail(afterSeq: number, limit: number): Promise<JournalEntry[]>;
  /**
   * Hears every entry appended from now on, by this process at once and by other processes sharing
   * the store after a short delay. A hint only: readers re-check `head`.
   */
  subscribe(listener: JournalListener): () => void;
}
