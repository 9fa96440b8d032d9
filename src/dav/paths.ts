import { DavError } from './errors.ts';

/**
 * Request paths as decoded segments. Every segment is percent-decoded once, NFC-normalised (so a
 * name spelt with combining characters is the same file), and refused when it could step outside
 * its place: `.`, `..`, and anything that decodes to a slash, backslash or NUL.
 */
export function pathSegments(rawPath: string): string[] {
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    if (!raw) continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw).normalize('NFC');
    } catch {
      throw new DavError(400, null, 'bad percent-encoding in the path');
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) throw new DavError(403, null, 'path segment not allowed');
    segments.push(segment);
  }
  return segments;
}

const PLAIN_SEGMENT = /^[A-Za-z0-9._~@-]*$/;

export function encodeSegment(segment: string): string {
  if (PLAIN_SEGMENT.test(segment)) return segment;
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%40/g, '@');
}

/** The href of a path; collections end with a slash. */
export function hrefOf(segments: string[], collection: boolean): string {
  const path = `/${segments.map(encodeSegment).join('/')}`;
  return collection && segments.length ? `${path}/` : path;
}

/** The href of a member of the collection at `parentHref` (which ends with a slash). */
export function memberHref(parentHref: string, name: string, collection: boolean): string {
  return `${parentHref}${encodeSegment(name)}${collection ? '/' : ''}`;
}

/** The key locks are stored under: decoded, slash-joined, collections with a trailing slash. */
export function lockPath(segments: string[], collection = false): string {
  return `/${segments.join('/')}${collection ? '/' : ''}`;
}
