/**
 * `make bench` (docs/operations.md, "Benchmark"): the whole stack on this machine —
 * a throwaway PostgreSQL, the Shopify simulator, the Odoo double (or a real Odoo) and the sidecar
 * over real HTTP (dev/testing/stack.ts) — and one table: each measure beside a baseline measured
 * in the same run, their ratio and the goal (./stats.ts). In order:
 *   1. Odoo's own floor against `apply_order` (real Odoo only, before the sidecar starts so that
 *      every request in Odoo's log is the bench's own): ./floor.ts;
 *   2. order webhook → Odoo sales order latency at 1, 2 and 5 orders/s, and the highest of those
 *      rates whose p95 stays under 2 s beside the floor's rate (needs the orders flow);
 *   3. Odoo stock change → Shopify quantity latency (needs the inventory flow);
 *   4. a backlog of 100,000 queued jobs drained by the sidecar's queue against a bare pg-boss
 *      loop, each in a child process (RSS, CPU per job): ./backlog.ts;
 *   5. webhook acknowledgement at 200 deliveries/s for 60 s while the workers work the burst's
 *      orders, with the simulator, the Odoo double, the sidecar and the load generator each in a
 *      process of its own, the sidecar once as one process and once as an intake process and a
 *      workers process, against a bare HTTP server fed by the same load generator: ./burst.ts;
 *   6. the full catalog (bulk operations) and inventory (10,000 variants × 3 locations) pushed
 *      from scratch and reconciled, against the least time Shopify's cost budget allows, in a
 *      stack of their own on the Odoo double (also in real-Odoo mode), the simulator in a process
 *      of its own: ./full-sync.ts.
 * A measure whose flow is not registered prints "not measured: <flow> flow not present". Nothing
 * is asserted: the numbers are printed, ending with the machine (cores, RAM, load average).
 *
 * Real-Odoo mode: when ODOO_URL, ODOO_DB, ODOO_USER and ODOO_API_KEY are set, the sidecar talks
 * JSON-RPC to that Odoo (with shopify_sync, warehouses mapped to Shopify locations 101 and 102)
 * instead of the double, the merchant's actions go through the real MerchantDriver
 * (ODOO_ADMIN_USER/ODOO_ADMIN_PASSWORD, default admin/admin), the simulated shop sells in the
 * company currency, and the order probe polls Odoo through order_status every 250 ms. ODOO_LOGFILE
 * (Odoo's server log) gives the floor its query and retry counts. `ODOO_SRC=… make bench` and
 * `scripts/bench-real-odoo.sh` run it on a throwaway database.
 *
 *   node --import tsx dev/bench/run.ts [--webhook-rate 200] [--webhook-seconds 60] [--backlog-jobs 100000] [--backlog-seconds 60]
 *                                  [--order-rate 5] [--order-sweep 1,2] [--order-seconds 20] [--order-plan standard] [--stock-changes 20]
 *                                  [--floor-orders 20] [--floor-concurrency 10]
 *                                  [--full-products 10000] [--full-paced 300] [--full-plan standard] [--full-concurrency 4]
 *                                  [--full-simulator child|in-process] [--full-latency-ms 0]
 *                                  [--only burst|backlog|full|orders] [--order-pull] [--burst-layouts one|apart|both] [--cpu-prof-dir var/bench/profiles]
 * `--only burst` runs the webhook burst alone, `--only backlog` the backlog rows alone (on a throwaway
 * database), `--only full` the full catalog and inventory rows alone, `--only orders` the order rows
 * alone (and Odoo's floor on a real Odoo); `--order-pull` ends each order phase with one orders pull
 * over the phase's orders (the scheduled one never runs), its Shopify calls counted in the phase's
 * points per order, as the pull would read them in production a few minutes later; `--burst-layouts one`
 * measures only the sidecar as one process (e.g. an older sidecar without PROCESS_ROLE);
 * `--full-simulator in-process` runs the full rows' simulator in the bench's process instead of a
 * child process of its own (./sim-control.ts), as they were measured before; `--full-latency-ms 50`
 * holds each request to that child 50 ms before it is answered (a network round trip; the floor
 * pays it too), to see the rows against a realistic round trip beside the default of 0;
 * `--cpu-prof-dir` profiles the burst's sidecar processes and the inventory rows' windows, the
 * full rows' simulator process included (summarized by ./profile.ts).
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Flow } from '../../sidecar/flows/context.js';
import { FLOWS } from '../../sidecar/flows/index.js';
import { pullOrdersSince } from '../../sidecar/flows/orders/index.js';
import { runOnboarding } from '../../sidecar/onboarding/index.js';
import { createOdooClient } from '../../sidecar/odoo/client.js';
import { createRealMerchant } from '../conformance/real-driver.js';
import type { MerchantDriver } from '../conformance/target.js';
import { createDoubleMerchant, createOdooDouble, type OdooDouble } from '../odoo-double/index.js';
import type { OdooCaller } from '../../sidecar/odoo/types.js';
import { createOdooContract } from '../../sidecar/odoo/contract.js';
import { OdooRetryableError } from '../../sidecar/odoo/errors.js';
import type { QueueName } from '../../sidecar/queue/names.js';
import { realOdooFromEnv, type RealOdooSettings } from '../testing/env.js';
import { startThrowawayPostgres } from '../testing/postgres.js';
import { startStack, type Stack } from '../testing/stack.js';
import { benchBacklog } from './backlog.js';
import { benchBurst, type BurstLayout } from './burst.js';
import { cpuSnapshot, cpuSplitText, runGroups } from './cpu-split.js';
import { discardLogger, fileLogger } from './discard.js';
import { benchFloor } from './floor.js';
import { benchFullSync } from './full-sync.js';
import { SIMULATOR_MODES, type SimulatorMode } from './sim-control.js';
import { reservationProbe, type ReservationProbe } from './reserved.js';
import { isPlanName, PLANS, type PlanName } from '../sim/bucket.js';
import { latencies, loadText, machineLine, percentile, renderTable, type BenchRow } from './stats.js';

export interface BenchOptions {
  /** An existing database URL (tests); default: a throwaway embedded PostgreSQL. */
  databaseUrl?: string;
  webhookRate: number;
  webhookSeconds: number;
  /** Jobs queued at once for the backlog measure, and the longest each drain runs. */
  backlogJobs: number;
  backlogSeconds: number;
  /** Orders per phase of the floor measure (real Odoo only). */
  floorOrders: number;
  floorConcurrency: number;
  orderRate: number;
  /**
   * Lower rates tried before `orderRate`, lowest first, for the highest sustained rate whose p95
   * stays under 2 s (compared with the rate Odoo's floor allows, on a real Odoo); empty: none.
   */
  orderSweep: readonly number[];
  orderSeconds: number;
  /**
   * Shopify plan of the orders and stock rows' simulated shop. Standard's budget bounds the order
   * rate first (each order costs 50–70 points); `plus` takes it out of the way to show what Odoo,
   * the sidecar and this machine sustain.
   */
  orderPlan: PlanName;
  stockChanges: number;
  /** Products of the full catalog and inventory measure (0: not measured), and of its paced sample. */
  fullProducts: number;
  fullPaced: number;
  /** Shopify plan of that measure's simulated shop. */
  fullPlan: PlanName;
  /** INVENTORY_PUSH_CONCURRENCY of that measure's sidecar (default: the sidecar's default). */
  fullConcurrency?: number;
  /** Where that measure's simulator runs (./sim-control.ts): a child process of its own (default) or the bench's process. */
  fullSimulator?: SimulatorMode;
  /** Milliseconds the child simulator holds each request before answering, as a network round trip would (default 0). */
  fullLatencyMs?: number;
  /** Database of that measure's own stack when `databaseUrl` is given (tests). */
  fullDatabaseUrl?: string;
  /** Databases of the webhook burst's two layouts when `databaseUrl` is given (tests); else not measured. */
  burstDatabaseUrls?: Record<BurstLayout, string>;
  /**
   * `burst`: only the webhook burst (its processes need no in-process stack); `backlog`: only the
   * backlog rows (no stack, no Odoo), e.g. to compare a queue change; `full`: only the full catalog
   * and inventory rows (their own stack on the double).
   */
  only?: 'burst' | 'backlog' | 'full' | 'orders';
  /**
   * Ends each order phase with one orders pull over the orders placed in it, and counts what it
   * reads in the phase's points per order; the scheduled pull never runs (its cron would fall in a
   * phase or not by chance).
   */
  orderPull?: boolean;
  /** The burst's layouts (default both; `one process` alone for a sidecar without PROCESS_ROLE). */
  burstLayouts?: readonly BurstLayout[];
  /** Writes a CPU profile of each of the burst's sidecar processes, and of the inventory rows' windows, there. */
  cpuProfileDir?: string;
  /** Keeps the in-process stack's log (orders and stock rows) in this file, one JSON line each; default: discarded. */
  logFile?: string;
  flows?: readonly Flow[];
  print?: (text: string) => void;
  /** A real Odoo (default: from ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY; else the double). */
  realOdoo?: RealOdooSettings | null;
}

