import type { Config } from '../config/schema.ts';
import { openMongoStore } from './mongo/index.ts';
import type { Store } from './ports/index.ts';
import { openSqliteStore } from './sqlite/index.ts';

/**
 * The one place besides the composition roots that knows the adapters: an empty store URL means
 * the embedded store, a mongodb:// or mongodb+srv:// URL the MongoDB adapter.
 */
export async function openStore(config: Config): Promise<Store> {
  const url = config.store.url.trim();
  if (!url) return openSqliteStore({ dataDir: config.store.datadir });
  if (/^mongodb(\+srv)?:\/\//i.test(url)) return openMongoStore({ url });
  throw new Error(`store.url: "${url.replace(/\/\/[^@/]*@/, '//…@')}" is neither empty (embedded store) nor a mongodb:// URL`);
}
