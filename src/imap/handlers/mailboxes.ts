/** LIST, LSUB, CREATE, RENAME, DELETE, SUBSCRIBE, UNSUBSCRIBE: names in, MailService calls out. */
import { flagResult, guard } from '../guard.ts';
import type { Callback, ImapSession } from '../imap-core.ts';
import { principalOf, type ChangeDeps, type HookDeps } from './context.ts';

interface Folder {
  path: string;
  specialUse?: string;
}

const isFolderList = (answer: unknown[]): boolean =>
  Array.isArray(answer[1]) && answer[1].every((f: Folder) => typeof f?.path === 'string');

/** imap-core filters by the pattern and adds \HasChildren and \Noselect parents itself (§2). */
export function onList(deps: HookDeps, subscribedOnly: boolean) {
  return (_query: string, session: ImapSession, cb: Callback): void => {
    guard({ hook: subscribedOnly ? 'lsub' : 'list', logger: deps.logger, valid: isFolderList }, cb, async () => {
      const boxes = await deps.mail.listMailboxes(principalOf(session));
      const folders: Folder[] = boxes
        .filter((b) => !subscribedOnly || b.subscribed)
        .map((b) => (b.specialUse ? { path: b.path, specialUse: b.specialUse } : { path: b.path }));
      return [null, folders];
    });
  };
}

/** A hook on one mailbox name that answers `true` or a code. */
function onPath(deps: HookDeps, hook: string, act: (session: ImapSession, path: string) => Promise<unknown>) {
  return (path: string, session: ImapSession, cb: Callback): void => {
    guard({ hook, logger: deps.logger, valid: flagResult }, cb, async () => {
      // Raw 8-bit bytes in a name arrive as U+FFFD (§6.3): never store them as a name.
      if (path.includes('\uFFFD')) return [null, 'CANNOT'];
      await act(session, path);
      return [null, true];
    });
  };
}

export const onCreate = (deps: HookDeps) => onPath(deps, 'create', (s, p) => deps.mail.createMailbox(principalOf(s), p));
export const onSubscribe = (deps: HookDeps) => onPath(deps, 'subscribe', (s, p) => deps.mail.subscribe(principalOf(s), p));

/** Other sessions with the mailbox selected get BYE: their UIDs and modseqs now mean nothing. */
export const onDelete = (deps: ChangeDeps) => onPath(deps, 'delete', async (s, p) => {
  const box = await deps.mail.deleteMailbox(principalOf(s), p);
  deps.notifier.dropMailbox(box.id, s);
});

export const onUnsubscribe = (deps: HookDeps) => onPath(deps, 'unsubscribe', (s, p) => deps.mail.unsubscribe(principalOf(s), p));

export function onRename(deps: HookDeps) {
  return (path: string, newPath: string, session: ImapSession, cb: Callback): void => {
    guard({ hook: 'rename', logger: deps.logger, valid: flagResult }, cb, async () => {
      if (newPath.includes('\uFFFD')) return [null, 'CANNOT'];
      await deps.mail.renameMailbox(principalOf(session), path, newPath);
      return [null, true];
    });
  };
}