/** Where the sidecar's Odoo is: the in-process double, or a real Odoo over JSON-RPC. */
interface OdooTarget {
  caller: OdooCaller;
  /** The merchant's own JSON-RPC client (real Odoo only): the floor's plain ORM calls. */
  admin: OdooCaller | undefined;
  merchant: MerchantDriver;
  /** The real Odoo's settings; undefined with the double. */
  real: RealOdooSettings | undefined;
  /** The double, whose state the order probe reads; undefined with a real Odoo. */
  double: OdooDouble | undefined;
  label: string;
}

export const DEFAULTS: Omit<
  BenchOptions,
  | 'databaseUrl'
  | 'fullDatabaseUrl'
  | 'fullSimulator'
  | 'burstDatabaseUrls'
  | 'only'
  | 'orderPull'
  | 'burstLayouts'
  | 'cpuProfileDir'
  | 'logFile'
  | 'flows'
  | 'print'
  | 'realOdoo'
> = {
  webhookRate: 200,
  webhookSeconds: 60,
  backlogJobs: 100_000,
  backlogSeconds: 60,
  floorOrders: 20,
  // The orders queue's batch size: how many apply_order calls the sidecar makes at once.
  floorConcurrency: 10,
  orderRate: 5,
  orderSweep: [1, 2],
  orderSeconds: 20,
  orderPlan: 'standard',
  stockChanges: 20,
  fullProducts: 10_000,
  fullPaced: 300,
  fullPlan: 'standard',
  fullLatencyMs: 0,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wraps flows so the bench learns which queues they work, without changing what they do. */
function observed(flows: readonly Flow[], worked: Set<string>): Flow[] {
  return flows.map((flow) => ({
    name: flow.name,
    queues: flow.queues,
    register: (ctx) =>
      flow.register({
        ...ctx,
        queue: new Proxy(ctx.queue, {
          get(target, prop, receiver) {
            if (prop === 'work') {
              return (queue: QueueName, ...rest: unknown[]) => {
                worked.add(queue);
                return (target.work as (...a: unknown[]) => Promise<void>)(queue, ...rest);
              };
            }
            return Reflect.get(target, prop, receiver) as unknown;
          },
        }),
      }),
  }));
}

function setupText(realOdoo: boolean, options: BenchOptions): string {
  return (
    'embedded PostgreSQL with fsync=off and synchronous_commit=off; ' +
    (realOdoo
      ? 'a real Odoo 18 on the same machine (see "Odoo" above for its mode); simulator, sidecar and bench in one process'
      : 'simulator, Odoo double, sidecar and bench in one process') +
    ' (the backlog drainers in child processes; the webhook burst with the simulator, the Odoo double, the sidecar and its load generator each in a process of its own' +
    (options.fullSimulator === 'in-process' ? '' : "; the full catalog and inventory rows' simulator in a process of its own") +
    ')'
  );
}

/** Where the full rows' parts run. */
const fullSetupText = (options: BenchOptions) =>
  'embedded PostgreSQL with fsync=off and synchronous_commit=off; ' +
  (options.fullSimulator === 'in-process'
    ? 'simulator, Odoo double, sidecar and bench in one process'
    : 'the simulator in a process of its own; Odoo double, sidecar and bench in one process');

/** The full catalog and inventory rows alone, in their own stack on the double (./full-sync.ts). */
async function runFullOnly(options: BenchOptions, print: (t: string) => void): Promise<{ rows: BenchRow[]; text: string }> {
  const loadAtStart = loadText();
  print(`make bench: the full catalog and inventory rows only; load average ${loadAtStart}`);
  const pg = options.fullDatabaseUrl ? undefined : await startThrowawayPostgres();
  try {
    const rows = await fullSyncRows(options.fullDatabaseUrl ?? (await pg!.createDatabase('bench_full')), options, false);
    const text = `${renderTable(rows)}\n\n${machineLine(loadAtStart, fullSetupText(options))}`;
    print(text);
    return { rows, text };
  } finally {
    await pg?.stop().catch(() => undefined);
  }
}

/** The backlog rows alone: they need only a database (./backlog.ts). */
async function runBacklogOnly(options: BenchOptions, print: (t: string) => void): Promise<{ rows: BenchRow[]; text: string }> {
  const loadAtStart = loadText();
  print(`make bench: the backlog rows only; load average ${loadAtStart}`);
  const pg = options.databaseUrl ? undefined : await startThrowawayPostgres();
  try {
    const databaseUrl = options.databaseUrl ?? (await pg!.createDatabase('bench'));
    const rows = await benchBacklog(databaseUrl, options.backlogJobs, options.backlogSeconds);
    const text = `${renderTable(rows)}\n\n${machineLine(loadAtStart, 'embedded PostgreSQL with fsync=off and synchronous_commit=off; the backlog drainers in child processes')}`;
    print(text);
    return { rows, text };
  } finally {
    await pg?.stop().catch(() => undefined);
  }
}

export async function runBench(options: BenchOptions): Promise<{ rows: BenchRow[]; text: string }> {
  const print = options.print ?? ((t: string) => process.stdout.write(`${t}\n`));
  if (options.only === 'backlog') return runBacklogOnly(options, print);
  if (options.only === 'full') return runFullOnly(options, print);
  const loadAtStart = loadText();
  const pg = options.databaseUrl ? undefined : await startThrowawayPostgres();
  const databaseUrl = options.databaseUrl ?? (await pg!.createDatabase('bench'));
  const worked = new Set<string>();
  const real = options.realOdoo === undefined ? realOdooFromEnv() : options.realOdoo;
  let target: OdooTarget;
  if (real) {
    const common = { url: real.url, db: real.db, protocol: 'jsonrpc' as const, requestTimeoutMs: 60_000 };
    const admin = createOdooClient({ ...common, user: real.adminUser, apiKey: real.adminPassword });
    target = {
      caller: createOdooClient({ ...common, protocol: real.protocol, user: real.user, apiKey: real.apiKey }),
      admin,
      real,
      merchant: createRealMerchant({ admin, adminLogin: real.adminUser }),
      double: undefined,
      label: `real Odoo at ${real.url} (database ${real.db})`,
    };
  } else {
    const double = createOdooDouble({
      warehouses: [
        { name: 'Main warehouse', code: 'WH', location_gid: 'gid://shopify/Location/101' },
        { name: 'Second warehouse', code: 'WH2', location_gid: 'gid://shopify/Location/102' },
      ],
      // Odoo's company currency must be the shop's (the simulator sells in EUR).
      settings: { company_currency: 'EUR' },
    });
    target = {
      caller: double,
      admin: undefined,
      real: undefined,
      merchant: createDoubleMerchant(double),
      double,
      label: 'the in-process Odoo double',
    };
  }
  const merchant = target.merchant;
  const logger = options.logFile ? fileLogger(path.resolve(options.logFile)) : discardLogger();
  const rows: BenchRow[] = [];
  let stack: Stack | undefined;
  try {
    print(`make bench: against ${target.label}; load average ${loadAtStart}`);
    if (options.only === 'burst') {
      rows.push(...(await burstRows(pg ? (name) => pg.createDatabase(name) : undefined, options, real)));
      return finish(rows, loadAtStart, real, options, print);
    }
    const floor = await floorRows(target, options);
    rows.push(...floor.rows);
    stack = await startStack({
      databaseUrl,
      odoo: target.caller,
      logger,
      // A real Odoo refuses orders in another currency than its company's: the shop sells in it.
      sim: { plan: options.orderPlan, ...(real ? { currency: await merchant.companyCurrency() } : {}) },
      flows: observed(options.flows ?? FLOWS, worked),
      // The sidecar subscribes its own webhooks (as in production) and pushes only after onboarding.
      env: {
        WEBHOOK_SUBSCRIPTIONS_MANAGE: 'true',
        ONBOARDING_REQUIRED: 'true',
        LOG_LEVEL: 'info',
        // --order-pull: the phases' own pulls only (the cron: 1 January).
        ...(options.orderPull ? { ORDERS_PULL_CRON: '0 0 1 1 *' } : {}),
      },
    });
    await stack.sidecar.workersStarted;
    print(
      `make bench: flows registered: ${(options.flows ?? FLOWS).map((f) => f.name).join(', ') || '(none)'}; queues worked: ${[...worked].join(', ') || '(none)'}`,
    );

    const seeded = await seedCatalog(stack, merchant);
    rows.push(...(await benchOrderRates(stack, target, worked, options, floor.floorRate)));
    if (options.only === 'orders') return finish(rows, loadAtStart, real, options, print);
    rows.push(await benchStock(stack, merchant, seeded, worked, options));
    rows.push(...(await benchBacklog(databaseUrl, options.backlogJobs, options.backlogSeconds)));
    await stack.stop();
    stack = undefined;
    rows.push(...(await burstRows(pg ? (name) => pg.createDatabase(name) : undefined, options, real)));
    rows.push(...(await fullSyncRows(pg ? await pg.createDatabase('bench_full') : options.fullDatabaseUrl, options, Boolean(real))));
  } finally {
    await stack?.stop().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
  }
  return finish(rows, loadAtStart, real, options, print);
}

function finish(rows: BenchRow[], loadAtStart: string, real: RealOdooSettings | null, options: BenchOptions, print: (t: string) => void) {
  const text = `${renderTable(rows)}\n\n${machineLine(loadAtStart, setupText(Boolean(real), options))}`;
  print(text);
  return { rows, text };
}

const FLOOR_MEASURES = [
  'apply_order time per order, sequential',
  'SQL queries per order',
  "orders at the sidecar's concurrency",
  'serialization retries between independent orders',
];

/** Odoo's floor against apply_order (./floor.ts); on the double, rows saying it needs a real Odoo. */
async function floorRows(target: OdooTarget, options: BenchOptions): Promise<{ rows: BenchRow[]; floorRate?: number }> {
  if (!target.admin || !target.real) {
    const rows = FLOOR_MEASURES.map((measure) => ({
      measure,
      load: '',
      value: '',
      baseline: '',
      goal: '',
      note: 'not measured: needs a real Odoo (ODOO_SRC=… make bench)',
    }));
    return { rows };
  }
  return benchFloor(
    {
      rpc: target.caller,
      admin: target.admin,
      contract: createOdooContract(target.caller),
      merchant: target.merchant,
      logFile: target.real.logFile,
    },
    options.floorOrders,
    options.floorConcurrency,
  );
}

/**
 * The order latency at each rate of the sweep, then at `orderRate`, and the highest of them whose
 * p95 stayed under 2 s with every order imported, beside the floor's rate at the sidecar's
 * concurrency (real Odoo). Each rate waits for its orders before the next starts.
 */
async function benchOrderRates(
  stack: Stack,
  target: OdooTarget,
  worked: Set<string>,
  options: BenchOptions,
  floorRate: number | undefined,
): Promise<BenchRow[]> {
  // With a floor, half of and 0.8× its rate too: whether the goal's rate is sustained is measured.
  const fromFloor = floorRate === undefined ? [] : [0.5, 0.8].map((f) => Math.round(floorRate * f * 100) / 100);
  const lower = [...options.orderSweep, ...fromFloor].filter((r) => r > 0 && r < options.orderRate).sort((a, b) => a - b);
  const rates = [...new Set([...lower, options.orderRate])];
  const rows: BenchRow[] = [];
  for (const rate of rates) rows.push(await benchOrders(stack, target, worked, { ...options, orderRate: rate }));
  const sustained = rates.filter((_, i) => rows[i]!.met === true).at(-1);
  const summary: BenchRow = {
    measure: 'highest sustained order rate with p95 < 2 s',
    load: `tried ${rates.join(', ')} orders/s, ${options.orderSeconds} s each`,
    value: sustained === undefined ? 'none of the rates tried' : `${sustained} orders/s`,
    baseline: floorRate === undefined ? '' : `floor at the sidecar's concurrency: ${floorRate.toFixed(2)} orders/s`,
    goal: '≥ 0.8× the floor',
    note: `the highest rate tried whose orders all arrived with p95 < 2 s (a lower bound: rates between those tried are not)${floorRate === undefined ? '; the floor needs a real Odoo' : ''}`,
  };
  if (floorRate !== undefined) {
    summary.ratio = (sustained ?? 0) / floorRate;
    summary.met = summary.ratio >= 0.8;
  }
  if (!worked.has('orders')) return rows;
  return [...rows, summary];
}

interface Seeded {
  stockProductId: number;
  warehouseId: number;
}

/** One SKU for orders and one for stock, on both sides, linked by onboarding (as at go-live). */
async function seedCatalog(stack: Stack, merchant: MerchantDriver): Promise<Seeded> {
  await merchant.configure({ import_policy: 'all' });
  await stack.simControl('POST', '/products', {
    title: 'Bench order item',
    sku: 'BENCH-ORDER',
    price: '10.00',
    stock: { '101': 1_000_000 },
  });
  await stack.simControl('POST', '/products', { title: 'Bench stock item', sku: 'BENCH-STOCK', price: '10.00', stock: { '101': 10 } });
  const order = await merchant.createProduct({ name: 'Bench order item', price: '10.00', variants: [{ sku: 'BENCH-ORDER' }] });
  const stock = await merchant.createProduct({ name: 'Bench stock item', price: '10.00', variants: [{ sku: 'BENCH-STOCK' }] });
  const [warehouse] = await merchant.warehouses();
  await merchant.setStock(order.variants['BENCH-ORDER']!, warehouse!.id, 1_000_000);
  await merchant.setStock(stock.variants['BENCH-STOCK']!, warehouse!.id, 10);
  const ctx = {
    config: stack.config,
    logger: stack.sidecar.logger,
    pool: stack.sidecar.pool,
    shopify: stack.sidecar.shopify,
    odoo: stack.sidecar.contract,
    queue: stack.sidecar.queue,
    clock: stack.sidecar.clock,
  };
  await runOnboarding(ctx, { dryRun: false });
  return { stockProductId: stock.variants['BENCH-STOCK']!, warehouseId: warehouse!.id };
}

/** Polls every 250 ms: one order_status call for every order not yet seen. */
const REAL_ODOO_POLL_MS = 250;

async function benchOrders(stack: Stack, target: OdooTarget, worked: Set<string>, options: BenchOptions): Promise<BenchRow> {
  const row: BenchRow = {
    measure: 'order webhook → Odoo sales order',
    load: `${options.orderRate} orders/s for ${options.orderSeconds} s, Shopify ${options.orderPlan} plan`,
    value: '',
    baseline: '',
    goal: 'p95 < 2 s',
  };
  if (!worked.has('orders')) return { ...row, note: 'not measured: orders flow not present' };
  const count = Math.max(1, Math.round(options.orderRate * options.orderSeconds));
  const placed = new Map<string, number>();
  const seen = new Map<string, number>();
  let polling = true;
  const double = target.double;
  const contract = createOdooContract(target.caller);
  // A real Odoo with its database named: also when each order's delivery was reserved.
  const reserved = !double && target.real?.databaseUrl ? await reservationProbe(target.real.databaseUrl) : undefined;
  let probeFailures = 0;
  const poller = (async () => {
    while (polling) {
      if (double) {
        for (const so of double.state.saleOrders.values()) {
          const gid = so.order_gid;
          if (gid && placed.has(gid) && !seen.has(gid)) seen.set(gid, performance.now());
        }
        await sleep(10);
      } else {
        // A real Odoo: one order_status call for the orders not yet seen, as the integration user
        // (an API key). The merchant's password would cost Odoo a PBKDF2 check per call, and
        // polling each order that way took more of a 2-worker Odoo than the imports did.
        const round = performance.now();
        const waiting = [...placed.keys()].filter((g) => !seen.has(g));
        if (waiting.length > 0) {
          try {
            const { orders } = await contract.orderStatus({ order_gids: waiting });
            for (const o of orders) if (o.found && o.state === 'sale') seen.set(o.order_gid, performance.now());
          } catch (error) {
            // An Odoo too busy to take the probe's connection must not end the bench: the next
            // round asks again (the orders it would have seen are seen one round later).
            if (!(error instanceof OdooRetryableError)) throw error;
            probeFailures++;
          }
        }
        await reserved?.poll(seen.keys());
        await sleep(Math.max(0, REAL_ODOO_POLL_MS - (performance.now() - round)));
      }
    }
  })();
  const groups = runGroups(target.real?.db, new URL(stack.config.database.url).pathname.slice(1));
  const cpuBefore = cpuSnapshot(groups);
  const budgetBefore = {
    points: stack.sim.stats.pointsCharged,
    byOperation: { ...stack.sim.stats.pointsByOperation },
    callsByOperation: { ...stack.sim.stats.callsByOperation },
    ...stack.sidecar.shopify.budget.snapshot(),
  };
  // The simulator runs on the real clock here: the orders it places in the phase are updated from now.
  const phaseStart = new Date();
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / options.orderRate;
    if (due > performance.now()) await sleep(due - performance.now());
    const t0 = performance.now();
    const order = await stack.simControl<{ admin_graphql_api_id: string }>('POST', '/orders', {
      email: `bench${i}@example.com`,
      lines: [{ sku: 'BENCH-ORDER', quantity: 1 }],
    });
    placed.set(order.admin_graphql_api_id, t0);
  }
  const waitMs = double ? 60_000 : 180_000;
  const deadline = performance.now() + waitMs;
  const done = () => seen.size === placed.size && (!reserved || reserved.reservedAt.size === seen.size);
  while (!done() && performance.now() < deadline) await sleep(50);
  const cpu = cpuSplitText(groups, cpuBefore, cpuSnapshot(groups), { count: seen.size, item: 'order' });
  const pull = options.orderPull ? await pullAfterPhase(stack, phaseStart) : '';
  const budget = budgetNote(stack, budgetBefore, seen.size);
  polling = false;
  await poller;
  await reserved?.close();
  const lat = [...seen].map(([gid, t]) => t - placed.get(gid)!);
  // Say why orders are missing rather than only that they are.
  const [dead] = lat.length < placed.size ? await stack.sidecar.queue.listDeadLetters('orders', { limit: 1 }) : [];
  return {
    ...row,
    value: latencies(lat),
    met: lat.length === placed.size && percentile(lat, 95) < 2000,
    n: lat.length,
    note: `from the storefront order to the sale order ${double ? 'in the double' : `confirmed in Odoo, polled through order_status every ${REAL_ODOO_POLL_MS} ms (resolution: one polling round)`}${lat.length < placed.size ? `; ${placed.size - lat.length} of ${placed.size} not imported within ${waitMs / 1000} s${dead ? ` (dead letter: ${dead.reason})` : ''}` : ''}${reserved ? reservedNote(reserved, placed, seen) : ''}${probeFailures ? `; the probe's order_status failed ${probeFailures} times (Odoo did not answer; asked again the next round)` : ''}${pull}${budget}${cpu ? `; ${cpu}` : ''}`,
  };
}

