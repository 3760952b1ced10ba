/**
 * Composition root: builds every part of the sidecar from the validated config and wires them.
 * Nothing else constructs clients, pools or queues; tests and the demo call `createSidecar` with
 * injected parts (an Odoo double, the simulator's fetch, a clock) where they need to.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type pg from 'pg';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config/index.js';
import { migrate } from './db/migrate.js';
import { createPool } from './db/pool.js';
import { createAdminRouter } from './http/admin/index.js';
import { createHttpApp } from './http/app.js';
import { createReadiness } from './http/readiness.js';
import { createWebhookRouter } from './http/webhooks/intake.js';
import { checkContract } from './odoo/check-contract.js';
import { createOdooClient } from './odoo/client.js';
import { withCallSlots } from './odoo/slots.js';
import type { OdooCaller } from './odoo/types.js';
import { createOdooContract, type OdooContract } from './odoo/contract.js';
import { createOdooWakeRouter } from './http/odoo-wake.js';
import { createOutboxRelay, type OutboxRelay } from './relay/outbox.js';
import type { Flow, FlowContext } from './flows/context.js';
import { FLOWS, registerFlows } from './flows/index.js';
import { createWebhookSubscriptions, type WebhookSubscriptions } from './schedules/webhook-subscriptions/index.js';
import { onboardingGate, runOnboarding } from './onboarding/index.js';
import { readBulkPushState } from './flows/catalog/store.js';
import { createOnboardingAdminRouter } from './http/admin-onboarding.js';
import type { Logger } from './observability/logger.js';
import { createAlerter, type Alerter } from './observability/alerts.js';
import { createDashboardRouter } from './observability/dashboard.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { createRollupWriter, type RollupWriter } from './observability/rollup.js';
import { createQueue, type SyncQueue } from './queue/queue.js';
import { readReadyAges } from './queue/stats.js';
import { describeUnworked, queueAgeConditions, unworkedConditions, unworkedQueues, type UnworkedQueue } from './observability/coverage.js';
import { createPrivacyDueSource } from './flows/privacy/due.js';
import { createBreakers, guarded, pauseWhileDown, SIDES, type Breakers } from './queue/breaker.js';
import { keys, QUEUE_NAMES } from './queue/names.js';
import { createAuthLimiter } from './http/auth-limiter.js';
import { createMetricsApp } from './http/metrics-app.js';
import { readStatus, statusDepsOf } from './ops/status.js';
import { checkApiVersion, createShopifyBudget, createShopifyClient, type ShopifyClient } from './shopify/index.js';

export interface SidecarDeps {
  logger: Logger;
  /** The clock every time comparison reads (default: the system clock; docs/architecture.md, "Time"). */
  clock?: Clock;
  /** Replaces the JSON-RPC client (tests, demo: the in-process Odoo double). */
  odoo?: OdooCaller;
  /** Replaces global fetch for Shopify calls (tests). */
  shopifyFetch?: typeof fetch;
  /** Queue tuning for tests (faster polling). */
  queuePollingIntervalSeconds?: number;
  /** Which flows to run (default: all of flows/index.ts). */
  flows?: readonly Flow[];
  /** How often to retry the Odoo contract check when Odoo did not answer at start (ms). */
  odooRetryMs?: number;
  /** fetch used to POST alerts (tests). */
  alertFetch?: typeof fetch;
}

export interface Sidecar {
  config: Config;
  logger: Logger;
  clock: Clock;
  pool: pg.Pool;
  /** The webhook intake's own pool (DATABASE_INTAKE_POOL_SIZE): no worker takes its connections. */
  intakePool: pg.Pool;
  queue: SyncQueue;
  shopify: ShopifyClient;
  odoo: OdooCaller;
  contract: OdooContract;
  relay: OutboxRelay;
  /** The shop's webhook subscriptions: checked and repaired at start and on WEBHOOK_CHECK_CRON. */
  subscriptions: WebhookSubscriptions;
  metrics: Metrics;
  rollup: RollupWriter;
  alerter: Alerter;
  /** Queues fed (routed topics, outbox events) that no flow of this sidecar works: /readyz fails and an alert names them. */
  unworkedQueues: UnworkedQueue[];
  /** Odoo's and Shopify's circuit breakers: the queues needing a side pause while it is down. */
  breakers: Breakers;
  http: Express;
  /** Resolves once Odoo answered the contract check and the flows' workers run. */
  workersStarted: Promise<string[]>;
  /** Migrates, starts the queue and checks both APIs; then serves HTTP. Returns the bound port. */
  start(options?: { listen?: boolean }): Promise<{ port: number }>;
  /** Graceful stop: no new requests, in-flight jobs finish or go back to the queue, pools close. */
  stop(): Promise<void>;
}

