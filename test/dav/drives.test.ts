import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { childElements, parseXml, textOf } from '../../src/xml/parse.ts';
import type { RunningServer } from '../helpers/server.ts';
import { basic, dav, rawDav, startDavServer } from './setup.ts';

/**
 * Drives as users see them: group drives shared by membership that follows SCIM, isolation between
 * users and tenants, path tricks, quota, interrupted uploads, sync-collection and authentication.
 */
let s: RunningServer;
let ids: Record<string, string>;
let scimToken: string;
const [ANN, BOB, CY, OLGA] = ['ann@acme.test', 'bob@acme.test', 'cy@acme.test', 'olga@other.test'];
const QUOTA = 100_000;
const MAX_FILE = 60_000;

beforeAll(async () => {
  ({ s, ids } = await startDavServer({ STOA_FILES_QUOTA_BYTES: String(QUOTA), STOA_FILES_MAX_FILE_BYTES: String(MAX_FILE) }));
  scimToken = (await s.stoaOk(['scim-token', 'acme'])).lastLine.trim();
}, 120_000);

afterAll(() => s?.stop());

async function scim(method: string, path: string, body: unknown): Promise<{ status: number; json: { id?: string } }> {
  const response = await fetch(`${s.http}/acme/scim/v2/${path}`, {
    method, headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' }, body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json().catch(() => ({}))) as { id?: string } };
}

describe('group drives', () => {
  let groupId: string;

  beforeAll(async () => {
    const created = await scim('POST', 'Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Design Team', members: [{ value: ids.ann }, { value: ids.bob }] });
    expect(created.status).toBe(201);
    groupId = created.json.id!;
  });

  it('is shared by its members, who both see and write it', async () => {
    const list = await dav(s.http, 'PROPFIND', '/acme/webdav/groups/', { user: ANN, headers: { depth: '1' } });
    expect(list.text).toContain('<D:href>/acme/webdav/groups/Design%20Team/</D:href>');
    expect((await dav(s.http, 'PUT', '/acme/webdav/groups/Design%20Team/brief.txt', { user: ANN, body: 'from ann' })).status).toBe(201);
    expect((await dav(s.http, 'GET', '/acme/webdav/groups/Design%20Team/brief.txt', { user: BOB })).text).toBe('from ann');
    expect((await dav(s.http, 'PUT', '/acme/webdav/groups/Design%20Team/brief.txt', { user: BOB, body: 'bob edited' })).status).toBe(204);
    expect((await dav(s.http, 'GET', '/acme/webdav/groups/Design%20Team/brief.txt', { user: ANN })).text).toBe('bob edited');
  });

  it('is invisible to a user outside the group, until SCIM adds them, and again after SCIM removes them', async () => {
    const outside = await dav(s.http, 'PROPFIND', '/acme/webdav/groups/', { user: CY, headers: { depth: '1' } });
    expect(outside.status).toBe(207);
    expect(outside.text).not.toContain('Design');
    expect((await dav(s.http, 'GET', '/acme/webdav/groups/Design%20Team/brief.txt', { user: CY })).status).toBe(404);
    expect((await dav(s.http, 'PUT', '/acme/webdav/groups/Design%20Team/cy.txt', { user: CY, body: 'x' })).status).toBe(403);

    const patch = (op: string, value: unknown) => scim('PATCH', `Groups/${groupId}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op, path: 'members', value }] });
    expect((await patch('add', [{ value: ids.cy }])).status).toBe(200);
    expect((await dav(s.http, 'GET', '/acme/webdav/groups/Design%20Team/brief.txt', { user: CY })).text).toBe('bob edited');
    const removed = await scim('PATCH', `Groups/${groupId}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'remove', path: `members[value eq "${ids.cy}"]` }] });
    expect(removed.status).toBe(200);
    expect((await dav(s.http, 'GET', '/acme/webdav/groups/Design%20Team/brief.txt', { user: CY })).status).toBe(404);
  });

  it('takes copies and moves from a member\'s own drive', async () => {
    await dav(s.http, 'MKCOL', '/acme/webdav/home/drafts', { user: ANN });
    await dav(s.http, 'PUT', '/acme/webdav/home/drafts/a.txt', { user: ANN, body: 'draft a' });
    const copy = await dav(s.http, 'COPY', '/acme/webdav/home/drafts/', { user: ANN, headers: { destination: `${s.http}/acme/webdav/groups/Design%20Team/drafts/` } });
    expect(copy.status).toBe(201);
    expect((await dav(s.http, 'GET', '/acme/webdav/groups/Design%20Team/drafts/a.txt', { user: BOB })).text).toBe('draft a');
    const move = await dav(s.http, 'MOVE', '/acme/webdav/home/drafts/a.txt', { user: ANN, headers: { destination: '/acme/webdav/groups/Design%20Team/a-moved.txt' } });
    expect(move.status).toBe(201);
    expect((await dav(s.http, 'GET', '/acme/webdav/home/drafts/a.txt', { user: ANN })).status).toBe(404);
    expect((await dav(s.http, 'GET', '/acme/webdav/groups/Design%20Team/a-moved.txt', { user: BOB })).text).toBe('draft a');
  });
});

