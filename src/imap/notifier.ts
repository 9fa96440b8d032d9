/**
 * The journal-backed notifier imap-core polls for untagged updates (docs/notes/imap-core.md §3).
 * One journal subscription hears every mailbox change (local at once, other processes by the
 * journal's own polling); changes are batched per mailbox for a short debounce, then each session
 * with that mailbox selected is woken. imap-core's listener calls getUpdates synchronously from the
 * wake-up, which is how a getUpdates call is tied to its session: at most one runs per session, and
 * a wake-up that arrives meanwhile runs once more afterwards (two in flight send EXISTS twice, §3).
 */
import type { Logger } from '../logging.ts';
import type { Journal, JournalEntry } from '../store/ports/journal.ts';
import type { ImapSession, Notifier } from './imap-core.ts';

type Listener = (payload?: unknown) => void;

export interface NotifierEntry {
  _id: string;
  modseq: number;
  command: 'EXISTS' | 'FETCH' | 'EXPUNGE';
  uid: number;
  flags?: string[];
  ignore?: string;
}

interface ListenerState {
  session: ImapSession;
  fn: Listener;
  running: boolean;
  again: boolean;
}

const PREFIX = 'mailbox:';
const DEBOUNCE_MS = 50;
const BATCH = 1000;
/** Own-change marks are only needed until the session's next poll; this bounds a busy server. */
const MAX_OWN = 10_000;

export class ImapNotifier implements Notifier {
  readonly #journal: Journal;
  readonly #logger: Logger;
  readonly #listeners = new Map<Listener, ListenerState>();
  /** `{mailboxId}:{modseq}` or `{mailboxId}:x{uid}` → the session that already wrote it. */
  readonly #own = new Map<string, string>();
  readonly #pending = new Set<string>();
  #timer: NodeJS.Timeout | null = null;
  /** The listener whose wake-up is on the stack: its getUpdates call is the next one. */
  #waking: ListenerState | null = null;
  #unsubscribe: (() => void) | null;

