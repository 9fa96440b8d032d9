import { Readable } from 'node:stream';
import type { DirectoryBook } from '../contacts/directory-book.ts';
import type { DavObject } from '../store/ports/index.ts';
import type { XmlElement } from '../xml/parse.ts';
import { DavError } from './errors.ts';
import { groupwareReport, type ObjectSource } from './groupware-reports.ts';
import { ADDRESSBOOK_KIND, collectionProps, objectResource, type GroupwareKind } from './groupware-space.ts';
import type { DavResource, DavSpace, ReportContext, ReportDocument, SyncDelta } from './resource.ts';
import { ReadOnlySpace } from './virtual-space.ts';

/** The tenant's company directory as a read-only address book: `[]` the book, `[name]` a card. */
export class DirectoryBookSpace extends ReadOnlySpace implements DavSpace, ObjectSource {
  readonly #book: DirectoryBook;
  readonly #tenantId: string;
  readonly kind: GroupwareKind = ADDRESSBOOK_KIND;
  readonly owner = null;

  constructor(book: DirectoryBook, tenantId: string) {
    super();
    this.#book = book;
    this.#tenantId = tenantId;
  }

  async find(path: string[]): Promise<DavResource | null> {
    if (path.length === 0) return bookResource();
    const card = await this.objectAt(path);
    return card && objectResource(card);
  }

  async list(path: string[]): Promise<Array<{ name: string; resource: DavResource }>> {
    if (path.length) return [];
    return (await this.#book.cards(this.#tenantId)).map((card) => ({ name: card.name, resource: objectResource(card) }));
  }

  async read(path: string[]): Promise<Readable> {
    const card = await this.objectAt(path);
    if (!card) throw new DavError(404);
    return Readable.from([card.data]);
  }

  async objectAt(path: string[]): Promise<DavObject | null> {
    return path.length === 1 ? this.#book.card(this.#tenantId, path[0]!) : null;
  }

  objectsAt(paths: string[][]): Promise<Array<DavObject | null>> {
    return Promise.all(paths.map((p) => this.objectAt(p)));
  }

  async candidates(path: string[]): Promise<Array<{ path: string[]; object: DavObject }>> {
    if (path.length) {
      const card = await this.objectAt(path);
      return card ? [{ path, object: card }] : [];
    }
    return (await this.#book.cards(this.#tenantId)).map((card) => ({ path: [card.name], object: card }));
  }

  report(path: string[], body: XmlElement, context: ReportContext): Promise<string | ReportDocument | null> {
    return groupwareReport(this, path, body, context) ?? Promise.resolve(null);
  }

  /** `directory-{modseq}`: the directory journal's head. */
  async syncToken(path: string[]): Promise<string | null> {
    return path.length ? null : `directory-${await this.#book.head(this.#tenantId)}`;
  }

  async changesSince(path: string[], token: string, limit: number): Promise<SyncDelta | null> {
    const match = /^directory-(\d+)$/.exec(token);
    if (path.length || !match) return null;
    const changes = await this.#book.changesSince(this.#tenantId, Number(match[1]), limit);
    return changes && { ...changes, token: `directory-${changes.head}` };
  }
}

function bookResource(): DavResource {
  const epoch = new Date(0);
  return {
    collection: true, etag: null, contentLength: null, contentType: null, lastModified: epoch, created: epoch,
    displayName: 'Company directory', deadProps: {}, resourceTypes: [ADDRESSBOOK_KIND.resourceType],
    extraProps: collectionProps(ADDRESSBOOK_KIND),
  };
}
