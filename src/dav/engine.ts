import type { Readable } from 'node:stream';
import { escapeXml } from '../autoconfig/xml-write.ts';
import type { XmlElement } from '../xml/parse.ts';
import { parseBody, parseLockInfo, parseMkcol, parsePropfind, parsePropPatch, parseSyncCollection } from './bodies.ts';
import { byteRange, checkPreconditions } from './conditions.ts';
import { DavError } from './errors.ts';
import { destinationPath, parseDepth, parseLockToken, parseOverwrite, parseTimeout } from './headers.ts';
import { evaluateIf, parseIfHeader, submittedTokens, type IfList } from './if-header.ts';
import { activeLock, covers, type Lock, type LockManager } from './locks.ts';
import { hrefOf, lockPath, memberHref, pathSegments } from './paths.ts';
import { liveProps, PropRenderer, SYNC_PREFIX } from './properties.ts';
import { emptyProp, PropResponses, type At } from './prop-responses.ts';
import type { DavResource, DavSpace } from './resource.ts';
import { clark, dav, davText, document, documentStream, element, parseClark, propResponse, statusResponse, DAV_NS, type QName } from './xml-out.ts';

export interface Located {
  space: DavSpace;
  /** Segments of the full path that lead to the space's root. */
  base: string[];
  /**
   * Where the space's locks live, when its URL does not name its data alone: every user's
   * `/{tenant}/webdav/home/` is a different drive, so their locks must not meet. Defaults to `base`.
   */
  lockBase?: string[];
  /**
   * The user owns everything in the space, so may remove anyone's lock in it (RFC 3744 DAV:unlock):
   * a sharee's lock on the owner's calendar outlives the share, and would lock the owner out.
   */
  owned?: boolean;
}

/** What the engine needs from the front for one authenticated request. */
export interface DavSite {
  tenantId: string;
  userId: string;
  principalHref: string;
  /** The space a full decoded path falls in, or null when it is outside every space (404). */
  locate(segments: string[]): Promise<Located | null>;
}

export interface DavRequest {
  method: string;
  /** The request path (no query), still percent-encoded. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  host: string | undefined;
  body: Readable;
  /** The largest body accepted for a PUT (413 beyond). */
  maxPutBytes: number;
}

export interface DavResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string | Readable | null;
}

export const DAV_METHODS = ['OPTIONS', 'GET', 'HEAD', 'PUT', 'DELETE', 'MKCOL', 'COPY', 'MOVE', 'PROPFIND', 'PROPPATCH', 'LOCK', 'UNLOCK', 'REPORT', 'MKCALENDAR'];
const XML = 'application/xml; charset=utf-8';
const MAX_XML_BODY = 1024 * 1024;

interface Target {
  segments: string[];
  located: Located;
  /** Path inside the space. */
  path: string[];
  resource: DavResource | null;
  /** The target's key in the lock table (see `Located.lockBase`). */
  lockKey: string;
}

/**
 * The DAV engine: one request in, one response out, for any resource kind behind `DavSpace`.
 * RFC 4918 class 1 and 2 (with the full If header), RFC 4331 quota, RFC 6578 sync-collection and
 * the read side of RFC 3744. Calendars and address books add their spaces and REPORTs on top.
 */
export class DavEngine {
  readonly #locks: LockManager;
  /** The most changes one sync-collection answer names (RFC 6578 §3.6). */
  readonly #syncMaxChanges: number;

  constructor(locks: LockManager, options: { syncMaxChanges: number }) {
    this.#locks = locks;
    this.#syncMaxChanges = options.syncMaxChanges;
  }

  async handle(site: DavSite, request: DavRequest): Promise<DavResponse> {
    try {
      return await this.#dispatch(site, request);
    } catch (err) {
      if (err instanceof DavError) return errorResponse(err);
      throw err;
    }
  }

