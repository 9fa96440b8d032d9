/**
 * The SCIM schemas Stoa serves (RFC 7643 §4, §8.7): core User, the Enterprise User extension and
 * core Group, in the RFC 7643 §7 attribute form, plus discovery documents and path resolution.
 */
import { parseAttrPath } from './filter/parse.ts';
import type { AttrPath } from './filter/parse.ts';
import { equalsIgnoreCase } from './object.ts';

export const USER_SCHEMA_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_SCHEMA_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const SCHEMA_SCHEMA_URN = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
export const RESOURCE_TYPE_SCHEMA_URN = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';

export type AttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex' | 'binary';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly subAttributes?: readonly AttributeDefinition[];
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
}

export interface SchemaDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
}

export interface ResourceTypeDefinition {
  readonly id: string;
  readonly name: string;
  readonly endpoint: string;
  readonly description: string;
  readonly schema: string;
  readonly schemaExtensions: readonly { readonly schema: string; readonly required: boolean }[];
}

/** What the filter, PATCH and validation code need to know about one resource type. */
export interface ResourceSchemas {
  readonly core: SchemaDefinition;
  /** Their attributes live under the schema URN as a key of the resource. */
  readonly extensions: readonly SchemaDefinition[];
}

type AttributeOptions = Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description'>>;

function attr(name: string, type: AttributeType, description: string, options: AttributeOptions = {}): AttributeDefinition {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
}

function complex(name: string, description: string, subAttributes: readonly AttributeDefinition[], options: AttributeOptions = {}): AttributeDefinition {
  return attr(name, 'complex', description, { ...options, subAttributes });
}

/** The RFC 7643 §2.4 shape shared by emails, phoneNumbers, ims, photos, entitlements, roles, x509Certificates. */
function plural(
  name: string,
  description: string,
  value: { type?: AttributeType; caseExact?: boolean; referenceTypes?: readonly string[] } = {},
  canonicalTypes?: readonly string[],
): AttributeDefinition {
  return complex(name, description, [
    attr('value', value.type ?? 'string', `The value of the ${name} entry.`, {
      ...(value.caseExact === undefined ? {} : { caseExact: value.caseExact }),
      ...(value.referenceTypes === undefined ? {} : { referenceTypes: value.referenceTypes }),
    }),
    attr('display', 'string', 'A human-readable name, primarily used for display purposes.'),
    attr('type', 'string', `A label indicating the ${name} entry's function.`, canonicalTypes === undefined ? {} : { canonicalValues: canonicalTypes }),
    attr('primary', 'boolean', `Whether this is the primary ${name} entry; at most one is.`),
  ], { multiValued: true });
}

function freeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) freeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * RFC 7643 §3.1 common attributes. They belong to no schema (so /Schemas does not list them) but
 * resolve under the core schema URN. `schemas` is here so that `schemas eq "urn:…"` filters work.
 */
