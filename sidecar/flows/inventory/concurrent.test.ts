/**
 * The inventory push with several batches at once (INVENTORY_PUSH_CONCURRENCY): every level
 * right, compare-and-swap per batch, the shared cost budget never overspent by two replicas
 * pushing at once, and a failed batch thrown as a sequential push throws it, with no batch half
 * applied. Simulator, PostgreSQL, Odoo double.
 */
import assert from 'node:assert/strict';
import type { StockLevel } from '../../odoo/contract.js';
import { PermanentError } from '../../queue/errors.js';
import { createShopifyBudget, createShopifyClient, type ShopifyClient } from '../../shopify/index.js';
import { ShopifyUserErrors } from '../../shopify/errors.js';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { LOC_MAIN, LOC_SECOND, startFlowStack, type FlowStack } from '../../../dev/testing/inventory-stack.js';
import type { FlowContext } from '../context.js';
import { pushLevels, reconcileInventory } from './apply.js';
import { inventoryFlow } from './index.js';
import { batches, targetsFromLevels } from './map.js';

const N = 600;
const SKUS = Array.from({ length: N }, (_, i) => `CONC-${String(i + 1).padStart(3, '0')}`);

/** A Shopify client that counts its requests in flight (budget waits included) and can meddle before or after a call. */
function watched(real: ShopifyClient, hook?: (when: 'before' | 'after', name: string, variables: unknown) => Promise<void> | void) {
  const seen = { running: 0, most: 0 };
  const client: ShopifyClient = {
    ...real,
    async request(name, variables, options) {
      seen.running += 1;
      seen.most = Math.max(seen.most, seen.running);
      try {
        await hook?.('before', name, variables);
        const answer = await real.request(name, variables, options);
        await hook?.('after', name, variables);
        return answer;
      } finally {
        seen.running -= 1;
      }
    },
  };
  return { client, seen };
}

