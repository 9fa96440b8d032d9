import { ALL_FIXTURES, mailFixture } from '../../../test/fixtures/mail/fixtures.ts';
import { copyForResponse, indexMessage, metaFromJson, metaToJson, storeFields, toMeta } from './index.ts';
import type { ImapValue } from './types.ts';

describe('storing the index', () => {
  it.each(ALL_FIXTURES)('%s: metaToJson/metaFromJson round-trip through JSON text with Buffers intact', name => {
    const meta = toMeta(indexMessage(mailFixture(name)));
    const text = JSON.stringify(metaToJson(meta));
    expect(text).not.toContain('"type":"Buffer"');
    const back = metaFromJson(text);
    expect(back).toEqual(meta);
    expect(Buffer.isBuffer(back?.envelope[1])).toBe(true);
    // And from the parsed object, as a store returns it.
    expect(metaFromJson(JSON.parse(text))).toEqual(meta);
  });

  it('revives Buffers that went through plain JSON ({type:"Buffer",data})', () => {
    const meta = toMeta(indexMessage(mailFixture('encoded-subject')));
    const back = metaFromJson(JSON.parse(JSON.stringify(meta)));
    expect(back?.envelope[1]).toEqual(Buffer.from('Grüße aus München €'));
  });

  it('gives null for anything it did not write, so the caller re-indexes', () => {
    expect(metaFromJson(null)).toBeNull();
    expect(metaFromJson('not json')).toBeNull();
    expect(metaFromJson({ v: 2 })).toBeNull();
    expect(metaFromJson({ v: 1, envelope: [], bodystructure: [], body: [], parts: { '': { header: [0], body: [0, 0] } } })).toBeNull();
    expect(metaFromJson({ v: 1, envelope: [{ x: 1 }], bodystructure: [], body: [], parts: {} })).toBeNull();
  });

  it('storeFields fills NewMessage.meta and NewMessage.search', () => {
    const ix = indexMessage(mailFixture('plain'));
    const { meta, search } = storeFields(ix);
    expect(metaFromJson(meta)).toEqual(toMeta(ix));
    expect(search.headers.subject).toBe('Quarterly report');
    expect(search.body).toContain('quarterly numbers');
  });
});

describe('copyForResponse', () => {
  it('copies every array level and shares the Buffers', () => {
    const { bodystructure, envelope } = indexMessage(mailFixture('rfc822-attached'));
    const copy = copyForResponse(bodystructure);
    expect(copy).toEqual(bodystructure);
    const walk = (a: ImapValue, b: ImapValue): void => {
      if (Array.isArray(a) && Array.isArray(b)) {
        expect(a).not.toBe(b);
        a.forEach((x, i) => walk(x, b[i] as ImapValue));
      } else expect(a).toBe(b);
    };
    walk(bodystructure, copy);
    // Mutating the copy, as getQueryResponse does, leaves the stored value alone.
    const env = copyForResponse(envelope);
    env[1] = 'changed';
    expect(Buffer.isBuffer(envelope[1])).toBe(true);
  });
});
