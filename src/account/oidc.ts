/**
 * Signing in to the account page with the tenant's identity provider: OpenID Connect,
 * Authorization Code with PKCE, through openid-client (discovery, the token exchange and the ID
 * token checks are exactly what it is for). What a pending sign-in must remember (the PKCE
 * verifier, the nonce, the tenant) stays in the store's key-value under its `state`, for ten
 * minutes and for one use; the browser holds only the state, in a signed cookie.
 */
import * as client from 'openid-client';
import { addressClaims } from '../directory/bearer.ts';
import type { KeyValue, OidcSettings, TenantRecord } from '../store/ports/index.ts';
import { randomToken } from './sessions.ts';

interface Pending {
  tenantId: string;
  verifier: string;
  nonce: string;
  redirectUri: string;
}

export const PENDING_TTL_MS = 10 * 60_000;

/** A sign-in that could not go on: the provider is unreachable, or its answer did not check out. */
export class OidcError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OidcError';
  }
}

export class OidcSignIn {
  #kv: KeyValue;
  /** Discovery once per provider and client, forgotten when it fails so the next sign-in retries. */
  #configs = new Map<string, Promise<client.Configuration>>();

  constructor(kv: KeyValue) {
    this.#kv = kv;
  }

  /** Where to send the browser, and the state its cookie must carry back. */
  async start(tenant: TenantRecord, settings: OidcSettings, redirectUri: string, loginHint: string): Promise<{ url: URL; state: string }> {
    const config = await this.#config(settings);
    const [state, nonce, verifier] = [randomToken(), client.randomNonce(), client.randomPKCECodeVerifier()];
    const pending: Pending = { tenantId: tenant.id, verifier, nonce, redirectUri };
    await this.#kv.set(pendingKey(state), JSON.stringify(pending), PENDING_TTL_MS);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...(loginHint ? { login_hint: loginHint } : {}),
    });
    return { url, state };
  }

  /**
   * Completes the sign-in the browser came back from: the addresses the provider vouches for, and
   * the tenant it was started for. The state is used up whether or not this succeeds.
   */
  async finish(state: string, currentUrl: URL, settingsOf: (tenantId: string) => Promise<OidcSettings | undefined>): Promise<{ tenantId: string; addresses: string[] }> {
    const stored = await this.#kv.get(pendingKey(state));
    await this.#kv.delete(pendingKey(state));
    if (!stored) throw new OidcError('this sign-in has expired or was already used');
    const pending = JSON.parse(stored) as Pending;
    const settings = await settingsOf(pending.tenantId);
    if (!settings) throw new OidcError('the organisation no longer signs in with an identity provider');
    const config = await this.#config(settings);
    // The provider redirected to redirectUri; the URL as the request saw it may differ behind a proxy.
    const callback = new URL(pending.redirectUri);
    callback.search = currentUrl.search;
    try {
      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: pending.verifier,
        expectedNonce: pending.nonce,
        expectedState: state,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new OidcError('the identity provider sent no ID token');
      let addresses = addressClaims(claims);
      // Many providers put email in the UserInfo answer only, not in the ID token.
      if (!addresses.length && tokens.access_token) addresses = addressClaims(await client.fetchUserInfo(config, tokens.access_token, claims.sub));
      return { tenantId: pending.tenantId, addresses };
    } catch (err) {
      if (err instanceof OidcError) throw err;
      throw new OidcError(`the identity provider's answer was refused: ${(err as Error).message}`, { cause: err });
    }
  }

  #config(settings: OidcSettings): Promise<client.Configuration> {
    const key = JSON.stringify([settings.issuer, settings.clientId, settings.clientSecret ?? '']);
    let config = this.#configs.get(key);
    if (!config) {
      const auth = settings.clientSecret ? client.ClientSecretBasic(settings.clientSecret) : client.None();
      config = client.discovery(new URL(settings.issuer), settings.clientId, undefined, auth, { timeout: 10 });
      config.catch(() => this.#configs.delete(key));
      this.#configs.set(key, config);
    }
    return config.catch((err: unknown) => {
      throw new OidcError(`the identity provider ${settings.issuer} could not be reached: ${(err as Error).message}`, { cause: err });
    });
  }
}

function pendingKey(state: string): string {
  return `account:oidc:${state}`;
}
