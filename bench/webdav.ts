/**
 * WebDAV bench: the same client workload against Stoa and against Apache 2.4 with mod_dav, in one
 * run: PUT and GET of a large file (MB/s, and Stoa's resident memory growth while it streams),
 * PROPFIND Depth 1 on a folder of many files, and many small PUTs. Prints both and Stoa/Apache.
 */
import { readFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { startServer } from '../test/helpers/server.ts';
import { startApacheDav } from './apache-dav.ts';
import type { BenchContext } from './run.ts';
import { pool } from './stats.ts';

const USER = 'bench@bench.test';
const PASSWORD = 'bench-password-123';
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const MiB = 1024 * 1024;

interface Target {
  name: string;
  /** Collection URL ending in '/'. */
  url: string;
  pid: number | null;
}

interface Result {
  putMBs: number;
  getMBs: number;
  rssGrowthMiB: number | null;
  propfindMs: number;
  smallPutsPerSec: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

function send(method: string, url: string, options: { headers?: Record<string, string>; body?: Buffer | ((write: (chunk: Buffer) => Promise<void>) => Promise<void>) } = {}): Promise<{ status: number; bytes: number; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method, agent, headers: { authorization: AUTH, ...options.headers } }, (res) => {
      let bytes = 0;
      const keep: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        // Only the start of a body is kept (for error messages); a big GET is counted, not held.
        if (bytes < 64 * 1024) keep.push(chunk);
        bytes += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, text: Buffer.concat(keep).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const body = options.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      const write = (chunk: Buffer) => new Promise<void>((ok) => (req.write(chunk) ? ok() : req.once('drain', ok)));
      body(write).then(() => req.end(), reject);
    }
  });
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

async function expectOk(what: string, answer: Promise<{ status: number; text: string }>): Promise<void> {
  const { status, text } = await answer;
  if (status >= 300) throw new Error(`${what} answered ${status}: ${text.slice(0, 300)}`);
}

async function measure(target: Target, ctx: BenchContext): Promise<Result> {
  const bigBytes = ctx.scale(1024) * MiB;
  const files = ctx.scale(10_000);
  const smallPuts = ctx.scale(1000);
  const chunk = Buffer.alloc(MiB);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);

  const baseRss = target.pid ? rssMiB(target.pid) : 0;
  let peakRss = baseRss;
  const sampler = target.pid ? setInterval(() => (peakRss = Math.max(peakRss, rssMiB(target.pid!))), 100) : null;
  let start = performance.now();
  await expectOk('PUT big', send('PUT', `${target.url}big.bin`, {
    headers: { 'content-length': String(bigBytes), 'content-type': 'application/octet-stream' },
    body: async (write) => {
      for (let sent = 0; sent < bigBytes; sent += chunk.length) await write(chunk.subarray(0, Math.min(chunk.length, bigBytes - sent)));
    },
  }));
  const putMBs = bigBytes / MiB / ((performance.now() - start) / 1000);
  start = performance.now();
  const got = await send('GET', `${target.url}big.bin`);
  if (got.bytes !== bigBytes) throw new Error(`GET big returned ${got.bytes} bytes`);
  const getMBs = bigBytes / MiB / ((performance.now() - start) / 1000);
  if (sampler) clearInterval(sampler);

  await expectOk('MKCOL', send('MKCOL', `${target.url}many/`));
  // Distinct contents, as real files have (identical ones would all share one blob).
  const small = (i: number) => Buffer.from(`small file ${i}\n`);
  await pool(files, 8, (i) => expectOk('PUT many', send('PUT', `${target.url}many/f${i}.txt`, { body: small(i) })));
  const propfind: number[] = [];
  for (let round = 0; round < 3; round++) {
    start = performance.now();
    const answer = await send('PROPFIND', `${target.url}many/`, { headers: { depth: '1', 'content-type': 'application/xml' }, body: Buffer.from('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>') });
    propfind.push(performance.now() - start);
    if (answer.status !== 207) throw new Error(`PROPFIND answered ${answer.status}`);
  }

  await expectOk('MKCOL', send('MKCOL', `${target.url}small/`));
  start = performance.now();
  await pool(smallPuts, 1, (i) => expectOk('PUT small', send('PUT', `${target.url}small/s${i}.txt`, { body: small(i) })));
  const smallPutsPerSec = smallPuts / ((performance.now() - start) / 1000);
  return { putMBs, getMBs, rssGrowthMiB: target.pid ? peakRss - baseRss : null, propfindMs: Math.min(...propfind), smallPutsPerSec };
}

export async function webdavBench(ctx: BenchContext): Promise<void> {
  const server = await startServer({ ...ctx.env, STOA_FILES_PLAIN_LOOPBACK_BASIC: 'true', STOA_FILES_QUOTA_BYTES: '0' });
  const apache = await startApacheDav(USER, PASSWORD);
  try {
    await server.stoaOk(['tenant', 'add', 'bench']);
    await server.stoaOk(['domain', 'add', 'bench', 'bench.test']);
    await server.stoaOk(['user', 'add', USER, '--password-stdin'], `${PASSWORD}\n`);
    const stoa = await measure({ name: 'stoa', url: `${server.http}/bench/webdav/home/`, pid: server.pid }, ctx);
    const reference = await measure({ name: 'apache', url: apache.url, pid: null }, ctx);
    const big = ctx.scale(1024);
    const rows: Array<[string, number, number, boolean]> = [
      [`PUT ${big} MiB file (MB/s)`, stoa.putMBs, reference.putMBs, true],
      [`GET ${big} MiB file (MB/s)`, stoa.getMBs, reference.getMBs, true],
      [`PROPFIND Depth 1, ${ctx.scale(10_000)} files (ms)`, stoa.propfindMs, reference.propfindMs, false],
      [`${ctx.scale(1000)} small PUTs, one at a time (/s)`, stoa.smallPutsPerSec, reference.smallPutsPerSec, true],
    ];
    ctx.print(`${'WebDAV'.padEnd(44)} ${'Stoa'.padStart(10)} ${'Apache'.padStart(10)}  Stoa/Apache`);
    for (const [name, a, b, higherIsBetter] of rows) {
      ctx.print(`${name.padEnd(44)} ${a.toFixed(1).padStart(10)} ${b.toFixed(1).padStart(10)}  ${(a / b).toFixed(2)}${higherIsBetter ? '' : ' (time: lower is better)'}`);
    }
    ctx.print(`Stoa resident memory growth during the big PUT/GET: ${stoa.rssGrowthMiB?.toFixed(1)} MiB`);
  } finally {
    agent.destroy();
    await apache.stop();
    await server.stop();
  }
}
