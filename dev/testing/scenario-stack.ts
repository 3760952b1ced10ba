/**
 * The stack under a file of shared scenarios (money, edits, taxes, payments, shipping, currencies,
 * decimals: the `define…Scenarios` of this folder), against the Odoo double or a real Odoo. Call
 * `useDoubleStack` or `useRealOdooStack` inside a `describe`: it registers the hooks that start the
 * stack before the scenarios, show the sidecar's log of a failed scenario, and stop the stack
 * after; the scenarios read the context through the getter it returns.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from 'mocha';
import { createOdooClient } from '../../sidecar/odoo/client.js';
import type { OdooProtocolSetting } from '../../sidecar/odoo/transport.js';
import { createRealMerchant } from '../conformance/real-driver.js';
import type { MerchantDriver } from '../conformance/target.js';
import type { RealOdooSettings } from './env.js';
import { testDatabase } from './root-hooks.js';
import { startStack, type Stack, type StackOptions } from './stack.js';

/** What a shared scenario needs of its stack. */
export interface ScenarioContext {
  stack: Stack;
  merchant: MerchantDriver;
  /** The Odoo warehouse mapped to Shopify location 101. */
  warehouseId: number;
  timeoutMs: number;
}

export interface ScenarioStackOptions {
  /** Name of the throwaway sidecar database (testDatabase). */
  database: string;
  /** More stack options (environment, the simulator's currency). */
  stack?: Omit<StackOptions, 'databaseUrl' | 'odoo'>;
  /** How long a scenario waits for the sidecar (default 30 s on the double, 90 s on a real Odoo). */
  timeoutMs?: number;
}

export interface RealOdooStackOptions extends ScenarioStackOptions {
  /** The sidecar's transport (default: the configured one, ODOO_PROTOCOL). */
  sidecarProtocol?: OdooProtocolSetting;
  /** File name prefix of a failed scenario's log, kept in var/real-odoo/ beside Odoo's. */
  logName: string;
}

/** A fresh Odoo double; a failed scenario's last log lines are printed. */
export function useDoubleStack(options: ScenarioStackOptions): () => ScenarioContext {
  return useStack(() => startOnDouble(options), undefined);
}

/**
 * A real Odoo (realOdooFromEnv(); null: the scenarios are skipped, saying how to run them):
 * the merchant speaks JSON-RPC as Odoo's web client, the sidecar its own transport, the shop
 * sells in the company's currency, and a failed scenario's log goes to
 * `var/real-odoo/<logName>-failed-<title>.log`.
 */
export function useRealOdooStack(real: RealOdooSettings | null, options: RealOdooStackOptions): () => ScenarioContext {
  return useStack(real ? () => startOnRealOdoo(options, real) : undefined, options.logName);
}

function useStack(start: (() => Promise<ScenarioContext>) | undefined, realLogName: string | undefined): () => ScenarioContext {
  let context: ScenarioContext | undefined;
  let firstLogLine = 0;
  before(async function (this: Context) {
    if (!start) {
      console.log('    (skipped: set ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY to run it; scripts/e2e-real-odoo.sh does)');
      this.skip();
    }
    context = await start();
  });
  beforeEach(() => {
    firstLogLine = context?.stack.logs.lines.length ?? 0;
  });
  afterEach(function (this: Context) {
    if (!context || this.currentTest?.state !== 'failed') return;
    const lines = context.stack.logs.lines.slice(firstLogLine);
    if (realLogName === undefined) {
      for (const line of lines.slice(-40)) console.log(JSON.stringify(line).slice(0, 500));
      return;
    }
    // Beside Odoo's own log, where scripts/with-real-odoo.sh keeps it.
    const dir = path.resolve(import.meta.dirname, '../../var/real-odoo');
    const title = this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 80);
    const file = path.join(dir, `${realLogName}-failed-${title}.log`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    console.log(`    (the sidecar's log of this scenario: ${path.relative(process.cwd(), file)})`);
  });
  after(async () => {
    await context?.stack.stop();
  });
  return () => {
    assert.ok(context, 'the scenario stack has not started (call useDoubleStack or useRealOdooStack inside a describe)');
    return context;
  };
}

async function startOnDouble(options: ScenarioStackOptions): Promise<ScenarioContext> {
  const stack = await startStack({ ...options.stack, databaseUrl: await testDatabase(options.database) });
  await stack.sidecar.workersStarted;
  await stack.subscribeWebhooks();
  const merchant = stack.merchant!;
  return { stack, merchant, warehouseId: await mainWarehouse(merchant), timeoutMs: options.timeoutMs ?? 30_000 };
}

async function startOnRealOdoo(options: RealOdooStackOptions, real: RealOdooSettings): Promise<ScenarioContext> {
  const common = { url: real.url, db: real.db, requestTimeoutMs: 60_000 };
  const merchant = createRealMerchant({
    admin: createOdooClient({ ...common, protocol: 'jsonrpc', user: real.adminUser, apiKey: real.adminPassword }),
    adminLogin: real.adminUser,
  });
  await merchant.configure({ import_policy: 'all', safety_stock: 0 });
  const warehouseId = await mainWarehouse(merchant);
  const stack = await startStack({
    ...options.stack,
    databaseUrl: await testDatabase(options.database),
    odoo: createOdooClient({ ...common, protocol: options.sidecarProtocol ?? real.protocol, user: real.user, apiKey: real.apiKey }),
    // Odoo refuses orders in another currency than the company's: the simulated shop sells in it.
    sim: { ...options.stack?.sim, currency: await merchant.companyCurrency() },
  });
  await stack.sidecar.workersStarted;
  await stack.subscribeWebhooks();
  return { stack, merchant, warehouseId, timeoutMs: options.timeoutMs ?? 90_000 };
}

async function mainWarehouse(merchant: MerchantDriver): Promise<number> {
  const main = (await merchant.warehouses()).find((w) => w.location_gid === 'gid://shopify/Location/101');
  assert.ok(main, 'the Odoo database maps a warehouse to Shopify location 101');
  return main.id;
}
