/**
 * Flags as stored: the five settable system flags in their canonical case, keywords as IMAP atoms,
 * no duplicates (flags compare case-insensitively, RFC 9051 §2.3.2), first spelling kept.
 */
import { MailError } from './errors.ts';

const SYSTEM = new Map(['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'].map((f) => [f.toLowerCase(), f]));
/** Keywords are atoms: printable ASCII without atom-specials `(){ %*"\]` (RFC 3501 §9). */
const ATOM = /^[!#$&'+,\-./0-9:;<=>?@A-Z[^_`a-z|}~]+$/;
export const MAX_KEYWORD_CHARS = 128;
export const MAX_FLAGS = 128;

export function normalizeFlags(flags: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const flag of flags) {
    const folded = flag.toLowerCase();
    // \Recent belongs to a session, never to a stored message (RFC 3501 §2.3.2): dropped quietly.
    if (folded === '\\recent' || seen.has(folded)) continue;
    let stored: string;
    if (flag.startsWith('\\')) {
      const system = SYSTEM.get(folded);
      if (system === undefined) throw new MailError('invalid', `unknown system flag ${flag.slice(0, 40)}`);
      stored = system;
    } else {
      if (!ATOM.test(flag)) throw new MailError('invalid', 'a keyword must be an IMAP atom');
      if (flag.length > MAX_KEYWORD_CHARS) throw new MailError('invalid', `a keyword may have at most ${MAX_KEYWORD_CHARS} characters`);
      stored = flag;
    }
    seen.add(folded);
    out.push(stored);
  }
  if (out.length > MAX_FLAGS) throw new MailError('invalid', `a message may have at most ${MAX_FLAGS} flags`);
  return out;
}
