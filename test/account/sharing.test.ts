/**
 * The sharing page over plain HTTP against the running server: sharing a calendar with a colleague
 * (who finds it in their DAV home), the owner removing a sharee, a sharee dropping a share from
 * their account, refusals (unknown address, another tenant's address read exactly alike, oneself,
 * a collection not one's own, a form without the CSRF token) with nothing stored.
 */
import { dav, PASSWORD, startDavServer } from '../dav/setup.ts';
import type { RunningServer } from '../helpers/server.ts';
import { csrfOf, Visitor } from './visitor.ts';

let s: RunningServer;

beforeAll(async () => {
  ({ s } = await startDavServer());
}, 120_000);

afterAll(async () => {
  await s?.stop();
});

async function signedIn(address: string): Promise<Visitor> {
  const v = new Visitor(s.http);
  const answer = await v.signIn(address, PASSWORD);
  expect({ status: answer.status, location: answer.location }).toEqual({ status: 303, location: '/account' });
  return v;
}

/** The sharing page, expected to load. */
async function sharingPage(v: Visitor): Promise<string> {
  const answer = await v.get('/account/sharing');
  expect(answer.status).toBe(200);
  return answer.body;
}

/** The id of one's own collection of that heading (e.g. `Calendar (calendar)`), from its share form. */
function ownCollectionId(page: string, heading: string): string {
  const at = page.indexOf(`>${heading}</h3>`);
  expect(at).toBeGreaterThan(-1);
  return /name="collection" value="([^"]+)"/.exec(page.slice(at))![1]!;
}

/** The section of one's own collection of that heading, up to the next one. */
function ownSection(page: string, heading: string): string {
  const from = page.indexOf(`>${heading}</h3>`);
  return page.slice(from, page.indexOf('</section>', from));
}

function sharedWithMe(page: string): string {
  return page.slice(page.indexOf('id="shared-title"'));
}

/** The `shared-…` collections in a user's DAV home (PROPFIND depth 1 with Basic). */
async function sharedInHome(user: string, home: string): Promise<string[]> {
  const listing = await dav(s.http, 'PROPFIND', home, { user, headers: { depth: '1' } });
  expect(listing.status).toBe(207);
  return [...listing.text.matchAll(/<D:href>([^<]*\/shared-[^<]*)<\/D:href>/g)].map((m) => m[1]!);
}

async function share(v: Visitor, collection: string, address: string, access: string) {
  const page = await sharingPage(v);
  return v.post('/account/sharing/share', { collection, address, access, csrf: csrfOf(page) });
}

