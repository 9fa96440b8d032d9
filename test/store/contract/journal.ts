import type { JournalEntry } from '../../../src/store/ports/index.ts';
import type { BuildStore } from './helpers.ts';
import { freshStore, sleep, waitFor } from './helpers.ts';

export function run(name: string, build: BuildStore): void {
  describe(`Journal contract: ${name}`, () => {
    const current = freshStore(build);
    const journal = () => current().journal;

    it('starts every container at modseq 0 and numbers its changes from 1', async () => {
      expect(await journal().head('mailbox:1')).toBe(0);
      expect(await journal().since('mailbox:1', 0, 10)).toEqual([]);
      const before = Date.now();
      const first = await journal().append('mailbox:1', { op: 'create', item: '1', data: { flags: ['\\Seen'] } });
      expect(first).toMatchObject({ container: 'mailbox:1', modseq: 1, op: 'create', item: '1', data: { flags: ['\\Seen'] } });
      expect(Number.isInteger(first.seq)).toBe(true);
      expect(Date.parse(first.at)).toBeGreaterThanOrEqual(before - 1000);
      const second = await journal().append('mailbox:1', { op: 'delete', item: '1' });
      expect(second.modseq).toBe(2);
      expect(second.seq).toBeGreaterThan(first.seq);
      expect(second.data).toBeUndefined();
      expect(await journal().head('mailbox:1')).toBe(2);
      expect(await journal().since('mailbox:1', 0, 10)).toEqual([first, second]);
    });

    it('allocates modseqs without gaps or repeats under concurrent appends', async () => {
      const entries = await Promise.all(
        Array.from({ length: 100 }, (_, i) => journal().append('mailbox:busy', { op: 'update', item: String(i) })),
      );
      expect(entries.map((e) => e.modseq).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(new Set(entries.map((e) => e.seq)).size).toBe(100);
      expect(await journal().head('mailbox:busy')).toBe(100);
      const stored = await journal().since('mailbox:busy', 0, 1000);
      expect(stored.map((e) => e.modseq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      // In one container a later modseq is also a later seq: no reader sees N+1 before N.
      const seqs = stored.map((e) => e.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(new Set(stored.map((e) => e.item))).toEqual(new Set(entries.map((e) => e.item)));
    });

    it('counts each container on its own', async () => {
      const written: JournalEntry[] = [];
      for (let i = 0; i < 5; i++) {
        written.push(await journal().append('dav:a', { op: 'update', item: `a${i}` }));
        written.push(await journal().append('dav:b', { op: 'update', item: `b${i}` }));
      }
      await Promise.all([
        journal().append('dav:a', { op: 'create', item: 'a5' }),
        journal().append('dav:b', { op: 'create', item: 'b5' }),
        journal().append('dav:c', { op: 'create', item: 'c0' }),
      ]);
      expect(await journal().head('dav:a')).toBe(6);
      expect(await journal().head('dav:b')).toBe(6);
      expect(await journal().head('dav:c')).toBe(1);
      expect((await journal().since('dav:a', 0, 100)).map((e) => e.item)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5']);
      expect((await journal().since('dav:b', 0, 100)).every((e) => e.container === 'dav:b')).toBe(true);
    });

    it('reads a container since a modseq, oldest first, up to a limit', async () => {
      for (let i = 1; i <= 10; i++) await journal().append('mailbox:2', { op: 'update', item: String(i) });
      await journal().append('mailbox:3', { op: 'update', item: 'other' });
      expect((await journal().since('mailbox:2', 4, 3)).map((e) => e.modseq)).toEqual([5, 6, 7]);
      expect((await journal().since('mailbox:2', 8, 100)).map((e) => e.item)).toEqual(['9', '10']);
      expect(await journal().since('mailbox:2', 10, 100)).toEqual([]);
    });

    it('tails every container in seq order after a seq, up to a limit', async () => {
      const start = (await journal().append('x', { op: 'create', item: 'start' })).seq;
      const written: JournalEntry[] = [];
      for (let i = 0; i < 6; i++) {
        written.push(await journal().append(i % 2 ? 'mailbox:odd' : 'dav:even', { op: 'update', item: String(i) }));
      }
      expect(await journal().tail(start, 100)).toEqual(written);
      expect(await journal().tail(start, 2)).toEqual(written.slice(0, 2));
      const middle = written[2]?.seq ?? 0;
      expect(await journal().tail(middle, 100)).toEqual(written.slice(3));
      expect(await journal().tail(written[5]?.seq ?? 0, 100)).toEqual([]);
      expect((await journal().tail(0, 100))[0]?.item).toBe('start');
    });

    it('tells subscribers about appends from now on, until they unsubscribe', async () => {
      await journal().append('mailbox:1', { op: 'create', item: 'before' });
      const heardA: JournalEntry[] = [];
      const heardB: JournalEntry[] = [];
      const stopA = journal().subscribe((entry) => heardA.push(entry));
      const stopB = journal().subscribe((entry) => heardB.push(entry));
      const one = await journal().append('mailbox:1', { op: 'create', item: 'one', data: { size: 3 } });
      const two = await journal().append('dav:7', { op: 'delete', item: 'two' });
      await waitFor(() => heardA.length >= 2 && heardB.length >= 2);
      expect(heardA).toEqual([one, two]);
      expect(heardB).toEqual([one, two]);

      stopA();
      const three = await journal().append('mailbox:1', { op: 'update', item: 'three' });
      await waitFor(() => heardB.length >= 3);
      stopB();
      await journal().append('mailbox:1', { op: 'update', item: 'four' });
      // Give a late (cross-process style) delivery every chance to show up.
      await sleep(100);
      expect(heardA).toEqual([one, two]);
      expect(heardB).toEqual([one, two, three]);
    });

    it('keeps appending and notifying when a listener throws', async () => {
      const heard: JournalEntry[] = [];
      const stopBad = journal().subscribe(() => {
        throw new Error('listener bug');
      });
      const stopGood = journal().subscribe((entry) => heard.push(entry));
      const entry = await journal().append('mailbox:1', { op: 'create', item: '1' });
      const next = await journal().append('mailbox:1', { op: 'create', item: '2' });
      expect(next.modseq).toBe(2);
      await waitFor(() => heard.length >= 2);
      expect(heard).toEqual([entry, next]);
      stopBad();
      stopGood();
    });
  });
}
