/**
 * Recurrence instances of a calendar object and the CalDAV time-range test on them (RFC 4791 §9.9).
 * Times are epoch milliseconds; floating times and dates are read in the object's `floating` zone.
 */
import ICAL from 'ical.js';
import type { CalendarObject, ComponentKind } from './calendar-object.ts';
import { anchored, epochMs } from './floating.ts';

/** A half-open range of epoch milliseconds; an absent bound is ±Infinity. */
export interface TimeRange {
  readonly start: number;
  readonly end: number;
}

/** The times of one instance that the time-range rules look at. */
export interface Timing {
  readonly start: number | null;
  readonly startIsDate: boolean;
  /** DTEND, DTSTART + DURATION, the day of an all-day DTSTART, or a VTODO's DUE. */
  readonly end: number | null;
  readonly due: boolean;
  readonly created: number | null;
  readonly completed: number | null;
}

export interface Instance {
  readonly component: ICAL.Component;
  /** The instance's original start, null for a non-recurring component. */
  readonly recurrenceId: number | null;
  readonly timing: Timing;
}

/** Beyond this many generated instances a rule is treated as unbounded: a query matches rather than spins. */
export const MAX_INSTANCES = 10_000;
const DAY_MS = 86_400_000;

/**
 * The instances of `object` that may touch `range`, overridden instances in place of the ones they
 * replace. `truncated` says the expansion stopped at MAX_INSTANCES before reaching the range's end.
 */
export function instancesNear(object: CalendarObject, range: TimeRange): { instances: Instance[]; truncated: boolean } {
  const instances: Instance[] = object.overrides.map((component) => ({
    component,
    recurrenceId: millis(component.getFirstPropertyValue('recurrence-id'), object.floating),
    timing: timingOf(component, object.kind, object.floating),
  }));
  const master = object.master;
  if (!master) return { instances, truncated: false };
  const dtstart = master.getFirstPropertyValue('dtstart');
  const masterTiming = timingOf(master, object.kind, object.floating);
  if (!(dtstart instanceof ICAL.Time) || !isRecurring(master)) {
    instances.push({ component: master, recurrenceId: null, timing: masterTiming });
    return { instances, truncated: false };
  }
  const overridden = new Set(instances.map((i) => i.recurrenceId));
  const expansion = new ICAL.RecurExpansion({ component: master, dtstart });
  for (let n = 0; n < MAX_INSTANCES; n++) {
    const next = expansion.next();
    if (!next) return { instances, truncated: false };
    const at = millis(next, object.floating)!;
    // An instance starting after the range's end cannot overlap it under any rule of §9.9.
    if (at > range.end) return { instances, truncated: false };
    if (!overridden.has(at)) instances.push({ component: master, recurrenceId: at, timing: shift(masterTiming, at) });
  }
  return { instances, truncated: true };
}

/** Whether any instance of `object` overlaps `range` (the calendar-query time-range filter on the component). */
export function overlapsRange(object: CalendarObject, range: TimeRange): boolean {
  const { instances, truncated } = instancesNear(object, range);
  return truncated || instances.some((i) => overlaps(object.kind, i.timing, range));
}

/**
 * The span an index keeps for the object: every instance lies within [start, end]; null is open.
 * A time-range query only needs to look at objects whose span meets its range.
 */
export function objectSpan(object: CalendarObject): { start: number | null; end: number | null } {
  const unbounded = object.master !== null && object.master.getAllProperties('rrule').some((p) => {
    const rule = p.getFirstValue() as ICAL.Recur;
    return !rule.count && !rule.until;
  });
  const { instances, truncated } = instancesNear(object, { start: -Infinity, end: unbounded ? -Infinity : Infinity });
  const masterStart = object.master ? timingOf(object.master, object.kind).start : null;
  const times = instances.flatMap(({ timing: t }) => [t.start, t.end, t.created, t.completed]);
  times.push(masterStart);
  const known = times.filter((t): t is number => t !== null);
  // A VTODO with no dates at all matches every range (§9.9), so its span is open on both sides.
  if (known.length === 0) return { start: null, end: null };
  // A VTODO known only by CREATED matches every range that ends after it (§9.9).
  const openEnded = instances.some(({ timing: t }) => t.start === null && t.end === null && t.completed === null && t.created !== null);
  return {
    start: known.reduce((a, b) => Math.min(a, b)),
    end: unbounded || truncated || openEnded ? null : known.reduce((a, b) => Math.max(a, b)),
  };
}

/** The time-range rules of RFC 4791 §9.9 for one instance. */
export function overlaps(kind: ComponentKind, t: Timing, range: TimeRange): boolean {
  if (kind === 'VTODO') return todoOverlaps(t, range);
  if (t.start === null) return false;
  if (t.end !== null && t.end > t.start) return range.start < t.end && range.end > t.start;
  return range.start <= t.start && range.end > t.start;
}

function todoOverlaps(t: Timing, { start, end }: TimeRange): boolean {
  if (t.start !== null && t.end !== null) {
    if (!t.due) return start <= t.end && (end > t.start || end >= t.end);
    return (start < t.end || start <= t.start) && (end > t.start || end >= t.end);
  }
  if (t.start !== null) return start <= t.start && end > t.start;
  if (t.end !== null) return start < t.end && end >= t.end;
  if (t.completed !== null && t.created !== null) {
    return (start <= t.created || start <= t.completed) && (end >= t.created || end >= t.completed);
  }
  if (t.completed !== null) return start <= t.completed && end >= t.completed;
  if (t.created !== null) return end > t.created;
  return true;
}

export function timingOf(component: ICAL.Component, kind: ComponentKind, floating?: ICAL.Timezone): Timing {
  const dtstart = component.getFirstPropertyValue('dtstart');
  const start = dtstart instanceof ICAL.Time ? anchored(dtstart, floating) : null;
  const due = kind === 'VTODO' ? millis(component.getFirstPropertyValue('due'), floating) : null;
  return {
    start: millis(start),
    startIsDate: start?.isDate ?? false,
    end: due ?? endOf(component, kind, start, floating),
    due: due !== null,
    created: kind === 'VTODO' ? millis(component.getFirstPropertyValue('created')) : null,
    completed: kind === 'VTODO' ? millis(component.getFirstPropertyValue('completed')) : null,
  };
}

function endOf(component: ICAL.Component, kind: ComponentKind, start: ICAL.Time | null, floating: ICAL.Timezone | undefined): number | null {
  if (kind !== 'VJOURNAL') {
    const dtend = millis(component.getFirstPropertyValue('dtend'), floating);
    if (dtend !== null) return dtend;
    const duration = component.getFirstPropertyValue('duration');
    if (start && duration instanceof ICAL.Duration) {
      const end = start.clone();
      end.addDuration(duration);
      return end.toUnixTime() * 1000;
    }
  }
  // An all-day start without an end lasts the day (§9.9); a VTODO's DTSTART alone is a point.
  if (start?.isDate && kind !== 'VTODO') return start.toUnixTime() * 1000 + DAY_MS;
  return null;
}

function shift(t: Timing, at: number): Timing {
  if (t.start === null) return t;
  const by = at - t.start;
  return { ...t, start: at, end: t.end === null ? null : t.end + by };
}

function isRecurring(component: ICAL.Component): boolean {
  return component.hasProperty('rrule') || component.hasProperty('rdate');
}

function millis(value: unknown, floating?: ICAL.Timezone): number | null {
  return value instanceof ICAL.Time ? epochMs(value, floating) : null;
}
