/**
 * RFC 7644 §3.5.2 PATCH on a SCIM JSON resource, as Entra ID and Okta send it.
 *
 * All or nothing: operations run in order on a copy, and the first error throws before anything
 * is returned, so the caller's resource is never half-patched.
 *
 * Choices where the RFC leaves room or the identity providers stray from it:
 * - `op` is case-insensitive (Entra ID sends `Add`, `Replace`, `Remove`).
 * - Without `path`, each key of the value object is itself a path: `name.givenName` and
 *   `urn:…:enterprise:2.0:User:department` work as keys, and so does the extension URN holding an
 *   object of its attributes. `schemas` keys are skipped; the server keeps `schemas` in step.
 * - Unknown attributes are ignored, as on POST and PUT (see validate.ts). A malformed path is
 *   still invalidPath.
 * - Booleans may come as "True"/"False"; a bare value for a complex attribute is its `value`
 *   (Entra ID's `manager: "id"`), and replaces the complex value rather than merging into it.
 * - add/replace on `attr[filter].sub` or `attr[filter]` that matches nothing creates the value
 *   when the filter is a conjunction of `eq` tests (`emails[type eq "work"].value` creates a work
 *   email, which is what Entra ID expects); any other filter gives noTarget.
 * - remove on a filter that matches nothing succeeds: the value is already gone (Okta retries).
 * - remove of `members` (any multi-valued attribute) with a value removes just those values
 *   (Entra ID's form), matching on the sub-attributes given.
 * - Removing or nulling a required attribute (userName, displayName) is 400 mutability, per
 *   RFC 7644 §3.5.2.2; an empty required value left by replace is 400 invalidValue.
 * - readOnly targets are 400 mutability unless the value sent equals the current one (Okta's
 *   group rename repeats the group's `id`). Immutable ones may be set once.
 * - Setting `primary: true` on one value clears it on the others (RFC 7644 §3.5.2).
 * - Multi-valued values equal to an existing one are not added twice; values that reference a
 *   resource (those with `$ref`, e.g. group members) are the same when their `value` is.
 */
import { ScimError } from './errors.ts';
import { compileElementFilter } from './filter/evaluate.ts';
import { conjuncts, parsePatchPath } from './filter/parse.ts';
import type { Filter, PatchPath } from './filter/parse.ts';
import { deepEqual, deleteIgnoreCase, equalsIgnoreCase, findKey, getIgnoreCase, isPlainObject, isUnassigned, listOf, setIgnoreCase } from './object.ts';
import type { JsonObject } from './object.ts';
import { findExtension, findSubAttribute, resolveAttributePath } from './schema.ts';
import type { AttributeDefinition, ResourceSchemas, SchemaDefinition } from './schema.ts';
import { assertRequired } from './validate.ts';
import { coerceElement, coerceValue } from './values.ts';

export { validateResource } from './validate.ts';
export type { ValidationMode } from './validate.ts';

export const PATCH_OP_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** More operations than this in one request is refused (413) rather than worked through. */
export const MAX_PATCH_OPERATIONS = 1000;

export type PatchOpName = 'add' | 'replace' | 'remove';

export interface PatchOperation {
  readonly op: PatchOpName;
  readonly path?: string;
  readonly value?: unknown;
}

/** A resolved PATCH target. */
interface Target {
  readonly label: string;
  readonly schemaUrn: string;
  readonly extension: boolean;
  readonly attribute: AttributeDefinition;
  readonly subAttribute?: AttributeDefinition;
  readonly filter?: ElementSelector;
}

interface ElementSelector {
  readonly test: (element: unknown) => boolean;
  /** The values a new element gets when nothing matched, or undefined when the filter cannot say. */
  readonly seed: JsonObject | undefined;
}

function mutability(detail: string): never {
  throw new ScimError(400, 'mutability', detail);
}

