/**
 * Orders booked in the customer's (presentment) currency end to end against the Odoo double
 * (dev/testing/presentment-scenarios.ts; the same scenarios run against a real Odoo in
 * money.real-odoo.e2e.test.ts).
 */
import { definePresentmentScenarios } from '../../../dev/testing/presentment-scenarios.js';
import { useDoubleStack } from '../../../dev/testing/scenario-stack.js';

describe('orders paid in another currency, booked in it, end to end (simulator, PostgreSQL, Odoo double)', function () {
  this.timeout(90_000);
  definePresentmentScenarios(useDoubleStack({ database: 'flow_presentment' }));
});
