/**
 * Works the outbound queue: claims due entries under a lease, tries each remote domain once,
 * records every recipient's outcome, bounces what failed for good (or waited too long), and
 * schedules the rest for a retry with backoff. Woken at once by a new entry, and by a timer for
 * retries and for entries other processes queued.
 */
import { domainOf } from '../../directory/addresses.ts';
import type { Logger } from '../../logging.ts';
import { readBlob } from '../../mail/bytes.ts';
import type { BlobStore, KeyValue, LeasedEntry, OutboundQueue, QueuedRecipient } from '../../store/ports/index.ts';
import type { Delivery } from '../delivery.ts';
import { dkimKey } from '../dkim.ts';
import type { RecipientOutcome, RemoteSender } from './remote.ts';

export interface WorkerDeps {
  queue: OutboundQueue;
  blobs: BlobStore;
  kv: KeyValue;
  remote: RemoteSender;
  delivery: Delivery;
  logger: Logger;
  /** Delay before each retry, in ms; the last repeats. */
  retryMs: readonly number[];
  pollMs: number;
}

/** Longer than any attempt (connect and socket timeouts): a lease that runs out means its holder died. */
const LEASE_MS = 15 * 60_000;
const BATCH = 20;

export class QueueWorker {
  readonly #deps: WorkerDeps;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.#timer = setInterval(() => this.wake(), this.#deps.pollMs);
    this.#timer.unref();
    this.wake();
  }

  /** Runs a pass now, or right after the one in progress. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#pass()
      .catch((err: unknown) => this.#deps.logger.error({ err }, 'outbound queue pass failed'))
      .finally(() => {
        this.#running = null;
        if (this.#again) {
          this.#again = false;
          this.wake();
        }
      });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }

  async #pass(): Promise<void> {
    while (!this.#stopped) {
      const entries = await this.#deps.queue.claimDue(new Date(), LEASE_MS, BATCH);
      if (!entries.length) return;
      await Promise.all(entries.map((entry) => this.#work(entry).catch((err: unknown) => this.#deps.logger.error({ err, entry: entry.id }, 'outbound delivery failed'))));
    }
  }

  async #work(entry: LeasedEntry): Promise<void> {
    const { logger } = this.#deps;
    const message = await readBlob(this.#deps.blobs, entry.blob, 0, entry.size);
    const dkim = await dkimKey(this.#deps.kv, domainOf(entry.sender) ?? '');
    const pending = entry.recipients.filter((r) => r.state === 'pending');
    const outcomes = new Map<string, RecipientOutcome>();
    for (const [domain, addresses] of byDomain(pending)) {
      for (const outcome of await this.#deps.remote.send(domain, entry.sender, addresses, message, dkim)) outcomes.set(outcome.address, outcome);
    }
    const now = new Date();
    const expired = now.getTime() >= Date.parse(entry.expiresAt);
    const recipients: QueuedRecipient[] = entry.recipients.map((r) => {
      const outcome = outcomes.get(r.address);
      if (r.state !== 'pending' || !outcome) return r;
      if (outcome.outcome === 'delivered') return { ...r, state: 'delivered', response: outcome.response };
      if (outcome.outcome === 'permanent') return { ...r, state: 'failed', response: outcome.response };
      return expired ? { ...r, state: 'failed', response: `4.4.7 gave up after ${entry.attempts + 1} attempts; last answer: ${outcome.response}` } : { ...r, response: outcome.response };
    });
    const failedNow = recipients.filter((r, i) => r.state === 'failed' && entry.recipients[i]?.state === 'pending');
    logger.info({ entry: entry.id, outcomes: [...outcomes.values()] }, 'outbound delivery attempt');
    // The bounce is stored before the entry changes: a crash in between bounces twice, never not at all.
    if (failedNow.length) await this.#deps.delivery.bounce(entry.tenantId, entry.sender, failedNow.map((r) => ({ ...r, response: r.response ?? '' })), message, entry.dsn);
    const attempts = entry.attempts + 1;
    const settled = recipients.every((r) => r.state !== 'pending');
    const next = { ...entry, recipients, attempts, nextAttemptAt: new Date(now.getTime() + this.#retryDelay(attempts)).toISOString() };
    const kept = settled ? await this.#deps.queue.complete(next) : await this.#deps.queue.reschedule(next);
    if (!kept) logger.warn({ entry: entry.id }, 'outbound lease ran out during delivery; another process took the entry over');
  }

  #retryDelay(attempts: number): number {
    const delays = this.#deps.retryMs;
    return delays[Math.min(attempts, delays.length) - 1] ?? delays[delays.length - 1] ?? 60_000;
  }
}

function byDomain(recipients: readonly QueuedRecipient[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const r of recipients) {
    const domain = domainOf(r.address) ?? r.address.split('@').pop() ?? '';
    groups.set(domain, [...(groups.get(domain) ?? []), r.address]);
  }
  return groups;
}
