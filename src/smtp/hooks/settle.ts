import type { Logger } from '../../logging.ts';
import { replies, SmtpReply } from '../replies.ts';

/**
 * Runs a hook's work and answers smtp-server's callback once: an SmtpReply is the client's answer;
 * anything else is logged and answered as a temporary local problem, so the client retries and
 * nothing is lost to a bug or a store outage.
 */
export function settle<T>(logger: Logger, hook: string, cb: (err: Error | null, value?: T) => void, work: () => Promise<T>): void {
  work().then(
    (value) => cb(null, value),
    (error: unknown) => {
      if (error instanceof SmtpReply) return cb(error);
      logger.error({ err: error, hook }, 'SMTP hook failed');
      cb(replies.unavailable());
    },
  );
}
