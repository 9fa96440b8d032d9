import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import * as blob from './contract/blob.ts';
import * as davObjects from './contract/dav-objects.ts';
import * as directory from './contract/directory.ts';
import * as files from './contract/files.ts';
import * as journal from './contract/journal.ts';
import * as keyValue from './contract/key-value.ts';
import * as mail from './contract/mail.ts';
import * as queue from './contract/queue.ts';

const sqlite = async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'stoa-sqlite-'));
  const store = await openSqliteStore({ dataDir, pollIntervalMs: 50 });
  return { store, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
};

directory.run('sqlite', sqlite);
journal.run('sqlite', sqlite);
keyValue.run('sqlite', sqlite);
blob.run('sqlite', sqlite);
mail.run('sqlite', sqlite);
files.run('sqlite', sqlite);
queue.run('sqlite', sqlite);
davObjects.run('sqlite', sqlite);
