/**
 * The Apple configuration profile (`.mobileconfig`): one `Configuration` profile carrying a Mail
 * (IMAP + SMTP), a CalDAV and a CardDAV payload, so one install sets up mail, calendars and
 * contacts. Keys are those of Apple's Device Management reference, "Profile-specific payload keys"
 * (developer.apple.com/documentation/devicemanagement/profile-specific-payload-keys):
 *   - TopLevel: PayloadContent, PayloadDisplayName, PayloadIdentifier, PayloadOrganization,
 *     PayloadRemovalDisallowed, PayloadType `Configuration`, PayloadUUID, PayloadVersion 1;
 *   - CommonPayloadKeys (each payload): PayloadType, PayloadVersion, PayloadIdentifier,
 *     PayloadUUID, PayloadDisplayName;
 *   - Mail (`com.apple.mail.managed`, …/devicemanagement/mail): EmailAccountType (required),
 *     EmailAccountDescription, EmailAccountName, EmailAddress, IncomingMailServer{HostName,
 *     PortNumber, UseSSL, Authentication, Username}, IncomingPassword, OutgoingMailServer{HostName,
 *     PortNumber, UseSSL, Authentication, Username}, OutgoingPasswordSameAsIncomingPassword;
 *   - CalDAV (`com.apple.caldav.account`, …/devicemanagement/caldav) and CardDAV
 *     (`com.apple.carddav.account`, …/devicemanagement/carddav): {Cal,Card}DAV{AccountDescription,
 *     HostName (required), Port, UseSSL, PrincipalURL, Username, Password}.
 * Apple calls PrincipalURL "the base URL to the user's calendar/address book" without saying
 * whether a path is enough; profiles in the wild use both (Google a full URL, mailcow and
 * Mail-in-a-Box a path on the host). We give the path: it is resolved against HostName, Port and
 * UseSSL, so it cannot disagree with them, and it is the home that `stoa dns` publishes in the
 * `_caldavs`/`_carddavs` TXT `path=` records.
 *
 * The passwords are a fresh app password minted for this device (never the account password):
 * Apple advises passwords only in encrypted profiles, which need a device certificate that a
 * manual download does not have, so the profile is instead delivered over HTTPS to the signed-in
 * user and signed (sign.ts) so the device shows who issued it.
 */
import { createHash } from 'node:crypto';
import type { PublicEndpoints } from './endpoints.ts';
import { imapServers, submissionServers } from './services.ts';
import { escapeXml } from './xml-write.ts';

export interface ProfileInput {
  address: string;
  /** The person's name, shown as the sender name of mail sent from the device. */
  displayName: string;
  /** The app password minted for this device. */
  appPassword: string;
  tenantSlug: string;
  organisation: string;
  endpoints: PublicEndpoints;
  /** Overrides the stable per-address UUID, e.g. to install a second, separate profile. */
  profileUuid?: string;
}

type PlistValue = string | number | boolean | PlistValue[] | PlistDict;
interface PlistDict {
  [key: string]: PlistValue;
}

