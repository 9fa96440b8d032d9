import type { BuildStore } from './helpers.ts';
import { freshStore, sleep } from './helpers.ts';

/** Short enough to wait out, long enough that a key set just now is still live when read back. */
const SHORT_TTL = 200;
const WAIT_OUT = 350;
const LONG_TTL = 60_000;

export function run(name: string, build: BuildStore): void {
  describe(`KeyValue contract: ${name}`, () => {
    const current = freshStore(build);
    const kv = () => current().kv;

    it('sets, overwrites, reads and deletes', async () => {
      expect(await kv().get('k')).toBeNull();
      await kv().set('k', 'one', null);
      expect(await kv().get('k')).toBe('one');
      await kv().set('k', 'two', LONG_TTL);
      expect(await kv().get('k')).toBe('two');
      await kv().set('other', '', null);
      expect(await kv().get('other')).toBe('');
      await kv().delete('k');
      expect(await kv().get('k')).toBeNull();
      await kv().delete('never-set');
      expect(await kv().get('other')).toBe('');
    });

    it('forgets a key once its ttl has passed, and keeps one set without ttl', async () => {
      await kv().set('short', 'v', SHORT_TTL);
      await kv().set('forever', 'v', null);
      await kv().set('long', 'v', LONG_TTL);
      await sleep(WAIT_OUT);
      expect(await kv().get('short')).toBeNull();
      expect(await kv().get('forever')).toBe('v');
      expect(await kv().get('long')).toBe('v');
      // Setting again without ttl makes a short key permanent.
      await kv().set('short', 'again', SHORT_TTL);
      await kv().set('short', 'kept', null);
      await sleep(WAIT_OUT);
      expect(await kv().get('short')).toBe('kept');
    });

    it('leases with setIfAbsent: one holder until expiry or delete', async () => {
      expect(await kv().setIfAbsent('lease', 'a', SHORT_TTL)).toBe(true);
      expect(await kv().setIfAbsent('lease', 'b', SHORT_TTL)).toBe(false);
      expect(await kv().get('lease')).toBe('a');
      await sleep(WAIT_OUT);
      expect(await kv().setIfAbsent('lease', 'c', LONG_TTL)).toBe(true);
      expect(await kv().get('lease')).toBe('c');
      expect(await kv().setIfAbsent('lease', 'd', LONG_TTL)).toBe(false);
      await kv().delete('lease');
      expect(await kv().setIfAbsent('lease', 'e', LONG_TTL)).toBe(true);
      expect(await kv().get('lease')).toBe('e');

      await kv().set('permanent', 'p', null);
      expect(await kv().setIfAbsent('permanent', 'q', LONG_TTL)).toBe(false);
      expect(await kv().get('permanent')).toBe('p');
    });

    it('gives a lease to exactly one of many concurrent callers', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => kv().setIfAbsent('contested', `holder-${i}`, LONG_TTL)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await kv().get('contested')).toBe(`holder-${results.indexOf(true)}`);
    });

    it('counts with incr, from 0 when missing, readable with get', async () => {
      expect(await kv().incr('n', 1, LONG_TTL)).toBe(1);
      expect(await kv().incr('n', 5, LONG_TTL)).toBe(6);
      expect(await kv().incr('n', -2, LONG_TTL)).toBe(4);
      expect(await kv().get('n')).toBe('4');
      await kv().set('m', '41', null);
      expect(await kv().incr('m', 1, SHORT_TTL)).toBe(42);
      expect(await kv().get('m')).toBe('42');
      await sleep(WAIT_OUT);
      // An existing key keeps its (absent) expiry.
      expect(await kv().get('m')).toBe('42');
    });

    it('increments atomically under concurrent calls', async () => {
      const results = await Promise.all(Array.from({ length: 50 }, () => kv().incr('hits', 1, LONG_TTL)));
      expect(await kv().get('hits')).toBe('50');
      expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });

    it('keeps the first expiry of a counter and restarts an expired one', async () => {
      await kv().incr('window', 1, SHORT_TTL);
      // A later incr with a long ttl does not extend the window.
      expect(await kv().incr('window', 1, LONG_TTL)).toBe(2);
      await sleep(WAIT_OUT);
      expect(await kv().get('window')).toBeNull();
      expect(await kv().incr('window', 3, LONG_TTL)).toBe(3);
      await sleep(WAIT_OUT);
      // The restarted counter got the fresh (long) expiry.
      expect(await kv().get('window')).toBe('3');
    });
  });
}