export const COMMON_ATTRIBUTES: readonly AttributeDefinition[] = freeze([
  attr('schemas', 'reference', 'The schema URIs of the resource.', { multiValued: true, required: true, mutability: 'readOnly', returned: 'always', referenceTypes: ['uri'] }),
  attr('id', 'string', 'Unique identifier assigned by the service provider.', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
  attr('externalId', 'string', 'Identifier of the resource as defined by the provisioning client.', { caseExact: true }),
  complex('meta', 'Resource metadata maintained by the service provider.', [
    attr('resourceType', 'string', 'The name of the resource type of the resource.', { caseExact: true, mutability: 'readOnly' }),
    attr('created', 'dateTime', 'When the resource was added to the service provider.', { mutability: 'readOnly' }),
    attr('lastModified', 'dateTime', 'When the resource was last updated.', { mutability: 'readOnly' }),
    attr('location', 'reference', 'The URI of the resource.', { caseExact: true, mutability: 'readOnly', referenceTypes: ['uri'] }),
    attr('version', 'string', 'The version (ETag) of the resource.', { caseExact: true, mutability: 'readOnly' }),
  ], { mutability: 'readOnly' }),
]);

export const USER_SCHEMA: SchemaDefinition = freeze({
  id: USER_SCHEMA_URN,
  name: 'User',
  description: 'User Account',
  attributes: [
    attr('userName', 'string', 'Unique identifier for the User, used to authenticate; REQUIRED and non-empty.', { required: true, uniqueness: 'server' }),
    complex('name', 'The components of the user\'s real name.', [
      attr('formatted', 'string', 'The full name, formatted for display.'),
      attr('familyName', 'string', 'The family name (last name in most Western languages).'),
      attr('givenName', 'string', 'The given name (first name in most Western languages).'),
      attr('middleName', 'string', 'The middle name(s).'),
      attr('honorificPrefix', 'string', 'The honorific prefix(es), or title (e.g. "Ms.").'),
      attr('honorificSuffix', 'string', 'The honorific suffix(es) (e.g. "III").'),
    ]),
    attr('displayName', 'string', 'The name of the User, suitable for display to end-users.'),
    attr('nickName', 'string', 'The casual way to address the user.'),
    attr('profileUrl', 'reference', 'A URI pointing to the user\'s online profile.', { referenceTypes: ['external'] }),
    attr('title', 'string', 'The user\'s title, such as "Vice President".'),
    attr('userType', 'string', 'The relationship between the organization and the user, e.g. "Employee".'),
    attr('preferredLanguage', 'string', 'The preferred written or spoken language, as an RFC 7231 language tag.'),
    attr('locale', 'string', 'The default location for localizing currency, dates and numbers.'),
    attr('timezone', 'string', 'The user\'s time zone in IANA "Olson" format, e.g. "Europe/Amsterdam".'),
    attr('active', 'boolean', 'The user\'s administrative status.'),
    attr('password', 'string', 'The user\'s cleartext password; write-only, never returned.', { mutability: 'writeOnly', returned: 'never' }),
    plural('emails', 'Email addresses for the user.', {}, ['work', 'home', 'other']),
    plural('phoneNumbers', 'Phone numbers for the user.', {}, ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    plural('ims', 'Instant messaging addresses for the user.', {}, ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
    plural('photos', 'URLs of photos of the user.', { type: 'reference', referenceTypes: ['external'] }, ['photo', 'thumbnail']),
    complex('addresses', 'Physical mailing addresses for the user.', [
      attr('formatted', 'string', 'The full mailing address, formatted for display.'),
      attr('streetAddress', 'string', 'The full street address component.'),
      attr('locality', 'string', 'The city or locality component.'),
      attr('region', 'string', 'The state or region component.'),
      attr('postalCode', 'string', 'The zip code or postal code component.'),
      attr('country', 'string', 'The country name component, ISO 3166-1 alpha-2 when possible.'),
      attr('type', 'string', 'A label indicating the address\'s function.', { canonicalValues: ['work', 'home', 'other'] }),
      attr('primary', 'boolean', 'Whether this is the primary address; at most one is.'),
    ], { multiValued: true }),
    complex('groups', 'The groups the user belongs to, directly or indirectly; maintained by the server.', [
      attr('value', 'string', 'The id of the Group.', { mutability: 'readOnly' }),
      attr('$ref', 'reference', 'The URI of the Group.', { mutability: 'readOnly', referenceTypes: ['User', 'Group'] }),
      attr('display', 'string', 'The displayName of the Group.', { mutability: 'readOnly' }),
      attr('type', 'string', 'How the membership came about.', { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }),
    ], { multiValued: true, mutability: 'readOnly' }),
    plural('entitlements', 'Entitlements of the user.'),
    plural('roles', 'Roles of the user.'),
    plural('x509Certificates', 'X.509 certificates issued to the user.', { type: 'binary', caseExact: true }),
  ],
});

export const ENTERPRISE_USER_SCHEMA: SchemaDefinition = freeze({
  id: ENTERPRISE_USER_SCHEMA_URN,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attr('employeeNumber', 'string', 'Identifier assigned to the person by the organization.'),
    attr('costCenter', 'string', 'Name of a cost center.'),
    attr('organization', 'string', 'Name of an organization.'),
    attr('division', 'string', 'Name of a division.'),
    attr('department', 'string', 'Name of a department.'),
    complex('manager', 'The user\'s manager.', [
      attr('value', 'string', 'The id of the SCIM resource representing the manager.'),
      attr('$ref', 'reference', 'The URI of the SCIM resource representing the manager.', { referenceTypes: ['User'] }),
      attr('displayName', 'string', 'The displayName of the manager; maintained by the server.', { mutability: 'readOnly' }),
    ]),
  ],
});

export const GROUP_SCHEMA: SchemaDefinition = freeze({
  id: GROUP_SCHEMA_URN,
  name: 'Group',
  description: 'Group',
  attributes: [
    // RFC 7643 §4.2 calls it REQUIRED although §8.7.1 lists it as optional; Entra ID matches on it.
    attr('displayName', 'string', 'A human-readable name for the Group; REQUIRED.', { required: true }),
    complex('members', 'A list of members of the Group.', [
      // A member without an id means nothing, so value is required here (the RFC leaves it optional).
      attr('value', 'string', 'The id of the member resource.', { required: true, mutability: 'immutable' }),
      attr('$ref', 'reference', 'The URI of the member resource.', { mutability: 'immutable', referenceTypes: ['User', 'Group'] }),
      attr('display', 'string', 'A human-readable name of the member.', { mutability: 'immutable' }),
      attr('type', 'string', 'The type of the member resource.', { mutability: 'immutable', canonicalValues: ['User', 'Group'] }),
    ], { multiValued: true }),
  ],
});

export const USER_SCHEMAS: ResourceSchemas = freeze({ core: USER_SCHEMA, extensions: [ENTERPRISE_USER_SCHEMA] });
export const GROUP_SCHEMAS: ResourceSchemas = freeze({ core: GROUP_SCHEMA, extensions: [] });

export const USER_RESOURCE_TYPE: ResourceTypeDefinition = freeze({
  id: 'User',
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: USER_SCHEMA_URN,
  schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA_URN, required: false }],
});

