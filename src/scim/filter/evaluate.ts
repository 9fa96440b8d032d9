/**
 * Evaluates parsed filters against SCIM JSON resources (RFC 7644 §3.4.2.2). A filter is compiled
 * once against the schemas, which is where unknown attributes and operator/type mismatches are
 * refused, so the answer does not depend on which resources happen to be tested.
 */
import { ScimError } from '../errors.ts';
import { equalsIgnoreCase, getIgnoreCase, isPlainObject, listOf } from '../object.ts';
import type { JsonObject } from '../object.ts';
import { findSubAttribute, GROUP_SCHEMA_URN, resolveAttributePath, USER_SCHEMA_URN } from '../schema.ts';
import type { AttributeDefinition, ResourceSchemas } from '../schema.ts';
import { parseBooleanText, parseDateTime } from '../values.ts';
import { conjuncts, formatAttrPath } from './parse.ts';
import type { AttrPath, CompareFilter, CompareOperator, CompareValue, Filter } from './parse.ts';

export type Predicate = (resource: unknown) => boolean;

type NodeTest = (node: JsonObject) => boolean;

/** Paths resolve against the resource's schemas, or inside `[…]` against the sub-attributes of one attribute. */
type Scope =
  | { readonly kind: 'resource'; readonly schemas: ResourceSchemas }
  | { readonly kind: 'element'; readonly parent: AttributeDefinition };

/** The values a path reads from a node (multi-valued attributes flattened) and what they are. */
interface Accessor {
  readonly def: AttributeDefinition;
  readonly label: string;
  readonly read: (node: JsonObject) => unknown[];
}

function invalid(message: string): never {
  throw new ScimError(400, 'invalidFilter', `invalid filter: ${message}`);
}

function subValues(items: unknown[], sub: AttributeDefinition): unknown[] {
  return items.flatMap((item) => (isPlainObject(item) ? listOf(getIgnoreCase(item, sub.name)) : []));
}

function accessor(path: AttrPath, scope: Scope): Accessor {
  const label = formatAttrPath(path);
  if (scope.kind === 'element') {
    const def = path.uri === undefined && path.subAttr === undefined ? findSubAttribute(scope.parent, path.name) : undefined;
    if (def === undefined) invalid(`${scope.parent.name} has no sub-attribute ${label}`);
    return { def, label: `${scope.parent.name}.${def.name}`, read: (node) => listOf(getIgnoreCase(node, def.name)) };
  }
  const resolved = resolveAttributePath(path, scope.schemas);
  if (resolved === undefined) invalid(`unknown attribute ${label}`);
  const { attribute, subAttribute, extension, schemaUrn } = resolved;
  const top = (node: JsonObject): unknown[] => {
    const container = extension ? getIgnoreCase(node, schemaUrn) : node;
    return isPlainObject(container) ? listOf(getIgnoreCase(container, attribute.name)) : [];
  };
  if (subAttribute === undefined) return { def: attribute, label, read: top };
  return { def: subAttribute, label, read: (node) => subValues(top(node), subAttribute) };
}

/** RFC 7643 §2.4: a complex multi-valued attribute compared as a whole means its `value`. */
function comparable(acc: Accessor): Accessor {
  if (acc.def.type !== 'complex') return acc;
  const value = findSubAttribute(acc.def, 'value');
  if (value === undefined) invalid(`${acc.label} is complex; compare one of its sub-attributes`);
  return { def: value, label: `${acc.label}.value`, read: (node) => subValues(acc.read(node), value) };
}

/** `pr`: "has a non-empty value, or … a non-empty node for complex attributes". */
function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.some(isPresent);
  if (isPlainObject(value)) return Object.values(value).some(isPresent);
  return true;
}

function ordered(op: Exclude<CompareOperator, 'ne' | 'co' | 'sw' | 'ew'>, sign: number): boolean {
  switch (op) {
    case 'eq':
      return sign === 0;
    case 'gt':
      return sign > 0;
    case 'ge':
      return sign >= 0;
    case 'lt':
      return sign < 0;
    case 'le':
      return sign <= 0;
  }
}

const TEXT_OPS: ReadonlySet<CompareOperator> = new Set(['co', 'sw', 'ew']);
const ORDER_OPS: ReadonlySet<CompareOperator> = new Set(['gt', 'ge', 'lt', 'le']);

