/** What every hook needs, and the signed-in principal that onAuth hangs on the session. */
import type { Directory } from '../../directory/index.ts';
import type { Principal } from '../../directory/principal.ts';
import type { Logger } from '../../logging.ts';
import type { MailService } from '../../mail/index.ts';
import type { MailStore } from '../../store/ports/mail.ts';
import type { ImapSession, SessionUser } from '../imap-core.ts';
import type { ImapNotifier } from '../notifier.ts';

export interface HookDeps {
  directory: Pick<Directory, 'auth' | 'users'>;
  mail: MailService;
  store: MailStore;
  logger: Logger;
}

/** The hooks that write their own untagged responses also tell the notifier (§3 `ignore`). */
export interface ChangeDeps extends HookDeps {
  notifier: ImapNotifier;
}

/** imap-core needs `id` and `username` (logs, notifier); the principal rides along. */
export interface ImapUser extends SessionUser {
  principal: Principal;
}

/** imap-core only calls post-login hooks in Authenticated state, so a missing user is a bug. */
export function principalOf(session: ImapSession): Principal {
  const user = session.user as ImapUser | undefined;
  if (!user?.principal) throw new Error('IMAP hook called without a signed-in user');
  return user.principal;
}
