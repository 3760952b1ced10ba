/**
 * Taxes to the cent (docs/flows.md, "Taxes to the cent"), run against the double and a real Odoo
 * like the rest of ./suite.ts: stacked state and city rates, line discounts and taxed shipping,
 * taxes excluded and included, in both of Odoo's tax rounding modes, for the order, the invoice
 * made from it and a refund's credit note; and the "odoo" tax source with its tolerance.
 *
 * The amounts are Shopify's: each tax line of each line rounded once on the discounted price.
 * Odoo rounds the same taxes on the product line and on its separate discount line (per line) or
 * once per tax over the order (globally), and misses by a cent either way on this order:
 * per line 24.36, globally 24.38, Shopify 24.37.
 */
import assert from 'node:assert/strict';
import type { RefundDocument } from '../../sidecar/odoo/contract.js';
import { gidOf, orderDoc, type FixtureTaxLine } from './fixtures.js';
import type { AreaContext } from './target.js';

const STATE = { title: 'CA State Tax', rate: '0.0625' };
const CITY = { title: 'Los Angeles City Tax', rate: '0.025' };
const state = (amount: string): FixtureTaxLine => ({ ...STATE, amount });
const city = (amount: string): FixtureTaxLine => ({ ...CITY, amount });
const ROUNDINGS = ['round_per_line', 'round_globally'] as const;

