/**
 * The filter of a calendar-query REPORT (RFC 4791 §9.7) and its test against one calendar object.
 * The DAV front parses the XML into this shape; an index narrows candidates by the time-range of
 * the object's component filter first, and this gives the exact answer.
 */
import ICAL from 'ical.js';
import { textMatches, type TextMatch } from '../dav/text-match.ts';
import type { CalendarObject } from './calendar-object.ts';
import { epochMs } from './floating.ts';
import { overlapsRange, type TimeRange } from './instances.ts';

export interface CompFilter {
  readonly name: string;
  readonly isNotDefined?: boolean;
  readonly timeRange?: TimeRange;
  readonly propFilters?: readonly PropFilter[];
  readonly compFilters?: readonly CompFilter[];
}

export interface PropFilter {
  readonly name: string;
  readonly isNotDefined?: boolean;
  readonly timeRange?: TimeRange;
  readonly textMatch?: TextMatch;
  readonly paramFilters?: readonly ParamFilter[];
}

export interface ParamFilter {
  readonly name: string;
  readonly isNotDefined?: boolean;
  readonly textMatch?: TextMatch;
}

/** The time-range a query puts on the object's own component, for an index to narrow by. */
export function componentTimeRange(filter: CompFilter): TimeRange | null {
  if (filter.isNotDefined) return null;
  return filter.compFilters?.find((f) => !f.isNotDefined && f.timeRange)?.timeRange ?? null;
}

/** Whether `object` satisfies a filter whose top is the VCALENDAR comp-filter. */
export function matchesQuery(object: CalendarObject, filter: CompFilter): boolean {
  if (filter.name.toUpperCase() !== 'VCALENDAR') return false;
  if (filter.isNotDefined) return false;
  const components = [object.master, ...object.overrides].filter((c): c is ICAL.Component => c !== null);
  return (filter.compFilters ?? []).every((inner) => {
    const named = inner.name.toUpperCase() === object.kind ? components : [];
    if (inner.isNotDefined) return named.length === 0;
    if (named.length === 0) return false;
    // Recurrence: the range is met by any instance; the other tests by any one stored component.
    if (inner.timeRange && !overlapsRange(object, inner.timeRange)) return false;
    return named.some((component) => componentMatches(component, { ...inner, timeRange: undefined }, object.floating));
  });
}

function componentMatches(component: ICAL.Component, filter: CompFilter, floating: ICAL.Timezone | undefined): boolean {
  if (filter.timeRange && !componentHasTimeIn(component, filter.timeRange, floating)) return false;
  const propsMatch = (filter.propFilters ?? []).every((p) => propertyMatches(component, p, floating));
  const subsMatch = (filter.compFilters ?? []).every((inner) => {
    const subs = component.getAllSubcomponents(inner.name.toLowerCase());
    if (inner.isNotDefined) return subs.length === 0;
    return subs.some((sub) => componentMatches(sub, inner, floating));
  });
  return propsMatch && subsMatch;
}

/** Sub-components (VALARM) meet a range when one of their times falls in it; alarm triggers are not computed. */
function componentHasTimeIn(component: ICAL.Component, range: TimeRange, floating: ICAL.Timezone | undefined): boolean {
  return component.getAllProperties().some((p) => valueTimes(p, floating).some((t) => t >= range.start && t < range.end));
}

function propertyMatches(component: ICAL.Component, filter: PropFilter, floating: ICAL.Timezone | undefined): boolean {
  const properties = component.getAllProperties(filter.name.toLowerCase());
  if (filter.isNotDefined) return properties.length === 0;
  return properties.some((property) => {
    if (filter.timeRange) {
      const range = filter.timeRange;
      if (!valueTimes(property, floating).some((t) => t >= range.start && t < range.end)) return false;
    }
    if (filter.textMatch && !textMatches(propertyText(property), filter.textMatch)) return false;
    return (filter.paramFilters ?? []).every((p) => parameterMatches(property, p));
  });
}

function parameterMatches(property: ICAL.Property, filter: ParamFilter): boolean {
  const value = property.getParameter(filter.name.toLowerCase());
  if (filter.isNotDefined) return value === undefined;
  if (value === undefined) return false;
  if (!filter.textMatch) return true;
  const match = filter.textMatch;
  return (Array.isArray(value) ? value : [value]).some((v) => textMatches(String(v), match));
}

function propertyText(property: ICAL.Property): string {
  return property.getValues().map(String).join(',');
}

function valueTimes(property: ICAL.Property, floating: ICAL.Timezone | undefined): number[] {
  return property.getValues().filter((v): v is ICAL.Time => v instanceof ICAL.Time).map((t) => epochMs(t, floating));
}