describe('isolation', () => {
  beforeAll(async () => {
    await dav(s.http, 'PUT', '/acme/webdav/home/private.txt', { user: ANN, body: 'ann only' });
  });

  it('gives every user their own home: the same href is another drive for someone else', async () => {
    expect((await dav(s.http, 'GET', '/acme/webdav/home/private.txt', { user: BOB })).status).toBe(404);
    expect((await dav(s.http, 'GET', '/acme/webdav/home/private.txt', { user: ANN })).text).toBe('ann only');
  });


  it('keeps one user\'s locks off another user\'s home and calendars, though the hrefs are the same', async () => {
    const lockInfo = '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';
    const event = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:locked\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    for (const [href, body] of [['/acme/webdav/home/locked.txt', 'text'], ['/acme/calendar/default/locked.ics', event]] as const) {
      expect((await dav(s.http, 'PUT', href, { user: ANN, body })).status).toBe(201);
      const locked = await dav(s.http, 'LOCK', href, { user: ANN, headers: { depth: '0', 'content-type': 'application/xml' }, body: lockInfo });
      expect(locked.status).toBe(200);
      expect(locked.text).toContain(`<D:href>${href}</D:href>`);
      expect((await dav(s.http, 'PUT', href, { user: ANN, body })).status).toBe(423);
      expect((await dav(s.http, 'PUT', href, { user: CY, body })).status).toBe(201);
      const discovery = await dav(s.http, 'PROPFIND', href, { user: CY, headers: { depth: '0' }, body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/></D:prop></D:propfind>' });
      expect(discovery.text).toContain('<D:lockdiscovery/>');
    }
  });

  it('refuses another tenant\'s paths, and a user of that tenant reaching into this one', async () => {
    expect((await dav(s.http, 'PROPFIND', '/other/webdav/home/', { user: ANN, headers: { depth: '0' } })).status).toBe(403);
    expect((await dav(s.http, 'PROPFIND', '/nosuch/webdav/home/', { user: ANN, headers: { depth: '0' } })).status).toBe(403);
    expect((await dav(s.http, 'GET', '/acme/webdav/home/private.txt', { user: OLGA })).status).toBe(403);
    const copy = await dav(s.http, 'COPY', '/acme/webdav/home/private.txt', { user: ANN, headers: { destination: '/other/webdav/home/stolen.txt' } });
    expect(copy.status).toBe(403);
    expect((await dav(s.http, 'GET', '/other/webdav/home/stolen.txt', { user: OLGA })).status).toBe(404);
  });

  it('reads an If tag naming another server as a resource without state, not as a refused request', async () => {
    const tagged = (list: string) => dav(s.http, 'PUT', '/acme/webdav/home/tagged.txt', { user: ANN, body: 'x', headers: { if: `<http://elsewhere.example/acme/webdav/home/private.txt> ${list}` } });
    expect((await tagged('(["abc"])')).status).toBe(412);
    expect((await tagged('(Not ["abc"])')).status).toBe(201);
  });

  it('refuses dot segments, encoded slashes and Destinations on other hosts', async () => {
    for (const path of ['/acme/webdav/home/%2e%2e/', '/acme/webdav/home/%2E%2E%2Fgroups', '/acme/webdav/home/a%2fb', '/acme/webdav/home/a%5c..%5cb', '/acme/webdav/home/%00']) {
      // Sent as written: fetch would resolve the dots itself.
      const answer = await rawDav(s.http, 'PROPFIND', path, { authorization: basic(ANN), depth: '0' });
      expect([path, answer]).toEqual([path, 403]);
    }
    const elsewhere = await dav(s.http, 'COPY', '/acme/webdav/home/private.txt', { user: ANN, headers: { destination: 'https://evil.example/acme/webdav/home/x.txt' } });
    expect(elsewhere.status).toBe(502);
    const dotted = await dav(s.http, 'MOVE', '/acme/webdav/home/private.txt', { user: ANN, headers: { destination: '/acme/webdav/home/%2e%2e/%2e%2e/other/webdav/home/x' } });
    expect(dotted.status).toBe(403);
    expect((await dav(s.http, 'GET', '/acme/webdav/home/private.txt', { user: ANN })).text).toBe('ann only');
    await dav(s.http, 'MKCOL', '/acme/webdav/home/outer', { user: ANN });
    await dav(s.http, 'PUT', '/acme/webdav/home/outer/inner.txt', { user: ANN, body: 'inner' });
    const ontoAncestor = await dav(s.http, 'MOVE', '/acme/webdav/home/outer/inner.txt', { user: ANN, headers: { destination: '/acme/webdav/home/outer', overwrite: 'T' } });
    expect(ontoAncestor.status).toBe(403);
    expect((await dav(s.http, 'GET', '/acme/webdav/home/outer/inner.txt', { user: ANN })).text).toBe('inner');
  });

  it('treats composed and decomposed spellings of a name as one file', async () => {
    expect((await dav(s.http, 'PUT', `/acme/webdav/home/${encodeURIComponent('café.txt'.normalize('NFD'))}`, { user: ANN, body: 'nfd' })).status).toBe(201);
    expect((await dav(s.http, 'GET', `/acme/webdav/home/${encodeURIComponent('café.txt'.normalize('NFC'))}`, { user: ANN })).text).toBe('nfd');
  });
});

describe('limits and failures', () => {
  const base = '/acme/webdav/home/limits';

  beforeAll(async () => {
    await dav(s.http, 'MKCOL', base, { user: BOB });
  });

  it('answers 507 when a PUT would pass the quota and keeps the old file', async () => {
    expect((await dav(s.http, 'PUT', `${base}/a.bin`, { user: BOB, body: Buffer.alloc(50_000, 1) })).status).toBe(201);
    expect((await dav(s.http, 'PUT', `${base}/b.bin`, { user: BOB, body: Buffer.alloc(45_000, 2) })).status).toBe(201);
    const over = await dav(s.http, 'PUT', `${base}/a.bin`, { user: BOB, body: Buffer.alloc(56_000, 3) });
    expect(over.status).toBe(507);
    expect(over.text).toContain('<D:quota-not-exceeded/>');
    const kept = await fetch(`${s.http}${base}/a.bin`, { headers: { authorization: basic(BOB) } });
    expect(Buffer.from(await kept.arrayBuffer()).equals(Buffer.alloc(50_000, 1))).toBe(true);
    const quota = await dav(s.http, 'PROPFIND', `${base}/`, { user: BOB, headers: { depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:prop><D:quota-used-bytes/><D:quota-available-bytes/></D:prop></D:propfind>' });
    expect(quota.text).toContain('<D:quota-used-bytes>95000</D:quota-used-bytes>');
    expect(quota.text).toContain(`<D:quota-available-bytes>${QUOTA - 95_000}</D:quota-available-bytes>`);
  });

  it('keeps the destination when a COPY or MOVE over it would pass the quota', async () => {
    const dir = '/acme/webdav/home/overwrite';
    expect((await dav(s.http, 'MKCOL', dir, { user: CY })).status).toBe(201);
    expect((await dav(s.http, 'PUT', `${dir}/x.bin`, { user: CY, body: Buffer.alloc(55_000, 1) })).status).toBe(201);
    expect((await dav(s.http, 'PUT', `${dir}/y.bin`, { user: CY, body: Buffer.alloc(40_000, 2) })).status).toBe(201);
    for (const method of ['COPY', 'MOVE']) {
      const answer = await dav(s.http, method, `${dir}/x.bin`, { user: CY, headers: { destination: `${dir}/y.bin`, overwrite: 'T' } });
      expect(answer.status).toBe(507);
      const kept = await fetch(`${s.http}${dir}/y.bin`, { headers: { authorization: basic(CY) } });
      expect(Buffer.from(await kept.arrayBuffer()).equals(Buffer.alloc(40_000, 2))).toBe(true);
      expect((await dav(s.http, 'GET', `${dir}/x.bin`, { user: CY })).status).toBe(200);
    }
    const fits = await dav(s.http, 'MOVE', `${dir}/y.bin`, { user: CY, headers: { destination: `${dir}/x.bin`, overwrite: 'T' } });
    expect(fits.status).toBe(204);
    expect((await dav(s.http, 'GET', `${dir}/y.bin`, { user: CY })).status).toBe(404);
    const moved = await fetch(`${s.http}${dir}/x.bin`, { headers: { authorization: basic(CY) } });
    expect(Buffer.from(await moved.arrayBuffer()).equals(Buffer.alloc(40_000, 2))).toBe(true);
  });

  it('answers 413 beyond the configured file size', async () => {
    expect((await dav(s.http, 'PUT', `${base}/big.bin`, { user: CY, body: Buffer.alloc(MAX_FILE + 1) })).status).toBe(413);
  });

  it('keeps the previous version when an upload is cut off, and shows no partial file', async () => {
    await dav(s.http, 'PUT', `${base}/keep.txt`, { user: BOB, body: 'version one' });
    const before = await dav(s.http, 'PROPFIND', `${base}/`, { user: BOB, headers: { depth: '1' } });
    await new Promise<void>((resolve) => {
      const url = new URL(`${s.http}${base}/keep.txt`);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'PUT', headers: { authorization: basic(BOB), 'content-length': '8000' } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(3000, 0x78), () => setTimeout(() => req.destroy(), 300));
      req.on('close', () => resolve());
    });
    // The server learns of the abort asynchronously; what matters is the outcome, checked after it settled.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await dav(s.http, 'GET', `${base}/keep.txt`, { user: BOB })).text).toBe('version one');
    const after = await dav(s.http, 'PROPFIND', `${base}/`, { user: BOB, headers: { depth: '1' } });
    expect(after.text.match(/<D:href>[^<]+<\/D:href>/g)).toEqual(before.text.match(/<D:href>[^<]+<\/D:href>/g));
  });

  it('answers malformed XML with 400, unknown methods with 501/405, a missing parent with 409', async () => {
    expect((await dav(s.http, 'PROPFIND', `${base}/`, { user: BOB, headers: { depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:prop>' })).status).toBe(400);
    expect((await dav(s.http, 'PROPPATCH', `${base}/keep.txt`, { user: BOB, body: '<!DOCTYPE x [<!ENTITY a "b">]><x/>' })).status).toBe(400);
    expect((await dav(s.http, 'SEARCH', `${base}/`, { user: BOB })).status).toBe(501);
    expect((await dav(s.http, 'POST', `${base}/keep.txt`, { user: BOB, body: 'x' })).status).toBe(405);
    expect((await dav(s.http, 'PUT', `${base}/missing/x.txt`, { user: BOB, body: 'x' })).status).toBe(409);
    expect((await dav(s.http, 'MKCOL', `${base}/missing/sub`, { user: BOB })).status).toBe(409);
    const infinite = await dav(s.http, 'PROPFIND', `${base}/`, { user: BOB, headers: { depth: 'infinity' } });
    expect(infinite.status).toBe(403);
    expect(infinite.text).toContain('<D:propfind-finite-depth/>');
    const protectedProp = await dav(s.http, 'PROPPATCH', `${base}/keep.txt`, {
      user: BOB, body: '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:getetag>x</D:getetag><Z:mine xmlns:Z="urn:z">1</Z:mine></D:prop></D:set></D:propertyupdate>',
    });
    expect(protectedProp.status).toBe(207);
    expect(protectedProp.text).toContain('HTTP/1.1 403 Forbidden');
    expect(protectedProp.text).toContain('<D:cannot-modify-protected-property/>');
    expect(protectedProp.text).toContain('HTTP/1.1 424 Failed Dependency');
  });
});

describe('a large folder', () => {
  const base = '/acme/webdav/home/large';
  const names = Array.from({ length: 150 }, (_, i) => `file ${i} & co.txt`);

  beforeAll(async () => {
    await dav(s.http, 'MKCOL', base, { user: BOB });
    await dav(s.http, 'MKCOL', `${base}/sub`, { user: BOB });
    for (const name of names) expect((await dav(s.http, 'PUT', `${base}/${encodeURIComponent(name)}`, { user: BOB, body: name })).status).toBe(201);
    const patch = '<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:tag>seven</Z:tag></D:prop></D:set></D:propertyupdate>';
    expect((await dav(s.http, 'PROPPATCH', `${base}/${encodeURIComponent(names[7]!)}`, { user: BOB, body: patch })).status).toBe(207);
  }, 120_000);

  it('streams a Depth 1 PROPFIND as one well-formed multistatus with every member once', async () => {
    const body = '<D:propfind xmlns:D="DAV:" xmlns:Z="urn:z"><D:prop><D:getetag/><D:getlastmodified/><D:creationdate/><D:sync-token/><Z:tag/></D:prop></D:propfind>';
    const answer = await dav(s.http, 'PROPFIND', `${base}/`, { user: BOB, headers: { depth: '1' }, body });
    expect(answer.status).toBe(207);
    // Sent as it is produced (here in more than one piece): no length known up front.
    expect(answer.headers.get('content-length')).toBeNull();
    expect(answer.text.length).toBeGreaterThan(64 * 1024);
    const responses = childElements(parseXml(answer.text, { maxLength: 10 * 1024 * 1024, maxDepth: 32, maxNodes: 100_000 }), 'DAV:', 'response');
    const byHref = new Map(responses.map((r) => [decodeURIComponent(textOf(childElements(r, 'DAV:', 'href')[0]!)), r]));
    expect(responses).toHaveLength(names.length + 2);
    expect([...byHref.keys()].sort()).toEqual([`${base}/`, `${base}/sub/`, ...names.map((n) => `${base}/${n}`)].sort());
    const text = (href: string) => JSON.stringify(byHref.get(href));
    expect(text(`${base}/${names[7]}`)).toContain('seven');
    expect(text(`${base}/${names[8]}`)).not.toContain('seven');
    // A member collection's sync token is read from the store while the answer streams.
    expect(text(`${base}/sub/`)).toContain('http://stoa.invalid/sync/');
  });
});

describe('sync-collection and getctag (RFC 6578)', () => {
  const base = '/acme/webdav/home/sync';
  const report = (token: string) => `<D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`;

  it('reports members changed and removed since a token', async () => {
    await dav(s.http, 'MKCOL', base, { user: CY });
    await dav(s.http, 'PUT', `${base}/one.txt`, { user: CY, body: '1' });
    await dav(s.http, 'PUT', `${base}/two.txt`, { user: CY, body: '2' });
    const first = await dav(s.http, 'REPORT', `${base}/`, { user: CY, body: report('') });
    expect(first.status).toBe(207);
    expect(first.text).toContain('one.txt');
    expect(first.text).toContain('two.txt');
    const token = /<D:sync-token>([^<]+)<\/D:sync-token>/.exec(first.text)![1]!;
    const ctag = (await dav(s.http, 'PROPFIND', `${base}/`, { user: CY, headers: { depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:prop><C:getctag xmlns:C="http://calendarserver.org/ns/"/></D:prop></D:propfind>' })).text;

    await dav(s.http, 'PUT', `${base}/two.txt`, { user: CY, body: '2b' });
    await dav(s.http, 'DELETE', `${base}/one.txt`, { user: CY });
    await dav(s.http, 'PUT', `${base}/three.txt`, { user: CY, body: '3' });
    const next = await dav(s.http, 'REPORT', `${base}/`, { user: CY, body: report(token) });
    expect(next.status).toBe(207);
    const responses = next.text.split('<D:response>').slice(1);
    const removed = responses.find((r) => r.includes('one.txt'));
    expect(removed).toContain('HTTP/1.1 404 Not Found');
    expect(responses.find((r) => r.includes('two.txt'))).toContain('<D:getetag>');
    expect(responses.find((r) => r.includes('three.txt'))).toContain('<D:getetag>');
    expect(/<D:sync-token>([^<]+)<\/D:sync-token>/.exec(next.text)![1]).not.toBe(token);
    const ctagAfter = (await dav(s.http, 'PROPFIND', `${base}/`, { user: CY, headers: { depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:prop><C:getctag xmlns:C="http://calendarserver.org/ns/"/></D:prop></D:propfind>' })).text;
    expect(ctagAfter).not.toBe(ctag);
  });

  it('refuses a token it did not issue with valid-sync-token', async () => {
    const bad = await dav(s.http, 'REPORT', `${base}/`, { user: CY, body: report('http://example.com/not-ours') });
    expect(bad.status).toBe(403);
    expect(bad.text).toContain('<D:valid-sync-token/>');
  });
});

describe('authentication', () => {
  it('takes an app password scoped to dav and refuses one scoped to imap only', async () => {
    const davPass = (await s.stoaOk(['apppass', 'add', CY, 'laptop', '--scope', 'dav'])).lastLine.trim();
    const imapPass = (await s.stoaOk(['apppass', 'add', CY, 'phone', '--scope', 'imap'])).lastLine.trim();
    const as = (secret: string) => fetch(`${s.http}/acme/webdav/home/`, { method: 'PROPFIND', headers: { depth: '0', authorization: `Basic ${Buffer.from(`${CY}:${secret}`).toString('base64')}` } });
    expect((await as(davPass)).status).toBe(207);
    expect((await as(imapPass)).status).toBe(401);
  });

  it('takes an OAuth bearer token from the tenant\'s identity provider', async () => {
    const pair = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const jwks = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    try {
      const issuer = 'https://idp.acme.test/';
      await s.stoaOk(['tenant', 'oauth', 'acme', '--issuer', issuer, '--audience', 'stoa', '--jwks', `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/keys`]);
      const token = await new SignJWT({ email: ANN }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience('stoa').setIssuedAt().setExpirationTime('5m').sign(pair.privateKey);
      const as = (value: string) => fetch(`${s.http}/acme/webdav/home/`, { method: 'PROPFIND', headers: { depth: '0', authorization: `Bearer ${value}` } });
      expect((await as(token)).status).toBe(207);
      expect((await as(`${token.slice(0, -4)}AAAA`)).status).toBe(401);
    } finally {
      jwks.close();
    }
  });

  it('answers the principal with current-user-principal, owner and privileges', async () => {
    const answer = await dav(s.http, 'PROPFIND', `/acme/principals/users/${ids.ann}/`, {
      user: ANN, headers: { depth: '0' },
      body: '<A:propfind xmlns:A="DAV:"><A:prop><A:current-user-principal/><A:principal-URL/><A:resourcetype/><A:displayname/></A:prop></A:propfind>',
    });
    expect(answer.status).toBe(207);
    expect(answer.text).toContain(`<D:principal-URL><D:href>/acme/principals/users/${ids.ann}/</D:href></D:principal-URL>`);
    expect(answer.text).toContain('<D:principal/>');
  });

  it('shows a colleague\'s principal with name and addresses but not their homes; nobody else\'s', async () => {
    const props = '<A:propfind xmlns:A="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><A:prop><A:displayname/><C:calendar-user-address-set/><C:calendar-home-set/></A:prop></A:propfind>';
    const colleague = await dav(s.http, 'PROPFIND', `/acme/principals/users/${ids.bob}/`, { user: ANN, headers: { depth: '0' }, body: props });
    expect(colleague.status).toBe(207);
    expect(colleague.text).toContain('<D:href>mailto:bob@acme.test</D:href>');
    expect(colleague.text).toMatch(/<x:calendar-home-set [^>]*\/><\/D:prop><D:status>HTTP\/1.1 404/);
    expect((await dav(s.http, 'PROPFIND', `/acme/principals/users/${ids.olga}/`, { user: ANN, headers: { depth: '0' } })).status).toBe(404);
    expect((await dav(s.http, 'PROPFIND', `/other/principals/users/${ids.olga}/`, { user: ANN, headers: { depth: '0' } })).status).toBe(403);
    expect((await dav(s.http, 'PROPFIND', '/acme/principals/users/no-such-user/', { user: ANN, headers: { depth: '0' } })).status).toBe(404);
  });
});
