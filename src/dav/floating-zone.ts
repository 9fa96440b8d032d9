import type ICAL from 'ical.js';
import { CalendarDataError } from '../calendar/calendar-object.ts';
import { timezoneOf } from '../calendar/floating.ts';
import { textOf, type XmlElement } from '../xml/parse.ts';
import { DavError } from './errors.ts';
import type { ObjectSource } from './groupware-reports.ts';
import { CALDAV_NS } from './groupware-space.ts';

/**
 * The zone a report reads floating times in (RFC 4791 §9.8): the query's CALDAV:timezone, else the
 * calendar's calendar-timezone, else none (UTC). A bad zone in the query is the client's error; a
 * bad stored one is passed over, so it cannot break every query on the calendar.
 */
export async function floatingZone(space: ObjectSource, path: string[], query: XmlElement | null): Promise<ICAL.Timezone | undefined> {
  if (query) {
    try {
      return timezoneOf(textOf(query));
    } catch (err) {
      if (err instanceof CalendarDataError) throw new DavError(403, `{${CALDAV_NS}}valid-calendar-data`, err.message);
      throw err;
    }
  }
  const stored = path.length ? await space.timezone?.(path) : null;
  if (!stored) return undefined;
  try {
    return timezoneOf(stored);
  } catch {
    return undefined;
  }
}
