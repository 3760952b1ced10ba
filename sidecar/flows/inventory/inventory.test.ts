/**
 * The inventory flow end to end: Odoo double stock → outbox → inventory queue →
 * inventorySetQuantities in the simulator, at two warehouses mapped to two Shopify locations.
 */
import assert from 'node:assert/strict';
import type { OrderDocument } from '../../odoo/contract.js';
import { keys } from '../../queue/names.js';
import type { ShopifyClient } from '../../shopify/index.js';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import type { FlowContext } from '../context.js';
import { LOC_MAIN, LOC_SECOND, pendingJobs, simLevel, startFlowStack, type FlowStack } from '../../../dev/testing/inventory-stack.js';
import { fulfillmentsFlow } from '../fulfillments/index.js';
import { catalogFlow } from '../catalog/index.js';
import { pushProductLocation, reconcileInventory } from './apply.js';
import { inventoryFlow } from './index.js';

interface SimOrder {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  line_items: Array<{ admin_graphql_api_id: string; sku: string; quantity: number }>;
}

/** The canonical order document the orders flow would build for a one-line simulator order. */
function orderDocument(order: SimOrder, sku: string, quantity: number): OrderDocument {
  const now = new Date().toISOString();
  return {
    order_gid: order.admin_graphql_api_id,
    name: order.name,
    created_at: now,
    updated_at: now,
    currency: 'USD',
    presentment_currency: 'USD',
    taxes_included: false,
    financial_status: 'paid',
    fulfillment_status: null,
    cancelled_at: null,
    customer: {
      customer_gid: 'gid://shopify/Customer/1',
      email: 'ada@example.com',
      first_name: 'Ada',
      last_name: 'Lovelace',
      phone: null,
      default_address: null,
      updated_at: null,
    },
    billing_address: null,
    shipping_address: null,
    location_gid: LOC_MAIN,
    lines: [
      {
        line_gid: order.line_items[0]!.admin_graphql_api_id,
        sku,
        title: sku,
        quantity,
        price_unit: '10.00',
        discount: '0.00',
        tax_lines: [],
      },
    ],
    shipping_lines: [],
    subtotal_price: (10 * quantity).toFixed(2),
    total_tax: '0.00',
    total_discounts: '0.00',
    total_price: (10 * quantity).toFixed(2),
  };
}

