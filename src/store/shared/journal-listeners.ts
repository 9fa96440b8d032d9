import type { JournalEntry, JournalListener } from '../ports/journal.ts';

/**
 * The listeners of one journal, shared by the adapters: each hears every entry on its own
 * microtask, a listener removed meanwhile hears nothing more, and a throwing listener (or error
 * handler) never reaches the writer.
 */
export class JournalListeners {
  readonly #subscriptions = new Set<{ listener: JournalListener }>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  get size(): number {
    return this.#subscriptions.size;
  }

  /** Returns the function that removes this listener. */
  add(listener: JournalListener): () => void {
    const subscription = { listener };
    this.#subscriptions.add(subscription);
    return () => this.#subscriptions.delete(subscription);
  }

  clear(): void {
    this.#subscriptions.clear();
  }

  deliver(entry: JournalEntry): void {
    for (const subscription of this.#subscriptions) {
      queueMicrotask(() => {
        // Unsubscribed in the meantime: it asked not to hear any more.
        if (!this.#subscriptions.has(subscription)) return;
        try {
          subscription.listener(entry);
        } catch (error) {
          this.report(error);
        }
      });
    }
  }

  report(error: unknown): void {
    try {
      this.#onError(error);
    } catch {
      // The error handler failed too; nothing is left to tell, and the journal must go on.
    }
  }
}
