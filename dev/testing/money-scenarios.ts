/**
 * The refunds and returns flows end to end, written once and run twice: against the Odoo double
 * (`sidecar/flows/refunds/money.e2e.test.ts`, in `make test`) and against a real Odoo 18
 * (`sidecar/flows/money.real-odoo.e2e.test.ts`, `scripts/e2e-real-odoo.sh`). Shopify is the
 * simulator (its control API plays the merchant in the Shopify admin), Odoo is seen only through
 * the MerchantDriver (what a user does and sees in Odoo). Every flow runs, so the orders and
 * fulfillments flows import and fulfill the orders as in production.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { pullOrdersSince } from '../../sidecar/flows/orders/apply.js';
import { applyOrderRefunds } from '../../sidecar/flows/refunds/index.js';
import { createRefundStore } from '../../sidecar/flows/refunds/store.js';
import type { ScenarioContext } from './scenario-stack.js';

/** The stack the scenarios run on (./scenario-stack.ts). */
export type MoneyScenarioContext = ScenarioContext;

interface SimOrder {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  current_total_price: string;
  line_items: Array<{ duties: Array<{ id: string }> }>;
  fulfillments: Array<{ line_items: Array<{ sku: string; quantity: number }> }>;
  refunds: Array<{
    admin_graphql_api_id: string;
    note: string | null;
    return?: { admin_graphql_api_id: string } | null;
    transactions: Array<{ amount: string; kind: string }>;
    total_duties_set?: { shop_money: { amount: string } };
    order_adjustments?: unknown[];
  }>;
}

const LOCATION = 101;

