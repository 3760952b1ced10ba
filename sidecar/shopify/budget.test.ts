import assert from 'node:assert/strict';
import type pg from 'pg';
import { createPool } from '../db/pool.js';
import { migrate } from '../db/migrate.js';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { createShopifyBudget, type Lane } from './budget.js';
import { createShopifyClient } from './client.js';
import { fakeTime, recordingLogger, startFakeAdminApi, type FakeAdminApi } from '../../dev/fakes/shopify-admin-api.js';

const SHOP = 'budget-shop.myshopify.com';

describe('shopify cost budget (shared in PostgreSQL)', () => {
  let pool: pg.Pool;
  let databaseUrl: string;
  let server: FakeAdminApi | undefined;
  let shopSeq = 0;

  before(async () => {
    databaseUrl = await testDatabase('shopify_budget');
    pool = createPool(databaseUrl, 10);
    await migrate(pool, 'app');
    await migrate(pool, 'other');
  });
  after(async () => {
    await pool.end();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  function clientFor(budget: ReturnType<typeof createShopifyBudget>, time: ReturnType<typeof fakeTime> | undefined, maxRetries = 3) {
    return createShopifyClient({
      shopDomain: budget.shopDomain,
      apiVersion: '2026-10',
      adminBaseUrl: server!.url,
      auth: { kind: 'static', accessToken: 'shpat_budget_test' },
      requestTimeoutMs: 5000,
      maxRetries,
      budget,
      logger: recordingLogger(),
      random: () => 0.5,
      ...(time ? { clock: time.clock, sleep: time.sleep } : {}),
    });
  }

  it('waits exactly the time the restore rate needs before a call would be throttled', async () => {
    const time = fakeTime();
    server = await startFakeAdminApi({
      clock: time.clock,
      bucket: { maximumAvailable: 1000, restoreRate: 50 },
      costs: { Shop: { requested: 300 } },
    });
    const budget = createShopifyBudget({ pool, schema: 'app', shopDomain: `s${++shopSeq}-${SHOP}`, clock: time.clock, sleep: time.sleep });
    const client = clientFor(budget, time);
    for (let i = 0; i < 3; i++) await client.request('Shop', undefined, { lane: 'orders' });
    assert.deepEqual(time.sleeps, [], 'three calls of 300 fit in a bucket of 1000');
    // 100 points left, 300 needed, 50 restored per second: exactly 4 s.
    await client.request('Shop', undefined, { lane: 'orders' });
    assert.deepEqual(time.sleeps, [4000]);
    assert.equal(server.throttledCount(), 0);
    assert.equal(server.graphqlRequests().length, 4);
    const snapshot = budget.snapshot();
    assert.equal(snapshot.throttleWaits, 1);
    assert.equal(snapshot.throttleWaitSeconds, 4);
    assert.equal(snapshot.available, 0);
    assert.equal(snapshot.maximum, 1000);
    assert.equal(snapshot.restoreRate, 50);
    const row = await pool.query(
      'SELECT currently_available, maximum_available, restore_rate FROM app.shopify_budget WHERE shop_domain = $1',
      [budget.shopDomain],
    );
    assert.deepEqual(row.rows[0], { currently_available: 0, maximum_available: 1000, restore_rate: 50 });
  });

  it("retries a THROTTLED answer after exactly the wait that Shopify's throttleStatus implies", async () => {
    const time = fakeTime();
    // Shopify has 50 points left although this process has never seen the shop (another app
    // installation or a lost row): the first call is throttled.
    server = await startFakeAdminApi({
      clock: time.clock,
      bucket: { maximumAvailable: 1000, restoreRate: 100, currentlyAvailable: 50 },
      costs: { Shop: { requested: 250, actual: 120 } },
      responders: { Shop: () => ({ shop: { name: 'Acme' } }) },
    });
    const budget = createShopifyBudget({ pool, schema: 'app', shopDomain: `s${++shopSeq}-${SHOP}`, clock: time.clock, sleep: time.sleep });
    const data = await clientFor(budget, time).request('Shop', undefined, { lane: 'orders' });
    assert.deepEqual(data, { shop: { name: 'Acme' } });
    // (250 requested − 50 available) / 100 per second = 2 s; no extra backoff on top.
    assert.deepEqual(time.sleeps, [2000]);
    assert.equal(server.throttledCount(), 1);
    assert.equal(server.graphqlRequests().length, 2);
    assert.equal(budget.snapshot().throttledResponses, 1);
    // Actual cost 120 charged, the 130 reserved beyond it given back: 250 − 250 + 130 = 130.
    assert.equal(budget.snapshot().available, 130);
  });

  it('keeps lane reserves: catalog stops at 50 %, inventory at 25 %, fulfillments at 10 %, orders may use all', async () => {
    const time = fakeTime();
    const budget = createShopifyBudget({
      pool,
      schema: 'app',
      shopDomain: `s${++shopSeq}-${SHOP}`,
      clock: time.clock,
      sleep: time.sleep,
      initial: { maximumAvailable: 1000, restoreRate: 50 },
    });
    const setLevel = (level: number) =>
      pool.query('UPDATE app.shopify_budget SET currently_available = $2, updated_at = $3 WHERE shop_domain = $1', [
        budget.shopDomain,
        level,
        new Date(time.clock()),
      ]);
    await budget.reserve('orders', 0); // creates the row
    const cases: [Lane, number, number, number][] = [
      // lane, level before, cost, expected wait (ms) = (floor + cost − level) / 50 per second
      ['orders', 300, 300, 0],
      ['fulfillments', 600, 300, 0],
      ['fulfillments', 300, 300, 2000],
      ['inventory', 600, 300, 0],
      ['inventory', 500, 300, 1000],
      ['catalog', 600, 300, 4000],
      ['catalog', 800, 300, 0],
      // A catalog call larger than its half may still run on a full bucket.
      ['catalog', 1000, 600, 0],
    ];
    const waits: number[] = [];
    for (const [lane, level, cost] of cases) {
      await setLevel(level);
      time.sleeps.length = 0;
      const reservation = await budget.reserve(lane, cost);
      assert.equal(reservation.cost, cost);
      waits.push(time.sleeps.reduce((a, b) => a + b, 0));
    }
    assert.deepEqual(
      waits,
      cases.map((c) => c[3]),
    );
    assert.deepEqual(budget.snapshot().waitsByLane, { orders: 0, fulfillments: 1, inventory: 1, catalog: 1 });
  });

  it('lets a lower lane through once it has waited its patience, while orders keep the bucket below its reserve', async () => {
    const time = fakeTime();
    const shopDomain = `s${++shopSeq}-${SHOP}`;
    // Orders take back everything restored while the others wait: the bucket stays at 200 of 1000.
    const ordersHoldTheBucket = async (ms: number) => {
      await time.sleep(ms);
      await pool.query('UPDATE app.shopify_budget SET currently_available = 200, updated_at = $2 WHERE shop_domain = $1', [
        shopDomain,
        new Date(time.clock()),
      ]);
    };
    const budget = createShopifyBudget({
      pool,
      schema: 'app',
      shopDomain,
      clock: time.clock,
      sleep: ordersHoldTheBucket,
      initial: { maximumAvailable: 1000, restoreRate: 50 },
      patienceMs: 20_000,
    });
    await budget.reserve('orders', 800); // creates the row, leaves 200
    for (const lane of ['catalog', 'inventory', 'fulfillments'] as const) {
      time.sleeps.length = 0;
      const reservation = await budget.reserve(lane, 100);
      assert.equal(reservation.cost, 100);
      const waited = time.sleeps.reduce((a, b) => a + b, 0);
      // Fulfillments (reserve 100) fit at once in 200; catalog (500) and inventory (250) wait exactly their patience.
      assert.equal(waited, lane === 'fulfillments' ? 0 : 20_000, `${lane} waited ${waited} ms`);
      await ordersHoldTheBucket(0);
    }
  });

  it('lets an order through at once while a catalog backfill waits for the bucket to refill', async () => {
    // Real time here: both lanes run concurrently against one row.
    const budget = createShopifyBudget({
      pool,
      schema: 'app',
      shopDomain: `s${++shopSeq}-${SHOP}`,
      initial: { maximumAvailable: 1000, restoreRate: 500 },
    });
    await budget.reserve('catalog', 500); // bucket now at 500: catalog must wait for 800
    // What is checked is who waits for the budget and for how long it computed, not the wall
    // time either call took (a busy machine may take a while for any database round trip).
    const settled: string[] = [];
    const catalog = budget.reserve('catalog', 300).then(() => settled.push('catalog'));
    const orders = budget.reserve('orders', 300).then(() => settled.push('orders'));
    await Promise.all([catalog, orders]);
    assert.deepEqual(settled, ['orders', 'catalog']);
    const { waitsByLane, throttleWaitSeconds } = budget.snapshot();
    assert.equal(waitsByLane.orders, 0, 'the order never waited for the budget');
    assert.ok(waitsByLane.catalog >= 1);
    // After the order took 300, catalog needs 800 from 200: 1.2 s at 500 points/s.
    assert.ok(throttleWaitSeconds >= 1, `catalog waited only ${throttleWaitSeconds} s`);
  });

  it('does not overspend when two sidecar processes share one budget row (and does without sharing)', async function () {
    this.timeout(20_000);
    server = await startFakeAdminApi({ bucket: { maximumAvailable: 200, restoreRate: 1000 }, costs: { Shop: { requested: 100 } } });
    const run = async (schemas: [string, string], shop: string) => {
      // Separate pools and budget objects stand for separate processes.
      const pools = schemas.map(() => createPool(databaseUrl, 3));
      try {
        const budgets = schemas.map((schema, i) =>
          createShopifyBudget({ pool: pools[i]!, schema, shopDomain: shop, initial: { maximumAvailable: 200, restoreRate: 1000 } }),
        );
        const clients = budgets.map((b) => clientFor(b, undefined, 10));
        await Promise.all(
          clients.map(async (client) => {
            for (let i = 0; i < 8; i++) await client.request('Shop', undefined, { lane: 'orders', estimatedCost: 100 });
          }),
        );
      } finally {
        await Promise.all(pools.map((p) => p.end()));
      }
    };
    await run(['app', 'app'], `s${++shopSeq}-${SHOP}`);
    assert.equal(server.throttledCount(), 0, 'shared row: never throttled');
    assert.equal(server.graphqlRequests().length, 16);
    // The control run starts from a full bucket: wait until Shopify's has refilled.
    while (server.available() < 200) await new Promise((r) => setTimeout(r, 10));
    await run(['app', 'other'], `s${++shopSeq}-${SHOP}`);
    assert.ok(server.throttledCount() > 0, 'control: two private budgets overspend the shared bucket');
  });
});
