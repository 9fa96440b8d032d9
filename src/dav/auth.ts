import type { FastifyRequest } from 'fastify';
import type { Directory } from '../directory/index.ts';
import { AuthError } from '../directory/errors.ts';
import type { Principal } from '../directory/principal.ts';
import { DavError } from './errors.ts';

const CHALLENGES = ['Basic realm="Stoa", charset="UTF-8"', 'Bearer realm="Stoa"'];

function unauthorized(message: string): DavError {
  return new DavError(401, null, message, { headers: { 'www-authenticate': CHALLENGES } });
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

/**
 * Basic (password, or an app password scoped to dav) only over TLS — or, when `plainLoopback` is
 * on for development and tests, from loopback straight to the plain listener; Bearer (OAuth)
 * likewise. Anything else gets 401 with both challenges.
 */
export async function authenticate(directory: Directory, request: FastifyRequest, plainLoopback: boolean): Promise<Principal> {
  const value = request.headers.authorization ?? '';
  const space = value.indexOf(' ');
  const scheme = value.slice(0, space).toLowerCase();
  const secret = value.slice(space + 1).trim();
  if (space < 0 || (scheme !== 'basic' && scheme !== 'bearer')) throw unauthorized('credentials required');
  const direct = !request.headers['x-forwarded-for'] && !request.headers['x-forwarded-proto'];
  if (request.protocol !== 'https' && !(plainLoopback && direct && isLoopback(request.socket.remoteAddress))) {
    throw unauthorized('credentials are accepted over TLS only');
  }
  let login: string | undefined;
  let password = secret;
  if (scheme === 'basic') {
    const decoded = Buffer.from(secret, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw unauthorized('malformed Basic credentials');
    login = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  try {
    return await directory.auth.authenticate({ login, secret: password, kind: scheme === 'basic' ? 'password' : 'bearer', context: 'dav', ip: request.ip ?? null });
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    if (err.reason === 'invalid') throw unauthorized('authentication failed');
    throw new DavError(503, null, err.message, { headers: err.retryAfter ? { 'retry-after': String(err.retryAfter) } : {} });
  }
}
