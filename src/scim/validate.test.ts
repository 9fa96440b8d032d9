import { validateResource } from './patch.ts';
import { ENTERPRISE_USER_SCHEMA_URN, GROUP_SCHEMA_URN, GROUP_SCHEMAS, USER_SCHEMA_URN, USER_SCHEMAS } from './schema.ts';
import type { ResourceSchemas } from './schema.ts';
import { errorOf } from '../../test/helpers/scim-error.ts';

describe('validateResource: what identity providers send', () => {
  test('Okta create: groups (readOnly) dropped, password kept for the caller to hash', () => {
    // developer.okta.com "Okta and SCIM Version 2.0", Create the User.
    const body = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'test.user@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    };
    expect(validateResource(body, USER_SCHEMAS, 'create')).toEqual({
      schemas: [USER_SCHEMA_URN],
      userName: 'test.user@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      password: '1mz050nq',
      active: true,
    });
  });

  test('Okta PUT: id, meta and groups are ignored, emails[].display kept', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      id: '23a35c27-23d3-4c03-b4c5-6443c09e7173',
      userName: 'test.user@okta.local',
      name: { givenName: 'Another', middleName: 'Excited', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work', display: 'test.user@okta.local' }],
      active: true,
      groups: [{ value: 'g1', display: 'Sales' }],
      meta: { resourceType: 'User' },
    };
    const result = validateResource(body, USER_SCHEMAS, 'replace');
    expect(result).not.toHaveProperty('id');
    expect(result).not.toHaveProperty('meta');
    expect(result).not.toHaveProperty('groups');
    expect(result.emails).toEqual([{ primary: true, value: 'test.user@okta.local', type: 'work', display: 'test.user@okta.local' }]);
    expect(result.name).toEqual({ givenName: 'Another', middleName: 'Excited', familyName: 'User' });
  });

  test('Entra ID create: meta and an empty roles list dropped; an empty extension not listed', () => {
    // learn.microsoft.com "Develop and plan provisioning for a SCIM endpoint", Create User.
    const body = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
      active: true,
      emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
    };
    const result = validateResource(body, USER_SCHEMAS, 'create');
    expect(result.schemas).toEqual([USER_SCHEMA_URN]);
    expect(Object.keys(result)).toEqual(['schemas', 'externalId', 'userName', 'active', 'emails', 'name']);
  });

  test('Entra ID schema example: "Manager" as a plain string, an unknown extension, id and meta', () => {
    const body = {
      schemas: [USER_SCHEMA_URN, ENTERPRISE_USER_SCHEMA_URN, 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User'],
      userName: 'bjensen@testuser.com',
      id: '48af03ac28ad4fb88478',
      externalId: 'bjensen',
      name: { familyName: 'Jensen', givenName: 'Barbara' },
      [ENTERPRISE_USER_SCHEMA_URN]: { Manager: '123456' },
      'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User': { tag: '701984' },
      meta: { resourceType: 'User', created: '2010-01-23T04:56:22Z' },
    };
    expect(validateResource(body, USER_SCHEMAS, 'create')).toEqual({
      schemas: [USER_SCHEMA_URN, ENTERPRISE_USER_SCHEMA_URN],
      userName: 'bjensen@testuser.com',
      externalId: 'bjensen',
      name: { familyName: 'Jensen', givenName: 'Barbara' },
      [ENTERPRISE_USER_SCHEMA_URN]: { manager: { value: '123456' } },
    });
  });

  test('Entra ID group create: an extra vendor schema URN is tolerated', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'displayName',
      meta: { resourceType: 'Group' },
    };
    expect(validateResource(body, GROUP_SCHEMAS, 'create')).toEqual({
      schemas: [GROUP_SCHEMA_URN],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'displayName',
    });
  });

  test('Okta group push with empty members', () => {
    const body = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Test SCIMv2', members: [] };
    expect(validateResource(body, GROUP_SCHEMAS, 'create')).toEqual({ schemas: [GROUP_SCHEMA_URN], displayName: 'Test SCIMv2' });
  });

  test('Okta string-array roles become {value} entries', () => {
    const result = validateResource({ userName: 'a@example.com', roles: ['Acme, ADMIN', 'Acme, VIEWER'] }, USER_SCHEMAS, 'create');
    expect(result.roles).toEqual([{ value: 'Acme, ADMIN' }, { value: 'Acme, VIEWER' }]);
  });

  test('seed (Nova Credit): roles[].displayName is not a roles sub-attribute, so those entries vanish', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'example@email.com',
      externalId: 'externalId1',
      name: { familyName: 'Madison', givenName: 'James' },
      roles: [{ displayName: 'Child Org 1, ADMIN' }, { displayName: 'Child Org 2, DEVELOPER' }],
    };
    const result = validateResource(body, USER_SCHEMAS, 'create');
    expect(result).not.toHaveProperty('roles');
    expect(result.name).toEqual({ familyName: 'Madison', givenName: 'James' });
  });

  test('seed (Huddle): a plain create passes through', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'bjensen@example.com',
      name: { familyName: 'Jensen', givenName: 'Barbara' },
      phoneNumbers: [{ value: '555-555-8377' }],
      title: 'Tour Guide',
      preferredLanguage: 'en-US',
      timezone: 'America/Los_Angeles',
    };
    expect(validateResource(body, USER_SCHEMAS, 'create')).toEqual({ ...body, schemas: [USER_SCHEMA_URN] });
  });
});

