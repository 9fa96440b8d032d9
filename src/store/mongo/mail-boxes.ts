import { randomUUID } from 'node:crypto';
import type { Collection, Db, Filter } from 'mongodb';
import { ConflictError, StoreUnavailableError } from '../ports/errors.ts';
import type { MailboxRecord, MailStore } from '../ports/mail.ts';
import { MailboxNotFoundError } from '../ports/mail.ts';
import { COLLECTIONS, guard, isDuplicateKey } from './database.ts';
import type { MailboxDoc } from './mail-docs.ts';
import { container, mailboxFromDoc } from './mail-docs.ts';
import type { MessageTables } from './mail-tables.ts';

type NewMailbox = Parameters<MailStore['createMailbox']>[0];

/** A handed-out UIDVALIDITY, kept forever so that a re-created mailbox never gets an old one. */
interface UidValidityDoc {
  _id: string;
}

const UID_VALIDITY_ATTEMPTS = 100;
/** Messages of a deleted mailbox removed at once (each delete is counted on its own). */
const DELETE_PARALLEL = 16;

/** Mailbox operations (see mail.ts for the protocol). */
export class MongoMailboxes {
  readonly #t: MessageTables;
  readonly #boxes: Collection<MailboxDoc>;
  readonly #validities: Collection<UidValidityDoc>;

  constructor(db: Db, tables: MessageTables) {
    this.#t = tables;
    this.#boxes = tables.mailboxes;
    this.#validities = db.collection<UidValidityDoc>(COLLECTIONS.uidValidity);
  }

  create(input: NewMailbox): Promise<MailboxRecord> {
    return guard(async () => {
      if (await this.#boxes.findOne({ userId: input.userId, path: input.path }, { projection: { _id: 1 } })) {
        throw new ConflictError('path');
      }
      const doc: MailboxDoc = {
        _id: randomUUID(),
        userId: input.userId,
        tenantId: input.tenantId,
        path: input.path,
        specialUse: input.specialUse,
        subscribed: input.subscribed,
        uidValidity: await this.#uidValidity(),
        createdAt: new Date().toISOString(),
      };
      try {
        await this.#boxes.insertOne(doc);
      } catch (error) {
        if (isDuplicateKey(error)) throw new ConflictError('path');
        throw error;
      }
      return mailboxFromDoc(doc, 1, 0);
    });
  }

  get(userId: string, filter: Filter<MailboxDoc>): Promise<MailboxRecord | null> {
    return guard(async () => {
      const doc = await this.#boxes.findOne({ ...filter, userId });
      return doc ? this.#record(doc) : null;
    });
  }

  list(userId: string): Promise<MailboxRecord[]> {
    return guard(async () => {
      const docs = await this.#boxes.find({ userId }).toArray();
      // Byte order of the UTF-8, as SQLite sorts, whatever the server's string order.
      docs.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
      return Promise.all(docs.map((doc) => this.#record(doc)));
    });
  }

  rename(userId: string, fromPath: string, toPath: string): Promise<void> {
    return guard(async () => {
      const all = await this.#boxes.find({ userId }).toArray();
      const below = `${fromPath}/`;
      const moving = all.filter((m) => m.path === fromPath || m.path.startsWith(below));
      if (!moving.some((m) => m.path === fromPath)) throw new MailboxNotFoundError();
      const ids = new Set(moving.map((m) => m._id));
      const renamed = moving.map((m) => ({ id: m._id, from: m.path, to: toPath + m.path.slice(fromPath.length) }));
      const holders = new Map(all.map((m) => [m.path, m._id]));
      for (const { to } of renamed) {
        const holder = holders.get(to);
        if (holder !== undefined && !ids.has(holder)) throw new ConflictError('path');
      }
      if (fromPath === toPath) throw new ConflictError('path');
      // A target can only be a path of the subtree when one path is a prefix of the other: moving
      // deeper, the deepest go first; moving up, the shallowest. No step meets a path still held.
      const deeper = toPath.length > fromPath.length;
      renamed.sort((a, b) => (deeper ? b.from.length - a.from.length : a.from.length - b.from.length));
      const done: typeof renamed = [];
      try {
        for (const step of renamed) {
          await this.#boxes.updateOne({ _id: step.id }, { $set: { path: step.to } });
          done.push(step);
        }
      } catch (error) {
        // Another writer took a target meanwhile: put back what moved, newest first.
        for (const step of done.reverse()) await this.#boxes.updateOne({ _id: step.id }, { $set: { path: step.from } }).catch(() => undefined);
        if (isDuplicateKey(error)) throw new ConflictError('path');
        throw error;
      }
    });
  }

  delete(userId: string, id: string): Promise<boolean> {
    return guard(async () => {
      const { deletedCount } = await this.#boxes.deleteOne({ _id: id, userId });
      if (deletedCount === 0) return false;
      const docs = await this.#t.messages.find({ mailboxId: id }, { projection: { _id: 1, size: 1 } }).toArray();
      let bytes = 0;
      // One by one, counting only what this call deleted: an expunge racing with it gives back
      // the bytes of what it removed itself, and no message is subtracted twice.
      for (let i = 0; i < docs.length; i += DELETE_PARALLEL) {
        const batch = docs.slice(i, i + DELETE_PARALLEL);
        const results = await Promise.all(batch.map((doc) => this.#t.messages.deleteOne({ _id: doc._id })));
        results.forEach((result, j) => {
          if (result.deletedCount > 0) bytes += batch[j]?.size ?? 0;
        });
      }
      await this.#t.uids.deleteMany({ mailboxId: id });
      await this.#t.expunging.deleteMany({ mailboxId: id });
      await this.#t.usage.add(userId, -bytes);
      return true;
    });
  }

  setSubscribed(userId: string, id: string, subscribed: boolean): Promise<void> {
    return guard(async () => {
      const { matchedCount } = await this.#boxes.updateOne({ _id: id, userId }, { $set: { subscribed } });
      if (matchedCount === 0) throw new MailboxNotFoundError();
    });
  }

  async #record(doc: MailboxDoc): Promise<MailboxRecord> {
    const [last, modseq] = await Promise.all([this.#t.lastUid(doc._id), this.#t.journal.head(container(doc._id))]);
    return mailboxFromDoc(doc, last + 1, modseq);
  }

  /**
   * Seconds since the epoch, but above every value handed out before: inserted as `_id` (padded to
   * sort as numbers), so two mailboxes created in the same second still get different values.
   */
  async #uidValidity(): Promise<number> {
    const [last] = await this.#validities.find({}).sort({ _id: -1 }).limit(1).toArray();
    let value = Math.max(Math.floor(Date.now() / 1000), (last ? Number(last._id) : 0) + 1);
    for (let attempt = 0; attempt < UID_VALIDITY_ATTEMPTS; attempt++, value++) {
      try {
        await this.#validities.insertOne({ _id: String(value).padStart(10, '0') });
        return value;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    throw new StoreUnavailableError('mail: no UIDVALIDITY could be allocated');
  }
}
