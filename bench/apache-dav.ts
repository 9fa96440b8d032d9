/**
 * Apache 2.4 with mod_dav (Debian's apache2) as the reference WebDAV server: a generated config in
 * a temporary directory, Basic auth from a {SHA} password file, on a free loopback port, in the
 * foreground so stopping it is killing one process. As root its workers run as nobody.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/ports.ts';

const MODULES = '/usr/lib/apache2/modules';

export interface ApacheDav {
  /** The WebDAV root, e.g. `http://127.0.0.1:41234/dav/`. */
  url: string;
  stop(): Promise<void>;
}

export async function startApacheDav(user: string, password: string): Promise<ApacheDav> {
  const dir = mkdtempSync(join(tmpdir(), 'stoa-bench-apache-'));
  const root = join(dir, 'dav');
  mkdirSync(root);
  mkdirSync(join(dir, 'lock'));
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // The workers (nobody) must reach the tree through the private temporary directory.
    chmodSync(dir, 0o755);
    for (const d of [root, join(dir, 'lock')]) chownSync(d, 65534, 65534);
  }
  writeFileSync(join(dir, 'passwd'), `${user}:{SHA}${createHash('sha1').update(password).digest('base64')}\n`);
  const modules = ['mpm_event', 'authz_core', 'authn_core', 'authn_file', 'auth_basic', 'authz_user', 'alias', 'dav', 'dav_fs'];
  writeFileSync(join(dir, 'httpd.conf'), [
    `ServerRoot ${dir}`,
    `Listen 127.0.0.1:${port}`,
    'ServerName localhost',
    `PidFile ${dir}/httpd.pid`,
    `ErrorLog ${dir}/error.log`,
    'LogLevel warn',
    ...(asRoot ? ['User nobody', 'Group nogroup'] : []),
    ...modules.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
    `DavLockDB ${dir}/lock/DavLock`,
    'LimitRequestBody 0',
    'KeepAlive On',
    'MaxKeepAliveRequests 0',
    `Alias /dav ${root}`,
    `<Directory ${root}>`,
    '  Dav On',
    '  AllowOverride None',
    '  AuthType Basic',
    '  AuthName "bench"',
    `  AuthUserFile ${dir}/passwd`,
    '  Require valid-user',
    '</Directory>',
    '',
  ].join('\n'));
  const child: ChildProcess = spawn('/usr/sbin/apache2', ['-f', join(dir, 'httpd.conf'), '-DFOREGROUND'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}/dav/`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`apache2 exited: ${stderr}${readLog(dir)}`);
    const ok = await fetch(url, { method: 'OPTIONS' }).then(() => true, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`apache2 did not start: ${stderr}${readLog(dir)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    stop: () => new Promise<void>((resolve) => {
      child.once('exit', () => {
        rmSync(dir, { recursive: true, force: true });
        resolve();
      });
      child.kill('SIGTERM');
    }),
  };
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'error.log'), 'utf8');
  } catch {
    return '';
  }
}
