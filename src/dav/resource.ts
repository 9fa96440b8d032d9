import type { Readable } from 'node:stream';
import type { XmlElement } from '../xml/parse.ts';
import type { QName } from './xml-out.ts';

/**
 * The engine's view of one resource. Files implement it now; calendars and address books later
 * add their resource types and live properties (`extraProps`) and reports, on the same core.
 */
export interface DavResource {
  collection: boolean;
  /** Unquoted, strong. */
  etag: string | null;
  contentLength: number | null;
  contentType: string | null;
  lastModified: Date;
  created: Date;
  displayName: string | null;
  /** Dead properties: clark name → the property element as XML text. */
  deadProps: Record<string, string>;
  /** Resource types besides DAV:collection (e.g. CalDAV's calendar). */
  resourceTypes?: QName[];
  /** Kind-specific live properties: clark name → the element's inner XML. Protected from PROPPATCH. */
  extraProps?: Record<string, string>;
}

export interface QuotaInfo {
  used: number;
  /** null when there is no limit. */
  available: number | null;
}

export interface SyncDelta {
  token: string;
  /** Member names changed (created or updated) and still present. */
  changed: string[];
  /** Member names that no longer exist. */
  removed: string[];
  /** More changes follow: `token` is where the client continues (RFC 6578 §3.6). */
  truncated: boolean;
}

/** What an extended MKCOL (RFC 5689) or MKCALENDAR (RFC 4791) asks for besides a plain collection. */
export interface CollectionInit {
  resourceTypes: QName[];
  /** Properties to set: clark name → the property element as XML text. */
  set: Record<string, string>;
}

/** A REPORT answer that is not a multistatus, e.g. free-busy-query's text/calendar (RFC 4791 §7.10). */
export interface ReportDocument {
  status: number;
  contentType: string;
  body: string;
}

/** What the engine lends a space's own REPORTs (calendar-query, addressbook-multiget, …). */
export interface ReportContext {
  /** The path inside the space of an href from the request body; null when it lies outside it. */
  pathOf(href: string): string[] | null;
  /** One DAV:response for the resource at `path` (inside the space) with the requested properties. */
  respond(path: string[], resource: DavResource, props: QName[]): Promise<string>;
  /** One DAV:response carrying only a status, for an href that names nothing. */
  missing(href: string): string;
  /** The DAV:response (507, number-of-matches-within-limits) saying an answer was cut at the client's limit. */
  truncated(): string;
}

/**
 * A mounted tree of resources (a user's drive, a group drive, later a calendar home), addressed by
 * decoded path segments below its mount point. Writes throw DavError for protocol answers.
 */
export interface DavSpace {
  find(path: string[]): Promise<DavResource | null>;
  /** Members of a collection, by segment name. */
  list(path: string[]): Promise<Array<{ name: string; resource: DavResource }>>;
  read(path: string[], range?: { start: number; end: number }): Promise<Readable>;
  /** Replaces or creates a non-collection; 409 when the parent is missing. */
  put(path: string[], body: AsyncIterable<Uint8Array>, contentType: string | null): Promise<{ created: boolean; resource: DavResource }>;
  /** `init` for an extended MKCOL or MKCALENDAR; a space that cannot honour it answers 403. */
  mkcol(path: string[], init?: CollectionInit): Promise<void>;
  remove(path: string[]): Promise<void>;
  /** Dead properties only; the engine has already refused protected ones. */
  patch(path: string[], set: Record<string, string>, remove: string[]): Promise<void>;
  /**
   * Whether COPY or MOVE may place a collection (`collection`) or an object at `path`; asked before
   * an Overwrite clears the destination, so a transfer the space cannot take deletes nothing. Absent = any.
   */
  accepts?(path: string[], collection: boolean): boolean;
  /** Within this space; the destination is free (the engine removed it for Overwrite: T). */
  copy(from: string[], to: string[], deep: boolean): Promise<void>;
  move(from: string[], to: string[]): Promise<void>;
  quota(): Promise<QuotaInfo | null>;
  /**
   * A collection's sync state (RFC 6578) and getctag: opaque, URI-safe, naming the collection so a
   * token from elsewhere is refused; null when the kind has none.
   */
  syncToken(path: string[]): Promise<string | null>;
  /**
   * Changes to a collection's members since a token, at most `limit` names (then `truncated`);
   * null when the token is not valid there.
   */
  changesSince(path: string[], token: string, limit: number): Promise<SyncDelta | null>;
  /**
   * The answer to a REPORT this kind defines on `path`: the multistatus's inner XML, or a whole
   * document of another type; null when the kind does not know the report (the engine then answers
   * supported-report).
   */
  report?(path: string[], body: XmlElement, context: ReportContext): Promise<string | ReportDocument | null>;
  /**
   * Drops this space from the user's view without touching its data (a sharee's DELETE of a shared
   * collection); absent where the space's root cannot be deleted.
   */
  detach?(): Promise<void>;
  /**
   * True where PROPPATCH changes only the requesting user's own view (a sharee's properties of a
   * shared collection), so it is allowed even where the space is read-only.
   */
  ownProps?(path: string[]): boolean;
  /** A POST to `path` (sharing requests on calendars and address books); absent = 405. */
  post?(path: string[], body: XmlElement | null): Promise<void>;
  /** False for read-only views (the drive list, another user's data shared read-only). */
  readonly writable: boolean;
  /** The owning principal's href (DAV:owner), or null. */
  readonly owner: string | null;
}
