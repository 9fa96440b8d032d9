/** Builds the SMTP side: resolver, delivery, inbound checks, the queue worker and the listeners. */
import type { Config } from '../config/schema.ts';
import type { Directory } from '../directory/index.ts';
import type { Logger } from '../logging.ts';
import type { MailOwner, MailService } from '../mail/index.ts';
import type { Store } from '../store/ports/index.ts';
import type { TlsProvider } from '../tls/provider.ts';
import { Delivery } from './delivery.ts';
import { InboundCheck } from './inbound-auth.ts';
import { RemoteSender } from './outbound/remote.ts';
import { QueueWorker } from './outbound/worker.ts';
import { MailResolver } from './resolver.ts';
import { startSmtp, type SmtpFront } from './server.ts';

export { createDkimKey, dkimKey, dkimRecord } from './dkim.ts';

export interface SmtpServiceOptions {
  config: Pick<Config, 'smtp' | 'lmtp' | 'server' | 'mail'>;
  directory: Directory;
  mail: MailService;
  store: Pick<Store, 'mail' | 'blobs' | 'queue' | 'kv'>;
  quota: (owner: MailOwner) => Promise<number | null>;
  tls: TlsProvider;
  logger: Logger;
}

export async function startSmtpService(options: SmtpServiceOptions): Promise<SmtpFront> {
  const { config, store } = options;
  const smtp = config.smtp;
  const hostname = config.server.hostname;
  const logger = options.logger.child({ service: 'smtp' });
  const resolver = new MailResolver(smtp.dns_servers);
  let worker: QueueWorker | null = null;
  const delivery = new Delivery({
    directory: options.directory, mail: options.mail, mailStore: store.mail, quota: options.quota, blobs: store.blobs,
    queue: store.queue, logger, hostname, queueLifetimeMs: smtp.queue_lifetime_seconds * 1000, wake: () => worker?.wake(),
  });
  worker = new QueueWorker({
    queue: store.queue, blobs: store.blobs, kv: store.kv, delivery, logger,
    remote: new RemoteSender({ resolver, port: smtp.relay_port, hostname, tlsVerify: smtp.relay_tls_verify }),
    retryMs: smtp.retry_seconds.map((s) => s * 1000), pollMs: smtp.queue_poll_seconds * 1000,
  });
  const front = await startSmtp({
    directory: options.directory, delivery, inbound: new InboundCheck(resolver, hostname, smtp.dmarc_reject), kv: store.kv,
    logger, hostname, rateLimitPerHour: smtp.rate_limit_per_hour, trustedPeers: config.lmtp.trusted_peers, tls: options.tls,
    bind: config.server.bind, submissionPort: smtp.submission_port, submissionsPort: smtp.submissions_port, mxPort: smtp.mx_port,
    lmtpPort: config.lmtp.port, size: config.mail.append_limit_bytes,
  });
  worker.start();
  return {
    urls: front.urls,
    async close() {
      await front.close();
      await worker.stop();
    },
  };
}
