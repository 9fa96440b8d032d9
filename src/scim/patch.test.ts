import { applyPatch, MAX_PATCH_OPERATIONS } from './patch.ts';
import { ENTERPRISE_USER_SCHEMA_URN, GROUP_SCHEMA_URN, GROUP_SCHEMAS, USER_SCHEMA_URN, USER_SCHEMAS } from './schema.ts';
import { errorOf } from '../../test/helpers/scim-error.ts';

const ENTERPRISE = ENTERPRISE_USER_SCHEMA_URN;

/** The user of the Entra ID "Update User [Multi-valued properties]" example. */
function entraUser(): Record<string, unknown> {
  return {
    schemas: [USER_SCHEMA_URN],
    id: '6764549bef60420686bc',
    externalId: '6c75de36-30fa-4d2d-a196-6bdcdb6b6539',
    meta: { resourceType: 'User', created: '2018-03-27T19:59:26.000Z', lastModified: '2018-03-27T19:59:26.000Z' },
    userName: 'Test_User_fbb9dda4-fcde-4f98-a68b-6c5599e17c27',
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    active: true,
    emails: [{ value: 'Test_User_49dc1090-aada-4657-8434-4995c25a00f7@testuser.com', type: 'work', primary: true }],
  };
}

/** The group of the Okta "Update specific Group membership" example. */
function oktaGroup(): Record<string, unknown> {
  return {
    schemas: [GROUP_SCHEMA_URN],
    id: 'abf4dd94-a4c0-4f67-89c9-76b03340cb9b',
    displayName: 'Test SCIMv2',
    members: [
      { value: '89bb1940-b905-4575-9e7f-6f887cfb368e', display: 'old.user@okta.local' },
      { value: 'b1c794f24f4c49f4b5d503a4cb2686ea', display: 'SCIM 2 Group A' },
    ],
    meta: { resourceType: 'Group' },
  };
}

function patchUser(resource: Record<string, unknown>, body: { Operations: unknown[] }): Record<string, unknown> {
  return applyPatch(resource, body.Operations, USER_SCHEMAS);
}

function patchGroup(resource: Record<string, unknown>, body: { Operations: unknown[] }): Record<string, unknown> {
  return applyPatch(resource, body.Operations, GROUP_SCHEMAS);
}

function memberIds(group: Record<string, unknown>): unknown[] {
  return ((group.members ?? []) as Array<{ value: unknown }>).map((member) => member.value);
}

