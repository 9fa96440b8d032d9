/** Shared pieces of the port contract suites. */
import type { Store } from '../../../src/store/ports/index.ts';
import { ConflictError } from '../../../src/store/ports/index.ts';

/** What an adapter's test file hands to a contract suite: a fresh, empty store per test. */
export type BuildStore = () => Promise<{ store: Store; cleanup(): Promise<void> }>;

/** Opens a fresh store before each test and disposes of it after; `current()` is the open one. */
export function freshStore<S extends Store>(build: () => Promise<{ store: S; cleanup(): Promise<void> }>): () => S {
  let opened: { store: S; cleanup(): Promise<void> } | null = null;
  beforeEach(async () => {
    opened = await build();
  });
  afterEach(async () => {
    const done = opened;
    opened = null;
    if (done) {
      await done.store.close();
      await done.cleanup();
    }
  });
  return () => {
    if (!opened) throw new Error('no store outside a test');
    return opened.store;
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `check` holds; fails after `timeoutMs`. Only outcomes matter, never how long. */
export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

export async function expectConflict(write: Promise<unknown>, field: string): Promise<void> {
  const error = await write.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConflictError);
  expect((error as ConflictError).field).toBe(field);
}