describe('inventory flow end to end (simulator, PostgreSQL, Odoo double)', () => {
  let f: FlowStack;
  let a: number;
  let b: number;

  const settled = async () => {
    // The outbox is drained every second; wait until Odoo has nothing pending and the queue is idle.
    await f.stack.waitFor('outbox drained and inventory idle', async () => {
      const pending = f.odoo.state.outbox.some((e) => e.state !== 'done');
      return !pending && (await pendingJobs(f.stack, 'inventory')) === 0;
    });
  };

  before(async () => {
    f = await startFlowStack(await testDatabase('flow_inventory_e2e'), {}, [catalogFlow, inventoryFlow, fulfillmentsFlow]);
    const created = await f.merchant.createProduct({
      name: 'Mugs',
      price: '10.00',
      options: [{ name: 'Color', values: [{ value: 'White' }, { value: 'Black' }] }],
      variants: [
        { sku: 'INV-A', option_values: { Color: 'White' } },
        { sku: 'INV-B', option_values: { Color: 'Black' } },
      ],
    });
    a = created.variants['INV-A']!;
    b = created.variants['INV-B']!;
    await f.merchant.setStock(a, f.wh.main, 10);
    await f.merchant.setStock(a, f.wh.second, 4);
    await f.merchant.setStock(b, f.wh.main, 3);
    await f.merchant.setStock(b, f.wh.second, 0);
  });
  after(async () => {
    await f?.stack.stop();
  });

  it('pushes stock in two warehouses to the two mapped Shopify locations', async () => {
    await f.stack.waitFor('four levels in Shopify', () => {
      const got = [
        simLevel(f.stack, 'INV-A', LOC_MAIN)?.on_hand,
        simLevel(f.stack, 'INV-A', LOC_SECOND)?.on_hand,
        simLevel(f.stack, 'INV-B', LOC_MAIN)?.on_hand,
        simLevel(f.stack, 'INV-B', LOC_SECOND)?.on_hand,
      ];
      return got.join() === '10,4,3,0';
    });
    await settled();
    // New variants are stocked only at Shopify's primary location: the write stocked the second one.
    const activations = f.stack.logs.lines.filter(
      (l) => l.message === 'inventory: pushed' && l.locationGid === LOC_SECOND && Number(l.activated) > 0,
    );
    assert.equal(activations.length, 2);
  });

  it('subtracts reservations that do not come from Shopify orders, and the safety stock', async () => {
    await f.merchant.createSaleOrder({ warehouse_id: f.wh.main, lines: [{ product_id: a, quantity: 3 }] });
    await f.stack.waitFor('INV-A main at 10 − 3', () => simLevel(f.stack, 'INV-A', LOC_MAIN)?.on_hand === 7);
    await settled();
    await f.merchant.configure({ safety_stock: 1 });
    const stats = await reconcileInventory(f.ctx, 'test-safety');
    assert.deepEqual(
      { levels: stats.levels, written: stats.written, unchanged: stats.unchanged, calls: stats.calls },
      { levels: 4, written: 3, unchanged: 1, calls: 2 },
    );
    assert.deepEqual(
      [
        simLevel(f.stack, 'INV-A', LOC_MAIN)?.on_hand,
        simLevel(f.stack, 'INV-A', LOC_SECOND)?.on_hand,
        simLevel(f.stack, 'INV-B', LOC_MAIN)?.on_hand,
        simLevel(f.stack, 'INV-B', LOC_SECOND)?.on_hand,
      ],
      [6, 3, 2, 0],
    );
    await f.merchant.configure({ safety_stock: 0 });
    await reconcileInventory(f.ctx, 'test-safety-off');
    await settled();
  });

  it('re-pushes stock after a delivery: Odoo emits stock.changed at delivery, and after the fulfillment reaches Shopify', async () => {
    // A Shopify order for 2: Shopify commits them at once, Odoo has not seen it.
    const order = await f.stack.simControl<SimOrder>('POST', '/orders', {
      email: 'ada@example.com',
      lines: [{ sku: 'INV-A', quantity: 2 }],
      locationId: 101,
    });
    assert.deepEqual(simLevel(f.stack, 'INV-A', LOC_MAIN), { available: 5, committed: 2, on_hand: 7 });
    // Imported into Odoo (what the orders flow does): its reservation is not subtracted again.
    const applied = await f.ctx.odoo.applyOrder(orderDocument(order, 'INV-A', 2));
    assert.equal(applied.state, 'sale');
    await settled();
    assert.deepEqual(simLevel(f.stack, 'INV-A', LOC_MAIN), { available: 5, committed: 2, on_hand: 7 });
    // Delivered in Odoo: on hand 10 → 8, so Odoo promises 8 − 3 = 5. The addon emits
    // stock.changed (pushed by this flow) and delivery.done (the fulfillment flow creates the
    // fulfillment in Shopify, which takes the 2 off Shopify's on_hand as well, then asks for a re-push).
    const picking = [...f.odoo.state.pickings.values()].find((p) => p.sale_order_id === applied.sale_order_id)!;
    const eventsBefore = f.odoo.state.outbox.length;
    await f.merchant.validateDelivery(picking.id);
    const emitted = f.odoo.state.outbox.slice(eventsBefore).map((e) => `${e.type} ${e.key}`);
    assert.deepEqual(emitted, [`stock.changed stock:${a}:${LOC_MAIN}`, `delivery.done order:${order.admin_graphql_api_id}`]);
    await f.stack.waitFor('the fulfillment in Shopify', async () => {
      const o = await f.stack.simControl<{ fulfillments: unknown[] }>('GET', `/orders/${order.id}`);
      return o.fulfillments.length === 1;
    });
    await f.stack.waitFor('the stock re-pushed after the fulfillment', () =>
      f.stack.logs.lines.some((l) => l.message === 'inventory: pushed' && String(l.correlationId).startsWith(`fulfillment:${picking.id}:`)),
    );
    await settled();
    assert.deepEqual(simLevel(f.stack, 'INV-A', LOC_MAIN), { available: 5, committed: 0, on_hand: 5 });
  });

  it('re-reads and converges when the merchant changes on_hand between the read and the compare-and-swap write', async () => {
    await settled();
    // Odoo's count changes without an event yet, so a push has something to write (3 → 9).
    f.odoo.setOnHand(b, f.wh.main, 9);
    let adjusted = false;
    const real = f.ctx.shopify;
    const racing: ShopifyClient = {
      ...real,
      async request(name, variables, options) {
        const answer = await real.request(name, variables, options);
        if (name === 'InventoryLevelsByItems' && !adjusted) {
          adjusted = true;
          await f.stack.simControl('POST', '/inventory/adjust', { sku: 'INV-B', locationId: 101, onHand: 25 });
        }
        return answer;
      },
    };
    const ctx: FlowContext = { ...f.ctx, shopify: racing };
    const stats = await pushProductLocation(ctx, b, LOC_MAIN, 'test-stale');
    assert.equal(adjusted, true);
    assert.deepEqual(
      { written: stats.written, staleRetries: stats.staleRetries, calls: stats.calls },
      { written: 1, staleRetries: 1, calls: 2 },
    );
    assert.equal(simLevel(f.stack, 'INV-B', LOC_MAIN)?.on_hand, 9);
    assert.ok(f.stack.logs.lines.some((l) => l.message === 'inventory: compare-and-swap was stale; re-reading'));
  });

  it('repairs drifted levels on demand and from the scheduled reconcile queue, in one call per location', async () => {
    await settled();
    await f.stack.simControl('POST', '/inventory/adjust', { sku: 'INV-A', locationId: 102, onHand: 40 });
    await f.stack.simControl('POST', '/inventory/adjust', { sku: 'INV-B', locationId: 101, onHand: 1 });
    const stats = await reconcileInventory(f.ctx, 'test-reconcile');
    assert.deepEqual(
      { levels: stats.levels, written: stats.written, unchanged: stats.unchanged, calls: stats.calls, staleRetries: stats.staleRetries },
      { levels: 4, written: 2, unchanged: 2, calls: 2, staleRetries: 0 },
    );
    assert.equal(simLevel(f.stack, 'INV-A', LOC_SECOND)?.on_hand, 4);
    assert.equal(simLevel(f.stack, 'INV-B', LOC_MAIN)?.on_hand, 9);

    const { rows } = await f.stack.sidecar.pool.query(
      `SELECT cron FROM ${f.stack.config.database.queueSchema}.schedule WHERE name = 'inventory.reconcile'`,
    );
    assert.deepEqual(rows, [{ cron: '0 * * * *' }]);
    await f.stack.simControl('POST', '/inventory/adjust', { sku: 'INV-B', locationId: 102, onHand: 7 });
    await f.stack.sidecar.queue.send('inventory.reconcile', {}, { key: keys.scheduled('inventory.reconcile') });
    await f.stack.waitFor(
      'the scheduled reconcile repaired INV-B at the second location',
      () => simLevel(f.stack, 'INV-B', LOC_SECOND)?.on_hand === 0,
    );
  });

  it('re-asserts Odoo when the merchant edits stock in Shopify, and treats echoes of its own writes as no-ops', async () => {
    await f.stack.subscribeWebhooks(['inventory_levels/update']);
    await f.stack.simControl('POST', '/inventory/adjust', { sku: 'INV-A', locationId: 101, delta: 12 });
    assert.equal(simLevel(f.stack, 'INV-A', LOC_MAIN)?.on_hand, 17);
    await f.stack.waitFor("Odoo's 5 re-asserted", () => simLevel(f.stack, 'INV-A', LOC_MAIN)?.on_hand === 5);
    // Our own write changed `available` too: its webhook comes back and finds Shopify equal to Odoo.
    await f.stack.waitFor('the echo handled', () =>
      f.stack.logs.lines.some((l) => l.message === 'inventory: Shopify level matches Odoo (echo)'),
    );
    assert.ok(f.stack.logs.lines.some((l) => l.message === 'inventory: Shopify level differed from Odoo; re-asserted'));
    assert.equal(simLevel(f.stack, 'INV-A', LOC_MAIN)?.on_hand, 5);
  });
});

