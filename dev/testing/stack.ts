/**
 * The whole product on one machine, for end-to-end tests and the demo: a real PostgreSQL
 * database, the Shopify simulator listening on a port, the in-process Odoo double (or any
 * OdooCaller, e.g. a real Odoo), and the sidecar configured against them exactly as in production
 * (only environment-shaped config, real HTTP between the parts).
 */
import type { AddressInfo } from 'node:net';
import { createSidecar, type Sidecar } from '../../sidecar/app.js';
import { loadConfig, secretValues, type Config } from '../../sidecar/config/index.js';
import type { Flow, FlowContext } from '../../sidecar/flows/context.js';
import { WEBHOOK_TOPIC_QUEUES } from '../../sidecar/jobs.js';
import { createDoubleMerchant, createOdooDouble, type OdooDouble } from '../odoo-double/index.js';
import type { OdooCaller } from '../../sidecar/odoo/types.js';
import { createLogger, type Logger } from '../../sidecar/observability/logger.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../sim/server.js';
import { testEnv } from './env.js';
import { MemoryTransport } from './memory-transport.js';
import { freePort } from './postgres.js';
import { FLOWS } from '../../sidecar/flows/index.js';
import { readWatermark } from '../../sidecar/flows/orders/store.js';

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const STACK_SHOP = 'e2e-shop.myshopify.com';
/** The simulator's access token and app secret in the stack (the full-sync bench starts the same simulator in a child). */
export const STACK_TOKEN = 'shpat_e2e_access_token';
export const STACK_SECRET = 'e2e_app_secret_value';
const TOKEN = STACK_TOKEN;
const SECRET = STACK_SECRET;

export interface Stack {
  sim: Simulator;
  simUrl: string;
  odoo: OdooDouble | undefined;
  /** The merchant side of the double (what a user does in Odoo); undefined with a real Odoo. */
  merchant: ReturnType<typeof createDoubleMerchant> | undefined;
  sidecar: Sidecar;
  sidecarUrl: string;
  config: Config;
  logs: MemoryTransport;
  /** Calls the simulator's control API (`/_sim/...`) and returns the JSON answer. */
  simControl<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /**
   * Subscribes the simulator's webhooks for `topics` (default: every topic the sidecar processes
   * except the mandatory compliance topics, which an app declares in its configuration and which
   * the Admin API cannot subscribe).
   */
  subscribeWebhooks(topics?: string[]): Promise<void>;
  /**
   * Configures the mandatory compliance topics on the simulated app (as `compliance_topics` in
   * shopify.app.toml does): Shopify delivers them to the sidecar like any webhook, signed.
   */
  configureComplianceWebhooks(): Promise<void>;
  /** What the sidecar gives its flows, for tests that call a flow's functions directly. */
  flowContext(): FlowContext;
  /** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
  waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Database URL (e.g. from testDatabase()). */
  databaseUrl: string;
  flows?: readonly Flow[];
  /** Use this Odoo instead of a fresh double. */
  odoo?: OdooCaller;
  sim?: SimulatorOptions;
  env?: Record<string, string | undefined>;
  /** Replaces the in-memory test logger (the demo logs to a file). */
  logger?: Logger;
  /** Sidecar port (default, or 0: a free one). */
  port?: number;
  /** Replaces global fetch for the sidecar's Shopify calls (the bench records what it sends). */
  shopifyFetch?: typeof fetch;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const sim = createSimulator({ shopDomain: STACK_SHOP, accessToken: TOKEN, apiSecret: SECRET, demoCatalog: false, ...options.sim });
  const simServer = await sim.listen(0);
  const simUrl = `http://127.0.0.1:${(simServer.address() as AddressInfo).port}`;
  // The double is configured as an admin would configure Odoo for this shop: its warehouses map
  // to the simulator's two locations (101, 102).
  const odooDouble = options.odoo
    ? undefined
    : createOdooDouble({
        warehouses: [
          { name: 'Main Warehouse', code: 'WH', location_gid: 'gid://shopify/Location/101' },
          { name: 'Second Warehouse', code: 'WH2', location_gid: 'gid://shopify/Location/102' },
        ],
        // The simulator's shop sells in EUR (or the currency given); Odoo's company currency is the shop currency.
        settings: { company_currency: options.sim?.currency ?? 'EUR', shop_domain: STACK_SHOP },
      });
  // 0 asks for a free port, as for listen(): chosen here, so PUBLIC_URL and the webhook subscriptions name it.
  const port = options.port || (await freePort());
  const config = loadConfig(
    testEnv({
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: options.databaseUrl,
      SHOPIFY_SHOP_DOMAIN: STACK_SHOP,
      SHOPIFY_ADMIN_BASE_URL: simUrl,
      SHOPIFY_ACCESS_TOKEN: TOKEN,
      SHOPIFY_WEBHOOK_SECRET: SECRET,
      QUEUE_RETRY_DELAY_SECONDS: '1',
      QUEUE_RETRY_DELAY_MAX_SECONDS: '2',
      OUTBOX_POLL_SECONDS: '1',
      // Tests subscribe what they need (subscribeWebhooks) and push without onboarding; the
      // webhook-subscriptions and onboarding tests switch these on.
      WEBHOOK_SUBSCRIPTIONS_MANAGE: 'false',
      ONBOARDING_REQUIRED: 'false',
      ...options.env,
    }),
  );
  const logs = new MemoryTransport();
  const logger = options.logger ?? createLogger({ level: 'debug', transports: [logs], secrets: secretValues(config) });
  const sidecar = createSidecar(config, {
    logger,
    odoo: options.odoo ?? odooDouble!,
    queuePollingIntervalSeconds: 0.5,
    ...(options.flows ? { flows: options.flows } : {}),
    ...(options.shopifyFetch ? { shopifyFetch: options.shopifyFetch } : {}),
  });
  await sidecar.start();
  const sidecarUrl = `http://127.0.0.1:${port}`;
  // The orders pull the sidecar runs right after start: tests begin once it is done, so it
  // cannot pick up the orders they place (it sets the watermark when it completes).
  if ((options.flows ?? FLOWS).some((flow) => flow.queues.includes('orders.pull'))) {
    await sidecar.workersStarted;
    await waitUntil('the orders pull at start', () =>
      readWatermark({ config, pool: sidecar.pool, shop: STACK_SHOP }).then((w) => w !== null),
    );
  }

