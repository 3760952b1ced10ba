/**
 * The refunds and returns flows end to end against a REAL Odoo (17, 18 or 19) with shopify_sync (the same
 * scenarios as refunds/money.e2e.test.ts against the double: dev/testing/money-scenarios.ts).
 * Odoo is seen only through the contract (the sidecar) and the real MerchantDriver.
 *
 * Skipped unless ODOO_URL, ODOO_DB, ODOO_USER and ODOO_API_KEY are set (ODOO_ADMIN_USER and
 * ODOO_ADMIN_PASSWORD, default admin/admin, are the merchant). `scripts/e2e-real-odoo.sh` runs it
 * against a throwaway database (`make test-odoo`).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createOdooClient } from '../odoo/client.js';
import { createRealMerchant } from '../../dev/conformance/real-driver.js';
import type { MerchantDriver } from '../../dev/conformance/target.js';
import { defineEditScenarios } from '../../dev/testing/edit-scenarios.js';
import { defineMoneyScenarios } from '../../dev/testing/money-scenarios.js';
import { definePresentmentScenarios } from '../../dev/testing/presentment-scenarios.js';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { realOdooFromEnv } from '../../dev/testing/env.js';
import { startStack, type Stack } from '../../dev/testing/stack.js';
import { defineTaxFlowScenarios } from '../../dev/testing/tax-scenarios.js';

const real = realOdooFromEnv();

describe('refunds and returns flows end to end against a real Odoo (simulator → sidecar → Odoo 17, 18 or 19 over its transport)', function () {
  this.timeout(180_000);
  let stack: Stack;
  let merchant: MerchantDriver;
  let warehouseId: number;
  let firstLogLine = 0;

  before(async function () {
    if (!real) {
      console.log('    (skipped: set ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY to run it; scripts/e2e-real-odoo.sh does)');
      this.skip();
    }
    const common = { url: real.url, db: real.db, requestTimeoutMs: 60_000 };
    merchant = createRealMerchant({
      // The merchant over JSON-RPC, as Odoo's web client; the sidecar over its own transport
      // (ODOO_PROTOCOL, default auto: JSON-2 on Odoo 19).
      admin: createOdooClient({ ...common, protocol: 'jsonrpc', user: real.adminUser, apiKey: real.adminPassword }),
      adminLogin: real.adminUser,
    });
    await merchant.configure({ import_policy: 'all', safety_stock: 0 });
    const main = (await merchant.warehouses()).find((w) => w.location_gid === 'gid://shopify/Location/101');
    assert.ok(main, 'the Odoo database maps a warehouse to Shopify location 101');
    warehouseId = main.id;
    stack = await startStack({
      databaseUrl: await testDatabase('flows_money_real_odoo_e2e'),
      odoo: createOdooClient({ ...common, protocol: real.protocol, user: real.user, apiKey: real.apiKey }),
      // Odoo refuses orders in another currency than the company's: the simulated shop sells in it.
      sim: { currency: await merchant.companyCurrency() },
      env: { ORDERS_PULL_CRON: '0 0 1 1 *' },
    });
    await stack.sidecar.workersStarted;
    await stack.subscribeWebhooks();
  });
  beforeEach(() => {
    firstLogLine = stack?.logs.lines.length ?? 0;
  });
  afterEach(function () {
    // A failed scenario leaves the sidecar's log lines in var/real-odoo/, next to Odoo's log.
    if (stack && this.currentTest?.state === 'failed') {
      const dir = path.resolve(import.meta.dirname, '../../var/real-odoo');
      const file = path.join(dir, `money-e2e-failed-${this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}.log`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        file,
        stack.logs.lines
          .slice(firstLogLine)
          .map((line) => JSON.stringify(line))
          .join('\n') + '\n',
      );
      console.log(`    (the sidecar's log of this scenario: ${path.relative(process.cwd(), file)})`);
    }
  });
  after(async () => {
    await stack?.stop();
  });

  defineMoneyScenarios(() => ({ stack, merchant, warehouseId, timeoutMs: 90_000 }));
  defineEditScenarios(() => ({ stack, merchant, warehouseId, timeoutMs: 90_000 }));
  describe('taxes to the cent', () => defineTaxFlowScenarios(() => ({ stack, merchant, warehouseId, timeoutMs: 90_000 })));
  describe("orders booked in the customer's currency", () =>
    definePresentmentScenarios(() => ({ stack, merchant, warehouseId, timeoutMs: 90_000 })));
});
