/**
 * MailService on a real store: `run(name, build)` is called by service.test.ts (embedded SQLite)
 * and service-mongo.test.ts (FerretDB), like the store contract suites.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Principal } from '../../src/directory/principal.ts';
import { MailError, MailService } from '../../src/mail/index.ts';
import type { BodySection, MailErrorCode } from '../../src/mail/index.ts';
import type { Store } from '../../src/store/ports/index.ts';
import { mailFixture } from '../fixtures/mail/fixtures.ts';
import type { BuildStore } from '../store/contract/helpers.ts';
import { freshStore } from '../store/contract/helpers.ts';

export interface SuiteOptions {
  /** Size of the streamed large message (issue 5 asks for 25 MB). */
  bigBytes: number;
}

const MiB = 1024 * 1024;
const ALICE: Principal = { userId: 'u-alice', tenantId: 't-a', address: 'alice@a.example', via: 'password' };
const CAROL: Principal = { userId: 'u-carol', tenantId: 't-a', address: 'carol@a.example', via: 'password' };
const BOB: Principal = { userId: 'u-bob', tenantId: 't-b', address: 'bob@b.example', via: 'app-password' };
/** As listMailboxes orders them: INBOX first, then by name. */
const DEFAULTS = [['INBOX', null], ['Archive', '\\Archive'], ['Drafts', '\\Drafts'], ['Junk', '\\Junk'], ['Sent', '\\Sent'], ['Trash', '\\Trash']];

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function rejectsWith(promise: Promise<unknown>, code: MailErrorCode): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(MailError);
  await expect(promise).rejects.toMatchObject({ code });
}

/** The text between two markers of a fixture, found by string search (not by the part map). */
function between(raw: Buffer, from: string, until: string): Buffer {
  const text = raw.toString('latin1');
  const start = text.indexOf(from);
  const end = text.indexOf(until, start + from.length);
  if (start < 0 || end < 0) throw new Error('markers not found');
  return raw.subarray(start + from.length, end);
}

/**
 * A multipart message of about `bytes`, made on the fly in 64 KiB chunks, with its sha256: the
 * test never holds it whole.
 */
function bigMessage(bytes: number): { source: AsyncIterable<Uint8Array>; digest: () => string; size: () => number } {
  const hash = createHash('sha256');
  let size = 0;
  const line = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/ABCDEFGHIJKL\r\n';
  const block = Buffer.from(line.repeat(Math.floor(64 * 1024 / line.length)));
  async function* source(): AsyncGenerator<Uint8Array> {
    const emit = (b: Buffer) => {
      hash.update(b);
      size += b.length;
      return b;
    };
    yield emit(Buffer.from('From: big@a.example\r\nTo: alice@a.example\r\nSubject: big\r\nMIME-Version: 1.0\r\n'
      + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n'
      + '--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n'));
    while (size < bytes) yield emit(Buffer.from(block));
    yield emit(Buffer.from('--b--\r\n'));
  }
  return { source: source(), digest: () => hash.digest('hex'), size: () => size };
}

async function* repeated(byte: number, count: number, chunk = 4096): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < count; sent += chunk) yield Buffer.alloc(Math.min(chunk, count - sent), byte);
}