export function defineTaxScenarios(get: () => AreaContext): void {
  const mapStacked = (included: boolean) =>
    get().m.configure({
      tax_mapping: [
        { title: STATE.title, rate: 0.0625, tax: `State 6.25%${included ? ' incl.' : ''}`, price_include: included },
        { title: CITY.title, rate: 0.025, tax: `City 2.5%${included ? ' incl.' : ''}`, price_include: included },
      ],
    });
  after(() => get().m.configure({ tax_rounding: 'round_per_line', tax_source: 'shopify', tax_tolerance: '0.00' }));

  /** Two lines at 9.99 with discounts 1.00 and 1.55, shipping 4.99, state 6.25 % + city 2.5 % on each: 24.37 in Shopify. */
  const stackedOrder = async () => {
    const { currency, wh } = get();
    const [a, b] = [await get().stocked(), await get().stocked()];
    return orderDoc({
      currency,
      location_gid: wh[0]!.location_gid,
      lines: [
        { sku: a.sku, quantity: 1, price: '9.99', discount: '1.00', taxes: [state('0.56'), city('0.22')] },
        { sku: b.sku, quantity: 1, price: '9.99', discount: '1.55', taxes: [state('0.53'), city('0.21')] },
      ],
      shipping: { price: '4.99', taxes: [state('0.31'), city('0.12')] },
    });
  };

  for (const rounding of ROUNDINGS) {
    describe(`taxes to the cent (${rounding})`, () => {
      beforeEach(async () => {
        await get().m.configure({ tax_rounding: rounding, tax_source: 'shopify', tax_tolerance: '0.00' });
        await mapStacked(false);
      });

      it("stacked rates, line discounts and taxed shipping: the order and its invoice equal Shopify's total, the cent carried by a visible line", async () => {
        const { contract, m } = get();
        const doc = await stackedOrder();
        assert.equal(doc.total_price, '24.37');
        const r = await contract.applyOrder(doc);
        assert.equal(r.status, 'created', r.message);
        assert.equal(r.state, 'sale');
        assert.equal(r.amount_total, '24.37');
        const adjustment = (await m.readOrderLines(r.sale_order_id)).lines.filter((l) => l.role === 'tax_adjustment');
        // Odoo alone: 24.36 per line, 24.38 globally.
        assert.deepEqual(
          adjustment.map((l) => l.price_total),
          [rounding === 'round_per_line' ? '0.01' : '-0.01'],
        );
        assert.equal((await m.readBinding('sale.order', r.sale_order_id)).state, 'synced');
        const invoice = await m.invoiceOrder(r.sale_order_id);
        assert.deepEqual([invoice.move_type, invoice.amount_total], ['out_invoice', '24.37']);
        // The same document again changes nothing; an update keeps one adjustment line.
        assert.equal((await contract.applyOrder(doc)).status, 'unchanged');
      });

      it("a refund's credit note with stacked rates and a discount share equals Shopify's refund and is posted", async () => {
        const { contract, m } = get();
        const doc = await stackedOrder();
        const r = await contract.applyOrder(doc);
        assert.equal(r.status, 'created', r.message);
        await m.invoiceOrder(r.sale_order_id);
        // The second line (9.99 − 1.55 = 8.44, taxes 0.53 + 0.21), not delivered: 9.18 back.
        const refund: RefundDocument = {
          refund_gid: gidOf('Refund'),
          order_gid: doc.order_gid,
          created_at: '2026-11-03T10:00:00Z',
          note: null,
          return_gid: null,
          lines: [
            {
              line_gid: doc.lines[1]!.line_gid,
              sku: doc.lines[1]!.sku,
              quantity: 1,
              subtotal: '8.44',
              total_tax: '0.74',
              restock_type: 'cancel',
              location_gid: null,
            },
          ],
          shipping: { amount: '0.00', tax: '0.00' },
          adjustments: [],
          total: '9.18',
        };
        const applied = await contract.applyRefund(refund);
        assert.equal(applied.status, 'created', applied.message);
        assert.ok(applied.credit_note_id, 'a credit note');
        assert.deepEqual(await m.readCreditNote(applied.credit_note_id), { amount_total: '9.18', state: 'posted' });
      });

      it('taxes included, stacked, with a discount and taxed shipping: the total is what the customer paid, a shipping raise after invoicing included', async () => {
        const { contract, m, currency, wh } = get();
        await mapStacked(true);
        const p = await get().stocked();
        // 3 × 9.99 − 1.55 = 28.42 including 1.63 + 0.65; shipping 4.99 including 0.29 + 0.11.
        const doc = {
          ...orderDoc({
            currency,
            location_gid: wh[0]!.location_gid,
            lines: [{ sku: p.sku, quantity: 3, price: '9.99', discount: '1.55', taxes: [state('1.63'), city('0.65')] }],
            shipping: { price: '4.99', taxes: [state('0.29'), city('0.11')] },
          }),
          taxes_included: true,
          total_price: '33.41',
        };
        const r = await contract.applyOrder(doc);
        assert.deepEqual([r.status, r.amount_total], ['created', '33.41'], r.message);
        const invoice = await m.invoiceOrder(r.sale_order_id);
        assert.equal(invoice.amount_total, '33.41');
        // The shipping raised to 5.99 (including 0.35 + 0.14) after invoicing: the 1.00 more, taxes
        // included, is a line to invoice; the invoices come to what the customer paid.
        const raised = await contract.applyOrder({
          ...doc,
          updated_at: '2026-11-01T11:00:00Z',
          shipping_lines: [{ ...doc.shipping_lines[0]!, price: '5.99', tax_lines: [state('0.35'), city('0.14')] }],
          total_price: '34.41',
        });
        assert.deepEqual([raised.status, raised.amount_total], ['updated', '34.41'], raised.message);
        assert.deepEqual(
          (await m.readOrderLines(r.sale_order_id)).lines.filter((l) => l.role === 'raised').map((l) => [l.quantity, l.price_total]),
          [[1, '1.00']],
        );
        assert.equal((await m.invoiceOrder(r.sale_order_id)).amount_total, '1.00');
      });

      it("under Odoo's tax engine: a difference beyond the tolerance is flagged with both amounts, within it the order is confirmed as Odoo computed it", async () => {
        const { contract, m } = get();
        await m.configure({ tax_source: 'odoo', tax_tolerance: '0.00' });
        const doc = await stackedOrder();
        const odoo = rounding === 'round_per_line' ? '24.36' : '24.38';
        const flagged = await contract.applyOrder(doc);
        assert.equal(flagged.status, 'flagged');
        assert.equal(flagged.state, 'draft');
        assert.equal(flagged.message, `order ${doc.name}: Odoo total ${odoo} differs from Shopify total_price 24.37`);
        assert.equal((await m.readBinding('sale.order', flagged.sale_order_id)).state, 'error');
        await m.configure({ tax_tolerance: '0.05' });
        const accepted = await contract.applyOrder({ ...doc, updated_at: '2026-11-01T11:00:00Z' });
        assert.deepEqual([accepted.status, accepted.state, accepted.amount_total], ['updated', 'sale', odoo], accepted.message);
        const lines = (await m.readOrderLines(accepted.sale_order_id)).lines;
        assert.deepEqual(
          lines.filter((l) => l.role === 'tax_adjustment'),
          [],
          'no adjustment line under the odoo source',
        );
      });
    });
  }
}
