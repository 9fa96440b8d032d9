import { DavError } from './errors.ts';

export type Depth = 0 | 1 | 'infinity';

/** The Depth header; `fallback` when absent (RFC 4918 §10.2: infinity unless a method says otherwise). */
export function parseDepth(value: string | undefined, fallback: Depth = 'infinity'): Depth {
  if (value === undefined) return fallback;
  const v = value.trim().toLowerCase();
  if (v === '0') return 0;
  if (v === '1') return 1;
  if (v === 'infinity') return 'infinity';
  throw new DavError(400, null, `bad Depth "${value}"`);
}

/** Overwrite: T (the default) or F. */
export function parseOverwrite(value: string | undefined): boolean {
  if (value === undefined) return true;
  const v = value.trim().toUpperCase();
  if (v === 'T') return true;
  if (v === 'F') return false;
  throw new DavError(400, null, `bad Overwrite "${value}"`);
}

export const DEFAULT_LOCK_SECONDS = 3600;
export const MAX_LOCK_SECONDS = 7 * 86_400;

/** The first usable Timeout choice, capped; `Infinite` gets the cap. */
export function parseTimeout(value: string | undefined): number {
  if (!value) return DEFAULT_LOCK_SECONDS;
  for (const choice of value.split(',').map((s) => s.trim())) {
    if (/^infinite$/i.test(choice)) return MAX_LOCK_SECONDS;
    const match = /^second-(\d+)$/i.exec(choice);
    if (match) return Math.max(1, Math.min(Number(match[1]), MAX_LOCK_SECONDS));
  }
  return DEFAULT_LOCK_SECONDS;
}

/** A Lock-Token header (`<urn:uuid:…>`) without its angle brackets. */
export function parseLockToken(value: string | undefined): string {
  const match = /^\s*<([^>]+)>\s*$/.exec(value ?? '');
  if (!match) throw new DavError(400, null, 'Lock-Token header missing or malformed');
  return match[1]!;
}

/**
 * The path of a Destination (or tagged If) URI: absolute (`https://host/…`, which must name this
 * server) or absolute-path. Another host is a different server: 502 (RFC 4918 §9.8.5).
 */
export function destinationPath(value: string | undefined, host: string | undefined): string {
  if (!value) throw new DavError(400, null, 'Destination header missing');
  let url: URL;
  try {
    url = new URL(value, 'http://request.invalid');
  } catch {
    throw new DavError(400, null, 'Destination is not a URI');
  }
  if (url.host !== 'request.invalid' && host !== undefined && url.host.toLowerCase() !== host.toLowerCase()) {
    throw new DavError(502, null, 'Destination is on another server');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DavError(502, null, 'Destination is not an HTTP URI');
  return url.pathname;
}
