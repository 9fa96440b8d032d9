export interface Summary {
  count: number;
  p50: number;
  p99: number;
  mean: number;
}

/** Milliseconds, from samples of `performance.now()` differences. */
export function summarise(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1) };
}

export function format(name: string, s: Summary): string {
  return `${name.padEnd(44)} n=${String(s.count).padStart(6)}  p50=${s.p50.toFixed(2).padStart(8)} ms  p99=${s.p99.toFixed(2).padStart(8)} ms`;
}

export async function timed<T>(samples: number[], fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await fn();
  samples.push(performance.now() - start);
  return result;
}

/** Runs `task(i)` for i in [0, total) with `concurrency` workers. */
export async function pool(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) await task(next++);
  }));
}
