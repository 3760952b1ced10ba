/**
 * `make bench`, full catalog and inventory at Shopify's cost budget (docs/operations.md, "Full
 * catalog and inventory at the budget limit"): a catalog of N single-variant products stocked in
 * three warehouses, pushed from scratch to a simulated shop on the given plan and reconciled, in
 * its own stack (own database, simulator and Odoo double) so that the other measures' traffic does
 * not share its bucket.
 *
 * Each time is compared with the least time Shopify's cost budget allows for the same work: the
 * points of the plan's calls (the simulator prices each document as Shopify does, ../sim/cost.ts)
 * beyond what the lane may spend at once, divided by the plan's restore rate. The points charged
 * and the THROTTLED answers are read from the simulator.
 *
 *   1. catalog push, bulk: every template in one bulkOperationRunMutation of productSet, against
 *      the budget minimum of the same productSet calls made one by one;
 *   2. catalog push, paced single productSet calls (a sample of the catalog: the budget-bound way,
 *      to show the pacing reaches its minimum without THROTTLED answers);
 *   3. inventory push from scratch: the scheduled reconcile (read 250 levels, compare-and-swap
 *      write 250; INVENTORY_PUSH_CONCURRENCY batches at once) over every level, against the
 *      budget minimum of those calls;
 *   4. reconciliation of both: the inventory reconcile again (nothing to write) and the catalog
 *      read back with one bulkOperationRunQuery, against the budget minimum of the paged read.
 *
 * A plan that fits in the bucket has a budget minimum near 0, which says nothing: the inventory
 * rows are also compared with their round-trip floor (./replay.ts), the same requests sent again
 * by a bare client with as many in flight, and their ratio is to the larger of the two baselines.
 *
 * The simulator runs in a child process of its own by default (./sim-control.ts), as Shopify is
 * another machine in production: the sidecar's work between calls (its Odoo reads, the budget's
 * statements, planning) then runs beside the simulator's answers instead of taking turns with them
 * on one event loop, and the floor's bare client meets the same out-of-process simulator. What the
 * bench reads from the simulator or does to it (points, THROTTLED answers, the bucket's level, the
 * third location, the inventory kept before the push and put back before each replay) goes
 * through IPC messages to that child; `simulator: 'in-process'` keeps the earlier layout. The
 * sidecar and the Odoo double stay in this process (the double's JSON round trip stands for the
 * wire to Odoo).
 * `cpuProfileDir` writes a CPU profile of each inventory row's window and floor (./profile.ts):
 * this process's, and the child simulator's as `<name>.simulator.cpuprofile`.
 */
