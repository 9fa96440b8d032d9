/**
 * RCPT TO: unknown local users get 5.1.1 and, without authentication, a foreign domain gets 5.7.1
 * (no open relay). A full mailbox is refused here with 4.2.2 on SMTP, where a later refusal could
 * not be told per recipient; LMTP answers it per recipient after DATA.
 */
import type { SMTPServerAddress, SMTPServerEnvelope, SMTPServerSession } from 'smtp-server';
import type { HookDeps, Role } from '../context.ts';
import type { Recipient } from '../recipients.ts';
import { resolveRecipient } from '../recipients.ts';
import { replies } from '../replies.ts';
import { settle } from './settle.ts';

/** Recipients as RCPT resolved them, for DATA; keyed by the transaction's envelope, so RSET forgets them. */
const resolved = new WeakMap<SMTPServerEnvelope, Map<string, Recipient>>();

export function onRcptTo(deps: HookDeps, role: Role) {
  return (address: SMTPServerAddress, session: SMTPServerSession, cb: (err?: Error | null) => void): void => {
    settle(deps.logger, 'rcpt-to', cb, async () => {
      const recipient = await resolveRecipient(deps.directory, address.address);
      if (recipient.kind === 'invalid') throw replies.badAddress();
      if (recipient.kind === 'unknown') throw replies.unknownUser();
      if (recipient.kind === 'remote' && role !== 'submission') throw replies.relayDenied();
      if (recipient.kind === 'local' && role !== 'lmtp') {
        const args = session.envelope.mailFrom ? session.envelope.mailFrom.args : false;
        const size = args ? Number(args.SIZE ?? 0) || 0 : 0;
        if (!(await deps.delivery.hasRoom(recipient.user, size))) throw replies.overQuota();
      }
      let known = resolved.get(session.envelope);
      if (!known) resolved.set(session.envelope, (known = new Map()));
      known.set(address.address, recipient);
    });
  };
}

/** The transaction's recipients in RCPT order, resolved again only if RCPT did not keep them. */
export async function recipientsOf(deps: HookDeps, envelope: SMTPServerEnvelope): Promise<Recipient[]> {
  const known = resolved.get(envelope);
  return Promise.all(envelope.rcptTo.map((a) => known?.get(a.address) ?? resolveRecipient(deps.directory, a.address)));
}
