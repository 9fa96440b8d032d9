/** The composition root: config, store, services, fronts; clean stop on SIGTERM, certificate reload on SIGHUP. */
import { mkdirSync } from 'node:fs';
import { accountRoutes } from './account/routes.ts';
import { publicEndpoints } from './autoconfig/endpoints.ts';
import { autoconfigRoutes } from './autoconfig/routes.ts';
import { ConfigError, loadConfig } from './config/load.ts';
import { davRoutes } from './dav/routes.ts';
import { LockManager } from './dav/locks.ts';
import { createDirectory } from './directory/index.ts';
import { directorySettings } from './directory/settings.ts';
import { startHttp } from './http/server.ts';
import { startImap } from './imap/server.ts';
import { createLogger } from './logging.ts';
import { FilesService } from './files/service.ts';
import { GroupwareService } from './groupware/service.ts';
import { SharingService } from './groupware/sharing.ts';
import { DirectoryBook } from './contacts/directory-book.ts';
import { directoryQuota, MailService } from './mail/index.ts';
import { scimRoutes } from './scim/routes.ts';
import { startSmtpService } from './smtp/index.ts';
import { collectBlobs } from './store/collect-blobs.ts';
import { openStore } from './store/open.ts';
import { StoreUnavailableError } from './store/ports/index.ts';
import { TlsProvider } from './tls/provider.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const FIRST_COLLECTION_MS = 10 * 60_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.log.level);
  mkdirSync(config.store.datadir, { recursive: true });
  const store = await openStore(config);
  const directory = await createDirectory(store, directorySettings(config));
  const tls = await TlsProvider.open({ certFile: config.tls.cert, keyFile: config.tls.key, dataDir: config.store.datadir, hostname: config.server.hostname });

  const files = new FilesService({ files: store.files, blobs: store.blobs, journal: store.journal, maxFileBytes: config.files.max_file_bytes });
  const groupware = new GroupwareService(store.davObjects, store.journal);
  const sharing = new SharingService(store.davObjects, directory.users);
  const dav = davRoutes({
    directory, files, groupware, sharing, directoryBook: new DirectoryBook(directory.users, store.journal),
    locks: new LockManager(store.kv),
    settings: { quotaBytes: config.files.quota_bytes, maxFileBytes: config.files.max_file_bytes, plainLoopbackBasic: config.files.plain_loopback_basic, syncMaxChanges: config.dav.sync_max_changes },
  });
  const http = await startHttp({
    logger,
    tls,
    https: { port: config.http.port, bind: config.server.bind },
    plain: { port: config.http.plain_port, bind: config.http.plain_bind },
    trustedProxies: config.http.trusted_proxies,
    routes: [
      scimRoutes(directory), autoconfigRoutes(directory, publicEndpoints(config)),
      accountRoutes({ directory, kv: store.kv, endpoints: publicEndpoints(config), signer: () => tls.keyPair, groupware, sharing }),
      dav,
    ],
  });
  for (const url of http.urls) logger.info({ service: 'http', url }, `HTTP listening on ${url} (SCIM at ${url}/{tenant}/scim/v2/)`);

  const quota = directoryQuota(directory.users, config.mail.quota_bytes);
  const mail = new MailService({
    mail: store.mail,
    blobs: store.blobs,
    quota,
    appendLimit: config.mail.append_limit_bytes,
  });
  const imap = await startImap({
    directory, mail, store: store.mail, journal: store.journal, tls, logger,
    port: config.imap.port, starttlsPort: config.imap.starttls_port, bind: config.server.bind, appendLimit: config.mail.append_limit_bytes,
  });
  for (const url of imap.urls) logger.info({ service: 'imap', url }, `IMAP listening on ${url}`);
  const smtp = await startSmtpService({ config, directory, mail, store, quota, tls, logger });
  for (const url of smtp.urls) logger.info({ service: 'smtp', url }, `SMTP listening on ${url}`);
  logger.info({ store: store.kind, dataDir: config.store.datadir, hostname: config.server.hostname }, 'Stoa is running');

  const purge = async () => {
    const purged = await directory.users.purgeExpired(config.directory.retention_days, async ({ tenantId, id }) => {
      await mail.purgeUser(id);
      await groupware.purgeOwner(GroupwareService.ownerId(tenantId, id));
      await files.purgeDrive(FilesService.userDrive(tenantId, id));
    });
    if (purged.length) logger.info({ users: purged.map((u) => u.id) }, 'purged deprovisioned users past retention, with their mail, calendars, contacts and files');
  };
  const housekeeping = () => (async () => {
    await purge();
    const blobs = await collectBlobs(store, config.store.blob_grace_hours * HOUR_MS);
    if (blobs) logger.info({ blobs }, 'removed blobs nothing refers to any more');
  })().catch((err) => logger.error({ err }, 'housekeeping failed'));
  await purge();
  // Blob collection walks the whole blob store: kept off the start's path, first run a while after it.
  const housekeepingTimers = [setTimeout(housekeeping, FIRST_COLLECTION_MS), setInterval(housekeeping, DAY_MS)];
  for (const timer of housekeepingTimers) timer.unref();

  process.on('SIGHUP', () => {
    tls.reload().then(
      () => logger.info('TLS certificate reloaded'),
      (err) => logger.error({ err }, 'TLS certificate reload failed; keeping the previous one'),
    );
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    for (const timer of housekeepingTimers) clearTimeout(timer);
    await Promise.all([http.close(), imap.close(), smtp.close()]);
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  const expected = err instanceof ConfigError || err instanceof StoreUnavailableError || (err instanceof Error && err.message.startsWith('store.url'));
  const message = expected ? (err as Error).message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`stoa: cannot start: ${message}\n`);
  process.exit(1);
});