export function buildProfile(input: ProfileInput): string {
  const e = input.endpoints;
  const imap = imapServers(e)[0];
  const smtp = submissionServers(e)[0];
  if (!imap || !smtp) throw new Error('the profile needs a published IMAP and submission port');
  if (input.profileUuid !== undefined && !UUID.test(input.profileUuid)) throw new Error('profileUuid is not a UUID');

  // Re-installing a profile with the same PayloadIdentifier replaces the installed one, so both
  // the identifier and the UUIDs are derived from the address (or the given UUID), never random.
  const seed = input.profileUuid?.toUpperCase() ?? input.address.toLowerCase();
  const profileUuid = input.profileUuid?.toUpperCase() ?? uuidV5(`${seed}\nprofile`);
  const identifier = `${reverseDns(e.mailHost)}.stoa.profile.${profileUuid}`;
  const payload = (type: string, kind: string, displayName: string): PlistDict => ({
    PayloadType: type,
    PayloadVersion: 1,
    PayloadIdentifier: `${identifier}.${kind}`,
    PayloadUUID: uuidV5(`${seed}\n${kind}`),
    PayloadDisplayName: displayName,
  });
  const user = input.address;
  const password = input.appPassword;

  const mail: PlistDict = {
    ...payload('com.apple.mail.managed', 'mail', `Mail (${user})`),
    EmailAccountType: 'EmailTypeIMAP',
    EmailAccountDescription: user,
    EmailAccountName: input.displayName,
    EmailAddress: user,
    IncomingMailServerHostName: imap.host,
    IncomingMailServerPortNumber: imap.port,
    // Apple has one switch for TLS: on a STARTTLS port it means STARTTLS.
    IncomingMailServerUseSSL: true,
    IncomingMailServerAuthentication: 'EmailAuthPassword',
    IncomingMailServerUsername: user,
    IncomingPassword: password,
    OutgoingMailServerHostName: smtp.host,
    OutgoingMailServerPortNumber: smtp.port,
    OutgoingMailServerUseSSL: true,
    OutgoingMailServerAuthentication: 'EmailAuthPassword',
    OutgoingMailServerUsername: user,
    OutgoingPasswordSameAsIncomingPassword: true,
  };
  // The CalDAV and CardDAV payloads have the same keys under their own prefix.
  const dav = (prefix: 'CalDAV' | 'CardDAV', type: string, kind: string, label: string, home: string): PlistDict => ({
    ...payload(type, kind, `${label} (${user})`),
    [`${prefix}AccountDescription`]: user,
    [`${prefix}HostName`]: e.davHost,
    [`${prefix}Port`]: e.httpsPort,
    [`${prefix}UseSSL`]: true,
    [`${prefix}PrincipalURL`]: `/${input.tenantSlug}/${home}/`,
    [`${prefix}Username`]: user,
    [`${prefix}Password`]: password,
  });
  const caldav = dav('CalDAV', 'com.apple.caldav.account', 'caldav', 'Calendars', 'calendar');
  const carddav = dav('CardDAV', 'com.apple.carddav.account', 'carddav', 'Contacts', 'contacts');

  return renderPlist({
    PayloadContent: [mail, caldav, carddav],
    PayloadDisplayName: `${input.organisation} (${user})`,
    PayloadDescription: `Mail, calendars and contacts for ${user}`,
    PayloadIdentifier: identifier,
    PayloadOrganization: input.organisation,
    PayloadRemovalDisallowed: false,
    PayloadType: 'Configuration',
    PayloadUUID: profileUuid,
    PayloadVersion: 1,
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Stoa's own namespace for RFC 9562 name-based (version 5, SHA-1) UUIDs of profile payloads.
const NAMESPACE = Buffer.from('6c1f3f8e0b8a4d5e9a57c3d2b1e0f4a7', 'hex');

/** A UUIDv5 of `name` in Stoa's namespace, upper-case as Apple's tools write them. */
export function uuidV5(name: string): string {
  const bytes = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function reverseDns(host: string): string {
  return host.toLowerCase().split('.').filter(Boolean).reverse().join('.');
}

/** Apple's XML property list, with the DOCTYPE Apple's own tools write. */
function renderPlist(root: PlistDict): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
  ];
  write(root, 0, lines);
  lines.push('</plist>');
  return `${lines.join('\n')}\n`;
}

function write(value: PlistValue, depth: number, lines: string[]): void {
  const indent = '\t'.repeat(depth);
  if (typeof value === 'string') {
    lines.push(`${indent}<string>${escapeXml(value)}</string>`);
  } else if (typeof value === 'boolean') {
    lines.push(`${indent}<${value}/>`);
  } else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
    lines.push(`${indent}<integer>${value}</integer>`);
  } else if (Array.isArray(value)) {
    lines.push(`${indent}<array>`);
    for (const item of value) write(item, depth + 1, lines);
    lines.push(`${indent}</array>`);
  } else {
    lines.push(`${indent}<dict>`);
    for (const [key, item] of Object.entries(value)) {
      lines.push(`${indent}\t<key>${escapeXml(key)}</key>`);
      write(item, depth + 1, lines);
    }
    lines.push(`${indent}</dict>`);
  }
}
