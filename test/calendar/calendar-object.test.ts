import { describe, expect, it } from '@jest/globals';
import { CalendarDataError, parseCalendarObject } from '../../src/calendar/calendar-object.ts';
import { calendar, event } from './fixtures.ts';

function refusal(text: string, supported?: Parameters<typeof parseCalendarObject>[1]): string {
  try {
    parseCalendarObject(text, supported);
  } catch (err) {
    if (err instanceof CalendarDataError) return err.precondition;
    throw err;
  }
  throw new Error('accepted');
}

describe('parseCalendarObject', () => {
  it('finds the UID, the kind, the master and the overridden instances', () => {
    const object = parseCalendarObject(calendar(
      event('a@x', ['DTSTART:20260105T090000Z', 'DTEND:20260105T100000Z', 'RRULE:FREQ=DAILY;COUNT=5']),
      event('a@x', ['RECURRENCE-ID:20260107T090000Z', 'DTSTART:20260107T150000Z', 'DTEND:20260107T160000Z']),
    ));
    expect(object.uid).toBe('a@x');
    expect(object.kind).toBe('VEVENT');
    expect(object.master?.getFirstPropertyValue('rrule')).toBeTruthy();
    expect(object.overrides).toHaveLength(1);
  });

  it('accepts a resource holding only overridden instances (an invitation to one occurrence)', () => {
    const object = parseCalendarObject(calendar(event('a@x', ['RECURRENCE-ID:20260107T090000Z', 'DTSTART:20260107T150000Z'])));
    expect(object.master).toBeNull();
    expect(object.overrides).toHaveLength(1);
  });

  it.each([
    ['text that is not iCalendar', 'hello', 'valid-calendar-data'],
    ['two VCALENDARs', calendar(event('a', ['DTSTART:20260105T090000Z'])) + calendar(event('b', ['DTSTART:20260105T090000Z'])), 'valid-calendar-data'],
    ['a VCARD', 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\nEND:VCARD\r\n', 'valid-calendar-data'],
    ['an empty VCALENDAR', calendar(), 'valid-calendar-data'],
    ['METHOD', calendar(event('a', ['DTSTART:20260105T090000Z'])).replace('VERSION:2.0', 'VERSION:2.0\r\nMETHOD:REQUEST'), 'valid-calendar-object-resource'],
    ['two UIDs', calendar(event('a', ['DTSTART:20260105T090000Z']), event('b', ['DTSTART:20260105T090000Z'])), 'valid-calendar-object-resource'],
    ['a component without UID', calendar('BEGIN:VEVENT\r\nDTSTART:20260105T090000Z\r\nEND:VEVENT'), 'valid-calendar-object-resource'],
    ['two masters', calendar(event('a', ['DTSTART:20260105T090000Z']), event('a', ['DTSTART:20260106T090000Z'])), 'valid-calendar-object-resource'],
    ['one RECURRENCE-ID twice', calendar(event('a', ['RECURRENCE-ID:20260107T090000Z']), event('a', ['RECURRENCE-ID:20260107T090000Z'])), 'valid-calendar-object-resource'],
    ['a VEVENT and a VTODO', calendar(event('a', ['DTSTART:20260105T090000Z']), 'BEGIN:VTODO\r\nUID:a\r\nEND:VTODO'), 'valid-calendar-object-resource'],
    ['an unknown component', calendar('BEGIN:VAVAILABILITY\r\nUID:a\r\nEND:VAVAILABILITY'), 'supported-calendar-component'],
    ['a bad date', calendar(event('a', ['DTSTART:2026-13-45'])), 'valid-calendar-data'],
    ['DTEND and DURATION together', calendar(event('a', ['DTSTART:20260105T090000Z', 'DTEND:20260105T100000Z', 'DURATION:PT1H'])), 'valid-calendar-data'],
  ])('refuses %s', (_name, text, precondition) => {
    expect(refusal(text)).toBe(precondition);
  });

  it('refuses a component type the calendar does not accept', () => {
    expect(refusal(calendar('BEGIN:VTODO\r\nUID:t\r\nEND:VTODO'), ['VEVENT'])).toBe('supported-calendar-component');
  });
});
