/**
 * EXPUNGE, UID EXPUNGE and CLOSE's silent expunge (docs/notes/imap-core.md §2): the hook writes
 * `* n EXPUNGE` itself (formatResponse splices uidList) and tells the notifier, so this session's
 * poll skips those rows; other sessions hear them through the notifier.
 */
import { flagResult, guard } from '../guard.ts';
import type { Callback, ExpungeUpdate, ImapSession } from '../imap-core.ts';
import type { ChangeDeps } from './context.ts';

export function onExpunge(deps: ChangeDeps) {
  return (mailboxId: unknown, update: ExpungeUpdate, session: ImapSession, cb: Callback): void => {
    guard({ hook: 'expunge', logger: deps.logger, valid: flagResult }, cb, async () => {
      if (typeof mailboxId !== 'string') return [null, 'CANNOT'];
      const removed = await deps.store.expunge(mailboxId, update.isUid ? update.messages : undefined);
      for (const uid of removed) {
        // CLOSE expunges silently; the session leaves the mailbox anyway.
        if (update.silent) continue;
        // A UID this session never saw (another session's append) is left to the notifier, which
        // sends its EXISTS and then its EXPUNGE.
        const row = session.formatResponse('EXPUNGE', uid);
        if (!row) continue;
        deps.notifier.ownExpunge(session, mailboxId, uid);
        session.writeStream.write(row);
      }
      return [null, true];
    });
  };
}
