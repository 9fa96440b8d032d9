import type { Store } from './ports/index.ts';

/**
 * Removes the blobs nothing refers to any more (expunged mail, replaced or deleted files, queue
 * entries that were sent) once they have gone unused for `graceMs`. The grace is what makes this
 * safe beside running writers: a blob is stored before the record that names it, and storing the
 * same bytes again refreshes its last use. Every port that keeps blob hashes is asked here; a new
 * one must be added, or its blobs will be taken.
 */
export function collectBlobs(store: Pick<Store, 'blobs' | 'mail' | 'files' | 'queue'>, graceMs: number, now = Date.now()): Promise<number> {
  const referrers = [store.mail, store.files, store.queue];
  return store.blobs.collect(new Date(now - graceMs), async (hash) => {
    for (const referrer of referrers) if (await referrer.isBlobReferenced(hash)) return true;
    return false;
  });
}