describe('Entra ID users (learn.microsoft.com SCIM provisioning tutorial and compatibility notes)', () => {
  test('Update User [Multi-valued properties]', () => {
    const result = patchUser(entraUser(), {
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ],
    });
    expect(result.emails).toEqual([{ value: 'updatedEmail@microsoft.com', type: 'work', primary: true }]);
    expect(result.name).toEqual({ formatted: 'givenName familyName', familyName: 'updatedFamilyName', givenName: 'givenName' });
  });

  test('Update User [Single-valued properties]', () => {
    const result = patchUser(entraUser(), {
      Operations: [{ op: 'Replace', path: 'userName', value: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' }],
    });
    expect(result.userName).toBe('5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com');
  });

  test('Disable User, with the feature flag', () => {
    const result = patchUser(entraUser(), { Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(result.active).toBe(false);
  });

  test('Disable User, without the feature flag: "False" as a string', () => {
    const result = patchUser(entraUser(), { Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(result.active).toBe(false);
    const back = patchUser(result, { Operations: [{ op: 'Replace', path: 'active', value: 'True' }] });
    expect(back.active).toBe(true);
  });

  test('add a single-value string attribute', () => {
    const result = patchUser(entraUser(), { Operations: [{ op: 'Add', path: 'nickName', value: 'Babs' }] });
    expect(result.nickName).toBe('Babs');
  });

  test('replace multiple attributes, without the feature flag', () => {
    const result = patchUser(entraUser(), {
      Operations: [
        { op: 'Replace', path: 'displayName', value: 'Pvlo' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'TestBcwqnm@test.microsoft.com' },
        { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
        { op: 'Replace', path: 'name.familyName', value: 'Pkqf' },
        { op: 'Replace', path: 'externalId', value: 'Eqpj' },
        { op: 'Replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber', value: 'Eqpj' },
      ],
    });
    expect(result).toMatchObject({
      schemas: [USER_SCHEMA_URN, ENTERPRISE],
      displayName: 'Pvlo',
      emails: [{ value: 'TestBcwqnm@test.microsoft.com', type: 'work', primary: true }],
      name: { givenName: 'Gtfd', familyName: 'Pkqf' },
      externalId: 'Eqpj',
      [ENTERPRISE]: { employeeNumber: 'Eqpj' },
    });
  });

  test('replace multiple attributes, with the feature flag: path-less, dotted and URN keys', () => {
    const result = patchUser(entraUser(), {
      Operations: [
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
        {
          op: 'replace',
          value: {
            displayName: 'Bjfe',
            'name.givenName': 'Kkom',
            'name.familyName': 'Unua',
            'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber': 'Aklq',
          },
        },
      ],
    });
    expect(result).toMatchObject({
      schemas: [USER_SCHEMA_URN, ENTERPRISE],
      displayName: 'Bjfe',
      emails: [{ value: 'TestMhvaes@test.microsoft.com', type: 'work', primary: true }],
      name: { formatted: 'givenName familyName', givenName: 'Kkom', familyName: 'Unua' },
      [ENTERPRISE]: { employeeNumber: 'Aklq' },
    });
    expect(result).not.toHaveProperty(['name.givenName']);
  });

  test('path-less replace with "True"/"False" strings', () => {
    const result = patchUser(entraUser(), { Operations: [{ op: 'Replace', value: { active: 'False', 'emails[type eq "work"].primary': 'False' } }] });
    expect(result.active).toBe(false);
    expect(result.emails).toEqual([expect.objectContaining({ primary: false })]);
  });

  test('manager as a plain string, by path and by URN key', () => {
    const added = patchUser(entraUser(), { Operations: [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: '45f1b4a8-04ad-41bb-9fa3-aa2d6cd3d5f4' }] });
    expect(added[ENTERPRISE]).toEqual({ manager: { value: '45f1b4a8-04ad-41bb-9fa3-aa2d6cd3d5f4' } });
    expect(added.schemas).toEqual([USER_SCHEMA_URN, ENTERPRISE]);
    const replaced = patchUser(added, { Operations: [{ op: 'Replace', value: { [`${ENTERPRISE}:manager`]: 'other-manager' } }] });
    expect(replaced[ENTERPRISE]).toEqual({ manager: { value: 'other-manager' } });
  });

  test('a new manager id drops what was known about the old manager', () => {
    const user = { ...entraUser(), [ENTERPRISE]: { department: 'Sales', manager: { value: 'old', displayName: 'Old Boss', $ref: '../Users/old' } } };
    const result = patchUser(user, { Operations: [{ op: 'Replace', path: `${ENTERPRISE}:manager`, value: 'new' }] });
    expect(result[ENTERPRISE]).toEqual({ department: 'Sales', manager: { value: 'new' } });
  });

  test('clearing the manager', () => {
    const user = { ...entraUser(), schemas: [USER_SCHEMA_URN, ENTERPRISE], [ENTERPRISE]: { manager: { value: 'm1' } } };
    for (const operation of [
      { op: 'Remove', path: `${ENTERPRISE}:manager`, value: [{ value: 'm1' }] },
      { op: 'Replace', path: `${ENTERPRISE}:manager`, value: null },
      { op: 'Replace', path: `${ENTERPRISE}:manager`, value: '' },
    ]) {
      const result = patchUser(user, { Operations: [operation] });
      expect(result).not.toHaveProperty([ENTERPRISE]);
      expect(result.schemas).toEqual([USER_SCHEMA_URN]);
    }
  });

  test('emails[type eq "work"].value creates the work email when there is none', () => {
    const noWork = { ...entraUser(), emails: [{ value: 'home@example.com', type: 'home', primary: true }] };
    const result = patchUser(noWork, { Operations: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'work@example.com' }] });
    expect(result.emails).toEqual([
      { value: 'home@example.com', type: 'home', primary: true },
      { type: 'work', value: 'work@example.com' },
    ]);
    const none = { ...entraUser() };
    delete none.emails;
    const added = patchUser(none, { Operations: [{ op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+31 6 1234 5678' }] });
    expect(added.phoneNumbers).toEqual([{ type: 'mobile', value: '+31 6 1234 5678' }]);
  });

  test('a filter that cannot describe the missing value is noTarget', () => {
    const err = errorOf(() => patchUser(entraUser(), { Operations: [{ op: 'Replace', path: 'emails[value co "nowhere"].type', value: 'home' }] }));
    expect(err.status).toBe(400);
    expect(err.scimType).toBe('noTarget');
  });
});

describe('Entra ID groups', () => {
  const entraGroup = () => ({ schemas: [GROUP_SCHEMA_URN], id: 'a99962b9f99d4c4fac67', displayName: 'displayName', meta: { resourceType: 'Group' } });

  test('Update Group [Add Members] with "$ref": null', () => {
    const result = patchGroup(entraGroup(), {
      Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] }],
    });
    expect(result.members).toEqual([{ value: 'f648f8d5ea4e4cd38e9c' }]);
  });

  test('adding a member twice keeps one', () => {
    const once = patchGroup(entraGroup(), { Operations: [{ op: 'Add', path: 'members', value: [{ value: 'u1' }, { value: 'u1' }] }] });
    const twice = patchGroup(once, { Operations: [{ op: 'Add', path: 'members', value: [{ value: 'U1', display: 'Ann' }, { value: 'u2' }] }] });
    expect(memberIds(twice)).toEqual(['u1', 'u2']);
  });

  test('Update Group [Remove Members], without the feature flag: path members with a value', () => {
    const group = { ...entraGroup(), members: [{ value: 'f648f8d5ea4e4cd38e9c' }, { value: 'keep' }] };
    const result = patchGroup(group, {
      Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] }],
    });
    expect(memberIds(result)).toEqual(['keep']);
  });

  test('remove members, with the feature flag: a filter path', () => {
    const group = { ...entraGroup(), members: [{ value: '7f4bc1a3-285e-48ae-8202-5accb43efb0e' }, { value: 'keep' }] };
    const result = patchGroup(group, { Operations: [{ op: 'remove', path: 'members[value eq "7f4bc1a3-285e-48ae-8202-5accb43efb0e"]' }] });
    expect(memberIds(result)).toEqual(['keep']);
  });

  test('removing the last member leaves no members attribute', () => {
    const group = { ...entraGroup(), members: [{ value: 'u1' }] };
    const result = patchGroup(group, { Operations: [{ op: 'Remove', path: 'members', value: [{ value: 'u1' }] }] });
    expect(result).not.toHaveProperty('members');
  });

  test('removing someone who is not a member changes nothing', () => {
    const group = { ...entraGroup(), members: [{ value: 'u1' }] };
    expect(patchGroup(group, { Operations: [{ op: 'remove', path: 'members[value eq "u9"]' }] })).toEqual(group);
    expect(patchGroup(group, { Operations: [{ op: 'Remove', path: 'members', value: [{ value: 'u9' }] }] })).toEqual(group);
  });

  test('Update Group [Non-member attributes]', () => {
    const result = patchGroup(entraGroup(), { Operations: [{ op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }] });
    expect(result.displayName).toBe('1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName');
  });
});

describe('Okta (developer.okta.com "Okta and SCIM Version 2.0")', () => {
  test('deactivate a user', () => {
    const result = patchUser(entraUser(), { Operations: [{ op: 'replace', value: { active: false } }] });
    expect(result.active).toBe(false);
  });

  test('group rename repeats the group id, which is accepted unchanged', () => {
    const result = patchGroup(oktaGroup(), {
      Operations: [{ op: 'replace', value: { id: 'abf4dd94-a4c0-4f67-89c9-76b03340cb9b', displayName: 'Test SCIMv20' } }],
    });
    expect(result.displayName).toBe('Test SCIMv20');
    expect(result.id).toBe('abf4dd94-a4c0-4f67-89c9-76b03340cb9b');
  });

  test('a different id in the rename is a mutability error', () => {
    const err = errorOf(() => patchGroup(oktaGroup(), { Operations: [{ op: 'replace', value: { id: 'other', displayName: 'X' } }] }));
    expect(err.scimType).toBe('mutability');
  });

  test('membership update: remove by filter and add in one request', () => {
    const result = patchGroup(oktaGroup(), {
      Operations: [
        { op: 'remove', path: 'members[value eq "89bb1940-b905-4575-9e7f-6f887cfb368e"]' },
        { op: 'add', path: 'members', value: [{ value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' }] },
      ],
    });
    expect(result.members).toEqual([
      { value: 'b1c794f24f4c49f4b5d503a4cb2686ea', display: 'SCIM 2 Group A' },
      { value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' },
    ]);
  });

  test('full membership push with replace', () => {
    const result = patchGroup(oktaGroup(), {
      Operations: [{
        op: 'replace',
        path: 'members',
        value: [
          { value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' },
          { value: '89bb1940-b905-4575-9e7f-6f887cfb368e', display: 'test.user@okta.local' },
        ],
      }],
    });
    expect(memberIds(result)).toEqual(['23a35c27-23d3-4c03-b4c5-6443c09e7173', '89bb1940-b905-4575-9e7f-6f887cfb368e']);
  });

  test('path-less replace of members (as some Okta integrations send it)', () => {
    const result = patchGroup(oktaGroup(), { Operations: [{ op: 'replace', value: { members: [{ value: 'cb300cb6-9702-45a9-a909-f8b7c972ab7e' }] } }] });
    expect(memberIds(result)).toEqual(['cb300cb6-9702-45a9-a909-f8b7c972ab7e']);
  });

  test('password sync reaches the caller (writeOnly is writable)', () => {
    const result = patchUser(entraUser(), { Operations: [{ op: 'replace', value: { password: 'n3w-s3cret' } }] });
    expect(result.password).toBe('n3w-s3cret');
  });
});

describe('seed (Nova Credit API reference)', () => {
  test('PATCH "op": "Replace" on userName', () => {
    const user = {
      schemas: [USER_SCHEMA_URN],
      id: '2b86b0a8-132f-4329-8efa-496b5001c374',
      externalId: 'externalId1',
      userName: 'example@email.com',
      name: { formatted: 'James Madison', familyName: 'Madison', givenName: 'James' },
      emails: [{ value: 'example@email.com', primary: true }],
      active: true,
    };
    const result = patchUser(user, {
      Operations: [{ op: 'Replace', path: 'userName', value: 'replacementemail@email.com' }],
    });
    expect(result.userName).toBe('replacementemail@email.com');
    // Their sample response shows emails changed and userName not: we do what the request says.
    expect(result.emails).toEqual([{ value: 'example@email.com', primary: true }]);
  });
});

describe('RFC 7644 §3.5.2 semantics', () => {
  test('add to a multi-valued attribute appends; an identical value is not added again', () => {
    const once = patchUser(entraUser(), { Operations: [{ op: 'add', path: 'emails', value: [{ value: 'home@example.com', type: 'home' }] }] });
    expect((once.emails as unknown[]).length).toBe(2);
    const twice = patchUser(once, { Operations: [{ op: 'add', path: 'emails', value: [{ value: 'home@example.com', type: 'home' }] }] });
    expect(twice.emails).toEqual(once.emails);
  });

  test('a new primary value demotes the old one', () => {
    const result = patchUser(entraUser(), { Operations: [{ op: 'add', path: 'emails', value: [{ value: 'new@example.com', type: 'other', primary: true }] }] });
    expect(result.emails).toEqual([
      { value: 'Test_User_49dc1090-aada-4657-8434-4995c25a00f7@testuser.com', type: 'work', primary: false },
      { value: 'new@example.com', type: 'other', primary: true },
    ]);
  });

  test('replace on a multi-valued attribute without a filter replaces all values', () => {
    const result = patchUser(entraUser(), { Operations: [{ op: 'replace', path: 'emails', value: [{ value: 'only@example.com' }] }] });
    expect(result.emails).toEqual([{ value: 'only@example.com' }]);
  });

  test('replace on a complex attribute leaves other sub-attributes alone', () => {
    const result = patchUser(entraUser(), { Operations: [{ op: 'replace', path: 'name', value: { givenName: 'Ann' } }] });
    expect(result.name).toEqual({ formatted: 'givenName familyName', familyName: 'familyName', givenName: 'Ann' });
  });

  test('replace with a filter and no sub-attribute swaps the matching value whole; add merges', () => {
    const replaced = patchUser(entraUser(), { Operations: [{ op: 'replace', path: 'emails[type eq "work"]', value: { value: 'w@example.com', type: 'work' } }] });
    expect(replaced.emails).toEqual([{ value: 'w@example.com', type: 'work' }]);
    const merged = patchUser(entraUser(), { Operations: [{ op: 'add', path: 'emails[type eq "work"]', value: { display: 'Work' } }] });
    expect(merged.emails).toEqual([{ value: 'Test_User_49dc1090-aada-4657-8434-4995c25a00f7@testuser.com', type: 'work', primary: true, display: 'Work' }]);
  });

  test('replace with null or [] unassigns; add with null does nothing', () => {
    const user = { ...entraUser(), nickName: 'Babs' };
    expect(patchUser(user, { Operations: [{ op: 'replace', path: 'nickName', value: null }] })).not.toHaveProperty('nickName');
    expect(patchUser(user, { Operations: [{ op: 'replace', path: 'emails', value: [] }] })).not.toHaveProperty('emails');
    expect(patchUser(user, { Operations: [{ op: 'add', path: 'nickName', value: null }] }).nickName).toBe('Babs');
  });

  test('remove', () => {
    const user = { ...entraUser(), emails: [{ value: 'w@x', type: 'work' }, { value: 'h@x', type: 'home' }] };
    expect(patchUser(user, { Operations: [{ op: 'remove', path: 'emails[type eq "home"]' }] }).emails).toEqual([{ value: 'w@x', type: 'work' }]);
    expect(patchUser(user, { Operations: [{ op: 'remove', path: 'emails' }] })).not.toHaveProperty('emails');
    expect(patchUser(user, { Operations: [{ op: 'remove', path: 'emails[type eq "home"].type' }] }).emails).toEqual([{ value: 'w@x', type: 'work' }, { value: 'h@x' }]);
    expect(patchUser(user, { Operations: [{ op: 'remove', path: 'name.givenName' }] }).name).toEqual({ formatted: 'givenName familyName', familyName: 'familyName' });
    expect(patchUser(user, { Operations: [{ op: 'remove', path: 'nickName' }] })).toEqual(user);
  });

  test('removing the last sub-attribute removes the complex attribute', () => {
    const user = { ...entraUser(), name: { givenName: 'Ann' } };
    expect(patchUser(user, { Operations: [{ op: 'remove', path: 'name.givenName' }] })).not.toHaveProperty('name');
  });

  test('a whole extension by its URN', () => {
    const user = { ...entraUser(), schemas: [USER_SCHEMA_URN, ENTERPRISE], [ENTERPRISE]: { department: 'Sales', costCenter: '4130' } };
    const merged = patchUser(user, { Operations: [{ op: 'replace', path: ENTERPRISE, value: { department: 'Tours', Division: 'North' } }] });
    expect(merged[ENTERPRISE]).toEqual({ department: 'Tours', costCenter: '4130', division: 'North' });
    const keyed = patchUser(entraUser(), { Operations: [{ op: 'add', value: { [ENTERPRISE]: { department: 'Tours' } } }] });
    expect(keyed[ENTERPRISE]).toEqual({ department: 'Tours' });
    expect(keyed.schemas).toEqual([USER_SCHEMA_URN, ENTERPRISE]);
    const removed = patchUser(user, { Operations: [{ op: 'remove', path: ENTERPRISE }] });
    expect(removed).not.toHaveProperty([ENTERPRISE]);
    expect(removed.schemas).toEqual([USER_SCHEMA_URN]);
  });

  test('paths and op names are case-insensitive; results use canonical names', () => {
    const user: Record<string, unknown> = { ...entraUser(), NAME: { GivenName: 'Old' } };
    delete user.name;
    const result = applyPatch(user, [{ OP: 'REPLACE', Path: 'Name.GIVENNAME', Value: 'New' }], USER_SCHEMAS);
    expect(result.name).toEqual({ givenName: 'New' });
    expect(result).not.toHaveProperty('NAME');
  });

  test('unknown attributes are ignored, as on create', () => {
    const user = entraUser();
    expect(patchUser(user, { Operations: [{ op: 'replace', path: 'favouriteColour', value: 'green' }] })).toEqual(user);
    expect(patchUser(user, { Operations: [{ op: 'replace', value: { favouriteColour: 'green', 'urn:example:custom:2.0:User:tag': 'x', schemas: ['x'] } }] })).toEqual(user);
    expect(patchUser(user, { Operations: [{ op: 'remove', path: 'name.nickname' }] })).toEqual(user);
  });

  test('readOnly values sent back unchanged are accepted as no-ops', () => {
    const user = { ...entraUser(), groups: [] };
    expect(patchUser(user, { Operations: [{ op: 'replace', path: 'id', value: '6764549bef60420686bc' }] })).toEqual(user);
    expect(patchUser(user, { Operations: [{ op: 'replace', value: { groups: [], meta: entraUser().meta, active: false } }] })).toEqual({ ...user, active: false });
    expect(patchUser(entraUser(), { Operations: [{ op: 'add', path: 'groups', value: [] }] })).toEqual(entraUser());
  });

  test('immutable member ids cannot be rewritten', () => {
    const err = errorOf(() => patchGroup(oktaGroup(), { Operations: [{ op: 'replace', path: 'members[value eq "b1c794f24f4c49f4b5d503a4cb2686ea"].value', value: 'x' }] }));
    expect(err.scimType).toBe('mutability');
  });

  test('the result lists the core schema first and meta is left as it was', () => {
    const result = patchUser(entraUser(), { Operations: [{ op: 'add', path: 'title', value: 'Tour Guide' }] });
    expect(Object.keys(result)[0]).toBe('schemas');
    expect(result.meta).toEqual(entraUser().meta);
  });
});

describe('refusals', () => {
  test.each([
    ['remove without a path', { op: 'remove' }, 'noTarget'],
    ['add without a path and a non-object value', { op: 'add', value: 'x' }, 'invalidValue'],
    ['replace without a path and an array value', { op: 'replace', value: [{ active: false }] }, 'invalidValue'],
    ['add without a value', { op: 'add', path: 'nickName' }, 'invalidValue'],
    ['remove of userName', { op: 'remove', path: 'userName' }, 'mutability'],
    ['replace of userName with null', { op: 'replace', path: 'userName', value: null }, 'mutability'],
    ['replace of userName with ""', { op: 'replace', path: 'userName', value: '' }, 'invalidValue'],
    ['replace of id', { op: 'replace', path: 'id', value: 'other' }, 'mutability'],
    ['remove of id', { op: 'remove', path: 'id' }, 'mutability'],
    ['replace of meta.lastModified', { op: 'replace', path: 'meta.lastModified', value: '2020-01-01T00:00:00Z' }, 'mutability'],
    ['add to groups', { op: 'add', path: 'groups', value: [{ value: 'g1' }] }, 'mutability'],
    ['remove of groups', { op: 'remove', path: 'groups' }, 'mutability'],
    ['path-less meta', { op: 'replace', value: { meta: { version: 'W/"9"' } } }, 'mutability'],
    ['manager.displayName', { op: 'replace', path: `${ENTERPRISE}:manager.displayName`, value: 'Boss' }, 'mutability'],
    ['active "maybe"', { op: 'replace', path: 'active', value: 'maybe' }, 'invalidValue'],
    ['path-less active "maybe"', { op: 'replace', value: { active: 'maybe' } }, 'invalidValue'],
    ['userName 5', { op: 'replace', path: 'userName', value: 5 }, 'invalidValue'],
    ['name as a string', { op: 'replace', path: 'name', value: 'Ann Lee' }, 'invalidValue'],
    ['emails[].value a number', { op: 'add', path: 'emails', value: [{ value: 5 }] }, 'invalidValue'],
    ['an extension that is not an object', { op: 'add', path: ENTERPRISE, value: 'Sales' }, 'invalidValue'],
    ['a malformed path', { op: 'replace', path: 'emails[type eq "work"', value: 'x' }, 'invalidPath'],
    ['a path with an operator', { op: 'replace', path: 'userName eq "x"', value: 'x' }, 'invalidPath'],
    ['a filter on a single-valued attribute', { op: 'replace', path: 'userName[value eq "x"]', value: 'x' }, 'invalidPath'],
    ['a filter on a complex single-valued attribute', { op: 'replace', path: 'name[givenName eq "x"].familyName', value: 'x' }, 'invalidPath'],
    ['a sub-attribute of a multi-valued attribute without a filter', { op: 'replace', path: 'emails.value', value: 'x' }, 'invalidPath'],
    ['remove of a sub-attribute of a multi-valued attribute without a filter', { op: 'remove', path: 'emails.type' }, 'invalidPath'],
    ['a sub-attribute of a simple attribute', { op: 'replace', path: 'userName.value', value: 'x' }, 'invalidPath'],
    ['an unknown sub-attribute in a filter', { op: 'remove', path: 'emails[colour eq "red"]' }, 'invalidPath'],
    ['a type mismatch in a filter', { op: 'remove', path: 'emails[primary gt true]' }, 'invalidPath'],
    ['a path that is not a string', { op: 'replace', path: 5, value: 'x' }, 'invalidPath'],
    ['an unknown op', { op: 'update', path: 'nickName', value: 'x' }, 'invalidSyntax'],
    ['no op', { path: 'nickName', value: 'x' }, 'invalidSyntax'],
  ])('%s', (_label, operation, scimType) => {
    const err = errorOf(() => applyPatch(entraUser(), [operation], USER_SCHEMAS));
    expect(err.status).toBe(400);
    expect(err.scimType).toBe(scimType);
  });

  test('removing a group displayName is a mutability error', () => {
    expect(errorOf(() => patchGroup(oktaGroup(), { Operations: [{ op: 'remove', path: 'displayName' }] })).scimType).toBe('mutability');
  });

  test('members without a value are refused', () => {
    expect(errorOf(() => patchGroup(oktaGroup(), { Operations: [{ op: 'add', path: 'members', value: [{ display: 'Ann' }] }] })).scimType).toBe('invalidValue');
  });

  test.each([[[]], [null], ['not an array'], [[5]]])('Operations %j is invalidSyntax', (operations) => {
    expect(errorOf(() => applyPatch(entraUser(), operations as unknown[], USER_SCHEMAS)).scimType).toBe('invalidSyntax');
  });

  test(`more than ${MAX_PATCH_OPERATIONS} operations`, () => {
    const operations = Array.from({ length: MAX_PATCH_OPERATIONS + 1 }, () => ({ op: 'add', path: 'nickName', value: 'x' }));
    expect(errorOf(() => applyPatch(entraUser(), operations, USER_SCHEMAS)).status).toBe(413);
  });

  test('the detail names the failing operation', () => {
    const err = errorOf(() => applyPatch(entraUser(), [{ op: 'add', path: 'nickName', value: 'x' }, { op: 'replace', path: 'active', value: 'maybe' }], USER_SCHEMAS));
    expect(err.message).toMatch(/^Operations\[1\]: active must be a boolean/);
  });
});

describe('all or nothing', () => {
  test('the input is never changed, even on success', () => {
    const user = entraUser();
    const before = structuredClone(user);
    const result = patchUser(user, {
      Operations: [
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'x@example.com' },
        { op: 'replace', path: 'name.givenName', value: 'X' },
        { op: 'add', path: `${ENTERPRISE}:department`, value: 'X' },
        { op: 'remove', path: 'externalId' },
      ],
    });
    expect(user).toEqual(before);
    expect(result).not.toEqual(before);
  });

  test('an invalid third operation leaves the input as it was and returns nothing', () => {
    const user = entraUser();
    const before = JSON.stringify(user);
    const err = errorOf(() => patchUser(user, {
      Operations: [
        { op: 'Replace', path: 'displayName', value: 'Changed' },
        { op: 'Add', path: 'emails', value: [{ value: 'second@example.com', type: 'home' }] },
        { op: 'Replace', path: 'active', value: 'maybe' },
      ],
    }));
    expect(err.scimType).toBe('invalidValue');
    expect(err.message).toMatch(/^Operations\[2\]/);
    expect(JSON.stringify(user)).toBe(before);
  });

  test('a bad operation shape anywhere is caught before any is applied', () => {
    const group = oktaGroup();
    const before = structuredClone(group);
    expect(errorOf(() => patchGroup(group, { Operations: [{ op: 'remove', path: 'members' }, 'oops'] })).scimType).toBe('invalidSyntax');
    expect(group).toEqual(before);
  });
});
