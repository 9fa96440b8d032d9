/**
 * Microsoft Entra ID's provisioning sequence, replayed request by request in the shapes Entra sends
 * (capitalised ops, `"True"`/`"False"` strings, path-less replace with dotted and URN keys, `meta`
 * in POST bodies, `$ref: null` in member values, manager as a plain string, filters with `+` for
 * spaces in the query string).
 */
import { randomUUID } from 'node:crypto';
import { startServer, type RunningServer } from '../helpers/server.ts';
import {
  ENTERPRISE_URN, GROUP_URN, USER_URN, enterpriseOf, expectList, expectScim, expectScimError, expectStatus, memberIds,
  type Json, type ScimClient, setupTenant,
} from './client.ts';

let s: RunningServer;
let scim: ScimClient;

// Entra's test users are named Test_User_<guid>; here they must be addresses in the tenant's domain.
const userName = `Test_User_${randomUUID()}@acme.test`;
const renamed = `${randomUUID()}@acme.test`;
const managerName = `Manager_${randomUUID()}@acme.test`;
const otherName = `Other_${randomUUID()}@acme.test`;
const groupName = `Group_${randomUUID()}`;

let userId = '';
let managerId = '';
let otherId = '';
let groupId = '';
let groupWithMembersId = '';

beforeAll(async () => {
  s = await startServer();
  scim = await setupTenant(s, 'acme', 'acme.test');
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

/** Entra's "does this user exist" probe: `GET /Users?filter=userName+eq+"…"`. */
function byUserName(name: string) {
  return scim.list('Users', { filter: `userName eq "${name}"` });
}

async function getUser(id: string): Promise<Json> {
  return expectScim(await scim.get(`/Users/${id}`), 200);
}

async function getGroup(id: string): Promise<Json> {
  return expectScim(await scim.get(`/Groups/${id}`), 200);
}

describe('Entra ID user provisioning', () => {
  test('the "does the user exist" query answers an empty ListResponse', async () => {
    const res = await byUserName(userName);
    expect(res.url).toContain('filter=userName+eq+%22');
    const { total, resources } = expectList(res);
    expect(total).toBe(0);
    expect(resources).toEqual([]);
  });

  test('a query for a user that never existed also answers an empty ListResponse', async () => {
    const { total, resources } = expectList(await byUserName('non-existent user'));
    expect(total).toBe(0);
    expect(resources).toEqual([]);
  });

  test('POST creates the user as Entra sends it (enterprise schema, meta, empty roles): 201 with Location and ETag', async () => {
    const res = await scim.post('/Users', {
      schemas: [USER_URN, ENTERPRISE_URN],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName,
      active: true,
      emails: [{ primary: true, type: 'work', value: userName.toLowerCase() }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
    });
    const body = expectScim(res, 201);
    expect(typeof body.id).toBe('string');
    expect(body.id).not.toBe('');
    userId = body.id;
    expect(body.schemas).toContain(USER_URN);
    expect(String(body.userName).toLowerCase()).toBe(userName.toLowerCase());
    expect(body.externalId).toBe('0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef');
    expect(body.active).toBe(true);
    expect(body.name).toMatchObject({ familyName: 'familyName', givenName: 'givenName' });
    expect(body.meta).toMatchObject({ resourceType: 'User' });
    expect(body.meta.location).toMatch(new RegExp(`/acme/scim/v2/Users/${userId}$`));
    expect(res.headers.get('location')).toBe(body.meta.location);
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^(W\/)?".+"$/);
    if (body.meta.version !== undefined) expect(etag).toBe(body.meta.version);
  });

  test('GET by filter finds exactly that user, as a ListResponse of one', async () => {
    const { total, resources } = expectList(await byUserName(userName));
    expect(total).toBe(1);
    expect(resources).toHaveLength(1);
    expect(resources[0].id).toBe(userId);
    expect(resources[0].active).toBe(true);
  });

  test('GET by id returns the user', async () => {
    const res = await scim.get(`/Users/${userId}`);
    const body = expectScim(res, 200);
    expect(body.id).toBe(userId);
    expect(String(body.userName).toLowerCase()).toBe(userName.toLowerCase());
    expect(res.headers.get('etag')).toMatch(/^(W\/)?".+"$/);
  });

  test('the user can get an app password while live', async () => {
    const result = await s.stoa(['apppass', 'add', userName.toLowerCase(), 'Entra test phone']);
    expect(result.code).toBe(0);
    expect(result.lastLine.length).toBeGreaterThan(8);
  });

  test('PATCH Replace with value-filter and dotted paths (multi-valued properties)', async () => {
    const res = await scim.patch(`/Users/${userId}`, [
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedemail@acme.test' },
      { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
    ]);
    expectScim(res, 200);
    const user = await getUser(userId);
    const work = (user.emails as Json[]).filter((e: Json) => e.type === 'work');
    expect(work).toHaveLength(1);
    expect(work[0].value).toBe('updatedemail@acme.test');
    expect(user.name.familyName).toBe('updatedFamilyName');
    expect(user.name.givenName).toBe('givenName');
  });

  test('PATCH Replace userName (single-valued property)', async () => {
    expectScim(await scim.patch(`/Users/${userId}`, [{ op: 'Replace', path: 'userName', value: renamed }]), 200);
    const user = await getUser(userId);
    expect(String(user.userName).toLowerCase()).toBe(renamed);
    expect(expectList(await byUserName(renamed)).total).toBe(1);
    expect(expectList(await byUserName(userName)).total).toBe(0);
  });

  test('PATCH Add with a path, and Add/Remove of a simple attribute', async () => {
    expectScim(await scim.patch(`/Users/${userId}`, [
      { op: 'Add', path: 'title', value: 'Engineer' },
      { op: 'Add', path: `${ENTERPRISE_URN}:department`, value: 'Research' },
      { op: 'Add', path: 'nickName', value: 'Babs' },
    ]), 200);
    let user = await getUser(userId);
    expect(user.title).toBe('Engineer');
    expect(user.nickName).toBe('Babs');
    expect(enterpriseOf(user)?.department).toBe('Research');
    expect(user.schemas).toContain(ENTERPRISE_URN);

    expectScim(await scim.patch(`/Users/${userId}`, [{ op: 'Remove', path: 'nickName' }]), 200);
    user = await getUser(userId);
    expect(user.nickName).toBeUndefined();
    expect(user.title).toBe('Engineer');
  });

  test('PATCH Add without a path merges the value object', async () => {
    expectScim(await scim.patch(`/Users/${userId}`, [{ op: 'Add', value: { preferredLanguage: 'en-US', 'name.middleName': 'M' } }]), 200);
    const user = await getUser(userId);
    expect(user.preferredLanguage).toBe('en-US');
    expect(user.name).toMatchObject({ middleName: 'M', givenName: 'givenName', familyName: 'updatedFamilyName' });
  });

  test('PATCH Add with a value filter on an attribute that has no such entry yet (phone, address)', async () => {
    expectScim(await scim.patch(`/Users/${userId}`, [
      { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0100' },
      { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Redmond' },
    ]), 200);
    const user = await getUser(userId);
    expect(user.phoneNumbers).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'work', value: '+1 555 0100' })]));
    expect(user.addresses).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'work', locality: 'Redmond' })]));
  });

  test('path-less Replace with dotted and URN keys changes only what it names', async () => {
    const res = await scim.patch(`/Users/${userId}`, [{
      op: 'Replace',
      value: {
        displayName: 'Barbara Jensen',
        'name.givenName': 'Barbara',
        title: 'Tour Guide',
        [`${ENTERPRISE_URN}:department`]: 'Tours',
        [`${ENTERPRISE_URN}:employeeNumber`]: 'E-1001',
      },
    }]);
    expectScim(res, 200);
    const user = await getUser(userId);
    expect(user.displayName).toBe('Barbara Jensen');
    expect(user.title).toBe('Tour Guide');
    expect(user.name.givenName).toBe('Barbara');
    // A dotted key replaces one sub-attribute, not the whole complex attribute.
    expect(user.name.familyName).toBe('updatedFamilyName');
    expect(enterpriseOf(user)).toMatchObject({ department: 'Tours', employeeNumber: 'E-1001' });
    expect(user.active).toBe(true);
  });

  test('Replace of a complex attribute leaves the sub-attributes it does not name (RFC 7644 §3.5.2.3)', async () => {
    expectScim(await scim.patch(`/Users/${userId}`, [{ op: 'Replace', path: 'name', value: { givenName: 'Barb' } }]), 200);
    let user = await getUser(userId);
    expect(user.name).toMatchObject({ givenName: 'Barb', familyName: 'updatedFamilyName', middleName: 'M' });

    expectScim(await scim.patch(`/Users/${userId}`, [{ op: 'Replace', value: { name: { givenName: 'Barbara' } } }]), 200);
    user = await getUser(userId);
    expect(user.name).toMatchObject({ givenName: 'Barbara', familyName: 'updatedFamilyName', middleName: 'M' });
  });

  test('Replace userName with the same address in another case is not a conflict with itself', async () => {
    expectScim(await scim.patch(`/Users/${userId}`, [{ op: 'Replace', path: 'userName', value: renamed.toUpperCase() }]), 200);
    expect(String((await getUser(userId)).userName).toLowerCase()).toBe(renamed);
    expectScim(await scim.patch(`/Users/${userId}`, [{ op: 'Replace', path: 'userName', value: renamed }]), 200);
  });

  test('a manager is another user; Entra sends manager as a plain string and GET shows manager.value', async () => {
    managerId = (expectScim(await scim.post('/Users', {
      schemas: [USER_URN, ENTERPRISE_URN],
      externalId: randomUUID(),
      userName: managerName,
      active: true,
      emails: [{ primary: true, type: 'work', value: managerName.toLowerCase() }],
      meta: { resourceType: 'User' },
      name: { formatted: 'Mia Manager', familyName: 'Manager', givenName: 'Mia' },
      roles: [],
    }), 201)).id;

    const res = await scim.patch(`/Users/${userId}`, [{ op: 'Add', path: `${ENTERPRISE_URN}:manager`, value: managerId }]);
    expectScim(res, 200);
    const user = await getUser(userId);
    expect(enterpriseOf(user)?.manager?.value).toBe(managerId);
    expect(enterpriseOf(user)?.department).toBe('Tours');
  });

  test('the enterprise extension (department, manager, employeeNumber) and roles round-trip through POST and GET', async () => {
    const roles = [{ primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Admin', value: 'Admin' }];
    const created = expectScim(await scim.post('/Users', {
      schemas: [USER_URN, ENTERPRISE_URN],
      userName: otherName,
      active: true,
      emails: [{ primary: true, type: 'work', value: otherName.toLowerCase() }],
      roles,
      [ENTERPRISE_URN]: { department: 'Finance', employeeNumber: '701984', manager: { value: managerId } },
    }), 201);
    otherId = created.id;
    const user = await getUser(otherId);
    expect(user.schemas).toEqual(expect.arrayContaining([USER_URN, ENTERPRISE_URN]));
    expect(enterpriseOf(user)).toMatchObject({ department: 'Finance', employeeNumber: '701984', manager: { value: managerId } });
    expect(user.roles).toEqual([expect.objectContaining(roles[0]!)]);
  });

  test('path-less Replace {"active":"False"} disables the user, {"active":"True"} enables it again', async () => {
    expectScim(await scim.patch(`/Users/${userId}`, [{ op: 'Replace', value: { active: 'False' } }]), 200);
    let user = await getUser(userId);
    expect(user.active).toBe(false);
    const { resources } = expectList(await byUserName(renamed));
    expect(resources[0]?.active).toBe(false);

    expectScim(await scim.patch(`/Users/${userId}`, [{ op: 'Replace', value: { active: 'True' } }]), 200);
    user = await getUser(userId);
    expect(user.active).toBe(true);
  });

  test('Replace with path "active" and a boolean disables the user (the documented form)', async () => {
    expectScim(await scim.patch(`/Users/${otherId}`, [{ op: 'Replace', path: 'active', value: false }]), 200);
    expect((await getUser(otherId)).active).toBe(false);
  });
});

