/**
 * The Shopify simulator as an express app: Admin GraphQL at /admin/api/{version}/graphql.json
 * (X-Shopify-Access-Token), the control API under /_sim, in-memory state with JSON save/load,
 * webhook deliveries and fault injection. `createSimulator(options)` is used in-process by tests
 * and by main.ts standalone.
 */
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { availableSchemaVersions, loadAdminSchema } from '../testing/shopify-schema.js';
import { LeakyBucket } from './bucket.js';
import { realClock } from './clock.js';
import { seedDemoCatalog } from './domain/catalog.js';
import type { DomainContext, SimEvent } from './domain/context.js';
import { createSubscription } from './domain/subscriptions.js';
import { Faults } from './faults.js';
import { bulkFilesRouter, setBulkBaseUrl } from './graphql/bulk.js';
import { executeAdminGraphql } from './graphql/execute.js';
import { IdempotencyStore } from './graphql/idempotency.js';
import { initialState, loadStateFile, saveState, type SimState } from './state.js';
import { WebhookDispatcher } from './webhooks.js';
import { controlRouter } from './control.js';
import { topicToEnum } from './topics.js';
import type { SimStats, Simulator, SimulatorOptions } from './simulator.js';

export type { Simulator, SimulatorOptions } from './simulator.js';

export const DEFAULTS = {
  shopDomain: 'sim-shop.myshopify.com',
  accessToken: 'shpat_simulator_token',
  apiSecret: 'simulator_app_secret',
  webhookApiVersion: '2026-10',
} as const;

/** Versions the simulator serves, oldest first; `unstable` is served but never the fallback. */
function versions(): { handle: string; supported: boolean }[] {
  return availableSchemaVersions().map((handle) => ({ handle, supported: handle !== 'unstable' }));
}

