import type { Collection, Db } from 'mongodb';
import { StoreUnavailableError } from '../ports/errors.ts';
import type { NewMessage } from '../ports/mail.ts';
import { MailboxNotFoundError } from '../ports/mail.ts';
import { isSeen, searchText, uniqueFlags } from '../ports/mail-text.ts';
import { COLLECTIONS, backoff, isDuplicateKey } from './database.ts';
import type { MongoJournal } from './journal.ts';
import type { ExpungingDoc, MailboxDoc, MessageDoc, UidDoc } from './mail-docs.ts';
import { container, messageId } from './mail-docs.ts';
import { MailUsage } from './mail-usage.ts';
import { Revisions, newRev } from './revisions.ts';
import { KeyedQueue } from './serial.ts';

const BUSY_TIMEOUT_MS = 15_000;
/** Claims of changed messages and usage totals are swept after this many writes of this process. */
const SWEEP_EVERY_WRITES = 500;

/** What a message carries besides where it is and its numbers; copied as is by COPY and MOVE. */
export type MessageBody = Omit<MessageDoc, '_id' | 'mailboxId' | 'uid' | 'userId' | 'created' | 'modseq' | 'rev' | 'at'>;

/** A message whose journal `create` entry exists, with its numbers read from there if need be. */
export interface Visible {
  doc: MessageDoc;
  created: number;
  modseq: number;
}

export function bodyOf(message: NewMessage): MessageBody {
  const text = searchText(message);
  const flags = uniqueFlags(message.flags);
  return {
    blob: message.blob,
    size: message.size,
    internalDate: message.internalDate,
    flags,
    meta: JSON.stringify(message.meta),
    headers: JSON.stringify(text.headers),
    headersText: text.headersText,
    bodyText: text.bodyText,
    internalDay: text.internalDay,
    internalMs: text.internalMs,
    sentDay: text.sentDay,
    sentMs: text.sentMs,
  };
}

export function unseen(doc: Pick<MessageDoc, 'flags'>): boolean {
  return !isSeen(doc.flags);
}

/** The collections and the steps every message write shares (see mail.ts for the protocol). */
export class MessageTables {
  readonly mailboxes: Collection<MailboxDoc>;
  readonly uids: Collection<UidDoc>;
  readonly messages: Collection<MessageDoc>;
  readonly expunging: Collection<ExpungingDoc>;
  readonly journal: MongoJournal;
  readonly usage: MailUsage;
  readonly revisions: Revisions;
  /** Writes of this process to one mailbox run one at a time, so they never contend. */
  readonly queue = new KeyedQueue();
  #writes = 0;

  constructor(db: Db, journal: MongoJournal) {
    this.mailboxes = db.collection<MailboxDoc>(COLLECTIONS.mailboxes);
    this.uids = db.collection<UidDoc>(COLLECTIONS.uids);
    this.messages = db.collection<MessageDoc>(COLLECTIONS.messages);
    this.expunging = db.collection<ExpungingDoc>(COLLECTIONS.expunging);
    this.journal = journal;
    this.usage = new MailUsage(db);
    this.revisions = new Revisions(db, 'mail_messages', COLLECTIONS.messages);
  }

  /** The mailbox a write goes to; MailboxNotFoundError when it is gone. */
  async mailbox(id: string): Promise<MailboxDoc> {
    const box = await this.mailboxes.findOne({ _id: id });
    if (!box) throw new MailboxNotFoundError();
    return box;
  }

  async lastUid(mailboxId: string): Promise<number> {
    const [last] = await this.uids.find({ mailboxId }, { projection: { uid: 1 } }).sort({ uid: -1 }).limit(1).toArray();
    return last?.uid ?? 0;
  }

