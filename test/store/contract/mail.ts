/**
 * MailStore contract. Messages refer to made-up blob hashes and no blob is ever stored: every
 * method, search included, has to work from rows alone, never from message bytes.
 */
import type { MailboxRecord, MailQuery, NewMessage } from '../../../src/store/ports/index.ts';
import { OverQuotaError } from '../../../src/store/ports/index.ts';
import { MailboxNotFoundError } from '../../../src/store/ports/mail.ts';
import type { BuildStore } from './helpers.ts';
import { expectConflict, freshStore } from './helpers.ts';

const ALICE = { userId: 'u-alice', tenantId: 'ta' };
const BOB = { userId: 'u-bob', tenantId: 'tb' };

function hash(n: number): string {
  return n.toString(16).padStart(64, '0');
}

function message(n: number, overrides: Partial<NewMessage> = {}): NewMessage {
  return {
    blob: hash(n),
    size: 100,
    internalDate: '2024-03-01T10:00:00.000Z',
    flags: [],
    meta: { envelope: ['date', `subject ${n}`], parts: { '1': [0, 10] } },
    search: { headers: { subject: `message ${n}` }, body: `body of message ${n}` },
    ...overrides,
  };
}

const ascending = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

export function run(name: string, build: BuildStore): void {
  describe(`MailStore contract: ${name}`, () => {
    const current = freshStore(build);
    const mail = () => current().mail;
    const journal = () => current().journal;

    function create(path: string, owner = ALICE): Promise<MailboxRecord> {
      return mail().createMailbox({ ...owner, path, specialUse: null, subscribed: true });
    }

    async function append(box: MailboxRecord, count: number, overrides: Partial<NewMessage> = {}): Promise<number[]> {
      const uids: number[] = [];
      for (let i = 0; i < count; i++) uids.push((await mail().appendMessage(box.id, message(i + 1, overrides), null)).uid);
      return uids;
    }

    async function entries(box: MailboxRecord, after = 0) {
      return (await journal().since(`mailbox:${box.id}`, after, 10_000)).map((e) => ({ modseq: e.modseq, op: e.op, item: e.item }));
    }

    describe('mailboxes', () => {
      it('creates, reads and lists a user’s mailboxes', async () => {
        const inbox = await mail().createMailbox({ ...ALICE, path: 'INBOX', specialUse: null, subscribed: true });
        const sent = await mail().createMailbox({ ...ALICE, path: 'Sent', specialUse: '\\Sent', subscribed: false });
        expect(inbox).toMatchObject({ ...ALICE, path: 'INBOX', specialUse: null, subscribed: true, uidNext: 1, modseq: 0 });
        expect(Number.isInteger(inbox.uidValidity) && inbox.uidValidity > 0 && inbox.uidValidity < 2 ** 32).toBe(true);
        expect(Number.isNaN(Date.parse(inbox.createdAt))).toBe(false);
        expect(sent.specialUse).toBe('\\Sent');
        expect(await mail().getMailbox(ALICE.userId, 'INBOX')).toEqual(inbox);
        expect(await mail().getMailboxById(ALICE.userId, sent.id)).toEqual(sent);
        expect(await mail().getMailbox(ALICE.userId, 'Nope')).toBeNull();
        expect(await mail().getMailboxById(ALICE.userId, 'nope')).toBeNull();
        expect((await mail().listMailboxes(ALICE.userId)).map((m) => m.path)).toEqual(['INBOX', 'Sent']);
      });

      it('refuses a path the user already has, but not another user’s', async () => {
        const first = await create('Projects');
        await expectConflict(create('Projects'), 'path');
        const other = await create('Projects', BOB);
        expect(other.id).not.toBe(first.id);
        expect(await mail().listMailboxes(ALICE.userId)).toHaveLength(1);
      });

      it('keeps users apart', async () => {
        const mine = await create('INBOX');
        await create('INBOX', BOB);
        expect(await mail().getMailboxById(BOB.userId, mine.id)).toBeNull();
        expect((await mail().listMailboxes(BOB.userId)).every((m) => m.userId === BOB.userId)).toBe(true);
        expect(await mail().deleteMailbox(BOB.userId, mine.id)).toBe(false);
        await expect(mail().setSubscribed(BOB.userId, mine.id, false)).rejects.toBeInstanceOf(MailboxNotFoundError);
        expect(await mail().getMailboxById(ALICE.userId, mine.id)).toEqual(mine);
      });

      it('gives a re-created mailbox a new UIDVALIDITY and new UIDs', async () => {
        const first = await create('Temp');
        await append(first, 3);
        expect(await mail().deleteMailbox(ALICE.userId, first.id)).toBe(true);
        const again = await create('Temp');
        expect(again.id).not.toBe(first.id);
        expect(again.uidValidity).not.toBe(first.uidValidity);
        expect((await mail().appendMessage(again.id, message(9), null)).uidValidity).toBe(again.uidValidity);
      });

      it('renames a mailbox with everything below it, keeping ids and UIDVALIDITY', async () => {
        const a = await create('A');
        const ab = await create('A/B');
        const abc = await create('A/B/C');
        const aa = await create('AA');
        await append(ab, 2);
        await mail().renameMailbox(ALICE.userId, 'A', 'Überweisungen/日本');
        expect((await mail().listMailboxes(ALICE.userId)).map((m) => m.path).sort()).toEqual(
          ['AA', 'Überweisungen/日本', 'Überweisungen/日本/B', 'Überweisungen/日本/B/C'].sort(),
        );
        expect(await mail().getMailbox(ALICE.userId, 'Überweisungen/日本/B')).toMatchObject({ id: ab.id, uidValidity: ab.uidValidity, uidNext: 3 });
        expect((await mail().getMailboxById(ALICE.userId, a.id))?.path).toBe('Überweisungen/日本');
        expect((await mail().getMailboxById(ALICE.userId, abc.id))?.path).toBe('Überweisungen/日本/B/C');
        expect(await mail().getMailboxById(ALICE.userId, aa.id)).toEqual(aa);
        expect(await mail().snapshot(ab.id)).toMatchObject({ uids: [1, 2] });
      });

      it('renames into its own subtree and refuses a taken or missing path', async () => {
        await create('A');
        await create('A/B');
        await create('Taken');
        await create('Taken2');
        await create('A2/B');
        await mail().renameMailbox(ALICE.userId, 'A', 'A/B');
        expect((await mail().listMailboxes(ALICE.userId)).map((m) => m.path)).toEqual(['A/B', 'A/B/B', 'A2/B', 'Taken', 'Taken2']);
        await expectConflict(mail().renameMailbox(ALICE.userId, 'Taken', 'Taken2'), 'path');
        // A child's target is taken: nothing moves.
        await create('X');
        await create('X/B');
        await expectConflict(mail().renameMailbox(ALICE.userId, 'X', 'A2'), 'path');
        expect(await mail().getMailbox(ALICE.userId, 'X/B')).not.toBeNull();
        expect(await mail().getMailbox(ALICE.userId, 'X')).not.toBeNull();
        await expect(mail().renameMailbox(ALICE.userId, 'Missing', 'Other')).rejects.toBeInstanceOf(MailboxNotFoundError);
        await expect(mail().renameMailbox(BOB.userId, 'Taken', 'Other')).rejects.toBeInstanceOf(MailboxNotFoundError);
      });

      it('deletes a mailbox and its messages, giving their bytes and blobs back', async () => {
        const keep = await create('Keep');
        const gone = await create('Gone');
        await mail().appendMessage(keep.id, message(1, { size: 10 }), null);
        await mail().appendMessage(gone.id, message(2, { size: 20 }), null);
        await mail().appendMessage(gone.id, message(3, { size: 30 }), null);
        expect(await mail().usage(ALICE.userId)).toBe(60);
        expect(await mail().deleteMailbox(ALICE.userId, gone.id)).toBe(true);
        expect(await mail().deleteMailbox(ALICE.userId, gone.id)).toBe(false);
        expect(await mail().usage(ALICE.userId)).toBe(10);
        expect(await mail().isBlobReferenced(hash(2))).toBe(false);
        expect(await mail().isBlobReferenced(hash(1))).toBe(true);
        expect(await mail().getMailboxById(ALICE.userId, gone.id)).toBeNull();
        expect(await mail().search(gone.id, { kind: 'all' })).toEqual([]);
        await expect(mail().appendMessage(gone.id, message(4), null)).rejects.toBeInstanceOf(MailboxNotFoundError);
        await expect(mail().snapshot(gone.id)).rejects.toBeInstanceOf(MailboxNotFoundError);
      });

      it('subscribes and unsubscribes', async () => {
        const box = await create('Lists');
        await mail().setSubscribed(ALICE.userId, box.id, false);
        expect((await mail().getMailboxById(ALICE.userId, box.id))?.subscribed).toBe(false);
        await mail().setSubscribed(ALICE.userId, box.id, true);
        expect((await mail().getMailboxById(ALICE.userId, box.id))?.subscribed).toBe(true);
      });
    });

    describe('messages', () => {
      it('appends with strictly increasing UIDs that are never reused', async () => {
        const box = await create('INBOX');
        const first = await mail().appendMessage(box.id, message(1, { flags: ['\\seen', 'Work'] }), null);
        expect(first).toEqual({ uid: 1, modseq: 1, uidValidity: box.uidValidity });
        await append(box, 2);
        await mail().setFlags(box.id, [3], 'add', ['\\Deleted']);
        expect(await mail().expunge(box.id)).toEqual([3]);
        const next = await mail().appendMessage(box.id, message(4), null);
        expect(next.uid).toBe(4);
        expect(await mail().getMailboxById(ALICE.userId, box.id)).toMatchObject({ uidNext: 5, modseq: next.modseq });
        const [stored] = await mail().getMessages(box.id, [1]);
        expect(stored).toEqual({
          mailboxId: box.id,
          uid: 1,
          modseq: 1,
          blob: hash(1),
          size: 100,
          internalDate: '2024-03-01T10:00:00.000Z',
          flags: ['\\Seen', 'Work'],
          meta: message(1).meta,
        });
      });

      it('numbers 100 concurrent appends 1..100 with gap-free modseqs', async () => {
        const box = await create('INBOX');
        const results = await Promise.all(ascending(100).map((n) => mail().appendMessage(box.id, message(n), null)));
        expect(results.map((r) => r.uid).sort((a, b) => a - b)).toEqual(ascending(100));
        expect(results.map((r) => r.modseq).sort((a, b) => a - b)).toEqual(ascending(100));
        const journaled = await entries(box);
        expect(journaled.map((e) => e.modseq)).toEqual(ascending(100));
        expect(journaled.every((e) => e.op === 'create')).toBe(true);
        expect(journaled.map((e) => Number(e.item)).sort((a, b) => a - b)).toEqual(ascending(100));
        // Each UID is journaled with the modseq its row carries.
        const rows = await mail().getMessages(box.id, ascending(100));
        for (const row of rows) expect(journaled.find((e) => e.item === String(row.uid))?.modseq).toBe(row.modseq);
        expect(await mail().snapshot(box.id)).toEqual({ uids: ascending(100), modseq: 100 });
      });

      it('takes a snapshot whose UIDs and modseq agree with the journal', async () => {
        const box = await create('INBOX');
        expect(await mail().snapshot(box.id)).toEqual({ uids: [], modseq: 0 });
        await append(box, 3);
        await mail().setFlags(box.id, [2], 'add', ['\\Deleted']);
        const before = await mail().snapshot(box.id);
        expect(before).toEqual({ uids: [1, 2, 3], modseq: await journal().head(`mailbox:${box.id}`) });
        await mail().expunge(box.id);
        await append(box, 1);
        const after = await mail().snapshot(box.id);
        expect(after.uids).toEqual([1, 3, 4]);
        // Replaying the journal after the first snapshot gives the second.
        const uids = new Set(before.uids);
        for (const e of await entries(box, before.modseq)) {
          if (e.op === 'create') uids.add(Number(e.item));
          if (e.op === 'delete') uids.delete(Number(e.item));
        }
        expect([...uids].sort((a, b) => a - b)).toEqual(after.uids);
        expect(after.modseq).toBe(before.modseq + 2);
      });

      it('reads the given UIDs that exist, ascending, optionally only those changed since a modseq', async () => {
        const box = await create('INBOX');
        await append(box, 4);
        expect((await mail().getMessages(box.id, [4, 2, 9, 2])).map((m) => m.uid)).toEqual([2, 4]);
        await mail().setFlags(box.id, [1], 'add', ['\\Seen']);
        expect((await mail().getMessages(box.id, ascending(4), 4)).map((m) => m.uid)).toEqual([1]);
        expect(await mail().getMessages(box.id, ascending(4), 5)).toEqual([]);
        expect(await mail().getMessages(box.id, [])).toEqual([]);
      });

      it('adds, removes and sets flags, bumping modseq only on a real change', async () => {
        const box = await create('INBOX');
        await append(box, 3);
        const added = await mail().setFlags(box.id, [1, 2], 'add', ['\\seen', 'Project']);
        expect(added).toEqual({
          changed: [
            { uid: 1, flags: ['\\Seen', 'Project'], modseq: 4 },
            { uid: 2, flags: ['\\Seen', 'Project'], modseq: 5 },
          ],
          modified: [],
        });
        // Already there (flags compare case-insensitively): nothing changes, nothing is journaled.
        expect(await mail().setFlags(box.id, [1, 2], 'add', ['\\SEEN', 'project'])).toEqual({ changed: [], modified: [] });
        expect(await mail().setFlags(box.id, [3], 'remove', ['\\Seen'])).toEqual({ changed: [], modified: [] });
        expect(await journal().head(`mailbox:${box.id}`)).toBe(5);
        const removed = await mail().setFlags(box.id, [1, 2, 3], 'remove', ['PROJECT']);
        expect(removed.changed).toEqual([
          { uid: 1, flags: ['\\Seen'], modseq: 6 },
          { uid: 2, flags: ['\\Seen'], modseq: 7 },
        ]);
        const set = await mail().setFlags(box.id, [1, 2, 3], 'set', ['\\Seen', '\\Flagged']);
        expect(set.changed).toEqual([
          { uid: 1, flags: ['\\Seen', '\\Flagged'], modseq: 8 },
          { uid: 2, flags: ['\\Seen', '\\Flagged'], modseq: 9 },
          { uid: 3, flags: ['\\Seen', '\\Flagged'], modseq: 10 },
        ]);
        expect((await mail().setFlags(box.id, [1], 'set', ['\\flagged', '\\seen'])).changed).toEqual([]);
        expect((await mail().setFlags(box.id, [1], 'set', [])).changed).toEqual([{ uid: 1, flags: [], modseq: 11 }]);
        const journaled = await journal().since(`mailbox:${box.id}`, 3, 100);
        expect(journaled.map((e) => [e.op, e.item, e.data])).toEqual([
          ['update', '1', { flags: ['\\Seen', 'Project'] }],
          ['update', '2', { flags: ['\\Seen', 'Project'] }],
          ['update', '1', { flags: ['\\Seen'] }],
          ['update', '2', { flags: ['\\Seen'] }],
          ['update', '1', { flags: ['\\Seen', '\\Flagged'] }],
          ['update', '2', { flags: ['\\Seen', '\\Flagged'] }],
          ['update', '3', { flags: ['\\Seen', '\\Flagged'] }],
          ['update', '1', { flags: [] }],
        ]);
        expect((await mail().getMessages(box.id, [1, 2])).map((m) => [m.flags, m.modseq])).toEqual([
          [[], 11],
          [['\\Seen', '\\Flagged'], 9],
        ]);
        expect(await mail().counts(box.id)).toEqual({ messages: 3, unseen: 1, bytes: 300 });
      });

      it('leaves messages changed after UNCHANGEDSINCE alone and reports them', async () => {
        const box = await create('INBOX');
        await append(box, 3);
        await mail().setFlags(box.id, [2], 'add', ['\\Answered']);
        const result = await mail().setFlags(box.id, [1, 2, 3], 'add', ['\\Seen'], 3);
        expect(result.modified).toEqual([2]);
        expect(result.changed.map((c) => c.uid)).toEqual([1, 3]);
        expect((await mail().getMessages(box.id, [2]))[0]?.flags).toEqual(['\\Answered']);
        // At or below the message's modseq counts as unchanged.
        expect((await mail().setFlags(box.id, [2], 'add', ['\\Seen'], 4)).changed.map((c) => c.uid)).toEqual([2]);
        expect(await mail().setFlags(box.id, [1], 'add', ['\\Flagged'], 0)).toEqual({ changed: [], modified: [1] });
      });

      it('expunges only messages flagged \\Deleted, and only among the given UIDs', async () => {
        const box = await create('INBOX');
        await append(box, 5, { size: 10 });
        await mail().setFlags(box.id, [1, 3, 4], 'add', ['\\Deleted']);
        const head = await journal().head(`mailbox:${box.id}`);
        expect(await mail().expunge(box.id, [3, 4, 5])).toEqual([3, 4]);
        expect(await mail().expunge(box.id)).toEqual([1]);
        expect(await mail().expunge(box.id)).toEqual([]);
        expect((await mail().snapshot(box.id)).uids).toEqual([2, 5]);
        expect(await entries(box, head)).toEqual([
          { modseq: head + 1, op: 'delete', item: '3' },
          { modseq: head + 2, op: 'delete', item: '4' },
          { modseq: head + 3, op: 'delete', item: '1' },
        ]);
        expect(await mail().usage(ALICE.userId)).toBe(20);
        expect(await mail().counts(box.id)).toEqual({ messages: 2, unseen: 2, bytes: 20 });
      });

      it('copies messages under new UIDs, sharing blobs and keeping flags', async () => {
        const from = await create('INBOX');
        const to = await create('Archive');
        await append(from, 3, { size: 10 });
        await append(to, 1, { size: 10 });
        await mail().setFlags(from.id, [2], 'add', ['\\Seen']);
        const mapping = await mail().copyMessages(from.id, [3, 2, 99], to.id, null);
        expect(mapping).toEqual([
          { sourceUid: 2, destinationUid: 2 },
          { sourceUid: 3, destinationUid: 3 },
        ]);
        const copies = await mail().getMessages(to.id, [2, 3]);
        expect(copies.map((m) => [m.blob, m.flags, m.mailboxId])).toEqual([
          [hash(2), ['\\Seen'], to.id],
          [hash(3), [], to.id],
        ]);
        expect((await mail().snapshot(from.id)).uids).toEqual([1, 2, 3]);
        expect(await entries(to, 1)).toEqual([
          { modseq: 2, op: 'create', item: '2' },
          { modseq: 3, op: 'create', item: '3' },
        ]);
        expect(copies.map((m) => m.modseq)).toEqual([2, 3]);
        expect(await mail().usage(ALICE.userId)).toBe(60);
        // The copy is searchable on its own; deleting the original keeps its text.
        await mail().deleteMailbox(ALICE.userId, from.id);
        expect(await mail().search(to.id, { kind: 'body', value: 'message 3' })).toEqual([3]);
        expect(await mail().search(to.id, { kind: 'header', name: 'Subject', value: 'message 2' })).toEqual([2]);
        expect(await mail().isBlobReferenced(hash(3))).toBe(true);
        expect(await mail().copyMessages(to.id, [42], to.id, null)).toEqual([]);
      });

      it('moves messages: destination written and journaled, source emptied and journaled', async () => {
        const from = await create('INBOX');
        const to = await create('Trash');
        await append(from, 3, { size: 10 });
        await mail().setFlags(from.id, [1], 'add', ['\\Flagged']);
        const fromHead = await journal().head(`mailbox:${from.id}`);
        const mapping = await mail().moveMessages(from.id, [1, 3], to.id);
        expect(mapping).toEqual([
          { sourceUid: 1, destinationUid: 1 },
          { sourceUid: 3, destinationUid: 2 },
        ]);
        expect((await mail().snapshot(from.id)).uids).toEqual([2]);
        expect(await mail().snapshot(to.id)).toEqual({ uids: [1, 2], modseq: 2 });
        expect(await entries(to)).toEqual([
          { modseq: 1, op: 'create', item: '1' },
          { modseq: 2, op: 'create', item: '2' },
        ]);
        expect(await entries(from, fromHead)).toEqual([
          { modseq: fromHead + 1, op: 'delete', item: '1' },
          { modseq: fromHead + 2, op: 'delete', item: '3' },
        ]);
        expect((await mail().getMessages(to.id, [1, 2])).map((m) => [m.blob, m.flags])).toEqual([
          [hash(1), ['\\Flagged']],
          [hash(3), []],
        ]);
        expect(await mail().usage(ALICE.userId)).toBe(30);
        expect(await mail().search(to.id, { kind: 'body', value: 'message 3' })).toEqual([2]);
        expect(await mail().search(from.id, { kind: 'body', value: 'message' })).toEqual([2]);
      });

      it('refuses an append or copy over quota and writes nothing', async () => {
        const box = await create('INBOX');
        const other = await create('Other');
        await mail().appendMessage(box.id, message(1, { size: 600 }), 1000);
        const before = {
          snapshot: await mail().snapshot(box.id),
          counts: await mail().counts(box.id),
          record: await mail().getMailboxById(ALICE.userId, box.id),
          otherSnapshot: await mail().snapshot(other.id),
        };
        await expect(mail().appendMessage(box.id, message(2, { size: 401 }), 1000)).rejects.toBeInstanceOf(OverQuotaError);
        await expect(mail().copyMessages(box.id, [1], other.id, 1000)).rejects.toBeInstanceOf(OverQuotaError);
        expect(await mail().snapshot(box.id)).toEqual(before.snapshot);
        expect(await mail().counts(box.id)).toEqual(before.counts);
        expect(await mail().getMailboxById(ALICE.userId, box.id)).toEqual(before.record);
        expect(await mail().snapshot(other.id)).toEqual(before.otherSnapshot);
        expect(await mail().usage(ALICE.userId)).toBe(600);
        expect(await mail().isBlobReferenced(hash(2))).toBe(false);
        // Exactly at the quota is allowed; another user's usage does not count.
        await mail().appendMessage(box.id, message(3, { size: 400 }), 1000);
        const bobs = await create('INBOX', BOB);
        await mail().appendMessage(bobs.id, message(4, { size: 900 }), 1000);
        expect(await mail().usage(ALICE.userId)).toBe(1000);
        expect(await mail().usage(BOB.userId)).toBe(900);
        expect(await mail().usage('nobody')).toBe(0);
      });

      it('counts messages, unseen messages and bytes', async () => {
        const box = await create('INBOX');
        expect(await mail().counts(box.id)).toEqual({ messages: 0, unseen: 0, bytes: 0 });
        await mail().appendMessage(box.id, message(1, { size: 5, flags: ['\\Seen'] }), null);
        await mail().appendMessage(box.id, message(2, { size: 7 }), null);
        expect(await mail().counts(box.id)).toEqual({ messages: 2, unseen: 1, bytes: 12 });
      });
    });

    describe('search', () => {
      let box: MailboxRecord;
      const corpus: NewMessage[] = [
        message(1, {
          size: 1000,
          flags: ['\\Seen'],
          internalDate: '2020-01-06T09:00:00.000Z',
          search: {
            headers: { Subject: 'Überweisung erhalten', From: 'Anna <anna@alpha.test>', Date: 'Mon, 06 Jan 2020 10:00:00 +0100' },
            body: 'Die Überweisung über 100 EUR ist da.',
          },
        }),
        message(2, {
          size: 5000,
          flags: ['\\Flagged'],
          internalDate: '2020-01-08T08:00:00.000Z',
          search: {
            // Written on the 7th in its own zone, the 8th in UTC: SENTON goes by what is written.
            headers: { subject: 'Meeting tomorrow', from: 'bob@beta.test', date: 'Tue, 7 Jan 2020 23:30:00 -0800' },
            body: 'Let us meet at 10. Bring the "slides".',
          },
        }),
        message(3, {
          size: 20000,
          internalDate: '2020-02-01T12:00:00.000Z',
          search: { headers: { subject: 'Re: Meeting', from: 'anna@alpha.test', cc: 'carol@alpha.test' }, body: 'ok' },
        }),
        message(4, {
          size: 300,
          flags: ['$Important', '\\Seen'],
          internalDate: '2020-02-01T00:00:00.000Z',
          search: {
            headers: { subject: '日本の報告', from: 'dora@beta.test', date: 'Sat, 1 Feb 2020 00:00:00 +0000' },
            body: 'Quartalsbericht: 売上 増加',
          },
        }),
      ];

      beforeEach(async () => {
        box = await create('INBOX');
        for (const m of corpus) await mail().appendMessage(box.id, m, null);
      });

      const search = (query: MailQuery) => mail().search(box.id, query);

      it('matches all, UIDs, flags and keywords', async () => {
        expect(await search({ kind: 'all' })).toEqual([1, 2, 3, 4]);
        expect(await search({ kind: 'uids', uids: [4, 2, 99] })).toEqual([2, 4]);
        expect(await search({ kind: 'flag', flag: '\\Seen', present: true })).toEqual([1, 4]);
        expect(await search({ kind: 'flag', flag: '\\seen', present: false })).toEqual([2, 3]);
        expect(await search({ kind: 'flag', flag: '$important', present: true })).toEqual([4]);
        expect(await search({ kind: 'flag', flag: '\\Deleted', present: true })).toEqual([]);
      });

      it('matches header substrings within the named header only', async () => {
        expect(await search({ kind: 'header', name: 'Subject', value: 'meeting' })).toEqual([2, 3]);
        expect(await search({ kind: 'header', name: 'from', value: 'ANNA' })).toEqual([1, 3]);
        expect(await search({ kind: 'header', name: 'from', value: 'bo' })).toEqual([2]);
        expect(await search({ kind: 'header', name: 'subject', value: 'anna' })).toEqual([]);
        expect(await search({ kind: 'header', name: 'subject', value: 'überweisung' })).toEqual([1]);
        expect(await search({ kind: 'header', name: 'subject', value: '報告' })).toEqual([4]);
        expect(await search({ kind: 'header', name: 'CC', value: '' })).toEqual([3]);
        expect(await search({ kind: 'header', name: 'x-none', value: '' })).toEqual([]);
      });

      it('matches body and text substrings, case-insensitively, short and long', async () => {
        expect(await search({ kind: 'body', value: 'ÜBERWEISUNG' })).toEqual([1]);
        expect(await search({ kind: 'body', value: 'berw' })).toEqual([1]);
        expect(await search({ kind: 'body', value: 'Üb' })).toEqual([1]);
        expect(await search({ kind: 'body', value: '売上' })).toEqual([4]);
        expect(await search({ kind: 'body', value: '売上 増' })).toEqual([4]);
        expect(await search({ kind: 'body', value: '"slides"' })).toEqual([2]);
        expect(await search({ kind: 'body', value: 'anna' })).toEqual([]);
        expect(await search({ kind: 'text', value: 'anna' })).toEqual([1, 3]);
        expect(await search({ kind: 'body', value: 'ok' })).toEqual([3]);
        expect(await search({ kind: 'text', value: 'OK' })).toEqual([3]);
        expect(await search({ kind: 'body', value: 'nowhere at all' })).toEqual([]);
      });

      it('answers short terms (scan) and long terms (index) by the same substring rule', async () => {
        const bodies = corpus.map((m) => m.search.body.normalize('NFC').toLowerCase());
        const terms = ['e', 'Ü', 'üb', 'übe', 'ÜBER', 'be', 'ber', 'ng', 'ng ', ' 1', '10', '100', '.', 'a.', 'da.', '売', '売上', '売上 ', 'x', 'xyz'];
        for (const term of terms) {
          const t = term.toLowerCase();
          const expected = bodies.flatMap((b, i) => (b.includes(t) ? [i + 1] : []));
          expect({ term, uids: await search({ kind: 'body', value: term }) }).toEqual({ term, uids: expected });
        }
      });

      it('matches internal and sent dates by day, and by instant for full timestamps', async () => {
        expect(await search({ kind: 'internalDate', op: '<', date: '2020-02-01' })).toEqual([1, 2]);
        expect(await search({ kind: 'internalDate', op: '>=', date: '2020-02-01' })).toEqual([3, 4]);
        expect(await search({ kind: 'internalDate', op: 'on', date: '2020-01-08' })).toEqual([2]);
        expect(await search({ kind: 'internalDate', op: '>=', date: '2020-02-01T06:00:00.000Z' })).toEqual([3]);
        expect(await search({ kind: 'internalDate', op: '<', date: '2020-02-01T06:00:00.000Z' })).toEqual([1, 2, 4]);
        expect(await search({ kind: 'sentDate', op: 'on', date: '2020-01-07' })).toEqual([2]);
        // Without a Date header the internal date stands in.
        expect(await search({ kind: 'sentDate', op: 'on', date: '2020-02-01' })).toEqual([3, 4]);
        expect(await search({ kind: 'sentDate', op: '<', date: '2020-01-07' })).toEqual([1]);
        expect(await search({ kind: 'sentDate', op: '>=', date: '2020-01-07' })).toEqual([2, 3, 4]);
      });

      it('matches size and modseq', async () => {
        expect(await search({ kind: 'size', op: '<', bytes: 1000 })).toEqual([4]);
        expect(await search({ kind: 'size', op: '>', bytes: 1000 })).toEqual([2, 3]);
        await mail().setFlags(box.id, [2], 'add', ['\\Answered']);
        expect(await search({ kind: 'modseq', atLeast: 5 })).toEqual([2]);
        expect(await search({ kind: 'modseq', atLeast: 4 })).toEqual([2, 4]);
      });

      it('combines with not, and, or, nested', async () => {
        expect(await search({ kind: 'not', query: { kind: 'flag', flag: '\\Seen', present: true } })).toEqual([2, 3]);
        expect(await search({ kind: 'not', query: { kind: 'header', name: 'from', value: 'anna' } })).toEqual([2, 4]);
        expect(
          await search({
            kind: 'or',
            queries: [
              { kind: 'and', queries: [{ kind: 'header', name: 'from', value: 'anna' }, { kind: 'not', query: { kind: 'flag', flag: '\\Seen', present: true } }] },
              { kind: 'flag', flag: '$Important', present: true },
            ],
          }),
        ).toEqual([3, 4]);
        expect(
          await search({
            kind: 'and',
            queries: [
              { kind: 'not', query: { kind: 'or', queries: [{ kind: 'body', value: 'ok' }, { kind: 'size', op: '<', bytes: 500 }] } },
              { kind: 'text', value: 'e' },
            ],
          }),
        ).toEqual([1, 2]);
        expect(await search({ kind: 'and', queries: [] })).toEqual([1, 2, 3, 4]);
        expect(await search({ kind: 'or', queries: [] })).toEqual([]);
        expect(await search({ kind: 'not', query: { kind: 'sentDate', op: 'on', date: '2020-02-01' } })).toEqual([1, 2]);
      });

      it('searches one mailbox only', async () => {
        const other = await create('Other');
        await mail().appendMessage(other.id, corpus[0] ?? message(9), null);
        expect(await mail().search(other.id, { kind: 'body', value: 'überweisung' })).toEqual([1]);
        expect(await mail().search(other.id, { kind: 'all' })).toEqual([1]);
        expect(await search({ kind: 'body', value: 'überweisung' })).toEqual([1]);
        expect(await mail().search('missing', { kind: 'all' })).toEqual([]);
      });
    });
  });
}
