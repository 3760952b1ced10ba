/**
 * Metrics, dashboard API and alerting end to end: a scripted run through the whole stack (the
 * simulator's webhooks, the Odoo double's outbox, real PostgreSQL and pg-boss) with a trivial test
 * flow, since the real flows land separately. Every metric must move; alerts fire at the
 * threshold, repeat only after ALERT_REPEAT_MINUTES and resolve exactly once.
 */
import assert from 'node:assert/strict';
import { keys, shopifyGid } from '../queue/names.js';
import { startStack, STACK_SHOP, type Stack } from '../../dev/testing/stack.js';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { createAlerter } from './alerts.js';
import type { dashboardData } from './dashboard.js';
import { idleFlow, sample, scriptedRun, startReceiver, testFlow, type Receiver } from '../../dev/testing/observability-support.js';

describe('observability: metrics, dashboard data and alerts under a scripted run', function () {
  let stack: Stack;
  let receiver: Receiver;

  before(async () => {
    receiver = await startReceiver();
    stack = await startStack({
      databaseUrl: await testDatabase('observability_e2e'),
      flows: [testFlow, idleFlow],
      env: {
        ALERT_WEBHOOK_URL: receiver.url,
        ALERT_DLQ_THRESHOLD: '1',
        ALERT_REPEAT_MINUTES: '30',
        METRICS_TOKEN: 'metrics-token-0123456789',
      },
    });
    await scriptedRun(stack);
    // One job waiting behind a blocked key (deferred an hour): queue depth 1.
    await stack.sidecar.queue.send(
      'customers',
      {},
      { key: keys.customer(STACK_SHOP, shopifyGid('Customer', '1')), startAfterSeconds: 3600 },
    );
  });
  after(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  const scrape = async () => {
    const res = await fetch(`${stack.sidecarUrl}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    return res.text();
  };

  it('refuses /metrics without METRICS_TOKEN when one is configured', async () => {
    const res = await fetch(`${stack.sidecarUrl}/metrics`);
    assert.equal(res.status, 401);
  });

  it('moves every job metric: completed, failed, retried, dead-lettered, durations and end-to-end latency per source', async () => {
    const text = await scrape();
    assert.equal(sample(text, 'shopify_sync_jobs_completed_total', { queue: 'orders' }), 1);
    assert.equal(sample(text, 'shopify_sync_jobs_completed_total', { queue: 'products' }), 1);
    assert.equal(sample(text, 'shopify_sync_jobs_completed_total', { queue: 'customers' }), 1);
    assert.equal(sample(text, 'shopify_sync_jobs_failed_total', { queue: 'customers', kind: 'permanent' }), 2);
    assert.equal(sample(text, 'shopify_sync_jobs_failed_total', { queue: 'customers', kind: 'retryable' }), 1);
    assert.equal(sample(text, 'shopify_sync_jobs_retried_total', { queue: 'customers' }), 1);
    assert.equal(sample(text, 'shopify_sync_jobs_dead_lettered_total', { queue: 'customers', kind: 'permanent' }), 2);
    assert.equal(sample(text, 'shopify_sync_job_duration_seconds_count', { queue: 'customers', outcome: 'completed' }), 1);
    assert.equal(sample(text, 'shopify_sync_job_duration_seconds_count', { queue: 'customers', outcome: 'dead-lettered' }), 2);
    assert.equal(sample(text, 'shopify_sync_job_end_to_end_seconds_count', { queue: 'orders', source: 'webhook' }), 1);
    assert.equal(sample(text, 'shopify_sync_job_end_to_end_seconds_count', { queue: 'products', source: 'outbox' }), 1);
    const e2e = sample(text, 'shopify_sync_job_end_to_end_seconds_sum', { queue: 'orders', source: 'webhook' })!;
    assert.ok(e2e > 0 && e2e < 30, `orders end-to-end ${e2e} s`);
  });

  it('logs exactly one line per sync attempt, with the correlation id, key and outcome (docs/operations.md)', () => {
    const attempts = stack.logs.lines.filter((l) => l.message === 'sync attempt');
    const customers = attempts.filter((l) => l.queue === 'customers');
    assert.deepEqual(customers.map((l) => l.outcome).sort(), ['completed', 'dead-lettered', 'dead-lettered', 'retry']);
    assert.equal(attempts.filter((l) => l.queue === 'orders').length, 1);
    assert.equal(attempts.filter((l) => l.queue === 'products').length, 1);
    const order = attempts.find((l) => l.queue === 'orders')!;
    const inbox = stack.logs.lines.find((l) => l.message === 'webhook received')!;
    assert.equal(order.correlationId, inbox.webhookId, 'the webhook id follows the job');
    assert.match(String(order.key), /^order:e2e-shop\.myshopify\.com:gid:\/\/shopify\/Order\/\d+$/);
    for (const field of ['timestamp', 'level', 'flow', 'jobId', 'attempt', 'maxAttempts', 'durationMs']) assert.ok(field in order, field);
  });

  it('reports queue depth, DLQ depth and blocked keys per queue, and webhook freshness per topic', async () => {
    const forged = await fetch(`${stack.sidecarUrl}/webhooks/shopify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-topic': 'forged/topic', 'x-shopify-hmac-sha256': 'AAAA' },
      body: '{}',
    });
    assert.equal(forged.status, 401);
    const text = await scrape();
    assert.equal(sample(text, 'shopify_sync_webhook_deliveries_total', { topic: 'unverified', outcome: 'invalid_hmac' }), 1);
    assert.ok(!text.includes('forged/topic'), 'an unauthenticated topic never becomes a label');
    assert.equal(sample(text, 'shopify_sync_queue_dlq_depth', { queue: 'customers' }), 2);
    assert.equal(sample(text, 'shopify_sync_queue_blocked_keys', { queue: 'customers' }), 2);
    assert.equal(sample(text, 'shopify_sync_queue_depth', { queue: 'customers' }), 1);
    assert.equal(sample(text, 'shopify_sync_queue_dlq_depth', { queue: 'orders' }), 0);
    assert.equal(sample(text, 'shopify_sync_webhook_deliveries_total', { topic: 'orders/create', outcome: 'queued' }), 1);
    assert.equal(sample(text, 'shopify_sync_webhook_deliveries_24h', { topic: 'orders/create' }), 1);
    const age = sample(text, 'shopify_sync_webhook_last_received_age_seconds', { topic: 'orders/create' })!;
    assert.ok(age >= 0 && age < 60, `age ${age}`);
  });

  it('reports outbox lag and pulls, Odoo call latency and errors', async () => {
    await assert.rejects(stack.sidecar.odoo.executeKw('shopify.sync.api', 'no_such_method', [{}]));
    // The lag is refreshed at every pull: the drain's last batch held the event, the next poll finds none.
    await stack.waitFor('an empty outbox pull', () => stack.sidecar.metrics.outboxLagSeconds() === 0);
    const text = await scrape();
    assert.ok((sample(text, 'shopify_sync_outbox_events_pulled_total') ?? 0) >= 1);
    assert.equal(sample(text, 'shopify_sync_outbox_lag_seconds'), 0, 'nothing pending after the drain');
    assert.ok(
      (sample(text, 'shopify_sync_odoo_call_duration_seconds_count', { method: 'shopify.sync.api.pull_events', outcome: 'ok' }) ?? 0) >= 1,
    );
    const errors = text
      .split('\n')
      .filter((l) => l.startsWith('shopify_sync_odoo_call_errors_total{method="shopify.sync.api.no_such_method"'));
    assert.equal(
      errors.length,
      1,
      text
        .split('\n')
        .filter((l) => l.includes('odoo_call_errors'))
        .join('\n'),
    );
  });

  it('reports the Shopify budget, throttle waits and deprecation notices', async () => {
    const shopify = stack.sidecar.shopify;
    // Drain the shared bucket, then ask for more: the budget must wait (a throttle wait), then
    // give both reservations back.
    const level = shopify.budget.snapshot().available;
    const first = await shopify.budget.reserve('orders', Math.floor(level) - 10);
    const second = await shopify.budget.reserve('orders', 60);
    await shopify.budget.settle(first, { kind: 'not-charged' });
    await shopify.budget.settle(second, { kind: 'not-charged' });
    stack.sim.faults.set({ deprecatedVersions: [stack.config.shopify.apiVersion] });
    try {
      await shopify.request('Shop', undefined, { lane: 'orders' });
    } finally {
      stack.sim.faults.set({ deprecatedVersions: [] });
    }
    const text = await scrape();
    assert.equal(sample(text, 'shopify_sync_shopify_budget_maximum'), 2000);
    assert.ok((sample(text, 'shopify_sync_shopify_budget_available') ?? 0) > 0);
    assert.equal(sample(text, 'shopify_sync_shopify_throttle_waits_total'), 1);
    assert.ok((sample(text, 'shopify_sync_shopify_throttle_wait_seconds_total') ?? 0) > 0.3);
    const notices = text.split('\n').filter((l) => l.startsWith('shopify_sync_shopify_deprecation_notices_total{'));
    assert.equal(notices.length, 1, notices.join('\n'));
    assert.match(notices[0]!, / 1$/);
  });

  it('serves the dashboard data from the per-minute rollups with the DLQ entries, blocked keys and webhook freshness', async () => {
    const unauth = await fetch(`${stack.sidecarUrl}/admin/api/dashboard`);
    assert.equal(unauth.status, 401);
    const res = await fetch(`${stack.sidecarUrl}/admin/api/dashboard`, { headers: { authorization: `Bearer ${stack.config.adminToken}` } });
    assert.equal(res.status, 200);
    // The JSON of dashboardData (its dates are already ISO strings).
    const data = (await res.json()) as Awaited<ReturnType<typeof dashboardData>>;
    const customers = data.flows.find((f) => f.queue === 'customers')!;
    assert.deepEqual(customers.hour?.totals, { completed: 1, failed: 3, retried: 1, deadLettered: 2 });
    assert.equal(data.hourAxis.length, 60);
    assert.equal(data.dayAxis.length, 96);
    const { rows } = await stack.sidecar.pool.query('SELECT sum(completed)::int AS c FROM shopify_sync.metrics_rollup');
    assert.equal(rows[0].c, 3);
    assert.equal(data.deadLetters[0]?.queue, 'customers');
    assert.equal(data.deadLetters[0]?.size, 2);
    assert.equal(data.deadLetters[0]?.newest[0]?.reason, 'PermanentError: test: customer has no email');
    assert.equal(data.blocked[0]?.keys.length, 2);
    assert.equal(data.webhooks[0]?.topic, 'orders/create');
    assert.deepEqual(data.reports, { reconciliation: null, integrity: null });
  });

  it('signs in to the dashboard with a form post that sets an HttpOnly SameSite=Strict session cookie (no browser needed)', async () => {
    const login = (token: string) =>
      fetch(`${stack.sidecarUrl}/dashboard/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      });
    assert.equal((await login('wrong-token-0123456789abcdef')).status, 401);
    const res = await login(stack.config.adminToken);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/dashboard');
    const cookie = res.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^sidecar_session=\d+\.[A-Za-z0-9_-]+; Max-Age=43200; Path=\/; Expires=.+; HttpOnly; SameSite=Strict$/);
    const session = cookie.split(';')[0]!;
    const page = await fetch(`${stack.sidecarUrl}/dashboard`, { headers: { cookie: session } });
    assert.match(await page.text(), /uPlot\.iife\.min\.js/);
    assert.equal((await fetch(`${stack.sidecarUrl}/admin/api/dashboard`, { headers: { cookie: session } })).status, 200);
    assert.equal((await fetch(`${stack.sidecarUrl}/dashboard/assets/uPlot.iife.min.js`)).status, 200);
    assert.equal((await fetch(`${stack.sidecarUrl}/dashboard/assets/dashboard.js`)).status, 200);
  });

  it('fires the DLQ alert above the threshold, repeats it only after ALERT_REPEAT_MINUTES and resolves it exactly once', async () => {
    receiver.bodies.length = 0;
    let clock = Date.now();
    const alerter = createAlerter({
      pool: stack.sidecar.pool,
      schema: stack.config.database.appSchema,
      queue: stack.sidecar.queue,
      alerts: { ...stack.config.alerts, webhookSilenceMinutes: 360 },
      publicUrl: stack.config.publicUrl,
      shop: STACK_SHOP,
      logger: stack.sidecar.logger,
      clock: () => clock,
    });
    const first = await alerter.evaluate();
    assert.deepEqual(first.sent, [{ key: 'dlq:customers', status: 'firing', repeat: false }]);
    assert.equal(receiver.bodies.length, 1);
    const body = receiver.bodies[0]!;
    assert.equal(body.event_action, 'trigger');
    assert.equal(body.value, 2);
    assert.equal(body.threshold, 1);
    assert.match(body.text, /customers dead-letter queue holds 2 jobs \(threshold 1\)/);
    assert.match(body.text, new RegExp(`${stack.config.publicUrl}/dashboard`));

    // The sidecar's own alerter shares the state (nothing sent twice) and reports to Odoo's overview.
    assert.deepEqual((await stack.sidecar.alerter.evaluate()).sent, []);
    assert.deepEqual(await stack.merchant!.readSidecarHealth(), {
      alert_count: 1,
      dlq_depth: 2,
      text: 'customers dead-letter queue holds 2 jobs (threshold 1)',
    });

    clock += 29 * 60_000;
    assert.deepEqual((await alerter.evaluate()).sent, [], 'rate-limited within ALERT_REPEAT_MINUTES');
    clock += 2 * 60_000;
    assert.deepEqual((await alerter.evaluate()).sent, [{ key: 'dlq:customers', status: 'firing', repeat: true }]);
    assert.equal(receiver.bodies.length, 2);

    for (const entry of await stack.sidecar.queue.listDeadLetters('customers'))
      await stack.sidecar.queue.discardDeadLetter('customers', entry.id);
    const resolved = await alerter.evaluate();
    assert.deepEqual(resolved.sent, [{ key: 'dlq:customers', status: 'resolved', repeat: false }]);
    assert.equal(receiver.bodies[2]!.event_action, 'resolve');
    assert.match(receiver.bodies[2]!.text, /Resolved/);
    assert.deepEqual(resolved.active, []);
    assert.deepEqual((await alerter.evaluate()).sent, [], 'one resolution only');
    await stack.sidecar.alerter.evaluate();
    assert.equal((await stack.merchant!.readSidecarHealth())?.alert_count, 0);
    assert.equal(receiver.bodies.length, 3);
  });

  it('alerts on a webhook topic silent beyond the threshold, only for topics seen before, and resolves when it speaks again', async () => {
    receiver.bodies.length = 0;
    let clock = Date.now() + 361 * 60_000;
    const alerter = createAlerter({
      pool: stack.sidecar.pool,
      schema: stack.config.database.appSchema,
      queue: stack.sidecar.queue,
      alerts: { ...stack.config.alerts, webhookSilenceMinutes: 360 },
      publicUrl: stack.config.publicUrl,
      shop: STACK_SHOP,
      logger: stack.sidecar.logger,
      clock: () => clock,
    });
    const round = await alerter.evaluate();
    assert.deepEqual(round.sent, [{ key: 'webhook_silence:orders/create', status: 'firing', repeat: false }]);
    assert.match(receiver.bodies[0]!.text, /webhook topic orders\/create silent for 36[01] minutes \(threshold 360\)/);
    clock = Date.now();
    assert.deepEqual((await alerter.evaluate()).sent, [{ key: 'webhook_silence:orders/create', status: 'resolved', repeat: false }]);
    assert.equal(receiver.bodies.length, 2);
  });
});
