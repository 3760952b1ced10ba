/**
 * The smoke version of `make money-audit` (./run.ts): a few orders with mixed taxes, discounts,
 * payments, gift cards, edits, returns, invoices and refunds, in three batches (one per invoice
 * policy), through the simulator, the sidecar and the Odoo double. Under the default tax source
 * every amount equals Shopify's, payments included; under Odoo's tax engine (no tolerance) the
 * audit finds the cents Odoo's own rounding misses, so it is not blind. With customers'
 * currencies, the orders booked in PLN, JPY and KWD are compared in them.
 */
import assert from 'node:assert/strict';
import { testDatabase } from '../testing/root-hooks.js';
import { anyDifference, runMoneyAudit } from './run.js';

describe('money audit smoke (simulator → sidecar → Odoo double)', function () {
  this.timeout(300_000);

  it("finds no amount that differs from Shopify's under the default tax source", async () => {
    const result = await runMoneyAudit({
      orders: 24,
      batch: 8,
      // Seed 77 gives a gift card used to pay, a capture, a bank transfer, a cash sale with change, edits before and after
      // delivery, returns, refunds before and after invoicing.
      seed: 77,
      rounding: 'round_globally',
      databaseUrl: await testDatabase('money_audit_smoke'),
      realOdoo: null,
      print: () => undefined,
    });
    console.log(`      ${result.line}\n      ${result.actionLine}`);
    assert.equal(anyDifference(result), false, result.examples.join('\n'));
    assert.equal(result.orders, 24);
    assert.ok(result.invoices > 0 && result.refunds > 0 && result.creditNotes > 0 && result.payments > 0, result.line);
    // Refunds after payment are outbound payments: the smoke compares both directions.
    assert.ok((result.actions.refund_after_invoice ?? 0) + (result.actions.return ?? 0) > 0, result.actionLine);
    assert.ok(result.giftCards >= 1, result.line);
  });

  it("compares orders paid in PLN, JPY (no decimals) and KWD (three) in the money Odoo booked them in: every amount equals Shopify's", async () => {
    const result = await runMoneyAudit({
      // Batches of 3 book in the customer's money, then the shop's, in turn. Seed 37: a PLN order refunded after its
      // invoice (on payment), a JPY and a KWD order invoiced by hand then refunded, booked in the customer's currency;
      // a KWD order with a duty booked in the shop's.
      orders: 12,
      batch: 3,
      seed: 37,
      rounding: 'round_per_line',
      currencies: 'mixed',
      databaseUrl: await testDatabase('money_audit_smoke_currencies'),
      realOdoo: null,
      print: () => undefined,
    });
    console.log(`      ${result.line}`);
    assert.equal(anyDifference(result), false, result.examples.join('\n'));
    // The double's company (and shop) currency is EUR.
    assert.deepEqual(result.currencies, { foreign: 4, presentment: 3, booked: { EUR: 9, PLN: 1, JPY: 1, KWD: 1 } }, result.line);
  });

  it("counts the orders and invoices Odoo's own tax rounding misses under the odoo tax source", async () => {
    const result = await runMoneyAudit({
      orders: 16,
      seed: 1,
      rounding: 'round_per_line',
      taxSource: 'odoo',
      databaseUrl: await testDatabase('money_audit_smoke_odoo'),
      realOdoo: null,
      print: () => undefined,
    });
    console.log(`      ${result.line}`);
    assert.ok(result.orderTotalsDiffer > 0, result.line);
    assert.equal(anyDifference(result), true);
  });
});