describe('Entra ID group provisioning', () => {
  test('POST /Groups as Entra sends it (extra Microsoft schema URN, externalId, meta): 201 with Location and ETag', async () => {
    const res = await scim.post('/Groups', {
      schemas: [GROUP_URN, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: groupName,
      meta: { resourceType: 'Group' },
    });
    const body = expectScim(res, 201);
    groupId = body.id;
    expect(typeof groupId).toBe('string');
    expect(body.displayName).toBe(groupName);
    expect(body.externalId).toBe('8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159');
    expect(memberIds(body)).toEqual([]);
    expect(res.headers.get('location')).toBe(body.meta.location);
    expect(res.headers.get('location')).toMatch(new RegExp(`/acme/scim/v2/Groups/${groupId}$`));
    expect(res.headers.get('etag')).toMatch(/^(W\/)?".+"$/);
  });

  test('GET /Groups?excludedAttributes=members&filter=displayName eq "…" finds it without members', async () => {
    const { total, resources } = expectList(await scim.list('Groups', { excludedAttributes: 'members', filter: `displayName eq "${groupName}"` }));
    expect(total).toBe(1);
    expect(resources[0].id).toBe(groupId);
    expect(resources[0]).not.toHaveProperty('members');
  });

  test('GET /Groups/{id}?excludedAttributes=members omits members', async () => {
    const body = expectScim(await scim.get(`/Groups/${groupId}?excludedAttributes=members`), 200);
    expect(body.id).toBe(groupId);
    expect(body.displayName).toBe(groupName);
    expect(body).not.toHaveProperty('members');
  });

  test('POST /Groups with members', async () => {
    const res = await scim.post('/Groups', {
      schemas: [GROUP_URN],
      externalId: randomUUID(),
      displayName: `${groupName} with members`,
      members: [{ value: userId }, { value: managerId }],
    });
    const body = expectScim(res, 201);
    groupWithMembersId = body.id;
    expect(memberIds(body)).toEqual([userId, managerId].sort());
    expect(memberIds(await getGroup(groupWithMembersId))).toEqual([userId, managerId].sort());
  });

  test('PATCH Add members (with "$ref": null as Entra sends)', async () => {
    const res = await scim.patch(`/Groups/${groupId}`, [{
      op: 'Add', path: 'members', value: [{ $ref: null, value: userId }, { $ref: null, value: managerId }],
    }]);
    expectStatus(res, [200, 204]);
    expect(memberIds(await getGroup(groupId))).toEqual([userId, managerId].sort());
  });

  test('PATCH Add of a member already present keeps one membership', async () => {
    expectStatus(await scim.patch(`/Groups/${groupId}`, [{ op: 'Add', path: 'members', value: [{ $ref: null, value: userId }] }]), [200, 204]);
    expect(memberIds(await getGroup(groupId))).toEqual([userId, managerId].sort());
  });

  test('PATCH Remove members by a value array', async () => {
    const res = await scim.patch(`/Groups/${groupId}`, [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: userId }] }]);
    expectStatus(res, [200, 204]);
    expect(memberIds(await getGroup(groupId))).toEqual([managerId]);
  });

  test('PATCH Remove members by a filter path', async () => {
    const res = await scim.patch(`/Groups/${groupId}`, [{ op: 'Remove', path: `members[value eq "${managerId}"]` }]);
    expectStatus(res, [200, 204]);
    expect(memberIds(await getGroup(groupId))).toEqual([]);
  });

  test('PATCH Replace members with a list, then Remove of "members" without a value empties the group', async () => {
    expectStatus(await scim.patch(`/Groups/${groupId}`, [{ op: 'Replace', path: 'members', value: [{ value: managerId }, { value: otherId }] }]), [200, 204]);
    expect(memberIds(await getGroup(groupId))).toEqual([managerId, otherId].sort());
    expectStatus(await scim.patch(`/Groups/${groupId}`, [{ op: 'Remove', path: 'members' }]), [200, 204]);
    expect(memberIds(await getGroup(groupId))).toEqual([]);
  });

  test('concurrent PATCH Add members (one user per request, as a provisioning cycle sends them) all land', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const name = `Member_${i}_${randomUUID()}@acme.test`;
      ids.push(expectScim(await scim.post('/Users', { schemas: [USER_URN], userName: name, active: true }), 201).id);
    }
    const answers = await Promise.all(ids.map((id) => scim.patch(`/Groups/${groupWithMembersId}`, [{ op: 'Add', path: 'members', value: [{ $ref: null, value: id }] }])));
    for (const res of answers) expectStatus(res, [200, 204]);
    expect(memberIds(await getGroup(groupWithMembersId))).toEqual([userId, managerId, ...ids].sort());
    const removed = await Promise.all(ids.map((id) => scim.patch(`/Groups/${groupWithMembersId}`, [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: id }] }])));
    for (const res of removed) expectStatus(res, [200, 204]);
    expect(memberIds(await getGroup(groupWithMembersId))).toEqual([userId, managerId].sort());
  });

  test('PATCH Replace displayName', async () => {
    const name = `${groupName} updatedDisplayName`;
    expectStatus(await scim.patch(`/Groups/${groupId}`, [{ op: 'Replace', path: 'displayName', value: name }]), [200, 204]);
    expect((await getGroup(groupId)).displayName).toBe(name);
  });
});

