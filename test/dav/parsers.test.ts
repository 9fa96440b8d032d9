import { DavError } from '../../src/dav/errors.ts';
import { destinationPath, parseDepth, parseTimeout } from '../../src/dav/headers.ts';
import { evaluateIf, parseIfHeader, submittedTokens } from '../../src/dav/if-header.ts';
import { hrefOf, pathSegments } from '../../src/dav/paths.ts';
import { parseBody, parsePropfind, parsePropPatch } from '../../src/dav/bodies.ts';

/** The pure parts of the DAV engine: header grammars, paths and request bodies. */
describe('If header (RFC 4918 §10.4)', () => {
  it('parses untagged and tagged lists with Not, state tokens and entity tags', () => {
    expect(parseIfHeader('(<urn:uuid:1> ["e1"]) (Not <DAV:no-lock> ["e2"])')).toEqual([
      { resource: null, conditions: [{ not: false, token: 'urn:uuid:1', etag: null }, { not: false, token: null, etag: '"e1"' }] },
      { resource: null, conditions: [{ not: true, token: 'DAV:no-lock', etag: null }, { not: false, token: null, etag: '"e2"' }] },
    ]);
    const tagged = parseIfHeader('<http://h/a> (<urn:uuid:2>) <http://h/b> (Not ["x"]) (["y"])');
    expect(tagged.map((l) => l.resource)).toEqual(['http://h/a', 'http://h/b', 'http://h/b']);
    expect([...submittedTokens(tagged)]).toEqual(['urn:uuid:2']);
  });

  it.each(['', '(', '()', '(<a>', '(["x"', 'garbage', '(<a>) <http://h/> (<b>)', '<http://h/>', '(Nothing)'])('refuses %j with 400', (value) => {
    expect(() => parseIfHeader(value)).toThrow(DavError);
  });

  it('holds when any list holds for its resource', async () => {
    const state = async (resource: string | null) => (resource === null ? { etag: '"e1"', tokens: new Set(['urn:uuid:1']) } : { etag: null, tokens: new Set<string>() });
    expect(await evaluateIf(parseIfHeader('(<urn:uuid:1> ["e1"])'), state)).toBe(true);
    expect(await evaluateIf(parseIfHeader('(<urn:uuid:1> ["e2"])'), state)).toBe(false);
    expect(await evaluateIf(parseIfHeader('(<urn:uuid:bad>) (Not <DAV:no-lock>)'), state)).toBe(true);
    expect(await evaluateIf(parseIfHeader('(Not <urn:uuid:1>)'), state)).toBe(false);
    expect(await evaluateIf(parseIfHeader('<http://h/other> (["e1"])'), state)).toBe(false);
    expect(await evaluateIf(parseIfHeader('([W/"e1"])'), state)).toBe(true);
  });
});

describe('headers', () => {
  it('reads Depth, Timeout and Destination', () => {
    expect([parseDepth('0'), parseDepth('1'), parseDepth('Infinity'), parseDepth(undefined)]).toEqual([0, 1, 'infinity', 'infinity']);
    expect(() => parseDepth('2')).toThrow(DavError);
    expect([parseTimeout('Second-60'), parseTimeout('Infinite, Second-4100000000'), parseTimeout('Extended-1, Second-30'), parseTimeout(undefined)]).toEqual([60, 604_800, 30, 3600]);
    expect(destinationPath('http://files.example/acme/webdav/home/x', 'files.example')).toBe('/acme/webdav/home/x');
    expect(destinationPath('/acme/webdav/home/x%20y', 'files.example')).toBe('/acme/webdav/home/x%20y');
    expect(() => destinationPath('http://evil.example/acme/', 'files.example')).toThrow(expect.objectContaining({ status: 502 }));
    expect(() => destinationPath('ftp://files.example/acme/', 'files.example')).toThrow(expect.objectContaining({ status: 502 }));
  });
});

describe('paths', () => {
  it('decodes once, normalises to NFC and round-trips through hrefs', () => {
    expect(pathSegments('/acme/webdav/home/caf%C3%A9%20au%20lait/')).toEqual(['acme', 'webdav', 'home', 'café au lait']);
    expect(pathSegments(`/a/${encodeURIComponent('e\u0301')}`)).toEqual(['a', '\u00e9']);
    expect(pathSegments('/a/%252e%252e')).toEqual(['a', '%2e%2e']);
    expect(hrefOf(['acme', 'webdav', 'home', 'a b#c?d'], true)).toBe('/acme/webdav/home/a%20b%23c%3Fd/');
  });

  it.each(['/a/..', '/a/%2e%2E', '/a/.', '/a/b%2Fc', '/a/b%5Cc', '/a/%00', '/a/%E0%A4%A'])('refuses %s', (path) => {
    expect(() => pathSegments(path)).toThrow(DavError);
  });
});

describe('bodies', () => {
  it('treats an empty PROPFIND as allprop and accepts any prefix', () => {
    expect(parsePropfind(parseBody(''))).toEqual({ kind: 'allprop', include: [] });
    expect(parsePropfind(parseBody('<A:propfind xmlns:A="DAV:"><A:prop><A:getetag/><B:x xmlns:B="urn:b"/></A:prop></A:propfind>'))).toEqual({
      kind: 'prop', props: [{ ns: 'DAV:', name: 'getetag' }, { ns: 'urn:b', name: 'x' }],
    });
  });

  it('keeps PROPPATCH values as self-contained XML in document order', () => {
    const ops = parsePropPatch(parseBody('<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:a>1<Z:b q="2"/></Z:a></D:prop></D:set><D:remove><D:prop><Z:c/></D:prop></D:remove></D:propertyupdate>'));
    expect(ops).toEqual([
      { name: { ns: 'urn:z', name: 'a' }, value: '<a xmlns="urn:z">1<b xmlns="urn:z" q="2"/></a>' },
      { name: { ns: 'urn:z', name: 'c' }, value: null },
    ]);
  });

  it('answers malformed XML, DOCTYPEs and unbound prefixes with 400', () => {
    for (const body of ['<a>', '<!DOCTYPE a [<!ENTITY x "y">]><a/>', '<x:a/>', '<a xmlns:b=""/>']) {
      expect(() => parseBody(body)).toThrow(expect.objectContaining({ status: 400 }));
    }
  });
});
