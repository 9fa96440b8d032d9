/**
 * The mail domain service that IMAP, SMTP/LMTP delivery and later webhooks share. Every method
 * takes whose mailboxes it acts on and looks mailboxes up under that user only, so a mailbox id
 * from another user or tenant is simply not found. Knows ports, never an adapter.
 */
import type { Principal } from '../directory/principal.ts';
import { ConflictError } from '../store/ports/errors.ts';
import type { MailboxRecord, SpecialUse } from '../store/ports/mail.ts';
import { MailboxNotFoundError, OverQuotaError } from '../store/ports/mail.ts';
import { MailError } from './errors.ts';
import { appendTo, openSection } from './messages.ts';
import { INBOX, normalizePath, parentsOf } from './names.ts';
import type { BodySection } from './sections.ts';
import type { AppendOptions, AppendResult, BodyStream, CopyResult, MailOwner, MailServiceDeps, MessageSource } from './types.ts';

/** Created at first login (and before a first delivery), subscribed (issue 5). */
export const DEFAULT_MAILBOXES: readonly { path: string; specialUse: SpecialUse | null }[] = [
  { path: INBOX, specialUse: null },
  { path: 'Sent', specialUse: '\\Sent' },
  { path: 'Drafts', specialUse: '\\Drafts' },
  { path: 'Trash', specialUse: '\\Trash' },
  { path: 'Junk', specialUse: '\\Junk' },
  { path: 'Archive', specialUse: '\\Archive' },
];

/** Messages moved per store call when INBOX is renamed, so one call never holds a huge UID list. */
const MOVE_BATCH = 500;

export class MailService {
  readonly #deps: MailServiceDeps;

  constructor(deps: MailServiceDeps) {
    this.#deps = deps;
  }

  get appendLimit(): number {
    return this.#deps.appendLimit;
  }

  /**
   * Creates whichever default mailboxes are missing. A default is skipped when its name is taken
   * or another mailbox already has its SPECIAL-USE (a user who filed into "Sent Items" keeps it).
   * Concurrent first logins race on create; the loser's ConflictError means the mailbox exists.
   */
  async ensureDefaults(owner: MailOwner): Promise<void> {
    const existing = await this.#deps.mail.listMailboxes(owner.userId);
    const paths = new Set(existing.map((b) => b.path));
    const uses = new Set(existing.map((b) => b.specialUse));
    for (const { path, specialUse } of DEFAULT_MAILBOXES) {
      if (paths.has(path) || (specialUse && uses.has(specialUse))) continue;
      await this.#create(owner, path, specialUse, true);
    }
  }

