import type { GroupRecord, UserRecord } from '../store/ports/index.ts';
import type { UserInput } from '../directory/users.ts';
import { ENTERPRISE_USER_SCHEMA_URN as ENTERPRISE_URN, USER_SCHEMA_URN as USER_URN } from './schema.ts';

/** Attributes the server owns or never echoes; they are not kept in the stored SCIM copy. */
const SERVER_OWNED = new Set(['id', 'meta', 'schemas', 'groups', 'password']);

export function stripServerOwned(resource: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(resource).filter(([k]) => !SERVER_OWNED.has(k)));
}

export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/** The directory's view of a validated SCIM User. Emails in the tenant's domains become addresses. */
/** Create and PUT both say everything: an absent `active` means active. */
export function userInput(resource: Record<string, unknown>): UserInput {
  const emails = Array.isArray(resource.emails) ? resource.emails as Array<Record<string, unknown>> : [];
  const ordered = [...emails].sort((a, b) => Number(b.primary === true) - Number(a.primary === true));
  const name = resource.name as Record<string, unknown> | undefined;
  const displayName = typeof resource.displayName === 'string' ? resource.displayName
    : typeof name?.formatted === 'string' ? name.formatted
    : [name?.givenName, name?.familyName].filter((p) => typeof p === 'string').join(' ') || null;
  return {
    userName: String(resource.userName),
    externalId: typeof resource.externalId === 'string' ? resource.externalId : null,
    displayName,
    active: typeof resource.active === 'boolean' ? resource.active : true,
    emails: ordered.map((e) => e.value).filter((v): v is string => typeof v === 'string'),
    password: typeof resource.password === 'string' ? resource.password : undefined,
    scim: stripServerOwned(resource),
  };
}

export function scimUser(user: UserRecord, base: string, groups: GroupRecord[]): Record<string, unknown> {
  const location = `${base}/Users/${user.id}`;
  return {
    schemas: ENTERPRISE_URN in user.scim ? [USER_URN, ENTERPRISE_URN] : [USER_URN],
    id: user.id,
    ...user.scim,
    ...(user.externalId ? { externalId: user.externalId } : {}),
    userName: typeof user.scim.userName === 'string' ? user.scim.userName : user.userName,
    active: user.active,
    groups: groups.map((g) => ({ value: g.id, display: g.displayName, $ref: `${base}/Groups/${g.id}`, type: 'direct' })),
    meta: { resourceType: 'User', created: user.createdAt, lastModified: user.updatedAt, location, version: etagOf(user.version) },
  };
}
