/**
 * The environment of development code: the one file under dev/ that reads `process.env` (the
 * sidecar's own variables are read by sidecar/config only). Development variables:
 *   TEST_DATABASE_URL   a PostgreSQL server for the tests instead of an embedded one (DATABASE_URL also works)
 *   ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY, ODOO_ADMIN_USER, ODOO_ADMIN_PASSWORD
 *                       a real Odoo for the demo, the bench and the real-Odoo suites
 *   ODOO_DATABASE_URL   that Odoo's own PostgreSQL database (the bench reads when an order's delivery is
 *                       reserved there, without a request to Odoo)
 *   ODOO_PROTOCOL       the transport of the sidecar's calls to that Odoo (auto, jsonrpc, json2;
 *                       default auto: JSON-2 on Odoo 19, JSON-RPC before)
 *   DEMO_PORT           the demo sidecar's port (default 8080; 0 = a free port)
 *   CHROMIUM_PATH       the browser of the dashboard's browser test
 *   FUZZ_RUNS           runs per property of the fuzz tests (default: each test's own)
 * See docs/development.md.
 */

import type { OdooProtocolSetting } from '../../sidecar/odoo/transport.js';

/** A complete, valid sidecar environment for tests; override single variables per test. */
export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://sync:db-password-123@127.0.0.1:5432/sync',
    ADMIN_TOKEN: 'admin-token-0123456789abcdef',
    SHOPIFY_SHOP_DOMAIN: 'test-shop.myshopify.com',
    SHOPIFY_ACCESS_TOKEN: 'shpat_test_access_token_value',
    SHOPIFY_WEBHOOK_SECRET: 'webhook-secret-current',
    ODOO_URL: 'http://127.0.0.1:8069',
    ODOO_DB: 'odoo',
    ODOO_USER: 'shopify-sync',
    ODOO_API_KEY: 'odoo-api-key-0123456789',
    ...overrides,
  };
}

type Env = Readonly<Record<string, string | undefined>>;

/** A real Odoo to run against instead of the in-process double. */
export interface RealOdooSettings {
  url: string;
  db: string;
  user: string;
  apiKey: string;
  /** The merchant's login for the scenario's Odoo-side actions (default admin/admin). */
  adminUser: string;
  adminPassword: string;
  /**
   * The transport of the sidecar's (the integration user's) calls. The merchant's side always
   * speaks JSON-RPC with a password: it stands for a person in Odoo's web client, not the contract.
   */
  protocol: OdooProtocolSetting;
  /** ODOO_LOGFILE: that Odoo's server log (the bench reads its per-request query counts). */
  logFile?: string;
  /** ODOO_DATABASE_URL: that Odoo's database (the bench reads its deliveries' reservation). */
  databaseUrl?: string;
}

const PROTOCOLS: readonly OdooProtocolSetting[] = ['auto', 'jsonrpc', 'json2'];

/** The real Odoo named by ODOO_URL, ODOO_DB, ODOO_USER and ODOO_API_KEY, or null when one of them is unset. */
export function realOdooFromEnv(env: Env = process.env): RealOdooSettings | null {
  const { ODOO_URL: url, ODOO_DB: db, ODOO_USER: user, ODOO_API_KEY: apiKey } = env;
  if (!(url && db && user && apiKey)) return null;
  const protocol = (env.ODOO_PROTOCOL?.trim() || 'auto') as OdooProtocolSetting;
  if (!PROTOCOLS.includes(protocol)) throw new Error(`ODOO_PROTOCOL must be one of ${PROTOCOLS.join(', ')} (got "${protocol}")`);
  const logFile = env.ODOO_LOGFILE || undefined;
  const databaseUrl = env.ODOO_DATABASE_URL || undefined;
  return {
    url,
    db,
    user,
    apiKey,
    adminUser: env.ODOO_ADMIN_USER ?? 'admin',
    adminPassword: env.ODOO_ADMIN_PASSWORD ?? 'admin',
    protocol,
    ...(logFile ? { logFile } : {}),
    ...(databaseUrl ? { databaseUrl } : {}),
  };
}

/** TEST_DATABASE_URL (or DATABASE_URL): an existing server for the tests; undefined = an embedded one. */
export function testDatabaseUrl(env: Env = process.env): string | undefined {
  return env.TEST_DATABASE_URL || env.DATABASE_URL || undefined;
}

/** DEMO_PORT: the demo sidecar's port, 8080 when unset; 0 asks for a free port. */
export function demoPort(env: Env = process.env): number {
  const raw = env.DEMO_PORT?.trim();
  if (!raw) return 8080;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535)
    throw new Error(`DEMO_PORT must be a port number from 0 to 65535, 0 for a free one (got "${raw}")`);
  return port;
}

/** CHROMIUM_PATH: a browser for the dashboard's browser test, tried before the system's. */
export function chromiumPath(env: Env = process.env): string | undefined {
  return env.CHROMIUM_PATH || undefined;
}

/** This process's environment with `overrides`, for a child process (e.g. the CLI under test). */
export function childEnv(overrides: Record<string, string> = {}): Record<string, string | undefined> {
  return { ...process.env, ...overrides };
}

/** FUZZ_RUNS: runs per property of the fuzz tests; undefined = each test's default. */
export function fuzzRunsOverride(env: Env = process.env): string | undefined {
  return env.FUZZ_RUNS || undefined;
}
