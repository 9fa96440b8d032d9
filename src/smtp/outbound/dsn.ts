/** Delivery status notifications (RFC 3464 in a multipart/report, RFC 6522) for failed recipients. */
import { randomUUID } from 'node:crypto';
import { headerBlock, rfc5322Date } from '../message.ts';

export interface FailedRecipient {
  address: string;
  /** The remote's reply or our reason, ideally with an enhanced status code. */
  response: string;
}

export interface BounceInput {
  hostname: string;
  sender: string;
  failed: readonly FailedRecipient[];
  original: Buffer;
}

const ENHANCED = /\b([245]\.\d{1,3}\.\d{1,3})\b/;

/** The Status field: the enhanced code in the reply, else a generic permanent failure. */
export function statusOf(response: string): string {
  const code = ENHANCED.exec(response)?.[1];
  return code && code.startsWith('5') ? code : '5.0.0';
}

export function bounceMessage({ hostname, sender, failed, original }: BounceInput): Buffer {
  const boundary = `=_stoa_${randomUUID()}`;
  const now = rfc5322Date();
  const list = failed.map((f) => `  <${f.address}>: ${oneLine(f.response)}`).join('\r\n');
  const perRecipient = failed.map((f) => [
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
    `Reporting-MTA: dns; ${hostname}`,
    `Arrival-Date: ${now}`,
    '',
    perRecipient,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    headerBlock(original).replace(/\r?\n/g, '\r\n').trimEnd(),
    '',
    `--${boundary}--`,
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim();
}
