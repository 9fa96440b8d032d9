/**
 * The busy time of calendar objects in a range (RFC 4791 §7.10) and the VFREEBUSY that reports it.
 * Events count unless transparent or cancelled (tentative ones as BUSY-TENTATIVE), recurrences
 * expanded with their overrides; stored VFREEBUSY components give their FREEBUSY periods.
 */
import ICAL from 'ical.js';
import type { CalendarObject } from './calendar-object.ts';
import { instancesNear, overlaps, type TimeRange } from './instances.ts';

export type BusyType = 'BUSY' | 'BUSY-TENTATIVE' | 'BUSY-UNAVAILABLE';

export interface BusyPeriod {
  start: number;
  end: number;
  type: BusyType;
}

const BUSY_TYPES: readonly string[] = ['BUSY', 'BUSY-TENTATIVE', 'BUSY-UNAVAILABLE'];

/** The busy periods `object` puts in `range`, clipped to it. */
export function busyPeriods(object: CalendarObject, range: TimeRange): BusyPeriod[] {
  if (object.kind === 'VFREEBUSY') {
    const components = [object.master, ...object.overrides].filter((c): c is ICAL.Component => c !== null);
    return clipped(components.flatMap(freeBusyPeriods), range);
  }
  if (object.kind !== 'VEVENT') return [];
  const periods = instancesNear(object, range).instances.flatMap(({ component, timing }): BusyPeriod[] => {
    const type = eventBusyType(component);
    if (!type || timing.start === null || timing.end === null || !overlaps('VEVENT', timing, range)) return [];
    return [{ start: timing.start, end: timing.end, type }];
  });
  return clipped(periods, range);
}

/** Periods of one type that overlap or touch made one, all sorted by start (then type). */
export function mergePeriods(periods: readonly BusyPeriod[]): BusyPeriod[] {
  const sorted = [...periods].sort((a, b) => a.type.localeCompare(b.type) || a.start - b.start);
  const merged: BusyPeriod[] = [];
  for (const period of sorted) {
    const last = merged[merged.length - 1];
    if (last && last.type === period.type && period.start <= last.end) last.end = Math.max(last.end, period.end);
    else merged.push({ ...period });
  }
  return merged.sort((a, b) => a.start - b.start || a.type.localeCompare(b.type));
}

/** A VCALENDAR with one VFREEBUSY for `range` listing `periods` (merged, in UTC). */
export function freeBusyCalendar(periods: readonly BusyPeriod[], range: TimeRange, prodId: string, now = Date.now()): string {
  const lines = [
    'BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${prodId}`, 'BEGIN:VFREEBUSY',
    `DTSTAMP:${utcText(now)}`, `DTSTART:${utcText(range.start)}`, `DTEND:${utcText(range.end)}`,
    ...mergePeriods(periods).map((p) => `FREEBUSY;FBTYPE=${p.type}:${utcText(p.start)}/${utcText(p.end)}`),
    'END:VFREEBUSY', 'END:VCALENDAR',
  ];
  return `${lines.join('\r\n')}\r\n`;
}

function eventBusyType(event: ICAL.Component): BusyType | null {
  if (String(event.getFirstPropertyValue('transp') ?? '').toUpperCase() === 'TRANSPARENT') return null;
  const status = String(event.getFirstPropertyValue('status') ?? '').toUpperCase();
  if (status === 'CANCELLED') return null;
  return status === 'TENTATIVE' ? 'BUSY-TENTATIVE' : 'BUSY';
}

function freeBusyPeriods(component: ICAL.Component): BusyPeriod[] {
  return component.getAllProperties('freebusy').flatMap((property) => {
    const fbtype = String(property.getParameter('fbtype') ?? 'BUSY').toUpperCase();
    if (fbtype === 'FREE') return [];
    // RFC 5545 §3.2.9: an unknown busy type counts as BUSY.
    const type = (BUSY_TYPES.includes(fbtype) ? fbtype : 'BUSY') as BusyType;
    return property.getValues().filter((v): v is ICAL.Period => v instanceof ICAL.Period).map((period) => ({
      start: period.start.toUnixTime() * 1000, end: period.getEnd().toUnixTime() * 1000, type,
    }));
  });
}

function clipped(periods: BusyPeriod[], range: TimeRange): BusyPeriod[] {
  return periods
    .map((p) => ({ ...p, start: Math.max(p.start, range.start), end: Math.min(p.end, range.end) }))
    .filter((p) => p.end > p.start);
}

function utcText(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
