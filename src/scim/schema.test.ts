import {
  ENTERPRISE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA_URN,
  GROUP_SCHEMA,
  GROUP_SCHEMA_URN,
  GROUP_SCHEMAS,
  resolveAttributePath,
  resourceTypeResources,
  schemaResource,
  schemaResources,
  USER_SCHEMA,
  USER_SCHEMA_URN,
  USER_SCHEMAS,
} from './schema.ts';
import type { AttributeDefinition } from './schema.ts';

const BASE = 'https://api.example.com/acme/scim/v2';

function attribute(list: readonly AttributeDefinition[], name: string): AttributeDefinition {
  const found = list.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no ${name}`);
  return found;
}

function everyAttribute(list: readonly AttributeDefinition[]): AttributeDefinition[] {
  return list.flatMap((def) => [def, ...everyAttribute(def.subAttributes ?? [])]);
}

describe('schema definitions', () => {
  test('the core User attributes of RFC 7643 §4.1', () => {
    expect(USER_SCHEMA.attributes.map((def) => def.name)).toEqual([
      'userName', 'name', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale',
      'timezone', 'active', 'password', 'emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'groups', 'entitlements',
      'roles', 'x509Certificates',
    ]);
  });

  test('characteristics that the rest of the code relies on', () => {
    const userName = attribute(USER_SCHEMA.attributes, 'userName');
    expect(userName).toMatchObject({ type: 'string', required: true, caseExact: false, uniqueness: 'server', mutability: 'readWrite' });
    expect(attribute(USER_SCHEMA.attributes, 'password')).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    expect(attribute(USER_SCHEMA.attributes, 'groups')).toMatchObject({ mutability: 'readOnly', multiValued: true });
    expect(attribute(USER_SCHEMA.attributes, 'active').type).toBe('boolean');
    const emails = attribute(USER_SCHEMA.attributes, 'emails');
    expect(emails.subAttributes?.map((def) => def.name)).toEqual(['value', 'display', 'type', 'primary']);
    expect(attribute(emails.subAttributes ?? [], 'type').canonicalValues).toEqual(['work', 'home', 'other']);
    expect(attribute(emails.subAttributes ?? [], 'value').caseExact).toBe(false);
    expect(attribute(USER_SCHEMA.attributes, 'name').subAttributes?.map((def) => def.name)).toEqual([
      'formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix',
    ]);
  });

  test('the enterprise extension of RFC 7643 §4.3', () => {
    expect(ENTERPRISE_USER_SCHEMA.attributes.map((def) => def.name)).toEqual(['employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager']);
    const manager = attribute(ENTERPRISE_USER_SCHEMA.attributes, 'manager');
    expect(manager.subAttributes?.map((def) => [def.name, def.mutability])).toEqual([['value', 'readWrite'], ['$ref', 'readWrite'], ['displayName', 'readOnly']]);
  });

  test('Group of RFC 7643 §4.2', () => {
    expect(GROUP_SCHEMA.attributes.map((def) => def.name)).toEqual(['displayName', 'members']);
    const members = attribute(GROUP_SCHEMA.attributes, 'members');
    expect(members.subAttributes?.map((def) => def.name)).toEqual(['value', '$ref', 'display', 'type']);
    expect(attribute(GROUP_SCHEMA.attributes, 'displayName').required).toBe(true);
  });

  test('every attribute is in the RFC 7643 §7 form', () => {
    for (const def of everyAttribute([...USER_SCHEMA.attributes, ...ENTERPRISE_USER_SCHEMA.attributes, ...GROUP_SCHEMA.attributes])) {
      expect(Object.keys(def)).toEqual(expect.arrayContaining(['name', 'type', 'multiValued', 'description', 'required', 'caseExact', 'mutability', 'returned', 'uniqueness']));
      expect(def.subAttributes !== undefined).toBe(def.type === 'complex');
      if (def.referenceTypes !== undefined) expect(def.type).toBe('reference');
    }
  });

  test('definitions are frozen', () => {
    expect(Object.isFrozen(USER_SCHEMA.attributes)).toBe(true);
    expect(() => {
      (attribute(USER_SCHEMA.attributes, 'userName') as { required: boolean }).required = false;
    }).toThrow(TypeError);
  });
});

describe('discovery documents', () => {
  test('/Schemas lists the three schemas with meta', () => {
    const resources = schemaResources(`${BASE}/`);
    expect(resources.map((resource) => resource.id)).toEqual([USER_SCHEMA_URN, ENTERPRISE_USER_SCHEMA_URN, GROUP_SCHEMA_URN]);
    expect(resources[0]).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
      name: 'User',
      meta: { resourceType: 'Schema', location: `${BASE}/Schemas/${USER_SCHEMA_URN}` },
    });
    expect(resources[1]?.name).toBe('EnterpriseUser');
  });

  test('/Schemas survives a JSON round trip unchanged', () => {
    const resources = schemaResources(BASE);
    expect(JSON.parse(JSON.stringify(resources))).toEqual(resources);
  });

  test('/Schemas/{id} is found case-insensitively', () => {
    expect(schemaResource(ENTERPRISE_USER_SCHEMA_URN.toUpperCase(), BASE)?.id).toBe(ENTERPRISE_USER_SCHEMA_URN);
    expect(schemaResource('urn:nope', BASE)).toBeUndefined();
  });

  test('/ResourceTypes', () => {
    const [user, group] = resourceTypeResources(BASE);
    expect(user).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER_SCHEMA_URN,
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA_URN, required: false }],
      meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/User` },
    });
    expect(group).toMatchObject({ id: 'Group', endpoint: '/Groups', schema: GROUP_SCHEMA_URN, meta: { location: `${BASE}/ResourceTypes/Group` } });
    expect(group).not.toHaveProperty('schemaExtensions');
  });
});