/** One operation of the `Operations` array, its member names and `op` matched case-insensitively. */
export function readOperation(raw: unknown): PatchOperation {
  if (!isPlainObject(raw)) throw new ScimError(400, 'invalidSyntax', 'each operation must be an object');
  const op = getIgnoreCase(raw, 'op');
  const name = typeof op === 'string' ? op.toLowerCase() : undefined;
  if (name !== 'add' && name !== 'replace' && name !== 'remove') {
    throw new ScimError(400, 'invalidSyntax', `op must be "add", "replace" or "remove", not ${JSON.stringify(op ?? null)}`);
  }
  const path = getIgnoreCase(raw, 'path');
  if (path !== undefined && path !== null && typeof path !== 'string') throw new ScimError(400, 'invalidPath', 'path must be a string');
  const valueKey = findKey(raw, 'value');
  return {
    op: name,
    ...(typeof path === 'string' ? { path } : {}),
    ...(valueKey === undefined ? {} : { value: raw[valueKey] }),
  };
}

function seedOf(filter: Filter, attribute: AttributeDefinition): JsonObject | undefined {
  const seed: JsonObject = {};
  for (const part of conjuncts(filter)) {
    if (part.type !== 'compare' || part.op !== 'eq' || part.value === null) return undefined;
    const sub = findSubAttribute(attribute, part.path.name);
    if (sub === undefined || sub.type === 'complex') return undefined;
    try {
      seed[sub.name] = coerceValue(sub, part.value);
    } catch {
      return undefined;
    }
  }
  return seed;
}

function resolveTarget(parsed: PatchPath, schemas: ResourceSchemas, label: string): Target | undefined {
  const resolved = resolveAttributePath({ ...(parsed.uri === undefined ? {} : { uri: parsed.uri }), name: parsed.name }, schemas);
  if (resolved === undefined) return undefined;
  const { attribute } = resolved;
  let subAttribute: AttributeDefinition | undefined;
  if (parsed.subAttr !== undefined) {
    if (attribute.type !== 'complex') throw new ScimError(400, 'invalidPath', `${label}: ${attribute.name} has no sub-attributes`);
    subAttribute = findSubAttribute(attribute, parsed.subAttr);
    if (subAttribute === undefined) return undefined;
  }
  let filter: ElementSelector | undefined;
  if (parsed.filter !== undefined) {
    if (attribute.type !== 'complex' || !attribute.multiValued) {
      throw new ScimError(400, 'invalidPath', `${label}: only multi-valued complex attributes take a [ ] filter`);
    }
    try {
      filter = { test: compileElementFilter(parsed.filter, attribute), seed: seedOf(parsed.filter, attribute) };
    } catch (err) {
      if (err instanceof ScimError) throw new ScimError(400, 'invalidPath', `${label}: ${err.message}`);
      throw err;
    }
  }
  return {
    label,
    schemaUrn: resolved.schemaUrn,
    extension: resolved.extension,
    attribute,
    ...(subAttribute === undefined ? {} : { subAttribute }),
    ...(filter === undefined ? {} : { filter }),
  };
}

function containerFor(resource: JsonObject, target: Target, create: boolean): JsonObject | undefined {
  if (!target.extension) return resource;
  const existing = getIgnoreCase(resource, target.schemaUrn);
  if (isPlainObject(existing)) return existing;
  if (!create) return undefined;
  const fresh: JsonObject = {};
  setIgnoreCase(resource, target.schemaUrn, fresh);
  return fresh;
}

function sameState(a: unknown, b: unknown): boolean {
  return (isUnassigned(a) && isUnassigned(b)) || deepEqual(a, b);
}

function assertMutable(def: AttributeDefinition, before: unknown, after: unknown, label: string): void {
  if (def.mutability !== 'readOnly' && def.mutability !== 'immutable') return;
  if (sameState(before, after)) return;
  if (def.mutability === 'immutable' && isUnassigned(before)) return;
  mutability(`${label} is ${def.mutability}`);
}

