import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { runCli, startServer } from '../helpers/server.ts';

// Each test runs the CLI a dozen times as separate processes; on a loaded machine one start takes seconds.
jest.setTimeout(120_000);

let dataDir: string;
let env: Record<string, string>;
const stoa = (args: string[], input?: string) => runCli(env, args, input);

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'stoa-cli-'));
  env = { STOA_STORE_DATADIR: dataDir, STOA_SERVER_HOSTNAME: 'mail.example.test' };
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

async function setUp(): Promise<void> {
  expect((await stoa(['tenant', 'add', 'acme', '--name', 'Acme Ltd'])).code).toBe(0);
  expect((await stoa(['domain', 'add', 'acme', 'Acme.Test'])).code).toBe(0);
}

describe('stoa', () => {
  test('tenants, domains, users, aliases and app passwords', async () => {
    await setUp();
    const add = await stoa(['user', 'add', 'ann@acme.test', '--name', 'Ann Example', '--password-stdin'], 'first password\n');
    expect(add.code).toBe(0);
    expect((await stoa(['user', 'passwd', 'ann@acme.test'], 'second password\n')).code).toBe(0);
    expect((await stoa(['alias', 'add', 'ann@acme.test', 'sales@acme.test'])).code).toBe(0);
    const pass = await stoa(['apppass', 'add', 'ann@acme.test', 'iPhone', '--scope', 'imap,smtp']);
    expect(pass.code).toBe(0);
    expect(pass.lastLine).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){4}$/);
    const list = await stoa(['apppass', 'list', 'ann@acme.test']);
    expect(list.stdout).toContain('iPhone\timap,smtp');
    expect(list.stdout).toContain('last used never');
    const id = list.stdout.split('\t')[0]!;
    expect((await stoa(['apppass', 'revoke', 'ann@acme.test', id])).code).toBe(0);
    expect((await stoa(['apppass', 'list', 'ann@acme.test'])).stdout).toContain('revoked');
    expect((await stoa(['tenant', 'list'])).stdout).toContain('acme\tAcme Ltd\tacme.test');
  });

  test('mistakes are refused with a message and exit code 2, changing nothing', async () => {
    await setUp();
    const cases: Array<[string[], RegExp]> = [
      [['tenant', 'add', 'acme'], /exists/],
      [['tenant', 'add', 'scim'], /reserved/],
      [['tenant', 'add', 'Bad Name'], /not a valid tenant/],
      [['domain', 'add', 'acme', 'not_a_domain'], /not a domain/],
      [['domain', 'add', 'nobody', 'x.test'], /no tenant/],
      [['user', 'add', 'ann@elsewhere.test'], /no tenant owns/],
      [['alias', 'add', 'nobody@acme.test', 'x@acme.test'], /no user/],
      [['apppass', 'add', 'nobody@acme.test', 'x'], /no user/],
      [['apppass', 'add', 'x@acme.test', 'x', '--scope', 'pop3'], /no user|scopes/],
      [['user', 'passwd', 'nobody@acme.test'], /no user|no password/],
      [['frobnicate'], /usage/],
    ];
    for (const [args, message] of cases) {
      const result = await stoa(args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr + result.stdout).toMatch(message);
    }
    expect((await stoa(['user', 'add', 'ann@acme.test'])).code).toBe(0);
    const again = await stoa(['user', 'add', 'ann@acme.test']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already in use/);
  });

  test('scim-token prints a token alone on the last line, and the server accepts it', async () => {
    await setUp();
    const server = await startServer({ STOA_SERVER_HOSTNAME: 'mail.example.test' }, dataDir);
    try {
      const minted = await server.stoa(['scim-token', 'acme']);
      expect(minted.code).toBe(0);
      expect(minted.lastLine).toMatch(/^stoa_scim_\S+$/);
      const res = await fetch(`${server.http}/acme/scim/v2/Users`, { headers: { authorization: `Bearer ${minted.lastLine}` } });
      expect(res.status).toBe(200);
      const other = await fetch(`${server.http}/acme/scim/v2/Users`, { headers: { authorization: 'Bearer stoa_scim_forged' } });
      expect(other.status).toBe(401);
    } finally {
      await server.stop({ keepData: true });
    }
  });

  test('dns prints the records clients and senders look up', async () => {
    await setUp();
    const dns = await stoa(['dns', 'acme.test']);
    expect(dns.code).toBe(0);
    const lines = dns.stdout.trim().split('\n');
    expect(lines).toEqual(expect.arrayContaining([
      'acme.test. 3600 IN MX 10 mail.example.test.',
      'acme.test. 3600 IN TXT "v=spf1 mx -all"',
      '_imaps._tcp.acme.test. 3600 IN SRV 0 1 993 mail.example.test.',
      '_submissions._tcp.acme.test. 3600 IN SRV 0 1 465 mail.example.test.',
      '_submission._tcp.acme.test. 3600 IN SRV 0 1 587 mail.example.test.',
      '_caldavs._tcp.acme.test. 3600 IN SRV 0 1 443 dav.mail.example.test.',
      '_caldavs._tcp.acme.test. 3600 IN TXT "path=/acme/calendar/"',
      '_carddavs._tcp.acme.test. 3600 IN TXT "path=/acme/contacts/"',
      'autodiscover.acme.test. 3600 IN CNAME autodiscover.mail.example.test.',
      'autoconfig.acme.test. 3600 IN CNAME autoconfig.mail.example.test.',
    ]));
    expect((await runCli({ ...env, STOA_PUBLIC_IMAP_PORT: '0' }, ['dns', 'acme.test'])).stdout).toContain('_imaps._tcp.acme.test. 3600 IN SRV 0 0 0 .');
  });
});
