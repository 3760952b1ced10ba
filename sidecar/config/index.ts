/**
 * Configuration: the only module that reads environment variables (12-factor).
 *
 * `loadConfig(env)` validates every variable and returns a frozen object, or throws one
 * ConfigError whose message names the variable and what is wrong, e.g.
 *   config: SHOPIFY_API_VERSION must be YYYY-MM (got "2026-13")
 * Secret values are never echoed in messages: only their names and the rule they break.
 * Pure: no I/O.
 */
import { isIP } from 'node:net';
import { retryLimitFor } from '../queue/names.js';
import { secretProblem } from './secrets.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** How the sidecar speaks to Odoo: JSON-RPC (17/18), JSON-2 (19+), or auto (by the server's version). */
export type OdooProtocol = 'auto' | 'jsonrpc' | 'json2';
export type OrderImportPolicy = 'all' | 'paid';
/**
 * What this process runs (12-factor process types; docs/operations.md, "Process roles"): `all`
 * the intake and the workers, `intake` the webhook intake only, `workers` the queue's workers, the
 * outbox relay and the schedules only.
 */
export type ProcessRole = 'all' | 'intake' | 'workers';
export const PROCESS_ROLES: readonly ProcessRole[] = ['all', 'intake', 'workers'];

export interface ShopifyAuthStatic {
  kind: 'static';
  accessToken: string;
}
export interface ShopifyAuthClientCredentials {
  kind: 'client_credentials';
  clientId: string;
  clientSecret: string;
}

