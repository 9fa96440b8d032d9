import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.ts';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_CONFIG_FILE = 'config/stoa.yaml';

type Env = Record<string, string | undefined>;
type Section = Record<string, unknown>;

/** The config file (STOA_CONFIG, else config/stoa.yaml when present), then STOA_* variables, validated once. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const file = env.STOA_CONFIG ? resolve(cwd, env.STOA_CONFIG) : resolve(cwd, DEFAULT_CONFIG_FILE);
  const fromFile = readConfigFile(file, Boolean(env.STOA_CONFIG));
  const defaults = configSchema.parse({}) as Record<string, Section>;
  const merged: Record<string, Section> = {};
  for (const [section, keys] of Object.entries(defaults)) {
    merged[section] = { ...(fromFile[section] ?? {}) };
    for (const [key, fallback] of Object.entries(keys)) {
      const name = envName(section, key);
      const raw = env[name];
      if (raw !== undefined) merged[section][key] = parseEnvValue(name, raw, fallback);
    }
  }
  for (const section of Object.keys(fromFile)) {
    if (!(section in defaults)) throw new ConfigError(`${file}: unknown section "${section}"`);
    for (const key of Object.keys(fromFile[section] ?? {})) {
      if (!(key in (defaults[section] ?? {}))) throw new ConfigError(`${file}: unknown key "${section}.${key}"`);
    }
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(describeIssues(result.error, env));
  return result.data;
}

export function envName(section: string, key: string): string {
  return `STOA_${section.toUpperCase()}_${key.toUpperCase()}`;
}

function readConfigFile(file: string, required: boolean): Record<string, Section> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid YAML: ${(err as Error).message}`);
  }
  if (parsed == null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`${file} must hold sections of keys`);
  return parsed as Record<string, Section>;
}

/** Environment values are strings; the default's type says how to read one. */
function parseEnvValue(name: string, raw: string, fallback: unknown): unknown {
  if (typeof fallback === 'number') {
    if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${name}: expected a whole number, got "${raw}"`);
    return Number(raw);
  }
  if (typeof fallback === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new ConfigError(`${name}: expected true or false, got "${raw}"`);
  }
  if (Array.isArray(fallback)) return raw.split(',').map((s) => s.trim()).filter(Boolean);
  return raw;
}

function describeIssues(error: z.ZodError, env: Env): string {
  return error.issues
    .map((issue) => {
      const [section, key] = issue.path.map(String);
      const where = section && key ? `${section}.${key}` : issue.path.join('.');
      const name = section && key ? envName(section, key) : '';
      const source = name && env[name] !== undefined ? ` (from ${name})` : '';
      return `config ${where}${source}: ${issue.message}`;
    })
    .join('\n');
}
