import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describeWithServers } from '../helpers/ferretdb.ts';
import type { RunningServer } from '../helpers/server.ts';
import { dav, PASSWORD, startDavServer } from './setup.ts';

/**
 * Calendar and address-book sharing between users of one tenant, through the running server: Apple's
 * CS:share and the draft's DAV:share-resource, the sharee's home listing the shared collection,
 * reads, reports and sync through it, read-only refusals, unsharing, unsubscribing, and a sharee
 * of another tenant refused.
 */
let s: RunningServer;
const ANN = { user: 'ann@acme.test' };
const BOB = { user: 'bob@acme.test' };
const CY = { user: 'cy@acme.test' };
const OLGA = { user: 'olga@other.test' };
const XML = { 'content-type': 'application/xml; charset=utf-8' };
const CS = 'xmlns:CS="http://calendarserver.org/ns/"';


const EVENT = (uid: string, summary: string) => [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//sharing//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20270101T000000Z',
  'DTSTART:20270301T100000Z', 'DTEND:20270301T110000Z', `SUMMARY:${summary}`, 'END:VEVENT', 'END:VCALENDAR', '',
].join('\r\n');

const csShare = (ops: string) => `<CS:share xmlns:D="DAV:" ${CS}>${ops}</CS:share>`;
const shareResource = (href: string, access: string) =>
  `<D:share-resource xmlns:D="DAV:"><D:sharee><D:href>${href}</D:href><D:share-access><D:${access}/></D:share-access></D:sharee></D:share-resource>`;

async function post(user: { user: string }, path: string, body: string) {
  return dav(s.http, 'POST', path, { ...user, headers: XML, body });
}

/** The href of the one shared collection in a user's home, or undefined. */
async function sharedIn(user: { user: string }, home: string): Promise<string | undefined> {
  const listing = await dav(s.http, 'PROPFIND', home, { ...user, headers: { depth: '1' } });
  expect(listing.status).toBe(207);
  return [...listing.text.matchAll(/<D:href>([^<]*\/shared-[^<]*)<\/D:href>/g)].map((m) => m[1]!)[0];
}

