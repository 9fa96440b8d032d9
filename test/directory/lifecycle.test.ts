import { directoryFixture, type Fixture } from './fixtures.ts';

let f: Fixture;
beforeEach(async () => {
  f = await directoryFixture();
});
afterEach(() => f.close());

const DAY = 86_400_000;

describe('deprovisioning and retention', () => {
  test('a removed user is kept for the retention period, then purged; its address is free at once', async () => {
    const tenant = await f.directory.tenants.require('acme');
    const ann = await f.directory.users.create(tenant.id, { userName: 'ann@acme.test', password: 'pw-123456' });
    const team = await f.directory.groups.create(tenant.id, { displayName: 'Team', members: [ann.id] });
    await f.directory.deprovision(tenant.id, ann.id);

    expect(await f.directory.users.get(tenant.id, ann.id)).toBeNull();
    expect(await f.directory.users.byAddress('ann@acme.test')).toBeNull();
    expect((await f.directory.groups.require(tenant.id, team.id)).members).toEqual([]);
    expect(await f.store.directory.getUser(tenant.id, ann.id, true)).toMatchObject({ id: ann.id, active: false });

    const again = await f.directory.users.create(tenant.id, { userName: 'ann@acme.test' });
    expect(again.id).not.toBe(ann.id);

    const dataPurged: string[] = [];
    const purgeData = async (user: { id: string }) => void dataPurged.push(user.id);
    expect(await f.directory.users.purgeExpired(30, purgeData, new Date(Date.now() + 29 * DAY))).toEqual([]);
    expect(dataPurged).toEqual([]);
    expect(await f.store.directory.getUser(tenant.id, ann.id, true)).not.toBeNull();
    // A purge that fails while removing the data keeps the user, so the next one finds them again.
    await expect(f.directory.users.purgeExpired(30, async () => { throw new Error('disk gone'); }, new Date(Date.now() + 31 * DAY))).rejects.toThrow('disk gone');
    expect(await f.store.directory.getUser(tenant.id, ann.id, true)).not.toBeNull();
    expect(await f.directory.users.purgeExpired(30, purgeData, new Date(Date.now() + 31 * DAY))).toEqual([{ tenantId: tenant.id, id: ann.id }]);
    expect(dataPurged).toEqual([ann.id]);
    expect(await f.store.directory.getUser(tenant.id, ann.id, true)).toBeNull();
    expect(await f.directory.users.get(tenant.id, again.id)).not.toBeNull();
  });

  test('every directory change is journalled for the tenant, in order', async () => {
    const tenant = await f.directory.tenants.require('acme');
    const before = await f.store.journal.head(`directory:${tenant.id}`);
    const ann = await f.directory.users.create(tenant.id, { userName: 'ann@acme.test' });
    await f.directory.users.addAlias('ann@acme.test', 'a@acme.test');
    await f.directory.deprovision(tenant.id, ann.id);
    const entries = await f.store.journal.since(`directory:${tenant.id}`, before, 10);
    expect(entries.map((e) => [e.op, e.item])).toEqual([['create', ann.id], ['update', ann.id], ['delete', ann.id]]);
  });

  test('addresses are unique across tenants, and outside domains are refused', async () => {
    const acme = await f.directory.tenants.require('acme');
    const beta = await f.directory.tenants.add('beta');
    await f.directory.tenants.addDomain('beta', 'beta.test');
    await expect(f.directory.tenants.addDomain('beta', 'acme.test')).rejects.toMatchObject({ code: 'uniqueness' });
    await expect(f.directory.users.create(beta.id, { userName: 'ann@acme.test' })).rejects.toMatchObject({ code: 'invalidValue' });
    await f.directory.users.create(acme.id, { userName: 'ann@acme.test', emails: ['ann@acme.test', 'ann@gmail.example'] });
    const bob = await f.directory.users.create(acme.id, { userName: 'bob@acme.test' });
    await expect(f.directory.users.replace(acme.id, bob.id, { userName: 'bob@acme.test', emails: ['ann@acme.test'] })).rejects.toMatchObject({ code: 'uniqueness' });
    expect((await f.directory.users.require(acme.id, bob.id)).addresses).toEqual(['bob@acme.test']);
    expect((await f.directory.users.requireByAddress('ann@acme.test')).addresses).toEqual(['ann@acme.test']);
  });
});
