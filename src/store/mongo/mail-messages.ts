import type { MailboxCounts, MailboxSnapshot, MailQuery, MessageRecord, NewMessage } from '../ports/mail.ts';
import { MailboxNotFoundError } from '../ports/mail.ts';
import { guard } from './database.ts';
import type { MessageDoc } from './mail-docs.ts';
import { container, messageFromDoc, messageId } from './mail-docs.ts';
import { SEARCH_PROJECTION, compileQuery } from './mail-search.ts';
import type { MessageTables } from './mail-tables.ts';
import { bodyOf, unseen } from './mail-tables.ts';

/**
 * Projections: reads leave out what they do not use. The documents are typed whole all the same;
 * each read touches only the fields its projection keeps.
 */
const NO_TEXT = { headers: 0, headersText: 0, bodyText: 0 } as const;
const NUMBERS_ONLY = { meta: 0, ...NO_TEXT } as const;

/** Appends and the reads. */
export class MongoMessages {
  readonly #t: MessageTables;

  constructor(tables: MessageTables) {
    this.#t = tables;
  }

  appendMessage(mailboxId: string, message: NewMessage, quotaBytes: number | null): Promise<{ uid: number; modseq: number; uidValidity: number }> {
    return guard(() => {
      // Folded and serialised before the queue, so the mailbox's writes wait as little as possible.
      const body = bodyOf(message);
      return this.#t.queue.run(mailboxId, async () => {
        const box = await this.#t.mailbox(mailboxId);
        await this.#t.usage.reserve(box.userId, message.size, quotaBytes);
        let uid: number;
        let modseq: number;
        try {
          uid = await this.#t.allocate(mailboxId);
          modseq = await this.#t.write(box, uid, body);
        } catch (error) {
          await this.#t.usage.add(box.userId, -message.size).catch(() => undefined);
          throw error;
        }
        // Deleted meanwhile (by another process): take the message back out, as if it had lost.
        if (!(await this.#t.mailboxes.findOne({ _id: mailboxId }, { projection: { _id: 1 } }))) {
          const { deletedCount } = await this.#t.messages.deleteOne({ _id: messageId(mailboxId, uid) });
          if (deletedCount > 0) await this.#t.usage.add(box.userId, -message.size);
          throw new MailboxNotFoundError();
        }
        return { uid, modseq, uidValidity: box.uidValidity };
      });
    });
  }

  /**
   * The head first, then the documents, keeping those created at or before it. A message is
   * inserted before its journal entry and deleted before its `delete` entry, so: every creation
   * the head counts has its document already there (pending ones are resolved through the
   * journal), and every deletion it counts has its document gone already. A change after the head
   * may or may not show in `uids`; replaying the journal from the head gives the same set anyway.
   */
  snapshot(mailboxId: string): Promise<MailboxSnapshot> {
    return guard(async () => {
      await this.#t.mailbox(mailboxId);
      const modseq = await this.#t.journal.head(container(mailboxId));
      const docs = await this.#t.messages.find({ mailboxId }).project<MessageDoc>(NUMBERS_ONLY).toArray();
      const uids = (await this.#t.visible(docs))
        .filter((m) => m.created <= modseq)
        .map((m) => m.doc.uid)
        .sort((a, b) => a - b);
      return { uids, modseq };
    });
  }

  getMessages(mailboxId: string, uids: number[], changedSince?: number): Promise<MessageRecord[]> {
    return guard(async () => {
      if (uids.length === 0) return [];
      // By `_id`, the one lookup FerretDB answers from an index.
      const ids = [...new Set(uids)].map((uid) => messageId(mailboxId, uid));
      const docs = await this.#t.messages.find({ _id: { $in: ids } }).project<MessageDoc>(NO_TEXT).toArray();
      return (await this.#t.visible(docs))
        .filter((m) => changedSince === undefined || m.modseq > changedSince)
        .sort((a, b) => a.doc.uid - b.doc.uid)
        .map(messageFromDoc);
    });
  }

  search(mailboxId: string, query: MailQuery): Promise<number[]> {
    return guard(async () => {
      const test = compileQuery(query);
      const filter = query.kind === 'uids' ? { _id: { $in: query.uids.map((uid) => messageId(mailboxId, uid)) } } : { mailboxId };
      const docs = await this.#t.messages.find(filter).project<MessageDoc>(SEARCH_PROJECTION).toArray();
      return (await this.#t.visible(docs))
        .filter((m) => test({ doc: m.doc, modseq: m.modseq }))
        .map((m) => m.doc.uid)
        .sort((a, b) => a - b);
    });
  }

  counts(mailboxId: string): Promise<MailboxCounts> {
    return guard(async () => {
      await this.#t.mailbox(mailboxId);
      const docs = await this.#t.messages.find({ mailboxId }).project<MessageDoc>(NUMBERS_ONLY).toArray();
      const counts: MailboxCounts = { messages: 0, unseen: 0, bytes: 0 };
      for (const { doc } of await this.#t.visible(docs)) {
        counts.messages++;
        if (unseen(doc)) counts.unseen++;
        counts.bytes += doc.size;
      }
      return counts;
    });
  }

  usage(userId: string): Promise<number> {
    return guard(() => this.#t.usage.get(userId));
  }

  /** Pending and half-removed messages count too: a blob must not go while anything names it. */
  isBlobReferenced(hash: string): Promise<boolean> {
    return guard(async () => (await this.#t.messages.findOne({ blob: hash }, { projection: { _id: 1 } })) !== null);
  }
}
