/**
 * `make bench` (docs/operations.md, "Benchmark"): the whole stack on this machine —
 * a throwaway PostgreSQL, the Shopify simulator, the Odoo double and the sidecar over real HTTP
 * (dev/testing/stack.ts) — and, for a stated load:
 *   1. jobs per second through a pg-boss queue with the sidecar's settings (no-op handler);
 *   2. order webhook → Odoo sales order latency p50/p95 at 5 orders/s (needs the orders flow);
 *   3. Odoo stock change → Shopify quantity latency p50/p95 (needs the inventory flow);
 *   4. webhook acknowledgement latency p50/p95/p99 at 200 webhooks/s for 20 s: signed
 *      deliveries of Shopify's orders/create sample from a load generator in a child process.
 * A measure whose flow is not registered (FLOWS has no worker on its queue) prints
 * "not measured: <flow> flow not present". Nothing is asserted: the numbers are printed, with
 * the machine they ran on. Run last in that order so the webhook flood (fake orders) cannot
 * disturb the latency measures.
 *
 * Real-Odoo mode: when ODOO_URL, ODOO_DB, ODOO_USER and ODOO_API_KEY are set, the sidecar talks
 * JSON-RPC to that Odoo (with shopify_sync, warehouses mapped to Shopify locations 101 and 102)
 * instead of the double, the merchant's actions go through the real MerchantDriver
 * (ODOO_ADMIN_USER/ODOO_ADMIN_PASSWORD, default admin/admin), the simulated shop sells in the
 * company currency, and the order probe polls Odoo through readSaleOrders every 250 ms.
 * `scripts/bench-real-odoo.sh` runs it on a throwaway database.
 *
 *   node --import tsx dev/bench/run.ts [--webhook-rate 200] [--webhook-seconds 20] [--jobs 2000]
 *                                  [--order-rate 5] [--order-seconds 20] [--stock-changes 20]
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Transport from 'winston-transport';
import type { Flow } from '../../sidecar/flows/context.js';
import { FLOWS } from '../../sidecar/flows/index.js';
import { runOnboarding } from '../../sidecar/onboarding/index.js';
import { createOdooClient } from '../../sidecar/odoo/client.js';
import { createRealMerchant } from '../conformance/real-driver.js';
import type { MerchantDriver } from '../conformance/target.js';
import { createDoubleMerchant, createOdooDouble, type OdooDouble } from '../odoo-double/index.js';
import type { OdooCaller } from '../../sidecar/odoo/types.js';
import { createLogger } from '../../sidecar/observability/logger.js';
import { createQueue } from '../../sidecar/queue/queue.js';
import { keys, type QueueName } from '../../sidecar/queue/names.js';
import { webhookFixture } from '../testing/fixtures.js';
import { realOdooFromEnv, type RealOdooSettings } from '../testing/env.js';
import { startThrowawayPostgres } from '../testing/postgres.js';
import { startStack, type Stack } from '../testing/stack.js';
import type { LoadResult, LoadSpec } from './loadgen.js';
import { percentile, renderTable, type BenchRow } from './stats.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface BenchOptions {
  /** An existing database URL (tests); default: a throwaway embedded PostgreSQL. */
  databaseUrl?: string;
  webhookRate: number;
  webhookSeconds: number;
  jobs: number;
  orderRate: number;
  orderSeconds: number;
  stockChanges: number;
  flows?: readonly Flow[];
  print?: (text: string) => void;
  /** A real Odoo (default: from ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY; else the double). */
  realOdoo?: RealOdooSettings | null;
}

/** Where the sidecar's Odoo is: the in-process double, or a real Odoo over JSON-RPC. */
interface OdooTarget {
  caller: OdooCaller;
  merchant: MerchantDriver;
  /** The double, whose state the order probe reads; undefined with a real Odoo. */
  double: OdooDouble | undefined;
  label: string;
}

export const DEFAULTS: Omit<BenchOptions, 'databaseUrl' | 'flows' | 'print' | 'realOdoo'> = {
  webhookRate: 200,
  webhookSeconds: 20,
  jobs: 2000,
  orderRate: 5,
  orderSeconds: 20,
  stockChanges: 20,
};

