import { activeLock, covers, type Lock } from './locks.ts';
import { lockPath } from './paths.ts';
import type { DavResource, DavSpace, QuotaInfo } from './resource.ts';
import { clark, dav, davText, element, parseClark, DAV_NS, type QName } from './xml-out.ts';

const CALENDARSERVER_NS = 'http://calendarserver.org/ns/';

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

/** Renders live property values for one request (quota and locks read once, not per resource). */
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
   * The property element, or null when the resource does not have that live property. `syncToken`
   * is the collection's, read beforehand when `needsSyncToken` said so.
   */
  render(q: QName, resource: DavResource, fullPath: string[], syncToken: string | null): string | null {
    const extra = resource.extraProps?.[clark(q)];
    if (extra !== undefined) return element(q, extra);
    if (q.ns === CALENDARSERVER_NS && q.name === 'getctag' && resource.collection) {
      return syncToken === null ? null : element(q, syncToken);
    }
    if (q.ns !== DAV_NS) return null;
    switch (q.name) {
      case 'creationdate': return davText(q.name, resource.created.toISOString().replace(/\.\d+Z$/, 'Z'));
      case 'displayname': return resource.displayName === null ? null : davText(q.name, resource.displayName);
      case 'getlastmodified': return davText(q.name, resource.lastModified.toUTCString());
      case 'getcontentlength': return resource.collection ? null : davText(q.name, resource.contentLength ?? 0);
      case 'getcontenttype': return resource.collection ? null : davText(q.name, resource.contentType ?? 'application/octet-stream');
      case 'getetag': return resource.etag ? davText(q.name, `"${resource.etag}"`) : null;
      case 'resourcetype': return dav(q.name, (resource.collection ? dav('collection') : '') + (resource.resourceTypes ?? []).map((t) => element(t)).join(''));
      case 'supportedlock': return SUPPORTED_LOCK;
      case 'lockdiscovery': {
        const here = lockPath(fullPath);
        return dav(q.name, this.#locks.filter((l) => covers(l, here)).map(activeLock).join(''));
      }
      case 'owner': return this.#space.owner ? dav(q.name, davText('href', this.#space.owner)) : null;
      case 'current-user-principal': return dav(q.name, davText('href', this.#principalHref));
      case 'current-user-privilege-set': {
        const privileges = ['read', 'read-current-user-privilege-set', ...(this.#space.writable ? WRITE_PRIVILEGES : [])];
        return dav(q.name, privileges.map((p) => dav('privilege', dav(p))).join(''));
      }
      case 'supported-report-set': return resource.collection ? dav(q.name, dav('supported-report', dav('report', dav('sync-collection')))) : null;
      case 'quota-used-bytes': return this.#quota && resource.collection ? davText(q.name, this.#quota.used) : null;
      case 'quota-available-bytes': return this.#quota && resource.collection ? davText(q.name, this.#quota.available ?? Math.max(0, Number.MAX_SAFE_INTEGER - this.#quota.used)) : null;
      case 'sync-token': return resource.collection && syncToken !== null ? davText(q.name, `${SYNC_PREFIX}${syncToken}`) : null;
      default: return null;
    }
  }
}