/**
 * --order-pull: the orders pull over the phase's orders (updated since it began), once every order
 * was seen in Odoo, and the jobs it enqueued (orders, then payments) worked; returns its note.
 */
async function pullAfterPhase(stack: Stack, phaseStart: Date): Promise<string> {
  const result = await pullOrdersSince(stack.flowContext(), new Date(phaseStart.getTime() - 1000));
  await stack.waitFor(
    "the pull's jobs worked",
    async () => {
      const stats = await stack.sidecar.queue.queueStats();
      return stats.filter((q) => ['orders', 'payments'].includes(q.queue)).every((q) => q.queued === 0 && q.active === 0);
    },
    120_000,
  );
  const fields = Object.entries(result)
    .filter(([name]) => name !== 'since')
    .map(([name, value]) => `${name} ${String(value)}`);
  return `; then the orders pull over the phase (counted below): ${fields.join(', ')}`;
}

/**
 * Shopify's side of a phase: the points the simulator charged per order (the import and the jobs it
 * causes: customer, payments), the order rate the shop's restore rate sustains at that cost, and
 * the budget waits of each lane (a lane that waits while orders take the bucket is starved by them).
 */
function budgetNote(
  stack: Stack,
  before: {
    points: number;
    byOperation: Record<string, number>;
    callsByOperation: Record<string, number>;
    waitsByLane: Readonly<Record<string, number>>;
  },
  orders: number,
): string {
  const after = stack.sidecar.shopify.budget.snapshot();
  const points = stack.sim.stats.pointsCharged - before.points;
  if (orders === 0) return '';
  const perOrder = points / orders;
  const waits = Object.entries(after.waitsByLane)
    .map(([lane, n]) => [lane, n - (before.waitsByLane[lane] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .map(([lane, n]) => `${lane} ${n}`);
  // Points per order and calls per order: their ratio is what one call costs.
  const calls = (name: string) => ((stack.sim.stats.callsByOperation[name] ?? 0) - (before.callsByOperation[name] ?? 0)) / orders;
  const operations = Object.entries(stack.sim.stats.pointsByOperation)
    .map(([name, p]) => [name, (p - (before.byOperation[name] ?? 0)) / orders] as const)
    .filter(([, p]) => p >= 0.5)
    .sort((a, b) => b[1] - a[1])
    .map(([name, p]) => `${name} ${p.toFixed(1)} in ${calls(name).toFixed(2)} calls`);
  // A phase whose Shopify calls all fell outside it (a stand-in flow, a busy machine) charged nothing: no rate to derive.
  const sustains =
    points > 0
      ? `restore ${after.restoreRate}/s sustains ${(after.restoreRate / perOrder).toFixed(1)} orders/s`
      : 'no call charged in the phase';
  return (
    `; Shopify points charged per order ${perOrder.toFixed(1)} (${operations.join(', ')}; ${sustains})` +
    `; budget waits by lane: ${waits.length ? waits.join(', ') : 'none'}`
  );
}

/** The delivery's reservation after the storefront order, and after the confirmation was seen. */
function reservedNote(probe: ReservationProbe, placed: ReadonlyMap<string, number>, seen: ReadonlyMap<string, number>): string {
  const after = [...probe.reservedAt].map(([gid, t]) => t - placed.get(gid)!);
  const afterConfirmed = [...probe.reservedAt].map(([gid, t]) => t - seen.get(gid)!);
  const missing = seen.size - probe.reservedAt.size;
  if (after.length === 0) return `; no delivery reserved by the end (read in Odoo's database)`;
  return (
    `; delivery reserved (read in Odoo's database every ${REAL_ODOO_POLL_MS} ms): ${latencies(after)} after the storefront order, ` +
    `p50 ${Math.round(percentile(afterConfirmed, 50))} ms, p95 ${Math.round(percentile(afterConfirmed, 95))} ms after the confirmed order was seen` +
    (missing > 0 ? `; ${missing} confirmed orders not reserved by the end` : '')
  );
}

async function benchStock(
  stack: Stack,
  merchant: MerchantDriver,
  seeded: Seeded,
  worked: Set<string>,
  options: BenchOptions,
): Promise<BenchRow> {
  const row: BenchRow = {
    measure: 'Odoo stock change → Shopify quantity',
    load: `${options.stockChanges} changes, 3 per second`,
    value: '',
    baseline: '',
    goal: 'p95 < 3 s',
  };
  if (!worked.has('inventory')) return { ...row, note: 'not measured: inventory flow not present' };
  const lat: number[] = [];
  const missed: string[] = [];
  for (let i = 0; i < options.stockChanges; i++) {
    const quantity = 100 + i;
    const t0 = performance.now();
    await merchant.setStock(seeded.stockProductId, seeded.warehouseId, quantity);
    // The addon pings /odoo/wake after its commit; the double has no HTTP side, so wake directly.
    stack.sidecar.relay.wake();
    const deadline = t0 + 30_000;
    let reached = false;
    let seen: number | undefined;
    while (performance.now() < deadline) {
      const [level] = await stack.simControl<Array<{ on_hand: number }>>('GET', '/inventory?sku=BENCH-STOCK&locationId=101');
      seen = level?.on_hand;
      if (seen === quantity) {
        reached = true;
        break;
      }
      await sleep(10);
    }
    if (reached) lat.push(performance.now() - t0);
    else missed.push(`${quantity} (Shopify ${seen ?? 'none'})`);
    await sleep(Math.max(0, 333 - (performance.now() - t0)));
  }
  return {
    ...row,
    value: latencies(lat),
    met: missed.length === 0 && percentile(lat, 95) < 3000,
    n: lat.length,
    note:
      'Odoo on hand set → Shopify on_hand equal at the mapped location (outbox wake-up included)' +
      (missed.length ? `; ${missed.length} not reached within 30 s: ${missed.join(', ')}` : ''),
  };
}

const BURST_LAYOUTS: readonly BurstLayout[] = ['one process', 'intake apart'];

/**
 * The webhook burst (./burst.ts) in both layouts, each on a database of its own, after the
 * in-process stack has stopped (nothing else runs in the bench's process meanwhile).
 */
async function burstRows(
  createDatabase: ((name: string) => Promise<string>) | undefined,
  options: BenchOptions,
  real: RealOdooSettings | null,
): Promise<BenchRow[]> {
  const logDir = path.resolve('var/bench', new Date().toISOString().replace(/[:.]/g, '-'));
  const rows: BenchRow[] = [];
  for (const layout of options.burstLayouts ?? BURST_LAYOUTS) {
    const databaseUrl =
      options.burstDatabaseUrls?.[layout] ?? (await createDatabase?.(layout === 'one process' ? 'bench_burst_one' : 'bench_burst_apart'));
    if (!databaseUrl) continue;
    rows.push(
      await benchBurst({
        databaseUrl,
        layout,
        rate: options.webhookRate,
        seconds: options.webhookSeconds,
        logDir,
        realOdoo: real,
        ...(options.cpuProfileDir ? { cpuProfileDir: path.resolve(options.cpuProfileDir) } : {}),
      }),
    );
  }
  return rows;
}

/** The full catalog and inventory measure (./full-sync.ts), in a stack of its own. */
async function fullSyncRows(databaseUrl: string | undefined, options: BenchOptions, realOdoo: boolean): Promise<BenchRow[]> {
  if (options.fullProducts <= 0 || !databaseUrl) return [];
  const rows = await benchFullSync(databaseUrl, {
    products: options.fullProducts,
    pacedProducts: options.fullPaced,
    plan: options.fullPlan,
    pollMs: 250,
    ...(options.fullConcurrency === undefined ? {} : { concurrency: options.fullConcurrency }),
    ...(options.fullSimulator ? { simulator: options.fullSimulator } : {}),
    ...(options.fullLatencyMs ? { latencyMs: options.fullLatencyMs } : {}),
    ...(options.cpuProfileDir ? { cpuProfileDir: path.resolve(options.cpuProfileDir) } : {}),
  });
  // Ten thousand products in a throwaway real Odoo would take longer than the measure itself.
  return realOdoo ? rows.map((r) => ({ ...r, note: `on the Odoo double even in real-Odoo mode; ${r.note ?? ''}` })) : rows;
}

export function parseArgs(argv: string[]): BenchOptions {
  const options: BenchOptions = { ...DEFAULTS };
  const names: Record<string, keyof typeof DEFAULTS> = {
    '--webhook-rate': 'webhookRate',
    '--webhook-seconds': 'webhookSeconds',
    '--backlog-jobs': 'backlogJobs',
    '--backlog-seconds': 'backlogSeconds',
    '--floor-orders': 'floorOrders',
    '--floor-concurrency': 'floorConcurrency',
    '--order-rate': 'orderRate',
    '--order-sweep': 'orderSweep',
    '--order-seconds': 'orderSeconds',
    '--stock-changes': 'stockChanges',
    '--full-products': 'fullProducts',
    '--full-paced': 'fullPaced',
    '--full-concurrency': 'fullConcurrency',
    '--full-latency-ms': 'fullLatencyMs',
  };
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--only') {
      if (!['burst', 'backlog', 'full', 'orders'].includes(argv[i + 1]!))
        throw new Error('bench: --only takes burst, backlog, full or orders');
      options.only = argv[i + 1] as 'burst' | 'backlog' | 'full' | 'orders';
      continue;
    }
    if (argv[i] === '--order-pull') {
      options.orderPull = true;
      i -= 1; // a flag: no value follows

      continue;
    }
    if (argv[i] === '--burst-layouts' && ['one', 'apart', 'both'].includes(argv[i + 1]!)) {
      const which = argv[i + 1]!;
      options.burstLayouts = BURST_LAYOUTS.filter((l) => which === 'both' || l.startsWith(which === 'one' ? 'one' : 'intake'));
      continue;
    }
    if (argv[i] === '--log-file' && argv[i + 1]) {
      options.logFile = argv[i + 1]!;
      continue;
    }
    if (argv[i] === '--full-simulator') {
      if (!SIMULATOR_MODES.includes(argv[i + 1] as SimulatorMode))
        throw new Error(`bench: --full-simulator takes ${SIMULATOR_MODES.join(' or ')}`);
      options.fullSimulator = argv[i + 1] as SimulatorMode;
      continue;
    }
    if (argv[i] === '--cpu-prof-dir' && argv[i + 1]) {
      options.cpuProfileDir = argv[i + 1]!;
      continue;
    }
    if (argv[i] === '--full-plan' || argv[i] === '--order-plan') {
      if (!isPlanName(argv[i + 1])) throw new Error(`bench: ${argv[i]} must be one of ${Object.keys(PLANS).join(', ')}`);
      options[argv[i] === '--full-plan' ? 'fullPlan' : 'orderPlan'] = argv[i + 1] as PlanName;
      continue;
    }
    const key = names[argv[i]!];
    // --order-sweep takes a comma-separated list of rates (e.g. 0.5,1,2); the others one number.
    const values = (argv[i + 1] ?? '').split(',').map(Number);
    // 0 products: that measure (or its paced sample) is not measured.
    const zeroAllowed = key === 'fullProducts' || key === 'fullPaced' || key === 'fullLatencyMs';
    if (!key || !values.every((v) => v > 0 || (zeroAllowed && v === 0)) || (key !== 'orderSweep' && values.length !== 1))
      throw new Error(`bench: unknown option or bad value: ${argv[i]} ${argv[i + 1] ?? ''}\noptions: ${Object.keys(names).join(' ')}`);
    if (key === 'orderSweep') options.orderSweep = values;
    else if (key !== 'fullPlan' && key !== 'orderPlan') options[key] = values[0]!;
  }
  return options;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runBench(parseArgs(process.argv.slice(2))).then(
    () => process.exit(0),
    (error: Error) => {
      process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
