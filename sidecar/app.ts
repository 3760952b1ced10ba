/**
 * Composition root: builds every part of the sidecar from the validated config and wires them.
 * Nothing else constructs clients, pools or queues; tests and the demo call `createSidecar` with
 * injected parts (an Odoo double, the simulator's fetch) where they need to.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type pg from 'pg';
import type { Config } from './config/index.js';
import { migrate } from './db/migrate.js';
import { createPool } from './db/pool.js';
import { createAdminRouter } from './http/admin/index.js';
import { createHttpApp } from './http/app.js';
import { createReadiness } from './http/readiness.js';
import { createWebhookRouter } from './http/webhooks/intake.js';
import { checkContract } from './odoo/check-contract.js';
import { createOdooClient } from './odoo/client.js';
import type { OdooCaller } from './odoo/types.js';
import { createOdooContract, type OdooContract } from './odoo/contract.js';
import { createOdooWakeRouter } from './http/odoo-wake.js';
import { createOutboxRelay, type OutboxRelay } from './relay/outbox.js';
import type { Flow } from './flows/context.js';
import { FLOWS, registerFlows } from './flows/index.js';
import { createWebhookSubscriptions, type WebhookSubscriptions } from './schedules/webhook-subscriptions/index.js';
import { onboardingGate, runOnboarding } from './onboarding/index.js';
import { createOnboardingAdminRouter } from './http/admin-onboarding.js';
import type { Logger } from './observability/logger.js';
import { createAlerter, type Alerter } from './observability/alerts.js';
import { createDashboardRouter } from './observability/dashboard.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { createRollupWriter, type RollupWriter } from './observability/rollup.js';
import { createQueue, type SyncQueue } from './queue/queue.js';
import { checkApiVersion, createShopifyBudget, createShopifyClient, type ShopifyClient } from './shopify/index.js';

export interface SidecarDeps {
  logger: Logger;
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
  pool: pg.Pool;
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
  http: Express;
  /** Resolves once Odoo answered the contract check and the flows' workers run. */
  workersStarted: Promise<string[]>;
  /** Migrates, starts the queue and checks both APIs; then serves HTTP. Returns the bound port. */
  start(options?: { listen?: boolean }): Promise<{ port: number }>;
  /** Graceful stop: no new requests, in-flight jobs finish or go back to the queue, pools close. */
  stop(): Promise<void>;
}

