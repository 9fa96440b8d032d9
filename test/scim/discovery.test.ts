/**
 * The discovery endpoints (RFC 7644 §4, RFC 7643 §5–7): ServiceProviderConfig, ResourceTypes and
 * Schemas are reachable with the tenant's token and well-formed.
 */
import { startServer, type RunningServer } from '../helpers/server.ts';
import {
  ENTERPRISE_URN, GROUP_URN, RESOURCE_TYPE_URN, SCHEMA_URN, SPC_URN, USER_URN, expectList, expectScim, type Json, type ScimClient, setupTenant,
} from './client.ts';

let s: RunningServer;
let scim: ScimClient;

beforeAll(async () => {
  s = await startServer();
  scim = await setupTenant(s, 'acme', 'acme.test');
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

function attribute(schema: Json, name: string): Json {
  return (schema.attributes as Json[]).find((a: Json) => String(a.name).toLowerCase() === name.toLowerCase());
}

/** RFC 7643 §7: what every attribute definition carries. */
function expectWellFormedAttributes(attributes: Json[]): void {
  expect(Array.isArray(attributes)).toBe(true);
  expect(attributes.length).toBeGreaterThan(0);
  for (const a of attributes) {
    expect({ name: a.name, type: a.type, multiValued: a.multiValued }).toEqual({
      name: expect.any(String),
      type: expect.stringMatching(/^(string|boolean|decimal|integer|dateTime|reference|complex|binary)$/),
      multiValued: expect.any(Boolean),
    });
    if (a.mutability !== undefined) expect(a.mutability).toMatch(/^(readOnly|readWrite|immutable|writeOnly)$/);
    if (a.returned !== undefined) expect(a.returned).toMatch(/^(always|never|default|request)$/);
    if (a.type === 'complex' && a.subAttributes !== undefined) expectWellFormedAttributes(a.subAttributes);
  }
}

describe('ServiceProviderConfig', () => {
  test('patch, filter (with maxResults) and etag supported; authentication schemes listed', async () => {
    const spc = expectScim(await scim.get('/ServiceProviderConfig'), 200);
    expect(spc.schemas).toContain(SPC_URN);
    expect(spc.patch).toEqual(expect.objectContaining({ supported: true }));
    expect(spc.filter).toEqual(expect.objectContaining({ supported: true, maxResults: expect.any(Number) }));
    expect(spc.filter.maxResults).toBeGreaterThan(0);
    expect(spc.etag).toEqual(expect.objectContaining({ supported: true }));
    for (const feature of ['bulk', 'changePassword', 'sort']) expect(typeof spc[feature]?.supported).toBe('boolean');
    expect(Array.isArray(spc.authenticationSchemes)).toBe(true);
    expect(spc.authenticationSchemes.length).toBeGreaterThan(0);
    for (const scheme of spc.authenticationSchemes) {
      expect(scheme).toEqual(expect.objectContaining({ type: expect.any(String), name: expect.any(String), description: expect.any(String) }));
    }
  });
});

describe('ResourceTypes', () => {
  test('a ListResponse with User (enterprise extension) and Group', async () => {
    const { total, resources } = expectList(await scim.get('/ResourceTypes'));
    expect(total).toBe(resources.length);
    const user = resources.find((r: Json) => r.id === 'User' || r.name === 'User');
    const group = resources.find((r: Json) => r.id === 'Group' || r.name === 'Group');
    expect(user).toEqual(expect.objectContaining({ name: 'User', endpoint: '/Users', schema: USER_URN }));
    expect(user.schemas).toContain(RESOURCE_TYPE_URN);
    expect(user.schemaExtensions).toEqual(expect.arrayContaining([expect.objectContaining({ schema: ENTERPRISE_URN, required: false })]));
    expect(group).toEqual(expect.objectContaining({ name: 'Group', endpoint: '/Groups', schema: GROUP_URN }));
    expect(group.schemas).toContain(RESOURCE_TYPE_URN);
  });

  test('GET /ResourceTypes/User', async () => {
    const user = expectScim(await scim.get('/ResourceTypes/User'), 200);
    expect(user).toEqual(expect.objectContaining({ name: 'User', endpoint: '/Users', schema: USER_URN }));
  });
});

describe('Schemas', () => {
  test('a ListResponse with the core User, the enterprise User and the Group schema', async () => {
    const { resources } = expectList(await scim.get('/Schemas'));
    const ids = resources.map((r: Json) => r.id);
    expect(ids).toEqual(expect.arrayContaining([USER_URN, ENTERPRISE_URN, GROUP_URN]));
    for (const schema of resources) {
      expect(schema.schemas).toContain(SCHEMA_URN);
      expectWellFormedAttributes(schema.attributes);
    }
  });

  test('the core User schema describes userName, active, emails, groups and password', async () => {
    const user = expectScim(await scim.get(`/Schemas/${USER_URN}`), 200);
    expect(user.id).toBe(USER_URN);
    expectWellFormedAttributes(user.attributes);
    expect(attribute(user, 'userName')).toEqual(expect.objectContaining({ type: 'string', required: true, uniqueness: 'server', caseExact: false }));
    expect(attribute(user, 'active')).toEqual(expect.objectContaining({ type: 'boolean', multiValued: false }));
    expect(attribute(user, 'emails')).toEqual(expect.objectContaining({ type: 'complex', multiValued: true }));
    expect(attribute(user, 'groups')).toEqual(expect.objectContaining({ mutability: 'readOnly', multiValued: true }));
    const password = attribute(user, 'password');
    if (password) expect(password).toEqual(expect.objectContaining({ mutability: 'writeOnly', returned: 'never' }));
  });

  test('the enterprise User schema describes department, employeeNumber and manager', async () => {
    const ext = expectScim(await scim.get(`/Schemas/${ENTERPRISE_URN}`), 200);
    expect(ext.id).toBe(ENTERPRISE_URN);
    expect(attribute(ext, 'department')).toEqual(expect.objectContaining({ type: 'string' }));
    expect(attribute(ext, 'employeeNumber')).toEqual(expect.objectContaining({ type: 'string' }));
    const manager = attribute(ext, 'manager');
    expect(manager).toEqual(expect.objectContaining({ type: 'complex', multiValued: false }));
    expect((manager.subAttributes as Json[]).map((a: Json) => a.name)).toContain('value');
  });

  test('the Group schema describes displayName and members', async () => {
    const group = expectScim(await scim.get(`/Schemas/${GROUP_URN}`), 200);
    expect(group.id).toBe(GROUP_URN);
    expect(attribute(group, 'displayName')).toEqual(expect.objectContaining({ type: 'string' }));
    expect(attribute(group, 'members')).toEqual(expect.objectContaining({ type: 'complex', multiValued: true }));
  });
});