/** RFC 7644 §3.5.2.2: removing a required or readOnly attribute is a mutability error. */
function assertRemovable(def: AttributeDefinition, before: unknown, label: string): void {
  if (isUnassigned(before)) return;
  if (def.required) mutability(`${label} is required and cannot be removed`);
  assertMutable(def, before, undefined, label);
}

function unassign(container: JsonObject, target: Target, before: unknown): void {
  assertRemovable(target.attribute, before, target.label);
  deleteIgnoreCase(container, target.attribute.name);
}

function store(container: JsonObject, target: Target, before: unknown, after: unknown[]): void {
  if (after.length === 0) {
    unassign(container, target, before);
    return;
  }
  assertMutable(target.attribute, before, after, target.label);
  setIgnoreCase(container, target.attribute.name, after);
}

/** The sub-attribute that identifies a value which points at another resource (members, groups). */
function identityOf(attribute: AttributeDefinition): AttributeDefinition | undefined {
  return findSubAttribute(attribute, '$ref') === undefined ? undefined : findSubAttribute(attribute, 'value');
}

function sameText(a: unknown, b: unknown, caseExact: boolean): boolean {
  if (typeof a === 'string' && typeof b === 'string' && !caseExact) return equalsIgnoreCase(a, b);
  return deepEqual(a, b);
}

function sameElement(a: unknown, b: unknown, attribute: AttributeDefinition): boolean {
  const identity = identityOf(attribute);
  if (identity !== undefined && isPlainObject(a) && isPlainObject(b)) {
    return sameText(getIgnoreCase(a, identity.name), getIgnoreCase(b, identity.name), identity.caseExact);
  }
  return deepEqual(a, b);
}

/** Whether `item` has every sub-attribute value `spec` gives (a remove-by-value request). */
function fitsSpec(item: unknown, spec: unknown, attribute: AttributeDefinition): boolean {
  if (!isPlainObject(spec) || !isPlainObject(item)) return sameText(item, spec, attribute.caseExact);
  return Object.entries(spec).every(([key, wanted]) => {
    const sub = findSubAttribute(attribute, key);
    return sameText(getIgnoreCase(item, key), wanted, sub?.caseExact ?? true);
  });
}

function copyItem(item: unknown): unknown {
  return isPlainObject(item) ? { ...item } : item;
}

/** Keeps at most one `primary: true`, preferring the last value this operation touched. */
function settlePrimary(items: unknown[], touched: ReadonlySet<unknown>): unknown[] {
  const primaries = items.filter((item) => isPlainObject(item) && getIgnoreCase(item, 'primary') === true);
  if (primaries.length <= 1) return items;
  const keep = primaries.filter((item) => touched.has(item)).at(-1) ?? primaries.at(-1);
  return items.map((item) => {
    if (item === keep || !primaries.includes(item)) return item;
    const demoted = { ...(item as JsonObject) };
    setIgnoreCase(demoted, 'primary', false);
    return demoted;
  });
}

function mergeInto(before: JsonObject, value: JsonObject): JsonObject {
  const merged = { ...before };
  for (const [key, sub] of Object.entries(value)) setIgnoreCase(merged, key, sub);
  return merged;
}

function newElement(target: Target, fields: JsonObject): JsonObject {
  const seed = target.filter?.seed;
  if (seed === undefined) throw new ScimError(400, 'noTarget', `${target.label} matches no value`);
  return { ...seed, ...fields };
}

