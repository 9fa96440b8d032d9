/**
 * SMTP answers with their own enhanced status codes (RFC 3463). smtp-server derives the enhanced
 * code of an error reply from its basic code alone (every 550 becomes 5.1.1), so a refused sender
 * could not say 5.7.1. `send` is wrapped once: a reply text that starts with an enhanced code is
 * sent as given instead of getting a second one.
 */
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { MailError } from '../mail/index.ts';

const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3} /;

const send = SMTPConnection.prototype.send;
SMTPConnection.prototype.send = function sendWithOwnCode(this: SMTPConnection, code, data, context) {
  return send.call(this, code, data, typeof data === 'string' && ENHANCED.test(data) ? false : context);
};

/** An error smtp-server turns into the reply `code enhanced text`. */
export class SmtpReply extends Error {
  readonly responseCode: number;
  constructor(code: number, enhanced: string, text: string) {
    super(`${enhanced} ${text}`);
    this.name = 'SmtpReply';
    this.responseCode = code;
  }
}

export const replies = {
  unknownUser: () => new SmtpReply(550, '5.1.1', 'no such user here'),
  badAddress: () => new SmtpReply(553, '5.1.3', 'the address is not valid'),
  relayDenied: () => new SmtpReply(550, '5.7.1', 'relaying denied: we only accept mail for our domains'),
  notYourAddress: (what: string) => new SmtpReply(550, '5.7.1', `${what} is not an address of the signed-in user`),
  overQuota: () => new SmtpReply(452, '4.2.2', 'mailbox full, try again later'),
  tooBig: () => new SmtpReply(552, '5.3.4', 'message exceeds the size limit'),
  rateLimited: () => new SmtpReply(451, '4.7.1', 'sending rate limit reached, try again later'),
  untrustedPeer: () => new SmtpReply(554, '5.7.1', 'not a trusted LMTP client'),
  dmarcReject: () => new SmtpReply(550, '5.7.1', 'rejected by the DMARC policy of the author domain'),
  unavailable: () => new SmtpReply(451, '4.3.0', 'temporary local problem, try again later'),
  authRequired: () => new SmtpReply(530, '5.7.0', 'authentication required (after STARTTLS)'),
  authFailed: () => new SmtpReply(535, '5.7.8', 'authentication failed'),
  throttled: () => new SmtpReply(454, '4.7.0', 'too many failed logins, try again later'),
};

/** What local delivery's MailError means on the wire; anything else is a temporary local problem. */
export function deliveryReply(error: unknown): SmtpReply {
  if (error instanceof SmtpReply) return error;
  if (error instanceof MailError) {
    if (error.code === 'overQuota') return replies.overQuota();
    if (error.code === 'tooBig') return replies.tooBig();
    if (error.code === 'invalid') return new SmtpReply(554, '5.6.0', error.message);
  }
  return replies.unavailable();
}
