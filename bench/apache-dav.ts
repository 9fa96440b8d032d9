/**
 * Apache 2.4 with mod_dav (Debian's apache2) as the reference WebDAV server: a generated config in
 * a temporary directory, Basic auth from a {SHA} password file, on a free loopback port, in the
 * foreground so stopping it is killing one process. As root its workers run as nobody.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/ports.ts';
import { waitForHttpPeer, type HttpPeer } from './http-peer.ts';

const MODULES = '/usr/lib/apache2/modules';

export async function startApacheDav(user: string, password: string): Promise<HttpPeer> {
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
  return waitForHttpPeer('apache2', child, dir, `http://127.0.0.1:${port}/dav/`, () => readLog(dir));
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'error.log'), 'utf8');
  } catch {
    return '';
  }
}
