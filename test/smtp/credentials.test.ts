/** Submission credentials through the directory: app passwords by scope, and XOAUTH2 bearer tokens. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import nodemailer from 'nodemailer';
import { FREE_PORT, startServer, type RunningServer } from '../helpers/server.ts';
import { lastMessage, provisionAcme } from './setup.ts';

const ISSUER = 'https://idp.acme.test/';
let s: RunningServer;
let jwks: Server;
let key: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  key = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
  s = await startServer({ STOA_IMAP_PORT: FREE_PORT, STOA_SMTP_SUBMISSIONS_PORT: FREE_PORT });
  await provisionAcme(s);
  await s.stoaOk(['tenant', 'oauth', 'acme', '--issuer', ISSUER, '--audience', 'stoa', '--jwks', `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/keys`]);
}, 60_000);

afterAll(async () => {
  await s?.stop();
  await new Promise<void>((r) => jwks.close(() => r()));
});

function submit(auth: { user: string; pass: string } | { type: 'OAuth2'; user: string; accessToken: string }, subject: string) {
  return nodemailer.createTransport({
    host: '127.0.0.1', port: s.ports.STOA_SMTP_SUBMISSIONS_PORT!, secure: true, tls: { rejectUnauthorized: false }, auth,
  }).sendMail({ from: 'ann@acme.test', to: 'bob@acme.test', subject, text: subject });
}

test('an app password scoped to smtp submits; one scoped to imap only is refused with 535', async () => {
  const smtp = (await s.stoaOk(['apppass', 'add', 'ann@acme.test', 'phone', '--scope', 'smtp'])).lastLine;
  const imapOnly = (await s.stoaOk(['apppass', 'add', 'ann@acme.test', 'reader', '--scope', 'imap'])).lastLine;
  await expect(submit({ user: 'ann@acme.test', pass: imapOnly }, 'imap scope')).rejects.toMatchObject({ responseCode: 535 });
  const info = await submit({ user: 'ann@acme.test', pass: smtp }, 'smtp scope');
  expect(info.accepted).toEqual(['bob@acme.test']);
  expect(await lastMessage(s, 'bob@acme.test')).toContain('Subject: smtp scope');
});

test('XOAUTH2 with a token from the tenant\'s identity provider submits; a token for another user does not', async () => {
  const token = (email: string) => new SignJWT({ email })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(ISSUER).setAudience('stoa').setIssuedAt().setExpirationTime('10m').sign(key);
  await expect(submit({ type: 'OAuth2', user: 'ann@acme.test', accessToken: await token('bob@acme.test') }, 'wrong token')).rejects.toMatchObject({ responseCode: 535 });
  const info = await submit({ type: 'OAuth2', user: 'ann@acme.test', accessToken: await token('ann@acme.test') }, 'by oauth');
  expect(info.accepted).toEqual(['bob@acme.test']);
  expect(await lastMessage(s, 'bob@acme.test')).toContain('Subject: by oauth');
});
