/** A peer server the bench started as a child process, reached over HTTP on loopback. */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

export interface HttpPeer {
  /** The root the bench talks to, e.g. `http://127.0.0.1:41234/dav/`. */
  url: string;
  /** Stops the peer and removes its directory. */
  stop(): Promise<void>;
}

/** Waits until `child` answers OPTIONS at `url`; `diagnostics` adds the peer's own log to a failure. */
export async function waitForHttpPeer(name: string, child: ChildProcess, dir: string, url: string, diagnostics: () => string = () => ''): Promise<HttpPeer> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${stderr}${diagnostics()}`);
    if (await fetch(url, { method: 'OPTIONS' }).then(() => true, () => false)) break;
    if (Date.now() > deadline) throw new Error(`${name} did not start: ${stderr}${diagnostics()}`);
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
