/**
 * A real OpenID Connect identity provider for tests: `oidc-provider` on HTTPS on a free loopback
 * port, with one confidential client and a few accounts. Its interactions are the smallest that
 * work: a login form checking the account's password, and consent granted at once (the account
 * page is a first-party client). The certificate is made before the provider starts, so the
 * server under test can be told to trust it (NODE_EXTRA_CA_CERTS) when it starts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Provider } from 'oidc-provider';
import { generateSelfSigned, type KeyPair } from '../../src/tls/certificates.ts';
import { freePort } from './ports.ts';

export interface IdpAccount {
  sub: string;
  email: string;
  password: string;
  name: string;
}

export const CLIENT_ID = 'stoa-account';
export const CLIENT_SECRET = 'a client secret for the test identity provider';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class TestIdentityProvider {
  readonly issuer: string;
  /** The provider's certificate, for NODE_EXTRA_CA_CERTS of the server under test. */
  readonly certFile: string;
  #port: number;
  #pair: KeyPair;
  #dir: string;
  #server: Server | null = null;

  private constructor(port: number, pair: KeyPair, dir: string) {
    this.#port = port;
    this.#pair = pair;
    this.#dir = dir;
    this.issuer = `https://127.0.0.1:${port}`;
    this.certFile = join(dir, 'idp.crt');
    writeFileSync(this.certFile, pair.cert);
  }

  /** Picks the port and makes the certificate (for `localhost` and 127.0.0.1). */
  static async prepare(): Promise<TestIdentityProvider> {
    return new TestIdentityProvider(await freePort(), await generateSelfSigned('localhost'), mkdtempSync(join(tmpdir(), 'stoa-idp-')));
  }

  async start(options: { redirectUri: string; accounts: IdpAccount[] }): Promise<void> {
    const accounts = new Map(options.accounts.map((a) => [a.sub, a]));
    const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    const provider = new Provider(this.issuer, {
      clients: [{
        client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
      }],
      jwks: { keys: [{ ...signingKey, use: 'sig', kid: 'test' }] },
      cookies: { keys: ['test identity provider cookie key'] },
      pkce: { required: () => true },
      ttl: { AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
      findAccount: async (_ctx: unknown, sub: string) => {
        const account = accounts.get(sub);
        return account && { accountId: sub, claims: async () => ({ sub, email: account.email, email_verified: true, name: account.name }) };
      },
    });
    const oidc = provider.callback();
    const interactions = async (req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined) => {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        if (req.method === 'POST' && action === 'login') {
          const form = new URLSearchParams(await bodyOf(req));
          const account = options.accounts.find((a) => a.email === form.get('username') && a.password === form.get('password'));
          if (account) return provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
          return loginForm(res, uid, 'Wrong user name or password');
        }
        return loginForm(res, uid);
      }
      const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id });
      if (details.prompt.details.missingOIDCScope) grant!.addOIDCScope(details.prompt.details.missingOIDCScope.join(' '));
      if (details.prompt.details.missingOIDCClaims) grant!.addOIDCClaims(details.prompt.details.missingOIDCClaims);
      return provider.interactionFinished(req, res, { consent: { grantId: await grant!.save() } }, { mergeWithLastSubmission: true });
    };
    this.#server = createServer(this.#pair, (req, res) => {
      const match = /^\/interaction\/([^/?]+)(?:\/([a-z]+))?/.exec(req.url ?? '');
      if (!match) return oidc(req, res);
      interactions(req, res, match[1]!, match[2]).catch((err: Error) => {
        res.statusCode = 500;
        res.end(escape(err.message));
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.#server!.once('error', reject);
      this.#server!.listen(this.#port, '127.0.0.1', () => resolve());
    });
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (server) await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

function loginForm(res: ServerResponse, uid: string, error?: string): void {
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end(`<!doctype html><title>Test identity provider</title><h1>Test identity provider</h1>
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>User name <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in at the provider</button>
</form>`);
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
