import { Agent, request } from 'node:https';
import type { RunningServer } from '../helpers/server.ts';
import { basic, dav, PASSWORD, startDavServer } from './setup.ts';

/** Outside development, Basic credentials count only over TLS. */
let s: RunningServer;

beforeAll(async () => {
  ({ s } = await startDavServer({ STOA_FILES_PLAIN_LOOPBACK_BASIC: 'false' }));
}, 120_000);

afterAll(() => s?.stop());

function overTls(path: string, authorization: string): Promise<number> {
  const url = new URL(s.https);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'PROPFIND', headers: { authorization, depth: '0' }, agent: new Agent({ rejectUnauthorized: false }) }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

it('refuses a correct password over plain HTTP and takes it over TLS', async () => {
  const plain = await dav(s.http, 'PROPFIND', '/acme/webdav/home/', { user: 'ann@acme.test', headers: { depth: '0' } });
  expect(plain.status).toBe(401);
  expect(await overTls('/acme/webdav/home/', basic('ann@acme.test'))).toBe(207);
  expect(await overTls('/acme/webdav/home/', `Basic ${Buffer.from(`ann@acme.test:${PASSWORD}x`).toString('base64')}`)).toBe(401);
});
