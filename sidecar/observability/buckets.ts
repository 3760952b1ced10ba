/**
 * Histogram buckets shared by the Prometheus histograms and the rollup table (metrics_rollup),
 * and quantiles read back from bucket counts. Pure.
 */

/** Histogram bounds in seconds, shared by the Prometheus histograms and the rollup table. */
export const DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const;

/** Index of the bucket a value in seconds falls into (DURATION_BUCKETS.length = +Inf). */
export function bucketIndex(seconds: number): number {
  const i = DURATION_BUCKETS.findIndex((bound) => seconds <= bound);
  return i === -1 ? DURATION_BUCKETS.length : i;
}

export function emptyBuckets(): number[] {
  return new Array<number>(DURATION_BUCKETS.length + 1).fill(0);
}

/**
 * Quantile from bucket counts, interpolated linearly inside the bucket like PromQL's
 * histogram_quantile; a quantile in the +Inf bucket is reported as the last finite bound.
 * Null when there are no observations.
 */
export function quantileFromBuckets(buckets: readonly number[], q: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < buckets.length; i++) {
    const count = buckets[i] ?? 0;
    if (count > 0 && cumulative + count >= rank) {
      if (i >= DURATION_BUCKETS.length) return DURATION_BUCKETS[DURATION_BUCKETS.length - 1]!;
      const lower = i === 0 ? 0 : DURATION_BUCKETS[i - 1]!;
      const upper = DURATION_BUCKETS[i]!;
      return lower + (upper - lower) * ((rank - cumulative) / count);
    }
    cumulative += count;
  }
  return DURATION_BUCKETS[DURATION_BUCKETS.length - 1]!;
}