describe('inventory push, several batches at once (simulator, PostgreSQL, Odoo double)', () => {
  let f: FlowStack;
  let itemOf: Map<string, number>;

  /** Shopify's on_hand per "item@location" GID pair (undefined = not stocked). */
  const simOnHand = (item: string, location: string) => {
    const itemId = Number(item.split('/').pop());
    const locationId = Number(location.split('/').pop());
    return f.stack.sim.state.levels.find((l) => l.inventoryItemId === itemId && l.locationId === locationId)?.on_hand;
  };
  const levels = async (locations?: string[]): Promise<StockLevel[]> =>
    (await f.ctx.odoo.stockLevels(locations ? { location_gids: locations } : {})).levels;
  /** Levels whose Shopify on_hand differs from Odoo's target. */
  const differing = async () => targetsFromLevels(await levels()).targets.filter((t) => simOnHand(t.item, t.location) !== t.quantity);

  before(async () => {
    f = await startFlowStack(await testDatabase('flow_inventory_concurrent'), { INVENTORY_PUSH_CONCURRENCY: '2' }, [inventoryFlow]);
    await f.stack.simControl('POST', '/products', {
      title: 'Many screws',
      variants: SKUS.map((sku) => ({ sku, price: '1.00', optionName: 'Size', option: sku })),
    });
    const created = await f.merchant.createProduct({
      name: 'Many screws',
      price: '1.00',
      options: [{ name: 'Size', values: SKUS.map((value) => ({ value })) }],
      variants: SKUS.map((sku) => ({ sku, option_values: { Size: sku } })),
    });
    const state = f.stack.sim.state;
    itemOf = new Map();
    SKUS.forEach((sku, i) => {
      const variant = f.odoo.variant(created.variants[sku]!);
      const item = state.inventoryItems.find((it) => it.sku === sku)!.id;
      itemOf.set(sku, item);
      variant.inventory_item_gid = `gid://shopify/InventoryItem/${item}`;
      // Odoo's counts without outbox events: only the pushes below bring them to Shopify.
      f.odoo.setOnHand(variant.id, f.wh.main, (i % 37) + 1);
      f.odoo.setOnHand(variant.id, f.wh.second, (i % 11) + 2);
    });
  });
  after(async () => {
    await f?.stack.stop();
  });

  it('two replicas push 1,200 levels at once, 2 of their 3 batches at a time, within the shared budget: 0 THROTTLED, a stale batch retried alone', async () => {
    const config = f.stack.config;
    const schema = config.database.appSchema;
    const shopDomain = config.shopify.shopDomain;
    // The second replica: its own client and budget object, the same budget row in PostgreSQL.
    const replicaB = createShopifyClient({
      shopDomain,
      apiVersion: config.shopify.apiVersion,
      adminBaseUrl: config.shopify.adminBaseUrl,
      auth: config.shopify.auth,
      requestTimeoutMs: config.shopify.requestTimeoutMs,
      maxRetries: config.shopify.maxRetries,
      budget: createShopifyBudget({ pool: f.stack.sidecar.pool, schema, shopDomain, clock: f.ctx.clock }),
      logger: f.ctx.logger,
      clock: f.ctx.clock,
    });
    // The merchant changes one level of replica A's first batch between its read and its write.
    const racedSku = SKUS[3]!;
    let raced = false;
    const a = watched(f.ctx.shopify, async (when, name, variables) => {
      const ids = (variables as { itemIds?: string[] }).itemIds ?? [];
      if (
        when === 'after' &&
        name === 'InventoryLevelsByItems' &&
        !raced &&
        ids.includes(`gid://shopify/InventoryItem/${itemOf.get(racedSku)}`)
      ) {
        raced = true;
        await f.stack.simControl('POST', '/inventory/adjust', { sku: racedSku, locationId: 101, onHand: 99 });
      }
    });
    const b = watched(replicaB);

    // A small bucket (200 points, 40/s) with nothing above the inventory lane's reserve (25 %):
    // the budget must pace the 13 writes and reads of both replicas (about 170 points) at the
    // restore rate. Shopify's bucket and the shared row start equal, as after an answer.
    const [levelsA, levelsB] = [await levels([LOC_MAIN]), await levels([LOC_SECOND])];
    const bucket = f.stack.sim.bucket;
    // Shopify's level right after each charge, to check the lane never took the bucket below its reserve.
    let lowest = Infinity;
    const take = bucket.tryTake.bind(bucket);
    bucket.tryTake = (points) => {
      const taken = take(points);
      lowest = Math.min(lowest, bucket.available());
      return taken;
    };
    Object.assign(bucket, { maximumAvailable: 200, restoreRate: 40 });
    bucket.setAvailable(50);
    await f.stack.sidecar.pool.query(
      `UPDATE ${schema}.shopify_budget SET currently_available = 50, maximum_available = 200, restore_rate = 40, updated_at = $2 WHERE shop_domain = $1`,
      [shopDomain, new Date(f.ctx.clock())],
    );
    const throttledBefore = f.stack.sim.stats.bucketThrottles + f.stack.sim.stats.forcedThrottles;
    const waitsBefore = f.ctx.shopify.budget.snapshot().throttleWaits;

    const ctxA: FlowContext = { ...f.ctx, shopify: a.client };
    const ctxB: FlowContext = { ...f.ctx, shopify: b.client };
    const [statsA, statsB] = await Promise.all([
      pushLevels(ctxA, levelsA, 'test-concurrent-a'),
      pushLevels(ctxB, levelsB, 'test-concurrent-b'),
    ]).finally(async () => {
      bucket.tryTake = take;
      bucket.setPlan('standard');
      bucket.setAvailable(2000);
      await f.stack.sidecar.pool.query(
        `UPDATE ${schema}.shopify_budget SET currently_available = 2000, maximum_available = 2000, restore_rate = 100 WHERE shop_domain = $1`,
        [shopDomain],
      );
    });

    assert.equal(raced, true);
    assert.deepEqual(await differing(), [], 'every level equals Odoo');
    assert.deepEqual(
      { written: statsA.written, staleRetries: statsA.staleRetries, calls: statsA.calls },
      { written: N, staleRetries: 1, calls: 4 },
    );
    assert.deepEqual(
      { written: statsB.written, staleRetries: statsB.staleRetries, calls: statsB.calls },
      { written: N, staleRetries: 0, calls: 3 },
    );
    assert.equal(f.stack.sim.stats.bucketThrottles + f.stack.sim.stats.forcedThrottles - throttledBefore, 0, 'no THROTTLED answer');
    // The inventory lane may take Shopify's bucket down to 25 % of 200 (restoration between the
    // budget's reservation and Shopify's charge only raises the level).
    assert.ok(lowest >= 50, `Shopify's bucket went down to ${lowest} points`);
    const waits = f.ctx.shopify.budget.snapshot().throttleWaits - waitsBefore + replicaB.budget.snapshot().throttleWaits;
    assert.ok(waits > 0, 'the shared budget paced the calls');
    // Two batches of each replica at once, never more than configured (a batch makes one call at a time).
    assert.equal(a.seen.most, 2, 'replica A: calls in flight at most');
    assert.equal(b.seen.most, 2, 'replica B: calls in flight at most');
  });

  it('a failed batch: the running ones finish, no batch is half applied, the error is thrown as before, and a retry converges', async () => {
    // New counts in Odoo for every level, so every batch has something to write.
    for (const l of await levels()) {
      const warehouse = l.location_gid === LOC_MAIN ? f.wh.main : f.wh.second;
      f.odoo.setOnHand(l.product_id, warehouse, l.on_hand + 5);
    }
    const plan = batches(targetsFromLevels(await levels()).targets);
    assert.equal(plan.length, 6);
    const doomed = plan[4]!;
    const doomedItem = doomed[0]!.item;
    const failing = watched(f.ctx.shopify, (when, name, variables) => {
      const quantities = (variables as { input?: { quantities?: Array<{ inventoryItemId: string; locationId: string }> } }).input
        ?.quantities;
      if (
        when === 'before' &&
        name === 'InventorySetQuantities' &&
        quantities?.some((q) => q.inventoryItemId === doomedItem && q.locationId === doomed[0]!.location)
      ) {
        throw new ShopifyUserErrors('inventorySetQuantities', [
          { field: ['input', 'quantities', '0', 'quantity'], message: 'refused by the test', code: 'INVALID_QUANTITY_NEGATIVE' },
        ]);
      }
    });
    await assert.rejects(reconcileInventory({ ...f.ctx, shopify: failing.client }, 'test-failed-batch'), (error: unknown) => {
      assert.ok(error instanceof PermanentError);
      assert.match(error.message, /inventorySetQuantities rejected the input: .*refused by the test/);
      return true;
    });
    assert.equal(failing.seen.most, 2, 'batches ran two at once');
    const line = f.stack.logs.lines.find((l) => l.message === 'inventory: batch failed');
    assert.ok(line, 'the failed batch is logged');
    assert.deepEqual(
      { locationGid: line.locationGid, batch: line.batch, batches: line.batches, levels: line.levels },
      {
        locationGid: LOC_SECOND,
        batch: 5,
        batches: 6,
        levels: doomed.length,
      },
    );
    // Every batch is all written or all untouched (one inventorySetQuantities is all-or-nothing).
    const wrong = new Set((await differing()).map((t) => `${t.item}@${t.location}`));
    const states = plan.map((batch) => {
      const stale = batch.filter((t) => wrong.has(`${t.item}@${t.location}`)).length;
      return stale === 0 ? 'written' : stale === batch.length ? 'untouched' : `half (${stale} of ${batch.length})`;
    });
    assert.equal(states[4], 'untouched');
    assert.ok(
      states.every((s) => s === 'written' || s === 'untouched'),
      states.join(', '),
    );
    assert.ok(
      states.slice(0, 4).every((s) => s === 'written'),
      `batches running or done before the failure finish: ${states.join(', ')}`,
    );

    const retry = await reconcileInventory(f.ctx, 'test-failed-batch-retry');
    assert.equal(retry.written, wrong.size);
    assert.deepEqual(await differing(), []);
  });
});
