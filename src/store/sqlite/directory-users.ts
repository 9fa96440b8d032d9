import type { Statement } from 'better-sqlite3';
import type { Page, Paging, PurgedUser, UserQuery, UserRecord } from '../ports/directory.ts';
import { ConflictError, VersionConflictError } from '../ports/errors.ts';
import type { Db } from './database.ts';
import { StatementCache, readTransaction, writeTransaction } from './database.ts';
import type { UserRow } from './directory-rows.ts';
import { lc, orderByCreation, userFromRow, userToRow } from './directory-rows.ts';

const USER_COLUMNS = `id, tenant_id, user_name, user_name_lc, external_id, display_name, active, sso_only,
  password_hash, quota_bytes, addresses, aliases, scim, version, created_at, updated_at, deleted_at`;

/**
 * Users and the address claims that make their addresses unique across tenants. Every write runs
 * in one IMMEDIATE transaction that checks, writes the row and moves the claims, so a conflicting
 * write throws before anything is kept and two writers can never both pass the same check.
 */
export class SqliteUsers {
  readonly #db: Db;
  readonly #queries: StatementCache;
  readonly #insert: Statement<[UserRow]>;
  readonly #update: Statement<[UserRow]>;
  readonly #current: Statement<[string], { tenant_id: string; version: number }>;
  readonly #get: Statement<[string, string], UserRow>;
  readonly #getLive: Statement<[string, string], UserRow>;
  readonly #byAddress: Statement<[string], UserRow>;
  readonly #userNameTaken: Statement<[string, string], { id: string }>;
  readonly #externalIdTaken: Statement<[string, string, string], { id: string }>;
  readonly #claim: Statement<[string, string]>;
  readonly #release: Statement<[string]>;
  readonly #purgeable: Statement<[string], PurgedUser>;
  readonly #touchGroups: Statement<[string]>;
  readonly #leaveGroups: Statement<[string]>;
  readonly #delete: Statement<[string]>;

