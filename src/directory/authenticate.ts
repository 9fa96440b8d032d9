import { createHash, timingSafeEqual } from 'node:crypto';
import type { DirectoryStore, Protocol, UserRecord } from '../store/ports/index.ts';
import { normaliseAddress } from './addresses.ts';
import { addressClaims, BearerVerifier, unverifiedAddresses } from './bearer.ts';
import type { AppPasswordService } from './credentials.ts';
import { AuthError } from './errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { AuthContext, Principal } from './principal.ts';
import type { LoginThrottle } from './throttle.ts';

export interface Credentials {
  /** The address the client logs in as; optional for a bearer token that names its user. */
  login?: string;
  secret: string;
  kind: 'password' | 'bearer';
  context: AuthContext;
  /** The client's address, for throttling and the app password's last use. */
  ip: string | null;
}

interface CachedPassword {
  digest: Buffer;
  passwordHash: string;
  expires: number;
}

const TOUCH_INTERVAL_MS = 60_000;

/** The one place every front checks a login. */
export class Authenticator {
  #store: DirectoryStore;
  #appPasswords: AppPasswordService;
  #throttle: LoginThrottle;
  #bearer = new BearerVerifier();
  #cacheMs: number;
  #cache = new Map<string, CachedPassword>();
  #touched = new Map<string, number>();
  #dummyHash: Promise<string> | null = null;

  constructor(store: DirectoryStore, appPasswords: AppPasswordService, throttle: LoginThrottle, passwordCacheMs: number) {
    this.#store = store;
    this.#appPasswords = appPasswords;
    this.#throttle = throttle;
    this.#cacheMs = passwordCacheMs;
  }

  async authenticate(credentials: Credentials): Promise<Principal> {
    const login = credentials.login ? normaliseAddress(credentials.login) : (unverifiedAddresses(credentials.secret)[0] ?? '');
    const wait = await this.#throttle.delayFor(credentials.ip, login);
    if (wait > 0) throw new AuthError('throttled', Math.ceil(wait / 1000));
    const principal = credentials.kind === 'bearer'
      ? await this.#checkBearer(login, credentials.secret)
      : await this.#checkPassword(login, credentials);
    if (!principal) {
      await this.#throttle.failure(credentials.ip, login);
      throw new AuthError('invalid');
    }
    await this.#throttle.success(credentials.ip, login);
    return principal;
  }

  async #checkPassword(login: string, credentials: Credentials): Promise<Principal | null> {
    const user = login ? await this.#liveUser(login) : null;
    if (!user) {
      // Spend the same time as a real check, so timing does not tell which logins exist.
      await verifyPassword(credentials.secret, await this.#dummy());
      return null;
    }
    const app = credentials.context === 'account' ? null : await this.#appPasswords.find(credentials.secret);
    if (app) {
      if (app.userId !== user.id || !app.scopes.includes(credentials.context as Protocol)) return null;
      this.#touch(app.id, credentials.ip);
      return { userId: user.id, tenantId: user.tenantId, address: user.userName, via: 'app-password', appPasswordId: app.id };
    }
    if (!user.passwordHash || (user.ssoOnly && !(await this.#ssoUserMayUsePassword(user, credentials.context)))) return null;
    if (!(await this.#passwordMatches(user, credentials.secret))) return null;
    return { userId: user.id, tenantId: user.tenantId, address: user.userName, via: 'password' };
  }

  async #checkBearer(login: string, token: string): Promise<Principal | null> {
    const user = login ? await this.#liveUser(login) : null;
    if (!user) return null;
    const tenant = await this.#store.getTenant(user.tenantId);
    if (!tenant?.settings.oauth) return null;
    const payload = await this.#bearer.verify(token, tenant.settings.oauth);
    if (!payload || !addressClaims(payload).some((a) => user.addresses.includes(a))) return null;
    return { userId: user.id, tenantId: user.tenantId, address: user.userName, via: 'bearer' };
  }

  /**
   * SSO-only users sign in through their identity provider. Only the account page takes their
   * password, and only while the tenant has no OpenID Connect sign-in: it is where they make the
   * app passwords their devices need, and without OIDC they would have no way in at all.
   */
  async #ssoUserMayUsePassword(user: UserRecord, context: Credentials['context']): Promise<boolean> {
    if (context !== 'account') return false;
    return !(await this.#store.getTenant(user.tenantId))?.settings.oidc;
  }

  async #liveUser(address: string): Promise<UserRecord | null> {
    const user = await this.#store.findUserByAddress(address);
    return user && user.active && !user.deletedAt ? user : null;
  }

  async #passwordMatches(user: UserRecord, secret: string): Promise<boolean> {
    const digest = createHash('sha256').update(secret).digest();
    const cached = this.#cache.get(user.id);
    if (cached && cached.passwordHash === user.passwordHash && cached.expires > Date.now() && timingSafeEqual(cached.digest, digest)) return true;
    if (!user.passwordHash || !(await verifyPassword(secret, user.passwordHash))) return false;
    if (this.#cacheMs > 0) this.#cache.set(user.id, { digest, passwordHash: user.passwordHash, expires: Date.now() + this.#cacheMs });
    return true;
  }

  /** Last use is recorded at most once a minute per app password: DAV clients log in on every request. */
  #touch(id: string, ip: string | null): void {
    const now = Date.now();
    if ((this.#touched.get(id) ?? 0) > now - TOUCH_INTERVAL_MS) return;
    this.#touched.set(id, now);
    this.#store.touchAppPassword(id, new Date(now).toISOString(), ip).catch(() => this.#touched.delete(id));
  }

  #dummy(): Promise<string> {
    this.#dummyHash ??= hashPassword('not a password of anyone');
    return this.#dummyHash;
  }
}
