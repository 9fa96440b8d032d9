import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memberChanges } from '../../src/journal/member-changes.ts';
import type { Journal } from '../../src/store/ports/index.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';

describe('memberChanges with a limit', () => {
  let dataDir: string;
  let store: Awaited<ReturnType<typeof openSqliteStore>>;
  let journal: Journal;
  const present = new Set<string>();
  const members = async () => new Set(present);
  const write = async (item: string) => {
    present.add(item);
    await journal.append('dav:c', { op: 'update', item });
  };
  const remove = async (item: string) => {
    present.delete(item);
    await journal.append('dav:c', { op: 'delete', item });
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stoa-changes-'));
    store = await openSqliteStore({ dataDir, pollIntervalMs: 50 });
    journal = store.journal;
  });
  afterAll(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('pages through a delta without losing or inventing a change', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) await write(name);
    await write('a');
    await remove('b');
    await write('f');
    const seen = { changed: new Set<string>(), removed: new Set<string>() };
    let since = 0;
    let pages = 0;
    for (;;) {
      const page = (await memberChanges(journal, 'dav:c', since, members, 2))!;
      expect(page.changed.length + page.removed.length).toBeLessThanOrEqual(2);
      page.changed.forEach((n) => seen.changed.add(n));
      page.removed.forEach((n) => seen.removed.add(n));
      since = page.head;
      pages++;
      if (!page.truncated) break;
    }
    expect(since).toBe(await journal.head('dav:c'));
    expect([...seen.changed].sort()).toEqual(['a', 'c', 'd', 'e', 'f']);
    expect([...seen.removed]).toEqual(['b']);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('names one member per page even when asked for none, so a client always moves on', async () => {
    const head = await journal.head('dav:c');
    await write('g');
    await write('h');
    const page = (await memberChanges(journal, 'dav:c', head, members, 0))!;
    expect(page).toEqual({ head: head + 1, changed: ['g'], removed: [], truncated: true });
  });

  it('is not truncated when the delta fits exactly', async () => {
    const head = await journal.head('dav:c');
    await write('i');
    await write('i');
    expect(await memberChanges(journal, 'dav:c', head, members, 1)).toEqual({ head: head + 2, changed: ['i'], removed: [], truncated: false });
  });
});
