/**
 * Header values decoded for SEARCH (RFC 3501 SEARCH HEADER/FROM/SUBJECT/… are substring matches
 * on the decoded value), and the Date header for SENTBEFORE/SENTON/SENTSINCE.
 */
import { libmime } from './vendor.ts';

/** A pathological header (thousands of Received lines) should not bloat the search row. */
const MAX_VALUE_CHARS = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('windows-1252');

/** Raw 8-bit header bytes: UTF-8 when they are valid UTF-8 (RFC 6532), else the usual legacy guess. */
export function decodeBytes(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

/** Control characters (CR, LF, NUL, …) become spaces and runs of whitespace one space. */
export function cleanText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
}

function decodeValue(value: Buffer): string {
  // Cut before decoding: the value is capped anyway and a garbage "header" may be megabytes long.
  const raw = value.length > MAX_VALUE_CHARS * 4 ? value.subarray(0, MAX_VALUE_CHARS * 4) : value;
  const text = decodeBytes(raw);
  try {
    return cleanText(libmime.decodeWords(text));
  } catch {
    return cleanText(text); // an unknown charset in an encoded word: keep the word as written
  }
}

/** Unfolded "name: value" fields of a header block (the bytes up to the body). */
export function headerFields(block: Buffer): Array<{ name: string; value: Buffer }> {
  const fields: Array<{ name: string; value: Buffer }> = [];
  let current: Buffer[] | null = null;
  const flush = (): void => {
    if (!current) return;
    const line = Buffer.concat(current);
    current = null;
    const colon = line.indexOf(0x3a);
    if (colon <= 0) return;
    const name = line.subarray(0, colon).toString('latin1').trim().toLowerCase();
    // Field names are printable ASCII without spaces (RFC 5322 §3.6.8); anything else is garbage.
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) return;
    fields.push({ name, value: line.subarray(colon + 1) });
  };
  let pos = 0;
  while (pos < block.length) {
    let next = block.indexOf(0x0a, pos);
    next = next < 0 ? block.length : next + 1;
    let stop = next;
    while (stop > pos && (block[stop - 1] === 0x0a || block[stop - 1] === 0x0d)) stop--;
    if (stop === pos) break; // the blank line that ends the header
    const line = block.subarray(pos, stop);
    if ((line[0] === 0x20 || line[0] === 0x09) && current) current.push(Buffer.from(' '), line);
    else {
      flush();
      current = [line];
    }
    pos = next;
  }
  flush();
  return fields;
}

/** Every header of the message, decoded, by lower-cased name; repeated ones joined with '\n'. */
export function searchHeaders(block: Buffer): Record<string, string> {
  const values = new Map<string, string>();
  for (const { name, value } of headerFields(block)) {
    const decoded = decodeValue(value);
    const prev = values.get(name);
    const joined = prev === undefined ? decoded : `${prev}\n${decoded}`;
    values.set(name, joined.length > MAX_VALUE_CHARS ? joined.slice(0, MAX_VALUE_CHARS) : joined);
  }
  // fromEntries defines own properties, so even a "__proto__" header is stored as data.
  return Object.fromEntries(values);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** RFC 5322 §4.3 obsolete zones; military letters and unknown names mean -0000 (unknown). */
const ZONES: Record<string, number> = { ut: 0, gmt: 0, z: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420 };
const DATE = /^\s*(?:[a-z]+\s*,?\s*)?(\d{1,2})\s*[\s-]\s*([a-z]{3})[a-z]*\.?\s*[\s-]\s*(\d{2,4})\s+(\d{1,2})\s*:\s*(\d{1,2})(?:\s*:\s*(\d{1,2}))?\s*([+-]\d{4}|[a-z]{1,5})?/i;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * The Date header as ISO 8601 keeping its own offset ("2024-01-02T03:04:05+02:00"), so that both
 * the instant and the day as written (SENTON compares the latter) survive; null when unusable.
 */
export function parseSentDate(value: string | undefined): string | null {
  if (!value) return null;
  const m = DATE.exec(value);
  if (m) {
    const [, d, mon, y, hh, mm, ss, zone] = m;
    const month = MONTHS.indexOf((mon ?? '').toLowerCase());
    let year = Number(y);
    if ((y ?? '').length === 2) year += year < 50 ? 2000 : 1900; // RFC 5322 §4.3
    else if ((y ?? '').length === 3) year += 1900;
    let offset = 0;
    if (zone && /^[+-]\d{4}$/.test(zone)) {
      const sign = zone.startsWith('-') ? -1 : 1;
      offset = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
    } else if (zone) offset = ZONES[zone.toLowerCase()] ?? 0;
    const [day, hour, minute, second] = [Number(d), Number(hh), Number(mm), Number(ss ?? 0)];
    const check = new Date(Date.UTC(year, month, day, hour, minute, Math.min(second, 59)));
    if (month >= 0 && check.getUTCDate() === day && hour < 24 && minute < 60 && second < 61 && Math.abs(offset) < 24 * 60) {
      const sign = offset < 0 ? '-' : '+';
      const abs = Math.abs(offset);
      // A leap second (":60") is kept as :59, which sorts and compares the same for SEARCH.
      return `${pad(year, 4)}-${pad(month + 1)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(Math.min(second, 59))}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
    }
    return null; // RFC 5322 shape with impossible values ("31 Feb"): Date would roll it over
  }
  // Not RFC 5322: let Date try (ISO 8601, "Jan 2 2024", …) and keep the instant in UTC.
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
}
