import { childElements, parseXml, textOf, XmlError, type XmlElement } from '../xml/parse.ts';
import { DavError } from './errors.ts';
import type { CollectionInit } from './resource.ts';
import { DAV_NS, serialise, type QName } from './xml-out.ts';

/** DAV request bodies: bigger than autodiscover's (a PROPPATCH can carry many properties). */
const LIMITS = { maxLength: 1024 * 1024, maxDepth: 64, maxNodes: 20_000 };

/** Parses a request body; malformed XML is the client's error (400). An empty body is null. */
export function parseBody(text: string): XmlElement | null {
  if (!text.trim()) return null;
  try {
    return parseXml(text, LIMITS);
  } catch (err) {
    if (err instanceof XmlError) throw new DavError(400, null, `malformed XML: ${err.message}`);
    throw err;
  }
}

function expectRoot(root: XmlElement, name: string): void {
  if (root.ns !== DAV_NS || root.name !== name) throw new DavError(400, null, `expected DAV:${name}`);
}

export type PropfindRequest =
  | { kind: 'allprop'; include: QName[] }
  | { kind: 'propname' }
  | { kind: 'prop'; props: QName[] };

/** RFC 4918 §9.1: an empty body means allprop. */
export function parsePropfind(root: XmlElement | null): PropfindRequest {
  if (!root) return { kind: 'allprop', include: [] };
  expectRoot(root, 'propfind');
  const children = childElements(root, DAV_NS);
  const names = (parent: XmlElement) => childElements(parent).map((e) => ({ ns: e.ns, name: e.name }));
  if (children.some((c) => c.name === 'propname')) return { kind: 'propname' };
  if (children.some((c) => c.name === 'allprop')) {
    const include = children.find((c) => c.name === 'include');
    return { kind: 'allprop', include: include ? names(include) : [] };
  }
  const prop = children.find((c) => c.name === 'prop');
  if (!prop) throw new DavError(400, null, 'propfind needs prop, allprop or propname');
  return { kind: 'prop', props: names(prop) };
}

export interface PropPatchOp {
  name: QName;
  /** The property element as XML text for set; null for remove. */
  value: string | null;
}

/** RFC 4918 §9.2: set and remove instructions, in document order. */
export function parsePropPatch(root: XmlElement | null): PropPatchOp[] {
  if (!root) throw new DavError(400, null, 'PROPPATCH needs a body');
  expectRoot(root, 'propertyupdate');
  const ops: PropPatchOp[] = [];
  for (const instruction of childElements(root, DAV_NS)) {
    if (instruction.name !== 'set' && instruction.name !== 'remove') continue;
    for (const prop of childElements(instruction, DAV_NS, 'prop')) {
      for (const p of childElements(prop)) {
        ops.push({ name: { ns: p.ns, name: p.name }, value: instruction.name === 'set' ? serialise(p) : null });
      }
    }
  }
  if (!ops.length) throw new DavError(400, null, 'propertyupdate without properties');
  return ops;
}

export interface LockRequest {
  scope: 'exclusive' | 'shared';
  /** The DAV:owner element as XML text, kept to be returned in lockdiscovery. */
  owner: string | null;
}

/** RFC 4918 §9.10: a lockinfo body; null for a refresh (no body). */
export function parseLockInfo(root: XmlElement | null): LockRequest | null {
  if (!root) return null;
  expectRoot(root, 'lockinfo');
  const scope = childElements(root, DAV_NS, 'lockscope')[0];
  const type = childElements(root, DAV_NS, 'locktype')[0];
  if (!scope || !type || !childElements(type, DAV_NS, 'write').length) throw new DavError(400, null, 'lockinfo needs lockscope and a write locktype');
  const exclusive = childElements(scope, DAV_NS, 'exclusive').length > 0;
  if (!exclusive && !childElements(scope, DAV_NS, 'shared').length) throw new DavError(400, null, 'unknown lockscope');
  const owner = childElements(root, DAV_NS, 'owner')[0];
  return { scope: exclusive ? 'exclusive' : 'shared', owner: owner ? owner.children.map((c) => (c.kind === 'text' ? escapeText(c.value) : serialise(c))).join('') : null };
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface SyncCollectionRequest {
  token: string;
  level: '1' | 'infinite';
  limit: number | null;
  props: QName[];
}

/**
 * The count of a `limit` element (DAV:limit of RFC 6578, CARDDAV:limit of RFC 6352): a positive
 * integer (RFC 5323 §5.17), else 400. Read loosely, 0 or -1 made every first listing a 507 and
 * `abc` meant no limit at all.
 */
export function nresultsOf(limit: XmlElement | undefined, ns: string): number | null {
  if (!limit) return null;
  const text = textOf(childElements(limit, ns, 'nresults')[0] ?? limit).trim();
  if (!/^[1-9]\d{0,8}$/.test(text)) throw new DavError(400, null, 'nresults must be a positive integer');
  return Number(text);
}

/** RFC 6578 §3.2. */
export function parseSyncCollection(root: XmlElement): SyncCollectionRequest {
  const token = childElements(root, DAV_NS, 'sync-token')[0];
  const level = childElements(root, DAV_NS, 'sync-level')[0];
  const limit = childElements(root, DAV_NS, 'limit')[0];
  const prop = childElements(root, DAV_NS, 'prop')[0];
  const levelText = level ? textOf(level).trim() : '1';
  if (levelText !== '1' && levelText !== 'infinite') throw new DavError(400, null, 'bad sync-level');
  return {
    token: token ? textOf(token).trim() : '',
    level: levelText,
    limit: nresultsOf(limit, DAV_NS),
    props: prop ? childElements(prop).map((e) => ({ ns: e.ns, name: e.name })) : [],
  };
}


const CALDAV_CALENDAR: QName = { ns: 'urn:ietf:params:xml:ns:caldav', name: 'calendar' };

/**
 * MKCALENDAR (RFC 4791 §5.3.1) and extended MKCOL (RFC 5689): the resource types asked for and the
 * properties to set. A plain MKCOL (no body) is null; any other body is 415 as RFC 4918 says.
 */
export function parseMkcol(method: string, root: XmlElement | null): CollectionInit | null {
  const calendar = method === 'MKCALENDAR';
  if (!root) return calendar ? { resourceTypes: [CALDAV_CALENDAR], set: {} } : null;
  const expected = calendar ? CALDAV_CALENDAR.ns : DAV_NS;
  if (root.ns !== expected || root.name !== (calendar ? 'mkcalendar' : 'mkcol')) throw new DavError(415, null, `${method} with an unknown body`);
  const set: Record<string, string> = {};
  const resourceTypes: QName[] = calendar ? [CALDAV_CALENDAR] : [];
  for (const instruction of childElements(root, DAV_NS, 'set')) {
    for (const prop of childElements(instruction, DAV_NS, 'prop')) {
      for (const p of childElements(prop)) {
        if (p.ns === DAV_NS && p.name === 'resourcetype') {
          resourceTypes.push(...childElements(p).filter((t) => !(t.ns === DAV_NS && t.name === 'collection')).map((t) => ({ ns: t.ns, name: t.name })));
        } else {
          set[`{${p.ns}}${p.name}`] = serialise(p);
        }
      }
    }
  }
  return { resourceTypes, set };
}
