/**
 * INTERNALDATE as the store keeps it: ISO 8601 with the zone offset the client gave, because
 * SEARCH BEFORE/ON/SINCE compare the day as written (store/ports/mail-text.ts).
 */
import { MailError } from './errors.ts';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** RFC 3501 date-time: `17-Jul-1996 02:44:25 -0700` (the day may be space-padded). */
const IMAP_DATE_TIME = /^\s?(\d{1,2})-([a-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Now, a Date, an IMAP date-time or an ISO 8601 timestamp → the stored form; MailError 'invalid'. */
export function internalDateOf(value: Date | string | undefined): string {
  if (value === undefined) return new Date().toISOString();
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new MailError('invalid', 'internal date is not a date');
    return value.toISOString();
  }
  const imap = IMAP_DATE_TIME.exec(value);
  if (imap) {
    const [, day = '', mon = '', year, hh, mm, ss, sign, oh, om] = imap;
    const month = MONTHS.indexOf(mon.toLowerCase()) + 1;
    const iso = `${year}-${String(month).padStart(2, '0')}-${day.padStart(2, '0')}T${hh}:${mm}:${ss}${sign}${oh}:${om}`;
    if (month > 0 && valid(iso, Number(day), month)) return iso;
  } else if (ISO.test(value) && valid(value)) {
    return value;
  }
  throw new MailError('invalid', 'internal date is not an IMAP date-time or ISO 8601 timestamp');
}

/** Parses, and (when given) the day and month survived: Date.parse would roll 31-Feb into March. */
function valid(iso: string, day?: number, month?: number): boolean {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return false;
  if (day === undefined || month === undefined) return true;
  const local = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  const probe = new Date(Date.UTC(Number(local?.[1]), month - 1, day));
  return probe.getUTCDate() === day && probe.getUTCMonth() === month - 1;
}
