/**
 * Tenant isolation: a SCIM token of tenant "beta" never sees or changes tenant "acme". Another
 * tenant's base answers 404 (its existence does not leak), another tenant's ids are unknown, and
 * another tenant's users match no filter.
 */
import { randomUUID } from 'node:crypto';
import { startServer, type RunningServer } from '../helpers/server.ts';
import {
  GROUP_URN, ScimClient, createUser, expectList, expectScim, expectScimError, expectStatus, idsOf, memberIds, minimalUser, type Json, setupTenant,
} from './client.ts';

let s: RunningServer;
let acme: ScimClient;
let beta: ScimClient;
/** acme's base with beta's token. */
let betaOnAcme: ScimClient;
let aUser: Json;
let aGroup: Json;
let bUser: Json;

beforeAll(async () => {
  s = await startServer();
  acme = await setupTenant(s, 'acme', 'acme.test');
  beta = await setupTenant(s, 'beta', 'beta.test');
  betaOnAcme = new ScimClient(acme.base, beta.token);
  aUser = await createUser(acme, minimalUser('a-user@acme.test', { externalId: 'ext-shared', displayName: 'A User', emails: [{ value: 'a-user@acme.test', type: 'work', primary: true }] }));
  aGroup = expectScim(await acme.post('/Groups', { schemas: [GROUP_URN], displayName: 'Shared Name', externalId: 'ext-group', members: [{ value: aUser.id }] }), 201);
  bUser = await createUser(beta, minimalUser('b-user@beta.test', { externalId: 'ext-shared' }));
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

async function aUserNow(): Promise<Json> {
  return expectScim(await acme.get(`/Users/${aUser.id}`), 200);
}

async function aGroupNow(): Promise<Json> {
  return expectScim(await acme.get(`/Groups/${aGroup.id}`), 200);
}

describe("beta's token on acme's base answers 404, never 403", () => {
  test.each([
    ['GET', '/Users'],
    ['GET', '/Users?filter=userName%20eq%20%22a-user%40acme.test%22'],
    ['GET', '/Groups'],
    ['GET', '/ServiceProviderConfig'],
    ['GET', '/Schemas'],
    ['GET', '/ResourceTypes'],
  ])('%s %s', async (method, path) => {
    expectScimError(await betaOnAcme.request(method, path), 404);
  });

  test("GET of acme's user and group by id", async () => {
    expectScimError(await betaOnAcme.get(`/Users/${aUser.id}`), 404);
    expectScimError(await betaOnAcme.get(`/Groups/${aGroup.id}`), 404);
  });

  test('POST /Users creates nothing in acme', async () => {
    expectScimError(await betaOnAcme.post('/Users', minimalUser('intruder@acme.test')), 404);
    expect(expectList(await acme.list('Users', { filter: 'userName eq "intruder@acme.test"' })).total).toBe(0);
  });

  test("PATCH, PUT and DELETE of acme's user change nothing", async () => {
    const before = await aUserNow();
    expectScimError(await betaOnAcme.patch(`/Users/${aUser.id}`, [{ op: 'replace', value: { active: false, displayName: 'Hijacked' } }]), 404);
    expectScimError(await betaOnAcme.put(`/Users/${aUser.id}`, minimalUser('a-user@acme.test', { active: false })), 404);
    expectScimError(await betaOnAcme.delete(`/Users/${aUser.id}`), 404);
    expect(await aUserNow()).toEqual(before);
  });

  test("PATCH, PUT and DELETE of acme's group change nothing", async () => {
    const before = await aGroupNow();
    expectScimError(await betaOnAcme.patch(`/Groups/${aGroup.id}`, [{ op: 'remove', path: `members[value eq "${aUser.id}"]` }]), 404);
    expectScimError(await betaOnAcme.put(`/Groups/${aGroup.id}`, { schemas: [GROUP_URN], displayName: 'Hijacked', members: [] }), 404);
    expectScimError(await betaOnAcme.delete(`/Groups/${aGroup.id}`), 404);
    expect(await aGroupNow()).toEqual(before);
  });

  test('the tenant segment is matched case-insensitively, still 404 for beta', async () => {
    expectScimError(await beta.get(`${s.http}/ACME/scim/v2/Users/${aUser.id}`), 404);
  });
});

describe("beta's own base never reaches acme's resources", () => {
  test("GET /beta/scim/v2/Users/<acme's id> → 404", async () => {
    expectScimError(await beta.get(`/Users/${aUser.id}`), 404);
  });

  test("GET /beta/scim/v2/Groups/<acme's id> → 404", async () => {
    expectScimError(await beta.get(`/Groups/${aGroup.id}`), 404);
  });

  test("PATCH, PUT and DELETE through beta's base of acme's user → 404, nothing changes", async () => {
    const before = await aUserNow();
    expectScimError(await beta.patch(`/Users/${aUser.id}`, [{ op: 'replace', path: 'active', value: false }]), 404);
    expectScimError(await beta.put(`/Users/${aUser.id}`, minimalUser('b-other@beta.test')), 404);
    expectScimError(await beta.delete(`/Users/${aUser.id}`), 404);
    expect(await aUserNow()).toEqual(before);
  });

  test("PATCH, PUT and DELETE through beta's base of acme's group → 404, nothing changes", async () => {
    const before = await aGroupNow();
    expectScimError(await beta.patch(`/Groups/${aGroup.id}`, [{ op: 'replace', path: 'displayName', value: 'Hijacked' }]), 404);
    expectScimError(await beta.put(`/Groups/${aGroup.id}`, { schemas: [GROUP_URN], displayName: 'Hijacked' }), 404);
    expectScimError(await beta.delete(`/Groups/${aGroup.id}`), 404);
    expect(await aGroupNow()).toEqual(before);
  });

  test('filters find nothing of acme', async () => {
    for (const filter of [
      'userName eq "a-user@acme.test"',
      'emails.value eq "a-user@acme.test"',
      'emails[type eq "work"].value eq "a-user@acme.test"',
      `id eq "${aUser.id}"`,
      'userName ew "@acme.test"',
      'displayName eq "A User"',
    ]) {
      const { total, resources } = expectList(await beta.list('Users', { filter }));
      expect({ filter, total, resources }).toEqual({ filter, total: 0, resources: [] });
    }
    const groups = expectList(await beta.list('Groups', { filter: 'displayName eq "Shared Name"' }));
    expect(groups.total).toBe(0);
  });

  test('the same externalId in two tenants: each sees only its own user', async () => {
    const inBeta = expectList(await beta.list('Users', { filter: 'externalId eq "ext-shared"' }));
    expect(idsOf(inBeta.resources)).toEqual([bUser.id]);
    const inAcme = expectList(await acme.list('Users', { filter: 'externalId eq "ext-shared"' }));
    expect(idsOf(inAcme.resources)).toEqual([aUser.id]);
  });

  test('listing everything shows only beta\'s own', async () => {
    const users = expectList(await beta.list('Users', { count: 1000 }));
    expect(users.total).toBe(1);
    expect(idsOf(users.resources)).toEqual([bUser.id]);
    const groups = expectList(await beta.list('Groups'));
    expect(groups.total).toBe(0);
  });

  test("beta cannot create a user in acme's domain (400 invalidValue)", async () => {
    expectScimError(await beta.post('/Users', minimalUser('sneaky@acme.test')), 400, 'invalidValue');
    expect(expectList(await acme.list('Users', { filter: 'userName eq "sneaky@acme.test"' })).total).toBe(0);
  });

  test("beta cannot claim acme's address as an email", async () => {
    const res = await beta.post('/Users', minimalUser('claim@beta.test', { emails: [{ value: 'a-user@acme.test', type: 'work' }] }));
    if (res.status === 201) {
      // Accepted only as a plain attribute: acme's user keeps the address and nothing of acme changes.
      expect(idsOf(expectList(await acme.list('Users', { filter: 'userName eq "a-user@acme.test"' })).resources)).toEqual([aUser.id]);
      expect(expectList(await beta.list('Users', { filter: 'userName eq "a-user@acme.test"' })).total).toBe(0);
      expectStatus(await beta.delete(`/Users/${res.body.id}`), 204);
    } else {
      expectScimError(res, res.status);
      expect([400, 409]).toContain(res.status);
    }
  });

  test("beta cannot put acme's user into a beta group", async () => {
    const res = await beta.post('/Groups', { schemas: [GROUP_URN], displayName: 'Beta group', members: [{ value: aUser.id }] });
    if (res.status === 201) {
      // Created: then the foreign id must not have become a member.
      expect(memberIds(res.body)).toEqual([]);
    } else {
      expect([400, 404]).toContain(res.status);
      expectScimError(res, res.status);
    }
    const bGroup = expectScim(await beta.post('/Groups', { schemas: [GROUP_URN], displayName: `Beta ${randomUUID()}` }), 201);
    const patch = await beta.patch(`/Groups/${bGroup.id}`, [{ op: 'add', path: 'members', value: [{ value: aUser.id }] }]);
    if (patch.status >= 400) expect([400, 404]).toContain(patch.status);
    expect(memberIds(expectScim(await beta.get(`/Groups/${bGroup.id}`), 200))).toEqual([]);
    // acme's user is in no beta group.
    expect(((await aUserNow()).groups ?? []).map((g: Json) => g.value)).not.toContain(bGroup.id);
  });
});

describe('tokens', () => {
  test('a missing token → 401, a wrong one → 401, on either tenant', async () => {
    expectScimError(await acme.get('/Users', { token: null }), 401);
    expectScimError(await beta.get('/Users', { token: null }), 401);
    expectScimError(await acme.get('/Users', { token: 'wrong' }), 401);
    expectScimError(await acme.get(`/Users/${aUser.id}`, { token: randomUUID() }), 401);
  });

  test("acme's token on beta's base → 404", async () => {
    const acmeOnBeta = new ScimClient(beta.base, acme.token);
    expectScimError(await acmeOnBeta.get('/Users'), 404);
    expectScimError(await acmeOnBeta.get(`/Users/${bUser.id}`), 404);
  });

  test('a tenant that does not exist → 404 with a valid token', async () => {
    expectScimError(await acme.get(`${s.http}/nosuch/scim/v2/Users`), 404);
  });

  test('each token still works on its own base', async () => {
    expect(idsOf(expectList(await acme.list('Users', { filter: 'userName eq "a-user@acme.test"' })).resources)).toEqual([aUser.id]);
    expect(idsOf(expectList(await beta.list('Users', { filter: 'userName eq "b-user@beta.test"' })).resources)).toEqual([bUser.id]);
  });
});