describe('resolveAttributePath', () => {
  test('core attributes, case-insensitively, give the canonical definition', () => {
    const resolved = resolveAttributePath('USERNAME', USER_SCHEMAS);
    expect(resolved?.attribute.name).toBe('userName');
    expect(resolved).toMatchObject({ schemaUrn: USER_SCHEMA_URN, extension: false });
    expect(resolved?.subAttribute).toBeUndefined();
  });

  test('sub-attributes', () => {
    const resolved = resolveAttributePath('name.GivenName', USER_SCHEMAS);
    expect([resolved?.attribute.name, resolved?.subAttribute?.name]).toEqual(['name', 'givenName']);
  });

  test('URN-qualified core paths', () => {
    const resolved = resolveAttributePath(`${USER_SCHEMA_URN}:name.givenName`, USER_SCHEMAS);
    expect([resolved?.schemaUrn, resolved?.attribute.name, resolved?.subAttribute?.name]).toEqual([USER_SCHEMA_URN, 'name', 'givenName']);
  });

  test('enterprise extension paths', () => {
    const manager = resolveAttributePath(`${ENTERPRISE_USER_SCHEMA_URN}:manager`, USER_SCHEMAS);
    expect(manager).toMatchObject({ schemaUrn: ENTERPRISE_USER_SCHEMA_URN, extension: true });
    expect(manager?.attribute.name).toBe('manager');
    const value = resolveAttributePath(`${ENTERPRISE_USER_SCHEMA_URN.toLowerCase()}:MANAGER.value`, USER_SCHEMAS);
    expect([value?.attribute.name, value?.subAttribute?.name]).toEqual(['manager', 'value']);
  });

  test('common attributes resolve under the core schema', () => {
    expect(resolveAttributePath('id', USER_SCHEMAS)?.attribute.mutability).toBe('readOnly');
    expect(resolveAttributePath('externalId', GROUP_SCHEMAS)?.attribute.caseExact).toBe(true);
    expect(resolveAttributePath('meta.lastModified', USER_SCHEMAS)?.subAttribute?.type).toBe('dateTime');
    expect(resolveAttributePath(`${USER_SCHEMA_URN}:id`, USER_SCHEMAS)?.attribute.name).toBe('id');
  });

  test('group paths', () => {
    expect(resolveAttributePath('members.value', GROUP_SCHEMAS)?.subAttribute?.name).toBe('value');
    expect(resolveAttributePath('members', USER_SCHEMAS)).toBeUndefined();
    expect(resolveAttributePath(`${USER_SCHEMA_URN}:displayName`, GROUP_SCHEMAS)).toBeUndefined();
  });

  test.each([
    'department',
    'name.nope',
    'nope',
    'userName.value',
    `${ENTERPRISE_USER_SCHEMA_URN}`,
    `${ENTERPRISE_USER_SCHEMA_URN}:userName`,
    'urn:example:unknown:2.0:User:userName',
    'not a path',
  ])('%s resolves to nothing', (path) => {
    expect(resolveAttributePath(path, USER_SCHEMAS)).toBeUndefined();
  });
});