export function run(name: string, build: BuildStore, options: SuiteOptions): void {
  describe(`MailService on ${name}`, () => {
    const current = freshStore(build);
    const quotas = new Map<string, number | null>();
    const service = (appendLimit = 40 * MiB, store: Store = current()) =>
      new MailService({ mail: store.mail, blobs: store.blobs, quota: async (o) => quotas.get(o.userId) ?? null, appendLimit });
    const mail = () => current().mail;
    beforeEach(() => quotas.clear());

    async function inbox(svc: MailService, who: Principal) {
      await svc.ensureDefaults(who);
      const box = await svc.getMailbox(who, 'INBOX');
      if (!box) throw new Error('no INBOX');
      return box;
    }

    describe('default mailboxes', () => {
      it('are created once, with SPECIAL-USE and subscribed, however often they are ensured', async () => {
        const svc = service();
        await svc.ensureDefaults(ALICE);
        await svc.ensureDefaults(ALICE);
        const boxes = await svc.listMailboxes(ALICE);
        expect(boxes.map((b) => [b.path, b.specialUse])).toEqual(DEFAULTS);
        expect(boxes.every((b) => b.subscribed && b.userId === ALICE.userId && b.tenantId === ALICE.tenantId)).toBe(true);
      });

      it('survive concurrent first logins (one of each)', async () => {
        const svc = service();
        await Promise.all(Array.from({ length: 6 }, () => svc.ensureDefaults(ALICE)));
        const boxes = await svc.listMailboxes(ALICE);
        expect(boxes.map((b) => b.path)).toEqual(DEFAULTS.map(([p]) => p));
      });

      it('are not duplicated when the user already has a mailbox with that SPECIAL-USE', async () => {
        await mail().createMailbox({ userId: ALICE.userId, tenantId: ALICE.tenantId, path: 'Sent Items', specialUse: '\\Sent', subscribed: true });
        const svc = service();
        await svc.ensureDefaults(ALICE);
        const paths = (await svc.listMailboxes(ALICE)).map((b) => b.path);
        expect(paths).toContain('Sent Items');
        expect(paths).not.toContain('Sent');
      });
    });

    describe('mailbox names', () => {
      it('Unicode names round-trip in NFC, whatever normal form the client sent', async () => {
        const svc = service();
        await svc.ensureDefaults(ALICE);
        const nfd = 'U\u0308berweisungen/日本';
        const created = await svc.createMailbox(ALICE, nfd);
        expect(created.path).toBe('Überweisungen/日本');
        const paths = (await svc.listMailboxes(ALICE)).map((b) => b.path);
        expect(paths).toEqual(expect.arrayContaining(['Überweisungen', 'Überweisungen/日本']));
        expect((await svc.getMailbox(ALICE, 'Überweisungen/日本'))?.id).toBe(created.id);
        expect((await svc.getMailbox(ALICE, nfd))?.id).toBe(created.id);
        await svc.append(ALICE, nfd, mailFixture('plain'));
        expect((await mail().counts(created.id)).messages).toBe(1);
        await rejectsWith(svc.createMailbox(ALICE, 'Überweisungen/日本'), 'alreadyExists');
      });

      it('INBOX is case-insensitive and its children are spelled under INBOX', async () => {
        const svc = service();
        await svc.ensureDefaults(ALICE);
        await rejectsWith(svc.createMailbox(ALICE, 'inbox'), 'alreadyExists');
        await rejectsWith(svc.createMailbox(ALICE, 'Inbox'), 'alreadyExists');
        expect((await svc.createMailbox(ALICE, 'inbox/Receipts')).path).toBe('INBOX/Receipts');
        expect((await svc.getMailbox(ALICE, 'iNbOx'))?.path).toBe('INBOX');
        // Only the first level is special: "Foo/inbox" is an ordinary name.
        expect((await svc.createMailbox(ALICE, 'Foo/inbox')).path).toBe('Foo/inbox');
      });

      it('refuses empty levels, edge delimiters, wildcards, control characters and overlong names', async () => {
        const svc = service();
        for (const bad of ['', '/', '/a', 'a/', 'a//b', ' ', 'a/ /b', 'a%', 'a*b', 'a\u0000b', 'a\r\nb', 'Caf\ufffd', 'x'.repeat(256), 'a/'.repeat(40) + 'a', '\ud800']) {
          await rejectsWith(svc.createMailbox(ALICE, bad), 'cannot');
        }
        expect((await svc.createMailbox(ALICE, 'x'.repeat(255))).path).toHaveLength(255);
        expect((await mail().listMailboxes(ALICE.userId)).map((b) => b.path)).toEqual(['x'.repeat(255)]);
      });

      it('rename moves the subtree and creates missing parents of the new name', async () => {
        const svc = service();
        await svc.ensureDefaults(ALICE);
        const box = await svc.createMailbox(ALICE, 'Projects/Alpha');
        await svc.append(ALICE, 'Projects/Alpha', mailFixture('plain'));
        await svc.renameMailbox(ALICE, 'Projects', 'Old/Projekte');
        const paths = (await svc.listMailboxes(ALICE)).map((b) => b.path);
        expect(paths).toEqual(expect.arrayContaining(['Old', 'Old/Projekte', 'Old/Projekte/Alpha']));
        expect(paths).not.toContain('Projects');
        expect((await svc.getMailbox(ALICE, 'Old/Projekte/Alpha'))?.id).toBe(box.id);
        await rejectsWith(svc.renameMailbox(ALICE, 'Nope', 'Other'), 'nonexistent');
        await rejectsWith(svc.renameMailbox(ALICE, 'Old', 'Sent'), 'alreadyExists');
        await rejectsWith(svc.renameMailbox(ALICE, 'Old', 'inbox'), 'alreadyExists');
      });

      it('renaming INBOX moves its messages to the new mailbox and leaves INBOX empty (RFC 3501)', async () => {
        const svc = service();
        const box = await inbox(svc, ALICE);
        const child = await svc.createMailbox(ALICE, 'INBOX/Kept');
        await svc.append(ALICE, 'INBOX', mailFixture('plain'));
        await svc.append(ALICE, 'INBOX', mailFixture('alternative'));
        await svc.renameMailbox(ALICE, 'INBOX', 'Old Inbox');
        const moved = await svc.getMailbox(ALICE, 'Old Inbox');
        expect((await mail().counts(box.id)).messages).toBe(0);
        expect((await mail().counts(moved?.id ?? '')).messages).toBe(2);
        expect((await svc.getMailbox(ALICE, 'INBOX'))?.id).toBe(box.id);
        expect((await svc.getMailbox(ALICE, 'INBOX/Kept'))?.id).toBe(child.id);
      });

      it('delete refuses INBOX, keeps children, and says when there is nothing to delete', async () => {
        const svc = service();
        await svc.ensureDefaults(ALICE);
        await svc.createMailbox(ALICE, 'A/B');
        await svc.append(ALICE, 'A', mailFixture('plain'));
        await rejectsWith(svc.deleteMailbox(ALICE, 'inbox'), 'cannot');
        await svc.deleteMailbox(ALICE, 'A');
        const paths = (await svc.listMailboxes(ALICE)).map((b) => b.path);
        expect(paths).toContain('A/B');
        expect(paths).not.toContain('A');
        expect(await mail().usage(ALICE.userId)).toBe(0);
        await rejectsWith(svc.deleteMailbox(ALICE, 'A'), 'nonexistent');
      });

      it('subscribe and unsubscribe', async () => {
        const svc = service();
        const box = await svc.createMailbox(ALICE, 'News');
        expect(box.subscribed).toBe(false);
        await svc.subscribe(ALICE, 'News');
        expect((await svc.getMailbox(ALICE, 'News'))?.subscribed).toBe(true);
        await svc.unsubscribe(ALICE, 'News');
        expect((await svc.getMailbox(ALICE, 'News'))?.subscribed).toBe(false);
        await rejectsWith(svc.subscribe(ALICE, 'Missing'), 'nonexistent');
      });
    });

    describe('append and bodies', () => {
      it(`streams a ${Math.round(options.bigBytes / MiB)} MB message in and reads it back byte-exact`, async () => {
        const svc = service();
        const box = await inbox(svc, ALICE);
        const big = bigMessage(options.bigBytes);
        const result = await svc.append(ALICE, 'INBOX', big.source, { flags: ['\\Seen'], internalDate: '17-Jul-2024 02:44:25 -0700' });
        expect(result).toMatchObject({ mailboxId: box.id, uid: 1, uidValidity: box.uidValidity, size: big.size() });
        expect(result.size).toBeGreaterThan(options.bigBytes);
        const body = await svc.openBody(ALICE, box.id, result.uid);
        expect(body.totalLength).toBe(big.size());
        const hash = createHash('sha256');
        for await (const chunk of body.stream as AsyncIterable<Buffer>) hash.update(chunk);
        expect(hash.digest('hex')).toBe(big.digest());
        const [record] = await mail().getMessages(box.id, [result.uid]);
        expect(record).toMatchObject({ size: big.size(), flags: ['\\Seen'], internalDate: '2024-07-17T02:44:25-07:00' });
        const part1 = await svc.openBody(ALICE, box.id, result.uid, { part: '1' });
        expect((await readAll(part1.stream)).toString()).toBe('see attachment');
      });

      it('BODY[HEADER], [TEXT], [n], [n.MIME], HEADER.FIELDS and partials are the expected bytes', async () => {
        const svc = service();
        const box = await inbox(svc, ALICE);
        const raw = mailFixture('mixed-attachment');
        const { uid } = await svc.append(ALICE, 'INBOX', raw);
        const text = raw.toString('latin1');
        const split = text.indexOf('\r\n\r\n') + 4;
        const section = async (s: BodySection) => {
          const opened = await svc.openBody(ALICE, box.id, uid, s);
          const bytes = await readAll(opened.stream);
          expect(bytes.length).toBe(opened.length);
          return { bytes, opened };
        };
        expect((await section({ part: '' })).bytes).toEqual(raw);
        expect((await section({ part: '', text: 'HEADER' })).bytes).toEqual(raw.subarray(0, split));
        expect((await section({ part: '', text: 'TEXT' })).bytes).toEqual(raw.subarray(split));
        expect((await section({ part: '1' })).bytes.toString()).toBe('Please find the invoice attached.');
        expect((await section({ part: '1', text: 'MIME' })).bytes.toString()).toBe('Content-Type: text/plain; charset=utf-8\r\n\r\n');
        expect((await section({ part: '2' })).bytes).toEqual(between(raw, 'Content-Description: Invoice\r\n\r\n', '\r\n------=_mixed_01--'));
        expect((await section({ part: '', text: 'HEADER.FIELDS', fields: ['SUBJECT', 'to'] })).bytes.toString())
          .toBe('To: bob@example.org\r\nSubject: Invoice attached\r\n\r\n');
        const not = (await section({ part: '', text: 'HEADER.FIELDS.NOT', fields: ['content-type', 'mime-version', 'date'] })).bytes.toString();
        expect(not).toBe('From: alice@example.com\r\nTo: bob@example.org\r\nSubject: Invoice attached\r\n\r\n');
        const partial = await section({ part: '', text: 'TEXT', partial: { start: 10, length: 20 } });
        expect(partial.bytes).toEqual(raw.subarray(split + 10, split + 30));
        expect(partial.opened).toMatchObject({ start: 10, length: 20, totalLength: raw.length - split });
        const pastEnd = await section({ part: '1', partial: { start: 1000 } });
        expect(pastEnd.opened).toMatchObject({ length: 0, totalLength: 33 });
        // A part the message does not have is empty; HEADER after a non-message part too.
        expect((await section({ part: '7' })).bytes.length).toBe(0);
        expect((await section({ part: '1', text: 'HEADER' })).bytes.length).toBe(0);
        await rejectsWith(svc.openBody(ALICE, box.id, uid, { part: '0' }), 'invalid');
        await rejectsWith(svc.openBody(ALICE, box.id, uid, { part: '', text: 'MIME' }), 'invalid');
        await rejectsWith(svc.openBody(ALICE, box.id, uid + 1), 'nonexistent');
      });

      it('message/rfc822 parts: n.HEADER and n.TEXT', async () => {
        const svc = service();
        const box = await inbox(svc, ALICE);
        const raw = mailFixture('rfc822-attached');
        const { uid } = await svc.append(ALICE, 'INBOX', raw);
        const inner = between(raw, 'Content-Disposition: attachment\r\n\r\n', '\r\n--fwd\r\n');
        const innerSplit = inner.indexOf('\r\n\r\n') + 4;
        const read = async (s: BodySection) => readAll((await svc.openBody(ALICE, box.id, uid, s)).stream);
        expect(await read({ part: '2' })).toEqual(inner);
        expect(await read({ part: '2', text: 'HEADER' })).toEqual(inner.subarray(0, innerSplit));
        expect(await read({ part: '2', text: 'TEXT' })).toEqual(inner.subarray(innerSplit));
      });

      it('an LF-only message is stored and returned byte-exact', async () => {
        const svc = service();
        const box = await inbox(svc, ALICE);
        const raw = mailFixture('lf-only');
        expect(raw.includes('\r\n')).toBe(false);
        const { uid, size } = await svc.append(ALICE, 'INBOX', raw);
        expect(size).toBe(raw.length);
        expect(await readAll((await svc.openBody(ALICE, box.id, uid)).stream)).toEqual(raw);
        const header = await readAll((await svc.openBody(ALICE, box.id, uid, { part: '', text: 'HEADER.FIELDS', fields: ['subject'] })).stream);
        expect(header.toString()).toBe('Subject: Line feeds only\n\n');
      });

      it('a broken message is still stored byte-exact', async () => {
        const svc = service();
        const box = await inbox(svc, ALICE);
        const raw = mailFixture('garbage');
        const { uid } = await svc.append(ALICE, 'INBOX', raw);
        expect(await readAll((await svc.openBody(ALICE, box.id, uid)).stream)).toEqual(raw);
      });

      it('flags are normalised: system flags canonical, \\Recent dropped, duplicates folded; bad ones refused', async () => {
        const svc = service();
        const box = await inbox(svc, ALICE);
        const { uid } = await svc.append(ALICE, 'INBOX', mailFixture('plain'), { flags: ['\\seen', '\\FLAGGED', '$Label1', '$label1', '\\Recent', 'Work'] });
        expect((await mail().getMessages(box.id, [uid]))[0]?.flags).toEqual(['\\Seen', '\\Flagged', '$Label1', 'Work']);
        for (const bad of ['\\Important', 'two words', 'a(b', 'quote"', 'brack]et', 'Gr\u00fc\u00dfe', '']) {
          await rejectsWith(svc.append(ALICE, 'INBOX', mailFixture('plain'), { flags: [bad] }), 'invalid');
        }
        await rejectsWith(svc.append(ALICE, 'INBOX', mailFixture('plain'), { internalDate: '31-Feb-2024 00:00:00 +0000' }), 'invalid');
        expect((await mail().counts(box.id)).messages).toBe(1);
      });

      it('refuses a missing mailbox with tryCreate and an empty message', async () => {
        const svc = service();
        await svc.ensureDefaults(ALICE);
        await rejectsWith(svc.append(ALICE, 'Nowhere', mailFixture('plain')), 'tryCreate');
        await rejectsWith(svc.append(ALICE, 'INBOX', Buffer.alloc(0)), 'invalid');
        await rejectsWith(svc.append(ALICE, 'INBOX', repeated(0x41, 0)), 'invalid');
      });

      it('over quota: refused, nothing stored, counts and usage unchanged', async () => {
        const svc = service();
        const box = await inbox(svc, ALICE);
        const first = mailFixture('plain');
        quotas.set(ALICE.userId, first.length + 100);
        await svc.append(ALICE, 'INBOX', first);
        const before = { counts: await mail().counts(box.id), usage: await mail().usage(ALICE.userId), snapshot: await mail().snapshot(box.id) };
        await rejectsWith(svc.append(ALICE, 'INBOX', mailFixture('mixed-attachment')), 'overQuota');
        await rejectsWith(svc.append(ALICE, 'INBOX', repeated(0x42, 200)), 'overQuota');
        // Usage just under the quota: the early check passes a stream, the store's own check refuses it.
        quotas.set(ALICE.userId, first.length + 150);
        await rejectsWith(svc.append(ALICE, 'INBOX', repeated(0x43, 200)), 'overQuota');
        expect(await mail().counts(box.id)).toEqual(before.counts);
        expect(await mail().usage(ALICE.userId)).toBe(before.usage);
        expect(await mail().snapshot(box.id)).toEqual(before.snapshot);
        // Another user's quota is their own.
        await svc.ensureDefaults(CAROL);
        await svc.append(CAROL, 'INBOX', mailFixture('mixed-attachment'));
      });

      it('over the append limit: refused whether buffered or streamed, nothing stored', async () => {
        const store = current();
        const svc = service(10_000);
        const box = await inbox(svc, ALICE);
        await rejectsWith(svc.append(ALICE, 'INBOX', Buffer.alloc(10_001, 0x41)), 'tooBig');
        await rejectsWith(svc.append(ALICE, 'INBOX', repeated(0x41, 50_000)), 'tooBig');
        await rejectsWith(svc.deliver(ALICE, repeated(0x41, 10_001)), 'tooBig');
        expect((await store.mail.counts(box.id)).messages).toBe(0);
        expect(await store.mail.usage(ALICE.userId)).toBe(0);
        expect((await svc.append(ALICE, 'INBOX', Buffer.alloc(10_000, 0x41))).size).toBe(10_000);
      });
    });

    describe('isolation and delivery', () => {
      it('a principal never reaches another user\'s mailbox by id, in or across tenants', async () => {
        const svc = service();
        const box = await inbox(svc, ALICE);
        const { uid } = await svc.append(ALICE, 'INBOX', mailFixture('plain'));
        for (const other of [BOB, CAROL, { ...BOB, userId: ALICE.userId }]) {
          expect(await svc.getMailboxById(other, box.id)).toBeNull();
          await rejectsWith(svc.openBody(other, box.id, uid), 'nonexistent');
          await rejectsWith(svc.append(other, 'INBOX', mailFixture('plain')), 'tryCreate');
          expect(await svc.listMailboxes(other)).toEqual([]);
        }
        await svc.ensureDefaults(BOB);
        await svc.append(BOB, 'INBOX', mailFixture('plain'));
        await rejectsWith(svc.deleteMailbox(BOB, 'Überall'), 'nonexistent');
        expect((await mail().counts(box.id)).messages).toBe(1);
        expect((await svc.getMailbox(BOB, 'INBOX'))?.id).not.toBe(box.id);
      });

      it('purgeUser deletes every mailbox and message of that user only, and unreferences their blobs', async () => {
        const svc = service();
        await svc.ensureDefaults(ALICE);
        await svc.createMailbox(ALICE, 'Projects/Ω');
        const raw = Buffer.from('From: a@b.example\r\nSubject: purge me\r\n\r\nonly alice has this\r\n');
        await svc.append(ALICE, 'Projects/Ω', raw);
        await svc.append(ALICE, 'INBOX', mailFixture('plain'));
        await svc.ensureDefaults(CAROL);
        await svc.append(CAROL, 'INBOX', mailFixture('plain'));
        expect(await svc.purgeUser(ALICE.userId)).toBe(8);
        expect(await mail().listMailboxes(ALICE.userId)).toEqual([]);
        expect(await mail().usage(ALICE.userId)).toBe(0);
        expect(await mail().isBlobReferenced(createHash('sha256').update(raw).digest('hex'))).toBe(false);
        const carolInbox = await svc.getMailbox(CAROL, 'INBOX');
        expect(carolInbox && (await mail().counts(carolInbox.id)).messages).toBe(1);
      });

      it('deliver writes into INBOX, creating the defaults for a user who never logged in', async () => {
        const svc = service();
        const owner = { userId: 'u-new', tenantId: 't-a' };
        const result = await svc.deliver(owner, repeatedMessage());
        const boxes = await mail().listMailboxes(owner.userId);
        expect(boxes).toHaveLength(6);
        const inboxId = boxes.find((b) => b.path === 'INBOX')?.id;
        expect(result).toMatchObject({ mailboxId: inboxId, uid: 1 });
        quotas.set(owner.userId, 10);
        await rejectsWith(svc.deliver(owner, mailFixture('plain')), 'overQuota');
      });
    });
  });
}

async function* repeatedMessage(): AsyncGenerator<Uint8Array> {
  yield Buffer.from('From: a@b.example\r\nSubject: delivered\r\n\r\n');
  yield Buffer.from('hello\r\n');
}
