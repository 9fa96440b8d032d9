import type { TimeRange } from '../calendar/instances.ts';
import type { CompFilter, ParamFilter, PropFilter } from '../calendar/query.ts';
import type { CardFilter, CardParamFilter, CardPropFilter, FilterTest } from '../contacts/query.ts';
import { isCollation, isMatchType, type Collation, type TextMatch } from './text-match.ts';
import { childElements, textOf, type XmlElement } from '../xml/parse.ts';
import { DavError } from './errors.ts';
import { CALDAV_NS, CARDDAV_NS } from './groupware-space.ts';

/**
 * The XML of calendar-query (RFC 4791 §9.7) and addressbook-query (RFC 6352 §10.5) filters into
 * the filter models of src/calendar and src/contacts. Unknown collations are the client's error
 * with the protocol's precondition.
 */

function attribute(e: XmlElement, name: string): string | undefined {
  return e.attributes.find((a) => a.name === name && !a.ns)?.value;
}

/** `20060104T000000Z` (RFC 4791 §9.9: UTC date-time). */
export function parseUtc(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value.trim());
  if (!m) throw new DavError(400, null, `bad date-time ${value}`);
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const time = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 20270230 over to March 2nd: a date that does not exist is the client's error, not another date.
  const back = new Date(time);
  if (back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day || hour > 23 || minute > 59 || second > 60) throw new DavError(400, null, `bad date-time ${value}`);
  return time;
}

/**
 * CALDAV:expand, limit-recurrence-set and limit-freebusy-set (RFC 4791 §9.6.5–7): both bounds are
 * required, unlike a filter's time-range, and the range must not be empty.
 */
export function boundedRangeOf(e: XmlElement): TimeRange {
  const start = attribute(e, 'start');
  const end = attribute(e, 'end');
  if (start === undefined || end === undefined) throw new DavError(400, null, `${e.name} needs start and end`);
  const range = { start: parseUtc(start, -Infinity), end: parseUtc(end, Infinity) };
  if (range.end <= range.start) throw new DavError(400, null, `${e.name} needs a start before its end`);
  return range;
}

export function timeRangeOf(e: XmlElement): TimeRange {
  const range = { start: parseUtc(attribute(e, 'start'), -Infinity), end: parseUtc(attribute(e, 'end'), Infinity) };
  if (range.start === -Infinity && range.end === Infinity) throw new DavError(400, null, 'a time-range needs start or end');
  return range;
}

function textMatchOf(e: XmlElement, ns: string, defaultCollation: Collation): TextMatch {
  const collation = attribute(e, 'collation') ?? defaultCollation;
  if (!isCollation(collation)) throw new DavError(403, `{${ns}}supported-collation`, `unsupported collation ${collation}`);
  const matchType = attribute(e, 'match-type') ?? 'contains';
  if (!isMatchType(matchType)) throw new DavError(400, null, `bad match-type ${matchType}`);
  return { text: textOf(e), collation, matchType, negate: attribute(e, 'negate-condition') === 'yes' };
}

const one = (e: XmlElement, ns: string, name: string) => childElements(e, ns, name)[0];
const named = (e: XmlElement) => {
  const name = attribute(e, 'name');
  if (!name) throw new DavError(400, null, `${e.name} needs a name`);
  return name;
};

export function compFilterOf(e: XmlElement): CompFilter {
  const range = one(e, CALDAV_NS, 'time-range');
  return {
    name: named(e),
    isNotDefined: one(e, CALDAV_NS, 'is-not-defined') !== undefined,
    ...(range ? { timeRange: timeRangeOf(range) } : {}),
    propFilters: childElements(e, CALDAV_NS, 'prop-filter').map(propFilterOf),
    compFilters: childElements(e, CALDAV_NS, 'comp-filter').map(compFilterOf),
  };
}

function propFilterOf(e: XmlElement): PropFilter {
  const range = one(e, CALDAV_NS, 'time-range');
  const match = one(e, CALDAV_NS, 'text-match');
  return {
    name: named(e),
    isNotDefined: one(e, CALDAV_NS, 'is-not-defined') !== undefined,
    ...(range ? { timeRange: timeRangeOf(range) } : {}),
    ...(match ? { textMatch: textMatchOf(match, CALDAV_NS, 'i;ascii-casemap') } : {}),
    paramFilters: childElements(e, CALDAV_NS, 'param-filter').map((p): ParamFilter => {
      const m = one(p, CALDAV_NS, 'text-match');
      return { name: named(p), isNotDefined: one(p, CALDAV_NS, 'is-not-defined') !== undefined, ...(m ? { textMatch: textMatchOf(m, CALDAV_NS, 'i;ascii-casemap') } : {}) };
    }),
  };
}

function testOf(e: XmlElement): FilterTest {
  return attribute(e, 'test') === 'allof' ? 'allof' : 'anyof';
}

export function cardFilterOf(filter: XmlElement | undefined): CardFilter {
  if (!filter) return { test: 'anyof', propFilters: [] };
  return {
    test: testOf(filter),
    propFilters: childElements(filter, CARDDAV_NS, 'prop-filter').map((p): CardPropFilter => ({
      name: named(p),
      test: testOf(p),
      isNotDefined: one(p, CARDDAV_NS, 'is-not-defined') !== undefined,
      textMatches: childElements(p, CARDDAV_NS, 'text-match').map((m) => textMatchOf(m, CARDDAV_NS, 'i;unicode-casemap')),
      paramFilters: childElements(p, CARDDAV_NS, 'param-filter').map((pf): CardParamFilter => {
        const m = one(pf, CARDDAV_NS, 'text-match');
        return { name: named(pf), isNotDefined: one(pf, CARDDAV_NS, 'is-not-defined') !== undefined, ...(m ? { textMatch: textMatchOf(m, CARDDAV_NS, 'i;unicode-casemap') } : {}) };
      }),
    })),
  };
}
