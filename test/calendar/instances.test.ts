import { describe, expect, it } from '@jest/globals';
import { parseCalendarObject } from '../../src/calendar/calendar-object.ts';
import { expandObject } from '../../src/calendar/expand.ts';
import { instancesNear, objectSpan, overlapsRange } from '../../src/calendar/instances.ts';
import { AMSTERDAM, calendar, event, utc } from './fixtures.ts';

const range = (start: string, end: string) => ({ start: utc(start), end: utc(end) });

// Weekly at 09:00–10:00 Amsterdam time from 16 March 2026; DST starts 29 March (UTC+1 → UTC+2).
// 6 April is excluded, 13 April is moved to 1 May 14:00 local.
const weekly = parseCalendarObject(calendar(
  AMSTERDAM,
  event('weekly@test', [
    'DTSTART;TZID=Europe/Amsterdam:20260316T090000', 'DTEND;TZID=Europe/Amsterdam:20260316T100000',
    'RRULE:FREQ=WEEKLY;COUNT=6', 'EXDATE;TZID=Europe/Amsterdam:20260406T090000', 'SUMMARY:Standup',
  ]),
  event('weekly@test', [
    'RECURRENCE-ID;TZID=Europe/Amsterdam:20260413T090000',
    'DTSTART;TZID=Europe/Amsterdam:20260501T140000', 'DTEND;TZID=Europe/Amsterdam:20260501T150000', 'SUMMARY:Moved standup',
  ]),
));

describe('recurrence instances', () => {
  it('expands the rule in the event time zone, across the DST change, without EXDATEs, overrides in place', () => {
    const starts = instancesNear(weekly, { start: -Infinity, end: Infinity }).instances
      .map((i) => new Date(i.timing.start!).toISOString()).sort();
    expect(starts).toEqual([
      '2026-03-16T08:00:00.000Z', '2026-03-23T08:00:00.000Z', '2026-03-30T07:00:00.000Z',
      '2026-04-20T07:00:00.000Z', '2026-05-01T12:00:00.000Z',
    ]);
  });

  it.each([
    ['the summer-time instance at its UTC hour', '2026-03-30T06:30:00Z', '2026-03-30T07:30:00Z', true],
    ['where the instance would be without the DST change', '2026-03-30T08:00:00Z', '2026-03-30T09:00:00Z', false],
    ['the excluded date', '2026-04-06T00:00:00Z', '2026-04-07T00:00:00Z', false],
    ['the date the override moved away from', '2026-04-13T00:00:00Z', '2026-04-14T00:00:00Z', false],
    ['the date the override moved to', '2026-05-01T00:00:00Z', '2026-05-02T00:00:00Z', true],
    ['a range that ends as an instance starts', '2026-03-23T07:00:00Z', '2026-03-23T08:00:00Z', false],
    ['a range that starts as an instance ends', '2026-03-23T09:00:00Z', '2026-03-23T10:00:00Z', false],
    ['after the last instance', '2026-05-02T00:00:00Z', '2027-01-01T00:00:00Z', false],
  ])('time-range on %s', (_name, start, end, expected) => {
    expect(overlapsRange(weekly, range(start, end))).toBe(expected);
  });

  it('gives the index a span from the first start to the latest end, including the moved instance', () => {
    expect(objectSpan(weekly)).toEqual({ start: utc('2026-03-16T08:00:00Z'), end: utc('2026-05-01T13:00:00Z') });
  });

  it('leaves the span of an endless rule open, and still matches far in the future', () => {
    const daily = parseCalendarObject(calendar(event('d', ['DTSTART:20260105T090000Z', 'DURATION:PT30M', 'RRULE:FREQ=DAILY'])));
    expect(objectSpan(daily)).toEqual({ start: utc('2026-01-05T09:00:00Z'), end: null });
    expect(overlapsRange(daily, range('2030-06-01T09:10:00Z', '2030-06-01T09:20:00Z'))).toBe(true);
    expect(overlapsRange(daily, range('2030-06-01T10:00:00Z', '2030-06-01T11:00:00Z'))).toBe(false);
  });

  it('treats a rule that would generate too many instances as matching rather than spinning', () => {
    const secondly = parseCalendarObject(calendar(event('s', ['DTSTART:20260105T090000Z', 'RRULE:FREQ=SECONDLY'])));
    const near = instancesNear(secondly, range('2100-01-01T00:00:00Z', '2100-01-02T00:00:00Z'));
    expect(near.truncated).toBe(true);
    expect(overlapsRange(secondly, range('2100-01-01T00:00:00Z', '2100-01-02T00:00:00Z'))).toBe(true);
  });
});