  /**
   * Takes the next UID by inserting it, trying one above the last one stored (or `after`): only
   * one writer can insert a UID, and each is tried only above one that exists, so UIDs are handed
   * out without gaps and never twice (the UID documents outlive their messages).
   */
  async allocate(mailboxId: string, after?: number): Promise<number> {
    let uid = (after ?? (await this.lastUid(mailboxId))) + 1;
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    for (let attempt = 0; ; attempt++, uid++) {
      try {
        await this.uids.insertOne({ _id: messageId(mailboxId, uid), mailboxId, uid });
        return uid;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      if (Date.now() > deadline) throw new StoreUnavailableError(`mail: no UID could be allocated in ${mailboxId}`);
      if (attempt > 2) await backoff(attempt);
    }
  }

  /**
   * Writes a message under a UID this call allocated: the document (pending), then its journal
   * entry, then the entry's modseq into the document. Returns the modseq.
   */
  async write(box: MailboxDoc, uid: number, body: MessageBody): Promise<number> {
    const rev = newRev();
    const id = messageId(box._id, uid);
    const base = { _id: id, mailboxId: box._id, uid, userId: box.userId, created: null, modseq: null, rev, at: new Date() };
    await this.messages.insertOne({ ...body, ...base });
    const readAt = Date.now();
    const { modseq } = await this.journal.append(container(box._id), { op: 'create', item: String(uid) });
    // Without the claim a flag change that resolved the pending document could be overwritten;
    // when someone else holds it, they write the numbers themselves (and readers resolve anyway).
    if (await this.revisions.take(id, rev, readAt)) {
      await this.messages.updateOne({ _id: id }, { $set: { created: modseq, modseq, rev: newRev() } });
    }
    this.wrote();
    return modseq;
  }

  /** The documents whose creation is journaled, with their numbers; others are not there yet. */
  async visible(docs: MessageDoc[]): Promise<Visible[]> {
    const out: Visible[] = [];
    for (const doc of docs) {
      if (doc.created !== null && doc.modseq !== null) {
        out.push({ doc, created: doc.created, modseq: doc.modseq });
        continue;
      }
      const entry = await this.journal.findEntry(container(doc.mailboxId), 'create', String(doc.uid));
      if (entry) out.push({ doc, created: entry.modseq, modseq: entry.modseq });
    }
    return out;
  }

  async visibleOne(id: string): Promise<Visible | null> {
    const doc = await this.messages.findOne({ _id: id });
    return doc ? ((await this.visible([doc]))[0] ?? null) : null;
  }

  /**
   * Removes a message the caller has claimed: marks it as being removed, deletes it, journals the
   * deletion, then drops the mark. Deleting before journaling means a snapshot (head first, then
   * documents) never lists a UID whose deletion it already counts; the mark lets `repair` finish
   * a removal whose process died before the journal entry. Returns whether this call deleted it.
   */
  async remove(doc: MessageDoc): Promise<boolean> {
    let marked = true;
    try {
      const { _id, mailboxId, uid, userId, size } = doc;
      await this.expunging.insertOne({ _id, mailboxId, uid, userId, size, at: new Date() });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      marked = false;
    }
    const { deletedCount } = await this.messages.deleteOne({ _id: doc._id });
    if (deletedCount > 0) {
      await this.journal.append(container(doc.mailboxId), { op: 'delete', item: String(doc.uid) });
      await this.usage.add(doc.userId, -doc.size);
    }
    // A mark someone else left for a removal this call did not make stays for `repair`.
    if (marked || deletedCount > 0) await this.expunging.deleteOne({ _id: doc._id });
    this.wrote();
    return deletedCount > 0;
  }

  /**
   * Finishes what dead writers left in a mailbox: removals without their journal entry, and
   * pending messages never journaled (their process died between insert and journal). Only
   * leftovers older than the claim timeout are touched, so live writers are left alone.
   */
  async repair(mailboxId: string): Promise<void> {
    const stale = new Date(Date.now() - 10_000);
    for (const mark of await this.expunging.find({ mailboxId, at: { $lt: stale } }).toArray()) {
      await this.messages.deleteOne({ _id: mark._id });
      // The journal entry comes before the bytes are given back: with the entry there, they were
      // given back or the process died in between (then the total stays high, never low).
      if (!(await this.journal.findEntry(container(mailboxId), 'delete', String(mark.uid)))) {
        await this.journal.append(container(mailboxId), { op: 'delete', item: String(mark.uid) });
        await this.usage.add(mark.userId, -mark.size);
      }
      await this.expunging.deleteOne({ _id: mark._id });
    }
    for (const doc of await this.messages.find({ mailboxId, created: null, at: { $lt: stale } }).toArray()) {
      if ((await this.visible([doc])).length > 0) continue;
      if (!(await this.revisions.take(doc._id, doc.rev, Date.now()))) continue;
      if ((await this.messages.deleteOne({ _id: doc._id })).deletedCount > 0) await this.usage.add(doc.userId, -doc.size);
    }
  }

  wrote(): void {
    if (++this.#writes % SWEEP_EVERY_WRITES === 0) {
      void this.revisions.sweep().catch(() => undefined);
      void this.usage.sweep().catch(() => undefined);
    }
  }
}
