/**
 * `make chaos` (docs/operations.md, "Chaos run"): the whole product as separate processes — a
 * PostgreSQL, the Shopify simulator, the Odoo double (or a real Odoo 18 when ODOO_URL and friends
 * are set; scripts/with-real-odoo.sh does it), two sidecar replicas behind a load balancer, Odoo
 * behind a proxy that outages cut — and a load of orders with refunds and stock changes under:
 * 30 % duplicated and 20 % reordered deliveries, Shopify 5xx and THROTTLED answers (5 % each),
 * two Odoo outages (one longer than the old 21-minute dead-letter horizon), five SIGKILLs of a
 * replica, one PostgreSQL restart. Time is compressed by configuration (`--time-scale`, default
 * 60: one second stands for one minute): Shopify's webhook retry schedule, the sidecar's retry
 * delays and budget and the outages are all divided by it. Then Shopify is compared with Odoo
 * record by record (./check.ts) until they agree, and the last line is
 *   orders=N lost=0 duplicated=0 totals_mismatched=0 stock_mismatched=0
 *   refunds=R refunds_missing=0 refunds_duplicated=0 refunds_amount_mismatched=0 converged_after_s=X
 * (one line). Shopify's faults stay on until they agree. The exit code is 0 only when they agree
 * (and nothing was dead-lettered). Logs: var/chaos/<run>/.
 *
 *   node --import tsx dev/chaos/run.ts [--orders 2000] [--rate 15] [--skus 20] [--seed 1]
 *        [--time-scale 60] [--kills 5] [--plan standard|advanced|plus] [--smoke]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { realOdooFromEnv, type RealOdooSettings } from '../testing/env.js';
import { freePort, startRestartablePostgres, type RestartablePostgres } from '../testing/postgres.js';
import { STACK_SHOP } from '../testing/stack.js';
import { FLOW_QUEUES } from '../../sidecar/queue/names.js';
import { compare, isConverged, type Comparison } from './check.js';
import { startBalancer, startOutageProxy, type Balancer, type OutageProxy } from './network.js';
import { spawnNode, stopProcess, waitHealthy, type NodeProcess } from './processes.js';
import { realOdooTarget, startDoubleTarget, type OdooTarget } from './targets.js';

export interface ChaosOptions {
  orders: number;
  /** Orders placed per second. */
  rate: number;
  skus: number;
  seed: number;
  /** Real seconds per simulated minute is 60 / timeScale. */
  timeScale: number;
  kills: number;
  replicas: number;
  /** The shop's plan, which sets the Admin API budget (dev/sim/bucket.ts): the two replicas share it. */
  plan: 'standard' | 'advanced' | 'plus';
  /** Simulated minutes of the two Odoo outages. */
  outageMinutes: [number, number];
  /** Seconds PostgreSQL stays down. */
  postgresDownSeconds: number;
  /**
   * Seconds after a SIGKILL before the next fault starts (and after an outage or the PostgreSQL
   * restart before the next kill), so each kill's takeover is measured against the 30 s goal on
   * its own, not through an Odoo outage that pauses the queues (playLoad's timeline).
   */
  quietSeconds: number;
  refundShare: number;
  convergeTimeoutSeconds: number;
  realOdoo: RealOdooSettings | null;
  print: (line: string) => void;
}

export const FULL: Omit<ChaosOptions, 'realOdoo' | 'print'> = {
  orders: 2000,
  rate: 15,
  skus: 20,
  seed: 1,
  timeScale: 60,
  kills: 5,
  replicas: 2,
  // Plus (1,000 points/s): 15 orders/s need most of it, so the two replicas' shared budget is
  // tested without making the run last half an hour (the standard plan's 100 points/s carry
  // about 2 orders/s).
  plan: 'plus',
  outageMinutes: [5, 30],
  postgresDownSeconds: 3,
  quietSeconds: 35,
  refundShare: 0.1,
  convergeTimeoutSeconds: 1800,
};

/** The short version `make test` runs (dev/chaos/chaos.test.ts): every fault once, few orders. */
export const SMOKE: Omit<ChaosOptions, 'realOdoo' | 'print'> = {
  ...FULL,
  orders: 40,
  rate: 4,
  skus: 4,
  kills: 1,
  outageMinutes: [2, 4],
  postgresDownSeconds: 2,
  // The smoke test asserts the comparison, never the timings: its faults may overlap.
  quietSeconds: 0,
  refundShare: 0.2,
  // Standard (100 points/s): 4 orders/s spend more than that, so the smoke run waits on the budget.
  plan: 'standard',
  convergeTimeoutSeconds: 240,
};

