import { StoreUnavailableError } from '../ports/errors.ts';
import type { FlagAction, FlagChange, FlagResult, UidMapping } from '../ports/mail.ts';
import { applyFlags } from '../ports/mail-text.ts';
import { backoff, guard } from './database.ts';
import type { MessageDoc } from './mail-docs.ts';
import { container, messageId } from './mail-docs.ts';
import type { MessageBody, MessageTables, Visible } from './mail-tables.ts';
import { newRev } from './revisions.ts';

const BUSY_TIMEOUT_MS = 15_000;

/**
 * Flag changes, expunge, copy and move. Each message is changed by compare-and-swap on its `rev`
 * (a claim, see revisions.ts), then journaled, then written with the entry's modseq; there is no
 * transaction across messages, so a batch that fails half way has done its first part, every
 * part of which is journaled.
 */
export class MongoMessageChanges {
  readonly #t: MessageTables;

  constructor(tables: MessageTables) {
    this.#t = tables;
  }

  setFlags(mailboxId: string, uids: number[], action: FlagAction, flags: string[], unchangedSince?: number): Promise<FlagResult> {
    return guard(() =>
      this.#t.queue.run(mailboxId, async () => {
        await this.#t.mailbox(mailboxId);
        const changed: FlagChange[] = [];
        const modified: number[] = [];
        const readAt = Date.now();
        for (const message of await this.#selected(mailboxId, uids)) {
          const outcome = await this.#casFlags(message, readAt, action, flags, unchangedSince);
          if (outcome === 'modified') modified.push(message.doc.uid);
          else if (outcome) changed.push(outcome);
        }
        return { changed, modified };
      }),
    );
  }

  expunge(mailboxId: string, uids?: number[]): Promise<number[]> {
    return guard(() =>
      this.#t.queue.run(mailboxId, async () => {
        await this.#t.mailbox(mailboxId);
        await this.#t.repair(mailboxId);
        const readAt = Date.now();
        const docs = uids === undefined ? await this.#t.messages.find({ mailboxId }).toArray() : null;
        const messages = docs ? sortByUid(await this.#t.visible(docs)) : await this.#selected(mailboxId, uids ?? []);
        const removed: number[] = [];
        for (const message of messages.filter((m) => isDeleted(m.doc))) {
          if (await this.#casRemove(message, readAt, isDeleted)) removed.push(message.doc.uid);
        }
        return removed;
      }),
    );
  }

  copyMessages(fromMailboxId: string, uids: number[], toMailboxId: string, quotaBytes: number | null): Promise<UidMapping[]> {
    return guard(async () => {
      await this.#t.mailbox(fromMailboxId);
      await this.#t.mailbox(toMailboxId);
      const messages = await this.#selected(fromMailboxId, uids);
      return this.#copy(messages, toMailboxId, quotaBytes);
    });
  }

  moveMessages(fromMailboxId: string, uids: number[], toMailboxId: string): Promise<UidMapping[]> {
    return guard(async () => {
      await this.#t.mailbox(fromMailboxId);
      await this.#t.mailbox(toMailboxId);
      const readAt = Date.now();
      const messages = await this.#selected(fromMailboxId, uids);
      // The destination first, as the port promises: a crash in between leaves two copies, never none.
      const mappings = await this.#copy(messages, toMailboxId, null);
      await this.#t.queue.run(fromMailboxId, async () => {
        for (const message of messages) await this.#casRemove(message, readAt, () => true);
      });
      return mappings;
    });
  }

  /** The messages of `uids` that are there, ascending, read by `_id`. */
  async #selected(mailboxId: string, uids: readonly number[]): Promise<Visible[]> {
    if (uids.length === 0) return [];
    const ids = [...new Set(uids)].map((uid) => messageId(mailboxId, uid));
    return sortByUid(await this.#t.visible(await this.#t.messages.find({ _id: { $in: ids } }).toArray()));
  }

  async #copy(messages: Visible[], toMailboxId: string, quotaBytes: number | null): Promise<UidMapping[]> {
    if (messages.length === 0) return [];
    return this.#t.queue.run(toMailboxId, async () => {
      const target = await this.#t.mailbox(toMailboxId);
      const bytes = messages.reduce((sum, m) => sum + m.doc.size, 0);
      await this.#t.usage.reserve(target.userId, bytes, quotaBytes);
      const mappings: UidMapping[] = [];
      let written = 0;
      let uid: number | undefined;
      try {
        for (const { doc } of messages) {
          uid = await this.#t.allocate(toMailboxId, uid);
          // Same blob hash and the same stored text: the bytes are shared, only the document is new.
          await this.#t.write(target, uid, bodyFrom(doc));
          written += doc.size;
          mappings.push({ sourceUid: doc.uid, destinationUid: uid });
        }
      } catch (error) {
        await this.#t.usage.add(target.userId, written - bytes).catch(() => undefined);
        throw error;
      }
      return mappings;
    });
  }

  async #casFlags(
    first: Visible,
    firstReadAt: number,
    action: FlagAction,
    flags: string[],
    unchangedSince: number | undefined,
  ): Promise<FlagChange | 'modified' | null> {
    const id = first.doc._id;
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    let current: Visible | null = first;
    let readAt = firstReadAt;
    for (let attempt = 0; current; attempt++) {
      const { doc } = current;
      // RFC 7162: a message changed after UNCHANGEDSINCE is left alone, whatever the STORE asks.
      if (unchangedSince !== undefined && current.modseq > unchangedSince) return 'modified';
      const next = applyFlags(doc.flags, action, flags);
      // No change, no new modseq: clients resyncing with CHANGEDSINCE are not sent noise.
      if (!next) return null;
      if (await this.#claim(doc, readAt)) {
        const data = { flags: next };
        const { modseq } = await this.#t.journal.append(container(doc.mailboxId), { op: 'update', item: String(doc.uid), data });
        await this.#t.messages.updateOne({ _id: id }, { $set: { flags: next, created: current.created, modseq, rev: newRev() } });
        this.#t.wrote();
        return { uid: doc.uid, flags: next, modseq };
      }
      if (Date.now() > deadline) throw new StoreUnavailableError(`mail: message ${id} stays busy`);
      await backoff(attempt);
      readAt = Date.now();
      current = await this.#t.visibleOne(id);
    }
    return null;
  }

  /** Removes the message if `wanted` still holds for it; true when this call removed it. */
  async #casRemove(first: Visible, firstReadAt: number, wanted: (doc: MessageDoc) => boolean): Promise<boolean> {
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    let current: Visible | null = first;
    let readAt = firstReadAt;
    for (let attempt = 0; current && wanted(current.doc); attempt++) {
      if (await this.#claim(current.doc, readAt)) return this.#t.remove(current.doc);
      if (Date.now() > deadline) throw new StoreUnavailableError(`mail: message ${first.doc._id} stays busy`);
      await backoff(attempt);
      readAt = Date.now();
      current = await this.#t.visibleOne(first.doc._id);
    }
    return false;
  }

  /** The one right to change the document as read; a take-over re-checks that it is still as read. */
  async #claim(doc: MessageDoc, readAt: number): Promise<boolean> {
    const claim = await this.#t.revisions.take(doc._id, doc.rev, readAt);
    if (!claim) return false;
    if (!claim.takenOver) return true;
    return (await this.#t.messages.findOne({ _id: doc._id }, { projection: { rev: 1 } }))?.rev === doc.rev;
  }
}

function isDeleted(doc: MessageDoc): boolean {
  return doc.flags.includes('\\Deleted');
}

function sortByUid(messages: Visible[]): Visible[] {
  return messages.sort((a, b) => a.doc.uid - b.doc.uid);
}

function bodyFrom(doc: MessageDoc): MessageBody {
  const { _id: _docId, mailboxId: _mailboxId, uid: _uid, userId: _userId, created: _created, modseq: _modseq, rev: _rev, at: _at, ...body } = doc;
  return body;
}
