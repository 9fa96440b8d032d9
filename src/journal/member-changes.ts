import type { Journal } from '../store/ports/index.ts';

export interface MemberChanges {
  head: number;
  changed: string[];
  removed: string[];
}

const SINCE_BATCH = 1000;

/**
 * What changed among a collection's members since modseq `since`, read from its journal container
 * (item = member name): names still present that were written, and names now gone. Null when
 * `since` is in the container's future (a token from elsewhere or from a wiped store). `members`
 * answers which of the journalled names exist now (it may answer with every member).
 */
export async function memberChanges(journal: Journal, container: string, since: number, members: (names: string[]) => Promise<Set<string>>): Promise<MemberChanges | null> {
  const head = await journal.head(container);
  if (since > head) return null;
  const last = new Map<string, 'present' | 'gone'>();
  for (let after = since; after < head;) {
    const entries = await journal.since(container, after, SINCE_BATCH);
    if (!entries.length) break;
    for (const entry of entries) {
      last.delete(entry.item);
      last.set(entry.item, entry.op === 'delete' ? 'gone' : 'present');
      after = entry.modseq;
    }
  }
  if (last.size === 0) return { head, changed: [], removed: [] };
  const present = await members([...last.keys()]);
  const changed = [...last].filter(([name, state]) => state === 'present' && present.has(name)).map(([name]) => name);
  const removed = [...last].filter(([name]) => !present.has(name)).map(([name]) => name);
  return { head, changed, removed };
}