describe('the sharing page', () => {
  let ann: Visitor;
  let annCalendar: string;

  beforeAll(async () => {
    ann = await signedIn('ann@acme.test');
  });

  test('is linked from the account page and lists the own calendar and address book, not shared yet', async () => {
    expect((await ann.get('/account')).body).toContain('<a href="/account/sharing">Sharing</a>');
    const page = await sharingPage(ann);
    expect(page).toContain('>Contacts (address book)</h3>');
    annCalendar = ownCollectionId(page, 'Calendar (calendar)');
    expect(ownSection(page, 'Calendar (calendar)')).toContain('Not shared.');
    expect(sharedWithMe(page)).toContain('Nothing yet.');
    expect(page).not.toMatch(/<script/i);
    expect((await new Visitor(s.http).get('/account/sharing')).location).toBe('/account/login');
  });

  test('shares the calendar read-only with Bob: listed on the page, in Bob\'s DAV home and on his page', async () => {
    const answer = await share(ann, annCalendar, 'Bob@Acme.test', 'read');
    expect({ status: answer.status, location: answer.location }).toEqual({ status: 303, location: '/account/sharing' });
    const section = ownSection(await sharingPage(ann), 'Calendar (calendar)');
    expect(section).toMatch(/<td>bob@acme\.test<\/td><td>can view<\/td>/);

    expect(await sharedInHome('bob@acme.test', '/acme/calendar/')).toEqual([`/acme/calendar/shared-${annCalendar}/`]);
    const bobPage = await sharingPage(await signedIn('bob@acme.test'));
    expect(sharedWithMe(bobPage)).toMatch(/<td>Calendar \(calendar\)<\/td><td>ann@acme\.test<\/td><td>can view<\/td>/);
  });

  test('another tenant\'s address is refused exactly like an unknown one; oneself is refused; nothing is stored', async () => {
    const unknown = await share(ann, annCalendar, 'nosuch@acme.test', 'read-write');
    const otherTenant = await share(ann, annCalendar, 'olga@other.test', 'read-write');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('No colleague in your organisation has that address. Nothing was shared.');
    expect({ status: otherTenant.status, body: otherTenant.body }).toEqual({ status: unknown.status, body: unknown.body });
    const self = await share(ann, annCalendar, 'ann@acme.test', 'read');
    expect({ status: self.status, refused: self.body.includes('You cannot share with yourself.') }).toEqual({ status: 400, refused: true });
    const badAccess = await share(ann, annCalendar, 'cy@acme.test', 'owner');
    expect(badAccess.status).toBe(400);

    const section = ownSection(await sharingPage(ann), 'Calendar (calendar)');
    expect(section.match(/<td>[^<]+@[^<]+<\/td>/g)).toEqual(['<td>bob@acme.test</td>']);
    expect(await sharedInHome('olga@other.test', '/other/calendar/')).toEqual([]);
    expect(await sharedInHome('cy@acme.test', '/acme/calendar/')).toEqual([]);
  });

  test('a form without the session\'s CSRF token gets 403 and changes nothing', async () => {
    const forged = await ann.post('/account/sharing/share', { collection: annCalendar, address: 'cy@acme.test', access: 'read' });
    expect(forged.status).toBe(403);
    const page = await sharingPage(ann);
    const bobId = /name="sharee" value="([^"]+)"/.exec(page)![1]!;
    const wrongToken = await ann.post('/account/sharing/remove', { collection: annCalendar, sharee: bobId, csrf: 'x'.repeat(43) });
    expect(wrongToken.status).toBe(403);
    expect(await sharedInHome('cy@acme.test', '/acme/calendar/')).toEqual([]);
    expect(await sharedInHome('bob@acme.test', '/acme/calendar/')).toHaveLength(1);
  });

  test('another user\'s collection cannot be shared from one\'s own page', async () => {
    const cy = await signedIn('cy@acme.test');
    const answer = await share(cy, annCalendar, 'bob@acme.test', 'read-write');
    expect(answer.status).toBe(404);
    expect(answer.body).toContain('You have no such calendar or address book.');
  });

  test('Ann removes Bob: gone from his DAV home and from her page', async () => {
    const page = await sharingPage(ann);
    const bobId = /name="sharee" value="([^"]+)"/.exec(page)![1]!;
    const answer = await ann.post('/account/sharing/remove', { collection: annCalendar, sharee: bobId, csrf: csrfOf(page) });
    expect({ status: answer.status, location: answer.location }).toEqual({ status: 303, location: '/account/sharing' });
    expect(ownSection(await sharingPage(ann), 'Calendar (calendar)')).toContain('Not shared.');
    expect(await sharedInHome('bob@acme.test', '/acme/calendar/')).toEqual([]);
  });

  test('Bob removes Cy\'s shared address book from his account; Cy keeps it, no longer shared', async () => {
    const cy = await signedIn('cy@acme.test');
    const contacts = ownCollectionId(await sharingPage(cy), 'Contacts (address book)');
    expect((await share(cy, contacts, 'bob@acme.test', 'read-write')).status).toBe(303);
    expect(await sharedInHome('bob@acme.test', '/acme/contacts/')).toEqual([`/acme/contacts/shared-${contacts}/`]);

    const bob = await signedIn('bob@acme.test');
    const page = await sharingPage(bob);
    expect(sharedWithMe(page)).toMatch(/<td>Contacts \(address book\)<\/td><td>cy@acme\.test<\/td><td>can view and edit<\/td>/);
    const notShared = await bob.post('/account/sharing/unsubscribe', { collection: annCalendar, csrf: csrfOf(page) });
    expect(notShared.status).toBe(404);
    const answer = await bob.post('/account/sharing/unsubscribe', { collection: contacts, csrf: csrfOf(page) });
    expect({ status: answer.status, location: answer.location }).toEqual({ status: 303, location: '/account/sharing' });

    expect(sharedWithMe(await sharingPage(bob))).toContain('Nothing yet.');
    expect(await sharedInHome('bob@acme.test', '/acme/contacts/')).toEqual([]);
    expect(ownSection(await sharingPage(cy), 'Contacts (address book)')).toContain('Not shared.');
  });
});