  async function simControl<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${simUrl}/_sim${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`simulator ${method} ${path}: HTTP ${response.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  async function subscribeWebhooks(
    topics = Object.entries(WEBHOOK_TOPIC_QUEUES)
      .filter(([, queue]) => queue !== 'privacy')
      .map(([topic]) => topic),
  ): Promise<void> {
    for (const topic of topics) {
      const response = await fetch(`${simUrl}/admin/api/${config.shopify.apiVersion}/graphql.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-shopify-access-token': TOKEN },
        body: JSON.stringify({
          query: `mutation($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
            webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) { userErrors { message } } }`,
          variables: { topic: topic.toUpperCase().replace('/', '_'), sub: { uri: `${sidecarUrl}/webhooks/shopify`, format: 'JSON' } },
        }),
      });
      const answer = (await response.json()) as { errors?: unknown; data?: { webhookSubscriptionCreate: { userErrors: unknown[] } } };
      if (answer.errors || answer.data?.webhookSubscriptionCreate.userErrors.length) {
        throw new Error(`subscribe ${topic}: ${JSON.stringify(answer.errors ?? answer.data)}`);
      }
    }
  }

  async function configureComplianceWebhooks(): Promise<void> {
    const compliance = Object.entries(WEBHOOK_TOPIC_QUEUES).filter(([, queue]) => queue === 'privacy');
    for (const [topic] of compliance) {
      await simControl('POST', '/webhooks/subscriptions', { topic, uri: `${sidecarUrl}/webhooks/shopify`, source: 'app' });
    }
  }

  async function waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined | false> | T | undefined | false,
    timeoutMs = 15_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  return {
    sim,
    simUrl,
    odoo: odooDouble,
    merchant: odooDouble ? createDoubleMerchant(odooDouble) : undefined,
    sidecar,
    sidecarUrl,
    config,
    logs,
    simControl,
    subscribeWebhooks,
    configureComplianceWebhooks,
    flowContext: () => ({
      config,
      shop: config.shopify.shopDomain,
      logger: sidecar.logger,
      pool: sidecar.pool,
      queue: sidecar.queue,
      shopify: sidecar.shopify,
      odoo: sidecar.contract,
      clock: sidecar.clock,
    }),
    waitFor,
    async stop() {
      await sidecar.stop();
      await sim.close();
    },
  };
}