export interface ChaosResult {
  ok: boolean;
  comparison: Comparison;
  convergedAfterSeconds: number | null;
  /** Per SIGKILL: jobs active at the kill, seconds until all of them ran again (or were done), and were done. */
  recoveries: Array<{ kill: number; jobs: number; takenOverSeconds: number | null; doneSeconds: number | null }>;
  /** Dead letters of the flows' queues (work left undone). */
  deadLetters: number;
  bucketThrottles: number;
  line: string;
}

/** Shopify's webhook retries (1, 2, 4 … 64, 113 minutes), compressed. */
const retryDelays = (scale: number) => [1, 2, 4, 8, 16, 32, 64, 113].map((m) => Math.round((m * 60_000) / scale));
const random = (n: number) => crypto.randomInt(n);
const secret = () => crypto.randomBytes(16).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run {
  o: ChaosOptions;
  dir: string;
  pg: RestartablePostgres;
  db: pg.Pool;
  dbUrl: string;
  target: OdooTarget;
  proxy: OutageProxy;
  balancer: Balancer;
  sim: NodeProcess;
  simUrl: string;
  secrets: { token: string; webhook: string; admin: string };
  replicas: Array<{ port: number; process: NodeProcess | undefined; alive: boolean; starts: number }>;
  /** Set by tearDown: replicas that end are no longer started again. */
  stopping: boolean;
  recoveries: ChaosResult['recoveries'];
  skus: string[];
  variants: Record<string, number>;
  warehouses: number[];
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const run = await setUp(o);
  // Ctrl+C stops every process the run started before exiting.
  const interrupted = (signal: NodeJS.Signals) => {
    o.print(`chaos: ${signal}: stopping the processes`);
    void tearDown(run).finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  try {
    await seedCatalog(run);
    const { endedAt, recoveries } = await playLoad(run);
    return await converge(run, endedAt, recoveries);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await tearDown(run);
  }
}

async function setUp(o: ChaosOptions): Promise<Run> {
  const dir = path.resolve('var/chaos', `${new Date().toISOString().replace(/[:.]/g, '-')}-${o.realOdoo ? 'real-odoo' : 'double'}`);
  fs.mkdirSync(dir, { recursive: true });
  const pgServer = await startRestartablePostgres();
  const dbUrl = await pgServer.createDatabase('chaos');
  const db = new pg.Pool({ connectionString: dbUrl, max: 2 });
  db.on('error', () => undefined);
  const target = o.realOdoo ? realOdooTarget(o.realOdoo) : await startDoubleTarget(dir);
  const currency = await target.merchant.companyCurrency();
  const odooAddress = new URL(target.url);
  const proxy = await startOutageProxy({ host: odooAddress.hostname, port: Number(odooAddress.port) }, await freePort());
  const secrets = { token: `shpat_${secret()}`, webhook: secret(), admin: secret() };
  const replicas: Run['replicas'] = [];
  for (let i = 0; i < o.replicas; i++) replicas.push({ port: await freePort(), process: undefined, alive: false, starts: 0 });
  const balancer = await startBalancer(() => replicas.filter((r) => r.alive).map((r) => r.port));
  const sim = spawnNode(
    'dev/sim/main.ts',
    [
      ...['--port', '0', '--host', '127.0.0.1', '--token', secrets.token, '--secret', secrets.webhook, '--shop', STACK_SHOP],
      ...['--no-demo-catalog', '--plan', o.plan, '--seed', String(o.seed), '--currency', currency],
      ...['--webhook-retry-delays-ms', retryDelays(o.timeScale).join(',')],
    ],
    { log: path.join(dir, 'simulator.log') },
  );
  const simUrl = (JSON.parse(await sim.firstLine) as { url: string }).url;
  const run: Run = {
    o,
    dir,
    pg: pgServer,
    db,
    dbUrl,
    target,
    proxy,
    balancer,
    sim,
    simUrl,
    secrets,
    replicas,
    stopping: false,
    recoveries: [],
    skus: [],
    variants: {},
    warehouses: [],
  };
  o.print(
    `chaos: ${target.label}; ${o.orders} orders over ${o.skus} SKUs, ${o.replicas} replicas, logs in ${path.relative(process.cwd(), dir)}`,
  );
  for (let i = 0; i < replicas.length; i++) {
    startReplica(run, i);
    await until(`replica ${i + 1} healthy`, 180_000, () => Promise.resolve(replicas[i]!.alive));
    // The first replica creates the webhook subscriptions; the next ones find them.
    if (i === 0) await waitForLog(path.join(dir, 'replica-1.log'), '"webhook subscriptions created"');
  }
  return run;
}

/** The sidecar's configuration of a chaos run: production settings, durations divided by the time scale. */
function replicaEnv(run: Run, port: number): Record<string, string> {
  const scale = run.o.timeScale;
  const seconds = (s: number) => String(Math.max(1, Math.round(s / scale)));
  return {
    NODE_ENV: 'production',
    PORT: String(port),
    LISTEN_HOST: '127.0.0.1',
    PUBLIC_URL: run.balancer.url,
    LOG_LEVEL: 'info',
    ADMIN_TOKEN: run.secrets.admin,
    DATABASE_URL: run.dbUrl,
    SHOPIFY_SHOP_DOMAIN: STACK_SHOP,
    SHOPIFY_ADMIN_BASE_URL: run.simUrl,
    SHOPIFY_ACCESS_TOKEN: run.secrets.token,
    SHOPIFY_WEBHOOK_SECRET: run.secrets.webhook,
    ODOO_URL: run.proxy.url,
    ODOO_DB: run.target.db,
    ODOO_USER: run.target.user,
    ODOO_API_KEY: run.target.apiKey,
    ODOO_REQUEST_TIMEOUT_MS: '60000',
    ONBOARDING_REQUIRED: 'false',
    OUTBOX_POLL_SECONDS: '1',
    ORDERS_PULL_CRON: '* * * * *',
    QUEUE_RETRY_DELAY_SECONDS: seconds(5),
    QUEUE_RETRY_DELAY_MAX_SECONDS: seconds(300),
    // Compressed, but never below an hour of real time: the jobs' own work is not compressed (an
    // order takes seconds on a loaded machine), and a refund waiting for its order behind a
    // backlog of 2,000 must not run out in the minutes that no production budget would be.
    QUEUE_RETRY_BUDGET_SECONDS: String(Math.max(Number(seconds(6 * 3600)), 3600)),
    CIRCUIT_BREAKER_PROBE_SECONDS: seconds(15),
    ALERT_INTERVAL_SECONDS: '1',
    SHUTDOWN_TIMEOUT_MS: '5000',
  };
}

/**
 * Starts replica `i` under a restart policy, as a container orchestrator or systemd runs it:
 * whenever it ends (a SIGKILL of the run, or a start that failed because PostgreSQL was away) it is
 * started again 2 s later, until the run stops. It takes deliveries from the balancer once healthy.
 */
function startReplica(run: Run, i: number): void {
  const r = run.replicas[i]!;
  r.starts += 1;
  const p = spawnNode('sidecar/main.ts', [], { env: replicaEnv(run, r.port), log: path.join(run.dir, `replica-${i + 1}.log`) });
  r.process = p;
  const ended = () => p.child.exitCode !== null || p.child.signalCode !== null;
  void p.exited.then(async () => {
    r.alive = false;
    await sleep(2000);
    if (!run.stopping) startReplica(run, i);
  });
  void waitHealthy(`http://127.0.0.1:${r.port}/healthz`, 180_000, ended).then(
    (healthy) => {
      if (healthy && r.process === p && !ended()) r.alive = true;
    },
    (error: unknown) => run.o.print(`chaos: replica ${i + 1}: ${(error as Error).message}`),
  );
}

async function waitForLog(file: string, needle: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(needle))) {
    if (Date.now() > deadline) throw new Error(`${needle} not in ${file} after ${timeoutMs} ms`);
    await sleep(250);
  }
}

