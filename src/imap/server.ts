/**
 * The IMAP front: an implicit-TLS listener and a STARTTLS listener (LOGINDISABLED until TLS) on
 * imap-core, with every hook going through guard.ts. Nothing here is fatal to the process: server
 * errors are logged, hook failures answer NO.
 */
import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Journal } from '../store/ports/journal.ts';
import type { TlsProvider } from '../tls/provider.ts';
import './core-patches.ts';
import './idle.ts';
import './search/command.ts';
import { onAppend, onAppendSize } from './handlers/append.ts';
import { onAuth } from './handlers/auth.ts';
import type { ChangeDeps, HookDeps } from './handlers/context.ts';
import { onCopy, onMove } from './handlers/copy.ts';
import { onExpunge } from './handlers/expunge.ts';
import { onFetch } from './handlers/fetch.ts';
import { onCreate, onDelete, onList, onRename, onSubscribe, onUnsubscribe } from './handlers/mailboxes.ts';
import { onGetQuota, onGetQuotaRoot } from './handlers/quota.ts';
import { onSearch } from './handlers/search.ts';
import { onOpen, onStatus } from './handlers/select.ts';
import { onStore } from './handlers/store.ts';
import { endSessionsOfDisabledUsers } from './deprovision.ts';
import { IMAPServer, type ImapCoreServer, type SniCallback } from './imap-core.ts';
import { ImapNotifier } from './notifier.ts';

export interface ImapOptions extends HookDeps {
  tls: TlsProvider;
  /** Tailed by the notifier: IDLE and post-command updates for every session (§3). */
  journal: Journal;
  /** 0 = off. */
  port: number;
  starttlsPort: number;
  bind: string;
  appendLimit: number;
}

export interface ImapFront {
  /** `imaps://host:port` and `imap://host:port` for the listeners that run. */
  urls: string[];
  close(): Promise<void>;
}

export async function startImap(options: ImapOptions): Promise<ImapFront> {
  const { tls, logger } = options;
  const servers: { server: ImapCoreServer; url: string }[] = [];
  // One notifier for both listeners: a session on either port hears changes made through the other.
  const notifier = new ImapNotifier(options.journal, logger);
  const deps: ImapOptions & ChangeDeps = { ...options, notifier };
  const stopWatching = endSessionsOfDisabledUsers(options.journal, options.directory.users, notifier, logger);
  const listeners: [number, boolean][] = [[options.port, true], [options.starttlsPort, false]];
  try {
    for (const [port, secure] of listeners) {
      if (port === 0) continue;
      const server = createServer(deps, secure);
      const bound = await listen(server, port, options.bind);
      servers.push({ server, url: `${secure ? 'imaps' : 'imap'}://${hostForUrl(options.bind)}:${bound}` });
    }
  } catch (err) {
    await Promise.all(servers.map(({ server }) => closeServer(server)));
    stopWatching();
    notifier.close();
    throw err;
  }
  // Certificate reload (SIGHUP): new connections and STARTTLS get the new pair.
  const onReload = (pair: { key: string; cert: string }) => {
    for (const { server } of servers) server.updateSecureContext({ key: pair.key, cert: pair.cert });
  };
  tls.on('reload', onReload);
  return {
    urls: servers.map((s) => s.url),
    async close() {
      tls.off('reload', onReload);
      await Promise.all(servers.map(({ server }) => closeServer(server)));
      stopWatching();
      notifier.close();
    },
  };

  function createServer(deps: ImapOptions & ChangeDeps, secure: boolean): ImapCoreServer {
    // Implicit TLS without an SNICallback fails every client that sends SNI (§6.4). Both call
    // shapes (§1) get the provider's current context; cb(null, null) would mean the default.
    const sni: SniCallback = (_servername, cb) => cb(null, tls.context satisfies SecureContext);
    const server = new IMAPServer({
      secure,
      key: tls.keyPair.key,
      cert: tls.keyPair.cert,
      minVersion: 'TLSv1.2',
      SNICallback: sni,
      maxMessage: deps.appendLimit,
      id: { name: 'Stoa', vendor: 'Stoa' },
      logger: logger.child({ service: 'imap' }),
      logoutMessages: ['Logging out'],
      skipFetchLog: true,
    });
    server.on('error', (err: Error) => logger.warn({ err, service: 'imap' }, 'IMAP connection error'));
    // imap-core writes a response in pieces (line, literal, tagged OK); with Nagle on, the last
    // small piece waits for the client's delayed ACK, ~40 ms per command (imapflow's 64 KB
    // partial downloads of a 25 MB message took 18 s instead of under 1 s).
    server.server.on('connection', (socket: Socket) => socket.setNoDelay(true));
    server.notifier = deps.notifier;
    server.onAuth = onAuth(deps);
    server.onList = onList(deps, false);
    server.onLsub = onList(deps, true);
    server.onCreate = onCreate(deps);
    server.onRename = onRename(deps);
    server.onDelete = onDelete(deps);
    server.onSubscribe = onSubscribe(deps);
    server.onUnsubscribe = onUnsubscribe(deps);
    server.onOpen = onOpen(deps);
    server.onStatus = onStatus(deps);
    server.onAppend = onAppend(deps);
    server.onAppendSize = onAppendSize(deps);
    server.onFetch = onFetch(deps);
    server.onStore = onStore(deps);
    server.onExpunge = onExpunge(deps);
    server.onCopy = onCopy(deps);
    server.onMove = onMove(deps);
    server.onSearch = onSearch(deps);
    server.onGetQuota = onGetQuota(deps);
    server.onGetQuotaRoot = onGetQuotaRoot(deps);
    return server;
  }
}

function listen(server: ImapCoreServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.server.once('error', onError);
    server.listen(port, host, () => {
      server.server.off('error', onError);
      const address = server.server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** close() needs its callback (it is called unconditionally, §6.4). */
function closeServer(server: ImapCoreServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function hostForUrl(bind: string): string {
  return bind.includes(':') ? `[${bind}]` : bind;
}
