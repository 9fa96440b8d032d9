/** SELECT/EXAMINE and STATUS: one store snapshot each, so the UID list and modseq agree (§3). */
import { MailError } from '../../mail/index.ts';
import { guard } from '../guard.ts';
import type { Callback, ImapSession } from '../imap-core.ts';
import { principalOf, type HookDeps } from './context.ts';

const isSorted = (uids: unknown): boolean =>
  Array.isArray(uids) && uids.every((u, i) => Number.isSafeInteger(u) && (i === 0 || u > (uids[i - 1] as number)));

/** `_id` is required (FETCH calls its toString) and uidList must be ascending and unique (§2, §6.1). */
function isMailboxData(answer: unknown[]): boolean {
  const data = answer[1] as Record<string, unknown> | string | undefined;
  if (typeof data === 'string') return true;
  return typeof data?._id === 'string' && isSorted(data.uidList) && Number.isSafeInteger(data.uidValidity) &&
    Number.isSafeInteger(data.uidNext) && Number.isSafeInteger(data.modifyIndex);
}

export function onOpen(deps: HookDeps) {
  return (path: string, session: ImapSession, cb: Callback): void => {
    guard({ hook: 'open', logger: deps.logger, valid: isMailboxData }, cb, async () => {
      const box = await deps.mail.getMailbox(principalOf(session), path);
      if (!box) throw new MailError('nonexistent', 'mailbox does not exist');
      const snap = await deps.store.snapshot(box.id);
      return [null, { _id: box.id, uidList: snap.uids, uidValidity: box.uidValidity, uidNext: box.uidNext, modifyIndex: snap.modseq }];
    });
  };
}

function isStatus(answer: unknown[]): boolean {
  const data = answer[1] as Record<string, unknown> | string | undefined;
  return typeof data === 'string' || (typeof data === 'object' && data !== null && Number.isSafeInteger(data.messages));
}

export function onStatus(deps: HookDeps) {
  return (path: string, session: ImapSession, cb: Callback): void => {
    guard({ hook: 'status', logger: deps.logger, valid: isStatus }, cb, async () => {
      const box = await deps.mail.getMailbox(principalOf(session), path);
      if (!box) throw new MailError('nonexistent', 'mailbox does not exist');
      const [counts, snap] = await Promise.all([deps.store.counts(box.id), deps.store.snapshot(box.id)]);
      return [null, { messages: counts.messages, unseen: counts.unseen, uidNext: box.uidNext, uidValidity: box.uidValidity, highestModseq: snap.modseq }];
    });
  };
}
