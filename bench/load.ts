/** A small closed-loop load generator: N connections, each sending its next request when the last answers. */
export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  errors: number;
}

export function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function summarise(latencies: number[], seconds: number, errors: number): LoadResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { requests: latencies.length, rps: latencies.length / seconds, p50: percentile(sorted, 50), p95: percentile(sorted, 95), errors };
}

/**
 * Runs `send(connection)` on `connections` loops for `seconds`; each call returns whether the
 * answer was the one expected. Bounded in time and count: it stops by itself.
 */
export async function load(
  { connections, seconds, maxRequests = 100_000 }: { connections: number; seconds: number; maxRequests?: number },
  send: (connection: number) => Promise<boolean>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, connection) => {
      while (performance.now() < deadline && latencies.length + errors < maxRequests) {
        const t0 = performance.now();
        const ok = await send(connection).catch(() => false);
        if (ok) latencies.push(performance.now() - t0);
        else errors += 1;
      }
    }),
  );
  return summarise(latencies, (performance.now() - started) / 1000, errors);
}

/** p95 of `runs` sequential calls, after `warmup` unmeasured ones. */
export async function timeSequential(runs: number, fn: () => Promise<unknown>, warmup = 5) {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  const sorted = times.sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}
