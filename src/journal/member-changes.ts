import type { Journal } from '../store/ports/index.ts';

export interface MemberChanges {
  /** The modseq the changes reach: the container's head, or less when `truncated`. */
  head: number;
  changed: string[];
  removed: string[];
  /** More changes follow `head`; asking again from `head` continues without loss. */
  truncated: boolean;
}

const SINCE_BATCH = 1000;

/**
 * What changed among a collection's members since modseq `since`, read from its journal container
 * (item = member name): names still present that were written, and names now gone. At most `limit`
 * names: the journal is read in order and stops before the entry that would name one more, so the
 * modseq reached is a sound place to resume. Null when `since` is in the container's future (a
 * token from elsewhere or from a wiped store). `members` answers which of the journalled names
 * exist now (it may answer with every member).
 */
export async function memberChanges(journal: Journal, container: string, since: number, members: (names: string[]) => Promise<Set<string>>, limit = Infinity): Promise<MemberChanges | null> {
  const head = await journal.head(container);
  if (since > head) return null;
  // At least one name, or a page could never move past its first entry.
  const most = Math.max(1, limit);
  const last = new Map<string, 'present' | 'gone'>();
  let reached = since;
  let truncated = false;
  read: while (reached < head) {
    const entries = await journal.since(container, reached, SINCE_BATCH);
    if (!entries.length) break;
    for (const entry of entries) {
      if (!last.has(entry.item) && last.size >= most) {
        truncated = true;
        break read;
      }
      last.delete(entry.item);
      last.set(entry.item, entry.op === 'delete' ? 'gone' : 'present');
      reached = entry.modseq;
    }
  }
  const at = truncated ? reached : head;
  if (last.size === 0) return { head: at, changed: [], removed: [], truncated };
  const present = await members([...last.keys()]);
  // Gone now is removed whatever the journal said (a directory card also goes when its user is
  // deactivated, an update); a name deleted later is then named again on its own page, harmlessly.
  const changed = [...last].filter(([name, state]) => state === 'present' && present.has(name)).map(([name]) => name);
  const removed = [...last].filter(([name]) => !present.has(name)).map(([name]) => name);
  return { head: at, changed, removed, truncated };
}