  async #dispatch(site: DavSite, request: DavRequest): Promise<DavResponse> {
    const target = await this.#target(site, request.path);
    switch (request.method) {
      case 'OPTIONS': return options();
      case 'GET': case 'HEAD': return this.#get(site, request, target);
      case 'PUT': return this.#put(site, request, target);
      case 'DELETE': return this.#delete(site, request, target);
      case 'MKCOL': case 'MKCALENDAR': return this.#mkcol(site, request, target);
      case 'COPY': case 'MOVE': return this.#transfer(site, request, target);
      case 'PROPFIND': return this.#propfind(site, request, target);
      case 'PROPPATCH': return this.#proppatch(site, request, target);
      case 'LOCK': return this.#lock(site, request, target);
      case 'UNLOCK': return this.#unlock(site, request, target);
      case 'REPORT': return this.#report(site, request, target);
      case 'POST': return this.#post(site, request, target);
      default: throw new DavError(request.method === 'PATCH' ? 405 : 501, null, `${request.method} is not supported here`, { headers: { allow: DAV_METHODS.join(', ') } });
    }
  }

  /** `outside` is the answer for a path in no space: 404 for the request URI, 403 for a Destination. */
  async #target(site: DavSite, rawPath: string, outside = 404): Promise<Target> {
    const segments = pathSegments(rawPath);
    const located = await site.locate(segments);
    if (!located) throw new DavError(outside, null, 'outside every space this user can reach');
    const path = segments.slice(located.base.length);
    return { segments, located, path, resource: await located.space.find(path), lockKey: lockKeyOf(located, path) };
  }

  async #get(site: DavSite, request: DavRequest, target: Target): Promise<DavResponse> {
    const resource = target.resource;
    if (!resource) throw new DavError(404);
    // The If header constrains every method (RFC 4918 §10.4), reads included.
    await this.#ifLists(site, request, target);
    const headers = entityHeaders(resource);
    if (checkPreconditions(request.headers, resource, true) === 304) return { status: 304, headers: pick(headers, ['etag', 'last-modified']), body: null };
    if (resource.collection) {
      // A short listing, so a browser pointed at a drive sees something useful.
      const members = await target.located.space.list(target.path);
      const items = members.map(({ name, resource: r }) => `<li><a href="${escapeXml(hrefOf([...target.segments, name], r.collection))}">${escapeXml(name)}${r.collection ? '/' : ''}</a></li>`).join('');
      return { status: 200, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' }, body: `<!doctype html><title>${escapeXml(target.segments.join('/'))}</title><ul>${items}</ul>\n` };
    }
    const size = resource.contentLength ?? 0;
    headers['accept-ranges'] = 'bytes';
    const range = byteRange(request.headers, resource);
    if (range) {
      headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
      headers['content-length'] = String(range.end - range.start + 1);
    }
    const body = request.method === 'HEAD' ? null : await target.located.space.read(target.path, range ?? undefined);
    return { status: range ? 206 : 200, headers, body };
  }

  async #put(site: DavSite, request: DavRequest, target: Target): Promise<DavResponse> {
    if (request.headers['content-range'] !== undefined) throw new DavError(400, null, 'Content-Range is not allowed on PUT');
    if (target.resource?.collection) throw new DavError(405, null, 'cannot PUT to a collection');
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > request.maxPutBytes) throw new DavError(413, null, 'file too large');
    await this.#checkWrite(site, request, target, { member: !target.resource });
    checkPreconditions(request.headers, target.resource, false);
    const contentType = typeof request.headers['content-type'] === 'string' ? request.headers['content-type'] : null;
    const { created, resource } = await target.located.space.put(target.path, request.body, contentType);
    return { status: created ? 201 : 204, headers: resource.etag ? { etag: `"${resource.etag}"` } : {}, body: null };
  }

  async #delete(site: DavSite, request: DavRequest, target: Target): Promise<DavResponse> {
    if (!target.resource) throw new DavError(404);
    if (target.resource.collection && parseDepth(header(request, 'depth')) !== 'infinity') throw new DavError(400, null, 'DELETE of a collection needs Depth: infinity');
    if (!target.path.length) return this.#detach(site, request, target);
    await this.#checkWrite(site, request, target, { member: true, deep: true });
    checkPreconditions(request.headers, target.resource, false);
    await target.located.space.remove(target.path);
    await this.#locks.release(site.tenantId, target.lockKey);
    return { status: 204, headers: {}, body: null };
  }

  /** DELETE of a space's root: only a mounted view goes (its data stays), and a read-only one too. */
  async #detach(site: DavSite, request: DavRequest, target: Target): Promise<DavResponse> {
    const space = target.located.space;
    if (!space.detach) throw new DavError(403, null, 'a drive itself cannot be deleted');
    await this.#ifLists(site, request, target);
    checkPreconditions(request.headers, target.resource, false);
    await space.detach();
    return { status: 204, headers: {}, body: null };
  }

  async #post(site: DavSite, request: DavRequest, target: Target): Promise<DavResponse> {
    if (!target.located.space.post) throw new DavError(405, null, 'POST is not supported here', { headers: { allow: DAV_METHODS.join(', ') } });
    const body = parseBody(await readText(request));
    if (!target.resource) throw new DavError(404);
    await this.#checkWrite(site, request, target, {});
    await target.located.space.post!(target.path, body);
    return { status: 200, headers: { 'content-length': '0' }, body: null };
  }

  async #mkcol(site: DavSite, request: DavRequest, target: Target): Promise<DavResponse> {
    // RFC 4918 §9.3: a body MKCOL does not understand is 415, malformed XML included.
    const root = await readText(request).then(parseBody).catch((err: unknown) => {
      throw err instanceof DavError && err.status === 400 ? new DavError(415, null, 'MKCOL with a body that is not XML') : err;
    });
    const init = parseMkcol(request.method, root);
    if (target.resource) throw new DavError(405, null, 'already exists', { headers: { allow: allowFor(target.resource) } });
    await this.#checkWrite(site, request, target, { member: true });
    await target.located.space.mkcol(target.path, init ?? undefined);
    return { status: 201, headers: {}, body: null };
  }

  async #transfer(site: DavSite, request: DavRequest, source: Target): Promise<DavResponse> {
    const move = request.method === 'MOVE';
    if (!source.resource) throw new DavError(404);
    const depth = parseDepth(header(request, 'depth'));
    if (source.resource.collection && (depth === 1 || (move && depth !== 'infinity'))) throw new DavError(400, null, `${request.method} of a collection needs Depth: infinity${move ? '' : ' or 0'}`);
    const overwrite = parseOverwrite(header(request, 'overwrite'));
    const destination = await this.#target(site, destinationPath(header(request, 'destination'), request.host), 403);
    const from = source.lockKey;
    const to = destination.lockKey;
    if (from === to) throw new DavError(403, null, 'source and destination are the same');
    if (source.resource.collection && to.startsWith(`${from}/`)) throw new DavError(403, null, 'cannot copy a collection into itself');
    // Overwriting an ancestor would delete the source before it is copied.
    if (from.startsWith(`${to}/`)) throw new DavError(403, null, 'the destination contains the source');
    if (move && !source.path.length) throw new DavError(403, null, 'a drive itself cannot be moved');
    const ifLists = await this.#ifLists(site, request, source);
    if (move) await this.#requireTokens(site, source, ifLists, { member: true, deep: true });
    await this.#requireTokens(site, destination, ifLists, { member: true, deep: true });
    if (!destination.located.space.writable) throw new DavError(403, null, 'the destination is read-only');
    if (destination.located.space.accepts?.(destination.path, source.resource.collection) === false) throw new DavError(403, null, 'the destination cannot hold this resource');
    // A MOVE removes the source: out of a read-only view (a calendar shared for reading) it would delete the owner's data.
    if (move && !source.located.space.writable) throw new DavError(403, 'need-privileges', 'the source is read-only');
    // A file over a file is replaced in one write, so a copy that fails (quota, crash) keeps the destination.
    const replace = !source.resource.collection && destination.resource?.collection === false;
    if (destination.resource && !overwrite) throw new DavError(412, null, 'the destination exists and Overwrite is F');
    if (destination.resource && !replace) await destination.located.space.remove(destination.path);
    const sameSpace = source.located.space === destination.located.space;
    if (replace) {
      await copyAcross(source.located.space, source.path, destination.located.space, destination.path, false, destination.resource!.deadProps);
      if (move) await source.located.space.remove(source.path);
    } else if (move && sameSpace) {
      await source.located.space.move(source.path, destination.path);
    } else if (move) {
      await copyAcross(source.located.space, source.path, destination.located.space, destination.path, true);
      await source.located.space.remove(source.path);
    } else if (sameSpace) {
      await source.located.space.copy(source.path, destination.path, depth === 'infinity');
    } else {
      await copyAcross(source.located.space, source.path, destination.located.space, destination.path, depth === 'infinity');
    }
    if (destination.resource) await this.#locks.release(site.tenantId, to);
    if (move) await this.#locks.release(site.tenantId, from);
    return { status: destination.resource ? 204 : 201, headers: {}, body: null };
  }

  async #propfind(site: DavSite, request: DavRequest, target: Target): Promise<DavResponse> {
    const depth = parseDepth(header(request, 'depth'));
    if (depth === 'infinity') throw new DavError(403, 'propfind-finite-depth', 'Depth: infinity is not supported');
    const what = parsePropfind(parseBody(await readText(request)));
    const resource = target.resource;
    if (!resource) throw new DavError(404);
    await this.#ifLists(site, request, target);
    const responses = new PropResponses(await this.#propContext(site, target.located.space), what);
    const href = hrefOf(target.segments, resource.collection);
    // Read before the 207 is sent, so a failing store still gets an error status.
    const members = depth === 1 && resource.collection ? await target.located.space.list(target.path) : [];
    return multistatus(function* () {
      yield responses.response({ href, lockKey: () => target.lockKey, path: () => target.path }, resource);
      for (const { name, resource: r } of members) yield responses.response(member(target, href, name, r), r);
    }());
  }

  async #proppatch(site: DavSite, request: DavRequest, target: Target): Promise<DavResponse> {
    const ops = parsePropPatch(parseBody(await readText(request)));
    if (!target.resource) throw new DavError(404);
    if (target.located.space.ownProps?.(target.path)) await this.#requireTokens(site, target, await this.#ifLists(site, request, target), {});
    else await this.#checkWrite(site, request, target, {});
    const live = new Set(liveProps(target.resource).map(clark));
    const refused = ops.filter((op) => live.has(clark(op.name)));
    const byStatus = new Map<number, string[]>();
    if (refused.length) {
      const refusedKeys = new Set(refused.map((op) => clark(op.name)));
      const propsOf = (keep: (op: (typeof ops)[number]) => boolean) => ops.filter(keep).map((op) => emptyProp(op.name));
      byStatus.set(403, propsOf((op) => refusedKeys.has(clark(op.name))));
      byStatus.set(424, propsOf((op) => !refusedKeys.has(clark(op.name))));
      const response = propResponse(hrefOf(target.segments, target.resource.collection), byStatus)
        .replace('</D:propstat>', `${dav('error', dav('cannot-modify-protected-property'))}</D:propstat>`);
      return multistatus(response);
    }
    const set: Record<string, string> = {};
    const remove: string[] = [];
    for (const op of ops) {
      const key = clark(op.name);
      if (op.value === null) {
        delete set[key];
        remove.push(key);
      } else {
        set[key] = op.value;
      }
    }
    await target.located.space.patch(target.path, set, remove.filter((key) => !(key in set)));
    byStatus.set(200, ops.map((op) => emptyProp(op.name)));
    return multistatus(propResponse(hrefOf(target.segments, target.resource.collection), byStatus));
  }

  async #lock(site: DavSite, request: DavRequest, target: Target): Promise<DavResponse> {
    const info = parseLockInfo(parseBody(await readText(request)));
    const timeout = parseTimeout(header(request, 'timeout'));
    const path = target.lockKey;
    if (!info) {
      const ifHeader = header(request, 'if');
      if (!ifHeader) throw new DavError(400, null, 'a lock refresh needs an If header with the lock token');
      const lock = await this.#locks.refresh(site.tenantId, path, submittedTokens(parseIfHeader(ifHeader)), timeout, site.userId);
      return lockAnswer(200, lock, {});
    }
    const depth = parseDepth(header(request, 'depth'));
    if (depth === 1) throw new DavError(400, null, 'LOCK Depth must be 0 or infinity');
    if (!target.located.space.writable) throw new DavError(403, null, 'read-only');
    const ifLists = await this.#ifLists(site, request, target);
    if (!target.resource) await this.#requireTokens(site, target, ifLists, { member: true });
    const lock = await this.#locks.lock(site.tenantId, {
      root: path, href: hrefOf(target.segments, target.resource?.collection ?? false), depth: depth === 0 ? 0 : 'infinity', scope: info.scope, owner: info.owner, userId: site.userId, timeoutSeconds: timeout,
    });
    if (target.resource) return lockAnswer(200, lock, { 'lock-token': `<${lock.token}>` });
    // A lock on an unmapped URL creates an empty resource (RFC 4918 §7.3).
    try {
      await target.located.space.put(target.path, emptyBody(), null);
    } catch (err) {
      await this.#locks.unlock(site.tenantId, path, lock.token);
      throw err;
    }
    return lockAnswer(201, lock, { 'lock-token': `<${lock.token}>` });
  }

  async #unlock(site: DavSite, request: DavRequest, target: Target): Promise<DavResponse> {
    const token = parseLockToken(header(request, 'lock-token'));
    const locks = await this.#locks.locksFor(site.tenantId, target.lockKey);
    const lock = locks.find((l) => l.token === token);
    if (lock && lock.userId !== site.userId && !target.located.owned) throw new DavError(403, null, 'the lock belongs to someone else');
    await this.#locks.unlock(site.tenantId, target.lockKey, token);
    return { status: 204, headers: {}, body: null };
  }

  async #report(site: DavSite, request: DavRequest, target: Target): Promise<DavResponse> {
    const root = parseBody(await readText(request));
    if (!root) throw new DavError(400, null, 'REPORT needs a body');
    if (!target.resource) throw new DavError(404);
    if (root.ns === DAV_NS && root.name === 'sync-collection') return this.#syncCollection(site, target, root);
    const space = target.located.space;
    const context = await this.#propContext(site, space);
    const base = target.located.base;
    const plans = new Map<QName[], PropResponses>();
    const inner = await space.report?.(target.path, root, {
      pathOf(href) {
        let segments: string[];
        try {
          segments = pathSegments(destinationPath(href, request.host));
        } catch (err) {
          // An href on another host or with bad escapes names nothing here: that one answers 404, not the request.
          if (err instanceof DavError) return null;
          throw err;
        }
        return segments.length >= base.length && base.every((s, i) => s === segments[i]) ? segments.slice(base.length) : null;
      },
      respond: async (path, resource, props) => {
        const segments = [...base, ...path];
        // A report asks the same properties of every object: one plan per list of names.
        let responses = plans.get(props);
        if (!responses) plans.set(props, responses = new PropResponses(context, { kind: 'prop', props }));
        return responses.response({ href: hrefOf(segments, resource.collection), lockKey: () => lockKeyOf(target.located, path), path: () => path }, resource);
      },
      missing: (href) => statusResponse(href, 404),
      truncated: () => statusResponse(hrefOf(target.segments, true), 507, 'number-of-matches-within-limits'),
    });
    if (inner === null || inner === undefined) throw new DavError(403, 'supported-report', 'unsupported report');
    if (typeof inner !== 'string') return { status: inner.status, headers: { 'content-type': inner.contentType }, body: inner.body };
    return multistatus(inner);
  }

  async #syncCollection(site: DavSite, target: Target, root: XmlElement): Promise<DavResponse> {
    const sync = parseSyncCollection(root);
    const space = target.located.space;
    if (!target.resource?.collection) throw new DavError(403, 'supported-report', 'sync-collection needs a collection');
    if (sync.level !== '1') throw new DavError(403, 'supported-report', 'only sync-level 1');
    const responses = new PropResponses(await this.#propContext(site, space), { kind: 'prop', props: sync.props });
    const href = hrefOf(target.segments, true);
    const found: Array<{ name: string; resource: DavResource }> = [];
    const removed: string[] = [];
    let token: string | null;
    let truncated = false;
    if (!sync.token) {
      token = await space.syncToken(target.path);
      found.push(...await space.list(target.path));
      // The first listing has no journal position to resume from, so it cannot be cut short.
      if (sync.limit !== null && found.length > sync.limit) throw new DavError(507, 'number-of-matches-within-limits', 'the collection has more members than the limit');
    } else {
      const limit = Math.min(this.#syncMaxChanges, sync.limit ?? Infinity);
      const delta = sync.token.startsWith(SYNC_PREFIX) ? await space.changesSince(target.path, sync.token.slice(SYNC_PREFIX.length), limit) : null;
      if (!delta) throw new DavError(403, 'valid-sync-token', 'the sync token is not valid here');
      token = delta.token;
      truncated = delta.truncated;
      for (const name of delta.changed) {
        const resource = await space.find([...target.path, name]);
        if (resource) found.push({ name, resource });
      }
      removed.push(...delta.removed);
    }
    if (token === null) throw new DavError(403, 'supported-report', 'this collection has no sync token');
    return multistatus(function* () {
      for (const { name, resource } of found) yield responses.response(member(target, href, name, resource), resource);
      for (const name of removed) yield statusResponse(hrefOf([...target.segments, name], false), 404);
      // RFC 6578 §3.6: the request-URI with 507 says more changes follow the returned token.
      if (truncated) yield statusResponse(href, 507, 'number-of-matches-within-limits');
      yield davText('sync-token', `${SYNC_PREFIX}${token}`);
    }());
  }

  async #propContext(site: DavSite, space: DavSpace): Promise<PropRenderer> {
    return new PropRenderer({
      principalHref: site.principalHref,
      space,
      quota: await space.quota(),
      locks: await this.#locks.locksFor(site.tenantId, '/', true),
    });
  }

  async #ifLists(site: DavSite, request: DavRequest, target: Target): Promise<IfList[]> {
    const value = header(request, 'if');
    if (!value) return [];
    const lists = parseIfHeader(value);
    const ok = await evaluateIf(lists, async (resource) => {
      // A tag naming another server, or nothing this user can reach, is a resource without state: its condition is false.
      const t = resource === null ? target : await Promise.resolve().then(() => this.#target(site, destinationPath(resource, request.host))).catch(() => null);
      if (!t) return { etag: null, tokens: new Set() };
      const locks = await this.#locks.locksFor(site.tenantId, t.lockKey);
      return { etag: t.resource?.etag ? `"${t.resource.etag}"` : null, tokens: new Set(locks.map((l) => l.token)) };
    });
    if (!ok) throw new DavError(412, null, 'the If header does not match');
    return lists;
  }

  /** If header, lock tokens and writability for a write to the target. */
  async #checkWrite(site: DavSite, request: DavRequest, target: Target, scope: { member?: boolean; deep?: boolean }): Promise<void> {
    if (!target.located.space.writable) throw new DavError(403, 'need-privileges', 'read-only');
    await this.#requireTokens(site, target, await this.#ifLists(site, request, target), scope);
  }

  /**
   * 423 unless every lock the write touches was submitted by its owner: locks covering the target,
   * those on its parent when membership changes (`member`), those below it for a subtree (`deep`).
   */
  async #requireTokens(site: DavSite, target: Target, ifLists: IfList[], scope: { member?: boolean; deep?: boolean }): Promise<void> {
    const submitted = submittedTokens(ifLists);
    const touched: Lock[] = await this.#locks.locksFor(site.tenantId, target.lockKey, scope.deep ?? false);
    if (scope.member && target.segments.length > 1) {
      // A space's root has its parent in another space, whose locks are keyed by URL.
      const parent = target.path.length ? lockKeyOf(target.located, target.path.slice(0, -1)) : lockPath(target.segments.slice(0, -1));
      touched.push(...(await this.#locks.locksFor(site.tenantId, parent)).filter((l) => covers(l, parent)));
    }
    const missing = touched.find((l) => !submitted.has(l.token) || l.userId !== site.userId);
    if (missing) throw new DavError(423, 'lock-token-submitted', 'the resource is locked', { hrefs: [missing.href] });
  }
}

