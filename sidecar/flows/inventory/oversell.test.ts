/**
 * The oversell race (docs/flows.md, "Inventory"): orders are placed in the simulator's
 * storefront while Odoo's stock changes and the sidecar's pushes run, and the invariant is
 * checked at every step.
 *
 * Invariant, per inventory item and location:
 *   Shopify available ≤ promise, where
 *   promise = max(0, Odoo on hand − Odoo reservations not from Shopify orders − safety stock)
 *             − units of Shopify orders placed and not yet imported or fulfilled
 *   (no order is imported in this test, so that is every unit ordered at that location; the test
 *   counts them itself and does not trust Shopify's `committed`).
 * An Odoo change cannot reach Shopify before the sidecar hears of it, so while one Odoo change is
 * on its way the Odoo term may be the one before or after it (the larger); once the push has
 * landed it must be the current one, and then available must equal the promise exactly (no
 * undersell either). Pushing an absolute `available` instead of `on_hand` breaks the invariant
 * as soon as one order is waiting.
 */
import assert from 'node:assert/strict';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { LOC_MAIN, LOC_SECOND, pendingJobs, simLevel, startFlowStack, type FlowStack } from '../../../dev/testing/inventory-stack.js';
import { reconcileInventory } from './apply.js';

interface Tracked {
  sku: string;
  productId: number;
  warehouseId: number;
  location: string;
  /** Units of Shopify orders placed by the test at this location (none imported, none fulfilled). */
  unshipped: number;
  /** The Odoo term last seen pushed into Shopify. */
  confirmed: number;
}

