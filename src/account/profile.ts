/**
 * The Apple set-up profile for the signed-in user: a fresh app password minted for the device and
 * named after it (never the account password), put into the mail, CalDAV and CardDAV payloads,
 * and signed with the server's current certificate.
 */
import type { PublicEndpoints } from '../autoconfig/endpoints.ts';
import { buildProfile } from '../autoconfig/mobileconfig.ts';
import { signProfile, type ProfileSigner } from '../autoconfig/sign.ts';
import type { AppPasswordService } from '../directory/credentials.ts';
import type { TenantRecord, UserRecord } from '../store/ports/index.ts';

export const PROFILE_TYPE = 'application/x-apple-aspen-config';

export async function deviceProfile(options: {
  user: UserRecord;
  tenant: TenantRecord;
  device: string;
  appPasswords: AppPasswordService;
  endpoints: PublicEndpoints;
  signer: ProfileSigner;
}): Promise<{ body: Buffer; filename: string }> {
  const { user, tenant } = options;
  const { secret } = await options.appPasswords.create(user.userName, `Profile: ${options.device}`);
  const plist = buildProfile({
    address: user.userName,
    displayName: user.displayName ?? user.userName,
    appPassword: secret,
    tenantSlug: tenant.slug,
    organisation: tenant.name,
    endpoints: options.endpoints,
  });
  return { body: signProfile(plist, options.signer), filename: `${tenant.slug}-${user.userName.replace(/[^a-z0-9.-]/gi, '_')}.mobileconfig` };
}
