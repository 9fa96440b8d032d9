import { randomUUID } from 'node:crypto';
import { createServer as createPlainServer, type IncomingMessage, type Server as PlainServer, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fastify, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../logging.ts';
import type { TlsProvider } from '../tls/provider.ts';

export interface HttpListen {
  port: number;
  bind: string;
}

export interface HttpFront {
  app: FastifyInstance;
  /** Where each listener ended up, e.g. `https://0.0.0.0:8443`. */
  urls: string[];
  close(): Promise<void>;
}

export type Routes = (app: FastifyInstance) => Promise<void> | void;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * One Fastify app behind an HTTPS listener and an optional plain one (for a TLS-terminating proxy or
 * loopback tests). The certificate comes from the TLS provider on every handshake, so SIGHUP's
 * reload reaches new connections without a restart.
 */
export async function startHttp(options: {
  logger: Logger;
  tls: TlsProvider;
  https: HttpListen;
  plain: HttpListen;
  trustedProxies: string[];
  routes: Routes[];
}): Promise<HttpFront> {
  let handler: Handler | undefined;
  const tlsServer: TlsServer = createTlsServer({ SNICallback: (_name, cb) => cb(null, options.tls.context), ...options.tls.keyPair });
  const app = fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    trustProxy: options.trustedProxies.length ? options.trustedProxies : false,
    clientErrorHandler: answerClientError,
    serverFactory: (h) => {
      handler = h;
      tlsServer.on('request', h);
      return tlsServer;
    },
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  for (const routes of options.routes) await app.register(async (scope) => routes(scope));
  await app.ready();

  const servers: Array<PlainServer | TlsServer> = [];
  const urls: string[] = [];
  if (options.https.port) {
    urls.push(`https://${await listen(tlsServer, options.https)}`);
    servers.push(tlsServer);
  }
  if (options.plain.port) {
    const plainServer = createPlainServer((req, res) => handler!(req, res));
    plainServer.on('clientError', answerClientError);
    urls.push(`http://${await listen(plainServer, options.plain)}`);
    servers.push(plainServer);
  }
  return {
    app,
    urls,
    async close() {
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      })));
      await app.close();
    },
  };
}

/**
 * Node's parser refuses a request before any route sees it. A method it does not know (a DAV
 * extension, a client probing) is 501 by RFC 9110 §15.6.2, not the 400 Node would answer.
 */
function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_INVALID_METHOD' ? '501 Not Implemented'
    : err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function listen(server: PlainServer | TlsServer, where: HttpListen): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where.port, where.bind, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve(address.family === 'IPv6' ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`);
    });
  });
}
