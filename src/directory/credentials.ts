import { randomUUID } from 'node:crypto';
import type { AppPasswordRecord, DirectoryStore, Protocol } from '../store/ports/index.ts';
import { PROTOCOLS } from '../store/ports/index.ts';
import { DirectoryError } from './errors.ts';
import { newAppPassword, normaliseAppPassword } from './tokens.ts';
import type { UserService } from './users.ts';

export interface NewAppPassword {
  record: AppPasswordRecord;
  /** Shown once; only its keyed hash is stored. */
  secret: string;
}

export function parseScopes(list: string): Protocol[] {
  const scopes = list.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = scopes.filter((s) => !PROTOCOLS.includes(s as Protocol));
  if (unknown.length || !scopes.length) throw new DirectoryError('invalidValue', `scopes must be some of ${PROTOCOLS.join(',')}`);
  return [...new Set(scopes)] as Protocol[];
}

/** App passwords: one per device, scoped to protocols, revocable, with their last use kept. */
export class AppPasswordService {
  #store: DirectoryStore;
  #users: UserService;
  #hash: (token: string) => string;

  constructor(store: DirectoryStore, users: UserService, hash: (token: string) => string) {
    this.#store = store;
    this.#users = users;
    this.#hash = hash;
  }

  async create(address: string, label: string, scopes: Protocol[] = [...PROTOCOLS]): Promise<NewAppPassword> {
    const user = await this.#users.requireByAddress(address);
    if (!label.trim()) throw new DirectoryError('invalidValue', 'an app password needs a label');
    const secret = newAppPassword();
    const record: AppPasswordRecord = {
      id: randomUUID(), userId: user.id, tenantId: user.tenantId, label: label.trim(), scopes,
      hash: this.#hash(normaliseAppPassword(secret)), createdAt: new Date().toISOString(),
      lastUsedAt: null, lastUsedIp: null, revokedAt: null,
    };
    await this.#store.addAppPassword(record);
    return { record, secret };
  }

  async list(address: string): Promise<AppPasswordRecord[]> {
    const user = await this.#users.requireByAddress(address);
    return this.#store.listAppPasswords(user.id);
  }

  async revoke(address: string, id: string): Promise<void> {
    const user = await this.#users.requireByAddress(address);
    if (!(await this.#store.revokeAppPassword(user.id, id, new Date().toISOString()))) throw new DirectoryError('notFound', `no active app password ${id}`);
  }

  /** The live app password matching `secret`, or null. */
  async find(secret: string): Promise<AppPasswordRecord | null> {
    const record = await this.#store.findAppPasswordByHash(this.#hash(normaliseAppPassword(secret)));
    return record && !record.revokedAt ? record : null;
  }
}
