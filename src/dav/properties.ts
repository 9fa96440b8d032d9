import { escapeXml } from '../autoconfig/xml-write.ts';
import { activeLock, covers, type Lock } from './locks.ts';
import type { DavResource, DavSpace, QuotaInfo } from './resource.ts';
import { clark, dav, davText, element, parseClark, DAV_NS, type QName } from './xml-out.ts';

export const CALENDARSERVER_NS = 'http://calendarserver.org/ns/';

/** Sync tokens are URIs (RFC 6578 §3.2); the number is the collection's journal modseq. */
export const SYNC_PREFIX = 'http://stoa.invalid/sync/';

const d = (name: string): QName => ({ ns: DAV_NS, name });

/** Live properties every resource has; PROPPATCH refuses to change them. */
const COMMON = ['creationdate', 'displayname', 'getlastmodified', 'resourcetype', 'lockdiscovery', 'supportedlock', 'owner',
  'current-user-principal', 'current-user-privilege-set', 'supported-report-set', 'quota-available-bytes', 'quota-used-bytes'].map(d);
const FILE_ONLY = ['getcontentlength', 'getcontenttype', 'getetag'].map(d);
const COLLECTION_ONLY: QName[] = [d('sync-token'), { ns: CALENDARSERVER_NS, name: 'getctag' }];

/** The names of a resource's live properties (for propname, allprop and PROPPATCH protection). */
export function liveProps(resource: DavResource): QName[] {
  const names = [...COMMON, ...(resource.collection ? COLLECTION_ONLY : FILE_ONLY)];
  if (resource.displayName === null) names.splice(names.findIndex((q) => q.name === 'displayname'), 1);
  return [...names, ...Object.keys(resource.extraProps ?? {}).map(parseClark)];
}

const SUPPORTED_LOCK = dav('supportedlock', ['exclusive', 'shared'].map((s) => dav('lockentry', dav('lockscope', dav(s)) + dav('locktype', dav('write')))).join(''));

const WRITE_PRIVILEGES = ['write', 'write-properties', 'write-content', 'bind', 'unbind', 'unlock'];

/** Where a resource is, for the properties that depend on it: its lock key (lockdiscovery). */
export type Render = (resource: DavResource, lockKey: () => string, syncToken: string | null) => string | null;

/**
 * Renders live property values for one request (quota and locks read once, not per resource).
 * Each property name is compiled once into a function, and every value that is the same for every
 * resource of the request is written once, so a member of a large PROPFIND costs a few
 * concatenations.
 */
export class PropRenderer {
  readonly #principalHref: string;
  readonly #space: DavSpace;
  readonly #quota: QuotaInfo | null;
  readonly #locks: Lock[];
  constructor(options: { principalHref: string; space: DavSpace; quota: QuotaInfo | null; locks: Lock[] }) {
    this.#principalHref = options.principalHref;
    this.#space = options.space;
    this.#quota = options.quota;
    this.#locks = options.locks;
  }

  syncToken(path: string[]): Promise<string | null> {
    return this.#space.syncToken(path);
  }

  /** Whether rendering `names` for a collection needs its sync token (one store read, done only then). */
  static needsSyncToken(names: QName[]): boolean {
    return names.some((q) => (q.ns === DAV_NS && q.name === 'sync-token') || (q.ns === CALENDARSERVER_NS && q.name === 'getctag'));
  }

  /**
   * The renderer of one property: it gives the property element, or null when the resource does
   * not have that live property. `syncToken` is the collection's, read beforehand when
   * `needsSyncToken` said so.
   */
  compile(q: QName): Render {
    const key = clark(q);
    const live = this.#live(q);
    return (resource, lockKey, syncToken) => {
      const extra = resource.extraProps?.[key];
      return extra !== undefined ? element(q, extra) : live(resource, lockKey, syncToken);
    };
  }

  #live(q: QName): Render {
    const always = (value: string | null): Render => () => value;
    const ofCollections = (value: string | null): Render => (resource) => (resource.collection ? value : null);
    if (q.ns === CALENDARSERVER_NS && q.name === 'getctag') {
      return (resource, _path, syncToken) => (resource.collection && syncToken !== null ? element(q, syncToken) : null);
    }
    if (q.ns !== DAV_NS) return always(null);
    switch (q.name) {
      // Dates, numbers and our hex etags need no escaping, and 10 000 members make it count.
      case 'creationdate': return (resource) => `<D:creationdate>${resource.created.toISOString().slice(0, -5)}Z</D:creationdate>`;
      case 'displayname': return (resource) => (resource.displayName === null ? null : davText(q.name, resource.displayName));
      case 'getlastmodified': return (resource) => `<D:getlastmodified>${resource.lastModified.toUTCString()}</D:getlastmodified>`;
      case 'getcontentlength': return (resource) => (resource.collection ? null : `<D:getcontentlength>${resource.contentLength ?? 0}</D:getcontentlength>`);
      case 'getcontenttype': return (resource) => (resource.collection ? null : davText(q.name, resource.contentType ?? 'application/octet-stream'));
      case 'getetag': return (resource) => (resource.etag ? `<D:getetag>&quot;${escapeXml(resource.etag)}&quot;</D:getetag>` : null);
      case 'resourcetype': return (resource) => dav(q.name, (resource.collection ? dav('collection') : '') + (resource.resourceTypes ?? []).map((t) => element(t)).join(''));
      case 'supportedlock': return always(SUPPORTED_LOCK);
      case 'lockdiscovery': {
        if (!this.#locks.length) return always(dav(q.name));
        return (_resource, lockKey) => {
          const here = lockKey();
          return dav(q.name, this.#locks.filter((l) => covers(l, here)).map(activeLock).join(''));
        };
      }
      case 'owner': return always(this.#space.owner ? dav(q.name, davText('href', this.#space.owner)) : null);
      case 'current-user-principal': return always(dav(q.name, davText('href', this.#principalHref)));
      case 'current-user-privilege-set': {
        const privileges = ['read', 'read-current-user-privilege-set', ...(this.#space.writable ? WRITE_PRIVILEGES : [])];
        return always(dav(q.name, privileges.map((p) => dav('privilege', dav(p))).join('')));
      }
      case 'supported-report-set': return ofCollections(dav(q.name, dav('supported-report', dav('report', dav('sync-collection')))));
      case 'quota-used-bytes': return ofCollections(this.#quota && davText(q.name, this.#quota.used));
      case 'quota-available-bytes': return ofCollections(this.#quota && davText(q.name, this.#quota.available ?? Math.max(0, Number.MAX_SAFE_INTEGER - this.#quota.used)));
      case 'sync-token': return (resource, _path, syncToken) => (resource.collection && syncToken !== null ? davText(q.name, `${SYNC_PREFIX}${syncToken}`) : null);
      default: return always(null);
    }
  }
}