function setAttribute(resource: JsonObject, kind: 'add' | 'replace', target: Target, raw: unknown): void {
  const { attribute } = target;
  const container = containerFor(resource, target, true) as JsonObject;
  const before = getIgnoreCase(container, attribute.name);
  const value = coerceValue(attribute, raw, target.label);
  if (value === undefined) {
    // null, [] or {}: replace leaves the attribute unassigned (RFC 7643 §2.5), add adds nothing.
    if (kind === 'replace') unassign(container, target, before);
    return;
  }
  if (attribute.multiValued) {
    const added = value as unknown[];
    let items = added;
    if (kind === 'add') {
      items = listOf(before);
      for (const item of added) if (!items.some((existing) => sameElement(existing, item, attribute))) items = [...items, item];
    }
    store(container, target, before, settlePrimary(items, new Set(added)));
    return;
  }
  // Sub-attributes not given are left alone (RFC 7644 §3.5.2.1, §3.5.2.3); a bare value such as
  // Entra ID's manager id names a different thing, so what was known about the old one goes.
  const after = attribute.type === 'complex' && isPlainObject(raw) && isPlainObject(before) ? mergeInto(before, value as JsonObject) : value;
  assertMutable(attribute, before, after, target.label);
  setIgnoreCase(container, attribute.name, after);
}

function setSubAttribute(resource: JsonObject, kind: 'add' | 'replace', target: Target, sub: AttributeDefinition, raw: unknown): void {
  const { attribute } = target;
  if (attribute.multiValued) {
    throw new ScimError(400, 'invalidPath', `${target.label}: say which ${attribute.name} value to change, e.g. ${attribute.name}[type eq "work"].${sub.name}`);
  }
  const container = containerFor(resource, target, true) as JsonObject;
  const before = getIgnoreCase(container, attribute.name);
  const next: JsonObject = isPlainObject(before) ? { ...before } : {};
  const subBefore = getIgnoreCase(next, sub.name);
  const value = coerceValue(sub, raw, target.label);
  if (value === undefined) {
    if (kind === 'add') return;
    assertRemovable(sub, subBefore, target.label);
    deleteIgnoreCase(next, sub.name);
  } else {
    assertMutable(sub, subBefore, value, target.label);
    setIgnoreCase(next, sub.name, value);
  }
  if (isUnassigned(next)) {
    unassign(container, target, before);
    return;
  }
  assertMutable(attribute, before, next, attribute.name);
  setIgnoreCase(container, attribute.name, next);
}

function setFiltered(resource: JsonObject, kind: 'add' | 'replace', target: Target, selector: ElementSelector, raw: unknown): void {
  const { attribute, subAttribute: sub } = target;
  const container = containerFor(resource, target, true) as JsonObject;
  const before = getIgnoreCase(container, attribute.name);
  let items = listOf(before).map(copyItem);
  const hits = items.filter(selector.test);
  const touched = new Set<unknown>();

  if (sub !== undefined) {
    const value = coerceValue(sub, raw, target.label);
    if (hits.length === 0) {
      if (value === undefined) return;
      const created = newElement(target, { [sub.name]: value });
      items.push(created);
      touched.add(created);
    }
    for (const hit of hits as JsonObject[]) {
      const subBefore = getIgnoreCase(hit, sub.name);
      if (value === undefined) {
        if (kind === 'add') continue;
        assertRemovable(sub, subBefore, target.label);
        deleteIgnoreCase(hit, sub.name);
      } else {
        assertMutable(sub, subBefore, value, target.label);
        setIgnoreCase(hit, sub.name, value);
      }
      touched.add(hit);
    }
  } else {
    // One element is expected; a one-element array is what some clients send for it.
    const single = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
    const element = coerceElement(attribute, single, target.label) as JsonObject | undefined;
    if (element === undefined) {
      if (kind === 'add') return;
      items = items.filter((item) => !hits.includes(item));
    } else if (hits.length === 0) {
      const created = newElement(target, element);
      items.push(created);
      touched.add(created);
    } else {
      // RFC 7644 §3.5.2.3: replace swaps each matching value whole; add merges into it.
      items = items.map((item) => {
        if (!hits.includes(item)) return item;
        const next = kind === 'add' ? mergeInto(item as JsonObject, element) : { ...element };
        touched.add(next);
        return next;
      });
    }
  }
  store(container, target, before, settlePrimary(items.filter((item) => !isUnassigned(item)), touched));
}

