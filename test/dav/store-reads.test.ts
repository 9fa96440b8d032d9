/**
 * What a client's sync costs the store, counted rather than timed: the DAV front runs in this
 * process on a real SQLite store whose DavObjectStore is wrapped to record every call and how many
 * objects with their bytes each returned. The promises: a multiget reads each collection's objects
 * in one call, a PROPFIND Depth 1 reads no object's bytes, a time-range query reads only the
 * objects in range, and sync after one change reads that one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.ts';
import { DirectoryBook } from '../../src/contacts/directory-book.ts';
import { LockManager } from '../../src/dav/locks.ts';
import { davRoutes } from '../../src/dav/routes.ts';
import { createDirectory } from '../../src/directory/index.ts';
import { directorySettings } from '../../src/directory/settings.ts';
import { FilesService } from '../../src/files/service.ts';
import { GroupwareService } from '../../src/groupware/service.ts';
import { SharingService } from '../../src/groupware/sharing.ts';
import { startHttp, type HttpFront } from '../../src/http/server.ts';
import { createLogger } from '../../src/logging.ts';
import { openStore } from '../../src/store/open.ts';
import type { DavObjectStore, Store } from '../../src/store/ports/index.ts';
import { TlsProvider } from '../../src/tls/provider.ts';
import { freePort } from '../helpers/ports.ts';
import { runCli } from '../helpers/server.ts';
import { dav, PASSWORD } from './setup.ts';

interface Call {
  method: string;
  args: unknown[];
  /** Objects with their bytes in the answer. */
  withData: number;
}

/** Forwards every call to `store` and records it in `calls`. */
function counting(store: DavObjectStore, calls: Call[]): DavObjectStore {
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        const items = Array.isArray(result) ? result : result ? [result] : [];
        calls.push({ method: String(prop), args, withData: items.filter((r) => typeof r === 'object' && r !== null && 'data' in r).length });
        return result;
      };
    },
  });
}

const USER = 'ann@acme.test';
const DAY = 86_400_000;
const START = Date.UTC(2027, 0, 1, 9);
const XML = { 'content-type': 'application/xml; charset=utf-8' };

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** One event a day from 2027-01-01. */
function event(i: number, summary = `Event ${i}`): string {
  const start = START + i * DAY;
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VEVENT', `UID:e-${i}`, 'DTSTAMP:20270101T000000Z',
    `DTSTART:${stamp(start)}`, `DTEND:${stamp(start + 3_600_000)}`, `SUMMARY:${summary}`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
}

const EVENTS = 150;
const calls: Call[] = [];
let dataDir: string;
let store: Store;
let http: HttpFront;
let base: string;
const calendar = '/acme/calendar/default/';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'stoa-store-reads-'));
  const plainPort = await freePort();
  const env = { STOA_STORE_DATADIR: dataDir, STOA_SERVER_BIND: '127.0.0.1', STOA_HTTP_PORT: String(await freePort()), STOA_HTTP_PLAIN_PORT: String(plainPort), STOA_FILES_PLAIN_LOOPBACK_BASIC: 'true' };
  for (const args of [['tenant', 'add', 'acme'], ['domain', 'add', 'acme', 'acme.test'], ['user', 'add', USER, '--password-stdin']]) {
    const result = await runCli(env, args, `${PASSWORD}\n`);
    if (result.code !== 0) throw new Error(`stoa ${args.join(' ')}: ${result.stderr}`);
  }
  const config = loadConfig(env);
  store = await openStore(config);
  const directory = await createDirectory(store, directorySettings(config));
  const tls = await TlsProvider.open({ certFile: config.tls.cert, keyFile: config.tls.key, dataDir, hostname: config.server.hostname });
  const routes = davRoutes({
    directory, files: new FilesService({ files: store.files, blobs: store.blobs, journal: store.journal, maxFileBytes: config.files.max_file_bytes }),
    groupware: new GroupwareService(counting(store.davObjects, calls), store.journal), sharing: new SharingService(store.davObjects, directory.users),
    directoryBook: new DirectoryBook(directory.users, store.journal),
    locks: new LockManager(store.kv),
    settings: { quotaBytes: 0, maxFileBytes: config.files.max_file_bytes, plainLoopbackBasic: true, syncMaxChanges: config.dav.sync_max_changes },
  });
  http = await startHttp({
    logger: createLogger('fatal'), tls, https: { port: config.http.port, bind: '127.0.0.1' }, plain: { port: plainPort, bind: '127.0.0.1' }, trustedProxies: [], routes: [routes],
  });
  base = `http://127.0.0.1:${plainPort}`;
  for (let i = 0; i < EVENTS; i++) {
    const put = await dav(base, 'PUT', `${calendar}e${i}.ics`, { user: USER, headers: { 'content-type': 'text/calendar' }, body: event(i) });
    expect(put.status).toBe(201);
  }
}, 120_000);

