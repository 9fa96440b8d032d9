import type { Statement } from 'better-sqlite3';
import type { GroupQuery, GroupRecord, Page, Paging } from '../ports/directory.ts';
import { ConflictError, VersionConflictError } from '../ports/errors.ts';
import type { Db } from './database.ts';
import { StatementCache, readTransaction, writeTransaction } from './database.ts';
import type { GroupRow } from './directory-rows.ts';
import { groupFromRow, groupToRow, lc, orderByCreation } from './directory-rows.ts';

const GROUP_COLUMNS = 'id, tenant_id, display_name, display_name_lc, external_id, scim, version, created_at, updated_at';

/**
 * Groups, with members in a join table (kept in the given order) so that "the groups of user X"
 * is an index lookup. displayName matches case-insensitively, as SCIM defines it (caseExact false).
 */
export class SqliteGroups {
  readonly #db: Db;
  readonly #queries: StatementCache;
  readonly #insert: Statement<[GroupRow]>;
  readonly #update: Statement<[GroupRow]>;
  readonly #current: Statement<[string], { tenant_id: string; version: number }>;
  readonly #get: Statement<[string, string], GroupRow>;
  readonly #delete: Statement<[string, string]>;
  readonly #addMember: Statement<[string, string, number]>;
  readonly #clearMembers: Statement<[string]>;
  readonly #members: Statement<[string], { group_id: string; user_id: string }>;

  constructor(db: Db) {
    this.#db = db;
    this.#queries = new StatementCache(db);
    const values = GROUP_COLUMNS.split(',').map((column) => `@${column.trim()}`).join(', ');
    this.#insert = db.prepare(`INSERT INTO groups (${GROUP_COLUMNS}) VALUES (${values})`);
    this.#update = db.prepare(`UPDATE groups SET (${GROUP_COLUMNS}) = (${values}) WHERE id = @id`);
    this.#current = db.prepare('SELECT tenant_id, version FROM groups WHERE id = ?');
    this.#get = db.prepare('SELECT * FROM groups WHERE tenant_id = ? AND id = ?');
    this.#delete = db.prepare('DELETE FROM groups WHERE tenant_id = ? AND id = ?');
    this.#addMember = db.prepare(
      'INSERT INTO group_members (group_id, user_id, position) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    );
    this.#clearMembers = db.prepare('DELETE FROM group_members WHERE group_id = ?');
    // One statement for any number of groups: the ids travel as one JSON array parameter.
    this.#members = db.prepare(
      `SELECT group_id, user_id FROM group_members
       WHERE group_id IN (SELECT value FROM json_each(?)) ORDER BY group_id, position`,
    );
  }

  create(group: GroupRecord): void {
    writeTransaction(this.#db, () => {
      if (this.#current.get(group.id)) throw new ConflictError('id');
      this.#insert.run(groupToRow(group));
      this.#writeMembers(group);
    });
  }

  update(group: GroupRecord, expectedVersion: number): void {
    writeTransaction(this.#db, () => {
      const current = this.#current.get(group.id);
      if (!current || current.tenant_id !== group.tenantId || current.version !== expectedVersion) {
        throw new VersionConflictError();
      }
      this.#update.run(groupToRow(group));
      this.#clearMembers.run(group.id);
      this.#writeMembers(group);
    });
  }

  get(tenantId: string, id: string): GroupRecord | null {
    return readTransaction(this.#db, () => {
      const row = this.#get.get(tenantId, id);
      return row ? this.#withMembers([row])[0] ?? null : null;
    });
  }

  delete(tenantId: string, id: string): boolean {
    // Memberships go with the group (ON DELETE CASCADE).
    return this.#delete.run(tenantId, id).changes > 0;
  }

  find(tenantId: string, query: GroupQuery, paging: Paging): Page<GroupRecord> {
    const where = ['tenant_id = ?'];
    const params: unknown[] = [tenantId];
    if (query.displayName !== undefined) {
      where.push('display_name_lc = ?');
      params.push(lc(query.displayName));
    }
    if (query.externalId !== undefined) {
      where.push('external_id = ?');
      params.push(query.externalId);
    }
    if (query.memberId !== undefined) {
      where.push('id IN (SELECT group_id FROM group_members WHERE user_id = ?)');
      params.push(query.memberId);
    }
    const condition = where.join(' AND ');
    const count = this.#queries.get(`SELECT count(*) AS total FROM groups WHERE ${condition}`);
    const select = this.#queries.get(`SELECT * FROM groups WHERE ${condition} ORDER BY ${orderByCreation(where.length > 1)} LIMIT ? OFFSET ?`);
    return readTransaction(this.#db, () => {
      const { total } = count.get(...params) as { total: number };
      const rows = select.all(...params, paging.limit, paging.offset) as GroupRow[];
      return { total, items: this.#withMembers(rows) };
    });
  }

  #writeMembers(group: GroupRecord): void {
    let position = 0;
    for (const userId of group.members) this.#addMember.run(group.id, userId, position++);
  }

  #withMembers(rows: GroupRow[]): GroupRecord[] {
    const members = new Map<string, string[]>(rows.map((row) => [row.id, []]));
    if (rows.length > 0) {
      for (const { group_id, user_id } of this.#members.all(JSON.stringify(rows.map((row) => row.id)))) {
        members.get(group_id)?.push(user_id);
      }
    }
    return rows.map((row) => groupFromRow(row, members.get(row.id) ?? []));
  }
}
