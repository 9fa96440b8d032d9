/** Records for the directory contract suite, complete but for what a test cares about. */
import type { AppPasswordRecord, GroupRecord, TenantRecord, UserRecord } from '../../../src/store/ports/index.ts';

/** A fixed instant `n` seconds into 2024: ISO strings that sort as they should. */
export function at(n: number): string {
  return new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString();
}

export function tenant(id: string, slug: string, n = 0): TenantRecord {
  return { id, slug, name: `Tenant ${slug}`, settings: {}, createdAt: at(n) };
}

export function user(fields: Partial<UserRecord> & Pick<UserRecord, 'id' | 'tenantId' | 'userName'>): UserRecord {
  return {
    externalId: null,
    displayName: null,
    active: true,
    ssoOnly: false,
    passwordHash: null,
    quotaBytes: null,
    addresses: [fields.userName.toLowerCase()],
    aliases: [],
    scim: {},
    version: 1,
    createdAt: at(1),
    updatedAt: at(1),
    deletedAt: null,
    ...fields,
  };
}

export function group(fields: Partial<GroupRecord> & Pick<GroupRecord, 'id' | 'tenantId' | 'displayName'>): GroupRecord {
  return {
    externalId: null,
    members: [],
    scim: {},
    version: 1,
    createdAt: at(1),
    updatedAt: at(1),
    ...fields,
  };
}

export function appPassword(fields: Partial<AppPasswordRecord> & Pick<AppPasswordRecord, 'id' | 'userId' | 'hash'>): AppPasswordRecord {
  return {
    tenantId: 'ta',
    label: 'phone',
    scopes: ['imap', 'smtp'],
    createdAt: at(1),
    lastUsedAt: null,
    lastUsedIp: null,
    revokedAt: null,
    ...fields,
  };
}
