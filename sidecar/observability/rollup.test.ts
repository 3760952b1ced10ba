/** Per-minute rollups in PostgreSQL: replicas writing the same minute add up; a failed write keeps the counts. */
import assert from 'node:assert/strict';
import type pg from 'pg';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import { createLogger } from './logger.js';
import { bucketIndex, createMetrics } from './metrics.js';
import { createRollupWriter, readSeries } from './rollup.js';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { MemoryTransport } from '../../dev/testing/memory-transport.js';

describe('metrics rollup table', () => {
  let pool: pg.Pool;
  const logger = createLogger({ transports: [new MemoryTransport()] });
  const at = Date.UTC(2026, 10, 27, 12, 30, 15);

  before(async () => {
    pool = createPool(await testDatabase('metrics_rollup'), 2);
    await migrate(pool, 'obs_app');
  });
  after(async () => {
    await pool?.end();
  });

  it('adds the counts and histogram buckets of two replicas writing the same minute', async () => {
    for (const [durationMs, outcome] of [
      [40, 'completed'],
      [3000, 'dead-lettered'],
    ] as const) {
      const metrics = createMetrics({ clock: () => at });
      metrics.recordAttempt({
        queue: 'orders',
        outcome,
        attempt: 1,
        durationMs,
        key: null,
        data: { source: 'webhook', triggeredAt: new Date(at - 2000).toISOString() },
        errorKind: outcome === 'completed' ? undefined : 'permanent',
      });
      metrics.recordAttempt({ queue: 'orders', outcome: 'completed', attempt: 2, durationMs, key: null, data: {} });
      assert.equal(await createRollupWriter({ pool, schema: 'obs_app', metrics, logger, clock: () => at }).flush(), 1);
    }
    const { rows } = await pool.query(
      'SELECT minute, completed, failed, retried, dead_lettered, duration_buckets, latency_buckets FROM obs_app.metrics_rollup',
    );
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].minute, new Date(Date.UTC(2026, 10, 27, 12, 30)));
    assert.deepEqual([rows[0].completed, rows[0].failed, rows[0].retried, rows[0].dead_lettered], [3, 1, 0, 1]);
    assert.equal(rows[0].duration_buckets[bucketIndex(0.04)], 2);
    assert.equal(rows[0].duration_buckets[bucketIndex(3)], 2);
    assert.equal(rows[0].latency_buckets[bucketIndex(2)], 1);
    const [orders] = await readSeries(pool, 'obs_app', { until: at, windowMinutes: 60, stepMinutes: 1 });
    assert.deepEqual(orders!.totals, { completed: 3, failed: 1, retried: 0, deadLettered: 1 });
    assert.equal(orders!.points.at(-1)!.completed, 3);
  });

  it('keeps the counts in memory when the write fails and writes them with the next flush', async () => {
    const metrics = createMetrics({ clock: () => at + 60_000 });
    metrics.recordAttempt({ queue: 'products', outcome: 'retry', attempt: 1, durationMs: 5, key: null, data: {}, errorKind: 'retryable' });
    await assert.rejects(createRollupWriter({ pool, schema: 'no_such_schema', metrics, logger, clock: () => at + 60_000 }).flush());
    assert.equal(await createRollupWriter({ pool, schema: 'obs_app', metrics, logger, clock: () => at + 60_000 }).flush(), 1);
    const { rows } = await pool.query("SELECT failed, retried FROM obs_app.metrics_rollup WHERE queue = 'products'");
    assert.deepEqual(rows, [{ failed: 1, retried: 1 }]);
  });
});
