/**
 * Message bytes in and out: APPEND/delivery (blob first, then the row that points at it, with the
 * quota checked inside the store's write) and BODY[…] sections as ranges of the stored blob.
 */
import { Readable } from 'node:stream';
import type { BlobInfo } from '../store/ports/blob.ts';
import { BlobTooLargeError } from '../store/ports/blob.ts';
import type { MailboxRecord, MessageRecord } from '../store/ports/mail.ts';
import { MailboxNotFoundError, OverQuotaError } from '../store/ports/mail.ts';
import { blobRange, chunksOf, readBlob } from './bytes.ts';
import { internalDateOf } from './dates.ts';
import { MailError } from './errors.ts';
import { normalizeFlags } from './flags.ts';
import type { MimeMeta } from './mime/index.ts';
import { indexMessage, metaFromJson, storeFields, toMeta } from './mime/index.ts';
import type { BodySection } from './sections.ts';
import { filterHeader, partialRange, sectionRange } from './sections.ts';
import type { AppendOptions, AppendResult, BodyStream, MailOwner, MailServiceDeps, MessageSource } from './types.ts';

const tooBig = (limit: number) => new MailError('tooBig', `message exceeds the size limit of ${limit} bytes`);
const overQuota = () => new MailError('overQuota', 'mailbox quota exceeded');

/**
 * Appends to a mailbox the caller has already checked belongs to `owner`. When this throws before
 * reading `source` (bad flags, over quota), the source is left unconsumed for the caller to drop.
 */
export async function appendTo(deps: MailServiceDeps, owner: MailOwner, box: MailboxRecord, source: MessageSource, options: AppendOptions): Promise<AppendResult> {
  const limit = deps.appendLimit;
  const flags = normalizeFlags(options.flags ?? []);
  const internalDate = internalDateOf(options.internalDate);
  const known = Buffer.isBuffer(source) ? source.length : null;
  if (known === 0) throw new MailError('invalid', 'the message is empty');
  if (known !== null && known > limit) throw tooBig(limit);
  const quota = await deps.quota(owner);
  // A cheap early refusal, so a full mailbox does not take in 50 MB first; the store checks again
  // inside its write, which is what makes it exact under concurrent appends.
  if (quota !== null && (await deps.mail.usage(owner.userId)) + (known ?? 1) > quota) throw overQuota();

  let blob: BlobInfo;
  try {
    blob = await deps.blobs.put(Buffer.isBuffer(source) ? chunksOf(source) : source, { maxBytes: limit });
  } catch (error) {
    if (error instanceof BlobTooLargeError) throw tooBig(limit);
    throw error;
  }
  if (blob.size === 0) throw new MailError('invalid', 'the message is empty');
  // Indexed from memory once: the stream went to the blob store, so it is read back (bounded by the
  // limit above) rather than held while it was arriving. The index keeps no reference to `raw`.
  const raw = Buffer.isBuffer(source) ? source : await readBlob(deps.blobs, blob.hash, 0, blob.size);
  const { meta, search } = storeFields(indexMessage(raw));
  try {
    const { uid, uidValidity, modseq } = await deps.mail.appendMessage(box.id, { blob: blob.hash, size: blob.size, internalDate, flags, meta, search }, quota);
    return { mailboxId: box.id, uid, uidValidity, modseq, size: blob.size };
  } catch (error) {
    // The blob stays as an orphan until collection (docs/ARCHITECTURE.md: never a row without bytes).
    if (error instanceof OverQuotaError) throw overQuota();
    if (error instanceof MailboxNotFoundError) throw new MailError('tryCreate', 'the mailbox does not exist', { cause: error });
    throw error;
  }
}

/** A message's part map, re-indexed from the blob when its meta is of a format this version does not read. */
async function metaOf(deps: MailServiceDeps, message: MessageRecord): Promise<MimeMeta> {
  const meta = metaFromJson(message.meta);
  if (meta) return meta;
  return toMeta(indexMessage(await readBlob(deps.blobs, message.blob, 0, message.size)));
}

/** BODY[section]<partial> of a message the caller has already checked belongs to the principal. */
export async function openSection(deps: MailServiceDeps, message: MessageRecord, section: BodySection): Promise<BodyStream> {
  const { parts } = await metaOf(deps, message);
  const range = sectionRange(parts, message.size, section);
  if (section.text === 'HEADER.FIELDS' || section.text === 'HEADER.FIELDS.NOT') {
    // A header block is small and must be filtered line by line, so it is read whole.
    const header = range ? await readBlob(deps.blobs, message.blob, range[0], range[1]) : null;
    const subset = header ? filterHeader(header, section.fields ?? [], section.text === 'HEADER.FIELDS.NOT') : Buffer.alloc(0);
    const { start, length } = partialRange(subset.length, section.partial);
    return { stream: Readable.from([subset.subarray(start, start + length)]), totalLength: subset.length, start, length };
  }
  const [offset, total] = range ?? [0, 0];
  const { start, length } = partialRange(total, section.partial);
  return { stream: blobRange(deps.blobs, message.blob, offset + start, length), totalLength: total, start, length };
}