/** Discards log lines after formatting them (the formatting is part of each job's real cost). */
class DiscardTransport extends Transport {
  override log(_info: unknown, next: () => void): void {
    next();
  }
}

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

export function machineCaveat(realOdoo = false): string {
  const cpus = os.cpus();
  return (
    `Machine: ${cpus.length} cores (${cpus[0]?.model ?? 'unknown'}), shared with other processes (load average ` +
    `${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}); Node ${process.version}; embedded PostgreSQL with fsync=off and ` +
    'synchronous_commit=off; ' +
    (realOdoo
      ? 'a real Odoo 18 (threaded mode, no cron threads) on the same machine; simulator, sidecar and bench in one process'
      : 'simulator, Odoo double, sidecar and bench in one process') +
    ' (the webhook load generator in a child process). Indicative numbers for this machine, not guarantees; nothing here is asserted in tests.'
  );
}

export async function runBench(options: BenchOptions): Promise<{ rows: BenchRow[]; text: string }> {
  const print = options.print ?? ((t: string) => process.stdout.write(`${t}\n`));
  const pg = options.databaseUrl ? undefined : await startThrowawayPostgres();
  const databaseUrl = options.databaseUrl ?? (await pg!.createDatabase('bench'));
  const worked = new Set<string>();
  const real = options.realOdoo === undefined ? realOdooFromEnv() : options.realOdoo;
  let target: OdooTarget;
  if (real) {
    const common = { url: real.url, db: real.db, protocol: 'jsonrpc' as const, requestTimeoutMs: 60_000 };
    target = {
      caller: createOdooClient({ ...common, protocol: real.protocol, user: real.user, apiKey: real.apiKey }),
      merchant: createRealMerchant({
        admin: createOdooClient({ ...common, user: real.adminUser, apiKey: real.adminPassword }),
        adminLogin: real.adminUser,
      }),
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
    target = { caller: double, merchant: createDoubleMerchant(double), double, label: 'the in-process Odoo double' };
  }
  const merchant = target.merchant;
  const logger = createLogger({ level: 'info', transports: [new DiscardTransport()] });
  const rows: BenchRow[] = [];
  let stack: Stack | undefined;
  try {
    stack = await startStack({
      databaseUrl,
      odoo: target.caller,
      logger,
      // A real Odoo refuses orders in another currency than its company's: the shop sells in it.
      ...(real ? { sim: { currency: await merchant.companyCurrency() } } : {}),
      flows: observed(options.flows ?? FLOWS, worked),
      // The sidecar subscribes its own webhooks (as in production) and pushes only after onboarding.
      env: { WEBHOOK_SUBSCRIPTIONS_MANAGE: 'true', ONBOARDING_REQUIRED: 'true', LOG_LEVEL: 'info' },
    });
    await stack.sidecar.workersStarted;
    print(`make bench: against ${target.label}`);
    print(
      `make bench: flows registered: ${(options.flows ?? FLOWS).map((f) => f.name).join(', ') || '(none)'}; queues worked: ${[...worked].join(', ') || '(none)'}`,
    );

    rows.push(await benchQueue(databaseUrl, options.jobs));
    const seeded = await seedCatalog(stack, merchant);
    rows.push(await benchOrders(stack, target, worked, options));
    rows.push(await benchStock(stack, merchant, seeded, worked, options));
    rows.push(await benchWebhookAck(stack, options));
  } finally {
    await stack?.stop().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
  }
  const text = `${renderTable(rows)}\n\n${machineCaveat(Boolean(real))}`;
  print(text);
  return { rows, text };
}

/** Jobs/s through key_strict_fifo with the sidecar's queue settings, in a schema of its own. */
async function benchQueue(databaseUrl: string, jobs: number): Promise<BenchRow> {
  const logger = createLogger({ level: 'info', transports: [new DiscardTransport()] });
  const queue = createQueue({
    connectionString: databaseUrl,
    schema: 'bench_queue',
    logger,
    retry: { limit: 2, delaySeconds: 1, delayMaxSeconds: 2 },
    queues: ['products'],
    pollingIntervalSeconds: 0.5,
  });
  await queue.start();
  try {
    const sendStart = performance.now();
    for (let i = 0; i < jobs; i++) {
      await queue.send('products', { i }, { key: keys.product('bench-shop.myshopify.com', `gid://shopify/Product/${i + 1}`) });
    }
    const sendMs = performance.now() - sendStart;
    let done = 0;
    let finish: () => void = () => {};
    const all = new Promise<void>((r) => (finish = r));
    const workStart = performance.now();
    await queue.work('products', () => {
      if (++done === jobs) finish();
      return Promise.resolve();
    });
    await Promise.race([all, sleep(120_000)]);
    const workMs = performance.now() - workStart;
    return {
      measure: 'jobs per second through the queue',
      load: `${jobs} jobs, distinct keys, no-op handler`,
      value: `${((done / workMs) * 1000).toFixed(0)} jobs/s worked; ${((jobs / sendMs) * 1000).toFixed(0)} sends/s`,
      n: done,
      target: '',
      note: `key_strict_fifo, batch 10, 1 fetch loop, poll 0.5 s${done < jobs ? `; only ${done} done in 120 s` : ''}`,
    };
  } finally {
    await queue.stop({ timeoutMs: 5000 });
  }
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
  };
  await runOnboarding(ctx, { dryRun: false });
  return { stockProductId: stock.variants['BENCH-STOCK']!, warehouseId: warehouse!.id };
}

