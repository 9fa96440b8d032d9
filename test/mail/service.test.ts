import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { run } from './service-suite.ts';

run('sqlite', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'stoa-mail-'));
  const store = await openSqliteStore({ dataDir, pollIntervalMs: 50 });
  return { store, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
}, { bigBytes: 25 * 1024 * 1024 });
