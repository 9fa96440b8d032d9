/**
 * `npm run bench [-- --only NAME] [-- --scale 0.1]`: prints numbers, asserts nothing about speed.
 * STOA_BENCH_STORE picks the adapter: sqlite (default, the embedded store) or mongo (FerretDB, or
 * the MongoDB at STOA_BENCH_MONGO_URL).
 */
import { parseArgs } from 'node:util';
import type { Store } from '../src/store/ports/index.ts';
import { openMongoStore } from '../src/store/mongo/index.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { startFerretDb } from '../test/helpers/ferretdb.ts';
import { caldavBench } from './caldav.ts';
import { directoryBench } from './directory.ts';
import { webdavBench } from './webdav.ts';
import { imapBench } from './imap.ts';
import { smtpBench } from './smtp.ts';

export interface BenchContext {
  /** Extra environment for the server under test (the adapter's settings). */
  env: Record<string, string>;
  openStore(dataDir: string): Promise<Store>;
  scale(n: number): number;
  print(line: string): void;
}

const BENCHES: Record<string, (ctx: BenchContext) => Promise<void>> = {
  directory: directoryBench,
  webdav: webdavBench,
  imap: imapBench,
  smtp: smtpBench,
  caldav: caldavBench,
};

const { values } = parseArgs({ options: { only: { type: 'string' }, scale: { type: 'string', default: '1' } } });
const adapter = process.env.STOA_BENCH_STORE ?? 'sqlite';
const factor = Number(values.scale);
const cleanups: Array<() => Promise<void>> = [];

/** The server's environment and a way to open the same store in process, per adapter. */
async function adapterContext(): Promise<Pick<BenchContext, 'env' | 'openStore'>> {
  if (adapter === 'sqlite') return { env: {}, openStore: (dataDir) => openSqliteStore({ dataDir }) };
  if (adapter === 'mongo') {
    // STOA_BENCH_MONGO_URL points at a real MongoDB; otherwise a private FerretDB is started.
    let base = process.env.STOA_BENCH_MONGO_URL;
    if (!base) {
      const server = await startFerretDb();
      cleanups.push(() => server.stop());
      base = server.url;
    }
    const url = `${base.replace(/\/+$/, '')}/stoa_bench_${Date.now()}`;
    return { env: { STOA_STORE_URL: url }, openStore: () => openMongoStore({ url }) };
  }
  throw new Error(`STOA_BENCH_STORE=${adapter}: unknown adapter (sqlite or mongo)`);
}

const ctx: BenchContext = {
  ...(await adapterContext()),
  scale: (n) => Math.max(1, Math.round(n * factor)),
  print: (line) => process.stdout.write(`${line}\n`),
};

process.stdout.write(`Stoa bench on node ${process.version}, store adapter: ${adapter}, scale ${factor}\n`);
for (const [name, bench] of Object.entries(BENCHES)) {
  if (values.only && values.only !== name) continue;
  process.stdout.write(`\n## ${name}\n`);
  await bench(ctx);
}
for (const cleanup of cleanups) await cleanup();
