/**
 * Checks and normalises a full resource sent with POST (create) or PUT (replace).
 *
 * - Attribute names come out in their canonical spelling (`UserName` → `userName`).
 * - readOnly attributes the client sent (`id`, `meta`, `groups`, `manager.displayName`) are
 *   dropped, as RFC 7644 §3.3/§3.5.1 say such values are ignored; Okta sends `groups: []` and
 *   Entra ID `meta: {resourceType}` with every create.
 * - Unknown attributes, unknown sub-attributes and unknown extension blocks are dropped, never
 *   stored; PATCH ignores them the same way, so the two never disagree about what is kept.
 * - `schemas` is rebuilt: the core URN plus the URNs of the extensions that hold values.
 * - `password` (writeOnly) is kept so the caller can hash it; it must never be stored as is or
 *   returned.
 */
import { ScimError } from './errors.ts';
import { deepEqual, equalsIgnoreCase, getIgnoreCase, isPlainObject, isUnassigned, listOf } from './object.ts';
import type { JsonObject } from './object.ts';
import { COMMON_ATTRIBUTES, findAttribute, findExtension } from './schema.ts';
import type { AttributeDefinition, ResourceSchemas, SchemaDefinition } from './schema.ts';
import { coerceValue } from './values.ts';

export type ValidationMode = 'create' | 'replace';

function invalidValue(detail: string): never {
  throw new ScimError(400, 'invalidValue', detail);
}

function isBlank(value: unknown): boolean {
  return isUnassigned(value) || (typeof value === 'string' && value.trim() === '');
}

function checkRequired(node: JsonObject, attributes: readonly AttributeDefinition[], prefix: string): void {
  for (const def of attributes) {
    const value = getIgnoreCase(node, def.name);
    if (def.required && isBlank(value)) invalidValue(`${prefix}${def.name} is required`);
    for (const sub of def.subAttributes ?? []) {
      if (!sub.required) continue;
      for (const item of listOf(value)) {
        if (isPlainObject(item) && isBlank(getIgnoreCase(item, sub.name))) invalidValue(`${prefix}${def.name}.${sub.name} is required`);
      }
    }
  }
}

/** Required attributes and sub-attributes are present and not blank; throws invalidValue. */
export function assertRequired(resource: JsonObject, schemas: ResourceSchemas): void {
  checkRequired(resource, schemas.core.attributes, '');
  for (const extension of schemas.extensions) {
    const block = getIgnoreCase(resource, extension.id);
    if (isPlainObject(block)) checkRequired(block, extension.attributes, `${extension.id}:`);
  }
}

/** RFC 7643 §2.4: "The primary attribute value 'true' MUST appear no more than once." */
function checkPrimary(node: JsonObject, attributes: readonly AttributeDefinition[], prefix: string): void {
  for (const def of attributes) {
    if (!def.multiValued || def.subAttributes?.some((sub) => sub.name === 'primary') !== true) continue;
    const primaries = listOf(node[def.name]).filter((item) => isPlainObject(item) && item.primary === true);
    if (primaries.length > 1) invalidValue(`${prefix}${def.name} has more than one primary value`);
  }
}

function checkSchemasList(value: unknown, schemas: ResourceSchemas): void {
  // Absent is tolerated; when given it must name this resource type's core schema.
  if (value === undefined || value === null) return;
  if (!Array.isArray(value) || !value.every((urn) => typeof urn === 'string')) invalidValue('schemas must be an array of schema URIs');
  if (!value.some((urn: string) => equalsIgnoreCase(urn, schemas.core.id))) invalidValue(`schemas must include ${schemas.core.id}`);
}

/** Canonical attributes of `source` found in `attributes`; readOnly and unknown ones dropped. */
function normaliseBlock(source: JsonObject, attributes: readonly AttributeDefinition[], prefix: string): JsonObject {
  const out: JsonObject = {};
  const seen = new Set<string>();
  for (const [key, raw] of Object.entries(source)) {
    const def = findAttribute(attributes, key);
    if (def === undefined || def.mutability === 'readOnly') continue;
    if (seen.has(def.name)) invalidValue(`${prefix}${def.name} is given twice`);
    seen.add(def.name);
    const value = coerceValue(def, raw, `${prefix}${def.name}`);
    if (value !== undefined) out[def.name] = value;
  }
  return out;
}

/** RFC 7644 §3.5.1: an immutable attribute that has a value must be sent unchanged. */
function checkImmutable(next: JsonObject, existing: JsonObject, attributes: readonly AttributeDefinition[], prefix: string): void {
  for (const def of attributes) {
    if (def.mutability !== 'immutable') continue;
    const before = getIgnoreCase(existing, def.name);
    if (!isUnassigned(before) && !deepEqual(before, next[def.name])) {
      throw new ScimError(400, 'mutability', `${prefix}${def.name} is immutable`);
    }
  }
}

/**
 * The normalised resource, or ScimError 400: invalidSyntax (not an object), invalidValue (wrong
 * types, missing userName/displayName, two primaries, `schemas` without the core URN) or
 * mutability (`replace` with `existing`, changing an immutable attribute). The two modes check the
 * same things otherwise: PUT carries the whole resource just as POST does.
 */
export function validateResource(resource: unknown, schemas: ResourceSchemas, mode: ValidationMode, existing?: JsonObject): JsonObject {
  if (!isPlainObject(resource)) throw new ScimError(400, 'invalidSyntax', 'a resource must be a JSON object');
  checkSchemasList(getIgnoreCase(resource, 'schemas'), schemas);
  const coreAttributes = [...COMMON_ATTRIBUTES, ...schemas.core.attributes];
  const core: JsonObject = {};
  const blocks = new Map<SchemaDefinition, JsonObject>();
  const seen = new Set<string>();
  for (const [key, raw] of Object.entries(resource)) {
    const extension = findExtension(schemas, key);
    if (extension !== undefined) {
      if (raw === null || raw === undefined) continue;
      if (!isPlainObject(raw)) invalidValue(`${extension.id} must be an object of its attributes`);
      if (seen.has(extension.id)) invalidValue(`${extension.id} is given twice`);
      seen.add(extension.id);
      const block = normaliseBlock(raw, extension.attributes, `${extension.id}:`);
      if (Object.keys(block).length > 0) blocks.set(extension, block);
      continue;
    }
    const def = findAttribute(coreAttributes, key);
    if (def === undefined || def.mutability === 'readOnly') continue;
    if (seen.has(def.name)) invalidValue(`${def.name} is given twice`);
    seen.add(def.name);
    const value = coerceValue(def, raw);
    if (value !== undefined) core[def.name] = value;
  }

  const result: JsonObject = {
    schemas: [schemas.core.id, ...schemas.extensions.filter((extension) => blocks.has(extension)).map((extension) => extension.id)],
    ...core,
  };
  for (const [extension, block] of blocks) result[extension.id] = block;

  assertRequired(result, schemas);
  checkPrimary(core, schemas.core.attributes, '');
  for (const [extension, block] of blocks) checkPrimary(block, extension.attributes, `${extension.id}:`);
  if (mode === 'replace' && existing !== undefined) {
    checkImmutable(core, existing, coreAttributes, '');
    for (const extension of schemas.extensions) {
      const before = getIgnoreCase(existing, extension.id);
      if (isPlainObject(before)) checkImmutable(blocks.get(extension) ?? {}, before, extension.attributes, `${extension.id}:`);
    }
  }
  return result;
}
