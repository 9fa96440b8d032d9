import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDirectory, type Directory, type DirectorySettings } from '../../src/directory/index.ts';
import type { Store } from '../../src/store/ports/index.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';

export const SETTINGS: DirectorySettings = {
  retentionDays: 30,
  passwordCacheMs: 60_000,
  throttle: { freeFailures: 2, maxDelayMs: 60_000, windowMs: 600_000 },
};

export interface Fixture {
  dataDir: string;
  store: Store;
  directory: Directory;
  reopen(): Promise<void>;
  close(): Promise<void>;
}

/** A directory on a real embedded store in a fresh folder, with one tenant `acme` owning acme.test. */
export async function directoryFixture(settings = SETTINGS): Promise<Fixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stoa-dir-'));
  const store = await openSqliteStore({ dataDir });
  const fixture: Fixture = {
    dataDir,
    store,
    directory: await createDirectory(store, settings),
    reopen: async () => undefined,
    close: async () => undefined,
  };
  fixture.reopen = async () => {
    await fixture.store.close();
    fixture.store = await openSqliteStore({ dataDir });
    fixture.directory = await createDirectory(fixture.store, settings);
  };
  fixture.close = async () => {
    await fixture.store.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  await fixture.directory.tenants.add('acme');
  await fixture.directory.tenants.addDomain('acme', 'acme.test');
  return fixture;
}