describe('oversell race: Shopify orders while Odoo stock changes and pushes run (simulator, PostgreSQL, Odoo double)', () => {
  let f: FlowStack;

  before(async () => {
    f = await startFlowStack(await testDatabase('flow_inventory_oversell'));
  });
  after(async () => {
    await f?.stack.stop();
  });

  it('never lets Shopify offer more than Odoo can still promise, at every step', async function () {
    this.timeout(120_000);
    const created = await f.merchant.createProduct({
      name: 'Race kettle',
      price: '30.00',
      options: [{ name: 'Color', values: [{ value: 'Red' }, { value: 'Blue' }] }],
      variants: [
        { sku: 'RACE-1', option_values: { Color: 'Red' } },
        { sku: 'RACE-2', option_values: { Color: 'Blue' } },
      ],
    });
    const p1 = created.variants['RACE-1']!;
    const p2 = created.variants['RACE-2']!;
    await f.merchant.setStock(p1, f.wh.main, 20);
    await f.merchant.setStock(p2, f.wh.main, 12);
    await f.merchant.setStock(p1, f.wh.second, 6);
    await f.stack.subscribeWebhooks(['inventory_levels/update']);

    const tracked: Tracked[] = [
      { sku: 'RACE-1', productId: p1, warehouseId: f.wh.main, location: LOC_MAIN, unshipped: 0, confirmed: 0 },
      { sku: 'RACE-2', productId: p2, warehouseId: f.wh.main, location: LOC_MAIN, unshipped: 0, confirmed: 0 },
      { sku: 'RACE-1', productId: p1, warehouseId: f.wh.second, location: LOC_SECOND, unshipped: 0, confirmed: 0 },
    ];
    /** The Odoo term of the promise, from the double's own records (not from the sidecar). */
    const odooTerm = (t: Tracked) => {
      const onHand = f.odoo.onHand(t.productId, t.warehouseId);
      const reservedOther = f.odoo.reserved(t.productId, t.warehouseId, (p) => !f.odoo.isShopifyPicking(p));
      return Math.max(0, Math.floor(onHand - reservedOther - f.odoo.state.settings.safety_stock));
    };
    const violations: string[] = [];
    let samples = 0;
    /** Synchronous: the simulator and the double are in this process, so this is one consistent snapshot. */
    const check = (when: string) => {
      samples += 1;
      for (const t of tracked) {
        const level = simLevel(f.stack, t.sku, t.location);
        if (!level) continue;
        const allowed = Math.max(odooTerm(t), t.confirmed) - t.unshipped;
        if (level.available > allowed) {
          violations.push(
            `${when}: ${t.sku}@${t.location} available ${level.available} > promise ${allowed} (Odoo ${odooTerm(t)}, last pushed ${t.confirmed}, unshipped ${t.unshipped})`,
          );
        }
      }
    };
    /**
     * Storefront orders and the settled-state check take turns: an order placed in the simulator
     * is counted in `unshipped` only when its request returns, so a check between the two would
     * see Shopify's committed before the test's count.
     */
    let turn: Promise<void> = Promise.resolve();
    const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
      const run = turn.then(fn);
      turn = run.then(
        () => undefined,
        () => undefined,
      );
      return run;
    };
    /** Waits until every push has landed, then checks the settled state: the invariant, and equality. */
    const converge = async (step: string) => {
      await f.stack.waitFor(
        `${step}: outbox drained and inventory queue idle`,
        async () => {
          const pending = f.odoo.state.outbox.some((e) => e.state !== 'done') || (await pendingJobs(f.stack, 'inventory')) > 0;
          return !pending;
        },
        60_000,
      );
      await exclusive(async () => {
        const landed = () => tracked.every((t) => simLevel(f.stack, t.sku, t.location)?.on_hand === odooTerm(t));
        // A webhook echo may still be re-reading after the queue went idle: wait for the level itself.
        await f.stack.waitFor(`${step}: Shopify on_hand equals Odoo's term`, landed, 60_000);
        for (const t of tracked) t.confirmed = odooTerm(t);
        check(`${step} (settled)`);
        assert.deepEqual(violations.slice(0, 5), [], `${step}: the invariant was broken ${violations.length} times`);
        for (const t of tracked) {
          const level = simLevel(f.stack, t.sku, t.location)!;
          assert.equal(level.on_hand, t.confirmed, `${step}: ${t.sku}@${t.location} on_hand ${level.on_hand}, Odoo ${t.confirmed}`);
          assert.equal(
            level.available,
            t.confirmed - t.unshipped,
            `${step}: ${t.sku}@${t.location} available ${level.available}, promise ${t.confirmed - t.unshipped}`,
          );
        }
      });
    };
    await converge('initial push');

    const sampler = setInterval(() => check('sample'), 5);
    let ordering = true;
    let orders = 0;
    const storefront = (async () => {
      let i = 0;
      while (ordering) {
        const t = tracked[i++ % tracked.length]!;
        await exclusive(async () => {
          // A storefront sells only what Shopify says is available (inventory policy DENY).
          if ((simLevel(f.stack, t.sku, t.location)?.available ?? 0) < 1) return;
          await f.stack.simControl('POST', '/orders', {
            email: `buyer${i}@example.com`,
            lines: [{ sku: t.sku, quantity: 1 }],
            locationId: Number(t.location.split('/').pop()),
          });
          t.unshipped += 1;
          orders += 1;
          check(`after order ${orders}`);
        });
        // The storefront's pace, not a wait for work: orders keep arriving during every step.
        await new Promise((r) => setTimeout(r, 15));
      }
    })();

    try {
      const steps: Array<[string, () => Promise<unknown>]> = [
        ['Odoo count RACE-1 main 20 → 16', () => f.merchant.setStock(p1, f.wh.main, 16)],
        [
          'Odoo sale order reserves 3 RACE-2 at main',
          () => f.merchant.createSaleOrder({ warehouse_id: f.wh.main, lines: [{ product_id: p2, quantity: 3 }] }),
        ],
        ['Odoo receipt RACE-1 main → 25', () => f.merchant.setStock(p1, f.wh.main, 25)],
        [
          'Odoo count RACE-1 second 6 → 2, with a reconcile running',
          async () => {
            await f.merchant.setStock(p1, f.wh.second, 2);
            await reconcileInventory(f.ctx, 'race-reconcile');
          },
        ],
        ['Odoo receipt RACE-2 main → 20', () => f.merchant.setStock(p2, f.wh.main, 20)],
      ];
      for (const [step, change] of steps) {
        check(`before ${step}`);
        await change();
        check(`after ${step}`);
        await converge(step);
      }
    } finally {
      ordering = false;
      await storefront;
      clearInterval(sampler);
    }
    await converge('after the last order');
    assert.deepEqual(violations, []);
    assert.ok(orders >= 10, `only ${orders} orders were placed during the race`);
    assert.ok(samples >= 100, `only ${samples} samples`);
  });
});
