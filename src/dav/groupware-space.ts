import { Readable } from 'node:stream';
import { escapeXml } from '../autoconfig/xml-write.ts';
import { CalendarDataError } from '../calendar/calendar-object.ts';
import { AddressDataError } from '../contacts/vcard.ts';
import { MAX_OBJECT_BYTES, type GroupwareService } from '../groupware/service.ts';
import { ShareError, type SharingService } from '../groupware/sharing.ts';
import type { DavCollection, DavCollectionKind, DavCollectionProps, DavObject, DavObjectSummary } from '../store/ports/index.ts';
import { DavCollectionExistsError, DavCollectionNotFoundError, UidConflictError } from '../store/ports/index.ts';
import { textOf, type XmlElement } from '../xml/parse.ts';
import { parseBody } from './bodies.ts';
import { DavError } from './errors.ts';
import { COLLATIONS } from './text-match.ts';
import type { TimeRange } from '../calendar/instances.ts';
import { groupwareReport, type ObjectSource } from './groupware-reports.ts';
import type { CollectionInit, DavResource, DavSpace, ReportContext, ReportDocument, SyncDelta } from './resource.ts';
import { parseShareRequest } from './share-bodies.ts';
import { withOwnerShares } from './share-props.ts';
import { clark, dav, element, parseClark, DAV_NS, type QName } from './xml-out.ts';

export const CALDAV_NS = 'urn:ietf:params:xml:ns:caldav';
export const CARDDAV_NS = 'urn:ietf:params:xml:ns:carddav';
export const APPLE_ICAL_NS = 'http://apple.com/ns/ical/';

const caldav = (name: string): QName => ({ ns: CALDAV_NS, name });
const carddav = (name: string): QName => ({ ns: CARDDAV_NS, name });

/** Collection properties a client may set, each kept in its own field (not as a dead property). */
type Writable = keyof Omit<DavCollectionProps, 'dead' | 'components'>;
const WRITABLE: Record<string, Writable> = {
  [clark({ ns: DAV_NS, name: 'displayname' })]: 'displayName',
  [clark(caldav('calendar-description'))]: 'description',
  [clark(carddav('addressbook-description'))]: 'description',
  [clark(caldav('calendar-timezone'))]: 'timezone',
  [clark({ ns: APPLE_ICAL_NS, name: 'calendar-color' })]: 'color',
  [clark({ ns: APPLE_ICAL_NS, name: 'calendar-order' })]: 'order',
};
const SUPPORTED_COMPONENTS = clark(caldav('supported-calendar-component-set'));

export interface GroupwareKind {
  kind: DavCollectionKind;
  resourceType: QName;
  /** The REPORTs a collection of this kind answers, besides sync-collection. */
  reports: QName[];
  /** Kind-specific live properties of every collection of the kind. */
  props: Record<string, string>;
}

const withAttributes = (q: QName, attributes: string) => element(q).replace('/>', ` ${attributes}/>`);
/** The collations text-match accepts (RFC 4791 §7.5.1, RFC 6352 §8.3.1). */
const collationSet = (q: (name: string) => QName) => COLLATIONS.map((c) => element(q('supported-collation'), c)).join('');

export const CALENDAR_KIND: GroupwareKind = {
  kind: 'calendar', resourceType: caldav('calendar'), reports: [caldav('calendar-multiget'), caldav('calendar-query'), caldav('free-busy-query')],
  props: {
    [clark(caldav('supported-calendar-data'))]: withAttributes(caldav('calendar-data'), 'content-type="text/calendar" version="2.0"'),
    [clark(caldav('max-resource-size'))]: String(MAX_OBJECT_BYTES),
    [clark(caldav('supported-collation-set'))]: collationSet(caldav),
  },
};

export const ADDRESSBOOK_KIND: GroupwareKind = {
  kind: 'addressbook', resourceType: carddav('addressbook'), reports: [carddav('addressbook-multiget'), carddav('addressbook-query')],
  props: {
    [clark(carddav('supported-address-data'))]: ['3.0', '4.0'].map((v) => withAttributes(carddav('address-data-type'), `content-type="text/vcard" version="${v}"`)).join(''),
    [clark(carddav('max-resource-size'))]: String(MAX_OBJECT_BYTES),
    [clark(carddav('supported-collation-set'))]: collationSet(carddav),
  },
};

/** The live properties every collection of a kind has, its supported-report-set among them. */
export function collectionProps(kind: GroupwareKind): Record<string, string> {
  const reports = [...kind.reports, { ns: DAV_NS, name: 'sync-collection' }];
  return { ...kind.props, [clark({ ns: DAV_NS, name: 'supported-report-set' })]: reports.map((r) => dav('supported-report', dav('report', element(r)))).join('') };
}

