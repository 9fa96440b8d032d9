import { describeWithServers } from '../helpers/ferretdb.ts';
import type { RunningServer } from '../helpers/server.ts';
import { dav, startDavServer } from './setup.ts';

/**
 * CalDAV and CardDAV request sequences as iOS (dataaccessd) and DAVx5 send them, replayed with
 * every answer checked; cards round-trip byte for byte; bad data and other tenants are refused.
 */
let s: RunningServer;
let ids: Record<string, string>;
const ANN = { user: 'ann@acme.test' };
const XML = { 'content-type': 'application/xml; charset=utf-8' };

/** Every test against a server started with `env`. */
function groupwareSuites(env: () => Record<string, string>): void {
  beforeAll(async () => {
    ({ s, ids } = await startDavServer(env()));
  }, 120_000);

  afterAll(() => s?.stop());

  const EVENT = (uid: string, summary = 'Meeting') => [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Apple Inc.//iOS 17.0//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20270101T000000Z',
    'DTSTART:20270301T100000Z', 'DTEND:20270301T110000Z', `SUMMARY:${summary}`, 'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');

  // An iOS Contacts card: vCard 3.0, grouped properties with Apple labels, a photo-less X- property.
  const IOS_CARD = [
    'BEGIN:VCARD', 'VERSION:3.0', 'PRODID:-//Apple Inc.//iPhone OS 17.0//EN', 'N:Appleseed;Johnny;;;', 'FN:Johnny Appleseed',
    'item1.EMAIL;type=INTERNET;type=pref:johnny@example.com', 'item1.X-ABLabel:_$!<Other>!$_',
    'item2.TEL:+1 555 0100', 'item2.X-ABLabel:Pager', 'X-ABShowAs:COMPANY', 'UID:0D1B2C3A-ios-card', 'END:VCARD', '',
  ].join('\r\n');

  // A Thunderbird card: vCard 4.0 with parameters in the 4.0 style.
  const THUNDERBIRD_CARD = [
    'BEGIN:VCARD', 'VERSION:4.0', 'PRODID:-//Thunderbird//EN', 'FN:Gudrun Smith', 'N:Smith;Gudrun;;;',
    'EMAIL;PREF=1;TYPE=work:gudrun@example.org', 'TEL;VALUE=TEXT;TYPE=cell:+49 170 000000', 'NOTE:Ümlaut and\\, comma',
    'UID:5a1f7d4e-tb-card', 'END:VCARD', '',
  ].join('\r\n');

  describe('iOS adds a CalDAV account', () => {
    const ua = { 'user-agent': 'iOS/17.0 (21A329) dataaccessd/1.0', ...XML };

    it('finds the principal from /.well-known/caldav with a PROPFIND and reads the homes', async () => {
      const wellKnown = await fetch(`${s.http}/.well-known/caldav`, { method: 'PROPFIND', redirect: 'manual', headers: { ...ua, authorization: `Basic ${Buffer.from('ann@acme.test:correct horse battery').toString('base64')}`, depth: '0' } });
      expect(wellKnown.status).toBe(308);
      expect(wellKnown.headers.get('location')).toBe(`/acme/principals/users/${ids.ann}/`);
      const unauthenticated = await fetch(`${s.http}/.well-known/carddav`, { redirect: 'manual' });
      expect(unauthenticated.status).toBe(401);
      const principal = await dav(s.http, 'PROPFIND', `/acme/principals/users/${ids.ann}/`, {
        ...ANN, headers: { ...ua, depth: '0' },
        body: '<A:propfind xmlns:A="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:D="urn:ietf:params:xml:ns:carddav"><A:prop><C:calendar-home-set/><D:addressbook-home-set/><C:calendar-user-address-set/><A:displayname/><A:current-user-principal/></A:prop></A:propfind>',
      });
      expect(principal.status).toBe(207);
      expect(principal.text).toContain('<D:href>/acme/calendar/</D:href>');
      expect(principal.text).toContain('<D:href>/acme/contacts/</D:href>');
      expect(principal.text).toContain('<D:href>mailto:ann@acme.test</D:href>');
      expect(principal.text).not.toContain('404 Not Found');
    });

    it('lists the home with Apple properties and finds the default calendar with its ctag and components', async () => {
      const home = await dav(s.http, 'PROPFIND', '/acme/calendar/', {
        ...ANN, headers: { ...ua, depth: '1' },
        body: '<A:propfind xmlns:A="DAV:" xmlns:B="http://calendarserver.org/ns/" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:E="http://apple.com/ns/ical/"><A:prop><A:resourcetype/><A:displayname/><B:getctag/><A:sync-token/><C:supported-calendar-component-set/><E:calendar-color/><E:calendar-order/><A:current-user-privilege-set/><A:supported-report-set/></A:prop></A:propfind>',
      });
      expect(home.status).toBe(207);
      const calendar = home.text.split('<D:response>').find((r) => r.includes('<D:href>/acme/calendar/default/</D:href>'))!;
      expect(calendar).toContain('<x:calendar xmlns:x="urn:ietf:params:xml:ns:caldav"/>');
      expect(calendar).toContain('<D:displayname>Calendar</D:displayname>');
      expect(calendar).toMatch(/<x:getctag xmlns:x="http:\/\/calendarserver.org\/ns\/">[^<]+<\/x:getctag>/);
      expect(calendar).toContain('name="VEVENT"');
      expect(calendar).toContain('name="VTODO"');
      expect(calendar).toContain('calendar-multiget');
    });

    it('sets the colour and order with PROPPATCH and reads them back', async () => {
      const patch = await dav(s.http, 'PROPPATCH', '/acme/calendar/default/', {
        ...ANN, headers: ua,
        body: '<A:propertyupdate xmlns:A="DAV:" xmlns:E="http://apple.com/ns/ical/"><A:set><A:prop><E:calendar-color>#FF2968FF</E:calendar-color><E:calendar-order>2</E:calendar-order><A:displayname>Home</A:displayname></A:prop></A:set></A:propertyupdate>',
      });
      expect(patch.status).toBe(207);
      expect(patch.text).toContain('200 OK');
      const read = await dav(s.http, 'PROPFIND', '/acme/calendar/default/', {
        ...ANN, headers: { ...ua, depth: '0' },
        body: '<A:propfind xmlns:A="DAV:" xmlns:E="http://apple.com/ns/ical/"><A:prop><E:calendar-color/><E:calendar-order/><A:displayname/></A:prop></A:propfind>',
      });
      expect(read.text).toContain('>#FF2968FF</x:calendar-color>');
      expect(read.text).toContain('>2</x:calendar-order>');
      expect(read.text).toContain('<D:displayname>Home</D:displayname>');
    });

    it('creates an event with If-None-Match, syncs it, fetches it by multiget, and sees its deletion', async () => {
      const base = '/acme/calendar/default/';
      const tokenOf = (text: string) => /<D:sync-token>([^<]+)<\/D:sync-token>/.exec(text)![1]!;
      const sync = (token: string) => dav(s.http, 'REPORT', base, {
        ...ANN, headers: { ...ua, depth: '1' },
        body: `<A:sync-collection xmlns:A="DAV:"><A:sync-token>${token}</A:sync-token><A:sync-level>1</A:sync-level><A:prop><A:getetag/></A:prop></A:sync-collection>`,
      });
      const initial = await sync('');
      expect(initial.status).toBe(207);
      const token = tokenOf(initial.text);
      const put = await dav(s.http, 'PUT', `${base}ios-1.ics`, { ...ANN, headers: { 'content-type': 'text/calendar', 'if-none-match': '*' }, body: EVENT('ios-1') });
      expect(put.status).toBe(201);
      const etag = put.headers.get('etag')!;
      expect(etag).toMatch(/^"[0-9a-f]+"$/);
      const again = await dav(s.http, 'PUT', `${base}ios-1.ics`, { ...ANN, headers: { 'content-type': 'text/calendar', 'if-none-match': '*' }, body: EVENT('ios-1', 'Changed') });
      expect(again.status).toBe(412);
      const stale = await dav(s.http, 'PUT', `${base}ios-1.ics`, { ...ANN, headers: { 'content-type': 'text/calendar', 'if-match': '"0000"' }, body: EVENT('ios-1', 'Changed') });
      expect(stale.status).toBe(412);
      const delta = await sync(token);
      expect(delta.text).toContain(`<D:href>${base}ios-1.ics</D:href>`);
      expect(delta.text).toContain(`<D:getetag>${etag.replace(/"/g, '&quot;')}</D:getetag>`);
      const multiget = await dav(s.http, 'REPORT', base, {
        ...ANN, headers: { ...ua, depth: '1' },
        body: `<C:calendar-multiget xmlns:A="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><A:prop><A:getetag/><C:calendar-data/></A:prop><A:href>${base}ios-1.ics</A:href><A:href>${base}missing.ics</A:href></C:calendar-multiget>`,
      });
      expect(multiget.status).toBe(207);
      expect(multiget.text).toContain('SUMMARY:Meeting');
      expect(multiget.text).toMatch(/<D:href>\/acme\/calendar\/default\/missing.ics<\/D:href><D:status>HTTP\/1.1 404 Not Found<\/D:status>/);
      const get = await dav(s.http, 'GET', `${base}ios-1.ics`, ANN);
      expect(get.text).toBe(EVENT('ios-1'));
      expect(get.headers.get('etag')).toBe(etag);
      expect((await dav(s.http, 'DELETE', `${base}ios-1.ics`, { ...ANN, headers: { 'if-match': etag } })).status).toBe(204);
      const afterDelete = await sync(tokenOf(delta.text));
      expect(afterDelete.text).toMatch(/<D:href>\/acme\/calendar\/default\/ios-1.ics<\/D:href><D:status>HTTP\/1.1 404 Not Found<\/D:status>/);
      const bad = await dav(s.http, 'REPORT', base, { ...ANN, headers: ua, body: '<A:sync-collection xmlns:A="DAV:"><A:sync-token>http://stoa.invalid/sync/nope-3</A:sync-token><A:sync-level>1</A:sync-level><A:prop/></A:sync-collection>' });
      expect(bad.status).toBe(403);
      expect(bad.text).toContain('valid-sync-token');
    });
  });

  describe('DAVx5 sets up CalDAV and CardDAV', () => {
    const ua = { 'user-agent': 'DAVx5/4.3.13-ose (2024/02/12; dav4jvm; okhttp/4.12.0) Android/14', ...XML };

    it('makes a calendar with MKCALENDAR and one with extended MKCOL, and refuses other data and duplicate UIDs', async () => {
      const mk = await dav(s.http, 'MKCALENDAR', '/acme/calendar/tasks/', {
        ...ANN, headers: ua,
        body: '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>Tasks</D:displayname><C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set><C:calendar-description>todo</C:calendar-description></D:prop></D:set></C:mkcalendar>',
      });
      expect(mk.status).toBe(201);
      const ext = await dav(s.http, 'MKCOL', '/acme/calendar/work/', {
        ...ANN, headers: ua,
        body: '<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>Work</D:displayname></D:prop></D:set></D:mkcol>',
      });
      expect(ext.status).toBe(201);
      expect((await dav(s.http, 'MKCALENDAR', '/acme/calendar/work/', { ...ANN, headers: ua })).status).toBe(405);
      const event = await dav(s.http, 'PUT', '/acme/calendar/tasks/e.ics', { ...ANN, headers: { 'content-type': 'text/calendar' }, body: EVENT('e') });
      expect(event.status).toBe(403);
      expect(event.text).toContain('supported-calendar-component');
      const garbage = await dav(s.http, 'PUT', '/acme/calendar/work/g.ics', { ...ANN, headers: { 'content-type': 'text/calendar' }, body: 'BEGIN:VCALENDAR\r\nthis is not\r\n' });
      expect(garbage.status).toBe(403);
      expect(garbage.text).toContain('<x:valid-calendar-data xmlns:x="urn:ietf:params:xml:ns:caldav"');
      expect((await dav(s.http, 'GET', '/acme/calendar/work/g.ics', ANN)).status).toBe(404);
      expect((await dav(s.http, 'PUT', '/acme/calendar/work/a.ics', { ...ANN, body: EVENT('dup') })).status).toBe(201);
      const dup = await dav(s.http, 'PUT', '/acme/calendar/work/b.ics', { ...ANN, body: EVENT('dup') });
      expect(dup.status).toBe(403);
      expect(dup.text).toContain('no-uid-conflict');
      expect(dup.text).toContain('<D:href>/acme/calendar/work/a.ics</D:href>');
    });

    it('answers a calendar-query with a time-range and a text-match', async () => {
      await dav(s.http, 'PUT', '/acme/calendar/work/later.ics', { ...ANN, body: EVENT('later', 'Review').replace(/20270301/g, '20270601') });
      const query = (filter: string) => dav(s.http, 'REPORT', '/acme/calendar/work/', {
        ...ANN, headers: { ...ua, depth: '1' },
        body: `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">${filter}</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`,
      });
      const march = await query('<C:time-range start="20270301T000000Z" end="20270401T000000Z"/>');
      expect(march.text).toContain('/acme/calendar/work/a.ics');
      expect(march.text).not.toContain('later.ics');
      const review = await query('<C:prop-filter name="SUMMARY"><C:text-match>review</C:text-match></C:prop-filter>');
      expect(review.text).toContain('later.ics');
      expect(review.text).not.toContain('a.ics');
    });

    it('stores an iOS vCard 3.0 and a Thunderbird vCard 4.0 byte for byte and finds them by addressbook-query', async () => {
      const book = '/acme/contacts/default/';
      expect((await dav(s.http, 'PUT', `${book}ios.vcf`, { ...ANN, headers: { 'content-type': 'text/vcard' }, body: IOS_CARD })).status).toBe(201);
      expect((await dav(s.http, 'PUT', `${book}tb.vcf`, { ...ANN, headers: { 'content-type': 'text/vcard; charset=utf-8' }, body: Buffer.from(THUNDERBIRD_CARD) })).status).toBe(201);
      const ios = await fetch(`${s.http}${book}ios.vcf`, { headers: { authorization: `Basic ${Buffer.from('ann@acme.test:correct horse battery').toString('base64')}` } });
      expect(Buffer.from(await ios.arrayBuffer()).equals(Buffer.from(IOS_CARD))).toBe(true);
      const tb = await fetch(`${s.http}${book}tb.vcf`, { headers: { authorization: `Basic ${Buffer.from('ann@acme.test:correct horse battery').toString('base64')}` } });
      expect(Buffer.from(await tb.arrayBuffer()).equals(Buffer.from(THUNDERBIRD_CARD))).toBe(true);
      const query = await dav(s.http, 'REPORT', book, {
        ...ANN, headers: { ...ua, depth: '1' },
        body: '<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/><C:address-data/></D:prop><C:filter><C:prop-filter name="X-ABLabel"><C:text-match>pager</C:text-match></C:prop-filter></C:filter></C:addressbook-query>',
      });
      expect(query.status).toBe(207);
      expect(query.text).toContain('ios.vcf');
      expect(query.text).not.toContain('tb.vcf');
      expect(query.text).toContain('item1.X-ABLabel:_$!&lt;Other&gt;!$_');
      const multiget = await dav(s.http, 'REPORT', book, {
        ...ANN, headers: { ...ua, depth: '1' },
        body: `<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><C:address-data/></D:prop><D:href>${book}tb.vcf</D:href></C:addressbook-multiget>`,
      });
      expect(multiget.text).toContain('NOTE:Ümlaut and\\, comma');
      const bad = await dav(s.http, 'PUT', `${book}bad.vcf`, { ...ANN, body: 'BEGIN:VCARD\r\nVERSION:4.0\r\nEND:VCARD\r\n' });
      expect(bad.status).toBe(403);
      expect(bad.text).toContain('<x:valid-address-data xmlns:x="urn:ietf:params:xml:ns:carddav"');
      // A limit below the matches answers that many and marks the answer as cut (RFC 6352 §8.6.1).
      const limited = await dav(s.http, 'REPORT', book, {
        ...ANN, headers: { ...ua, depth: '1' },
        body: '<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop><C:limit><C:nresults>1</C:nresults></C:limit></C:addressbook-query>',
      });
      expect(limited.text.match(/<D:getetag>/g)).toHaveLength(1);
      expect(limited.text).toContain(`<D:response><D:href>${book}</D:href><D:status>HTTP/1.1 507 Insufficient Storage</D:status><D:error><D:number-of-matches-within-limits/></D:error></D:response>`);
    });

    it('refuses an object beyond max-resource-size with the precondition of its own protocol', async () => {
      const huge = 'X'.repeat(1024 * 1024 + 1);
      const card = await dav(s.http, 'PUT', '/acme/contacts/default/huge.vcf', { ...ANN, body: huge });
      expect(card.status).toBe(403);
      expect(card.text).toContain('<x:max-resource-size xmlns:x="urn:ietf:params:xml:ns:carddav"');
      const event = await dav(s.http, 'PUT', '/acme/calendar/default/huge.ics', { ...ANN, body: huge });
      expect(event.status).toBe(403);
      expect(event.text).toContain('<x:max-resource-size xmlns:x="urn:ietf:params:xml:ns:caldav"');
      expect((await dav(s.http, 'GET', '/acme/contacts/default/huge.vcf', ANN)).status).toBe(404);
    });
  });

  describe('the company directory address book', () => {
    const book = '/acme/contacts/directory/';
    const sync = (token: string) => dav(s.http, 'REPORT', book, {
      ...ANN, headers: { ...XML, depth: '1' },
      body: `<A:sync-collection xmlns:A="DAV:"><A:sync-token>${token}</A:sync-token><A:sync-level>1</A:sync-level><A:prop><A:getetag/></A:prop></A:sync-collection>`,
    });
    const tokenOf = (text: string) => /<D:sync-token>([^<]+)<\/D:sync-token>/.exec(text)![1]!;

    it('is listed in the address-book home, read-only, with a card per user, and follows directory changes', async () => {
      const home = await dav(s.http, 'PROPFIND', '/acme/contacts/', { ...ANN, headers: { depth: '1' }, body: '<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:displayname/></D:prop></D:propfind>' });
      expect(home.text).toContain(`<D:href>${book}</D:href>`);
      expect(home.text).toContain('<D:displayname>Company directory</D:displayname>');
      const first = await sync('');
      for (const user of ['ann', 'bob', 'cy']) expect(first.text).toContain(`${book}${ids[user]}.vcf`);
      const card = await dav(s.http, 'GET', `${book}${ids.bob}.vcf`, ANN);
      expect(card.status).toBe(200);
      expect(card.text).toContain('EMAIL;TYPE=work;PREF=1:bob@acme.test');
      expect(card.text).toContain('VERSION:4.0');
      expect((await dav(s.http, 'PUT', `${book}x.vcf`, { ...ANN, body: 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\nEND:VCARD\r\n' })).status).toBe(403);
      const token = tokenOf(first.text);
      const { lastLine } = await s.stoaOk(['user', 'add', 'dave@acme.test', '--name', 'Dave Doe']);
      const dave = /\(([0-9a-f-]{36})\)/.exec(lastLine)![1]!;
      const delta = await sync(token);
      expect(tokenOf(delta.text)).not.toBe(token);
      expect(delta.text).toContain(`${book}${dave}.vcf`);
      expect(delta.text).not.toContain(`${ids.bob}.vcf`);
      const query = await dav(s.http, 'REPORT', book, {
        ...ANN, headers: { ...XML, depth: '1' },
        body: '<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><C:address-data/></D:prop><C:filter><C:prop-filter name="FN"><C:text-match>dave</C:text-match></C:prop-filter></C:filter></C:addressbook-query>',
      });
      expect(query.text).toContain('FN:Dave Doe');
      expect(query.text).not.toContain('ann@acme.test');
      const other = await dav(s.http, 'PROPFIND', '/other/contacts/directory/', { user: 'olga@other.test', headers: { depth: '1' } });
      expect(other.status).toBe(207);
      expect(other.text).not.toContain(ids.ann!);
    });
  });

  describe('finding colleagues (RFC 3744 principal searches)', () => {
    const users = '/acme/principals/users/';
    const search = (body: string) => dav(s.http, 'REPORT', users, { ...ANN, headers: { ...XML, depth: '0' }, body });
    const found = (text: string) => [...text.matchAll(/<D:href>\/acme\/principals\/users\/([^/<]+)\/<\/D:href>/g)].map((m) => m[1]).sort();

    it('says what can be searched, and finds colleagues by name or address, never another tenant\'s', async () => {
      const set = await search('<D:principal-search-property-set xmlns:D="DAV:"/>');
      expect(set.status).toBe(200);
      expect(set.text).toContain('<D:principal-search-property><D:prop><D:displayname/></D:prop>');
      const byName = await search('<D:principal-property-search xmlns:D="DAV:"><D:property-search><D:prop><D:displayname/></D:prop><D:match>BOB</D:match></D:property-search>'
        + '<D:prop><D:displayname/><C:calendar-user-address-set xmlns:C="urn:ietf:params:xml:ns:caldav"/></D:prop></D:principal-property-search>');
      expect(byName.status).toBe(207);
      expect(found(byName.text)).toEqual([ids.bob]);
      expect(byName.text).toContain('<D:href>mailto:bob@acme.test</D:href>');
      const either = await search('<D:principal-property-search xmlns:D="DAV:" test="anyof"><D:property-search><D:prop><D:displayname/></D:prop><D:match>bob</D:match></D:property-search>'
        + '<D:property-search><D:prop><C:calendar-user-address-set xmlns:C="urn:ietf:params:xml:ns:caldav"/></D:prop><D:match>mailto:cy@</D:match></D:property-search><D:prop><D:displayname/></D:prop></D:principal-property-search>');
      expect(found(either.text)).toEqual([ids.bob, ids.cy].sort());
      const apple = (tokens: string, limit = '') => search(`<CS:calendarserver-principal-search xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/" context="attendee">${tokens}${limit}<D:prop><D:displayname/></D:prop></CS:calendarserver-principal-search>`);
      expect(found((await apple('<CS:search-token>acme</CS:search-token><CS:search-token>cy</CS:search-token>')).text)).toEqual([ids.cy]);
      expect(found((await apple('<CS:search-token>olga</CS:search-token>')).text)).toEqual([]);
      const cut = await apple('<CS:search-token>acme.test</CS:search-token>', '<CS:limit><CS:nresults>1</CS:nresults></CS:limit>');
      expect(found(cut.text)).toHaveLength(1);
      expect(cut.text).toContain(`<D:href>${users}</D:href><D:status>HTTP/1.1 507 Insufficient Storage</D:status>`);
      const listing = await dav(s.http, 'PROPFIND', users, { ...ANN, headers: { depth: '1' } });
      expect(listing.status).toBe(207);
      expect(found(listing.text)).toEqual([]);
    });
  });

  describe('tenant isolation', () => {
    it('refuses another tenant\'s calendars and contacts', async () => {
      for (const path of ['/acme/calendar/', '/acme/calendar/default/', '/acme/contacts/default/']) {
        const answer = await dav(s.http, 'PROPFIND', path, { user: 'olga@other.test', headers: { depth: '1' } });
        expect(answer.status).toBe(403);
      }
      const put = await dav(s.http, 'PUT', '/acme/calendar/default/x.ics', { user: 'olga@other.test', body: EVENT('x') });
      expect(put.status).toBe(403);
      // Olga's own home is hers alone: bob's request for it is refused as well.
      expect((await dav(s.http, 'PROPFIND', '/other/calendar/', { user: 'bob@acme.test', headers: { depth: '0' } })).status).toBe(403);
    });
  });
}

describe('on the embedded store', () => groupwareSuites(() => ({})));

describeWithServers('on MongoDB', (mongo) => groupwareSuites(() => ({ STOA_STORE_URL: `${mongo().url}/stoa_groupware` })));
