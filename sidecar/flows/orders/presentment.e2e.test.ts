/**
 * Orders booked in the customer's (presentment) currency end to end against the Odoo double
 * (dev/testing/presentment-scenarios.ts; the same scenarios run against a real Odoo in
 * money.real-odoo.e2e.test.ts).
 */
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { definePresentmentScenarios } from '../../../dev/testing/presentment-scenarios.js';
import { startStack, type Stack } from '../../../dev/testing/stack.js';

describe('orders paid in another currency, booked in it, end to end (simulator, PostgreSQL, Odoo double)', function () {
  this.timeout(90_000);
  let stack: Stack;
  let warehouseId: number;

  before(async () => {
    stack = await startStack({ databaseUrl: await testDatabase('flow_presentment') });
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

  definePresentmentScenarios(() => ({ stack, merchant: stack.merchant!, warehouseId, timeoutMs: 30_000 }));
});