function removeTarget(resource: JsonObject, target: Target, raw: unknown): void {
  const { attribute, subAttribute: sub, filter } = target;
  if (attribute.mutability === 'readOnly') mutability(`${target.label} is readOnly`);
  if (sub !== undefined && attribute.multiValued && filter === undefined) {
    throw new ScimError(400, 'invalidPath', `${target.label}: say which ${attribute.name} values, e.g. ${attribute.name}[type eq "work"].${sub.name}`);
  }
  const container = containerFor(resource, target, false);
  if (container === undefined) return;
  const before = getIgnoreCase(container, attribute.name);

  if (filter !== undefined) {
    const items = listOf(before).map(copyItem);
    const hits = items.filter(filter.test);
    if (hits.length === 0) return;
    if (sub === undefined) {
      store(container, target, before, items.filter((item) => !hits.includes(item)));
      return;
    }
    for (const hit of hits as JsonObject[]) {
      assertRemovable(sub, getIgnoreCase(hit, sub.name), target.label);
      deleteIgnoreCase(hit, sub.name);
    }
    store(container, target, before, items.filter((item) => !isUnassigned(item)));
    return;
  }

  if (sub !== undefined) {
    if (!isPlainObject(before)) return;
    assertRemovable(sub, getIgnoreCase(before, sub.name), target.label);
    const next = { ...before };
    deleteIgnoreCase(next, sub.name);
    if (isUnassigned(next)) unassign(container, target, before);
    else setIgnoreCase(container, attribute.name, next);
    return;
  }

  if (attribute.multiValued && raw !== undefined && raw !== null) {
    // Entra ID: {"op":"Remove","path":"members","value":[{"value":"<id>"}]} removes just those.
    const doomed = listOf(coerceValue(attribute, raw, target.label));
    store(container, target, before, listOf(before).filter((item) => !doomed.some((spec) => fitsSpec(item, spec, attribute))));
    return;
  }
  unassign(container, target, before);
}

/**
 * add/replace on a readOnly target succeeds only as a no-op, when the value sent is the current
 * one. Compared as sent, because normalising would strip the readOnly parts it is made of.
 */
function assertUnchanged(resource: JsonObject, target: Target, value: unknown): void {
  const container = containerFor(resource, target, false);
  const current = container === undefined ? undefined : getIgnoreCase(container, target.attribute.name);
  const sub = target.subAttribute;
  const before = sub === undefined ? current : isPlainObject(current) ? getIgnoreCase(current, sub.name) : undefined;
  if (target.filter === undefined && sameState(before, value)) return;
  mutability(`${target.label} is readOnly`);
}

function applyParsed(resource: JsonObject, kind: PatchOpName, parsed: PatchPath, value: unknown, schemas: ResourceSchemas, label: string): void {
  const target = resolveTarget(parsed, schemas, label);
  if (target === undefined) return;
  if (kind === 'remove') {
    removeTarget(resource, target, value);
    return;
  }
  if (value === undefined) throw new ScimError(400, 'invalidValue', `${kind} of ${label} needs a value`);
  if (target.attribute.mutability === 'readOnly' || target.subAttribute?.mutability === 'readOnly') {
    assertUnchanged(resource, target, value);
    return;
  }
  if (target.filter !== undefined) setFiltered(resource, kind, target, target.filter, value);
  else if (target.subAttribute !== undefined) setSubAttribute(resource, kind, target, target.subAttribute, value);
  else setAttribute(resource, kind, target, value);
}

/** Keys of a path-less value object, or of an extension's object, that are not paths are unknown attributes. */
function parseKey(key: string): PatchPath | undefined {
  try {
    return parsePatchPath(key);
  } catch {
    return undefined;
  }
}

