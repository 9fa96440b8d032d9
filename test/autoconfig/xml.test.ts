/** The XML reader and writer behind the set-up endpoints: namespaces, escaping, and refusal of anything risky. */
import { childElements, DEFAULT_LIMITS, parseXml, textOf, XmlError } from '../../src/xml/parse.ts';
import { escapeXml, leaf, node, renderXml } from '../../src/autoconfig/xml-write.ts';
import { expectWellFormed } from './xmllint.ts';

const refuse = (text: string, message?: RegExp) => expect(() => parseXml(text)).toThrow(message ?? XmlError);

describe('parseXml: namespaces', () => {
  test('a default namespace is inherited by children; a prefix resolves to its URI', () => {
    const root = parseXml('<a xmlns="urn:one" xmlns:p="urn:two"><b><p:c q="1" p:r="2"/></b></a>');
    expect({ ns: root.ns, name: root.name }).toEqual({ ns: 'urn:one', name: 'a' });
    const [b] = childElements(root);
    expect(b?.ns).toBe('urn:one');
    const [c] = childElements(b!);
    expect({ ns: c?.ns, name: c?.name }).toEqual({ ns: 'urn:two', name: 'c' });
    // Unprefixed attributes are in no namespace; declarations are not attributes.
    expect(c?.attributes).toEqual([{ ns: '', name: 'q', value: '1' }, { ns: 'urn:two', name: 'r', value: '2' }]);
  });

  test('the same element under another prefix is the same element', () => {
    const a = parseXml('<x:Req xmlns:x="urn:r"><x:Mail>m</x:Mail></x:Req>');
    const b = parseXml('<Req xmlns="urn:r"><Mail>m</Mail></Req>');
    expect(a).toEqual(b);
  });

  test('xmlns="" takes children out of the default namespace', () => {
    const root = parseXml('<a xmlns="urn:one"><b xmlns=""/></a>');
    expect(childElements(root)[0]?.ns).toBe('');
  });

  test('undeclared prefixes, reserved bindings and duplicate expanded attribute names are refused', () => {
    refuse('<p:a/>');
    refuse('<a xmlns:xmlns="urn:x"/>');
    refuse('<a xmlns:p=""/>');
    refuse('<a xmlns:p="urn:x" xmlns:q="urn:x" p:b="1" q:b="2"/>');
  });
});

describe('parseXml: text', () => {
  test('predefined entities, character references, CDATA and comments', () => {
    const root = parseXml('<?xml version="1.0"?>\n<!-- c --><!----><a>&lt;&amp;&gt;&quot;&apos; &#65;&#x42;<![CDATA[<raw & text>]]><!-- inner --></a>');
    expect(textOf(root)).toBe(`<&>"' AB<raw & text>`);
  });

  test('line endings are normalised and attribute whitespace becomes spaces', () => {
    const root = parseXml('<a b="x\ty\r\nz">1\r\n2\r3</a>');
    expect(root.attributes[0]?.value).toBe('x y z');
    expect(textOf(root)).toBe('1\n2\n3');
  });

  test('a byte-order mark before the declaration is accepted', () => {
    expect(parseXml('\uFEFF<?xml version="1.0" encoding="utf-8"?><a/>').name).toBe('a');
  });

  test('bare ampersands, unknown entities and characters XML cannot carry are refused', () => {
    refuse('<a>fish & chips</a>');
    refuse('<a>&nbsp;</a>');
    refuse('<a>&#1;</a>');
    refuse('<a>\u0001</a>');
    refuse('<a>]]></a>');
  });
});

describe('parseXml: what it refuses', () => {
  test('a DOCTYPE, so no entity can expand or fetch anything', () => {
    refuse('<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', /DOCTYPE/);
    refuse('<!DOCTYPE a [<!ENTITY l "lol"><!ENTITY l2 "&l;&l;">]><a>&l2;</a>', /DOCTYPE/);
  });

  test('documents that are not well-formed', () => {
    for (const text of ['', 'text', '<a>', '<a></b>', '<a><b></a></b>', '<a/><b/>', '<a/>trailing', '<a b=1/>', '<a b="1"b="2"/>', '<a b="1" b="2"/>', '<a b="<"/>', '<a><!-- x -- y --></a>', '<a><!-- x ---></a>', '<a><?xml version="1.0"?></a>', '<a:b:c xmlns:a="urn:a"/>']) {
      expect(() => parseXml(text)).toThrow(XmlError);
    }
  });

  test('limits on length, depth and node count', () => {
    refuse(`<a>${'x'.repeat(DEFAULT_LIMITS.maxLength)}</a>`, /too large/);
    expect(() => parseXml(`<a>${'x'.repeat(100)}</a>`, { maxLength: 10, maxDepth: 5, maxNodes: 5 })).toThrow(/too large/);
    expect(() => parseXml('<a><a><a><a></a></a></a></a>', { maxLength: 1000, maxDepth: 3, maxNodes: 100 })).toThrow(/deeply/);
    expect(parseXml('<a><a><a></a></a></a>', { maxLength: 1000, maxDepth: 3, maxNodes: 100 }).name).toBe('a');
    expect(() => parseXml('<a><b/><b/><b/><b/></a>', { maxLength: 1000, maxDepth: 3, maxNodes: 4 })).toThrow(/too many/);
  });
});

describe('renderXml', () => {
  test('every value is escaped, so hostile text stays text and the document stays well-formed', () => {
    const hostile = `</a><b x="1">&amp; ' " \u0001 \r`;
    const text = renderXml(node('a', [leaf('v', hostile)], [['attr', hostile]]));
    expectWellFormed(text);
    const root = parseXml(text);
    expect(childElements(root).map((c) => c.name)).toEqual(['v']);
    // The control character cannot be carried by XML 1.0 and becomes U+FFFD; the rest round-trips.
    const expected = hostile.replace('\u0001', '\uFFFD');
    expect(textOf(childElements(root)[0]!)).toBe(expected);
    expect(root.attributes[0]?.value).toBe(expected);
  });

  test('escapeXml leaves no markup character unescaped', () => {
    expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&apos;');
  });

  test('empty elements are written self-closing and children indented', () => {
    expect(renderXml(node('a', [node('b', []), leaf('c', 1)]))).toBe('<?xml version="1.0" encoding="utf-8"?>\n<a>\n  <b/>\n  <c>1</c>\n</a>\n');
  });
});