export interface Config {
  env: 'production' | 'development' | 'test';
  /** PROCESS_ROLE: which part of the sidecar this process runs. */
  role: ProcessRole;
  port: number;
  /** Address the HTTP server binds (loopback unless set; the container image sets 0.0.0.0). */
  host: string;
  /**
   * Reverse proxies whose `X-Forwarded-For` is believed (IP addresses, CIDR ranges, or Express's
   * names loopback/linklocal/uniquelocal); empty: the header is ignored and the client address is
   * the connection's.
   */
  trustedProxies: string[];
  /** Public base URL of this sidecar; webhook subscriptions point at `${publicUrl}/webhooks/shopify`. */
  publicUrl: string;
  adminToken: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  database: {
    url: string;
    /** Schema for pg-boss's tables. */
    queueSchema: string;
    /** Schema for the sidecar's own tables (webhook inbox, budget, watermarks, reports). */
    appSchema: string;
    poolSize: number;
    /**
     * Connections of the webhook intake's own pool, which no worker uses: a burst of jobs cannot
     * take the connection a delivery's inbox row waits for.
     */
    intakePoolSize: number;
  };
  shopify: {
    shopDomain: string;
    apiVersion: string;
    /** Override of `https://{shopDomain}`, e.g. the simulator's address. Empty = real Shopify. */
    adminBaseUrl: string;
    auth: ShopifyAuthStatic | ShopifyAuthClientCredentials;
    /** Secrets accepted for webhook HMAC; the first is current, a second one is accepted during rotation. */
    webhookSecrets: string[];
    requestTimeoutMs: number;
    maxRetries: number;
  };
  odoo: {
    url: string;
    db: string;
    user: string;
    apiKey: string;
    protocol: OdooProtocol;
    requestTimeoutMs: number;
    /** Odoo calls in flight at most per process; the others wait in the sidecar (./odoo/slots.ts). */
    maxConcurrentRequests: number;
    /** Shared secret of the addon's signed wake-up ping (POST /odoo/wake); empty = polling only. */
    wakeSecret: string;
    /** How often the outbox is drained without a wake-up. */
    outboxPollSeconds: number;
  };
  webhooks: {
    maxBodyBytes: number;
    inboxRetentionDays: number;
    /** Create, check and repair the shop's webhook subscriptions (schedules/webhook-subscriptions). */
    manageSubscriptions: boolean;
    /** 5-field cron (UTC) of the periodic subscription check. */
    checkCron: string;
  };
  onboarding: {
    /** Pushing to Shopify waits until a (non-dry-run) onboarding has linked the existing records. */
    required: boolean;
  };
  orders: {
    /** 5-field cron (UTC) of the scheduled pull of recently updated orders (`orders.pull`). */
    pullCron: string;
    /** The pull reads from its watermark minus this overlap, so late-indexed updates are not missed. */
    pullOverlapMinutes: number;
    /** Orders per OrdersUpdatedSince page. */
    pullPageSize: number;
  };
  catalog: {
    /**
     * Go-live pushes the catalog in one bulk mutation from this many templates on (fewer: one job
     * per template); 0 never pushes in bulk (docs/flows.md, "Go-live in bulk").
     */
    bulkThreshold: number;
    /** 5-field cron (UTC) of the scheduled catalog reconciliation. */
    reconcileCron: string;
  };
  inventory: {
    /** 5-field cron (UTC) of the scheduled inventory reconciliation. */
    reconcileCron: string;
    /**
     * Batches of 250 levels a push or reconcile writes at once (each still paced by the shared
     * cost budget): bounds the Odoo reads and connections in flight, not Shopify's spending.
     */
    pushConcurrency: number;
  };
  queue: {
    /** How long a job's retryable failures are retried before it is dead-lettered (docs/queues.md). */
    retryBudgetSeconds: number;
    /** Retries after the first attempt: QUEUE_RETRY_LIMIT, else derived from the budget (queue/names.ts). */
    retryLimit: number;
    retryDelaySeconds: number;
    retryDelayMaxSeconds: number;
    shutdownTimeoutMs: number;
    /** Consecutive unreachable answers from Odoo or Shopify that pause the queues needing it. */
    breakerFailures: number;
    /** While paused, how often the side is probed; the queues resume on the first good answer. */
    breakerProbeSeconds: number;
  };
  fulfillment: {
    /** Passed as `notifyCustomer` to fulfillmentCreate / fulfillmentTrackingInfoUpdate (Shopify emails the customer). */
    notifyCustomer: boolean;
  };
  reports: {
    /** 5-field cron (UTC) of the daily reconciliation report. */
    reconcileCron: string;
    /** 5-field cron (UTC) of the weekly integrity check. */
    integrityCron: string;
    /** Records sampled per kind by the scheduled integrity check. */
    integritySample: number;
  };
  observability: {
    /** Bearer token for GET /metrics on the main port; empty = /metrics is not served there. */
    metricsToken: string;
    /** A second, internal listener serving only /metrics (no token); 0 = none. */
    metricsPort: number;
    /** Address of that listener (loopback unless set). */
    metricsHost: string;
  };
  alerts: {
    /** Where alerts are POSTed (Slack incoming webhook or compatible); empty = alerts are only logged and shown. */
    webhookUrl: string;
    /** A flow's dead-letter queue above this many entries fires an alert. */
    dlqThreshold: number;
    /** A webhook topic seen before and silent for longer than this fires an alert. */
    webhookSilenceMinutes: number;
    /** A firing alert is sent again at most this often. */
    repeatMinutes: number;
    /** How often one replica evaluates the alerts. */
    intervalSeconds: number;
    /** A queue whose oldest ready job has waited longer than this fires an alert (queue_age). */
    queueAgeMinutes: number;
    /** A privacy request not done this many days before its due date fires an alert (privacy_due). */
    privacyDueDays: number;
  };
}

