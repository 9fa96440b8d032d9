/**
 * QUOTA (RFC 2087/9208): one quota root, "", per user, whose STORAGE limit is the directory's
 * per-user quota. imap-core prints KiB rounded up and always prints a limit, so a user without
 * one is shown the largest limit IMAP can carry rather than 0 (which clients read as full).
 */
import { MailError } from '../../mail/index.ts';
import { guard } from '../guard.ts';
import type { Callback, ImapSession } from '../imap-core.ts';
import { principalOf, type HookDeps } from './context.ts';

const ROOT = '';
/** 2^63-1 KiB would overflow JS numbers; this prints as a number every client parses. */
const NO_LIMIT_BYTES = Number.MAX_SAFE_INTEGER;

const isQuota = (answer: unknown[]): boolean =>
  typeof answer[1] === 'string' || Number.isSafeInteger((answer[1] as { quota?: unknown } | undefined)?.quota);

async function usage(deps: HookDeps, session: ImapSession): Promise<{ root: string; quota: number; storageUsed: number }> {
  const { limit, used } = await deps.mail.quota(principalOf(session));
  return { root: ROOT, quota: limit ?? NO_LIMIT_BYTES, storageUsed: used };
}

export function onGetQuota(deps: HookDeps) {
  return (root: string, session: ImapSession, cb: Callback): void => {
    guard({ hook: 'getquota', logger: deps.logger, valid: isQuota }, cb, async () => {
      if (root !== ROOT) return [null, 'NONEXISTENT'];
      return [null, await usage(deps, session)];
    });
  };
}

export function onGetQuotaRoot(deps: HookDeps) {
  return (path: string, session: ImapSession, cb: Callback): void => {
    guard({ hook: 'getquotaroot', logger: deps.logger, valid: isQuota }, cb, async () => {
      if (!(await deps.mail.getMailbox(principalOf(session), path))) throw new MailError('nonexistent', 'mailbox does not exist');
      return [null, await usage(deps, session)];
    });
  };
}
