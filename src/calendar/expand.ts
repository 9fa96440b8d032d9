/**
 * CALDAV:expand (RFC 4791 §9.6.5): the instances of an object within a range, each as its own
 * component in UTC with a RECURRENCE-ID and without recurrence rules, so a client that cannot
 * expand rules itself still sees every occurrence.
 */
import ICAL from 'ical.js';
import type { CalendarObject } from './calendar-object.ts';
import { anchored } from './floating.ts';
import { instancesNear, overlaps, type Instance, type TimeRange } from './instances.ts';

const RECURRENCE_PROPERTIES = ['rrule', 'rdate', 'exdate', 'exrule'];

export function expandObject(object: CalendarObject, range: TimeRange, prodId: string): string {
  const calendar = new ICAL.Component('vcalendar');
  calendar.addPropertyWithValue('version', '2.0');
  calendar.addPropertyWithValue('prodid', prodId);
  const { instances } = instancesNear(object, range);
  const matching = instances.filter((i) => overlaps(object.kind, i.timing, range));
  matching.sort((a, b) => (a.timing.start ?? 0) - (b.timing.start ?? 0));
  for (const instance of matching) calendar.addSubcomponent(instanceComponent(instance, object.floating));
  return calendar.toString();
}

function instanceComponent({ component, recurrenceId, timing }: Instance, floating: ICAL.Timezone | undefined): ICAL.Component {
  const copy = new ICAL.Component(structuredClone(component.toJSON()));
  for (const name of RECURRENCE_PROPERTIES) copy.removeAllProperties(name);
  for (const name of ['dtstart', 'dtend', 'due', 'recurrence-id']) {
    // Read from the original: only inside its VCALENDAR do the TZIDs resolve to their VTIMEZONEs.
    const value = component.getFirstPropertyValue(name);
    if (value instanceof ICAL.Time) setTime(copy, name, utc(anchored(value, floating)));
  }
  if (recurrenceId !== null && timing.start !== null && !component.hasProperty('recurrence-id')) {
    const original = copy.getFirstPropertyValue('dtstart') as ICAL.Time;
    setTime(copy, 'recurrence-id', at(recurrenceId, original.isDate));
    setTime(copy, 'dtstart', at(timing.start, original.isDate));
    if (copy.hasProperty('dtend') && timing.end !== null) setTime(copy, 'dtend', at(timing.end, original.isDate));
  }
  return copy;
}

function setTime(component: ICAL.Component, name: string, value: ICAL.Time): void {
  component.removeAllProperties(name);
  component.addPropertyWithValue(name, value);
}

function utc(time: ICAL.Time): ICAL.Time {
  return time.isDate ? time : time.convertToZone(ICAL.Timezone.utcTimezone);
}

function at(ms: number, isDate: boolean): ICAL.Time {
  const time = ICAL.Time.fromJSDate(new Date(ms), true);
  if (isDate) time.isDate = true;
  return time;
}
