/**
 * A calendar object resource (RFC 4791 §4.1) parsed and checked before anything is stored: one
 * VCALENDAR, one component type, one UID, no METHOD, distinct RECURRENCE-IDs. Errors name the CalDAV
 * precondition the DAV front answers with, so a client learns why its PUT was refused.
 */
import ICAL from 'ical.js';

export const COMPONENT_KINDS = ['VEVENT', 'VTODO', 'VJOURNAL', 'VFREEBUSY'] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

export type CalendarPrecondition = 'valid-calendar-data' | 'valid-calendar-object-resource' | 'supported-calendar-component';

export class CalendarDataError extends Error {
  readonly precondition: CalendarPrecondition;
  constructor(precondition: CalendarPrecondition, message: string) {
    super(message);
    this.name = 'CalendarDataError';
    this.precondition = precondition;
  }
}

export interface CalendarObject {
  readonly uid: string;
  readonly kind: ComponentKind;
  /** The component without RECURRENCE-ID; null when only overridden instances were stored (an invitation to single instances). */
  readonly master: ICAL.Component | null;
  /** Overridden instances (components with a RECURRENCE-ID). */
  readonly overrides: readonly ICAL.Component[];
  /** The zone floating times are read in (src/calendar/floating.ts); UTC when absent. */
  readonly floating?: ICAL.Timezone;
}

/** Properties whose values ical.js decodes lazily: reading them here turns a bad value into a 403 now, not a crash in a later query. */
const TIMED_PROPERTIES = ['dtstart', 'dtend', 'due', 'duration', 'recurrence-id', 'rrule', 'rdate', 'exdate', 'created', 'completed'];

export function parseCalendarObject(text: string, supported: readonly ComponentKind[] = COMPONENT_KINDS): CalendarObject {
  const root = parseRoot(text);
  if (root.getFirstProperty('method')) {
    throw new CalendarDataError('valid-calendar-object-resource', 'a calendar object resource must not carry METHOD (RFC 4791 §4.1)');
  }
  const components = root.getAllSubcomponents().filter((c) => c.name !== 'vtimezone');
  if (components.length === 0) throw new CalendarDataError('valid-calendar-data', 'VCALENDAR holds no VEVENT, VTODO, VJOURNAL or VFREEBUSY');
  const kind = components[0]!.name.toUpperCase();
  if (!isKind(kind)) throw new CalendarDataError('supported-calendar-component', `${kind} is not a calendar component this server stores`);
  if (!supported.includes(kind)) throw new CalendarDataError('supported-calendar-component', `this calendar does not accept ${kind}`);

  let uid: string | null = null;
  let master: ICAL.Component | null = null;
  const overrides: ICAL.Component[] = [];
  const recurrenceIds = new Set<string>();
  for (const component of components) {
    if (component.name.toUpperCase() !== kind) {
      throw new CalendarDataError('valid-calendar-object-resource', `one resource holds one component type, not ${kind} and ${component.name.toUpperCase()}`);
    }
    const componentUid = component.getFirstPropertyValue('uid');
    if (typeof componentUid !== 'string' || componentUid === '') throw new CalendarDataError('valid-calendar-object-resource', `${kind} without UID`);
    if (uid !== null && componentUid !== uid) throw new CalendarDataError('valid-calendar-object-resource', 'all components of one resource share one UID');
    uid = componentUid;
    checkValues(component);
    const recurrenceId = component.getFirstProperty('recurrence-id');
    if (!recurrenceId) {
      if (master) throw new CalendarDataError('valid-calendar-object-resource', `two ${kind} components without RECURRENCE-ID`);
      master = component;
      continue;
    }
    const key = String(recurrenceId.getFirstValue());
    if (recurrenceIds.has(key)) throw new CalendarDataError('valid-calendar-object-resource', `RECURRENCE-ID ${key} appears twice`);
    recurrenceIds.add(key);
    overrides.push(component);
  }
  return { uid: uid!, kind, master, overrides };
}

function parseRoot(text: string): ICAL.Component {
  let parsed: unknown;
  try {
    parsed = ICAL.parse(text);
  } catch (err) {
    throw new CalendarDataError('valid-calendar-data', `not iCalendar: ${(err as Error).message}`);
  }
  // ical.js answers an array of components when the text holds several (and for none).
  if (!Array.isArray(parsed) || typeof parsed[0] !== 'string') {
    throw new CalendarDataError('valid-calendar-data', 'expected exactly one VCALENDAR');
  }
  const root = new ICAL.Component(parsed as unknown[]);
  if (root.name !== 'vcalendar') throw new CalendarDataError('valid-calendar-data', `expected VCALENDAR, found ${root.name.toUpperCase()}`);
  return root;
}

function checkValues(component: ICAL.Component): void {
  for (const name of TIMED_PROPERTIES) {
    for (const property of component.getAllProperties(name)) {
      try {
        for (const value of property.getValues()) {
          if (value === null || value === undefined) throw new Error('empty value');
          if (value instanceof ICAL.Time && !Number.isFinite(value.toUnixTime())) throw new Error('not a date');
        }
      } catch (err) {
        throw new CalendarDataError('valid-calendar-data', `${name.toUpperCase()}: ${(err as Error).message}`);
      }
    }
  }
  if (component.hasProperty('dtend') && component.hasProperty('duration')) {
    throw new CalendarDataError('valid-calendar-data', `${component.name.toUpperCase()} has both DTEND and DURATION`);
  }
}

function isKind(name: string): name is ComponentKind {
  return (COMPONENT_KINDS as readonly string[]).includes(name);
}
