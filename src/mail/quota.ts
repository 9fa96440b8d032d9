import type { UserRecord } from '../store/ports/directory.ts';
import type { MailOwner } from './types.ts';

/**
 * The quota function for MailService from the directory: the user's own quotaBytes when set,
 * else the configured default (mail.quota_bytes). 0 in either place means no limit.
 */
export function directoryQuota(
  users: { get(tenantId: string, id: string): Promise<Pick<UserRecord, 'quotaBytes'> | null> },
  defaultBytes: number,
): (owner: MailOwner) => Promise<number | null> {
  return async (owner) => {
    const user = await users.get(owner.tenantId, owner.userId);
    const bytes = user?.quotaBytes ?? defaultBytes;
    return bytes === 0 ? null : bytes;
  };
}
