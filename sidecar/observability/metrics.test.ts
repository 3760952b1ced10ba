/** The job counters of one replica: an expected wait is counted as a wait, never as a failure. */
import assert from 'node:assert/strict';
import { createMetrics } from './metrics.js';
import { sample } from '../../dev/testing/observability-support.js';

describe('metrics: job attempts', () => {
  it('counts a wait in jobs_waiting_total only, and a retried failure as a failure', async () => {
    const metrics = createMetrics({ clock: () => Date.UTC(2026, 10, 27, 12, 0) });
    const attempt = { queue: 'refunds' as const, attempt: 1, durationMs: 12, key: null, data: {}, errorKind: 'retryable' as const };
    metrics.recordAttempt({ ...attempt, outcome: 'waiting' });
    metrics.recordAttempt({ ...attempt, outcome: 'waiting' });
    metrics.recordAttempt({ ...attempt, outcome: 'retry' });
    const text = await metrics.text();
    assert.equal(sample(text, 'shopify_sync_jobs_waiting_total', { queue: 'refunds' }), 2);
    assert.equal(sample(text, 'shopify_sync_jobs_failed_total', { queue: 'refunds', kind: 'retryable' }), 1);
    assert.equal(sample(text, 'shopify_sync_jobs_retried_total', { queue: 'refunds' }), 1);
    assert.equal(sample(text, 'shopify_sync_job_duration_seconds_count', { queue: 'refunds', outcome: 'waiting' }), 2);
    // The rollup behind the dashboard's error rate: the retry is a failure, the waits are not.
    const [cell] = metrics.takeRollup();
    assert.deepEqual([cell?.failed, cell?.retried, cell?.completed], [1, 1, 0]);
  });
});
