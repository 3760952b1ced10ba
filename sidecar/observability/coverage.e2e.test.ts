/**
 * No topic without a worker, no job waiting unseen, no privacy request forgotten: the start-up
 * check, /readyz, the queue-age metric and the alerts, on the assembled sidecar (real PostgreSQL,
 * pg-boss and the Odoo double) running no flow at all, so every fed queue is unworked.
 */
import assert from 'node:assert/strict';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { startStack, type Stack } from '../../dev/testing/stack.js';
import { keys } from '../queue/names.js';

describe('coverage: unworked queues, queue age and privacy due dates (assembled sidecar, no flow)', function () {
  this.timeout(60_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack({ databaseUrl: await testDatabase('coverage_e2e'), flows: [] });
    await stack.sidecar.workersStarted;
  });
  after(async () => {
    await stack?.stop();
  });

  it('says at start which fed queues no flow works', () => {
    const line = stack.logs.lines.find((l) => l.message === 'queues fed but not worked');
    assert.ok(line, 'an error line at start');
    assert.equal(line.level, 'error');
    assert.deepEqual(line.queues, ['orders', 'refunds', 'returns', 'fulfillments', 'customers', 'products', 'inventory', 'privacy']);
  });

  it('shows the oldest waiting job per queue as a metric and alerts past the threshold', async () => {
    const shop = stack.config.shopify.shopDomain;
    const orderGid = 'gid://shopify/Order/4242';
    await stack.sidecar.queue.send(
      'orders',
      { source: 'pull', orderGid, updatedAt: '2026-11-27T10:00:00Z' },
      { key: keys.order(shop, orderGid) },
    );
    // Twenty minutes ago by pg-boss's clock: the database's (docs/architecture.md, "Time").
    const queueSchema = stack.config.database.queueSchema;
    await stack.sidecar.pool.query(
      `UPDATE ${queueSchema}.job SET start_after = start_after - interval '20 minutes', created_on = created_on - interval '20 minutes' WHERE name = 'orders'`,
    );
    const text = await stack.sidecar.metrics.text();
    const seconds = Number(/shopify_sync_queue_oldest_waiting_seconds\{queue="orders"\} ([0-9.]+)/.exec(text)?.[1]);
    assert.ok(seconds >= 1200 && seconds < 1260, `orders waited ${seconds} s`);
    assert.match(text, /shopify_sync_queue_oldest_waiting_seconds\{queue="customers"\} 0/);
    const round = await stack.sidecar.alerter.evaluate();
    const age = round.active.find((a) => a.key === 'queue_age:orders');
    assert.ok(age, JSON.stringify(round.active.map((a) => a.key)));
    assert.equal(age.threshold, stack.config.alerts.queueAgeMinutes);
    assert.ok(round.active.some((a) => a.key === 'unworked_queue:orders'));
  });

  it('alerts on a privacy request not done 7 days before its due date, and on a compliance delivery never handled', async () => {
    const day = 86_400_000;
    const received = new Date(Date.now() - 25 * day).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const opened = await stack.sidecar.contract.privacyRedactCustomer({
      request_key: 'coverage:due',
      received_at: received,
      customer_gid: 'gid://shopify/Customer/515151',
      order_gids: [],
    });
    const early = await stack.sidecar.contract.privacyRedactCustomer({
      request_key: 'coverage:not-yet',
      received_at: new Date(Date.now() - 20 * day).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      customer_gid: 'gid://shopify/Customer/525252',
      order_gids: [],
    });
    await stack.sidecar.pool.query(
      `INSERT INTO shopify_sync.webhook_inbox (webhook_id, topic, shop_domain, status, received_at)
       VALUES ('coverage-old-redact', 'customers/redact', $1, 'queued', now() - interval '24 days')`,
      [stack.config.shopify.shopDomain],
    );
    let round = await stack.sidecar.alerter.evaluate();
    const privacy = round.active.filter((a) => a.key.startsWith('privacy_due:')).map((a) => a.key);
    assert.deepEqual(privacy.sort(), [`privacy_due:${opened.name}`, 'privacy_due:webhook:coverage-old-redact']);
    assert.ok(!privacy.includes(`privacy_due:${early.name}`));
    // Done: the alert resolves.
    await stack.sidecar.contract.privacyRecordResult({ request_id: opened.request_id, sidecar: {} });
    round = await stack.sidecar.alerter.evaluate();
    assert.ok(round.sent.some((s) => s.key === `privacy_due:${opened.name}` && s.status === 'resolved'));
    // And the overview in Odoo lists the active ones.
    const health = await stack.merchant!.readSidecarHealth();
    assert.match(health?.text ?? '', /customers\/redact delivery coverage-old-redact/);
  });
});
