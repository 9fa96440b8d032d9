import type ICAL from 'ical.js';
import { parseCalendarObject, type CalendarObject } from '../calendar/calendar-object.ts';
import { expandObject } from '../calendar/expand.ts';
import { widened } from '../calendar/floating.ts';
import type { TimeRange } from '../calendar/instances.ts';
import { limitObject, type Limits } from '../calendar/limit.ts';
import { componentTimeRange, matchesQuery } from '../calendar/query.ts';
import { matchesCardFilter } from '../contacts/query.ts';
import { parseCard } from '../contacts/vcard.ts';
import { escapeXml } from '../autoconfig/xml-write.ts';
import type { DavObject } from '../store/ports/index.ts';
import { childElements, textOf, type XmlElement } from '../xml/parse.ts';
import { nresultsOf } from './bodies.ts';
import { DavError } from './errors.ts';
import { floatingZone } from './floating-zone.ts';
import { freeBusyReport } from './free-busy-report.ts';
import { boundedRangeOf, cardFilterOf, compFilterOf } from './groupware-filters.ts';
import { CALDAV_NS, CARDDAV_NS, objectResource, type GroupwareKind } from './groupware-space.ts';
import type { ReportContext, ReportDocument } from './resource.ts';
import { clark, DAV_NS, type QName } from './xml-out.ts';

export const PRODID = '-//Stoa//CalDAV//EN';
const UTF8 = new TextDecoder();

/** A space whose objects the reports read: a calendar or address-book home, the company directory. */
export interface ObjectSource {
  readonly kind: GroupwareKind;
  /** The object at each path (null where there is none), in the order asked. */
  objectsAt(paths: string[][]): Promise<Array<DavObject | null>>;
  /**
   * The objects a query on `path` must test, with their paths: the members of a collection (those
   * whose span meets `range`, of `component`, where given) or the object at `path` itself.
   */
  candidates(path: string[], range: TimeRange | null, component: string | null): Promise<Array<{ path: string[]; object: DavObject }>>;
  /** The calendar-timezone (a VCALENDAR as text) of the collection `path` lies in; null when unset. */
  timezone?(path: string[]): Promise<string | null>;
  /** The paths of the space's own collections, for a report on the whole home (free-busy-query). */
  collections?(): Promise<string[][]>;
}

interface DataRequest {
  props: QName[];
  /** The clark name of calendar-data / address-data when it was asked for. */
  dataKey: string | null;
  expand: TimeRange | null;
  /** CALDAV:limit-recurrence-set and limit-freebusy-set. */
  limits: Limits;
}

function dataRequest(root: XmlElement, ns: string, dataName: string): DataRequest {
  const prop = childElements(root, DAV_NS, 'prop')[0];
  const props = prop ? childElements(prop).map((e) => ({ ns: e.ns, name: e.name })) : [];
  const data = prop && childElements(prop, ns, dataName)[0];
  const rangeIn = (name: string) => {
    const e = data && childElements(data, ns, name)[0];
    return e ? boundedRangeOf(e) : null;
  };
  return {
    props, dataKey: data ? clark({ ns, name: dataName }) : null, expand: rangeIn('expand'),
    limits: { recurrence: rangeIn('limit-recurrence-set'), freebusy: rangeIn('limit-freebusy-set') },
  };
}

/** The object's data as the request asks for it: as stored, or calendar data expanded or limited. */
function calendarData(object: DavObject, request: DataRequest, parsed?: CalendarObject): string {
  const limited = request.limits.recurrence || request.limits.freebusy;
  if (!request.expand && !limited) return UTF8.decode(object.data);
  const calendar = parsed ?? parseCalendarObject(UTF8.decode(object.data));
  return request.expand ? expandObject(calendar, request.expand, PRODID) : limitObject(calendar, request.limits);
}

/** The answer for one object, with its data (expanded when asked) as a live property. */
function answer(context: ReportContext, path: string[], object: DavObject, request: DataRequest, parsed?: CalendarObject): Promise<string> {
  const resource = objectResource(object);
  if (request.dataKey) {
    resource.extraProps = { [request.dataKey]: escapeXml(calendarData(object, request, parsed)) };
  }
  return context.respond(path, resource, request.props);
}

