/**
 * The account page over plain HTTP against the running server: sign-in, the session cookie and its
 * CSRF token, forged and tampered requests (refused, nothing changed), one user never reaching
 * another's data, sign-out ending the session on the server, and the profile download.
 */
import type { RunningServer } from '../helpers/server.ts';
import { freePort } from '../helpers/ports.ts';
import { startServer } from '../helpers/server.ts';
import { dnsOf, PUBLIC_ENV } from '../autoconfig/setup.ts';
import { ANN, appPasswordLines, BOB, provisionAnnAndBob, serverCertFile, verifiedProfile } from './setup.ts';
import { csrfOf, Visitor } from './visitor.ts';

let s: RunningServer;

beforeAll(async () => {
  s = await startServer(PUBLIC_ENV);
  await provisionAnnAndBob(s);
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

async function signedIn(user: { address: string; password: string }): Promise<Visitor> {
  const v = new Visitor(s.http);
  const answer = await v.signIn(user.address, user.password);
  expect({ status: answer.status, location: answer.location }).toEqual({ status: 303, location: '/account' });
  return v;
}

/** Creates an app password through the page; its id (from the CLI listing) and secret. */
async function createAppPassword(v: Visitor, label: string): Promise<{ secret: string; page: string }> {
  const home = await v.get('/account');
  const answer = await v.post('/account/app-passwords', { label, scopes: ['imap', 'dav'], csrf: csrfOf(home.body) });
  expect(answer.status).toBe(200);
  const secret = /<output id="new-password" class="secret">([^<]+)<\/output>/.exec(answer.body)?.[1];
  expect(secret).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){4}$/);
  return { secret: secret!, page: answer.body };
}

describe('signing in with a password', () => {
  test('asks for the address first, then sets an HTTP-only, Secure, SameSite=Lax session cookie', async () => {
    const v = new Visitor(s.http);
    const first = await v.get('/account');
    expect({ status: first.status, location: first.location }).toEqual({ status: 303, location: '/account/login' });
    const repeated = await v.get('/account/login?address=a@acme.test&address=b@acme.test');
    expect({ status: repeated.status, password: repeated.body.includes('type="password"') }).toEqual({ status: 200, password: false });
    const askAddress = await v.get('/account/login');
    expect(askAddress.body).toMatch(/<input id="address" name="address" type="email"/);
    expect(askAddress.body).not.toMatch(/type="password"/);

    const form = await v.get(`/account/login?address=${encodeURIComponent(ANN.address)}`);
    expect(form.body).toMatch(/type="password"/);
    expect(form.body).not.toMatch(/id="sso"/); // acme has no identity provider configured
    const answer = await v.post('/account/login', { address: ANN.address, password: ANN.password, csrf: csrfOf(form.body) });
    expect(answer.status).toBe(303);
    const cookie = answer.headers.getSetCookie().find((c) => c.startsWith('__Host-stoa-session='));
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);

    const home = await v.get('/account');
    expect(home.status).toBe(200);
    expect(home.body).toContain(`Signed in as <strong>${ANN.address}</strong>`);
    expect(home.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(home.headers.get('cache-control')).toBe('no-store');
  });

  test('a wrong password is refused with the form again and no session', async () => {
    const v = new Visitor(s.http);
    const form = await v.get(`/account/login?address=${encodeURIComponent(BOB.address)}`);
    const answer = await v.post('/account/login', { address: BOB.address, password: 'not it', csrf: csrfOf(form.body) });
    expect(answer.status).toBe(401);
    expect(answer.body).toContain('Wrong address or password.');
    expect(v.cookies.has('__Host-stoa-session')).toBe(false);
    expect((await v.get('/account')).status).toBe(303);
  });

  test('failed sign-ins are throttled like every login (429 with Retry-After), without a session', async () => {
    await s.stoaOk(['user', 'add', 'dee@acme.test', '--password-stdin'], 'dee password here\n');
    const v = new Visitor(s.http);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 10 && !statuses.includes(429); i++) {
      const answer = await v.signIn('dee@acme.test', `wrong ${i}`);
      statuses.push(answer.status);
      retryAfter ??= answer.headers.get('retry-after');
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(v.cookies.has('__Host-stoa-session')).toBe(false);
  });

  test('an app password does not open the account page', async () => {
    const { lastLine } = await s.stoaOk(['apppass', 'add', BOB.address, 'cli phone']);
    const v = new Visitor(s.http);
    expect((await v.signIn(BOB.address, lastLine)).status).toBe(401);
  });

  test('a sign-in form posted from elsewhere (no or a forged login token) is refused', async () => {
    const v = new Visitor(s.http);
    const noToken = await v.post('/account/login', { address: ANN.address, password: ANN.password, csrf: 'x' });
    expect(noToken.status).toBe(403);
    await v.get(`/account/login?address=${encodeURIComponent(ANN.address)}`);
    const forged = await v.post('/account/login', { address: ANN.address, password: ANN.password, csrf: 'forged-token' });
    expect(forged.status).toBe(403);
    expect(v.cookies.has('__Host-stoa-session')).toBe(false);
  });
});

