/** A local identity provider's key set on loopback, and tokens signed with its key. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

export interface LocalIdp {
  jwksUrl: string;
  issuer: string;
  /** An RS256 token from this issuer for `audience`, valid ten minutes. */
  token(claims: Record<string, unknown>, audience: string): Promise<string>;
  close(): Promise<void>;
}

export async function startLocalIdp(issuer = 'https://idp.acme.test/'): Promise<LocalIdp> {
  const pair = await generateKeyPair('RS256');
  const key: CryptoKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const server: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`,
    issuer,
    token: (claims, audience) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience(audience)
        .setIssuedAt().setExpirationTime('10m').sign(key),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
