/**
 * The payments flow end to end against the Odoo double (dev/testing/payment-scenarios.ts; the
 * same scenarios run against a real Odoo in ./real-odoo.e2e.test.ts).
 */
import { definePaymentFlowScenarios } from '../../../dev/testing/payment-scenarios.js';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { startStack, type Stack } from '../../../dev/testing/stack.js';

describe('payments flow end to end (simulator, PostgreSQL, Odoo double)', function () {
  this.timeout(90_000);
  let stack: Stack;
  let warehouseId: number;

  before(async () => {
    // No orders pull: the reconciliation scenarios must be the only backstop of a lost webhook.
    stack = await startStack({ databaseUrl: await testDatabase('flow_payments_e2e'), env: { ORDERS_PULL_CRON: '0 0 1 1 *' } });
    await stack.sidecar.workersStarted;
    await stack.subscribeWebhooks();
    const warehouses = await stack.merchant!.warehouses();
    warehouseId = warehouses.find((w) => w.location_gid === 'gid://shopify/Location/101')!.id;
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') for (const l of stack.logs.lines.slice(-30)) console.log(JSON.stringify(l).slice(0, 500));
  });
  after(async () => {
    await stack?.stop();
  });

  definePaymentFlowScenarios(() => ({ stack, merchant: stack.merchant!, warehouseId, timeoutMs: 30_000 }));
});
