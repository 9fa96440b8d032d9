import { mailFixture } from '../../../test/fixtures/mail/fixtures.ts';
import { parseSentDate } from './headers.ts';
import { indexMessage } from './index.ts';
import { crlf } from './test-helpers.ts';
import { decodeQuotedPrintable, htmlToText } from './text.ts';

describe('decoded headers for SEARCH', () => {
  it('decodes RFC 2047 B and Q words, folded lines and other charsets', () => {
    const { headers, envelope } = indexMessage(mailFixture('encoded-subject'));
    expect(headers.subject).toBe('Grüße aus München €');
    expect(headers.from).toBe('Jürgen Müller <juergen@example.de>');
    expect(headers.to).toBe('日本語 <nihongo@example.jp>');
    expect(headers['x-comment']).toBe('café ok');
    expect(envelope[1]).toEqual(Buffer.from('Grüße aus München €'));
  });

  it('keeps every header by lower-cased name, repeated ones joined', () => {
    const raw = crlf('Received: a\nreceived: b\nX-Custom-Thing: Value\nReferences: <a@x>\n <b@x>\n\nbody\n');
    const { headers } = indexMessage(raw);
    expect(headers.received).toBe('a\nb');
    expect(headers['x-custom-thing']).toBe('Value');
    expect(headers.references).toBe('<a@x> <b@x>');
  });

  it('has the standard fields of a plain message', () => {
    const { headers } = indexMessage(mailFixture('plain'));
    expect(headers).toMatchObject({
      from: 'Alice Example <alice@example.com>',
      to: 'Bob <bob@example.org>, carol@example.net',
      cc: 'dave@example.net',
      subject: 'Quarterly report',
      'message-id': '<plain.1@example.com>',
      'in-reply-to': '<earlier.0@example.org>',
      references: '<start@example.org> <earlier.0@example.org>',
      'x-priority': '3',
    });
  });

  it('takes raw 8-bit headers as UTF-8, or as Latin-1 when they are not UTF-8', () => {
    const raw = Buffer.concat([Buffer.from('Subject: '), Buffer.from('Grüße', 'utf8'), Buffer.from('\r\nX-Old: caf\xe9\r\n\r\n', 'latin1')]);
    const { headers, envelope } = indexMessage(raw);
    expect(headers.subject).toBe('Grüße');
    expect(headers['x-old']).toBe('café');
    expect(envelope[1]).toEqual(Buffer.from('Grüße'));
  });
});

describe('sent date', () => {
  it.each([
    ['Tue, 2 Jan 2024 10:00:00 +0100', '2024-01-02T10:00:00+01:00'],
    ['Thu, 4 Jan 2024 12:00:00 +0100 (CET)', '2024-01-04T12:00:00+01:00'],
    ['2 Jan 24 23:59 EST', '2024-01-02T23:59:00-05:00'],
    ['Mon, 31 Dec 1999 23:59:60 GMT', '1999-12-31T23:59:59+00:00'],
    ['2024-03-04T05:06:07Z', '2024-03-04T05:06:07Z'],
    ['not a date', null],
    ['31 Feb 2024 10:00:00 +0000', null],
    [undefined, null],
  ])('%s → %s', (input, expected) => {
    expect(parseSentDate(input)).toBe(expected);
  });

  it('comes from the Date header of the message', () => {
    expect(indexMessage(mailFixture('lf-only')).sentDate).toBe('2024-01-03T08:30:00-05:00');
    expect(indexMessage(mailFixture('garbage')).sentDate).toBeNull();
  });
});

describe('body text for SEARCH BODY', () => {
  it('decodes quoted-printable ISO-8859-1', () => {
    expect(indexMessage(mailFixture('latin1-qp')).bodyText).toBe('Voilà la facture pour le café crème brûlée, une très longue ligne coupée.');
  });

  it('takes text/plain and text/html, without tags, scripts or styles', () => {
    const text = indexMessage(mailFixture('alternative')).bodyText;
    expect(text).toContain('Plain newsletter text.');
    expect(text).toContain('HTML newsletter text & more');
    expect(text).not.toMatch(/<|color|hidden/);
  });

  it('reads text inside nested multiparts and attached messages, not attachments', () => {
    expect(indexMessage(mailFixture('nested')).bodyText).toBe('nested plain words\nnested html words');
    const fwd = indexMessage(mailFixture('rfc822-attached')).bodyText;
    expect(fwd.split('\n')).toEqual(['See the forwarded message.', 'inner plain text', 'inner html text', 'Trailing note.']);
    expect(indexMessage(mailFixture('mixed-attachment')).bodyText).toBe('Please find the invoice attached.');
  });

  it('decodes base64 text in a named charset', () => {
    const body = Buffer.from('Привет, мир', 'utf8').toString('base64');
    const raw = crlf(`Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n${body}\n`);
    expect(indexMessage(raw).bodyText).toBe('Привет, мир');
    const koi8 = Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]).toString('base64'); // "Привет" in KOI8-R
    expect(indexMessage(crlf(`Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: base64\n\n${koi8}\n`)).bodyText).toBe('Привет');
  });

  it('is capped', () => {
    const raw = crlf(`Subject: big\n\n${'word '.repeat(300_000)}\n`);
    expect(indexMessage(raw).bodyText.length).toBe(1024 * 1024);
  });

  it('decodes quoted-printable leniently', () => {
    expect(decodeQuotedPrintable(Buffer.from('a=3Db=\r\nc= \nd=ZZ=4')).toString('latin1')).toBe('a=bcd=ZZ=4');
  });

  it('reduces HTML to text in one pass', () => {
    expect(htmlToText('<p>a&nbsp;&lt;b&gt; &#233;&#x20AC;</p><!-- x --><style>p{}</style>c<script>d')).toBe(' a <b> é€   c ');
  });
});
