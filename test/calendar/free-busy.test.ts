import { describe, expect, it } from '@jest/globals';
import { parseCalendarObject } from '../../src/calendar/calendar-object.ts';
import { busyPeriods, freeBusyCalendar, mergePeriods, type BusyPeriod } from '../../src/calendar/free-busy.ts';
import { timezoneOf } from '../../src/calendar/floating.ts';
import { AMSTERDAM, calendar, event, utc } from './fixtures.ts';

const week = { start: utc('2026-03-16T00:00:00Z'), end: utc('2026-03-23T00:00:00Z') };
const iso = (periods: BusyPeriod[]) => periods.map((p) => `${p.type} ${new Date(p.start).toISOString()}/${new Date(p.end).toISOString()}`);
const busy = (...lines: string[]) => busyPeriods(parseCalendarObject(calendar(AMSTERDAM, event('e@test', lines))), week);

describe('busy periods', () => {
  it('expands a daily event in its zone, moved instances where they went, cancelled ones left out', () => {
    const object = parseCalendarObject(calendar(
      AMSTERDAM,
      event('d@test', ['DTSTART;TZID=Europe/Amsterdam:20260316T090000', 'DTEND;TZID=Europe/Amsterdam:20260316T100000', 'RRULE:FREQ=DAILY;COUNT=4']),
      event('d@test', ['RECURRENCE-ID;TZID=Europe/Amsterdam:20260317T090000', 'DTSTART;TZID=Europe/Amsterdam:20260317T150000', 'DTEND;TZID=Europe/Amsterdam:20260317T160000', 'STATUS:TENTATIVE']),
      event('d@test', ['RECURRENCE-ID;TZID=Europe/Amsterdam:20260318T090000', 'DTSTART;TZID=Europe/Amsterdam:20260318T090000', 'DTEND;TZID=Europe/Amsterdam:20260318T100000', 'STATUS:CANCELLED']),
    ));
    expect(iso(mergePeriods(busyPeriods(object, week)))).toEqual([
      'BUSY 2026-03-16T08:00:00.000Z/2026-03-16T09:00:00.000Z',
      'BUSY-TENTATIVE 2026-03-17T14:00:00.000Z/2026-03-17T15:00:00.000Z',
      'BUSY 2026-03-19T08:00:00.000Z/2026-03-19T09:00:00.000Z',
    ]);
  });

  it('leaves out transparent and cancelled events and those without a duration', () => {
    const at = ['DTSTART:20260317T090000Z', 'DTEND:20260317T100000Z'];
    expect(busy(...at, 'TRANSP:TRANSPARENT')).toEqual([]);
    expect(busy(...at, 'STATUS:CANCELLED')).toEqual([]);
    expect(busy('DTSTART:20260317T090000Z')).toEqual([]);
    expect(iso(busy(...at, 'STATUS:CONFIRMED', 'TRANSP:OPAQUE'))).toEqual(['BUSY 2026-03-17T09:00:00.000Z/2026-03-17T10:00:00.000Z']);
  });

  it('counts an all-day event as its day and clips what reaches past the range', () => {
    expect(iso(busy('DTSTART;VALUE=DATE:20260316'))).toEqual(['BUSY 2026-03-16T00:00:00.000Z/2026-03-17T00:00:00.000Z']);
    expect(iso(busy('DTSTART:20260322T200000Z', 'DTEND:20260323T020000Z'))).toEqual(['BUSY 2026-03-22T20:00:00.000Z/2026-03-23T00:00:00.000Z']);
  });

  it('reads floating times in the zone it is given', () => {
    const object = parseCalendarObject(calendar(event('f@test', ['DTSTART:20260317T090000', 'DTEND:20260317T100000'])));
    expect(iso(busyPeriods({ ...object, floating: timezoneOf(calendar(AMSTERDAM)) }, week))).toEqual(['BUSY 2026-03-17T08:00:00.000Z/2026-03-17T09:00:00.000Z']);
    expect(iso(busyPeriods(object, week))).toEqual(['BUSY 2026-03-17T09:00:00.000Z/2026-03-17T10:00:00.000Z']);
  });

  it('takes the busy periods of a stored VFREEBUSY, by type, and skips FREE ones', () => {
    const object = parseCalendarObject(calendar(event('fb@test', [
      'DTSTART:20260316T000000Z', 'DTEND:20260323T000000Z',
      'FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260316T080000Z/PT2H,20260330T080000Z/PT2H',
      'FREEBUSY;FBTYPE=FREE:20260317T080000Z/PT2H',
      'FREEBUSY:20260318T080000Z/20260318T090000Z',
      'FREEBUSY;FBTYPE=X-OUT-OF-OFFICE:20260319T080000Z/PT1H',
    ], 'VFREEBUSY')));
    expect(iso(busyPeriods(object, week))).toEqual([
      'BUSY-UNAVAILABLE 2026-03-16T08:00:00.000Z/2026-03-16T10:00:00.000Z',
      'BUSY 2026-03-18T08:00:00.000Z/2026-03-18T09:00:00.000Z',
      'BUSY 2026-03-19T08:00:00.000Z/2026-03-19T09:00:00.000Z',
    ]);
  });
});

describe('the VFREEBUSY answer', () => {
  it('merges overlapping and touching periods of one type, sorted by start, in UTC', () => {
    const p = (start: string, end: string, type: BusyPeriod['type'] = 'BUSY'): BusyPeriod => ({ start: utc(start), end: utc(end), type });
    const text = freeBusyCalendar([
      p('2026-03-17T10:00:00Z', '2026-03-17T11:00:00Z'),
      p('2026-03-16T08:00:00Z', '2026-03-16T09:00:00Z'),
      p('2026-03-16T08:30:00Z', '2026-03-16T09:30:00Z'),
      p('2026-03-16T09:30:00Z', '2026-03-16T10:00:00Z'),
      p('2026-03-16T09:00:00Z', '2026-03-16T12:00:00Z', 'BUSY-TENTATIVE'),
    ], week, '-//test//EN', utc('2026-03-01T00:00:00Z'));
    expect(text.split('\r\n')).toEqual([
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VFREEBUSY', 'DTSTAMP:20260301T000000Z',
      'DTSTART:20260316T000000Z', 'DTEND:20260323T000000Z',
      'FREEBUSY;FBTYPE=BUSY:20260316T080000Z/20260316T100000Z',
      'FREEBUSY;FBTYPE=BUSY-TENTATIVE:20260316T090000Z/20260316T120000Z',
      'FREEBUSY;FBTYPE=BUSY:20260317T100000Z/20260317T110000Z',
      'END:VFREEBUSY', 'END:VCALENDAR', '',
    ]);
  });
});
