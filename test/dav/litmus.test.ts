import { spawn } from 'node:child_process';
import { describeWithServers } from '../helpers/ferretdb.ts';
import type { RunningServer } from '../helpers/server.ts';
import { PASSWORD, startDavServer } from './setup.ts';

/**
 * Debian's litmus (the WebDAV conformance suite) against the running server: all five suites,
 * every test must pass, and no warning is left (a warning here would have to be explained).
 */
const SUITES = ['basic', 'copymove', 'props', 'locks', 'http'];

function runLitmus(url: string, user: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('litmus', [url, user, PASSWORD], { env: { ...process.env, TESTS: SUITES.join(' ') } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(output));
  });
}

/** The five suites against a server started with `env`, every test passing and no warning left. */
function litmusSuites(env: () => Record<string, string>): void {
  let s: RunningServer;
  let output = '';

  beforeAll(async () => {
    ({ s } = await startDavServer(env()));
    output = await runLitmus(`${s.http}/acme/webdav/home/`, 'ann@acme.test');
  }, 300_000);

  afterAll(() => s?.stop());

  it.each(SUITES)('passes every test of the %s suite', (suite) => {
    const summary = new RegExp(`summary for \`${suite}': of (\\d+) tests run: (\\d+) passed, (\\d+) failed`).exec(output);
    expect(summary).not.toBeNull();
    expect(Number(summary![1])).toBeGreaterThan(3);
    expect(summary![3]).toBe('0');
    expect(summary![2]).toBe(summary![1]);
  });

  it('leaves no warnings and skips nothing', () => {
    expect(output).not.toMatch(/WARNING|warning was issued|SKIPPED/);
  });
}

describe('litmus on the embedded store', () => litmusSuites(() => ({})));

describeWithServers('litmus on MongoDB', (mongo) => litmusSuites(() => ({ STOA_STORE_URL: `${mongo().url}/stoa_litmus` })));
