/**
 * The outbound mail queue: messages waiting for a remote server to take them. The bytes are a blob
 * (BlobStore); an entry holds the envelope, each recipient's state and when to try next. Several
 * Stoa processes may share one queue: an entry is worked on only under a lease, so no two deliver
 * the same message at once, and a lease that runs out (its holder died) makes the entry due again.
 */
export type RecipientState = 'pending' | 'delivered' | 'failed';

export interface QueuedRecipient {
  address: string;
  state: RecipientState;
  /** The last answer about this recipient (a remote's reply line or a local reason). */
  response: string | null;
  /** DSN NOTIFY (RFC 3461) as given at RCPT, upper case; absent means FAILURE (and DELAY). */
  notify?: string[];
  /** DSN ORCPT as given at RCPT (`rfc822;addr`). */
  orcpt?: string;
}

export interface QueueEntry {
  id: string;
  tenantId: string;
  /** The envelope sender; '' for a bounce (null sender), which is never bounced again. */
  sender: string;
  recipients: QueuedRecipient[];
  /** sha256 of the message bytes in the BlobStore. */
  blob: string;
  size: number;
  /** ISO 8601. */
  createdAt: string;
  /** Delivery attempts made so far. */
  attempts: number;
  nextAttemptAt: string;
  /** After this the entry's pending recipients fail and are bounced. */
  expiresAt: string;
  /** DSN ENVID and RET from MAIL FROM, for a bounce. */
  dsn?: BounceOptions;
}

export interface BounceOptions {
  envid: string | null;
  /** FULL returns the whole message in a bounce, HDRS (the default) its header. */
  ret: string | null;
}

/** An entry as claimed: `lease` proves the claim when it is written back. */
export interface LeasedEntry extends QueueEntry {
  lease: string;
}

export interface OutboundQueue {
  enqueue(entry: QueueEntry): Promise<void>;
  /**
   * Up to `limit` entries whose next attempt is due at `now` and that no live lease holds, each
   * now leased to the caller for `leaseMs`. Two callers never get the same entry while a lease lives.
   */
  claimDue(now: Date, leaseMs: number, limit: number): Promise<LeasedEntry[]>;
  /**
   * Writes back a claimed entry's recipients, attempts and next attempt, and releases the lease.
   * False (and nothing written) when the lease was lost to another claimer after it ran out.
   */
  reschedule(entry: LeasedEntry): Promise<boolean>;
  /** Removes a claimed entry whose recipients are all settled; false when the lease was lost. */
  complete(entry: LeasedEntry): Promise<boolean>;
  get(id: string): Promise<QueueEntry | null>;
  /** Whether an entry still waiting holds this blob (blob collection asks before removing it). */
  isBlobReferenced(hash: string): Promise<boolean>;
}
