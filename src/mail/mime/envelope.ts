/**
 * Repairs imap-core's ENVELOPE arrays where they would mislead a client, the way Dovecot answers:
 * an absent Subject is NIL (not ""), repeated single-value headers give their last value (as
 * imap-core already does for Subject and Message-ID), and a broken address never looks like RFC
 * 3501 group syntax, and a subject with an encoded word that cannot be decoded (unknown charset,
 * broken base64) is sent as written rather than as imap-core's lossy decoding (U+FFFD), so the
 * client can still try. Applied to the message's envelope and to those of encapsulated messages.
 */
import type { Entity } from './tree.ts';
import type { ImapValue, ParsedHeader } from './vendor-types.d.ts';

/** Dovecot's placeholders for the missing half of an address (c-client used similar ones). */
const MISSING_MAILBOX = 'MISSING_MAILBOX';
const MISSING_DOMAIN = 'MISSING_DOMAIN';
/** RFC 5322 dot-atom text: a lone word like this is a local part without a domain, not a name. */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+$/;

const isNull = (v: ImapValue | undefined): boolean => v === null || v === undefined;
const isGroupEnd = (a: ImapValue): boolean => Array.isArray(a) && a.every(isNull);

/**
 * RFC 3501 §7.4.2: a NIL host marks group syntax (start: mailbox = group name; end: all NIL). A
 * "bare@" or "localonly" address parsed to NIL host would open or close a group that does not
 * exist, so every NIL half outside real group markers gets a placeholder instead.
 */
function repairAddresses(list: ImapValue): ImapValue {
  if (!Array.isArray(list)) return list;
  let open = false;
  return list.map((a, i) => {
    if (!Array.isArray(a)) return a;
    const [name, adl, mailbox, host] = a as ImapValue[];
    if (!isNull(mailbox) && !isNull(host)) return a;
    if (isNull(host) && isNull(name)) {
      if (!open && !isNull(mailbox) && list.slice(i + 1).some(isGroupEnd)) {
        open = true;
        return a;
      }
      if (open && isNull(mailbox)) {
        open = false;
        return a;
      }
    }
    if (isNull(mailbox) && isNull(host) && name !== null && name !== undefined && LOCAL_PART.test(name.toString())) {
      return [null, adl ?? null, name, MISSING_DOMAIN];
    }
    return [name ?? null, adl ?? null, isNull(mailbox) ? MISSING_MAILBOX : mailbox!, isNull(host) ? MISSING_DOMAIN : host!];
  });
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

function knownCharset(label: string): boolean {
  try {
    new TextDecoder(label.replace(/\*.*$/, '')); // RFC 2231 language suffix: "utf-8*en"
    return true;
  } catch {
    return false;
  }
}

/** An RFC 2047 word that no decoder can read faithfully. */
export function hasUndecodableWord(text: string): boolean {
  for (const [, charset, encoding, payload] of text.matchAll(ENCODED_WORD)) {
    if (!knownCharset(charset!) || (encoding!.toUpperCase() === 'B' && !BASE64.test(payload!))) return true;
  }
  return false;
}

/** The Subject imap-core uses (the last non-empty one), unfolded, as written. */
function rawSubject(parsedHeader: ParsedHeader): string | undefined {
  const v = parsedHeader.subject;
  const values = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x.trim() !== '');
  return values.pop()?.replace(/\s*\r?\n\s*/g, ' ').trim();
}

/** The last value of a header imap-core kept as an array (Date repeated). */
function last(v: ImapValue | undefined): ImapValue {
  return Array.isArray(v) ? (v[v.length - 1] ?? null) : (v ?? null);
}

export function repairEnvelope(env: ImapValue[], parsedHeader: ParsedHeader): ImapValue[] {
  const out = [...env];
  for (const i of [0, 8, 9]) out[i] = last(out[i]);
  const subject = rawSubject(parsedHeader);
  if (parsedHeader.subject === undefined) out[1] = null;
  else if (subject !== undefined && hasUndecodableWord(subject)) out[1] = Buffer.from(subject, 'latin1');
  for (let i = 2; i <= 7; i++) out[i] = repairAddresses(out[i] ?? null);
  return out;
}

/** The same for every encapsulated message: its envelope is item 7 of its part's BODYSTRUCTURE. */
export function repairNestedEnvelopes(entity: Entity, structure: ImapValue): void {
  if (!Array.isArray(structure)) return;
  if (entity.children) {
    entity.children.forEach((child, i) => repairNestedEnvelopes(child, structure[i] ?? null));
  } else if (entity.message) {
    const env = structure[7];
    if (Array.isArray(env)) structure[7] = repairEnvelope(env, entity.message.parsedHeader);
    repairNestedEnvelopes(entity.message, structure[8] ?? null);
  }
}
