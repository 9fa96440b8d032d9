import type { ShareChange, ShareeRef } from '../groupware/sharing.ts';
import type { DavShareAccess } from '../store/ports/index.ts';
import { childElements, textOf, type XmlElement } from '../xml/parse.ts';
import { DavError } from './errors.ts';
import { CALENDARSERVER_NS } from './properties.ts';
import { DAV_NS } from './xml-out.ts';

/**
 * The sharee changes of a POST body: Apple's `CS:share` (calendarserver.org sharing, iOS and macOS)
 * or `DAV:share-resource` (draft-pot-webdav-resource-sharing, as DAVx5 and sabre/dav send it).
 * Anything else is a 400.
 */
export function parseShareRequest(root: XmlElement | null): ShareChange[] {
  if (root?.ns === CALENDARSERVER_NS && root.name === 'share') {
    return childElements(root, CALENDARSERVER_NS).flatMap((op): ShareChange[] => {
      if (op.name === 'set') return [{ sharee: shareeOf(op), access: childElements(op, CALENDARSERVER_NS, 'read-write').length ? 'read-write' as const : 'read' as const }];
      if (op.name === 'remove') return [{ sharee: shareeOf(op), access: null }];
      return [];
    });
  }
  if (root?.ns === DAV_NS && root.name === 'share-resource') {
    return childElements(root, DAV_NS, 'sharee').map((sharee) => ({ sharee: shareeOf(sharee), access: draftAccess(sharee) }));
  }
  throw new DavError(400, null, 'expected CS:share or DAV:share-resource');
}

function draftAccess(sharee: XmlElement): DavShareAccess | null {
  const access = childElements(sharee, DAV_NS, 'share-access')[0];
  const chosen = access && childElements(access, DAV_NS)[0]?.name;
  if (chosen === 'read' || chosen === 'read-write') return chosen;
  if (chosen === 'no-access') return null;
  throw new DavError(400, null, 'a sharee needs share-access read, read-write or no-access');
}

/** `mailto:` names an address; a principal URL (`…/principals/users/{id}/`) names a user of the tenant. */
function shareeOf(parent: XmlElement): ShareeRef {
  const href = childElements(parent, DAV_NS, 'href')[0];
  if (!href) throw new DavError(400, null, 'a sharee needs a DAV:href');
  const text = textOf(href).trim();
  if (/^mailto:/i.test(text)) return { address: decoded(text.slice('mailto:'.length)) };
  const principal = /\/principals\/users\/([^/]+)\/?$/.exec(text);
  return principal ? { userId: decoded(principal[1]!) } : { address: text };
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new DavError(400, null, 'a sharee href is not valid percent-encoding');
  }
}
