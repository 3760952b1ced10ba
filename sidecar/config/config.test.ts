import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, redactedConfig, secretValues } from './index.js';
import { testEnv } from '../../dev/testing/env.js';

function errorOf(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('loadConfig accepted an invalid environment');
}

describe('config', () => {
  it('loads a complete environment with documented defaults', () => {
    const config = loadConfig(testEnv());
    assert.equal(config.shopify.apiVersion, '2026-10');
    assert.equal(config.port, 8080);
    assert.equal(config.database.queueSchema, 'shopify_sync_queue');
    assert.equal(config.database.appSchema, 'shopify_sync');
    assert.equal(config.odoo.protocol, 'auto');
    assert.deepEqual(config.shopify.auth, { kind: 'static', accessToken: 'shpat_test_access_token_value' });
    assert.equal(config.webhooks.maxBodyBytes, 2 * 1024 * 1024);
  });

  it('runs every part of the sidecar unless PROCESS_ROLE names one, and gives the intake a pool of its own', () => {
    const config = loadConfig(testEnv());
    assert.equal(config.role, 'all');
    assert.deepEqual([config.database.poolSize, config.database.intakePoolSize], [5, 3]);
    assert.equal(loadConfig(testEnv({ PROCESS_ROLE: 'intake' })).role, 'intake');
    assert.equal(loadConfig(testEnv({ PROCESS_ROLE: ' workers ' })).role, 'workers');
    assert.equal(loadConfig(testEnv({ DATABASE_INTAKE_POOL_SIZE: '8' })).database.intakePoolSize, 8);
    assert.equal(errorOf(testEnv({ PROCESS_ROLE: 'web' })), 'config: PROCESS_ROLE must be one of all, intake, workers (got "web")');
    assert.equal(
      errorOf(testEnv({ DATABASE_INTAKE_POOL_SIZE: '0' })),
      'config: DATABASE_INTAKE_POOL_SIZE must be between 1 and 100 (got "0")',
    );
  });

  it('returns a frozen object', () => {
    const config = loadConfig(testEnv());
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.shopify));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
  });

  it('names a missing required variable', () => {
    assert.equal(errorOf(testEnv({ ODOO_URL: undefined })), 'config: ODOO_URL is required');
    assert.equal(errorOf(testEnv({ DATABASE_URL: '  ' })), 'config: DATABASE_URL is required');
  });

  it('rejects a malformed API version with the value it got', () => {
    assert.equal(
      errorOf(testEnv({ SHOPIFY_API_VERSION: '2026-13' })),
      'config: SHOPIFY_API_VERSION must be YYYY-MM or "unstable" (got "2026-13")',
    );
    assert.equal(
      errorOf(testEnv({ SHOPIFY_API_VERSION: '2026-11' })),
      'config: SHOPIFY_API_VERSION must be a quarterly release (month 01, 04, 07 or 10) (got "2026-11")',
    );
  });

  it('rejects a port that is not a number or out of range', () => {
    assert.equal(errorOf(testEnv({ PORT: 'eighty' })), 'config: PORT must be a whole number (got "eighty")');
    assert.equal(errorOf(testEnv({ PORT: '70000' })), 'config: PORT must be between 0 and 65535 (got "70000")');
  });

  it('rejects a shop domain that is not the permanent myshopify domain', () => {
    assert.match(
      errorOf(testEnv({ SHOPIFY_SHOP_DOMAIN: 'shop.example.com' })),
      /^config: SHOPIFY_SHOP_DOMAIN must be the shop's permanent domain/,
    );
  });

  it('requires a Shopify credential of one of the two kinds', () => {
    assert.match(errorOf(testEnv({ SHOPIFY_ACCESS_TOKEN: undefined })), /^config: SHOPIFY_ACCESS_TOKEN is required \(or SHOPIFY_CLIENT_ID/);
    const config = loadConfig(
      testEnv({ SHOPIFY_ACCESS_TOKEN: undefined, SHOPIFY_CLIENT_ID: 'client-id', SHOPIFY_CLIENT_SECRET: 'client-secret-value' }),
    );
    assert.deepEqual(config.shopify.auth, { kind: 'client_credentials', clientId: 'client-id', clientSecret: 'client-secret-value' });
    assert.equal(
      errorOf(testEnv({ SHOPIFY_ACCESS_TOKEN: undefined, SHOPIFY_CLIENT_ID: 'client-id' })),
      'config: SHOPIFY_CLIENT_SECRET is required',
    );
  });

  it('accepts a second webhook secret during rotation', () => {
    const config = loadConfig(testEnv({ SHOPIFY_WEBHOOK_SECRET_PREVIOUS: 'webhook-secret-previous' }));
    assert.deepEqual(config.shopify.webhookSecrets, ['webhook-secret-current', 'webhook-secret-previous']);
  });

  it('never echoes a secret value in an error message', () => {
    const badUrl = 'mysql://root:hunter2-secret@db/odoo';
    const message = errorOf(testEnv({ DATABASE_URL: badUrl }));
    assert.equal(message, 'config: DATABASE_URL must be a postgres:// or postgresql:// URL');
    assert.ok(!message.includes('hunter2'));
    assert.equal(errorOf(testEnv({ ADMIN_TOKEN: 'short-token' })), 'config: ADMIN_TOKEN must be at least 24 characters');
  });

  it('redacts every secret in the printable configuration', () => {
    const config = loadConfig(testEnv());
    const printed = JSON.stringify(redactedConfig(config));
    for (const secret of secretValues(config)) assert.ok(!printed.includes(secret), `secret leaked: ${secret.slice(0, 3)}…`);
    assert.ok(printed.includes('test-shop.myshopify.com'));
    assert.ok(printed.includes('postgres://sync:redacted@127.0.0.1:5432/sync'));
  });
  it('manages webhook subscriptions every 10 minutes and requires onboarding by default, and refuses a malformed cron', () => {
    const config = loadConfig(testEnv());
    assert.deepEqual(
      [config.webhooks.manageSubscriptions, config.webhooks.checkCron, config.onboarding.required],
      [true, '*/10 * * * *', true],
    );
    const off = loadConfig(
      testEnv({ WEBHOOK_SUBSCRIPTIONS_MANAGE: 'false', WEBHOOK_CHECK_CRON: '5 * * * *', ONBOARDING_REQUIRED: 'false' }),
    );
    assert.deepEqual([off.webhooks.manageSubscriptions, off.webhooks.checkCron, off.onboarding.required], [false, '5 * * * *', false]);
    assert.equal(
      errorOf(testEnv({ WEBHOOK_CHECK_CRON: 'every 10 minutes' })),
      'config: WEBHOOK_CHECK_CRON must be a 5-field cron expression, like "*/10 * * * *" (got "every 10 minutes")',
    );
    assert.equal(
      errorOf(testEnv({ WEBHOOK_SUBSCRIPTIONS_MANAGE: 'yes' })),
      'config: WEBHOOK_SUBSCRIPTIONS_MANAGE must be one of true, false (got "yes")',
    );
  });

  it('pushes a catalog of 200 templates or more in bulk at go-live and reconciles it daily by default; both configurable', () => {
    const config = loadConfig(testEnv());
    assert.deepEqual(config.catalog, { bulkThreshold: 200, reconcileCron: '15 4 * * *' });
    const set = loadConfig(testEnv({ CATALOG_BULK_THRESHOLD: '0', CATALOG_RECONCILE_CRON: '0 */6 * * *' }));
    assert.deepEqual(set.catalog, { bulkThreshold: 0, reconcileCron: '0 */6 * * *' });
    assert.match(errorOf(testEnv({ CATALOG_BULK_THRESHOLD: '-1' })), /^config: CATALOG_BULK_THRESHOLD /);
    assert.match(
      errorOf(testEnv({ CATALOG_RECONCILE_CRON: 'daily' })),
      /^config: CATALOG_RECONCILE_CRON must be a 5-field cron expression/,
    );
  });

  it('keeps at most 8 Odoo calls in flight per process by default, and refuses a limit below 1', () => {
    assert.equal(loadConfig(testEnv()).odoo.maxConcurrentRequests, 8);
    assert.equal(loadConfig(testEnv({ ODOO_MAX_CONCURRENT_REQUESTS: '3' })).odoo.maxConcurrentRequests, 3);
    assert.match(errorOf(testEnv({ ODOO_MAX_CONCURRENT_REQUESTS: '0' })), /^config: ODOO_MAX_CONCURRENT_REQUESTS /);
  });

  it('refuses the placeholder secrets of .env.example, naming the first one, never its value', () => {
    const example = Object.fromEntries(
      [...fs.readFileSync(path.join(import.meta.dirname, '../../.env.example'), 'utf8').matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );
    const message = errorOf(example);
    assert.equal(
      message,
      'config: ADMIN_TOKEN is a placeholder (the value from .env.example or alike); generate one, e.g. `openssl rand -hex 32`',
    );
    // Each placeholder is refused on its own too, in every secret and in the database password.
    for (const [name, value] of Object.entries(example)) {
      if (!/TOKEN|SECRET|KEY|DATABASE_URL/.test(name)) continue;
      assert.match(errorOf(testEnv({ [name]: value })), new RegExp(`^config: ${name} (is|has) a placeholder`), name);
    }
    assert.match(errorOf(testEnv({ ODOO_WAKE_SECRET: 'change-me-shared-secret' })), /^config: ODOO_WAKE_SECRET is a placeholder/);
    assert.match(errorOf(testEnv({ METRICS_TOKEN: 'change-me-metrics-token' })), /^config: METRICS_TOKEN is a placeholder/);
  });

  it('refuses weak tokens the sidecar verifies, and accepts random ones', () => {
    assert.match(
      errorOf(testEnv({ ADMIN_TOKEN: 'a'.repeat(40) })),
      /^config: ADMIN_TOKEN is too weak \(fewer than 8 distinct characters\)/,
    );
    assert.match(errorOf(testEnv({ ADMIN_TOKEN: '12'.repeat(20) })), /^config: ADMIN_TOKEN is too weak/);
    assert.match(errorOf(testEnv({ METRICS_TOKEN: 'abcabcabcabcabcabc' })), /^config: METRICS_TOKEN is too weak/);
    assert.match(errorOf(testEnv({ SHOPIFY_WEBHOOK_SECRET: 'xyxyxyxyxyxy' })), /^config: SHOPIFY_WEBHOOK_SECRET is too weak/);
    // 32 random bytes as `openssl rand -hex 32` gives: 64 hex digits with fewer than 8 distinct ones
    // is beyond chance (12 bytes, 24 digits, failed about once in 200 runs of this loop).
    for (let i = 0; i < 200; i++) {
      const token = crypto.randomBytes(32).toString('hex');
      assert.equal(loadConfig(testEnv({ ADMIN_TOKEN: token, METRICS_TOKEN: token, ODOO_WAKE_SECRET: token })).adminToken, token);
    }
  });

  it('binds loopback unless LISTEN_HOST says otherwise, and serves /metrics on its own port only when asked', () => {
    const config = loadConfig(testEnv());
    assert.equal(config.host, '127.0.0.1');
    assert.deepEqual(config.observability, { metricsToken: '', metricsPort: 0, metricsHost: '127.0.0.1' });
    const open = loadConfig(testEnv({ LISTEN_HOST: '0.0.0.0', METRICS_PORT: '9464', METRICS_HOST: '10.0.0.5' }));
    assert.equal(open.host, '0.0.0.0');
    assert.deepEqual(open.observability, { metricsToken: '', metricsPort: 9464, metricsHost: '10.0.0.5' });
    assert.equal(loadConfig(testEnv({ LISTEN_HOST: '::1' })).host, '::1');
    assert.equal(
      errorOf(testEnv({ LISTEN_HOST: 'all interfaces' })),
      'config: LISTEN_HOST must be an IP address or "localhost" (got "all interfaces")',
    );
  });

  it('believes X-Forwarded-For only from the proxies TRUSTED_PROXIES lists', () => {
    assert.deepEqual(loadConfig(testEnv()).trustedProxies, []);
    assert.deepEqual(loadConfig(testEnv({ TRUSTED_PROXIES: ' loopback, 10.0.0.0/8,fd00::/8 ,192.0.2.1' })).trustedProxies, [
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.0.2.1',
    ]);
    for (const bad of ['*', 'proxy.example.com', '10.0.0.0/33', '10.0.0.1/8/1', 'fd00::/129'])
      assert.equal(
        errorOf(testEnv({ TRUSTED_PROXIES: bad })),
        `config: TRUSTED_PROXIES must list IP addresses, CIDR ranges or loopback/linklocal/uniquelocal, comma-separated (got ${JSON.stringify(bad)})`,
      );
  });

  it('derives the retry limit from a time budget of at least Shopify’s 4 hours of webhook retries', () => {
    const config = loadConfig(testEnv());
    assert.equal(config.queue.retryBudgetSeconds, 6 * 3600);
    assert.equal(config.queue.retryDelayMaxSeconds, 300);
    // 5, 10, 20, 40, 80, 160 s, then 71 × 300 s: the first 77 delays' lower bounds add up to 6 hours.
    assert.equal(config.queue.retryLimit, 77);
    // 1, 2, 4 s, then 14 × 4 s: 63 s ≥ 60 s.
    assert.equal(
      loadConfig(testEnv({ QUEUE_RETRY_BUDGET_SECONDS: '60', QUEUE_RETRY_DELAY_SECONDS: '1', QUEUE_RETRY_DELAY_MAX_SECONDS: '4' })).queue
        .retryLimit,
      17,
    );
    assert.equal(loadConfig(testEnv({ QUEUE_RETRY_LIMIT: '3' })).queue.retryLimit, 3);
  });
});
