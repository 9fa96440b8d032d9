/** A small shared key-value with expiry: throttle counters, leases, rate limits. Survives restarts. */
export interface KeyValue {
  get(key: string): Promise<string | null>;
  /** Sets the value; `ttlMs` null keeps it until deleted. */
  set(key: string, value: string, ttlMs: number | null): Promise<void>;
  /** Sets only when the key is absent or expired; true when this call set it (a lease). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Atomically adds `by` to an integer counter and returns the new value. A missing or expired key
   * starts from 0 with a fresh expiry of `ttlMs`; an existing one keeps its expiry.
   */
  incr(key: string, by: number, ttlMs: number): Promise<number>;
  delete(key: string): Promise<void>;
}
