/**
 * Where accepted mail goes: local recipients' INBOXes through the mail service, remote recipients
 * into the outbound queue (blob first, then the entry), and bounces back to a sender.
 */
import { randomUUID } from 'node:crypto';
import type { Directory } from '../directory/index.ts';
import type { Logger } from '../logging.ts';
import { chunksOf } from '../mail/bytes.ts';
import type { MailOwner, MailService } from '../mail/index.ts';
import type { BlobStore, BounceOptions, MailStore, OutboundQueue, QueuedRecipient } from '../store/ports/index.ts';
import { bounceMessage, type FailedRecipient, wantsBounce } from './outbound/dsn.ts';
import { resolveRecipient } from './recipients.ts';

/** A recipient to queue, with its DSN parameters. */
export type OutboundRecipient = Pick<QueuedRecipient, 'address' | 'notify' | 'orcpt'>;

export interface LocalResult {
  error?: unknown;
}

export interface DeliveryDeps {
  directory: Directory;
  mail: MailService;
  mailStore: MailStore;
  quota: (owner: MailOwner) => Promise<number | null>;
  blobs: BlobStore;
  queue: OutboundQueue;
  logger: Logger;
  hostname: string;
  queueLifetimeMs: number;
  /** Tells the queue worker there is something to send now. */
  wake: () => void;
}

export class Delivery {
  readonly #deps: DeliveryDeps;

  constructor(deps: DeliveryDeps) {
    this.#deps = deps;
  }

  /** Whether `bytes` more fit in the owner's quota (a cheap check before DATA; the store checks again). */
  async hasRoom(user: { id: string; tenantId: string }, bytes: number): Promise<boolean> {
    const quota = await this.#deps.quota({ userId: user.id, tenantId: user.tenantId });
    return quota === null || (await this.#deps.mailStore.usage(user.id)) + Math.max(bytes, 1) <= quota;
  }

  /**
   * Stores the message in each user's INBOX, once per user however many of their addresses were
   * named. The result per user id says whether it was stored; nothing here throws for one user.
   */
  async deliverLocal(users: readonly { id: string; tenantId: string }[], message: Buffer): Promise<Map<string, LocalResult>> {
    const results = new Map<string, LocalResult>();
    for (const user of users) {
      if (results.has(user.id)) continue;
      results.set(user.id, {});
      try {
        await this.#deps.mail.deliver({ userId: user.id, tenantId: user.tenantId }, message);
      } catch (error) {
        results.set(user.id, { error });
      }
    }
    return results;
  }

  /** Queues a message for remote recipients; resolves once the entry is durably stored. */
  async enqueue(tenantId: string, sender: string, recipients: readonly OutboundRecipient[], message: Buffer, dsn?: BounceOptions): Promise<void> {
    const blob = await this.#deps.blobs.put(chunksOf(message));
    const now = new Date();
    await this.#deps.queue.enqueue({
      id: randomUUID(), tenantId, sender, blob: blob.hash, size: blob.size,
      recipients: recipients.map((r) => ({ ...r, state: 'pending', response: null })),
      createdAt: now.toISOString(), attempts: 0, nextAttemptAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.#deps.queueLifetimeMs).toISOString(),
      ...(dsn ? { dsn } : {}),
    });
    this.#deps.wake();
  }

  /**
   * An RFC 3464 delivery status notification to `sender` about `failed`: into their INBOX when
   * they are local, else queued with the null sender. A bounce (null sender) is never bounced.
   */
  async bounce(tenantId: string, sender: string, failed: readonly FailedRecipient[], original: Buffer, dsn?: BounceOptions): Promise<void> {
    const reported = failed.filter(wantsBounce);
    if (!sender || !reported.length) return;
    const report = bounceMessage({ hostname: this.#deps.hostname, sender, failed: reported, original, dsn });
    const target = await resolveRecipient(this.#deps.directory, sender);
    if (target.kind === 'local') {
      const [result] = (await this.deliverLocal([target.user], report)).values();
      if (result?.error) this.#deps.logger.warn({ err: result.error, sender }, 'bounce could not be delivered');
    } else if (target.kind === 'remote') {
      await this.enqueue(tenantId, '', [{ address: sender }], report);
    }
  }
}
