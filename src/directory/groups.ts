import { randomUUID } from 'node:crypto';
import type { DirectoryStore, GroupQuery, GroupRecord, Journal, Page, Paging } from '../store/ports/index.ts';
import { VersionConflictError } from '../store/ports/index.ts';
import { DirectoryError, writeTranslated } from './errors.ts';
import { directoryContainer } from './users.ts';

export interface GroupInput {
  displayName: string;
  externalId?: string | null;
  /** User ids; each must be a live user of the same tenant. */
  members: string[];
  scim?: Record<string, unknown>;
}

export class GroupService {
  #store: DirectoryStore;
  #journal: Journal;

  constructor(store: DirectoryStore, journal: Journal) {
    this.#store = store;
    this.#journal = journal;
  }

  async create(tenantId: string, input: GroupInput): Promise<GroupRecord> {
    const now = new Date().toISOString();
    const group: GroupRecord = {
      id: randomUUID(), tenantId, displayName: '', externalId: null, members: [], scim: {},
      version: 1, createdAt: now, updatedAt: now,
    };
    const next = await this.#apply(group, input);
    await writeTranslated(() => this.#store.createGroup(next));
    await this.#journal.append(directoryContainer(tenantId), { op: 'create', item: `group:${next.id}` });
    return next;
  }

  async replace(tenantId: string, id: string, input: GroupInput, expectedVersion?: number): Promise<GroupRecord> {
    const current = await this.require(tenantId, id);
    if (expectedVersion !== undefined && expectedVersion !== current.version) throw new DirectoryError('versionMismatch', 'the group was changed since it was read');
    const next = await this.#apply({ ...current, version: current.version + 1, updatedAt: new Date().toISOString() }, input);
    await writeTranslated(() => this.#store.updateGroup(next, current.version));
    await this.#journal.append(directoryContainer(tenantId), { op: 'update', item: `group:${id}` });
    return next;
  }

  async remove(tenantId: string, id: string): Promise<void> {
    if (!(await this.#store.deleteGroup(tenantId, id))) throw new DirectoryError('notFound', `no group ${id}`);
    await this.#journal.append(directoryContainer(tenantId), { op: 'delete', item: `group:${id}` });
  }

  /** Takes a deprovisioned user out of every group, retrying a group that changed meanwhile. */
  async dropMember(tenantId: string, userId: string): Promise<void> {
    const { items } = await this.#store.findGroups(tenantId, { memberId: userId }, { offset: 0, limit: 10_000 });
    for (const group of items) {
      for (let attempt = 0; ; attempt++) {
        const current = await this.#store.getGroup(tenantId, group.id);
        if (!current || !current.members.includes(userId)) break;
        const next = { ...current, members: current.members.filter((m) => m !== userId), version: current.version + 1, updatedAt: new Date().toISOString() };
        try {
          await this.#store.updateGroup(next, current.version);
          await this.#journal.append(directoryContainer(tenantId), { op: 'update', item: `group:${group.id}` });
          break;
        } catch (err) {
          if (!(err instanceof VersionConflictError) || attempt >= 5) throw err;
        }
      }
    }
  }

  get(tenantId: string, id: string): Promise<GroupRecord | null> {
    return this.#store.getGroup(tenantId, id);
  }

  async require(tenantId: string, id: string): Promise<GroupRecord> {
    const group = await this.#store.getGroup(tenantId, id);
    if (!group) throw new DirectoryError('notFound', `no group ${id}`);
    return group;
  }

  find(tenantId: string, query: GroupQuery, paging: Paging): Promise<Page<GroupRecord>> {
    return this.#store.findGroups(tenantId, query, paging);
  }

  async #apply(group: GroupRecord, input: GroupInput): Promise<GroupRecord> {
    const displayName = input.displayName.trim();
    if (!displayName) throw new DirectoryError('invalidValue', 'displayName is required');
    const members = [...new Set(input.members)];
    const found = await Promise.all(members.map((id) => this.#store.getUser(group.tenantId, id)));
    const missing = members.filter((_, i) => !found[i]);
    if (missing.length) throw new DirectoryError('invalidValue', `no such user: ${missing.join(', ')}`);
    return {
      ...group,
      displayName,
      externalId: input.externalId === undefined ? group.externalId : input.externalId,
      members,
      scim: input.scim ?? group.scim,
    };
  }
}