function member(parent: Target, parentHref: string, name: string, resource: DavResource): At {
  return { href: memberHref(parentHref, name, resource.collection), lockKey: () => lockKeyOf(parent.located, [...parent.path, name]), path: () => [...parent.path, name] };
}

function lockKeyOf(located: Located, path: string[]): string {
  return lockPath([...(located.lockBase ?? located.base), ...path]);
}

/** `replacedProps`: the dead properties of a file being overwritten, dropped unless the source has them too. */
async function copyAcross(from: DavSpace, fromPath: string[], to: DavSpace, toPath: string[], deep: boolean, replacedProps: Record<string, string> = {}): Promise<void> {
  const resource = await from.find(fromPath);
  if (!resource) throw new DavError(404);
  if (resource.collection) {
    await to.mkcol(toPath);
    if (deep) for (const { name } of await from.list(fromPath)) await copyAcross(from, [...fromPath, name], to, [...toPath, name], true);
  } else {
    await to.put(toPath, await from.read(fromPath), resource.contentType);
  }
  const props = resource.deadProps;
  const stale = Object.keys(replacedProps).filter((key) => !(key in props));
  if (Object.keys(props).length || stale.length) await to.patch(toPath, props, stale);
}

export function options(): DavResponse {
  return {
    status: 200,
    headers: { dav: '1, 2, 3, access-control, calendar-access, addressbook, extended-mkcol, calendarserver-sharing, resource-sharing', 'ms-author-via': 'DAV', allow: DAV_METHODS.join(', '), 'content-length': '0' },
    body: null,
  };
}

