import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout; credentials never reach a log line. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    // 'service' is left to each front's child logger (http, imap, …).
    base: { app: 'stoa' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.secret'], censor: '[redacted]' },
  });
}
