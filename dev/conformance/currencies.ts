/**
 * The shop currency against the company currency (docs/flows.md, "Currencies"), run against the
 * double and a real Odoo like the rest of ./suite.ts: the "pricelist" policy (held without a
 * pricelist in the shop currency, then booked in that currency as Shopify's amounts, also for a
 * currency without decimals) and the "convert" policy (every amount converted with Odoo's rate,
 * the order and a refund's credit note in the company currency). The targets' company currency is
 * USD; the rates are exact (1 USD = 0.8 EUR: 1 EUR = 1.25 USD).
 */
import assert from 'node:assert/strict';
import type { RefundDocument } from '../../sidecar/odoo/contract.js';
import { gidOf, orderDoc, vat } from './fixtures.js';
import type { RefundScenarioContext } from './refunds.js';

export function defineCurrencyScenarios(get: () => RefundScenarioContext): void {
  after(() => get().m.configure({ currency_policy: 'company' }));

  it('refuses an order in another currency under the "company" policy, naming both currencies', async () => {
    const { contract, m, currency } = get();
    await m.configure({ currency_policy: 'company' });
    const p = await get().stocked();
    const doc = orderDoc({ currency: 'GBP', lines: [{ sku: p.sku, quantity: 1, price: '10.00' }] });
    await assert.rejects(contract.applyOrder(doc), (error: Error) =>
      error.message.includes(`shop currency GBP differs from the company currency ${currency}`),
    );
    assert.deepEqual(await m.readSaleOrders(doc.order_gid), []);
  });

  it('holds an order in another currency until a pricelist in it exists, then books Shopify\'s amounts in that currency ("pricelist")', async () => {
    const { contract, m } = get();
    await m.configure({ currency_policy: 'pricelist' });
    await m.setCurrency('GBP', { rate: '0.8', pricelist: false });
    const p = await get().stocked();
    const doc = orderDoc({
      currency: 'GBP',
      lines: [{ sku: p.sku, quantity: 2, price: '10.00', taxes: [vat('4.00')] }],
      shipping: { price: '5.00', taxes: [vat('1.00')] },
    });
    const held = await contract.applyOrder(doc);
    assert.equal(held.status, 'held');
    assert.match(held.message ?? '', /no pricelist in GBP: create one/);
    await m.setCurrency('GBP', { rate: '0.8', pricelist: true });
    const r = await contract.applyOrder(doc);
    assert.deepEqual([r.status, r.state, r.amount_total], ['updated', 'sale', '30.00'], r.message);
    assert.deepEqual(await m.readOrderCurrency(r.sale_order_id), { currency: 'GBP', shopify_currency: 'GBP', amount_total: '30.00' });
  });

  it('books a currency without decimals exactly ("pricelist", JPY)', async () => {
    const { contract, m } = get();
    await m.configure({ currency_policy: 'pricelist' });
    await m.setCurrency('JPY', { rate: '150', pricelist: true });
    const p = await get().stocked();
    const doc = orderDoc({
      currency: 'JPY',
      lines: [{ sku: p.sku, quantity: 3, price: '1980', discount: '500', taxes: [vat('1088')] }],
      shipping: { price: '800', taxes: [vat('160')] },
    });
    assert.equal(doc.total_price, '7488.00');
    const r = await contract.applyOrder(doc);
    // A result carries the currency's own decimals: none for the yen.
    assert.deepEqual([r.status, r.amount_total], ['created', '7488'], r.message);
    assert.equal((await m.readOrderCurrency(r.sale_order_id)).currency, 'JPY');
  });

  it('converts every amount into the company currency with Odoo\'s rate ("convert"), and the refund\'s credit note alike', async () => {
    const { contract, m, currency, wh } = get();
    await m.configure({ currency_policy: 'convert' });
    await m.setCurrency('EUR', { rate: '0.8', pricelist: false });
    const p = await get().stocked();
    const doc = orderDoc({
      currency: 'EUR',
      location_gid: wh[0]!.location_gid,
      lines: [{ sku: p.sku, quantity: 2, price: '10.00', taxes: [vat('4.00')] }],
      shipping: { price: '5.00', taxes: [vat('1.00')] },
    });
    const r = await contract.applyOrder(doc);
    // 30.00 EUR × 1.25 = 37.50 USD.
    assert.deepEqual([r.status, r.state, r.amount_total], ['created', 'sale', '37.50'], r.message);
    assert.deepEqual(await m.readOrderCurrency(r.sale_order_id), { currency, shopify_currency: 'EUR', amount_total: '37.50' });
    const invoice = await m.invoiceOrder(r.sale_order_id);
    assert.equal(invoice.amount_total, '37.50');
    const refund: RefundDocument = {
      refund_gid: gidOf('Refund'),
      order_gid: doc.order_gid,
      created_at: '2026-11-03T10:00:00Z',
      note: null,
      return_gid: null,
      lines: [
        {
          line_gid: doc.lines[0]!.line_gid,
          sku: p.sku,
          quantity: 1,
          subtotal: '10.00',
          total_tax: '2.00',
          restock_type: 'cancel',
          location_gid: null,
        },
      ],
      shipping: { amount: '0.00', tax: '0.00' },
      adjustments: [],
      total: '12.00',
    };
    const applied = await contract.applyRefund(refund);
    assert.equal(applied.status, 'created', applied.message);
    // 12.00 EUR × 1.25 = 15.00 USD.
    assert.deepEqual(await m.readCreditNote(applied.credit_note_id!), { amount_total: '15.00', state: 'posted' });
  });
}
