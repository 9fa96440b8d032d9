import { describe, expect, it } from '@jest/globals';
import { parseCalendarObject } from '../../src/calendar/calendar-object.ts';
import { componentTimeRange, matchesQuery, type CompFilter } from '../../src/calendar/query.ts';
import type { TextMatch } from '../../src/dav/text-match.ts';
import { calendar, event, utc } from './fixtures.ts';

const contains = (text: string, negate = false): TextMatch => ({ text, collation: 'i;ascii-casemap', matchType: 'contains', negate });
const query = (...compFilters: CompFilter[]): CompFilter => ({ name: 'VCALENDAR', compFilters });

const meeting = parseCalendarObject(calendar(event('m@test', [
  'DTSTART:20260105T090000Z', 'DTEND:20260105T100000Z', 'RRULE:FREQ=DAILY;COUNT=3', 'SUMMARY:Budget review',
  'ATTENDEE;PARTSTAT=NEEDS-ACTION;CN=Bob:mailto:bob@example.com', 'CATEGORIES:Finance,Work',
  'BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER:-PT15M', 'END:VALARM',
])));
const todo = parseCalendarObject(calendar(event('t@test', ['SUMMARY:File taxes', 'STATUS:NEEDS-ACTION'], 'VTODO')));

describe('calendar-query filters', () => {
  it.each<[string, CompFilter, boolean]>([
    ['every VEVENT', query({ name: 'VEVENT' }), true],
    ['every VTODO', query({ name: 'VTODO' }), false],
    ['a VEVENT in the range of the third instance', query({ name: 'VEVENT', timeRange: { start: utc('2026-01-07T09:30:00Z'), end: utc('2026-01-07T09:45:00Z') } }), true],
    ['a VEVENT in a range after the last instance', query({ name: 'VEVENT', timeRange: { start: utc('2026-01-08T09:00:00Z'), end: utc('2026-01-08T10:00:00Z') } }), false],
    ['SUMMARY contains "budget"', query({ name: 'VEVENT', propFilters: [{ name: 'SUMMARY', textMatch: contains('budget') }] }), true],
    ['SUMMARY does not contain "budget"', query({ name: 'VEVENT', propFilters: [{ name: 'SUMMARY', textMatch: contains('budget', true) }] }), false],
    ['no LOCATION', query({ name: 'VEVENT', propFilters: [{ name: 'LOCATION', isNotDefined: true }] }), true],
    ['an ATTENDEE whose PARTSTAT is NEEDS-ACTION', query({ name: 'VEVENT', propFilters: [{ name: 'ATTENDEE', paramFilters: [{ name: 'PARTSTAT', textMatch: { ...contains('needs-action'), matchType: 'equals' } }] }] }), true],
    ['an ATTENDEE without PARTSTAT', query({ name: 'VEVENT', propFilters: [{ name: 'ATTENDEE', paramFilters: [{ name: 'PARTSTAT', isNotDefined: true }] }] }), false],
    ['a VALARM inside', query({ name: 'VEVENT', compFilters: [{ name: 'VALARM' }] }), true],
    ['no VALARM inside', query({ name: 'VEVENT', compFilters: [{ name: 'VALARM', isNotDefined: true }] }), false],
    ['a category "work"', query({ name: 'VEVENT', propFilters: [{ name: 'CATEGORIES', textMatch: contains('work') }] }), true],
    ['a DTSTART in January 2026', query({ name: 'VEVENT', propFilters: [{ name: 'DTSTART', timeRange: { start: utc('2026-01-01T00:00:00Z'), end: utc('2026-02-01T00:00:00Z') } }] }), true],
  ])('%s', (_name, filter, expected) => {
    expect(matchesQuery(meeting, filter)).toBe(expected);
  });

  it('matches VTODOs by their own filters, and none by a VEVENT filter', () => {
    expect(matchesQuery(todo, query({ name: 'VTODO', propFilters: [{ name: 'COMPLETED', isNotDefined: true }] }))).toBe(true);
    expect(matchesQuery(todo, query({ name: 'VTODO', propFilters: [{ name: 'STATUS', textMatch: contains('cancelled') }] }))).toBe(false);
    expect(matchesQuery(todo, query({ name: 'VEVENT' }))).toBe(false);
  });

  it('a filter whose top is not VCALENDAR matches nothing', () => {
    expect(matchesQuery(meeting, { name: 'VEVENT' })).toBe(false);
  });

  it('hands the component time-range to the index', () => {
    const range = { start: utc('2026-01-01T00:00:00Z'), end: utc('2026-02-01T00:00:00Z') };
    expect(componentTimeRange(query({ name: 'VEVENT', timeRange: range }))).toEqual(range);
    expect(componentTimeRange(query({ name: 'VEVENT' }))).toBeNull();
  });
});
