import type { Statement } from 'better-sqlite3';
import type {
  AppPasswordRecord,
  DirectoryStore,
  DomainRecord,
  GroupQuery,
  GroupRecord,
  Page,
  Paging,
  PurgedUser,
  ScimTokenRecord,
  TenantRecord,
  UserQuery,
  UserRecord,
} from '../ports/directory.ts';
import { ConflictError, VersionConflictError } from '../ports/errors.ts';
import type { Db } from './database.ts';
import { guard, writeTransaction } from './database.ts';
import { SqliteGroups } from './directory-groups.ts';
import type { AppPasswordRow, DomainRow, ScimTokenRow, TenantRow } from './directory-rows.ts';
import {
  appPasswordFromRow,
  appPasswordToRow,
  domainFromRow,
  lc,
  scimTokenFromRow,
  tenantFromRow,
  tenantToRow,
} from './directory-rows.ts';
import { SqliteUsers } from './directory-users.ts';

/**
 * The directory on SQLite. Domain names are keys and compared lower-case. An update of a record
 * that no longer exists throws VersionConflictError, as the record changed under the caller.
 */
export class SqliteDirectory implements DirectoryStore {
  readonly #db: Db;
  readonly #users: SqliteUsers;
  readonly #groups: SqliteGroups;
  readonly #statements: {
    tenantById: Statement<[string], TenantRow>;
    tenantBySlug: Statement<[string], TenantRow>;
    tenants: Statement<[], TenantRow>;
    insertTenant: Statement<[TenantRow]>;
    updateTenant: Statement<[TenantRow]>;
    domain: Statement<[string], DomainRow>;
    domains: Statement<[string], DomainRow>;
    insertDomain: Statement<[DomainRow]>;
    appPasswordById: Statement<[string], { id: string }>;
    appPasswordByHash: Statement<[string], AppPasswordRow>;
    appPasswords: Statement<[string], AppPasswordRow>;
    insertAppPassword: Statement<[AppPasswordRow]>;
    revokeAppPassword: Statement<[string, string, string]>;
    touchAppPassword: Statement<[string, string | null, string]>;
    scimTokenById: Statement<[string], { id: string }>;
    scimTokenByHash: Statement<[string], ScimTokenRow>;
    insertScimToken: Statement<[ScimTokenRow]>;
  };

  constructor(db: Db) {
    this.#db = db;
    this.#users = new SqliteUsers(db);
    this.#groups = new SqliteGroups(db);
    this.#statements = {
      tenantById: db.prepare('SELECT * FROM tenants WHERE id = ?'),
      tenantBySlug: db.prepare('SELECT * FROM tenants WHERE slug = ?'),
      tenants: db.prepare('SELECT * FROM tenants ORDER BY created_at, id'),
      insertTenant: db.prepare(
        'INSERT INTO tenants (id, slug, name, settings, created_at) VALUES (@id, @slug, @name, @settings, @created_at)',
      ),
      updateTenant: db.prepare(
        'UPDATE tenants SET slug = @slug, name = @name, settings = @settings, created_at = @created_at WHERE id = @id',
      ),
      domain: db.prepare('SELECT * FROM domains WHERE name = ?'),
      domains: db.prepare('SELECT * FROM domains WHERE tenant_id = ? ORDER BY name'),
      insertDomain: db.prepare(
        'INSERT INTO domains (name, tenant_id, created_at) VALUES (@name, @tenant_id, @created_at)',
      ),
      appPasswordById: db.prepare('SELECT id FROM app_passwords WHERE id = ?'),
      appPasswordByHash: db.prepare('SELECT * FROM app_passwords WHERE hash = ?'),
      appPasswords: db.prepare('SELECT * FROM app_passwords WHERE user_id = ? ORDER BY created_at, id'),
      insertAppPassword: db.prepare(
        `INSERT INTO app_passwords (id, user_id, tenant_id, label, scopes, hash, created_at, last_used_at,
           last_used_ip, revoked_at)
         VALUES (@id, @user_id, @tenant_id, @label, @scopes, @hash, @created_at, @last_used_at, @last_used_ip,
           @revoked_at)`,
      ),
      revokeAppPassword: db.prepare(
        'UPDATE app_passwords SET revoked_at = ? WHERE user_id = ? AND id = ? AND revoked_at IS NULL',
      ),
      touchAppPassword: db.prepare('UPDATE app_passwords SET last_used_at = ?, last_used_ip = ? WHERE id = ?'),
      scimTokenById: db.prepare('SELECT id FROM scim_tokens WHERE id = ?'),
      scimTokenByHash: db.prepare('SELECT * FROM scim_tokens WHERE hash = ?'),
      insertScimToken: db.prepare(
        'INSERT INTO scim_tokens (id, tenant_id, hash, created_at, revoked_at) VALUES (@id, @tenant_id, @hash, @created_at, @revoked_at)',
      ),
    };
  }

  createTenant(tenant: TenantRecord): Promise<void> {
    return guard(() =>
      writeTransaction(this.#db, () => {
        if (this.#statements.tenantById.get(tenant.id)) throw new ConflictError('id');
        if (this.#statements.tenantBySlug.get(tenant.slug)) throw new ConflictError('slug');
        this.#statements.insertTenant.run(tenantToRow(tenant));
      }),
    );
  }

  updateTenant(tenant: TenantRecord): Promise<void> {
    return guard(() =>
      writeTransaction(this.#db, () => {
        if (!this.#statements.tenantById.get(tenant.id)) throw new VersionConflictError('no such tenant');
        const owner = this.#statements.tenantBySlug.get(tenant.slug);
        if (owner && owner.id !== tenant.id) throw new ConflictError('slug');
        this.#statements.updateTenant.run(tenantToRow(tenant));
      }),
    );
  }

  getTenant(id: string): Promise<TenantRecord | null> {
    return guard(() => nullable(this.#statements.tenantById.get(id), tenantFromRow));
  }

  getTenantBySlug(slug: string): Promise<TenantRecord | null> {
    return guard(() => nullable(this.#statements.tenantBySlug.get(slug), tenantFromRow));
  }

  listTenants(): Promise<TenantRecord[]> {
    return guard(() => this.#statements.tenants.all().map(tenantFromRow));
  }

  addDomain(domain: DomainRecord): Promise<void> {
    const row = { name: lc(domain.name), tenant_id: domain.tenantId, created_at: domain.createdAt };
    return guard(() =>
      writeTransaction(this.#db, () => {
        if (this.#statements.domain.get(row.name)) throw new ConflictError('name');
        this.#statements.insertDomain.run(row);
      }),
    );
  }

  getDomain(name: string): Promise<DomainRecord | null> {
    return guard(() => nullable(this.#statements.domain.get(lc(name)), domainFromRow));
  }

  listDomains(tenantId: string): Promise<DomainRecord[]> {
    return guard(() => this.#statements.domains.all(tenantId).map(domainFromRow));
  }

  createUser(user: UserRecord): Promise<void> {
    return guard(() => this.#users.create(user));
  }

  updateUser(user: UserRecord, expectedVersion: number): Promise<void> {
    return guard(() => this.#users.update(user, expectedVersion));
  }

  getUser(tenantId: string, id: string, includeDeleted = false): Promise<UserRecord | null> {
    return guard(() => this.#users.get(tenantId, id, includeDeleted));
  }

  findUserByAddress(address: string): Promise<UserRecord | null> {
    return guard(() => this.#users.findByAddress(address));
  }

  findUsers(tenantId: string, query: UserQuery, paging: Paging): Promise<Page<UserRecord>> {
    return guard(() => this.#users.find(tenantId, query, paging));
  }

  expiredUsers(deletedBefore: string): Promise<PurgedUser[]> {
    return guard(() => this.#users.expired(deletedBefore));
  }

  purgeUsers(deletedBefore: string): Promise<PurgedUser[]> {
    return guard(() => this.#users.purge(deletedBefore));
  }

  createGroup(group: GroupRecord): Promise<void> {
    return guard(() => this.#groups.create(group));
  }

  updateGroup(group: GroupRecord, expectedVersion: number): Promise<void> {
    return guard(() => this.#groups.update(group, expectedVersion));
  }

  getGroup(tenantId: string, id: string): Promise<GroupRecord | null> {
    return guard(() => this.#groups.get(tenantId, id));
  }

  deleteGroup(tenantId: string, id: string): Promise<boolean> {
    return guard(() => this.#groups.delete(tenantId, id));
  }

  findGroups(tenantId: string, query: GroupQuery, paging: Paging): Promise<Page<GroupRecord>> {
    return guard(() => this.#groups.find(tenantId, query, paging));
  }

  addAppPassword(record: AppPasswordRecord): Promise<void> {
    return guard(() =>
      writeTransaction(this.#db, () => {
        if (this.#statements.appPasswordById.get(record.id)) throw new ConflictError('id');
        if (this.#statements.appPasswordByHash.get(record.hash)) throw new ConflictError('hash');
        this.#statements.insertAppPassword.run(appPasswordToRow(record));
      }),
    );
  }

  findAppPasswordByHash(hash: string): Promise<AppPasswordRecord | null> {
    return guard(() => nullable(this.#statements.appPasswordByHash.get(hash), appPasswordFromRow));
  }

  listAppPasswords(userId: string): Promise<AppPasswordRecord[]> {
    return guard(() => this.#statements.appPasswords.all(userId).map(appPasswordFromRow));
  }

  revokeAppPassword(userId: string, id: string, at: string): Promise<boolean> {
    return guard(() => this.#statements.revokeAppPassword.run(at, userId, id).changes > 0);
  }

  touchAppPassword(id: string, at: string, ip: string | null): Promise<void> {
    return guard(() => {
      this.#statements.touchAppPassword.run(at, ip, id);
    });
  }

  addScimToken(record: ScimTokenRecord): Promise<void> {
    const row = {
      id: record.id,
      tenant_id: record.tenantId,
      hash: record.hash,
      created_at: record.createdAt,
      revoked_at: record.revokedAt,
    };
    return guard(() =>
      writeTransaction(this.#db, () => {
        if (this.#statements.scimTokenById.get(row.id)) throw new ConflictError('id');
        if (this.#statements.scimTokenByHash.get(row.hash)) throw new ConflictError('hash');
        this.#statements.insertScimToken.run(row);
      }),
    );
  }

  findScimTokenByHash(hash: string): Promise<ScimTokenRecord | null> {
    return guard(() => nullable(this.#statements.scimTokenByHash.get(hash), scimTokenFromRow));
  }
}

function nullable<R, T>(row: R | undefined, convert: (row: R) => T): T | null {
  return row === undefined ? null : convert(row);
}
