/**
 * Radicale 3 (Debian's radicale) as the reference CalDAV server: a generated config in a temporary
 * directory, no authentication (any Basic user owns `/{user}/`), on a free loopback port, in the
 * foreground so stopping it is killing one process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/ports.ts';

export interface Radicale {
  /** The server root, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  stop(): Promise<void>;
}

export async function startRadicale(): Promise<Radicale> {
  const dir = mkdtempSync(join(tmpdir(), 'stoa-bench-radicale-'));
  const port = await freePort();
  writeFileSync(join(dir, 'config'), [
    '[server]', `hosts = 127.0.0.1:${port}`, 'max_content_length = 100000000',
    '[auth]', 'type = none',
    '[storage]', `filesystem_folder = ${dir}/collections`,
    '[logging]', 'level = warning', '',
  ].join('\n'));
  const child: ChildProcess = spawn('/usr/bin/radicale', ['--config', join(dir, 'config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`radicale exited: ${stderr}`);
    if (await fetch(url, { method: 'OPTIONS' }).then(() => true, () => false)) break;
    if (Date.now() > deadline) throw new Error(`radicale did not start: ${stderr}`);
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
