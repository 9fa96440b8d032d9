/**
 * "Logins stop at once" (directory UserService.remove) for sessions that are already open: when a
 * directory change disables or removes a user with IMAP sessions, those sessions get BYE. Directory
 * changes arrive through the same journal as mail changes, from this process or another.
 */
import { directoryContainer } from '../directory/users.ts';
import type { Logger } from '../logging.ts';
import type { UserRecord } from '../store/ports/directory.ts';
import type { Journal } from '../store/ports/journal.ts';
import type { ImapNotifier } from './notifier.ts';

const PREFIX = directoryContainer('');

export function endSessionsOfDisabledUsers(
  journal: Journal,
  users: { get(tenantId: string, id: string): Promise<Pick<UserRecord, 'active' | 'deletedAt'> | null> },
  notifier: ImapNotifier,
  logger: Logger,
): () => void {
  return journal.subscribe((entry) => {
    if (!entry.container.startsWith(PREFIX) || !notifier.hasSessions(entry.item)) return;
    users.get(entry.container.slice(PREFIX.length), entry.item).then(
      (user) => {
        if (!user || !user.active || user.deletedAt) notifier.logoutUser(entry.item, 'Account disabled');
      },
      (err: unknown) => logger.warn({ err, service: 'imap' }, 'could not check a changed directory user'),
    );
  });
}
