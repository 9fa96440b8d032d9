import { mailFixture } from '../../../test/fixtures/mail/fixtures.ts';
import { indexMessage, metaFromJson, metaToJson, toMeta } from './index.ts';
import { bytes, crlf } from './test-helpers.ts';

const BROKEN: Array<[string, Buffer]> = [
  ['empty message', Buffer.alloc(0)],
  ['only headers, no blank line', crlf('Subject: only headers\nFrom: a@b')],
  ['only headers, ends in a blank line', crlf('Subject: x\n\n')],
  ['no headers at all', crlf('\njust a body\n')],
  ['truncated in a folded header', Buffer.from('Subject: start\r\n  and the')],
  ['multipart without boundary', crlf('Content-Type: multipart/mixed\n\n--x\nhello\n--x--\n')],
  ['NUL bytes and 8-bit garbage', Buffer.from('Subject: a\x00b\xff\r\nFrom: \xfe\r\n\r\n\x00\x01\x02\xff\xfe text', 'latin1')],
  ['bad base64 text', crlf('Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n%%%% ====\n')],
  ['unknown charset', crlf('Subject: =?x-unknown?Q?abc?=\nContent-Type: text/plain; charset=x-unknown\n\nhello\n')],
  ['lone CRs', Buffer.from('Subject: cr\r\rbody\r')],
  ['binary noise', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff))],
  ['garbage fixture', mailFixture('garbage')],
];

describe('malformed messages still get a usable index', () => {
  it.each(BROKEN)('%s', (_name, raw) => {
    const ix = indexMessage(raw);
    expect(ix.envelope).toHaveLength(10);
    expect(Array.isArray(ix.bodystructure)).toBe(true);
    const root = ix.parts[''];
    expect(root).toBeDefined();
    expect(root?.header[0]).toBe(0);
    expect((root?.body[0] ?? -1) + (root?.body[1] ?? -1)).toBe(raw.length);
    expect(ix.parts['1']).toBeDefined();
    // The stored form survives JSON.
    const back = metaFromJson(JSON.parse(JSON.stringify(metaToJson(toMeta(ix)))));
    expect(back).toEqual(toMeta(ix));
  });

  it('a message that is only headers has an empty body at its end', () => {
    const raw = crlf('Subject: only headers\nFrom: a@b');
    const { parts, headers } = indexMessage(raw);
    expect(parts['']).toEqual({ header: [0, raw.length], body: [raw.length, 0] });
    expect(headers.subject).toBe('only headers');
  });

  it('a multipart without a boundary is one text part holding the whole body', () => {
    const raw = crlf('Content-Type: multipart/mixed\n\n--x\nhello\n--x--\n');
    const ix = indexMessage(raw);
    expect(ix.bodystructure.slice(0, 2)).toEqual(['TEXT', 'PLAIN']);
    expect(bytes(raw, ix.parts['1']?.body)).toBe('--x\r\nhello\r\n--x--\r\n');
    expect(ix.bodyText).toBe('--x hello --x--');
  });

  it('control characters never reach the ENVELOPE as raw bytes', () => {
    const raw = Buffer.from('Subject: =?UTF-8?Q?a=0D=0Ab=00c?=\r\nMessage-ID: <\x01x@y>\r\n\r\n', 'latin1');
    const { envelope } = indexMessage(raw);
    expect(envelope[1]).toEqual(Buffer.from('a  b c'));
    expect(envelope[9]).toBe('< x@y>');
  });

  it('a repeated Date header gives ENVELOPE one date, the last (as Dovecot, and as imap-core for Subject)', () => {
    const { envelope, sentDate } = indexMessage(crlf('Date: Tue, 2 Jan 2024 10:00:00 +0000\nDate: Wed, 3 Jan 2024 10:00:00 +0000\n\nx\n'));
    expect(envelope[0]).toBe('Wed, 3 Jan 2024 10:00:00 +0000');
    expect(sentDate).toBe('2024-01-03T10:00:00+00:00');
  });

  it('a missing inner close delimiter ends at the outer delimiter', () => {
    const raw = crlf('Content-Type: multipart/mixed; boundary=out\n\n--out\nContent-Type: multipart/alternative; boundary=in\n\n--in\n\ninner\n--out\n\nsecond\n--out--\n');
    const { parts } = indexMessage(raw);
    expect(bytes(raw, parts['1.1']?.body)).toBe('inner');
    expect(bytes(raw, parts['2']?.body)).toBe('second');
  });

  it('delimiters with transport padding and a digest with default message/rfc822 parts', () => {
    const raw = crlf('Content-Type: multipart/digest; boundary="d"\n\n--d  \n\nSubject: one\n\nfirst\n--d\t\n\nSubject: two\n\nsecond\n--d-- \n');
    const ix = indexMessage(raw);
    expect(ix.bodystructure[0]).toEqual(expect.arrayContaining(['MESSAGE', 'RFC822']));
    expect(bytes(raw, ix.parts['1']?.message?.header)).toBe('Subject: one\r\n\r\n');
    expect(bytes(raw, ix.parts['2.1']?.body)).toBe('second');
  });

  it('a message with very many parts keeps every byte reachable', () => {
    const raw = crlf(`Content-Type: multipart/mixed; boundary=b\n\n${'--b\n\nx\n'.repeat(6000)}--b--\n`);
    const { parts } = indexMessage(raw);
    const count = Object.keys(parts).length;
    expect(count).toBeLessThanOrEqual(5002);
    expect(bytes(raw, parts['5000']?.body).endsWith('--b--\r\n')).toBe(true);
  });

  it('indexes a 15 MB base64 attachment (the speed is measured in bench, not here)', () => {
    const b64 = Buffer.alloc(15 * 1024 * 1024, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
    const raw = Buffer.from(`Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhi\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--b--\r\n`);
    const ix = indexMessage(raw);
    expect(ix.parts['2']?.body[1]).toBe(b64.length);
  });

  it('indexes a large message that is all header (no blank line)', () => {
    const raw = Buffer.from(`Subject: x\r\n${' folded continuation line\r\n'.repeat(400_000)}`);
    const ix = indexMessage(raw);
    expect(ix.parts['']).toEqual({ header: [0, raw.length], body: [raw.length, 0] });
    expect(ix.headers.subject?.length).toBe(64 * 1024);
  });
});
