/**
 * Smoke test of `make bench`: a tiny load through the same code, checking that it runs end to end
 * and prints its table. No timing is asserted: the numbers are reported, not tested (a shared
 * machine's timings say nothing about the code).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Flow } from '../../sidecar/flows/context.js';
import { orderDoc } from '../conformance/fixtures.js';
import type { OutboxJob, WebhookJob } from '../../sidecar/jobs.js';
import { testDatabase } from '../testing/root-hooks.js';
import { summarizeProfile, type CpuProfile } from './profile.js';
import { DEFAULTS, parseArgs, runBench } from './run.js';
import { latencies, percentile, renderTable } from './stats.js';

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

const MEASURES = [
  'apply_order time per order, sequential',
  'SQL queries per order',
  "orders at the sidecar's concurrency",
  'serialization retries between independent orders',
  'order webhook → Odoo sales order',
  'highest sustained order rate with p95 < 2 s',
  'Odoo stock change → Shopify quantity',
  'backlog drain rate (sidecar queue, no-op handler)',
  'backlog drain rate: fetches of 50 against fetches of 5',
  'backlog: drainer peak RSS',
  'backlog: CPU per job',
  'webhook acknowledgement while the workers are busy, one process',
  'webhook acknowledgement while the workers are busy, intake apart',
  'catalog push from scratch, bulk productSet',
  'catalog push, paced single productSet calls',
  'inventory push from scratch',
  'inventory reconcile, nothing to change',
  'catalog reconcile, bulk read',
];

const SMALL = {
  realOdoo: null,
  webhookRate: 20,
  webhookSeconds: 1,
  backlogJobs: 50,
  backlogSeconds: 60,
  orderRate: 5,
  orderSweep: [],
  orderSeconds: 1,
  stockChanges: 2,
  floorOrders: 2,
  floorConcurrency: 2,
  fullProducts: 0,
  fullPaced: 0,
  fullPlan: 'standard',
  orderPlan: 'standard',
} as const;

/** Pids of this process's children whose command line names `script` (Linux /proc; [] elsewhere). */
function childrenRunning(script: string): number[] {
  if (!existsSync('/proc/self/stat')) return [];
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const ppid = Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
        const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
        return ppid === process.pid && cmd.includes(script) ? [Number(d)] : [];
      } catch {
        return []; // ended meanwhile
      }
    });
}

