import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

export interface KeyPair {
  cert: string;
  key: string;
}

export interface CertificateSource {
  /** Configured PEM files; both empty means a generated self-signed pair. */
  certFile: string;
  keyFile: string;
  dataDir: string;
  hostname: string;
}

/** The names a single-host deployment is reached by (see the published layout). */
export function serviceNames(hostname: string): string[] {
  if (hostname === 'localhost' || /^[\d.]+$/.test(hostname)) return [hostname];
  return [hostname, ...['dav', 'files', 'api', 'autodiscover', 'autoconfig'].map((p) => `${p}.${hostname}`)];
}

/** Reads the configured pair, or the generated one for this host name, generating it on first use. */
export async function loadKeyPair(source: CertificateSource): Promise<KeyPair> {
  if (source.certFile || source.keyFile) {
    if (!source.certFile || !source.keyFile) throw new Error('tls.cert and tls.key must be set together');
    return { cert: readFileSync(source.certFile, 'utf8'), key: readFileSync(source.keyFile, 'utf8') };
  }
  const dir = join(source.dataDir, 'certs');
  const certFile = join(dir, `${source.hostname}.crt`);
  const keyFile = join(dir, `${source.hostname}.key`);
  if (existsSync(certFile) && existsSync(keyFile)) {
    const pair = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    if (new Date(new X509Certificate(pair.cert).validTo) > new Date(Date.now() + 86_400_000)) return pair;
  }
  const pair = await generateSelfSigned(source.hostname);
  mkdirSync(dir, { recursive: true });
  writeFileSync(keyFile, pair.key, { mode: 0o600 });
  writeFileSync(certFile, pair.cert);
  return pair;
}

export async function generateSelfSigned(hostname: string): Promise<KeyPair> {
  const now = new Date();
  const names = serviceNames(hostname);
  const altNames: Array<{ type: 2 | 7; value?: string; ip?: string }> = names.map((value) => ({ type: 2, value }));
  if (hostname === 'localhost') altNames.push({ type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' });
  const pems = await generate([{ name: 'commonName', value: hostname }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 3_600_000),
    notAfterDate: new Date(now.getTime() + 825 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