async function sim<T>(run: Run, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${run.simUrl}/_sim${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`simulator ${method} ${route}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : null) as T;
}

const STOCK = 5000;

/** Products and stock created in Odoo, pushed to Shopify by the sidecars' catalog and inventory flows. */
async function seedCatalog(run: Run): Promise<void> {
  const { merchant } = run.target;
  const warehouses = await merchant.warehouses();
  run.warehouses = ['gid://shopify/Location/101', 'gid://shopify/Location/102'].map((gid) => {
    const wh = warehouses.find((w) => w.location_gid === gid);
    if (!wh) throw new Error(`no Odoo warehouse mapped to ${gid}`);
    return wh.id;
  });
  const tag = crypto.randomBytes(3).toString('hex').toUpperCase();
  for (let i = 1; i <= run.o.skus; i++) {
    const sku = `CHAOS-${tag}-${String(i).padStart(3, '0')}`;
    const created = await merchant.createProduct({ name: `Chaos item ${i}`, price: `${10 + i}.50`, variants: [{ sku }] });
    run.variants[sku] = created.variants[sku]!;
    run.skus.push(sku);
    for (const wh of run.warehouses) await merchant.setStock(created.variants[sku]!, wh, STOCK);
  }
  const started = Date.now();
  await until('the catalog and its stock in Shopify', 600_000, async () => {
    const levels = await sim<Array<{ sku: string; on_hand: number }>>(run, 'GET', '/inventory');
    return run.skus.every((sku) => levels.filter((l) => l.sku === sku && l.on_hand === STOCK).length === 2);
  });
  run.o.print(
    `chaos: catalog of ${run.o.skus} SKUs pushed from Odoo with stock at two locations in ${Math.round((Date.now() - started) / 1000)} s`,
  );
}

async function until(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`chaos: timed out waiting for ${what}`);
    await sleep(1000);
  }
}

/**
 * Places the orders at the set rate while the faults happen on a fixed timeline (as shares of the
 * load's length, the outages and kills apart, so each kill's recovery is measured on its own).
 * Returns when the load, the refunds and every fault have ended, with the kills' measures, which
 * go on (up to 300 s after each kill) while the comparison runs: `converged_after_s` counts from
 * the end of the faults, not from the end of their measures.
 */
async function playLoad(run: Run): Promise<{ endedAt: number; recoveries: Promise<unknown> }> {
  const { o } = run;
  const loadMs = (o.orders / o.rate) * 1000;
  const minute = 60_000 / o.timeScale;
  await sim(run, 'PUT', '/faults', {
    webhookDuplicateRate: 0.3,
    webhookReorderRate: 0.2,
    webhookReorderHoldMs: 2000,
    apiErrorRate: 0.05,
    apiErrorStatus: 503,
    throttleRate: 0.05,
  });
  o.print(
    `chaos: faults on: 30% duplicated and 20% reordered deliveries, 5% Shopify 503 and 5% THROTTLED answers; ` +
      `Odoo outages of ${o.outageMinutes.join(' and ')} minutes, ${o.kills} SIGKILLs, a PostgreSQL restart (time scale ${o.timeScale}: 1 s = ${o.timeScale / 60} min)`,
  );
  const started = Date.now();
  const faults: Array<Promise<void>> = [];
  const recoveries: Array<Promise<void>> = [];
  for (const { atMs, fault } of faultTimeline(run, loadMs, minute, recoveries))
    faults.push(
      sleep(atMs)
        .then(fault)
        .catch((error: unknown) => o.print(`chaos: a fault failed: ${(error as Error).message}`)),
    );
  const refunds: Array<Promise<void>> = [];
  const stock = changeStockWhile(run, () => Date.now() - started < loadMs);
  for (let n = 0; n < o.orders; n++) {
    const due = started + (n / o.rate) * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
    const order = await placeOrder(run, n).catch((error: unknown) => {
      o.print(`chaos: order ${n} not placed: ${(error as Error).message}`);
      return undefined;
    });
    if (order && Math.random() < o.refundShare) refunds.push(sleep(2000 + random(4000)).then(() => refund(run, order.id)));
  }
  o.print(`chaos: ${o.orders} orders placed after ${Math.round((Date.now() - started) / 1000)} s`);
  await Promise.all([...faults, ...refunds, stock]);
  const ended = Date.now();
  // Shopify's faults (duplicated and reordered deliveries, 503 and THROTTLED answers) stay on
  // while the backlog drains, until the comparison agrees (converge).
  o.print(
    `chaos: load, outages and kills over after ${Math.round((ended - started) / 1000)} s; comparing (Shopify's faults stay on until they agree)`,
  );
  return { endedAt: ended, recoveries: Promise.all(recoveries) };
}

/**
 * When each fault starts (ms after the load's start): at its share of the load's length, but never
 * within `quietSeconds` after a kill (nor 5 s after an outage or the PostgreSQL restart ends), so a
 * kill is not followed by an outage that pauses the queues before its jobs are taken over (a
 * 2,000-order run once measured 61 s for a kill 16 s before the long outage). With the defaults
 * the last two kills fall after the orders are placed, while the backlog drains; each kill prints
 * how many jobs were active.
 */
function faultTimeline(
  run: Run,
  loadMs: number,
  minute: number,
  recoveries: Array<Promise<void>>,
): Array<{ atMs: number; fault: () => Promise<void> }> {
  const { o } = run;
  const kills = [0.05, 0.22, 0.38, 0.8, 0.92].slice(0, o.kills).map((share, k) => ({
    share,
    lastsMs: 0,
    // The fault is over once the replica is killed; its takeover is measured on (recoveries).
    fault: async () => {
      recoveries.push((await killReplica(run, k % o.replicas, k + 1)).measured);
    },
  }));
  const short = o.outageMinutes[0] * minute;
  const long = o.outageMinutes[1] * minute;
  const plan = [
    ...kills,
    { share: 0.16, lastsMs: short, fault: () => outage(run, short, 'short') },
    { share: 0.34, lastsMs: o.postgresDownSeconds * 1000, fault: () => restartPostgres(run) },
    { share: 0.5, lastsMs: long, fault: () => outage(run, long, 'long') },
  ].sort((a, b) => a.share - b.share);
  let free = 0;
  return plan.map((f) => {
    const atMs = Math.max(Math.round(f.share * loadMs), free);
    // After a kill, the quiet window; after an outage or the restart, a few seconds to settle.
    free = atMs + f.lastsMs + (f.lastsMs === 0 ? o.quietSeconds : Math.min(5, o.quietSeconds)) * 1000;
    return { atMs, fault: f.fault };
  });
}

const EMAILS = 100;

async function placeOrder(run: Run, n: number): Promise<{ id: number }> {
  const lines = Array.from({ length: 1 + random(3) }, () => run.skus[random(run.skus.length)]!);
  const unique = [...new Set(lines)];
  const person = n % EMAILS;
  return sim<{ id: number }>(run, 'POST', '/orders', {
    email: `chaos-${person}@example.com`,
    customer: { firstName: `Chaos${person}`, lastName: 'Buyer' },
    lines: unique.map((sku) => ({ sku, quantity: 1 + random(3), price: `${10 + Number(sku.slice(-3))}.50` })),
    shippingLines: [{ title: 'Standard', price: '4.90' }],
    shippingAddress: { first_name: 'Chaos', last_name: 'Buyer', address1: '1 Main St', city: 'Brussels', zip: '1000', country_code: 'BE' },
    financialStatus: 'paid',
  });
}

/** A refund of one unit of the order's first line, restocked (the order is not fulfilled). */
async function refund(run: Run, orderId: number): Promise<void> {
  const order = await sim<{ line_items: Array<{ id: number; current_quantity?: number; quantity: number }> }>(
    run,
    'GET',
    `/orders/${orderId}`,
  );
  const line = order.line_items[0];
  if (!line) return;
  await sim(run, 'POST', `/orders/${orderId}/refunds`, { lines: [{ lineItemId: line.id, quantity: 1, restockType: 'cancel' }] }).catch(
    (error: unknown) => run.o.print(`chaos: refund of order ${orderId} failed: ${(error as Error).message}`),
  );
}

/** The merchant changes stock in Odoo about once a second (the outbox carries it to Shopify). */
async function changeStockWhile(run: Run, going: () => boolean): Promise<void> {
  while (going()) {
    const sku = run.skus[random(run.skus.length)]!;
    const wh = run.warehouses[random(run.warehouses.length)]!;
    await run.target.merchant.setStock(run.variants[sku]!, wh, STOCK - 1000 + random(2000)).catch(() => undefined);
    await sleep(1000);
  }
}

async function outage(run: Run, ms: number, which: string): Promise<void> {
  run.o.print(
    `chaos: Odoo ${which} outage: unreachable for ${Math.round(ms / 1000)} s (${Math.round((ms * run.o.timeScale) / 60_000)} simulated minutes)`,
  );
  await run.proxy.down();
  await sleep(ms);
  await run.proxy.up();
  run.o.print(`chaos: Odoo reachable again after the ${which} outage`);
}

async function restartPostgres(run: Run): Promise<void> {
  run.o.print(`chaos: PostgreSQL restart (fast shutdown, down ${run.o.postgresDownSeconds} s)`);
  await run.pg.restart(run.o.postgresDownSeconds * 1000);
  run.o.print('chaos: PostgreSQL back');
}

/**
 * SIGKILLs replica `i` (its restart policy starts it again) and measures, over the jobs active at
 * that moment, how long until every one the killed replica held was taken over (claimed again as
 * a new attempt by a live worker — pg-boss counts the claim in retry_count —, or settled:
 * finished, or failed by a live worker and waiting out its retry backoff) and until every one was
 * done. Which replica ran a job is not in pg-boss's table, but its heartbeat says it: a live
 * worker refreshes `heartbeat_on` every 5 s, a dead one never again. So a job still `active` in
 * the same attempt whose heartbeat moved since the kill belongs to a live worker (the other
 * replica's long job, e.g. one waiting for the Shopify budget) and is not waiting for a takeover.
 * A job that failed for its own reason (a refund waiting for its order) sits in `retry`
 * for its backoff, which says nothing about the kill, so it counts as taken over; a job the sweep
 * put back after the kill (reason "heartbeat lost") counts only once claimed again. Jobs still
 * waiting 30 s after the kill are printed.
 */
const WAITING_FOR_TAKEOVER = `j.state IN ('created', 'active', 'retry') AND j.retry_count <= a.retry_count
  AND NOT (j.state = 'active' AND j.heartbeat_on IS DISTINCT FROM a.heartbeat_on)
  AND NOT (j.state = 'retry' AND coalesce(j.output ->> 'reason', '') NOT LIKE 'heartbeat lost%')`;

/** The jobs active at a kill (one entry per job), as arrays for `unnest`. */
interface KillSnapshot {
  ids: string[];
  attempts: number[];
  heartbeats: Array<string | null>;
}

const SNAPSHOT_JOBS = `unnest($1::uuid[], $2::int[], $3::timestamptz[]) AS a(id, retry_count, heartbeat_on)
         JOIN shopify_sync_queue.job j ON j.id = a.id`;

/**
 * Names the jobs of a kill not yet taken over, with what could keep a live worker from claiming
 * them: due or not, another job of the key holding its slot, the row locked by a transaction.
 */
async function printLate(run: Run, nth: number, snapshot: KillSnapshot): Promise<void> {
  type Late = { id: string; name: string; state: string; reason: string | null; due: boolean; key_busy: number };
  const { rows } = await run.db
    .query<Late>(
      `SELECT j.id, j.name, j.state, left(j.output ->> 'reason', 120) AS reason,
              j.start_after <= now() AS due,
              (SELECT count(*)::int FROM shopify_sync_queue.job b
                WHERE b.name = j.name AND b.singleton_key = j.singleton_key AND b.id <> j.id
                  AND b.state IN ('active', 'retry', 'failed')) AS key_busy
         FROM ${SNAPSHOT_JOBS}
        WHERE ${WAITING_FOR_TAKEOVER}`,
      [snapshot.ids, snapshot.attempts, snapshot.heartbeats],
    )
    .catch(() => ({ rows: [] as Late[] }));
  const locked = await lockedRows(
    run,
    rows.map((r) => r.id),
  );
  for (const r of rows)
    run.o.print(
      `chaos: SIGKILL #${nth}: after 30 s still not taken over: ${r.name} job ${r.id} ${r.state} ${r.reason ?? ''} (due: ${r.due}, other jobs of its key holding the slot: ${r.key_busy}, row locked by a transaction: ${locked?.has(r.id) ?? 'unknown'})`,
    );
}

/** Which of these job rows a transaction holds locked (a fetch's SKIP LOCKED passes them over). */
async function lockedRows(run: Run, ids: string[]): Promise<Set<string> | undefined> {
  const client = await run.db.connect().catch(() => undefined);
  if (!client) return undefined;
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ id: string }>(
      'SELECT id FROM shopify_sync_queue.job WHERE id = ANY($1::uuid[]) FOR UPDATE SKIP LOCKED',
      [ids],
    );
    const free = new Set(rows.map((r) => r.id));
    return new Set(ids.filter((id) => !free.has(id)));
  } catch {
    return undefined;
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

/** The jobs active right now, or null when the database did not answer within about 5 s. */
async function activeJobs(run: Run): Promise<KillSnapshot | null> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const { rows } = await run.db.query<{ id: string; retry_count: number; heartbeat_on: string | null }>(
        `SELECT id, retry_count, heartbeat_on::text FROM shopify_sync_queue.job WHERE state = 'active'`,
      );
      return { ids: rows.map((r) => r.id), attempts: rows.map((r) => r.retry_count), heartbeats: rows.map((r) => r.heartbeat_on) };
    } catch {
      await sleep(250);
    }
  }
  return null;
}

