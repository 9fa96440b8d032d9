/**
 * The one wrapper every imap-core hook goes through (docs/notes/imap-core.md §6.1). A throw in a
 * hook, or a result imap-core cannot dereference, kills the whole process; so the hook's work runs
 * as a promise, its result is checked against the shape imap-core reads, and the callback is
 * called exactly once, on the next tick, outside any try or promise chain, so a throw inside
 * imap-core can neither trigger a second callback nor become an unhandled rejection.
 */
import type { Logger } from '../logging.ts';
import { MailError, type MailErrorCode } from '../mail/index.ts';
import type { Callback } from './imap-core.ts';

/** The response codes imap-core prints as `NO [CODE]` when a hook answers `cb(null, 'CODE')`. */
const CODES: Record<MailErrorCode, string> = {
  tryCreate: 'TRYCREATE',
  nonexistent: 'NONEXISTENT',
  alreadyExists: 'ALREADYEXISTS',
  overQuota: 'OVERQUOTA',
  tooBig: 'TOOBIG',
  cannot: 'CANNOT',
  // Bad flags, dates or an empty message: a NO with a code, since `false` would make APPEND
  // build APPENDUID from a missing info (§2).
  invalid: 'CANNOT',
};

export function imapCode(error: MailError): string {
  return CODES[error.code];
}

/** The callback arguments a hook answers with: `[null, result, info?]` or `[error]`. */
export type HookAnswer = [Error | null, ...unknown[]];

export interface GuardOptions {
  hook: string;
  logger: Logger;
  /** Whether a success answer has the shape imap-core reads (the §2 table). */
  valid: (answer: HookAnswer) => boolean;
  /** How a MailError is answered; default `[null, CODE]` (the flag hooks' `NO [CODE]`). */
  onMailError?: (error: MailError) => HookAnswer;
}

/** An error imap-core turns into `NO [TEMPFAIL]` (FETCH and APPEND print `responseMessage`). */
export function internalError(): Error {
  return Object.assign(new Error('Internal server error'), { responseMessage: 'Internal server error' });
}

/** Runs `work` and answers `cb` once, with a checked result or a mapped error. */
export function guard(options: GuardOptions, cb: Callback, work: () => Promise<HookAnswer>): void {
  let answered = false;
  const answer = (args: HookAnswer) => {
    if (answered) return;
    answered = true;
    process.nextTick(() => {
      try {
        cb(...args);
      } catch (err) {
        // imap-core threw on our answer: log it; rethrowing would end the process.
        options.logger.error({ err, hook: options.hook }, 'imap-core failed on a hook answer');
      }
    });
  };
  let running: Promise<HookAnswer>;
  try {
    running = work();
  } catch (err) {
    running = Promise.reject(err);
  }
  running.then(
    (args) => {
      if (args[0] === null && !options.valid(args)) {
        options.logger.error({ hook: options.hook }, 'IMAP hook produced a malformed result');
        answer([internalError()]);
        return;
      }
      answer(args);
    },
    (err: unknown) => {
      if (err instanceof MailError) {
        answer(options.onMailError ? options.onMailError(err) : [null, imapCode(err)]);
        return;
      }
      options.logger.error({ err, hook: options.hook }, 'IMAP hook failed');
      answer([internalError()]);
    },
  );
}

/** `valid` for hooks that answer `true` or a code string. */
export function flagResult(answer: HookAnswer): boolean {
  return answer[1] === true || typeof answer[1] === 'string';
}
