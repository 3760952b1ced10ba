/**
 * `make demo` and `make demo-check`: the main job on embedded defaults. Starts a throwaway
 * PostgreSQL, the Shopify simulator, the Odoo double (or a real Odoo when ODOO_URL, ODOO_DB,
 * ODOO_USER and ODOO_API_KEY are set) and the sidecar; plays a short day of commerce; prints a
 * summary per flow. `--check` exits 0 only when every step synced and every DLQ is empty;
 * otherwise the demo keeps serving the dashboard and API until interrupted. Ctrl+C stops the
 * sidecar first, then the database (which runs detached, so the terminal's Ctrl+C reaches only
 * the demo), and exits 0. DEMO_PORT picks the sidecar's port (0: a free one).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import winston from 'winston';
import { createOdooClient } from '../../sidecar/odoo/client.js';
import { createRealMerchant } from '../conformance/real-driver.js';
import type { MerchantDriver } from '../conformance/target.js';
import { createLogger } from '../../sidecar/observability/logger.js';
import { demoPort, realOdooFromEnv, type RealOdooSettings } from '../testing/env.js';
import { startDetachedPostgres, type ThrowawayPostgres } from '../testing/postgres.js';
import { startStack, type Stack, type StackOptions } from '../testing/stack.js';
import { dayOfCommerce } from './scenario.js';

const check = process.argv.includes('--check');
const out = (line = '') => process.stdout.write(`${line}\n`);

async function summary(stack: Stack, since: Date): Promise<{ healthy: boolean; table: string }> {
  const [jobs, stats] = await Promise.all([stack.sidecar.queue.jobSummary(since), stack.sidecar.queue.queueStats()]);
  const rows = jobs
    .map((j) => ({ ...j, ...stats.find((s) => s.queue === j.queue)! }))
    .filter((r) => r.completed + r.failed + r.queued + r.dlq > 0 || !r.queue.includes('.'));
  const pad = (v: string | number | null, n: number) => String(v ?? '–').padStart(n);
  const lines = [
    `${'flow'.padEnd(20)}${pad('done', 6)}${pad('retried', 9)}${pad('failed', 8)}${pad('DLQ', 5)}${pad('queued', 8)}${pad('p50 ms', 9)}${pad('p95 ms', 9)}`,
    ...rows.map(
      (r) =>
        `${r.queue.padEnd(20)}${pad(r.completed, 6)}${pad(r.retried, 9)}${pad(r.failed, 8)}${pad(r.dlq, 5)}${pad(r.queued, 8)}${pad(r.p50Ms, 9)}${pad(r.p95Ms, 9)}`,
    ),
  ];
  const healthy = rows.every((r) => r.failed === 0 && r.dlq === 0);
  return { healthy, table: lines.join('\n') };
}

/** The sidecar's Odoo: a real one when ODOO_* name it (its merchant driver and currency), else the stack's double. */
async function odooTarget(real: RealOdooSettings | null): Promise<{ options: Partial<StackOptions>; merchant?: MerchantDriver }> {
  if (!real) {
    out('demo: using the in-process Odoo double (set ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY for a real Odoo)');
    return { options: {} };
  }
  // The merchant over JSON-RPC (Odoo's web client); the sidecar over ODOO_PROTOCOL.
  const common = { url: real.url, db: real.db, protocol: 'jsonrpc' as const, requestTimeoutMs: 60_000 };
  const merchant = createRealMerchant({
    admin: createOdooClient({ ...common, user: real.adminUser, apiKey: real.adminPassword }),
    adminLogin: real.adminUser,
  });
  // Odoo refuses orders in a shop currency other than the company currency. The company
  // currency is the merchant's (changing it is refused once journal entries exist, and the
  // pricelists keep theirs); the simulated shop is ours, so it sells in the company currency.
  const currency = await merchant.companyCurrency();
  out(`demo: using the real Odoo at ${real.url} (database ${real.db}, shop currency ${currency})`);
  return {
    options: { odoo: createOdooClient({ ...common, protocol: real.protocol, user: real.user, apiKey: real.apiKey }), sim: { currency } },
    merchant,
  };
}

