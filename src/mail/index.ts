/** The mail domain: what fronts import. MIME indexing lives in ./mime/. */
export { MailService, DEFAULT_MAILBOXES } from './service.ts';
export { MailError } from './errors.ts';
export type { MailErrorCode } from './errors.ts';
export { directoryQuota } from './quota.ts';
export { normalizePath, INBOX, DELIMITER } from './names.ts';
export { normalizeFlags } from './flags.ts';
export type { BodySection, SectionText } from './sections.ts';
export type { AppendOptions, AppendResult, BodyStream, CopyResult, MailOwner, MailServiceDeps, MessageSource } from './types.ts';
