import { createHmac, randomBytes } from 'node:crypto';
import type { KeyValue } from '../store/ports/index.ts';

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** 20 characters from a 32-letter alphabet without look-alikes (100 bits), in groups of four for typing. */
export function newAppPassword(): string {
  const bytes = randomBytes(20);
  const chars = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('');
  return chars.match(/.{4}/g)!.join('-');
}

/** People retype app passwords: spaces, dashes and case do not matter. */
export function normaliseAppPassword(input: string): string {
  return input.replace(/[\s-]/g, '').toLowerCase();
}

export function newScimToken(): string {
  return `stoa_scim_${randomBytes(32).toString('base64url')}`;
}

const SECRET_KEY = 'directory:token-hash-key';
const HUNDRED_YEARS = 100 * 365 * 86_400_000;

/**
 * Tokens are long random strings, so a fast keyed hash is enough to store them (no scrypt): the
 * key lives in the shared store, so every process of a deployment computes the same hash.
 */
export async function tokenHasher(kv: KeyValue): Promise<(token: string) => string> {
  await kv.setIfAbsent(SECRET_KEY, randomBytes(32).toString('base64'), HUNDRED_YEARS);
  const key = await kv.get(SECRET_KEY);
  if (!key) throw new Error('the token hash key could not be stored');
  return (token) => createHmac('sha256', Buffer.from(key, 'base64')).update(token).digest('hex');
}