/** Stops the sidecar, then the database, then exits; a second Ctrl+C while stopping exits at once. */
function stopper(stack: Stack, postgres: ThrowawayPostgres): (code: number) => Promise<void> {
  let stopping = false;
  return async (code) => {
    if (stopping) process.exit(code);
    stopping = true;
    await stack.stop().catch((error: unknown) => out(`demo: the sidecar did not stop cleanly: ${(error as Error).message}`));
    await postgres.stop().catch((error: unknown) => out(`demo: the database did not stop cleanly: ${(error as Error).message}`));
    process.exit(code);
  };
}

async function main(): Promise<void> {
  const started = new Date();
  const logDir = path.resolve('var/demo');
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, 'sidecar.log');
  const logger = createLogger({ level: 'info', transports: [new winston.transports.File({ filename: logFile })] });
  const port = demoPort();
  // Generated per run: the sidecar refuses placeholder and weak tokens (docs/configuration.md, "Secrets").
  const adminToken = crypto.randomBytes(16).toString('hex');
  const metricsToken = crypto.randomBytes(16).toString('hex');
  out(`demo: starting an embedded PostgreSQL, the Shopify simulator and the sidecar (logs: ${path.relative(process.cwd(), logFile)})`);
  const postgres = await startDetachedPostgres();
  const databaseUrl = await postgres.createDatabase('shopify_sync_demo');
  const target = await odooTarget(realOdooFromEnv());
  const stack = await startStack({
    databaseUrl,
    logger,
    port,
    // As in production: the sidecar subscribes its webhooks, and pushes wait for onboarding.
    env: { WEBHOOK_SUBSCRIPTIONS_MANAGE: 'true', ONBOARDING_REQUIRED: 'true', ADMIN_TOKEN: adminToken, METRICS_TOKEN: metricsToken },
    ...target.options,
  });
  const merchant = target.merchant ?? stack.merchant!;
  const stop = stopper(stack, postgres);
  process.on('SIGINT', () => {
    out('\ndemo: stopping (the sidecar, then the database)');
    void stop(0);
  });
  process.on('SIGTERM', () => void stop(0));

  out(`demo: sidecar on ${stack.sidecarUrl}, simulator on ${stack.simUrl}`);
  const failed = await playDay(stack, merchant);
  const { healthy, table } = await summary(stack, started);
  out();
  out(table);
  out();
  if (check) {
    const ok = !failed && healthy;
    out(ok ? 'demo-check: every flow synced and every DLQ is empty' : 'demo-check: FAILED (see above and var/demo/sidecar.log)');
    await stop(ok ? 0 : 1);
    return;
  }
  out(`Dashboard: ${stack.sidecarUrl}/dashboard   (admin token: ${stack.config.adminToken})`);
  out(`Metrics:   curl -H 'Authorization: Bearer ${metricsToken}' ${stack.sidecarUrl}/metrics`);
  out(`Simulator: ${stack.simUrl}/_sim/orders   (docs/simulator.md)`);
  out('Press Ctrl+C to stop.');
}

/** Plays the day of commerce; true when a step failed. Then lets follow-ups settle. */
async function playDay(stack: Stack, merchant: MerchantDriver): Promise<boolean> {
  let failed = false;
  for (const step of dayOfCommerce(stack, merchant, out)) {
    try {
      await step.run();
    } catch (error) {
      failed = true;
      out(`  ✘ ${(error as Error).message}`);
      break;
    }
  }
  // Let in-flight follow-ups (stock re-push after the delivery, echoes) settle before the summary.
  await stack
    .waitFor(
      'queues to settle',
      async () => (await stack.sidecar.queue.queueStats()).every((s) => s.queued === 0 && s.active === 0),
      30_000,
    )
    .catch(() => {});
  return failed;
}

main().catch((error: unknown) => {
  process.stderr.write(`demo: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