function textTest(def: AttributeDefinition, op: Exclude<CompareOperator, 'ne'>, value: CompareValue, label: string): (actual: unknown) => boolean {
  if (typeof value !== 'string') invalid(`${label} is a string attribute; compare it with a JSON string`);
  const fold = def.caseExact ? (s: string) => s : (s: string) => s.toLowerCase();
  const expected = fold(value);
  return (actual) => {
    if (typeof actual !== 'string') return false;
    const text = fold(actual);
    switch (op) {
      case 'co':
        return text.includes(expected);
      case 'sw':
        return text.startsWith(expected);
      case 'ew':
        return text.endsWith(expected);
      default:
        // Code-unit order: deterministic, and what "lexicographical" means for a store index.
        return ordered(op, text === expected ? 0 : text > expected ? 1 : -1);
    }
  };
}

/** A test for one value; refuses operator and value types the attribute's type does not allow. */
function valueTest(def: AttributeDefinition, op: Exclude<CompareOperator, 'ne'>, value: CompareValue, label: string): (actual: unknown) => boolean {
  switch (def.type) {
    case 'boolean': {
      // RFC 7644 §3.4.2.2: gt/ge/lt/le on booleans SHALL fail with invalidFilter.
      if (op !== 'eq') invalid(`${op} is not defined for the boolean attribute ${label}`);
      const expected = typeof value === 'boolean' ? value : typeof value === 'string' ? parseBooleanText(value) : undefined;
      if (expected === undefined) invalid(`${label} is boolean; compare it with true or false`);
      return (actual) => (typeof actual === 'boolean' ? actual : typeof actual === 'string' ? parseBooleanText(actual) : undefined) === expected;
    }
    case 'integer':
    case 'decimal': {
      if (TEXT_OPS.has(op)) invalid(`${op} is not defined for the numeric attribute ${label}`);
      if (typeof value !== 'number') invalid(`${label} is numeric; compare it with a number`);
      return (actual) => typeof actual === 'number' && ordered(op as 'eq', Math.sign(actual - value));
    }
    case 'dateTime': {
      if (TEXT_OPS.has(op)) return textTest(def, op, value, label);
      const expected = typeof value === 'string' ? parseDateTime(value) : undefined;
      if (expected === undefined) invalid(`${label} is a dateTime; compare it with an xsd:dateTime string`);
      return (actual) => {
        const instant = typeof actual === 'string' ? parseDateTime(actual) : undefined;
        return instant !== undefined && ordered(op as 'eq', Math.sign(instant - expected));
      };
    }
    case 'binary':
      if (ORDER_OPS.has(op)) invalid(`${op} is not defined for the binary attribute ${label}`);
      return textTest(def, op, value, label);
    case 'string':
    case 'reference':
      return textTest(def, op, value, label);
    case 'complex':
      return invalid(`${label} is complex; compare one of its sub-attributes`);
  }
}

function compileCompare(filter: CompareFilter, scope: Scope): NodeTest {
  const acc = comparable(accessor(filter.path, scope));
  const present = (node: JsonObject) => acc.read(node).some(isPresent);
  if (filter.value === null) {
    // null is "unassigned" (RFC 7643 §2.5), so only equality with it makes sense.
    if (filter.op === 'eq') return (node) => !present(node);
    if (filter.op === 'ne') return present;
    invalid(`only eq and ne compare with null, not ${filter.op}`);
  }
  // `ne` is the negation of `eq` over all values: `emails.value ne "a"` excludes anyone with "a".
  const test = valueTest(acc.def, filter.op === 'ne' ? 'eq' : filter.op, filter.value, acc.label);
  if (filter.op === 'ne') return (node) => !acc.read(node).some(test);
  return (node) => acc.read(node).some(test);
}

