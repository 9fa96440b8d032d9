/**
 * The account page in a real browser (Debian's chromium through playwright-core) against the
 * running server: password sign-in, an app password used over IMAP (imapflow) and refused there
 * once revoked, the Apple profile download, and sign-in through OpenID Connect against a real
 * identity provider (oidc-provider) that this test starts. Screenshots land in test-artifacts/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ImapFlow } from 'imapflow';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CLIENT_ID, CLIENT_SECRET, TestIdentityProvider } from '../helpers/oidc-provider.ts';
import { FREE_PORT, startServer, type RunningServer } from '../helpers/server.ts';
import { ANN, BOB, provisionAnnAndBob, serverCertFile, verifiedProfile } from './setup.ts';

const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');
const CAROL = { sub: 'carol-1', email: 'carol@acme.test', password: 'carol at the provider', name: 'Carol Example' };
const STRANGER = { sub: 'dan-2', email: 'dan@elsewhere.test', password: 'dan at the provider', name: 'Dan Elsewhere' };
/** An account at the provider that claims Ann's address: trusted by no tenant but acme. */
const IMPOSTOR = { sub: 'eve-3', email: ANN.address, password: 'eve at the provider', name: 'Eve' };

let s: RunningServer;
let idp: TestIdentityProvider;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  idp = await TestIdentityProvider.prepare();
  s = await startServer({ STOA_IMAP_PORT: FREE_PORT, NODE_EXTRA_CA_CERTS: idp.certFile });
  await idp.start({ redirectUri: `${s.https}/account/oidc/callback`, accounts: [CAROL, STRANGER, IMPOSTOR] });
  await provisionAnnAndBob(s);
  await s.stoaOk(['user', 'add', CAROL.email, '--name', CAROL.name, '--sso-only']);
  await s.stoaOk(['tenant', 'add', 'other', '--name', 'Other Org']);
  await s.stoaOk(['domain', 'add', 'other', 'other.test']);
  for (const tenant of ['acme', 'other']) {
    await s.stoaOk(['tenant', 'oidc', tenant, '--issuer', idp.issuer, '--client-id', CLIENT_ID, '--client-secret-stdin'], `${CLIENT_SECRET}\n`);
  }
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
  await browser?.close();
  await idp?.close();
  await s?.stop();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true });
  context.setDefaultTimeout(30_000);
  contexts.push(context);
  return context.newPage();
}

/** Logs in over IMAPS as `user`; whether the server let it in. */
async function imapLogin(user: string, pass: string): Promise<boolean> {
  const c = new ImapFlow({ host: '127.0.0.1', port: s.ports.STOA_IMAP_PORT!, secure: true, tls: { rejectUnauthorized: false }, auth: { user, pass }, logger: false });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return Boolean(c.authenticated);
  } catch {
    return false;
  } finally {
    await c.logout().catch(() => undefined);
  }
}

async function signInWithPassword(page: Page): Promise<void> {
  await page.goto(`${s.https}/account`);
  await page.getByLabel('Email address').fill(ANN.address);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Password').fill(ANN.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'App passwords' }).waitFor();
}

test('password sign-in; an app password works over IMAP until it is revoked', async () => {
  const page = await newPage();
  await signInWithPassword(page);
  expect(await page.locator('main').textContent()).toContain(`Signed in as ${ANN.address}`);

  await page.getByLabel('Device name').fill('Browser test laptop');
  await page.getByRole('button', { name: 'Create' }).click();
  const secret = (await page.locator('#new-password').textContent())!.trim();
  expect(secret).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){4}$/);
  expect(await page.locator('figure svg').count()).toBe(1);
  await page.screenshot({ path: join(ARTIFACTS, 'account-app-password.png'), fullPage: true });

  expect(await imapLogin(ANN.address, secret)).toBe(true);
  await page.goto(`${s.https}/account`);
  expect(await page.getByRole('row', { name: /Browser test laptop/ }).textContent()).not.toContain('never'); // last use shown

  await page.getByRole('button', { name: 'Revoke Browser test laptop' }).click();
  await page.getByRole('heading', { level: 1, name: 'App passwords' }).waitFor();
  expect(await page.getByRole('row', { name: /Browser test laptop/ }).textContent()).toContain('revoked');
  expect(await imapLogin(ANN.address, secret)).toBe(false);
}, 180_000);

