/**
 * Per-domain DKIM keys: created by the admin CLI (`stoa dkim add`), kept in the store's key-value
 * (so every Stoa process signs with the same key), published as a TXT record that `stoa dns` prints.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { KeyValue } from '../store/ports/index.ts';

export interface DkimKey {
  domain: string;
  selector: string;
  /** PKCS#8 PEM. */
  privateKey: string;
  /** base64 SubjectPublicKeyInfo: the record's p= value. */
  publicKey: string;
}

const keyOf = (domain: string) => `dkim:${domain.toLowerCase()}`;
/** One zone-file string holds at most 255 characters (RFC 1035 §3.3). */
const TXT_CHUNK = 255;

/** A new 2048-bit RSA key for the domain, replacing any previous one. */
export async function createDkimKey(kv: KeyValue, domain: string, selector: string): Promise<DkimKey> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key: DkimKey = {
    domain: domain.toLowerCase(), selector,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
  await kv.set(keyOf(domain), JSON.stringify(key), null);
  return key;
}

export async function dkimKey(kv: KeyValue, domain: string): Promise<DkimKey | null> {
  const stored = await kv.get(keyOf(domain));
  return stored ? (JSON.parse(stored) as DkimKey) : null;
}

/** The TXT record in zone-file form, the value split into strings of at most 255 characters. */
export function dkimRecord(key: DkimKey): string {
  const value = `v=DKIM1; k=rsa; p=${key.publicKey}`;
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += TXT_CHUNK) parts.push(`"${value.slice(i, i + TXT_CHUNK)}"`);
  return `${key.selector}._domainkey.${key.domain}. 3600 IN TXT ${parts.join(' ')}`;
}
