import { randomUUID } from 'node:crypto';
import type { DirectoryStore, Journal, Page, Paging, PurgedUser, UserQuery, UserRecord } from '../store/ports/index.ts';
import { domainOf, normaliseAddress } from './addresses.ts';
import { DirectoryError, writeTranslated } from './errors.ts';
import { hashPassword } from './passwords.ts';

/** What a provisioning source (SCIM, the CLI) says about a user; the service derives the rest. */
export interface UserInput {
  userName: string;
  externalId?: string | null;
  displayName?: string | null;
  active?: boolean;
  /** Every email value; those in the tenant's domains become the user's addresses. */
  emails?: string[];
  /** Plain text; stored only as a scrypt hash. Undefined keeps the current password. */
  password?: string;
  ssoOnly?: boolean;
  scim?: Record<string, unknown>;
}

export function directoryContainer(tenantId: string): string {
  return `directory:${tenantId}`;
}

export class UserService {
  #store: DirectoryStore;
  #journal: Journal;
  #domains: (tenantId: string) => Promise<string[]>;

  constructor(store: DirectoryStore, journal: Journal, domains: (tenantId: string) => Promise<string[]>) {
    this.#store = store;
    this.#journal = journal;
    this.#domains = domains;
  }

  async create(tenantId: string, input: UserInput, defaults: { ssoOnly: boolean } = { ssoOnly: false }): Promise<UserRecord> {
    const now = new Date().toISOString();
    const base: UserRecord = {
      id: randomUUID(), tenantId, userName: '', externalId: null, displayName: null, active: true,
      ssoOnly: defaults.ssoOnly, passwordHash: null, quotaBytes: null, addresses: [], aliases: [], scim: {},
      version: 1, createdAt: now, updatedAt: now, deletedAt: null,
    };
    const user = await this.#apply(base, input);
    await writeTranslated(() => this.#store.createUser(user));
    await this.#journal.append(directoryContainer(tenantId), { op: 'create', item: user.id });
    return user;
  }

  /** Replaces what `input` says; `expectedVersion` (an If-Match) guards against lost updates. */
  async replace(tenantId: string, id: string, input: UserInput, expectedVersion?: number): Promise<UserRecord> {
    const current = await this.require(tenantId, id);
    if (expectedVersion !== undefined && expectedVersion !== current.version) throw new DirectoryError('versionMismatch', 'the user was changed since it was read');
    const next = await this.#apply({ ...current, version: current.version + 1, updatedAt: new Date().toISOString() }, input);
    await writeTranslated(() => this.#store.updateUser(next, current.version));
    await this.#journal.append(directoryContainer(tenantId), { op: 'update', item: id });
    return next;
  }

  /** Deprovisioning: logins stop at once, addresses are released, data is kept until purged. */
  async remove(tenantId: string, id: string): Promise<void> {
    const current = await this.require(tenantId, id);
    const now = new Date().toISOString();
    const removed: UserRecord = { ...current, active: false, addresses: [], aliases: [], version: current.version + 1, updatedAt: now, deletedAt: now };
    await writeTranslated(() => this.#store.updateUser(removed, current.version));
    await this.#journal.append(directoryContainer(tenantId), { op: 'delete', item: id });
  }

  async setPassword(address: string, password: string): Promise<void> {
    const user = await this.requireByAddress(address);
    await this.#update(user, { passwordHash: await hashPassword(password) });
  }

  async setSsoOnly(address: string, ssoOnly: boolean): Promise<void> {
    await this.#update(await this.requireByAddress(address), { ssoOnly });
  }

  /** The user's storage limit for mail and their drive; null falls back to the configured default. */
  async setQuota(address: string, quotaBytes: number | null): Promise<void> {
    await this.#update(await this.requireByAddress(address), { quotaBytes });
  }

  async addAlias(address: string, alias: string): Promise<void> {
    const user = await this.requireByAddress(address);
    const normalised = normaliseAddress(alias);
    await this.#requireTenantDomain(user.tenantId, normalised);
    if (user.addresses.includes(normalised)) return;
    await this.#update(user, { aliases: [...user.aliases, normalised], addresses: [...user.addresses, normalised] });
  }

  async get(tenantId: string, id: string): Promise<UserRecord | null> {
    return this.#store.getUser(tenantId, id);
  }

  async require(tenantId: string, id: string): Promise<UserRecord> {
    const user = await this.#store.getUser(tenantId, id);
    if (!user) throw new DirectoryError('notFound', `no user ${id}`);
    return user;
  }

  async requireByAddress(address: string): Promise<UserRecord> {
    const user = await this.#store.findUserByAddress(normaliseAddress(address));
    if (!user) throw new DirectoryError('notFound', `no user ${address}`);
    return user;
  }

  byAddress(address: string): Promise<UserRecord | null> {
    return this.#store.findUserByAddress(normaliseAddress(address));
  }

  find(tenantId: string, query: UserQuery, paging: Paging): Promise<Page<UserRecord>> {
    return this.#store.findUsers(tenantId, query, paging);
  }

  /**
   * Hard-deletes users whose retention ended, each after `purgeData` removed what they owned: data
   * first, so a purge that dies half-way leaves users the next one finds again, never data no user
   * leads to. Returns who was removed.
   */
  async purgeExpired(retentionDays: number, purgeData: (user: PurgedUser) => Promise<void>, now = new Date()): Promise<PurgedUser[]> {
    const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
    for (const user of await this.#store.expiredUsers(cutoff)) await purgeData(user);
    return this.#store.purgeUsers(cutoff);
  }

  async #update(user: UserRecord, change: Partial<UserRecord>): Promise<void> {
    const next = { ...user, ...change, version: user.version + 1, updatedAt: new Date().toISOString() };
    await writeTranslated(() => this.#store.updateUser(next, user.version));
    await this.#journal.append(directoryContainer(user.tenantId), { op: 'update', item: user.id });
  }

  async #apply(user: UserRecord, input: UserInput): Promise<UserRecord> {
    const userName = normaliseAddress(input.userName);
    await this.#requireTenantDomain(user.tenantId, userName);
    const domains = new Set(await this.#domains(user.tenantId));
    const emails = (input.emails ?? []).map(normaliseAddress).filter((e) => domains.has(domainOf(e) ?? ''));
    const addresses = [...new Set([userName, ...emails, ...user.aliases])];
    return {
      ...user,
      userName,
      externalId: input.externalId === undefined ? user.externalId : input.externalId,
      displayName: input.displayName === undefined ? user.displayName : input.displayName,
      active: input.active ?? user.active,
      ssoOnly: input.ssoOnly ?? user.ssoOnly,
      passwordHash: input.password === undefined ? user.passwordHash : await hashPassword(input.password),
      addresses,
      scim: input.scim ?? user.scim,
    };
  }

  async #requireTenantDomain(tenantId: string, address: string): Promise<void> {
    const domain = domainOf(address);
    if (!domain) throw new DirectoryError('invalidValue', `"${address}" is not an email address`);
    const domains = await this.#domains(tenantId);
    if (!domains.includes(domain)) throw new DirectoryError('invalidValue', `${domain} is not a domain of this tenant`);
  }
}