describe('validateResource: normalisation', () => {
  test('canonical attribute and sub-attribute names', () => {
    const result = validateResource({
      UserName: 'a@example.com',
      NAME: { GivenName: 'Ann', FAMILYNAME: 'Lee' },
      Emails: [{ Value: 'a@example.com', TYPE: 'work', Primary: 'True' }],
      [ENTERPRISE_USER_SCHEMA_URN.toUpperCase()]: { DEPARTMENT: 'Sales', manager: { Value: 'm1' } },
    }, USER_SCHEMAS, 'create');
    expect(result).toEqual({
      schemas: [USER_SCHEMA_URN, ENTERPRISE_USER_SCHEMA_URN],
      userName: 'a@example.com',
      name: { givenName: 'Ann', familyName: 'Lee' },
      emails: [{ value: 'a@example.com', type: 'work', primary: true }],
      [ENTERPRISE_USER_SCHEMA_URN]: { department: 'Sales', manager: { value: 'm1' } },
    });
  });

  test('"True"/"False" strings on boolean attributes only', () => {
    const result = validateResource({ userName: 'a@example.com', active: 'False', title: 'True' }, USER_SCHEMAS, 'create');
    expect(result.active).toBe(false);
    expect(result.title).toBe('True');
  });

  test('unknown attributes, unknown sub-attributes and readOnly sub-attributes are dropped', () => {
    const result = validateResource({
      userName: 'a@example.com',
      favouriteColour: 'green',
      'name.givenName': 'dotted keys are not attributes of a resource body',
      name: { givenName: 'Ann', nickname: 'x' },
      [ENTERPRISE_USER_SCHEMA_URN]: { manager: { value: 'm1', displayName: 'Boss' }, shoeSize: 44 },
    }, USER_SCHEMAS, 'create');
    expect(result).toEqual({
      schemas: [USER_SCHEMA_URN, ENTERPRISE_USER_SCHEMA_URN],
      userName: 'a@example.com',
      name: { givenName: 'Ann' },
      [ENTERPRISE_USER_SCHEMA_URN]: { manager: { value: 'm1' } },
    });
  });

  test('null and empty values are unassigned; empty strings are kept', () => {
    const result = validateResource({ userName: 'a@example.com', nickName: null, title: '', emails: [null], name: {} }, USER_SCHEMAS, 'create');
    expect(result).toEqual({ schemas: [USER_SCHEMA_URN], userName: 'a@example.com', title: '' });
  });

  test('a single value for a multi-valued attribute is wrapped', () => {
    const result = validateResource({ userName: 'a@example.com', emails: { value: 'a@example.com' }, phoneNumbers: '+31 20 123' }, USER_SCHEMAS, 'create');
    expect(result.emails).toEqual([{ value: 'a@example.com' }]);
    expect(result.phoneNumbers).toEqual([{ value: '+31 20 123' }]);
  });

  test('the input is not changed', () => {
    const body = { UserName: 'a@example.com', active: 'True', id: 'x' };
    const copy = structuredClone(body);
    validateResource(body, USER_SCHEMAS, 'create');
    expect(body).toEqual(copy);
  });
});

