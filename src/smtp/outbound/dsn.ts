/** Delivery status notifications (RFC 3464 in a multipart/report, RFC 6522) for failed recipients. */
import { randomUUID } from 'node:crypto';
import type { BounceOptions } from '../../store/ports/index.ts';
import { headerBlock, rfc5322Date } from '../message.ts';

export interface FailedRecipient {
  address: string;
  /** The remote's reply or our reason, ideally with an enhanced status code. */
  response: string;
  /** DSN NOTIFY from RCPT; without FAILURE (e.g. NEVER) the sender asked for no bounce. */
  notify?: readonly string[];
  orcpt?: string;
}

export interface BounceInput {
  hostname: string;
  sender: string;
  failed: readonly FailedRecipient[];
  original: Buffer;
  dsn?: BounceOptions | undefined;
}

/** Whether the sender wants to hear of this recipient's failure (RFC 3461 §4.1: the default is yes). */
export function wantsBounce(recipient: Pick<FailedRecipient, 'notify'>): boolean {
  return !recipient.notify?.length || recipient.notify.includes('FAILURE');
}

const ENHANCED = /\b([245]\.\d{1,3}\.\d{1,3})\b/;

/** The Status field: the enhanced code in the reply (4.x.x when it gave up on a temporary one), else 5.0.0. */
export function statusOf(response: string): string {
  return ENHANCED.exec(response)?.[1] ?? '5.0.0';
}

export function bounceMessage({ hostname, sender, failed, original, dsn }: BounceInput): Buffer {
  const boundary = `=_stoa_${randomUUID()}`;
  const now = rfc5322Date();
  const list = failed.map((f) => `  <${f.address}>: ${oneLine(f.response)}`).join('\r\n');
  const perRecipient = failed.map((f) => [
    ...(f.orcpt ? [`Original-Recipient: ${oneLine(f.orcpt)}`] : []),
    `Final-Recipient: rfc822; ${f.address}`,
    'Action: failed',
    `Status: ${statusOf(f.response)}`,
    `Diagnostic-Code: smtp; ${oneLine(f.response)}`,
  ].join('\r\n')).join('\r\n\r\n');
  const lines = [
    `From: Mail Delivery System <MAILER-DAEMON@${hostname}>`,
    `To: <${sender}>`,
    'Subject: Undelivered Mail Returned to Sender',
    `Date: ${now}`,
    `Message-ID: <${randomUUID()}@${hostname}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Your message could not be delivered to these recipients:',
    '',
    list,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    ...(dsn?.envid ? [`Original-Envelope-Id: ${oneLine(dsn.envid)}`] : []),
    `Reporting-MTA: dns; ${hostname}`,
    `Arrival-Date: ${now}`,
    '',
    perRecipient,
    '',
    `--${boundary}`,
    ...(dsn?.ret === 'FULL'
      ? ['Content-Type: message/rfc822', '', original.toString('utf8').replace(/\r?\n/g, '\r\n').trimEnd()]
      : ['Content-Type: text/rfc822-headers', '', headerBlock(original).replace(/\r?\n/g, '\r\n').trimEnd()]),
    '',
    `--${boundary}--`,
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim();
}
