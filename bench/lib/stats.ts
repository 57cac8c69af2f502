// Medians, spreads and percentiles for the bench: every figure is the median of its rounds, shown
// with the spread (min–max) so a noisy run is visible as such.

export interface Summary {
  median: number;
  min: number;
  max: number;
  rounds: number;
}

export function summarize(values: number[]): Summary {
  if (values.length === 0) throw new Error('no values to summarize');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0, rounds: values.length };
}

/** The p-th percentile (0–100) of the samples, nearest rank. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/** Runs `round` `rounds` times and summarizes each named figure it returns over the rounds. */
export async function overRounds<K extends string>(rounds: number, round: (index: number) => Promise<Record<K, number>>): Promise<Record<K, Summary>> {
  const seen: Partial<Record<K, number[]>> = {};
  for (let i = 0; i < rounds; i++) {
    const figures = await round(i);
    for (const [name, value] of Object.entries(figures) as [K, number][]) (seen[name] ??= []).push(value);
  }
  return Object.fromEntries(Object.entries(seen).map(([name, values]) => [name, summarize(values as number[])])) as Record<K, Summary>;
}

/** Runs `worker` on `concurrency` lanes until `count` items are done; resolves with the wall time. */
export async function lanes(concurrency: number, count: number, worker: (item: number, lane: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      for (let item = next++; item < count; item = next++) await worker(item, lane);
    }),
  );
  return performance.now() - started;
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
export const spread = (s: Summary, digits = 1) => `${fmt(s.min, digits)}–${fmt(s.max, digits)}`;
