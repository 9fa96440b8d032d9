/**
 * The company address book's card for one directory user (vCard 4.0), built from the SCIM
 * representation the identity provider last sent, so it changes exactly when provisioning does.
 */
import ICAL from 'ical.js';
import type { UserRecord } from '../store/ports/directory.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

interface ScimName { givenName?: string; familyName?: string; middleName?: string; honorificPrefix?: string; honorificSuffix?: string; formatted?: string }
interface ScimMulti { value?: string; type?: string; primary?: boolean }

export function directoryCard(user: UserRecord, prodId: string): string {
  const scim = user.scim;
  const name = (scim.name ?? {}) as ScimName;
  const enterprise = (scim[ENTERPRISE] ?? {}) as { department?: string; organization?: string };
  const card = new ICAL.Component('vcard');
  card.addPropertyWithValue('version', '4.0');
  card.addPropertyWithValue('prodid', prodId);
  card.addPropertyWithValue('uid', `urn:uuid:${user.id}`);
  card.addPropertyWithValue('kind', 'individual');
  card.addPropertyWithValue('fn', user.displayName ?? name.formatted ?? joined(name.givenName, name.familyName) ?? user.userName);
  if (name.familyName || name.givenName) {
    card.addPropertyWithValue('n', [name.familyName ?? '', name.givenName ?? '', name.middleName ?? '', name.honorificPrefix ?? '', name.honorificSuffix ?? '']);
  }
  const emails = new Set([user.userName, ...user.addresses]);
  for (const email of emails) {
    const property = card.addPropertyWithValue('email', email);
    property.setParameter('type', 'work');
    if (email === user.userName) property.setParameter('pref', '1');
  }
  for (const phone of (scim.phoneNumbers ?? []) as ScimMulti[]) {
    if (!phone.value) continue;
    const property = card.addPropertyWithValue('tel', phone.value);
    property.setParameter('value', 'text');
    if (phone.type) property.setParameter('type', phone.type === 'mobile' ? 'cell' : phone.type);
  }
  if (typeof scim.title === 'string' && scim.title) card.addPropertyWithValue('title', scim.title);
  if (enterprise.organization || enterprise.department) {
    card.addPropertyWithValue('org', [enterprise.organization ?? '', ...(enterprise.department ? [enterprise.department] : [])]);
  }
  card.addPropertyWithValue('rev', ICAL.Time.fromJSDate(new Date(user.updatedAt), true));
  return card.toString() + '\r\n';
}

function joined(...parts: Array<string | undefined>): string | undefined {
  const text = parts.filter(Boolean).join(' ');
  return text || undefined;
}
