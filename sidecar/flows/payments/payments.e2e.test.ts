/**
 * The payments flow end to end against the Odoo double (dev/testing/payment-scenarios.ts; the
 * same scenarios run against a real Odoo in ./real-odoo.e2e.test.ts).
 */
import { definePaymentFlowScenarios } from '../../../dev/testing/payment-scenarios.js';
import { useDoubleStack } from '../../../dev/testing/scenario-stack.js';

describe('payments flow end to end (simulator, PostgreSQL, Odoo double)', function () {
  this.timeout(90_000);
  // No orders pull: the reconciliation scenarios must be the only backstop of a lost webhook.
  definePaymentFlowScenarios(useDoubleStack({ database: 'flow_payments_e2e', stack: { env: { ORDERS_PULL_CRON: '0 0 1 1 *' } } }));
});
