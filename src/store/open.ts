import type { Config } from '../config/schema.ts';
import type { Store } from './ports/index.ts';
import { openSqliteStore } from './sqlite/index.ts';

/** The one place that knows the adapters: an empty store URL means the embedded store. */
export async function openStore(config: Config): Promise<Store> {
  if (config.store.url) throw new Error(`store.url: unsupported store URL "${config.store.url.replace(/\/\/[^@/]*@/, '//…@')}"`);
  return openSqliteStore({ dataDir: config.store.datadir });
}
