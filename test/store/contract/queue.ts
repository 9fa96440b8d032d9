import type { QueueEntry } from '../../../src/store/ports/index.ts';
import type { BuildStore } from './helpers.ts';
import { freshStore, sleep } from './helpers.ts';

const LEASE = 60_000;
const SHORT_LEASE = 200;

function entry(id: string, dueInMs = 0, recipients = ['bob@remote.test']): QueueEntry {
  const now = Date.now();
  return {
    id, tenantId: 't1', sender: 'ann@acme.test', blob: 'a'.repeat(64), size: 123,
    recipients: recipients.map((address) => ({ address, state: 'pending', response: null })),
    createdAt: new Date(now).toISOString(), attempts: 0,
    nextAttemptAt: new Date(now + dueInMs).toISOString(), expiresAt: new Date(now + 86_400_000).toISOString(),
  };
}

export function run(name: string, build: BuildStore): void {
  describe(`OutboundQueue contract: ${name}`, () => {
    const current = freshStore(build);
    const queue = () => current().queue;

    it('keeps an entry as enqueued and claims only what is due', async () => {
      const due = entry('due', 0, ['a@remote.test', 'b@remote.test']);
      await queue().enqueue(due);
      await queue().enqueue(entry('later', 3_600_000));
      expect(await queue().get('due')).toEqual(due);
      const claimed = await queue().claimDue(new Date(), LEASE, 10);
      expect(claimed.map((e) => e.id)).toEqual(['due']);
      expect(claimed[0]?.sender).toBe('ann@acme.test');
      expect(await queue().get('nope')).toBeNull();
    });

    it('never hands a leased entry to a second claimer, also when they claim at once', async () => {
      for (let i = 0; i < 5; i++) await queue().enqueue(entry(`e${i}`));
      const [a, b] = await Promise.all([queue().claimDue(new Date(), LEASE, 10), queue().claimDue(new Date(), LEASE, 10)]);
      const ids = [...a!, ...b!].map((e) => e.id).sort();
      expect(ids).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
      expect(await queue().claimDue(new Date(), LEASE, 10)).toEqual([]);
    });

    it('reschedules with the new recipient states and frees the entry for its next attempt', async () => {
      await queue().enqueue(entry('r', 0, ['a@remote.test', 'b@remote.test']));
      const [claimed] = await queue().claimDue(new Date(), LEASE, 1);
      const later = new Date(Date.now() + 1000);
      const next = {
        ...claimed!, attempts: 1, nextAttemptAt: later.toISOString(),
        recipients: [{ address: 'a@remote.test', state: 'delivered' as const, response: '250 ok' }, { address: 'b@remote.test', state: 'pending' as const, response: '451 later' }],
      };
      expect(await queue().reschedule(next)).toBe(true);
      expect(await queue().claimDue(new Date(), LEASE, 1)).toEqual([]);
      const [again] = await queue().claimDue(new Date(later.getTime() + 1), LEASE, 1);
      expect(again?.attempts).toBe(1);
      expect(again?.recipients.map((r) => r.state)).toEqual(['delivered', 'pending']);
      expect(await queue().complete(again!)).toBe(true);
      expect(await queue().get('r')).toBeNull();
    });

    it('makes an entry due again once its lease runs out, and the old holder can no longer write', async () => {
      await queue().enqueue(entry('x'));
      const [first] = await queue().claimDue(new Date(), SHORT_LEASE, 1);
      await sleep(SHORT_LEASE + 150);
      const [second] = await queue().claimDue(new Date(), LEASE, 1);
      expect(second?.id).toBe('x');
      expect(await queue().reschedule({ ...first!, attempts: 7 })).toBe(false);
      expect(await queue().complete(first!)).toBe(false);
      expect((await queue().get('x'))?.attempts).toBe(0);
      expect(await queue().complete(second!)).toBe(true);
    });

    it('says which blobs waiting entries hold, through rescheduling, until the entry completes', async () => {
      const blob = 'b'.repeat(64);
      await queue().enqueue({ ...entry('held'), blob });
      expect(await queue().isBlobReferenced(blob)).toBe(true);
      expect(await queue().isBlobReferenced('c'.repeat(64))).toBe(false);
      const [claimed] = await queue().claimDue(new Date(), LEASE, 1);
      expect(await queue().reschedule({ ...claimed!, attempts: 1 })).toBe(true);
      expect(await queue().isBlobReferenced(blob)).toBe(true);
      const [again] = await queue().claimDue(new Date(), LEASE, 1);
      expect(await queue().complete(again!)).toBe(true);
      expect(await queue().isBlobReferenced(blob)).toBe(false);
    });
  });
}
