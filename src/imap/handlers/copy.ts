/**
 * COPY and MOVE with COPYUID (UIDPLUS, RFC 4315/6851; docs/notes/imap-core.md §2). MOVE writes
 * `* n EXPUNGE` for each moved message itself and tells the notifier, so this session's next poll
 * skips those journal rows while other sessions hear them.
 */
import type { CopyResult } from '../../mail/index.ts';
import { guard } from '../guard.ts';
import type { Callback, CopyUpdate, ImapSession } from '../imap-core.ts';
import { principalOf, type ChangeDeps, type HookDeps } from './context.ts';

/** imap-core builds COPYUID from `info` on every non-string answer (§2), so it must be complete. */
function isCopyAnswer(answer: unknown[]): boolean {
  if (typeof answer[1] === 'string') return true;
  const info = answer[2] as { uidValidity?: unknown; sourceUid?: unknown; destinationUid?: unknown } | undefined;
  return answer[1] === true && Number.isSafeInteger(info?.uidValidity) && Array.isArray(info?.sourceUid) && Array.isArray(info?.destinationUid);
}

function copyUid(result: CopyResult): [null, true, { uidValidity: number; sourceUid: number[]; destinationUid: number[] }] {
  return [null, true, {
    uidValidity: result.uidValidity,
    sourceUid: result.mappings.map((m) => m.sourceUid),
    destinationUid: result.mappings.map((m) => m.destinationUid),
  }];
}

export function onCopy(deps: HookDeps) {
  return (_connection: unknown, mailboxId: unknown, update: CopyUpdate, session: ImapSession, cb: Callback): void => {
    guard({ hook: 'copy', logger: deps.logger, valid: isCopyAnswer }, cb, async () => {
      if (typeof mailboxId !== 'string') return [null, 'CANNOT'];
      return copyUid(await deps.mail.copyMessages(principalOf(session), mailboxId, update.messages, update.destination));
    });
  };
}

export function onMove(deps: ChangeDeps) {
  return (mailboxId: unknown, update: CopyUpdate, session: ImapSession, cb: Callback): void => {
    guard({ hook: 'move', logger: deps.logger, valid: isCopyAnswer }, cb, async () => {
      // imap-core does not check EXAMINE's read-only state for MOVE (§2).
      if (typeof mailboxId !== 'string' || session.selected?.readOnly) return [null, 'CANNOT'];
      const result = await deps.mail.moveMessages(principalOf(session), mailboxId, update.messages, update.destination);
      for (const { sourceUid } of result.mappings) {
        const row = session.formatResponse('EXPUNGE', sourceUid);
        if (!row) continue;
        deps.notifier.ownExpunge(session, mailboxId, sourceUid);
        session.writeStream.write(row);
      }
      return copyUid(result);
    });
  };
}
