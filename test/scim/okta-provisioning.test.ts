/**
 * Okta's SCIM 2.0 provisioning sequence, replayed request by request: the setup probes, the
 * `userName eq` lookup with `startIndex=1&count=100`, create (with `password` and an empty
 * `groups`), read, full PUT replace, deactivation by PUT and by path-less PATCH (never DELETE),
 * and Group Push.
 */
import { startServer, type RunningServer } from '../helpers/server.ts';
import {
  GROUP_URN, USER_URN, expectList, expectScim, expectScimError, expectStatus, memberIds, type Json, type ScimClient, setupTenant,
} from './client.ts';

let s: RunningServer;
let scim: ScimClient;

const userName = 'test.user@acme.test';
const memberA = 'okta.a@acme.test';
const memberB = 'okta.b@acme.test';
const groupName = 'Test SCIMv2';

let userId = '';
let aId = '';
let bId = '';
let groupId = '';

beforeAll(async () => {
  s = await startServer();
  scim = await setupTenant(s, 'acme', 'acme.test');
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

/** Okta's lookup, encoded as Okta encodes it: `?filter=userName%20eq%20%22…%22&startIndex=1&count=100`. */
function oktaLookup(name: string) {
  return scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}&startIndex=1&count=100`);
}

async function getUser(id: string): Promise<Json> {
  return expectScim(await scim.get(`/Users/${id}`), 200);
}

async function getGroup(id: string): Promise<Json> {
  return expectScim(await scim.get(`/Groups/${id}`), 200);
}

/** The body Okta POSTs for a new user. */
function oktaUser(name: string, given: string, family: string, externalId: string): Record<string, unknown> {
  return {
    schemas: [USER_URN],
    userName: name,
    name: { givenName: given, familyName: family },
    emails: [{ primary: true, value: name, type: 'work' }],
    displayName: `${given} ${family}`,
    locale: 'en-US',
    externalId,
    groups: [],
    password: '1mz050nq-Long-Enough',
    active: true,
  };
}

describe('Okta: setting up the integration', () => {
  test('GET /Users?startIndex=1&count=2 answers a ListResponse', async () => {
    const { total, body } = expectList(await scim.get('/Users?startIndex=1&count=2'));
    expect(total).toBe(0);
    expect(body.startIndex).toBe(1);
  });

  test('GET /Groups?startIndex=1&count=100 answers a ListResponse', async () => {
    const { total } = expectList(await scim.get('/Groups?startIndex=1&count=100'));
    expect(total).toBe(0);
  });
});

describe('Okta: user lifecycle', () => {
  test('the userName lookup for a new user answers an empty ListResponse', async () => {
    const res = await oktaLookup(userName);
    expect(res.url).toContain('filter=userName%20eq%20%22test.user%40acme.test%22&startIndex=1&count=100');
    const { total, resources, body } = expectList(res);
    expect(total).toBe(0);
    expect(resources).toEqual([]);
    expect(body.startIndex).toBe(1);
  });

  test('POST creates the user: 201, Location, ETag, and the password is never returned', async () => {
    const res = await scim.post('/Users', oktaUser(userName, 'Test', 'User', '00ujl29u0le5T6Aj10h7'));
    const body = expectScim(res, 201);
    userId = body.id;
    expect(typeof userId).toBe('string');
    expect(body).toMatchObject({
      userName,
      name: { givenName: 'Test', familyName: 'User' },
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      active: true,
    });
    expect(body.emails).toEqual([expect.objectContaining({ primary: true, value: userName, type: 'work' })]);
    expect(body).not.toHaveProperty('password');
    expect(res.headers.get('location')).toBe(body.meta.location);
    expect(res.headers.get('location')).toMatch(new RegExp(`/acme/scim/v2/Users/${userId}$`));
    expect(res.headers.get('etag')).toMatch(/^(W\/)?".+"$/);
  });

  test('GET by id returns the user without its password', async () => {
    const user = await getUser(userId);
    expect(user).toMatchObject({ id: userId, userName, active: true, externalId: '00ujl29u0le5T6Aj10h7', locale: 'en-US' });
    expect(user).not.toHaveProperty('password');
  });

  test('the userName lookup now finds exactly that user', async () => {
    const { total, resources } = expectList(await oktaLookup(userName));
    expect(total).toBe(1);
    expect(resources).toHaveLength(1);
    expect(resources[0].id).toBe(userId);
  });

  test('PUT replaces the profile (Okta sends the whole user back, with its id and an empty groups)', async () => {
    const res = await scim.put(`/Users/${userId}`, {
      schemas: [USER_URN],
      id: userId,
      userName,
      name: { givenName: 'Another', middleName: 'Middle', familyName: 'User' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'Another User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      active: true,
    });
    const body = expectScim(res, 200);
    expect(body).toMatchObject({ id: userId, displayName: 'Another User', name: { givenName: 'Another', middleName: 'Middle', familyName: 'User' }, active: true });
    expect(res.headers.get('etag')).toMatch(/^(W\/)?".+"$/);
    const user = await getUser(userId);
    expect(user).toMatchObject({ displayName: 'Another User', name: { givenName: 'Another', middleName: 'Middle', familyName: 'User' } });
  });

  test('PUT with active:false deactivates; the user is still found by the lookup, inactive', async () => {
    const body = expectScim(await scim.put(`/Users/${userId}`, { ...oktaUser(userName, 'Another', 'User', '00ujl29u0le5T6Aj10h7'), id: userId, password: undefined, active: false }), 200);
    expect(body.active).toBe(false);
    expect((await getUser(userId)).active).toBe(false);
    const { total, resources } = expectList(await oktaLookup(userName));
    expect(total).toBe(1);
    expect(resources[0].active).toBe(false);
  });

  test('PATCH {"op":"replace","value":{"active":true}} reactivates', async () => {
    const body = expectScim(await scim.patch(`/Users/${userId}`, [{ op: 'replace', value: { active: true } }]), 200);
    expect(body.active).toBe(true);
    expect((await getUser(userId)).active).toBe(true);
  });

  test('PATCH {"op":"replace","value":{"active":false}} deactivates, and changes nothing else', async () => {
    const before = await getUser(userId);
    const body = expectScim(await scim.patch(`/Users/${userId}`, [{ op: 'replace', value: { active: false } }]), 200);
    expect(body.active).toBe(false);
    const after = await getUser(userId);
    expect(after.active).toBe(false);
    expect(after).toMatchObject({ userName: before.userName, name: before.name, displayName: before.displayName, emails: before.emails, externalId: before.externalId });
  });

  test('a second POST of the same userName answers 409 uniqueness (Okta then links to the existing user)', async () => {
    expectScimError(await scim.post('/Users', oktaUser(userName, 'Test', 'User', 'another-okta-id')), 409, 'uniqueness');
  });
});

describe('Okta: Group Push', () => {
  beforeAll(async () => {
    aId = expectScim(await scim.post('/Users', oktaUser(memberA, 'Ann', 'A', '00uA')), 201).id;
    bId = expectScim(await scim.post('/Users', oktaUser(memberB, 'Bob', 'B', '00uB')), 201).id;
  });

  test('POST /Groups with no members: 201, Location, ETag', async () => {
    const res = await scim.post('/Groups', { schemas: [GROUP_URN], displayName: groupName, members: [] });
    const body = expectScim(res, 201);
    groupId = body.id;
    expect(typeof groupId).toBe('string');
    expect(body.displayName).toBe(groupName);
    expect(memberIds(body)).toEqual([]);
    expect(res.headers.get('location')).toMatch(new RegExp(`/acme/scim/v2/Groups/${groupId}$`));
    expect(res.headers.get('etag')).toMatch(/^(W\/)?".+"$/);
  });

  test('GET /Groups/{id}?excludedAttributes=members', async () => {
    const body = expectScim(await scim.get(`/Groups/${groupId}?excludedAttributes=members`), 200);
    expect(body).toMatchObject({ id: groupId, displayName: groupName });
    expect(body).not.toHaveProperty('members');
  });

  test('PATCH path-less replace {id, displayName} renames (the id is the group\'s own)', async () => {
    const res = await scim.patch(`/Groups/${groupId}`, [{ op: 'replace', value: { id: groupId, displayName: `${groupName} renamed` } }]);
    expectStatus(res, [200, 204]);
    const group = await getGroup(groupId);
    expect(group.id).toBe(groupId);
    expect(group.displayName).toBe(`${groupName} renamed`);
  });

  test('PATCH add members', async () => {
    const res = await scim.patch(`/Groups/${groupId}`, [{
      op: 'add', path: 'members', value: [{ value: aId, display: memberA }, { value: bId, display: memberB }],
    }]);
    expectStatus(res, [200, 204]);
    expect(memberIds(await getGroup(groupId))).toEqual([aId, bId].sort());
  });

  test('PATCH remove members[value eq "…"]', async () => {
    const res = await scim.patch(`/Groups/${groupId}`, [{ op: 'remove', path: `members[value eq "${aId}"]` }]);
    expectStatus(res, [200, 204]);
    expect(memberIds(await getGroup(groupId))).toEqual([bId]);
  });

  test('PUT with a new member list replaces the members', async () => {
    const res = await scim.put(`/Groups/${groupId}`, {
      schemas: [GROUP_URN], id: groupId, displayName: `${groupName} renamed`, members: [{ value: aId, display: memberA }],
    });
    const body = expectScim(res, 200);
    expect(memberIds(body)).toEqual([aId]);
    expect(memberIds(await getGroup(groupId))).toEqual([aId]);
  });

  test('GET /Groups?excludedAttributes=members&startIndex=1&count=100 lists groups without members', async () => {
    const { total, resources } = expectList(await scim.get('/Groups?excludedAttributes=members&startIndex=1&count=100'));
    expect(total).toBe(1);
    expect(resources[0]).toMatchObject({ id: groupId, displayName: `${groupName} renamed` });
    for (const group of resources) expect(group).not.toHaveProperty('members');
  });

  test('GET /Groups by displayName filter finds the group, with its members', async () => {
    const { total, resources } = expectList(await scim.get(`/Groups?filter=${encodeURIComponent(`displayName eq "${groupName} renamed"`)}&startIndex=1&count=100`));
    expect(total).toBe(1);
    expect(memberIds(resources[0])).toEqual([aId]);
  });

  test('a deactivated member stays a member (Okta deactivates, it does not delete)', async () => {
    expectScim(await scim.patch(`/Users/${aId}`, [{ op: 'replace', value: { active: false } }]), 200);
    expect(memberIds(await getGroup(groupId))).toEqual([aId]);
  });

  test('DELETE /Groups/{id} answers 204; the users stay', async () => {
    expectStatus(await scim.delete(`/Groups/${groupId}`), 204);
    expectScimError(await scim.get(`/Groups/${groupId}`), 404);
    expect((await getUser(aId)).id).toBe(aId);
  });
});
