/** An smtp-server on loopback playing a remote domain's MX: records what it is sent, answers as told. */
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.ts';
import { FREE_PORT, type RunningServer } from '../helpers/server.ts';
import { eventually, PASSWORD } from './setup.ts';

export interface Received {
  from: string;
  to: string[];
  message: Buffer;
}

export interface RemoteMx {
  port: number;
  received: Received[];
  /** Every RCPT TO seen, in order (a retried recipient shows up once per attempt). */
  rcpts: string[];
  /** Decides the answer to RCPT TO: null accepts, else [code, text]. */
  answer: (rcpt: string, attempt: number) => [number, string] | null;
  close(): Promise<void>;
}

export async function startRemoteMx(): Promise<RemoteMx> {
  const mx: RemoteMx = { port: 0, received: [], rcpts: [], answer: () => null, close: async () => undefined };
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['AUTH'], logger: false, hideENHANCEDSTATUSCODES: false,
    onRcptTo(address, _session, cb) {
      mx.rcpts.push(address.address);
      const attempt = mx.rcpts.filter((a) => a === address.address).length;
      const reply = mx.answer(address.address, attempt);
      if (!reply) return cb();
      cb(Object.assign(new Error(reply[1]), { responseCode: reply[0] }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mx.received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          message: Buffer.concat(chunks),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  mx.port = (server.server.address() as AddressInfo).port;
  mx.close = () => new Promise((resolve) => server.close(() => resolve()));
  return mx;
}

export interface RemoteWorld {
  dns: DnsServer;
  mx: RemoteMx;
  /** Stoa's environment: its resolver on `dns`, remote servers on the MX's port, quick retries. */
  env: Record<string, string>;
  /** The first message the MX received for `rcpt`. */
  receivedBy(rcpt: string): Promise<Received>;
  close(): Promise<void>;
}

/** A DNS responder whose MX for remote.test is a fresh remote MX, and the Stoa settings that use them. */
export async function startRemoteWorld(extraEnv: Record<string, string> = {}): Promise<RemoteWorld> {
  const dns = await startDnsServer({ 'remote.test': { MX: [{ priority: 10, exchange: 'mx.remote.test' }] }, 'mx.remote.test': { A: ['127.0.0.1'] } });
  const mx = await startRemoteMx();
  return {
    dns, mx,
    env: {
      STOA_IMAP_PORT: FREE_PORT, STOA_SMTP_SUBMISSIONS_PORT: FREE_PORT,
      STOA_SMTP_DNS_SERVERS: dns.address, STOA_SMTP_RELAY_PORT: String(mx.port), STOA_SMTP_RELAY_TLS_VERIFY: 'false',
      STOA_SMTP_RETRY_SECONDS: '2', STOA_SMTP_QUEUE_POLL_SECONDS: '1', ...extraEnv,
    },
    receivedBy: (rcpt) => eventually(async () => mx.received.find((r) => r.to.includes(rcpt)), `a message at the remote MX for ${rcpt}`),
    async close() {
      await mx.close();
      await dns.close();
    },
  };
}

export interface DsnRequest {
  id?: string;
  return?: 'headers' | 'full';
  notify?: ('never' | 'failure')[];
  recipient?: string;
}

/** ann@acme.test submits a short message on 465. */
export function sendAsAnn(s: RunningServer, to: string, subject: string, dsn?: DsnRequest) {
  return nodemailer.createTransport({
    host: '127.0.0.1', port: s.ports.STOA_SMTP_SUBMISSIONS_PORT!, secure: true, tls: { rejectUnauthorized: false },
    auth: { user: 'ann@acme.test', pass: PASSWORD },
  }).sendMail({ from: 'ann@acme.test', to, subject, text: `about ${subject}`, ...(dsn ? { dsn } : {}) });
}

/** Queues a message the MX defers (451), kills Stoa with SIGKILL, restarts it on the same data: the MX then gets it. */
export async function survivesKill(s: RunningServer, world: RemoteWorld, restart: () => Promise<RunningServer>): Promise<RunningServer> {
  world.mx.answer = (rcpt) => (rcpt === 'later@remote.test' ? [451, '4.3.0 not now'] : null);
  await sendAsAnn(s, 'later@remote.test', 'survivor');
  await eventually(async () => world.mx.rcpts.includes('later@remote.test'), 'a first attempt at the remote');
  // Let the worker write the retry back (it releases its lease), well before the next attempt.
  await new Promise((r) => setTimeout(r, 300));
  await s.stop({ hard: true, keepData: true });
  world.mx.answer = () => null;
  const restarted = await restart();
  const got = await world.receivedBy('later@remote.test');
  if (!got.message.toString().includes('Subject: survivor')) throw new Error('the delivered message is not the queued one');
  return restarted;
}
