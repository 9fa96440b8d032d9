import { describeWithServers } from '../helpers/ferretdb.ts';
import type { RunningServer } from '../helpers/server.ts';
import { AMSTERDAM } from '../calendar/fixtures.ts';
import { dav, startDavServer } from './setup.ts';

/**
 * The CalDAV REPORT features beyond plain queries, against the running server: free-busy-query,
 * limit-recurrence-set, floating times in the calendar's timezone, and sync-collection deltas cut
 * short by the server's limit and drained page by page.
 */
let s: RunningServer;
let ids: Record<string, string>;
const ANN = { user: 'ann@acme.test' };
const XML = { 'content-type': 'application/xml; charset=utf-8' };
const SYNC_MAX = 10;

/** Every test against a server started with `env`. */
function reportSuites(env: () => Record<string, string>): void {
  beforeAll(async () => {
    ({ s, ids } = await startDavServer({ ...env(), STOA_DAV_SYNC_MAX_CHANGES: String(SYNC_MAX) }));
    for (const name of ['busy', 'zoned']) {
      const zone = name === 'zoned' ? `<C:calendar-timezone>${escape(vcalendar(AMSTERDAM))}</C:calendar-timezone>` : '';
      const made = await dav(s.http, 'MKCALENDAR', `/acme/calendar/${name}/`, {
        ...ANN, headers: XML,
        body: `<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>${name}</D:displayname>${zone}</D:prop></D:set></C:mkcalendar>`,
      });
      expect(made.status).toBe(201);
    }
  }, 120_000);

  afterAll(() => s?.stop());

  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const vcalendar = (...parts: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...parts, 'END:VCALENDAR', ''].join('\r\n');
  const vevent = (uid: string, ...lines: string[]) => ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20270101T000000Z', ...lines, 'END:VEVENT'].join('\r\n');

  async function put(path: string, text: string): Promise<void> {
    const answer = await dav(s.http, 'PUT', path, { ...ANN, headers: { 'content-type': 'text/calendar' }, body: text });
    expect([201, 204]).toContain(answer.status);
  }

  const freeBusyQuery = (start: string, end: string) => `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="${start}" end="${end}"/></C:free-busy-query>`;
  const freebusyLines = (text: string) => text.split('\r\n').filter((l) => l.startsWith('FREEBUSY'));

  describe('free-busy-query (RFC 4791 §7.10)', () => {
    beforeAll(async () => {
      // Daily 09:00–10:00 UTC, 10–14 May; the 11th moved to 14:00 and tentative, the 12th cancelled.
      await put('/acme/calendar/busy/daily.ics', vcalendar(
        vevent('daily@test', 'DTSTART:20270510T090000Z', 'DTEND:20270510T100000Z', 'RRULE:FREQ=DAILY;COUNT=5', 'SUMMARY:Daily'),
        vevent('daily@test', 'RECURRENCE-ID:20270511T090000Z', 'DTSTART:20270511T140000Z', 'DTEND:20270511T150000Z', 'STATUS:TENTATIVE'),
        vevent('daily@test', 'RECURRENCE-ID:20270512T090000Z', 'DTSTART:20270512T090000Z', 'DTEND:20270512T100000Z', 'STATUS:CANCELLED'),
      ));
      await put('/acme/calendar/busy/transparent.ics', vcalendar(vevent('transparent@test', 'DTSTART:20270510T120000Z', 'DTEND:20270510T130000Z', 'TRANSP:TRANSPARENT')));
      await put('/acme/calendar/busy/cancelled.ics', vcalendar(vevent('cancelled@test', 'DTSTART:20270510T150000Z', 'DTEND:20270510T160000Z', 'STATUS:CANCELLED')));
      await put('/acme/calendar/busy/overlap.ics', vcalendar(vevent('overlap@test', 'DTSTART:20270510T093000Z', 'DTEND:20270510T110000Z')));
      await put('/acme/calendar/busy/tentative.ics', vcalendar(vevent('tentative@test', 'DTSTART:20270513T160000Z', 'DTEND:20270513T170000Z', 'STATUS:TENTATIVE')));
    });

    it('answers one VFREEBUSY as text/calendar: merged, expanded, overrides honoured, transparent and cancelled left out', async () => {
      const answer = await dav(s.http, 'REPORT', '/acme/calendar/busy/', { ...ANN, headers: { ...XML, depth: '1' }, body: freeBusyQuery('20270510T000000Z', '20270514T000000Z') });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^text\/calendar/);
      expect(answer.text).toContain('BEGIN:VFREEBUSY');
      expect(answer.text).toContain('DTSTART:20270510T000000Z\r\nDTEND:20270514T000000Z');
      expect(freebusyLines(answer.text)).toEqual([
        'FREEBUSY;FBTYPE=BUSY:20270510T090000Z/20270510T110000Z',
        'FREEBUSY;FBTYPE=BUSY-TENTATIVE:20270511T140000Z/20270511T150000Z',
        'FREEBUSY;FBTYPE=BUSY:20270513T090000Z/20270513T100000Z',
        'FREEBUSY;FBTYPE=BUSY-TENTATIVE:20270513T160000Z/20270513T170000Z',
      ]);
    });

    it('on the calendar home covers every calendar of the user', async () => {
      await put('/acme/calendar/default/elsewhere.ics', vcalendar(vevent('elsewhere@test', 'DTSTART:20270512T070000Z', 'DTEND:20270512T080000Z')));
      const answer = await dav(s.http, 'REPORT', '/acme/calendar/', { ...ANN, headers: XML, body: freeBusyQuery('20270512T000000Z', '20270513T000000Z') });
      expect(answer.status).toBe(200);
      expect(freebusyLines(answer.text)).toEqual(['FREEBUSY;FBTYPE=BUSY:20270512T070000Z/20270512T080000Z']);
    });

    it('refuses a query without a bounded time-range', async () => {
      const missing = await dav(s.http, 'REPORT', '/acme/calendar/busy/', { ...ANN, headers: XML, body: '<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"/>' });
      expect(missing.status).toBe(400);
      const open = await dav(s.http, 'REPORT', '/acme/calendar/busy/', { ...ANN, headers: XML, body: '<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20270510T000000Z"/></C:free-busy-query>' });
      expect(open.status).toBe(400);
      const bad = await dav(s.http, 'REPORT', '/acme/calendar/busy/', { ...ANN, headers: XML, body: freeBusyQuery('yesterday', '20270510T000000Z') });
      expect(bad.status).toBe(400);
    });

    it('is not answered on an address book', async () => {
      const answer = await dav(s.http, 'REPORT', '/acme/contacts/default/', { ...ANN, headers: XML, body: freeBusyQuery('20270510T000000Z', '20270514T000000Z') });
      expect(answer.status).toBe(403);
      expect(answer.text).toContain('supported-report');
    });
  });

  describe('calendar-data with limit-recurrence-set (RFC 4791 §9.6.6)', () => {
    it('returns the master with its rule and only the overrides that meet the range', async () => {
      const answer = await dav(s.http, 'REPORT', '/acme/calendar/busy/', {
        ...ANN, headers: { ...XML, depth: '1' },
        body: `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data><C:limit-recurrence-set start="20270512T000000Z" end="20270513T000000Z"/></C:calendar-data></D:prop>
          <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match>Daily</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`,
      });
      expect(answer.status).toBe(207);
      expect(answer.text).toContain('RRULE:FREQ=DAILY;COUNT=5');
      expect(answer.text).toContain('RECURRENCE-ID:20270512T090000Z');
      expect(answer.text).not.toContain('RECURRENCE-ID:20270511T090000Z');
    });
  });

  describe('floating times (RFC 4791 §9.8)', () => {
    const query = (start: string, end: string, zone = '') => `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop>
      <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="${start}" end="${end}"/></C:comp-filter></C:comp-filter></C:filter>${zone}</C:calendar-query>`;
    const hrefs = (text: string) => [...text.matchAll(/<D:href>([^<]+)<\/D:href>/g)].map((m) => m[1]);

    beforeAll(async () => {
      // 09:00–10:00 wall-clock time on 1 June: 07:00–08:00 UTC in Amsterdam (summer time).
      const floating = (uid: string) => vcalendar(vevent(uid, 'DTSTART:20270601T090000', 'DTEND:20270601T100000'));
      await put('/acme/calendar/zoned/floating.ics', floating('floating-zoned@test'));
      await put('/acme/calendar/busy/floating.ics', floating('floating-utc@test'));
    });

    it('reads them in the calendar-timezone of the calendar', async () => {
      const early = await dav(s.http, 'REPORT', '/acme/calendar/zoned/', { ...ANN, headers: { ...XML, depth: '1' }, body: query('20270601T070000Z', '20270601T073000Z') });
      expect(hrefs(early.text)).toEqual(['/acme/calendar/zoned/floating.ics']);
      const late = await dav(s.http, 'REPORT', '/acme/calendar/zoned/', { ...ANN, headers: { ...XML, depth: '1' }, body: query('20270601T090000Z', '20270601T093000Z') });
      expect(hrefs(late.text)).toEqual([]);
      const freeBusy = await dav(s.http, 'REPORT', '/acme/calendar/zoned/', { ...ANN, headers: XML, body: freeBusyQuery('20270601T000000Z', '20270602T000000Z') });
      expect(freebusyLines(freeBusy.text)).toEqual(['FREEBUSY;FBTYPE=BUSY:20270601T070000Z/20270601T080000Z']);
      const multiget = await dav(s.http, 'REPORT', '/acme/calendar/zoned/', {
        ...ANN, headers: { ...XML, depth: '1' },
        body: '<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data><C:expand start="20270601T000000Z" end="20270602T000000Z"/></C:calendar-data></D:prop>'
          + '<D:href>/acme/calendar/zoned/floating.ics</D:href></C:calendar-multiget>',
      });
      expect(multiget.text).toContain('DTSTART:20270601T070000Z');
    });

    it('reads them in UTC without a timezone, and in the one the query gives', async () => {
      const utc = await dav(s.http, 'REPORT', '/acme/calendar/busy/', { ...ANN, headers: { ...XML, depth: '1' }, body: query('20270601T070000Z', '20270601T073000Z') });
      expect(hrefs(utc.text)).toEqual([]);
      const zone = `<C:timezone>${escape(vcalendar(AMSTERDAM))}</C:timezone>`;
      const given = await dav(s.http, 'REPORT', '/acme/calendar/busy/', { ...ANN, headers: { ...XML, depth: '1' }, body: query('20270601T070000Z', '20270601T073000Z', zone) });
      expect(hrefs(given.text)).toEqual(['/acme/calendar/busy/floating.ics']);
      const bad = await dav(s.http, 'REPORT', '/acme/calendar/busy/', { ...ANN, headers: { ...XML, depth: '1' }, body: query('20270601T070000Z', '20270601T073000Z', '<C:timezone>nonsense</C:timezone>') });
      expect(bad.status).toBe(403);
      expect(bad.text).toContain('valid-calendar-data');
    });
  });

  describe('sync-collection truncation (RFC 6578 §3.6)', () => {
    const sync = (token: string, limit = '') => `<D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level>${limit}<D:prop><D:getetag/></D:prop></D:sync-collection>`;
    const tokenOf = (text: string) => /<D:sync-token>([^<]+)<\/D:sync-token>/.exec(text)![1]!;
    const responses = (text: string) => text.split('<D:response>').slice(1);

    async function drain(path: string, token: string, limit = ''): Promise<{ changed: string[]; removed: string[]; pages: number; token: string }> {
      const changed: string[] = [];
      const removed: string[] = [];
      for (let pages = 1; ; pages++) {
        const answer = await dav(s.http, 'REPORT', path, { ...ANN, headers: XML, body: sync(token, limit) });
        expect(answer.status).toBe(207);
        token = tokenOf(answer.text);
        let truncated = false;
        for (const response of responses(answer.text)) {
          const href = /<D:href>([^<]+)<\/D:href>/.exec(response)![1]!;
          if (href === path) {
            expect(response).toContain('HTTP/1.1 507 Insufficient Storage');
            expect(response).toContain('<D:number-of-matches-within-limits/>');
            truncated = true;
          } else if (response.includes('404 Not Found')) removed.push(href.slice(path.length));
          else changed.push(href.slice(path.length));
        }
        if (!truncated) return { changed, removed, pages, token };
        expect(changed.length + removed.length).toBeLessThanOrEqual(pages * SYNC_MAX);
      }
    }

    it('cuts a delta beyond the server limit and lets the client drain it from the returned tokens', async () => {
      const path = '/acme/calendar/default/';
      const first = await dav(s.http, 'REPORT', path, { ...ANN, headers: XML, body: sync('') });
      const start = tokenOf(first.text);
      const names = Array.from({ length: 25 }, (_, i) => `e${i}.ics`);
      for (const [i, name] of names.entries()) await put(`${path}${name}`, vcalendar(vevent(`sync-${i}@test`, 'DTSTART:20270701T090000Z', 'DTEND:20270701T100000Z')));
      const gone = ['e3.ics', 'e17.ics', 'e24.ics'];
      for (const name of gone) expect((await dav(s.http, 'DELETE', `${path}${name}`, ANN)).status).toBe(204);

      const { changed, removed, pages, token } = await drain(path, start);
      expect(pages).toBe(3);
      expect(changed.sort()).toEqual(names.filter((n) => !gone.includes(n)).sort());
      expect([...new Set(removed)].sort()).toEqual([...gone].sort());
      const after = await dav(s.http, 'REPORT', path, { ...ANN, headers: XML, body: sync(token) });
      expect(responses(after.text)).toEqual([]);
    });

    it('honours a smaller client limit', async () => {
      const path = '/acme/calendar/zoned/';
      const start = tokenOf((await dav(s.http, 'REPORT', path, { ...ANN, headers: XML, body: sync('') })).text);
      for (let i = 0; i < 5; i++) await put(`${path}l${i}.ics`, vcalendar(vevent(`limit-${i}@test`, 'DTSTART:20270701T090000Z', 'DTEND:20270701T100000Z')));
      const { changed, pages } = await drain(path, start, '<D:limit><D:nresults>2</D:nresults></D:limit>');
      expect(pages).toBe(3);
      expect(changed.sort()).toEqual(['l0.ics', 'l1.ics', 'l2.ics', 'l3.ics', 'l4.ics']);
    });

    it('answers an initial sync beyond the client limit with 507, and a bad token with valid-sync-token', async () => {
      const initial = await dav(s.http, 'REPORT', '/acme/calendar/busy/', { ...ANN, headers: XML, body: sync('', '<D:limit><D:nresults>1</D:nresults></D:limit>') });
      expect(initial.status).toBe(507);
      expect(initial.text).toContain('number-of-matches-within-limits');
      const bad = await dav(s.http, 'REPORT', '/acme/calendar/busy/', { ...ANN, headers: XML, body: sync('http://stoa.invalid/sync/nope-1') });
      expect(bad.status).toBe(403);
      expect(bad.text).toContain('<D:valid-sync-token/>');
    });

    it('pages a drive directory the same way', async () => {
      const path = '/acme/webdav/home/';
      const start = tokenOf((await dav(s.http, 'REPORT', path, { ...ANN, headers: XML, body: sync('') })).text);
      for (let i = 0; i < 12; i++) expect((await dav(s.http, 'PUT', `${path}f${i}.txt`, { ...ANN, body: `file ${i}` })).status).toBe(201);
      const { changed, pages } = await drain(path, start);
      expect(pages).toBe(2);
      expect(changed.length).toBe(12);
    });
  });

  describe('sync-collection truncation on the company directory', () => {
    it('pages the directory book from the start of its journal', async () => {
      const path = '/acme/contacts/directory/';
      const seen: string[] = [];
      let token = 'http://stoa.invalid/sync/directory-0';
      for (let pages = 1; pages <= 10; pages++) {
        const answer = await dav(s.http, 'REPORT', path, {
          ...ANN, headers: XML,
          body: `<D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level><D:limit><D:nresults>1</D:nresults></D:limit><D:prop><D:getetag/></D:prop></D:sync-collection>`,
        });
        expect(answer.status).toBe(207);
        token = /<D:sync-token>([^<]+)<\/D:sync-token>/.exec(answer.text)![1]!;
        const hrefs = [...answer.text.matchAll(/<D:href>([^<]+)<\/D:href>/g)].map((m) => m[1]!).filter((h) => h !== path);
        expect(hrefs.length).toBeLessThanOrEqual(1);
        seen.push(...hrefs);
        if (!answer.text.includes('507 Insufficient Storage')) break;
      }
      expect(seen.sort()).toEqual(['ann', 'bob', 'cy'].map((u) => `${path}${ids[u]}.vcf`).sort());
    });
  });

  describe('supported-collation-set', () => {
    it('is a property of calendars and address books', async () => {
      const body = (ns: string) => `<D:propfind xmlns:D="DAV:" xmlns:X="${ns}"><D:prop><X:supported-collation-set/></D:prop></D:propfind>`;
      const calendar = await dav(s.http, 'PROPFIND', '/acme/calendar/default/', { ...ANN, headers: { ...XML, depth: '0' }, body: body('urn:ietf:params:xml:ns:caldav') });
      expect(calendar.text).toContain('i;ascii-casemap</x:supported-collation>');
      expect(calendar.text).toContain('i;octet</x:supported-collation>');
      const book = await dav(s.http, 'PROPFIND', '/acme/contacts/default/', { ...ANN, headers: { ...XML, depth: '0' }, body: body('urn:ietf:params:xml:ns:carddav') });
      expect(book.text).toContain('i;unicode-casemap</x:supported-collation>');
    });
  });
}

describe('on the embedded store', () => reportSuites(() => ({})));

describeWithServers('on MongoDB', (mongo) => reportSuites(() => ({ STOA_STORE_URL: `${mongo().url}/stoa_reports` })));
