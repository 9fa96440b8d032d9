import { describe, expect, it } from '@jest/globals';
import { CalendarDataError, parseCalendarObject } from '../../src/calendar/calendar-object.ts';
import { timezoneOf, widened } from '../../src/calendar/floating.ts';
import { instancesNear, overlapsRange } from '../../src/calendar/instances.ts';
import { matchesQuery } from '../../src/calendar/query.ts';
import { AMSTERDAM, calendar, event, utc } from './fixtures.ts';

const amsterdam = timezoneOf(calendar(AMSTERDAM));
const range = (start: string, end: string) => ({ start: utc(start), end: utc(end) });

// Floating 09:00–10:00 daily from 27 March 2026 (DST starts the 29th), the 28th excluded, the 30th moved to 18:00.
const floating = parseCalendarObject(calendar(
  event('f@test', ['DTSTART:20260327T090000', 'DTEND:20260327T100000', 'RRULE:FREQ=DAILY;COUNT=4', 'EXDATE:20260328T090000']),
  event('f@test', ['RECURRENCE-ID:20260330T090000', 'DTSTART:20260330T180000', 'DTEND:20260330T190000']),
));

describe('floating times', () => {
  it('are read as wall-clock times in the given zone, EXDATE and overrides included', () => {
    const starts = instancesNear({ ...floating, floating: amsterdam }, { start: -Infinity, end: Infinity }).instances
      .map((i) => new Date(i.timing.start!).toISOString()).sort();
    expect(starts).toEqual(['2026-03-27T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T16:00:00.000Z']);
  });

  it('count as UTC without a zone', () => {
    expect(overlapsRange(floating, range('2026-03-27T09:30:00Z', '2026-03-27T09:45:00Z'))).toBe(true);
    expect(overlapsRange({ ...floating, floating: amsterdam }, range('2026-03-27T09:30:00Z', '2026-03-27T09:45:00Z'))).toBe(false);
  });

  it('meet a calendar-query time-range and a prop-filter time-range in the zone', () => {
    const early = range('2026-03-27T08:00:00Z', '2026-03-27T08:30:00Z');
    const byComponent = { name: 'VCALENDAR', compFilters: [{ name: 'VEVENT', timeRange: early }] };
    const byProperty = { name: 'VCALENDAR', compFilters: [{ name: 'VEVENT', propFilters: [{ name: 'DTSTART', timeRange: early }] }] };
    expect(matchesQuery({ ...floating, floating: amsterdam }, byComponent)).toBe(true);
    expect(matchesQuery(floating, byComponent)).toBe(false);
    expect(matchesQuery({ ...floating, floating: amsterdam }, byProperty)).toBe(true);
  });

  it('an all-day date starts at midnight in the zone', () => {
    const day = parseCalendarObject(calendar(event('d@test', ['DTSTART;VALUE=DATE:20260105'])));
    const [instance] = instancesNear({ ...day, floating: amsterdam }, { start: -Infinity, end: Infinity }).instances;
    expect(new Date(instance!.timing.start!).toISOString()).toBe('2026-01-04T23:00:00.000Z');
  });

  it('widen an index range by the largest UTC offsets', () => {
    expect(widened(range('2026-03-27T00:00:00Z', '2026-03-28T00:00:00Z'))).toEqual(range('2026-03-26T10:00:00Z', '2026-03-28T14:00:00Z'));
  });

  it('need a VCALENDAR with a VTIMEZONE as the zone', () => {
    expect(() => timezoneOf('nonsense')).toThrow(CalendarDataError);
    expect(() => timezoneOf(calendar(event('x@test', ['DTSTART:20260101T000000Z'])))).toThrow(CalendarDataError);
  });
});
