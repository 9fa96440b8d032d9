/**
 * Radicale 3 (Debian's radicale) as the reference CalDAV server: a generated config in a temporary
 * directory, no authentication (any Basic user owns `/{user}/`), on a free loopback port, in the
 * foreground so stopping it is killing one process. `folder` is its storage root: a collection is
 * `{folder}/collection-root/{user}/{name}/`, one file per item, so a bench can load items directly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/ports.ts';
import { waitForHttpPeer, type HttpPeer } from './http-peer.ts';

export async function startRadicale(): Promise<HttpPeer & { folder: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'stoa-bench-radicale-'));
  const port = await freePort();
  writeFileSync(join(dir, 'config'), [
    '[server]', `hosts = 127.0.0.1:${port}`, 'max_content_length = 100000000',
    '[auth]', 'type = none',
    '[storage]', `filesystem_folder = ${dir}/collections`,
    '[logging]', 'level = warning', '',
  ].join('\n'));
  const child: ChildProcess = spawn('/usr/bin/radicale', ['--config', join(dir, 'config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { ...(await waitForHttpPeer('radicale', child, dir, `http://127.0.0.1:${port}/`)), folder: `${dir}/collections` };
}
