import { ENTERPRISE_USER_SCHEMA_URN as ENTERPRISE_URN, GROUP_SCHEMA_URN as GROUP_URN, USER_SCHEMA_URN as USER_URN } from './schema.ts';

const ALWAYS = new Set(['id', 'schemas']);
const CORE = [USER_URN, GROUP_URN].map((u) => `${u.toLowerCase()}:`);
const EXTENSION = `${ENTERPRISE_URN.toLowerCase()}:`;

/** An attribute path as [top-level key, sub-attribute?], lower-cased; extension paths nest under the URN. */
function split(path: string): string[] {
  const lower = path.trim().toLowerCase();
  const core = CORE.find((p) => lower.startsWith(p));
  if (core) return lower.slice(core.length).split('.');
  if (lower.startsWith(EXTENSION)) return [ENTERPRISE_URN.toLowerCase(), ...lower.slice(EXTENSION.length).split('.')];
  return lower.split('.');
}

function pick(value: unknown, rest: string[][]): unknown {
  if (rest.some((r) => r.length === 0) || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => pick(v, rest));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const deeper = rest.filter((r) => r[0] === key.toLowerCase()).map((r) => r.slice(1));
    if (deeper.length) out[key] = pick(v, deeper);
  }
  return out;
}

function drop(value: unknown, rest: string[][]): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => drop(v, rest));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const deeper = rest.filter((r) => r[0] === key.toLowerCase()).map((r) => r.slice(1));
    if (deeper.some((d) => d.length === 0)) continue;
    out[key] = deeper.length ? drop(v, deeper) : v;
  }
  return out;
}

/** RFC 7644 §3.9: `attributes` keeps only the named ones (plus id and schemas), `excludedAttributes` drops them. */
export function project(resource: Record<string, unknown>, attributes: string[], excluded: string[]): Record<string, unknown> {
  if (attributes.length) {
    const picked = pick(resource, attributes.map(split)) as Record<string, unknown>;
    for (const key of ALWAYS) if (key in resource) picked[key] = resource[key];
    return picked;
  }
  if (excluded.length) return drop(resource, excluded.map(split).filter((p) => !(p.length === 1 && ALWAYS.has(p[0]!)))) as Record<string, unknown>;
  return resource;
}

export function attributeList(value: unknown): string[] {
  return typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];
}