  constructor(db: Db) {
    this.#db = db;
    this.#queries = new StatementCache(db);
    const values = USER_COLUMNS.split(',').map((column) => `@${column.trim()}`).join(', ');
    this.#insert = db.prepare(`INSERT INTO users (${USER_COLUMNS}) VALUES (${values})`);
    this.#update = db.prepare(`UPDATE users SET (${USER_COLUMNS}) = (${values}) WHERE id = @id`);
    this.#current = db.prepare('SELECT tenant_id, version FROM users WHERE id = ?');
    this.#get = db.prepare('SELECT * FROM users WHERE tenant_id = ? AND id = ?');
    this.#getLive = db.prepare('SELECT * FROM users WHERE tenant_id = ? AND id = ? AND deleted_at IS NULL');
    this.#byAddress = db.prepare(
      'SELECT users.* FROM addresses JOIN users ON users.id = addresses.user_id WHERE addresses.address = ?',
    );
    this.#userNameTaken = db.prepare(
      'SELECT id FROM users WHERE user_name_lc = ? AND deleted_at IS NULL AND id != ?',
    );
    this.#externalIdTaken = db.prepare(
      'SELECT id FROM users WHERE tenant_id = ? AND external_id = ? AND deleted_at IS NULL AND id != ?',
    );
    this.#claim = db.prepare('INSERT INTO addresses (address, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING');
    this.#release = db.prepare('DELETE FROM addresses WHERE user_id = ?');
    this.#purgeable = db.prepare(
      'SELECT tenant_id AS tenantId, id FROM users WHERE deleted_at IS NOT NULL AND deleted_at < ? ORDER BY deleted_at, id',
    );
    // A group that loses a member has changed: its version (the SCIM ETag) moves on.
    this.#touchGroups = db.prepare(
      'UPDATE groups SET version = version + 1 WHERE id IN (SELECT group_id FROM group_members WHERE user_id = ?)',
    );
    this.#leaveGroups = db.prepare('DELETE FROM group_members WHERE user_id = ?');
    this.#delete = db.prepare('DELETE FROM users WHERE id = ?');
  }

  create(user: UserRecord): void {
    writeTransaction(this.#db, () => {
      if (this.#current.get(user.id)) throw new ConflictError('id');
      this.#checkUnique(user);
      this.#insert.run(userToRow(user));
      this.#claimAddresses(user);
    });
  }

  update(user: UserRecord, expectedVersion: number): void {
    writeTransaction(this.#db, () => {
      const current = this.#current.get(user.id);
      if (!current || current.tenant_id !== user.tenantId || current.version !== expectedVersion) {
        throw new VersionConflictError();
      }
      this.#checkUnique(user);
      this.#update.run(userToRow(user));
      this.#release.run(user.id);
      this.#claimAddresses(user);
    });
  }

  get(tenantId: string, id: string, includeDeleted: boolean): UserRecord | null {
    const row = (includeDeleted ? this.#get : this.#getLive).get(tenantId, id);
    return row ? userFromRow(row) : null;
  }

  findByAddress(address: string): UserRecord | null {
    const row = this.#byAddress.get(lc(address));
    return row ? userFromRow(row) : null;
  }

  find(tenantId: string, query: UserQuery, paging: Paging): Page<UserRecord> {
    const where = ['tenant_id = ?'];
    const params: unknown[] = [tenantId];
    if (!query.includeDeleted) where.push('deleted_at IS NULL');
    if (query.userName !== undefined) {
      where.push('user_name_lc = ?');
      params.push(lc(query.userName));
    }
    if (query.externalId !== undefined) {
      where.push('external_id = ?');
      params.push(query.externalId);
    }
    if (query.address !== undefined) {
      const address = lc(query.address);
      if (query.includeDeleted) {
        // Deleted users hold no claims; the few kept for retention are matched by a scan.
        where.push(`(id IN (SELECT user_id FROM addresses WHERE address = ?)
          OR (deleted_at IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(users.addresses) WHERE lower(value) = ?)))`);
        params.push(address, address);
      } else {
        where.push('id IN (SELECT user_id FROM addresses WHERE address = ?)');
        params.push(address);
      }
    }
    const condition = where.join(' AND ');
    const count = this.#queries.get(`SELECT count(*) AS total FROM users WHERE ${condition}`);
    const select = this.#queries.get(
      `SELECT * FROM users WHERE ${condition} ORDER BY ${orderByCreation(query.userName !== undefined || query.externalId !== undefined || query.address !== undefined)} LIMIT ? OFFSET ?`,
    );
    return readTransaction(this.#db, () => {
      const { total } = count.get(...params) as { total: number };
      const rows = select.all(...params, paging.limit, paging.offset) as UserRow[];
      return { total, items: rows.map(userFromRow) };
    });
  }

  expired(deletedBefore: string): PurgedUser[] {
    return this.#purgeable.all(deletedBefore);
  }

  purge(deletedBefore: string): PurgedUser[] {
    return writeTransaction(this.#db, () => {
      const purged = this.#purgeable.all(deletedBefore);
      for (const { id } of purged) {
        this.#touchGroups.run(id);
        this.#leaveGroups.run(id);
        // Cascades to the user's address claims (none once deleted) and app passwords.
        this.#delete.run(id);
      }
      return purged;
    });
  }

  #checkUnique(user: UserRecord): void {
    if (user.deletedAt !== null) return;
    if (this.#userNameTaken.get(lc(user.userName), user.id)) throw new ConflictError('userName');
    if (user.externalId !== null && this.#externalIdTaken.get(user.tenantId, user.externalId, user.id)) {
      throw new ConflictError('externalId');
    }
  }

  /** Needs the user's own claims released first; throws (rolling everything back) on a taken one. */
  #claimAddresses(user: UserRecord): void {
    if (user.deletedAt !== null) return;
    for (const address of new Set(user.addresses.map(lc))) {
      if (this.#claim.run(address, user.id).changes === 0) throw new ConflictError('address');
    }
  }
}
