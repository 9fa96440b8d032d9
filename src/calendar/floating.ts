/**
 * Floating date-times (no TZID, no Z) and dates name a wall-clock time, not an instant: a
 * time-range query reads them in the calendar's timezone or the one the query gives (RFC 4791
 * §9.8, §9.9), in UTC when there is neither.
 */
import ICAL from 'ical.js';
import { CalendarDataError } from './calendar-object.ts';
import type { TimeRange } from './instances.ts';

/**
 * How far a wall-clock time can lie from the same digits read as UTC (UTC-12 to UTC+14). The index
 * keeps floating times as UTC, so a range widened by this finds every floating object it may meet.
 */
const FLOATING_SLACK_MS = 14 * 3_600_000;

export function widened(range: TimeRange): TimeRange {
  return { start: range.start - FLOATING_SLACK_MS, end: range.end + FLOATING_SLACK_MS };
}

/** The zone of a VCALENDAR holding one VTIMEZONE (CALDAV:calendar-timezone, CALDAV:timezone). */
export function timezoneOf(vcalendar: string): ICAL.Timezone {
  let vtimezone: ICAL.Component | null;
  try {
    vtimezone = new ICAL.Component(ICAL.parse(vcalendar) as unknown[]).getFirstSubcomponent('vtimezone');
  } catch (err) {
    throw new CalendarDataError('valid-calendar-data', `timezone is not iCalendar: ${(err as Error).message}`);
  }
  if (!vtimezone?.getFirstPropertyValue('tzid')) throw new CalendarDataError('valid-calendar-data', 'timezone needs a VCALENDAR with one VTIMEZONE');
  return new ICAL.Timezone(vtimezone);
}

/** The instant of `time` in epoch ms, a floating one read in `zone`. */
export function epochMs(time: ICAL.Time, zone: ICAL.Timezone | undefined): number {
  return anchored(time, zone).toUnixTime() * 1000;
}

/** `time` itself, or when it floats the same wall-clock time in `zone`. */
export function anchored(time: ICAL.Time, zone: ICAL.Timezone | undefined): ICAL.Time {
  if (!zone || time.zone !== ICAL.Timezone.localTimezone) return time;
  const { year, month, day, hour, minute, second, isDate } = time;
  return new ICAL.Time({ year, month, day, hour, minute, second, isDate }, zone);
}
