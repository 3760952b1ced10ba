/**
 * Fulfillments made in Shopify (and returns received in Odoo) end to end against a REAL Odoo 18
 * with shopify_sync (the same scenarios as fulfillments/shipping.e2e.test.ts against the double:
 * dev/testing/shipping-scenarios.ts).
 * Odoo is seen only through the contract (the sidecar) and the real MerchantDriver.
 *
 * Skipped unless ODOO_URL, ODOO_DB, ODOO_USER and ODOO_API_KEY are set (ODOO_ADMIN_USER and
 * ODOO_ADMIN_PASSWORD, default admin/admin, are the merchant). `scripts/e2e-real-odoo.sh` runs it
 * against a throwaway database (`make test-odoo`).
 */
import { realOdooFromEnv } from '../../dev/testing/env.js';
import { useRealOdooStack } from '../../dev/testing/scenario-stack.js';
import { defineShippingScenarios } from '../../dev/testing/shipping-scenarios.js';

describe('fulfillments made in Shopify and returns received in Odoo end to end against a real Odoo (simulator → sidecar → Odoo 18 over JSON-RPC)', function () {
  this.timeout(180_000);
  defineShippingScenarios(
    useRealOdooStack(realOdooFromEnv(), {
      database: 'flows_shipping_real_odoo_e2e',
      logName: 'shipping-e2e',
      sidecarProtocol: 'jsonrpc',
      stack: { env: { ORDERS_PULL_CRON: '0 0 1 1 *' } },
    }),
  );
});
