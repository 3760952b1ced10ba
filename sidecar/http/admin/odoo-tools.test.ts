/**
 * What Odoo's admin tools call on the sidecar (admin API), against a stack (simulator, real
 * PostgreSQL and pg-boss, the Odoo double): the status snapshot of Test connection and of the
 * periodic report, the shop's locations, and re-importing an order by its number — also one whose
 * key a dead letter blocks.
 */
import assert from 'node:assert/strict';
import { storedStatus } from '../../../dev/odoo-double/api/status.js';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { STACK_SHOP, startStack, type Stack } from '../../../dev/testing/stack.js';
import { ordersFlow } from '../../flows/orders/index.js';
import type { StatusReport } from '../../odoo/contract.js';
import { keys } from '../../queue/names.js';
import { CONTRACT_VERSION } from '../../rules/contract-version.js';

interface SimOrder {
  id: number;
  admin_graphql_api_id: string;
  name: string;
}

describe("admin API for Odoo's tools: status, locations, re-import by number", function () {
  this.timeout(60_000);
  let stack: Stack;
  const admin = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(`${stack.sidecarUrl}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.config.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const orderJobs = async (key: string) =>
    (
      await stack.sidecar.pool.query<{ state: string; source: string }>(
        `SELECT state, data->'payload'->>'source' AS source FROM shopify_sync_queue.job WHERE name = 'orders' AND singleton_key = $1`,
        [key],
      )
    ).rows;

  before(async () => {
    stack = await startStack({ databaseUrl: await testDatabase('admin_odoo_tools'), flows: [ordersFlow] });
    await stack.sidecar.workersStarted;
    await stack.simControl('POST', '/products', { title: 'Known', sku: 'TOOLS-KNOWN', price: '5.00', stock: { '101': 5 } });
    await stack.merchant!.createProduct({ name: 'Known', price: '5.00', variants: [{ sku: 'TOOLS-KNOWN' }] });
    await stack.simControl('POST', '/products', { title: 'Ghost', sku: 'TOOLS-GHOST', price: '5.00', stock: { '101': 5 } });
  });
  after(async () => {
    await stack?.stop();
  });

  it("answers the status snapshot Odoo's Test connection stores, in the report_status shape", async () => {
    await stack.subscribeWebhooks();
    const { status, body } = await admin('GET', '/api/status');
    assert.equal(status, 200);
    const snapshot = body as unknown as StatusReport;
    assert.equal(snapshot.contract_version, CONTRACT_VERSION);
    assert.equal(snapshot.shopify.api_version, stack.config.shopify.apiVersion);
    assert.ok(snapshot.shopify.supported_until);
    assert.equal(snapshot.webhooks.missing.length, 0, JSON.stringify(snapshot.webhooks.missing));
    assert.equal(snapshot.webhooks.subscribed, snapshot.webhooks.required);
    assert.ok(snapshot.webhooks.topics.some((t) => t.topic === 'orders/create'));
    assert.deepEqual(
      snapshot.queues.map((q) => q.queue),
      ['products', 'inventory', 'orders', 'customers', 'fulfillments', 'refunds', 'returns', 'privacy', 'payments'],
    );
    // The double checks it as the addon does: the snapshot is a valid report_status document.
    await stack.sidecar.contract.reportStatus(snapshot);
  });

  it("lists the shop's locations for the location mapping", async () => {
    const { status, body } = await admin('GET', '/api/shopify/locations');
    assert.equal(status, 200);
    const locations = body.locations as Array<{ id: string; name: string; isActive: boolean }>;
    assert.deepEqual(
      locations.map((l) => l.id),
      ['gid://shopify/Location/101', 'gid://shopify/Location/102'],
    );
    assert.ok(locations.every((l) => l.name && l.isActive));
  });

  it('re-imports an order by its number, and says when Shopify has none', async () => {
    const order = await stack.simControl<SimOrder>('POST', '/orders', {
      email: 'tools@example.com',
      lines: [{ sku: 'TOOLS-KNOWN', quantity: 1, price: '5.00' }],
    });
    const key = keys.order(STACK_SHOP, order.admin_graphql_api_id);
    const { status, body } = await admin('POST', '/api/orders/reimport', { name: order.name.replace('#', '') });
    assert.equal(status, 200);
    assert.deepEqual(body, { orderGid: order.admin_graphql_api_id, name: order.name, outcome: 'queued' });
    await stack.waitFor('the resync job done', async () =>
      (await orderJobs(key)).some((j) => j.source === 'resync' && j.state === 'completed'),
    );
    assert.equal((await admin('POST', '/api/orders/reimport', { name: '#999999' })).status, 404);
    assert.equal((await admin('POST', '/api/orders/reimport', {})).status, 400);
  });

  it('re-queues the dead letter that blocks the order instead of queueing behind it', async () => {
    const order = await stack.simControl<SimOrder>('POST', '/orders', {
      email: 'ghost@example.com',
      lines: [{ sku: 'TOOLS-GHOST', quantity: 1, price: '5.00' }],
    });
    const key = keys.order(STACK_SHOP, order.admin_graphql_api_id);
    await stack.sidecar.queue.send('orders', { source: 'resync', orderGid: order.admin_graphql_api_id }, { key });
    await stack.waitFor('the dead letter', async () => (await stack.sidecar.queue.listDeadLetters('orders')).some((l) => l.key === key));
    await stack.merchant!.createProduct({ name: 'Ghost', price: '5.00', variants: [{ sku: 'TOOLS-GHOST' }] });
    const { body } = await admin('POST', '/api/orders/reimport', { name: order.name });
    assert.equal(body.outcome, 'retried');
    await stack.waitFor('the order in Odoo', () =>
      [...stack.odoo!.state.saleOrders.values()].some((so) => so.order_gid === order.admin_graphql_api_id),
    );
    assert.deepEqual(await stack.sidecar.queue.blockedKeys('orders'), []);
  });

  it("reports the snapshot to Odoo after each alert round (Odoo's Overview)", async () => {
    await stack.sidecar.alerter.evaluate();
    const stored = storedStatus(stack.odoo!);
    assert.equal(stored?.contract_version, CONTRACT_VERSION);
  });
});
