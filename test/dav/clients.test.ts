import type { RunningServer } from '../helpers/server.ts';
import { dav, startDavServer } from './setup.ts';

/**
 * Request sequences as Windows Explorer (the Mini-Redirector) and macOS Finder send them when a
 * user maps a drive and copies a file, replayed with each answer checked.
 */
let s: RunningServer;
const ANN = 'ann@acme.test';

beforeAll(async () => {
  ({ s } = await startDavServer());
}, 120_000);

afterAll(() => s?.stop());

const WIN_PROPFIND = '<?xml version="1.0" encoding="utf-8" ?><D:propfind xmlns:D="DAV:"><D:prop><D:creationdate/><D:displayname/>'
  + '<D:getcontentlength/><D:getcontenttype/><D:getetag/><D:getlastmodified/><D:resourcetype/><D:quota-available-bytes/><D:quota-used-bytes/>'
  + '<D:isreadonly/><D:ishidden/></D:prop></D:propfind>';

describe('Windows Explorer maps a drive and saves a file', () => {
  const base = '/acme/webdav/home';
  const ua = { 'user-agent': 'Microsoft-WebDAV-MiniRedir/10.0.19045', translate: 'f' };

  it('answers OPTIONS on the server root without credentials, with DAV and MS-Author-Via', async () => {
    const answer = await dav(s.http, 'OPTIONS', '/', { headers: ua });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('dav')).toMatch(/^1, 2/);
    expect(answer.headers.get('ms-author-via')).toBe('DAV');
    expect(answer.headers.get('allow')).toContain('PROPFIND');
  });

  it('challenges the first PROPFIND with Basic and Bearer, then lists the drive with quota and RFC 1123 dates', async () => {
    const anonymous = await dav(s.http, 'PROPFIND', `${base}/`, { headers: { ...ua, depth: '0' }, body: WIN_PROPFIND });
    expect(anonymous.status).toBe(401);
    const challenges = anonymous.headers.get('www-authenticate') ?? '';
    expect(challenges).toMatch(/Basic realm="Stoa"/);
    expect(challenges).toMatch(/Bearer realm="Stoa"/);

    const listing = await dav(s.http, 'PROPFIND', `${base}/`, { user: ANN, headers: { ...ua, depth: '1', 'content-type': 'text/xml' }, body: WIN_PROPFIND });
    expect(listing.status).toBe(207);
    expect(listing.text).toContain('<D:href>/acme/webdav/home/</D:href>');
    expect(listing.text).toMatch(/<D:quota-available-bytes>\d+<\/D:quota-available-bytes>/);
    expect(listing.text).toMatch(/<D:quota-used-bytes>\d+<\/D:quota-used-bytes>/);
    expect(listing.text).toMatch(/<D:getlastmodified>\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT<\/D:getlastmodified>/);
    // Windows' own properties are unknown to the server: 404 in their own propstat, not an error.
    expect(listing.text).toMatch(/<D:isreadonly\/>.*HTTP\/1.1 404 Not Found/s);
  });

  it('creates, locks, writes, sets Win32 properties and unlocks', async () => {
    const created = await dav(s.http, 'PUT', `${base}/Report.docx`, { user: ANN, headers: { ...ua, 'content-length': '0' }, body: '' });
    expect(created.status).toBe(201);

    const lock = await dav(s.http, 'LOCK', `${base}/Report.docx`, {
      user: ANN,
      headers: { ...ua, timeout: 'Second-3600', depth: '0', 'content-type': 'text/xml; charset="utf-8"' },
      body: '<?xml version="1.0" encoding="utf-8" ?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner><D:href>ACME\\ann</D:href></D:owner></D:lockinfo>',
    });
    expect(lock.status).toBe(200);
    const token = /<(urn:uuid:[^>]+)>/.exec(lock.headers.get('lock-token') ?? '')?.[1];
    expect(token).toBeDefined();
    expect(lock.text).toContain('<D:timeout>Second-3600</D:timeout>');
    expect(lock.text).toContain('ACME\\ann');

    const withoutToken = await dav(s.http, 'PUT', `${base}/Report.docx`, { user: ANN, headers: ua, body: 'not mine' });
    expect(withoutToken.status).toBe(423);
    expect(withoutToken.text).toContain('<D:lock-token-submitted>');

    const written = await dav(s.http, 'PUT', `${base}/Report.docx`, { user: ANN, headers: { ...ua, if: `(<${token}>)` }, body: 'PK\u0003\u0004 a document' });
    expect(written.status).toBe(204);

    const win32 = await dav(s.http, 'PROPPATCH', `${base}/Report.docx`, {
      user: ANN,
      headers: { ...ua, if: `(<${token}>)`, 'content-type': 'text/xml; charset="utf-8"' },
      body: '<?xml version="1.0" encoding="utf-8" ?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop>'
        + '<Z:Win32CreationTime>Mon, 23 Nov 2026 10:00:00 GMT</Z:Win32CreationTime><Z:Win32LastAccessTime>Mon, 23 Nov 2026 10:00:01 GMT</Z:Win32LastAccessTime>'
        + '<Z:Win32LastModifiedTime>Mon, 23 Nov 2026 10:00:02 GMT</Z:Win32LastModifiedTime><Z:Win32FileAttributes>00000020</Z:Win32FileAttributes>'
        + '</D:prop></D:set></D:propertyupdate>',
    });
    expect(win32.status).toBe(207);
    expect(win32.text).toContain('HTTP/1.1 200 OK');
    expect(win32.text).not.toMatch(/HTTP\/1.1 (403|424|409)/);

    const unlock = await dav(s.http, 'UNLOCK', `${base}/Report.docx`, { user: ANN, headers: { ...ua, 'lock-token': `<${token}>` } });
    expect(unlock.status).toBe(204);

    const props = await dav(s.http, 'PROPFIND', `${base}/Report.docx`, {
      user: ANN, headers: { depth: '0' },
      body: '<D:propfind xmlns:D="DAV:"><D:prop><Z:Win32FileAttributes xmlns:Z="urn:schemas-microsoft-com:"/><D:lockdiscovery/><D:getcontentlength/></D:prop></D:propfind>',
    });
    expect(props.text).toMatch(/Win32FileAttributes xmlns="urn:schemas-microsoft-com:">00000020</);
    expect(props.text).toContain('<D:lockdiscovery/>');
    expect(props.text).toContain(`<D:getcontentlength>${Buffer.byteLength('PK\u0003\u0004 a document')}</D:getcontentlength>`);
    const got = await dav(s.http, 'GET', `${base}/Report.docx`, { user: ANN });
    expect(got.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  });
});

