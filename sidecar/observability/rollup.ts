/**
 * Per-minute rollups of queue attempts per flow (table `<appSchema>.metrics_rollup`, migration
 * 004): the history behind the dashboard's charts. Every replica flushes its in-memory cells
 * (metrics.ts) every minute with an additive upsert, so replicas writing the same minute sum up
 * and no coordination is needed; a failed write puts the cells back for the next flush. Rows
 * older than two days are pruned. `readSeries` turns rows into chart points (the grouping and
 * quantiles are pure, in `seriesFromRows`).
 */
import type pg from 'pg';
import { quoteIdent } from '../db/migrate.js';
import type { Logger } from './logger.js';
import { emptyBuckets, quantileFromBuckets } from './buckets.js';
import type { Metrics } from './metrics.js';
import type { RollupCell } from './rollup-cells.js';

export const ROLLUP_RETENTION_HOURS = 48;

export interface RollupWriter {
  flush(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export function createRollupWriter(options: {
  pool: pg.Pool;
  schema: string;
  metrics: Metrics;
  logger: Logger;
  intervalMs?: number;
  /** Milliseconds since the epoch; retention is measured on it, never on the database's now(). */
  clock?: () => number;
}): RollupWriter {
  const { pool, metrics, logger } = options;
  const clock = options.clock ?? Date.now;
  const table = `${quoteIdent(options.schema)}.metrics_rollup`;
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  let lastPrune = 0;

  async function write(): Promise<number> {
    const cells = metrics.takeRollup();
    try {
      if (cells.length > 0) {
        // unnest of the parallel arrays: one statement for all cells; buckets as JSON text because
        // pg has no array-of-arrays parameter of varying shape.
        await pool.query(
          `INSERT INTO ${table} AS t (minute, queue, completed, failed, retried, dead_lettered, duration_buckets, latency_buckets)
           SELECT to_timestamp(m / 1000.0), q, c, f, r, d,
                  ARRAY(SELECT jsonb_array_elements_text(db::jsonb)::int), ARRAY(SELECT jsonb_array_elements_text(lb::jsonb)::int)
           FROM unnest($1::bigint[], $2::text[], $3::int[], $4::int[], $5::int[], $6::int[], $7::text[], $8::text[]) AS u(m, q, c, f, r, d, db, lb)
           ON CONFLICT (minute, queue) DO UPDATE SET
             completed = t.completed + excluded.completed,
             failed = t.failed + excluded.failed,
             retried = t.retried + excluded.retried,
             dead_lettered = t.dead_lettered + excluded.dead_lettered,
             duration_buckets = ARRAY(SELECT coalesce(a, 0) + coalesce(b, 0) FROM unnest(t.duration_buckets, excluded.duration_buckets) AS x(a, b)),
             latency_buckets = ARRAY(SELECT coalesce(a, 0) + coalesce(b, 0) FROM unnest(t.latency_buckets, excluded.latency_buckets) AS x(a, b))`,
          [
            cells.map((c) => c.minute),
            cells.map((c) => c.queue),
            cells.map((c) => c.completed),
            cells.map((c) => c.failed),
            cells.map((c) => c.retried),
            cells.map((c) => c.deadLettered),
            cells.map((c) => JSON.stringify(c.durationBuckets)),
            cells.map((c) => JSON.stringify(c.latencyBuckets)),
          ],
        );
      }
    } catch (error) {
      metrics.restoreRollup(cells);
      throw error;
    }
    const now = clock();
    if (now - lastPrune > 10 * 60_000) {
      lastPrune = now;
      await pool.query(`DELETE FROM ${table} WHERE minute < to_timestamp($1 / 1000.0)`, [now - ROLLUP_RETENTION_HOURS * 3_600_000]);
    }
    return cells.length;
  }

  function flush(): Promise<number> {
    // One flush at a time: a caller arriving during one waits for it and then flushes again.
    // `flushing` never rejects (no unhandled rejection); the caller gets `next`'s outcome.
    const next = (flushing ?? Promise.resolve()).then(write);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    flushing = settled;
    void settled.then(() => {
      if (flushing === settled) flushing = undefined;
    });
    return next;
  }

  return {
    flush,
    start() {
      timer = setInterval(() => {
        flush().catch((error: unknown) => logger.warn('metrics rollup flush failed; kept for the next one', { error }));
      }, options.intervalMs ?? 60_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await flush().catch((error: unknown) => logger.warn('metrics rollup final flush failed', { error }));
    },
  };
}

export interface RollupRow {
  minute: Date;
  queue: string;
  completed: number;
  failed: number;
  retried: number;
  dead_lettered: number;
  duration_buckets: number[];
  latency_buckets: number[];
}

export interface SeriesPoint {
  /** Start of the step, Unix seconds. */
  t: number;
  completed: number;
  failed: number;
  /** Jobs completed per minute over the step. */
  throughput: number;
  /** Failed attempts ÷ all attempts, 0..1; null without attempts. */
  errorRate: number | null;
  /** Attempt duration quantiles, seconds. */
  p50: number | null;
  p95: number | null;
  /** End-to-end latency quantiles (source event → completed write), seconds. */
  latencyP50: number | null;
  latencyP95: number | null;
}

export interface FlowSeries {
  queue: string;
  points: SeriesPoint[];
  totals: { completed: number; failed: number; retried: number; deadLettered: number };
}

/**
 * Groups rollup rows into fixed steps ending at `until` (steps without rows are present, with
 * zero counts and null quantiles, so every series shares one x axis). Pure.
 */
export function seriesFromRows(
  rows: readonly RollupRow[],
  options: { until: number; windowMinutes: number; stepMinutes: number },
): FlowSeries[] {
  const stepMs = options.stepMinutes * 60_000;
  const end = Math.floor(options.until / stepMs) * stepMs + stepMs;
  const start = end - options.windowMinutes * 60_000;
  const steps = Math.round((end - start) / stepMs);
  const byQueue = new Map<
    string,
    { cells: { completed: number; failed: number; duration: number[]; latency: number[] }[]; totals: FlowSeries['totals'] }
  >();
  for (const row of rows) {
    const at = row.minute.getTime();
    if (at < start || at >= end) continue;
    let entry = byQueue.get(row.queue);
    if (!entry) {
      entry = {
        cells: Array.from({ length: steps }, () => ({ completed: 0, failed: 0, duration: emptyBuckets(), latency: emptyBuckets() })),
        totals: { completed: 0, failed: 0, retried: 0, deadLettered: 0 },
      };
      byQueue.set(row.queue, entry);
    }
    const cell = entry.cells[Math.floor((at - start) / stepMs)]!;
    cell.completed += row.completed;
    cell.failed += row.failed;
    row.duration_buckets.forEach((n, i) => (cell.duration[i] = (cell.duration[i] ?? 0) + n));
    row.latency_buckets.forEach((n, i) => (cell.latency[i] = (cell.latency[i] ?? 0) + n));
    entry.totals.completed += row.completed;
    entry.totals.failed += row.failed;
    entry.totals.retried += row.retried;
    entry.totals.deadLettered += row.dead_lettered;
  }
  return [...byQueue.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([queue, entry]) => ({
      queue,
      totals: entry.totals,
      points: entry.cells.map((c, i) => {
        const attempts = c.completed + c.failed;
        return {
          t: (start + i * stepMs) / 1000,
          completed: c.completed,
          failed: c.failed,
          throughput: c.completed / options.stepMinutes,
          errorRate: attempts === 0 ? null : c.failed / attempts,
          p50: quantileFromBuckets(c.duration, 0.5),
          p95: quantileFromBuckets(c.duration, 0.95),
          latencyP50: quantileFromBuckets(c.latency, 0.5),
          latencyP95: quantileFromBuckets(c.latency, 0.95),
        };
      }),
    }));
}

export async function readSeries(
  pool: pg.Pool,
  schema: string,
  options: { until: number; windowMinutes: number; stepMinutes: number },
): Promise<FlowSeries[]> {
  const { rows } = await pool.query<RollupRow>(
    `SELECT minute, queue, completed, failed, retried, dead_lettered, duration_buckets, latency_buckets
     FROM ${quoteIdent(schema)}.metrics_rollup WHERE minute >= to_timestamp($1 / 1000.0) ORDER BY minute`,
    [options.until - (options.windowMinutes + options.stepMinutes) * 60_000],
  );
  return seriesFromRows(rows, options);
}

export type { RollupCell };
