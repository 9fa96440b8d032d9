/** The pure rules under MailService: names, flags, dates, sections. */
import { internalDateOf } from '../../src/mail/dates.ts';
import { directoryQuota, MailError, normalizeFlags, normalizePath } from '../../src/mail/index.ts';
import { parentsOf } from '../../src/mail/names.ts';
import { filterHeader, partialRange, sectionRange } from '../../src/mail/sections.ts';

describe('mail rules', () => {
  it('names: NFC, INBOX folded only as the first level, parents outermost first', () => {
    expect(normalizePath('inbox')).toBe('INBOX');
    expect(normalizePath('INBOX.old')).toBe('INBOX.old');
    expect(normalizePath('Inboxes')).toBe('Inboxes');
    expect(normalizePath('e\u0301')).toBe('\u00e9');
    expect(parentsOf('a/b/c')).toEqual(['a', 'a/b']);
    expect(parentsOf('a')).toEqual([]);
    expect(() => normalizePath('a//b')).toThrow(MailError);
  });

  it('flags: order kept, first spelling of a keyword kept', () => {
    expect(normalizeFlags(['Work', '\\draft', 'WORK', '\\recent', '\\Draft'])).toEqual(['Work', '\\Draft']);
    expect(normalizeFlags(['$Forwarded', 'Junk', 'NonJunk', '$MDNSent'])).toEqual(['$Forwarded', 'Junk', 'NonJunk', '$MDNSent']);
    expect(() => normalizeFlags(['x'.repeat(129)])).toThrow(MailError);
  });

  it('internal dates keep the zone they were given', () => {
    expect(internalDateOf(' 7-Jan-2024 09:05:00 +0100')).toBe('2024-01-07T09:05:00+01:00');
    expect(internalDateOf('2024-01-07T09:05:00Z')).toBe('2024-01-07T09:05:00Z');
    expect(internalDateOf(new Date(Date.UTC(2024, 0, 7)))).toBe('2024-01-07T00:00:00.000Z');
    for (const bad of ['yesterday', '7-Foo-2024 09:05:00 +0100', '29-Feb-2023 00:00:00 +0000', '1', new Date(NaN)]) {
      expect(() => internalDateOf(bad)).toThrow(MailError);
    }
    expect(internalDateOf('29-Feb-2024 00:00:00 +0000')).toBe('2024-02-29T00:00:00+00:00');
  });

  it('HEADER.FIELDS keeps folded lines with their field and ends with the blank line', () => {
    const header = Buffer.from('Subject: a\r\n long one\r\nX-Other: y\r\nsubject: again\r\nTo: z\r\n\r\n');
    expect(filterHeader(header, ['Subject'], false).toString()).toBe('Subject: a\r\n long one\r\nsubject: again\r\n\r\n');
    expect(filterHeader(header, ['subject', 'to'], true).toString()).toBe('X-Other: y\r\n\r\n');
    expect(filterHeader(header, ['missing'], false).toString()).toBe('\r\n');
    expect(filterHeader(Buffer.from('To: z'), ['to'], false).toString()).toBe('To: z\r\n\r\n');
  });

  it('sections and partials', () => {
    const parts = { '': { header: [0, 10] as [number, number], body: [10, 5] as [number, number] } };
    expect(sectionRange(parts, 15, { part: '' })).toEqual([0, 15]);
    expect(sectionRange(parts, 15, { part: '', text: 'TEXT' })).toEqual([10, 5]);
    expect(sectionRange(parts, 15, { part: '3' })).toBeNull();
    expect(() => sectionRange(parts, 15, { part: '1.x' })).toThrow(MailError);
    expect(() => sectionRange(parts, 15, { part: '', text: 'HEADER.FIELDS', fields: [] })).toThrow(MailError);
    expect(partialRange(15, { start: 5, length: 100 })).toEqual({ start: 5, length: 10 });
    expect(partialRange(15, { start: 20 })).toEqual({ start: 15, length: 0 });
    expect(() => partialRange(15, { start: -1 })).toThrow(MailError);
  });

  it('quota: the user\'s own, else the default; 0 means no limit', async () => {
    const users = { get: async (_t: string, id: string) => (id === 'own' ? { quotaBytes: 1000 } : id === 'zero' ? { quotaBytes: 0 } : id === 'unset' ? { quotaBytes: null } : null) };
    const quota = directoryQuota(users, 5000);
    expect(await quota({ tenantId: 't', userId: 'own' })).toBe(1000);
    expect(await quota({ tenantId: 't', userId: 'unset' })).toBe(5000);
    expect(await quota({ tenantId: 't', userId: 'zero' })).toBeNull();
    expect(await directoryQuota(users, 0)({ tenantId: 't', userId: 'unset' })).toBeNull();
  });
});
