/**
 * Order edits end to end, written once and run twice: against the Odoo double
 * (`sidecar/flows/refunds/money.e2e.test.ts`, in `make test`) and against a real Odoo 18
 * (`sidecar/flows/money.real-odoo.e2e.test.ts`, `scripts/e2e-real-odoo.sh`). The simulator's
 * control API plays the merchant editing the order in the Shopify admin (only unfulfilled units can
 * be removed there); Odoo is seen through the MerchantDriver (docs/flows.md, "Order edits after
 * delivery").
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { pullOrdersSince } from '../../sidecar/flows/orders/apply.js';
import type { MoneyScenarioContext } from './money-scenarios.js';

interface SimOrder {
  id: number;
  admin_graphql_api_id: string;
  updated_at: string;
  current_total_price: string;
  fulfillments: unknown[];
  shipping_lines: Array<{ id: number; title: string }>;
}

const LOCATION = 101;

export function defineEditScenarios(get: () => MoneyScenarioContext): void {
  const sim = <T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) => get().stack.simControl<T>(method, path, body);
  const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>) => get().stack.waitFor(what, probe, get().timeoutMs);

  async function product(price: string) {
    const { merchant, warehouseId } = get();
    const sku = `EDIT-${randomUUID().slice(0, 8).toUpperCase()}`;
    await sim('POST', '/products', { title: `Edit ${sku}`, sku, price, stock: { [String(LOCATION)]: 50 } });
    const created = await merchant.createProduct({ name: `Edit ${sku}`, price, variants: [{ sku }] });
    await merchant.setStock(created.variants[sku]!, warehouseId, 50);
    return sku;
  }

  /** `quantity` × 10.00 + shipping 5.00, paid, imported and confirmed in Odoo. */
  async function orderInOdoo(quantity: number) {
    const sku = await product('10.00');
    const order = await sim<SimOrder>('POST', '/orders', {
      email: `edit-${randomUUID().slice(0, 8)}@example.com`,
      lines: [{ sku, quantity, price: '10.00' }],
      shippingLines: [{ title: 'Standard', price: '5.00' }],
      financialStatus: 'paid',
      locationId: LOCATION,
    });
    const [so] = await waitFor('the sale order in Odoo', async () => {
      const sos = await get().merchant.readSaleOrders(order.admin_graphql_api_id);
      return sos.length === 1 && sos[0]!.state === 'sale' ? sos : undefined;
    });
    return { sku, order, soId: so!.id };
  }

  const outgoing = async (soId: number) => (await get().merchant.readPickings(soId)).filter((p) => p.picking_type === 'outgoing');
  const incoming = async (soId: number) => (await get().merchant.readPickings(soId)).filter((p) => p.picking_type === 'incoming');

  /** Validates the order's open delivery in Odoo and waits until Shopify has a fulfillment for it. */
  async function deliver(soId: number, orderId: number) {
    const { merchant } = get();
    const [picking] = (await outgoing(soId)).filter((p) => p.state !== 'done' && p.state !== 'cancel');
    await merchant.validateDelivery(picking!.id, {});
    await waitFor('the fulfillment in Shopify', async () =>
      (await sim<SimOrder>('GET', `/orders/${orderId}`)).fulfillments.length ? true : undefined,
    );
    await waitFor('the delivery synced', async () => (await merchant.readBinding('stock.picking', picking!.id)).state === 'synced');
  }

  const queuesIdle = async () => {
    for (let round = 0; round < 2; round++) {
      await get().stack.sim.idle();
      await waitFor('the orders and refunds queues idle', async () => {
        const stats = await get().stack.sidecar.queue.queueStats();
        return stats.filter((q) => ['orders', 'refunds', 'fulfillments'].includes(q.queue)).every((q) => q.queued === 0 && q.active === 0);
      });
    }
  };
  /** No job held the order; `flagged` allowed only when the policy flags. */
  function neverHeld(orderGid: string, allowFlagged = false) {
    const bad = get().stack.logs.lines.filter(
      (l) => l.entityId === orderGid && (l.outcome === 'held' || (!allowFlagged && l.outcome === 'flagged')),
    );
    assert.deepEqual(bad, [], 'no job held the order');
  }

  /**
   * Shopify edits the order while it does not know yet that Odoo delivered (its webhooks are lost
   * meanwhile): the merchant removes one of the two units; Odoo delivers both and invoices; with
   * `refundFirst` the merchant also refunds the edit's balance before Odoo hears of the edit. Then
   * the orders pull brings the edit.
   */
  async function removeAfterDelivery(refundFirst: boolean) {
    const { stack, merchant } = get();
    const { sku, order, soId } = await orderInOdoo(2);
    await queuesIdle();
    const since = (await sim<SimOrder>('GET', `/orders/${order.id}`)).updated_at;
    await sim('PUT', '/faults', { webhookDropRate: 1 });
    try {
      await sim('POST', `/orders/${order.id}/edit`, { set: [{ sku, quantity: 1, restock: true }] });
      if (refundFirst) await sim('POST', `/orders/${order.id}/refunds`, { amount: '10.00', note: 'edit balance' });
      await deliver(soId, order.id);
      assert.equal((await merchant.invoiceOrder(soId)).amount_total, '25.00');
      await stack.sim.idle();
    } finally {
      // Back with PUT: DELETE would re-seed the webhook ids, which the inbox then drops as duplicates.
      await sim('PUT', '/faults', { webhookDropRate: 0 });
    }
    assert.ok((await pullOrdersSince(stack.flowContext(), since)).enqueued >= 1);
    await queuesIdle();
    if (!refundFirst) {
      await sim('POST', `/orders/${order.id}/refunds`, { amount: '10.00', note: 'edit balance' });
      await queuesIdle();
    }
    return { sku, order, soId };
  }

  /** What Odoo holds after a unit removed after delivery and its refund: the same whichever came first. */
  async function assertRemovedAfterDelivery(soId: number, orderGid: string) {
    const { merchant } = get();
    const refunds = await waitFor('the refund applied', async () => {
      const r = await merchant.readRefunds(soId);
      return r.length === 1 && r[0]!.state === 'applied' ? r : undefined;
    });
    const [refund] = refunds;
    assert.equal(refund!.credit_note_id, null, 'the refund repays the edit: no second credit note');
    const view = await merchant.readOrderLines(soId);
    // Shopify's current total: one unit and the shipping.
    assert.equal(view.amount_total, '15.00');
    const roles = view.lines.map((l) => [l.role, l.quantity, l.qty_delivered, l.kept_qty, l.price_total]);
    assert.deepEqual(
      roles.filter(([role]) => role === 'product' || role === 'edit_removal' || role === 'refund_adjustment'),
      [
        ['product', 2, 2, 1, '20.00'],
        ['edit_removal', -1, 0, 0, '-10.00'],
      ],
    );
    assert.equal(view.invoice_status, 'invoiced');
    const notes = await merchant.readOrderCreditNotes(soId);
    // The edit's credit note and the refund that pays it back point to each other (docs/flows.md,
    // "The refund that pays the customer back"); the credit note is the edit's, not the refund's.
    assert.deepEqual(
      notes.map((n) => [n.amount_total, n.state, n.refund_gid, n.edit_refund_gids]),
      [['10.00', 'posted', null, [refund!.refund_gid]]],
    );
    assert.deepEqual(refund!.edit_credit_note_ids, [notes[0]!.id], 'the refund is bound to the credit note of the edit it pays');
    const returns = await incoming(soId);
    assert.deepEqual(
      returns.map((p) => [p.state, p.moves.map((mv) => mv.quantity)]),
      [['assigned', [1]]],
    );
    const binding = await merchant.readBinding('sale.order', soId);
    assert.equal(binding.state, 'synced', binding.message ?? '');
    neverHeld(orderGid);
  }

  describe('order edits', () => {
    afterEach(() => get().merchant.configure({ edit_removal_policy: 'return' }));

    it('a line added after delivery gets a new delivery in Odoo; the order follows Shopify', async () => {
      const { merchant } = get();
      const { order, soId } = await orderInOdoo(1);
      await deliver(soId, order.id);
      const tee = await product('7.00');
      await sim('POST', `/orders/${order.id}/edit`, { add: [{ sku: tee, quantity: 2, price: '7.00' }] });
      const open = await waitFor('a new delivery for the added line', async () => {
        const pickings = (await outgoing(soId)).filter((p) => p.state !== 'done' && p.state !== 'cancel');
        return pickings.length === 1 ? pickings[0] : undefined;
      });
      assert.deepEqual(
        open.moves.map((mv) => mv.quantity),
        [2],
      );
      await queuesIdle();
      assert.equal((await merchant.readOrderLines(soId)).amount_total, '29.00');
      assert.equal((await merchant.readBinding('sale.order', soId)).state, 'synced');
      neverHeld(order.admin_graphql_api_id);
    });

    it('units removed after Odoo delivered them are credited once and a return waits for them (the edit first, then its refund)', async () => {
      const { order, soId } = await removeAfterDelivery(false);
      await assertRemovedAfterDelivery(soId, order.admin_graphql_api_id);
    });

    it('the same when the refund of the edit reaches Odoo before the edit', async () => {
      const { order, soId } = await removeAfterDelivery(true);
      await assertRemovedAfterDelivery(soId, order.admin_graphql_api_id);
    });

    it('under the "flag" policy the order is flagged with the lines and quantities, never held, and nothing is credited', async () => {
      const { merchant } = get();
      await merchant.configure({ edit_removal_policy: 'flag' });
      const { sku, order, soId } = await orderInOdoo(2);
      await queuesIdle();
      const since = (await sim<SimOrder>('GET', `/orders/${order.id}`)).updated_at;
      await sim('PUT', '/faults', { webhookDropRate: 1 });
      try {
        await sim('POST', `/orders/${order.id}/edit`, { set: [{ sku, quantity: 1, restock: true }] });
        await deliver(soId, order.id);
      } finally {
        await sim('PUT', '/faults', { webhookDropRate: 0 });
      }
      assert.ok((await pullOrdersSince(get().stack.flowContext(), since)).enqueued >= 1);
      const binding = await waitFor('the order flagged', async () => {
        const b = await merchant.readBinding('sale.order', soId);
        return b.state === 'error' ? b : undefined;
      });
      assert.match(binding.message ?? '', new RegExp(`removed units Odoo already delivered: 1 × [^,]*${sku}`));
      await queuesIdle();
      neverHeld(order.admin_graphql_api_id, true);
      const view = await merchant.readOrderLines(soId);
      assert.deepEqual(
        view.lines.filter((l) => l.role === 'product').map((l) => [l.quantity, l.kept_qty]),
        [[2, 0]],
      );
      assert.equal(
        view.lines.some((l) => l.role === 'edit_removal'),
        false,
      );
      assert.deepEqual(await incoming(soId), []);
    });
  });

  /**
   * Shipping lines edited in Shopify (orderEditUpdateShippingLine, orderEditAddShippingLine,
   * orderEditRemoveShippingLine; docs/flows.md, "Shipping lines and order edits"): Odoo's order,
   * invoices and credit notes end at Shopify's current total to the cent, nothing held.
   */
  describe('order edits of shipping lines', () => {
    /** Odoo's invoices less its credit notes, in cents. */
    async function invoicedNet(soId: number, invoiced: string[]) {
      const notes = await get().merchant.readOrderCreditNotes(soId);
      const cents = (a: string) => Math.round(Number(a) * 100);
      return (
        invoiced.reduce((s, a) => s + cents(a), 0) -
        notes.filter((n) => n.state === 'posted').reduce((s, n) => s + cents(n.amount_total), 0)
      );
    }

    /** Shopify's edit of the shipping line `id` to `price`, once Odoo's order shows `total` and the queues are idle. */
    async function repriceShipping(orderId: number, soId: number, id: number, price: string, total: string) {
      await sim('POST', `/orders/${orderId}/edit`, { shipping: { update: [{ id, price }] } });
      await waitFor(`the shipping at ${price} in Odoo`, async () =>
        (await get().merchant.readOrderLines(soId)).amount_total === total ? true : undefined,
      );
      await queuesIdle();
    }

    /** One unit and shipping 5.00, invoiced in Odoo (15.00), then its shipping repriced to `price` in Shopify. */
    async function invoicedThenRepriced(price: string, total: string) {
      const { order, soId } = await orderInOdoo(1);
      await queuesIdle();
      const invoice = await get().merchant.invoiceOrder(soId);
      assert.equal(invoice.amount_total, '15.00');
      const [standard] = (await sim<SimOrder>('GET', `/orders/${order.id}`)).shipping_lines;
      await repriceShipping(order.id, soId, standard!.id, price, total);
      return { order, soId, invoice, standard: standard! };
    }

    it('a shipping line lowered, then removed, after Odoo invoiced it is credited each time: invoices less credit notes equal Shopify', async () => {
      const { merchant } = get();
      const { order, soId, invoice, standard } = await invoicedThenRepriced('3.00', '13.00');
      const [lowered] = await merchant.readOrderCreditNotes(soId);
      assert.deepEqual([lowered?.amount_total, lowered?.state], ['2.00', 'posted']);
      assert.deepEqual(
        (await merchant.readCreditNoteLines(lowered!.id)).map((l) => [l.name, l.price_total]),
        [['Lowered in Shopify: Standard', '2.00']],
      );
      await sim('POST', `/orders/${order.id}/edit`, { shipping: { remove: [standard.id] } });
      await waitFor('the removed shipping in Odoo', async () =>
        (await merchant.readOrderLines(soId)).amount_total === '10.00' ? true : undefined,
      );
      await queuesIdle();
      const shopify = await sim<SimOrder>('GET', `/orders/${order.id}`);
      assert.equal(shopify.current_total_price, '10.00');
      assert.deepEqual(shopify.shipping_lines, [], 'the removed line is hidden from the order payload');
      const notes = await merchant.readOrderCreditNotes(soId);
      assert.deepEqual(
        notes.map((n) => [n.amount_total, n.state]),
        [
          ['2.00', 'posted'],
          ['3.00', 'posted'],
        ],
      );
      assert.equal(await invoicedNet(soId, [invoice.amount_total]), 1000);
      const view = await merchant.readOrderLines(soId);
      assert.equal(view.invoice_status, 'invoiced');
      assert.equal((await merchant.readBinding('sale.order', soId)).state, 'synced');
      neverHeld(order.admin_graphql_api_id);
    });

    it('a shipping price raised after Odoo invoiced it is invoiced on a line of its own, then lowered is credited only above Shopify: invoices less credit notes equal Shopify', async () => {
      const { merchant } = get();
      const { order, soId, invoice, standard } = await invoicedThenRepriced('7.00', '17.00');
      const raised = await merchant.readOrderLines(soId);
      assert.deepEqual(
        raised.lines
          .filter((l) => l.role === 'shipping' || l.role === 'raised')
          .map((l) => [l.role, l.quantity, l.qty_invoiced, l.price_total]),
        [
          ['shipping', 1, 1, '5.00'],
          ['raised', 1, 0, '2.00'],
        ],
      );
      assert.equal(raised.invoice_status, 'to invoice');
      const supplement = await merchant.invoiceOrder(soId);
      assert.equal(supplement.amount_total, '2.00');
      assert.equal((await sim<SimOrder>('GET', `/orders/${order.id}`)).current_total_price, '17.00');
      assert.equal(await invoicedNet(soId, [invoice.amount_total, supplement.amount_total]), 1700);
      await repriceShipping(order.id, soId, standard.id, '6.00', '16.00');
      assert.equal((await sim<SimOrder>('GET', `/orders/${order.id}`)).current_total_price, '16.00');
      const notes = await merchant.readOrderCreditNotes(soId);
      assert.deepEqual(
        notes.map((n) => [n.amount_total, n.state]),
        [['1.00', 'posted']],
      );
      assert.equal(await invoicedNet(soId, [invoice.amount_total, supplement.amount_total]), 1600);
      assert.equal((await merchant.readOrderLines(soId)).invoice_status, 'invoiced');
      assert.equal((await merchant.readBinding('sale.order', soId)).state, 'synced');
      neverHeld(order.admin_graphql_api_id);
    });

    it('a shipping line removed and another added before invoicing: the order and its invoice follow Shopify', async () => {
      const { merchant } = get();
      const { order, soId } = await orderInOdoo(1);
      await queuesIdle();
      const [standard] = (await sim<SimOrder>('GET', `/orders/${order.id}`)).shipping_lines;
      await sim('POST', `/orders/${order.id}/edit`, {
        shipping: { remove: [standard!.id], add: [{ title: 'Pickup', price: '1.50' }] },
      });
      await waitFor('the edited shipping in Odoo', async () =>
        (await merchant.readOrderLines(soId)).amount_total === '11.50' ? true : undefined,
      );
      await queuesIdle();
      assert.equal((await sim<SimOrder>('GET', `/orders/${order.id}`)).current_total_price, '11.50');
      const view = await merchant.readOrderLines(soId);
      assert.deepEqual(
        view.lines.filter((l) => l.role === 'shipping').map((l) => [l.quantity, l.price_total]),
        [
          [0, '0.00'],
          [1, '1.50'],
        ],
      );
      assert.equal((await merchant.invoiceOrder(soId)).amount_total, '11.50');
      assert.deepEqual(await merchant.readOrderCreditNotes(soId), []);
      assert.equal((await merchant.readBinding('sale.order', soId)).state, 'synced');
      neverHeld(order.admin_graphql_api_id);
    });
  });
}
