/**
 * Outages end in waiting, not in dead letters (docs/queues.md, "Retries and outages"): Odoo stops
 * answering for longer than the whole retry budget while orders keep coming. The orders queue
 * pauses once Odoo's circuit breaker opens, an `unreachable:odoo` alert fires, nothing is
 * dead-lettered, and when Odoo answers again the queue resumes by itself and every order arrives.
 */
import assert from 'node:assert/strict';
import { createDoubleMerchant, createOdooDouble } from '../../dev/odoo-double/index.js';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { startStack, type Stack } from '../../dev/testing/stack.js';
import { ordersFlow } from '../flows/orders/index.js';
import { OdooRetryableError } from '../odoo/errors.js';
import type { OdooCaller } from '../odoo/types.js';

describe('an Odoo outage longer than the retry budget (simulator, PostgreSQL, Odoo double behind a switch)', function () {
  this.timeout(120_000);
  let stack: Stack;
  const odoo = createOdooDouble({
    warehouses: [{ name: 'Main warehouse', code: 'WH', location_gid: 'gid://shopify/Location/101' }],
    settings: { company_currency: 'EUR' },
  });
  let down = false;
  // What the sidecar sees of an Odoo whose server is stopped: the connection is refused.
  const switched: OdooCaller = {
    executeKw: (model, method, args, kwargs) => {
      if (!down) return odoo.executeKw(model, method, args, kwargs);
      return Promise.reject(new OdooRetryableError('odoo /jsonrpc: connect ECONNREFUSED 127.0.0.1:8069'));
    },
  };

  before(async () => {
    stack = await startStack({
      databaseUrl: await testDatabase('queue_outage_e2e'),
      flows: [ordersFlow],
      odoo: switched,
      env: {
        // Three retries of a second each: without the breaker, every order would be dead-lettered within seconds.
        QUEUE_RETRY_BUDGET_SECONDS: '3',
        QUEUE_RETRY_DELAY_SECONDS: '1',
        QUEUE_RETRY_DELAY_MAX_SECONDS: '1',
        CIRCUIT_BREAKER_FAILURES: '2',
        CIRCUIT_BREAKER_PROBE_SECONDS: '1',
        ALERT_INTERVAL_SECONDS: '1',
        ORDERS_PULL_CRON: '0 0 1 1 *',
      },
    });
    await createDoubleMerchant(odoo).createProduct({ name: 'Mug', price: '9.50', variants: [{ sku: 'OUT-MUG' }] });
    await stack.simControl('POST', '/products', { title: 'Mug', sku: 'OUT-MUG', price: '9.50', stock: { '101': 50 } });
    await stack.subscribeWebhooks(['orders/create', 'orders/updated', 'orders/paid']);
  });
  after(async () => {
    await stack?.stop();
  });

  it('pauses the orders queue, alerts, dead-letters nothing, and imports every order once Odoo is back', async () => {
    assert.equal(stack.config.queue.retryLimit, 3);
    down = true;
    const placed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const order = await stack.simControl<{ admin_graphql_api_id: string }>('POST', '/orders', {
        email: `outage-${i}@example.com`,
        lines: [{ sku: 'OUT-MUG', quantity: 1 }],
      });
      placed.push(order.admin_graphql_api_id);
    }
    await stack.waitFor('the orders queue paused', () => stack.sidecar.queue.paused().includes('orders'), 30_000);
    const alert = await stack.waitFor('the unreachable alert', async () =>
      (await stack.sidecar.alerter.active()).find((a) => a.key === 'unreachable:odoo'),
    );
    assert.match(alert.summary, /^Odoo unreachable/);
    // Down for longer than the whole retry budget (3 s), as the breaker counts it.
    await stack.waitFor('Odoo down for 6 s', () => Date.now() - (stack.sidecar.breakers.state().odoo.since ?? Date.now()) > 6000, 30_000);
    const stats = (await stack.sidecar.queue.queueStats()).find((q) => q.queue === 'orders')!;
    assert.deepEqual([stats.dlq, stats.failed], [0, 0], 'nothing dead-lettered during the outage');

    down = false;
    await stack.waitFor(
      'every order imported',
      () => placed.every((gid) => [...odoo.state.saleOrders.values()].some((so) => so.order_gid === gid)),
      30_000,
    );
    assert.deepEqual(stack.sidecar.queue.paused(), []);
    const after = (await stack.sidecar.queue.queueStats()).find((q) => q.queue === 'orders')!;
    assert.equal(after.dlq, 0);
    assert.ok(stack.logs.lines.some((l) => l.message === 'odoo answers again: resuming its queues'));
    await stack.waitFor(
      'the alert resolved',
      async () => !(await stack.sidecar.alerter.active()).some((a) => a.key === 'unreachable:odoo'),
    );
  });
});