function compileNode(filter: Filter, scope: Scope): NodeTest {
  switch (filter.type) {
    case 'and': {
      const parts = filter.operands.map((operand) => compileNode(operand, scope));
      return (node) => parts.every((part) => part(node));
    }
    case 'or': {
      const parts = filter.operands.map((operand) => compileNode(operand, scope));
      return (node) => parts.some((part) => part(node));
    }
    case 'not': {
      const inner = compileNode(filter.operand, scope);
      return (node) => !inner(node);
    }
    case 'present': {
      const acc = accessor(filter.path, scope);
      return (node) => acc.read(node).some(isPresent);
    }
    case 'compare':
      return compileCompare(filter, scope);
    case 'valuePath': {
      if (scope.kind === 'element') invalid('value filters cannot be nested');
      const acc = accessor(filter.path, scope);
      if (acc.def.type !== 'complex' || filter.path.subAttr !== undefined) invalid(`${acc.label} is not complex, so it takes no [ ] filter`);
      const inner = compileNode(filter.filter, { kind: 'element', parent: acc.def });
      return (node) => acc.read(node).some((item) => isPlainObject(item) && inner(item));
    }
  }
}

/** Checks `filter` against the schemas once; the predicate then never throws. Throws invalidFilter. */
export function compileFilter(filter: Filter, schemas: ResourceSchemas): Predicate {
  const test = compileNode(filter, { kind: 'resource', schemas });
  return (resource) => isPlainObject(resource) && test(resource);
}

/** Throws ScimError 400 invalidFilter when the filter names unknown attributes or mismatched types. */
export function validateFilter(filter: Filter, schemas: ResourceSchemas): void {
  compileFilter(filter, schemas);
}

/** Whether `resource` (SCIM JSON: core attributes on top, extensions under their URN) matches. */
export function matches(filter: Filter, resource: unknown, schemas: ResourceSchemas): boolean {
  return compileFilter(filter, schemas)(resource);
}

/** A `[…]` filter applied to one value of `attribute` (a PATCH path's value filter). */
export function compileElementFilter(filter: Filter, attribute: AttributeDefinition): Predicate {
  const test = compileNode(filter, { kind: 'element', parent: attribute });
  return (element) => isPlainObject(element) && test(element);
}

export type IndexedAttribute = 'userName' | 'externalId' | 'email' | 'displayName';

export interface IndexHint {
  readonly attribute: IndexedAttribute;
  /** As the client wrote it; userName, emails and displayName are not case-exact. */
  readonly value: string;
}

const HINT_PRIORITY: readonly IndexedAttribute[] = ['userName', 'externalId', 'email', 'displayName'];

function isCorePath(path: AttrPath): boolean {
  return path.uri === undefined || equalsIgnoreCase(path.uri, USER_SCHEMA_URN) || equalsIgnoreCase(path.uri, GROUP_SCHEMA_URN);
}

function isStringEq(filter: Filter): filter is CompareFilter & { value: string } {
  return filter.type === 'compare' && filter.op === 'eq' && typeof filter.value === 'string';
}

function hintOf(filter: Filter): IndexHint | null {
  if (isStringEq(filter) && isCorePath(filter.path)) {
    const { name, subAttr } = filter.path;
    const value = filter.value;
    if (equalsIgnoreCase(name, 'emails') && (subAttr === undefined || equalsIgnoreCase(subAttr, 'value'))) return { attribute: 'email', value };
    if (subAttr !== undefined) return null;
    for (const attribute of ['userName', 'externalId', 'displayName'] as const) {
      if (equalsIgnoreCase(name, attribute)) return { attribute, value };
    }
    return null;
  }
  if (filter.type === 'valuePath' && isCorePath(filter.path) && equalsIgnoreCase(filter.path.name, 'emails') && filter.path.subAttr === undefined) {
    const test = conjuncts(filter.filter).find((part) => isStringEq(part) && part.path.subAttr === undefined && equalsIgnoreCase(part.path.name, 'value'));
    if (test !== undefined && isStringEq(test)) return { attribute: 'email', value: test.value };
  }
  return null;
}

/**
 * An equality the caller can answer from a store index: `userName eq`, `externalId eq`,
 * `emails[.value] eq`, `emails[… value eq …]` or `displayName eq`, alone or among the operands of
 * a top-level `and`. Candidates must still be run through the filter. Null otherwise.
 */
export function indexHint(filter: Filter): IndexHint | null {
  const hints = conjuncts(filter).map(hintOf).filter((hint): hint is IndexHint => hint !== null);
  hints.sort((a, b) => HINT_PRIORITY.indexOf(a.attribute) - HINT_PRIORITY.indexOf(b.attribute));
  return hints[0] ?? null;
}