/** Kills replica `i` (once it is up) and returns the measure of the takeover, which goes on. */
async function killReplica(run: Run, i: number, nth: number): Promise<{ measured: Promise<void> }> {
  const r = run.replicas[i]!;
  // A replica still starting again after the previous kill or the PostgreSQL restart: wait for it
  // rather than skip the kill (a skipped kill would be missing from the figures).
  const up = await until(`replica ${i + 1} up for SIGKILL #${nth}`, 120_000, () => Promise.resolve(Boolean(r.process && r.alive))).then(
    () => true,
    () => false,
  );
  if (!up || !r.process) {
    run.o.print(`chaos: SIGKILL #${nth}: replica ${i + 1} was not up within 120 s; not killed, not measured`);
    run.recoveries.push({ kill: nth, jobs: 0, takenOverSeconds: null, doneSeconds: null });
    return { measured: Promise.resolve() };
  }
  const killedAt = Date.now();
  r.alive = false;
  r.process.child.kill('SIGKILL');
  await r.process.exited;
  // Read after the kill: the dead replica's heartbeats are frozen from here on, so none of its
  // jobs can be mistaken for a live worker's by a refresh between this read and the kill.
  const active = await activeJobs(run);
  if (active === null) {
    // Not "no job active": a kill measured over nothing would report a recovery that never was.
    run.o.print(`chaos: SIGKILL #${nth}: the active jobs could not be read; this kill is not measured`);
    run.recoveries.push({ kill: nth, jobs: 0, takenOverSeconds: null, doneSeconds: null });
  }
  run.o.print(
    `chaos: SIGKILL #${nth}: replica ${i + 1} killed with ${active?.ids.length ?? 'unknown'} jobs active on both replicas; its restart policy starts it again 2 s later`,
  );
  // Wrapped: an async function returning the promise itself would wait for the measure.
  return { measured: active === null ? Promise.resolve() : measureTakeover(run, nth, killedAt, active) };
}

