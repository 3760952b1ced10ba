/**
 * apply_fulfillment's conformance scenarios (fulfillments made in Shopify applied to the Odoo
 * delivery), run against the double and a real Odoo like the rest of ./suite.ts.
 */
import assert from 'node:assert/strict';
import type { OrderDocument, ShopifyFulfillmentDocument } from '../../sidecar/odoo/contract.js';
import { OdooPermanentError } from '../../sidecar/odoo/errors.js';
import { gidOf, orderDoc } from './fixtures.js';
import { rejects, VALIDATION } from './support.js';
import type { AreaContext } from './target.js';

export function defineFulfillmentScenarios(get: () => AreaContext): void {
  /** An order of `quantity` units imported and confirmed, from the first warehouse (10 on hand). */
  const order = async (quantity: number) => {
    const { contract, currency, wh } = get();
    const p = await get().stocked(10);
    const doc = orderDoc({ currency, location_gid: wh[0]!.location_gid, lines: [{ sku: p.sku, quantity, price: '10.00' }] });
    const applied = await contract.applyOrder(doc);
    assert.equal(applied.status, 'created');
    return { p, doc, so: applied.sale_order_id };
  };
  const fulfillment = (
    doc: OrderDocument,
    quantity: number,
    extra: Partial<ShopifyFulfillmentDocument> = {},
  ): ShopifyFulfillmentDocument => ({
    fulfillment_gid: gidOf('Fulfillment'),
    order_gid: doc.order_gid,
    name: `${doc.name}.1`,
    status: 'SUCCESS',
    location_gid: get().wh[0]!.location_gid,
    tracking: { number: 'POS-1', company: 'UPS', url: null },
    lines: [{ line_gid: doc.lines[0]!.line_gid, sku: doc.lines[0]!.sku, quantity }],
    ...extra,
  });
  const deliveries = async (so: number) => (await get().m.readPickings(so)).filter((p) => p.picking_type === 'outgoing');
  const shopifyOnHand = async (productId: number) => {
    const { contract, wh } = get();
    const { levels } = await contract.stockLevels({ product_ids: [productId], location_gids: [wh[0]!.location_gid] });
    return levels[0]!.shopify_on_hand;
  };

  afterEach(() => get().m.configure({ fulfillment_policy: 'validate' }));

  it('policy validate: validates the fulfilled units, the rest in a backorder; the same fulfillment again is unchanged', async () => {
    const { contract, m } = get();
    const { p, doc, so } = await order(3);
    const f = fulfillment(doc, 2);
    const r = await contract.applyFulfillment(f);
    assert.equal(r.status, 'validated');
    assert.equal(r.backorder_ids.length, 1);
    const pickings = await deliveries(so);
    const done = pickings.find((pk) => pk.id === r.picking_ids[0])!;
    assert.equal(done.state, 'done');
    assert.deepEqual(
      done.moves.map((mv) => mv.quantity),
      [2],
    );
    const backorder = pickings.find((pk) => pk.id === r.backorder_ids[0])!;
    assert.deepEqual(
      backorder.moves.map((mv) => mv.quantity),
      [1],
    );
    const binding = await m.readBinding('stock.picking', done.id);
    assert.equal(binding.state, 'synced');
    assert.equal((await m.readSaleOrders(doc.order_gid))[0]!.lines[0]!.qty_delivered, 2);
    // Odoo on hand 8 (10 − 2 shipped), 1 reserved for the Shopify order (Shopify counts it).
    assert.equal(await shopifyOnHand(p.product_id), 8);
    assert.deepEqual(await contract.applyFulfillment(f), { status: 'unchanged', picking_ids: [done.id], backorder_ids: [] });
    // Its delivery.done in the outbox names the fulfillment: the sidecar sends nothing again.
    const exported = await contract.exportDelivery({ picking_id: done.id });
    assert.deepEqual(exported.fulfillment_gids, [f.fulfillment_gid]);
  });

  it('policy flag: leaves the delivery open and in error naming the units, and holds them back from Shopify until validated', async () => {
    const { contract, m } = get();
    await m.configure({ fulfillment_policy: 'flag' });
    const { p, doc, so } = await order(2);
    assert.equal(await shopifyOnHand(p.product_id), 10);
    const f = fulfillment(doc, 2);
    const r = await contract.applyFulfillment(f);
    assert.equal(r.status, 'flagged');
    const [picking] = await deliveries(so);
    assert.notEqual(picking!.state, 'done');
    const binding = await m.readBinding('stock.picking', picking!.id);
    assert.equal(binding.state, 'error');
    assert.match(binding.message ?? '', new RegExp(`${doc.name}\\.1 shipped 2 × ${p.sku} in Shopify; this delivery was not validated`));
    // Shopify shipped 2 of Odoo's 10: pushing 10 would sell them again.
    assert.equal(await shopifyOnHand(p.product_id), 8);
    assert.equal((await contract.applyFulfillment(f)).status, 'unchanged');
    await m.validateDelivery(picking!.id, {});
    assert.equal(await shopifyOnHand(p.product_id), 8, 'validated: gone from Odoo, not held back twice');
    assert.deepEqual((await contract.exportDelivery({ picking_id: picking!.id })).fulfillment_gids, [f.fulfillment_gid]);
  });

  it('a fulfillment from the location of another warehouse is flagged whatever the policy', async () => {
    const { contract, m, wh } = get();
    const { doc, so } = await order(1);
    const r = await contract.applyFulfillment(fulfillment(doc, 1, { location_gid: wh[1]!.location_gid }));
    assert.equal(r.status, 'flagged');
    const [picking] = await deliveries(so);
    assert.match(
      (await m.readBinding('stock.picking', picking!.id)).message ?? '',
      /Shopify fulfilled from .*, this delivery leaves from /,
    );
  });

  it('cancelled: a flagged delivery forgets the fulfillment and is to ship again; a validated one is flagged', async () => {
    const { contract, m } = get();
    await m.configure({ fulfillment_policy: 'flag' });
    const flagged = await order(2);
    const f1 = fulfillment(flagged.doc, 2);
    await contract.applyFulfillment(f1);
    const cancelled = await contract.applyFulfillment({ ...f1, status: 'CANCELLED' });
    assert.equal(cancelled.status, 'cancelled');
    const [open] = await deliveries(flagged.so);
    assert.equal((await m.readBinding('stock.picking', open!.id)).state, 'synced');
    assert.equal(await shopifyOnHand(flagged.p.product_id), 10);
    assert.deepEqual((await contract.applyFulfillment({ ...f1, status: 'CANCELLED' })).status, 'unchanged');

    await m.configure({ fulfillment_policy: 'validate' });
    const validated = await order(1);
    const f2 = fulfillment(validated.doc, 1);
    const done = await contract.applyFulfillment(f2);
    assert.equal(done.status, 'validated');
    assert.equal((await contract.applyFulfillment({ ...f2, status: 'CANCELLED' })).status, 'flagged');
    const binding = await m.readBinding('stock.picking', done.picking_ids[0]!);
    assert.equal(binding.state, 'error');
    assert.match(binding.message ?? '', /was cancelled in Shopify after this delivery was validated/);
  });

  it('units Odoo delivered already: the fulfillment is recorded on the done delivery', async () => {
    const { contract, m } = get();
    const { doc, so } = await order(1);
    const [picking] = await deliveries(so);
    await m.validateDelivery(picking!.id, {});
    const r = await contract.applyFulfillment(fulfillment(doc, 1));
    assert.deepEqual(r, { status: 'recorded', picking_ids: [picking!.id], backorder_ids: [] });
  });

  it('refuses a line not on the order and an order not imported, naming them, and writes nothing', async () => {
    const { contract } = get();
    const { doc, so } = await order(1);
    const bad = fulfillment(doc, 1, { lines: [{ line_gid: 'gid://shopify/LineItem/999999991', sku: 'NOPE', quantity: 1 }] });
    await rejects(contract.applyFulfillment(bad), {
      cls: OdooPermanentError,
      odooName: VALIDATION,
      message: new RegExp(
        `^Shopify fulfillment ${bad.name} line 1: line gid://shopify/LineItem/999999991 \\(SKU "NOPE"\\) is not on order `,
      ),
    });
    const orphan = fulfillment({ ...doc, order_gid: gidOf('Order') }, 1);
    await rejects(contract.applyFulfillment(orphan), {
      cls: OdooPermanentError,
      odooName: VALIDATION,
      message: new RegExp(`^Shopify fulfillment ${orphan.name}: order ${orphan.order_gid} is not imported in Odoo$`),
    });
    const [picking] = await deliveries(so);
    assert.notEqual(picking!.state, 'done');
    assert.equal((await get().m.readBinding('stock.picking', picking!.id)).state === 'error', false);
  });
}
