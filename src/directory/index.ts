import type { Store } from '../store/ports/index.ts';
import { Authenticator } from './authenticate.ts';
import { AppPasswordService } from './credentials.ts';
import { GroupService } from './groups.ts';
import { TenantService } from './tenants.ts';
import { LoginThrottle, type ThrottleSettings } from './throttle.ts';
import { tokenHasher } from './tokens.ts';
import { UserService } from './users.ts';

export interface DirectorySettings {
  retentionDays: number;
  passwordCacheMs: number;
  throttle: ThrottleSettings;
}

/** The shared directory: every front authenticates here, SCIM and the CLI write here. */
export interface Directory {
  tenants: TenantService;
  users: UserService;
  groups: GroupService;
  appPasswords: AppPasswordService;
  auth: Authenticator;
  settings: DirectorySettings;
  /** SCIM DELETE: logins stop, group memberships end, data stays for the retention period. */
  deprovision(tenantId: string, userId: string): Promise<void>;
}

export async function createDirectory(store: Pick<Store, 'directory' | 'journal' | 'kv'>, settings: DirectorySettings): Promise<Directory> {
  const hash = await tokenHasher(store.kv);
  const tenants = new TenantService(store.directory, hash);
  const users = new UserService(store.directory, store.journal, (tenantId) => tenants.domains(tenantId));
  const groups = new GroupService(store.directory, store.journal);
  const appPasswords = new AppPasswordService(store.directory, users, hash);
  const throttle = new LoginThrottle(store.kv, settings.throttle);
  const auth = new Authenticator(store.directory, appPasswords, throttle, settings.passwordCacheMs);
  return {
    tenants, users, groups, appPasswords, auth, settings,
    async deprovision(tenantId, userId) {
      await users.remove(tenantId, userId);
      await groups.dropMember(tenantId, userId);
    },
  };
}