export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const clock = options.clock ?? realClock;
  const settings = {
    shopDomain: options.shopDomain ?? DEFAULTS.shopDomain,
    accessToken: options.accessToken ?? DEFAULTS.accessToken,
    apiSecret: options.apiSecret ?? DEFAULTS.apiSecret,
    webhookApiVersion: options.webhookApiVersion ?? DEFAULTS.webhookApiVersion,
  };
  const faults = new Faults(options.seed ?? 1);
  const stats: SimStats = {
    requests: 0,
    apiErrors: 0,
    forcedThrottles: 0,
    bucketThrottles: 0,
    pointsCharged: 0,
    pointsByOperation: {},
    callsByOperation: {},
  };
  const bucket = new LeakyBucket(clock, options.plan ?? 'standard');
  let state: SimState;
  const dom: DomainContext = {
    get state() {
      return state;
    },
    clock,
    emit: (events: SimEvent[]) => webhooks.emit(events),
  };

  function fresh(): SimState {
    const s = initialState({
      shopDomain: settings.shopDomain,
      ...(options.currency ? { currency: options.currency } : {}),
      now: new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    s.shop.plan = options.plan ?? 'standard';
    state = s;
    if (options.demoCatalog !== false) seedDemoCatalog(dom);
    for (const sub of options.appSubscriptions ?? []) createSubscription(dom, { ...sub, source: 'app' });
    return s;
  }

  state = options.stateFile ? loadStateFile(options.stateFile) : fresh();
  if (options.stateFile) {
    // App-configured subscriptions come from the options, not from the saved state.
    for (const sub of options.appSubscriptions ?? []) {
      if (!state.subscriptions.some((s) => s.source === 'app' && s.uri === sub.uri && s.topic === topicToEnum(sub.topic)))
        createSubscription(dom, { ...sub, source: 'app' });
    }
  }
  const known = versions();
  // Declared after `dom`, whose emit reads it only once the simulator runs.
  const webhooks = new WebhookDispatcher({
    state: () => state,
    clock,
    faults,
    secret: settings.apiSecret,
    apiVersion: settings.webhookApiVersion,
    ...(options.webhookRetryDelaysMs ? { retryDelaysMs: options.webhookRetryDelaysMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.webhookTimeoutMs ? { timeoutMs: options.webhookTimeoutMs } : {}),
    ...(options.maxDeliveriesKept ? { maxDeliveriesKept: options.maxDeliveriesKept } : {}),
  });
  const idempotency = new IdempotencyStore(() => state);

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '5mb' }));

  app.post('/admin/api/:version/graphql.json', (req: Request, res: Response, next: NextFunction) => {
    const token = req.get('X-Shopify-Access-Token');
    if (token !== settings.accessToken) {
      res.status(401).json({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
      return;
    }
    const requested = String(req.params.version);
    // Falling forward: an unknown or retired version is answered by the oldest supported one.
    const served = known.some((v) => v.handle === requested) ? requested : known.find((v) => v.supported)?.handle;
    if (!served) {
      next(new Error('no Shopify schema available; run scripts/fetch-shopify-schemas.sh'));
      return;
    }
    res.set('X-Shopify-API-Version', served);
    res.set('X-Request-Id', faults.uuid());
    if (faults.config.deprecatedVersions.includes(served)) {
      res.set('X-Shopify-API-Deprecated-Reason', 'https://shopify.dev/api/usage/versioning#deprecation-practices');
    }
    stats.requests += 1;
    // Staged upload and bulk result URLs point back at the simulator as the client reached it.
    setBulkBaseUrl(`${req.protocol}://${req.get('host') ?? '127.0.0.1'}`);
    if (faults.roll(faults.config.apiErrorRate)) {
      stats.apiErrors += 1;
      const status = faults.config.apiErrorStatus;
      res.status(status).json({ errors: status === 503 ? 'Service Unavailable' : 'Internal Server Error' });
      return;
    }
    const timeout = faults.roll(faults.config.apiTimeoutRate);
    let forced = false;
    const run = () => {
      const result = executeAdminGraphql({
        schema: loadAdminSchema(served),
        request: (req.body ?? {}) as Record<string, unknown>,
        context: { dom, apiVersion: served, webhookApiVersion: settings.webhookApiVersion, supportedVersions: known, idempotency },
        bucket,
        forceThrottle: () => (forced = faults.takeForcedThrottle() || faults.roll(faults.config.throttleRate)),
      });
      const errors = (result.body as { errors?: unknown }).errors;
      const throttled =
        Array.isArray(errors) && errors.some((e) => (e as { extensions?: { code?: unknown } }).extensions?.code === 'THROTTLED');
      if (throttled) stats[forced ? 'forcedThrottles' : 'bucketThrottles'] += 1;
      const cost = (result.body as { extensions?: { cost?: { actualQueryCost?: unknown } } }).extensions?.cost;
      if (typeof cost?.actualQueryCost === 'number') {
        stats.pointsCharged += cost.actualQueryCost;
        const operation = operationNameOf(req.body) ?? '(anonymous)';
        stats.pointsByOperation[operation] = (stats.pointsByOperation[operation] ?? 0) + cost.actualQueryCost;
        stats.callsByOperation[operation] = (stats.callsByOperation[operation] ?? 0) + 1;
      }
      return result;
    };
    if (timeout) {
      // The answer never comes: with apiTimeoutAfterExecute the write has happened all the same.
      if (faults.config.apiTimeoutAfterExecute) run();
      const timer = setTimeout(() => req.socket.destroy(), faults.config.apiTimeoutMs);
      req.socket.once('close', () => clearTimeout(timer));
      return;
    }
    const result = run();
    res.status(result.status).json(result.body);
  });

  const simulator: Simulator = {
    app,
    get state() {
      return state;
    },
    dom,
    bucket,
    faults,
    stats,
    get webhooks() {
      return webhooks;
    },
    idempotency,
    options: settings,
    control: {
      reset() {
        webhooks.reset();
        faults.reset();
        bucket.setAvailable(bucket.maximumAvailable);
        fresh();
      },
      save(file: string) {
        saveState(state, file);
      },
      load(file: string) {
        webhooks.reset();
        state = loadStateFile(file);
      },
      setState(next: SimState) {
        state = next;
      },
    },
    idle: () => webhooks.idle(),
    listen(port: number, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
        servers.push(server);
      });
    },
    async close() {
      webhooks.reset();
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((r) => {
              s.closeAllConnections?.();
              s.close(() => r());
            }),
        ),
      );
      servers.length = 0;
    },
  };
  const servers: Server[] = [];
  app.use('/_sim', controlRouter(simulator));
  app.use(
    '/_sim-files',
    bulkFilesRouter(() => state),
  );
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number }).status ?? 500;
    res.status(status).json({ error: error.message });
  });
  return simulator;
}

/** The request's operation name, given or read from its document (`query Name …`), for the stats. */
function operationNameOf(body: unknown): string | undefined {
  const request = (body ?? {}) as { operationName?: unknown; query?: unknown };
  if (typeof request.operationName === 'string') return request.operationName;
  return typeof request.query === 'string' ? /\b(?:query|mutation)\s+([A-Za-z_]\w*)/.exec(request.query)?.[1] : undefined;
}
