/**
 * A placeholder notifier for the first IMAP slice: imap-core calls addListener/removeListener at
 * login and logout and getUpdates on wake-ups, and needs them to exist. Nothing fires yet, so
 * other sessions see new mail only on their next SELECT. The journal-backed notifier (one
 * getUpdates in flight per listener, entries with unique `_id`, §3) comes with IDLE/STORE/EXPUNGE.
 */
import type { Notifier } from './imap-core.ts';

export function placeholderNotifier(): Notifier {
  return {
    addListener: () => undefined,
    removeListener: () => undefined,
    // Always an array: anything else crashes imap-core (§3).
    getUpdates: (_mailboxId, _modifyIndex, cb) => cb(null, []),
  };
}