describe('make bench', () => {
  it('computes nearest-rank percentiles and renders a row with its baseline and ratio', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.deepEqual(
      [50, 95, 99, 100].map((p) => percentile(values, p)),
      [50, 95, 99, 100],
    );
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.equal(latencies([1.25]), 'p50 1.3 ms, p95 1.3 ms, p99 1.3 ms');
    assert.equal(
      renderTable([{ measure: 'm', load: 'l', value: 'v', baseline: 'b', ratio: 0.5, goal: '≥ 0.7×', met: false, n: 2 }]).split('\n')[2],
      '| m       | l    | v     | b                   | 0.50× | ≥ 0.7× | NO  | 2 |      |',
    );
  });

  it('reads the Shopify plan of the order rows and of the full rows, refusing an unknown one by name', () => {
    assert.equal(parseArgs([]).orderPlan, DEFAULTS.orderPlan);
    const options = parseArgs(['--order-plan', 'plus', '--full-plan', 'advanced', '--order-rate', '3']);
    assert.deepEqual([options.orderPlan, options.fullPlan, options.orderRate], ['plus', 'advanced', 3]);
    assert.throws(() => parseArgs(['--order-plan', 'gold']), /--order-plan must be one of standard, advanced, plus, enterprise/);
  });

  it("reads where the full rows' simulator runs: a child process unless --full-simulator in-process", () => {
    assert.equal(parseArgs([]).fullSimulator, undefined);
    assert.equal(parseArgs(['--full-simulator', 'in-process']).fullSimulator, 'in-process');
    assert.equal(parseArgs(['--full-simulator', 'child']).fullSimulator, 'child');
    assert.throws(() => parseArgs(['--full-simulator', 'thread']), /--full-simulator takes child or in-process/);
  });

  it('reads --full-latency-ms, 0 unless given', () => {
    assert.equal(parseArgs([]).fullLatencyMs, 0);
    assert.equal(parseArgs(['--full-latency-ms', '50']).fullLatencyMs, 50);
  });

  it('reads --only orders and the flag --order-pull, which takes no value', () => {
    const options = parseArgs(['--only', 'orders', '--order-pull', '--order-seconds', '4']);
    assert.deepEqual([options.only, options.orderPull, options.orderSeconds], ['orders', true, 4]);
    assert.equal(parseArgs([]).orderPull, undefined);
    assert.throws(() => parseArgs(['--only', 'stock']), /--only takes burst, backlog, full or orders/);
  });

  it('runs a tiny load against the whole stack and prints every row of its table, ending with the machine', async function () {
    this.timeout(180_000);
    const printed: string[] = [];
    const { rows, text } = await runBench({
      ...SMALL,
      fullProducts: 30,
      fullPaced: 5,
      // The layout measured before; --only full below runs the default, the simulator in a child.
      fullSimulator: 'in-process',
      databaseUrl: await testDatabase('bench_smoke'),
      fullDatabaseUrl: await testDatabase('bench_smoke_full'),
      burstDatabaseUrls: {
        'one process': await testDatabase('bench_smoke_burst_one'),
        'intake apart': await testDatabase('bench_smoke_burst_apart'),
      },
      print: (t) => printed.push(t),
    });
    assert.deepEqual(
      rows.map((r) => r.measure.replace(/ \(\d+ at once\)$/, '')),
      MEASURES,
    );
    // The floor needs a real Odoo: on the double its rows say so.
    for (const row of rows.slice(0, 4)) assert.match(row.note ?? '', /^not measured: needs a real Odoo/);
    const [drain, gain, rss, cpu] = rows.slice(7, 11);
    assert.equal(drain!.n, 50);
    assert.match(drain!.value, /^\d+ jobs\/s$/);
    assert.match(drain!.baseline, /^bare pg-boss work loop: \d+ jobs\/s$/);
    assert.equal(gain!.n, 50);
    assert.match(gain!.baseline, /^sidecar queue claiming 5 a fetch: \d+ jobs\/s$/);
    assert.match(rss!.value, /^\d+ MB \(\d+ MB before the drain\)$/);
    assert.match(cpu!.value, /^\d+ µs\/job$/);
    for (const row of [drain, gain, rss, cpu]) assert.ok(row!.ratio! > 0 && Number.isFinite(row!.ratio), JSON.stringify(row));
    // The burst against the sidecar in its own processes, as one process and as intake + workers.
    const [one, apart] = rows.slice(11, 13);
    for (const [ack, layout] of [
      [
        one,
        /one sidecar process \(PROCESS_ROLE=all\); CPU per delivery: sidecar [\d.]+ ms, PostgreSQL backends [\d.]+ ms during the burst/,
      ],
      [
        apart,
        /intake and workers in two processes; CPU per delivery: intake [\d.]+ ms, workers [\d.]+ ms, PostgreSQL backends [\d.]+ ms during the burst/,
      ],
    ] as const) {
      assert.equal(ack!.n, 20);
      assert.match(ack!.note ?? '', /^20 × 200, 20 stored in the inbox; /);
      assert.match(ack!.note ?? '', layout);
      assert.match(ack!.note ?? '', /up to \d+ orders jobs queued or running during the burst, \d+ worked by its end/);
      assert.match(ack!.baseline, /^bare HTTP server: p50 [\d.]+ ms, p95/);
      assert.ok(ack!.ratio! > 0 && Number.isFinite(ack!.ratio), JSON.stringify(ack));
    }
    // The full catalog and inventory: pushed, reconciled, priced against the budget, never throttled.
    const [bulk, paced, push, again, read] = rows.slice(13);
    for (const row of [bulk, paced, push, again, read])
      assert.match(row!.value, /^[\d.]+ s; \d+ points in \d+ calls; 0 THROTTLED$/, JSON.stringify(row));
    assert.match(bulk!.baseline, /^budget minimum [\d.]+ s \(30 productSet calls × 10 points one by one, catalog lane\)$/);
    assert.match(push!.load, /^30 variants × 3 locations = 90 levels/);
    // The inventory rows beside their round-trip floor (the same requests replayed cleanly) and their budget minimum.
    for (const row of [push, again]) {
      assert.match(
        row!.baseline,
        /^round-trip floor [\d.]+ s \(the same \d+ requests sent again by a bare client, \d+ at once, the faster of two; CPU: one process [\d.]+ s\); budget minimum [\d.]+ s \(/,
      );
      assert.equal(row!.goal, '≤ 1.1× the larger baseline, 0 THROTTLED');
      assert.ok(row!.ratio! > 0 && Number.isFinite(row!.ratio), JSON.stringify(row));
      assert.match(row!.note ?? '', /; the simulator in the bench's process; .*; CPU: one process [\d.]+ s$/);
    }
    assert.match(read!.note ?? '', /one bulkOperationRunQuery; 30 of 30 templates match, 0 drifted, 0 unbound/);
    for (const row of [rows[4]!, rows[6]!]) {
      assert.ok(row.n !== undefined || /^not measured: (orders|inventory) flow not present$/.test(row.note ?? ''), JSON.stringify(row));
    }
    // Without a real Odoo the sustained rate has no floor to be compared with.
    assert.match(rows[5]!.note ?? '', /; the floor needs a real Odoo$/);
    assert.equal(rows[5]!.ratio, undefined);
    assert.equal(printed.at(-1), text);
    assert.match(text, /^\| measure +\| load +\| value +\| baseline \(same run\) +\| ratio +\| goal /);
    assert.match(
      text,
      /Machine: \d+ cores .*, [\d.]+ GiB RAM .*load average [\d.]+ [\d.]+ [\d.]+ at the start and [\d.]+ [\d.]+ [\d.]+ at the end/,
    );
  });

  it('runs only the backlog rows with --only backlog', async function () {
    this.timeout(120_000);
    const { rows, text } = await runBench({
      ...SMALL,
      only: 'backlog',
      backlogJobs: 20,
      databaseUrl: await testDatabase('bench_only_backlog'),
      print: () => {},
    });
    assert.deepEqual(
      rows.map((r) => r.measure),
      MEASURES.filter((m) => m.startsWith('backlog')),
    );
    assert.equal(rows[0]!.n, 20);
    assert.match(text, /Machine: \d+ cores/);
  });

  it('runs only the full catalog and inventory rows with --only full, the simulator in a child process, profiling both processes', async function () {
    this.timeout(120_000);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-profiles-'));
    try {
      const { rows, text } = await runBench({
        ...SMALL,
        only: 'full',
        fullProducts: 12,
        cpuProfileDir: dir,
        fullDatabaseUrl: await testDatabase('bench_only_full'),
        print: () => {},
      });
      assert.deepEqual(
        rows.map((r) => r.measure),
        [
          'catalog push from scratch, bulk productSet',
          'inventory push from scratch',
          'inventory reconcile, nothing to change',
          'catalog reconcile, bulk read',
        ],
      );
      // 36 levels: one read and one write per location, replayed without a refused answer.
      assert.match(
        rows[1]!.baseline,
        /^round-trip floor [\d.]+ s \(the same 6 requests sent again by a bare client, 4 at once, the faster of two; CPU: simulator process [\d.]+ s, bench process [\d.]+ s\);/,
      );
      assert.match(
        rows[2]!.baseline,
        /^round-trip floor [\d.]+ s \(the same 3 requests sent again by a bare client, 4 at once, the faster of two; CPU: simulator process [\d.]+ s, bench process [\d.]+ s\);/,
      );
      for (const row of rows.slice(1, 3))
        assert.match(
          row.note ?? '',
          /; the simulator in a process of its own; .*; CPU: simulator process [\d.]+ s, bench process [\d.]+ s$/,
        );
      assert.match(text, /the simulator in a process of its own; Odoo double, sidecar and bench in one process/);
      // Ended with the measure: no simulator process of this one is left.
      assert.deepEqual(childrenRunning('sim-process.ts'), []);
      // This process's windows, and the simulator's process over the same windows.
      for (const name of ['inventory-push', 'inventory-reconcile', 'inventory-push.simulator', 'inventory-reconcile.simulator']) {
        const profile = JSON.parse(await readFile(path.join(dir, `${name}.cpuprofile`), 'utf8')) as CpuProfile;
        const summary = summarizeProfile(profile);
        assert.ok(summary.totalMs > 0 && summary.byOwner.size > 0, name);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('measures order and stock latencies once flows work the orders and inventory queues', async function () {
    this.timeout(180_000);
    const { rows } = await runBench({
      ...SMALL,
      webhookRate: 5,
      backlogJobs: 5,
      orderSweep: [2],
      databaseUrl: await testDatabase('bench_smoke_flows'),
      flows: [standInOrders, standInInventory],
      print: () => {},
    });
    const [slower, orders, sustained, stock] = rows.slice(4, 8);
    assert.deepEqual([slower!.load, slower!.n], ['2 orders/s for 1 s, Shopify standard plan', 2]);
    assert.equal(orders!.n, 5);
    // Then what the phase cost: Shopify points per order by operation, lane waits, CPU by process (/proc: Linux only).
    assert.match(
      orders!.note!,
      /^from the storefront order to the sale order in the double; Shopify points charged per order [\d.]+ \(.*(restore 100\/s sustains [\d.]+ orders\/s|no call charged in the phase)\); budget waits by lane: [^;]+(; CPU over the phase \(\d+ cores = \d+ %\): this process \d+ %, the sidecar's PostgreSQL \d+ %, other \d+ %; CPU per order: this process \d+ ms, the sidecar's PostgreSQL \d+ ms)?$/,
    );
    assert.equal(sustained!.measure, 'highest sustained order rate with p95 < 2 s');
    assert.equal(sustained!.load, 'tried 2, 5 orders/s, 1 s each');
    // The summary names the highest rate whose row met its goal (every order in, p95 < 2 s).
    assert.equal(sustained!.value, orders!.met ? '5 orders/s' : slower!.met ? '2 orders/s' : 'none of the rates tried');
    assert.deepEqual(
      [stock!.n, stock!.note],
      [2, 'Odoo on hand set → Shopify on_hand equal at the mapped location (outbox wake-up included)'],
    );
    for (const row of [orders, stock]) assert.match(row!.value, /^p50 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms$/);
  });
});
