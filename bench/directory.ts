/**
 * Directory bench: load users over SCIM into a running server, then measure a `userName eq`
 * lookup over HTTP and `authenticate` (password, first and cached, and app password) in process
 * against the same store, as every protocol front will call it.
 */
import { createDirectory } from '../src/directory/index.ts';
import { startServer } from '../test/helpers/server.ts';
import { format, pool, summarise, timed } from './stats.ts';
import type { BenchContext } from './run.ts';

const PASSWORD = 'bench-password-123';

export async function directoryBench(ctx: BenchContext): Promise<void> {
  const users = ctx.scale(10_000);
  const server = await startServer(ctx.env);
  try {
    await server.stoa(['tenant', 'add', 'bench']);
    await server.stoa(['domain', 'add', 'bench', 'bench.test']);
    const token = (await server.stoa(['scim-token', 'bench'])).lastLine;
    const base = `${server.http}/bench/scim/v2`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };
    const withPassword = Math.min(users, 200);

    const create: number[] = [];
    const loadStart = performance.now();
    await pool(users, 8, async (i) => {
      const body = {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: `user${i}@bench.test`, externalId: `ext-${i}`, active: true,
        name: { givenName: `Given${i}`, familyName: `Family${i}` },
        emails: [{ value: `user${i}@bench.test`, type: 'work', primary: true }],
        ...(i < withPassword ? { password: PASSWORD } : {}),
      };
      const res = await timed(create, () => fetch(`${base}/Users`, { method: 'POST', headers, body: JSON.stringify(body) }));
      if (res.status !== 201) throw new Error(`POST /Users answered ${res.status}: ${await res.text()}`);
    });
    const seconds = (performance.now() - loadStart) / 1000;
    ctx.print(format('SCIM POST /Users (8 parallel)', summarise(create)) + `  ${(users / seconds).toFixed(0)} users/s`);

    const lookup: number[] = [];
    // One request at a time: this is the latency a provider's lookup sees, not throughput.
    await pool(Math.min(2000, users * 2), 1, async (i) => {
      const filter = encodeURIComponent(`userName eq "user${(i * 7919) % users}@bench.test"`);
      const res = await timed(lookup, () => fetch(`${base}/Users?filter=${filter}`, { headers }));
      const list = (await res.json()) as { totalResults: number };
      if (list.totalResults !== 1) throw new Error('lookup did not find the user');
    });
    ctx.print(format(`SCIM GET filter userName eq (${users} users)`, summarise(lookup)));

    const store = await ctx.openStore(server.dataDir);
    try {
      const directory = await createDirectory(store, { retentionDays: 30, passwordCacheMs: 300_000, throttle: { freeFailures: 1000, maxDelayMs: 1000, windowMs: 1000 } });
      const first: number[] = [];
      const cached: number[] = [];
      for (let i = 0; i < withPassword; i++) {
        const login = `user${i}@bench.test`;
        await timed(first, () => directory.auth.authenticate({ login, secret: PASSWORD, kind: 'password', context: 'imap', ip: null }));
        await timed(cached, () => directory.auth.authenticate({ login, secret: PASSWORD, kind: 'password', context: 'imap', ip: null }));
      }
      ctx.print(format('authenticate password (scrypt, first)', summarise(first)));
      ctx.print(format('authenticate password (cached)', summarise(cached)));
      const app: number[] = [];
      const secrets: string[] = [];
      for (let i = 0; i < withPassword; i++) secrets.push((await directory.appPasswords.create(`user${i}@bench.test`, 'bench')).secret);
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < withPassword; i++) {
          await timed(app, () => directory.auth.authenticate({ login: `user${i}@bench.test`, secret: secrets[i]!, kind: 'password', context: 'dav', ip: null }));
        }
      }
      ctx.print(format('authenticate app password', summarise(app)));
    } finally {
      await store.close();
    }
  } finally {
    await server.stop();
  }
}
