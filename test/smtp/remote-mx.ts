/** An smtp-server on loopback playing a remote domain's MX: records what it is sent, answers as told. */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

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
