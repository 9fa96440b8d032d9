/** MAIL FROM: on submission the envelope sender must be one of the user's addresses, within the rate limit. */
import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import type { Principal } from '../../directory/principal.ts';
import type { HookDeps, Role } from '../context.ts';
import { replies } from '../replies.ts';
import { settle } from './settle.ts';

const HOUR_MS = 3_600_000;

export function onMailFrom(deps: HookDeps, role: Role) {
  return (address: SMTPServerAddress, session: SMTPServerSession, cb: (err?: Error | null) => void): void => {
    settle(deps.logger, 'mail-from', cb, async () => {
      if (role !== 'submission') return;
      // Before STARTTLS AUTH is switched off, which also switches off smtp-server's own check.
      if (!session.user) throw replies.authRequired();
      const principal = session.user as Principal;
      if (!(await ownsAddress(deps, principal, address.address))) throw replies.notYourAddress('the envelope sender');
      if (deps.rateLimitPerHour > 0) {
        const hour = Math.floor(Date.now() / HOUR_MS);
        const sent = await deps.kv.incr(`smtp-rate:${principal.userId}:${hour}`, 1, HOUR_MS);
        if (sent > deps.rateLimitPerHour) throw replies.rateLimited();
      }
    });
  };
}

/** True when `address` is the principal's login, one of their emails or an alias. */
export async function ownsAddress(deps: HookDeps, principal: Principal, address: string): Promise<boolean> {
  const user = await deps.directory.users.get(principal.tenantId, principal.userId);
  const wanted = address.trim().toLowerCase();
  return Boolean(user && wanted && user.addresses.some((a) => a.toLowerCase() === wanted));
}
