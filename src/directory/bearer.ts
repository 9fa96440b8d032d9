import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import type { OAuthSettings } from '../store/ports/index.ts';

/** Claims that may carry the user's address, in the order identity providers fill them. */
const ADDRESS_CLAIMS = ['email', 'preferred_username', 'upn', 'unique_name', 'sub'] as const;

export function addressClaims(payload: JWTPayload): string[] {
  return ADDRESS_CLAIMS.map((c) => payload[c]).filter((v): v is string => typeof v === 'string' && v.includes('@')).map((v) => v.toLowerCase());
}

/** The addresses a token names, read without checking it: only to find whose settings verify it. */
export function unverifiedAddresses(token: string): string[] {
  try {
    return addressClaims(decodeJwt(token));
  } catch {
    return [];
  }
}

/** One key set per JWKS URL, so keys are fetched once and refreshed on an unknown `kid`. */
export class BearerVerifier {
  #keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  /** Resolves to the verified payload, or null for any bad token (signature, issuer, audience, expiry). */
  async verify(token: string, settings: OAuthSettings): Promise<JWTPayload | null> {
    let keys = this.#keySets.get(settings.jwksUrl);
    if (!keys) {
      keys = createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 5000 });
      this.#keySets.set(settings.jwksUrl, keys);
    }
    try {
      const { payload } = await jwtVerify(token, keys, { issuer: settings.issuer, audience: settings.audience, clockTolerance: 30 });
      return payload;
    } catch {
      return null;
    }
  }
}
