/**
 * The account page at `/account`: sign in (password or the tenant's identity provider), app
 * passwords, set-up instructions, the Apple profile and sharing calendars and address books.
 * Everything it shows comes from the session's own user; a session is a signed cookie naming a
 * key-value entry, and every POST that changes something carries the session's CSRF token.
 *
 * Sign-in asks for the address first: a login is an address, unique across tenants, so the
 * tenant (and whether it signs in with an identity provider) follows from it, and one URL serves
 * every tenant without a slug to remember.
 */
import { readFileSync } from 'node:fs';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { PublicEndpoints } from '../autoconfig/endpoints.ts';
import type { ProfileSigner } from '../autoconfig/sign.ts';
import { domainOf, normaliseAddress } from '../directory/addresses.ts';
import { parseScopes } from '../directory/credentials.ts';
import { AuthError, DirectoryError } from '../directory/errors.ts';
import type { Directory } from '../directory/index.ts';
import { GroupwareService } from '../groupware/service.ts';
import { type ShareChange, ShareError, type ShareRefusal, type SharingService } from '../groupware/sharing.ts';
import type { KeyValue, TenantRecord, UserRecord } from '../store/ports/index.ts';
import { davx5Link } from './guides.ts';
import { trusted } from './html.ts';
import { OidcError, OidcSignIn, PENDING_TTL_MS } from './oidc.ts';
import { addressPage, appPasswordsPage, errorPage, passwordPage, setupPage, sharingPage, type Viewer } from './pages.ts';
import { deviceProfile, PROFILE_TYPE } from './profile.ts';
import { cookieKey, randomToken, sameToken, type Session, SESSION_TTL_MS, SessionStore } from './sessions.ts';
import { isSharedWith, ownCollection, sharingView } from './sharing.ts';

export interface AccountDeps {
  directory: Directory;
  kv: KeyValue;
  endpoints: PublicEndpoints;
  /** The server's current certificate and key (they change on SIGHUP). */
  signer: () => ProfileSigner;
  groupware: GroupwareService;
  sharing: SharingService;
}

// `__Host-`: only this host over HTTPS may set them, so a sibling host cannot plant one.
const SESSION_COOKIE = '__Host-stoa-session';
const LOGIN_COOKIE = '__Host-stoa-login';
const OIDC_COOKIE = '__Host-stoa-oidc';
const COOKIE = { signed: true, httpOnly: true, secure: true, sameSite: 'lax', path: '/' } as const;
const FORM_LIMIT = 16 * 1024;
const LABEL_MAX = 100;
/** Pending sign-ins one client address may start per ten minutes: each is a key-value row until used. */
const OIDC_STARTS_PER_CLIENT = 100;
const HTML = 'text/html; charset=utf-8';
const STYLE = readFileSync(new URL('./style.css', import.meta.url), 'utf8');
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

type Form = Record<string, string | string[] | undefined>;

interface SignedIn {
  id: string;
  session: Session;
  user: UserRecord;
  tenant: TenantRecord;
  viewer: Viewer;
}

function fields(request: FastifyRequest): Form {
  return request.body && typeof request.body === 'object' ? (request.body as Form) : {};
}