describe('inventory reconcile at scale (simulator, PostgreSQL, Odoo double)', () => {
  let f: FlowStack;

  before(async () => {
    // Only the inventory flow: the products already exist in Shopify and are bound (as after onboarding).
    f = await startFlowStack(await testDatabase('flow_inventory_scale'), {}, [inventoryFlow]);
  });
  after(async () => {
    await f?.stack.stop();
  });

  it('sets 260 differing levels at one location and leaves 260 equal ones, in two calls of 250 and 10', async () => {
    const n = 260;
    const skus = Array.from({ length: n }, (_, i) => `BULK-${String(i + 1).padStart(3, '0')}`);
    await f.stack.simControl('POST', '/products', {
      title: 'Bulk screws',
      variants: skus.map((sku) => ({ sku, price: '1.00', optionName: 'Size', option: sku })),
      stock: { '101': 0, '102': 0 },
    });
    const created = await f.merchant.createProduct({
      name: 'Bulk screws',
      price: '1.00',
      options: [{ name: 'Size', values: skus.map((value) => ({ value })) }],
      variants: skus.map((sku) => ({ sku, option_values: { Size: sku } })),
    });
    const state = f.stack.sim.state;
    skus.forEach((sku, i) => {
      const variant = f.odoo.variant(created.variants[sku]!);
      variant.inventory_item_gid = `gid://shopify/InventoryItem/${state.inventoryItems.find((it) => it.sku === sku)!.id}`;
      // Odoo's count without an outbox event: only the reconcile can bring it to Shopify.
      f.odoo.setOnHand(variant.id, f.wh.main, i + 1);
    });
    const calls: string[] = [];
    const real = f.ctx.shopify;
    const counting: ShopifyClient = {
      ...real,
      request(name, variables, options) {
        calls.push(name);
        return real.request(name, variables, options);
      },
    };
    const stats = await reconcileInventory({ ...f.ctx, shopify: counting }, 'test-scale');
    assert.deepEqual(
      { levels: stats.levels, written: stats.written, unchanged: stats.unchanged, activated: stats.activated, calls: stats.calls },
      { levels: 2 * n, written: n, unchanged: n, activated: 0, calls: 2 },
    );
    // Reads and writes both go by 250: 2 reads per location, 2 writes at the main one.
    assert.deepEqual(calls.filter((c) => c === 'InventoryLevelsByItems').length, 4);
    assert.deepEqual(calls.filter((c) => c === 'InventorySetQuantities').length, 2);
    assert.deepEqual(
      [
        simLevel(f.stack, 'BULK-001', LOC_MAIN)?.on_hand,
        simLevel(f.stack, 'BULK-250', LOC_MAIN)?.on_hand,
        simLevel(f.stack, 'BULK-260', LOC_MAIN)?.on_hand,
        simLevel(f.stack, 'BULK-260', LOC_SECOND)?.on_hand,
      ],
      [1, 250, 260, 0],
    );
  });
});
