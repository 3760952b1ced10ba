/** The pure parts of observability: quantiles from buckets, chart series, alert conditions and payloads, dashboard sessions. */
import assert from 'node:assert/strict';
import { alertPayload, conditionsFrom } from './alerts.js';
import { sessionValue, validSession } from './dashboard.js';
import { bucketIndex, DURATION_BUCKETS, emptyBuckets, quantileFromBuckets, sourceEventTime } from './metrics.js';
import { seriesFromRows } from './rollup.js';

describe('observability, pure parts', () => {
  it('puts a value into the first bucket whose bound is not below it, and beyond the last into +Inf', () => {
    assert.equal(bucketIndex(0), 0);
    assert.equal(bucketIndex(0.01), 0);
    assert.equal(bucketIndex(0.011), 1);
    assert.equal(bucketIndex(3600), DURATION_BUCKETS.length - 1);
    assert.equal(bucketIndex(3601), DURATION_BUCKETS.length);
  });

  it('interpolates quantiles inside the bucket like histogram_quantile, null without observations', () => {
    const b = emptyBuckets();
    assert.equal(quantileFromBuckets(b, 0.5), null);
    b[bucketIndex(0.3)] = 10; // (0.25, 0.5]
    assert.equal(quantileFromBuckets(b, 0.5), 0.375);
    b[bucketIndex(4)] = 10; // (2.5, 5]
    assert.equal(quantileFromBuckets(b, 0.5), 0.5);
    assert.equal(quantileFromBuckets(b, 0.95), 2.5 + 2.5 * 0.9);
    const inf = emptyBuckets();
    inf[DURATION_BUCKETS.length] = 1;
    assert.equal(quantileFromBuckets(inf, 0.5), 3600);
  });

  it('reads the source event time of webhook and outbox jobs, Odoo timestamps without a zone as UTC', () => {
    assert.deepEqual(sourceEventTime({ source: 'webhook', triggeredAt: '2026-11-27T12:00:00.000Z' }), {
      source: 'webhook',
      at: Date.UTC(2026, 10, 27, 12),
    });
    assert.deepEqual(sourceEventTime({ source: 'outbox', createdAt: '2026-11-27 12:00:00' }), {
      source: 'outbox',
      at: Date.UTC(2026, 10, 27, 12),
    });
    assert.equal(sourceEventTime({ source: 'webhook', triggeredAt: null }), null);
    assert.equal(sourceEventTime({ fail: 'permanent' }), null);
  });

  it('groups rollup rows into fixed steps with throughput, error rate and quantiles, empty steps included', () => {
    const until = Date.UTC(2026, 10, 27, 12, 30, 20);
    const buckets = emptyBuckets();
    buckets[bucketIndex(0.05)] = 4;
    const row = (minute: number, completed: number, failed: number) => ({
      minute: new Date(Date.UTC(2026, 10, 27, 12, minute)),
      queue: 'orders',
      completed,
      failed,
      retried: failed,
      dead_lettered: 0,
      duration_buckets: buckets,
      latency_buckets: emptyBuckets(),
    });
    const [orders] = seriesFromRows([row(30, 3, 1), row(29, 6, 0), row(0, 99, 0)], { until, windowMinutes: 5, stepMinutes: 1 });
    assert.equal(orders!.points.length, 5);
    assert.deepEqual(
      orders!.points.map((p) => [new Date(p.t * 1000).getUTCMinutes(), p.completed, p.errorRate]),
      [
        [26, 0, null],
        [27, 0, null],
        [28, 0, null],
        [29, 6, 0],
        [30, 3, 0.25],
      ],
    );
    assert.ok(Math.abs(orders!.points[4]!.p50! - 0.0375) < 1e-12, String(orders!.points[4]!.p50)); // 0.025 + 0.025 × ½
    assert.equal(orders!.points[4]!.latencyP95, null);
    assert.deepEqual(orders!.totals, { completed: 9, failed: 1, retried: 1, deadLettered: 0 });
  });

  it('raises DLQ conditions above the threshold on flow queues only, and silence only past the threshold', () => {
    const now = Date.UTC(2026, 10, 27, 12);
    const conditions = conditionsFrom({
      queues: [
        { queue: 'orders', dlq: 11 },
        { queue: 'products', dlq: 10 },
        { queue: 'orders.pull', dlq: 50 },
      ],
      topics: [
        { topic: 'orders/create', lastReceivedAt: new Date(now - 361 * 60_000) },
        { topic: 'products/update', lastReceivedAt: new Date(now - 359 * 60_000) },
      ],
      now,
      dlqThreshold: 10,
      silenceMinutes: 360,
    });
    assert.deepEqual(
      conditions.map((c) => [c.key, c.value, c.summary]),
      [
        ['dlq:orders', 11, 'orders dead-letter queue holds 11 jobs (threshold 10)'],
        ['webhook_silence:orders/create', 361, 'webhook topic orders/create silent for 361 minutes (threshold 360)'],
      ],
    );
  });

  it('builds a Slack text with the dashboard link and PagerDuty-style trigger/resolve fields', () => {
    const base = {
      key: 'dlq:orders',
      summary: 'orders dead-letter queue holds 11 jobs (threshold 10)',
      value: 11,
      threshold: 10,
      shop: 's.myshopify.com',
      dashboardUrl: 'https://sync.example.com/dashboard',
    };
    const firing = alertPayload({ ...base, status: 'firing' });
    assert.equal(
      firing.text,
      ':rotating_light: Alert [s.myshopify.com] orders dead-letter queue holds 11 jobs (threshold 10) — https://sync.example.com/dashboard',
    );
    assert.equal(firing.event_action, 'trigger');
    assert.equal(firing.dedup_key, 'shopify-sync:s.myshopify.com:dlq:orders');
    const resolved = alertPayload({ ...base, status: 'resolved' });
    assert.equal(resolved.event_action, 'resolve');
    assert.match(String(resolved.text), /^:white_check_mark: Resolved \[s\.myshopify\.com\] dlq:orders cleared/);
  });

  it('accepts a session cookie only for the same admin token and before it expires', () => {
    const token = 'admin-token-0123456789abcdef';
    const value = sessionValue(token, 2_000);
    assert.equal(validSession(token, value, 1_999), true);
    assert.equal(validSession(token, value, 2_000), false);
    assert.equal(validSession('another-admin-token-0123456789', value, 1_000), false);
    assert.equal(validSession(token, value.replace(/^2000/, '9000'), 1_000), false);
    assert.equal(validSession(token, undefined, 1_000), false);
    assert.ok(!value.includes(token));
  });
});
