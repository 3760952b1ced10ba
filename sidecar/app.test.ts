/**
 * The assembled sidecar against the simulator, real PostgreSQL and pg-boss, and the Odoo double:
 * what the foundation promises end to end, before any flow runs.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStack, type Stack } from '../dev/testing/stack.js';
import { testDatabase } from '../dev/testing/root-hooks.js';
import { closeServer, KEEP_ALIVE_TIMEOUT_MS } from './app.js';

describe('sidecar assembled (simulator, PostgreSQL, Odoo double)', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack({ databaseUrl: await testDatabase('sidecar_assembled'), flows: [] });
  });
  after(async () => {
    await stack?.stop();
  });

  it('checks the database, queue, Odoo and Shopify, and is not ready while fed queues have no worker (no flow runs here)', async () => {
    const res = await fetch(`${stack.sidecarUrl}/readyz`);
    const body = (await res.json()) as { ready: boolean; checks: Record<string, { ok: boolean; error?: string }> };
    assert.deepEqual(Object.keys(body.checks).sort(), ['database', 'odoo', 'queue', 'shopify', 'workers']);
    for (const name of ['database', 'odoo', 'queue', 'shopify']) assert.equal(body.checks[name]!.ok, true, name);
    assert.equal(res.status, 503);
    assert.equal(body.checks.workers!.ok, false);
    for (const queue of ['orders', 'customers', 'privacy', 'refunds'])
      assert.match(body.checks.workers!.error ?? '', new RegExp(`\\b${queue} \\(`));
    assert.deepEqual(await stack.sidecar.workersStarted, []);
  });

  it('turns an order placed in Shopify into one signed webhook, one inbox row and one queued job keyed by the order', async () => {
    await stack.subscribeWebhooks(['orders/create']);
    const [location] = await stack.simControl<{ id: number }[]>('GET', '/locations');
    await stack.simControl('POST', '/products', { title: 'Mug', sku: 'E2E-MUG', price: '9.50', stock: { [String(location!.id)]: 10 } });
    const order = await stack.simControl<{ admin_graphql_api_id: string }>('POST', '/orders', {
      email: 'ada@example.com',
      lines: [{ sku: 'E2E-MUG', quantity: 2 }],
    });
    const row = await stack.waitFor('the webhook in the inbox', async () => {
      const result = await stack.sidecar.pool.query(
        "SELECT topic, status, entity_gid FROM shopify_sync.webhook_inbox WHERE topic = 'orders/create'",
      );
      return result.rows[0];
    });
    assert.deepEqual(row, { topic: 'orders/create', status: 'queued', entity_gid: order.admin_graphql_api_id });
    const stats = await stack.sidecar.queue.queueStats();
    assert.equal(stats.find((s) => s.queue === 'orders')?.queued, 1);
  });

  it('drains the Odoo outbox into the flow queues within the poll interval', async () => {
    const product = await stack.merchant!.createProduct({ name: 'Tee', price: '15.00', variants: [{ sku: 'E2E-TEE' }] });
    assert.ok(product.template_id > 0);
    await stack.waitFor('the product event queued', async () => {
      const stats = await stack.sidecar.queue.queueStats();
      return (stats.find((s) => s.queue === 'products')?.queued ?? 0) >= 1;
    });
  });
});

describe('closeServer (the shutdown of the HTTP server)', () => {
  it('ends a keep-alive connection whose request was being answered when the server closed, instead of waiting out its keep-alive', async function () {
    // Without the sweep the close waits KEEP_ALIVE_TIMEOUT_MS (65 s) and the test times out.
    this.timeout(KEEP_ALIVE_TIMEOUT_MS / 2);
    const pending: http.ServerResponse[] = [];
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const server = http.createServer((_req, res) => {
      pending.push(res);
      arrived();
    });
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = new http.Agent({ keepAlive: true });
    try {
      const answered = new Promise<string>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, agent }, (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => resolve(body));
          })
          .on('error', reject);
      });
      await requestArrived;
      const closing = closeServer(server);
      pending[0]!.end('answered while closing');
      assert.equal(await answered, 'answered while closing');
      await closing;
    } finally {
      agent.destroy();
      server.closeAllConnections();
    }
  });
});
