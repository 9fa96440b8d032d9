import { escapeXml } from '../autoconfig/xml-write.ts';
import type { Share } from '../groupware/sharing.ts';
import type { DavShareAccess } from '../store/ports/index.ts';
import { CALENDARSERVER_NS } from './properties.ts';
import type { DavResource } from './resource.ts';
import { clark, dav, davText, element, DAV_NS, type QName } from './xml-out.ts';

/**
 * The sharing properties of calendars and address books, in both vocabularies clients read:
 * Apple's calendarserver.org (`CS:invite`, `CS:allowed-sharing-modes`, the `CS:shared-owner` and
 * `CS:shared` resource types) and draft-pot-webdav-resource-sharing (`DAV:invite`, `DAV:share-access`).
 */
const cs = (name: string): QName => ({ ns: CALENDARSERVER_NS, name });
const d = (name: string): QName => ({ ns: DAV_NS, name });

const csAccess = (access: DavShareAccess) => element(cs('access'), element(cs(access)));
const davAccess = (access: DavShareAccess) => dav('share-access', dav(access));

/** The owner's view of a collection: who it is shared with, and that it can be shared. */
export function withOwnerShares(resource: DavResource, shares: Share[]): DavResource {
  const csUsers = shares.map(({ grant, sharee }) => element(cs('user'),
    davText('href', `mailto:${sharee.userName}`) + (sharee.displayName ? element(cs('common-name'), escapeXml(sharee.displayName)) : '')
    + element(cs('invite-accepted')) + csAccess(grant.access)));
  const davSharees = shares.map(({ grant, sharee }) => dav('sharee',
    davText('href', `mailto:${sharee.userName}`) + (sharee.displayName ? dav('prop', davText('displayname', sharee.displayName)) : '')
    + davAccess(grant.access) + dav('invite-accepted')));
  return {
    ...resource,
    resourceTypes: [...(resource.resourceTypes ?? []), ...(shares.length ? [cs('shared-owner')] : [])],
    extraProps: {
      ...resource.extraProps,
      [clark(cs('allowed-sharing-modes'))]: element(cs('can-be-shared')),
      [clark(cs('invite'))]: csUsers.join(''),
      [clark(d('invite'))]: davSharees.join(''),
      [clark(d('share-access'))]: dav(shares.length ? 'shared-owner' : 'not-shared'),
    },
  };
}

/** The sharee's view of a collection: marked shared, with the access they were given. */
export function withShareeAccess(resource: DavResource, access: DavShareAccess): DavResource {
  return {
    ...resource,
    resourceTypes: [...(resource.resourceTypes ?? []), cs('shared')],
    extraProps: { ...resource.extraProps, [clark(d('share-access'))]: dav(access) },
  };
}
