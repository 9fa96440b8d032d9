/**
 * STORE (docs/notes/imap-core.md §2): the hook writes its own untagged FETCHes and tells the
 * notifier, whose poll then marks those journal rows `ignore` for this session instead of sending
 * them twice. Other sessions hear them through the notifier.
 */
import { normalizeFlags } from '../../mail/index.ts';
import { guard } from '../guard.ts';
import type { Callback, ImapSession, StoreUpdate } from '../imap-core.ts';
import type { ChangeDeps } from './context.ts';

/** `cb(null, true, modifiedUids)` or a code (§2). */
function isStoreAnswer(answer: unknown[]): boolean {
  return typeof answer[1] === 'string' || (answer[1] === true && Array.isArray(answer[2]));
}

export function onStore(deps: ChangeDeps) {
  return (mailboxId: unknown, update: StoreUpdate, session: ImapSession, cb: Callback): void => {
    guard({ hook: 'store', logger: deps.logger, valid: isStoreAnswer }, cb, async () => {
      const selected = session.selected;
      // UID STORE does not check readOnly itself (§2).
      if (!selected || selected.readOnly || typeof mailboxId !== 'string') return [null, 'CANNOT'];
      if (update.type !== 'flags') return [null, 'CANNOT'];
      const flags = normalizeFlags(update.value);
      // imap-core passes 0 for "no UNCHANGEDSINCE".
      const result = await deps.store.setFlags(mailboxId, update.messages, update.action, flags, update.unchangedSince || undefined);
      for (const change of result.changed) {
        deps.notifier.ownFlags(session, mailboxId, change.modseq);
        if (update.silent) continue;
        const row = session.formatResponse('FETCH', change.uid, {
          uid: update.isUid ? change.uid : false,
          flags: change.flags,
          modseq: selected.condstoreEnabled ? change.modseq : false,
        });
        if (row) session.writeStream.write(row);
      }
      return [null, true, result.modified];
    });
  };
}
