import type { GroupInput } from '../directory/groups.ts';
import type { GroupRecord, UserRecord } from '../store/ports/index.ts';
import { GROUP_SCHEMA_URN } from './schema.ts';
import { etagOf, stripServerOwned } from './users.ts';

export function groupInput(resource: Record<string, unknown>): GroupInput {
  const members = Array.isArray(resource.members) ? resource.members as Array<Record<string, unknown>> : [];
  const { members: _members, ...rest } = stripServerOwned(resource);
  return {
    displayName: String(resource.displayName ?? ''),
    externalId: typeof resource.externalId === 'string' ? resource.externalId : null,
    members: members.map((m) => m.value).filter((v): v is string => typeof v === 'string'),
    scim: rest,
  };
}

/** `members` is omitted when `users` is null (excludedAttributes=members): big groups stay cheap. */
export function scimGroup(group: GroupRecord, base: string, users: ReadonlyMap<string, UserRecord | null> | null): Record<string, unknown> {
  const members = users === null ? undefined : group.members.map((id) => {
    const user = users.get(id);
    return { value: id, display: user?.displayName ?? user?.userName, $ref: `${base}/Users/${id}`, type: 'User' };
  });
  return {
    schemas: [GROUP_SCHEMA_URN],
    id: group.id,
    ...group.scim,
    ...(group.externalId ? { externalId: group.externalId } : {}),
    displayName: group.displayName,
    ...(members ? { members } : {}),
    meta: { resourceType: 'Group', created: group.createdAt, lastModified: group.updatedAt, location: `${base}/Groups/${group.id}`, version: etagOf(group.version) },
  };
}
