/**
 * Mailbox names as the service stores them: Unicode NFC, '/' between levels, INBOX spelled
 * `INBOX`. IMAP fronts decode modified UTF-7 before calling the service (imap-core does it,
 * docs/notes/imap-core.md §6.3), so the rules here are about the decoded name.
 */
import { MailError } from './errors.ts';

export const DELIMITER = '/';
export const INBOX = 'INBOX';
/** Per level, in characters; generous for people, small enough for any store index. */
export const MAX_SEGMENT_CHARS = 255;
/** The whole name in UTF-8 bytes, and the number of levels. */
export const MAX_PATH_BYTES = 1024;
export const MAX_DEPTH = 32;

/*
 * Control characters would be escaped by imap-core's compiler into invalid IMAP; U+FFFD is what
 * undecodable 8-bit input turns into, so storing it would keep a name the client never sent;
 * '%' and '*' are LIST wildcards, so a mailbox named with them could not be listed by itself.
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\ufffd%*]/u;

/** The stored form of a name, or MailError 'cannot' saying which rule it breaks. */
export function normalizePath(input: string): string {
  // With the u flag a surrogate range only matches a half without its pair.
  if (/[\ud800-\udfff]/u.test(input)) throw new MailError('cannot', 'mailbox name is not valid Unicode');
  const name = input.normalize('NFC');
  if (name === '') throw new MailError('cannot', 'mailbox name is empty');
  if (name.startsWith(DELIMITER) || name.endsWith(DELIMITER)) throw new MailError('cannot', `mailbox name may not start or end with "${DELIMITER}"`);
  if (FORBIDDEN.test(name)) throw new MailError('cannot', 'mailbox name contains a control character, % or *');
  if (Buffer.byteLength(name) > MAX_PATH_BYTES) throw new MailError('cannot', `mailbox name is longer than ${MAX_PATH_BYTES} bytes`);
  const segments = name.split(DELIMITER);
  if (segments.length > MAX_DEPTH) throw new MailError('cannot', `mailbox names may be at most ${MAX_DEPTH} levels deep`);
  for (const segment of segments) {
    if (segment.trim() === '') throw new MailError('cannot', 'mailbox name has an empty level');
    if ([...segment].length > MAX_SEGMENT_CHARS) throw new MailError('cannot', `a mailbox name level is longer than ${MAX_SEGMENT_CHARS} characters`);
  }
  // RFC 3501 §5.1: INBOX is case-insensitive, so `inbox/x` is a child of INBOX, never a sibling.
  if (/^inbox$/i.test(segments[0] ?? '')) segments[0] = INBOX;
  return segments.join(DELIMITER);
}

/** The names above `path`, outermost first: `a/b/c` → `a`, `a/b`. */
export function parentsOf(path: string): string[] {
  const segments = path.split(DELIMITER);
  return segments.slice(1).map((_, i) => segments.slice(0, i + 1).join(DELIMITER));
}