/** The DavError a failed object write answers with. */
function mapped(err: unknown, ns: string, hrefOf: (name: string) => string): never {
  if (err instanceof CalendarDataError) throw new DavError(403, clark(caldav(err.precondition)), err.message);
  if (err instanceof AddressDataError) throw new DavError(403, clark(carddav(err.precondition)), err.message);
  if (err instanceof UidConflictError) {
    throw new DavError(403, clark({ ns, name: 'no-uid-conflict' }), err.message, { hrefs: [hrefOf(err.existing)] });
  }
  if (err instanceof DavCollectionNotFoundError) throw new DavError(409, null, err.message);
  if (err instanceof DavCollectionExistsError) throw new DavError(405, null, err.message);
  throw err;
}

/**
 * A user's calendar home or address-book home as a DAV space: `[]` the home, `[c]` a collection,
 * `[c, o]` an object. Objects are stored as sent and refused (403 with the CalDAV / CardDAV
 * precondition) when they do not parse.
 */
export class GroupwareSpace implements DavSpace, ObjectSource {
  readonly #service: GroupwareService;
  readonly #ownerId: string;
  readonly #kind: GroupwareKind;
  /** Where the user reaches a collection of this space, for no-uid-conflict answers. */
  readonly #collectionHref: (name: string) => string;
  readonly writable: boolean;
  readonly owner: string | null;

  /** Collections of other spaces shown in this home (the company directory, shared collections). */
  readonly #mounts: () => Promise<Array<{ name: string; space: DavSpace }>>;
  /** Present when the owner may share their collections from here. */
  readonly #sharing: SharingService | null;

  constructor(service: GroupwareService, kind: GroupwareKind, options: {
    ownerId: string; owner: string | null; collectionHref: (name: string) => string; writable?: boolean;
    mounts?: () => Promise<Array<{ name: string; space: DavSpace }>>; sharing?: SharingService;
  }) {
    this.#mounts = options.mounts ?? (async () => []);
    this.#sharing = options.sharing ?? null;
    this.#service = service;
    this.#kind = kind;
    this.#ownerId = options.ownerId;
    this.#collectionHref = options.collectionHref;
    this.owner = options.owner;
    this.writable = options.writable ?? true;
  }

  get kind(): GroupwareKind {
    return this.#kind;
  }

  async report(path: string[], body: XmlElement, context: ReportContext): Promise<string | ReportDocument | null> {
    return groupwareReport(this, path, body, context);
  }

  async timezone(path: string[]): Promise<string | null> {
    return (await this.collectionAt(path.slice(0, 1)))?.timezone ?? null;
  }

