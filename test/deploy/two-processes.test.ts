/**
 * Two Stoa processes on one MongoDB-compatible database (FerretDB here): what one provisions, the
 * other serves, and a database outage is a temporary failure that heals by itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDirectory, type Directory } from '../../src/directory/index.ts';
import { openMongoStore } from '../../src/store/mongo/index.ts';
import type { Store } from '../../src/store/ports/index.ts';
import { describeWithServers, startFerretDb, type MongoServer } from '../helpers/ferretdb.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { SETTINGS } from '../directory/fixtures.ts';

const USER = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ann@acme.test', password: 'ann-password-1', emails: [{ value: 'ann@acme.test', primary: true }] };

describeWithServers('two Stoa processes on one database', (mongo) => {
  let a: RunningServer;
  let b: RunningServer;
  let url: string;
  let headers: Record<string, string>;
  let store: Store;
  let directory: Directory;

  beforeAll(async () => {
    url = `${mongo().url}/stoa_two`;
    a = await startServer({ STOA_STORE_URL: url });
    b = await startServer({ STOA_STORE_URL: url });
    await a.stoa(['tenant', 'add', 'acme']);
    await b.stoa(['domain', 'add', 'acme', 'acme.test']);
    headers = { authorization: `Bearer ${(await a.stoa(['scim-token', 'acme'])).lastLine}`, 'content-type': 'application/scim+json' };
    store = await openMongoStore({ url });
    directory = await createDirectory(store, SETTINGS);
  }, 90_000);
  afterAll(async () => {
    await store?.close();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  const login = (secret: string) => directory.auth.authenticate({ login: 'ann@acme.test', secret, kind: 'password', context: 'imap', ip: '192.0.2.10' });

  test('a user provisioned over SCIM on A is served by B and can log in; deactivated on B, logins stop', async () => {
    const created = await fetch(`${a.http}/acme/scim/v2/Users`, { method: 'POST', headers, body: JSON.stringify(USER) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const found = await fetch(`${b.http}/acme/scim/v2/Users?filter=${encodeURIComponent('userName eq "ann@acme.test"')}`, { headers });
    expect(((await found.json()) as { Resources: Array<{ id: string }> }).Resources.map((r) => r.id)).toEqual([id]);
    await expect(login('ann-password-1')).resolves.toMatchObject({ userId: id });

    const patch = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', value: { active: 'False' } }] };
    expect((await fetch(`${b.http}/acme/scim/v2/Users/${id}`, { method: 'PATCH', headers, body: JSON.stringify(patch) })).status).toBe(200);
    await expect(login('ann-password-1')).rejects.toMatchObject({ reason: 'invalid' });
    expect((await (await fetch(`${a.http}/acme/scim/v2/Users/${id}`, { headers })).json()) as { active: boolean }).toMatchObject({ active: false });
  });
});

describeWithServers('a MongoDB outage', () => {
  let server: RunningServer;
  let db: MongoServer;
  let headers: Record<string, string>;

  beforeAll(async () => {
    db = await startFerretDb({ dataDir: mkdtempSync(join(tmpdir(), 'stoa-outage-')) });
    server = await startServer({ STOA_STORE_URL: `${db.url}/stoa_outage` });
    await server.stoa(['tenant', 'add', 'acme']);
    await server.stoa(['domain', 'add', 'acme', 'acme.test']);
    headers = { authorization: `Bearer ${(await server.stoa(['scim-token', 'acme'])).lastLine}`, 'content-type': 'application/scim+json' };
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await db?.stop();
  });

  test('is a 503 while it lasts, and acknowledged writes are there when the database is back', async () => {
    const created = await fetch(`${server.http}/acme/scim/v2/Users`, { method: 'POST', headers, body: JSON.stringify(USER) });
    expect(created.status).toBe(201);
    const { port, dataDir } = db;
    await db.stop();
    const during = await fetch(`${server.http}/acme/scim/v2/Users`, { headers });
    expect(during.status).toBe(503);
    expect(await during.json()).toMatchObject({ status: '503', schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'] });
    expect(during.headers.get('retry-after')).toBe('5');
    db = await startFerretDb({ port, dataDir });
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await fetch(`${server.http}/acme/scim/v2/Users`, { headers })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    const list = (await (await fetch(`${server.http}/acme/scim/v2/Users`, { headers })).json()) as { totalResults: number };
    expect(list.totalResults).toBe(1);
  });
});

test('an unreachable or malformed MongoDB URL stops the start with a clear message', () => {
  const root = resolve(import.meta.dirname, '../..');
  const start = (storeUrl: string) => spawnSync(process.execPath, ['src/main.ts'], {
    cwd: root, encoding: 'utf8', timeout: 30_000,
    env: { ...process.env, NODE_OPTIONS: '', STOA_STORE_URL: storeUrl, STOA_STORE_DATADIR: mkdtempSync(join(tmpdir(), 'stoa-bad-url-')) },
  });
  const unreachable = start('mongodb://127.0.0.1:1/stoa');
  expect(unreachable.status).toBe(1);
  expect(unreachable.stderr).toMatch(/cannot reach mongodb:\/\/127\.0\.0\.1:1/);
  expect(unreachable.stderr).not.toMatch(/\n\s+at /);
  const wrong = start('postgres://db/stoa');
  expect(wrong.status).toBe(1);
  expect(wrong.stderr).toMatch(/store\.url/);
});