/** The parts built from the config, shared by the HTTP surface and the lifecycle. */
type Parts = Omit<Sidecar, 'http' | 'workersStarted' | 'start' | 'stop'>;

export function createSidecar(config: Config, deps: SidecarDeps): Sidecar {
  const parts = createParts(config, deps);
  const app = createHttp(parts);
  return { ...parts, http: app, ...createLifecycle(parts, app, deps) };
}

function createParts(config: Config, deps: SidecarDeps): Parts {
  const { logger } = deps;
  const clock = deps.clock ?? systemClock;
  const schema = config.database.appSchema;
  const pool = createPool(config.database.url, config.database.poolSize, logger);
  // Opens no connection until the intake's first delivery: nothing in a workers-only process.
  const intakePool = createPool(config.database.url, config.database.intakePoolSize, logger, 'shopify-odoo-sidecar-intake');
  const metrics = createMetrics({ clock });
  const queue = createQueue({
    onAttempt: (event) => metrics.recordAttempt(event),
    connectionString: config.database.url,
    schema: config.database.queueSchema,
    logger,
    retry: {
      limit: config.queue.retryLimit,
      delaySeconds: config.queue.retryDelaySeconds,
      delayMaxSeconds: config.queue.retryDelayMaxSeconds,
    },
    ...(deps.queuePollingIntervalSeconds === undefined ? {} : { pollingIntervalSeconds: deps.queuePollingIntervalSeconds }),
  });
  const breakers = createBreakers({
    failures: config.queue.breakerFailures,
    probeMs: config.queue.breakerProbeSeconds * 1000,
    clock,
    logger,
    probes: {
      odoo: () => checkContract(odoo).then(() => undefined),
      shopify: () => shopify.request('Shop', undefined, { lane: 'orders' }).then(() => undefined),
    },
  });
  pauseWhileDown(breakers, queue, QUEUE_NAMES, logger);
  const shopify = guardShopify(createShopify(config, deps, pool, clock), breakers);
  // Timed in one place for the JSON-RPC client and an injected double alike (metrics).
  const rawOdoo =
    deps.odoo ??
    createOdooClient({
      url: config.odoo.url,
      db: config.odoo.db,
      user: config.odoo.user,
      apiKey: config.odoo.apiKey,
      protocol: config.odoo.protocol,
      requestTimeoutMs: config.odoo.requestTimeoutMs,
      logger,
    });
  const slotted = withCallSlots(rawOdoo, config.odoo.maxConcurrentRequests);
  const odoo = metrics.instrumentOdoo({
    executeKw: (model, method, args, kwargs) => guarded(breakers, 'odoo', () => slotted.executeKw(model, method, args, kwargs)),
  });
  const contract = createOdooContract(odoo);
  const relay = createOutboxRelay({
    contract,
    queue,
    logger,
    shop: config.shopify.shopDomain,
    pollSeconds: config.odoo.outboxPollSeconds,
    onPull: (info) => metrics.recordOutboxPull(info),
  });
  const subscriptions = createWebhookSubscriptions({ config, pool, queue, shopify, logger, clock });
  const queueAges = () => readReadyAges(pool, config.database.queueSchema, QUEUE_NAMES);
  metrics.attach({ queue, pool, schema, budget: () => shopify.budget.snapshot(), deprecations: () => shopify.deprecations(), queueAges });
  // Data-driven: the queues jobs.ts feeds against the queues the configured flows work.
  const unworked = unworkedQueues((deps.flows ?? FLOWS).flatMap((flow) => flow.queues));
  const rollup = createRollupWriter({ pool, schema, metrics, logger, clock });
  const alerter = createSidecarAlerter({ config, deps, pool, queue, shopify, contract, breakers, clock, queueAges, unworked });
  return {
    config,
    logger,
    clock,
    pool,
    intakePool,
    queue,
    shopify,
    odoo,
    contract,
    relay,
    subscriptions,
    metrics,
    rollup,
    alerter,
    unworkedQueues: unworked,
    breakers,
  };
}

