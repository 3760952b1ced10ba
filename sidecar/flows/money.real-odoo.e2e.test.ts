/**
 * The refunds and returns flows end to end against a REAL Odoo (17, 18 or 19) with shopify_sync (the same
 * scenarios as refunds/money.e2e.test.ts against the double: dev/testing/money-scenarios.ts).
 * Odoo is seen only through the contract (the sidecar) and the real MerchantDriver.
 *
 * Skipped unless ODOO_URL, ODOO_DB, ODOO_USER and ODOO_API_KEY are set (ODOO_ADMIN_USER and
 * ODOO_ADMIN_PASSWORD, default admin/admin, are the merchant). `scripts/e2e-real-odoo.sh` runs it
 * against a throwaway database (`make test-odoo`).
 */
import { defineEditScenarios } from '../../dev/testing/edit-scenarios.js';
import { realOdooFromEnv } from '../../dev/testing/env.js';
import { defineMoneyScenarios } from '../../dev/testing/money-scenarios.js';
import { definePresentmentScenarios } from '../../dev/testing/presentment-scenarios.js';
import { useRealOdooStack } from '../../dev/testing/scenario-stack.js';
import { defineTaxFlowScenarios } from '../../dev/testing/tax-scenarios.js';

describe('refunds and returns flows end to end against a real Odoo (simulator → sidecar → Odoo 17, 18 or 19 over its transport)', function () {
  this.timeout(180_000);
  const scenario = useRealOdooStack(realOdooFromEnv(), {
    database: 'flows_money_real_odoo_e2e',
    logName: 'money-e2e',
    stack: { env: { ORDERS_PULL_CRON: '0 0 1 1 *' } },
  });
  defineMoneyScenarios(scenario);
  defineEditScenarios(scenario);
  describe('taxes to the cent', () => defineTaxFlowScenarios(scenario));
  describe("orders booked in the customer's currency", () => definePresentmentScenarios(scenario));
});
