/**
 * Smoke test of `make bench`: a tiny load through the same code, checking that it runs end to end
 * and prints its table. No timing is asserted: the numbers are reported, not tested (a shared
 * machine's timings say nothing about the code).
 */
import assert from 'node:assert/strict';
import type { Flow } from '../../sidecar/flows/context.js';
import { orderDoc } from '../conformance/fixtures.js';
import type { OutboxJob, WebhookJob } from '../../sidecar/jobs.js';
import { testDatabase } from '../testing/root-hooks.js';
import { runBench } from './run.js';
import { percentile, renderTable } from './stats.js';

/**
 * Minimal stand-ins for the orders and inventory flows (written by other pieces), so the two
 * latency measures that need them are exercised here too: an order webhook becomes a sale order,
 * an Odoo stock change becomes Shopify's on_hand.
 */
const standInOrders: Flow = {
  name: 'orders (bench stand-in)',
  queues: ['orders'],
  register: (ctx) =>
    ctx.queue.work<WebhookJob>('orders', async (job) => {
      const currency = 'EUR';
      await ctx.odoo.applyOrder({
        ...orderDoc({ order_gid: job.data.entityGid, currency, lines: [{ sku: 'BENCH-ORDER', quantity: 1, price: '10.00' }] }),
      });
    }),
};
const standInInventory: Flow = {
  name: 'inventory (bench stand-in)',
  queues: ['inventory'],
  register: (ctx) =>
    ctx.queue.work<OutboxJob>('inventory', async (job) => {
      const { product_id, location_gid } = job.data.payload as { product_id: number; location_gid: string };
      const { levels } = await ctx.odoo.stockLevels({ product_ids: [product_id], location_gids: [location_gid] });
      const level = levels[0];
      if (!level?.shopify_inventory_item_gid) return;
      await ctx.shopify.request(
        'InventorySetQuantities',
        {
          input: {
            name: 'on_hand',
            reason: 'correction',
            quantities: [
              {
                inventoryItemId: level.shopify_inventory_item_gid,
                locationId: location_gid,
                quantity: level.shopify_on_hand,
                changeFromQuantity: null,
              },
            ],
          },
        },
        { lane: 'inventory', idempotencyKey: job.jobId },
      );
    }),
};

describe('make bench', () => {
  it('computes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.deepEqual(
      [50, 95, 99, 100].map((p) => percentile(values, p)),
      [50, 95, 99, 100],
    );
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.equal(
      renderTable([{ measure: 'm', load: 'l', p50: 1.25, value: 'v', n: 2 }]).split('\n')[2],
      '| m       | l    | 1.3 ms |     |     | v     | 2 |                |      |',
    );
  });

  it('runs a tiny load (20 webhooks, 20 jobs) against the whole stack and prints its table', async function () {
    this.timeout(120_000);
    const printed: string[] = [];
    const { rows, text } = await runBench({
      databaseUrl: await testDatabase('bench_smoke'),
      realOdoo: null,
      webhookRate: 20,
      webhookSeconds: 1,
      jobs: 20,
      orderRate: 5,
      orderSeconds: 1,
      stockChanges: 2,
      print: (t) => printed.push(t),
    });
    assert.deepEqual(
      rows.map((r) => r.measure),
      [
        'jobs per second through the queue',
        'order webhook → Odoo sales order',
        'Odoo stock change → Shopify quantity',
        'webhook acknowledgement',
      ],
    );
    const ack = rows[3]!;
    assert.equal(ack.n, 20);
    assert.match(ack.note ?? '', /^20 × 200, 20 stored in the inbox$/);
    assert.equal(rows[0]!.n, 20);
    for (const row of rows.slice(1, 3)) {
      assert.ok(row.n !== undefined || /^not measured: (orders|inventory) flow not present$/.test(row.note ?? ''), JSON.stringify(row));
    }
    assert.equal(printed.at(-1), text);
    assert.match(text, /^\| measure +\| load +\| p50 +\| p95 +\| p99 /);
    assert.match(text, /Machine: \d+ cores .*shared with other processes/);
  });

  it('measures order and stock latencies once flows work the orders and inventory queues', async function () {
    this.timeout(120_000);
    const { rows } = await runBench({
      databaseUrl: await testDatabase('bench_smoke_flows'),
      realOdoo: null,
      webhookRate: 5,
      webhookSeconds: 1,
      jobs: 5,
      orderRate: 5,
      orderSeconds: 1,
      stockChanges: 2,
      flows: [standInOrders, standInInventory],
      print: () => {},
    });
    assert.deepEqual([rows[1]!.n, rows[1]!.note], [5, 'from the storefront order to the sale order in the double']);
    assert.deepEqual(
      [rows[2]!.n, rows[2]!.note],
      [2, 'Odoo on hand set → Shopify on_hand equal at the mapped location (outbox wake-up included)'],
    );
    assert.ok(rows[1]!.p95! > 0 && rows[2]!.p95! > 0);
  });
});
