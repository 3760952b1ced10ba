/**
 * The daily reconciliation's repair, end to end: an order whose webhooks never reached the sidecar
 * is found missing, and the repair job it enqueues is imported by the orders flow.
 */
import assert from 'node:assert/strict';
import { ordersFlow } from '../flows/orders/index.js';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { startStack, type Stack } from '../../dev/testing/stack.js';
import { runReconciliation } from './reconcile.js';

describe('reconciliation repair through the orders flow', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack({ databaseUrl: await testDatabase('reconcile_repair_e2e'), flows: [ordersFlow] });
  });
  after(async () => {
    await stack?.stop();
  });

  it('imports an order that never arrived by webhook once the reconciliation finds it missing', async () => {
    await stack.merchant!.createProduct({ name: 'Mug', price: '9.50', variants: [{ sku: 'REPAIR-MUG' }] });
    await stack.simControl('POST', '/products', { title: 'Mug', sku: 'REPAIR-MUG', price: '9.50', stock: { '101': 5 } });
    // No webhook subscription: the order exists only in Shopify.
    const order = await stack.simControl<{ admin_graphql_api_id: string }>('POST', '/orders', {
      email: 'lost@example.com',
      lines: [{ sku: 'REPAIR-MUG', quantity: 1 }],
    });
    assert.equal((await stack.merchant!.readSaleOrders(order.admin_graphql_api_id)).length, 0);

    const { sidecar, config } = stack;
    const deps = {
      pool: sidecar.pool,
      schema: config.database.appSchema,
      shop: config.shopify.shopDomain,
      queue: sidecar.queue,
      shopify: sidecar.shopify,
      odoo: sidecar.contract,
      logger: sidecar.logger,
      clock: sidecar.clock,
    };
    const { report } = await runReconciliation(deps, { hours: 1 });
    assert.deepEqual(
      report.missing.map((m) => m.orderGid),
      [order.admin_graphql_api_id],
    );
    assert.deepEqual(report.repairJobs, [{ orderGid: order.admin_graphql_api_id, created: true }]);

    const [so] = await stack.waitFor('the repaired sale order', async () => {
      const found = await stack.merchant!.readSaleOrders(order.admin_graphql_api_id);
      return found.length > 0 ? found : undefined;
    });
    assert.equal(so!.amount_total, '9.50');
  });
});