export function defineMoneyScenarios(get: () => MoneyScenarioContext): void {
  const sim = <T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) => get().stack.simControl<T>(method, path, body);
  const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>) => get().stack.waitFor(what, probe, get().timeoutMs);

  /**
   * A product on both sides with stock, and an order of `quantity` × 10.00 + shipping 5.00 (+ a
   * `duty` on the line, + an untaxed additional `fee`) imported into Odoo.
   */
  async function orderInOdoo(quantity: number, duty?: string, fee?: string) {
    const { merchant, warehouseId } = get();
    const sku = `MONEY-${randomUUID().slice(0, 8).toUpperCase()}`;
    await sim('POST', '/products', { title: `Money ${sku}`, sku, price: '10.00', stock: { [String(LOCATION)]: 50 } });
    const product = await merchant.createProduct({ name: `Money ${sku}`, price: '10.00', variants: [{ sku }] });
    const variantId = product.variants[sku]!;
    await merchant.setStock(variantId, warehouseId, 50);
    const order = await sim<SimOrder>('POST', '/orders', {
      email: `money-${randomUUID().slice(0, 8)}@example.com`,
      lines: [
        {
          sku,
          quantity,
          price: '10.00',
          ...(duty ? { duties: [{ price: duty, harmonizedSystemCode: '691200', countryCodeOfOrigin: 'CN' }] } : {}),
        },
      ],
      shippingLines: [{ title: 'Standard', price: '5.00' }],
      ...(fee ? { additionalFees: [{ name: 'Import handling fee', price: fee }] } : {}),
      financialStatus: 'paid',
      locationId: LOCATION,
    });
    const [so] = await waitFor('the sale order in Odoo', async () => {
      const sos = await merchant.readSaleOrders(order.admin_graphql_api_id);
      return sos.length === 1 && sos[0]!.state === 'sale' ? sos : undefined;
    });
    return { sku, variantId, order, soId: so!.id };
  }

  /** Validates the order's open delivery in Odoo and waits for the fulfillment in Shopify. */
  async function deliver(soId: number, orderId: number) {
    const { merchant } = get();
    const [picking] = (await merchant.readPickings(soId)).filter(
      (p) => p.picking_type === 'outgoing' && p.state !== 'done' && p.state !== 'cancel',
    );
    await merchant.validateDelivery(picking!.id, {});
    await waitFor('the fulfillment in Shopify', async () =>
      (await sim<SimOrder>('GET', `/orders/${orderId}`)).fulfillments.length ? true : undefined,
    );
    await waitFor('the delivery synced', async () => (await merchant.readBinding('stock.picking', picking!.id)).state === 'synced');
  }

  const refundIn = (orderId: number, body: Record<string, unknown>) =>
    sim<{ admin_graphql_api_id: string }>('POST', `/orders/${orderId}/refunds`, body);
  const appliedRefunds = (soId: number, count: number) =>
    waitFor(`${count} refund(s) applied in Odoo`, async () => {
      const refunds = await get().merchant.readRefunds(soId);
      return refunds.length >= count && refunds.every((r) => r.state === 'applied') ? refunds : undefined;
    });
  const queuesEmpty = () =>
    waitFor('the orders, refunds and returns queues idle', async () => {
      const stats = await get().stack.sidecar.queue.queueStats();
      return stats.filter((q) => ['orders', 'refunds', 'returns'].includes(q.queue)).every((q) => q.queued === 0 && q.active === 0);
    });
  /** Every webhook the simulator owes delivered and worked, twice over (a job can cause more webhooks). */
  async function queuesIdle() {
    for (let round = 0; round < 2; round++) {
      await get().stack.sim.idle();
      await queuesEmpty();
    }
  }
  /** The sale order was never held nor flagged: its binding is not in error and no job said so. */
  async function neverHeld(soId: number, orderGid: string) {
    const binding = await get().merchant.readBinding('sale.order', soId);
    assert.notEqual(binding.state, 'error', `the sale order's binding: ${binding.message ?? ''}`);
    const bad = get().stack.logs.lines.filter((l) => l.entityId === orderGid && (l.outcome === 'held' || l.outcome === 'flagged'));
    assert.deepEqual(bad, [], 'no job held or flagged the order');
  }
  const product = async (soId: number) => (await get().merchant.readOrderLines(soId)).lines.find((l) => l.role === 'product')!;

  describe('Shopify refunds → Odoo', () => {
    it('a refund after invoicing becomes a posted credit note of exactly its amounts, once; the delivered order is never held', async () => {
      const { merchant, stack } = get();
      const { order, soId } = await orderInOdoo(2);
      await deliver(soId, order.id);
      const invoice = await merchant.invoiceOrder(soId);
      assert.equal(invoice.amount_total, '25.00');
      // One delivered unit kept by the customer, and the shipping.
      const refund = await refundIn(order.id, {
        lines: [{ sku: (await product(soId)).sku, quantity: 1, restockType: 'no_restock' }],
        shipping: 'full',
      });
      const [applied] = await appliedRefunds(soId, 1);
      assert.equal(applied!.refund_gid, refund.admin_graphql_api_id);
      assert.ok(applied!.credit_note_id, 'a credit note');
      assert.deepEqual(await merchant.readCreditNote(applied!.credit_note_id), { amount_total: '15.00', state: 'posted' });
      await queuesIdle();
      await neverHeld(soId, order.admin_graphql_api_id);
      // Delivered units stay delivered; the refunded one is kept by the customer.
      const line = await product(soId);
      assert.deepEqual([line.qty_delivered, line.kept_qty], [2, 1]);
      // The same webhook again, or the orders pull: nothing left to apply, still one credit note.
      const ctx = stack.flowContext();
      assert.deepEqual(
        await applyOrderRefunds(ctx, createRefundStore(ctx.pool, ctx.config.database.appSchema), order.admin_graphql_api_id),
        [],
      );
      assert.equal((await merchant.readRefunds(soId)).length, 1);
    });

    it('a refund whose webhooks were all lost is applied by the orders pull, and the delivered order is not held', async () => {
      const { merchant, stack } = get();
      const { sku, order, soId } = await orderInOdoo(2);
      await deliver(soId, order.id);
      await merchant.invoiceOrder(soId);
      await queuesIdle();
      const since = (await sim<{ updated_at: string }>('GET', `/orders/${order.id}`)).updated_at;
      await sim('PUT', '/faults', { webhookDropRate: 1 });
      try {
        await refundIn(order.id, { lines: [{ sku, quantity: 1, restockType: 'no_restock' }] });
        await stack.sim.idle();
      } finally {
        // Back with PUT: DELETE would re-seed the webhook ids, which the inbox then drops as duplicates.
        await sim('PUT', '/faults', { webhookDropRate: 0 });
      }
      assert.deepEqual(await merchant.readRefunds(soId), [], 'no webhook arrived');
      assert.ok((await pullOrdersSince(stack.flowContext(), since)).enqueued >= 1);
      // The order update counts the refund: Odoo answers refunds_pending, the orders flow applies it first.
      const [applied] = await appliedRefunds(soId, 1);
      assert.deepEqual(await merchant.readCreditNote(applied!.credit_note_id!), { amount_total: '10.00', state: 'posted' });
      await queuesIdle();
      await neverHeld(soId, order.admin_graphql_api_id);
      const line = await product(soId);
      assert.deepEqual([line.qty_delivered, line.kept_qty], [2, 1]);
    });

    it('a refund before delivery takes the cancelled units off the order, with no credit note before invoicing', async () => {
      const { merchant } = get();
      const { sku, order, soId } = await orderInOdoo(2);
      await refundIn(order.id, { lines: [{ sku, quantity: 1, restockType: 'cancel' }] });
      const [applied] = await appliedRefunds(soId, 1);
      assert.equal(applied!.credit_note_id, null);
      assert.equal(applied!.amount_total, '10.00');
      await waitFor('one unit left on the order', async () => (await product(soId)).quantity === 1);
      await queuesIdle();
      await neverHeld(soId, order.admin_graphql_api_id);
      assert.equal((await merchant.readOrderLines(soId)).amount_total, '15.00');
    });

    it('an adjustment-only refund after invoicing is a credit note of the money alone', async () => {
      const { merchant } = get();
      const { order, soId } = await orderInOdoo(1);
      await deliver(soId, order.id);
      await merchant.invoiceOrder(soId);
      await refundIn(order.id, { amount: '2.50', note: 'goodwill' });
      const [applied] = await appliedRefunds(soId, 1);
      assert.deepEqual(await merchant.readCreditNote(applied!.credit_note_id!), { amount_total: '2.50', state: 'posted' });
      await queuesIdle();
      await neverHeld(soId, order.admin_graphql_api_id);
    });

    it('a refund restocked as a return after delivery receives the units back into the warehouse', async () => {
      const { merchant } = get();
      const { sku, order, soId } = await orderInOdoo(2);
      await deliver(soId, order.id);
      await refundIn(order.id, { lines: [{ sku, quantity: 1, restockType: 'return', locationId: LOCATION }] });
      await appliedRefunds(soId, 1);
      const incoming = await waitFor('a received return picking', async () => {
        const pickings = (await merchant.readPickings(soId)).filter((p) => p.picking_type === 'incoming');
        return pickings.length && pickings.every((p) => p.state === 'done') ? pickings : undefined;
      });
      assert.deepEqual(
        incoming.map((p) => p.moves.map((mv) => mv.quantity)),
        [[1]],
      );
      assert.equal((await product(soId)).qty_delivered, 1);
      await queuesIdle();
      await neverHeld(soId, order.admin_graphql_api_id);
    });
  });

  describe('Shopify returns → Odoo', () => {
    const incoming = async (soId: number) => (await get().merchant.readPickings(soId)).filter((p) => p.picking_type === 'incoming');

    it("follows a return's life: requested (nothing yet), approved (a return picking), processed with and without restock, closed", async () => {
      const { sku, order, soId } = await orderInOdoo(2);
      await deliver(soId, order.id);
      const ret = await sim<{ id: number }>('POST', `/orders/${order.id}/returns`, {
        request: true,
        lines: [{ sku, quantity: 2, reason: 'too small' }],
      });
      await queuesIdle();
      assert.deepEqual(await incoming(soId), [], 'a requested return waits for approval');
      await sim('POST', `/returns/${ret.id}/approve`);
      const [open] = await waitFor('the return picking', async () => {
        const pickings = await incoming(soId);
        return pickings.length === 1 && pickings[0]!.state !== 'done' ? pickings : undefined;
      });
      await sim('POST', `/returns/${ret.id}/process`, { lines: [{ sku, quantity: 1, restock: true }], locationId: LOCATION });
      await waitFor('one unit received', async () => ((await product(soId)).qty_delivered === 1 ? true : undefined));
      await sim('POST', `/returns/${ret.id}/process`, { lines: [{ sku, quantity: 1, restock: false }] });
      // Every unit processed: Shopify closes the return itself.
      assert.equal((await sim<Array<{ id: number; status: string }>>('GET', '/returns')).find((r) => r.id === ret.id)?.status, 'CLOSED');
      await queuesIdle();
      const states = (await incoming(soId)).map((p) => p.state).sort();
      assert.ok(states.includes('done'), `the return picking ${open!.id} received: ${states.join(', ')}`);
      assert.ok(
        states.every((s) => s === 'done' || s === 'cancel'),
        `nothing left open: ${states.join(', ')}`,
      );
      assert.equal((await product(soId)).qty_delivered, 1, 'the unit not restocked stays out of stock in Odoo');
      await neverHeld(soId, order.admin_graphql_api_id);
    });

    it('a declined return makes no return picking; a cancelled one cancels its picking', async () => {
      const { sku, order, soId } = await orderInOdoo(2);
      await deliver(soId, order.id);
      const declined = await sim<{ id: number }>('POST', `/orders/${order.id}/returns`, { request: true, lines: [{ sku, quantity: 1 }] });
      await sim('POST', `/returns/${declined.id}/decline`, { reason: 'final_sale' });
      await queuesIdle();
      assert.deepEqual(await incoming(soId), []);
      const cancelled = await sim<{ id: number }>('POST', `/orders/${order.id}/returns`, { lines: [{ sku, quantity: 1 }] });
      await waitFor('the return picking', async () => ((await incoming(soId)).length === 1 ? true : undefined));
      await sim('POST', `/returns/${cancelled.id}/cancel`);
      await waitFor('the return picking cancelled', async () =>
        (await incoming(soId)).every((p) => p.state === 'cancel') ? true : undefined,
      );
      assert.equal((await product(soId)).qty_delivered, 2);
    });
    it('a return picking received by a user in Odoo is processed in Shopify (restocked there), and receives nothing twice', async () => {
      const { merchant } = get();
      const { sku, order, soId } = await orderInOdoo(2);
      await deliver(soId, order.id);
      const ret = await sim<{ id: number }>('POST', `/orders/${order.id}/returns`, { lines: [{ sku, quantity: 1 }] });
      const [picking] = await waitFor('the return picking', async () => {
        const pickings = await incoming(soId);
        return pickings.length === 1 ? pickings : undefined;
      });
      await merchant.validateReturn(picking!.id);
      await waitFor('the picking synced', async () => (await merchant.readBinding('stock.picking', picking!.id)).state === 'synced');
      const processed = await waitFor('the return processed in Shopify', async () => {
        const r = (await sim<Array<{ id: number; lines: Array<{ quantity: number; processedQuantity: number }> }>>('GET', '/returns')).find(
          (x) => x.id === ret.id,
        );
        return r?.lines.every((l) => l.processedQuantity === l.quantity) ? r : undefined;
      });
      assert.deepEqual(
        processed.lines.map((l) => l.processedQuantity),
        [1],
      );
      await queuesIdle();
      const after = await incoming(soId);
      assert.deepEqual(
        after.map((p) => [p.state, p.moves.map((mv) => mv.quantity)]),
        [['done', [1]]],
      );
      assert.equal((await product(soId)).qty_delivered, 1);
    });
  });

  describe('Returns received in Odoo, refunded with the Shopify return (Settings → Shopify)', () => {
    interface SimReturn {
      id: number;
      orderId: number;
      status: string;
      lines: Array<{ quantity: number; processedQuantity: number; dispositions?: Array<{ type: string }> }>;
    }
    const returnsOf = async (orderId: number) => (await sim<SimReturn[]>('GET', '/returns')).filter((r) => r.orderId === orderId);
    const incoming = async (soId: number) => (await get().merchant.readPickings(soId)).filter((p) => p.picking_type === 'incoming');
    beforeEach(() => get().merchant.configure({ return_refund: 'return' }));
    afterEach(() => get().merchant.configure({ return_refund: 'separate' }));

    /** An invoiced order of 2 delivered units, and one unit back in a return picking validated in Odoo that waits for its credit note. */
    async function receivedAndWaiting(how: 'shopify return' | 'return button') {
      const { merchant } = get();
      const { sku, variantId, order, soId } = await orderInOdoo(2);
      await deliver(soId, order.id);
      await merchant.invoiceOrder(soId);
      let pickingId: number;
      if (how === 'shopify return') {
        await sim('POST', `/orders/${order.id}/returns`, { lines: [{ sku, quantity: 1 }] });
        const [picking] = await waitFor('the return picking', async () => {
          const pickings = await incoming(soId);
          return pickings.length === 1 ? pickings : undefined;
        });
        pickingId = picking!.id;
      } else {
        const [delivery] = (await merchant.readPickings(soId)).filter((p) => p.picking_type === 'outgoing');
        pickingId = (await merchant.returnDelivery(delivery!.id, { [variantId]: 1 })).return_picking_id;
      }
      await merchant.validateReturn(pickingId);
      const binding = await waitFor('the sidecar holding the return for its credit note', async () => {
        const b = await merchant.readBinding('stock.picking', pickingId);
        return b.message?.startsWith('Waiting for the credit note') ? b : undefined;
      });
      await queuesIdle();
      assert.equal(binding.state, 'pending');
      assert.equal(await merchant.readReturnWaiting(pickingId), true, 'the picking says it waits for the credit note');
      const [ret] = await returnsOf(order.id);
      assert.ok(ret, 'the Shopify return exists (made with returnCreate for the Return button)');
      assert.deepEqual(
        ret.lines.map((l) => l.processedQuantity),
        [0],
        'not processed in Shopify before the credit note',
      );
      assert.deepEqual((await sim<SimOrder>('GET', `/orders/${order.id}`)).refunds, []);
      return { sku, order, soId, pickingId, ret };
    }

    /** The credit note of the returned unit is the return's refund: one Shopify refund, linked to it, once; Odoo's money unchanged by its echo. */
    async function creditedWithTheReturn(w: Awaited<ReturnType<typeof receivedAndWaiting>>) {
      const { merchant } = get();
      const { credit_note_id } = await merchant.creditOrderLines(w.soId, [{ sku: w.sku, quantity: 1 }], 'returned');
      const processed = await waitFor('the return processed in Shopify with its refund', async () => {
        const r = (await returnsOf(w.order.id)).find((x) => x.id === w.ret.id);
        return r?.lines.every((l) => l.processedQuantity === l.quantity) ? r : undefined;
      });
      assert.deepEqual(
        processed.lines.map((l) => l.dispositions?.map((d) => d.type)),
        [['RESTOCKED']],
      );
      await waitFor('the credit note bound to the refund', async () =>
        (await merchant.readBinding('account.move', credit_note_id)).shopify_gid ? true : undefined,
      );
      await waitFor('the picking synced', async () => (await merchant.readBinding('stock.picking', w.pickingId)).state === 'synced');
      await queuesIdle();
      const shopify = await sim<SimOrder>('GET', `/orders/${w.order.id}`);
      assert.deepEqual(
        shopify.refunds.map((r) => [r.return?.admin_graphql_api_id, r.transactions.map((t) => [t.kind, t.amount])]),
        [[`gid://shopify/Return/${w.ret.id}`, [['refund', '10.00']]]],
        'one refund, linked to the return, of the credit note amount',
      );
      const refundGid = shopify.refunds[0]!.admin_graphql_api_id;
      assert.equal((await merchant.readBinding('account.move', credit_note_id)).shopify_gid, refundGid);
      assert.deepEqual(
        (await merchant.readRefunds(w.soId)).map((r) => [r.refund_gid, r.origin, r.credit_note_id]),
        [[refundGid, 'odoo', credit_note_id]],
      );
      assert.deepEqual(await merchant.readCreditNote(credit_note_id), { amount_total: '10.00', state: 'posted' });
      assert.equal(await merchant.readReturnWaiting(w.pickingId), false);
      // The unit came back once, and Odoo's order equals Shopify's.
      assert.deepEqual(
        (await incoming(w.soId)).map((p) => [p.state, p.moves.map((mv) => mv.quantity)]),
        [['done', [1]]],
      );
      const [so] = await merchant.readSaleOrders(w.order.admin_graphql_api_id);
      assert.equal(so!.lines[0]!.qty_delivered, 1);
      assert.equal(so!.amount_total, shopify.current_total_price, "Odoo's order total equals Shopify's current total");
      await neverHeld(w.soId, w.order.admin_graphql_api_id);
    }

    it('a Shopify return received in Odoo waits for its credit note, which processes it in Shopify with the refund linked to it', async () => {
      await creditedWithTheReturn(await receivedAndWaiting('shopify return'));
    });

    it('a delivery returned in Odoo (the Return button) becomes a Shopify return that waits for its credit note, then is refunded with it', async () => {
      await creditedWithTheReturn(await receivedAndWaiting('return button'));
    });

    it('"Process in Shopify without a refund" processes the return at once; a later credit note is a refund of its own', async () => {
      const { merchant } = get();
      const w = await receivedAndWaiting('shopify return');
      await merchant.processReturnWithoutRefund(w.pickingId);
      await waitFor('the return processed in Shopify', async () => {
        const r = (await returnsOf(w.order.id)).find((x) => x.id === w.ret.id);
        return r?.lines.every((l) => l.processedQuantity === l.quantity) ? r : undefined;
      });
      await waitFor('the picking synced', async () => (await merchant.readBinding('stock.picking', w.pickingId)).state === 'synced');
      assert.deepEqual((await sim<SimOrder>('GET', `/orders/${w.order.id}`)).refunds, [], 'no refund');
      assert.equal(await merchant.readReturnWaiting(w.pickingId), false);
      const { credit_note_id } = await merchant.creditOrderLines(w.soId, [{ sku: w.sku, quantity: 1 }], 'returned');
      const [refund] = await waitFor('the refund in Shopify', async () => {
        const refunds = (await sim<SimOrder>('GET', `/orders/${w.order.id}`)).refunds;
        return refunds.length ? refunds : undefined;
      });
      assert.equal(refund!.return ?? null, null, 'refundCreate: not linked to the return');
      await waitFor(
        'the credit note bound to the refund',
        async () => (await merchant.readBinding('account.move', credit_note_id)).shopify_gid === refund!.admin_graphql_api_id,
      );
      await queuesIdle();
      assert.deepEqual(await merchant.readCreditNote(credit_note_id), { amount_total: '10.00', state: 'posted' });
      assert.equal((await incoming(w.soId)).length, 1);
    });
  });

  describe('Odoo credit notes → Shopify', () => {
    it('a credit note posted in Odoo becomes one Shopify refund of its amount, and the refund that comes back changes no money in Odoo', async () => {
      const { merchant } = get();
      const { sku, order, soId } = await orderInOdoo(2);
      await deliver(soId, order.id);
      await merchant.invoiceOrder(soId);
      const { credit_note_id } = await merchant.creditOrderLines(soId, [{ sku, quantity: 1 }], 'damaged');
      const [refund] = await waitFor('the refund in Shopify', async () => {
        const refunds = (await sim<SimOrder>('GET', `/orders/${order.id}`)).refunds;
        return refunds.length ? refunds : undefined;
      });
      assert.deepEqual(
        refund!.transactions.map((t) => [t.kind, t.amount]),
        [['refund', '10.00']],
      );
      await waitFor(
        'the credit note bound to the refund',
        async () => (await merchant.readBinding('account.move', credit_note_id)).shopify_gid === refund!.admin_graphql_api_id,
      );
      await queuesIdle();
      const refunds = await merchant.readRefunds(soId);
      assert.deepEqual(
        refunds.map((r) => [r.refund_gid, r.origin, r.credit_note_id]),
        [[refund!.admin_graphql_api_id, 'odoo', credit_note_id]],
      );
      assert.deepEqual(await merchant.readCreditNote(credit_note_id), { amount_total: '10.00', state: 'posted' });
      await neverHeld(soId, order.admin_graphql_api_id);
    });
  });

  describe('Duties', () => {
    it('an order with a duty is booked to the cent and invoiced with it; a unit refunded with its share of the duty, then the rest of the duty, are exact credit notes', async () => {
      const { merchant } = get();
      // 2 × 10.00 + shipping 5.00 + a duty of 3.00: 28.00.
      const { sku, order, soId } = await orderInOdoo(2, '3.00');
      assert.equal((await merchant.readOrderLines(soId)).amount_total, '28.00');
      assert.deepEqual(
        (await merchant.readOrderLines(soId)).lines.filter((l) => l.role === 'duty').map((l) => [l.quantity, l.price_total]),
        [[1, '3.00']],
      );
      await deliver(soId, order.id);
      const invoice = await merchant.invoiceOrder(soId);
      assert.equal(invoice.amount_total, '28.00');
      // One delivered unit kept by the customer and its share of the duty: 10.00 + 1.50.
      await refundIn(order.id, { lines: [{ sku, quantity: 1, restockType: 'no_restock' }], duties: 'proportional' });
      const [first] = await appliedRefunds(soId, 1);
      assert.deepEqual(await merchant.readCreditNote(first!.credit_note_id!), { amount_total: '11.50', state: 'posted' });
      // The rest of the duty, in full, alone: 1.50.
      await refundIn(order.id, { duties: 'full' });
      const refunds = await appliedRefunds(soId, 2);
      const second = refunds.find((r) => r.refund_gid !== first!.refund_gid)!;
      assert.deepEqual(await merchant.readCreditNote(second.credit_note_id!), { amount_total: '1.50', state: 'posted' });
      await queuesIdle();
      await neverHeld(soId, order.admin_graphql_api_id);
      // Odoo's order equals Shopify's current order (one unit and the shipping, no duty left), all invoiced.
      const shopify = await sim<SimOrder>('GET', `/orders/${order.id}`);
      assert.equal(shopify.current_total_price, '15.00');
      const lines = await merchant.readOrderLines(soId);
      assert.deepEqual([lines.amount_total, lines.invoice_status], ['15.00', 'invoiced']);
    });

    it('a cancellation refunded in Shopify gives the duty back with everything else', async () => {
      const { merchant } = get();
      const { order, soId } = await orderInOdoo(1, '2.00');
      await sim('POST', `/orders/${order.id}/cancel`, { refund: true, restock: true, reason: 'customer' });
      await appliedRefunds(soId, 1);
      await waitFor(
        'the sale order cancelled',
        async () => (await merchant.readSaleOrders(order.admin_graphql_api_id))[0]?.state === 'cancel',
      );
      await queuesIdle();
      const refund = (await merchant.readRefunds(soId))[0]!;
      assert.equal(refund.amount_total, '17.00');
    });

    it('a credit note made in Odoo for a unit and its share of the duty refunds the duty in Shopify (PROPORTIONAL), the rest FULL; another amount is refused on the credit note', async () => {
      const { merchant } = get();
      const { sku, order, soId } = await orderInOdoo(2, '3.00');
      await merchant.invoiceOrder(soId);
      const refundsInShopify = (count: number) =>
        waitFor(`${count} refund(s) in Shopify`, async () => {
          const refunds = (await sim<SimOrder>('GET', `/orders/${order.id}`)).refunds;
          return refunds.length >= count ? refunds : undefined;
        });
      const bound = (creditNoteId: number) =>
        waitFor(
          'the credit note bound to its Shopify refund',
          async () => (await merchant.readBinding('account.move', creditNoteId)).state === 'synced',
        );
      // Not delivered: the unit leaves both orders (CANCEL), half the duty with it: 10.00 + 1.50.
      const first = await merchant.creditOrderLines(
        soId,
        [
          { sku, quantity: 1 },
          { sku: 'SHOPIFY-DUTIES', quantity: 0.5 },
        ],
        'cancelled',
      );
      const [proportional] = await refundsInShopify(1);
      assert.deepEqual(
        [
          proportional!.total_duties_set?.shop_money.amount,
          proportional!.transactions.map((t) => t.amount),
          proportional!.order_adjustments,
        ],
        ['1.50', ['11.50'], []],
      );
      await bound(first.credit_note_id);
      // The rest of the duty alone: FULL.
      const second = await merchant.creditOrderLines(soId, [{ sku: 'SHOPIFY-DUTIES', quantity: 0.5 }], 'duty');
      const refunds = await refundsInShopify(2);
      assert.equal(refunds[1]!.total_duties_set?.shop_money.amount, '1.50');
      await bound(second.credit_note_id);
      await queuesIdle();
      await neverHeld(soId, order.admin_graphql_api_id);
      // Odoo's order equals Shopify's current one: a unit, the shipping, no duty left; all invoiced.
      const shopify = await sim<SimOrder>('GET', `/orders/${order.id}`);
      assert.equal(shopify.current_total_price, '15.00');
      const lines = await merchant.readOrderLines(soId);
      assert.deepEqual([lines.amount_total, lines.invoice_status], ['15.00', 'invoiced']);
      assert.equal((await merchant.readRefunds(soId)).length, 2);
      // Nothing of the duty is left to give back: a credit of it is refused, naming the duty, both amounts and the fix.
      const third = await merchant.creditOrderLines(soId, [{ sku: 'SHOPIFY-DUTIES', quantity: 0.25 }], 'too much');
      const error = await waitFor('the refusal on the credit note', async () => {
        const binding = await merchant.readBinding('account.move', third.credit_note_id);
        return binding.state === 'error' ? binding.message : undefined;
      });
      assert.match(
        error ?? '',
        /credits 0\.75 of duty gid:\/\/shopify\/Duty\/\d+ \(MONEY-\w+\), but Shopify refunds a duty in full \(0\.00 left\) or in proportion to its units .*; credit one of these amounts, or refund the duty in Shopify/,
      );
      assert.equal((await sim<SimOrder>('GET', `/orders/${order.id}`)).refunds.length, 2);
    });
  });

  describe('Duties and order edits', () => {
    it("an edit that removes a unit after invoicing holds the order naming currentTotalDutiesSet (Shopify took the unit's share of the duty off, without saying which duty); the unit alone leaves the order and its invoice", async () => {
      const { merchant } = get();
      // 2 × 10.00 + shipping 5.00 + a duty of 3.00: 28.00, invoiced.
      const { sku, order, soId } = await orderInOdoo(2, '3.00');
      assert.equal((await merchant.invoiceOrder(soId)).amount_total, '28.00');
      await sim('POST', `/orders/${order.id}/edit`, { set: [{ sku, quantity: 1 }] });
      // The simulator's assumption: the removed unit takes half the duty with it (16.50).
      assert.equal((await sim<SimOrder>('GET', `/orders/${order.id}`)).current_total_price, '16.50');
      await queuesIdle();
      const binding = await waitFor('the order held', async () => {
        const b = await merchant.readBinding('sale.order', soId);
        return b.state === 'error' ? b : undefined;
      });
      assert.match(
        binding.message ?? '',
        /held: currentTotalDutiesSet is 1\.50 but the duties Odoo books come to 3\.00 \(charged 3\.00, refunded 0\.00\): an order edit in Shopify changed the duties/,
      );
      assert.ok(
        get().stack.logs.lines.some((l) => l.entityId === order.admin_graphql_api_id && l.outcome === 'held'),
        'the job says the order is held',
      );
      // Nothing of the duty is booked silently: the duty line stays at 3.00, invoiced; the unit
      // the edit removed is credited alone (10.00), as any edit after invoicing is.
      const view = await merchant.readOrderLines(soId);
      assert.deepEqual(
        view.lines.filter((l) => l.role === 'duty' || l.role === 'product').map((l) => [l.role, l.quantity, l.price_total]),
        [
          ['product', 1, '10.00'],
          ['duty', 1, '3.00'],
        ],
      );
      assert.deepEqual([view.amount_total, view.invoice_status], ['18.00', 'invoiced']);
    });

    it('a line an edit adds with the duty Shopify charges on it gets its duty line in Odoo: the order equals Shopify to the cent and is invoiced with it', async () => {
      const { merchant } = get();
      // 1 × 10.00 + shipping 5.00 + a duty of 2.00: 17.00.
      const { sku, order, soId } = await orderInOdoo(1, '2.00');
      await sim('POST', `/orders/${order.id}/edit`, {
        add: [{ sku, quantity: 1, price: '10.00', duties: [{ price: '1.25', harmonizedSystemCode: '691200' }] }],
      });
      assert.equal((await sim<SimOrder>('GET', `/orders/${order.id}`)).current_total_price, '28.25');
      await queuesIdle();
      const view = await waitFor('the added line and its duty in Odoo', async () => {
        const v = await merchant.readOrderLines(soId);
        return v.lines.filter((l) => l.role === 'duty').length === 2 ? v : undefined;
      });
      assert.deepEqual(
        view.lines.filter((l) => l.role === 'duty').map((l) => [l.quantity, l.price_total]),
        [
          [1, '2.00'],
          [1, '1.25'],
        ],
      );
      assert.equal(view.amount_total, '28.25');
      await neverHeld(soId, order.admin_graphql_api_id);
      assert.equal((await merchant.invoiceOrder(soId)).amount_total, '28.25');
    });
  });

  describe('Additional fees', () => {
    it("an order with a fee is booked to the cent and invoiced with it; Shopify's refund of the fee (money beyond the goods) is an exact credit note and the fee stays on both orders", async () => {
      const { merchant } = get();
      // 2 × 10.00 + shipping 5.00 + an import handling fee of 2.50: 27.50.
      const { order, soId } = await orderInOdoo(2, undefined, '2.50');
      assert.deepEqual(
        (await merchant.readOrderLines(soId)).lines.filter((l) => l.role === 'fee').map((l) => [l.quantity, l.price_total]),
        [[1, '2.50']],
      );
      assert.equal((await merchant.readOrderLines(soId)).amount_total, '27.50');
      await deliver(soId, order.id);
      const invoice = await merchant.invoiceOrder(soId);
      assert.equal(invoice.amount_total, '27.50');
      // 2026-10 refunds a fee only as money: 2.50 with no goods, an order adjustment in Shopify.
      await refundIn(order.id, { amount: '2.50' });
      const [refund] = await appliedRefunds(soId, 1);
      assert.deepEqual(await merchant.readCreditNote(refund!.credit_note_id!), { amount_total: '2.50', state: 'posted' });
      await queuesIdle();
      await neverHeld(soId, order.admin_graphql_api_id);
      // Shopify's current total still counts the fee; Odoo's fee line stays invoiced.
      const shopify = await sim<SimOrder>('GET', `/orders/${order.id}`);
      assert.equal(shopify.current_total_price, '27.50');
      const lines = await merchant.readOrderLines(soId);
      assert.deepEqual([lines.lines.filter((l) => l.role === 'fee').length, lines.invoice_status], [1, 'invoiced']);
    });

    it('a credit note made in Odoo for the fee line is refunded in Shopify as money beyond the goods, and its echo is booked once', async () => {
      const { merchant } = get();
      const { order, soId } = await orderInOdoo(1, undefined, '2.50');
      await merchant.invoiceOrder(soId);
      const credit = await merchant.creditOrderLines(soId, [{ sku: 'SHOPIFY-FEES', quantity: 1 }], 'fee refunded');
      const [refund] = await waitFor('the refund in Shopify', async () => {
        const refunds = (await sim<SimOrder>('GET', `/orders/${order.id}`)).refunds;
        return refunds.length ? refunds : undefined;
      });
      assert.deepEqual([refund!.transactions.map((t) => t.amount), refund!.order_adjustments?.length], [['2.50'], 1]);
      await waitFor(
        'the credit note bound to its Shopify refund',
        async () => (await merchant.readBinding('account.move', credit.credit_note_id)).state === 'synced',
      );
      await appliedRefunds(soId, 1);
      await queuesIdle();
      await neverHeld(soId, order.admin_graphql_api_id);
      // One credit note (the merchant's), nothing left to invoice; Shopify still counts the fee.
      const refunds = await merchant.readRefunds(soId);
      assert.deepEqual(
        refunds.map((r) => r.credit_note_id),
        [credit.credit_note_id],
      );
      assert.equal((await sim<SimOrder>('GET', `/orders/${order.id}`)).current_total_price, '17.50');
      assert.equal((await merchant.readOrderLines(soId)).invoice_status, 'invoiced');
    });
  });
}