afterAll(async () => {
  await http?.close();
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The store calls `step` makes. */
async function reads(step: () => Promise<void>): Promise<Call[]> {
  calls.length = 0;
  await step();
  return [...calls];
}

const withData = (made: Call[]) => made.reduce((n, c) => n + c.withData, 0);

describe('store reads of a CalDAV sync', () => {
  it('PROPFIND Depth 1 lists a calendar without reading any object bytes', async () => {
    const made = await reads(async () => {
      const answer = await dav(base, 'PROPFIND', calendar, { user: USER, headers: { ...XML, depth: '1' }, body: '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:getcontentlength/></D:prop></D:propfind>' });
      expect(answer.status).toBe(207);
      expect(answer.text.match(/<D:getetag>/g)).toHaveLength(EVENTS);
      expect(answer.text).toContain(`<D:getcontentlength>${Buffer.byteLength(event(7))}</D:getcontentlength>`);
    });
    expect(withData(made)).toBe(0);
    expect(made.filter((c) => c.method === 'objectSummaries')).toHaveLength(1);
  });

  it('a multiget of 100 hrefs reads the objects in one call', async () => {
    const hrefs = Array.from({ length: 100 }, (_, i) => `<D:href>${calendar}e${i}.ics</D:href>`).join('');
    const made = await reads(async () => {
      const answer = await dav(base, 'REPORT', calendar, {
        user: USER, headers: { ...XML, depth: '1' },
        body: `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop>${hrefs}<D:href>${calendar}missing.ics</D:href></C:calendar-multiget>`,
      });
      expect(answer.status).toBe(207);
      expect(answer.text.match(/BEGIN:VCALENDAR/g)).toHaveLength(100);
      expect(answer.text).toContain('HTTP/1.1 404');
    });
    expect(made.filter((c) => c.withData > 0).map((c) => c.method)).toEqual(['objects']);
    expect(withData(made)).toBe(100);
  });

  it('a one-month time-range query reads only the events of that month and of the hours around it', async () => {
    const made = await reads(async () => {
      const answer = await dav(base, 'REPORT', calendar, {
        user: USER, headers: { ...XML, depth: '1' },
        body: '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
          + '<C:time-range start="20270201T000000Z" end="20270301T000000Z"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>',
      });
      expect(answer.text.match(/<D:getetag>/g)).toHaveLength(28);
    });
    // The index is asked for the month widened by 14 h each way, since a floating time may lie in any
    // zone: the 28 of February, the last of January and the first of March, of 150.
    expect(withData(made)).toBe(30);
  });

  it('sync-collection after one change reads that one object', async () => {
    const initial = await dav(base, 'REPORT', calendar, { user: USER, headers: XML, body: '<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>' });
    const token = /<D:sync-token>([^<]+)</.exec(initial.text)![1]!;
    expect((await dav(base, 'PUT', `${calendar}e3.ics`, { user: USER, headers: { 'content-type': 'text/calendar' }, body: event(3, 'Changed') })).status).toBe(204);
    const made = await reads(async () => {
      const answer = await dav(base, 'REPORT', calendar, {
        user: USER, headers: XML, body: `<D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`,
      });
      expect(answer.text.match(/<D:href>[^<]*\.ics<\/D:href>/g)).toEqual([`<D:href>${calendar}e3.ics</D:href>`]);
    });
    expect(withData(made)).toBeLessThanOrEqual(1);
    expect(made.filter((c) => c.method === 'objectSummaries').map((c) => c.args[1])).toEqual([['e3.ics']]);
  });
});