import { performance } from 'node:perf_hooks';
import { Kind, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { pushCatalogInBulk, reconcileCatalog } from '../../sidecar/flows/catalog/bulk.js';
import { syncTemplate } from '../../sidecar/flows/catalog/apply.js';
import type { FlowContext } from '../../sidecar/flows/context.js';
import { reconcileInventory } from '../../sidecar/flows/inventory/apply.js';
import { MAX_QUANTITIES_PER_CALL } from '../../sidecar/flows/inventory/map.js';
import { DEFAULT_LANE_RESERVES, type Lane } from '../../sidecar/shopify/budget.js';
import { document, type DocumentName } from '../../sidecar/shopify/documents.js';
import { createDoubleMerchant, createOdooDouble, type OdooDouble } from '../odoo-double/index.js';
import { PLANS, type PlanName } from '../sim/bucket.js';
import { requestedQueryCost } from '../sim/cost.js';
import { loadAdminSchema } from '../testing/shopify-schema.js';
import { STACK_SHOP, STACK_SECRET, STACK_TOKEN, startStack, type Stack } from '../testing/stack.js';
import { discardLogger } from './discard.js';
import { withCpuProfile } from './profile.js';
import { createRecorder, replay, type RecordedRequest, type Recorder, type ReplayResult } from './replay.js';
import { cpuSeconds, inProcessControl, startChildSimulator, type SimControl, type SimCounters, type SimulatorMode } from './sim-control.js';
import type { BenchRow } from './stats.js';

export interface FullSyncOptions {
  /** Single-variant products in the catalog (each stocked in three warehouses). */
  products: number;
  /** Products of the paced single-call sample (0: not measured). */
  pacedProducts: number;
  plan: PlanName;
  /** First wait between bulk polls. */
  pollMs: number;
  /** Inventory batches written at once (INVENTORY_PUSH_CONCURRENCY); default: the sidecar's default. */
  concurrency?: number;
  /**
   * Where the simulator runs (./sim-control.ts): `child` (default), a process of its own, as
   * Shopify is another machine; `in-process`, on the bench's event loop with the sidecar and the
   * Odoo double (how the rows were measured before).
   */
  simulator?: SimulatorMode;
  /** Milliseconds the child simulator holds each request before answering (a network round trip); default 0. */
  latencyMs?: number;
  /**
   * Writes a CPU profile of the inventory push's and reconcile's windows (and of their floors)
   * there: `<name>.cpuprofile` of the bench's process and, with the simulator in a child,
   * `<name>.simulator.cpuprofile` of the simulator's.
   */
  cpuProfileDir?: string;
}

const LOCATIONS = [101, 102, 103] as const;
const locationGid = (id: number) => `gid://shopify/Location/${id}`;

/** Shopify's requested cost of one named document with these variables (../sim/cost.ts). */
export function documentCost(name: DocumentName, variables: Record<string, unknown>): number {
  const schema = loadAdminSchema('2026-10');
  const ast = document(name).ast;
  const operation = ast.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of ast.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  return requestedQueryCost({ schema, operation, fragments, variables });
}

/** The least seconds the bucket allows for `points` spent in `lane`, starting from a full bucket. */
export function budgetSeconds(points: number, plan: PlanName, lane: Lane): number {
  const { maximumAvailable, restoreRate } = PLANS[plan];
  const atOnce = maximumAvailable * (1 - DEFAULT_LANE_RESERVES[lane]);
  return Math.max(0, points - atOnce) / restoreRate;
}

/** The catalog in the double (three warehouses mapped to the simulator's three locations). */
async function seedOdoo(products: number): Promise<{ odoo: OdooDouble; templateIds: number[] }> {
  const odoo = createOdooDouble({
    warehouses: LOCATIONS.map((id, i) => ({ name: `Warehouse ${i + 1}`, code: `WH${i + 1}`, location_gid: locationGid(id) })),
    settings: { company_currency: 'EUR' },
  });
  const merchant = createDoubleMerchant(odoo);
  const warehouses = [...odoo.state.warehouses.values()];
  const templateIds: number[] = [];
  for (let i = 0; i < products; i++) {
    const sku = `FULL-${String(i + 1).padStart(5, '0')}`;
    const created = await merchant.createProduct({ name: `Full catalog item ${i + 1}`, price: '10.00', variants: [{ sku }] });
    templateIds.push(created.template_id);
    // Counts without stock events: only the push from scratch brings them to Shopify.
    warehouses.forEach((w, k) => odoo.setOnHand(created.variants[sku]!, w.id, 1 + ((i + k) % 50)));
  }
  return { odoo, templateIds };
}

interface Measured {
  seconds: number;
  points: number;
  throttled: number;
  requests: number;
  /** Seconds spent inside Shopify requests (budget waits included) and Odoo calls. */
  shopifySeconds: number;
  odooSeconds: number;
  /** Seconds from the start to the first Shopify call (what runs before Shopify has anything to do). */
  firstShopifySeconds: number | undefined;
  /** The Shopify client's retries meanwhile (operation and reason). */
  retries: string[];
  cpu: CpuSpent;
  /** Seconds in the sidecar pool's PostgreSQL queries (the budget's statements), summed over queries in flight, and their number. */
  postgresSeconds: number;
  postgresQueries: number;
  /** Seconds from each Shopify fetch to its answer, summed (set by the recorder, inventory rows only). */
  httpSeconds?: number;
}

/** CPU seconds over a window: the simulator's process and this one (the same process in-process). */
interface CpuSpent {
  simulator: number;
  bench: number;
  childSimulator: boolean;
}

/** Starts counting CPU; the function returned gives what each process spent since. */
async function cpuWindow(sim: SimControl, before?: SimCounters): Promise<(after?: SimCounters) => Promise<CpuSpent>> {
  const simBefore = (before ?? (await sim.call('counters'))).cpuSeconds;
  const benchBefore = cpuSeconds();
  return async (after) => {
    const bench = cpuSeconds() - benchBefore;
    const simulator = (after ?? (await sim.call('counters'))).cpuSeconds - simBefore;
    return { simulator, bench, childSimulator: sim.mode === 'child' };
  };
}

/** The simulator's process, and the bench's (sidecar, Odoo double, the floor's client); in-process, one process. */
const cpuText = (c: CpuSpent) =>
  c.childSimulator
    ? `CPU: simulator process ${c.simulator.toFixed(1)} s, bench process ${c.bench.toFixed(1)} s`
    : `CPU: one process ${c.bench.toFixed(1)} s`;

interface Spent {
  shopify: number;
  odoo: number;
  start: number;
  firstShopify?: number;
}

/** The flow context with its Shopify and Odoo calls timed (where the time went). */
function timedContext(ctx: FlowContext, spent: Spent): FlowContext {
  const time = async <T>(side: 'shopify' | 'odoo', call: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    if (side === 'shopify') spent.firstShopify ??= (t0 - spent.start) / 1000;
    try {
      return await call();
    } finally {
      spent[side] += (performance.now() - t0) / 1000;
    }
  };
  const odoo = Object.fromEntries(
    Object.entries(ctx.odoo).map(([name, fn]) => [
      name,
      typeof fn === 'function' ? (...args: unknown[]) => time('odoo', () => (fn as (...a: unknown[]) => Promise<unknown>)(...args)) : fn,
    ]),
  ) as unknown as FlowContext['odoo'];
  const shopify: FlowContext['shopify'] = {
    ...ctx.shopify,
    request: (name, variables, options) => time('shopify', () => ctx.shopify.request(name, variables, options)),
  };
  return { ...ctx, odoo, shopify };
}

async function measure(setup: Setup, fn: (ctx: FlowContext) => Promise<unknown>): Promise<Measured> {
  const { sim, ctx, retries } = setup;
  const before = await sim.call('counters');
  const retriesBefore = retries.length;
  const cpu = await cpuWindow(sim, before);
  const stopTiming = timePoolQueries(setup.stack.sidecar.pool);
  const t0 = performance.now();
  const spent: Spent = { shopify: 0, odoo: 0, start: t0 };
  await fn(timedContext(ctx, spent));
  const seconds = (performance.now() - t0) / 1000;
  const after = await sim.call('counters');
  return {
    seconds,
    points: after.points - before.points,
    throttled: after.throttled - before.throttled,
    requests: after.requests - before.requests,
    shopifySeconds: spent.shopify,
    odooSeconds: spent.odoo,
    firstShopifySeconds: spent.firstShopify,
    retries: retries.slice(retriesBefore),
    cpu: await cpu(after),
    ...stopTiming(),
  };
}

/**
 * Times every query of `pool` (the sidecar's: the budget's statements, the bindings' reads) until
 * the function returned is called, which gives their seconds summed and their number.
 */
function timePoolQueries(pool: Stack['sidecar']['pool']): () => { postgresSeconds: number; postgresQueries: number } {
  // pg.Pool's query is a method of its prototype: an own property shadows it until deleted.
  const original = pool.query.bind(pool) as (...a: unknown[]) => unknown;
  let seconds = 0;
  let queries = 0;
  const timed = (...args: unknown[]): unknown => {
    queries += 1;
    const t0 = performance.now();
    const result = original(...args);
    if (result instanceof Promise) void result.finally(() => (seconds += (performance.now() - t0) / 1000)).catch(() => undefined);
    return result;
  };
  pool.query = timed as typeof pool.query;
  return () => {
    delete (pool as unknown as Record<string, unknown>).query;
    return { postgresSeconds: seconds, postgresQueries: queries };
  };
}

/** Where the time went, for the note. */
const split = (m: Measured) =>
  `time in Shopify calls ${m.shopifySeconds.toFixed(1)} s (simulator answers and budget waits` +
  (m.httpSeconds === undefined ? '' : `; of it HTTP round trips ${m.httpSeconds.toFixed(1)} s`) +
  `), in Odoo calls ${m.odooSeconds.toFixed(1)} s, in PostgreSQL queries ${m.postgresSeconds.toFixed(1)} s (${m.postgresQueries} queries; all summed over calls in flight at once)` +
  (m.firstShopifySeconds === undefined ? '' : `; the first Shopify call ${m.firstShopifySeconds.toFixed(2)} s after the start`) +
  (m.retries.length ? `; ${m.retries.length} Shopify calls retried by the client (${m.retries.join(', ')})` : '') +
  `; ${cpuText(m.cpu)}`;

/** The round-trip floor of a row: its requests replayed by a bare client, as many in flight. */
interface Floor {
  result: ReplayResult & { cpu: CpuSpent };
  concurrency: number;
}

const floorText = ({ result, concurrency }: Floor) =>
  `round-trip floor ${result.seconds.toFixed(1)} s (the same ${result.calls} requests sent again by a bare client, ${concurrency} at once, the faster of two` +
  `${result.refused ? `; ${result.refused} answers not clean data` : ''}${result.throttled ? `; ${result.throttled} THROTTLED` : ''}; ${cpuText(result.cpu)})`;

function row(
  measure: string,
  load: string,
  m: Measured,
  baselineSeconds: number,
  baselineText: string,
  note: string,
  floor?: Floor,
): BenchRow {
  // Compared with the larger of the two: a plan is bound by its budget or by its round trips.
  const bound = Math.max(baselineSeconds, floor?.result.seconds ?? 0);
  const ratio = bound > 0 ? m.seconds / bound : undefined;
  const budget = `budget minimum ${baselineSeconds.toFixed(1)} s (${baselineText})`;
  return {
    measure,
    load,
    value: `${m.seconds.toFixed(1)} s; ${Math.round(m.points)} points in ${m.requests} calls; ${m.throttled} THROTTLED`,
    baseline: floor ? `${floorText(floor)}; ${budget}` : budget,
    ...(ratio === undefined ? {} : { ratio }),
    goal: floor ? '≤ 1.1× the larger baseline, 0 THROTTLED' : '≤ 1.1× the budget minimum, 0 THROTTLED',
    met: ratio !== undefined && ratio <= 1.1 && m.throttled === 0,
    note,
  };
}

/** Inventory plan: per 250 levels of one location, one read of their on_hand and one write. */
function inventoryPlanPoints(levels: number): { calls: number; points: number } {
  const batches = LOCATIONS.length * Math.ceil(levels / LOCATIONS.length / MAX_QUANTITIES_PER_CALL);
  const ids = Array.from({ length: MAX_QUANTITIES_PER_CALL }, (_, i) => `gid://shopify/InventoryItem/${i + 1}`);
  const read = documentCost('InventoryLevelsByItems', { itemIds: ids, locationId: locationGid(101) });
  const write = documentCost('InventorySetQuantities', { input: { name: 'on_hand', reason: 'correction', quantities: [] } });
  return { calls: 2 * batches, points: batches * (read + write) };
}

export async function benchFullSync(databaseUrl: string, options: FullSyncOptions): Promise<BenchRow[]> {
  const { odoo, templateIds } = await seedOdoo(options.products);
  const recorder = createRecorder();
  const retries: string[] = [];
  // The stack's own simulator as the stack creates it; in a child, the same one in its process.
  const simOptions = { shopDomain: STACK_SHOP, accessToken: STACK_TOKEN, apiSecret: STACK_SECRET, demoCatalog: false, plan: options.plan };
  if (options.latencyMs && options.simulator === 'in-process') throw new Error('bench: --full-latency-ms needs the simulator in a child');
  const child =
    options.simulator === 'in-process' ? undefined : await startChildSimulator(simOptions, { latencyMs: options.latencyMs ?? 0 });
  try {
    const stack = await startStack({
      databaseUrl,
      odoo,
      // The Shopify client's retries are counted (a retry waits its backoff inside a measure).
      logger: discardLogger((line) => {
        if (line.message === 'shopify: retrying') retries.push(`${String(line.operation)} ${String(line.reason)}`);
      }),
      flows: [],
      sim: { plan: options.plan },
      shopifyFetch: recorder.fetch,
      env: {
        ONBOARDING_REQUIRED: 'false',
        LOG_LEVEL: 'info',
        // The sidecar calls the child's simulator; the stack's own stays idle (nothing calls it).
        ...(child ? { SHOPIFY_ADMIN_BASE_URL: child.url } : {}),
        ...(options.concurrency === undefined ? {} : { INVENTORY_PUSH_CONCURRENCY: String(options.concurrency) }),
      },
    });
    try {
      const sim = child ?? inProcessControl(stack.sim, stack.simUrl);
      await sim.call('addLocation', 103, 'Third Warehouse');
      const ctx: FlowContext = stack.flowContext();
      return await fullSyncRows({ stack, sim, ctx, recorder, retries }, templateIds, options);
    } finally {
      await stack.stop().catch(() => undefined);
    }
  } finally {
    await child?.close();
  }
}

interface Setup {
  stack: Stack;
  /** The simulator the sidecar calls (in this process or in a child). */
  sim: SimControl;
  ctx: FlowContext;
  recorder: Recorder;
  /** The Shopify client's retries so far (operation and reason), from the sidecar's log. */
  retries: string[];
}

async function fullSyncRows(setup: Setup, templateIds: number[], options: FullSyncOptions): Promise<BenchRow[]> {
  const { sim, ctx } = setup;
  const n = options.products;
  const plan = options.plan;
  const rows: BenchRow[] = [];
  const productSetCost = documentCost('ProductSet', { input: { title: 'x' } });
  const load = `${n} products × 1 variant × ${LOCATIONS.length} locations, ${plan} plan (${PLANS[plan].maximumAvailable} points, ${PLANS[plan].restoreRate}/s)`;

  const bulk = await measure(setup, (c) => pushCatalogInBulk(c, { runId: 'bench', pollMs: options.pollMs }));
  const singles = n * productSetCost;
  rows.push(
    row(
      'catalog push from scratch, bulk productSet',
      load,
      bulk,
      budgetSeconds(singles, plan, 'catalog'),
      `${n} productSet calls × ${productSetCost} points one by one, catalog lane`,
      `one bulkOperationRunMutation, polled; Shopify runs it outside the bucket (the simulator runs it at its own speed, not Shopify's); ${split(bulk)}`,
    ),
  );

  if (options.pacedProducts > 0) {
    const sample = templateIds.slice(0, Math.min(options.pacedProducts, n));
    let next = 0;
    const worker = async (c: FlowContext) => {
      while (next < sample.length) await syncTemplate(c, sample[next++]!, { force: true });
    };
    // A full bucket at the start, as the budget minimum assumes.
    await waitForFullBucket(sim);
    const paced = await measure(setup, (c) => Promise.all(Array.from({ length: 4 }, () => worker(c))));
    rows.push(
      row(
        'catalog push, paced single productSet calls',
        `${sample.length} products, 4 at once, ${plan} plan`,
        paced,
        budgetSeconds(sample.length * productSetCost, plan, 'catalog'),
        `${sample.length} × ${productSetCost} points, catalog lane`,
        `the budget-bound way (one job per template): the shared budget paces it; ${split(paced)}`,
      ),
    );
  }

  rows.push(...(await inventoryRows(setup, options)));

  await waitForFullBucket(sim);
  let drift = '';
  const read = await measure(setup, async (c) => {
    const r = await reconcileCatalog(c, options.pollMs);
    drift = `${r.matching} of ${r.templates} templates match, ${r.drifted.length} drifted, ${r.unbound.length} unbound`;
  });
  // The paged read's real price: one full page's actual cost, charged by the simulator.
  const before = await sim.call('counters');
  await ctx.shopify.request('OnboardingVariants', { first: 250 }, { lane: 'catalog' });
  const page = Math.round((await sim.call('counters')).points - before.points);
  const pages = Math.ceil(n / 250);
  rows.push(
    row(
      'catalog reconcile, bulk read',
      `${n} products`,
      read,
      budgetSeconds(pages * page, plan, 'catalog'),
      `${pages} pages of productVariants(first: 250) at ${page} points (a full page's actual cost), catalog lane`,
      `one bulkOperationRunQuery; ${drift}; ${split(read)}`,
    ),
  );
  return rows;
}

/** The inventory push from scratch and the reconcile after it, each beside its round-trip floor. */
async function inventoryRows(setup: Setup, options: FullSyncOptions): Promise<BenchRow[]> {
  const { stack, sim, recorder } = setup;
  const { products: n, plan } = options;
  const levels = n * LOCATIONS.length;
  const concurrency = stack.config.inventory.pushConcurrency;
  const atOnce = `${concurrency} batches at once (INVENTORY_PUSH_CONCURRENCY)`;
  const held = options.latencyMs
    ? ` (each HTTP request held ${options.latencyMs} ms before it is answered: a network round trip, in the floor too)`
    : '';
  const where = sim.mode === 'child' ? `the simulator in a process of its own${held}` : "the simulator in the bench's process";
  const inv = inventoryPlanPoints(levels);
  const profiled = <T>(name: string, fn: () => Promise<T>) => withProfiles(options.cpuProfileDir, sim, name, fn);

  // One reconcile, profiled and recorded: what it did, its measure with its HTTP round trips, its requests.
  const recorded = async (name: string, runId: string) => {
    let stats: Awaited<ReturnType<typeof reconcileInventory>> | undefined;
    const { value, requests, httpSeconds } = await recorder.record(() =>
      profiled(name, () => measure(setup, async (c) => void (stats = await reconcileInventory(c, runId)))),
    );
    return { stats: stats!, measured: { ...value, httpSeconds }, requests };
  };

  await waitForFullBucket(sim);
  await sim.call('keepInventory');
  const { stats: p, measured: push, requests: pushRequests } = await recorded('inventory-push', 'bench-push');
  const pushed = `${p.written} of ${p.levels} levels written (${p.activated} newly stocked), ${p.staleRetries} stale retries`;
  const pushFloor = await profiled('inventory-push-floor', () => replayFrom(sim, pushRequests, concurrency));
  const pushRow = row(
    'inventory push from scratch',
    `${n} variants × ${LOCATIONS.length} locations = ${levels} levels, ${plan} plan`,
    push,
    budgetSeconds(inv.points, plan, 'inventory'),
    `${inv.calls} calls, ${inv.points} points, inventory lane`,
    `${pushed}; 250 levels per inventorySetQuantities (the write stocks a level not stocked yet), ${atOnce}; ${where}; ${split(push)}`,
    { result: pushFloor, concurrency },
  );

  await waitForFullBucket(sim);
  const { stats: c, measured: again, requests: readRequests } = await recorded('inventory-reconcile', 'bench-reconcile');
  const checked = `${c.unchanged} of ${c.levels} levels equal to Odoo, ${c.written} written`;
  const readFloor = await profiled('inventory-reconcile-floor', () => replayReads(sim, readRequests, concurrency));
  const writeCost = documentCost('InventorySetQuantities', { input: { name: 'on_hand', reason: 'correction', quantities: [] } });
  const readPoints = inv.points - (inv.calls / 2) * writeCost;
  const reconcileRow = row(
    'inventory reconcile, nothing to change',
    `${levels} levels`,
    again,
    budgetSeconds(readPoints, plan, 'inventory'),
    `${inv.calls / 2} reads, ${readPoints} points`,
    `${checked}; ${atOnce}; ${where}; ${split(again)}`,
    { result: readFloor, concurrency },
  );
  return [pushRow, reconcileRow];
}

/**
 * `fn` profiled (./profile.ts): this process as `name`, and a simulator in a child as
 * `name.simulator` (in-process, this process's profile already holds the simulator).
 */
async function withProfiles<T>(dir: string | undefined, sim: SimControl, name: string, fn: () => Promise<T>): Promise<T> {
  if (!dir) return fn();
  await sim.call('startProfile');
  try {
    return await withCpuProfile(dir, name, fn);
  } finally {
    await sim.call('stopProfile', dir, `${name}.simulator`);
  }
}

/**
 * The round-trip floor of a push: its requests replayed twice from the simulator's state before
 * it (kept by `keepInventory`: each compare-and-swap finds what the push found, each idempotency
 * key is new), the faster replay kept. Each replay leaves the simulator as the push left it.
 */
async function replayFrom(sim: SimControl, requests: RecordedRequest[], concurrency: number): Promise<Floor['result']> {
  return fasterOfTwo(sim, requests, concurrency, () => sim.call('restoreInventory'));
}

/** The faster of two replays of reads (nothing to put back). */
async function replayReads(sim: SimControl, requests: RecordedRequest[], concurrency: number): Promise<Floor['result']> {
  return fasterOfTwo(sim, requests, concurrency, () => Promise.resolve());
}

async function fasterOfTwo(
  sim: SimControl,
  requests: RecordedRequest[],
  concurrency: number,
  prepare: () => Promise<void>,
): Promise<Floor['result']> {
  let best: Floor['result'] | undefined;
  for (let i = 0; i < 2; i++) {
    await waitForFullBucket(sim);
    await prepare();
    const cpu = await cpuWindow(sim);
    const result = await replay(requests, concurrency);
    const timed = { ...result, cpu: await cpu() };
    if (!best || timed.seconds < best.seconds) best = timed;
  }
  return best!;
}

/** Waits until the simulator's bucket is full again, so each measure starts as its minimum assumes. */
async function waitForFullBucket(sim: SimControl): Promise<void> {
  const bucket = await sim.call('bucket');
  const missing = bucket.maximumAvailable - bucket.available;
  if (missing > 0) await new Promise((r) => setTimeout(r, Math.ceil((missing / bucket.restoreRate) * 1000) + 50));
}
