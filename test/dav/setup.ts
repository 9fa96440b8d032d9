import { request } from 'node:http';
import { startServer, type RunningServer } from '../helpers/server.ts';

export const PASSWORD = 'correct horse battery';

/**
 * A server with Basic allowed on the plain loopback listener (litmus and the replayed client
 * sequences speak plain HTTP), tenant `acme` (acme.test) with ann, bob and cy, and tenant `other`
 * (other.test) with olga. Returns the server and each user's id.
 */
export async function startDavServer(env: Record<string, string> = {}): Promise<{ s: RunningServer; ids: Record<string, string> }> {
  const s = await startServer({ STOA_FILES_PLAIN_LOOPBACK_BASIC: 'true', ...env });
  const ids: Record<string, string> = {};
  for (const [tenant, domain, users] of [['acme', 'acme.test', ['ann', 'bob', 'cy']], ['other', 'other.test', ['olga']]] as const) {
    await s.stoaOk(['tenant', 'add', tenant]);
    await s.stoaOk(['domain', 'add', tenant, domain]);
    for (const user of users) {
      const { lastLine } = await s.stoaOk(['user', 'add', `${user}@${domain}`, '--password-stdin'], `${PASSWORD}\n`);
      ids[user] = /\(([0-9a-f-]{36})\)/.exec(lastLine)![1]!;
    }
  }
  return { s, ids };
}

export function basic(user: string): string {
  return `Basic ${Buffer.from(`${user}:${PASSWORD}`).toString('base64')}`;
}

export interface DavAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** One request as a client would send it; the body is read whole (tests use small bodies). */
export async function dav(base: string, method: string, path: string, options: { user?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<DavAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.user) headers.authorization = basic(options.user);
  const response = await fetch(`${base}${path}`, { method, headers, body: options.body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A request whose path goes out byte for byte (no URL normalisation); resolves to the status. */
export function rawDav(base: string, method: string, path: string, headers: Record<string, string>): Promise<number> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}
