import { parseCalendarObject } from '../calendar/calendar-object.ts';
import { busyPeriods, freeBusyCalendar } from '../calendar/free-busy.ts';
import { widened } from '../calendar/floating.ts';
import { childElements, type XmlElement } from '../xml/parse.ts';
import { DavError } from './errors.ts';
import { boundedRangeOf } from './groupware-filters.ts';
import { floatingZone } from './floating-zone.ts';
import { PRODID, type ObjectSource } from './groupware-reports.ts';
import { CALDAV_NS } from './groupware-space.ts';
import type { ReportDocument } from './resource.ts';

const UTF8 = new TextDecoder();

/**
 * CALDAV:free-busy-query (RFC 4791 §7.10) on a calendar or on the calendar home (every own
 * calendar): one VFREEBUSY over the requested range, answered as text/calendar, not multistatus.
 */
export async function freeBusyReport(space: ObjectSource, path: string[], root: XmlElement): Promise<ReportDocument> {
  const element = childElements(root, CALDAV_NS, 'time-range')[0];
  if (!element) throw new DavError(400, null, 'free-busy-query needs a time-range');
  const range = boundedRangeOf(element);
  if (path.length > 1) throw new DavError(403, 'supported-report', 'free-busy-query applies to a calendar or the calendar home');
  const calendars = path.length ? [path] : await space.collections?.() ?? [];
  const periods = [];
  for (const calendar of calendars) {
    const floating = await floatingZone(space, calendar, null);
    for (const { object } of await space.candidates(calendar, widened(range), null)) {
      periods.push(...busyPeriods({ ...parseCalendarObject(UTF8.decode(object.data)), floating }, range));
    }
  }
  return { status: 200, contentType: 'text/calendar; charset=utf-8', body: freeBusyCalendar(periods, range, PRODID) };
}
