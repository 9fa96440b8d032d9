import { z } from 'zod';

/**
 * Every setting, by section. Keys are snake_case so that `STOA_<SECTION>_<KEY>` maps onto exactly
 * one of them (`STOA_IMAP_STARTTLS_PORT` → imap.starttls_port). Every key has a default, so an
 * empty config file runs a development server.
 */
const port = z.number().int().min(0).max(65535);
const hostname = z.string().min(1).regex(/^[a-z0-9.-]+$/i, 'must be a host name');

export const configSchema = z.object({
  server: z.object({
    hostname: hostname.default('localhost'),
    /** Where listeners bind. */
    bind: z.string().min(1).default('0.0.0.0'),
  }).prefault({}),
  store: z.object({
    url: z.string().default(''),
    datadir: z.string().min(1).default('./data'),
    blob_grace_hours: z.number().int().min(1).default(24),
  }).prefault({}),
  tls: z.object({
    cert: z.string().default(''),
    key: z.string().default(''),
  }).prefault({}),
  http: z.object({
    port: port.default(8443),
    plain_port: port.default(0),
    plain_bind: z.string().min(1).default('127.0.0.1'),
    trusted_proxies: z.array(z.string()).default([]),
  }).prefault({}),
  imap: z.object({
    port: port.default(9993),
    starttls_port: port.default(9143),
  }).prefault({}),
  smtp: z.object({
    submission_port: port.default(9587),
    submissions_port: port.default(9465),
    mx_port: port.default(2525),
    /** Messages one user may submit per hour; 0 = no limit. */
    rate_limit_per_hour: z.number().int().min(0).default(500),
    /** Refuse inbound mail that fails DMARC for an author domain publishing p=reject. */
    dmarc_reject: z.boolean().default(false),
    /** DNS servers (ip or ip:port) for MX, SPF, DKIM and DMARC lookups; empty = the system's. */
    dns_servers: z.array(z.string()).default([]),
    /** The port remote mail servers are reached on. */
    relay_port: port.default(25),
    /** Check a remote server's certificate when it offers STARTTLS. */
    relay_tls_verify: z.boolean().default(true),
    /** Seconds to wait before each retry of a temporary failure; the last repeats. */
    retry_seconds: z.array(z.coerce.number().int().min(1)).min(1).default([60, 300, 1200, 3600, 10800]),
    /** Seconds a message may wait in the queue before it is bounced (5 days). */
    queue_lifetime_seconds: z.number().int().min(1).default(432_000),
    /** How often the queue is looked at for due messages (also woken at once by a new one). */
    queue_poll_seconds: z.number().int().min(1).default(10),
  }).prefault({}),
  lmtp: z.object({
    port: port.default(2424),
    trusted_peers: z.array(z.string()).default(['127.0.0.1', '::1']),
  }).prefault({}),
  public: z.object({
    mail_host: z.string().default(''),
    dav_host: z.string().default(''),
    files_host: z.string().default(''),
    api_host: z.string().default(''),
    imap_port: port.default(993),
    imap_starttls_port: port.default(143),
    submission_port: port.default(587),
    submissions_port: port.default(465),
    https_port: port.default(443),
  }).prefault({}),
  directory: z.object({
    retention_days: z.number().int().min(0).default(30),
    password_cache_seconds: z.number().int().min(0).default(300),
    throttle_free_failures: z.number().int().min(0).default(3),
    throttle_max_delay_seconds: z.number().int().min(1).default(300),
    throttle_window_seconds: z.number().int().min(1).default(900),
  }).prefault({}),
  mail: z.object({
    /** A user's mailbox quota unless the directory gives them their own; 0 = no limit. */
    quota_bytes: z.number().int().min(0).default(5_368_709_120),
    /**
     * The largest message APPEND and local delivery accept (advertised as APPENDLIMIT). At least
     * 1 MiB, because imap-core refuses literals over max(limit, 1 MiB) before reading them and the
     * advertised and enforced limits must agree (docs/notes/imap-core.md §6.2).
     */
    append_limit_bytes: z.number().int().min(1_048_576).default(52_428_800),
  }).prefault({}),
  files: z.object({
    /** A user's or group's drive quota unless the directory gives the user their own; 0 = no limit. */
    quota_bytes: z.number().int().min(0).default(10_737_418_240),
    /** The largest file a PUT accepts (413 beyond). */
    max_file_bytes: z.number().int().min(1).default(10_737_418_240),
    /** Development and tests only: accept Basic credentials on the plain listener from loopback. */
    plain_loopback_basic: z.boolean().default(false),
  }).prefault({}),
  dav: z.object({
    /** The most changed or removed members one sync-collection answer names; the client asks again for the rest (RFC 6578 §3.6). */
    sync_max_changes: z.number().int().min(1).default(1000),
  }).prefault({}),
  log: z.object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  }).prefault({}),
});

export type Config = z.infer<typeof configSchema>;
