/**
 * The payments flow end to end (invoices by policy, payments by gateway, gift cards, refunds and
 * the reconciliation's repair), written once and run twice: against the Odoo double
 * (`sidecar/flows/payments/payments.e2e.test.ts`, in `make test`) and against a real Odoo 18
 * (`sidecar/flows/payments/real-odoo.e2e.test.ts`, `scripts/e2e-real-odoo.sh`). Shopify is the
 * simulator, Odoo is seen only through the MerchantDriver; every flow runs.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { runReconciliation } from '../../sidecar/reports/reconcile.js';
import type { MerchantSettings, PaymentView } from '../conformance/target.js';
import type { ScenarioContext } from './scenario-stack.js';
import type { Stack } from './stack.js';

/** The stack the scenarios run on (./scenario-stack.ts). */
export type PaymentScenarioContext = ScenarioContext;

interface SimOrder {
  id: number;
  admin_graphql_api_id: string;
}

const LOCATION = 101;
const CARD = 'E2E card payments';
const BANK = 'E2E bank transfers';
const CASH = 'E2E cash';
const GIFT = { journal: 'E2E gift cards', account: 'E2E gift cards outstanding' };
const MONEY: MerchantSettings = {
  invoice_policy: 'on_payment',
  gateways: [
    { gateway: 'bogus', journal: CARD },
    { gateway: 'Bank Deposit', journal: BANK },
    { gateway: 'cash', journal: CASH },
  ],
  gift_card: GIFT,
};

function reconcileDeps(stack: Stack) {
  const { sidecar, config } = stack;
  return {
    pool: sidecar.pool,
    schema: config.database.appSchema,
    shop: config.shopify.shopDomain,
    queue: sidecar.queue,
    shopify: sidecar.shopify,
    odoo: sidecar.contract,
    logger: sidecar.logger,
    clock: sidecar.clock,
  };
}