/** The alerter with every condition the sidecar watches beyond dead letters and silent topics. */
function createSidecarAlerter(input: {
  config: Config;
  deps: SidecarDeps;
  pool: pg.Pool;
  queue: SyncQueue;
  shopify: ShopifyClient;
  contract: OdooContract;
  breakers: Breakers;
  clock: Clock;
  queueAges: () => Promise<{ queue: string; seconds: number }[]>;
  unworked: UnworkedQueue[];
}): Alerter {
  const { config, deps, pool, queue, shopify, contract, breakers, clock, queueAges, unworked } = input;
  const { logger } = deps;
  const schema = config.database.appSchema;
  const privacyDue = createPrivacyDueSource({ contract, pool, schema, logger, warnDays: config.alerts.privacyDueDays });
  return createAlerter({
    pool,
    schema,
    queue,
    alerts: config.alerts,
    publicUrl: config.publicUrl,
    shop: config.shopify.shopDomain,
    logger,
    clock,
    ...(deps.alertFetch ? { fetch: deps.alertFetch } : {}),
    // Shown on Odoo's Shopify overview (contract report_health).
    reportHealth: (report) => contract.reportHealth(report).then(() => undefined),
    extraConditions: async (at) => [
      ...unworkedConditions(unworked),
      ...queueAgeConditions(await queueAges(), config.alerts.queueAgeMinutes),
      ...(await privacyDue(at)),
    ],
    sidesDown: () =>
      SIDES.flatMap((side) => {
        const state = breakers.state()[side];
        return state.open ? [{ side, since: state.since ?? clock(), reason: state.lastError }] : [];
      }),
    // Same, the status snapshot (contract report_status), without a Shopify call (ops/status.ts).
    reportStatus: () =>
      readStatus(statusDepsOf({ config, pool, queue, shopify, clock }), { live: false })
        .then((status) => contract.reportStatus(status))
        .then(() => undefined),
  });
}

/** The Shopify client with every request's outcome recorded by Shopify's circuit breaker. */
function guardShopify(client: ShopifyClient, breakers: Breakers): ShopifyClient {
  return {
    shopDomain: client.shopDomain,
    apiVersion: client.apiVersion,
    budget: client.budget,
    deprecations: () => client.deprecations(),
    request: (name, variables, options) => guarded(breakers, 'shopify', () => client.request(name, variables, options)),
  };
}

function createShopify(config: Config, deps: SidecarDeps, pool: pg.Pool, clock: Clock): ShopifyClient {
  const budget = createShopifyBudget({ pool, schema: config.database.appSchema, shopDomain: config.shopify.shopDomain, clock });
  return createShopifyClient({
    shopDomain: config.shopify.shopDomain,
    apiVersion: config.shopify.apiVersion,
    adminBaseUrl: config.shopify.adminBaseUrl || undefined,
    auth: config.shopify.auth,
    requestTimeoutMs: config.shopify.requestTimeoutMs,
    maxRetries: config.shopify.maxRetries,
    budget,
    logger: deps.logger,
    clock,
    ...(deps.shopifyFetch ? { fetch: deps.shopifyFetch } : {}),
  });
}

/**
 * The HTTP surface: health and readiness, webhook intake, Odoo's wake-up, admin API, dashboard and
 * /metrics. A workers process has no webhook intake, an intake process no wake-up (it runs no
 * outbox relay) and a readiness without Odoo, Shopify and the workers (docs/operations.md,
 * "Process roles").
 */