function allowFor(resource: DavResource): string {
  return DAV_METHODS.filter((m) => m !== 'MKCOL' && !(resource.collection && m === 'PUT')).join(', ');
}

function entityHeaders(resource: DavResource): Record<string, string> {
  const headers: Record<string, string> = { 'last-modified': resource.lastModified.toUTCString() };
  if (resource.etag) headers.etag = `"${resource.etag}"`;
  if (!resource.collection) {
    headers['content-type'] = resource.contentType ?? 'application/octet-stream';
    headers['content-length'] = String(resource.contentLength ?? 0);
  }
  return headers;
}

function pick(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(names.filter((n) => headers[n] !== undefined).map((n) => [n, headers[n]!]));
}

function header(request: DavRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function multistatus(inner: string | Iterable<string | Promise<string>>): DavResponse {
  return { status: 207, headers: { 'content-type': XML }, body: typeof inner === 'string' ? document('multistatus', inner) : documentStream('multistatus', inner) };
}

function lockAnswer(status: number, lock: Lock, headers: Record<string, string>): DavResponse {
  return { status, headers: { ...headers, 'content-type': XML }, body: document('prop', dav('lockdiscovery', activeLock(lock))) };
}

export function errorResponse(err: DavError): DavResponse {
  const headers = { ...err.headers };
  if (!err.condition) return { status: err.status, headers, body: null };
  const hrefs = err.hrefs.map((h) => davText('href', h)).join('');
  const condition = err.condition.startsWith('{') ? parseClark(err.condition) : { ns: DAV_NS, name: err.condition };
  return { status: err.status, headers: { ...headers, 'content-type': XML }, body: document('error', element(condition, hrefs)) };
}

async function readText(request: DavRequest): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_XML_BODY) throw new DavError(413, null, 'request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}


async function* emptyBody(): AsyncIterable<Uint8Array> {
  // Nothing to yield: an empty resource.
}

