/**
 * Orders booked in the customer's (presentment) currency end to end (docs/flows.md,
 * "Currencies"), written once and run against the Odoo double
 * (`sidecar/flows/orders/presentment.e2e.test.ts`) and a real Odoo
 * (`sidecar/flows/money.real-odoo.e2e.test.ts`). The simulated shop sells in the company's
 * currency; its customer pays in another one at a rate of 2 (the simulator converts each
 * MoneyBag from shop money, so an exact rate keeps Shopify's own presentment sums exact).
 * With "Book orders in: Customer's currency" and a pricelist in that currency, the order, its
 * invoice, its payment and a refund's credit note are in that currency with Shopify's presentment
 * amounts to the cent; an order paid in a currency Odoo does not have active is held with a
 * message naming it, and a Re-import after activating it books it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { MoneyScenarioContext } from './money-scenarios.js';

const LOCATION = 101;
const CARD = 'E2E presentment card payments';
const BANK = 'E2E presentment bank transfers';
const RATE = '2';

interface SimOrder {
  id: number;
  admin_graphql_api_id: string;
  total_price_set: { presentment_money: { amount: string; currency_code: string } };
  refunds: Array<{ admin_graphql_api_id: string; transactions: Array<{ amount: string; kind: string }> }>;
}

export function definePresentmentScenarios(get: () => MoneyScenarioContext): void {
  const sim = <T>(method: 'GET' | 'POST', path: string, body?: unknown) => get().stack.simControl<T>(method, path, body);
  const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>) => get().stack.waitFor(what, probe, get().timeoutMs);

  after(async () => {
    const { merchant } = get() as Partial<MoneyScenarioContext>;
    if (merchant)
      await merchant.configure({ presentment_policy: 'shop', currency_policy: 'company', invoice_policy: 'never', gateways: [] });
  });

  /** A product on both sides and an order of 2 × 10.00 + 5.00 shipping, paid in `paid` at RATE (`payment`: how, default a card at checkout). */
  async function paidOrder(paid: string, payment: { financialStatus: 'paid' | 'pending'; gateway?: string } = { financialStatus: 'paid' }) {
    const { merchant, warehouseId } = get();
    const sku = `PRES-${randomUUID().slice(0, 8).toUpperCase()}`;
    await sim('POST', '/products', { title: `Presentment ${sku}`, sku, price: '10.00', stock: { [String(LOCATION)]: 50 } });
    const product = await merchant.createProduct({ name: `Presentment ${sku}`, price: '10.00', variants: [{ sku }] });
    await merchant.setStock(product.variants[sku]!, warehouseId, 50);
    const order = await sim<SimOrder>('POST', '/orders', {
      email: `presentment-${randomUUID().slice(0, 8)}@example.com`,
      lines: [{ sku, quantity: 2, price: '10.00' }],
      shippingLines: [{ title: 'Standard', price: '5.00' }],
      ...payment,
      presentmentCurrency: paid,
      exchangeRate: RATE,
      locationId: LOCATION,
    });
    return { sku, order };
  }

  it("books an order paid in another currency in that currency: the order, its invoice, its payment and a refund's credit note to the cent", async () => {
    const { merchant } = get();
    const paid = (await merchant.companyCurrency()) === 'EUR' ? 'GBP' : 'EUR';
    await merchant.configure({
      presentment_policy: 'presentment',
      currency_policy: 'pricelist',
      invoice_policy: 'on_payment',
      gateways: [{ gateway: 'bogus', journal: CARD }],
    });
    await merchant.setCurrency(paid, { rate: '0.5', pricelist: true });
    const { sku, order } = await paidOrder(paid);
    assert.deepEqual(order.total_price_set.presentment_money, { amount: '50.00', currency_code: paid });
    const [so] = await waitFor('the sale order in Odoo', async () => {
      const sos = await merchant.readSaleOrders(order.admin_graphql_api_id);
      return sos.length === 1 && sos[0]!.state === 'sale' ? sos : undefined;
    });
    assert.deepEqual(await merchant.readOrderCurrency(so!.id), { currency: paid, shopify_currency: paid, amount_total: '50.00' });
    const payments = await waitFor('the payment booked', async () => {
      const found = await merchant.readPayments(so!.id);
      return found.length === 1 && found[0]!.reconciled ? found : undefined;
    });
    assert.deepEqual(
      payments.map((p) => [p.payment_type, p.amount, p.journal]),
      [['inbound', '50.00', CARD]],
    );
    const [invoice] = await merchant.readOrderInvoices(so!.id);
    assert.deepEqual([invoice!.amount_total, invoice!.amount_residual], ['50.00', '0.00']);
    // One unit back, not delivered: 10.00 in shop money, 20.00 in the customer's.
    await sim('POST', `/orders/${order.id}/refunds`, { lines: [{ sku, quantity: 1, restockType: 'cancel' }] });
    const [refund] = await waitFor('the refund applied in Odoo', async () => {
      const refunds = await merchant.readRefunds(so!.id);
      return refunds.length === 1 && refunds[0]!.state === 'applied' ? refunds : undefined;
    });
    assert.deepEqual(await merchant.readCreditNote(refund!.credit_note_id!), { amount_total: '20.00', state: 'posted' });
    await waitFor("the order at its current total in the customer's currency", async () => {
      const [now] = await merchant.readSaleOrders(order.admin_graphql_api_id);
      return now?.amount_total === '30.00';
    });
    const binding = await merchant.readBinding('sale.order', so!.id);
    assert.equal(binding.state, 'synced', binding.message ?? '');
  });

  it("books a bank transfer in the customer's currency paid after the import: the order never in error, the payment in that currency", async () => {
    const { merchant, stack } = get();
    const paid = (await merchant.companyCurrency()) === 'EUR' ? 'GBP' : 'EUR';
    await merchant.configure({
      presentment_policy: 'presentment',
      currency_policy: 'pricelist',
      invoice_policy: 'on_payment',
      gateways: [{ gateway: 'Bank Deposit', journal: BANK }],
    });
    await merchant.setCurrency(paid, { rate: '0.5', pricelist: true });
    const { order } = await paidOrder(paid, { financialStatus: 'pending', gateway: 'Bank Deposit' });
    const [so] = await waitFor('the sale order in Odoo', async () => {
      const sos = await merchant.readSaleOrders(order.admin_graphql_api_id);
      return sos.length === 1 && sos[0]!.state === 'sale' ? sos : undefined;
    });
    // The import's payments job (no transaction yet) worked: it names the customer's currency, so Odoo takes it.
    await stack.sim.idle();
    await waitFor('the orders and payments queues idle', async () => {
      const stats = await stack.sidecar.queue.queueStats();
      return stats.filter((q) => ['orders', 'payments'].includes(q.queue)).every((q) => q.queued === 0 && q.active === 0);
    });
    const before = await merchant.readBinding('sale.order', so!.id);
    assert.notEqual(before.state, 'error', before.message ?? '');
    assert.deepEqual(await merchant.readPayments(so!.id), []);
    await sim('POST', `/orders/${order.id}/pay`);
    const payments = await waitFor('the transfer booked', async () => {
      const found = await merchant.readPayments(so!.id);
      return found.length === 1 && found[0]!.reconciled ? found : undefined;
    });
    assert.deepEqual(
      payments.map((p) => [p.payment_type, p.amount, p.journal]),
      [['inbound', '50.00', BANK]],
    );
    const binding = await merchant.readBinding('sale.order', so!.id);
    assert.equal(binding.state, 'synced', binding.message ?? '');
  });

  it('holds an order paid in a currency Odoo does not have active, naming it on the order; after activating it, Re-import books it', async () => {
    const { merchant } = get();
    await merchant.configure({ presentment_policy: 'presentment', currency_policy: 'pricelist', invoice_policy: 'never', gateways: [] });
    const { order } = await paidOrder('CHF');
    const [so] = await waitFor('the held order in Odoo', async () => {
      const sos = await merchant.readSaleOrders(order.admin_graphql_api_id);
      return sos.length === 1 ? sos : undefined;
    });
    const held = await waitFor('the hold on the order', async () => {
      const b = await merchant.readBinding('sale.order', so!.id);
      return b.state === 'error' && /currency CHF is not active in Odoo \(Accounting > Configuration > Currencies\)/.test(b.message ?? '')
        ? b
        : undefined;
    });
    assert.match(held.message ?? '', /CHF/);
    await merchant.setCurrency('CHF', { rate: '0.5', pricelist: true });
    await merchant.reimportOrder(so!.id);
    await waitFor('the order booked in CHF', async () => {
      const view = await merchant.readOrderCurrency(so!.id);
      return view.currency === 'CHF' && view.amount_total === '50.00' ? view : undefined;
    });
    await waitFor('the order synced', async () => (await merchant.readBinding('sale.order', so!.id)).state === 'synced');
  });

  it("refunds a credit note posted in Odoo for an order booked in the customer's currency in that currency in Shopify", async () => {
    const { merchant } = get();
    const paid = (await merchant.companyCurrency()) === 'EUR' ? 'GBP' : 'EUR';
    await merchant.configure({
      presentment_policy: 'presentment',
      currency_policy: 'pricelist',
      invoice_policy: 'on_payment',
      gateways: [{ gateway: 'bogus', journal: CARD }],
    });
    await merchant.setCurrency(paid, { rate: '0.5', pricelist: true });
    const { sku, order } = await paidOrder(paid);
    const [so] = await waitFor('the sale order invoiced in Odoo', async () => {
      const sos = await merchant.readSaleOrders(order.admin_graphql_api_id);
      return sos.length === 1 && sos[0]!.state === 'sale' && (await merchant.readOrderInvoices(sos[0]!.id)).length ? sos : undefined;
    });
    const { credit_note_id } = await merchant.creditOrderLines(so!.id, [{ sku, quantity: 1 }], 'damaged');
    assert.deepEqual(await merchant.readCreditNote(credit_note_id), { amount_total: '20.00', state: 'posted' });
    const [refund] = await waitFor('the refund in Shopify', async () => {
      const refunds = (await sim<SimOrder>('GET', `/orders/${order.id}`)).refunds;
      return refunds.length ? refunds : undefined;
    });
    // 20.00 in the customer's currency is 10.00 of shop money at the order's rate.
    assert.deepEqual(
      refund!.transactions.map((t) => [t.kind, t.amount]),
      [['refund', '10.00']],
    );
    await waitFor(
      'the credit note bound to the refund',
      async () => (await merchant.readBinding('account.move', credit_note_id)).shopify_gid === refund!.admin_graphql_api_id,
    );
    await waitFor('the refund recorded as made in Odoo', async () => {
      const refunds = await merchant.readRefunds(so!.id);
      return refunds.length === 1 && refunds[0]!.origin === 'odoo' && refunds[0]!.credit_note_id === credit_note_id;
    });
    assert.deepEqual(await merchant.readCreditNote(credit_note_id), { amount_total: '20.00', state: 'posted' });
    await waitFor("the order at its current total in the customer's currency", async () => {
      const [now] = await merchant.readSaleOrders(order.admin_graphql_api_id);
      return now?.amount_total === '30.00';
    });
    assert.equal((await merchant.readBinding('sale.order', so!.id)).state, 'synced');
  });
}