/** How long until the jobs active at a kill were all taken over, and all done (WAITING_FOR_TAKEOVER). */
async function measureTakeover(run: Run, nth: number, killedAt: number, active: KillSnapshot): Promise<void> {
  let takenOver: number | null = null;
  let done: number | null = null;
  let reportedLate = false;
  const deadline = killedAt + 300_000;
  while (done === null && Date.now() < deadline) {
    const { rows } = await run.db
      .query<{ waiting: number; unfinished: number }>(
        `SELECT count(*) FILTER (WHERE ${WAITING_FOR_TAKEOVER})::int AS waiting,
                count(*) FILTER (WHERE j.state NOT IN ('completed', 'failed', 'cancelled'))::int AS unfinished
           FROM ${SNAPSHOT_JOBS}`,
        [active.ids, active.attempts, active.heartbeats],
      )
      .catch(() => ({ rows: [{ waiting: -1, unfinished: -1 }] }));
    const seconds = (Date.now() - killedAt) / 1000;
    if (takenOver === null && rows[0]!.waiting === 0) takenOver = seconds;
    if (takenOver === null && !reportedLate && seconds > 30) {
      reportedLate = true;
      await printLate(run, nth, active);
    }
    if (rows[0]!.unfinished === 0) done = seconds;
    else await sleep(250);
  }
  run.recoveries.push({ kill: nth, jobs: active.ids.length, takenOverSeconds: takenOver, doneSeconds: done });
  const fmt = (x: number | null) => (x === null ? 'not within 300 s' : `after ${x.toFixed(1)} s`);
  run.o.print(
    `chaos: SIGKILL #${nth}: the ${active.ids.length} jobs active at the kill taken over ${fmt(takenOver)}, all done ${fmt(done)}`,
  );
}

