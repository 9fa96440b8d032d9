import type { ScimTokenRecord } from '../../../src/store/ports/index.ts';
import { VersionConflictError } from '../../../src/store/ports/index.ts';
import { appPassword, at, group, tenant, user } from './directory-fixtures.ts';
import type { BuildStore } from './helpers.ts';
import { expectConflict, freshStore } from './helpers.ts';

const PAGE = { offset: 0, limit: 100 };

export function run(name: string, build: BuildStore): void {
  describe(`DirectoryStore contract: ${name}`, () => {
    const current = freshStore(build);
    const dir = () => current().directory;

    beforeEach(async () => {
      await dir().createTenant(tenant('ta', 'alpha', 1));
      await dir().createTenant(tenant('tb', 'beta', 2));
      await dir().addDomain({ name: 'alpha.test', tenantId: 'ta', createdAt: at(1) });
      await dir().addDomain({ name: 'beta.test', tenantId: 'tb', createdAt: at(2) });
    });

    describe('tenants', () => {
      it('reads tenants by id and slug and lists them in creation order', async () => {
        const oauth = { issuer: 'https://idp.test', audience: 'stoa', jwksUrl: 'https://idp.test/keys' };
        await dir().createTenant({ ...tenant('t0', 'zero', 0), settings: { oauth } });
        expect(await dir().getTenant('t0')).toEqual({ ...tenant('t0', 'zero', 0), settings: { oauth } });
        expect(await dir().getTenantBySlug('alpha')).toEqual(tenant('ta', 'alpha', 1));
        expect(await dir().getTenant('nope')).toBeNull();
        expect(await dir().getTenantBySlug('nope')).toBeNull();
        expect((await dir().listTenants()).map((t) => t.id)).toEqual(['t0', 'ta', 'tb']);
      });

      it('refuses a taken id or slug and keeps what was there', async () => {
        await expectConflict(dir().createTenant(tenant('ta', 'other')), 'id');
        await expectConflict(dir().createTenant(tenant('tc', 'alpha')), 'slug');
        expect(await dir().getTenantBySlug('other')).toBeNull();
        expect(await dir().getTenant('tc')).toBeNull();
        expect(await dir().listTenants()).toHaveLength(2);
      });

      it('updates a tenant, refusing another tenant’s slug', async () => {
        const renamed = { ...tenant('ta', 'alpha2', 1), name: 'Renamed' };
        await dir().updateTenant(renamed);
        expect(await dir().getTenant('ta')).toEqual(renamed);
        expect(await dir().getTenantBySlug('alpha')).toBeNull();
        await expectConflict(dir().updateTenant({ ...renamed, slug: 'beta' }), 'slug');
        expect(await dir().getTenant('ta')).toEqual(renamed);
        await expect(dir().updateTenant(tenant('missing', 'missing'))).rejects.toBeInstanceOf(VersionConflictError);
      });
    });

    describe('domains', () => {
      it('reads domains case-insensitively and lists them per tenant', async () => {
        await dir().addDomain({ name: 'a2.test', tenantId: 'ta', createdAt: at(3) });
        expect(await dir().getDomain('ALPHA.test')).toEqual({ name: 'alpha.test', tenantId: 'ta', createdAt: at(1) });
        expect(await dir().getDomain('gamma.test')).toBeNull();
        expect((await dir().listDomains('ta')).map((d) => d.name)).toEqual(['a2.test', 'alpha.test']);
        expect((await dir().listDomains('tb')).map((d) => d.name)).toEqual(['beta.test']);
      });

      it('gives a domain to one tenant only', async () => {
        await expectConflict(dir().addDomain({ name: 'Alpha.Test', tenantId: 'tb', createdAt: at(3) }), 'name');
        expect((await dir().getDomain('alpha.test'))?.tenantId).toBe('ta');
        expect(await dir().listDomains('tb')).toHaveLength(1);
      });
    });

    describe('users', () => {
      const alice = user({
        id: 'u-alice',
        tenantId: 'ta',
        userName: 'alice@alpha.test',
        externalId: 'ext-alice',
        displayName: 'Alice',
        passwordHash: 'scrypt$16384$8$1$salt$hash',
        quotaBytes: 1_000_000,
        addresses: ['alice@alpha.test', 'a@alpha.test'],
        aliases: ['a@alpha.test'],
        scim: { name: { givenName: 'Alice' }, emails: [{ value: 'alice@alpha.test', primary: true }] },
      });

      it('stores a user whole and finds it by any address, case-insensitively', async () => {
        await dir().createUser(alice);
        expect(await dir().getUser('ta', 'u-alice')).toEqual(alice);
        expect(await dir().findUserByAddress('A@Alpha.TEST')).toEqual(alice);
        expect(await dir().findUserByAddress('alice@alpha.test')).toEqual(alice);
        expect(await dir().findUserByAddress('nobody@alpha.test')).toBeNull();
      });

      it('never shows a user through another tenant', async () => {
        await dir().createUser(alice);
        expect(await dir().getUser('tb', 'u-alice')).toBeNull();
        expect(await dir().getUser('tb', 'u-alice', true)).toBeNull();
        expect(await dir().findUsers('tb', {}, PAGE)).toEqual({ total: 0, items: [] });
        expect(await dir().findUsers('tb', { userName: 'alice@alpha.test' }, PAGE)).toEqual({ total: 0, items: [] });
        expect(await dir().findUsers('tb', { address: 'a@alpha.test' }, PAGE)).toEqual({ total: 0, items: [] });
        expect(await dir().findUsers('tb', { externalId: 'ext-alice' }, PAGE)).toEqual({ total: 0, items: [] });
      });

      it('refuses a taken userName, in any tenant and any case, and stores nothing', async () => {
        await dir().createUser(alice);
        const copy = user({ id: 'u-copy', tenantId: 'tb', userName: 'ALICE@alpha.test', addresses: ['copy@beta.test'] });
        await expectConflict(dir().createUser(copy), 'userName');
        expect(await dir().getUser('tb', 'u-copy', true)).toBeNull();
        expect(await dir().findUserByAddress('copy@beta.test')).toBeNull();
      });

      it('refuses a taken address across tenants without claiming the free ones', async () => {
        await dir().createUser(alice);
        const bob = user({
          id: 'u-bob',
          tenantId: 'tb',
          userName: 'bob@beta.test',
          addresses: ['bob@beta.test', 'A@ALPHA.test', 'b@beta.test'],
        });
        await expectConflict(dir().createUser(bob), 'address');
        expect(await dir().getUser('tb', 'u-bob', true)).toBeNull();
        expect(await dir().findUserByAddress('bob@beta.test')).toBeNull();
        expect(await dir().findUserByAddress('b@beta.test')).toBeNull();
        expect((await dir().findUserByAddress('a@alpha.test'))?.id).toBe('u-alice');
        // Nothing half-applied: the same user without the taken address goes in.
        await dir().createUser({ ...bob, addresses: ['bob@beta.test', 'b@beta.test'] });
        expect((await dir().findUserByAddress('b@beta.test'))?.id).toBe('u-bob');
      });

      it('keeps externalId unique within a tenant only, and exact', async () => {
        await dir().createUser(alice);
        await expectConflict(
          dir().createUser(user({ id: 'u-x', tenantId: 'ta', userName: 'x@alpha.test', externalId: 'ext-alice' })),
          'externalId',
        );
        expect(await dir().getUser('ta', 'u-x', true)).toBeNull();
        expect(await dir().findUserByAddress('x@alpha.test')).toBeNull();
        await dir().createUser(user({ id: 'u-y', tenantId: 'tb', userName: 'y@beta.test', externalId: 'ext-alice' }));
        await dir().createUser(user({ id: 'u-z', tenantId: 'ta', userName: 'z@alpha.test', externalId: 'EXT-ALICE' }));
        expect((await dir().findUsers('ta', { externalId: 'ext-alice' }, PAGE)).items.map((u) => u.id)).toEqual(['u-alice']);
        expect((await dir().findUsers('ta', { externalId: 'EXT-ALICE' }, PAGE)).items.map((u) => u.id)).toEqual(['u-z']);
      });

      it('allows any number of users without an externalId', async () => {
        await dir().createUser(user({ id: 'u1', tenantId: 'ta', userName: 'one@alpha.test' }));
        await dir().createUser(user({ id: 'u2', tenantId: 'ta', userName: 'two@alpha.test' }));
        expect((await dir().findUsers('ta', {}, PAGE)).total).toBe(2);
      });

      it('refuses a second user with the same id', async () => {
        await dir().createUser(alice);
        await expectConflict(dir().createUser({ ...alice, userName: 'other@alpha.test', addresses: [], externalId: null }), 'id');
        expect(await dir().getUser('ta', 'u-alice')).toEqual(alice);
      });

      it('updates on the expected version only', async () => {
        await dir().createUser(alice);
        const renamed = { ...alice, displayName: 'Alice B.', version: 2, updatedAt: at(5) };
        await dir().updateUser(renamed, 1);
        expect(await dir().getUser('ta', 'u-alice')).toEqual(renamed);
        await expect(dir().updateUser({ ...alice, displayName: 'stale', version: 2 }, 1)).rejects.toBeInstanceOf(
          VersionConflictError,
        );
        expect(await dir().getUser('ta', 'u-alice')).toEqual(renamed);
        await expect(dir().updateUser(user({ id: 'ghost', tenantId: 'ta', userName: 'g@alpha.test' }), 1)).rejects.toBeInstanceOf(
          VersionConflictError,
        );
        expect(await dir().getUser('ta', 'ghost', true)).toBeNull();
        // The id belongs to tenant A; through tenant B it is nobody's.
        await expect(dir().updateUser({ ...renamed, tenantId: 'tb', version: 3 }, 2)).rejects.toBeInstanceOf(
          VersionConflictError,
        );
        expect(await dir().getUser('ta', 'u-alice')).toEqual(renamed);
      });

      it('moves address claims atomically on update', async () => {
        await dir().createUser(alice);
        const bob = user({ id: 'u-bob', tenantId: 'tb', userName: 'bob@beta.test' });
        await dir().createUser(bob);
        // A taken address: nothing of the update is kept, not even the free address or the rename.
        const grabbing = {
          ...bob,
          displayName: 'Bob',
          addresses: ['bob@beta.test', 'new@beta.test', 'alice@alpha.test'],
          version: 2,
        };
        await expectConflict(dir().updateUser(grabbing, 1), 'address');
        expect(await dir().getUser('tb', 'u-bob')).toEqual(bob);
        expect(await dir().findUserByAddress('new@beta.test')).toBeNull();
        expect((await dir().findUserByAddress('alice@alpha.test'))?.id).toBe('u-alice');

        // A dropped address is free for someone else at once.
        await dir().updateUser({ ...alice, addresses: ['alice@alpha.test'], aliases: [], version: 2 }, 1);
        expect(await dir().findUserByAddress('a@alpha.test')).toBeNull();
        await dir().updateUser({ ...bob, addresses: ['bob@beta.test', 'a@alpha.test'], version: 2 }, 1);
        expect((await dir().findUserByAddress('a@alpha.test'))?.id).toBe('u-bob');
      });

      it('refuses an update to a taken userName or externalId', async () => {
        await dir().createUser(alice);
        const carol = user({ id: 'u-carol', tenantId: 'ta', userName: 'carol@alpha.test', externalId: 'ext-carol' });
        await dir().createUser(carol);
        await expectConflict(dir().updateUser({ ...carol, userName: 'Alice@alpha.test', version: 2 }, 1), 'userName');
        await expectConflict(dir().updateUser({ ...carol, externalId: 'ext-alice', version: 2 }, 1), 'externalId');
        expect(await dir().getUser('ta', 'u-carol')).toEqual(carol);
        // Keeping its own unique values is no conflict.
        await dir().updateUser({ ...carol, displayName: 'Carol', version: 2 }, 1);
      });

      it('soft delete hides the user, frees its unique values and keeps it readable', async () => {
        await dir().createUser(alice);
        const deleted = { ...alice, active: false, deletedAt: at(10), version: 2, updatedAt: at(10) };
        await dir().updateUser(deleted, 1);
        expect(await dir().getUser('ta', 'u-alice')).toBeNull();
        expect(await dir().getUser('ta', 'u-alice', true)).toEqual(deleted);
        expect(await dir().findUserByAddress('alice@alpha.test')).toBeNull();
        expect((await dir().findUsers('ta', {}, PAGE)).total).toBe(0);
        expect((await dir().findUsers('ta', { includeDeleted: true }, PAGE)).items).toEqual([deleted]);

        const again = user({
          id: 'u-alice2',
          tenantId: 'tb',
          userName: 'alice@alpha.test',
          externalId: 'ext-alice',
          addresses: ['alice@alpha.test', 'a@alpha.test'],
          createdAt: at(11),
        });
        await dir().createUser(again);
        expect((await dir().findUserByAddress('a@alpha.test'))?.id).toBe('u-alice2');
        await dir().createUser(user({ id: 'u-alice3', tenantId: 'ta', userName: 'alice3@alpha.test', externalId: 'ext-alice' }));

        // With includeDeleted the deleted holder is still found by its old address (the live one is B's).
        const byAddress = await dir().findUsers('ta', { address: 'a@alpha.test', includeDeleted: true }, PAGE);
        expect(byAddress.items.map((u) => u.id)).toEqual(['u-alice']);
        expect((await dir().findUsers('ta', { address: 'a@alpha.test' }, PAGE)).total).toBe(0);
        expect((await dir().findUsers('ta', { userName: 'alice@alpha.test', includeDeleted: true }, PAGE)).total).toBe(1);

        // Restoring needs its values back: now taken.
        await expectConflict(dir().updateUser({ ...deleted, deletedAt: null, version: 3 }, 2), 'userName');
        expect(await dir().getUser('ta', 'u-alice', true)).toEqual(deleted);
      });

      it('restores a soft-deleted user whose values are still free', async () => {
        await dir().createUser(alice);
        await dir().updateUser({ ...alice, deletedAt: at(10), version: 2 }, 1);
        const restored = { ...alice, version: 3 };
        await dir().updateUser(restored, 2);
        expect(await dir().getUser('ta', 'u-alice')).toEqual(restored);
        expect((await dir().findUserByAddress('a@alpha.test'))?.id).toBe('u-alice');
      });

      it('finds users by exact fields, ANDed, in creation order with totals and paging', async () => {
        for (let i = 0; i < 7; i++) {
          // Created out of order, and two sharing an instant (then the id decides).
          const n = [5, 3, 9, 1, 3, 7, 2][i] ?? 0;
          await dir().createUser(
            user({ id: `u${i}`, tenantId: 'ta', userName: `user${i}@alpha.test`, externalId: `e${i}`, createdAt: at(n) }),
          );
        }
        await dir().createUser(user({ id: 'ub', tenantId: 'tb', userName: 'userb@beta.test', createdAt: at(0) }));
        const order = ['u3', 'u6', 'u1', 'u4', 'u0', 'u5', 'u2'];
        const all = await dir().findUsers('ta', {}, PAGE);
        expect(all.total).toBe(7);
        expect(all.items.map((u) => u.id)).toEqual(order);
        const page = await dir().findUsers('ta', {}, { offset: 2, limit: 3 });
        expect(page.total).toBe(7);
        expect(page.items.map((u) => u.id)).toEqual(order.slice(2, 5));
        const beyond = await dir().findUsers('ta', {}, { offset: 10, limit: 3 });
        expect(beyond).toEqual({ total: 7, items: [] });
        expect((await dir().findUsers('ta', {}, { offset: 0, limit: 0 })).total).toBe(7);

        expect((await dir().findUsers('ta', { userName: 'USER4@alpha.test' }, PAGE)).items.map((u) => u.id)).toEqual(['u4']);
        expect((await dir().findUsers('ta', { address: 'User2@Alpha.test' }, PAGE)).items.map((u) => u.id)).toEqual(['u2']);
        expect((await dir().findUsers('ta', { externalId: 'e5' }, PAGE)).items.map((u) => u.id)).toEqual(['u5']);
        expect((await dir().findUsers('ta', { externalId: 'e5', userName: 'user5@alpha.test' }, PAGE)).total).toBe(1);
        expect((await dir().findUsers('ta', { externalId: 'e5', userName: 'user4@alpha.test' }, PAGE)).total).toBe(0);
        expect((await dir().findUsers('ta', { userName: 'user' }, PAGE)).total).toBe(0);
      });

      it('purges users deleted before the cutoff, with their groups and app passwords', async () => {
        await dir().createUser(alice);
        const old = user({ id: 'u-old', tenantId: 'ta', userName: 'old@alpha.test', deletedAt: at(10), createdAt: at(0) });
        const recent = user({ id: 'u-recent', tenantId: 'tb', userName: 'recent@beta.test', deletedAt: at(30) });
        await dir().createUser(old);
        await dir().createUser(recent);
        await dir().addAppPassword(appPassword({ id: 'ap-old', userId: 'u-old', hash: 'h-old' }));
        await dir().createGroup(group({ id: 'g1', tenantId: 'ta', displayName: 'Staff', members: ['u-alice', 'u-old'] }));

        expect(await dir().expiredUsers(at(20))).toEqual([{ tenantId: 'ta', id: 'u-old' }]);
        expect(await dir().expiredUsers(at(40))).toEqual([{ tenantId: 'ta', id: 'u-old' }, { tenantId: 'tb', id: 'u-recent' }]);
        expect(await dir().purgeUsers(at(20))).toEqual([{ tenantId: 'ta', id: 'u-old' }]);
        expect(await dir().getUser('ta', 'u-old', true)).toBeNull();
        expect(await dir().getUser('tb', 'u-recent', true)).toEqual(recent);
        expect(await dir().getUser('ta', 'u-alice')).toEqual(alice);
        expect(await dir().findAppPasswordByHash('h-old')).toBeNull();
        const staff = await dir().getGroup('ta', 'g1');
        expect(staff?.members).toEqual(['u-alice']);
        // The group changed, so its version (the SCIM ETag) moved on.
        expect(staff?.version).toBeGreaterThan(1);
        expect((await dir().findGroups('ta', { memberId: 'u-old' }, PAGE)).total).toBe(0);
        expect(await dir().purgeUsers(at(20))).toEqual([]);
        expect(await dir().purgeUsers(at(40))).toEqual([{ tenantId: 'tb', id: 'u-recent' }]);
      });
    });

    describe('groups', () => {
      beforeEach(async () => {
        for (const [id, tenantId, userName] of [
          ['u1', 'ta', 'one@alpha.test'],
          ['u2', 'ta', 'two@alpha.test'],
          ['u3', 'ta', 'three@alpha.test'],
          ['ub', 'tb', 'b@beta.test'],
        ] as const) {
          await dir().createUser(user({ id, tenantId, userName }));
        }
      });

      it('stores a group whole with its members in order', async () => {
        const staff = group({
          id: 'g1',
          tenantId: 'ta',
          displayName: 'Staff',
          externalId: 'ext-g1',
          members: ['u3', 'u1'],
          scim: { displayName: 'Staff' },
        });
        await dir().createGroup(staff);
        expect(await dir().getGroup('ta', 'g1')).toEqual(staff);
        expect(await dir().getGroup('tb', 'g1')).toBeNull();
        expect(await dir().getGroup('ta', 'nope')).toBeNull();
        await expectConflict(dir().createGroup({ ...staff, displayName: 'Other' }), 'id');
        expect(await dir().getGroup('ta', 'g1')).toEqual(staff);
      });

      it('updates on the expected version only, replacing the members', async () => {
        const staff = group({ id: 'g1', tenantId: 'ta', displayName: 'Staff', members: ['u1', 'u2'] });
        await dir().createGroup(staff);
        const changed = { ...staff, displayName: 'Team', members: ['u2', 'u3'], version: 2, updatedAt: at(5) };
        await dir().updateGroup(changed, 1);
        expect(await dir().getGroup('ta', 'g1')).toEqual(changed);
        await expect(dir().updateGroup({ ...staff, members: [], version: 2 }, 1)).rejects.toBeInstanceOf(
          VersionConflictError,
        );
        expect(await dir().getGroup('ta', 'g1')).toEqual(changed);
        await expect(dir().updateGroup(group({ id: 'g9', tenantId: 'ta', displayName: 'X' }), 1)).rejects.toBeInstanceOf(
          VersionConflictError,
        );
        await expect(dir().updateGroup({ ...changed, tenantId: 'tb', version: 3 }, 2)).rejects.toBeInstanceOf(
          VersionConflictError,
        );
        expect((await dir().findGroups('ta', { memberId: 'u1' }, PAGE)).total).toBe(0);
        expect((await dir().findGroups('ta', { memberId: 'u3' }, PAGE)).total).toBe(1);
      });

      it('deletes a group of its own tenant only', async () => {
        await dir().createGroup(group({ id: 'g1', tenantId: 'ta', displayName: 'Staff', members: ['u1'] }));
        expect(await dir().deleteGroup('tb', 'g1')).toBe(false);
        expect(await dir().getGroup('ta', 'g1')).not.toBeNull();
        expect(await dir().deleteGroup('ta', 'g1')).toBe(true);
        expect(await dir().getGroup('ta', 'g1')).toBeNull();
        expect(await dir().deleteGroup('ta', 'g1')).toBe(false);
        expect((await dir().findGroups('ta', { memberId: 'u1' }, PAGE)).total).toBe(0);
      });

      it('finds groups by displayName (any case), externalId and member, with paging', async () => {
        await dir().createGroup(group({ id: 'g3', tenantId: 'ta', displayName: 'Sales', members: ['u1'], createdAt: at(3) }));
        await dir().createGroup(
          group({ id: 'g1', tenantId: 'ta', displayName: 'Staff', externalId: 'x1', members: ['u1', 'u2'], createdAt: at(1) }),
        );
        await dir().createGroup(group({ id: 'g2', tenantId: 'ta', displayName: 'Admins', members: ['u2'], createdAt: at(2) }));
        await dir().createGroup(group({ id: 'gb', tenantId: 'tb', displayName: 'Staff', members: ['ub'], createdAt: at(0) }));

        const all = await dir().findGroups('ta', {}, PAGE);
        expect(all.total).toBe(3);
        expect(all.items.map((g) => g.id)).toEqual(['g1', 'g2', 'g3']);
        expect(all.items[0]?.members).toEqual(['u1', 'u2']);
        expect(await dir().findGroups('ta', {}, { offset: 1, limit: 1 })).toEqual({ total: 3, items: [all.items[1]] });
        expect((await dir().findGroups('ta', { displayName: 'STAFF' }, PAGE)).items.map((g) => g.id)).toEqual(['g1']);
        expect((await dir().findGroups('ta', { externalId: 'x1' }, PAGE)).items.map((g) => g.id)).toEqual(['g1']);
        expect((await dir().findGroups('ta', { externalId: 'X1' }, PAGE)).total).toBe(0);
        expect((await dir().findGroups('ta', { memberId: 'u1' }, PAGE)).items.map((g) => g.id)).toEqual(['g1', 'g3']);
        expect((await dir().findGroups('ta', { memberId: 'u2', displayName: 'admins' }, PAGE)).items.map((g) => g.id)).toEqual([
          'g2',
        ]);
        expect((await dir().findGroups('ta', { memberId: 'ub' }, PAGE)).total).toBe(0);
        expect((await dir().findGroups('tb', {}, PAGE)).items.map((g) => g.id)).toEqual(['gb']);
      });
    });

    describe('app passwords', () => {
      beforeEach(async () => {
        await dir().createUser(user({ id: 'u1', tenantId: 'ta', userName: 'one@alpha.test' }));
        await dir().createUser(user({ id: 'u2', tenantId: 'ta', userName: 'two@alpha.test' }));
      });

      it('finds by hash and lists a user’s app passwords in creation order', async () => {
        const laptop = appPassword({ id: 'ap2', userId: 'u1', hash: 'h2', label: 'laptop', scopes: ['dav'], createdAt: at(2) });
        const phone = appPassword({ id: 'ap1', userId: 'u1', hash: 'h1', createdAt: at(1) });
        await dir().addAppPassword(laptop);
        await dir().addAppPassword(phone);
        await dir().addAppPassword(appPassword({ id: 'ap3', userId: 'u2', hash: 'h3' }));
        expect(await dir().findAppPasswordByHash('h2')).toEqual(laptop);
        expect(await dir().findAppPasswordByHash('nope')).toBeNull();
        expect(await dir().listAppPasswords('u1')).toEqual([phone, laptop]);
        expect(await dir().listAppPasswords('nobody')).toEqual([]);
        await expectConflict(dir().addAppPassword(appPassword({ id: 'ap4', userId: 'u2', hash: 'h1' })), 'hash');
        expect(await dir().listAppPasswords('u2')).toHaveLength(1);
      });

      it('revokes once, and only the owner’s', async () => {
        await dir().addAppPassword(appPassword({ id: 'ap1', userId: 'u1', hash: 'h1' }));
        expect(await dir().revokeAppPassword('u2', 'ap1', at(5))).toBe(false);
        expect((await dir().findAppPasswordByHash('h1'))?.revokedAt).toBeNull();
        expect(await dir().revokeAppPassword('u1', 'ap1', at(5))).toBe(true);
        expect((await dir().findAppPasswordByHash('h1'))?.revokedAt).toBe(at(5));
        expect(await dir().revokeAppPassword('u1', 'ap1', at(6))).toBe(false);
        expect((await dir().findAppPasswordByHash('h1'))?.revokedAt).toBe(at(5));
        expect(await dir().revokeAppPassword('u1', 'missing', at(6))).toBe(false);
      });

      it('records the last use', async () => {
        const record = appPassword({ id: 'ap1', userId: 'u1', hash: 'h1' });
        await dir().addAppPassword(record);
        await dir().touchAppPassword('ap1', at(7), '192.0.2.1');
        expect(await dir().findAppPasswordByHash('h1')).toEqual({ ...record, lastUsedAt: at(7), lastUsedIp: '192.0.2.1' });
        await dir().touchAppPassword('ap1', at(8), null);
        expect(await dir().listAppPasswords('u1')).toEqual([{ ...record, lastUsedAt: at(8), lastUsedIp: null }]);
        await dir().touchAppPassword('missing', at(8), null);
      });
    });

    describe('SCIM tokens', () => {
      it('finds a token by hash and refuses a taken hash', async () => {
        const token: ScimTokenRecord = { id: 's1', tenantId: 'ta', hash: 'sh1', createdAt: at(1), revokedAt: null };
        await dir().addScimToken(token);
        expect(await dir().findScimTokenByHash('sh1')).toEqual(token);
        expect(await dir().findScimTokenByHash('sh2')).toBeNull();
        await expectConflict(dir().addScimToken({ ...token, id: 's2', tenantId: 'tb' }), 'hash');
        expect((await dir().findScimTokenByHash('sh1'))?.tenantId).toBe('ta');
      });
    });
  });
}