describe('Finder copies a file', () => {
  const base = '/acme/webdav/home';
  const ua = { 'user-agent': 'WebDAVFS/3.0.0 (03008000) Darwin/23.0.0 (arm64)' };

  function chunked(parts: string[]): ReadableStream<Uint8Array> {
    return new ReadableStream({
      pull(controller) {
        const next = parts.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
  }

  async function chunkedPut(path: string, parts: string[], headers: Record<string, string> = {}): Promise<number> {
    const response = await fetch(`${s.http}${path}`, {
      method: 'PUT',
      headers: { ...ua, ...headers, authorization: `Basic ${Buffer.from(`${ANN}:correct horse battery`).toString('base64')}` },
      body: chunked(parts),
      duplex: 'half',
    } as RequestInit);
    await response.text();
    return response.status;
  }

  it('creates an empty file, locks it, writes it chunked, writes the AppleDouble file, and unlocks', async () => {
    const probe = await dav(s.http, 'PROPFIND', `${base}/photo.jpg`, { user: ANN, headers: { ...ua, depth: '0' } });
    expect(probe.status).toBe(404);
    const empty = await dav(s.http, 'PUT', `${base}/photo.jpg`, { user: ANN, headers: ua, body: '' });
    expect(empty.status).toBe(201);
    const lock = await dav(s.http, 'LOCK', `${base}/photo.jpg`, {
      user: ANN, headers: { ...ua, depth: '0', timeout: 'Second-600' },
      body: '<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner><D:href>http://www.apple.com/webdav_fs/</D:href></D:owner></D:lockinfo>',
    });
    expect(lock.status).toBe(200);
    const token = /<([^>]+)>/.exec(lock.headers.get('lock-token') ?? '')![1]!;

    const parts = ['\xff\xd8\xff', 'jpeg bytes '.repeat(1000), 'end'];
    const total = Buffer.byteLength(parts.join(''));
    expect(await chunkedPut(`${base}/photo.jpg`, [...parts], { if: `(<${token}>)`, 'x-expected-entity-length': String(total) })).toBe(204);
    expect(await chunkedPut(`${base}/._photo.jpg`, ['\x00\x05\x16\x07AppleDouble']))
      .toBe(201);

    const unlock = await dav(s.http, 'UNLOCK', `${base}/photo.jpg`, { user: ANN, headers: { ...ua, 'lock-token': `<${token}>` } });
    expect(unlock.status).toBe(204);

    const got = await dav(s.http, 'GET', `${base}/photo.jpg`, { user: ANN });
    expect(got.headers.get('content-type')).toBe('image/jpeg');
    expect(Number(got.headers.get('content-length'))).toBe(total);
    const listing = await dav(s.http, 'PROPFIND', `${base}/`, { user: ANN, headers: { ...ua, depth: '1' } });
    expect(listing.text).toContain('<D:href>/acme/webdav/home/._photo.jpg</D:href>');
  });

  it('serves ranges and conditional GETs', async () => {
    await dav(s.http, 'PUT', `${base}/range.txt`, { user: ANN, body: '0123456789' });
    const head = await dav(s.http, 'HEAD', `${base}/range.txt`, { user: ANN });
    const etag = head.headers.get('etag')!;
    expect(head.headers.get('content-length')).toBe('10');
    const part = await dav(s.http, 'GET', `${base}/range.txt`, { user: ANN, headers: { range: 'bytes=2-4' } });
    expect(part.status).toBe(206);
    expect(part.text).toBe('234');
    expect(part.headers.get('content-range')).toBe('bytes 2-4/10');
    const suffix = await dav(s.http, 'GET', `${base}/range.txt`, { user: ANN, headers: { range: 'bytes=-3' } });
    expect(suffix.text).toBe('789');
    expect((await dav(s.http, 'GET', `${base}/range.txt`, { user: ANN, headers: { range: 'bytes=20-' } })).status).toBe(416);
    expect((await dav(s.http, 'GET', `${base}/range.txt`, { user: ANN, headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await dav(s.http, 'GET', `${base}/range.txt`, { user: ANN, headers: { if: `([${etag}])` } })).status).toBe(200);
    expect((await dav(s.http, 'GET', `${base}/range.txt`, { user: ANN, headers: { if: '(["other"])' } })).status).toBe(412);
    expect((await dav(s.http, 'GET', `${base}/range.txt`, { user: ANN, headers: { 'if-modified-since': head.headers.get('last-modified')! } })).status).toBe(304);
    expect((await dav(s.http, 'PUT', `${base}/range.txt`, { user: ANN, headers: { 'if-match': '"stale"' }, body: 'x' })).status).toBe(412);
    expect((await dav(s.http, 'PUT', `${base}/range.txt`, { user: ANN, headers: { 'content-range': 'bytes 0-0/10' }, body: 'x' })).status).toBe(400);
    expect((await dav(s.http, 'GET', `${base}/range.txt`, { user: ANN })).text).toBe('0123456789');
  });
});