describe('time-range rules of RFC 4791 §9.9', () => {
  const one = (lines: string[], kind = 'VEVENT') => parseCalendarObject(calendar(event('x', lines, kind)));

  it('an all-day event lasts its day', () => {
    const allDay = one(['DTSTART;VALUE=DATE:20260210']);
    expect(overlapsRange(allDay, range('2026-02-10T12:00:00Z', '2026-02-10T13:00:00Z'))).toBe(true);
    expect(overlapsRange(allDay, range('2026-02-11T00:00:00Z', '2026-02-11T01:00:00Z'))).toBe(false);
    expect(overlapsRange(allDay, range('2026-02-09T23:00:00Z', '2026-02-10T00:00:00Z'))).toBe(false);
  });

  it('an event without end is an instant that a range must contain', () => {
    const instant = one(['DTSTART:20260105T090000Z']);
    expect(overlapsRange(instant, range('2026-01-05T09:00:00Z', '2026-01-05T10:00:00Z'))).toBe(true);
    expect(overlapsRange(instant, range('2026-01-05T08:00:00Z', '2026-01-05T09:00:00Z'))).toBe(false);
  });

  it('a VTODO with only DUE, only CREATED, or no dates', () => {
    const due = one(['DUE:20260301T120000Z'], 'VTODO');
    expect(overlapsRange(due, range('2026-03-01T00:00:00Z', '2026-03-01T12:00:00Z'))).toBe(true);
    expect(overlapsRange(due, range('2026-03-01T12:00:00Z', '2026-03-02T00:00:00Z'))).toBe(false);
    const created = one(['CREATED:20260301T120000Z'], 'VTODO');
    expect(overlapsRange(created, range('2031-01-01T00:00:00Z', '2031-01-02T00:00:00Z'))).toBe(true);
    expect(overlapsRange(created, range('2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z'))).toBe(false);
    expect(objectSpan(created)).toEqual({ start: utc('2026-03-01T12:00:00Z'), end: null });
    const undated = one([], 'VTODO');
    expect(overlapsRange(undated, range('1990-01-01T00:00:00Z', '1990-01-02T00:00:00Z'))).toBe(true);
    expect(objectSpan(undated)).toEqual({ start: null, end: null });
  });

  it('a VJOURNAL without DTSTART matches no range', () => {
    expect(overlapsRange(one([], 'VJOURNAL'), range('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'))).toBe(false);
  });
});

describe('expand', () => {
  it('returns each instance in the range in UTC with a RECURRENCE-ID and no rule', () => {
    const text = expandObject(weekly, range('2026-03-20T00:00:00Z', '2026-05-31T00:00:00Z'), '-//Stoa//EN');
    expect(text).not.toMatch(/RRULE|EXDATE|TZID|VTIMEZONE/);
    const ids = [...text.matchAll(/RECURRENCE-ID:(\S+)/g)].map((m) => m[1]);
    expect(ids).toEqual(['20260323T080000Z', '20260330T070000Z', '20260420T070000Z', '20260413T070000Z']);
    const starts = [...text.matchAll(/DTSTART:(\S+)/g)].map((m) => m[1]);
    expect(starts).toEqual(['20260323T080000Z', '20260330T070000Z', '20260420T070000Z', '20260501T120000Z']);
    expect(text).toContain('DTEND:20260330T080000Z');
    expect(text).toContain('SUMMARY:Moved standup');
  });
});
