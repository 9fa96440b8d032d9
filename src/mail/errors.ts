/**
 * What the mail service refuses, by cause, so each front answers in its own protocol: IMAP maps
 * the codes to NO [TRYCREATE]/[NONEXISTENT]/[ALREADYEXISTS]/[OVERQUOTA]/[TOOBIG]/[CANNOT] (and
 * 'invalid' to BAD or a plain NO), SMTP to 4.2.2 (overQuota), 5.3.4 (tooBig), 5.1.1, ….
 * The message is safe to show a client: it never names another user or tenant.
 */
export type MailErrorCode = 'tryCreate' | 'nonexistent' | 'alreadyExists' | 'overQuota' | 'tooBig' | 'cannot' | 'invalid';

export class MailError extends Error {
  readonly code: MailErrorCode;
  constructor(code: MailErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MailError';
    this.code = code;
  }
}