async function converge(run: Run, endedAt: number, measures: Promise<unknown>): Promise<ChaosResult> {
  const get = <T>(route: string) => sim<T>(run, 'GET', route);
  const compareNow = () => compare(get, run.target, run.skus);
  let comparison = await compareNow();
  // converged_after_s: when orders, totals, stock, refunds and Shopify's products first all agreed.
  let convergedAt: number | null = null;
  const deadline = endedAt + run.o.convergeTimeoutSeconds * 1000;
  for (;;) {
    if (isConverged(comparison)) {
      convergedAt = Date.now();
      break;
    }
    if (Date.now() > deadline) break;
    await sleep(5000);
    comparison = await compareNow().catch(() => comparison);
  }
  await sim(run, 'DELETE', '/faults');
  const convergedAfterSeconds = convergedAt === null ? null : Math.round((convergedAt - endedAt) / 1000);
  // A flow's dead letter is work left undone (and alerted on, docs/operations.md "Alerts"); a
  // scheduled job's (the orders pull, the reconciliation) is a run the next tick repeats: printed,
  // not a failure of the run.
  const { rows } = await run.db.query<{ name: string; n: number }>(
    `SELECT name, count(*)::int AS n FROM shopify_sync_queue.job WHERE name LIKE '%.dlq' GROUP BY name`,
  );
  const flowDlqs = new Set(FLOW_QUEUES.map((q) => `${q}.dlq`));
  const deadLetters = rows.filter((r) => flowDlqs.has(r.name)).reduce((n, r) => n + r.n, 0);
  const scheduledDeadLetters = rows.filter((r) => !flowDlqs.has(r.name)).map((r) => `${r.name} ${r.n}`);
  const stats = await get<{ requests: number; forcedThrottles: number; bucketThrottles: number; apiErrors: number }>('/stats');
  for (const line of comparison.examples) run.o.print(`chaos:   ${line}`);
  run.o.print(
    `chaos: Shopify Admin API: ${stats.requests} requests, ${stats.apiErrors} answered 503 and ${stats.forcedThrottles} THROTTLED by the faults, ` +
      `${stats.bucketThrottles} THROTTLED because the shared budget was overspent`,
  );
  run.o.print(
    `chaos: dead letters of flows: ${deadLetters}; of scheduled jobs: ${scheduledDeadLetters.join(', ') || 'none'}; Shopify products per SKU above one: ${comparison.shopifyDuplicates}; ` +
      `refund deliveries in the inbox: ${await refundDeliveries(run)} of ${comparison.refunds} refunds (informative: a refund whose webhooks were lost is applied by the orders pull)`,
  );
  const line =
    `orders=${comparison.orders} lost=${comparison.lost} duplicated=${comparison.duplicated} ` +
    `totals_mismatched=${comparison.totalsMismatched} stock_mismatched=${comparison.stockMismatched} ` +
    `refunds=${comparison.refunds} refunds_missing=${comparison.refundsMissing} refunds_duplicated=${comparison.refundsDuplicated} ` +
    `refunds_amount_mismatched=${comparison.refundsAmountMismatched} ` +
    `converged_after_s=${convergedAfterSeconds ?? 'never'}`;
  await measures;
  const recoveries = [...run.recoveries].sort((a, b) => a.kill - b.kill);
  // Two replicas share one Shopify budget: a THROTTLED answer the faults did not force means it was overspent.
  const ok = isConverged(comparison) && deadLetters === 0 && stats.bucketThrottles === 0;
  return { ok, comparison, convergedAfterSeconds, recoveries, deadLetters, bucketThrottles: stats.bucketThrottles, line };
}

