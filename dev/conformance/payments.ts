/**
 * The payments area's conformance scenarios (apply_payments, payment_status, gift card lines in
 * apply_order, the invoice policies), run against the double and a real Odoo like the rest of
 * ./suite.ts. Amounts: two units at 10.00 + 20 % VAT and shipping 5.00 + 1.00: 30.00.
 */
import assert from 'node:assert/strict';
import type { OrderDocument, PaymentTransaction } from '../../sidecar/odoo/contract.js';
import { OdooPermanentError } from '../../sidecar/odoo/errors.js';
import { gidOf, orderDoc, refundOf, vat } from './fixtures.js';
import { rejects, VALIDATION } from './support.js';
import type { AreaContext, MerchantSettings } from './target.js';

const CARD = 'Conformance card';
const GIFT = { journal: 'Conformance gift cards', account: 'Conformance gift cards outstanding' };
const MONEY: MerchantSettings = { invoice_policy: 'on_payment', gateways: [{ gateway: 'bogus', journal: CARD }], gift_card: GIFT };

export function definePaymentScenarios(get: () => AreaContext): void {
  const tx = (kind: PaymentTransaction['kind'], amount: string, extra: Partial<PaymentTransaction> = {}): PaymentTransaction => ({
    transaction_gid: gidOf('OrderTransaction'),
    kind,
    status: 'success',
    gateway: 'bogus',
    amount,
    processed_at: '2026-11-01T10:05:00Z',
    ...extra,
  });
  const order = async (extra: Partial<Parameters<typeof orderDoc>[0]> = {}) => {
    const { contract, currency, wh } = get();
    const p = await get().stocked();
    const doc = orderDoc({
      currency,
      location_gid: wh[0]!.location_gid,
      lines: [{ sku: p.sku, quantity: 2, price: '10.00', taxes: [vat('4.00')] }],
      shipping: { price: '5.00', taxes: [vat('1.00')] },
      ...extra,
    });
    const applied = await contract.applyOrder(doc);
    assert.equal(applied.status, 'created', applied.message);
    return { doc, so: applied.sale_order_id };
  };
  const pay = (doc: OrderDocument, ...transactions: PaymentTransaction[]) =>
    get().contract.applyPayments({ order_gid: doc.order_gid, transactions });

  beforeEach(async () => get().m.configure(MONEY));
  // Other areas' scenarios validate deliveries: no invoice policy may act on them.
  after(async () => get().m.configure({ invoice_policy: 'never', gateways: [], gift_card: null }));

  it('books a capture in the gateway journal, invoices on payment and reconciles; the authorization and a repeat book nothing', async () => {
    const { m } = get();
    const { doc, so } = await order();
    const capture = tx('capture', '30.00');
    const result = await pay(doc, tx('authorization', '30.00'), capture);
    assert.equal(result.status, 'applied');
    assert.deepEqual(
      result.payments.map((p) => [p.transaction_gid, p.payment_type, p.amount, p.journal]),
      [[capture.transaction_gid, 'inbound', '30.00', CARD]],
    );
    const [invoice] = await m.readOrderInvoices(so);
    assert.equal(result.invoice_id, invoice!.id);
    assert.deepEqual([invoice!.state, invoice!.amount_total, invoice!.amount_residual], ['posted', '30.00', '0.00']);
    assert.deepEqual(await m.readPayments(so), [
      { transaction_gid: capture.transaction_gid, payment_type: 'inbound', amount: '30.00', journal: CARD, reconciled: true },
    ]);
    const again = await pay(doc, capture);
    assert.deepEqual([again.status, again.payments, again.invoice_id], ['unchanged', [], null]);
    assert.equal((await m.readPayments(so)).length, 1);
    assert.equal((await m.readOrderInvoices(so)).length, 1);
  });

  it('holds the payments of an unmapped gateway, naming it on the order, and books them once it is mapped', async () => {
    const { m } = get();
    const { doc, so } = await order();
    const sale = tx('sale', '30.00', { gateway: 'paypal' });
    const held = await pay(doc, sale);
    assert.equal(held.status, 'held');
    assert.match(held.message ?? '', /payment gateway "paypal" has no journal \(Shopify → Configuration → Payment gateways\)/);
    const binding = await m.readBinding('sale.order', so);
    assert.equal(binding.state, 'error');
    assert.match(binding.message ?? '', /^Shopify payments held: order #\d+: payment gateway "paypal" has no journal/);
    assert.deepEqual(await m.readPayments(so), [], 'nothing half-applied');
    assert.deepEqual(await m.readOrderInvoices(so), [], 'no invoice while held');
    await m.configure({ gateways: [...MONEY.gateways!, { gateway: 'PayPal', journal: CARD }] });
    assert.equal((await pay(doc, sale)).status, 'applied');
    assert.equal((await m.readBinding('sale.order', so)).state, 'synced');
    assert.equal((await m.readPayments(so))[0]!.reconciled, true);
  });

  it('shows a payments hold after the tax hold of a held order, never over it, and lifting it leaves the tax hold', async () => {
    const { m, contract, currency } = get();
    await m.configure({ tax_mapping: [] });
    const p = await get().stocked();
    const doc = orderDoc({ currency, lines: [{ sku: p.sku, quantity: 1, price: '10.00', taxes: [vat('2.00')] }] });
    const taxHeld = await contract.applyOrder(doc);
    assert.equal(taxHeld.status, 'held');
    const sale = tx('sale', '12.00', { gateway: 'paypal' });
    assert.equal((await pay(doc, sale)).status, 'held');
    const both = await m.readBinding('sale.order', taxHeld.sale_order_id);
    assert.equal(both.state, 'error');
    assert.equal(
      both.message,
      `${taxHeld.message}; Shopify payments held: order ${doc.name}: payment gateway "paypal" has no journal (Shopify → Configuration → Payment gateways)`,
    );
    assert.equal((await pay(doc, sale)).status, 'held');
    assert.equal((await m.readBinding('sale.order', taxHeld.sale_order_id)).message, both.message, 'said once');
    await m.configure({ gateways: [...MONEY.gateways!, { gateway: 'paypal', journal: CARD }] });
    assert.equal((await pay(doc, sale)).status, 'applied');
    const taxOnly = await m.readBinding('sale.order', taxHeld.sale_order_id);
    assert.deepEqual([taxOnly.state, taxOnly.message], ['error', taxHeld.message], 'still held for its tax, not synced');
  });

  it('refuses a malformed transaction whole, naming the transaction and the field', async () => {
    const { m } = get();
    const { doc, so } = await order();
    const good = tx('sale', '30.00');
    const bad = tx('sale', '-1.00');
    await rejects(pay(doc, good, bad), {
      cls: OdooPermanentError,
      odooName: VALIDATION,
      message: `transaction ${bad.transaction_gid}: amount -1.00 is negative; Shopify amounts are positive, the kind gives the direction`,
    });
    const anonymous = tx('sale', '30.00', { gateway: ' ' });
    await rejects(pay(doc, good, anonymous), {
      cls: OdooPermanentError,
      odooName: VALIDATION,
      message: `transaction ${anonymous.transaction_gid}: gateway is missing; a payment needs the gateway that names its journal`,
    });
    await rejects(pay(doc, good, tx('sale', '1.005')), {
      cls: OdooPermanentError,
      odooName: VALIDATION,
      message: /amount: "1\.005" has more than two decimals/,
    });
    assert.deepEqual(await m.readPayments(so), []);
    assert.deepEqual(await m.readOrderInvoices(so), []);
  });

  it('books nothing, and holds nothing, while the company maps no gateway', async () => {
    const { m } = get();
    await m.configure({ gateways: [] });
    const { doc, so } = await order();
    const r = await pay(doc, tx('sale', '30.00', { gateway: 'paypal' }));
    assert.equal(r.status, 'disabled');
    assert.match(r.message ?? '', /^no Shopify payment gateway is mapped in .+: payments are not booked$/);
    assert.notEqual((await m.readBinding('sale.order', so)).state, 'error');
    assert.deepEqual(await m.readPayments(so), []);
    assert.deepEqual(await m.readOrderInvoices(so), []);
    const status = await get().contract.paymentStatus({ transaction_gids: [gidOf('OrderTransaction')] });
    assert.equal(status.payments_enabled, false, 'the reconciliation is told there is nothing to compare');
  });

  it('books pending, failed and zero transactions as nothing', async () => {
    const { m } = get();
    const { doc, so } = await order();
    const r = await pay(doc, tx('sale', '30.00', { status: 'pending' }), tx('sale', '30.00', { status: 'failure' }), tx('sale', '0.00'));
    assert.equal(r.status, 'unchanged');
    assert.deepEqual(await m.readPayments(so), []);
  });

  it('books a cash sale at the amount tendered and its change as an outbound payment settled against it, in either order', async () => {
    const { m } = get();
    for (const changeFirst of [false, true]) {
      const { doc, so } = await order();
      // A point of sale's cash sale: 50.00 tendered for 30.00, 20.00 handed back (kind CHANGE).
      const sale = tx('sale', '50.00');
      const change = tx('change', '20.00');
      const first = changeFirst ? change : sale;
      await pay(doc, first);
      assert.deepEqual(
        (await m.readPayments(so)).map((p) => [p.payment_type, p.amount, p.reconciled]),
        [changeFirst ? ['outbound', '20.00', false] : ['inbound', '50.00', false]],
        'one side alone is open until the other is booked',
      );
      const result = await pay(doc, sale, change);
      const second = changeFirst ? sale : change;
      assert.deepEqual(
        result.payments.map((p) => [p.transaction_gid, p.payment_type, p.amount]),
        [[second.transaction_gid, changeFirst ? 'inbound' : 'outbound', changeFirst ? '50.00' : '20.00']],
      );
      const invoices = await m.readOrderInvoices(so);
      assert.deepEqual(
        invoices.map((i) => [i.amount_total, i.amount_residual]),
        [['30.00', '0.00']],
      );
      assert.deepEqual(
        (await m.readPayments(so)).map((p) => [p.payment_type, p.amount, p.reconciled]).sort(),
        [
          ['inbound', '50.00', true],
          ['outbound', '20.00', true],
        ],
        changeFirst ? 'change booked first' : 'sale booked first',
      );
    }
  });

  it('under the policy "never" books the payment and makes no invoice', async () => {
    const { m } = get();
    await m.configure({ invoice_policy: 'never' });
    const { doc, so } = await order();
    assert.equal((await pay(doc, tx('sale', '30.00'))).status, 'applied');
    assert.deepEqual(await m.readOrderInvoices(so), []);
    assert.equal((await m.readPayments(so))[0]!.reconciled, false);
  });

  it("invoices on payment with the company's tax rounding: rounded globally, the invoice equals the order", async () => {
    const { contract, currency, wh, m } = get();
    await m.configure({ tax_rounding: 'round_globally' });
    try {
      // Two lines of 0.33 + 20 % VAT: Shopify rounds per line (0.07 each, 0.80); Odoo globally
      // (0.13) and carries the cent on the order's rounding line.
      const [a, b] = [await get().stocked(), await get().stocked()];
      const doc = orderDoc({
        currency,
        location_gid: wh[0]!.location_gid,
        lines: [
          { sku: a.sku, quantity: 1, price: '0.33', taxes: [vat('0.07')] },
          { sku: b.sku, quantity: 1, price: '0.33', taxes: [vat('0.07')] },
        ],
      });
      const applied = await contract.applyOrder(doc);
      assert.deepEqual([applied.status, applied.amount_total], ['created', '0.80']);
      await pay(doc, tx('sale', '0.80'));
      const [invoice] = await m.readOrderInvoices(applied.sale_order_id);
      assert.deepEqual([invoice!.amount_total, invoice!.amount_residual], ['0.80', '0.00']);
    } finally {
      await m.configure({ tax_rounding: 'round_per_line' });
    }
  });

  it('under the policy "never" an invoice the merchant posts takes the payment booked before it', async () => {
    const { m } = get();
    await m.configure({ invoice_policy: 'never' });
    const { doc, so } = await order();
    await pay(doc, tx('sale', '30.00'));
    const made = await m.invoiceOrder(so);
    assert.equal(made.amount_total, '30.00');
    const [invoice] = await m.readOrderInvoices(so);
    assert.equal(invoice!.amount_residual, '0.00');
    assert.equal((await m.readPayments(so))[0]!.reconciled, true);
  });

  it('under the policy "on delivery" invoices when the order is delivered and reconciles the payment received before', async () => {
    const { m } = get();
    await m.configure({ invoice_policy: 'on_delivery' });
    const { doc, so } = await order();
    await pay(doc, tx('sale', '30.00'));
    assert.deepEqual(await m.readOrderInvoices(so), [], 'paid, not delivered');
    const [picking] = (await m.readPickings(so)).filter((pk) => pk.picking_type === 'outgoing');
    await m.validateDelivery(picking!.id);
    const [invoice] = await m.readOrderInvoices(so);
    assert.deepEqual([invoice!.state, invoice!.amount_total, invoice!.amount_residual], ['posted', '30.00', '0.00']);
    assert.equal((await m.readPayments(so))[0]!.reconciled, true);
  });

  it('reconciles a refund made before invoicing with the sale it pays back, and the rest of the sale with the invoice', async () => {
    const { contract, m } = get();
    await m.configure({ invoice_policy: 'on_delivery' });
    const { doc, so } = await order();
    const sale = tx('sale', '30.00');
    await pay(doc, sale);
    const applied = await contract.applyRefund(refundOf(doc, 'cancel'));
    assert.equal(applied.credit_note_id, null, 'not invoiced: the refund lowers the order');
    await pay(doc, sale, tx('refund', '12.00'));
    assert.deepEqual(
      (await m.readPayments(so)).map((p) => [p.payment_type, p.amount, p.reconciled]),
      [
        ['inbound', '30.00', false],
        ['outbound', '12.00', true],
      ],
    );
    const [picking] = (await m.readPickings(so)).filter((pk) => pk.picking_type === 'outgoing');
    await m.validateDelivery(picking!.id);
    const [invoice] = await m.readOrderInvoices(so);
    assert.deepEqual([invoice!.amount_total, invoice!.amount_residual], ['18.00', '0.00']);
    assert.ok((await m.readPayments(so)).every((p) => p.reconciled));
  });

  it('books a refund transaction as an outbound payment reconciled with the credit note of its refund', async () => {
    const { contract, m } = get();
    const { doc, so } = await order();
    const sale = tx('sale', '30.00');
    await pay(doc, sale);
    const applied = await contract.applyRefund(refundOf(doc, 'cancel'));
    assert.ok(applied.credit_note_id);
    const back = tx('refund', '12.00');
    const r = await pay(doc, sale, back);
    assert.deepEqual(
      r.payments.map((p) => [p.payment_type, p.amount]),
      [['outbound', '12.00']],
    );
    const outbound = (await m.readPayments(so)).find((p) => p.payment_type === 'outbound')!;
    assert.equal(outbound.reconciled, true);
    const [status] = (await contract.paymentStatus({ transaction_gids: [back.transaction_gid] })).payments;
    assert.deepEqual([status!.found, status!.payment_type, status!.amount, status!.reconciled], [true, 'outbound', '12.00', true]);
  });

  it('sells a gift card without a SKU as a liability and books a gift card payment in the gift card journal', async () => {
    const { contract, m } = get();
    const base = await order();
    const doc: OrderDocument = {
      ...base.doc,
      order_gid: gidOf('Order'),
      lines: [
        ...base.doc.lines,
        {
          line_gid: gidOf('LineItem'),
          sku: null,
          title: 'Gift card 50',
          quantity: 1,
          price_unit: '50.00',
          discount: '0.00',
          tax_lines: [],
          gift_card: true,
        },
      ],
      subtotal_price: '70.00',
      total_price: '80.00',
    };
    doc.lines[0] = { ...doc.lines[0]!, line_gid: gidOf('LineItem') };
    const applied = await contract.applyOrder(doc);
    assert.equal(applied.status, 'created', applied.message);
    assert.equal(applied.amount_total, '80.00');
    const so = applied.sale_order_id;
    const r = await pay(doc, tx('sale', '74.00'), tx('sale', '6.00', { gateway: 'gift_card' }));
    assert.equal(r.status, 'applied');
    const [invoice] = await m.readOrderInvoices(so);
    assert.deepEqual([invoice!.amount_total, invoice!.amount_residual, invoice!.gift_card_amount], ['80.00', '0.00', '50.00']);
    assert.deepEqual((await m.readPayments(so)).map((p) => [p.amount, p.journal]).sort(), [
      ['6.00', GIFT.journal],
      ['74.00', CARD],
    ]);
  });

  it('holds the invoice of a gift card while the liability account is not set, never refusing the order', async () => {
    const { contract, m } = get();
    await m.configure({ gift_card: null });
    const doc = orderDoc({ currency: get().currency, lines: [] });
    doc.lines = [
      {
        line_gid: gidOf('LineItem'),
        sku: null,
        title: 'Gift card 25',
        quantity: 1,
        price_unit: '25.00',
        discount: '0.00',
        tax_lines: [],
        gift_card: true,
      },
    ];
    doc.subtotal_price = '25.00';
    doc.total_price = '25.00';
    const applied = await contract.applyOrder(doc);
    assert.equal(applied.status, 'created', applied.message);
    const held = await pay(doc, tx('sale', '25.00'));
    assert.equal(held.status, 'held');
    assert.match(held.message ?? '', /sells a gift card and the gift card liability account is not set/);
    assert.deepEqual(await m.readPayments(applied.sale_order_id), []);
  });

  it('reports what it holds for some transactions (payment_status), and refuses a malformed list', async () => {
    const { contract } = get();
    const { doc, so } = await order();
    const sale = tx('sale', '30.00');
    await pay(doc, sale);
    const missing = gidOf('OrderTransaction');
    const { payments, payments_enabled } = await contract.paymentStatus({ transaction_gids: [sale.transaction_gid, missing] });
    assert.equal(payments_enabled, true, 'gateways are mapped');
    // Booked: Odoo 17/18 leave a bank journal's payment in process until its bank statement line,
    // reconciled or not; Odoo 19 marks one reconciled with its invoice paid.
    const booked = (state: string | null) => (state === 'in_process' || state === 'paid' ? 'booked' : state);
    assert.deepEqual(
      payments.map((p) => [p.transaction_gid, p.found, p.sale_order_id, p.payment_type, p.amount, booked(p.state), p.reconciled]),
      [
        [sale.transaction_gid, true, so, 'inbound', '30.00', 'booked', true],
        [missing, false, null, null, null, null, false],
      ],
    );
  });
}