  constructor(journal: Journal, logger: Logger) {
    this.#journal = journal;
    this.#logger = logger;
    this.#unsubscribe = journal.subscribe((entry) => this.#heard(entry));
  }

  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#listeners.clear();
  }

  addListener(session: ImapSession, fn: Listener): void {
    this.#listeners.set(fn, { session, fn, running: false, again: false });
  }

  removeListener(_session: ImapSession, fn: Listener): void {
    this.#listeners.delete(fn);
  }

  /** A flag change this session answered itself with an untagged FETCH. */
  ownFlags(session: ImapSession, mailboxId: string, modseq: number): void {
    this.#mark(`${mailboxId}:${modseq}`, session.id);
  }

  /** An expunge this session answered itself with an untagged EXPUNGE. */
  ownExpunge(session: ImapSession, mailboxId: string, uid: number): void {
    this.#mark(`${mailboxId}:x${uid}`, session.id);
  }

  /** Ends, with BYE, the other sessions that have `mailboxId` selected: it was deleted (§3 DROP). */
  dropMailbox(mailboxId: string, except: ImapSession): void {
    for (const state of [...this.#listeners.values()]) {
      if (state.session !== except && selectedMailbox(state.session) === mailboxId) this.#tell(state, { command: 'DROP', mailbox: mailboxId });
    }
  }

  /** Whether the user has a signed-in session here. */
  hasSessions(userId: string): boolean {
    for (const state of this.#listeners.values()) if (state.session.user?.id === userId) return true;
    return false;
  }

  /** Ends every session of the user with `* BYE reason` (disabled or removed from the directory). */
  logoutUser(userId: string, reason: string): void {
    for (const state of [...this.#listeners.values()]) {
      if (state.session.user?.id === userId) this.#tell(state, { command: 'LOGOUT', reason });
    }
  }

  #tell(state: ListenerState, payload: object): void {
    try {
      state.fn(payload);
    } catch (err) {
      this.#logger.error({ err, service: 'imap' }, 'IMAP notification listener failed');
    }
  }

  /** Wakes the sessions that have `mailboxId` selected, after the debounce. */
  fire(mailboxId: string): void {
    this.#pending.add(mailboxId);
    if (this.#timer) return;
    this.#timer = setTimeout(() => this.#flush(), DEBOUNCE_MS);
    this.#timer.unref();
  }

  getUpdates(mailboxId: unknown, modifyIndex: number, cb: (err: Error | null, entries: unknown[]) => void): void {
    const state = this.#waking;
    this.#waking = null;
    const done = (entries: NotifierEntry[]) => {
      // Answered on a fresh tick so a throw in imap-core cannot reach our promise chain.
      process.nextTick(() => {
        try {
          cb(null, entries);
        } catch (err) {
          this.#logger.error({ err, service: 'imap' }, 'imap-core failed on notifier updates');
        }
        if (state) this.#finished(state);
      });
    };
    if (typeof mailboxId !== 'string') return done([]);
    this.#journal.since(PREFIX + mailboxId, modifyIndex, BATCH).then(
      (entries) => {
        // A full batch (a COPY of thousands): imap-core raises modifyIndex past it, and the session
        // must be woken again for the rest, since no new journal entry may come to do it.
        if (entries.length === BATCH && state) state.again = true;
        done(entries.flatMap((e) => this.#map(mailboxId, e)));
      },
      (err: unknown) => {
        this.#logger.warn({ err, service: 'imap' }, 'notifier could not read the journal');
        done([]);
      },
    );
  }

  #heard(entry: JournalEntry): void {
    if (entry.container.startsWith(PREFIX)) this.fire(entry.container.slice(PREFIX.length));
  }

  #flush(): void {
    this.#timer = null;
    const boxes = new Set(this.#pending);
    this.#pending.clear();
    for (const state of this.#listeners.values()) {
      const selected = selectedMailbox(state.session);
      if (selected !== null && boxes.has(selected)) this.#wake(state);
    }
  }

  #wake(state: ListenerState): void {
    if (state.running) {
      state.again = true;
      return;
    }
    state.running = true;
    this.#waking = state;
    try {
      state.fn();
    } catch (err) {
      this.#logger.error({ err, service: 'imap' }, 'IMAP notification listener failed');
    }
    // The listener did not ask (nothing selected, or closing): nothing is in flight.
    if (this.#waking === state) {
      this.#waking = null;
      this.#finished(state);
    }
  }

  #finished(state: ListenerState): void {
    state.running = false;
    if (state.again && this.#listeners.has(state.fn)) {
      state.again = false;
      this.#wake(state);
    }
  }

  #map(mailboxId: string, entry: JournalEntry): NotifierEntry[] {
    const uid = Number(entry.item);
    if (!Number.isSafeInteger(uid)) return [];
    const base = { _id: String(entry.seq), modseq: entry.modseq, uid };
    if (entry.op === 'create') return [{ ...base, command: 'EXISTS' }];
    if (entry.op === 'delete') return [{ ...base, command: 'EXPUNGE', ...this.#ignore(`${mailboxId}:x${uid}`) }];
    const flags = entry.data?.flags;
    if (!Array.isArray(flags)) return [];
    return [{ ...base, command: 'FETCH', flags: flags.map(String), ...this.#ignore(`${mailboxId}:${entry.modseq}`) }];
  }

  #ignore(key: string): { ignore?: string } {
    const session = this.#own.get(key);
    return session === undefined ? {} : { ignore: session };
  }

  #mark(key: string, sessionId: string): void {
    this.#own.set(key, sessionId);
    if (this.#own.size > MAX_OWN) {
      const oldest = this.#own.keys().next();
      if (!oldest.done) this.#own.delete(oldest.value);
    }
  }
}

function selectedMailbox(session: ImapSession): string | null {
  const mailbox = session.selected?.mailbox;
  return typeof mailbox === 'string' ? mailbox : null;
}
