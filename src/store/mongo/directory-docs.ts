/**
 * Document shapes of the directory collections and their conversion to and from the port's
 * records. Free-form JSON (SCIM attributes, tenant settings) is stored as text: FerretDB refuses
 * field names with '.' or a leading '$', and SCIM has both (`…:enterprise:2.0:User`, `$ref`).
 */
import type {
  AppPasswordRecord,
  GroupRecord,
  ScimTokenRecord,
  TenantRecord,
  TenantSettings,
  UserRecord,
} from '../ports/directory.ts';

/** Lower-case form used for case-insensitive keys (addresses, userName, domain names). */
export function lc(value: string): string {
  return value.toLowerCase();
}

export interface TenantDoc {
  _id: string;
  slug: string;
  name: string;
  settings: string;
  createdAt: string;
}

export function tenantToDoc(tenant: TenantRecord): TenantDoc {
  return {
    _id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    settings: JSON.stringify(tenant.settings),
    createdAt: tenant.createdAt,
  };
}

export function tenantFromDoc(doc: TenantDoc): TenantRecord {
  return {
    id: doc._id,
    slug: doc.slug,
    name: doc.name,
    settings: JSON.parse(doc.settings) as TenantSettings,
    createdAt: doc.createdAt,
  };
}

export interface DomainDoc {
  /** The domain name, lower-case. */
  _id: string;
  tenantId: string;
  createdAt: string;
}

export interface UserDoc {
  _id: string;
  tenantId: string;
  userName: string;
  userNameLc: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
  ssoOnly: boolean;
  passwordHash: string | null;
  quotaBytes: number | null;
  addresses: string[];
  /** Lower-case addresses, also of deleted users (the claims in `addresses` are the live truth). */
  addressesLc: string[];
  aliases: string[];
  scim: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  /** Only while live: the lower-case userName, under a sparse unique index. */
  liveUserName?: string;
  /** Only while live with an externalId: `{tenantId}\n{externalId}`, under a sparse unique index. */
  liveExternalId?: string;
  /** Compare-and-swap token (revisions.ts); `version` is the caller's, this one is the store's. */
  rev: string;
}

export function externalIdKey(tenantId: string, externalId: string): string {
  return `${tenantId}\n${externalId}`;
}

export function liveAddresses(user: { deletedAt: string | null; addresses: string[] }): Set<string> {
  return new Set(user.deletedAt === null ? user.addresses.map(lc) : []);
}

/** The user is live and lists the (lower-case) address: its claim on it is not an orphan. */
export function isListedLive(doc: UserDoc, address: string): boolean {
  return doc.deletedAt === null && doc.addressesLc.includes(address);
}

export function userToDoc(user: UserRecord, rev: string): UserDoc {
  const doc: UserDoc = {
    _id: user.id,
    tenantId: user.tenantId,
    userName: user.userName,
    userNameLc: lc(user.userName),
    externalId: user.externalId,
    displayName: user.displayName,
    active: user.active,
    ssoOnly: user.ssoOnly,
    passwordHash: user.passwordHash,
    quotaBytes: user.quotaBytes,
    addresses: user.addresses,
    addressesLc: [...new Set(user.addresses.map(lc))],
    aliases: user.aliases,
    scim: JSON.stringify(user.scim),
    version: user.version,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    deletedAt: user.deletedAt,
    rev,
  };
  if (user.deletedAt === null) {
    doc.liveUserName = lc(user.userName);
    if (user.externalId !== null) doc.liveExternalId = externalIdKey(user.tenantId, user.externalId);
  }
  return doc;
}

export function userFromDoc(doc: UserDoc): UserRecord {
  return {
    id: doc._id,
    tenantId: doc.tenantId,
    userName: doc.userName,
    externalId: doc.externalId,
    displayName: doc.displayName,
    active: doc.active,
    ssoOnly: doc.ssoOnly,
    passwordHash: doc.passwordHash,
    quotaBytes: doc.quotaBytes,
    addresses: doc.addresses,
    aliases: doc.aliases,
    scim: JSON.parse(doc.scim) as Record<string, unknown>,
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    deletedAt: doc.deletedAt,
  };
}

export interface GroupDoc {
  _id: string;
  tenantId: string;
  displayName: string;
  displayNameLc: string;
  externalId: string | null;
  /** User ids in the given order, each once. */
  members: string[];
  scim: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  rev: string;
}

export function groupToDoc(group: GroupRecord, rev: string): GroupDoc {
  return {
    _id: group.id,
    tenantId: group.tenantId,
    displayName: group.displayName,
    displayNameLc: lc(group.displayName),
    externalId: group.externalId,
    members: [...new Set(group.members)],
    scim: JSON.stringify(group.scim),
    version: group.version,
    createdAt: group.createdAt,
    updatedAt: group.updatedAt,
    rev,
  };
}

export function groupFromDoc(doc: GroupDoc): GroupRecord {
  return {
    id: doc._id,
    tenantId: doc.tenantId,
    displayName: doc.displayName,
    externalId: doc.externalId,
    members: doc.members,
    scim: JSON.parse(doc.scim) as Record<string, unknown>,
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

/** A record stored under Mongo's `_id` instead of `id`, every other field as it is. */
type Keyed<T extends { id: string }> = Omit<T, 'id'> & { _id: string };

export type AppPasswordDoc = Keyed<AppPasswordRecord>;

export function appPasswordToDoc(record: AppPasswordRecord): AppPasswordDoc {
  const { id, ...rest } = record;
  return { _id: id, ...rest };
}

export function appPasswordFromDoc(doc: AppPasswordDoc): AppPasswordRecord {
  return {
    id: doc._id,
    userId: doc.userId,
    tenantId: doc.tenantId,
    label: doc.label,
    scopes: doc.scopes,
    hash: doc.hash,
    createdAt: doc.createdAt,
    lastUsedAt: doc.lastUsedAt,
    lastUsedIp: doc.lastUsedIp,
    revokedAt: doc.revokedAt,
  };
}

export type ScimTokenDoc = Keyed<ScimTokenRecord>;

export function scimTokenFromDoc(doc: ScimTokenDoc): ScimTokenRecord {
  return { id: doc._id, tenantId: doc.tenantId, hash: doc.hash, createdAt: doc.createdAt, revokedAt: doc.revokedAt };
}
