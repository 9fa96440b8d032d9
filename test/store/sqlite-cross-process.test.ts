import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JournalEntry } from '../../src/store/ports/index.ts';
import type { SqliteStore } from '../../src/store/sqlite/index.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { waitFor } from './contract/helpers.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/append-journal.ts', import.meta.url));

/** Runs the fixture in a separate node process; resolves with its exit code and stderr. */
function appendFromChild(dataDir: string, container: string, count: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, dataDir, container, String(count)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('sqlite store shared by two processes', () => {
  let dataDir: string;
  let store: SqliteStore;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stoa-xproc-'));
    store = await openSqliteStore({ dataDir, pollIntervalMs: 50 });
  });

  afterEach(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('hears the other process’s appends and shares one gap-free modseq sequence', async () => {
    const heard: JournalEntry[] = [];
    const stop = store.journal.subscribe((entry) => heard.push(entry));
    let childDone = false;
    const child = appendFromChild(dataDir, 'mailbox:shared', 20).finally(() => (childDone = true));
    // Keep writing for as long as the child does, so that the two writers contend for the lock.
    const own: JournalEntry[] = [];
    while (!childDone || own.length < 20) {
      own.push(await store.journal.append('mailbox:shared', { op: 'create', item: `parent-${own.length}` }));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const { code, stderr } = await child;
    // Compared together so that a failing child shows its stderr.
    expect({ code, stderr }).toMatchObject({ code: 0 });

    const fromChild = () => heard.filter((entry) => entry.item.startsWith('child-'));
    await waitFor(() => fromChild().length >= 20, 5000);
    expect(fromChild().map((entry) => entry.item)).toEqual(Array.from({ length: 20 }, (_, i) => `child-${i}`));
    // Its own appends were heard once each, at commit, not again through the poller.
    expect(heard.filter((entry) => entry.item.startsWith('parent-'))).toEqual(own);
    expect(new Set(heard.map((entry) => entry.seq)).size).toBe(heard.length);
    stop();

    const total = own.length + 20;
    expect(await store.journal.head('mailbox:shared')).toBe(total);
    const all = await store.journal.since('mailbox:shared', 0, total + 1);
    expect(all.map((entry) => entry.modseq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  }, 20_000);
});
