/** APPEND: the literal arrives whole as a Buffer; MailService indexes and stores it. */
import { guard } from '../guard.ts';
import type { Callback, ImapSession } from '../imap-core.ts';
import { principalOf, type HookDeps } from './context.ts';

/** On success imap-core builds APPENDUID from `info`, and throws without it (§6.1). */
function isAppendAnswer(answer: unknown[]): boolean {
  if (typeof answer[1] === 'string') return true;
  const info = answer[2] as { uidValidity?: unknown; uid?: unknown } | undefined;
  return answer[1] === true && Number.isSafeInteger(info?.uidValidity) && Number.isSafeInteger(info?.uid);
}

export function onAppend(deps: HookDeps) {
  return (path: string, flags: string[], date: string | false, raw: Buffer, session: ImapSession, cb: Callback): void => {
    guard({ hook: 'append', logger: deps.logger, valid: isAppendAnswer }, cb, async () => {
      const result = await deps.mail.append(principalOf(session), path, raw, { flags, ...(date ? { internalDate: date } : {}) });
      return [null, true, { uidValidity: result.uidValidity, uid: result.uid }];
    });
  };
}

/**
 * Asked by core-patches.ts before "+ Go ahead": whether a message of `bytes` fits the user's quota.
 * Any failure lets the APPEND go on; the store checks the quota again when it writes.
 */
export function onAppendSize(deps: HookDeps) {
  return (session: ImapSession, bytes: number, cb: (refusal: string | null) => void): void => {
    const check = async () => {
      const { limit, used } = await deps.mail.quota(principalOf(session));
      return limit !== null && used + bytes > limit ? 'Mailbox is over quota' : null;
    };
    check().then(
      (refusal) => process.nextTick(cb, refusal),
      (err: unknown) => {
        deps.logger.warn({ err, service: 'imap' }, 'quota check before APPEND failed');
        process.nextTick(cb, null);
      },
    );
  };
}
