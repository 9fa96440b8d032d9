import { describe, expect, it } from '@jest/globals';
import ICAL from 'ical.js';
import { parseCalendarObject } from '../../src/calendar/calendar-object.ts';
import { limitObject } from '../../src/calendar/limit.ts';
import { AMSTERDAM, calendar, event, utc } from './fixtures.ts';

const range = (start: string, end: string) => ({ start: utc(start), end: utc(end) });

// Daily 09:00 Amsterdam time; the 17th moved to the 25th, the 20th moved an hour later.
const daily = parseCalendarObject(calendar(
  AMSTERDAM,
  event('d@test', ['DTSTART;TZID=Europe/Amsterdam:20260316T090000', 'DTEND;TZID=Europe/Amsterdam:20260316T100000', 'RRULE:FREQ=DAILY;COUNT=10']),
  event('d@test', ['RECURRENCE-ID;TZID=Europe/Amsterdam:20260317T090000', 'DTSTART;TZID=Europe/Amsterdam:20260325T090000', 'DTEND;TZID=Europe/Amsterdam:20260325T100000']),
  event('d@test', ['RECURRENCE-ID;TZID=Europe/Amsterdam:20260320T090000', 'DTSTART;TZID=Europe/Amsterdam:20260320T100000', 'DTEND;TZID=Europe/Amsterdam:20260320T110000']),
));

const components = (text: string) => new ICAL.Component(ICAL.parse(text) as unknown[]).getAllSubcomponents()
  .map((c) => `${c.name}${c.hasProperty('recurrence-id') ? ` ${String(c.getFirstPropertyValue('recurrence-id'))}` : ''}${c.hasProperty('rrule') ? ' rrule' : ''}`);

describe('limit-recurrence-set', () => {
  it('keeps the master with its rule and the timezone, and only the overrides that meet the range', () => {
    expect(components(limitObject(daily, { recurrence: range('2026-03-19T00:00:00Z', '2026-03-21T00:00:00Z'), freebusy: null }))).toEqual([
      'vtimezone', 'vevent rrule', 'vevent 2026-03-20T09:00:00',
    ]);
  });

  it('keeps an override for the instance it moved away from and for where it went', () => {
    const kept = (start: string, end: string) => components(limitObject(daily, { recurrence: range(start, end), freebusy: null }));
    expect(kept('2026-03-17T00:00:00Z', '2026-03-18T00:00:00Z')).toContain('vevent 2026-03-17T09:00:00');
    expect(kept('2026-03-25T00:00:00Z', '2026-03-26T00:00:00Z')).toEqual(['vtimezone', 'vevent rrule', 'vevent 2026-03-17T09:00:00']);
    expect(kept('2026-04-01T00:00:00Z', '2026-04-02T00:00:00Z')).toEqual(['vtimezone', 'vevent rrule']);
  });
});

describe('limit-freebusy-set', () => {
  it('keeps only the FREEBUSY periods that overlap the range', () => {
    const object = parseCalendarObject(calendar(event('fb@test', [
      'DTSTART:20260316T000000Z', 'DTEND:20260330T000000Z',
      'FREEBUSY:20260316T080000Z/PT1H,20260317T080000Z/PT1H',
      'FREEBUSY;FBTYPE=BUSY-TENTATIVE:20260325T080000Z/PT1H',
    ], 'VFREEBUSY')));
    const text = limitObject(object, { recurrence: null, freebusy: range('2026-03-17T08:30:00Z', '2026-03-20T00:00:00Z') });
    const freebusy = new ICAL.Component(ICAL.parse(text) as unknown[]).getFirstSubcomponent('vfreebusy')!.getAllProperties('freebusy');
    expect(freebusy.map((p) => p.getValues().map(String))).toEqual([['2026-03-17T08:00:00Z/PT1H']]);
  });
});
