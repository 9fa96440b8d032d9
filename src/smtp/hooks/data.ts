/**
 * DATA: the message is read whole, checked, given its trace headers, and then stored: into each
 * local recipient's INBOX and, for remote recipients, into the queue. The 250 is sent only after
 * that (smtp-server waits for this callback), and a connection cut during DATA rejects the read,
 * so nothing is stored or queued. LMTP answers once per recipient.
 */
import type { SMTPServerAddress, SMTPServerDataResult, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { Principal } from '../../directory/principal.ts';
import type { HookDeps, Role } from '../context.ts';
import type { LocalResult } from '../delivery.ts';
import { fromAddresses, readMessage, receivedHeader } from '../message.ts';
import type { Recipient } from '../recipients.ts';
import { deliveryReply, replies } from '../replies.ts';
import { ownsAddress } from './mail-from.ts';
import { recipientsOf } from './rcpt-to.ts';
import { settle } from './settle.ts';

type Local = Extract<Recipient, { kind: 'local' }>;

export function onData(deps: HookDeps, role: Role) {
  return (stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null, message?: string | SMTPServerDataResult[]) => void): void => {
    settle(deps.logger, 'data', cb, async () => {
      const body = await readMessage(stream);
      const recipients = await recipientsOf(deps, session.envelope);
      const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      if (role === 'submission') await checkFrom(deps, session.user as Principal, body);
      let headers = receivedHeader(session, deps.hostname);
      if (role === 'mx') {
        const verdict = await deps.inbound.check(body, session);
        if (verdict.reject) throw replies.dmarcReject();
        headers += verdict.headers;
      }
      const message = Buffer.concat([Buffer.from(headers), body]);
      const local = recipients.filter((r): r is Local => r.kind === 'local');
      const delivered = await deps.delivery.deliverLocal(local.map((r) => r.user), message);
      if (role === 'lmtp') return local.map((r) => answer(delivered.get(r.user.id)));

      const dsn = session.envelope.dsn ? { envid: session.envelope.dsn.envid, ret: session.envelope.dsn.ret } : undefined;
      const withDsn = (r: Recipient, i: number) => ({ address: r.address, ...dsnParams(session.envelope.rcptTo[i]) });
      const remote = recipients.flatMap((r, i) => (r.kind === 'remote' ? [withDsn(r, i)] : []));
      if (remote.length) await deps.delivery.enqueue((session.user as Principal).tenantId, sender, remote, message, dsn);
      const failed = recipients.flatMap((r, i) => (r.kind === 'local' && delivered.get(r.user.id)?.error ? [{ ...withDsn(r, i), user: r.user }] : []));
      // Refused outright when nothing was stored, so the sender keeps the whole message and retries.
      if (failed.length === local.length && failed.length > 0 && !remote.length) throw deliveryReply(delivered.get(failed[0]!.user.id)?.error);
      if (failed.length) {
        const reasons = failed.map(({ user, ...r }) => ({ ...r, response: deliveryReply(delivered.get(user.id)?.error).message }));
        await deps.delivery.bounce(failed[0]!.user.tenantId, sender, reasons, message, dsn);
      }
      return `message accepted (${session.id})`;
    });
  };
}

/** NOTIFY and ORCPT of one RCPT TO, when given. */
function dsnParams(address: SMTPServerAddress | undefined): { notify?: string[]; orcpt?: string } {
  const dsn = address?.dsn;
  return { ...(dsn?.notify?.length ? { notify: dsn.notify } : {}), ...(dsn?.orcpt ? { orcpt: dsn.orcpt } : {}) };
}

function answer(result: LocalResult | undefined): SMTPServerDataResult {
  return result?.error ? deliveryReply(result.error) : 'message delivered';
}

/** Every From address must be the signed-in user's (5.7.1), so a user cannot write as someone else. */
async function checkFrom(deps: HookDeps, principal: Principal, body: Buffer): Promise<void> {
  const from = fromAddresses(body);
  if (!from.length) throw replies.notYourAddress('the From header');
  for (const address of from) if (!(await ownsAddress(deps, principal, address))) throw replies.notYourAddress('the From header');
}