export function definePaymentFlowScenarios(get: () => PaymentScenarioContext): void {
  const sim = <T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) => get().stack.simControl<T>(method, path, body);
  const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>) => get().stack.waitFor(what, probe, get().timeoutMs);

  /** A product on both sides; an order of `quantity` × 10.00 + shipping 5.00 (and `extra` lines) imported into Odoo. */
  async function orderInOdoo(quantity: number, extra: Record<string, unknown> = {}, giftCardLine?: string) {
    const { merchant, warehouseId } = get();
    const sku = `PAY-${randomUUID().slice(0, 8).toUpperCase()}`;
    await sim('POST', '/products', { title: `Pay ${sku}`, sku, price: '10.00', stock: { [String(LOCATION)]: 50 } });
    const product = await merchant.createProduct({ name: `Pay ${sku}`, price: '10.00', variants: [{ sku }] });
    await merchant.setStock(product.variants[sku]!, warehouseId, 50);
    const lines: unknown[] = [{ sku, quantity, price: '10.00' }];
    if (giftCardLine) lines.push({ giftCard: true, sku: '', title: 'Gift card', quantity: 1, price: giftCardLine });
    const order = await sim<SimOrder>('POST', '/orders', {
      email: `pay-${randomUUID().slice(0, 8)}@example.com`,
      lines,
      shippingLines: [{ title: 'Standard', price: '5.00' }],
      financialStatus: 'paid',
      locationId: LOCATION,
      ...extra,
    });
    const [so] = await waitFor('the sale order in Odoo', async () => {
      const sos = await merchant.readSaleOrders(order.admin_graphql_api_id);
      return sos.length === 1 && sos[0]!.state === 'sale' ? sos : undefined;
    });
    return { sku, order, soId: so!.id };
  }

  const payments = (soId: number, count: number, what = `${count} payment(s) booked in Odoo`) =>
    waitFor(what, async () => {
      const found = await get().merchant.readPayments(soId);
      return found.length === count && found.every((p) => p.reconciled) ? found : undefined;
    });
  const summary = (found: PaymentView[]) => found.map((p) => [p.payment_type, p.amount, p.journal]).sort();
  async function idle() {
    for (let round = 0; round < 2; round++) {
      await get().stack.sim.idle();
      await waitFor('the orders, refunds and payments queues idle', async () => {
        const stats = await get().stack.sidecar.queue.queueStats();
        return stats.filter((q) => ['orders', 'refunds', 'payments'].includes(q.queue)).every((q) => q.queued === 0 && q.active === 0);
      });
    }
  }

  beforeEach(async () => get().merchant.configure(MONEY));
  // The other scenarios of a shared database: no policy, no mapping (payments disabled).
  after(async () => {
    const { merchant } = get() as Partial<PaymentScenarioContext>;
    if (merchant) await merchant.configure({ invoice_policy: 'never', gateways: [], gift_card: null });
  });

  it('a card order paid at checkout is a payment in the mapped journal and, by the policy "on payment", an invoice it pays', async () => {
    const { merchant } = get();
    const { soId } = await orderInOdoo(2);
    assert.deepEqual(summary(await payments(soId, 1)), [['inbound', '25.00', CARD]]);
    const [invoice, ...more] = await merchant.readOrderInvoices(soId);
    assert.deepEqual([invoice!.state, invoice!.amount_total, invoice!.amount_residual, more.length], ['posted', '25.00', '0.00', 0]);
    await idle();
    assert.equal((await merchant.readPayments(soId)).length, 1, 'orders/create, orders/paid and orders/updated book it once');
  });

  it('a bank transfer is booked when orders/paid arrives, not before', async () => {
    const { merchant } = get();
    const { order, soId } = await orderInOdoo(1, { financialStatus: 'pending', gateway: 'Bank Deposit' });
    await idle();
    assert.deepEqual(await merchant.readPayments(soId), [], 'pending: no money yet');
    assert.deepEqual(await merchant.readOrderInvoices(soId), []);
    await sim('POST', `/orders/${order.id}/pay`);
    assert.deepEqual(summary(await payments(soId, 1)), [['inbound', '15.00', BANK]]);
    assert.equal((await merchant.readOrderInvoices(soId))[0]!.amount_residual, '0.00');
  });

  it('an unmapped gateway holds the payments with a message naming it on the order; mapped, a Retry books them', async () => {
    const { merchant } = get();
    const { soId } = await orderInOdoo(1, { gateway: 'paypal' });
    const held = await waitFor('the payments held on the order', async () => {
      const b = await merchant.readBinding('sale.order', soId);
      return b.state === 'error' && /payment gateway "paypal" has no journal/.test(b.message ?? '') ? b : undefined;
    });
    assert.match(held.message ?? '', /^Shopify payments held: order #\d+: payment gateway "paypal"/);
    assert.deepEqual(await merchant.readPayments(soId), []);
    await merchant.configure({ gateways: [...MONEY.gateways!, { gateway: 'paypal', journal: CARD }] });
    await merchant.reimportOrder(soId);
    assert.deepEqual(summary(await payments(soId, 1)), [['inbound', '15.00', CARD]]);
    await waitFor('the order synced again', async () => (await merchant.readBinding('sale.order', soId)).state === 'synced');
  });

  it('a gift card sold without a SKU is invoiced to the liability account; the part paid with a gift card is in the gift card journal', async () => {
    const { merchant, stack } = get();
    const { order, soId } = await orderInOdoo(1, { giftCardPayment: '15.00' }, '50.00');
    assert.deepEqual(summary(await payments(soId, 2)), [
      ['inbound', '15.00', GIFT.journal],
      ['inbound', '50.00', CARD],
    ]);
    const [invoice] = await merchant.readOrderInvoices(soId);
    assert.deepEqual([invoice!.amount_total, invoice!.gift_card_amount, invoice!.amount_residual], ['65.00', '50.00', '0.00']);
    const dead = stack.logs.lines.filter((l) => l.entityId === order.admin_graphql_api_id && l.outcome === 'failed');
    assert.deepEqual(dead, [], 'never a dead letter for want of a SKU');
  });

  it('a point-of-sale cash sale with change books the amount tendered and the change handed back, both settled; the reconciliation agrees', async () => {
    const { merchant, stack } = get();
    // 2 × 10.00 + 5.00 shipping = 25.00, paid with 40.00 in cash: Shopify records a sale of 40.00
    // and a CHANGE of 15.00.
    const { order, soId } = await orderInOdoo(2, { gateway: 'cash', cashTendered: '40.00', sourceName: 'pos' });
    assert.deepEqual(summary(await payments(soId, 2, 'the sale and its change booked and reconciled')), [
      ['inbound', '40.00', CASH],
      ['outbound', '15.00', CASH],
    ]);
    const [invoice] = await merchant.readOrderInvoices(soId);
    assert.deepEqual([invoice!.amount_total, invoice!.amount_residual], ['25.00', '0.00']);
    await idle();
    const { report } = await runReconciliation(reconcileDeps(stack), { hours: 1 });
    assert.deepEqual(
      report.money!.transactions.mismatched.filter((m) => m.orderGid === order.admin_graphql_api_id),
      [],
      'the change is compared like any money transaction, and found',
    );
  });

  it('a Shopify refund is an outbound payment reconciled with its credit note', async () => {
    const { merchant } = get();
    const { sku, order, soId } = await orderInOdoo(2);
    await payments(soId, 1);
    await sim('POST', `/orders/${order.id}/refunds`, { lines: [{ sku, quantity: 1, restockType: 'cancel' }] });
    const found = await payments(soId, 2, 'the refund booked and reconciled');
    assert.deepEqual(summary(found), [
      ['inbound', '25.00', CARD],
      ['outbound', '10.00', CARD],
    ]);
    const [refund] = await merchant.readRefunds(soId);
    assert.deepEqual(await merchant.readCreditNote(refund!.credit_note_id!), { amount_total: '10.00', state: 'posted' });
  });

  it('the daily reconciliation finds a refund whose webhooks were lost and its repair job applies it', async () => {
    const { merchant, stack } = get();
    const { sku, order, soId } = await orderInOdoo(2);
    await payments(soId, 1);
    await idle();
    // Every delivery fails while the repair runs (Shopify would retry them later).
    await sim('PUT', '/faults', { webhookDropRate: 1 });
    try {
      const { admin_graphql_api_id: refundGid } = await sim<{ admin_graphql_api_id: string }>('POST', `/orders/${order.id}/refunds`, {
        lines: [{ sku, quantity: 1, restockType: 'cancel' }],
      });
      await stack.sim.idle();
      assert.deepEqual(await merchant.readRefunds(soId), [], 'no webhook, no refund in Odoo yet');
      const { report } = await runReconciliation(reconcileDeps(stack), { hours: 1 });
      assert.deepEqual(
        report.money!.refunds.missing.filter((m) => m.orderGid === order.admin_graphql_api_id).map((m) => [m.refundGid, m.total, m.odoo]),
        [[refundGid, '10.00', null]],
      );
      assert.ok(report.money!.repairJobs.some((j) => j.queue === 'refunds' && j.orderGid === order.admin_graphql_api_id && j.created));
      const [applied] = await waitFor('the refund applied by the repair job', async () => {
        const refunds = await merchant.readRefunds(soId);
        return refunds.length === 1 && refunds[0]!.state === 'applied' ? refunds : undefined;
      });
      assert.equal(applied!.refund_gid, refundGid);
    } finally {
      await sim('PUT', '/faults', { webhookDropRate: 0 });
    }
    // The refunds flow then books the refund's money against its credit note.
    assert.deepEqual(summary(await payments(soId, 2, 'the refund booked')), [
      ['inbound', '25.00', CARD],
      ['outbound', '10.00', CARD],
    ]);
  });

  it('the daily reconciliation finds a transaction missing in Odoo and its repair job books it', async () => {
    const { merchant, stack } = get();
    const { order, soId } = await orderInOdoo(1, { gateway: 'manual' });
    await waitFor('the payments held', async () => (await merchant.readBinding('sale.order', soId)).state === 'error');
    await idle();
    // Mapped, with no Retry: only the reconciliation can notice.
    await merchant.configure({ gateways: [...MONEY.gateways!, { gateway: 'manual', journal: BANK }] });
    const { report } = await runReconciliation(reconcileDeps(stack), { hours: 1 });
    const mine = report.money!.transactions.mismatched.filter((m) => m.orderGid === order.admin_graphql_api_id);
    assert.deepEqual(
      mine.map((m) => [m.kind, m.gateway, m.shopify, m.odoo]),
      [['SALE', 'manual', '15.00', null]],
    );
    assert.ok(report.money!.repairJobs.some((j) => j.queue === 'payments' && j.orderGid === order.admin_graphql_api_id && j.created));
    assert.deepEqual(summary(await payments(soId, 1)), [['inbound', '15.00', BANK]]);
  });

  it('while Odoo maps no payment gateway, the daily reconciliation compares no transaction and sends no payments repair', async () => {
    const { merchant, stack } = get();
    await merchant.configure({ gateways: [] });
    const { soId } = await orderInOdoo(1);
    await idle();
    assert.deepEqual(await merchant.readPayments(soId), [], 'payments disabled: nothing booked');
    const { report } = await runReconciliation(reconcileDeps(stack), { hours: 1 });
    assert.equal(report.money!.transactions.notBooked, true);
    assert.deepEqual(report.money!.transactions.mismatched, []);
    assert.ok(report.money!.transactions.shopify > 0, 'the window holds the sale of this order');
    assert.deepEqual(
      report.money!.repairJobs.filter((j) => j.queue === 'payments'),
      [],
    );
  });
}
