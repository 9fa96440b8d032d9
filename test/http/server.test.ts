import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect as connectTcp } from 'node:net';
import { connect, type PeerCertificate } from 'node:tls';
import { generateSelfSigned } from '../../src/tls/certificates.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

function peerCertificate(url: string, servername: string): Promise<PeerCertificate> {
  const { hostname, port } = new URL(url);
  return new Promise((resolvePromise, reject) => {
    const socket = connect({ host: hostname, port: Number(port), servername, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      resolvePromise(cert);
    });
    socket.on('error', reject);
  });
}

/** Sends raw bytes and returns the status line: for requests no HTTP client library would send. */
function rawStatusLine(url: string, request: string): Promise<string> {
  const { hostname, port, protocol } = new URL(url);
  return new Promise((resolvePromise, reject) => {
    const options = { host: hostname, port: Number(port) };
    const socket = protocol === 'https:' ? connect({ ...options, rejectUnauthorized: false }) : connectTcp(options);
    let answer = '';
    socket.setEncoding('utf8');
    socket.on(protocol === 'https:' ? 'secureConnect' : 'connect', () => socket.write(request));
    socket.on('data', (chunk: string) => { answer += chunk; });
    socket.on('end', () => resolvePromise(answer.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

describe('the HTTP front', () => {
  let server: RunningServer;
  let certDir: string;

  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'stoa-certs-'));
    const pair = await generateSelfSigned('first.test');
    writeFileSync(join(certDir, 'cert.pem'), pair.cert);
    writeFileSync(join(certDir, 'key.pem'), pair.key);
    server = await startServer({ STOA_TLS_CERT: join(certDir, 'cert.pem'), STOA_TLS_KEY: join(certDir, 'key.pem') });
  });
  afterAll(() => server.stop());

  test('/healthz answers on plain HTTP and HTTPS, with an X-Request-Id', async () => {
    const res = await fetch(`${server.http}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const cert = await peerCertificate(server.https, 'first.test');
    expect(cert.subject.CN).toBe('first.test');
  });

  test('every answer carries its own request id, errors included', async () => {
    const [a, b] = await Promise.all([fetch(`${server.http}/nowhere`), fetch(`${server.http}/healthz`)]);
    expect(a.status).toBe(404);
    expect(a.headers.get('x-request-id')).toBeTruthy();
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  });

  test('a method Node does not know is 501, a broken request line 400, on both listeners', async () => {
    for (const url of [server.http, server.https]) {
      expect(await rawStatusLine(url, 'FROBNICATE / HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 501 Not Implemented');
      expect(await rawStatusLine(url, 'GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    }
    expect((await fetch(`${server.http}/healthz`)).status).toBe(200);
  });

  test('logs are JSON lines carrying the request id', async () => {
    const res = await fetch(`${server.http}/healthz`);
    const id = res.headers.get('x-request-id')!;
    // The completion line is written just after the answer is sent.
    let line: string | undefined;
    for (let i = 0; i < 100 && !line; i++) {
      line = server.output().split('\n').find((l) => l.includes(id) && l.includes('request completed'));
      if (!line) await new Promise((r) => setTimeout(r, 50));
    }
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ reqId: id });
  });

  test('SIGHUP reloads the certificate files without a restart', async () => {
    const pair = await generateSelfSigned('second.test');
    writeFileSync(join(certDir, 'cert.pem'), pair.cert);
    writeFileSync(join(certDir, 'key.pem'), pair.key);
    process.kill(server.pid, 'SIGHUP');
    let cn = '';
    for (let i = 0; i < 100 && cn !== 'second.test'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      cn = String((await peerCertificate(server.https, 'second.test')).subject.CN);
    }
    expect(cn).toBe('second.test');
    expect((await fetch(`${server.http}/healthz`)).status).toBe(200);
  });
});

describe('starting', () => {
  const root = resolve(import.meta.dirname, '../..');
  const start = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['src/main.ts'], { cwd: root, env: { ...process.env, NODE_OPTIONS: '', ...env }, encoding: 'utf8', timeout: 20_000 });

  test('a wrong setting stops the start with a message naming the key', () => {
    const result = start({ STOA_HTTP_PORT: 'eighty' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('STOA_HTTP_PORT');
  });

  test('a self-signed certificate for the host name is generated on first start', async () => {
    const server = await startServer({ STOA_SERVER_HOSTNAME: 'mail.example.test' });
    try {
      const cert = await peerCertificate(server.https, 'mail.example.test');
      expect(cert.subject.CN).toBe('mail.example.test');
      expect(cert.subjectaltname).toContain('DNS:dav.mail.example.test');
      expect(cert.subjectaltname).toContain('DNS:autodiscover.mail.example.test');
    } finally {
      await server.stop();
    }
  });
});
