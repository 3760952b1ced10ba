/**
 * The refunds and returns flows end to end against the Odoo double (dev/testing/money-scenarios.ts;
 * the same scenarios run against a real Odoo in ../money.real-odoo.e2e.test.ts).
 */
import { defineEditScenarios } from '../../../dev/testing/edit-scenarios.js';
import { defineMoneyScenarios } from '../../../dev/testing/money-scenarios.js';
import { useDoubleStack } from '../../../dev/testing/scenario-stack.js';
import { defineTaxFlowScenarios } from '../../../dev/testing/tax-scenarios.js';

describe('refunds and returns flows end to end (simulator, PostgreSQL, Odoo double)', function () {
  this.timeout(90_000);
  const scenario = useDoubleStack({ database: 'flow_money_e2e' });
  defineMoneyScenarios(scenario);
  defineEditScenarios(scenario);
  describe('taxes to the cent', () => defineTaxFlowScenarios(scenario));
});