export const GROUP_RESOURCE_TYPE: ResourceTypeDefinition = freeze({
  id: 'Group',
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: GROUP_SCHEMA_URN,
  schemaExtensions: [],
});

const ALL_SCHEMAS: readonly SchemaDefinition[] = [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA];

function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

/** The `/Schemas` resources (RFC 7643 §7, §8.7); `baseUrl` is the SCIM root, e.g. `https://h/t/scim/v2`. */
export function schemaResources(baseUrl: string): Record<string, unknown>[] {
  const base = trimBase(baseUrl);
  return ALL_SCHEMAS.map((schema) => ({
    schemas: [SCHEMA_SCHEMA_URN],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes,
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${schema.id}` },
  }));
}

/** One `/Schemas/{id}` resource, the id matched case-insensitively. */
export function schemaResource(id: string, baseUrl: string): Record<string, unknown> | undefined {
  return schemaResources(baseUrl).find((resource) => equalsIgnoreCase(resource.id as string, id));
}

/** The `/ResourceTypes` resources (RFC 7643 §6). */
export function resourceTypeResources(baseUrl: string): Record<string, unknown>[] {
  const base = trimBase(baseUrl);
  return [USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE].map((type) => ({
    schemas: [RESOURCE_TYPE_SCHEMA_URN],
    id: type.id,
    name: type.name,
    endpoint: type.endpoint,
    description: type.description,
    schema: type.schema,
    ...(type.schemaExtensions.length > 0 ? { schemaExtensions: type.schemaExtensions } : {}),
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/${type.id}` },
  }));
}

export interface ResolvedAttribute {
  /** The schema the attribute belongs to; common attributes report the core schema. */
  readonly schemaUrn: string;
  /** True when the value lives under the schema URN key rather than at the top level. */
  readonly extension: boolean;
  readonly attribute: AttributeDefinition;
  readonly subAttribute?: AttributeDefinition;
}

export function findAttribute(attributes: readonly AttributeDefinition[], name: string): AttributeDefinition | undefined {
  return attributes.find((candidate) => equalsIgnoreCase(candidate.name, name));
}

export function findSubAttribute(attribute: AttributeDefinition, name: string): AttributeDefinition | undefined {
  return attribute.subAttributes === undefined ? undefined : findAttribute(attribute.subAttributes, name);
}

/** The extension whose URN is `urn`, case-insensitively. */
export function findExtension(schemas: ResourceSchemas, urn: string): SchemaDefinition | undefined {
  return schemas.extensions.find((schema) => equalsIgnoreCase(schema.id, urn));
}

/**
 * Resolves `userName`, `name.givenName`, `urn:…:User:name.givenName` or
 * `urn:…:enterprise:2.0:User:manager.value`, all case-insensitively. Extension attributes need
 * their URN (RFC 7644 §3.10). Undefined when the path names nothing in these schemas.
 */
export function resolveAttributePath(path: string | AttrPath, schemas: ResourceSchemas): ResolvedAttribute | undefined {
  const parsed = typeof path === 'string' ? parseAttrPath(path.trim()) : path;
  if (parsed === undefined) return undefined;
  let schema = schemas.core;
  if (parsed.uri !== undefined && !equalsIgnoreCase(parsed.uri, schemas.core.id)) {
    const extension = findExtension(schemas, parsed.uri);
    if (extension === undefined) return undefined;
    schema = extension;
  }
  const extension = schema !== schemas.core;
  const attribute = findAttribute(schema.attributes, parsed.name) ?? (extension ? undefined : findAttribute(COMMON_ATTRIBUTES, parsed.name));
  if (attribute === undefined) return undefined;
  if (parsed.subAttr === undefined) return { schemaUrn: schema.id, extension, attribute };
  const subAttribute = findSubAttribute(attribute, parsed.subAttr);
  if (subAttribute === undefined) return undefined;
  return { schemaUrn: schema.id, extension, attribute, subAttribute };
}
