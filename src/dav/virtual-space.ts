import type { Readable } from 'node:stream';
import { DavError } from './errors.ts';
import type { DavResource, DavSpace, SyncDelta } from './resource.ts';

function readOnly(): Promise<never> {
  return Promise.reject(new DavError(403, null, 'read-only'));
}

/** The write half of a read-only space: every write is 403, and there is no quota. */
export abstract class ReadOnlySpace {
  readonly writable = false;
  readonly put = readOnly;
  readonly mkcol = readOnly;
  readonly remove = readOnly;
  readonly patch = readOnly;
  readonly copy = readOnly;
  readonly move = readOnly;

  async quota(): Promise<null> {
    return null;
  }
}

/**
 * A read-only collection whose members are the roots of other spaces (the list of drives a user
 * sees), or with no members a single read-only resource (a principal). Writes are refused with 403; its members are reached through their own spaces.
 */
export class MountListSpace extends ReadOnlySpace implements DavSpace {
  readonly #members: () => Promise<Array<{ name: string; space: DavSpace }>>;
  readonly #self: Pick<DavResource, 'displayName' | 'resourceTypes' | 'extraProps'>;
  readonly owner: string | null;

  constructor(self: Pick<DavResource, 'displayName' | 'resourceTypes' | 'extraProps'> & { owner?: string }, members: () => Promise<Array<{ name: string; space: DavSpace }>> = async () => []) {
    super();
    this.#self = self;
    this.owner = self.owner ?? null;
    this.#members = members;
  }

  async find(path: string[]): Promise<DavResource | null> {
    if (path.length) return null;
    const epoch = new Date(0);
    return { ...this.#self, collection: true, etag: null, contentLength: null, contentType: null, lastModified: epoch, created: epoch, deadProps: {} };
  }

  async list(path: string[]): Promise<Array<{ name: string; resource: DavResource }>> {
    if (path.length) return [];
    const members = await this.#members();
    const found = await Promise.all(members.map(async ({ name, space }) => ({ name, resource: await space.find([]) })));
    return found.filter((m): m is { name: string; resource: DavResource } => m.resource !== null);
  }

  read(): Promise<Readable> {
    return Promise.reject(new DavError(404));
  }


  async syncToken(): Promise<null> {
    return null;
  }

  async changesSince(): Promise<SyncDelta | null> {
    return null;
  }
}
