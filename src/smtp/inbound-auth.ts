/**
 * SPF, DKIM, DMARC and ARC of mail from the internet, checked by mailauth through our resolver,
 * written into Authentication-Results (and Received-SPF, ARC results) above the message. A DMARC
 * failure of an author domain that publishes p=reject is refused when config says so.
 */
import { authenticate } from 'mailauth';
import type { SMTPServerSession } from 'smtp-server';
import type { MailResolver } from './resolver.ts';

export interface InboundVerdict {
  /** Header lines to prepend, each ending in CRLF. */
  headers: string;
  reject: boolean;
}

export class InboundCheck {
  readonly #resolver: MailResolver;
  readonly #hostname: string;
  readonly #dmarcReject: boolean;

  constructor(resolver: MailResolver, hostname: string, dmarcReject: boolean) {
    this.#resolver = resolver;
    this.#hostname = hostname;
    this.#dmarcReject = dmarcReject;
  }

  async check(message: Buffer, session: SMTPServerSession): Promise<InboundVerdict> {
    const result = await authenticate(message, {
      ip: session.remoteAddress.replace(/^::ffff:/, ''),
      helo: session.hostNameAppearsAs || undefined,
      sender: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      mta: this.#hostname,
      resolver: this.#resolver.resolve,
      disableBimi: true,
    });
    const dmarc = result.dmarc;
    const reject = this.#dmarcReject && Boolean(dmarc) && dmarc !== false && dmarc.status.result === 'fail' && dmarc.policy === 'reject';
    const headers = result.headers.replace(/\r?\n/g, '\r\n');
    return { headers: headers.endsWith('\r\n') ? headers : `${headers}\r\n`, reject };
  }
}