function applyExtension(resource: JsonObject, kind: PatchOpName, extension: SchemaDefinition, value: unknown, schemas: ResourceSchemas): void {
  if (kind === 'remove' || (kind === 'replace' && value === null)) {
    for (const attribute of extension.attributes) {
      applyParsed(resource, 'remove', { uri: extension.id, name: attribute.name }, undefined, schemas, `${extension.id}:${attribute.name}`);
    }
    return;
  }
  if (value === null) return;
  if (!isPlainObject(value)) throw new ScimError(400, 'invalidValue', `${extension.id} takes an object of its attributes`);
  for (const [key, inner] of Object.entries(value)) {
    const parsed = parseKey(key);
    if (parsed === undefined || parsed.uri !== undefined) continue;
    applyParsed(resource, kind, { ...parsed, uri: extension.id }, inner, schemas, `${extension.id}:${key}`);
  }
}

function applyOperation(resource: JsonObject, operation: PatchOperation, schemas: ResourceSchemas): void {
  const { op, path, value } = operation;
  if (path === undefined || path.trim() === '') {
    if (op === 'remove') throw new ScimError(400, 'noTarget', 'remove needs a path');
    if (!isPlainObject(value)) throw new ScimError(400, 'invalidValue', `${op} without a path needs an object of attributes as its value`);
    for (const [key, inner] of Object.entries(value)) {
      if (equalsIgnoreCase(key, 'schemas')) continue;
      const extension = findExtension(schemas, key);
      if (extension !== undefined) {
        applyExtension(resource, op, extension, inner, schemas);
        continue;
      }
      const parsed = parseKey(key);
      if (parsed !== undefined) applyParsed(resource, op, parsed, inner, schemas, key);
    }
    return;
  }
  const extension = findExtension(schemas, path.trim());
  if (extension !== undefined) applyExtension(resource, op, extension, value, schemas);
  else applyParsed(resource, op, parsePatchPath(path), value, schemas, path);
}

/** `schemas` lists the core URN and exactly the extensions that hold values, and comes first. */
function withSchemas(resource: JsonObject, schemas: ResourceSchemas): JsonObject {
  const present: string[] = [];
  for (const extension of schemas.extensions) {
    const key = findKey(resource, extension.id);
    if (key === undefined) continue;
    if (isUnassigned(resource[key])) delete resource[key];
    else present.push(extension.id);
  }
  deleteIgnoreCase(resource, 'schemas');
  return { schemas: [schemas.core.id, ...present], ...resource };
}

/**
 * Applies `operations` (the PatchOp `Operations` array, as sent) to a copy of `resource` and
 * returns the copy; `resource` itself is never changed. Throws ScimError (400 invalidSyntax,
 * invalidPath, invalidValue, mutability, noTarget; 413 for too many operations), in which case
 * nothing is applied.
 */
export function applyPatch(resource: JsonObject, operations: readonly unknown[], schemas: ResourceSchemas): JsonObject {
  if (!Array.isArray(operations) || operations.length === 0) throw new ScimError(400, 'invalidSyntax', 'Operations must be a non-empty array');
  if (operations.length > MAX_PATCH_OPERATIONS) throw new ScimError(413, undefined, `at most ${MAX_PATCH_OPERATIONS} operations per request`);
  const parsed = operations.map((operation, i) => {
    try {
      return readOperation(operation);
    } catch (err) {
      throw err instanceof ScimError ? new ScimError(err.status, err.scimType, `Operations[${i}]: ${err.message}`) : err;
    }
  });
  const working = structuredClone(resource);
  parsed.forEach((operation, i) => {
    try {
      applyOperation(working, operation, schemas);
    } catch (err) {
      throw err instanceof ScimError ? new ScimError(err.status, err.scimType, `Operations[${i}]: ${err.message}`) : err;
    }
  });
  const result = withSchemas(working, schemas);
  assertRequired(result, schemas);
  return result;
}
