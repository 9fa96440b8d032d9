import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { AuthError } from '../../src/directory/errors.ts';
import type { Credentials } from '../../src/directory/authenticate.ts';
import { directoryFixture, type Fixture } from './fixtures.ts';

const PASSWORD = 'correct horse battery staple';
let f: Fixture;

async function tenantId(): Promise<string> {
  return (await f.directory.tenants.require('acme')).id;
}

async function addUser(address: string, password = PASSWORD) {
  return f.directory.users.create(await tenantId(), { userName: address, password, emails: [address] });
}

function login(login: string, secret: string, extra: Partial<Credentials> = {}) {
  return f.directory.auth.authenticate({ login, secret, kind: 'password', context: 'imap', ip: '192.0.2.1', ...extra });
}

async function refused(promise: Promise<unknown>, reason = 'invalid'): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(AuthError);
  await expect(promise).rejects.toMatchObject({ reason });
}

beforeEach(async () => {
  f = await directoryFixture();
});
afterEach(async () => {
  await f.close();
});

describe('passwords', () => {
  test('the right password signs in, by any address of the user and in any case', async () => {
    const user = await addUser('ann@acme.test');
    await f.directory.users.addAlias('ann@acme.test', 'sales@acme.test');
    await expect(login('ann@acme.test', PASSWORD)).resolves.toMatchObject({ userId: user.id, via: 'password', address: 'ann@acme.test' });
    await expect(login('ANN@Acme.Test', PASSWORD)).resolves.toMatchObject({ userId: user.id });
    await expect(login('sales@acme.test', PASSWORD)).resolves.toMatchObject({ userId: user.id });
  });

  test('a wrong password, an unknown login and an empty secret are refused alike', async () => {
    await addUser('ann@acme.test');
    await refused(login('ann@acme.test', 'wrong'));
    await refused(login('nobody@acme.test', PASSWORD));
    await refused(login('ann@acme.test', ''));
  });

  test('a changed password works at once and the old one stops, despite the cache', async () => {
    await addUser('ann@acme.test');
    await login('ann@acme.test', PASSWORD);
    await f.directory.users.setPassword('ann@acme.test', 'a new password');
    await refused(login('ann@acme.test', PASSWORD));
    await expect(login('ann@acme.test', 'a new password')).resolves.toBeTruthy();
  });

  test('an SSO-only user cannot use the bare password on protocols, only on the account page while the tenant has no OIDC', async () => {
    await addUser('ann@acme.test');
    await f.directory.users.setSsoOnly('ann@acme.test', true);
    await refused(login('ann@acme.test', PASSWORD));
    await refused(login('ann@acme.test', PASSWORD, { context: 'dav' }));
    await expect(login('ann@acme.test', PASSWORD, { context: 'account' })).resolves.toMatchObject({ via: 'password' });
    await f.directory.tenants.setOidc('acme', { issuer: 'https://idp.acme.test', clientId: 'stoa' });
    await refused(login('ann@acme.test', PASSWORD, { context: 'account' }));
    await f.directory.users.setSsoOnly('ann@acme.test', false);
    await expect(login('ann@acme.test', PASSWORD, { context: 'account' })).resolves.toMatchObject({ via: 'password' });
  });

  test('deactivated and deprovisioned users cannot sign in', async () => {
    const ann = await addUser('ann@acme.test');
    const bob = await addUser('bob@acme.test');
    await f.directory.users.replace(ann.tenantId, ann.id, { userName: 'ann@acme.test', active: false });
    await refused(login('ann@acme.test', PASSWORD));
    await f.directory.deprovision(bob.tenantId, bob.id);
    await refused(login('bob@acme.test', PASSWORD));
  });
});

