/**
 * One delivery attempt to a remote domain with nodemailer's SMTP transport: MX hosts in order,
 * each of their addresses, opportunistic STARTTLS, DKIM-signed with the sender domain's key. The
 * outcome is per recipient, so a 4xx for one and 250 for another are kept apart.
 */
import type { NodemailerError, SMTPSentMessageInfo } from 'nodemailer';
import nodemailer from 'nodemailer';
import type { DkimKey } from '../dkim.ts';
import { DnsError, type MailResolver } from '../resolver.ts';

export type Outcome = 'delivered' | 'temporary' | 'permanent';

export interface RecipientOutcome {
  address: string;
  outcome: Outcome;
  response: string;
}

export interface RemoteSettings {
  resolver: MailResolver;
  /** The port remote servers listen on (25). */
  port: number;
  /** Our name in EHLO. */
  hostname: string;
  tlsVerify: boolean;
}

const CONNECT_TIMEOUT_MS = 30_000;
const SOCKET_TIMEOUT_MS = 5 * 60_000;

export class RemoteSender {
  readonly #settings: RemoteSettings;

  constructor(settings: RemoteSettings) {
    this.#settings = settings;
  }

  async send(domain: string, sender: string, recipients: readonly string[], message: Buffer, dkim: DkimKey | null): Promise<RecipientOutcome[]> {
    const all = (outcome: Outcome, response: string) => recipients.map((address) => ({ address, outcome, response }));
    let hosts: string[];
    try {
      hosts = await this.#settings.resolver.mailHosts(domain);
    } catch (error) {
      return all(error instanceof DnsError && error.permanent ? 'permanent' : 'temporary', dnsResponse(error));
    }
    let last = all('temporary', `4.4.1 no mail server of ${domain} could be reached`);
    for (const host of hosts) {
      let addresses: string[];
      try {
        addresses = await this.#settings.resolver.addresses(host);
      } catch (error) {
        // One host without an address is a problem of that host; another may still answer.
        last = all(hosts.length === 1 && error instanceof DnsError && error.permanent ? 'permanent' : 'temporary', dnsResponse(error));
        continue;
      }
      for (const ip of addresses) {
        const result = await this.#attempt(host, ip, sender, recipients, message, dkim);
        if (result) return result;
        last = all('temporary', `4.4.1 ${host} [${ip}] could not be reached`);
      }
    }
    return last;
  }

  /** The outcome per recipient, or null when the host could not be talked to (try the next one). */
  async #attempt(host: string, ip: string, sender: string, recipients: readonly string[], message: Buffer, dkim: DkimKey | null): Promise<RecipientOutcome[] | null> {
    const transport = nodemailer.createTransport({
      host: ip, port: this.#settings.port, secure: false, name: this.#settings.hostname,
      tls: { servername: host, rejectUnauthorized: this.#settings.tlsVerify },
      connectionTimeout: CONNECT_TIMEOUT_MS, greetingTimeout: CONNECT_TIMEOUT_MS, socketTimeout: SOCKET_TIMEOUT_MS,
      ...(dkim ? { dkim: { domainName: dkim.domain, keySelector: dkim.selector, privateKey: dkim.privateKey } } : {}),
    });
    try {
      const info: SMTPSentMessageInfo = await transport.sendMail({ envelope: { from: sender, to: [...recipients] }, raw: message });
      const refused = new Map((info.rejectedErrors ?? []).map((e) => [(e.recipient ?? '').toLowerCase(), e]));
      return recipients.map((address) => {
        const error = refused.get(address.toLowerCase());
        return error ? outcomeOf(address, error) : { address, outcome: 'delivered', response: info.response };
      });
    } catch (raw) {
      const error = raw as NodemailerError;
      if (error.rejectedErrors?.length) {
        const refused = new Map(error.rejectedErrors.map((e) => [(e.recipient ?? '').toLowerCase(), e]));
        return recipients.map((address) => outcomeOf(address, refused.get(address.toLowerCase()) ?? error));
      }
      if (!error.responseCode) return null;
      return recipients.map((address) => outcomeOf(address, error));
    } finally {
      transport.close();
    }
  }
}

function outcomeOf(address: string, error: NodemailerError): RecipientOutcome {
  const response = error.response ?? error.message;
  return { address, outcome: error.permanent ? 'permanent' : 'temporary', response };
}

function dnsResponse(error: unknown): string {
  const permanent = error instanceof DnsError && error.permanent;
  return `${permanent ? '5.1.2' : '4.4.3'} ${(error as Error).message}`;
}