function field(form: Form, name: string): string {
  const value = form[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function list(form: Form, name: string): string[] {
  const value = form[name];
  return Array.isArray(value) ? value : value ? [value] : [];
}

/** A query parameter given once; anything else (absent, repeated) is empty. */
function param(query: unknown, name: string): string {
  const value = (query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value.trim() : '';
}

function page(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type(HTML).send(body);
}

export function accountRoutes(deps: AccountDeps) {
  const { directory, endpoints } = deps;
  const sessions = new SessionStore(deps.kv);
  const oidc = new OidcSignIn(deps.kv);

  const readSigned = (request: FastifyRequest, name: string): string | null => {
    const raw = request.cookies[name];
    if (!raw) return null;
    const result = request.unsignCookie(raw);
    return result.valid ? result.value : null;
  };

  /** The signed-in user, or null for no cookie, a tampered or expired one, or a user who is gone. */
  const current = async (request: FastifyRequest): Promise<SignedIn | null> => {
    const id = readSigned(request, SESSION_COOKIE);
    const session = id ? await sessions.get(id) : null;
    if (!id || !session) return null;
    const [user, tenant] = await Promise.all([directory.users.get(session.tenantId, session.userId), directory.tenants.byId(session.tenantId)]);
    if (!user || !user.active || user.deletedAt || !tenant) {
      await sessions.end(id);
      return null;
    }
    return { id, session, user, tenant, viewer: { address: user.userName, csrf: session.csrf } };
  };

  /** For a POST that changes something: a live session and its CSRF token, or a 403 and no change. */
  const authorised = async (request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | null> => {
    const me = await current(request);
    if (!me) {
      page(reply, 403, errorPage('Signed out', 'Your session has ended or is not valid. Please sign in again.'));
      return null;
    }
    if (!sameToken(fields(request).csrf, me.session.csrf)) {
      request.log.warn({ userId: me.user.id }, 'account: CSRF token refused');
      page(reply, 403, errorPage('Request refused', 'This form did not come from your account page. Nothing was changed.'));
      return null;
    }
    return me;
  };

  const signIn = async (reply: FastifyReply, user: UserRecord) => {
    const id = await sessions.create({ userId: user.id, tenantId: user.tenantId });
    reply.setCookie(SESSION_COOKIE, id, { ...COOKIE, maxAge: SESSION_TTL_MS / 1000 });
    return reply.redirect('/account', 303);
  };

  /** The address-first step's token against login CSRF (someone else's session planted in a browser). */
  const loginToken = (request: FastifyRequest, reply: FastifyReply): string => {
    const token = readSigned(request, LOGIN_COOKIE) ?? randomToken();
    reply.setCookie(LOGIN_COOKIE, token, { ...COOKIE, maxAge: 3600 });
    return token;
  };

  const sharingDeps = { groupware: deps.groupware, sharing: deps.sharing, users: directory.users };
  const ownerIdOf = (me: SignedIn) => GroupwareService.ownerId(me.tenant.id, me.user.id);
  const sharing = async (reply: FastifyReply, me: SignedIn, status = 200, message?: string) =>
    page(reply, status, sharingPage(me.viewer, await sharingView(sharingDeps, ownerIdOf(me)), message));

  /** One change to one of the user's own collections, then the page again; a refusal shows it there, nothing changed. */
  const changeShare = async (reply: FastifyReply, me: SignedIn, collectionId: string, change: ShareChange, refusal: (reason: ShareRefusal) => string) => {
    const collection = await ownCollection(sharingDeps, ownerIdOf(me), collectionId);
    if (!collection) return sharing(reply, me, 404, 'You have no such calendar or address book.');
    try {
      await deps.sharing.apply(ownerIdOf(me), collection, [change]);
    } catch (err) {
      if (!(err instanceof ShareError) || err.reason === 'not-owner') throw err;
      return sharing(reply, me, 400, refusal(err.reason));
    }
    return reply.redirect('/account/sharing', 303);
  };

  const tenantOf = async (address: string) => (domainOf(address) ? directory.tenants.ofAddress(normaliseAddress(address)) : null);

  return async (app: FastifyInstance) => {
    await app.register(fastifyCookie, { secret: await cookieKey(deps.kv) });
    await app.register(fastifyFormbody, { bodyLimit: FORM_LIMIT });
    app.addHook('onSend', async (_request, reply) => {
      reply.headers(SECURITY_HEADERS);
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    });
    app.setErrorHandler((err: FastifyError, request, reply) => {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      if (status === 500) request.log.error({ err }, 'account page request failed');
      return page(reply, status, errorPage(status === 500 ? 'Something went wrong' : 'Request refused', status === 413 ? 'The form was too large.' : status === 500 ? 'Please try again later.' : 'The request could not be understood.'));
    });

    app.get('/account/style.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLE));

    app.get('/account/login', async (request, reply) => {
      if (await current(request)) return reply.redirect('/account', 303);
      const address = param(request.query, 'address');
      if (!address) return page(reply, 200, addressPage());
      if (!domainOf(address)) return page(reply, 400, addressPage('Please give your full email address.'));
      const tenant = await tenantOf(address);
      return page(reply, 200, passwordPage({ address, loginToken: loginToken(request, reply), sso: Boolean(tenant?.settings.oidc) }));
    });

    app.post('/account/login', async (request, reply) => {
      const form = fields(request);
      const [address, password] = [field(form, 'address').trim(), field(form, 'password')];
      const expected = readSigned(request, LOGIN_COOKIE);
      if (!expected || !sameToken(form.csrf, expected)) return page(reply, 403, errorPage('Request refused', 'This sign-in form did not come from this site, or it expired. Please sign in again.'));
      const again = async (status: number, message: string) =>
        page(reply, status, passwordPage({ address, loginToken: expected, sso: Boolean((await tenantOf(address))?.settings.oidc), message }));
      if (!address || !password) return again(400, 'Please give your address and password.');
      try {
        const principal = await directory.auth.authenticate({ login: address, secret: password, kind: 'password', context: 'account', ip: request.ip });
        const user = await directory.users.get(principal.tenantId, principal.userId);
        if (!user) return again(401, 'Wrong address or password.');
        reply.clearCookie(LOGIN_COOKIE, COOKIE);
        return signIn(reply, user);
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        if (err.reason === 'throttled') reply.header('retry-after', String(err.retryAfter));
        return again(err.reason === 'throttled' ? 429 : 401, err.reason === 'throttled' ? `Too many failed attempts. Try again in ${err.retryAfter} seconds.` : 'Wrong address or password.');
      }
    });

    app.get('/account/oidc/start', async (request, reply) => {
      const address = param(request.query, 'address');
      const tenant = await tenantOf(address);
      const settings = tenant?.settings.oidc;
      if (!tenant || !settings) return page(reply, 400, errorPage('No identity provider', 'This address does not sign in with an identity provider here.'));
      if (await deps.kv.incr(`account:oidc-starts:${request.ip}`, 1, PENDING_TTL_MS) > OIDC_STARTS_PER_CLIENT) {
        return page(reply.header('retry-after', String(PENDING_TTL_MS / 1000)), 429, errorPage('Too many sign-ins', 'Too many sign-ins were started from your network. Please try again in a few minutes.'));
      }
      try {
        const { url, state } = await oidc.start(tenant, settings, `${request.protocol}://${request.host}/account/oidc/callback`, address);
        reply.setCookie(OIDC_COOKIE, state, { ...COOKIE, maxAge: PENDING_TTL_MS / 1000 });
        return reply.redirect(url.href, 303);
      } catch (err) {
        if (!(err instanceof OidcError)) throw err;
        request.log.warn({ err }, 'account: OpenID Connect sign-in could not start');
        return page(reply, 502, errorPage('Identity provider unavailable', 'Your organisation\'s identity provider could not be reached. Please try again later.'));
      }
    });

    app.get('/account/oidc/callback', async (request, reply) => {
      const state = param(request.query, 'state');
      const expected = readSigned(request, OIDC_COOKIE);
      reply.clearCookie(OIDC_COOKIE, COOKIE);
      if (!state || !expected || !sameToken(state, expected)) return page(reply, 403, errorPage('Request refused', 'This sign-in did not start in this browser. Please sign in again.'));
      const error = param(request.query, 'error');
      if (error) return page(reply, 401, errorPage('Not signed in', `The identity provider did not sign you in (${error}).`));
      let outcome: { tenantId: string; addresses: string[] };
      try {
        outcome = await oidc.finish(state, new URL(request.url, `${request.protocol}://${request.host}`), async (id) => (await directory.tenants.byId(id))?.settings.oidc);
      } catch (err) {
        if (!(err instanceof OidcError)) throw err;
        request.log.warn({ err }, 'account: OpenID Connect sign-in refused');
        return page(reply, 401, errorPage('Not signed in', 'The answer of the identity provider could not be checked. Please sign in again.'));
      }
      for (const address of outcome.addresses) {
        const user = await directory.users.byAddress(address);
        if (user && user.tenantId === outcome.tenantId && user.active && !user.deletedAt) return signIn(reply, user);
      }
      return page(reply, 403, errorPage('No account', 'The identity provider signed you in, but no account of this organisation has your address.'));
    });

    app.post('/account/logout', async (request, reply) => {
      const me = await authorised(request, reply);
      if (!me) return reply;
      await sessions.end(me.id);
      reply.clearCookie(SESSION_COOKIE, COOKIE);
      return reply.redirect('/account/login', 303);
    });

    app.get('/account', async (request, reply) => {
      const me = await current(request);
      if (!me) return reply.redirect('/account/login', 303);
      return page(reply, 200, appPasswordsPage(me.viewer, await directory.appPasswords.list(me.user.userName)));
    });

    app.post('/account/app-passwords', async (request, reply) => {
      const me = await authorised(request, reply);
      if (!me) return reply;
      const form = fields(request);
      const label = field(form, 'label').trim().slice(0, LABEL_MAX);
      let created;
      try {
        created = await directory.appPasswords.create(me.user.userName, label, parseScopes(list(form, 'scopes').join(',')));
      } catch (err) {
        if (!(err instanceof DirectoryError) || err.code !== 'invalidValue') throw err;
        return page(reply, 400, errorPage('Not created', label ? 'Choose at least one use for the app password.' : 'Give the app password a name.'));
      }
      const link = davx5Link({ address: me.user.userName, tenantSlug: me.tenant.slug, endpoints });
      const qrSvg = trusted(await QRCode.toString(link, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }));
      const passwords = await directory.appPasswords.list(me.user.userName);
      return page(reply, 200, appPasswordsPage(me.viewer, passwords, { ...created, qrSvg, davx5Link: link }));
    });

    app.post<{ Params: { id: string } }>('/account/app-passwords/:id/revoke', async (request, reply) => {
      const me = await authorised(request, reply);
      if (!me) return reply;
      try {
        // Scoped to the session's user: another user's id is simply not found.
        await directory.appPasswords.revoke(me.user.userName, request.params.id);
      } catch (err) {
        if (!(err instanceof DirectoryError) || err.code !== 'notFound') throw err;
        return page(reply, 404, errorPage('Not found', 'You have no such active app password.'));
      }
      return reply.redirect('/account', 303);
    });

    app.get('/account/setup', async (request, reply) => {
      const me = await current(request);
      if (!me) return reply.redirect('/account/login', 303);
      return page(reply, 200, setupPage(me.viewer, { address: me.user.userName, tenantSlug: me.tenant.slug, endpoints }));
    });

    app.get('/account/sharing', async (request, reply) => {
      const me = await current(request);
      if (!me) return reply.redirect('/account/login', 303);
      return sharing(reply, me);
    });

    app.post('/account/sharing/share', async (request, reply) => {
      const me = await authorised(request, reply);
      if (!me) return reply;
      const form = fields(request);
      const [address, access] = [field(form, 'address').trim(), field(form, 'access')];
      if (access !== 'read' && access !== 'read-write') return sharing(reply, me, 400, 'Choose whether your colleague may edit.');
      if (!address) return sharing(reply, me, 400, 'Give your colleague\'s address.');
      // Another tenant's address gets the unknown address's answer: the page tells nothing about other organisations.
      return changeShare(reply, me, field(form, 'collection'), { sharee: { address }, access }, (reason) =>
        reason === 'self' ? 'You cannot share with yourself.' : 'No colleague in your organisation has that address. Nothing was shared.');
    });

    app.post('/account/sharing/remove', async (request, reply) => {
      const me = await authorised(request, reply);
      if (!me) return reply;
      const form = fields(request);
      return changeShare(reply, me, field(form, 'collection'), { sharee: { userId: field(form, 'sharee') }, access: null }, () => 'It is not shared with that colleague.');
    });

    app.post('/account/sharing/unsubscribe', async (request, reply) => {
      const me = await authorised(request, reply);
      if (!me) return reply;
      const collectionId = field(fields(request), 'collection');
      if (!await isSharedWith(sharingDeps, ownerIdOf(me), collectionId)) return sharing(reply, me, 404, 'That calendar or address book is not shared with you (any more).');
      await deps.sharing.unsubscribe(ownerIdOf(me), collectionId);
      return reply.redirect('/account/sharing', 303);
    });

    // A POST with the CSRF token, not a GET: downloading mints a credential.
    app.post('/account/profile', async (request, reply) => {
      const me = await authorised(request, reply);
      if (!me) return reply;
      const device = field(fields(request), 'device').trim().slice(0, LABEL_MAX) || 'Apple device';
      const profile = await deviceProfile({ user: me.user, tenant: me.tenant, device, appPasswords: directory.appPasswords, endpoints, signer: deps.signer() });
      return reply.type(PROFILE_TYPE).header('content-disposition', `attachment; filename="${profile.filename}"`).send(profile.body);
    });
  };
}
