/** ENVELOPE and BODYSTRUCTURE repairs found by the Dovecot differential test (test/imap/dovecot-diff.test.ts). */
import { indexMessage } from './index.ts';
import { crlf } from './test-helpers.ts';

const str = (v: unknown): unknown => (Buffer.isBuffer(v) ? v.toString() : v);
const addresses = (v: unknown): unknown => (Array.isArray(v) ? v.map((a) => (Array.isArray(a) ? a.map(str) : a)) : v);

describe('ENVELOPE repairs', () => {
  it('an absent Subject is NIL, an empty one is ""', () => {
    expect(indexMessage(crlf('From: a@b.c\n\nx\n')).envelope[1]).toBeNull();
    expect(str(indexMessage(crlf('Subject:\nFrom: a@b.c\n\nx\n')).envelope[1])).toBe('');
  });

  it('a broken address gets placeholders instead of a NIL host that reads as group syntax', () => {
    const { envelope } = indexMessage(crlf('From: localonly\nTo: @nohost, bare@, "Only Name"\n\nx\n'));
    expect(addresses(envelope[2])).toEqual([[null, null, 'localonly', 'MISSING_DOMAIN']]);
    expect(addresses(envelope[5])).toEqual([
      [null, null, 'MISSING_MAILBOX', 'nohost'],
      [null, null, 'bare', 'MISSING_DOMAIN'],
      ['Only Name', null, 'MISSING_MAILBOX', 'MISSING_DOMAIN'],
    ]);
  });

  it('real groups keep their start and end markers', () => {
    const { envelope } = indexMessage(crlf('To: team: bob@example.org;, undisclosed-recipients:;\n\nx\n'));
    expect(addresses(envelope[5])).toEqual([
      [null, null, 'team', null], [null, null, 'bob', 'example.org'], [null, null, null, null],
      [null, null, 'undisclosed-recipients', null], [null, null, null, null],
    ]);
  });

  it('a subject with an undecodable encoded word is kept as written', () => {
    const raw = '=?x-unknown?Q?caf=E9?= and =?UTF-8?B?not base64!?=';
    expect(str(indexMessage(crlf(`Subject: ${raw}\n\nx\n`)).envelope[1])).toBe(raw);
    expect(str(indexMessage(crlf('Subject: =?ISO-8859-1?Q?caf=E9?=\n\nx\n')).envelope[1])).toBe('café');
  });

  it('encapsulated messages get the same repairs', () => {
    const raw = crlf('Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\nFrom: bare@\n\ninner\n--b--\n');
    const part = (indexMessage(raw).bodystructure as unknown[])[0] as unknown[];
    const env = part[7] as unknown[];
    expect(env[1]).toBeNull();
    expect(addresses(env[2])).toEqual([[null, null, 'bare', 'MISSING_DOMAIN']]);
  });
});

describe('BODYSTRUCTURE repairs', () => {
  it('an encoded message/rfc822 still has the envelope, body and line count RFC 3501 requires', () => {
    const inner = Buffer.from('Subject: hidden\r\n\r\nbody\r\n').toString('base64');
    const raw = crlf(`Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n${inner}\n--b--\n`);
    const part = (indexMessage(raw).bodystructure as unknown[])[0] as unknown[];
    expect(part.slice(0, 2)).toEqual(['MESSAGE', 'RFC822']);
    expect(Array.isArray(part[7])).toBe(true);
    expect(Array.isArray(part[8])).toBe(true);
    expect(typeof part[9]).toBe('number');
  });

  it.each(['text', 'this is not a type at all', 'text/'])('an invalid Content-Type (%s) is text/plain (RFC 2045 §5.2)', (ct) => {
    expect((indexMessage(crlf(`Content-Type: ${ct}\n\nx\n`)).bodystructure as unknown[]).slice(0, 2)).toEqual(['TEXT', 'PLAIN']);
  });

  it('a parameter without a name is dropped', () => {
    const params = (indexMessage(crlf('Content-Type: text/plain; charset=utf-8; =novalue\n\nx\n')).bodystructure as unknown[])[2];
    expect((params as unknown[]).map(str)).toEqual(['CHARSET', 'utf-8']);
  });
});
