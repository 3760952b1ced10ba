/**
 * Currencies with 0 and 3 decimals end to end against the Odoo double: a KWD shop and a JPY shop
 * (dev/testing/decimals-scenarios.ts), each with a company in the same currency.
 */
import { defineDecimalScenarios } from '../../../dev/testing/decimals-scenarios.js';
import { useDoubleStack } from '../../../dev/testing/scenario-stack.js';

for (const currency of ['KWD', 'JPY'] as const) {
  describe(`a ${currency} shop end to end (simulator, PostgreSQL, Odoo double)`, function () {
    this.timeout(90_000);
    defineDecimalScenarios(useDoubleStack({ database: `flow_decimals_${currency.toLowerCase()}`, stack: { sim: { currency } } }), currency);
  });
}