async function multiget(space: ObjectSource, root: XmlElement, context: ReportContext, request: DataRequest): Promise<string> {
  const hrefs = childElements(root, DAV_NS, 'href').map((h) => textOf(h).trim());
  const paths = hrefs.map((href) => context.pathOf(href));
  const objects = await space.objectsAt(paths.map((p) => p ?? []));
  // Expanded or limited data reads floating times in the calendar's zone, as calendar-query does.
  const reshaped = request.expand !== null || request.limits.recurrence !== null || request.limits.freebusy !== null;
  const zones = new Map<string, Promise<ICAL.Timezone | undefined>>();
  const zoneOf = (collection: string) => {
    if (!zones.has(collection)) zones.set(collection, floatingZone(space, [collection], null));
    return zones.get(collection)!;
  };
  const parts: string[] = [];
  for (const [i, href] of hrefs.entries()) {
    const path = paths[i];
    const object = objects[i];
    if (!path || !object) {
      parts.push(context.missing(href));
      continue;
    }
    const parsed = reshaped ? { ...parseCalendarObject(UTF8.decode(object.data)), floating: await zoneOf(path[0]!) } : undefined;
    parts.push(await answer(context, path, object, request, parsed));
  }
  return parts.join('');
}

async function calendarQuery(space: ObjectSource, path: string[], root: XmlElement, context: ReportContext): Promise<string> {
  const filterElement = childElements(root, CALDAV_NS, 'filter')[0];
  const top = filterElement && childElements(filterElement, CALDAV_NS, 'comp-filter')[0];
  if (!top) throw new DavError(403, `{${CALDAV_NS}}valid-filter`, 'calendar-query needs a filter with one comp-filter');
  const filter = compFilterOf(top);
  const range = componentTimeRange(filter);
  const component = filter.compFilters?.find((f) => !f.isNotDefined)?.name.toUpperCase() ?? null;
  const request = dataRequest(root, CALDAV_NS, 'calendar-data');
  const floating = await floatingZone(space, path.slice(0, 1), childElements(root, CALDAV_NS, 'timezone')[0] ?? null);
  const parts: string[] = [];
  // The index keeps floating times as if in UTC: a wider range finds those that meet it in the zone.
  for (const { path: at, object } of await space.candidates(path, range && widened(range), component)) {
    const parsed = { ...parseCalendarObject(UTF8.decode(object.data)), floating };
    if (matchesQuery(parsed, filter)) parts.push(await answer(context, at, object, request, parsed));
  }
  return parts.join('');
}

async function addressbookQuery(space: ObjectSource, path: string[], root: XmlElement, context: ReportContext): Promise<string> {
  const filter = cardFilterOf(childElements(root, CARDDAV_NS, 'filter')[0]);
  const nresults = nresultsOf(childElements(root, CARDDAV_NS, 'limit')[0], CARDDAV_NS) ?? Infinity;
  const request = dataRequest(root, CARDDAV_NS, 'address-data');
  const parts: string[] = [];
  for (const { path: at, object } of await space.candidates(path, null, null)) {
    if (!matchesCardFilter(parseCard(UTF8.decode(object.data)), filter)) continue;
    // RFC 6352 §8.6.1: a match beyond the limit marks the answer as cut short.
    if (parts.length >= nresults) return parts.join('') + context.truncated();
    parts.push(await answer(context, at, object, request));
  }
  return parts.join('');
}

/** The REPORTs of calendar and address-book collections; null for one this kind does not define. */
export function groupwareReport(space: ObjectSource, path: string[], root: XmlElement, context: ReportContext): Promise<string | ReportDocument> | null {
  const calendar = space.kind.kind === 'calendar';
  const ns = calendar ? CALDAV_NS : CARDDAV_NS;
  if (root.ns !== ns) return null;
  switch (root.name) {
    case 'calendar-multiget': return multiget(space, root, context, dataRequest(root, CALDAV_NS, 'calendar-data'));
    case 'addressbook-multiget': return multiget(space, root, context, dataRequest(root, CARDDAV_NS, 'address-data'));
    case 'calendar-query': return calendarQuery(space, path, root, context);
    case 'free-busy-query': return calendar ? freeBusyReport(space, path, root) : null;
    case 'addressbook-query': return addressbookQuery(space, path, root, context);
    default: return null;
  }
}
