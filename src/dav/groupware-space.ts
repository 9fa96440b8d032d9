import { Readable } from 'node:stream';
import { escapeXml } from '../autoconfig/xml-write.ts';
import { CalendarDataError } from '../calendar/calendar-object.ts';
import { AddressDataError } from '../contacts/vcard.ts';
import { MAX_OBJECT_BYTES, type GroupwareService } from '../groupware/service.ts';
import type { DavCollection, DavCollectionKind, DavCollectionProps, DavObject, DavObjectSummary } from '../store/ports/index.ts';
import { DavCollectionExistsError, DavCollectionNotFoundError, UidConflictError } from '../store/ports/index.ts';
import { textOf, type XmlElement } from '../xml/parse.ts';
import { parseBody } from './bodies.ts';
import { DavError } from './errors.ts';
import type { TimeRange } from '../calendar/instances.ts';
import { groupwareReport, type ObjectSource } from './groupware-reports.ts';
import type { CollectionInit, DavResource, DavSpace, ReportContext, SyncDelta } from './resource.ts';
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

export const CALENDAR_KIND: GroupwareKind = {
  kind: 'calendar', resourceType: caldav('calendar'), reports: [caldav('calendar-multiget'), caldav('calendar-query'), caldav('free-busy-query')],
  props: {
    [clark(caldav('supported-calendar-data'))]: withAttributes(caldav('calendar-data'), 'content-type="text/calendar" version="2.0"'),
    [clark(caldav('max-resource-size'))]: String(MAX_OBJECT_BYTES),
  },
};

export const ADDRESSBOOK_KIND: GroupwareKind = {
  kind: 'addressbook', resourceType: carddav('addressbook'), reports: [carddav('addressbook-multiget'), carddav('addressbook-query')],
  props: {
    [clark(carddav('supported-address-data'))]: ['3.0', '4.0'].map((v) => withAttributes(carddav('address-data-type'), `content-type="text/vcard" version="${v}"`)).join(''),
    [clark(carddav('max-resource-size'))]: String(MAX_OBJECT_BYTES),
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
  /** The href of this space's root, for no-uid-conflict answers. */
  readonly #href: string;
  readonly writable: boolean;
  readonly owner: string | null;

  /** Collections of other spaces shown in this home (the company directory, shared collections). */
  readonly #mounts: Array<{ name: string; space: DavSpace }>;

  constructor(service: GroupwareService, kind: GroupwareKind, options: { ownerId: string; owner: string | null; href: string; writable?: boolean; mounts?: Array<{ name: string; space: DavSpace }> }) {
    this.#mounts = options.mounts ?? [];
    this.#service = service;
    this.#kind = kind;
    this.#ownerId = options.ownerId;
    this.#href = options.href;
    this.owner = options.owner;
    this.writable = options.writable ?? true;
  }

  get kind(): GroupwareKind {
    return this.#kind;
  }

  async report(path: string[], body: XmlElement, context: ReportContext): Promise<string | null> {
    return groupwareReport(this, path, body, context);
  }

  async collectionAt(path: string[]): Promise<DavCollection | null> {
    return path.length === 1 ? this.#service.collection(this.#ownerId, this.#kind.kind, path[0]!) : null;
  }

  async find(path: string[]): Promise<DavResource | null> {
    if (path.length === 0) return homeResource();
    const collection = await this.#service.collection(this.#ownerId, this.#kind.kind, path[0]!);
    if (!collection) return null;
    if (path.length === 1) return this.collectionResource(collection);
    if (path.length > 2) return null;
    const object = await this.#service.object(collection, path[1]!);
    return object ? objectResource(object) : null;
  }

  async list(path: string[]): Promise<Array<{ name: string; resource: DavResource }>> {
    if (path.length === 0) {
      const own = (await this.#service.collections(this.#ownerId, this.#kind.kind)).map((c) => ({ name: c.name, resource: this.collectionResource(c) }));
      const mounted = await Promise.all(this.#mounts.map(async ({ name, space }) => ({ name, resource: await space.find([]) })));
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
    const bytes = await readLimited(body);
    try {
      const { object, created } = await this.#service.put(collection, path[1]!, bytes);
      return { created, resource: objectResource(object) };
    } catch (err) {
      return mapped(err, this.#kind.resourceType.ns, (name) => `${this.#href}${encodeURIComponent(collection.name)}/${encodeURIComponent(name)}`);
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

  async changesSince(path: string[], token: string): Promise<SyncDelta | null> {
    const collection = await this.collectionAt(path);
    const match = /^(.+)-(\d+)$/.exec(token);
    if (!collection || !match || match[1] !== collection.id) return null;
    const changes = await this.#service.changesSince(collection, Number(match[2]));
    return changes && { token: `${collection.id}-${changes.head}`, changed: changes.changed, removed: changes.removed };
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

async function readLimited(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_OBJECT_BYTES) throw new DavError(403, clark(caldav('max-resource-size')), 'the object is too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
