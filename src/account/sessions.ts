/**
 * Account page sessions. The browser holds a random id in a signed, HTTP-only cookie; the session
 * itself (whose it is, its CSRF token) lives in the store's key-value with an expiry, under a hash
 * of the id, so signing out ends it for every process of a deployment and a copy of the key-value
 * holds no usable cookie.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyValue } from '../store/ports/index.ts';

export interface Session {
  userId: string;
  tenantId: string;
  /** Sent back in a hidden field of every form that changes something. */
  csrf: string;
}

export const SESSION_TTL_MS = 8 * 3_600_000;
const COOKIE_KEY = 'account:cookie-key';
const HUNDRED_YEARS = 100 * 365 * 86_400_000;

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison of two tokens; false for anything missing. */
export function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || !expected) return false;
  const [a, b] = [createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest()];
  return timingSafeEqual(a, b);
}

/** The key cookies are signed with: made once and kept in the store, so every process shares it. */
export async function cookieKey(kv: KeyValue): Promise<string> {
  await kv.setIfAbsent(COOKIE_KEY, randomToken(), HUNDRED_YEARS);
  const key = await kv.get(COOKIE_KEY);
  if (!key) throw new Error('the cookie signing key could not be stored');
  return key;
}

export class SessionStore {
  #kv: KeyValue;

  constructor(kv: KeyValue) {
    this.#kv = kv;
  }

  /** A new session (a new id at every sign-in, so an id known before it is worth nothing). */
  async create(user: { userId: string; tenantId: string }): Promise<string> {
    const id = randomToken();
    const session: Session = { ...user, csrf: randomToken() };
    await this.#kv.set(this.#key(id), JSON.stringify(session), SESSION_TTL_MS);
    return id;
  }

  async get(id: string): Promise<Session | null> {
    const value = await this.#kv.get(this.#key(id));
    return value ? (JSON.parse(value) as Session) : null;
  }

  end(id: string): Promise<void> {
    return this.#kv.delete(this.#key(id));
  }

  #key(id: string): string {
    return `account:session:${createHash('sha256').update(id).digest('hex')}`;
  }
}
