/**
 * SEARCH through the store: the query (parsed by search/command.ts, groups kept) is evaluated by
 * the store's indexes, BODY/TEXT through its full-text index; no blob is read.
 */
import { guard } from '../guard.ts';
import type { Callback, ImapSession } from '../imap-core.ts';
import type { SearchAnswer, SearchRequest } from '../search/command.ts';
import { principalOf, type HookDeps } from './context.ts';

const isAnswer = (answer: unknown[]): boolean => Array.isArray((answer[1] as SearchAnswer | undefined)?.uids);

export function onSearch(deps: HookDeps) {
  return (mailboxId: unknown, request: SearchRequest, session: ImapSession, cb: Callback): void => {
    guard({ hook: 'search', logger: deps.logger, valid: isAnswer, onMailError: (e) => [e] }, cb, async () => {
      const box = typeof mailboxId === 'string' ? await deps.mail.getMailboxById(principalOf(session), mailboxId) : null;
      if (!box) return [null, { uids: [] } satisfies SearchAnswer];
      const uids = await deps.store.search(box.id, request.query);
      if (!request.modseq || uids.length === 0) return [null, { uids } satisfies SearchAnswer];
      const messages = await deps.store.getMessages(box.id, uids);
      const highestModseq = messages.reduce((max, m) => Math.max(max, m.modseq), 0);
      return [null, { uids, highestModseq } satisfies SearchAnswer];
    });
  };
}