  async collections(): Promise<string[][]> {
    return (await this.#service.collections(this.#ownerId, this.#kind.kind)).map((c) => [c.name]);
  }

  async collectionAt(path: string[]): Promise<DavCollection | null> {
    return path.length === 1 ? this.#service.collection(this.#ownerId, this.#kind.kind, path[0]!) : null;
  }

  async find(path: string[]): Promise<DavResource | null> {
    if (path.length === 0) return homeResource();
    const collection = await this.#service.collection(this.#ownerId, this.#kind.kind, path[0]!);
    if (!collection) return null;
    if (path.length === 1) return this.#sharedResource(collection);
    if (path.length > 2) return null;
    const object = await this.#service.object(collection, path[1]!);
    return object ? objectResource(object) : null;
  }

  async list(path: string[]): Promise<Array<{ name: string; resource: DavResource }>> {
    if (path.length === 0) {
      const own = await Promise.all((await this.#service.collections(this.#ownerId, this.#kind.kind)).map(async (c) => ({ name: c.name, resource: await this.#sharedResource(c) })));
      const mounted = await Promise.all((await this.#mounts()).map(async ({ name, space }) => ({ name, resource: await space.find([]) })));
      return [...own, ...mounted.filter((m): m is { name: string; resource: DavResource } => m.resource !== null)];
    }
    const collection = await this.collectionAt(path);
    if (!collection) return [];
    return (await this.#service.summaries(collection, null)).map((o) => ({ name: o.name, resource: objectResource(o) }));
  }

  async read(path: string[]): Promise<Readable> {
    const object = await this.objectAt(path);
    if (!object) throw new DavError(404);
    return Readable.from([Buffer.from(object.data)]);
  }

  async candidates(path: string[], range: TimeRange | null, component: string | null): Promise<Array<{ path: string[]; object: DavObject }>> {
    const collection = await this.collectionAt(path.slice(0, 1));
    if (!collection) throw new DavError(403, 'supported-report', 'a query needs a collection or an object in one');
    if (path.length > 1) {
      const object = await this.objectAt(path);
      return object ? [{ path, object }] : [];
    }
    const bound = (t: number | undefined) => (t !== undefined && Number.isFinite(t) ? t : null);
    const objects = range || component
      ? await this.#service.objectsInRange(collection, bound(range?.start), bound(range?.end), component)
      : await this.#service.objects(collection, null);
    return objects.map((object) => ({ path: [collection.name, object.name], object }));
  }

  async objectAt(path: string[]): Promise<DavObject | null> {
    if (path.length !== 2) return null;
    const collection = await this.collectionAt(path.slice(0, 1));
    return collection && this.#service.object(collection, path[1]!);
  }

  /** One store read per collection named, however many objects in it. */
  async objectsAt(paths: string[][]): Promise<Array<DavObject | null>> {
    const byCollection = new Map<string, Map<string, DavObject>>();
    for (const name of new Set(paths.filter((p) => p.length === 2).map((p) => p[0]!))) {
      const collection = await this.collectionAt([name]);
      const names = paths.filter((p) => p.length === 2 && p[0] === name).map((p) => p[1]!);
      const objects = collection ? await this.#service.objects(collection, names) : [];
      byCollection.set(name, new Map(objects.map((o) => [o.name, o])));
    }
    return paths.map((p) => (p.length === 2 ? byCollection.get(p[0]!)?.get(p[1]!) ?? null : null));
  }

  async put(path: string[], body: AsyncIterable<Uint8Array>): Promise<{ created: boolean; resource: DavResource }> {
    if (path.length !== 2) throw new DavError(path.length < 2 ? 405 : 409, null, 'objects live directly in a collection');
    const collection = await this.collectionAt(path.slice(0, 1));
    if (!collection) throw new DavError(409, null, 'no such collection');
    const bytes = await readLimited(body, this.#kind.resourceType.ns);
    try {
      const { object, created } = await this.#service.put(collection, path[1]!, bytes);
      return { created, resource: objectResource(object) };
    } catch (err) {
      return mapped(err, this.#kind.resourceType.ns, (name) => `${this.#collectionHref(collection.name)}${encodeURIComponent(name)}`);
    }
  }

  async mkcol(path: string[], init?: CollectionInit): Promise<void> {
    if (path.length !== 1) throw new DavError(path.length === 0 ? 405 : 403, null, 'collections live directly in the home');
    const types = init?.resourceTypes ?? [];
    if (!types.some((t) => t.ns === this.#kind.resourceType.ns && t.name === this.#kind.resourceType.name)) {
      throw new DavError(403, 'valid-resourcetype', `only ${this.#kind.resourceType.name} collections can be made here`);
    }
    const { props, dead } = typedProps(init?.set ?? {});
    const components = init?.set[SUPPORTED_COMPONENTS];
    if (components !== undefined) props.components = componentNames(components);
    try {
      await this.#service.create(this.#ownerId, this.#kind.kind, path[0]!, { ...props, dead });
    } catch (err) {
      mapped(err, this.#kind.resourceType.ns, (name) => name);
    }
  }

  async remove(path: string[]): Promise<void> {
    const collection = await this.collectionAt(path.slice(0, 1));
    if (!collection || path.length === 0) throw new DavError(403, null, 'a home cannot be removed');
    if (path.length === 1) return this.#service.removeCollection(collection);
    if (!(await this.#service.removeObject(collection, path[1]!))) throw new DavError(404);
  }

  /** A sharing request (CS:share or DAV:share-resource) on one of the owner's collections. */
  async post(path: string[], body: XmlElement | null): Promise<void> {
    const collection = await this.collectionAt(path);
    if (!collection || !this.#sharing) throw new DavError(405, null, 'only a calendar or address book can be shared', { headers: { allow: 'OPTIONS, GET, HEAD, PROPFIND, REPORT' } });
    const changes = parseShareRequest(body);
    try {
      await this.#sharing.apply(this.#ownerId, collection, changes);
    } catch (err) {
      if (err instanceof ShareError) throw new DavError(403, err.reason === 'not-owner' ? 'need-privileges' : `{${DAV_NS}}valid-sharee`, err.message);
      throw err;
    }
  }

  async patch(path: string[], set: Record<string, string>, remove: string[]): Promise<void> {
    const collection = await this.collectionAt(path);
    if (!collection) throw new DavError(403, null, 'only collections have properties to change');
    const { props, dead } = typedProps(set);
    for (const key of remove) {
      const field = WRITABLE[key];
      if (field) props[field] = null;
    }
    await this.#service.update(collection, props, dead, remove.filter((key) => !WRITABLE[key]));
  }

  /** Objects only, into a collection: a COPY or MOVE onto a calendar would delete it and then fail. */
  accepts(path: string[], collection: boolean): boolean {
    return !collection && path.length === 2;
  }

  copy(): Promise<void> {
    return Promise.reject(new DavError(403, null, 'COPY is not supported for calendars and address books'));
  }

  move(): Promise<void> {
    return Promise.reject(new DavError(403, null, 'MOVE is not supported for calendars and address books'));
  }

  async quota(): Promise<null> {
    return null;
  }

  /** `{collection id}-{modseq}`; the home has none. */
  async syncToken(path: string[]): Promise<string | null> {
    const collection = await this.collectionAt(path);
    return collection ? `${collection.id}-${await this.#service.changeCounter(collection)}` : null;
  }

  async changesSince(path: string[], token: string, limit: number): Promise<SyncDelta | null> {
    const collection = await this.collectionAt(path);
    const match = /^(.+)-(\d+)$/.exec(token);
    if (!collection || !match || match[1] !== collection.id) return null;
    const changes = await this.#service.changesSince(collection, Number(match[2]), limit);
    return changes && { ...changes, token: `${collection.id}-${changes.head}` };
  }

  /** A collection as its owner sees it, with its sharees where the owner can share. */
  async #sharedResource(c: DavCollection): Promise<DavResource> {
    const resource = this.collectionResource(c);
    return this.#sharing ? withOwnerShares(resource, await this.#sharing.sharesOf(c)) : resource;
  }

  collectionResource(c: DavCollection): DavResource {
    const created = new Date(c.createdAt);
    const deadProps: Record<string, string> = { ...c.dead };
    for (const [key, field] of Object.entries(WRITABLE)) {
      const value = c[field];
      const q = parseClark(key);
      const ownsKey = field !== 'description' || q.ns === this.#kind.resourceType.ns;
      if (value !== null && ownsKey && (field !== 'timezone' || this.#kind.kind === 'calendar')) deadProps[key] = element(q, escapeXml(String(value)));
    }
    const extraProps = collectionProps(this.#kind);
    if (this.#kind.kind === 'calendar') {
      extraProps[SUPPORTED_COMPONENTS] = c.components.map((name) => withAttributes(caldav('comp'), `name="${escapeXml(name)}"`)).join('');
    }
    return {
      collection: true, etag: null, contentLength: null, contentType: null, lastModified: created, created,
      displayName: null, deadProps, resourceTypes: [this.#kind.resourceType], extraProps,
    };
  }
}

function homeResource(): DavResource {
  const epoch = new Date(0);
  return { collection: true, etag: null, contentLength: null, contentType: null, lastModified: epoch, created: epoch, displayName: null, deadProps: {} };
}

export function objectResource(o: DavObject | DavObjectSummary): DavResource {
  const modified = new Date(o.modifiedAt);
  return {
    collection: false, etag: o.etag, contentLength: 'size' in o ? o.size : o.data.length, contentType: o.contentType, lastModified: modified, created: modified, displayName: null, deadProps: {},
  };
}


/** Splits PROPPATCH / MKCOL values into the typed fields and the dead properties. */
function typedProps(set: Record<string, string>): { props: Partial<Omit<DavCollectionProps, 'dead'>>; dead: Record<string, string> } {
  const props: Partial<Omit<DavCollectionProps, 'dead'>> = {};
  const dead: Record<string, string> = {};
  for (const [key, xml] of Object.entries(set)) {
    const field = WRITABLE[key];
    if (key === SUPPORTED_COMPONENTS) continue;
    if (!field) {
      dead[key] = xml;
      continue;
    }
    const text = textOf(parseBody(xml) as XmlElement).trim();
    if (field === 'order') props.order = Number.isFinite(Number(text)) ? Number(text) : null;
    else props[field] = text;
  }
  return { props, dead };
}

function componentNames(xml: string): string[] {
  const root = parseBody(xml);
  return (root?.children ?? []).flatMap((c) => (c.kind === 'element' && c.name === 'comp' ? [c.attributes.find((a) => a.name === 'name')?.value.toUpperCase() ?? ''] : [])).filter(Boolean);
}

/** The body, or 403 with the kind's own max-resource-size precondition (CalDAV or CardDAV `ns`). */
async function readLimited(body: AsyncIterable<Uint8Array>, ns: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_OBJECT_BYTES) throw new DavError(403, clark({ ns, name: 'max-resource-size' }), 'the object is too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
