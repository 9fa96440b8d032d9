import { describeWithServers } from '../helpers/ferretdb.ts';
import type { RunningServer } from '../helpers/server.ts';
import { ScimClient } from '../scim/client.ts';
import { dav, startDavServer } from './setup.ts';

/**
 * A black-box attack on the CalDAV/CardDAV front (issue #8): paths, hrefs, sync tokens, share
 * requests and report bodies that try to reach another user's or tenant's data or to store bad
 * input. Every refusal is followed by a read of the owner's data, which must be as it was.
 *
 * Ann owns `private` (shared with nobody) and `team` (read for bob, read-write for cy); olga is in
 * another tenant.
 */
let s: RunningServer;
let ids: Record<string, string>;
const ANN = { user: 'ann@acme.test' };
const BOB = { user: 'bob@acme.test' };
const CY = { user: 'cy@acme.test' };
const OLGA = { user: 'olga@other.test' };
const XML = { 'content-type': 'application/xml; charset=utf-8' };
const ICS = { 'content-type': 'text/calendar' };
const C = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"';
const SYNC = 'http://stoa.invalid/sync/';
const LOCKINFO = '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';

const EVENT = (uid: string, summary: string, extra: string[] = []) => [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//isolation//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20270101T000000Z',
  'DTSTART:20270301T100000Z', 'DTEND:20270301T110000Z', `SUMMARY:${summary}`, ...extra, 'END:VEVENT', 'END:VCALENDAR', '',
].join('\r\n');

const csShare = (href: string, access = 'read') =>
  `<CS:share xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><CS:set><D:href>${href}</D:href><CS:${access}/></CS:set></CS:share>`;
const multiget = (hrefs: string[]) =>
  `<C:calendar-multiget ${C}><D:prop><D:getetag/><C:calendar-data/></D:prop>${hrefs.map((h) => `<D:href>${h}</D:href>`).join('')}</C:calendar-multiget>`;
const query = (range = 'start="20270101T000000Z" end="20280101T000000Z"') =>
  `<C:calendar-query ${C}><D:prop><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range ${range}/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
const freeBusy = (range: string) => `<C:free-busy-query ${C}><C:time-range ${range}/></C:free-busy-query>`;
const syncBody = (token: string, limit = '') =>
  `<D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level>${limit}<D:prop><D:getetag/></D:prop></D:sync-collection>`;

const report = (user: { user: string }, path: string, body: string, depth = '1') => dav(s.http, 'REPORT', path, { ...user, headers: { ...XML, depth }, body });
const post = (user: { user: string }, path: string, body: string | Buffer) => dav(s.http, 'POST', path, { ...user, headers: XML, body });

async function propfind(user: { user: string }, path: string, props: string, depth = '0') {
  return dav(s.http, 'PROPFIND', path, { ...user, headers: { ...XML, depth }, body: `<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/"><D:prop>${props}</D:prop></D:propfind>` });
}

/** `{collection id}-{modseq}` of a collection, as its sync token tells. */
async function syncToken(user: { user: string }, path: string): Promise<string> {
  const answer = await propfind(user, path, '<D:sync-token/>');
  return /<D:sync-token>([^<]+)<\/D:sync-token>/.exec(answer.text)![1]!;
}

const collectionId = async (path: string) => /^http:\/\/stoa\.invalid\/sync\/(.+)-\d+$/.exec(await syncToken(ANN, path))![1]!;

/** Ann's objects and her sharees, which no refused request may change. */
async function annState(): Promise<string> {
  const objects = await report(ANN, '/acme/calendar/', multiget(['/acme/calendar/private/secret.ics', '/acme/calendar/team/standup.ics', '/acme/calendar/team/review.ics']));
  const invites = await propfind(ANN, '/acme/calendar/team/', '<CS:invite/><D:displayname/>');
  const privateInvites = await propfind(ANN, '/acme/calendar/private/', '<CS:invite/><D:displayname/>');
  return [objects.text, invites.text, privateInvites.text].join('\n');
}

let privateId: string;
let teamId: string;
let before: string;
const team = () => `/acme/calendar/shared-${teamId}/`;

