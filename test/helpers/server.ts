import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './ports.ts';

const ROOT = resolve(import.meta.dirname, '../..');

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The last non-empty line of stdout: where the CLI prints a new secret. */
  lastLine: string;
}

export interface RunningServer {
  /** Plain HTTP on loopback, e.g. `http://127.0.0.1:41234`. */
  http: string;
  /** HTTPS with the generated self-signed certificate. */
  https: string;
  dataDir: string;
  env: Record<string, string>;
  /** The ports chosen for variables given as FREE_PORT, by variable name. */
  ports: Record<string, number>;
  pid: number;
  /** Runs the admin CLI against the same data directory. */
  stoa(args: string[], input?: string): Promise<CommandResult>;
  /** The same, for set-up steps: a non-zero exit fails the caller with the CLI's message. */
  stoaOk(args: string[], input?: string): Promise<CommandResult>;
  /** Stops the process (SIGTERM, or SIGKILL with `hard`) and waits for it. */
  stop(options?: { hard?: boolean; keepData?: boolean }): Promise<void>;
  output(): string;
}

/** Every listener off unless a test turns it on, so parallel test files never collide. */
const OFF: Record<string, string> = {
  STOA_IMAP_PORT: '0', STOA_IMAP_STARTTLS_PORT: '0', STOA_SMTP_SUBMISSION_PORT: '0',
  STOA_SMTP_SUBMISSIONS_PORT: '0', STOA_SMTP_MX_PORT: '0', STOA_LMTP_PORT: '0',
};

export function runCli(env: Record<string, string>, args: string[], input?: string): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env, NODE_OPTIONS: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stdout.split('\n').filter((l) => l.trim());
      resolvePromise({ code, stdout, stderr, lastLine: lines[lines.length - 1] ?? '' });
    });
    child.stdin.end(input ?? '');
  });
}

/**
 * Starts `node src/main.ts` on free loopback ports with a fresh data directory. A port found free
 * can be taken by a parallel test before the server binds it, so EADDRINUSE means trying again.
 */
export async function startServer(extraEnv: Record<string, string> = {}, dataDir = mkdtempSync(join(tmpdir(), 'stoa-test-'))): Promise<RunningServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(extraEnv, dataDir);
    } catch (err) {
      if (attempt >= 5 || !String((err as Error).message).includes('EADDRINUSE')) throw err;
    }
  }
}

/** Give a port variable this value to have a free loopback port chosen (again on every retry). */
export const FREE_PORT = 'free';

async function startOnce(extraEnv: Record<string, string>, dataDir: string): Promise<RunningServer> {
  const ports: Record<string, number> = {};
  for (const [name, value] of Object.entries(extraEnv)) if (value === FREE_PORT) ports[name] = await freePort();
  extraEnv = { ...extraEnv, ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])) };
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    ...OFF,
    STOA_STORE_DATADIR: dataDir,
    STOA_SERVER_BIND: '127.0.0.1',
    STOA_HTTP_PORT: String(httpsPort),
    STOA_HTTP_PLAIN_PORT: String(httpPort),
    ...extraEnv,
  };
  const child = spawn(process.execPath, [join(ROOT, 'src/main.ts')], { cwd: ROOT, env: { ...process.env, ...env, NODE_OPTIONS: '' } });
  let output = '';
  await new Promise<void>((resolvePromise, reject) => {
    // Generous: with several suites and their peers on two cores, one start has taken over 20 s.
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 45_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('Stoa is running')) {
        clearTimeout(timer);
        resolvePromise();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    http: `http://127.0.0.1:${httpPort}`,
    https: `https://127.0.0.1:${httpsPort}`,
    dataDir,
    env,
    ports,
    pid: child.pid!,
    stoa: (args, input) => runCli(env, args, input),
    stoaOk: async (args, input) => {
      const result = await runCli(env, args, input);
      if (result.code !== 0) throw new Error(`stoa ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
      return result;
    },
    stop: (options = {}) => stopChild(child, options.hard ?? false).then(() => {
      if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
    }),
    output: () => output,
  };
}

function stopChild(child: ChildProcess, hard: boolean): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    child.once('exit', () => resolvePromise());
    child.kill(hard ? 'SIGKILL' : 'SIGTERM');
  });
}
