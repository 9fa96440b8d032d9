import { randomUUID } from 'node:crypto';
import type { DirectoryStore, OAuthSettings, OidcSettings, TenantRecord, TenantSettings } from '../store/ports/index.ts';
import { ConflictError } from '../store/ports/index.ts';
import { domainOf, isDomainName } from './addresses.ts';
import { DirectoryError } from './errors.ts';
import { newScimToken } from './tokens.ts';

/** Tenant slugs are path segments: they may not shadow a route of Stoa's own. */
export const RESERVED_SLUGS = new Set([
  'account', 'api', 'autoconfig', 'autodiscover', 'calendar', 'contacts', 'dav', 'files', 'healthz',
  'mail', 'principals', 'scim', 'static', 'webdav', 'well-known', '.well-known', 'admin', 'login', 'logout',
]);
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export class TenantService {
  #store: DirectoryStore;
  #hash: (token: string) => string;

  constructor(store: DirectoryStore, hash: (token: string) => string) {
    this.#store = store;
    this.#hash = hash;
  }

  async add(slug: string, name = slug): Promise<TenantRecord> {
    const normalised = slug.toLowerCase();
    if (!SLUG.test(normalised)) throw new DirectoryError('invalidValue', `"${slug}" is not a valid tenant name (letters, digits and dashes)`);
    if (RESERVED_SLUGS.has(normalised)) throw new DirectoryError('routeConflict', `"${slug}" is reserved for a route of Stoa`);
    const tenant: TenantRecord = { id: randomUUID(), slug: normalised, name, settings: {}, createdAt: new Date().toISOString() };
    try {
      await this.#store.createTenant(tenant);
    } catch (err) {
      if (err instanceof ConflictError) throw new DirectoryError('uniqueness', `tenant "${slug}" exists already`);
      throw err;
    }
    return tenant;
  }

  async require(slug: string): Promise<TenantRecord> {
    const tenant = await this.#store.getTenantBySlug(slug.toLowerCase());
    if (!tenant) throw new DirectoryError('notFound', `no tenant "${slug}"`);
    return tenant;
  }

  bySlug(slug: string): Promise<TenantRecord | null> {
    return this.#store.getTenantBySlug(slug.toLowerCase());
  }

  byId(id: string): Promise<TenantRecord | null> {
    return this.#store.getTenant(id);
  }

  /** The tenant owning an address's domain, or null. */
  async ofAddress(address: string): Promise<TenantRecord | null> {
    const domain = domainOf(address);
    const record = domain ? await this.#store.getDomain(domain) : null;
    return record ? this.#store.getTenant(record.tenantId) : null;
  }

  list(): Promise<TenantRecord[]> {
    return this.#store.listTenants();
  }

  setOAuth(slug: string, oauth: OAuthSettings | null): Promise<TenantRecord> {
    return this.#setting(slug, 'oauth', oauth);
  }

  setOidc(slug: string, oidc: OidcSettings | null): Promise<TenantRecord> {
    return this.#setting(slug, 'oidc', oidc);
  }

  async #setting<K extends keyof TenantSettings>(slug: string, key: K, value: TenantSettings[K] | null): Promise<TenantRecord> {
    const tenant = await this.require(slug);
    const settings = { ...tenant.settings };
    if (value) settings[key] = value;
    else delete settings[key];
    const updated = { ...tenant, settings };
    await this.#store.updateTenant(updated);
    return updated;
  }

  async addDomain(slug: string, domain: string): Promise<void> {
    const tenant = await this.require(slug);
    const name = domain.trim().toLowerCase();
    if (!isDomainName(name)) throw new DirectoryError('invalidValue', `"${domain}" is not a domain name`);
    try {
      await this.#store.addDomain({ name, tenantId: tenant.id, createdAt: new Date().toISOString() });
    } catch (err) {
      if (err instanceof ConflictError) throw new DirectoryError('uniqueness', `domain ${name} belongs to a tenant already`);
      throw err;
    }
  }

  async domains(tenantId: string): Promise<string[]> {
    return (await this.#store.listDomains(tenantId)).map((d) => d.name);
  }

  /** A new bearer token for the tenant's SCIM endpoint; only its hash is kept. */
  async mintScimToken(slug: string): Promise<string> {
    const tenant = await this.require(slug);
    const token = newScimToken();
    await this.#store.addScimToken({ id: randomUUID(), tenantId: tenant.id, hash: this.#hash(token), createdAt: new Date().toISOString(), revokedAt: null });
    return token;
  }

  /** The tenant a SCIM token belongs to, or null. */
  async tenantOfScimToken(token: string): Promise<TenantRecord | null> {
    const record = await this.#store.findScimTokenByHash(this.#hash(token));
    if (!record || record.revokedAt) return null;
    return this.#store.getTenant(record.tenantId);
  }
}
