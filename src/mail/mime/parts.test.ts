import { ALL_FIXTURES, mailFixture } from '../../../test/fixtures/mail/fixtures.ts';
import { indexMessage } from './index.ts';
import { bytes, structureAt } from './test-helpers.ts';
import type { ImapValue } from './types.ts';

/** The text after a header block's blank line up to `until` (exclusive). */
function between(text: string, from: string, until: string): string {
  const start = text.indexOf(from);
  const end = text.indexOf(until, start + from.length);
  if (start < 0 || end < 0) throw new Error(`markers not found: ${from} / ${until}`);
  return text.slice(start + from.length, end);
}

describe('part map: byte ranges of the original message', () => {
  it('plain: HEADER ends with the blank line, TEXT is the rest, part 1 is the body', () => {
    const raw = mailFixture('plain');
    const text = raw.toString('latin1');
    const { parts } = indexMessage(raw);
    const split = text.indexOf('\r\n\r\n') + 4;
    expect(bytes(raw, parts['']?.header)).toBe(text.slice(0, split));
    expect(bytes(raw, parts['']?.body)).toBe(text.slice(split));
    expect(parts['1']).toEqual(parts['']);
    expect(Object.keys(parts).sort()).toEqual(['', '1']);
  });

  it('alternative: BODY[n] stops before the CRLF that precedes the next delimiter', () => {
    const raw = mailFixture('alternative');
    const { parts } = indexMessage(raw);
    expect(bytes(raw, parts['1']?.header)).toBe('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n');
    expect(bytes(raw, parts['1']?.body)).toBe('Plain newsletter text.');
    expect(bytes(raw, parts['2']?.body)).toBe(between(raw.toString('latin1'), 'quoted-printable\r\n\r\n', '\r\n--alt-1--'));
    expect(bytes(raw, parts['2']?.body)).toMatch(/^<html>.*<\/html>$/s);
    expect(Object.keys(parts).sort()).toEqual(['', '1', '2']);
  });

  it('mixed-attachment: the base64 part is its encoded lines, byte for byte', () => {
    const raw = mailFixture('mixed-attachment');
    const { parts } = indexMessage(raw);
    expect(bytes(raw, parts['1']?.body)).toBe('Please find the invoice attached.');
    const b64 = bytes(raw, parts['2']?.body);
    expect(b64).toBe(between(raw.toString('latin1'), 'Content-Description: Invoice\r\n\r\n', '\r\n------=_mixed_01--'));
    const expected = Buffer.alloc(300);
    for (let i = 0; i < expected.length; i++) expected[i] = (i * 37 + 11) & 0xff;
    expect(Buffer.from(b64, 'base64')).toEqual(expected);
    expect(bytes(raw, parts['2']?.header)).toMatch(/^Content-Type: application\/pdf;.*Content-Description: Invoice\r\n\r\n$/s);
  });

  it('nested: a multipart part is its whole body, preamble and epilogue stay in the parent', () => {
    const raw = mailFixture('nested');
    const text = raw.toString('latin1');
    const { parts } = indexMessage(raw);
    expect(bytes(raw, parts['']?.body)).toBe(text.slice(text.indexOf('This is the preamble.')));
    expect(bytes(raw, parts['1']?.header)).toBe('Content-Type: multipart/alternative; boundary="inner"\r\n\r\n');
    expect(bytes(raw, parts['1']?.body)).toBe(between(text, 'boundary="inner"\r\n\r\n', '\r\n--outer\r\n'));
    expect(bytes(raw, parts['1']?.body)).toMatch(/^--inner\r\n.*--inner--\r\ninner epilogue$/s);
    expect(bytes(raw, parts['1.1']?.header)).toBe('Content-Type: text/plain\r\n\r\n');
    expect(bytes(raw, parts['1.1']?.body)).toBe('nested plain words');
    expect(bytes(raw, parts['1.2']?.body)).toBe('<div>nested html words</div>');
    expect(bytes(raw, parts['2']?.body)).toBe('iVBORw0KGgo=');
    expect(Object.keys(parts).sort()).toEqual(['', '1', '1.1', '1.2', '2']);
  });

  it('rfc822-attached: n is the whole message, n.HEADER/n.TEXT its parts, n.1… its body parts', () => {
    const raw = mailFixture('rfc822-attached');
    const text = raw.toString('latin1');
    const { parts } = indexMessage(raw);
    const inner = between(text, 'Content-Disposition: attachment\r\n\r\n', '\r\n--fwd\r\n');
    expect(bytes(raw, parts['2']?.header)).toBe('Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n');
    expect(bytes(raw, parts['2']?.body)).toBe(inner);
    const innerSplit = inner.indexOf('\r\n\r\n') + 4;
    expect(bytes(raw, parts['2']?.message?.header)).toBe(inner.slice(0, innerSplit));
    expect(bytes(raw, parts['2']?.message?.body)).toBe(inner.slice(innerSplit));
    expect(bytes(raw, parts['2.1']?.body)).toBe('inner plain text');
    expect(bytes(raw, parts['2.2']?.body)).toBe('<p>inner html text</p>');
    expect(bytes(raw, parts['3']?.body)).toBe('Trailing note.');
    expect(parts['1']?.message).toBeUndefined();
  });

  it('missing final boundary: the last part runs to the end of the message', () => {
    const raw = mailFixture('missing-final-boundary');
    const { parts } = indexMessage(raw);
    expect(bytes(raw, parts['1']?.body)).toBe('first part');
    expect(bytes(raw, parts['2']?.body)).toBe('second part runs to the end\r\nand has no close delimiter\r\n');
  });

  it('lf-only: ranges are in the original LF bytes', () => {
    const raw = mailFixture('lf-only');
    const { parts } = indexMessage(raw);
    expect(bytes(raw, parts['']?.header)).toMatch(/boundary="lfb"\n\n$/);
    expect(bytes(raw, parts['1']?.header)).toBe('Content-Type: text/plain; charset=utf-8\n\n');
    expect(bytes(raw, parts['1']?.body)).toBe('first part\ntwo lines');
    expect(bytes(raw, parts['2']?.body)).toBe('<p>second &amp; part</p>');
  });

  it.each(ALL_FIXTURES)('%s: ranges tile the message and agree with BODYSTRUCTURE sizes and lines', name => {
    const raw = mailFixture(name);
    const ix = indexMessage(raw);
    for (const [path, loc] of Object.entries(ix.parts)) {
      // Header and body are adjacent and inside the message.
      expect(loc.header[0] + loc.header[1]).toBe(loc.body[0]);
      expect(loc.body[0] + loc.body[1]).toBeLessThanOrEqual(raw.length);
      if (path === '') {
        expect(loc.header[0]).toBe(0);
        expect(loc.body[0] + loc.body[1]).toBe(raw.length);
        continue;
      }
      const node = structureAt(ix.bodystructure, path) as ImapValue[];
      expect(node).toBeDefined();
      if (Array.isArray(node[0])) continue; // multipart: no size field
      // The size a client is told is the length of the literal BODY[path] will send.
      expect(node[6]).toBe(loc.body[1]);
      const lines = bytes(raw, loc.body).split('\n').length - 1;
      if (node[0] === 'TEXT') expect(node[7]).toBe(lines);
      if (node[0] === 'MESSAGE' && node[1] === 'RFC822') expect(node[9]).toBe(lines);
    }
  });
});
