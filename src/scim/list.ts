import type { Directory } from '../directory/index.ts';
import type { GroupQuery, GroupRecord, Page, TenantRecord, UserQuery, UserRecord } from '../store/ports/index.ts';
import { ScimError } from './errors.ts';
import { compileFilter, indexHint } from './filter/evaluate.ts';
import { parseFilter } from './filter/parse.ts';
import { scimGroup } from './groups.ts';
import { GROUP_SCHEMAS, USER_SCHEMAS, type ResourceSchemas } from './schema.ts';
import { scimUser } from './users.ts';

export const DEFAULT_COUNT = 100;
export const MAX_COUNT = 1000;
const SCAN_CHUNK = 500;

export interface PageParams {
  /** 1-based, as SCIM counts. */
  startIndex: number;
  count: number;
}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^-?\d+$/.test(value)) throw new ScimError(400, 'invalidValue', `${name} must be an integer`);
  return Number(value);
}

/** RFC 7644 §3.4.2.4: a startIndex below 1 means 1, a negative count means 0. */
export function pageParams(query: Record<string, string | undefined>): PageParams {
  return {
    startIndex: Math.max(1, integer('startIndex', query.startIndex, 1)),
    count: Math.min(MAX_COUNT, Math.max(0, integer('count', query.count, DEFAULT_COUNT))),
  };
}

/**
 * Filters run against the SCIM form of each candidate. A filter naming an indexed attribute
 * (`userName eq`, `externalId eq`, an email) narrows the candidates through the store first.
 */
async function filtered<T>(
  filter: string | undefined,
  page: PageParams,
  fetch: (query: Record<string, string>, offset: number, limit: number) => Promise<Page<T>>,
  hintQuery: (attribute: string, value: string) => Record<string, string> | null,
  schemas: ResourceSchemas,
  render: (item: T) => Record<string, unknown>,
): Promise<Page<T>> {
  if (!filter) return fetch({}, page.startIndex - 1, page.count);
  const ast = parseFilter(filter);
  const test = compileFilter(ast, schemas);
  const hint = indexHint(ast);
  const query = (hint && hintQuery(hint.attribute, hint.value)) ?? {};
  const matched: T[] = [];
  for (let offset = 0; ; offset += SCAN_CHUNK) {
    const chunk = await fetch(query, offset, SCAN_CHUNK);
    matched.push(...chunk.items.filter((item) => test(render(item))));
    if (chunk.items.length < SCAN_CHUNK) break;
  }
  return { total: matched.length, items: matched.slice(page.startIndex - 1, page.startIndex - 1 + page.count) };
}

export async function listUsers(directory: Directory, tenant: TenantRecord, filter: string | undefined, page: PageParams, base: string): Promise<Page<UserRecord>> {
  // Only addresses in the tenant's domains are indexed; an outside email needs the scan.
  const domains = new Set(await directory.tenants.domains(tenant.id));
  return filtered<UserRecord>(
    filter,
    page,
    (query, offset, limit) => directory.users.find(tenant.id, query as UserQuery, { offset, limit }),
    (attribute, value): Record<string, string> | null => attribute === 'userName' ? { userName: value.toLowerCase() }
      : attribute === 'externalId' ? { externalId: value }
      : attribute === 'email' && domains.has(value.toLowerCase().split('@')[1] ?? '') ? { address: value.toLowerCase() }
      : null,
    USER_SCHEMAS,
    (user) => scimUser(user, base, []),
  );
}

export function listGroups(directory: Directory, tenant: TenantRecord, filter: string | undefined, page: PageParams, base: string): Promise<Page<GroupRecord>> {
  return filtered<GroupRecord>(
    filter,
    page,
    (query, offset, limit) => directory.groups.find(tenant.id, query as GroupQuery, { offset, limit }),
    (attribute, value): Record<string, string> | null => attribute === 'displayName' ? { displayName: value } : attribute === 'externalId' ? { externalId: value } : null,
    GROUP_SCHEMAS,
    (group) => scimGroup(group, base, new Map(group.members.map((id) => [id, null]))),
  );
}