function createHttp(parts: Parts): Express {
  const { config, logger, clock, pool, queue, shopify, odoo, contract } = parts;
  const schema = config.database.appSchema;
  const limiter = createAuthLimiter({ logger, clock });
  const webhooks = createWebhookRouter({
    pool: parts.intakePool,
    shop: config.shopify.shopDomain,
    schema,
    secrets: config.shopify.webhookSecrets,
    maxBodyBytes: config.webhooks.maxBodyBytes,
    logger,
    clock,
    onOutcome: (event) => parts.metrics.recordWebhook(event),
    enqueue: async (client, job, route) => {
      await queue.sendInTransaction(client, route.queue, job, webhookJobOptions(job, route));
    },
    enqueueMany: (client, jobs) =>
      queue.sendManyInTransaction(
        client,
        jobs.map(({ job, route }) => ({ queue: route.queue, data: job, options: webhookJobOptions(job, route) })),
      ),
  });
  const readiness = createReadiness(readinessChecks(parts), { clock });
  const admin = createAdminRouter({ config, shop: config.shopify.shopDomain, logger, clock, pool, queue, shopify, contract, odoo });
  const onboardingCtx = { config, logger, pool, shopify, odoo: contract, queue, clock };
  admin.use(
    createOnboardingAdminRouter({
      run: (options) => runOnboarding(onboardingCtx, options),
      status: async () => ({
        complete: (await onboardingGate(onboardingCtx)).complete,
        catalogPush: await readBulkPushState(onboardingCtx),
      }),
    }),
  );
  const wake = createOdooWakeRouter({ secret: config.odoo.wakeSecret, onWake: () => parts.relay.wake(), logger });
  const dashboard = createDashboardRouter({
    adminToken: config.adminToken,
    metricsToken: config.observability.metricsToken,
    publicUrl: config.publicUrl,
    ...{ pool, schema, queue, shopify, logger, clock },
    ...{ metrics: parts.metrics, rollup: parts.rollup, alerter: parts.alerter, limiter },
  });
  return createHttpApp({
    logger,
    adminToken: config.adminToken,
    trustedProxies: config.trustedProxies,
    limiter,
    readiness,
    ...(config.role === 'workers' ? {} : { webhooks }),
    admin,
    extra: config.role === 'intake' ? [dashboard] : [wake, dashboard],
  });
}

/** A delivery's job: its id is the webhook id's, so a redelivery queues nothing twice. */
function webhookJobOptions(job: { webhookId: string }, route: { key: string }) {
  return { key: route.key, id: `webhook:${job.webhookId}`, correlationId: job.webhookId };
}

/**
 * What /readyz checks: what this process's role needs to do its part. An intake process's
 * `database` is its own pool's; it needs neither Odoo, nor Shopify, nor workers to store a delivery.
 */
function readinessChecks(parts: Parts): Record<string, () => Promise<void>> {
  const { pool, intakePool, queue, shopify, odoo } = parts;
  const intake = parts.config.role === 'intake';
  const checks = {
    database: () => (intake ? intakePool : pool).query('SELECT 1').then(() => undefined),
    queue: () => queue.queueStats().then(() => undefined),
  };
  if (intake) return checks;
  return {
    ...checks,
    odoo: () => checkContract(odoo).then(() => undefined),
    shopify: () => shopify.request('Shop', undefined, { lane: 'orders' }).then(() => undefined),
    // A topic routed, or an outbox event relayed, to a queue no flow works waits unseen.
    workers: () => (parts.unworkedQueues.length ? Promise.reject(new Error(describeUnworked(parts.unworkedQueues))) : Promise.resolve()),
  };
}

/** Start and stop, in order; workers start only once Odoo answers the contract check. */
/** Fed queues no configured flow works: said at start as well as by /readyz and the alert. */
function logUnworked(parts: Parts): void {
  if (!parts.unworkedQueues.length) return;
  parts.logger.error('queues fed but not worked', {
    queues: parts.unworkedQueues.map((u) => u.queue),
    detail: describeUnworked(parts.unworkedQueues),
  });
}

