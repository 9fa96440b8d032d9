/**
 * The stored arrays, after a trip through JSON, printed by imap-core itself: getQueryResponse (as
 * the IMAP front calls it) and the IMAP compiler. Guards against the Buffer pitfalls of
 * docs/notes/imap-core.md §4/§6.3 (Buffers lost in JSON print as nothing; strings are 'binary').
 */
import { createRequire } from 'node:module';
import { mailFixture } from '../../../test/fixtures/mail/fixtures.ts';
import { copyForResponse, indexMessage, metaFromJson, metaToJson, toMeta } from './index.ts';
import type { ImapValue } from './types.ts';
import './vendor.ts'; // sets DISABLE_WILD_CONFIG before imap-core loads

const require = createRequire(import.meta.url);
const tools = require('@zone-eu/wildduck/imap-core/lib/imap-tools.js') as {
  getQueryResponse(query: Array<{ item: string }>, message: Record<string, unknown>, options: { acceptUTF8Enabled: boolean }): ImapValue[];
};
const { compiler } = require('@zone-eu/wildduck/imap-core/lib/handler/imap-handler.js') as {
  compiler(response: unknown): string;
};

function fetchLine(name: 'encoded-subject' | 'rfc822-attached' | 'mixed-attachment', utf8: boolean): string {
  const meta = metaFromJson(JSON.parse(JSON.stringify(metaToJson(toMeta(indexMessage(mailFixture(name)))))));
  if (!meta) throw new Error('meta did not round-trip');
  const query = [{ item: 'envelope' }, { item: 'bodystructure' }];
  const message = { envelope: copyForResponse(meta.envelope), bodystructure: copyForResponse(meta.bodystructure) };
  const values = tools.getQueryResponse(query, message, { acceptUTF8Enabled: utf8 });
  const attributes = [{ type: 'ATOM', value: 'ENVELOPE' }, values[0], { type: 'ATOM', value: 'BODYSTRUCTURE' }, values[1]];
  return Buffer.from(compiler({ tag: '*', command: '1', attributes: [{ type: 'atom', value: 'FETCH' }, attributes] }), 'binary').toString();
}

describe('printed by imap-core', () => {
  it('encodes the UTF-8 subject as an encoded-word without UTF8=ACCEPT, raw with it', () => {
    const plain = fetchLine('encoded-subject', false);
    expect(plain).toMatch(/^\* 1 FETCH \(ENVELOPE \("Thu, 4 Jan 2024 12:00:00 \+0100 \(CET\)" "=\?UTF-8\?[QB]\?/);
    expect(plain).not.toMatch(/[^\x20-\x7e]/);
    expect(fetchLine('encoded-subject', true)).toContain('"Grüße aus München €"');
  });

  it('prints an attached message with its envelope and structure, and decoded parameters', () => {
    const line = fetchLine('rfc822-attached', true);
    expect(line).toContain('("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 370 ("Mon, 8 Jan 2024 09:00:00 +0000" "Original" (("Zoë" NIL "zoe" "example.com"))');
    expect(fetchLine('mixed-attachment', true)).toContain('("ATTACHMENT" ("FILENAME" "Rechnung März.pdf"))');
  });
});