describe('app passwords', () => {
  test('work only for their scopes, ignore dashes and case, and record their last use', async () => {
    const user = await addUser('ann@acme.test');
    const { record, secret } = await f.directory.appPasswords.create('ann@acme.test', 'phone', ['imap', 'smtp']);
    expect(secret).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){4}$/);
    await expect(login('ann@acme.test', secret)).resolves.toMatchObject({ userId: user.id, via: 'app-password', appPasswordId: record.id });
    await expect(login('ann@acme.test', secret.replaceAll('-', ' ').toUpperCase(), { context: 'smtp' })).resolves.toBeTruthy();
    await refused(login('ann@acme.test', secret, { context: 'dav' }));
    await refused(login('ann@acme.test', secret, { context: 'account' }));
    let used: string | null = null;
    for (let i = 0; i < 50 && !used; i++) {
      used = (await f.directory.appPasswords.list('ann@acme.test'))[0]?.lastUsedAt ?? null;
      if (!used) await new Promise((r) => setTimeout(r, 20));
    }
    expect(used).not.toBeNull();
    expect((await f.directory.appPasswords.list('ann@acme.test'))[0]?.lastUsedIp).toBe('192.0.2.1');
  });

  test('a revoked app password stops at once; another user\'s app password never works', async () => {
    await addUser('ann@acme.test');
    await addUser('bob@acme.test');
    const { record, secret } = await f.directory.appPasswords.create('ann@acme.test', 'laptop');
    await refused(login('bob@acme.test', secret));
    await f.directory.appPasswords.revoke('ann@acme.test', record.id);
    await refused(login('ann@acme.test', secret));
    await expect(f.directory.appPasswords.revoke('ann@acme.test', record.id)).rejects.toMatchObject({ code: 'notFound' });
  });

  test('an SSO-only user still signs in with an app password', async () => {
    await addUser('ann@acme.test');
    await f.directory.users.setSsoOnly('ann@acme.test', true);
    const { secret } = await f.directory.appPasswords.create('ann@acme.test', 'phone');
    await expect(login('ann@acme.test', secret)).resolves.toMatchObject({ via: 'app-password' });
  });
});

describe('throttling', () => {
  test('repeated failures delay the pair, even with the right password, and survive a restart', async () => {
    await addUser('ann@acme.test');
    for (let i = 0; i < 3; i++) await refused(login('ann@acme.test', 'wrong'));
    await refused(login('ann@acme.test', PASSWORD), 'throttled');
    await f.reopen();
    await refused(login('ann@acme.test', PASSWORD), 'throttled');
  });

  test('failures from another address never lock the user out', async () => {
    await addUser('ann@acme.test');
    for (let i = 0; i < 3; i++) await refused(login('ann@acme.test', 'wrong', { ip: '198.51.100.7' }));
    await refused(login('ann@acme.test', PASSWORD, { ip: '198.51.100.7' }), 'throttled');
    await expect(login('ann@acme.test', PASSWORD, { ip: '192.0.2.1' })).resolves.toBeTruthy();
  });

  test('one address guessing many logins is slowed down as a whole', async () => {
    for (let i = 0; i < 21; i++) await refused(login(`guess${i}@acme.test`, 'x', { ip: '203.0.113.9' }));
    await addUser('ann@acme.test');
    await refused(login('ann@acme.test', PASSWORD, { ip: '203.0.113.9' }), 'throttled');
  });
});

describe('bearer tokens', () => {
  let server: Server;
  let jwksUrl: string;
  let key: CryptoKey;
  let otherKey: CryptoKey;
  const ISSUER = 'https://idp.acme.test/';

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    key = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const token = (claims: Record<string, unknown>, options: { issuer?: string; audience?: string; expires?: string | number; signWith?: CryptoKey } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(options.audience ?? 'stoa')
      .setIssuedAt()
      .setExpirationTime(options.expires ?? '10m')
      .sign(options.signWith ?? key);

  let attempt = 0;
  // A fresh client address per attempt, so that throttling does not answer for the token check.
  const bearer = (secret: string, loginAs?: string) =>
    f.directory.auth.authenticate({ login: loginAs, secret, kind: 'bearer', context: 'imap', ip: `192.0.2.${++attempt}` });

  test('a token from the tenant\'s provider signs in, with or without a login name', async () => {
    const user = await addUser('ann@acme.test');
    await f.directory.tenants.setOAuth('acme', { issuer: ISSUER, audience: 'stoa', jwksUrl });
    const good = await token({ email: 'ann@acme.test' });
    await expect(bearer(good, 'ann@acme.test')).resolves.toMatchObject({ userId: user.id, via: 'bearer' });
    await expect(bearer(good)).resolves.toMatchObject({ userId: user.id });
  });

  test('wrong issuer, wrong audience, expired, foreign key, another user and no provider are refused', async () => {
    await addUser('ann@acme.test');
    await addUser('bob@acme.test');
    const good = await token({ email: 'ann@acme.test' });
    await refused(bearer(good, 'ann@acme.test'));
    await f.directory.tenants.setOAuth('acme', { issuer: ISSUER, audience: 'stoa', jwksUrl });
    const bad = [
      await token({ email: 'ann@acme.test' }, { issuer: 'https://evil.test/' }),
      await token({ email: 'ann@acme.test' }, { audience: 'someone-else' }),
      await token({ email: 'ann@acme.test' }, { expires: Math.floor(Date.now() / 1000) - 3600 }),
      await token({ email: 'ann@acme.test' }, { signWith: otherKey }),
      'not.a.jwt',
    ];
    for (const t of bad) await refused(bearer(t, 'ann@acme.test'));
    await refused(bearer(good, 'bob@acme.test'));
  });
});
