/**
 * Checks a client-sent attribute value against its definition and returns it in canonical form:
 * canonical sub-attribute names, booleans as booleans, unassigned parts dropped.
 */
import { ScimError } from './errors.ts';
import { isPlainObject } from './object.ts';
import type { JsonObject } from './object.ts';
import { findSubAttribute } from './schema.ts';
import type { AttributeDefinition } from './schema.ts';

// xsd:dateTime (RFC 7643 §2.3.5); the offset is optional in XSD and then read as UTC.
const DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** Milliseconds since the epoch, or undefined when `text` is not an xsd:dateTime. */
export function parseDateTime(text: string): number | undefined {
  const match = DATE_TIME.exec(text);
  if (match === null) return undefined;
  const instant = Date.parse(match[2] === undefined ? `${text}Z` : text);
  return Number.isNaN(instant) ? undefined : instant;
}

/** Entra ID sends booleans as "True"/"False"; only boolean attributes get this reading. */
export function parseBooleanText(value: string): boolean | undefined {
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

function invalid(path: string, expected: string, value: unknown): never {
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
  throw new ScimError(400, 'invalidValue', `${path} must be ${expected}, not ${shown}`);
}

function coerceSimple(def: AttributeDefinition, value: unknown, path: string): unknown {
  switch (def.type) {
    case 'string':
    case 'reference':
    case 'binary':
      return typeof value === 'string' ? value : invalid(path, 'a string', value);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return (typeof value === 'string' ? parseBooleanText(value) : undefined) ?? invalid(path, 'a boolean', value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? value : invalid(path, 'an integer', value);
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) ? value : invalid(path, 'a number', value);
    case 'dateTime':
      return typeof value === 'string' && parseDateTime(value) !== undefined ? value : invalid(path, 'an xsd:dateTime string', value);
    case 'complex':
      throw new Error('complex values are not simple');
  }
}

function coerceComplex(def: AttributeDefinition, value: unknown, path: string): JsonObject | undefined {
  if (!isPlainObject(value)) {
    // A bare value for a complex attribute means its `value` sub-attribute: Entra ID sends
    // `manager` as the manager's id, Okta string-array custom attributes send `roles: ["…"]`.
    const valueAttribute = findSubAttribute(def, 'value');
    if (valueAttribute !== undefined && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
      if (value === '') return undefined;
      return { [valueAttribute.name]: coerceSimple(valueAttribute, value, `${path}.value`) };
    }
    return invalid(path, 'an object', value);
  }
  const out: JsonObject = {};
  for (const [key, raw] of Object.entries(value)) {
    const sub = findSubAttribute(def, key);
    // Unknown sub-attributes are dropped, as unknown attributes are; readOnly ones are the
    // server's to fill (RFC 7643 §2.2: values sent by the client are ignored).
    if (sub === undefined || sub.mutability === 'readOnly') continue;
    if (Object.hasOwn(out, sub.name)) throw new ScimError(400, 'invalidValue', `${path}.${sub.name} is given twice`);
    const coerced = coerceSingle(sub, raw, `${path}.${sub.name}`);
    if (coerced !== undefined) out[sub.name] = coerced;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function coerceSingle(def: AttributeDefinition, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return undefined;
  return def.type === 'complex' ? coerceComplex(def, value, path) : coerceSimple(def, value, path);
}

/**
 * One attribute's value, checked and canonicalised; undefined when it is unassigned (null, [],
 * an empty complex value). A single value given for a multi-valued attribute is wrapped.
 * Throws ScimError 400 invalidValue on a wrong type.
 */
export function coerceValue(def: AttributeDefinition, value: unknown, path: string = def.name): unknown {
  if (!def.multiValued) {
    if (Array.isArray(value)) invalid(path, 'a single value', value);
    return coerceSingle(def, value, path);
  }
  if (value === null || value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value])
    .map((item, i) => coerceSingle(def, item, `${path}[${i}]`))
    .filter((item) => item !== undefined);
  return items.length === 0 ? undefined : items;
}

/** One element of a multi-valued attribute (for `emails[…]` targets). */
export function coerceElement(def: AttributeDefinition, value: unknown, path: string = def.name): unknown {
  return coerceSingle(def, value, path);
}
