import type { Directory } from '../directory/index.ts';
import { domainOf, normaliseAddress } from '../directory/addresses.ts';
import type { UserRecord } from '../store/ports/index.ts';

/** Where an envelope address leads: a live local user (by address or alias), or another domain. */
export type Recipient =
  | { kind: 'local'; address: string; user: UserRecord }
  | { kind: 'remote'; address: string; domain: string }
  /** In one of our domains, but nobody has it. */
  | { kind: 'unknown'; address: string }
  | { kind: 'invalid'; address: string };

export async function resolveRecipient(directory: Directory, raw: string): Promise<Recipient> {
  const address = normaliseAddress(raw);
  const domain = domainOf(address);
  if (!domain) return { kind: 'invalid', address };
  const user = await directory.users.byAddress(address);
  if (user && user.active && !user.deletedAt) return { kind: 'local', address, user };
  if (await directory.tenants.ofAddress(address)) return { kind: 'unknown', address };
  return { kind: 'remote', address, domain };
}
