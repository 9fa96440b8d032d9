/**
 * A private MongoDB-compatible server for the Mongo adapter's tests: FerretDB (SQLite handler) in a
 * temp folder on a free loopback port, or a real `mongod` when one is on PATH. The FerretDB binary
 * is `$STOA_FERRETDB_BIN`, else `<repo>/.tools/go/ferretdb`, else `ferretdb` on PATH.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { freePort } from './ports.ts';

export type ServerKind = 'ferretdb' | 'mongod';

export interface MongoServer {
  kind: ServerKind;
  /** `mongodb://127.0.0.1:PORT` without a database; append `/name`. */
  url: string;
  port: number;
  dataDir: string;
  /** Stops the server; removes its data folder unless the caller gave it. */
  stop(): Promise<void>;
}

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 20_000;
const running = new Set<ChildProcess>();

// A test process that dies must not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** The FerretDB binary to run, or null when there is none. */
export function ferretDbBinary(): string | null {
  const fromEnv = process.env.STOA_FERRETDB_BIN;
  if (fromEnv) return executable(fromEnv) ? fromEnv : null;
  const built = join(REPO, '.tools', 'go', 'ferretdb');
  return executable(built) ? built : onPath('ferretdb');
}

export function mongodBinary(): string | null {
  return onPath('mongod');
}

/** Starts a server; `port` and `dataDir` restart one on the same data (then the folder is the caller's). */
export async function startMongoServer(
  kind: ServerKind,
  options: { port?: number; dataDir?: string } = {},
): Promise<MongoServer> {
  const binary = kind === 'ferretdb' ? ferretDbBinary() : mongodBinary();
  if (!binary) throw new Error(`no ${kind} binary found`);
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), `stoa-${kind}-`)));
  const port = options.port ?? (await freePort());
  const args =
    kind === 'ferretdb'
      ? [
          '--handler=sqlite',
          `--sqlite-url=file:${dataDir}/`,
          `--listen-addr=127.0.0.1:${port}`,
          `--state-dir=${dataDir}`,
          '--telemetry=disable',
          // Its debug listener defaults to port 8088: two servers at once would fight over it.
          '--debug-addr=-',
          // At "warn" it logs every refused write in full, and tests refuse many on purpose.
          '--log-level=error',
        ]
      : ['--dbpath', dataDir, '--port', String(port), '--bind_ip', '127.0.0.1', '--quiet'];
  const child = spawn(binary, args, { cwd: dataDir, stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (!stopped) {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      }
    }
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, exited, () => stderr);
  } catch (error) {
    await stop();
    throw new Error(`${kind} did not start on port ${port}: ${(error as Error).message}\n${stderr}`);
  }
  return { kind, url: `mongodb://127.0.0.1:${port}`, port, dataDir, stop };
}

export function startFerretDb(options: { port?: number; dataDir?: string } = {}): Promise<MongoServer> {
  return startMongoServer('ferretdb', options);
}

async function waitForPort(port: number, exited: Promise<void>, log: () => string): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await accepts(port))) {
    if (gone) throw new Error(`it exited: ${log()}`);
    if (Date.now() > deadline) throw new Error(`not listening after ${START_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The servers this machine can run: FerretDB, and mongod when it is on PATH. */
export function availableServers(): ServerKind[] {
  return [...(ferretDbBinary() ? (['ferretdb'] as const) : []), ...(mongodBinary() ? (['mongod'] as const) : [])];
}

/**
 * Declares `body` once per available server, inside a describe that starts the server before its
 * tests and stops it after. Without FerretDB the file fails under CI (a missing server must not
 * look like a pass); elsewhere it says so and runs on mongod if there is one, else skips.
 */
export function describeWithServers(name: string, body: (server: () => MongoServer) => void): void {
  const kinds = availableServers();
  if (!kinds.includes('ferretdb')) {
    const why =
      'FerretDB not found: set STOA_FERRETDB_BIN, build it into .tools/go/ferretdb (see ENVIRONMENT.md), or put ferretdb on PATH';
    if (process.env.CI) {
      describe(name, () => {
        it('needs a FerretDB binary', () => {
          throw new Error(why);
        });
      });
    } else {
      console.warn(`${kinds.length > 0 ? 'Running only on mongod' : 'Skipping'} "${name}": ${why}`);
    }
    if (kinds.length === 0) {
      describe.skip(name, () =>
        body(() => {
          throw new Error('skipped');
        }),
      );
      return;
    }
  }
  for (const kind of kinds) {
    describe(`${name} on ${kind}`, () => {
      let server: MongoServer | null = null;
      beforeAll(async () => {
        server = await startMongoServer(kind);
      }, START_TIMEOUT_MS + 5000);
      afterAll(async () => {
        await server?.stop();
      });
      body(() => {
        if (!server) throw new Error(`${kind} is not running`);
        return server;
      });
    });
  }
}

/** Drops one test's database on a test server, so the next test starts from nothing. */
export async function dropDatabase(url: string, name: string): Promise<void> {
  const client = new MongoClient(url);
  try {
    await client.db(name).dropDatabase();
  } finally {
    await client.close();
  }
}