describe('validateResource: refusals', () => {
  test.each([
    ['userName a number', { userName: 5 }],
    ['active "maybe"', { userName: 'a@example.com', active: 'maybe' }],
    ['active 1', { userName: 'a@example.com', active: 1 }],
    ['title an array', { userName: 'a@example.com', title: ['a'] }],
    ['name a string', { userName: 'a@example.com', name: 'Ann Lee' }],
    ['emails[].value a number', { userName: 'a@example.com', emails: [5] }],
    ['emails[].primary "yes"', { userName: 'a@example.com', emails: [{ value: 'a@example.com', primary: 'yes' }] }],
    ['an extension that is not an object', { userName: 'a@example.com', [ENTERPRISE_USER_SCHEMA_URN]: 'Sales' }],
    ['missing userName', { displayName: 'Ann' }],
    ['empty userName', { userName: '' }],
    ['blank userName', { userName: '   ' }],
    ['null userName', { userName: null }],
    ['two primary emails', { userName: 'a@example.com', emails: [{ value: 'a@x', primary: true }, { value: 'b@x', primary: 'True' }] }],
    ['the same attribute twice', { userName: 'a@example.com', UserName: 'b@example.com' }],
    ['schemas without the User URN', { schemas: [GROUP_SCHEMA_URN], userName: 'a@example.com' }],
    ['schemas not an array', { schemas: USER_SCHEMA_URN, userName: 'a@example.com' }],
  ])('%s is invalidValue', (_label, body) => {
    const err = errorOf(() => validateResource(body, USER_SCHEMAS, 'create'));
    expect(err.status).toBe(400);
    expect(err.scimType).toBe('invalidValue');
  });

  test('the detail names the attribute', () => {
    expect(errorOf(() => validateResource({ userName: 'a@x', emails: [{ value: 1 }] }, USER_SCHEMAS, 'create')).message).toMatch(/emails\[0\]\.value must be a string/);
    expect(errorOf(() => validateResource({ displayName: 'x' }, USER_SCHEMAS, 'create')).message).toMatch(/userName is required/);
  });

  test('groups need a displayName and members need a value', () => {
    expect(errorOf(() => validateResource({ members: [] }, GROUP_SCHEMAS, 'create')).scimType).toBe('invalidValue');
    const err = errorOf(() => validateResource({ displayName: 'G', members: [{ display: 'Ann' }] }, GROUP_SCHEMAS, 'create'));
    expect(err.message).toMatch(/members\.value is required/);
  });

  test.each([null, [], 'user', 5])('%j is invalidSyntax', (body) => {
    expect(errorOf(() => validateResource(body, USER_SCHEMAS, 'create')).scimType).toBe('invalidSyntax');
  });
});

describe('validateResource: replace and immutable attributes', () => {
  const badges: ResourceSchemas = {
    core: {
      id: 'urn:example:Badge',
      name: 'Badge',
      description: 'test schema',
      attributes: [
        { name: 'serial', type: 'string', multiValued: false, description: '', required: false, caseExact: true, mutability: 'immutable', returned: 'default', uniqueness: 'none' },
        { name: 'label', type: 'string', multiValued: false, description: '', required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none' },
      ],
    },
    extensions: [],
  };

  test('an immutable value that is set must come back unchanged', () => {
    const existing = { schemas: ['urn:example:Badge'], serial: 'A1', label: 'old' };
    expect(validateResource({ serial: 'A1', label: 'new' }, badges, 'replace', existing)).toEqual({ schemas: ['urn:example:Badge'], serial: 'A1', label: 'new' });
    expect(errorOf(() => validateResource({ serial: 'B2' }, badges, 'replace', existing)).scimType).toBe('mutability');
    expect(errorOf(() => validateResource({ label: 'no serial' }, badges, 'replace', existing)).scimType).toBe('mutability');
  });

  test('create and an unset immutable value are free', () => {
    expect(validateResource({ serial: 'B2' }, badges, 'create', { serial: 'A1' }).serial).toBe('B2');
    expect(validateResource({ serial: 'B2' }, badges, 'replace', { label: 'x' }).serial).toBe('B2');
  });
});