describe('CSRF and tampering', () => {
  test('a forged CSRF token creates nothing', async () => {
    const v = await signedIn(ANN);
    const before = await appPasswordLines(s, ANN.address);
    for (const csrf of ['forged', '', csrfOf((await (await signedIn(BOB)).get('/account')).body)]) {
      const answer = await v.post('/account/app-passwords', { label: 'planted', scopes: 'imap', csrf });
      expect(answer.status).toBe(403);
      expect(answer.body).toContain('Nothing was changed');
    }
    expect(await appPasswordLines(s, ANN.address)).toEqual(before);
  });

  test('a tampered session cookie is no session: pages redirect to sign-in, forms are refused', async () => {
    const v = await signedIn(ANN);
    const csrf = csrfOf((await v.get('/account')).body);
    const real = v.cookies.get('__Host-stoa-session')!;
    const [id, signature] = real.split('.');
    const flipped = `${id!.slice(0, -1)}${id!.endsWith('A') ? 'B' : 'A'}.${signature}`;
    for (const cookie of [flipped, `${id}.AAAA`, id!, `${real}x`]) {
      v.cookies.set('__Host-stoa-session', cookie);
      const page = await v.get('/account');
      expect({ status: page.status, location: page.location }).toEqual({ status: 303, location: '/account/login' });
      expect((await v.post('/account/app-passwords', { label: 'tampered', scopes: 'imap', csrf })).status).toBe(403);
    }
    expect((await appPasswordLines(s, ANN.address)).some((l) => l.includes('tampered'))).toBe(false);
  });

  test('an oversized form is refused with 413 and changes nothing', async () => {
    const v = await signedIn(ANN);
    const csrf = csrfOf((await v.get('/account')).body);
    const answer = await v.post('/account/app-passwords', { label: 'x'.repeat(64 * 1024), scopes: 'imap', csrf });
    expect(answer.status).toBe(413);
    expect(answer.body).not.toMatch(/\n\s+at |node_modules/);
    expect((await appPasswordLines(s, ANN.address)).some((l) => l.includes('xxxx'))).toBe(false);
  });
});

