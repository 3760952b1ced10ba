/**
 * Fulfillments made in Shopify (POS, a fulfillment app, the Shopify admin) and returns received in
 * Odoo, end to end, written once and run twice: against the Odoo double
 * (`sidecar/flows/fulfillments/shipping.e2e.test.ts`, in `make test`) and against a real Odoo 18
 * (`sidecar/flows/shipping.real-odoo.e2e.test.ts`, `scripts/e2e-real-odoo.sh`). Shopify is the
 * simulator (its control API plays the merchant in the Shopify admin), Odoo is seen only through
 * the MerchantDriver. Every flow runs, so orders are imported and stock is pushed as in production.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { pullOrdersSince } from '../../sidecar/flows/orders/apply.js';
import type { ScenarioContext } from './scenario-stack.js';

/** The stack the scenarios run on (./scenario-stack.ts). */
export type ShippingScenarioContext = ScenarioContext;

interface SimOrder {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  fulfillments: Array<{ id: number; admin_graphql_api_id: string; status: string; line_items: Array<{ sku: string; quantity: number }> }>;
}

interface SimLevel {
  available: number;
  committed: number;
  on_hand: number;
}

const LOCATION = 101;

export function defineShippingScenarios(get: () => ShippingScenarioContext): void {
  const sim = <T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) => get().stack.simControl<T>(method, path, body);
  const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>) => get().stack.waitFor(what, probe, get().timeoutMs);

  /** A product made in Odoo with `stock` units, created in Shopify and its stock pushed. */
  async function productOnBothSides(stock: number) {
    const { merchant, warehouseId } = get();
    const sku = `SHIP-${randomUUID().slice(0, 8).toUpperCase()}`;
    // Made in Odoo only: the catalog flow creates it in Shopify and the inventory flow pushes its stock.
    const product = await merchant.createProduct({ name: `Ship ${sku}`, price: '10.00', variants: [{ sku }] });
    const variantId = product.variants[sku]!;
    await merchant.setStock(variantId, warehouseId, stock);
    await waitFor('the product and its stock in Shopify', async () => {
      const levels = await sim<SimLevel[]>('GET', `/inventory?sku=${sku}&locationId=${LOCATION}`);
      return levels.length === 1 && levels[0]!.on_hand === stock ? true : undefined;
    });
    await queuesIdle();
    return { sku, variantId };
  }

  /** A paid order of `quantity` units in Shopify (as a storefront or a POS places it). */
  const placeOrder = (sku: string, quantity: number) =>
    sim<SimOrder>('POST', '/orders', {
      email: `ship-${randomUUID().slice(0, 8)}@example.com`,
      lines: [{ sku, quantity, price: '10.00' }],
      financialStatus: 'paid',
      locationId: LOCATION,
    });

  /** The sale order of a Shopify order once Odoo has it confirmed. */
  const confirmedSaleOrder = (orderGid: string) =>
    waitFor('the sale order in Odoo', async () => {
      const sos = await get().merchant.readSaleOrders(orderGid);
      return sos.length === 1 && sos[0]!.state === 'sale' ? sos[0]! : undefined;
    });

  /** A product on both sides with `stock` units, and an order of `quantity` units imported into Odoo. */
  async function orderInOdoo(quantity: number, stock = 10) {
    const { sku, variantId } = await productOnBothSides(stock);
    const order = await placeOrder(sku, quantity);
    const so = await confirmedSaleOrder(order.admin_graphql_api_id);
    await queuesIdle();
    return { sku, variantId, order, soId: so.id };
  }

  const deliveries = async (soId: number) => (await get().merchant.readPickings(soId)).filter((p) => p.picking_type === 'outgoing');
  /** Shopify's quantities of the SKU at location 101. */
  const level = async (sku: string): Promise<SimLevel> => {
    const l = (await sim<SimLevel[]>('GET', `/inventory?sku=${sku}&locationId=${LOCATION}`))[0]!;
    return { on_hand: l.on_hand, committed: l.committed, available: l.available };
  };
  const fulfillInShopify = (orderId: number, sku: string, quantity: number, number = `POS-${randomUUID().slice(0, 6)}`) =>
    sim<{ id: number; admin_graphql_api_id: string }>('POST', `/orders/${orderId}/fulfillments`, {
      lines: [{ sku, quantity }],
      tracking: { company: 'UPS', number },
    });
  const queuesEmpty = () =>
    waitFor('the flows queues idle', async () => {
      const stats = await get().stack.sidecar.queue.queueStats();
      return stats
        .filter((q) => ['orders', 'fulfillments', 'returns', 'inventory', 'products'].includes(q.queue))
        .every((q) => q.queued === 0 && q.active === 0);
    });
  /** Every webhook and outbox event delivered and worked, twice over (a job can cause more). */
  async function queuesIdle() {
    for (let round = 0; round < 2; round++) {
      await get().stack.sim.idle();
      await queuesEmpty();
    }
  }
  const deadLetters = async () =>
    (await get().stack.sidecar.queue.queueStats()).filter((q) => q.queue.endsWith('.dlq')).reduce((s, q) => s + q.queued, 0);

  describe('fulfillments made in Shopify → Odoo', () => {
    afterEach(() => get().merchant.configure({ fulfillment_policy: 'validate' }));

    it('policy validate: a partial fulfillment in the Shopify admin validates those units in Odoo, the rest is a backorder that Odoo then fulfills', async () => {
      const { merchant } = get();
      await merchant.configure({ fulfillment_policy: 'validate' });
      const { sku, order, soId } = await orderInOdoo(3);
      const fulfillment = await fulfillInShopify(order.id, sku, 2);
      const [done] = await waitFor('the delivery validated for 2 units', async () => {
        const pickings = await deliveries(soId);
        const d = pickings.filter((p) => p.state === 'done');
        return d.length === 1 && pickings.length === 2 ? d : undefined;
      });
      assert.deepEqual(
        done!.moves.map((m) => m.quantity),
        [2],
      );
      assert.equal((await merchant.readBinding('stock.picking', done!.id)).state, 'synced');
      const [line] = (await merchant.readSaleOrders(order.admin_graphql_api_id))[0]!.lines;
      assert.equal(line!.qty_delivered, 2);
      await queuesIdle();
      // Odoo sent nothing back for those units: still one fulfillment in Shopify.
      assert.deepEqual(
        (await sim<SimOrder>('GET', `/orders/${order.id}`)).fulfillments.map((f) => f.admin_graphql_api_id),
        [fulfillment.admin_graphql_api_id],
      );
      // Shopify and Odoo agree on the stock: 10 − 2 shipped, 1 still committed.
      assert.deepEqual(await level(sku), { on_hand: 8, committed: 1, available: 7 });
      // The backorder shipped from Odoo becomes the second fulfillment in Shopify.
      const backorder = (await deliveries(soId)).find((p) => p.state !== 'done' && p.state !== 'cancel')!;
      await merchant.validateDelivery(backorder.id, {});
      await waitFor('the backorder fulfilled in Shopify', async () =>
        (await sim<SimOrder>('GET', `/orders/${order.id}`)).fulfillments.length === 2 ? true : undefined,
      );
      await queuesIdle();
      assert.equal((await merchant.readBinding('stock.picking', backorder.id)).state, 'synced');
      assert.deepEqual(await level(sku), { on_hand: 7, committed: 0, available: 7 });
    });

    it('policy flag: the delivery stays open and flagged, and the stock pushed to Shopify never sells the fulfilled units again', async () => {
      const { merchant, warehouseId } = get();
      await merchant.configure({ fulfillment_policy: 'flag' });
      const made = await orderInOdoo(2);
      await fulfillInShopify(made.order.id, made.sku, 2);
      const [picking] = await waitFor('the delivery flagged', async () => {
        const pickings = await deliveries(made.soId);
        const binding = await merchant.readBinding('stock.picking', pickings[0]!.id);
        return binding.state === 'error' ? pickings : undefined;
      });
      assert.equal(picking!.state === 'done', false, 'not validated');
      const binding = await merchant.readBinding('stock.picking', picking!.id);
      assert.match(binding.message ?? '', /shipped 2 × SHIP-.* in Shopify; this delivery was not validated/);
      await queuesIdle();
      // Shopify: 10 − 2 shipped, nothing committed. Odoo still has 10 on hand.
      assert.deepEqual(await level(made.sku), { on_hand: 8, committed: 0, available: 8 });
      // Two units arrive in Odoo: the push must say 12 − 2 = 10, not 12 (which would sell the 2 shipped units again).
      await merchant.setStock(made.variantId, warehouseId, 12);
      await waitFor('the new stock pushed', async () => ((await level(made.sku)).on_hand !== 8 ? true : undefined));
      await queuesIdle();
      assert.deepEqual(await level(made.sku), { on_hand: 10, committed: 0, available: 10 });
      // A person validates the flagged delivery: Odoo sends nothing to Shopify (the units are fulfilled there), no dead letter.
      const before = await deadLetters();
      await merchant.validateDelivery(picking!.id, {});
      await waitFor('the delivery synced', async () => (await merchant.readBinding('stock.picking', picking!.id)).state === 'synced');
      await queuesIdle();
      assert.equal((await sim<SimOrder>('GET', `/orders/${made.order.id}`)).fulfillments.length, 1);
      assert.equal(await deadLetters(), before, 'no dead letter');
      assert.deepEqual(await level(made.sku), { on_hand: 10, committed: 0, available: 10 });
    });

    it('an Odoo delivery of units Shopify fulfilled while its webhooks were lost completes without a dead letter', async () => {
      const { merchant } = get();
      const { sku, order, soId } = await orderInOdoo(1);
      await sim('PUT', '/faults', { webhookDropRate: 1 });
      try {
        await fulfillInShopify(order.id, sku, 1);
      } finally {
        await sim('PUT', '/faults', { webhookDropRate: 0 });
      }
      const before = await deadLetters();
      const [picking] = await deliveries(soId);
      await merchant.validateDelivery(picking!.id, {});
      await waitFor('the delivery synced', async () => (await merchant.readBinding('stock.picking', picking!.id)).state === 'synced');
      await queuesIdle();
      assert.equal((await sim<SimOrder>('GET', `/orders/${order.id}`)).fulfillments.length, 1, 'nothing sent twice');
      assert.equal(await deadLetters(), before, 'no dead letter');
    });

    it('a fulfillment made in Shopify whose webhooks were all lost is applied by the orders pull', async () => {
      const { merchant, stack } = get();
      await merchant.configure({ fulfillment_policy: 'validate' });
      const { sku, order, soId } = await orderInOdoo(1);
      const since = (await sim<{ updated_at: string }>('GET', `/orders/${order.id}`)).updated_at;
      await sim('PUT', '/faults', { webhookDropRate: 1 });
      try {
        await fulfillInShopify(order.id, sku, 1);
        await stack.sim.idle();
      } finally {
        await sim('PUT', '/faults', { webhookDropRate: 0 });
      }
      assert.equal((await deliveries(soId))[0]!.state === 'done', false, 'no webhook arrived');
      assert.ok((await pullOrdersSince(stack.flowContext(), since)).enqueued >= 1);
      await waitFor('the delivery validated by the pull', async () => ((await deliveries(soId))[0]!.state === 'done' ? true : undefined));
      await queuesIdle();
      assert.equal((await sim<SimOrder>('GET', `/orders/${order.id}`)).fulfillments.length, 1);
      assert.deepEqual(await level(sku), { on_hand: 9, committed: 0, available: 9 });
    });

    it("an order placed and fulfilled in Shopify at once (a POS sale) whose webhooks were all lost: the orders pull imports it and validates its delivery, whichever of the pull's two jobs runs first", async () => {
      const { stack } = get();
      await get().merchant.configure({ fulfillment_policy: 'validate' });
      const { sku } = await productOnBothSides(10);
      const before = await deadLetters();
      const since = new Date(Date.now() - 5_000).toISOString(); // the simulator's clock is the real one here
      await sim('PUT', '/faults', { webhookDropRate: 1 });
      let order: SimOrder;
      try {
        order = await placeOrder(sku, 1);
        await fulfillInShopify(order.id, sku, 1);
        await stack.sim.idle();
      } finally {
        await sim('PUT', '/faults', { webhookDropRate: 0 });
      }
      // One orders job and one fulfillments job, on two queues: the fulfillments job must wait for the order.
      assert.ok((await pullOrdersSince(stack.flowContext(), since)).enqueued >= 1);
      const so = await confirmedSaleOrder(order.admin_graphql_api_id);
      await waitFor('the delivery validated by the pull', async () => ((await deliveries(so.id))[0]?.state === 'done' ? true : undefined));
      await queuesIdle();
      assert.equal((await sim<SimOrder>('GET', `/orders/${order.id}`)).fulfillments.length, 1, 'nothing sent back to Shopify');
      assert.equal(await deadLetters(), before, 'no dead letter');
      assert.deepEqual(await level(sku), { on_hand: 9, committed: 0, available: 9 });
    });

    it('a fulfillment cancelled in Shopify: a flagged delivery is to ship again and the stock is pushed back; a validated one is flagged', async () => {
      const { merchant } = get();
      await merchant.configure({ fulfillment_policy: 'flag' });
      const flagged = await orderInOdoo(2);
      const f1 = await fulfillInShopify(flagged.order.id, flagged.sku, 2);
      const [open] = await waitFor('the delivery flagged', async () => {
        const pickings = await deliveries(flagged.soId);
        return (await merchant.readBinding('stock.picking', pickings[0]!.id)).state === 'error' ? pickings : undefined;
      });
      await queuesIdle();
      await sim('POST', `/fulfillments/${f1.id}/cancel`);
      await waitFor('the flag lifted', async () => (await merchant.readBinding('stock.picking', open!.id)).state === 'synced');
      await queuesIdle();
      assert.deepEqual(await level(flagged.sku), { on_hand: 10, committed: 2, available: 8 });
      // Delivered from Odoo now, the units are fulfilled in Shopify by the flow as usual.
      await merchant.validateDelivery(open!.id, {});
      await waitFor('the fulfillment from Odoo', async () =>
        (await sim<SimOrder>('GET', `/orders/${flagged.order.id}`)).fulfillments.some((f) => f.status === 'success') ? true : undefined,
      );

      await merchant.configure({ fulfillment_policy: 'validate' });
      const validated = await orderInOdoo(1);
      const f2 = await fulfillInShopify(validated.order.id, validated.sku, 1);
      const [done] = await waitFor('the delivery validated', async () => {
        const d = (await deliveries(validated.soId)).filter((p) => p.state === 'done');
        return d.length ? d : undefined;
      });
      await queuesIdle();
      await sim('POST', `/fulfillments/${f2.id}/cancel`);
      const flaggedBinding = await waitFor('the validated delivery flagged', async () => {
        const b = await merchant.readBinding('stock.picking', done!.id);
        return b.state === 'error' ? b : undefined;
      });
      assert.match(flaggedBinding.message ?? '', /was cancelled in Shopify after this delivery was validated/);
    });
  });

  interface SimReturn {
    id: number;
    orderId: number;
    name: string;
    status: string;
    admin_graphql_api_id: string;
    lines: Array<{
      quantity: number;
      processedQuantity: number;
      returnReasonNote: string;
      dispositions?: Array<{ type: string; quantity: number }>;
    }>;
  }
  const returnsOf = async (orderId: number) => (await sim<SimReturn[]>('GET', '/returns')).filter((r) => r.orderId === orderId);

  /** Validates the order's open delivery in Odoo and waits for the fulfillment in Shopify. */
  async function deliver(soId: number, orderId: number) {
    const { merchant } = get();
    const [picking] = (await deliveries(soId)).filter((p) => p.state !== 'done' && p.state !== 'cancel');
    await merchant.validateDelivery(picking!.id, {});
    await waitFor('the fulfillment in Shopify', async () =>
      (await sim<SimOrder>('GET', `/orders/${orderId}`)).fulfillments.length ? true : undefined,
    );
    await queuesIdle();
    return picking!.id;
  }

  describe('returns received in Odoo → Shopify', () => {
    it('a delivery returned in Odoo becomes a Shopify return, restocked at the mapped location, once', async () => {
      const { merchant, stack } = get();
      const { sku, variantId, order, soId } = await orderInOdoo(2);
      const deliveryId = await deliver(soId, order.id);
      assert.deepEqual(await level(sku), { on_hand: 8, committed: 0, available: 8 });
      const { return_picking_id: returnId } = await merchant.returnDelivery(deliveryId, { [variantId]: 1 });
      await merchant.validateReturn(returnId);
      const [ret] = await waitFor('the return processed in Shopify', async () => {
        const rs = await returnsOf(order.id);
        return rs.length === 1 && rs[0]!.lines.every((l) => l.processedQuantity === l.quantity) ? rs : undefined;
      });
      assert.deepEqual(
        ret!.lines.map((l) => [
          l.quantity,
          l.processedQuantity,
          l.returnReasonNote.startsWith('Odoo return '),
          l.dispositions?.map((d) => d.type),
        ]),
        [[1, 1, true, ['RESTOCKED']]],
      );
      await waitFor('the return picking synced', async () => (await merchant.readBinding('stock.picking', returnId)).state === 'synced');
      await queuesIdle();
      // Shopify and Odoo agree: 10 − 2 + 1 back on the shelf; the Shopify → Odoo direction made no second return picking.
      assert.deepEqual(await level(sku), { on_hand: 9, committed: 0, available: 9 });
      assert.equal((await merchant.readPickings(soId)).filter((p) => p.picking_type === 'incoming').length, 1);
      const [line] = (await merchant.readSaleOrders(order.admin_graphql_api_id))[0]!.lines;
      assert.equal(line!.qty_delivered, 1);
      // The same event again (a retry, a redelivery): nothing new in Shopify.
      const { returnReceivedInOdoo } = await import('../../sidecar/flows/returns/apply.js');
      const again = await returnReceivedInOdoo(stack.flowContext(), returnId);
      assert.deepEqual([again.outcome, again.processed], ['unchanged', 0]);
      assert.equal((await returnsOf(order.id)).length, 1);
    });

    it('a Shopify return received in Odoo before Shopify processed it is processed in Shopify', async () => {
      const { merchant } = get();
      const { sku, order, soId } = await orderInOdoo(1);
      await deliver(soId, order.id);
      const ret = await sim<SimReturn>('POST', `/orders/${order.id}/returns`, { lines: [{ sku, quantity: 1 }] });
      const [incoming] = await waitFor('the return picking in Odoo', async () => {
        const ps = (await merchant.readPickings(soId)).filter((p) => p.picking_type === 'incoming' && p.state !== 'done');
        return ps.length ? ps : undefined;
      });
      await merchant.validateReturn(incoming!.id);
      await waitFor('the return processed in Shopify', async () => {
        const r = (await returnsOf(order.id)).find((x) => x.id === ret.id);
        return r?.lines.every((l) => l.processedQuantity === l.quantity) ? true : undefined;
      });
      await queuesIdle();
      assert.equal((await returnsOf(order.id)).length, 1);
      assert.equal((await merchant.readPickings(soId)).filter((p) => p.picking_type === 'incoming').length, 1);
      assert.deepEqual(await level(sku), { on_hand: 10, committed: 0, available: 10 });
    });
  });
}