/** Polls every 250 ms through the merchant driver (each read is a few JSON-RPC calls). */
const REAL_ODOO_POLL_MS = 250;

async function benchOrders(stack: Stack, target: OdooTarget, worked: Set<string>, options: BenchOptions): Promise<BenchRow> {
  const row: BenchRow = {
    measure: 'order webhook → Odoo sales order',
    load: `${options.orderRate} orders/s for ${options.orderSeconds} s`,
    target: 'p95 < 2 s',
  };
  if (!worked.has('orders')) return { ...row, note: 'not measured: orders flow not present' };
  const count = Math.max(1, Math.round(options.orderRate * options.orderSeconds));
  const placed = new Map<string, number>();
  const seen = new Map<string, number>();
  let polling = true;
  const double = target.double;
  const poller = (async () => {
    while (polling) {
      if (double) {
        for (const so of double.state.saleOrders.values()) {
          const gid = so.order_gid;
          if (gid && placed.has(gid) && !seen.has(gid)) seen.set(gid, performance.now());
        }
        await sleep(10);
      } else {
        // A real Odoo: ask for each placed order not yet seen, as a user would look it up.
        const round = performance.now();
        for (const gid of [...placed.keys()].filter((g) => !seen.has(g))) {
          if ((await target.merchant.readSaleOrders(gid)).length > 0) seen.set(gid, performance.now());
        }
        await sleep(Math.max(0, REAL_ODOO_POLL_MS - (performance.now() - round)));
      }
    }
  })();
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
  while (seen.size < placed.size && performance.now() < deadline) await sleep(50);
  polling = false;
  await poller;
  const latencies = [...seen].map(([gid, t]) => t - placed.get(gid)!);
  // Say why orders are missing rather than only that they are.
  const [dead] = latencies.length < placed.size ? await stack.sidecar.queue.listDeadLetters('orders', { limit: 1 }) : [];
  return {
    ...row,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    n: latencies.length,
    note: `from the storefront order to the sale order ${double ? 'in the double' : `in Odoo, polled through readSaleOrders every ${REAL_ODOO_POLL_MS} ms (resolution: one polling round)`}${latencies.length < placed.size ? `; ${placed.size - latencies.length} of ${placed.size} not imported within ${waitMs / 1000} s${dead ? ` (dead letter: ${dead.reason})` : ''}` : ''}`,
  };
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
    target: 'p95 < 3 s',
  };
  if (!worked.has('inventory')) return { ...row, note: 'not measured: inventory flow not present' };
  const latencies: number[] = [];
  let missed = 0;
  for (let i = 0; i < options.stockChanges; i++) {
    const quantity = 100 + i;
    const t0 = performance.now();
    await merchant.setStock(seeded.stockProductId, seeded.warehouseId, quantity);
    // The addon pings /odoo/wake after its commit; the double has no HTTP side, so wake directly.
    stack.sidecar.relay.wake();
    const deadline = t0 + 30_000;
    let reached = false;
    while (performance.now() < deadline) {
      const [level] = await stack.simControl<Array<{ on_hand: number }>>('GET', '/inventory?sku=BENCH-STOCK&locationId=101');
      if (level?.on_hand === quantity) {
        reached = true;
        break;
      }
      await sleep(10);
    }
    if (reached) latencies.push(performance.now() - t0);
    else missed += 1;
    await sleep(Math.max(0, 333 - (performance.now() - t0)));
  }
  return {
    ...row,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    n: latencies.length,
    note: `Odoo on hand set → Shopify on_hand equal at the mapped location (outbox wake-up included)${missed ? `; ${missed} not reached within 30 s` : ''}`,
  };
}