function createLifecycle(parts: Parts, app: Express, deps: SidecarDeps): Pick<Sidecar, 'workersStarted' | 'start' | 'stop'> {
  const { config, logger } = parts;
  let server: http.Server | undefined;
  let metricsServer: http.Server | undefined;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let resolveWorkers: (names: string[]) => void = () => {};
  const workersStarted = new Promise<string[]>((resolve) => (resolveWorkers = resolve));
  const { pool, queue, shopify, contract, clock } = parts;
  const flowContext: FlowContext = { config, shop: config.shopify.shopDomain, logger, pool, queue, shopify, odoo: contract, clock };

  /**
   * Workers and the outbox relay start only once Odoo speaks a compatible contract. Until then
   * webhooks are still accepted and queued (nothing is lost) and /readyz stays red.
   */
  async function startWorkersWhenOdooAnswers(): Promise<void> {
    if (stopped) return;
    try {
      logger.info('odoo contract', await checkContract(parts.odoo));
    } catch (error) {
      logger.error('odoo contract check failed; workers wait for Odoo', { error });
      retryTimer = setTimeout(() => void startWorkersWhenOdooAnswers(), deps.odooRetryMs ?? 15_000);
      retryTimer.unref();
      return;
    }
    const flows = deps.flows ?? FLOWS;
    const names = await registerFlows(flowContext, flows);
    parts.relay.start();
    logger.info('workers started', { flows: names });
    if (flows.some((flow) => flow.queues.includes('orders.pull'))) await pullNow();
    resolveWorkers(names);
  }

  /**
   * A pull of recently updated orders right after start, not at the next tick of its schedule:
   * whatever webhooks were missed while this process (or every replica) was down comes in now.
   */
  async function pullNow(): Promise<void> {
    try {
      await queue.send('orders.pull', {}, { key: keys.scheduled('orders.pull'), correlationId: 'start:orders.pull' });
    } catch (error) {
      logger.warn('orders pull at start could not be queued; the schedule runs it', { error });
    }
  }

  return {
    workersStarted,
    async start(options = {}) {
      if (config.role !== 'intake') logUnworked(parts);
      await migrate(parts.pool, config.database.appSchema);
      await parts.queue.start();
      // The intake needs only the database and the queue: it answers before the APIs are
      // checked and before the workers run (Shopify times a delivery out after 5 s).
      let port = 0;
      if (options.listen !== false) ({ server, metricsServer, port } = await listenAll(parts, app));
      if (config.role === 'intake') {
        // The intake only stores and queues; the workers' processes do everything else.
        resolveWorkers([]);
        return { port };
      }
      parts.rollup.start();
      parts.alerter.start();
      const version = await checkApiVersion(parts.shopify, { logger, clock: parts.clock });
      for (const warning of version.warnings) logger.warn('shopify api version', { warning });
      await startWorkersWhenOdooAnswers();
      // Independent of Odoo (webhooks must reach the inbox while Odoo is down), and once HTTP
      // listens, so Shopify's first deliveries find it. A failed check is logged and kept in
      // lastCheck(); the schedule repairs it later.
      await parts.subscriptions.start().catch((error: unknown) => logger.error('webhook subscriptions: start failed', { error }));
      return { port };
    },
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      await parts.relay.stop();
      await parts.alerter.stop();
      parts.breakers.stop();
      if (server) await closeServer(server);
      if (metricsServer) await closeServer(metricsServer);
      const result = await parts.queue.stop({ timeoutMs: config.queue.shutdownTimeoutMs });
      logger.info('sidecar stopped', { ...result });
      await parts.rollup.stop();
      await parts.pool.end();
      await parts.intakePool.end();
    },
  };
}

/** The main port, and the internal metrics port when METRICS_PORT is set. */
async function listenAll(parts: Parts, app: Express): Promise<{ server: http.Server; metricsServer?: http.Server; port: number }> {
  const { config, logger } = parts;
  const { server, port } = await listen(app, config.port, config.host);
  logger.info('sidecar listening', {
    host: config.host,
    port,
    role: config.role,
    shop: config.shopify.shopDomain,
    apiVersion: config.shopify.apiVersion,
  });
  const { metricsPort, metricsHost } = config.observability;
  if (metricsPort <= 0) return { server, port };
  const metricsServer = (await listen(createMetricsApp(parts.metrics), metricsPort, metricsHost)).server;
  logger.info('metrics listening', { host: metricsHost, port: metricsPort });
  return { server, metricsServer, port };
}

/**
 * How long an idle keep-alive connection stays open. Node closes it after 5 s by default; a client
 * or proxy that reuses it at that moment gets a reset instead of an answer (a webhook delivery
 * failed for nothing). Longer than the usual proxies' idle timeouts (60 s), so they close first.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

async function listen(app: Express, port: number, host: string): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(app);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Above the keep-alive timeout, so a request that arrives on a connection about to idle out is
  // not cut by the headers timeout.
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** Stops accepting connections and waits for open requests; idle keep-alive connections close at once. */
/**
 * Stops accepting connections and resolves once every open one has ended. A request in flight is
 * answered first; its connection is then idle, and without the sweep keep-alive would hold it
 * (and the shutdown) open for up to KEEP_ALIVE_TIMEOUT_MS.
 */
export async function closeServer(server: http.Server): Promise<void> {
  const closing = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  try {
    await closing;
  } finally {
    clearInterval(sweep);
  }
}
