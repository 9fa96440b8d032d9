/** A running server with published endpoints unlike the defaults, two tenants, and what `stoa dns` says. */
import { request } from 'node:http';
import { startServer, type RunningServer } from '../helpers/server.ts';

/** Every published value differs from the bound ports and the defaults, so a mix-up shows. */
export const PUBLIC_ENV: Record<string, string> = {
  STOA_SERVER_HOSTNAME: 'example.org',
  STOA_PUBLIC_MAIL_HOST: 'mx.example.net',
  STOA_PUBLIC_DAV_HOST: 'dav.example.net',
  STOA_PUBLIC_IMAP_PORT: '1993',
  STOA_PUBLIC_IMAP_STARTTLS_PORT: '1143',
  STOA_PUBLIC_SUBMISSION_PORT: '1587',
  STOA_PUBLIC_SUBMISSIONS_PORT: '1465',
  STOA_PUBLIC_HTTPS_PORT: '8443',
};

export async function startWithTenants(): Promise<RunningServer> {
  const s = await startServer(PUBLIC_ENV);
  const run = s.stoaOk;
  await run(['tenant', 'add', 'acme', '--name', 'Acme Ltd']);
  await run(['domain', 'add', 'acme', 'acme.test']);
  await run(['domain', 'add', 'acme', 'acme.example']);
  await run(['user', 'add', 'ann@acme.test', '--name', 'Ann Example', '--password-stdin'], 'a long enough password\n');
  await run(['tenant', 'add', 'other', '--name', 'Other Org']);
  await run(['domain', 'add', 'other', 'other.test']);
  return s;
}

export interface Srv {
  port: number;
  target: string;
}

export interface DnsAnswer {
  srv: Record<string, Srv>;
  /** The `path=` of the `_caldavs`/`_carddavs` TXT records. */
  path: Record<string, string>;
}

/** The SRV and TXT records `stoa dns <domain>` prints, by service name (`imaps`, `submission`, …). */
export async function dnsOf(s: RunningServer, domain: string): Promise<DnsAnswer> {
  const result = await s.stoaOk(['dns', domain]);
  const answer: DnsAnswer = { srv: {}, path: {} };
  for (const line of result.stdout.split('\n')) {
    const srv = /^_([a-z]+)\._tcp\.\S+ \d+ IN SRV \d+ \d+ (\d+) (\S+)\.$/.exec(line);
    if (srv) answer.srv[srv[1]!] = { port: Number(srv[2]), target: srv[3]! };
    const txt = /^_([a-z]+)\._tcp\.\S+ \d+ IN TXT "path=(.*)"$/.exec(line);
    if (txt) answer.path[txt[1]!] = txt[2]!;
  }
  return answer;
}

export interface RawResponse {
  status: number;
  type: string;
  body: string;
}

/** A GET with a Host header of our choosing (fetch always sends the URL's host). */
export function getWithHost(base: string, path: string, host: string): Promise<RawResponse> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}
