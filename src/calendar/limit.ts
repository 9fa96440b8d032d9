/**
 * CALDAV:limit-recurrence-set (RFC 4791 §9.6.6) and limit-freebusy-set (§9.6.7): the object with
 * only the overridden instances that meet a range (the master and its RRULE stay, so the client
 * still expands the rest), and only the FREEBUSY periods that overlap one.
 */
import ICAL from 'ical.js';
import type { CalendarObject } from './calendar-object.ts';
import { epochMs } from './floating.ts';
import { overlaps, timingOf, type TimeRange } from './instances.ts';

export interface Limits {
  recurrence: TimeRange | null;
  freebusy: TimeRange | null;
}

export function limitObject(object: CalendarObject, limits: Limits): string {
  const root = (object.master ?? object.overrides[0])!.parent!;
  const copy = new ICAL.Component(structuredClone(root.toJSON()));
  // toJSON keeps the order of the subcomponents, so both lists pair up by position; both are
  // copied because ical.js hands out the live list that removeSubcomponent shortens.
  const originals = [...root.getAllSubcomponents()];
  [...copy.getAllSubcomponents()].forEach((component, i) => {
    const original = originals[i]!;
    if (limits.recurrence && object.overrides.includes(original) && !overrideMeets(object, original, limits.recurrence)) {
      copy.removeSubcomponent(component);
    }
    if (limits.freebusy && component.name === 'vfreebusy') limitPeriods(component, limits.freebusy);
  });
  return copy.toString();
}

/** An override meets the range when the instance it moves or the instance it becomes does. */
function overrideMeets(object: CalendarObject, override: ICAL.Component, range: TimeRange): boolean {
  if (overlaps(object.kind, timingOf(override, object.kind, object.floating), range)) return true;
  const id = override.getFirstPropertyValue('recurrence-id');
  if (!(id instanceof ICAL.Time)) return false;
  const at = epochMs(id, object.floating);
  return at >= range.start && at < range.end;
}

function limitPeriods(component: ICAL.Component, range: TimeRange): void {
  for (const property of component.getAllProperties('freebusy')) {
    const kept = property.getValues().filter((v) => v instanceof ICAL.Period && v.start.toUnixTime() * 1000 < range.end && v.getEnd().toUnixTime() * 1000 > range.start);
    if (kept.length) property.setValues(kept);
    else component.removeProperty(property);
  }
}