test('the set-up page shows the user\'s own values and downloads a signed profile that works over IMAP', async () => {
  const page = await newPage();
  await signInWithPassword(page);
  await page.getByRole('link', { name: 'Set up devices' }).click();
  await page.getByRole('heading', { level: 1, name: 'Set up devices' }).waitFor();
  const text = (await page.locator('main').textContent())!;
  expect(text).toContain(`net use S: https://files.localhost/acme/webdav/ /user:${ANN.address} *`);
  expect(text).toContain('https://dav.localhost/acme/calendar/');
  await page.screenshot({ path: join(ARTIFACTS, 'account-setup.png'), fullPage: true });

  await page.getByLabel('Device name').fill('Ann iPhone');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download profile' }).click()]);
  expect(download.suggestedFilename()).toBe('acme-ann_acme.test.mobileconfig');
  const profile = verifiedProfile(readFileSync((await download.path())!), serverCertFile(s));
  const payloads = profile.PayloadContent as Array<Record<string, unknown>>;
  expect(payloads.map((p) => p.PayloadType)).toEqual(['com.apple.mail.managed', 'com.apple.caldav.account', 'com.apple.carddav.account']);
  expect(payloads[0]!.EmailAddress).toBe(ANN.address);
  const password = payloads[0]!.IncomingPassword as string;
  expect(password).not.toBe(ANN.password);
  expect(await imapLogin(ANN.address, password)).toBe(true);
}, 180_000);

test('the sharing page shares the calendar with a colleague and stops sharing it', async () => {
  const page = await newPage();
  await signInWithPassword(page);
  await page.getByRole('link', { name: 'Sharing' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sharing' }).waitFor();
  const calendar = page.getByRole('region', { name: 'Calendar (calendar)' });
  await calendar.getByLabel('Colleague\'s address').fill(BOB.address);
  await calendar.getByLabel('Access').selectOption('read-write');
  await calendar.getByRole('button', { name: 'Share' }).click();
  expect(await calendar.getByRole('row', { name: new RegExp(BOB.address) }).textContent()).toContain('can view and edit');
  await page.screenshot({ path: join(ARTIFACTS, 'account-sharing.png'), fullPage: true });

  await calendar.getByRole('button', { name: `Stop sharing with ${BOB.address}` }).click();
  await page.getByRole('heading', { level: 1, name: 'Sharing' }).waitFor();
  expect(await calendar.textContent()).toContain('Not shared.');
}, 180_000);

/** Starts at the account page with `typed` as the address, then signs in at the provider as `account`. */
async function signInAtProvider(page: Page, typed: string, account: typeof CAROL): Promise<void> {
  await page.goto(`${s.https}/account/login`);
  await page.getByLabel('Email address').fill(typed);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('link', { name: 'Sign in with your organisation\'s account' }).click();
  await page.getByRole('heading', { level: 1, name: 'Test identity provider' }).waitFor();
  expect(new URL(page.url()).origin).toBe(idp.issuer);
  await page.getByLabel('User name').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in at the provider' }).click();
}

test('OpenID Connect sign-in through the tenant\'s identity provider', async () => {
  const page = await newPage();
  await signInAtProvider(page, CAROL.email, CAROL);
  await page.getByRole('heading', { level: 1, name: 'App passwords' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/account');
  expect(await page.locator('main').textContent()).toContain(`Signed in as ${CAROL.email}`);
  // Carol has no password at all: SSO-only, yet she can make an app password for her devices.
  await page.getByLabel('Device name').fill('Carol phone');
  await page.getByRole('button', { name: 'Create' }).click();
  const secret = (await page.locator('#new-password').textContent())!.trim();
  expect(await imapLogin(CAROL.email, secret)).toBe(true);
}, 180_000);

// The impostor claims Ann's address, but the sign-in was started for tenant `other`.
test.each([
  ['a provider account that matches no user of the tenant gets no session', 'someone@acme.test', STRANGER],
  ['a sign-in started for one tenant never opens a user of another, whatever the provider claims', 'someone@other.test', IMPOSTOR],
])('%s', async (_title, typed, account) => {
  const page = await newPage();
  await signInAtProvider(page, typed, account);
  await page.getByRole('heading', { level: 1, name: 'No account' }).waitFor();
  await page.goto(`${s.https}/account`);
  expect(new URL(page.url()).pathname).toBe('/account/login');
}, 180_000);
