/** Records of the shared directory and the port that stores them. Addresses are stored lower-case. */

export interface OAuthSettings {
  /** Expected `iss` of bearer tokens. */
  issuer: string;
  /** Expected `aud` of bearer tokens. */
  audience: string;
  /** Where the identity provider publishes its signing keys. */
  jwksUrl: string;
}

/** The tenant's identity provider for signing in to the account page (OpenID Connect, code + PKCE). */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  /** Absent for a public client, which authenticates by PKCE alone. */
  clientSecret?: string;
}

export interface TenantSettings {
  oauth?: OAuthSettings;
  oidc?: OidcSettings;
}

export interface TenantRecord {
  id: string;
  /** The path segment clients see (`/{slug}/scim/v2/`). */
  slug: string;
  name: string;
  settings: TenantSettings;
  createdAt: string;
}

export interface DomainRecord {
  name: string;
  tenantId: string;
  createdAt: string;
}

export interface UserRecord {
  id: string;
  tenantId: string;
  /** The login address: SCIM userName, always an address in one of the tenant's domains. */
  userName: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
  /** Signs in through the identity provider: the bare password is refused on protocols. */
  ssoOnly: boolean;
  /** scrypt hash in the `scrypt$N$r$p$salt$hash` form, or null when no password is set. */
  passwordHash: string | null;
  quotaBytes: number | null;
  /** Every address this user receives mail at and may log in with; unique across all tenants. */
  addresses: string[];
  /** The subset of `addresses` added by an admin rather than by provisioning. */
  aliases: string[];
  /** The SCIM representation as last provisioned (core and enterprise attributes, without meta). */
  scim: Record<string, unknown>;
  /** Bumped on every change; the SCIM ETag. */
  version: number;
  createdAt: string;
  updatedAt: string;
  /** Set when deprovisioned by DELETE; the record and its data are kept until the retention ends. */
  deletedAt: string | null;
}

export interface GroupRecord {
  id: string;
  tenantId: string;
  displayName: string;
  externalId: string | null;
  /** User ids. */
  members: string[];
  scim: Record<string, unknown>;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type Protocol = 'imap' | 'smtp' | 'dav';
export const PROTOCOLS: readonly Protocol[] = ['imap', 'smtp', 'dav'];

export interface AppPasswordRecord {
  id: string;
  userId: string;
  tenantId: string;
  label: string;
  scopes: Protocol[];
  /** Keyed hash of the secret; the secret itself is never stored. */
  hash: string;
  createdAt: string;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  revokedAt: string | null;
}

export interface ScimTokenRecord {
  id: string;
  tenantId: string;
  hash: string;
  createdAt: string;
  revokedAt: string | null;
}

/** Exact-match lookups an adapter answers from an index. All fields are ANDed; absent ones match all. */
export interface UserQuery {
  userName?: string;
  externalId?: string;
  /** Any of the user's addresses. */
  address?: string;
  /** Include soft-deleted users (default: only live ones). */
  includeDeleted?: boolean;
}

export interface GroupQuery {
  displayName?: string;
  externalId?: string;
  memberId?: string;
}

export interface Page<T> {
  total: number;
  items: T[];
}

export interface Paging {
  /** Zero-based. */
  offset: number;
  limit: number;
}

export interface PurgedUser {
  tenantId: string;
  id: string;
}

export interface DirectoryStore {
  createTenant(tenant: TenantRecord): Promise<void>;
  updateTenant(tenant: TenantRecord): Promise<void>;
  getTenant(id: string): Promise<TenantRecord | null>;
  getTenantBySlug(slug: string): Promise<TenantRecord | null>;
  listTenants(): Promise<TenantRecord[]>;

  addDomain(domain: DomainRecord): Promise<void>;
  getDomain(name: string): Promise<DomainRecord | null>;
  listDomains(tenantId: string): Promise<DomainRecord[]>;

  /** Throws ConflictError('userName' | 'address' | 'externalId') when a unique value is taken. */
  createUser(user: UserRecord): Promise<void>;
  /**
   * Replaces the user when its stored version equals `expectedVersion` (else VersionConflictError);
   * `user.version` must already be the new version. Addresses are claimed and released atomically.
   */
  updateUser(user: UserRecord, expectedVersion: number): Promise<void>;
  /** Live users only unless includeDeleted. */
  getUser(tenantId: string, id: string, includeDeleted?: boolean): Promise<UserRecord | null>;
  /** The live user owning an address, in any tenant. */
  findUserByAddress(address: string): Promise<UserRecord | null>;
  /** Ordered by creation (stable paging). */
  findUsers(tenantId: string, query: UserQuery, paging: Paging): Promise<Page<UserRecord>>;
  /** Users deleted before `deletedBefore`, oldest first: those `purgeUsers` would remove. */
  expiredUsers(deletedBefore: string): Promise<PurgedUser[]>;
  /** Removes users deleted before `deletedBefore`; returns who they were. */
  purgeUsers(deletedBefore: string): Promise<PurgedUser[]>;

  createGroup(group: GroupRecord): Promise<void>;
  updateGroup(group: GroupRecord, expectedVersion: number): Promise<void>;
  getGroup(tenantId: string, id: string): Promise<GroupRecord | null>;
  deleteGroup(tenantId: string, id: string): Promise<boolean>;
  findGroups(tenantId: string, query: GroupQuery, paging: Paging): Promise<Page<GroupRecord>>;

  addAppPassword(record: AppPasswordRecord): Promise<void>;
  findAppPasswordByHash(hash: string): Promise<AppPasswordRecord | null>;
  listAppPasswords(userId: string): Promise<AppPasswordRecord[]>;
  /** Returns false when no such unrevoked app password of that user exists. */
  revokeAppPassword(userId: string, id: string, at: string): Promise<boolean>;
  touchAppPassword(id: string, at: string, ip: string | null): Promise<void>;

  addScimToken(record: ScimTokenRecord): Promise<void>;
  findScimTokenByHash(hash: string): Promise<ScimTokenRecord | null>;
}
