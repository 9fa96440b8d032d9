import { createHash } from 'node:crypto';
import { directoryContainer, type UserService } from '../directory/users.ts';
import { memberChanges, type MemberChanges } from '../journal/member-changes.ts';
import type { DavObject, Journal, UserRecord } from '../store/ports/index.ts';
import { directoryCard } from './directory-card.ts';

const PRODID = '-//Stoa//Company directory//EN';
const PAGE = 500;

/**
 * The company address book of a tenant: one vCard per active user, made from the directory on
 * every read (so it is never stale), named `{user id}.vcf`. Its change counter is the directory's
 * journal head, which SCIM moves on every user change; group changes move it too, harmlessly.
 */
export class DirectoryBook {
  readonly #users: UserService;
  readonly #journal: Journal;

  constructor(users: UserService, journal: Journal) {
    this.#users = users;
    this.#journal = journal;
  }

  async cards(tenantId: string): Promise<DavObject[]> {
    const cards: DavObject[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const { items } = await this.#users.find(tenantId, {}, { offset, limit: PAGE });
      cards.push(...items.filter((u) => u.active).map(cardOf));
      if (items.length < PAGE) return cards.sort((a, b) => (a.name < b.name ? -1 : 1));
    }
  }

  async card(tenantId: string, name: string): Promise<DavObject | null> {
    const id = /^([0-9a-f-]{36})\.vcf$/.exec(name)?.[1];
    const user = id ? await this.#users.get(tenantId, id) : null;
    return user?.active && !user.deletedAt ? cardOf(user) : null;
  }

  head(tenantId: string): Promise<number> {
    return this.#journal.head(directoryContainer(tenantId));
  }

  async changesSince(tenantId: string, since: number, limit?: number): Promise<MemberChanges | null> {
    const changes = await memberChanges(this.#journal, directoryContainer(tenantId), since, async () => new Set((await this.cards(tenantId)).map((c) => c.uid)), limit);
    if (!changes) return null;
    const users = (ids: string[]) => ids.filter((id) => !id.startsWith('group:')).map((id) => `${id}.vcf`);
    return { ...changes, changed: users(changes.changed), removed: users(changes.removed) };
  }
}

function cardOf(user: UserRecord): DavObject {
  const data = Buffer.from(directoryCard(user, PRODID));
  return {
    collectionId: `directory:${user.tenantId}`, name: `${user.id}.vcf`, uid: user.id, component: 'VCARD', spanStart: null, spanEnd: null,
    data, contentType: 'text/vcard; charset=utf-8', etag: createHash('sha256').update(data).digest('hex').slice(0, 32), modifiedAt: user.updatedAt,
  };
}