async function benchWebhookAck(stack: Stack, options: BenchOptions): Promise<BenchRow> {
  const count = Math.max(1, Math.round(options.webhookRate * options.webhookSeconds));
  const spec: LoadSpec = {
    url: `${stack.sidecarUrl}/webhooks/shopify`,
    secret: stack.config.shopify.webhookSecrets[0]!,
    shop: stack.config.shopify.shopDomain,
    topic: 'orders/create',
    fixture: webhookFixture('orders/create').toString('utf8'),
    rate: options.webhookRate,
    count,
    deadlineMs: options.webhookSeconds * 1000 + 30_000,
    runId: String(Date.now()),
  };
  const child = fork(path.join(HERE, 'loadgen.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const result = await new Promise<LoadResult>((resolve, reject) => {
    child.once('message', (m: LoadResult | { error: string }) => ('error' in m ? reject(new Error(m.error)) : resolve(m)));
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)));
    child.send(spec);
  });
  // Every acknowledged delivery must be stored once (whatever a flow has done with it since).
  const { rows } = await stack.sidecar.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM shopify_sync.webhook_inbox WHERE webhook_id LIKE $1',
    [`bench-${spec.runId}-%`],
  );
  const ok = result.statuses['200'] ?? 0;
  const other = Object.entries(result.statuses)
    .filter(([s]) => s !== '200')
    .map(([s, n]) => `${n}×${s}`);
  return {
    measure: 'webhook acknowledgement',
    load: `${options.webhookRate}/s for ${options.webhookSeconds} s (orders/create sample, signed)`,
    p50: percentile(result.latenciesMs, 50),
    p95: percentile(result.latenciesMs, 95),
    p99: percentile(result.latenciesMs, 99),
    n: result.latenciesMs.length,
    value: `${((result.sent / result.elapsedMs) * 1000).toFixed(0)} sent/s`,
    target: 'p99 < 50 ms',
    note: `${ok} × 200, ${rows[0]?.n ?? 0} stored in the inbox${other.length ? `, ${other.join(', ')}` : ''}${result.errors ? `, ${result.errors} connection errors` : ''}${result.sent - result.latenciesMs.length - result.errors > 0 ? `, ${result.sent - result.latenciesMs.length - result.errors} unanswered` : ''}`,
  };
}

function parseArgs(argv: string[]): BenchOptions {
  const options: BenchOptions = { ...DEFAULTS };
  const names: Record<string, keyof typeof DEFAULTS> = {
    '--webhook-rate': 'webhookRate',
    '--webhook-seconds': 'webhookSeconds',
    '--jobs': 'jobs',
    '--order-rate': 'orderRate',
    '--order-seconds': 'orderSeconds',
    '--stock-changes': 'stockChanges',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i]!];
    const value = Number(argv[i + 1]);
    if (!key || !(value > 0))
      throw new Error(`bench: unknown option or bad value: ${argv[i]} ${argv[i + 1] ?? ''}\noptions: ${Object.keys(names).join(' ')}`);
    options[key] = value;
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