async function syncToken(user: { user: string }, path: string): Promise<string> {
  const answer = await dav(s.http, 'PROPFIND', path, { ...user, headers: { ...XML, depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/></D:prop></D:propfind>' });
  return /<D:sync-token>([^<]+)<\/D:sync-token>/.exec(answer.text)![1]!;
}

async function syncCollection(user: { user: string }, path: string, token: string) {
  return dav(s.http, 'REPORT', path, {
    ...user, headers: XML,
    body: `<D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`,
  });
}

/** Every sharing test against a server started with `env`. */
function sharingSuites(env: () => Record<string, string>): void {
  beforeAll(async () => {
    ({ s } = await startDavServer(env()));
  }, 120_000);

  afterAll(() => s?.stop());

  describe('sharing a calendar', () => {
    const owned = '/acme/calendar/default/';
    let bobView: string;
    let cyView: string;

    it('shares read-only with CS:share; the sharee finds it in their calendar home, marked shared, readable only', async () => {
      expect((await dav(s.http, 'PUT', `${owned}standup.ics`, { ...ANN, headers: { 'content-type': 'text/calendar' }, body: EVENT('standup', 'Standup') })).status).toBe(201);
      expect((await dav(s.http, 'OPTIONS', owned, ANN)).headers.get('dav')).toContain('calendarserver-sharing');
      expect(await sharedIn(BOB, '/acme/calendar/')).toBeUndefined();
      const shared = await post(ANN, owned, csShare('<CS:set><D:href>mailto:bob@acme.test</D:href><CS:summary>Team</CS:summary><CS:read/></CS:set>'));
      expect(shared.status).toBe(200);
      bobView = (await sharedIn(BOB, '/acme/calendar/'))!;
      expect(bobView).toMatch(/^\/acme\/calendar\/shared-[0-9a-f-]{36}\/$/);
      const props = await dav(s.http, 'PROPFIND', bobView, {
        ...BOB, headers: { ...XML, depth: '0' },
        body: '<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:displayname/><D:current-user-privilege-set/><D:share-access/><D:owner/></D:prop></D:propfind>',
      });
      expect(props.text).toContain('<x:calendar xmlns:x="urn:ietf:params:xml:ns:caldav"/>');
      expect(props.text).toContain('<x:shared xmlns:x="http://calendarserver.org/ns/"/>');
      expect(props.text).toContain('<D:displayname>Calendar</D:displayname>');
      expect(props.text).toContain('<D:share-access><D:read/></D:share-access>');
      expect(props.text).toContain('<D:privilege><D:read/></D:privilege>');
      expect(props.text).not.toContain('<D:privilege><D:write/></D:privilege>');
      const ownerHref = /<D:owner><D:href>(\/acme\/principals\/users\/[0-9a-f-]{36}\/)<\/D:href><\/D:owner>/.exec(props.text)![1]!;
      // The sharee's client names the owner from the owner's principal.
      const owner = await dav(s.http, 'PROPFIND', ownerHref, { ...BOB, headers: { ...XML, depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>' });
      expect(owner.text).toContain('<D:displayname>ann@acme.test</D:displayname>');
    });

    it('lists the sharee on the owner’s calendar in both vocabularies', async () => {
      const props = await dav(s.http, 'PROPFIND', owned, {
        ...ANN, headers: { ...XML, depth: '0' },
        body: `<D:propfind xmlns:D="DAV:" ${CS}><D:prop><CS:invite/><D:invite/><D:share-access/><CS:allowed-sharing-modes/><D:resourcetype/></D:prop></D:propfind>`,
      });
      expect(props.text).toContain('<D:href>mailto:bob@acme.test</D:href>');
      expect(props.text).toMatch(/<x:access xmlns:x="http:\/\/calendarserver.org\/ns\/"><x:read xmlns:x="http:\/\/calendarserver.org\/ns\/"\/><\/x:access>/);
      expect(props.text).toContain('<D:share-access><D:read/></D:share-access><D:invite-accepted/>');
      expect(props.text).toContain('<D:share-access><D:shared-owner/></D:share-access>');
      expect(props.text).toContain('can-be-shared');
      expect(props.text).toContain('shared-owner xmlns:x="http://calendarserver.org/ns/"/></D:resourcetype>');
    });

    it('serves GET, multiget, calendar-query and sync-collection through the sharee’s view', async () => {
      const get = await dav(s.http, 'GET', `${bobView}standup.ics`, BOB);
      expect(get.status).toBe(200);
      expect(get.text).toContain('SUMMARY:Standup');
      const multiget = await dav(s.http, 'REPORT', bobView, {
        ...BOB, headers: XML,
        body: `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop><D:href>${bobView}standup.ics</D:href><D:href>${bobView}missing.ics</D:href></C:calendar-multiget>`,
      });
      expect(multiget.status).toBe(207);
      expect(multiget.text).toContain(`<D:href>${bobView}standup.ics</D:href>`);
      expect(multiget.text).toContain('SUMMARY:Standup');
      expect(multiget.text).toContain(`<D:href>${bobView}missing.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status>`);
      const query = await dav(s.http, 'REPORT', bobView, {
        ...BOB, headers: { ...XML, depth: '1' },
        body: '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20270301T000000Z" end="20270302T000000Z"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>',
      });
      expect(query.status).toBe(207);
      expect(query.text).toContain(`<D:href>${bobView}standup.ics</D:href>`);
      const first = await syncCollection(BOB, bobView, '');
      expect(first.text).toContain(`<D:href>${bobView}standup.ics</D:href>`);
      const token = /<D:sync-token>([^<]+)<\/D:sync-token>/.exec(first.text)![1]!;
      // The owner's change moves the token the sharee syncs with: one journal for both.
      expect(token).toBe(await syncToken(ANN, owned));
      await dav(s.http, 'PUT', `${owned}review.ics`, { ...ANN, headers: { 'content-type': 'text/calendar' }, body: EVENT('review', 'Review') });
      const delta = await syncCollection(BOB, bobView, token);
      expect(delta.text).toContain(`<D:href>${bobView}review.ics</D:href>`);
      expect(delta.text).not.toContain('standup.ics');
    });

    it('refuses the read-only sharee’s PUT and DELETE with need-privileges, and their share request', async () => {
      const put = await dav(s.http, 'PUT', `${bobView}bob.ics`, { ...BOB, headers: { 'content-type': 'text/calendar' }, body: EVENT('bob', 'Mine') });
      expect(put.status).toBe(403);
      expect(put.text).toContain('<D:need-privileges/>');
      const del = await dav(s.http, 'DELETE', `${bobView}standup.ics`, BOB);
      expect(del.status).toBe(403);
      expect(del.text).toContain('<D:need-privileges/>');
      expect((await post(BOB, bobView, shareResource('mailto:cy@acme.test', 'read'))).status).toBe(403);
      expect(await sharedIn(CY, '/acme/calendar/')).toBeUndefined();
      expect((await dav(s.http, 'GET', `${owned}standup.ics`, ANN)).text).toContain('SUMMARY:Standup');
    });

    it('keeps the name and colour a sharee gives the calendar to the sharee, read-only or not', async () => {
      const names = '<D:propfind xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/"><D:prop><D:displayname/><A:calendar-color/></D:prop></D:propfind>';
      const patch = await dav(s.http, 'PROPPATCH', bobView, {
        ...BOB, headers: XML,
        body: '<D:propertyupdate xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/"><D:set><D:prop><D:displayname>Ann’s days</D:displayname><A:calendar-color>#FF2968FF</A:calendar-color></D:prop></D:set></D:propertyupdate>',
      });
      expect(patch.status).toBe(207);
      expect(patch.text).toContain('HTTP/1.1 200 OK');
      const bobs = await dav(s.http, 'PROPFIND', bobView, { ...BOB, headers: { ...XML, depth: '0' }, body: names });
      expect(bobs.text).toContain('>Ann’s days</displayname>');
      expect(bobs.text).toContain('#FF2968FF');
      const anns = await dav(s.http, 'PROPFIND', owned, { ...ANN, headers: { ...XML, depth: '0' }, body: names });
      expect(anns.text).toContain('<D:displayname>Calendar</D:displayname>');
      expect(anns.text).not.toContain('#FF2968FF');
      const removed = await dav(s.http, 'PROPPATCH', bobView, {
        ...BOB, headers: XML, body: '<D:propertyupdate xmlns:D="DAV:"><D:remove><D:prop><D:displayname/></D:prop></D:remove></D:propertyupdate>',
      });
      expect(removed.status).toBe(207);
      expect((await dav(s.http, 'PROPFIND', bobView, { ...BOB, headers: { ...XML, depth: '0' }, body: names })).text).toContain('<D:displayname>Calendar</D:displayname>');
    });

    it('shares read-write with DAV:share-resource: the sharee’s PUT lands in the owner’s calendar', async () => {
      expect((await post(ANN, owned, shareResource('mailto:cy@acme.test', 'read-write'))).status).toBe(200);
      cyView = (await sharedIn(CY, '/acme/calendar/'))!;
      expect(cyView).toBe(bobView);
      const privileges = await dav(s.http, 'PROPFIND', cyView, {
        ...CY, headers: { ...XML, depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:prop><D:current-user-privilege-set/><D:share-access/></D:prop></D:propfind>',
      });
      expect(privileges.text).toContain('<D:privilege><D:write/></D:privilege>');
      expect(privileges.text).toContain('<D:share-access><D:read-write/></D:share-access>');
      const put = await dav(s.http, 'PUT', `${cyView}cy.ics`, { ...CY, headers: { 'content-type': 'text/calendar' }, body: EVENT('cy', 'From Cy') });
      expect(put.status).toBe(201);
      expect((await dav(s.http, 'GET', `${owned}cy.ics`, ANN)).text).toContain('SUMMARY:From Cy');
      // A UID conflict names the holder where the sharee reaches it.
      const conflict = await dav(s.http, 'PUT', `${cyView}again.ics`, { ...CY, headers: { 'content-type': 'text/calendar' }, body: EVENT('standup', 'Again') });
      expect(conflict.status).toBe(403);
      expect(conflict.text).toContain(`<D:href>${cyView}standup.ics</D:href>`);
      expect((await dav(s.http, 'DELETE', `${cyView}cy.ics`, CY)).status).toBe(204);
      expect((await dav(s.http, 'GET', `${owned}cy.ics`, ANN)).status).toBe(404);
    });

    it('makes the owner’s lock on an event hold for the read-write sharee too', async () => {
      const lockInfo = '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';
      const locked = await dav(s.http, 'LOCK', `${owned}standup.ics`, { ...ANN, headers: { ...XML, depth: '0' }, body: lockInfo });
      expect(locked.status).toBe(200);
      const token = /<D:locktoken><D:href>([^<]+)<\/D:href>/.exec(locked.text)![1]!;
      const put = await dav(s.http, 'PUT', `${cyView}standup.ics`, { ...CY, headers: { 'content-type': 'text/calendar' }, body: EVENT('standup', 'Moved') });
      expect(put.status).toBe(423);
      expect((await dav(s.http, 'UNLOCK', `${owned}standup.ics`, { ...ANN, headers: { 'lock-token': `<${token}>` } })).status).toBe(204);
    });

    it('unsubscribes a sharee who deletes the shared calendar, and keeps the owner’s data', async () => {
      expect((await dav(s.http, 'DELETE', cyView, { ...CY, headers: { depth: 'infinity' } })).status).toBe(204);
      expect(await sharedIn(CY, '/acme/calendar/')).toBeUndefined();
      expect((await dav(s.http, 'GET', `${cyView}standup.ics`, CY)).status).toBe(404);
      expect((await dav(s.http, 'GET', `${owned}standup.ics`, ANN)).status).toBe(200);
      expect(await sharedIn(BOB, '/acme/calendar/')).toBe(bobView);
    });

    it('ends a share with CS:remove', async () => {
      expect((await post(ANN, owned, csShare('<CS:remove><D:href>mailto:bob@acme.test</D:href></CS:remove>'))).status).toBe(200);
      expect(await sharedIn(BOB, '/acme/calendar/')).toBeUndefined();
      expect((await dav(s.http, 'GET', `${bobView}standup.ics`, BOB)).status).toBe(404);
      const invite = await dav(s.http, 'PROPFIND', owned, { ...ANN, headers: { ...XML, depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:prop><D:share-access/></D:prop></D:propfind>' });
      expect(invite.text).toContain('<D:not-shared/>');
    });
  });

  describe('refused share requests', () => {
    const owned = '/acme/calendar/default/';

    it('refuses a sharee of another tenant, who cannot reach the calendar either', async () => {
      const refused = await post(ANN, owned, csShare('<CS:set><D:href>mailto:olga@other.test</D:href><CS:read-write/></CS:set>'));
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('valid-sharee');
      const byPrincipal = await post(ANN, owned, shareResource('/other/principals/users/olga/', 'read'));
      expect(byPrincipal.status).toBe(403);
      // The request is all or nothing: bob, named with olga, gets nothing either.
      const mixed = await post(ANN, owned, csShare('<CS:set><D:href>mailto:bob@acme.test</D:href><CS:read/></CS:set><CS:set><D:href>mailto:olga@other.test</D:href><CS:read/></CS:set>'));
      expect(mixed.status).toBe(403);
      expect(await sharedIn(BOB, '/acme/calendar/')).toBeUndefined();
      const invite = await dav(s.http, 'PROPFIND', owned, { ...ANN, headers: { ...XML, depth: '0' }, body: `<D:propfind xmlns:D="DAV:" ${CS}><D:prop><CS:invite/></D:prop></D:propfind>` });
      expect(invite.text).not.toContain('mailto:');
      expect(await sharedIn(OLGA, '/other/calendar/')).toBeUndefined();
      // Shared with bob, the calendar is still out of olga's reach under any URL.
      await post(ANN, owned, shareResource('mailto:bob@acme.test', 'read'));
      const view = (await sharedIn(BOB, '/acme/calendar/'))!;
      expect((await dav(s.http, 'PROPFIND', view, { ...OLGA, headers: { depth: '0' } })).status).toBe(403);
      expect((await dav(s.http, 'GET', `${view}standup.ics`, OLGA)).status).toBe(403);
      expect((await dav(s.http, 'PROPFIND', view.replace('/acme/', '/other/'), { ...OLGA, headers: { depth: '0' } })).status).toBe(404);
      // A read-only sharee may still unsubscribe; sharing again brings the calendar back.
      expect((await dav(s.http, 'DELETE', view, { ...BOB, headers: { depth: 'infinity' } })).status).toBe(204);
      expect(await sharedIn(BOB, '/acme/calendar/')).toBeUndefined();
      expect((await dav(s.http, 'GET', `${owned}standup.ics`, ANN)).status).toBe(200);
      await post(ANN, owned, shareResource('mailto:bob@acme.test', 'read'));
      expect(await sharedIn(BOB, '/acme/calendar/')).toBe(view);
      await post(ANN, owned, shareResource('mailto:bob@acme.test', 'no-access'));
      expect(await sharedIn(BOB, '/acme/calendar/')).toBeUndefined();
    });

    it('refuses unknown sharees, the owner as sharee, bad XML and other bodies', async () => {
      expect((await post(ANN, owned, shareResource('mailto:nobody@acme.test', 'read'))).status).toBe(403);
      expect((await post(ANN, owned, shareResource('mailto:ann@acme.test', 'read'))).status).toBe(403);
      expect((await post(ANN, owned, '<CS:share')).status).toBe(400);
      expect((await post(ANN, owned, '<D:propfind xmlns:D="DAV:"/>')).status).toBe(400);
      expect((await post(ANN, owned, shareResource('mailto:bob@acme.test', 'write'))).status).toBe(400);
      expect((await post(ANN, '/acme/calendar/', shareResource('mailto:bob@acme.test', 'read'))).status).toBe(405);
      expect((await post(ANN, '/acme/webdav/home/', shareResource('mailto:bob@acme.test', 'read'))).status).toBe(405);
    });
  });

  describe('sharing an address book', () => {
    const CARD = 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dora Client\r\nN:Client;Dora;;;\r\nEMAIL:dora@example.com\r\nUID:dora\r\nEND:VCARD\r\n';

    it('shows the shared book beside the company directory; queries work; the owner’s DELETE ends the share', async () => {
      const book = '/acme/contacts/clients/';
      const made = await dav(s.http, 'MKCOL', book, {
        ...ANN, headers: XML,
        body: '<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype><D:collection/><C:addressbook/></D:resourcetype><D:displayname>Clients</D:displayname></D:prop></D:set></D:mkcol>',
      });
      expect(made.status).toBe(201);
      expect((await dav(s.http, 'PUT', `${book}dora.vcf`, { ...ANN, headers: { 'content-type': 'text/vcard' }, body: CARD })).status).toBe(201);
      expect((await post(ANN, book, shareResource('mailto:bob@acme.test', 'read'))).status).toBe(200);
      const home = await dav(s.http, 'PROPFIND', '/acme/contacts/', { ...BOB, headers: { depth: '1' } });
      expect(home.text).toContain('<D:href>/acme/contacts/directory/</D:href>');
      expect(home.text).toContain('<D:displayname>Clients</D:displayname>');
      const view = (await sharedIn(BOB, '/acme/contacts/'))!;
      expect(await sharedIn(BOB, '/acme/calendar/')).toBeUndefined();
      const query = await dav(s.http, 'REPORT', view, {
        ...BOB, headers: { ...XML, depth: '1' },
        body: '<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><C:address-data/></D:prop><C:filter><C:prop-filter name="EMAIL"><C:text-match match-type="contains">dora@</C:text-match></C:prop-filter></C:filter></C:addressbook-query>',
      });
      expect(query.status).toBe(207);
      expect(query.text).toContain(`<D:href>${view}dora.vcf</D:href>`);
      expect(query.text).toContain('FN:Dora Client');
      expect((await dav(s.http, 'DELETE', book, { ...ANN, headers: { depth: 'infinity' } })).status).toBe(204);
      expect(await sharedIn(BOB, '/acme/contacts/')).toBeUndefined();
      // A new book of the same name is not shared.
      await dav(s.http, 'MKCOL', book, { ...ANN, headers: XML, body: '<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype><D:collection/><C:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>' });
      expect(await sharedIn(BOB, '/acme/contacts/')).toBeUndefined();
    });
  });

  it('lets python3-caldav discover a calendar shared with the user among their calendars and read its events', async () => {
    const team = '/acme/calendar/team/';
    expect((await dav(s.http, 'MKCALENDAR', team, { ...ANN, headers: XML, body: '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>Team</D:displayname></D:prop></D:set></C:mkcalendar>' })).status).toBe(201);
    await dav(s.http, 'PUT', `${team}offsite.ics`, { ...ANN, headers: { 'content-type': 'text/calendar' }, body: EVENT('offsite', 'Offsite') });
    expect((await post(ANN, team, csShare('<CS:set><D:href>mailto:cy@acme.test</D:href><CS:read/></CS:set>'))).status).toBe(200);
    const script = resolve(import.meta.dirname, 'clients/caldav_sharee.py');
    const { stdout } = await promisify(execFile)('/usr/bin/python3', [script, s.http, 'cy@acme.test', PASSWORD], { timeout: 120_000 });
    const calendars = JSON.parse(stdout) as Array<{ url: string; name: string; events: string[] }>;
    expect(calendars).toEqual([
      { url: expect.stringMatching(/\/acme\/calendar\/default\/$/), name: 'Calendar', events: [] },
      { url: expect.stringMatching(/\/acme\/calendar\/shared-[0-9a-f-]{36}\/$/), name: 'Team', events: ['Offsite'] },
    ]);
  }, 180_000);
}

describe('on the embedded store', () => sharingSuites(() => ({})));

describeWithServers('on MongoDB', (mongo) => sharingSuites(() => ({ STOA_STORE_URL: `${mongo().url}/stoa_sharing` })));
