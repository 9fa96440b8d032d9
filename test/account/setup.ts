import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '../helpers/server.ts';
import { parsePlist, type Plist } from '../autoconfig/mobileconfig-plist.ts';
import { provisionAnn } from '../imap/setup.ts';

export const ANN = { address: 'ann@acme.test', password: 'ann has a long password' };
export const BOB = { address: 'bob@acme.test', password: 'bob has another password' };

/** Tenant acme (acme.test) with Ann and Bob, each with a password. */
export async function provisionAnnAndBob(s: RunningServer): Promise<void> {
  await provisionAnn(s, ANN.password);
  await s.stoaOk(['user', 'add', BOB.address, '--name', 'Bob Example', '--password-stdin'], `${BOB.password}\n`);
}

/** `stoa apppass list`: one line per app password, `id label scopes created state`. */
export async function appPasswordLines(s: RunningServer, address: string): Promise<string[]> {
  return (await s.stoaOk(['apppass', 'list', address])).stdout.split('\n').filter(Boolean);
}

/** The server's generated certificate, named for its host name. */
export function serverCertFile(s: RunningServer): string {
  return join(s.dataDir, 'certs', `${s.env.STOA_SERVER_HOSTNAME ?? 'localhost'}.crt`);
}

/**
 * A downloaded `.mobileconfig`: its CMS signature checked by `openssl smime -verify` against the
 * server certificate, and the plist it carries parsed.
 */
export function verifiedProfile(der: Buffer, certFile: string): { [key: string]: Plist } {
  const dir = mkdtempSync(join(tmpdir(), 'stoa-profile-'));
  try {
    const [input, output] = [join(dir, 'in.mobileconfig'), join(dir, 'out.plist')];
    writeFileSync(input, der);
    const r = spawnSync('openssl', ['smime', '-verify', '-inform', 'der', '-in', input, '-CAfile', certFile, '-purpose', 'any', '-out', output]);
    if (r.status !== 0) throw new Error(`openssl smime -verify failed: ${r.stderr.toString()}`);
    return parsePlist(readFileSync(output, 'utf8')) as { [key: string]: Plist };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