  /** The principal's mailboxes, INBOX first, then by name. */
  async listMailboxes(principal: Principal): Promise<MailboxRecord[]> {
    const boxes = await this.#deps.mail.listMailboxes(principal.userId);
    return boxes.filter((b) => b.tenantId === principal.tenantId).sort((a, b) => rank(a) - rank(b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** A mailbox by name, or null. */
  async getMailbox(principal: Principal, path: string): Promise<MailboxRecord | null> {
    return this.#find(principal, normalizePath(path));
  }

  /** A mailbox by id, or null: the id of another user's mailbox is never found. */
  async getMailboxById(principal: Principal, id: string): Promise<MailboxRecord | null> {
    const box = await this.#deps.mail.getMailboxById(principal.userId, id);
    return box && box.tenantId === principal.tenantId ? box : null;
  }

  /**
   * Creates a mailbox (unsubscribed, as IMAP CREATE does), and any missing mailboxes above it
   * (RFC 3501 §6.3.3 SHOULD), so that each level can be selected, renamed and deleted.
   */
  async createMailbox(principal: Principal, path: string): Promise<MailboxRecord> {
    const name = normalizePath(path);
    if (await this.#find(principal, name)) throw new MailError('alreadyExists', 'mailbox already exists');
    const box = await this.#create(principal, name, null, false);
    if (!box) throw new MailError('alreadyExists', 'mailbox already exists');
    await this.#ensureParents(principal, name);
    return box;
  }

  /**
   * Renames a mailbox and everything below it. INBOX follows RFC 3501 §6.3.5: its messages move to
   * the new mailbox and INBOX stays, empty, with its children where they were. Renaming onto INBOX
   * is refused (INBOX always exists).
   */
  async renameMailbox(principal: Principal, from: string, to: string): Promise<void> {
    const source = normalizePath(from);
    const target = normalizePath(to);
    if (target === INBOX) throw new MailError('alreadyExists', 'INBOX always exists');
    if (source === INBOX) return this.#renameInbox(principal, target);
    if (!(await this.#find(principal, source))) throw new MailError('nonexistent', 'mailbox does not exist');
    if (source === target || (await this.#find(principal, target))) throw new MailError('alreadyExists', 'a mailbox with the new name exists');
    try {
      await this.#deps.mail.renameMailbox(principal.userId, source, target);
    } catch (error) {
      throw mapped(error);
    }
    await this.#ensureParents(principal, target);
  }

  /**
   * Deletes one mailbox and its messages; INBOX cannot be deleted. Mailboxes below it are kept
   * (RFC 3501 §6.3.4: DELETE MUST NOT remove inferior names), and LIST then shows the deleted
   * name as a \Noselect parent, as the RFC describes; it can be created again. Returns what was deleted.
   */
  async deleteMailbox(principal: Principal, path: string): Promise<MailboxRecord> {
    const name = normalizePath(path);
    if (name === INBOX) throw new MailError('cannot', 'INBOX cannot be deleted');
    const box = await this.#find(principal, name);
    if (!box || !(await this.#deps.mail.deleteMailbox(principal.userId, box.id))) {
      throw new MailError('nonexistent', 'mailbox does not exist');
    }
    return box;
  }

  /**
   * Deprovisioning: deletes every mailbox of a user the directory has purged, with its messages;
   * their blobs are then unreferenced (collected by the blob store's sweep). Returns the count.
   */
  async purgeUser(userId: string): Promise<number> {
    const boxes = await this.#deps.mail.listMailboxes(userId);
    for (const box of boxes) await this.#deps.mail.deleteMailbox(userId, box.id);
    return boxes.length;
  }

  subscribe(principal: Principal, path: string): Promise<void> {
    return this.#setSubscribed(principal, path, true);
  }

  unsubscribe(principal: Principal, path: string): Promise<void> {
    return this.#setSubscribed(principal, path, false);
  }

  /**
   * Stores a message in the named mailbox: MailError 'tryCreate' when it does not exist, 'tooBig'
   * over the append limit, 'overQuota' over quota (then no message row is written; the blob may
   * stay as an orphan until collection), 'invalid' for bad flags, dates or an empty message.
   */
  async append(principal: Principal, path: string, source: MessageSource, options: AppendOptions = {}): Promise<AppendResult> {
    const box = await this.#find(principal, normalizePath(path));
    if (!box) throw new MailError('tryCreate', 'mailbox does not exist');
    return appendTo(this.#deps, principal, box, source, options);
  }

  /**
   * Local delivery (SMTP, LMTP, bounces) into the owner's INBOX, created with the other defaults
   * when the user has never logged in. The caller builds the owner from the directory user.
   */
  async deliver(owner: MailOwner, source: MessageSource, options: AppendOptions = {}): Promise<AppendResult> {
    let inbox = await this.#find(owner, INBOX);
    if (!inbox) {
      await this.ensureDefaults(owner);
      inbox = await this.#find(owner, INBOX);
      if (!inbox) throw new MailError('tryCreate', 'INBOX could not be created');
    }
    return appendTo(this.#deps, owner, inbox, source, options);
  }

  /** The principal's quota (bytes, null = none) from the directory, and the bytes their messages use. */
  async quota(principal: Principal): Promise<{ limit: number | null; used: number }> {
    const [limit, used] = await Promise.all([this.#deps.quota(principal), this.#deps.mail.usage(principal.userId)]);
    return { limit, used };
  }

  /**
   * COPY: the given UIDs of a mailbox the principal owns into the named mailbox, sharing blobs.
   * 'tryCreate' when the target does not exist, 'overQuota' when the copies would not fit.
   */
  async copyMessages(principal: Principal, fromId: string, uids: number[], toPath: string): Promise<CopyResult> {
    const [source, target] = await this.#pair(principal, fromId, toPath);
    const quota = await this.#deps.quota(principal);
    try {
      return { uidValidity: target.uidValidity, mappings: await this.#deps.mail.copyMessages(source.id, uids, target.id, quota) };
    } catch (error) {
      if (error instanceof OverQuotaError) throw new MailError('overQuota', 'mailbox quota exceeded', { cause: error });
      throw moveError(error);
    }
  }

  /** MOVE: as copyMessages, then the source rows are gone; usage is unchanged, so no quota check. */
  async moveMessages(principal: Principal, fromId: string, uids: number[], toPath: string): Promise<CopyResult> {
    const [source, target] = await this.#pair(principal, fromId, toPath);
    try {
      return { uidValidity: target.uidValidity, mappings: await this.#deps.mail.moveMessages(source.id, uids, target.id) };
    } catch (error) {
      throw moveError(error);
    }
  }

  /**
   * BODY[section]<partial> of one message as a stream of blob bytes, byte-exact as stored.
   * 'nonexistent' when the mailbox is not the principal's or has no such UID; a part the message
   * does not have gives zero bytes.
   */
  async openBody(principal: Principal, mailboxId: string, uid: number, section: BodySection = { part: '' }): Promise<BodyStream> {
    const box = await this.getMailboxById(principal, mailboxId);
    if (!box) throw new MailError('nonexistent', 'mailbox does not exist');
    const [message] = await this.#deps.mail.getMessages(box.id, [uid]);
    if (!message) throw new MailError('nonexistent', 'no message with that UID');
    return openSection(this.#deps, message, section);
  }

  async #pair(principal: Principal, fromId: string, toPath: string): Promise<[MailboxRecord, MailboxRecord]> {
    const source = await this.getMailboxById(principal, fromId);
    if (!source) throw new MailError('nonexistent', 'the selected mailbox no longer exists');
    const target = await this.#find(principal, normalizePath(toPath));
    if (!target) throw new MailError('tryCreate', 'the target mailbox does not exist');
    return [source, target];
  }

  async #find(owner: MailOwner, name: string): Promise<MailboxRecord | null> {
    const box = await this.#deps.mail.getMailbox(owner.userId, name);
    return box && box.tenantId === owner.tenantId ? box : null;
  }

  /** Creates the mailbox, or returns null when it exists already (another session's create won). */
  async #create(owner: MailOwner, path: string, specialUse: SpecialUse | null, subscribed: boolean): Promise<MailboxRecord | null> {
    try {
      return await this.#deps.mail.createMailbox({ userId: owner.userId, tenantId: owner.tenantId, path, specialUse, subscribed });
    } catch (error) {
      if (error instanceof ConflictError) return null;
      throw error;
    }
  }

  async #ensureParents(owner: MailOwner, path: string): Promise<void> {
    for (const parent of parentsOf(path)) {
      if (!(await this.#find(owner, parent))) await this.#create(owner, parent, null, false);
    }
  }

  async #renameInbox(principal: Principal, target: string): Promise<void> {
    const inbox = await this.#find(principal, INBOX);
    if (!inbox) throw new MailError('nonexistent', 'INBOX does not exist');
    if (await this.#find(principal, target)) throw new MailError('alreadyExists', 'a mailbox with the new name exists');
    const box = await this.#create(principal, target, null, false);
    if (!box) throw new MailError('alreadyExists', 'a mailbox with the new name exists');
    await this.#ensureParents(principal, target);
    // What is in INBOX now moves; mail delivered meanwhile stays in INBOX, as it would after.
    const { uids } = await this.#deps.mail.snapshot(inbox.id);
    for (let i = 0; i < uids.length; i += MOVE_BATCH) {
      await this.#deps.mail.moveMessages(inbox.id, uids.slice(i, i + MOVE_BATCH), box.id);
    }
  }

  async #setSubscribed(principal: Principal, path: string, subscribed: boolean): Promise<void> {
    const box = await this.#find(principal, normalizePath(path));
    if (!box) throw new MailError('nonexistent', 'mailbox does not exist');
    try {
      await this.#deps.mail.setSubscribed(principal.userId, box.id, subscribed);
    } catch (error) {
      throw mapped(error);
    }
  }
}

function rank(box: MailboxRecord): number {
  return box.path === INBOX ? 0 : 1;
}

/** Store errors that a concurrent session can cause, as the answers they mean. */
function mapped(error: unknown): unknown {
  if (error instanceof ConflictError) return new MailError('alreadyExists', 'a mailbox with that name exists', { cause: error });
  if (error instanceof MailboxNotFoundError) return new MailError('nonexistent', 'mailbox does not exist', { cause: error });
  return error;
}

/** A mailbox deleted by another session between the lookup and the copy. */
function moveError(error: unknown): unknown {
  if (error instanceof MailboxNotFoundError) return new MailError('tryCreate', 'the target mailbox does not exist', { cause: error });
  return error;
}
