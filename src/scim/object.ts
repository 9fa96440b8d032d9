/**
 * Helpers for SCIM JSON objects. Attribute names are case-insensitive (RFC 7643 §2.1), so every
 * lookup goes through these rather than plain property access.
 */

export type JsonObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  // Any realm's Object.prototype (structuredClone and vm contexts hand out foreign ones) has a
  // null prototype; Dates, Maps and class instances sit one level further down.
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

export function equalsIgnoreCase(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b.toLowerCase();
}

/** The key actually used in `obj` for `name`, matched case-insensitively. */
export function findKey(obj: JsonObject, name: string): string | undefined {
  if (Object.hasOwn(obj, name)) return name;
  for (const key of Object.keys(obj)) {
    if (equalsIgnoreCase(key, name)) return key;
  }
  return undefined;
}

export function getIgnoreCase(obj: JsonObject, name: string): unknown {
  const key = findKey(obj, name);
  return key === undefined ? undefined : obj[key];
}

/** Removes every spelling of `name`, so a later set leaves exactly one canonical key. */
export function deleteIgnoreCase(obj: JsonObject, name: string): void {
  for (const key of Object.keys(obj)) {
    if (equalsIgnoreCase(key, name)) delete obj[key];
  }
}

/** Sets `name` (the canonical spelling from the schema) and drops other spellings of it. */
export function setIgnoreCase(obj: JsonObject, name: string, value: unknown): void {
  deleteIgnoreCase(obj, name);
  obj[name] = value;
}

/** Structural equality of JSON values; object key order does not matter. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

/** RFC 7643 §2.5: absent, null and [] are the same state; so is a complex value with nothing in it. */
export function isUnassigned(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.every(isUnassigned);
  if (isPlainObject(value)) return Object.values(value).every(isUnassigned);
  return false;
}

/** The values of an attribute as a list: nothing for unassigned, the items of an array, else the value. */
export function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.filter((item) => item !== undefined && item !== null) : [value];
}
