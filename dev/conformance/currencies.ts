/**
 * The shop currency against the company currency (docs/flows.md, "Currencies"), run against the
 * double and a real Odoo like the rest of ./suite.ts: the "pricelist" policy (held without a
 * pricelist in the shop currency, then booked in that currency as Shopify's amounts, also for a
 * currency without decimals) and the "convert" policy (every amount converted with Odoo's rate,
 * the order and a refund's credit note in the company currency). The targets' company currency is
 * USD; the rates are exact (1 USD = 0.8 EUR: 1 EUR = 1.25 USD).
 */
import assert from 'node:assert/strict';
import type { OrderDocument, RefundDocument } from '../../sidecar/odoo/contract.js';
import { gidOf, orderDoc, refundOf, vat } from './fixtures.js';
import type { AreaContext } from './target.js';

export function defineCurrencyScenarios(get: () => AreaContext): void {
  after(() => get().m.configure({ currency_policy: 'company', presentment_policy: 'shop' }));

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

  it('holds an order booked in a currency with three decimals while Odoo stores unit prices with two, naming the setting, then books it to the fils', async () => {
    const { contract, m } = get();
    await m.configure({ currency_policy: 'pricelist', price_digits: 2 });
    await m.setCurrency('KWD', { rate: '0.3', pricelist: true });
    const p = await get().stocked();
    // The fixtures price in cents; a fils price and its tax are laid over them, with Shopify's totals.
    const base = orderDoc({ currency: 'KWD', lines: [{ sku: p.sku, quantity: 2, price: '1.24', taxes: [vat('0.50')] }] });
    const doc: OrderDocument = {
      ...base,
      lines: [{ ...base.lines[0]!, price_unit: '1.235', tax_lines: [vat('0.494')] }],
      subtotal_price: '2.470',
      total_tax: '0.494',
      total_price: '2.964',
    };
    try {
      const held = await contract.applyOrder(doc);
      assert.equal(held.status, 'held');
      assert.match(
        held.message ?? '',
        /unit prices are stored with 2 decimals in Odoo \(Decimal Accuracy "Product Price"\) but KWD has 3: set it to 3/,
      );
      await m.configure({ price_digits: 3 });
      const r = await contract.applyOrder(doc);
      assert.deepEqual([r.status, r.state, r.amount_total], ['updated', 'sale', '2.964'], r.message);
    } finally {
      await m.configure({ price_digits: 2 });
    }
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
    const refund = refundOf(doc, 'cancel');
    const applied = await contract.applyRefund(refund);
    assert.equal(applied.status, 'created', applied.message);
    // 12.00 EUR × 1.25 = 15.00 USD.
    assert.deepEqual(await m.readCreditNote(applied.credit_note_id!), { amount_total: '15.00', state: 'posted' });
  });

  /** One order paid in `code`: its shop document (the targets' company currency) with the customer's amounts laid over it. */
  function paidIn(
    code: string,
    sku: string,
    shop: [price: string, tax: string, ship: string, shipTax: string],
    paid: typeof shop,
  ): OrderDocument {
    const order_gid = gidOf('Order');
    const spec = (currency: string, [price, tax, ship, shipTax]: typeof shop) =>
      orderDoc({
        order_gid,
        currency,
        lines: [{ sku, quantity: 2, price, taxes: [vat(tax)] }],
        shipping: { price: ship, taxes: [vat(shipTax)] },
      });
    const doc = spec(get().currency, shop);
    const inPaid = spec(code, paid);
    const taxes = (lines: ReadonlyArray<{ tax_lines?: ReadonlyArray<{ amount?: string }> | null }>) =>
      lines.map((l) => ({ tax_lines: (l.tax_lines ?? []).map((t) => ({ amount: t.amount ?? '0' })) }));
    return {
      ...doc,
      presentment_currency: code,
      presentment: {
        currency: code,
        lines: inPaid.lines.map((l, i) => ({ price_unit: l.price_unit, discount: l.discount ?? '0', ...taxes(inPaid.lines)[i] })),
        shipping_lines: inPaid.shipping_lines.map((l, i) => ({
          price: l.price,
          discount: l.discount ?? '0',
          ...taxes(inPaid.shipping_lines)[i],
        })),
        subtotal_price: inPaid.subtotal_price ?? '0',
        total_tax: inPaid.total_tax ?? '0',
        total_discounts: inPaid.total_discounts ?? '0',
        total_price: inPaid.total_price,
      },
    };
  }

  it('books the shop amounts of an order paid in another currency by default ("shop"), as before', async () => {
    const { contract, m, currency } = get();
    await m.configure({ currency_policy: 'pricelist', presentment_policy: 'shop' });
    await m.setCurrency('GBP', { rate: '0.8', pricelist: true });
    const p = await get().stocked();
    const doc = paidIn('GBP', p.sku, ['10.00', '4.00', '5.00', '1.00'], ['8.00', '3.20', '4.00', '0.80']);
    const r = await contract.applyOrder(doc);
    assert.deepEqual([r.status, r.state, r.amount_total], ['created', 'sale', '30.00'], r.message);
    assert.deepEqual(await m.readOrderCurrency(r.sale_order_id), { currency, shopify_currency: currency, amount_total: '30.00' });
    // The same document again is unchanged: its content hash does not count the customer's amounts.
    assert.equal((await contract.applyOrder(doc)).status, 'unchanged');
  });

  it('books the customer\'s amounts in their currency ("presentment"): held without a pricelist in it, naming the currency and the fix, then booked by the same document', async () => {
    const { contract, m } = get();
    await m.configure({ currency_policy: 'pricelist', presentment_policy: 'presentment' });
    await m.setCurrency('GBP', { rate: '0.8', pricelist: false });
    const p = await get().stocked();
    const doc = paidIn('GBP', p.sku, ['10.00', '4.00', '5.00', '1.00'], ['8.00', '3.20', '4.00', '0.80']);
    const held = await contract.applyOrder(doc);
    assert.equal(held.status, 'held');
    assert.match(held.message ?? '', /no pricelist in GBP: create one \(Sales > Configuration > Pricelists\)/);
    await m.setCurrency('GBP', { rate: '0.8', pricelist: true });
    const r = await contract.applyOrder(doc);
    assert.deepEqual([r.status, r.state, r.amount_total], ['updated', 'sale', '24.00'], r.message);
    assert.deepEqual(await m.readOrderCurrency(r.sale_order_id), { currency: 'GBP', shopify_currency: 'GBP', amount_total: '24.00' });
  });

  it('holds an order paid in a currency Odoo does not have active ("presentment"), naming it and where to activate it', async () => {
    const { contract, m } = get();
    await m.configure({ currency_policy: 'pricelist', presentment_policy: 'presentment' });
    const p = await get().stocked();
    const doc = paidIn('CHF', p.sku, ['10.00', '4.00', '5.00', '1.00'], ['9.00', '3.60', '4.50', '0.90']);
    const held = await contract.applyOrder(doc);
    assert.equal(held.status, 'held');
    assert.match(held.message ?? '', /currency CHF is not active in Odoo \(Accounting > Configuration > Currencies\)/);
  });

  it('books a customer\'s currency without decimals exactly ("presentment", JPY), and keeps an order in the money it was first booked in', async () => {
    const { contract, m, currency } = get();
    await m.configure({ currency_policy: 'pricelist', presentment_policy: 'presentment' });
    await m.setCurrency('JPY', { rate: '150', pricelist: true });
    const p = await get().stocked();
    const doc = paidIn('JPY', p.sku, ['10.00', '4.00', '5.00', '1.00'], ['1500', '600', '750', '150']);
    const r = await contract.applyOrder(doc);
    assert.deepEqual([r.status, r.amount_total], ['created', '4500'], r.message);
    assert.equal((await m.readOrderCurrency(r.sale_order_id)).currency, 'JPY');
    // Booked in shop money before the setting changed: an update stays in shop money.
    await m.configure({ presentment_policy: 'shop' });
    const shopDoc = paidIn('JPY', p.sku, ['10.00', '4.00', '5.00', '1.00'], ['1500', '600', '750', '150']);
    const first = await contract.applyOrder(shopDoc);
    assert.deepEqual([first.status, first.amount_total], ['created', '30.00'], first.message);
    await m.configure({ presentment_policy: 'presentment' });
    const later = await contract.applyOrder({ ...shopDoc, updated_at: '2026-11-02T10:00:00Z', note: 'gift wrap' });
    assert.deepEqual([later.status, later.amount_total], ['updated', '30.00'], later.message);
    assert.equal((await m.readOrderCurrency(later.sale_order_id)).currency, currency);
  });

  it("credits a refund of an order booked in the customer's currency with the refund's amounts in it, and refuses one without them", async () => {
    const { contract, m, wh } = get();
    await m.configure({ currency_policy: 'pricelist', presentment_policy: 'presentment' });
    await m.setCurrency('GBP', { rate: '0.8', pricelist: true });
    const p = await get().stocked();
    const doc = {
      ...paidIn('GBP', p.sku, ['10.00', '4.00', '5.00', '1.00'], ['8.00', '3.20', '4.00', '0.80']),
      location_gid: wh[0]!.location_gid,
    };
    const r = await contract.applyOrder(doc);
    assert.deepEqual([r.status, r.amount_total], ['created', '24.00'], r.message);
    const invoice = await m.invoiceOrder(r.sale_order_id);
    assert.equal(invoice.amount_total, '24.00');
    // The reconciliation compares it in that currency: order_status says which.
    const [status] = (await contract.orderStatus({ order_gids: [doc.order_gid] })).orders;
    assert.deepEqual([status!.amount_total, status!.currency], ['24.00', 'GBP']);
    const refund = (paid: boolean): RefundDocument =>
      refundOf(doc, 'cancel', 1, {
        ...(paid
          ? {
              presentment: {
                currency: 'GBP',
                lines: [{ subtotal: '8.00', total_tax: '1.60' }],
                shipping: { amount: '0.00', tax: '0.00' },
                adjustments: [],
                total: '9.60',
              },
            }
          : {}),
      });
    const bare = refund(false);
    await assert.rejects(
      contract.applyRefund(bare),
      (error: Error) =>
        error.message.includes(`refund ${bare.refund_gid}: order `) &&
        error.message.includes("is booked in the customer's currency GBP but the document has no amounts in GBP"),
    );
    const applied = await contract.applyRefund(refund(true));
    assert.equal(applied.status, 'created', applied.message);
    assert.deepEqual(await m.readCreditNote(applied.credit_note_id!), { amount_total: '9.60', state: 'posted' });
    // The sidecar refunds such a credit note in Shopify in that currency: the export says so.
    const exported = await contract.exportCreditNote({ move_id: applied.credit_note_id! });
    assert.deepEqual([exported.amount_total, exported.currency, exported.money], ['9.60', 'GBP', 'presentment']);
  });
}