describe('Entra ID deprovisioning by DELETE', () => {
  test('DELETE answers 204 with no body', async () => {
    const res = await scim.delete(`/Users/${userId}`);
    expectStatus(res, 204);
    expect(res.text).toBe('');
  });

  test('then GET by id answers 404 with a SCIM error', async () => {
    expectScimError(await scim.get(`/Users/${userId}`), 404);
  });

  test('the user no longer appears in lists or filters', async () => {
    expect(expectList(await byUserName(renamed)).total).toBe(0);
    const { resources } = expectList(await scim.list('Users', { count: 1000 }));
    expect(resources.map((r: Json) => r.id)).not.toContain(userId);
    expect(resources.map((r: Json) => r.id)).toContain(managerId);
  });

  test('the user was removed from every group\'s members', async () => {
    expect(memberIds(await getGroup(groupWithMembersId))).toEqual([managerId]);
  });

  test('a second DELETE answers 404', async () => {
    expectScimError(await scim.delete(`/Users/${userId}`), 404);
  });

  test('`stoa apppass add` fails for the deleted user (exit code 2 with a message) and still works for a live one', async () => {
    const deleted = await s.stoa(['apppass', 'add', renamed, 'After delete']);
    expect(deleted.code).toBe(2);
    expect(deleted.stderr.trim()).toMatch(/^stoa: .+/);
    expect(deleted.stdout).not.toMatch(/app password/);
    const live = await s.stoa(['apppass', 'add', managerName.toLowerCase(), 'Manager phone']);
    expect(live.code).toBe(0);
  });

  test('the same userName can be provisioned again after DELETE (re-assignment): a new user', async () => {
    const res = await scim.post('/Users', {
      schemas: [USER_URN, ENTERPRISE_URN],
      externalId: randomUUID(),
      userName: renamed,
      active: true,
      emails: [{ primary: true, type: 'work', value: renamed }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
    });
    const body = expectScim(res, 201);
    expect(body.id).not.toBe(userId);
    expect(body.active).toBe(true);
    expect(memberIds(await getGroup(groupWithMembersId))).toEqual([managerId]);
    expectScimError(await scim.get(`/Users/${userId}`), 404);
  });

  test('DELETE /Groups/{id} answers 204, then GET 404', async () => {
    expectStatus(await scim.delete(`/Groups/${groupId}`), 204);
    expectScimError(await scim.get(`/Groups/${groupId}`), 404);
  });
});
