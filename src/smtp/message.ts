/** The message of one DATA: read whole (bounded by SIZE), its header block, and the headers we add. */
import addressparser from 'nodemailer/lib/addressparser';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { replies } from './replies.ts';

/**
 * Reads DATA into one buffer. smtp-server stops at SIZE (`rejectOversized`), so this holds at most
 * mail.append_limit_bytes per connection; local delivery indexes the whole message anyway.
 * A stream cut by a dropped connection rejects, so nothing is stored or queued.
 */
export async function readMessage(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  if (stream.sizeExceeded) throw replies.tooBig();
  return Buffer.concat(chunks);
}

/** The header block, up to and without the empty line (the whole message if it has no body). */
export function headerBlock(message: Buffer): string {
  const end = message.indexOf('\r\n\r\n');
  const lfEnd = message.indexOf('\n\n');
  const cut = end >= 0 && (lfEnd < 0 || end < lfEnd) ? end + 2 : lfEnd >= 0 ? lfEnd + 1 : message.length;
  return message.subarray(0, cut).toString('utf8');
}

/** Values of every header `name` (case-insensitive), unfolded. */
export function headerValues(headers: string, name: string): string[] {
  const unfolded = headers.replace(/\r?\n[ \t]/g, ' ');
  const prefix = `${name.toLowerCase()}:`;
  return unfolded.split(/\r?\n/).filter((line) => line.toLowerCase().startsWith(prefix)).map((line) => line.slice(prefix.length).trim());
}

/** The addresses in every From header, lower-cased (nodemailer's parser handles groups and comments). */
export function fromAddresses(message: Buffer): string[] {
  return headerValues(headerBlock(message), 'from')
    .flatMap((value) => addressparser(value, { flatten: true }))
    .map((a) => (a.address ?? '').toLowerCase());
}

/** RFC 5322 date-time in UTC. */
export function rfc5322Date(date = new Date()): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * The trace header (RFC 5321 §4.4). Without a `for` clause, so one message to several local
 * recipients is the same bytes (one blob) and a Bcc recipient is not named to the others.
 */
export function receivedHeader(session: SMTPServerSession, hostname: string): string {
  const helo = session.hostNameAppearsAs || 'unknown';
  const ip = session.remoteAddress.replace(/^::ffff:/, '');
  // Without reverse lookups clientHostname is the `[ip]` literal already given.
  const client = session.clientHostname && !session.clientHostname.startsWith('[') ? `${session.clientHostname} ` : '';
  const tls = session.tlsOptions ? `\r\n\t(using ${session.tlsOptions.version} with cipher ${session.tlsOptions.name})` : '';
  return `Received: from ${helo} (${client}[${ip}])\r\n\tby ${hostname} (Stoa) with ${session.transmissionType} id ${session.id}${tls};\r\n\t${rfc5322Date()}\r\n`;
}
