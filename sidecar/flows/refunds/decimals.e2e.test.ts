/**
 * Currencies with 0 and 3 decimals end to end against the Odoo double: a KWD shop and a JPY shop
 * (dev/testing/decimals-scenarios.ts), each with a company in the same currency.
 */
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { defineDecimalScenarios } from '../../../dev/testing/decimals-scenarios.js';
import { startStack, type Stack } from '../../../dev/testing/stack.js';

for (const currency of ['KWD', 'JPY'] as const) {
  describe(`a ${currency} shop end to end (simulator, PostgreSQL, Odoo double)`, function () {
    this.timeout(90_000);
    let stack: Stack;
    let warehouseId: number;

    before(async () => {
      stack = await startStack({ databaseUrl: await testDatabase(`flow_decimals_${currency.toLowerCase()}`), sim: { currency } });
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

    defineDecimalScenarios(() => ({ stack, merchant: stack.merchant!, warehouseId, timeoutMs: 30_000 }), currency);
  });
}