export function createSidecar(config: Config, deps: SidecarDeps): Sidecar {
  const { logger } = deps;
  const pool = createPool(config.database.url, config.database.poolSize);
  const metrics = createMetrics();
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
  const budget = createShopifyBudget({ pool, schema: config.database.appSchema, shopDomain: config.shopify.shopDomain });
  const shopify = createShopifyClient({
    shopDomain: config.shopify.shopDomain,
    apiVersion: config.shopify.apiVersion,
    adminBaseUrl: config.shopify.adminBaseUrl || undefined,
    auth: config.shopify.auth,
    requestTimeoutMs: config.shopify.requestTimeoutMs,
    maxRetries: config.shopify.maxRetries,
    budget,
    logger,
    ...(deps.shopifyFetch ? { fetch: deps.shopifyFetch } : {}),
  });
  // Timed in one place for the JSON-RPC client and an injected double alike (metrics).
  const odoo = metrics.instrumentOdoo(
    deps.odoo ??
      createOdooClient({
        url: config.odoo.url,
        db: config.odoo.db,
        user: config.odoo.user,
        apiKey: config.odoo.apiKey,
        protocol: config.odoo.protocol,
        requestTimeoutMs: config.odoo.requestTimeoutMs,
        logger,
      }),
  );

  const contract = createOdooContract(odoo);
  const relay = createOutboxRelay({
    contract,
    queue,
    logger,
    shop: config.shopify.shopDomain,
    pollSeconds: config.odoo.outboxPollSeconds,
    onPull: (info) => metrics.recordOutboxPull(info),
  });
  const wake = createOdooWakeRouter({ secret: config.odoo.wakeSecret, onWake: () => relay.wake(), logger });

  const webhooks = createWebhookRouter({
    pool,
    schema: config.database.appSchema,
    secrets: config.shopify.webhookSecrets,
    maxBodyBytes: config.webhooks.maxBodyBytes,
    logger,
    onOutcome: (event) => metrics.recordWebhook(event),
    enqueue: async (client, job, route) => {
      await queue.sendInTransaction(client, route.queue, job, {
        key: route.key,
        id: `webhook:${job.webhookId}`,
        correlationId: job.webhookId,
      });
    },
  });

  const subscriptions = createWebhookSubscriptions({ config, pool, queue, shopify, logger });

  const readiness = createReadiness({
    database: async () => {
      await pool.query('SELECT 1');
    },
    queue: async () => {
      await queue.queueStats();
    },
    odoo: async () => {
      await checkContract(odoo);
    },
    shopify: async () => {
      await shopify.request('Shop', undefined, { lane: 'orders' });
    },
  });

  const admin = createAdminRouter({ config, shop: config.shopify.shopDomain, logger, pool, queue, shopify, contract, odoo });
  const onboardingCtx = { config, logger, pool, shopify, odoo: contract };
  admin.use(
    createOnboardingAdminRouter({
      run: (options) => runOnboarding(onboardingCtx, options),
      status: async () => ({ complete: (await onboardingGate(onboardingCtx)).complete }),
    }),
  );
  metrics.attach({
    queue,
    pool,
    schema: config.database.appSchema,
    budget: () => shopify.budget.snapshot(),
    deprecations: () => shopify.deprecations(),
  });
  const rollup = createRollupWriter({ pool, schema: config.database.appSchema, metrics, logger });
  const alerter = createAlerter({
    pool,
    schema: config.database.appSchema,
    queue,
    alerts: config.alerts,
    publicUrl: config.publicUrl,
    shop: config.shopify.shopDomain,
    logger,
    ...(deps.alertFetch ? { fetch: deps.alertFetch } : {}),
    // Shown on Odoo's Shopify overview (contract report_health).
    reportHealth: async (report) => {
      await contract.reportHealth(report);
    },
  });
  const dashboard = createDashboardRouter({
    adminToken: config.adminToken,
    metricsToken: config.observability.metricsToken,
    publicUrl: config.publicUrl,
    pool,
    schema: config.database.appSchema,
    queue,
    shopify,
    metrics,
    rollup,
    alerter,
    logger,
  });

  const app = createHttpApp({ logger, adminToken: config.adminToken, readiness, webhooks, admin, extra: [wake, dashboard] });
  let server: http.Server | undefined;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let resolveWorkers: (names: string[]) => void = () => {};
  const workersStarted = new Promise<string[]>((resolve) => (resolveWorkers = resolve));

  /**
   * Workers and the outbox relay start only once Odoo speaks a compatible contract. Until then
   * webhooks are still accepted and queued (nothing is lost) and /readyz stays red.
   */
  async function startWorkersWhenOdooAnswers(): Promise<void> {
    if (stopped) return;
    try {
      const info = await checkContract(odoo);
      logger.info('odoo contract', info);
    } catch (error) {
      logger.error('odoo contract check failed; workers wait for Odoo', { error });
      retryTimer = setTimeout(() => void startWorkersWhenOdooAnswers(), deps.odooRetryMs ?? 15_000);
      retryTimer.unref();
      return;
    }
    const names = await registerFlows(
      { config, shop: config.shopify.shopDomain, logger, pool, queue, shopify, odoo: contract },
      deps.flows ?? FLOWS,
    );
    relay.start();
    logger.info('workers started', { flows: names });
    resolveWorkers(names);
  }

  return {
    config,
    logger,
    pool,
    queue,
    shopify,
    odoo,
    contract,
    relay,
    subscriptions,
    metrics,
    rollup,
    alerter,
    http: app,
    workersStarted,
    async start(options = {}) {
      await migrate(pool, config.database.appSchema);
      await queue.start();
      rollup.start();
      alerter.start();
      const version = await checkApiVersion(shopify, { logger });
      for (const warning of version.warnings) logger.warn('shopify api version', { warning });
      await startWorkersWhenOdooAnswers();
      // Independent of Odoo (webhooks must reach the inbox while Odoo is down), and once HTTP
      // listens, so Shopify's first deliveries find it. A failed check is logged and kept in
      // lastCheck(); the schedule repairs it later.
      const ensureSubscriptions = () =>
        subscriptions.start().catch((error: unknown) => logger.error('webhook subscriptions: start failed', { error }));
      if (options.listen === false) {
        await ensureSubscriptions();
        return { port: 0 };
      }
      server = http.createServer(app);
      await new Promise<void>((resolve) => server!.listen(config.port, resolve));
      const { port } = server.address() as AddressInfo;
      logger.info('sidecar listening', { port, shop: config.shopify.shopDomain, apiVersion: config.shopify.apiVersion });
      await ensureSubscriptions();
      return { port };
    },
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      await relay.stop();
      await alerter.stop();
      if (server) {
        const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeIdleConnections();
        await closing;
      }
      const result = await queue.stop({ timeoutMs: config.queue.shutdownTimeoutMs });
      logger.info('sidecar stopped', { ...result });
      await rollup.stop();
      await pool.end();
    },
  };
}
