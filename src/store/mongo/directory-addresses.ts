import type { Collection, Db } from 'mongodb';
import { ConflictError } from '../ports/errors.ts';
import { COLLECTIONS, isDuplicateKey } from './database.ts';
import type { UserDoc } from './directory-docs.ts';
import { isListedLive } from './directory-docs.ts';
import { STALE_CLAIM_MS } from './revisions.ts';

export interface AddressDoc {
  /** The address, lower-case: one live user per address, across all tenants. */
  _id: string;
  userId: string;
  at: Date;
}

/**
 * The claims that make addresses unique across tenants. A unique index on the user's address array
 * would do on MongoDB, but FerretDB 1.24 does not enforce unique indexes on arrays, so each address
 * is a document of its own whose `_id` is the address: claiming is an insert, which only one writer
 * can win. A user write claims its new addresses first, then writes the user, then releases the
 * addresses it dropped; on any conflict it releases what it claimed and writes nothing.
 *
 * Crash window: a writer that dies after claiming leaves claims its user does not list (an orphan).
 * Readers ignore them (`findUserByAddress` checks that the owner lists the address and is live);
 * a writer that meets one older than STALE_CLAIM_MS removes it and claims the address. If two
 * writers remove the same orphan at once, the later removal may delete the earlier one's fresh
 * claim (FerretDB deletes by _id after its own find), and both users would then list it.
 */
export class AddressClaims {
  readonly #claims: Collection<AddressDoc>;
  readonly #users: Collection<UserDoc>;

  constructor(db: Db) {
    this.#claims = db.collection<AddressDoc>(COLLECTIONS.addresses);
    this.#users = db.collection<UserDoc>(COLLECTIONS.users);
  }

  /**
   * Claims every address for the user, or none: on a taken one, throws ConflictError('address').
   * Returns the claims this call made (not those the user held already), which are the ones to
   * release if the write that needed them fails.
   */
  async claim(userId: string, addresses: Iterable<string>): Promise<string[]> {
    const claimed: string[] = [];
    try {
      for (const address of addresses) {
        if (await this.#claimOne(userId, address)) claimed.push(address);
      }
    } catch (error) {
      await this.release(userId, claimed).catch(() => undefined);
      throw error;
    }
    return claimed;
  }

  /** Releases the user's claims on these addresses (an address someone else holds stays theirs). */
  async release(userId: string, addresses: Iterable<string>): Promise<void> {
    const list = [...addresses];
    if (list.length > 0) await this.#claims.deleteMany({ _id: { $in: list }, userId });
  }

  async releaseAll(userId: string): Promise<void> {
    await this.#claims.deleteMany({ userId });
  }

  /** The id of the user holding the claim; the caller checks that the user lists the address. */
  async owner(address: string): Promise<string | null> {
    const claim = await this.#claims.findOne({ _id: address });
    return claim?.userId ?? null;
  }

  /** True when this call made the claim, false when the user held it already. */
  async #claimOne(userId: string, address: string): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.#claims.insertOne({ _id: address, userId, at: new Date() });
        return true;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const held = await this.#claims.findOne({ _id: address });
      if (!held) continue;
      // Left by an earlier write of this very user that did not finish: it is ours.
      if (held.userId === userId) return false;
      if (held.at.getTime() > Date.now() - STALE_CLAIM_MS || (await this.#isListed(held.userId, address))) {
        throw new ConflictError('address');
      }
      await this.#claims.deleteOne({ _id: address, userId: held.userId, at: held.at });
    }
    throw new ConflictError('address');
  }

  async #isListed(userId: string, address: string): Promise<boolean> {
    const owner = await this.#users.findOne({ _id: userId });
    return owner !== null && isListedLive(owner, address);
  }
}
