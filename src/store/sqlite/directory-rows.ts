/** Row shapes of the directory tables and their conversion to and from the port's records. */
import type {
  AppPasswordRecord,
  DomainRecord,
  GroupRecord,
  Protocol,
  ScimTokenRecord,
  TenantRecord,
  TenantSettings,
  UserRecord,
} from '../ports/directory.ts';
import { fromJson, toJson } from './database.ts';

/** Lower-case form used for case-insensitive keys (addresses, userName, domain names). */
export function lc(value: string): string {
  return value.toLowerCase();
}

export interface TenantRow {
  id: string;
  slug: string;
  name: string;
  settings: string;
  created_at: string;
}

export function tenantFromRow(row: TenantRow): TenantRecord {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    settings: fromJson<TenantSettings>(row.settings),
    createdAt: row.created_at,
  };
}

export function tenantToRow(tenant: TenantRecord): TenantRow {
  return {
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    settings: toJson(tenant.settings),
    created_at: tenant.createdAt,
  };
}

export interface DomainRow {
  name: string;
  tenant_id: string;
  created_at: string;
}

export function domainFromRow(row: DomainRow): DomainRecord {
  return { name: row.name, tenantId: row.tenant_id, createdAt: row.created_at };
}

export interface UserRow {
  id: string;
  tenant_id: string;
  user_name: string;
  user_name_lc: string;
  external_id: string | null;
  display_name: string | null;
  active: number;
  sso_only: number;
  password_hash: string | null;
  quota_bytes: number | null;
  addresses: string;
  aliases: string;
  scim: string;
  version: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export function userToRow(user: UserRecord): UserRow {
  return {
    id: user.id,
    tenant_id: user.tenantId,
    user_name: user.userName,
    user_name_lc: lc(user.userName),
    external_id: user.externalId,
    display_name: user.displayName,
    active: user.active ? 1 : 0,
    sso_only: user.ssoOnly ? 1 : 0,
    password_hash: user.passwordHash,
    quota_bytes: user.quotaBytes,
    addresses: toJson(user.addresses),
    aliases: toJson(user.aliases),
    scim: toJson(user.scim),
    version: user.version,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
    deleted_at: user.deletedAt,
  };
}

export function userFromRow(row: UserRow): UserRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userName: row.user_name,
    externalId: row.external_id,
    displayName: row.display_name,
    active: row.active === 1,
    ssoOnly: row.sso_only === 1,
    passwordHash: row.password_hash,
    quotaBytes: row.quota_bytes,
    addresses: fromJson<string[]>(row.addresses),
    aliases: fromJson<string[]>(row.aliases),
    scim: fromJson<Record<string, unknown>>(row.scim),
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  };
}

export interface GroupRow {
  id: string;
  tenant_id: string;
  display_name: string;
  display_name_lc: string;
  external_id: string | null;
  scim: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export function groupToRow(group: GroupRecord): GroupRow {
  return {
    id: group.id,
    tenant_id: group.tenantId,
    display_name: group.displayName,
    display_name_lc: lc(group.displayName),
    external_id: group.externalId,
    scim: toJson(group.scim),
    version: group.version,
    created_at: group.createdAt,
    updated_at: group.updatedAt,
  };
}

export function groupFromRow(row: GroupRow, members: string[]): GroupRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    displayName: row.display_name,
    externalId: row.external_id,
    members,
    scim: fromJson<Record<string, unknown>>(row.scim),
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface AppPasswordRow {
  id: string;
  user_id: string;
  tenant_id: string;
  label: string;
  scopes: string;
  hash: string;
  created_at: string;
  last_used_at: string | null;
  last_used_ip: string | null;
  revoked_at: string | null;
}

export function appPasswordToRow(record: AppPasswordRecord): AppPasswordRow {
  return {
    id: record.id,
    user_id: record.userId,
    tenant_id: record.tenantId,
    label: record.label,
    scopes: toJson(record.scopes),
    hash: record.hash,
    created_at: record.createdAt,
    last_used_at: record.lastUsedAt,
    last_used_ip: record.lastUsedIp,
    revoked_at: record.revokedAt,
  };
}

export function appPasswordFromRow(row: AppPasswordRow): AppPasswordRecord {
  return {
    id: row.id,
    userId: row.user_id,
    tenantId: row.tenant_id,
    label: row.label,
    scopes: fromJson<Protocol[]>(row.scopes),
    hash: row.hash,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    lastUsedIp: row.last_used_ip,
    revokedAt: row.revoked_at,
  };
}

export interface ScimTokenRow {
  id: string;
  tenant_id: string;
  hash: string;
  created_at: string;
  revoked_at: string | null;
}

export function scimTokenFromRow(row: ScimTokenRow): ScimTokenRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    hash: row.hash,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

/**
 * Creation order for paging. With a selective exact-match term the `+` keeps SQLite from walking
 * the (tenant, created_at) index to avoid a sort, which scans the whole tenant: sorting the few
 * matches is cheaper. Without one, the index gives the order and the page.
 */
export function orderByCreation(selective: boolean): string {
  return selective ? '+created_at, +id' : 'created_at, id';
}
