import { randomUUID } from 'node:crypto';
import type { KeyValue } from '../store/ports/index.ts';
import { DavError } from './errors.ts';
import { dav, davText } from './xml-out.ts';

/**
 * WebDAV write locks (RFC 4918 §6–7), exclusive and shared, depth 0 or infinity, with timeouts.
 * A lock belongs to a key naming the data (the engine's `lockKey`: a decoded path below the
 * space's lock base, e.g. the drive's id for `/tenant/webdav/home/a.txt`), whether or not a
 * resource exists there. Each tenant's locks are one key-value entry, changed under a short
 * lease so processes sharing a store never both grant conflicting locks.
 */
export interface Lock {
  token: string;
  /** The locked key; collections end with '/'. */
  root: string;
  /** The URL the lock was taken on, for DAV:lockroot and 423 answers. */
  href: string;
  depth: 0 | 'infinity';
  scope: 'exclusive' | 'shared';
  /** XML text of the DAV:owner element's content. */
  owner: string | null;
  userId: string;
  timeoutSeconds: number;
  expires: number;
}

const LEASE_MS = 5000;

/** True when `path` is `root` or (for a depth-infinity lock) below it. */
export function covers(lock: Pick<Lock, 'root' | 'depth'>, path: string): boolean {
  const a = trimSlash(lock.root);
  const b = trimSlash(path);
  return a === b || (lock.depth === 'infinity' && b.startsWith(`${a}/`));
}

function below(path: string, root: string): boolean {
  return trimSlash(path).startsWith(`${trimSlash(root)}/`);
}

function trimSlash(path: string): string {
  return path.endsWith('/') ? path.slice(0, -1) : path;
}

export class LockManager {
  readonly #kv: KeyValue;

  constructor(kv: KeyValue) {
    this.#kv = kv;
  }

  /** Live locks of a tenant whose scope touches `path`: covering it, or (with `deep`) below it. */
  async locksFor(tenantId: string, path: string, deep = false): Promise<Lock[]> {
    const locks = await this.#read(tenantId);
    return locks.filter((l) => covers(l, path) || (deep && below(l.root, path)));
  }

  async lock(tenantId: string, request: Omit<Lock, 'token' | 'expires'>): Promise<Lock> {
    return this.#change(tenantId, (locks) => {
      const conflict = locks.find((l) => (covers(l, request.root) || (request.depth === 'infinity' && below(l.root, request.root)))
        && (l.scope === 'exclusive' || request.scope === 'exclusive'));
      if (conflict) throw new DavError(423, 'no-conflicting-lock', 'the resource is locked', { hrefs: [conflict.href] });
      const lock: Lock = { ...request, token: `urn:uuid:${randomUUID()}`, expires: Date.now() + request.timeoutSeconds * 1000 };
      return { locks: [...locks, lock], result: lock };
    });
  }

  /**
   * Refreshes a lock of `userId` that covers `path` and whose token was submitted. Tokens show in
   * lockdiscovery, so another user (a sharee of a calendar) could otherwise keep a lock alive for ever.
   */
  async refresh(tenantId: string, path: string, tokens: Set<string>, timeoutSeconds: number, userId: string): Promise<Lock> {
    return this.#change(tenantId, (locks) => {
      const lock = locks.find((l) => tokens.has(l.token) && covers(l, path) && l.userId === userId);
      if (!lock) throw new DavError(412, 'lock-token-matches-request-uri', 'no submitted lock covers this resource');
      const refreshed = { ...lock, timeoutSeconds, expires: Date.now() + timeoutSeconds * 1000 };
      return { locks: locks.map((l) => (l === lock ? refreshed : l)), result: refreshed };
    });
  }

  async unlock(tenantId: string, path: string, token: string): Promise<void> {
    await this.#change(tenantId, (locks) => {
      const lock = locks.find((l) => l.token === token && covers(l, path));
      if (!lock) throw new DavError(409, 'lock-token-matches-request-uri', 'the lock token does not cover this resource');
      return { locks: locks.filter((l) => l !== lock), result: undefined };
    });
  }

  /** Drops the locks rooted at or below a path that no longer exists (after DELETE or MOVE). */
  async release(tenantId: string, path: string): Promise<void> {
    const locks = await this.#read(tenantId);
    if (!locks.some((l) => trimSlash(l.root) === trimSlash(path) || below(l.root, path))) return;
    await this.#change(tenantId, (current) => ({
      locks: current.filter((l) => !(trimSlash(l.root) === trimSlash(path) || below(l.root, path))),
      result: undefined,
    }));
  }

  async #read(tenantId: string): Promise<Lock[]> {
    const text = await this.#kv.get(`dav-locks:${tenantId}`);
    const now = Date.now();
    return text ? (JSON.parse(text) as Lock[]).filter((l) => l.expires > now) : [];
  }

  async #change<T>(tenantId: string, step: (locks: Lock[]) => { locks: Lock[]; result: T }): Promise<T> {
    const lease = `dav-locks-lease:${tenantId}`;
    const holder = randomUUID();
    for (let attempt = 0; !(await this.#kv.setIfAbsent(lease, holder, LEASE_MS)); attempt++) {
      if (attempt > 200) throw new DavError(503, null, 'lock table busy');
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
    }
    try {
      const { locks, result } = step(await this.#read(tenantId));
      const longest = Math.max(0, ...locks.map((l) => l.expires - Date.now()));
      if (locks.length) await this.#kv.set(`dav-locks:${tenantId}`, JSON.stringify(locks), longest + 60_000);
      else await this.#kv.delete(`dav-locks:${tenantId}`);
      return result;
    } finally {
      if ((await this.#kv.get(lease)) === holder) await this.#kv.delete(lease);
    }
  }
}

/** The DAV:activelock element of a lock, with its remaining time. */
export function activeLock(lock: Lock): string {
  return dav('activelock',
    dav('locktype', dav('write')) + dav('lockscope', dav(lock.scope)) + davText('depth', lock.depth === 0 ? '0' : 'infinity')
    + (lock.owner !== null ? dav('owner', lock.owner) : '') + davText('timeout', `Second-${Math.max(0, Math.round((lock.expires - Date.now()) / 1000))}`)
    + dav('locktoken', davText('href', lock.token)) + dav('lockroot', davText('href', lock.href)));
}
