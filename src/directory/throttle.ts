import type { KeyValue } from '../store/ports/index.ts';

export interface ThrottleSettings {
  /** Failures allowed before delays start. */
  freeFailures: number;
  maxDelayMs: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
}

/**
 * Failed logins, counted per (client address, login) and per client address, in the shared
 * key-value so the count survives a restart and holds across processes. A login is never locked
 * by failures that came from elsewhere: only its own pair counter and the caller's address count.
 */
export class LoginThrottle {
  #kv: KeyValue;
  #settings: ThrottleSettings;

  constructor(kv: KeyValue, settings: ThrottleSettings) {
    this.#kv = kv;
    this.#settings = settings;
  }

  /** Milliseconds this attempt must wait before it may be checked; 0 when it may go ahead. */
  async delayFor(ip: string | null, login: string): Promise<number> {
    const waits = await Promise.all(this.#keys(ip, login).map(([key, free]) => this.#wait(key, free)));
    return Math.max(0, ...waits);
  }

  async failure(ip: string | null, login: string): Promise<void> {
    const now = Date.now();
    await Promise.all(
      this.#keys(ip, login).map(async ([key]) => {
        await this.#kv.incr(`${key}:n`, 1, this.#settings.windowMs);
        await this.#kv.set(`${key}:at`, String(now), this.#settings.windowMs);
      }),
    );
  }

  async success(ip: string | null, login: string): Promise<void> {
    const [pair] = this.#keys(ip, login);
    if (pair) await Promise.all([this.#kv.delete(`${pair[0]}:n`), this.#kv.delete(`${pair[0]}:at`)]);
  }

  /** The pair counter, and the address counter with ten times the allowance (shared NATs). */
  #keys(ip: string | null, login: string): Array<[string, number]> {
    const free = this.#settings.freeFailures;
    const keys: Array<[string, number]> = [[`throttle:pair:${ip ?? '-'}|${login.toLowerCase()}`, free]];
    if (ip) keys.push([`throttle:ip:${ip}`, free * 10]);
    return keys;
  }

  async #wait(key: string, free: number): Promise<number> {
    const [n, at] = await Promise.all([this.#kv.get(`${key}:n`), this.#kv.get(`${key}:at`)]);
    const failures = Number(n ?? 0);
    if (failures <= free || !at) return 0;
    const delay = Math.min(this.#settings.maxDelayMs, 1000 * 2 ** (failures - free - 1));
    return Math.max(0, Number(at) + delay - Date.now());
  }
}
