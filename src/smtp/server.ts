/**
 * The SMTP front on smtp-server: submission with STARTTLS (587) and implicit TLS (465), the MX
 * listener (25) and LMTP. AUTH only after TLS, and only on submission; MX and LMTP take mail for
 * our users only; LMTP only from trusted peers. Nothing here is fatal to the process.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { SMTPServerOptions } from 'smtp-server';
import { SMTPServer } from 'smtp-server';
import type { TlsProvider } from '../tls/provider.ts';
import type { HookDeps, Role } from './context.ts';
import { onAuth } from './hooks/auth.ts';
import { onData } from './hooks/data.ts';
import { onMailFrom } from './hooks/mail-from.ts';
import { onRcptTo } from './hooks/rcpt-to.ts';
import { replies } from './replies.ts';

export interface SmtpOptions extends HookDeps {
  tls: TlsProvider;
  bind: string;
  /** 0 = off, for each. */
  submissionPort: number;
  submissionsPort: number;
  mxPort: number;
  lmtpPort: number;
  /** SIZE: the largest message accepted (mail.append_limit_bytes). */
  size: number;
}

export interface SmtpFront {
  /** `smtp://host:port` (and smtps://, lmtp://) for the listeners that run, with their role. */
  urls: string[];
  close(): Promise<void>;
}

/** Seconds a stopping server gives open sessions before it cuts them. */
const CLOSE_TIMEOUT_MS = 2000;

export async function startSmtp(options: SmtpOptions): Promise<SmtpFront> {
  const listeners: [Role, number, boolean, string][] = [
    ['submission', options.submissionPort, false, 'smtp'],
    ['submission', options.submissionsPort, true, 'smtps'],
    ['mx', options.mxPort, false, 'smtp'],
    ['lmtp', options.lmtpPort, false, 'lmtp'],
  ];
  const servers: { server: SMTPServer; url: string }[] = [];
  try {
    for (const [role, port, secure, scheme] of listeners) {
      if (port === 0) continue;
      const server = createServer(options, role, secure);
      const bound = await listen(server, port, options.bind);
      servers.push({ server, url: `${scheme}://${options.bind.includes(':') ? `[${options.bind}]` : options.bind}:${bound} (${role})` });
    }
  } catch (error) {
    await Promise.all(servers.map(({ server }) => close(server)));
    throw error;
  }
  const onReload = (pair: { key: string; cert: string }) => {
    for (const { server } of servers) server.updateSecureContext({ key: pair.key, cert: pair.cert });
  };
  options.tls.on('reload', onReload);
  return {
    urls: servers.map((s) => s.url),
    async close() {
      options.tls.off('reload', onReload);
      await Promise.all(servers.map(({ server }) => close(server)));
    },
  };
}

function createServer(options: SmtpOptions, role: Role, secure: boolean): SMTPServer {
  const { logger } = options;
  const submission = role === 'submission';
  const settings: SMTPServerOptions = {
    secure,
    key: options.tls.keyPair.key,
    cert: options.tls.keyPair.cert,
    minVersion: 'TLSv1.2',
    name: options.hostname,
    banner: 'Stoa',
    lmtp: role === 'lmtp',
    size: options.size,
    rejectOversized: true,
    hideENHANCEDSTATUSCODES: false,
    hideDSN: false,
    // REQUIRETLS (RFC 8689) would promise TLS on every onward hop, which the queue does not enforce.
    hideREQUIRETLS: true,
    // AUTH is offered only after TLS (no allowInsecureAuth) and only to submission clients.
    authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'],
    authOptional: !submission,
    disabledCommands: role === 'lmtp' ? ['AUTH', 'STARTTLS'] : submission ? [] : ['AUTH'],
    disableReverseLookup: true,
    closeTimeout: CLOSE_TIMEOUT_MS,
    logger: false,
    onAuth: onAuth(options),
    onMailFrom: onMailFrom(options, role),
    onRcptTo: onRcptTo(options, role),
    onData: onData(options, role),
  };
  if (role === 'lmtp') {
    settings.onConnect = (session, cb) => cb(isTrusted(options.trustedPeers, session.remoteAddress) ? null : replies.untrustedPeer());
  }
  if (submission && !secure) {
    // No AUTH in the EHLO before STARTTLS (RFC 4954 §4), so no client is invited to send a password
    // in clear. The session object survives the upgrade; onSecure gives AUTH back.
    settings.onConnect = (session, cb) => {
      session.disabledCommands = ['AUTH'];
      cb();
    };
    settings.onSecure = (_socket, session, cb) => {
      session.disabledCommands = undefined;
      cb();
    };
  }
  const server = new SMTPServer(settings);
  server.on('error', (err) => logger.warn({ err, service: 'smtp', role }, 'SMTP server error'));
  return server;
}

function isTrusted(peers: readonly string[], address: string): boolean {
  const plain = address.replace(/^::ffff:/, '');
  return peers.includes(plain) || peers.includes(address);
}

/** The bound port; rejects with the listen error (EADDRINUSE…), which `once` turns into a rejection. */
async function listen(server: SMTPServer, port: number, host: string): Promise<number> {
  server.listen(port, host);
  await once(server.server, 'listening');
  return (server.server.address() as AddressInfo).port;
}

function close(server: SMTPServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
