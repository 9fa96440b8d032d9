/**
 * DNS for mail: MX hosts and their addresses for delivery, any record type for mailauth. Its
 * servers come from config (smtp.dns_servers), so a deployment can use its own resolver and tests
 * a DNS responder on loopback.
 */
import { Resolver } from 'node:dns/promises';

const TIMEOUT_MS = 5000;
/** Answers that mean the name or record does not exist (as opposed to a failed lookup). */
const ABSENT = new Set(['ENOTFOUND', 'ENODATA', 'NOTFOUND', 'NODATA']);

export class DnsError extends Error {
  /** True when the domain has no mail server for good (no MX, no address); false for a failed lookup. */
  readonly permanent: boolean;
  constructor(message: string, permanent: boolean) {
    super(message);
    this.name = 'DnsError';
    this.permanent = permanent;
  }
}

export class MailResolver {
  readonly #resolver = new Resolver({ timeout: TIMEOUT_MS, tries: 2 });

  constructor(servers: readonly string[]) {
    if (servers.length) this.#resolver.setServers([...servers]);
  }

  /** What mailauth asks: records of one type, as node:dns returns them. */
  readonly resolve = (name: string, rrtype: string): Promise<string[][] | string[]> =>
    this.#resolver.resolve(name, rrtype) as Promise<string[][] | string[]>;

  /** The hosts to try for a domain, best first; the domain itself when it has no MX (RFC 5321 §5.1). */
  async mailHosts(domain: string): Promise<string[]> {
    try {
      const records = await this.#resolver.resolveMx(domain);
      const hosts = records.sort((a, b) => a.priority - b.priority).map((r) => r.exchange);
      // A null MX (RFC 7505) says the domain takes no mail.
      if (hosts.length === 1 && (hosts[0] === '' || hosts[0] === '.')) throw new DnsError(`${domain} accepts no mail (null MX)`, true);
      return hosts;
    } catch (error) {
      if (error instanceof DnsError) throw error;
      if (!ABSENT.has((error as NodeJS.ErrnoException).code ?? '')) throw new DnsError(`MX lookup for ${domain} failed: ${(error as Error).message}`, false);
      return [domain];
    }
  }

  /** IPv4 then IPv6 addresses of a host; DnsError when it has none. */
  async addresses(host: string): Promise<string[]> {
    const found: string[] = [];
    let failure: unknown = null;
    for (const lookup of [() => this.#resolver.resolve4(host), () => this.#resolver.resolve6(host)]) {
      try {
        found.push(...(await lookup()));
      } catch (error) {
        if (!ABSENT.has((error as NodeJS.ErrnoException).code ?? '')) failure = error;
      }
    }
    if (found.length) return found;
    if (failure) throw new DnsError(`address lookup for ${host} failed: ${(failure as Error).message}`, false);
    throw new DnsError(`${host} has no address`, true);
  }
}
