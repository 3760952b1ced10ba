/**
 * PROCESS_ROLE (docs/operations.md, "Process roles"): an intake process stores and queues
 * deliveries and runs no worker; a workers process works the queues and takes no delivery; each
 * answers /readyz for what it runs and serves /metrics. The default, `all`, is app.test.ts's.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { Flow } from './flows/context.js';
import { keys } from './queue/names.js';
import { startStack, type Stack } from '../dev/testing/stack.js';
import { testDatabase } from '../dev/testing/root-hooks.js';
import { webhookFixture } from '../dev/testing/fixtures.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** A flow that records the jobs it takes: whether this process works the queue at all. */
function recordingFlow(taken: string[]): Flow {
  return {
    name: 'orders (recording)',
    queues: ['orders'],
    register: (ctx) =>
      ctx.queue.work('orders', (job) => {
        taken.push(job.jobId);
        return Promise.resolve();
      }),
  };
}

async function deliver(stack: Stack, webhookId: string): Promise<Response> {
  const body = webhookFixture('orders/create');
  return fetch(`${stack.sidecarUrl}/webhooks/shopify`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-hmac-sha256': crypto.createHmac('sha256', stack.config.shopify.webhookSecrets[0]!).update(body).digest('base64'),
      'x-shopify-shop-domain': stack.config.shopify.shopDomain,
      'x-shopify-webhook-id': webhookId,
      'x-shopify-api-version': '2026-10',
    },
  });
}

/** /readyz's checks, each ok or not. */
async function readyz(stack: Stack): Promise<{ status: number; checks: Record<string, boolean> }> {
  const res = await fetch(`${stack.sidecarUrl}/readyz`);
  const body = (await res.json()) as { checks: Record<string, { ok: boolean }> };
  const checks = Object.fromEntries(Object.entries(body.checks).map(([name, c]) => [name, c.ok] as const));
  return { status: res.status, checks };
}

async function metricsStatus(stack: Stack): Promise<number> {
  const res = await fetch(`${stack.sidecarUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  await res.text();
  return res.status;
}

describe('process roles (PROCESS_ROLE)', () => {
  describe('intake', () => {
    let stack: Stack;
    const taken: string[] = [];

    before(async () => {
      stack = await startStack({
        databaseUrl: await testDatabase('role_intake'),
        flows: [recordingFlow(taken)],
        env: { PROCESS_ROLE: 'intake', METRICS_TOKEN, ODOO_WAKE_SECRET: 'wake-secret-0123456789abcdef' },
      });
    });
    after(() => stack?.stop());

    it('stores and queues a delivery through its own pool, runs no worker, and is ready with the database and queue', async () => {
      assert.equal(stack.config.role, 'intake');
      const res = await deliver(stack, 'role-intake-1');
      assert.equal(res.status, 200);
      const { rows } = await stack.sidecar.intakePool.query<{ status: string }>(
        "SELECT status FROM shopify_sync.webhook_inbox WHERE webhook_id = 'role-intake-1'",
      );
      assert.deepEqual(rows, [{ status: 'queued' }]);
      assert.deepEqual(await stack.sidecar.workersStarted, []);
      // The job waits for a workers process: this one fetches nothing.
      const orders = (await stack.sidecar.queue.queueStats()).find((q) => q.queue === 'orders');
      assert.deepEqual([orders?.queued, orders?.active, taken.length], [1, 0, 0]);
      assert.deepEqual(await readyz(stack), { status: 200, checks: { database: true, queue: true } });
      assert.equal(await metricsStatus(stack), 200);
    });

    it("has no Odoo wake-up route (the workers' process runs the outbox relay)", async () => {
      const res = await fetch(`${stack.sidecarUrl}/odoo/wake`, { method: 'POST', body: '{}' });
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { error: 'not_found' });
    });
  });

  describe('workers', () => {
    let stack: Stack;
    const taken: string[] = [];

    before(async () => {
      stack = await startStack({
        databaseUrl: await testDatabase('role_workers'),
        flows: [recordingFlow(taken)],
        env: { PROCESS_ROLE: 'workers', METRICS_TOKEN },
      });
    });
    after(() => stack?.stop());

    it('takes no delivery, works the queues, and checks Odoo, Shopify and its workers for /readyz too', async () => {
      const res = await deliver(stack, 'role-workers-1');
      assert.equal(res.status, 404);
      const { rows } = await stack.sidecar.pool.query('SELECT 1 FROM shopify_sync.webhook_inbox');
      assert.equal(rows.length, 0);
      assert.deepEqual(await stack.sidecar.workersStarted, ['orders (recording)']);
      // A job queued by an intake elsewhere is worked here.
      await stack.sidecar.queue.send(
        'orders',
        { source: 'webhook', topic: 'orders/create', webhookId: 'w-1', entityGid: 'gid://shopify/Order/1', triggeredAt: null },
        { key: keys.order(stack.config.shopify.shopDomain, 'gid://shopify/Order/1') },
      );
      await stack.waitFor('the job worked', () => Promise.resolve(taken.length === 1 || undefined));
      // Only the orders flow runs here, so the queues other flows work make `workers` red (as with `all`).
      assert.deepEqual(await readyz(stack), {
        status: 503,
        checks: { database: true, queue: true, odoo: true, shopify: true, workers: false },
      });
      assert.equal(await metricsStatus(stack), 200);
    });
  });
});
