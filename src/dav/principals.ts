import { escapeXml } from '../autoconfig/xml-write.ts';
import type { UserService } from '../directory/users.ts';
import type { TenantRecord, UserRecord } from '../store/ports/index.ts';
import { childElements, textOf, type XmlElement } from '../xml/parse.ts';
import { nresultsOf } from './bodies.ts';
import { CALENDARSERVER_NS } from './properties.ts';
import { CALDAV_NS } from './groupware-space.ts';
import type { DavSpace, ReportContext, ReportDocument } from './resource.ts';
import { MountListSpace } from './virtual-space.ts';
import { clark, dav, davText, document, element, DAV_NS, type QName } from './xml-out.ts';

/** The most principals one search answers; more matches are marked with a 507 response. */
const MAX_RESULTS = 50;
const USER_PAGE = 1000;

const DISPLAY_NAME = clark({ ns: DAV_NS, name: 'displayname' });
const ADDRESS_SETS = [clark({ ns: CALDAV_NS, name: 'calendar-user-address-set' }), clark({ ns: CALENDARSERVER_NS, name: 'email-address-set' })];
/** The properties a search may match on, as principal-search-property-set offers them. */
const SEARCHABLE: Array<{ name: QName; description: string }> = [
  { name: { ns: DAV_NS, name: 'displayname' }, description: 'Display name' },
  { name: { ns: CALDAV_NS, name: 'calendar-user-address-set' }, description: 'Calendar user addresses' },
  { name: { ns: CALENDARSERVER_NS, name: 'email-address-set' }, description: 'Email addresses' },
];

/** A user's principal resource; `homes` are the home-set properties, for the user themself only. */
export function principalOf(tenant: TenantRecord, user: Pick<UserRecord, 'id' | 'addresses'> & { displayName: string }, homes: Record<string, string>): MountListSpace {
  const mailto = user.addresses.map((a) => davText('href', `mailto:${a}`)).join('');
  return new MountListSpace({
    displayName: user.displayName,
    resourceTypes: [{ ns: DAV_NS, name: 'principal' }],
    extraProps: {
      [clark({ ns: DAV_NS, name: 'principal-URL' })]: davText('href', `/${tenant.slug}/principals/users/${user.id}/`),
      [clark({ ns: DAV_NS, name: 'principal-collection-set' })]: davText('href', `/${tenant.slug}/principals/users/`),
      ...homes,
      [clark({ ns: CALDAV_NS, name: 'calendar-user-address-set' })]: mailto,
      [clark({ ns: CALENDARSERVER_NS, name: 'email-address-set' })]: user.addresses.map((a) => element({ ns: CALENDARSERVER_NS, name: 'email-address' }, escapeXml(a))).join(''),
    },
  });
}

/** What one search asks: every (or any) condition must hold; a condition is a text in some fields. */
interface Search {
  conditions: Array<{ fields: string[]; text: string }>;
  anyOf: boolean;
  props: QName[];
  limit: number;
}

/**
 * The principal collection `/{tenant}/principals/users/`: no listing (a tenant may have thousands),
 * but the searches clients use to find colleagues for sharing and as attendees: RFC 3744's
 * principal-property-search (with principal-search-property-set) and Apple's
 * calendarserver-principal-search. Only active users of the tenant are found; they show what the
 * company directory shows anyway.
 */
export class PrincipalCollectionSpace extends MountListSpace implements DavSpace {
  readonly #tenant: TenantRecord;
  readonly #users: Pick<UserService, 'find'>;

  constructor(tenant: TenantRecord, users: Pick<UserService, 'find'>) {
    super({ displayName: 'Users' });
    this.#tenant = tenant;
    this.#users = users;
  }

  async report(path: string[], body: XmlElement, context: ReportContext): Promise<string | ReportDocument | null> {
    if (path.length) return null;
    if (body.ns === DAV_NS && body.name === 'principal-search-property-set') return searchPropertySet();
    const search = body.ns === DAV_NS && body.name === 'principal-property-search' ? propertySearch(body)
      : body.ns === CALENDARSERVER_NS && body.name === 'calendarserver-principal-search' ? tokenSearch(body) : null;
    if (!search) return null;
    const found: UserRecord[] = [];
    for (let offset = 0; ; offset += USER_PAGE) {
      const { items } = await this.#users.find(this.#tenant.id, {}, { offset, limit: USER_PAGE });
      found.push(...items.filter((u) => u.active && matches(u, search)));
      if (found.length > search.limit || items.length < USER_PAGE) break;
    }
    const parts = await Promise.all(found.slice(0, search.limit).map(async (user) => {
      const resource = await principalOf(this.#tenant, { ...user, displayName: nameOf(user) }, {}).find([]);
      return context.respond([user.id], resource!, search.props);
    }));
    return parts.join('') + (found.length > search.limit ? context.truncated() : '');
  }
}

function nameOf(user: UserRecord): string {
  return user.displayName ?? user.userName;
}

function matches(user: UserRecord, search: Search): boolean {
  const values = (field: string) => (field === DISPLAY_NAME ? [nameOf(user)] : ADDRESS_SETS.includes(field) ? [...user.addresses, ...user.addresses.map((a) => `mailto:${a}`)] : []);
  const holds = ({ fields, text }: Search['conditions'][number]) => fields.some((f) => values(f).some((v) => v.toLowerCase().includes(text)));
  if (!search.conditions.length) return false;
  return search.anyOf ? search.conditions.some(holds) : search.conditions.every(holds);
}

function propsOf(root: XmlElement): QName[] {
  const prop = childElements(root, DAV_NS, 'prop')[0];
  return prop ? childElements(prop).map((e) => ({ ns: e.ns, name: e.name })) : [];
}

function limitOf(root: XmlElement, ns: string): number {
  return Math.min(nresultsOf(childElements(root, ns, 'limit')[0], ns) ?? MAX_RESULTS, MAX_RESULTS);
}

/** RFC 3744 §9.4: property-search elements, each a prop list and a match text. */
function propertySearch(root: XmlElement): Search {
  const conditions = childElements(root, DAV_NS, 'property-search').map((ps) => ({
    fields: propsOf(ps).map(clark),
    text: textOf(childElements(ps, DAV_NS, 'match')[0] ?? ps).trim().toLowerCase(),
  })).filter((c) => c.text);
  const test = root.attributes.find((a) => a.name === 'test')?.value;
  return { conditions, anyOf: test === 'anyof', props: propsOf(root), limit: limitOf(root, DAV_NS) };
}

/** Apple's search: every token must be found in the name or an address. */
function tokenSearch(root: XmlElement): Search {
  const tokens = childElements(root, CALENDARSERVER_NS, 'search-token').map((t) => textOf(t).trim().toLowerCase()).filter(Boolean);
  const fields = [DISPLAY_NAME, ...ADDRESS_SETS];
  return { conditions: tokens.map((text) => ({ fields, text })), anyOf: false, props: propsOf(root), limit: limitOf(root, CALENDARSERVER_NS) };
}

function searchPropertySet(): ReportDocument {
  const properties = SEARCHABLE.map(({ name, description }) => dav('principal-search-property', dav('prop', element(name)) + davText('description', description)));
  return { status: 200, contentType: 'application/xml; charset=utf-8', body: document('principal-search-property-set', properties.join('')) };
}