describe('app passwords', () => {
  test('created once with a QR code, listed with scopes and last use, revoked', async () => {
    const v = await signedIn(ANN);
    const { page } = await createAppPassword(v, 'Laptop <Thunderbird>');
    expect(page).toContain('New app password “Laptop &lt;Thunderbird&gt;”');
    expect(page).toMatch(/<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(page).toContain('caldavs://ann%40acme.test@dav.example.net:8443/');
    const home = await v.get('/account');
    expect(home.body).not.toContain('new-password'); // shown once only
    const row = /<tr>\s*<td>Laptop &lt;Thunderbird&gt;<\/td><td>imap, dav<\/td><td>[^<]+ UTC<\/td>\s*<td>never<\/td>[\s\S]*?action="\/account\/app-passwords\/([0-9a-f-]+)\/revoke"/.exec(home.body);
    expect(row).not.toBeNull();
    const revoked = await v.post(`/account/app-passwords/${row![1]}/revoke`, { csrf: csrfOf(home.body) });
    expect({ status: revoked.status, location: revoked.location }).toEqual({ status: 303, location: '/account' });
    expect((await appPasswordLines(s, ANN.address)).find((l) => l.startsWith(row![1]!))).toMatch(/\trevoked /);
  });

  test('no scope or no name creates nothing', async () => {
    const v = await signedIn(ANN);
    const csrf = csrfOf((await v.get('/account')).body);
    const before = await appPasswordLines(s, ANN.address);
    expect((await v.post('/account/app-passwords', { label: 'no scope', csrf })).status).toBe(400);
    expect((await v.post('/account/app-passwords', { label: ' ', scopes: 'imap', csrf })).status).toBe(400);
    expect((await v.post('/account/app-passwords', { label: 'bad scope', scopes: 'pop3', csrf })).status).toBe(400);
    expect(await appPasswordLines(s, ANN.address)).toEqual(before);
  });
});

describe('one user never reaches another user\'s data', () => {
  test('Bob cannot see or revoke Ann\'s app passwords', async () => {
    const ann = await signedIn(ANN);
    await createAppPassword(ann, 'Ann secret device');
    const annLine = (await appPasswordLines(s, ANN.address)).find((l) => l.includes('Ann secret device'))!;
    const annId = annLine.split('\t')[0]!;

    const bob = await signedIn(BOB);
    const bobHome = await bob.get('/account');
    expect(bobHome.body).not.toContain('Ann secret device');
    expect(bobHome.body).not.toContain(ANN.address);
    const attempt = await bob.post(`/account/app-passwords/${annId}/revoke`, { csrf: csrfOf(bobHome.body) });
    expect(attempt.status).toBe(404);
    expect(attempt.body).not.toContain('Ann');
    expect((await appPasswordLines(s, ANN.address)).find((l) => l.startsWith(annId))).toMatch(/\tlast used /);
    const setup = await bob.get('/account/setup');
    expect(setup.body).toContain(`net use S: https://files.example.org:8443/acme/webdav/ /user:${BOB.address} *`);
    expect(setup.body).not.toContain(ANN.address);
  });
});

describe('signing out', () => {
  test('ends the session on the server: the old cookie, replayed, opens nothing', async () => {
    const v = await signedIn(BOB);
    const cookie = v.cookies.get('__Host-stoa-session')!;
    const home = await v.get('/account');
    const out = await v.post('/account/logout', { csrf: csrfOf(home.body) });
    expect({ status: out.status, location: out.location }).toEqual({ status: 303, location: '/account/login' });
    expect(v.cookies.has('__Host-stoa-session')).toBe(false);
    v.cookies.set('__Host-stoa-session', cookie);
    expect((await v.get('/account')).status).toBe(303);
    expect((await v.post('/account/app-passwords', { label: 'after logout', scopes: 'imap', csrf: csrfOf(home.body) })).status).toBe(403);
  });

  test('sign-out needs the CSRF token too', async () => {
    const v = await signedIn(BOB);
    expect((await v.post('/account/logout', { csrf: 'forged' })).status).toBe(403);
    expect((await v.get('/account')).status).toBe(200);
  });

  test('deprovisioning the user ends their session', async () => {
    await s.stoaOk(['user', 'add', 'cy@acme.test', '--password-stdin'], 'cy password here\n');
    const v = await signedIn({ address: 'cy@acme.test', password: 'cy password here' });
    expect((await v.get('/account')).status).toBe(200);
    const token = (await s.stoaOk(['scim-token', 'acme'])).lastLine;
    const headers = { authorization: `Bearer ${token}` };
    const found = await (await fetch(`${s.http}/acme/scim/v2/Users?filter=${encodeURIComponent('userName eq "cy@acme.test"')}`, { headers })).json() as { Resources: Array<{ id: string }> };
    const del = await fetch(`${s.http}/acme/scim/v2/Users/${found.Resources[0]!.id}`, { method: 'DELETE', headers });
    expect(del.status).toBe(204);
    expect((await v.get('/account')).status).toBe(303);
  });
});

describe('the set-up page', () => {
  test('tells the hosts and ports that `stoa dns` publishes', async () => {
    const dns = await dnsOf(s, 'acme.test');
    const page = (await (await signedIn(ANN)).get('/account/setup')).body;
    const setting = (name: string) => new RegExp(`<dt>${name}</dt><dd>([^\\n]*)</dd>`).exec(page)?.[1];
    expect(setting('Incoming mail \\(IMAP\\)')).toBe(`<code>${dns.srv.imaps!.target}</code>, port <code>${dns.srv.imaps!.port}</code>, SSL/TLS`);
    expect(setting('Outgoing mail \\(SMTP\\)')).toMatch(new RegExp(`^<code>${dns.srv.submissions!.target}</code>, port <code>${dns.srv.submissions!.port}</code>, SSL/TLS`));
    expect(setting('Calendars \\(CalDAV\\)')).toBe(`<code>https://${dns.srv.caldavs!.target}:${dns.srv.caldavs!.port}${dns.path.caldavs}</code>`);
    expect(setting('Contacts \\(CardDAV\\)')).toBe(`<code>https://${dns.srv.carddavs!.target}:${dns.srv.carddavs!.port}${dns.path.carddavs}</code>`);
  });
});

describe('the Apple profile download', () => {
  test('signed with the server certificate, three payloads, a new app password named for the device', async () => {
    const v = await signedIn(ANN);
    const setup = await v.get('/account/setup');
    const answer = await v.post('/account/profile', { device: 'Ann iPad', csrf: csrfOf(setup.body) });
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('application/x-apple-aspen-config');
    expect(answer.headers.get('content-disposition')).toBe('attachment; filename="acme-ann_acme.test.mobileconfig"');
    const profile = verifiedProfile(answer.bytes, serverCertFile(s));
    const payloads = profile.PayloadContent as Array<Record<string, unknown>>;
    expect(payloads.map((p) => p.PayloadType)).toEqual(['com.apple.mail.managed', 'com.apple.caldav.account', 'com.apple.carddav.account']);
    const password = payloads[0]!.IncomingPassword as string;
    expect(password).not.toBe(ANN.password);
    expect(payloads[1]!.CalDAVPassword).toBe(password);
    expect((await appPasswordLines(s, ANN.address)).some((l) => l.includes('\tProfile: Ann iPad\timap,smtp,dav\t'))).toBe(true);
  });

  test('needs a session and the CSRF token', async () => {
    const stranger = new Visitor(s.http);
    expect((await stranger.post('/account/profile', { device: 'x', csrf: 'x' })).status).toBe(403);
    const v = await signedIn(ANN);
    const before = await appPasswordLines(s, ANN.address);
    const forged = await v.post('/account/profile', { device: 'x', csrf: 'forged' });
    expect(forged.status).toBe(403);
    expect(forged.type).toMatch(/^text\/html/);
    expect(await appPasswordLines(s, ANN.address)).toEqual(before);
  });
});

describe('OpenID Connect refusals', () => {
  test('no provider for the tenant: 400; an unreachable provider: 502 and no redirect', async () => {
    const v = new Visitor(s.http);
    expect((await v.get(`/account/oidc/start?address=${encodeURIComponent(ANN.address)}`)).status).toBe(400);
    expect((await v.get('/account/oidc/start?address=nobody@unknown.test')).status).toBe(400);
    await s.stoaOk(['tenant', 'oidc', 'acme', '--issuer', `https://127.0.0.1:${await freePort()}`, '--client-id', 'stoa']);
    try {
      const answer = await v.get(`/account/oidc/start?address=${encodeURIComponent(ANN.address)}`);
      expect({ status: answer.status, location: answer.location }).toEqual({ status: 502, location: null });
      expect(answer.body).toContain('could not be reached');
      // Each start is a pending row in the key-value: one client address may start only so many.
      let status = 0;
      for (let i = 0; i < 120 && status !== 429; i++) status = (await v.get(`/account/oidc/start?address=${encodeURIComponent(ANN.address)}`)).status;
      expect(status).toBe(429);
    } finally {
      await s.stoaOk(['tenant', 'oidc', 'acme', '--clear']);
    }
  });

  test('a callback this browser did not start is refused', async () => {
    const v = new Visitor(s.http);
    expect((await v.get('/account/oidc/callback?state=a&state=b&code=x')).status).toBe(403);
    expect((await v.get('/account/oidc/callback?state=made-up&code=stolen')).status).toBe(403);
    expect((await v.get('/account/oidc/callback?code=stolen')).status).toBe(403);
    expect(v.cookies.has('__Host-stoa-session')).toBe(false);
  });
});

describe('stoa tenant oidc', () => {
  test('sets the identity provider (https only), prints the redirect URI, and the sign-in page offers it', async () => {
    const bad = await s.stoa(['tenant', 'oidc', 'acme', '--issuer', 'http://idp.example', '--client-id', 'stoa']);
    expect(bad.code).toBe(2);
    const set = await s.stoaOk(['tenant', 'oidc', 'acme', '--issuer', 'https://idp.example', '--client-id', 'stoa', '--client-secret-stdin'], 'shh\n');
    expect(set.stdout).toContain('register this redirect URI there: https://example.org:8443/account/oidc/callback');
    const form = await new Visitor(s.http).get(`/account/login?address=${encodeURIComponent(ANN.address)}`);
    expect(form.body).toContain('href="/account/oidc/start?address=ann%40acme.test"');
    await s.stoaOk(['tenant', 'oidc', 'acme', '--clear']);
    expect((await new Visitor(s.http).get(`/account/login?address=${encodeURIComponent(ANN.address)}`)).body).not.toContain('id="sso"');
  });

  test('`tenant oauth` (bearer tokens) is set and cleared the same way, apart from OIDC', async () => {
    const set = await s.stoaOk(['tenant', 'oauth', 'acme', '--issuer', 'https://idp.example', '--audience', 'stoa', '--jwks', 'https://idp.example/jwks']);
    expect(set.stdout).toBe('tenant acme: bearer tokens from https://idp.example accepted\n');
    expect((await s.stoa(['tenant', 'oauth', 'acme', '--issuer', 'https://idp.example'])).code).toBe(2);
    await s.stoaOk(['tenant', 'oidc', 'acme', '--issuer', 'https://idp.example', '--client-id', 'public-client']);
    expect((await s.stoaOk(['tenant', 'oauth', 'acme', '--clear'])).stdout).toBe('tenant acme: OAuth bearer tokens turned off\n');
    expect((await new Visitor(s.http).get(`/account/login?address=${encodeURIComponent(ANN.address)}`)).body).toContain('id="sso"');
    await s.stoaOk(['tenant', 'oidc', 'acme', '--clear']);
  });
});
