import type { Readable } from 'node:stream';
import type { DavShareAccess } from '../store/ports/index.ts';
import type { XmlElement } from '../xml/parse.ts';
import { DavError } from './errors.ts';
import type { GroupwareSpace } from './groupware-space.ts';
import type { DavResource, DavSpace, QuotaInfo, ReportContext, ReportDocument, SyncDelta } from './resource.ts';
import { withShareeAccess } from './share-props.ts';

/** What the sharee holds: their access, their own properties, and how to change the latter or leave. */
export interface ShareeGrant {
  access: DavShareAccess;
  props: Record<string, string>;
  setProps(set: Record<string, string>, remove: string[]): Promise<void>;
  unsubscribe(): Promise<void>;
}

/**
 * Another user's calendar or address book as it appears in the sharee's home: `[]` the collection,
 * `[o]` an object, read and written through the owner's home, so objects, reports, sync tokens
 * (the collection's own journal) are the owner's. A read grant makes the space read-only; DELETE of
 * the collection itself unsubscribes the sharee and leaves the owner's data alone. The collection's
 * properties (name, colour, …) a sharee sets are their own, shown to them over the owner's, as a
 * phone picks its own colour for every calendar it adds.
 */
export class SharedCollectionSpace implements DavSpace {
  readonly #home: GroupwareSpace;
  /** The collection's name in the owner's home. */
  readonly #name: string;
  readonly #grant: ShareeGrant;
  readonly writable: boolean;
  readonly owner: string | null;

  constructor(ownerHome: GroupwareSpace, name: string, grant: ShareeGrant) {
    this.#home = ownerHome;
    this.#name = name;
    this.#grant = grant;
    this.writable = grant.access === 'read-write';
    this.owner = ownerHome.owner;
  }

  #in(path: string[]): string[] {
    return [this.#name, ...path];
  }

  async find(path: string[]): Promise<DavResource | null> {
    const resource = await this.#home.find(this.#in(path));
    if (!resource || path.length > 0) return resource;
    return withShareeAccess({ ...resource, deadProps: { ...resource.deadProps, ...this.#grant.props } }, this.#grant.access);
  }

  list(path: string[]): Promise<Array<{ name: string; resource: DavResource }>> {
    return this.#home.list(this.#in(path));
  }

  read(path: string[]): Promise<Readable> {
    return this.#home.read(this.#in(path));
  }

  put(path: string[], body: AsyncIterable<Uint8Array>): Promise<{ created: boolean; resource: DavResource }> {
    return this.#home.put(this.#in(path), body);
  }

  async mkcol(): Promise<void> {
    throw new DavError(403, null, 'a shared collection holds objects only');
  }

  remove(path: string[]): Promise<void> {
    if (path.length === 0) throw new DavError(403, null, 'the owner alone removes a shared collection');
    return this.#home.remove(this.#in(path));
  }

  /** The sharee's DELETE of the collection: it leaves their home, the owner's keeps it. */
  detach(): Promise<void> {
    return this.#grant.unsubscribe();
  }

  async post(): Promise<void> {
    throw new DavError(403, 'need-privileges', 'the owner alone shares a collection');
  }

  patch(path: string[], set: Record<string, string>, remove: string[]): Promise<void> {
    if (path.length > 0) return this.#home.patch(this.#in(path), set, remove);
    return this.#grant.setProps(set, remove);
  }

  ownProps(path: string[]): boolean {
    return path.length === 0;
  }

  accepts(path: string[], collection: boolean): boolean {
    return this.#home.accepts(this.#in(path), collection);
  }

  copy(): Promise<void> {
    return this.#home.copy();
  }

  move(): Promise<void> {
    return this.#home.move();
  }

  async quota(): Promise<QuotaInfo | null> {
    return null;
  }

  syncToken(path: string[]): Promise<string | null> {
    return this.#home.syncToken(this.#in(path));
  }

  changesSince(path: string[], token: string, limit: number): Promise<SyncDelta | null> {
    return this.#home.changesSince(this.#in(path), token, limit);
  }

  /** The owner's report, with hrefs and answers moved between the two homes' paths. */
  report(path: string[], body: XmlElement, context: ReportContext): Promise<string | ReportDocument | null> {
    return this.#home.report(this.#in(path), body, {
      pathOf: (href) => {
        const inside = context.pathOf(href);
        return inside && this.#in(inside);
      },
      respond: (inner, resource, props) => context.respond(inner.slice(1), resource, props),
      missing: (href) => context.missing(href),
      truncated: () => context.truncated(),
    });
  }
}
