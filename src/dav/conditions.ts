import { DavError } from './errors.ts';
import { weakEqual } from './if-header.ts';
import type { DavResource } from './resource.ts';

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function etagList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

function matches(list: string[], etag: string | null, weak: boolean): boolean {
  if (etag === null) return false;
  const quoted = `"${etag}"`;
  return list.some((t) => t === '*' || (weak ? weakEqual(t, quoted) : t === quoted));
}

/** HTTP dates have one-second resolution; compare at that resolution. */
function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/**
 * RFC 9110 §13.2.2 preconditions in their order. Returns 304 for a GET/HEAD that need not send the
 * body, throws 412 for a failed precondition, else null.
 */
export function checkPreconditions(headers: Headers, resource: DavResource | null, safe: boolean): 304 | null {
  const ifMatch = header(headers, 'if-match');
  if (ifMatch !== undefined) {
    if (!resource || !matches(etagList(ifMatch), resource.etag, false)) throw new DavError(412, null, 'If-Match failed');
  } else {
    const since = Date.parse(header(headers, 'if-unmodified-since') ?? '');
    if (resource && !Number.isNaN(since) && seconds(resource.lastModified) > since / 1000) throw new DavError(412, null, 'If-Unmodified-Since failed');
  }
  const ifNoneMatch = header(headers, 'if-none-match');
  if (ifNoneMatch !== undefined) {
    if (resource && (ifNoneMatch.trim() === '*' || matches(etagList(ifNoneMatch), resource.etag, true))) {
      if (safe) return 304;
      throw new DavError(412, null, 'If-None-Match failed');
    }
  } else if (safe && resource) {
    const since = Date.parse(header(headers, 'if-modified-since') ?? '');
    if (!Number.isNaN(since) && seconds(resource.lastModified) <= since / 1000) return 304;
  }
  return null;
}

/**
 * A single byte range of a `bytes=` Range header, honouring If-Range; null for the whole body
 * (absent, several ranges, or another unit: a full 200 is always allowed). 416 when unsatisfiable.
 */
export function byteRange(headers: Headers, resource: DavResource): { start: number; end: number } | null {
  const range = header(headers, 'range');
  const size = resource.contentLength ?? 0;
  if (!range) return null;
  const ifRange = header(headers, 'if-range');
  if (ifRange) {
    const date = Date.parse(ifRange);
    const fresh = ifRange.trim().startsWith('"') || ifRange.trim().startsWith('W/')
      ? ifRange.trim() === `"${resource.etag}"`
      : !Number.isNaN(date) && seconds(resource.lastModified) <= date / 1000;
    if (!fresh) return null;
  }
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(range);
  if (!match || (!match[1] && !match[2])) return null;
  let start: number;
  let end: number;
  if (!match[1]) {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
    if (match[2] && Number(match[2]) < start) return null;
  }
  if (start >= size || size === 0) throw new DavError(416, null, 'range not satisfiable', { headers: { 'content-range': `bytes */${size}` } });
  return { start, end };
}
