/**
 * `npm run bench [-- --only NAME] [-- --scale 0.1]`: prints numbers, asserts nothing about speed.
 * STOA_BENCH_STORE picks the adapter (default: sqlite, the embedded store).
 */
import { parseArgs } from 'node:util';
import type { Store } from '../src/store/ports/index.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { directoryBench } from './directory.ts';

export interface BenchContext {
  /** Extra environment for the server under test (the adapter's settings). */
  env: Record<string, string>;
  openStore(dataDir: string): Promise<Store>;
  scale(n: number): number;
  print(line: string): void;
}

const BENCHES: Record<string, (ctx: BenchContext) => Promise<void>> = {
  directory: directoryBench,
};

const { values } = parseArgs({ options: { only: { type: 'string' }, scale: { type: 'string', default: '1' } } });
const adapter = process.env.STOA_BENCH_STORE ?? 'sqlite';
if (adapter !== 'sqlite') throw new Error(`STOA_BENCH_STORE=${adapter}: unknown adapter`);
const factor = Number(values.scale);
const ctx: BenchContext = {
  env: {},
  openStore: (dataDir) => openSqliteStore({ dataDir }),
  scale: (n) => Math.max(1, Math.round(n * factor)),
  print: (line) => process.stdout.write(`${line}\n`),
};

process.stdout.write(`Stoa bench on node ${process.version}, store adapter: ${adapter}, scale ${factor}\n`);
for (const [name, bench] of Object.entries(BENCHES)) {
  if (values.only && values.only !== name) continue;
  process.stdout.write(`\n## ${name}\n`);
  await bench(ctx);
}