/** Every attack against a server started with `env`. */
function isolationSuites(env: () => Record<string, string>): void {
  beforeAll(async () => {
    ({ s, ids } = await startDavServer(env()));
    for (const name of ['private', 'team']) expect((await dav(s.http, 'MKCALENDAR', `/acme/calendar/${name}/`, ANN)).status).toBe(201);
    expect((await dav(s.http, 'PUT', '/acme/calendar/private/secret.ics', { ...ANN, headers: ICS, body: EVENT('secret', 'Secret') })).status).toBe(201);
    expect((await dav(s.http, 'PUT', '/acme/calendar/team/standup.ics', { ...ANN, headers: ICS, body: EVENT('standup', 'Standup') })).status).toBe(201);
    expect((await dav(s.http, 'PUT', '/acme/calendar/team/review.ics', { ...ANN, headers: ICS, body: EVENT('review', 'Review') })).status).toBe(201);
    expect((await post(ANN, '/acme/calendar/team/', csShare('mailto:bob@acme.test'))).status).toBe(200);
    expect((await post(ANN, '/acme/calendar/team/', csShare('mailto:cy@acme.test', 'read-write'))).status).toBe(200);
    privateId = await collectionId('/acme/calendar/private/');
    teamId = await collectionId('/acme/calendar/team/');
    before = await annState();
    expect(before).toContain('SUMMARY:Secret');
    expect(before).toContain('SUMMARY:Standup');
  }, 120_000);

  afterAll(() => s?.stop());

  describe('hrefs that point elsewhere', () => {
    it('multiget on one’s own calendar answers 404 for hrefs into a collection not shared, another tenant, encoded slashes and another host', async () => {
      const hrefs = [
        `/acme/calendar/shared-${privateId}/secret.ics`,
        `/acme/calendar/shared-${teamId}%2F..%2Fprivate/secret.ics`,
        '/other/calendar/default/secret.ics',
        '/acme/calendar/default/%2e%2e/private/secret.ics',
        `http://evil.example/acme/calendar/shared-${privateId}/secret.ics`,
      ];
      for (const href of hrefs) {
        const answer = await report(BOB, '/acme/calendar/default/', multiget([href]));
        expect(answer.text).not.toContain('Secret');
        // Each names nothing here, another server's included: a 404 for that href, not a refused request.
        expect(answer.status).toBe(207);
        expect(answer.text).toContain('404 Not Found');
      }
      // Through the view of a collection that is shared, an href may not climb into the owner's others.
      const climb = await report(BOB, team(), multiget([`${team()}..%2Fprivate%2Fsecret.ics`, '/acme/calendar/private/secret.ics']));
      expect(climb.text).not.toContain('Secret');
    });

    it('a guessed shared-{id} of a collection not shared with the user is 404 for every method', async () => {
      const path = `/acme/calendar/shared-${privateId}/`;
      expect((await dav(s.http, 'GET', `${path}secret.ics`, BOB)).status).toBe(404);
      expect((await propfind(BOB, path, '<D:displayname/>', '1')).status).toBe(404);
      expect((await report(BOB, path, query())).status).toBe(404);
      expect((await report(BOB, path, freeBusy('start="20270101T000000Z" end="20280101T000000Z"'))).status).toBe(404);
      expect((await report(BOB, path, syncBody(''))).status).toBe(404);
      expect((await dav(s.http, 'PUT', `${path}x.ics`, { ...BOB, headers: ICS, body: EVENT('x', 'X') })).status).toBe(409);
      expect((await dav(s.http, 'DELETE', `${path}secret.ics`, BOB)).status).toBe(404);
      expect((await post(BOB, path, csShare('mailto:bob@acme.test'))).status).toBe(404);
      // A calendar shared with bob is no address book of his, and a principal answers no object report.
      expect((await propfind(BOB, `/acme/contacts/shared-${teamId}/`, '<D:displayname/>')).status).toBe(404);
      const onPrincipal = await report(BOB, `/acme/principals/users/${ids.ann}/`, multiget(['/acme/calendar/private/secret.ics']));
      expect(onPrincipal.text).not.toContain('Secret');
      expect(onPrincipal.status).toBe(403);
      expect(await annState()).toBe(before);
    });

    it('another tenant’s user reaches nothing of acme by path, mount name or principal', async () => {
      for (const path of ['/acme/calendar/', '/acme/calendar/team/', team(), '/acme/contacts/directory/', `/acme/principals/users/${ids.ann}/`]) {
        expect((await propfind(OLGA, path, '<D:displayname/>')).status).toBe(403);
      }
      expect((await propfind(OLGA, `/other/calendar/shared-${teamId}/`, '<D:displayname/>')).status).toBe(404);
      expect((await propfind(OLGA, `/other/principals/users/${ids.ann}/`, '<D:displayname/>')).status).toBe(404);
      // Nor can ann copy or move her data into olga's tenant.
      for (const method of ['COPY', 'MOVE']) {
        const answer = await dav(s.http, method, '/acme/calendar/private/secret.ics', { ...ANN, headers: { destination: `${s.http}/other/calendar/default/secret.ics` } });
        expect(answer.status).toBe(403);
      }
      expect((await dav(s.http, 'GET', '/other/calendar/default/secret.ics', OLGA)).status).toBe(404);
      // Her own directory book lists her tenant only.
      const book = await dav(s.http, 'REPORT', '/other/contacts/directory/', {
        ...OLGA, headers: { ...XML, depth: '1' },
        body: '<R:addressbook-query xmlns:D="DAV:" xmlns:R="urn:ietf:params:xml:ns:carddav"><D:prop><R:address-data/></D:prop></R:addressbook-query>',
      });
      expect(book.status).toBe(207);
      expect(book.text).toContain('olga@other.test');
      expect(book.text).not.toContain('acme.test');
      expect((await propfind(ANN, '/other/contacts/directory/', '<D:displayname/>')).status).toBe(403);
      // A card named by another tenant's user id is not in acme's directory.
      expect((await dav(s.http, 'GET', `/acme/contacts/directory/${ids.olga}.vcf`, ANN)).status).toBe(404);
      const cards = await dav(s.http, 'REPORT', '/acme/contacts/directory/', {
        ...ANN, headers: XML,
        body: `<R:addressbook-multiget xmlns:D="DAV:" xmlns:R="urn:ietf:params:xml:ns:carddav"><D:prop><R:address-data/></D:prop><D:href>/acme/contacts/directory/${ids.olga}.vcf</D:href><D:href>/other/contacts/directory/${ids.olga}.vcf</D:href></R:addressbook-multiget>`,
      });
      expect(cards.text).not.toContain('olga');
    });
  });

  describe('sync tokens', () => {
    it('a token of another collection is valid-sync-token 403 on one’s own, with no data', async () => {
      const annPrivate = await syncToken(ANN, '/acme/calendar/private/');
      const annTeam = await syncToken(ANN, '/acme/calendar/team/');
      for (const token of [annPrivate, annTeam, `${SYNC}${privateId}-0`, `${SYNC}${privateId}`, `${SYNC}-1`, 'data:,x']) {
        const answer = await report(BOB, '/acme/calendar/default/', syncBody(token));
        expect(answer.status).toBe(403);
        expect(answer.text).toContain('valid-sync-token');
        expect(answer.text).not.toContain('.ics');
      }
      // A token from the collection's future is no token of it either.
      const future = await report(ANN, '/acme/calendar/team/', syncBody(`${SYNC}${teamId}-999999999`));
      expect(future.status).toBe(403);
      expect(future.text).toContain('valid-sync-token');
      // The shared view's own token is the owner's: the private calendar's is refused there too.
      const onView = await report(BOB, team(), syncBody(annPrivate));
      expect(onView.status).toBe(403);
      expect(onView.text).toContain('valid-sync-token');
    });

    it.each([['0'], ['-1'], ['abc'], ['1.5'], ['']])('sync-collection with nresults "%s" is 400', async (nresults) => {
      const token = await syncToken(ANN, '/acme/calendar/team/');
      expect((await dav(s.http, 'PUT', '/acme/calendar/team/n.ics', { ...ANN, headers: ICS, body: EVENT(`n-${nresults}`, 'N') })).status).toBeLessThan(300);
      const answer = await report(ANN, '/acme/calendar/team/', syncBody(token, `<D:limit><D:nresults>${nresults}</D:nresults></D:limit>`));
      expect(answer.status).toBe(400);
    });

    it.each([['0'], ['-1'], ['abc'], ['1.5'], ['']])('addressbook-query with nresults "%s" is 400', async (nresults) => {
      const answer = await dav(s.http, 'REPORT', '/acme/contacts/directory/', {
        ...ANN, headers: { ...XML, depth: '1' },
        body: `<R:addressbook-query xmlns:D="DAV:" xmlns:R="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop><R:limit><R:nresults>${nresults}</R:nresults></R:limit></R:addressbook-query>`,
      });
      expect(answer.status).toBe(400);
    });
  });

  describe('share requests', () => {
    it('refuses sharees of another tenant, unknown ones and a share through a sharee’s view; nothing changes', async () => {
      for (const href of ['mailto:olga@other.test', `/other/principals/users/${ids.olga}/`, `/acme/principals/users/${ids.olga}/`, 'mailto:nobody@acme.test', 'mailto:all@acme.test', `/acme/principals/groups/${ids.bob}/`, 'mailto:ann@acme.test', `/acme/principals/users/${ids.bob}/../${ids.olga}/`]) {
        const answer = await post(ANN, '/acme/calendar/private/', csShare(href));
        expect(answer.status).toBe(403);
        expect(answer.text).toContain('valid-sharee');
      }
      expect((await post(CY, team(), csShare('mailto:cy@acme.test', 'read-write'))).status).toBe(403);
      expect((await post(BOB, team(), csShare('mailto:bob@acme.test', 'read-write'))).status).toBe(403);
      expect(await annState()).toBe(before);
    });

    it('answers malformed, huge and wrong-rooted share bodies with 400 or 413 and stores nothing', async () => {
      const bodies: Array<[string | Buffer, number]> = [
        ['<CS:share xmlns:CS="http://calendarserver.org/ns/"><CS:set>', 400],
        ['not xml at all', 400],
        ['<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>', 400],
        ['<CS:share xmlns:CS="urn:wrong"><CS:set><D:href xmlns:D="DAV:">mailto:bob@acme.test</D:href><CS:read/></CS:set></CS:share>', 400],
        ['<D:share-resource xmlns:D="DAV:"><D:sharee><D:share-access><D:read/></D:share-access></D:sharee></D:share-resource>', 400],
        ['<D:share-resource xmlns:D="DAV:"><D:sharee><D:href>mailto:bob@acme.test</D:href><D:share-access><D:all/></D:share-access></D:sharee></D:share-resource>', 400],
        [csShare('mailto:%E0%A4%A'), 400],
        [Buffer.concat([Buffer.from(csShare('mailto:bob@acme.test').replace('</CS:share>', '<!--')), Buffer.alloc(1024 * 1024 + 10, 'x'), Buffer.from('--></CS:share>')]), 413],
      ];
      for (const [body, status] of bodies) expect((await post(ANN, '/acme/calendar/private/', body)).status).toBe(status);
      expect(await annState()).toBe(before);
    });
  });

  describe('read-only and read-write views', () => {
    it('a read-only sharee can neither MOVE an event out of the shared calendar nor into it', async () => {
      const out = await dav(s.http, 'MOVE', `${team()}standup.ics`, { ...BOB, headers: { destination: `${s.http}/acme/calendar/default/stolen.ics` } });
      expect(out.status).toBe(403);
      expect((await dav(s.http, 'GET', '/acme/calendar/default/stolen.ics', BOB)).status).toBe(404);
      expect((await dav(s.http, 'PUT', '/acme/calendar/default/mine.ics', { ...BOB, headers: ICS, body: EVENT('bob-mine', 'Mine') })).status).toBe(201);
      const into = await dav(s.http, 'MOVE', '/acme/calendar/default/mine.ics', { ...BOB, headers: { destination: `${team()}mine.ics` } });
      expect(into.status).toBe(403);
      expect((await dav(s.http, 'GET', '/acme/calendar/default/mine.ics', BOB)).status).toBe(200);
      expect((await dav(s.http, 'COPY', '/acme/calendar/default/mine.ics', { ...BOB, headers: { destination: `${team()}mine.ics` } })).status).toBe(403);
      expect((await dav(s.http, 'DELETE', '/acme/calendar/default/mine.ics', BOB)).status).toBe(204);
      expect(await annState()).toBe(before);
    });

    it('refuses LOCK, DELETE, PUT and object PROPPATCH through a read-only view', async () => {
      expect((await dav(s.http, 'LOCK', team(), { ...BOB, headers: { ...XML, depth: 'infinity' }, body: LOCKINFO })).status).toBe(403);
      expect((await dav(s.http, 'LOCK', `${team()}standup.ics`, { ...BOB, headers: XML, body: LOCKINFO })).status).toBe(403);
      expect((await dav(s.http, 'LOCK', `${team()}new.ics`, { ...BOB, headers: XML, body: LOCKINFO })).status).toBe(403);
      expect((await dav(s.http, 'DELETE', `${team()}standup.ics`, BOB)).status).toBe(403);
      expect((await dav(s.http, 'PUT', `${team()}standup.ics`, { ...BOB, headers: ICS, body: EVENT('standup', 'Hijacked') })).status).toBe(403);
      const patch = await dav(s.http, 'PROPPATCH', `${team()}standup.ics`, {
        ...BOB, headers: XML, body: '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>x</D:displayname></D:prop></D:set></D:propertyupdate>',
      });
      expect(patch.status).toBe(403);
      // Ann's own lock table is untouched: she can still lock her calendar.
      const annLock = await dav(s.http, 'LOCK', '/acme/calendar/team/standup.ics', { ...ANN, headers: { ...XML, timeout: 'Second-60' }, body: LOCKINFO });
      expect(annLock.status).toBe(200);
      // Her lock shows through the views with its token; no sharee may keep it alive by refreshing it.
      const discovery = await propfind(BOB, `${team()}standup.ics`, '<D:lockdiscovery/>');
      const token = /<D:locktoken><D:href>([^<]+)<\/D:href>/.exec(discovery.text)![1]!;
      expect(token).toBe(annLock.headers.get('lock-token')!.slice(1, -1));
      for (const sharee of [BOB, CY]) {
        const refresh = await dav(s.http, 'LOCK', `${team()}standup.ics`, { ...sharee, headers: { if: `(<${token}>)`, timeout: 'Second-99999' } });
        expect(refresh.status).toBe(412);
      }
      expect((await propfind(ANN, '/acme/calendar/team/standup.ics', '<D:lockdiscovery/>')).text).not.toMatch(/Second-(9\d{3,}|[1-9]\d{4,})/);
      expect((await dav(s.http, 'UNLOCK', '/acme/calendar/team/standup.ics', { ...ANN, headers: { 'lock-token': annLock.headers.get('lock-token')! } })).status).toBe(204);
      expect(await annState()).toBe(before);
    });

    it('PROPPATCH of protected properties through a shared view is 403, and a sharee’s name stays theirs', async () => {
      const patch = await dav(s.http, 'PROPPATCH', team(), {
        ...CY, headers: XML,
        body: '<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:resourcetype><D:collection/></D:resourcetype><C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set><D:owner><D:href>/acme/principals/users/x/</D:href></D:owner></D:prop></D:set></D:propertyupdate>',
      });
      expect(patch.status).toBe(207);
      expect(patch.text).toContain('403');
      expect(patch.text).not.toContain('200 OK');
      const named = await dav(s.http, 'PROPPATCH', team(), {
        ...BOB, headers: XML, body: '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>Bob’s name</D:displayname></D:prop></D:set></D:propertyupdate>',
      });
      expect(named.status).toBe(207);
      expect((await propfind(BOB, team(), '<D:displayname/>')).text).toContain('Bob’s name');
      expect((await propfind(CY, team(), '<D:displayname/>')).text).not.toContain('Bob’s name');
      // An entity could smuggle a file into a property: DOCTYPE is refused before anything is stored.
      const entity = await dav(s.http, 'PROPPATCH', team(), {
        ...CY, headers: XML,
        body: '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>&x;</D:displayname></D:prop></D:set></D:propertyupdate>',
      });
      expect(entity.status).toBe(400);
      expect((await propfind(CY, team(), '<D:displayname/>')).text).not.toContain('root:');
      expect(await annState()).toBe(before);
    });

    it('conditional writes through a read-write view honour If-Match and If-None-Match', async () => {
      const etag = (await dav(s.http, 'GET', `${team()}standup.ics`, CY)).headers.get('etag')!;
      expect((await dav(s.http, 'PUT', `${team()}standup.ics`, { ...CY, headers: { ...ICS, 'if-match': '"not-it"' }, body: EVENT('standup', 'Changed') })).status).toBe(412);
      expect((await dav(s.http, 'PUT', `${team()}standup.ics`, { ...CY, headers: { ...ICS, 'if-none-match': '*' }, body: EVENT('standup', 'Changed') })).status).toBe(412);
      expect((await dav(s.http, 'DELETE', `${team()}standup.ics`, { ...CY, headers: { 'if-match': '"not-it"' } })).status).toBe(412);
      expect((await dav(s.http, 'GET', `${team()}standup.ics`, CY)).headers.get('etag')).toBe(etag);
      expect(await annState()).toBe(before);
    });

    it('a UID already in the shared calendar is no-uid-conflict; one in the owner’s private calendar neither conflicts nor leaks', async () => {
      const conflict = await dav(s.http, 'PUT', `${team()}copy.ics`, { ...CY, headers: ICS, body: EVENT('standup', 'Copy') });
      expect(conflict.status).toBe(403);
      expect(conflict.text).toContain('no-uid-conflict');
      expect(conflict.text).toContain(`${team()}standup.ics`);
      const owner = await dav(s.http, 'PUT', '/acme/calendar/team/copy.ics', { ...ANN, headers: ICS, body: EVENT('standup', 'Copy') });
      expect(owner.status).toBe(403);
      const other = await dav(s.http, 'PUT', `${team()}cy.ics`, { ...CY, headers: ICS, body: EVENT('secret', 'Cy') });
      expect(other.text).not.toContain('secret.ics');
      expect(other.text).not.toContain('private');
      if (other.status === 201) expect((await dav(s.http, 'DELETE', `${team()}cy.ics`, CY)).status).toBe(204);
      expect(await annState()).toBe(before);
    });

    it('DELETE of the shared mount by a read-write sharee leaves the owner’s calendar; the view is then gone', async () => {
      const token = await syncToken(CY, team());
      const cyLock = await dav(s.http, 'LOCK', `${team()}review.ics`, { ...CY, headers: { ...XML, timeout: 'Infinite' }, body: LOCKINFO });
      expect(cyLock.status).toBe(200);
      expect((await dav(s.http, 'DELETE', team(), { ...CY, headers: { depth: 'infinity' } })).status).toBe(204);
      // Her lock outlives her share; the owner, locked out of her own event, may remove it (RFC 3744 DAV:unlock).
      expect((await dav(s.http, 'LOCK', '/acme/calendar/team/review.ics', { ...ANN, headers: XML, body: LOCKINFO })).status).toBe(423);
      expect((await dav(s.http, 'UNLOCK', `${team()}review.ics`, { ...CY, headers: { 'lock-token': cyLock.headers.get('lock-token')! } })).status).toBe(409);
      expect((await dav(s.http, 'UNLOCK', '/acme/calendar/team/review.ics', { ...ANN, headers: { 'lock-token': cyLock.headers.get('lock-token')! } })).status).toBe(204);
      const annLock = await dav(s.http, 'LOCK', '/acme/calendar/team/review.ics', { ...ANN, headers: XML, body: LOCKINFO });
      expect(annLock.status).toBe(200);
      expect((await dav(s.http, 'UNLOCK', '/acme/calendar/team/review.ics', { ...ANN, headers: { 'lock-token': annLock.headers.get('lock-token')! } })).status).toBe(204);
      expect((await dav(s.http, 'GET', `${team()}standup.ics`, CY)).status).toBe(404);
      expect((await report(CY, team(), query())).status).toBe(404);
      expect((await report(CY, team(), syncBody(token))).status).toBe(404);
      expect((await report(CY, '/acme/calendar/default/', syncBody(token))).status).toBe(403);
      expect(await annState()).not.toContain('mailto:cy@acme.test');
      const withoutInvites = (state: string) => state.replace(/<x:invite .*?<\/x:invite>/gs, '');
      expect(withoutInvites(await annState())).toBe(withoutInvites(before));
    });

    it('after unshare the former sharee’s query, free-busy and sync on the view are 404', async () => {
      const token = await syncToken(BOB, team());
      const remove = '<CS:share xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><CS:remove><D:href>mailto:bob@acme.test</D:href></CS:remove></CS:share>';
      expect((await post(ANN, '/acme/calendar/team/', remove)).status).toBe(200);
      expect((await report(BOB, team(), query())).status).toBe(404);
      expect((await report(BOB, team(), freeBusy('start="20270101T000000Z" end="20280101T000000Z"'))).status).toBe(404);
      expect((await report(BOB, team(), syncBody(token))).status).toBe(404);
      // Free-busy on bob's own home counts his calendars only.
      const home = await report(BOB, '/acme/calendar/', freeBusy('start="20270301T000000Z" end="20270302T000000Z"'));
      expect(home.status).toBe(200);
      expect(home.text).not.toMatch(/^FREEBUSY/m);
    });
  });

  describe('COPY and MOVE onto what cannot be replaced', () => {
    it.each([
      ['COPY', '/acme/calendar/team/standup.ics', '/acme/calendar/private/', '0'],
      ['MOVE', '/acme/calendar/team/standup.ics', '/acme/calendar/private/', '0'],
      ['COPY', '/acme/calendar/team/', '/acme/calendar/private/', 'infinity'],
      ['MOVE', '/acme/calendar/team/', '/acme/calendar/private/', 'infinity'],
      ['COPY', '/acme/calendar/team/', '/acme/calendar/private/secret.ics', 'infinity'],
    ])('%s %s onto %s is refused and deletes nothing', async (method, from, to, depth) => {
      const state = await annState();
      expect(state).toContain('SUMMARY:Secret');
      const answer = await dav(s.http, method, from, { ...ANN, headers: { destination: `${s.http}${to}`, overwrite: 'T', depth } });
      expect(answer.status).toBe(403);
      expect(await annState()).toBe(state);
    });
  });

  describe('a shared address book', () => {
    const VCARD = 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:dora\r\nFN:Dora\r\nEMAIL:dora@client.test\r\nEND:VCARD\r\n';
    const ab = '/acme/contacts/clients/';

    it('is read-only for a read sharee, whatever the method, and no calendar of theirs', async () => {
      const mkcol = '<D:mkcol xmlns:D="DAV:" xmlns:R="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype><D:collection/><R:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>';
      expect((await dav(s.http, 'MKCOL', ab, { ...ANN, headers: XML, body: mkcol })).status).toBe(201);
      expect((await dav(s.http, 'PUT', `${ab}dora.vcf`, { ...ANN, headers: { 'content-type': 'text/vcard' }, body: VCARD })).status).toBe(201);
      expect((await post(ANN, ab, csShare('mailto:bob@acme.test'))).status).toBe(200);
      const bookId = /^http:\/\/stoa\.invalid\/sync\/(.+)-\d+$/.exec(await syncToken(ANN, ab))![1]!;
      const view = `/acme/contacts/shared-${bookId}/`;
      expect((await dav(s.http, 'GET', `${view}dora.vcf`, BOB)).text).toContain('FN:Dora');
      expect((await dav(s.http, 'GET', `/acme/calendar/shared-${bookId}/dora.vcf`, BOB)).status).toBe(404);
      expect((await dav(s.http, 'PUT', `${view}dora.vcf`, { ...BOB, headers: { 'content-type': 'text/vcard' }, body: VCARD.replace('Dora', 'Mallory') })).status).toBe(403);
      expect((await dav(s.http, 'DELETE', `${view}dora.vcf`, BOB)).status).toBe(403);
      expect((await dav(s.http, 'MOVE', `${view}dora.vcf`, { ...BOB, headers: { destination: `${s.http}/acme/contacts/default/dora.vcf` } })).status).toBe(403);
      expect((await dav(s.http, 'COPY', `${view}dora.vcf`, { ...BOB, headers: { destination: `${s.http}/acme/contacts/default/dora.vcf` } })).status).toBe(201);
      expect((await dav(s.http, 'GET', `${ab}dora.vcf`, ANN)).text).toContain('FN:Dora');
      expect((await dav(s.http, 'GET', `${view}dora.vcf`, OLGA)).status).toBe(403);
    });
  });

  describe('bad objects over good ones', () => {
    it.each([
      ['not iCalendar', () => 'hello', 'valid-calendar-data'],
      ['not UTF-8', () => Buffer.from([0xff, 0xfe, 0x00, 0x41]), 'valid-calendar-data'],
      ['two UIDs', () => EVENT('standup', 'A').replace('END:VCALENDAR', `BEGIN:VEVENT${EVENT('other', 'B').split('BEGIN:VEVENT')[1]!}`), 'valid-calendar-object-resource'],
      ['over the size limit', () => EVENT('standup', 'x'.repeat(1024 * 1024)), 'max-resource-size'],
    ])('a PUT that is %s over an event is 403 and keeps the event', async (_name, body, condition) => {
      const state = await annState();
      const answer = await dav(s.http, 'PUT', '/acme/calendar/team/standup.ics', { ...ANN, headers: ICS, body: body() });
      expect(answer.status).toBe(403);
      expect(answer.text).toContain(condition);
      expect(await annState()).toBe(state);
    });
  });

  describe('report bodies', () => {
    it('an unknown report is 403 supported-report; unknown elements inside a known one are ignored', async () => {
      const unknown = await report(ANN, '/acme/calendar/team/', '<X:steal xmlns:X="urn:x"><X:href>/acme/calendar/private/secret.ics</X:href></X:steal>');
      expect(unknown.status).toBe(403);
      expect(unknown.text).toContain('supported-report');
      const extra = await report(ANN, '/acme/calendar/team/', query().replace('<D:prop>', '<X:junk xmlns:X="urn:x"/><D:prop><X:unknown-prop xmlns:X="urn:x"/>'));
      expect(extra.status).toBe(207);
      expect(extra.text).toContain('SUMMARY:Standup');
      expect(extra.text).not.toContain('Secret');
    });

    it('deeply nested and oversized REPORT bodies are 400 and 413, and the server goes on', async () => {
      const deep = `<C:calendar-query ${C}>${'<D:x>'.repeat(50_000)}${'</D:x>'.repeat(50_000)}</C:calendar-query>`;
      expect((await report(ANN, '/acme/calendar/team/', deep)).status).toBe(400);
      const huge = multiget(Array.from({ length: 20_000 }, (_, i) => `/acme/calendar/team/${i}-${'x'.repeat(40)}.ics`));
      expect((await report(ANN, '/acme/calendar/team/', huge)).status).toBe(413);
      expect((await report(ANN, '/acme/calendar/team/', query())).text).toContain('SUMMARY:Standup');
    });

    it.each([
      ['inverted', 'start="20280101T000000Z" end="20270101T000000Z"'],
      ['empty', 'start="20270101T000000Z" end="20270101T000000Z"'],
      ['impossible month', 'start="20271301T000000Z" end="20280101T000000Z"'],
      ['impossible day', 'start="20270230T000000Z" end="20280101T000000Z"'],
      ['not a date', 'start="tomorrow" end="20280101T000000Z"'],
    ])('free-busy-query with a %s range is 400', async (_name, range) => {
      expect((await report(ANN, '/acme/calendar/team/', freeBusy(range))).status).toBe(400);
    });

    it('free-busy-query over ten thousand years of a daily event answers promptly', async () => {
      expect((await dav(s.http, 'PUT', '/acme/calendar/private/daily.ics', { ...ANN, headers: ICS, body: EVENT('daily', 'Daily', ['RRULE:FREQ=MINUTELY']) })).status).toBe(201);
      const started = Date.now();
      const answer = await report(ANN, '/acme/calendar/private/', freeBusy('start="00010101T000000Z" end="99991231T235959Z"'));
      expect(answer.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect((await dav(s.http, 'DELETE', '/acme/calendar/private/daily.ics', ANN)).status).toBe(204);
    }, 60_000);

    it.each([
      ['limit-recurrence-set with an impossible date', '<C:limit-recurrence-set start="20271340T000000Z" end="20280101T000000Z"/>'],
      ['limit-recurrence-set with a local time', '<C:limit-recurrence-set start="20270101T000000" end="20280101T000000Z"/>'],
      ['expand without end', '<C:expand start="20270101T000000Z"/>'],
      ['expand without start', '<C:expand end="20270101T000000Z"/>'],
      ['expand inverted', '<C:expand start="20280101T000000Z" end="20270101T000000Z"/>'],
    ])('calendar-data with %s is 400', async (_name, inner) => {
      const body = `<C:calendar-multiget ${C}><D:prop><C:calendar-data>${inner}</C:calendar-data></D:prop><D:href>/acme/calendar/team/standup.ics</D:href></C:calendar-multiget>`;
      expect((await report(ANN, '/acme/calendar/team/', body)).status).toBe(400);
    });
  });

  describe('colleague principals', () => {
    it('a colleague deactivated through SCIM has no principal for others, and cannot be made a sharee', async () => {
      expect((await propfind(ANN, `/acme/principals/users/${ids.cy}/`, '<D:displayname/>')).status).toBe(207);
      const scim = new ScimClient(`${s.http}/acme/scim/v2`, (await s.stoaOk(['scim-token', 'acme'])).lastLine.trim());
      expect((await scim.patch(`/Users/${ids.cy}`, [{ op: 'replace', path: 'active', value: false }])).status).toBe(200);
      expect((await propfind(ANN, `/acme/principals/users/${ids.cy}/`, '<D:displayname/>')).status).toBe(404);
      expect((await post(ANN, '/acme/calendar/private/', csShare(`/acme/principals/users/${ids.cy}/`))).status).toBe(403);
      expect((await post(ANN, '/acme/calendar/private/', csShare('mailto:cy@acme.test'))).status).toBe(403);
      expect((await propfind(ANN, '/acme/calendar/private/', '<CS:invite/>')).text).not.toContain('cy@acme.test');
      expect((await dav(s.http, 'GET', `/acme/contacts/directory/${ids.cy}.vcf`, ANN)).status).toBe(404);
  });

  it('a deactivated owner’s shared calendar leaves the sharee’s home, and comes back with the owner', async () => {
    const scim = new ScimClient(`${s.http}/acme/scim/v2`, (await s.stoaOk(['scim-token', 'acme'])).lastLine.trim());
    expect((await post(ANN, '/acme/calendar/private/', csShare('mailto:bob@acme.test', 'read-write'))).status).toBe(200);
    const view = `/acme/calendar/shared-${privateId}/`;
    expect((await dav(s.http, 'GET', `${view}secret.ics`, BOB)).status).toBe(200);
    expect((await scim.patch(`/Users/${ids.ann}`, [{ op: 'replace', path: 'active', value: false }])).status).toBe(200);
    expect((await dav(s.http, 'GET', `${view}secret.ics`, BOB)).status).toBe(404);
    expect((await dav(s.http, 'PUT', `${view}bob.ics`, { ...BOB, headers: ICS, body: EVENT('bob-in-ann', 'Bob') })).status).toBe(409);
    expect((await propfind(BOB, '/acme/calendar/', '<D:displayname/>', '1')).text).not.toContain('shared-');
    expect((await scim.patch(`/Users/${ids.ann}`, [{ op: 'replace', path: 'active', value: true }])).status).toBe(200);
    expect((await dav(s.http, 'GET', `${view}secret.ics`, BOB)).status).toBe(200);
    });
  });
}

describe('on the embedded store', () => isolationSuites(() => ({})));

describeWithServers('on MongoDB', (mongo) => isolationSuites(() => ({ STOA_STORE_URL: `${mongo().url}/stoa_isolation` })));
