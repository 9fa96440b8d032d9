import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { COLLECTIONS, isDuplicateKey } from './database.ts';

/**
 * Compare-and-swap for documents that change in place (users, groups, key-value entries).
 *
 * Why not `updateOne({_id, rev}, …)`: FerretDB 1.24 runs an update as "find, then write by _id"
 * with nothing in between, so concurrent conditional updates all succeed (measured: 7 of 20
 * writers "won" the same version; 50 concurrent `$inc` ended at 2). The one write it does
 * atomically is an insert into a unique key. So every such document carries a random `rev`, and
 * the right to replace it while it is at `rev` is an insert of the claim `{ns}:{key}@{rev}`: one
 * writer gets it, every other gets a duplicate key. The holder then writes the document with a new
 * `rev` (also when its change failed: it writes the old content back, so nobody waits for it).
 *
 * Crash window: a holder that dies between claim and write leaves the document at `rev` with a
 * live claim. Once the claim is older than STALE_CLAIM_MS a writer takes over with the next
 * generation (`…@{rev}~1`, again an insert, so again only one); it must re-read the document first.
 * A holder that was only slow for that long could still write after the take-over: the one case
 * where two writers both think they won.
 */
export const STALE_CLAIM_MS = 10_000;
/** Claims of superseded revisions are kept this long, then swept. */
const CLAIM_GRACE_MS = 10 * 60_000;
/** A writer that read a revision longer ago than this must read again before claiming. */
const MAX_READ_AGE_MS = 60_000;
const MAX_GENERATIONS = 20;

export interface ClaimDoc {
  _id: string;
  ns: string;
  key: string;
  rev: string;
  at: Date;
}

export interface Claim {
  /** A previous holder seemed dead: the caller must re-read and check `rev` before writing. */
  takenOver: boolean;
}

export function newRev(): string {
  return randomUUID();
}

export class Revisions {
  readonly #claims: Collection<ClaimDoc>;
  readonly #ns: string;
  readonly #target: Collection<{ _id: string; rev: string }>;

  /** `ns` names the claims of one collection; `target` is that collection (for the sweep). */
  constructor(db: Db, ns: string, target: string) {
    this.#claims = db.collection<ClaimDoc>(COLLECTIONS.claims);
    this.#ns = ns;
    this.#target = db.collection<{ _id: string; rev: string }>(target);
  }

  /**
   * Takes the one right to replace document `key` while it is at `rev`, read at `readAt`. Null when
   * another writer holds it (or the read is too old to trust): re-read, then decide again.
   */
  async take(key: string, rev: string, readAt: number): Promise<Claim | null> {
    if (Date.now() - readAt > MAX_READ_AGE_MS) return null;
    for (let generation = 0; generation < MAX_GENERATIONS; generation++) {
      const id = `${this.#ns}:${key}@${rev}${generation > 0 ? `~${generation}` : ''}`;
      try {
        await this.#claims.insertOne({ _id: id, ns: this.#ns, key, rev, at: new Date() });
        return { takenOver: generation > 0 };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const held = await this.#claims.findOne({ _id: id });
      if (!held || held.at.getTime() > Date.now() - STALE_CLAIM_MS) return null;
    }
    return null;
  }

  /**
   * Removes old claims of revisions the document has left (or of documents that are gone). A claim
   * of the current revision stays: it is the only thing stopping a second writer.
   */
  async sweep(): Promise<void> {
    const old = await this.#claims
      .find({ ns: this.#ns, at: { $lt: new Date(Date.now() - CLAIM_GRACE_MS) } })
      .limit(500)
      .toArray();
    if (old.length === 0) return;
    const keys = [...new Set(old.map((claim) => claim.key))];
    const current = new Map<string, string>();
    for (const doc of await this.#target.find({ _id: { $in: keys } }, { projection: { rev: 1 } }).toArray()) {
      current.set(doc._id, doc.rev);
    }
    const done = old.filter((claim) => current.get(claim.key) !== claim.rev).map((claim) => claim._id);
    // Claims never change once written, so deleting by _id cannot hit a newer one.
    if (done.length > 0) await this.#claims.deleteMany({ _id: { $in: done } });
  }
}
