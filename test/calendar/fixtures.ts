/** iCalendar text builders for the calendar tests: CRLF lines, one VCALENDAR. */
export function calendar(...components: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Stoa tests//EN', ...components, 'END:VCALENDAR', ''].join('\r\n');
}

export function event(uid: string, lines: string[], kind = 'VEVENT'): string {
  return [`BEGIN:${kind}`, `UID:${uid}`, 'DTSTAMP:20260101T000000Z', ...lines, `END:${kind}`].join('\r\n');
}

/** Europe/Amsterdam as clients send it: CET/CEST with the EU DST rules. */
export const AMSTERDAM = [
  'BEGIN:VTIMEZONE', 'TZID:Europe/Amsterdam',
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'TZNAME:CEST', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'TZNAME:CET', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
  'END:VTIMEZONE',
].join('\r\n');

export const utc = (iso: string): number => Date.parse(iso);
