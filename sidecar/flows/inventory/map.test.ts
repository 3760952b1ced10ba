import assert from 'node:assert/strict';
import type { StockLevel } from '../../odoo/contract.js';
import {
  batches,
  oversellSafeOnHand,
  parseStockKey,
  planWrites,
  setQuantitiesInput,
  targetsFromLevels,
  writeKey,
  type Target,
} from './map.js';

const L1 = 'gid://shopify/Location/101';
const L2 = 'gid://shopify/Location/102';
const level = (over: Partial<StockLevel>): StockLevel => ({
  product_id: 5,
  sku: 'MUG',
  shopify_inventory_item_gid: 'gid://shopify/InventoryItem/9',
  location_gid: L1,
  warehouse_id: 1,
  on_hand: 10,
  reserved_other: 0,
  safety_stock: 0,
  shopify_on_hand: 10,
  ...over,
});

describe('inventory plan (pure)', () => {
  it('computes the oversell-safe on_hand: on hand − non-Shopify reservations − safety stock, floored at 0', () => {
    assert.equal(oversellSafeOnHand({ on_hand: 10, reserved_other: 3, safety_stock: 2 }), 5);
    assert.equal(oversellSafeOnHand({ on_hand: 4, reserved_other: 3, safety_stock: 2 }), 0);
    assert.equal(oversellSafeOnHand({ on_hand: 7.9, reserved_other: 0, safety_stock: 0 }), 7);
  });

  it('skips levels without an inventory item and clamps negative or fractional quantities', () => {
    const { targets, skipped, clamped } = targetsFromLevels([
      level({ shopify_on_hand: 4 }),
      level({ product_id: 6, sku: 'TEE', shopify_inventory_item_gid: null }),
      level({ product_id: 7, shopify_inventory_item_gid: 'gid://shopify/InventoryItem/10', shopify_on_hand: -2 }),
      level({ product_id: 8, shopify_inventory_item_gid: 'gid://shopify/InventoryItem/11', shopify_on_hand: 2.5 }),
    ]);
    assert.deepEqual(
      targets.map((t) => [t.productId, t.quantity]),
      [
        [5, 4],
        [7, 0],
        [8, 2],
      ],
    );
    assert.deepEqual(skipped, [
      { productId: 6, location: L1, reason: 'variant 6 (TEE) has no Shopify inventory item yet; the catalog push will bring its stock' },
    ]);
    assert.deepEqual(clamped, [
      { productId: 7, location: L1, from: -2, to: 0 },
      { productId: 8, location: L1, from: 2.5, to: 2 },
    ]);
  });

  it('cuts 600 targets at two locations into batches of 250, 250, 100 and 1 per location', () => {
    const targets: Target[] = [];
    for (let i = 1; i <= 600; i += 1) targets.push({ item: `gid://shopify/InventoryItem/${i}`, location: L1, quantity: i, productId: i });
    targets.push({ item: 'gid://shopify/InventoryItem/1', location: L2, quantity: 3, productId: 1 });
    const out = batches(targets);
    assert.deepEqual(
      out.map((b) => [b[0]!.location, b.length]),
      [
        [L1, 250],
        [L1, 250],
        [L1, 100],
        [L2, 1],
      ],
    );
    assert.equal(out[1]![0]!.item, 'gid://shopify/InventoryItem/251');
  });

  it('keeps one quantity per item and location in a batch (the last one wins)', () => {
    const out = batches([
      { item: 'gid://shopify/InventoryItem/1', location: L1, quantity: 3, productId: 1 },
      { item: 'gid://shopify/InventoryItem/1', location: L1, quantity: 5, productId: 1 },
    ]);
    assert.deepEqual(out, [[{ item: 'gid://shopify/InventoryItem/1', location: L1, quantity: 5, productId: 1 }]]);
  });

  it('plans compare-and-swap writes from the on_hand read, skipping equal levels and writing unstocked ones from 0 (the write stocks them)', () => {
    const batch: Target[] = [
      { item: 'gid://shopify/InventoryItem/1', location: L1, quantity: 7, productId: 1 },
      { item: 'gid://shopify/InventoryItem/2', location: L1, quantity: 4, productId: 2 },
      { item: 'gid://shopify/InventoryItem/3', location: L1, quantity: 1, productId: 3 },
    ];
    const current = new Map<string, number | undefined>([
      ['gid://shopify/InventoryItem/1', 10],
      ['gid://shopify/InventoryItem/2', 4],
      ['gid://shopify/InventoryItem/3', undefined],
    ]);
    const plan = planWrites(batch, current);
    assert.deepEqual(plan.writes, [
      { item: 'gid://shopify/InventoryItem/1', location: L1, from: 10, to: 7 },
      { item: 'gid://shopify/InventoryItem/3', location: L1, from: 0, to: 1 },
    ]);
    assert.equal(plan.stocked, 1);
    assert.equal(plan.unchanged, 1);
    assert.deepEqual(setQuantitiesInput(plan.writes), {
      name: 'on_hand',
      reason: 'correction',
      quantities: [
        { inventoryItemId: 'gid://shopify/InventoryItem/1', locationId: L1, quantity: 7, changeFromQuantity: 10 },
        { inventoryItemId: 'gid://shopify/InventoryItem/3', locationId: L1, quantity: 1, changeFromQuantity: 0 },
      ],
    });
  });

  it('derives the idempotency key from job, items, locations, from and to, and the re-read round', () => {
    const w = [{ item: 'gid://shopify/InventoryItem/1', location: L1, from: 10, to: 7 }];
    const k = writeKey('job-1', w, 0);
    assert.equal(k, writeKey('job-1', [...w], 0));
    assert.match(k, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(writeKey('job-1', [{ ...w[0]!, from: 11 }], 0), k);
    assert.notEqual(writeKey('job-1', [{ ...w[0]!, to: 8 }], 0), k);
    assert.notEqual(writeKey('job-2', w, 0), k);
    assert.notEqual(writeKey('job-1', w, 1), k);
  });

  it('reads item and location from a stock key', () => {
    assert.deepEqual(parseStockKey(`stock:gid://shopify/InventoryItem/9:${L2}`), { item: 'gid://shopify/InventoryItem/9', location: L2 });
    assert.deepEqual(parseStockKey(`stock:odoo:product.product:5:${L1}`), { item: 'odoo:product.product:5', location: L1 });
    assert.equal(parseStockKey(null), undefined);
    for (const key of [`stock:${L1}`, 'stock:odoo:product.product:5:gid://shopify/Location/x1', `product:odoo:product.product:5:${L1}`])
      assert.equal(parseStockKey(key), undefined, key);
  });
});