/** Names of variables whose values must never appear in logs, errors or `config show`. */
export const SECRET_VARIABLES = [
  'ADMIN_TOKEN',
  'DATABASE_URL',
  'SHOPIFY_ACCESS_TOKEN',
  'SHOPIFY_CLIENT_SECRET',
  'SHOPIFY_WEBHOOK_SECRET',
  'SHOPIFY_WEBHOOK_SECRET_PREVIOUS',
  'ODOO_API_KEY',
  'ODOO_WAKE_SECRET',
  'METRICS_TOKEN',
  'ALERT_WEBHOOK_URL',
] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** Reads one variable with a rule; every helper throws ConfigError naming the variable. */
class Reader {
  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }

  private fail(name: string, rule: string, got?: string): never {
    const shown = got === undefined ? '' : ` (got ${JSON.stringify(got)})`;
    throw new ConfigError(`config: ${name} ${rule}${shown}`);
  }

  private isSecret(name: string): boolean {
    return (SECRET_VARIABLES as readonly string[]).includes(name);
  }

  string(name: string, fallback?: string): string {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) this.fail(name, 'is required');
    return value;
  }

  optional(name: string): string | undefined {
    return this.raw(name);
  }

  /** `strength`: a token the sidecar verifies on requests it receives, refused when weak too (./secrets.ts). */
  secret(name: string, minLength: number, strength = false): string {
    const value = this.raw(name);
    if (value === undefined) this.fail(name, 'is required');
    if (value.length < minLength) this.fail(name, `must be at least ${minLength} characters`);
    const problem = secretProblem(value, { strength });
    if (problem) this.fail(name, problem);
    return value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value)) this.fail(name, 'must be a whole number', value);
    const parsed = Number(value);
    if (parsed < min || parsed > max) this.fail(name, `must be between ${min} and ${max}`, value);
    return parsed;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name) ?? fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.fail(name, `must be one of ${allowed.join(', ')}`, value);
    }
    return value as T;
  }

  matching(name: string, pattern: RegExp, rule: string, fallback?: string): string {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) this.fail(name, 'is required');
    if (!pattern.test(value)) this.fail(name, rule, this.isSecret(name) ? undefined : value);
    return value;
  }

  /** A comma-separated list (empty when unset), each entry passing `valid`. */
  list(name: string, valid: (entry: string) => boolean, rule: string): string[] {
    const value = this.raw(name) ?? '';
    const entries = value
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '');
    if (!entries.every(valid)) this.fail(name, rule, value);
    return entries;
  }

  url(name: string, fallback?: string): string {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) this.fail(name, 'is required');
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      return this.fail(name, 'must be an absolute http(s) URL', this.isSecret(name) ? undefined : value);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      this.fail(name, 'must be an absolute http(s) URL', this.isSecret(name) ? undefined : value);
    }
    return value.replace(/\/+$/, '');
  }

  postgresUrl(name: string): string {
    const value = this.raw(name);
    if (value === undefined) this.fail(name, 'is required');
    let parsed: URL | undefined;
    try {
      parsed = new URL(value);
    } catch {
      parsed = undefined;
    }
    // The URL may hold a password: never echo it.
    if (!parsed || !/^postgres(ql)?:$/.test(parsed.protocol)) {
      this.fail(name, 'must be a postgres:// or postgresql:// URL');
    }
    if (parsed.password && secretProblem(decodeURIComponent(parsed.password), { strength: false })) {
      this.fail(name, 'has a placeholder password (the value from .env.example or alike)');
    }
    return value;
  }
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,49}$/;
/** An IPv4 or IPv6 literal, or localhost: what `server.listen(port, host)` binds. */
const HOST = /^(localhost|\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/;
const API_VERSION = /^(\d{4})-(0[1-9]|1[0-2])$|^unstable$/;
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
/** Five cron fields of digits, `*`, `/`, `,` and `-` (pg-boss validates the rest when scheduling). */
const CRON = /^[0-9*/,-]+(\s+[0-9*/,-]+){4}$/;

/**
 * Reads and validates the whole configuration. The process entry passes nothing and gets
 * `process.env`; tests pass an environment of their own.
 */
export function loadConfig(env: Env = process.env): Config {
  const read = new Reader(env);
  const port = read.integer('PORT', 8080, 0, 65535);
  const config: Config = {
    env: read.oneOf('NODE_ENV', ['production', 'development', 'test'], 'production'),
    role: read.oneOf('PROCESS_ROLE', PROCESS_ROLES, 'all'),
    port,
    host: read.matching('LISTEN_HOST', HOST, 'must be an IP address or "localhost"', '127.0.0.1'),
    trustedProxies: read.list(
      'TRUSTED_PROXIES',
      isProxyEntry,
      'must list IP addresses, CIDR ranges or loopback/linklocal/uniquelocal, comma-separated',
    ),
    publicUrl: read.url('PUBLIC_URL', `http://127.0.0.1:${port}`),
    adminToken: read.secret('ADMIN_TOKEN', 24, true),
    logLevel: read.oneOf('LOG_LEVEL', ['error', 'warn', 'info', 'debug'], 'info'),
    database: readDatabase(read),
    shopify: readShopify(read),
    odoo: readOdoo(read),
    webhooks: readWebhooks(read),
    onboarding: { required: read.oneOf('ONBOARDING_REQUIRED', ['true', 'false'], 'true') === 'true' },
    ...readSchedules(read),
    queue: readQueue(read),
    fulfillment: { notifyCustomer: read.oneOf('FULFILLMENT_NOTIFY_CUSTOMER', ['true', 'false'], 'true') === 'true' },
    observability: {
      metricsToken: read.optional('METRICS_TOKEN') === undefined ? '' : read.secret('METRICS_TOKEN', 16, true),
      metricsPort: read.integer('METRICS_PORT', 0, 0, 65535),
      metricsHost: read.matching('METRICS_HOST', HOST, 'must be an IP address or "localhost"', '127.0.0.1'),
    },
    alerts: readAlerts(read),
  };
  return deepFreeze(config);
}

/** A `TRUSTED_PROXIES` entry: an IP address, a CIDR range, or one of Express's names. */
function isProxyEntry(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
}

function readQueue(read: Reader): Config['queue'] {
  const retryDelaySeconds = read.integer('QUEUE_RETRY_DELAY_SECONDS', 5, 1, 3600);
  const retryDelayMaxSeconds = read.integer('QUEUE_RETRY_DELAY_MAX_SECONDS', 300, 1, 86_400);
  // At least Shopify's own 4 hours of webhook retries: an outage it retries through, we do too.
  const retryBudgetSeconds = read.integer('QUEUE_RETRY_BUDGET_SECONDS', 6 * 3600, 1, 30 * 86_400);
  const limit = read.optional('QUEUE_RETRY_LIMIT');
  return {
    retryBudgetSeconds,
    retryLimit:
      limit === undefined
        ? retryLimitFor({ budgetSeconds: retryBudgetSeconds, delaySeconds: retryDelaySeconds, delayMaxSeconds: retryDelayMaxSeconds })
        : read.integer('QUEUE_RETRY_LIMIT', 0, 0, 10_000),
    retryDelaySeconds,
    retryDelayMaxSeconds,
    shutdownTimeoutMs: read.integer('SHUTDOWN_TIMEOUT_MS', 25_000, 0, 600_000),
    breakerFailures: read.integer('CIRCUIT_BREAKER_FAILURES', 5, 1, 1000),
    breakerProbeSeconds: read.integer('CIRCUIT_BREAKER_PROBE_SECONDS', 15, 1, 3600),
  };
}

function readDatabase(read: Reader): Config['database'] {
  const schemaRule = 'must be a lowercase SQL identifier of at most 50 characters';
  return {
    url: read.postgresUrl('DATABASE_URL'),
    queueSchema: read.matching('QUEUE_SCHEMA', SCHEMA_NAME, schemaRule, 'shopify_sync_queue'),
    appSchema: read.matching('APP_SCHEMA', SCHEMA_NAME, schemaRule, 'shopify_sync'),
    poolSize: read.integer('DATABASE_POOL_SIZE', 5, 1, 100),
    intakePoolSize: read.integer('DATABASE_INTAKE_POOL_SIZE', 3, 1, 100),
  };
}

function readShopify(read: Reader): Config['shopify'] {
  const apiVersion = read.matching('SHOPIFY_API_VERSION', API_VERSION, 'must be YYYY-MM or "unstable"', '2026-10');
  // Shopify releases quarterly: a month outside 01/04/07/10 is never a real version.
  if (apiVersion !== 'unstable' && !['01', '04', '07', '10'].includes(apiVersion.slice(5))) {
    throw new ConfigError(`config: SHOPIFY_API_VERSION must be a quarterly release (month 01, 04, 07 or 10) (got "${apiVersion}")`);
  }
  const webhookSecrets = [read.secret('SHOPIFY_WEBHOOK_SECRET', 8, true)];
  if (read.optional('SHOPIFY_WEBHOOK_SECRET_PREVIOUS') !== undefined) {
    webhookSecrets.push(read.secret('SHOPIFY_WEBHOOK_SECRET_PREVIOUS', 8, true));
  }
  return {
    shopDomain: read.matching('SHOPIFY_SHOP_DOMAIN', SHOP_DOMAIN, 'must be the shop\'s permanent domain, like "my-store.myshopify.com"'),
    apiVersion,
    adminBaseUrl: read.optional('SHOPIFY_ADMIN_BASE_URL') === undefined ? '' : read.url('SHOPIFY_ADMIN_BASE_URL'),
    auth: readShopifyAuth(read),
    webhookSecrets,
    requestTimeoutMs: read.integer('SHOPIFY_REQUEST_TIMEOUT_MS', 10_000, 100, 120_000),
    maxRetries: read.integer('SHOPIFY_MAX_RETRIES', 5, 0, 20),
  };
}

function readShopifyAuth(read: Reader): Config['shopify']['auth'] {
  if (read.optional('SHOPIFY_ACCESS_TOKEN') !== undefined) {
    return { kind: 'static', accessToken: read.secret('SHOPIFY_ACCESS_TOKEN', 8) };
  }
  const clientId = read.optional('SHOPIFY_CLIENT_ID');
  if (clientId !== undefined) {
    return { kind: 'client_credentials', clientId, clientSecret: read.secret('SHOPIFY_CLIENT_SECRET', 8) };
  }
  throw new ConfigError(
    'config: SHOPIFY_ACCESS_TOKEN is required (or SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET for the client-credentials grant)',
  );
}

function readOdoo(read: Reader): Config['odoo'] {
  return {
    url: read.url('ODOO_URL'),
    db: read.string('ODOO_DB'),
    user: read.string('ODOO_USER'),
    apiKey: read.secret('ODOO_API_KEY', 8),
    protocol: read.oneOf<OdooProtocol>('ODOO_PROTOCOL', ['auto', 'jsonrpc', 'json2'], 'auto'),
    requestTimeoutMs: read.integer('ODOO_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    maxConcurrentRequests: read.integer('ODOO_MAX_CONCURRENT_REQUESTS', 8, 1, 256),
    wakeSecret: read.optional('ODOO_WAKE_SECRET') === undefined ? '' : read.secret('ODOO_WAKE_SECRET', 16, true),
    outboxPollSeconds: read.integer('OUTBOX_POLL_SECONDS', 5, 1, 3600),
  };
}

function readWebhooks(read: Reader): Config['webhooks'] {
  return {
    maxBodyBytes: read.integer('WEBHOOK_MAX_BODY_BYTES', 2 * 1024 * 1024, 1024, 50 * 1024 * 1024),
    inboxRetentionDays: read.integer('WEBHOOK_INBOX_RETENTION_DAYS', 7, 1, 90),
    manageSubscriptions: read.oneOf('WEBHOOK_SUBSCRIPTIONS_MANAGE', ['true', 'false'], 'true') === 'true',
    checkCron: read.matching('WEBHOOK_CHECK_CRON', CRON, 'must be a 5-field cron expression, like "*/10 * * * *"', '*/10 * * * *'),
  };
}

/** The scheduled jobs: the orders pull, the catalog and inventory reconciliations, the two reports; go-live's bulk threshold. */
function readSchedules(read: Reader): Pick<Config, 'orders' | 'catalog' | 'inventory' | 'reports'> {
  return {
    catalog: {
      bulkThreshold: read.integer('CATALOG_BULK_THRESHOLD', 200, 0, 1_000_000),
      reconcileCron: read.matching(
        'CATALOG_RECONCILE_CRON',
        CRON,
        'must be a 5-field cron expression (minute hour day month weekday, UTC)',
        '15 4 * * *',
      ),
    },
    orders: {
      pullCron: read.matching('ORDERS_PULL_CRON', CRON, 'must be a 5-field cron expression like "*/5 * * * *"', '*/5 * * * *'),
      pullOverlapMinutes: read.integer('ORDERS_PULL_OVERLAP_MINUTES', 10, 0, 24 * 60),
      pullPageSize: read.integer('ORDERS_PULL_PAGE_SIZE', 100, 1, 250),
    },
    inventory: {
      reconcileCron: read.matching(
        'INVENTORY_RECONCILE_CRON',
        CRON,
        'must be a 5-field cron expression (minute hour day month weekday, UTC)',
        '0 * * * *',
      ),
      pushConcurrency: read.integer('INVENTORY_PUSH_CONCURRENCY', 4, 1, 32),
    },
    reports: {
      reconcileCron: read.matching('RECONCILE_CRON', CRON, 'must be a 5-field cron expression', '30 5 * * *'),
      integrityCron: read.matching('INTEGRITY_CRON', CRON, 'must be a 5-field cron expression', '0 4 * * 0'),
      integritySample: read.integer('INTEGRITY_SAMPLE', 50, 1, 100_000),
    },
  };
}

function readAlerts(read: Reader): Config['alerts'] {
  return {
    // A Slack webhook URL is a credential (the path is the secret): validated without echoing it.
    webhookUrl: read.optional('ALERT_WEBHOOK_URL') === undefined ? '' : read.url('ALERT_WEBHOOK_URL'),
    dlqThreshold: read.integer('ALERT_DLQ_THRESHOLD', 10, 0, 1_000_000),
    webhookSilenceMinutes: read.integer('ALERT_WEBHOOK_SILENCE_MINUTES', 360, 1, 43_200),
    repeatMinutes: read.integer('ALERT_REPEAT_MINUTES', 60, 1, 10_080),
    intervalSeconds: read.integer('ALERT_INTERVAL_SECONDS', 60, 1, 3600),
    queueAgeMinutes: read.integer('ALERT_QUEUE_AGE_MINUTES', 15, 1, 43_200),
    privacyDueDays: read.integer('ALERT_PRIVACY_DUE_DAYS', 7, 0, 29),
  };
}

/** The operator CLI's settings: where the sidecar's admin API is, and its bearer token. */
export interface CliConfig {
  sidecarUrl: string;
  /** Empty when unset: the CLI then refuses every command but `help`. */
  adminToken: string;
}

/** The CLI reads only these two variables; the sidecar's own configuration is not needed. */
export function cliConfig(env: Env = process.env): CliConfig {
  const read = new Reader(env);
  return { sidecarUrl: read.url('SIDECAR_URL', 'http://127.0.0.1:8080'), adminToken: read.optional('ADMIN_TOKEN') ?? '' };
}

/** The configuration with every secret replaced, for `config show` and start-up logs. */
export function redactedConfig(config: Config): Record<string, unknown> {
  const secret = '[redacted]';
  return {
    ...config,
    adminToken: secret,
    database: { ...config.database, url: redactUrl(config.database.url) },
    shopify: {
      ...config.shopify,
      auth:
        config.shopify.auth.kind === 'static'
          ? { kind: 'static', accessToken: secret }
          : { kind: 'client_credentials', clientId: config.shopify.auth.clientId, clientSecret: secret },
      webhookSecrets: config.shopify.webhookSecrets.map(() => secret),
    },
    odoo: { ...config.odoo, apiKey: secret, wakeSecret: config.odoo.wakeSecret ? secret : '' },
    observability: { ...config.observability, metricsToken: config.observability.metricsToken ? secret : '' },
    alerts: { ...config.alerts, webhookUrl: config.alerts.webhookUrl ? secret : '' },
  };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = 'redacted';
    return parsed.toString();
  } catch {
    return '[redacted]';
  }
}

/** All secret values of a config, so log formatters can scrub them wherever they appear. */
export function secretValues(config: Config): string[] {
  const values = [
    config.adminToken,
    config.odoo.apiKey,
    config.odoo.wakeSecret,
    config.observability.metricsToken,
    config.alerts.webhookUrl,
    ...config.shopify.webhookSecrets,
  ];
  if (config.shopify.auth.kind === 'static') values.push(config.shopify.auth.accessToken);
  else values.push(config.shopify.auth.clientSecret);
  try {
    const password = new URL(config.database.url).password;
    if (password) values.push(decodeURIComponent(password));
  } catch {
    /* validated at load */
  }
  return values.filter((v) => v.length >= 4);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