/** Refunds with a refunds/create delivery in the inbox (printed, not compared). */
async function refundDeliveries(run: Run): Promise<number | string> {
  const { rows } = await run.db
    .query<{ n: number }>(
      `SELECT count(DISTINCT payload->>'id')::int AS n FROM shopify_sync.webhook_inbox WHERE topic = 'refunds/create' AND payload ? 'id'`,
    )
    .catch(() => ({ rows: [] as Array<{ n: number }> }));
  return rows[0]?.n ?? 'unknown';
}

async function tearDown(run: Run): Promise<void> {
  run.stopping = true;
  for (const r of run.replicas) {
    r.alive = false;
    if (r.process) await stopProcess(r.process);
  }
  await stopProcess(run.sim);
  await run.target.stop();
  await run.proxy.close();
  await run.balancer.close();
  await run.db.end().catch(() => undefined);
  await run.pg.stop();
}

function parseArgs(argv: string[]): Omit<ChaosOptions, 'realOdoo' | 'print'> {
  const options = argv.includes('--smoke') ? { ...SMOKE } : { ...FULL };
  const numeric = ['orders', 'rate', 'skus', 'seed', 'time-scale', 'kills'] as const;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--smoke') continue;
    if (flag === '--plan') {
      const plan = argv[++i];
      if (plan !== 'standard' && plan !== 'advanced' && plan !== 'plus') throw new Error('chaos: --plan takes standard, advanced or plus');
      options.plan = plan;
      continue;
    }
    const name = flag.replace(/^--/, '') as (typeof numeric)[number];
    const value = Number(argv[++i]);
    if (!numeric.includes(name) || !Number.isFinite(value) || value <= 0) throw new Error(`chaos: unknown option or bad value: ${flag}`);
    if (name === 'time-scale') options.timeScale = value;
    else options[name] = value;
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const real = realOdooFromEnv();
  const cpus = os.cpus();
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(
    `chaos: machine: ${cpus.length} cores (${cpus[0]?.model ?? 'unknown'}), load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const result = await runChaos({ ...options, realOdoo: real, print });
  const fmt = (x: number | null) => (x === null ? 'not within 300 s' : `after ${x.toFixed(1)} s`);
  for (const r of result.recoveries) {
    print(`chaos: SIGKILL #${r.kill}: ${r.jobs} jobs active, taken over ${fmt(r.takenOverSeconds)}, done ${fmt(r.doneSeconds)}`);
  }
  print(result.line);
  process.exit(result.ok ? 0 : 1);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`chaos: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
