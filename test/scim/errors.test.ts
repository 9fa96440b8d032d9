/**
 * Every refusal of the SCIM front (RFC 7644 §3.12): the HTTP status, `application/scim+json`, the
 * Error schema, `status` as a string and the `scimType`; and that a refused request changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { startServer, type RunningServer } from '../helpers/server.ts';
import {
  ENTERPRISE_URN, GROUP_URN, USER_URN, createUser, expectList, expectScim, expectScimError, expectStatus, minimalUser, type Json, type ScimClient, setupTenant,
} from './client.ts';

let s: RunningServer;
let scim: ScimClient;
let ann: Json;
let group: Json;

beforeAll(async () => {
  s = await startServer();
  scim = await setupTenant(s, 'acme', 'acme.test');
  // A second domain of the tenant: both count as the tenant's.
  await s.stoaOk(['domain', 'add', 'acme', 'acme-two.test']);
  ann = await createUser(scim, minimalUser('ann@acme.test', {
    name: { givenName: 'Ann', familyName: 'Example' },
    displayName: 'Ann Example',
    emails: [{ value: 'ann@acme.test', type: 'work', primary: true }, { value: 'ann.second@acme.test', type: 'other' }],
  }));
  group = expectScim(await scim.post('/Groups', { schemas: [GROUP_URN], displayName: 'Errors group', members: [{ value: ann.id }] }), 201);
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

async function userCount(): Promise<number> {
  return expectList(await scim.list('Users', { count: 0 })).total;
}

async function snapshot(id: string): Promise<Json> {
  return expectScim(await scim.get(`/Users/${id}`), 200);
}

describe('authentication', () => {
  test('no Authorization header → 401 with WWW-Authenticate', async () => {
    const res = await scim.get('/Users', { token: null });
    expectScimError(res, 401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/i);
  });

  test('a wrong token → 401', async () => {
    expectScimError(await scim.get('/Users', { token: 'not-a-real-token' }), 401);
    expectScimError(await scim.get(`/Users/${ann.id}`, { token: `${scim.token}x` }), 401);
  });

  test('a Basic Authorization header → 401', async () => {
    const res = await scim.get('/Users', { token: null, headers: { Authorization: `Basic ${Buffer.from(`acme:${scim.token}`).toString('base64')}` } });
    expectScimError(res, 401);
  });

  test('a wrong token cannot create anything', async () => {
    const before = await userCount();
    expectScimError(await scim.post('/Users', minimalUser('intruder@acme.test'), { token: 'wrong' }), 401);
    expect(await userCount()).toBe(before);
  });
});

describe('unknown ids → 404', () => {
  const unknown = randomUUID();

  test.each([
    ['GET', `/Users/${unknown}`],
    ['GET', '/Users/not-a-uuid'],
    ['DELETE', `/Users/${unknown}`],
    ['GET', `/Groups/${unknown}`],
    ['DELETE', `/Groups/${unknown}`],
  ])('%s %s', async (method, path) => {
    expectScimError(await scim.request(method, path), 404);
  });

  test('PUT /Users/{unknown}', async () => {
    expectScimError(await scim.put(`/Users/${unknown}`, minimalUser('ghost@acme.test')), 404);
  });

  test('PATCH /Users/{unknown}', async () => {
    expectScimError(await scim.patch(`/Users/${unknown}`, [{ op: 'replace', path: 'displayName', value: 'x' }]), 404);
  });

  test('PUT and PATCH /Groups/{unknown}', async () => {
    expectScimError(await scim.put(`/Groups/${unknown}`, { schemas: [GROUP_URN], displayName: 'ghost' }), 404);
    expectScimError(await scim.patch(`/Groups/${unknown}`, [{ op: 'replace', path: 'displayName', value: 'x' }]), 404);
  });

  test('a 404 for PUT did not create the user', async () => {
    expect(expectList(await scim.list('Users', { filter: 'userName eq "ghost@acme.test"' })).total).toBe(0);
  });
});

describe('uniqueness → 409', () => {
  test('duplicate userName', async () => {
    expectScimError(await scim.post('/Users', minimalUser('ann@acme.test')), 409, 'uniqueness');
  });

  test('duplicate userName in another case (userName is not case-exact)', async () => {
    expectScimError(await scim.post('/Users', minimalUser('ANN@Acme.Test')), 409, 'uniqueness');
  });

  test('duplicate email (another user\'s userName as an email) leaves no user behind', async () => {
    const before = await userCount();
    const res = await scim.post('/Users', minimalUser('bob@acme.test', { emails: [{ value: 'ann@acme.test', type: 'work', primary: true }] }));
    expectScimError(res, 409, 'uniqueness');
    expect(expectList(await scim.list('Users', { filter: 'userName eq "bob@acme.test"' })).total).toBe(0);
    expect(await userCount()).toBe(before);
    // The name is still free: the refused POST left nothing that blocks it.
    const bob = await createUser(scim, minimalUser('bob@acme.test'));
    expectStatus(await scim.delete(`/Users/${bob.id}`), 204);
  });

  test('duplicate email (another user\'s second email)', async () => {
    const before = await userCount();
    expectScimError(await scim.post('/Users', minimalUser('carol@acme.test', { emails: [{ value: 'ann.second@acme.test', type: 'work' }] })), 409, 'uniqueness');
    expect(await userCount()).toBe(before);
  });

  test('a userName taken by another user\'s email', async () => {
    expectScimError(await scim.post('/Users', minimalUser('ann.second@acme.test')), 409, 'uniqueness');
  });

  test('concurrent POSTs of one userName: exactly one 201, the others 409 uniqueness, one user left', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => scim.post('/Users', minimalUser('race@acme.test'))));
    const created = answers.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    for (const res of answers.filter((r) => r.status !== 201)) expectScimError(res, 409, 'uniqueness');
    const { total, resources } = expectList(await scim.list('Users', { filter: 'userName eq "race@acme.test"' }));
    expect(total).toBe(1);
    expect(resources[0].id).toBe(created[0]?.body.id);
  });

  test('PATCH renaming a user to a taken userName → 409, and the user is unchanged', async () => {
    const dave = await createUser(scim, minimalUser('dave@acme.test'));
    const before = await snapshot(dave.id);
    expectScimError(await scim.patch(`/Users/${dave.id}`, [{ op: 'replace', path: 'userName', value: 'ann@acme.test' }]), 409, 'uniqueness');
    expect(await snapshot(dave.id)).toEqual(before);
  });
});

describe('filters → 400 invalidFilter', () => {
  test.each([
    'userName eq',
    'userName xx "a@acme.test"',
    '(userName eq "a@acme.test"',
    'userName eq "unterminated',
    'userName eq "a" and',
    'emails[type eq "work".value eq "a@acme.test"',
    'eq "a@acme.test"',
  ])('GET /Users?filter=%s', async (filter) => {
    expectScimError(await scim.list('Users', { filter }), 400, 'invalidFilter');
  });

  test('a bad filter on /Groups too', async () => {
    expectScimError(await scim.list('Groups', { filter: 'displayName eq' }), 400, 'invalidFilter');
  });
});

describe('wrong types → 400 invalidValue', () => {
  test('POST with active: "maybe"', async () => {
    const before = await userCount();
    expectScimError(await scim.post('/Users', minimalUser('erin@acme.test', { active: 'maybe' })), 400, 'invalidValue');
    expect(await userCount()).toBe(before);
  });

  test('POST with userName: 5', async () => {
    expectScimError(await scim.post('/Users', { schemas: [USER_URN], userName: 5 }), 400, 'invalidValue');
  });

  test('POST without userName (required)', async () => {
    expectScimError(await scim.post('/Users', { schemas: [USER_URN], displayName: 'Nobody' }), 400, 'invalidValue');
  });

  test('PUT with active: "maybe" leaves the user unchanged', async () => {
    const before = await snapshot(ann.id);
    expectScimError(await scim.put(`/Users/${ann.id}`, minimalUser('ann@acme.test', { active: 'maybe' })), 400, 'invalidValue');
    expect(await snapshot(ann.id)).toEqual(before);
  });

  test('PATCH replace active with "maybe"', async () => {
    expectScimError(await scim.patch(`/Users/${ann.id}`, [{ op: 'replace', path: 'active', value: 'maybe' }]), 400, 'invalidValue');
  });

  test.each([
    ['emails[].primary "maybe"', { emails: [{ value: 'frank@acme.test', primary: 'maybe' }] }],
    ['displayName as an array', { displayName: ['Frank', 'F'] }],
    ['name as a string', { name: 'Frank' }],
    ['externalId as a number', { externalId: 42 }],
    ['enterprise employeeNumber as a number', { schemas: [USER_URN, ENTERPRISE_URN], [ENTERPRISE_URN]: { employeeNumber: 42 } }],
  ] as Array<[string, Record<string, unknown>]>)('POST with %s', async (_label, extra) => {
    const before = await userCount();
    expectScimError(await scim.post('/Users', minimalUser('frank@acme.test', extra)), 400, 'invalidValue');
    expect(await userCount()).toBe(before);
  });
});

describe('userName outside the tenant\'s domains → 400 invalidValue', () => {
  test.each(['x@elsewhere.test', 'x@sub.acme.test', 'not-an-address', 'x@acme.test.evil'])('POST userName %s', async (name) => {
    const before = await userCount();
    expectScimError(await scim.post('/Users', minimalUser(name)), 400, 'invalidValue');
    expect(await userCount()).toBe(before);
  });

  test('a userName in the tenant\'s second domain is accepted', async () => {
    const user = await createUser(scim, minimalUser('gina@acme-two.test'));
    expect(user.userName).toBe('gina@acme-two.test');
  });

  test('PATCH renaming a user outside the domains → 400 invalidValue, unchanged', async () => {
    const before = await snapshot(ann.id);
    expectScimError(await scim.patch(`/Users/${ann.id}`, [{ op: 'replace', path: 'userName', value: 'ann@elsewhere.test' }]), 400, 'invalidValue');
    expect(await snapshot(ann.id)).toEqual(before);
  });
});

describe('read-only attributes → 400 mutability', () => {
  test('PATCH replace id', async () => {
    expectScimError(await scim.patch(`/Users/${ann.id}`, [{ op: 'replace', path: 'id', value: randomUUID() }]), 400, 'mutability');
  });

  test('PATCH replace meta', async () => {
    expectScimError(await scim.patch(`/Users/${ann.id}`, [{ op: 'replace', path: 'meta', value: { created: '2000-01-01T00:00:00Z', resourceType: 'User' } }]), 400, 'mutability');
  });

  test('PATCH replace meta.created', async () => {
    expectScimError(await scim.patch(`/Users/${ann.id}`, [{ op: 'replace', path: 'meta.created', value: '2000-01-01T00:00:00Z' }]), 400, 'mutability');
  });

  test('path-less PATCH replace with another id', async () => {
    expectScimError(await scim.patch(`/Users/${ann.id}`, [{ op: 'replace', value: { id: randomUUID() } }]), 400, 'mutability');
  });

  test('PATCH replace id of a group', async () => {
    expectScimError(await scim.patch(`/Groups/${group.id}`, [{ op: 'replace', path: 'id', value: randomUUID() }]), 400, 'mutability');
  });

  test('after all that, the user\'s id and meta.created are what they were', async () => {
    const now = await snapshot(ann.id);
    expect(now.id).toBe(ann.id);
    expect(now.meta.created).toBe(ann.meta.created);
    expect(expectScim(await scim.get(`/Groups/${group.id}`), 200).id).toBe(group.id);
  });
});

describe('bad input never half-applies', () => {
  test('a PATCH whose later operation has a wrong type leaves the user exactly as before', async () => {
    const before = await snapshot(ann.id);
    const res = await scim.patch(`/Users/${ann.id}`, [
      { op: 'replace', path: 'displayName', value: 'Changed Name' },
      { op: 'add', path: 'title', value: 'Changed Title' },
      { op: 'replace', path: 'active', value: 'maybe' },
    ]);
    expectScimError(res, 400, 'invalidValue');
    expect(await snapshot(ann.id)).toEqual(before);
  });

  test('a PATCH whose later operation changes a read-only attribute leaves the user exactly as before', async () => {
    const before = await snapshot(ann.id);
    const res = await scim.patch(`/Users/${ann.id}`, [
      { op: 'replace', path: 'name.givenName', value: 'Changed' },
      { op: 'replace', path: 'id', value: randomUUID() },
    ]);
    expectScimError(res, 400, 'mutability');
    expect(await snapshot(ann.id)).toEqual(before);
  });

  test('a PATCH whose later operation is a remove without a path (noTarget) leaves the user as before', async () => {
    const before = await snapshot(ann.id);
    const res = await scim.patch(`/Users/${ann.id}`, [
      { op: 'replace', path: 'displayName', value: 'Changed Again' },
      { op: 'remove' },
    ]);
    expectScimError(res, 400, 'noTarget');
    expect(await snapshot(ann.id)).toEqual(before);
  });

  test('a group PATCH whose later operation is invalid leaves the members as they were', async () => {
    const before = expectScim(await scim.get(`/Groups/${group.id}`), 200);
    const res = await scim.patch(`/Groups/${group.id}`, [
      { op: 'remove', path: `members[value eq "${ann.id}"]` },
      { op: 'replace', path: 'id', value: randomUUID() },
    ]);
    expectScimError(res, 400, 'mutability');
    expect(expectScim(await scim.get(`/Groups/${group.id}`), 200)).toEqual(before);
  });
});

describe('ETags (RFC 7644 §3.14)', () => {
  test('PATCH and PUT with a stale If-Match → 412, nothing changes; the current ETag works', async () => {
    const before = await snapshot(ann.id);
    const current = (await scim.get(`/Users/${ann.id}`)).headers.get('etag') ?? '';
    expect(current).toMatch(/^(W\/)?".+"$/);
    const stale = 'W/"0"';
    expectScimError(await scim.patch(`/Users/${ann.id}`, [{ op: 'replace', path: 'title', value: 'Stale' }], { headers: { 'If-Match': stale } }), 412);
    expectScimError(await scim.put(`/Users/${ann.id}`, minimalUser('ann@acme.test', { title: 'Stale' }), { headers: { 'If-Match': stale } }), 412);
    expectScimError(await scim.delete(`/Users/${ann.id}`, { headers: { 'If-Match': stale } }), 412);
    expect(await snapshot(ann.id)).toEqual(before);

    const res = await scim.patch(`/Users/${ann.id}`, [{ op: 'replace', path: 'title', value: 'Fresh' }], { headers: { 'If-Match': current } });
    expectScim(res, 200);
    expect(res.headers.get('etag')).not.toBe(current);
    expect((await snapshot(ann.id)).title).toBe('Fresh');
  });
});

describe('malformed bodies → 400 with a SCIM error body', () => {
  test('POST with malformed JSON (application/scim+json)', async () => {
    const before = await userCount();
    expectScimError(await scim.request('POST', '/Users', { raw: '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": ' }), 400, 'invalidSyntax');
    expect(await userCount()).toBe(before);
  });

  test('PATCH with malformed JSON (application/json)', async () => {
    const before = await snapshot(ann.id);
    expectScimError(await scim.request('PATCH', `/Users/${ann.id}`, { raw: '{"Operations": [', headers: { 'Content-Type': 'application/json' } }), 400, 'invalidSyntax');
    expect(await snapshot(ann.id)).toEqual(before);
  });

  test('a well-formed body sent as application/json is accepted too', async () => {
    const res = await scim.post('/Users', minimalUser('json@acme.test'), { headers: { 'Content-Type': 'application/json' } });
    expect(expectScim(res, 201).userName).toBe('json@acme.test');
  });

  test('PUT with malformed JSON', async () => {
    expectScimError(await scim.request('PUT', `/Users/${ann.id}`, { raw: 'not json at all' }), 400, 'invalidSyntax');
  });
});
