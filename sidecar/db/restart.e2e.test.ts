/**
 * A PostgreSQL restart never crashes the sidecar (docs/operations.md, "Database restarts"): a
 * restart over within the intake's 3 s retry window is answered 200 with the delivery stored;
 * while the database is away longer the webhook intake answers 503 within Shopify's 5 s (nothing
 * stored, so Shopify delivers again), and once it is back the queue, the LISTEN connection and the pools
 * reconnect by themselves and the redelivered order is imported. Runs against its own PostgreSQL,
 * stopped and started again mid-test (the mocha root's server is shared by the other tests).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createDoubleMerchant, createOdooDouble } from '../../dev/odoo-double/index.js';
import { startRestartablePostgres, type RestartablePostgres } from '../../dev/testing/postgres.js';
import { startStack, type Stack } from '../../dev/testing/stack.js';
import { ordersFlow } from '../flows/orders/index.js';

describe('a PostgreSQL restart under a running sidecar', function () {
  this.timeout(180_000);
  let postgres: RestartablePostgres;
  let stack: Stack;
  const odoo = createOdooDouble({
    warehouses: [{ name: 'Main warehouse', code: 'WH', location_gid: 'gid://shopify/Location/101' }],
    settings: { company_currency: 'EUR' },
  });

  before(async () => {
    postgres = await startRestartablePostgres();
    stack = await startStack({
      databaseUrl: await postgres.createDatabase('restart_e2e'),
      flows: [ordersFlow],
      odoo,
      env: { ORDERS_PULL_CRON: '0 0 1 1 *' },
    });
    await createDoubleMerchant(odoo).createProduct({ name: 'Mug', price: '9.50', variants: [{ sku: 'PG-MUG' }] });
    await stack.simControl('POST', '/products', { title: 'Mug', sku: 'PG-MUG', price: '9.50', stock: { '101': 50 } });
  });
  after(async () => {
    await stack?.stop();
    await postgres?.stop();
  });

  /** An orders/create delivery of a real simulator order, signed as Shopify signs it. */
  async function delivery(): Promise<{ gid: string; webhookId: string; send: () => Promise<{ status: number; ms: number }> }> {
    const order = await stack.simControl<{ id: number; admin_graphql_api_id: string }>('POST', '/orders', {
      email: 'restart@example.com',
      lines: [{ sku: 'PG-MUG', quantity: 1 }],
    });
    const body = JSON.stringify(await stack.simControl('GET', `/orders/${order.id}`));
    const webhookId = crypto.randomUUID();
    const secret = stack.config.shopify.webhookSecrets[0]!;
    return {
      gid: order.admin_graphql_api_id,
      webhookId,
      async send() {
        const started = Date.now();
        const res = await fetch(`${stack.sidecarUrl}/webhooks/shopify`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-shopify-topic': 'orders/create',
            'x-shopify-hmac-sha256': crypto.createHmac('sha256', secret).update(body).digest('base64'),
            'x-shopify-shop-domain': stack.config.shopify.shopDomain,
            'x-shopify-webhook-id': webhookId,
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        return { status: res.status, ms: Date.now() - started };
      },
    };
  }

  it('answers 503 while the database is away, and imports the redelivered order once it is back', async () => {
    const before = await delivery();
    assert.equal((await before.send()).status, 200);
    await stack.waitFor('the first order imported', () => [...odoo.state.saleOrders.values()].some((so) => so.order_gid === before.gid));

    const during = await delivery();
    // Down 8 s: longer than the intake's 3 s retry window (and its 4.5 s answer limit).
    const restarting = postgres.restart(8000);
    await stack.waitFor('the database away', () =>
      stack.sidecar.pool.query('SELECT 1').then(
        () => false,
        () => true,
      ),
    );
    const refused = await during.send();
    assert.equal(refused.status, 503, 'nothing could be stored: Shopify must deliver again');
    assert.ok(refused.ms < 5000, `answered within Shopify's 5 s (${refused.ms} ms)`);
    await restarting;

    // Shopify's next attempt (the same webhook id) after the database is back.
    const accepted = await stack.waitFor(
      'the delivery accepted again',
      async () => ((await during.send()).status === 200 ? true : undefined),
      60_000,
    );
    assert.equal(accepted, true);
    await stack.waitFor(
      'the redelivered order imported',
      () => [...odoo.state.saleOrders.values()].some((so) => so.order_gid === during.gid),
      60_000,
    );
    assert.ok(
      stack.logs.lines.some((l) => l.message === 'queue: pg-boss error'),
      'the terminated connections were reported, not thrown',
    );
  });

  it('stores a delivery sent during a restart that is over within the retry window, answering 200', async () => {
    const during = await delivery();
    const refusedOnce = () =>
      stack.logs.lines.some((l) => l.message === 'webhook store retried: database unreachable' && l.webhookId === during.webhookId);
    // Back as soon as the delivery's first attempt found it away (a fixed pause could end first on a busy machine).
    const restarting = postgres.restart(() => stack.waitFor('the first attempt refused', () => refusedOnce() || undefined));
    await stack.waitFor('the database away', () =>
      stack.sidecar.pool.query('SELECT 1').then(
        () => false,
        () => true,
      ),
    );
    const answer = await during.send();
    await restarting;
    assert.equal(answer.status, 200, 'stored after the database came back, within the window');
    assert.ok(refusedOnce(), 'the first attempt found the database away');
    await stack.waitFor('the order imported', () => [...odoo.state.saleOrders.values()].some((so) => so.order_gid === during.gid), 60_000);
  });
});
