/**
 * Fulfillments made in Shopify end to end against the Odoo double (dev/testing/shipping-scenarios.ts;
 * the same scenarios run against a real Odoo in ../shipping.real-odoo.e2e.test.ts).
 */
import { useDoubleStack } from '../../../dev/testing/scenario-stack.js';
import { defineShippingScenarios } from '../../../dev/testing/shipping-scenarios.js';

describe('fulfillments made in Shopify end to end (simulator, PostgreSQL, Odoo double)', function () {
  this.timeout(90_000);
  defineShippingScenarios(useDoubleStack({ database: 'flow_shipping_e2e' }));
});
