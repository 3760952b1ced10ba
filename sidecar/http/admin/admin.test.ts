/**
 * Operator tools end to end: the admin API and the `shopify-sync` CLI against a stack (real
 * PostgreSQL and pg-boss, the simulator over HTTP, the Odoo double): auth, DLQ tools, unblock,
 * resync, config, doctor, and the reconciliation and integrity reports with planted faults.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Flow } from '../../flows/context.js';
import { reportsSchedule } from '../../schedules/reports.js';
import { storedReport } from '../../../dev/odoo-double/index.js';
import type { OdooDouble } from '../../../dev/odoo-double/index.js';
import { newBinding } from '../../../dev/odoo-double/state.js';
import { httpAdminApi, runCli } from '../../cli/main.js';
import { keys } from '../../queue/names.js';
import { managedTopics } from '../../schedules/webhook-subscriptions/map.js';
import { WEBHOOK_TOPICS } from '../../jobs.js';
import { PermanentError } from '../../queue/errors.js';
import { CONTRACT_VERSION } from '../../rules/contract-version.js';
import { fetchShopifyOrders, type ReconciliationReport } from '../../reports/reconcile.js';
import { latestReport } from '../../reports/store.js';
import { childEnv } from '../../../dev/testing/env.js';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { STACK_SHOP, startStack, type Stack } from '../../../dev/testing/stack.js';

const run = promisify(execFile);

/**
 * A customers worker and a go-live catalog push worker (a keyless scheduled queue) that fail
 * permanently while `failing` is set: plant dead letters.
 */
const control = { failing: true };
const failingFlow: Flow = {
  name: 'test-failing-customers',
  queues: ['customers', 'catalog.bulk'],
  async register(ctx) {
    for (const queue of ['customers', 'catalog.bulk'] as const)
      await ctx.queue.work<{ n: number }>(queue, () =>
        control.failing ? Promise.reject(new PermanentError('planted: unknown customer tag')) : Promise.resolve(),
      );
  },
};

function plantSaleOrder(odoo: OdooDouble, orderGid: string, totalCents: number, productLines: number): void {
  const id = odoo.id();
  const partner = odoo.id();
  odoo.state.saleOrders.set(id, {
    id,
    name: `S${String(id).padStart(5, '0')}`,
    partner_id: partner,
    partner_invoice_id: partner,
    partner_shipping_id: partner,
    state: 'sale',
    warehouse_id: [...odoo.state.warehouses.keys()][0]!,
    order_gid: orderGid,
    client_order_ref: null,
    financial_status: 'paid',
    fulfillment_status: null,
    presentment_currency: 'USD',
    note: null,
    updated_at: null,
    needs_return: false,
    taxes_included: false,
    lines: Array.from({ length: productLines }, (_, i) => ({
      id: odoo.id(),
      line_gid: `gid://shopify/LineItem/${id}${i}`,
      role: 'product' as const,
      product_id: null,
      sku: null,
      name: 'x',
      quantity: 1,
      price_unit: 0,
      tax_ids: [],
      qty_delivered: 0,
    })),
    amount_untaxed: totalCents,
    amount_tax: 0,
    amount_total: totalCents,
    document_hash: null,
    binding: newBinding(orderGid),
  });
}

describe('operator tools: admin API and CLI (simulator, PostgreSQL, Odoo double)', function () {
  let stack: Stack;
  let token: string;
  const admin = async (method: 'GET' | 'POST', path: string, body?: unknown, auth = true) => {
    const res = await fetch(`${stack.sidecarUrl}/admin${path}`, {
      method,
      headers: {
        ...(auth ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
  };
  const jobs = async (queue: string) =>
    (
      await stack.sidecar.pool.query(
        `SELECT singleton_key AS key, data->'payload' AS data, state FROM shopify_sync_queue.job WHERE name = $1 ORDER BY created_on, id`,
        [queue],
      )
    ).rows;
  const cli = (args: string[]) =>
    run(process.execPath, ['bin/shopify-sync.mjs', ...args], {
      env: childEnv({ SIDECAR_URL: stack.sidecarUrl, ADMIN_TOKEN: token }),
      timeout: 30_000,
    });
  const waitOperation = (id: string) =>
    stack.waitFor(`operation ${id}`, async () => {
      const op = (await admin('GET', `/api/operations/${id}`)).body;
      return op.state === 'running' ? undefined : op;
    });

  before(async () => {
    stack = await startStack({ databaseUrl: await testDatabase('admin_operator_tools'), flows: [failingFlow, reportsSchedule] });
    token = stack.config.adminToken;
    await stack.sidecar.workersStarted;
  });
  after(async () => {
    await stack?.stop();
  });

  describe('auth and config', () => {
    it('refuses the admin API without the bearer token or with a wrong one', async () => {
      assert.equal((await admin('GET', '/api/config', undefined, false)).status, 401);
      const res = await fetch(`${stack.sidecarUrl}/admin/api/dlq`, { headers: { authorization: 'Bearer wrong-token-0123456789abcdef' } });
      assert.equal(res.status, 401);
      assert.equal((await admin('POST', '/api/reconcile', {}, false)).status, 401);
    });

    it('shows the config with every secret redacted', async () => {
      const { status, body } = await admin('GET', '/api/config');
      assert.equal(status, 200);
      assert.equal(body.adminToken, '[redacted]');
      assert.equal(body.shopify.shopDomain, STACK_SHOP);
      const text = JSON.stringify(body);
      for (const secret of [token, stack.config.odoo.apiKey, ...stack.config.shopify.webhookSecrets])
        assert.ok(!text.includes(secret), 'a secret leaked');
      assert.equal(body.reports.reconcileCron, '30 5 * * *');
    });
  });

  describe('doctor', () => {
    it('fails on missing webhook subscriptions, then passes once they exist (CLI spawned)', async () => {
      const before = await admin('GET', '/api/doctor');
      assert.equal(before.status, 503);
      const webhooks = before.body.checks.find((c: { name: string }) => c.name === 'webhook subscriptions');
      assert.equal(webhooks.verdict, 'fail');
      assert.match(webhooks.detail, /missing subscriptions to .*\/webhooks\/shopify: orders\/create, /);
      await stack.subscribeWebhooks(managedTopics(WEBHOOK_TOPICS));
      const { stdout, stderr } = await cli(['doctor']);
      assert.equal(stderr, '');
      const lines = stdout.trim().split('\n');
      assert.deepEqual(
        lines.map((l) => l.split(':')[0]!.replace(/^\w+\s+/, '')),
        [
          'database',
          'odoo contract',
          'shopify credentials',
          'shopify api version',
          'shopify deprecations',
          'webhook subscriptions',
          'webhook deliveries',
          'compliance webhooks',
        ],
      );
      assert.ok(!lines.some((l) => l.startsWith('FAIL')), stdout);
      assert.ok(stdout.includes(`speaks contract ${CONTRACT_VERSION} (sidecar speaks ${CONTRACT_VERSION})`), stdout);
      // No compliance webhook has arrived in this stack: configured on the app, only arrival proves it.
      assert.match(stdout, /WARN {2}compliance webhooks: no compliance webhook ever arrived; configure them on the app/);
      assert.match(stdout, /OK {4}webhook subscriptions: 21 topics subscribed to http:\/\/127\.0\.0\.1:\d+\/webhooks\/shopify/);
    });
  });

  describe('dead letters and blocked keys', () => {
    const keyA = keys.customer(STACK_SHOP, 'gid://shopify/Customer/9001');
    const keyB = keys.customer(STACK_SHOP, 'gid://shopify/Customer/9002');

    before(async () => {
      control.failing = true;
      await stack.sidecar.queue.send('customers', { n: 1 }, { key: keyA });
      await stack.sidecar.queue.send('customers', { n: 2 }, { key: keyB });
      await stack.waitFor('two dead letters', async () => (await stack.sidecar.queue.listDeadLetters('customers')).length === 2);
    });

    it('lists, filters and inspects dead letters, through the API and the CLI', async () => {
      const all = await admin('GET', '/api/dlq?queue=customers');
      assert.equal(all.body.count, 2);
      assert.deepEqual(all.body.entries.map((e: { key: string }) => e.key).sort(), [keyA, keyB]);
      const byKey = await admin('GET', `/api/dlq?key=${encodeURIComponent(keyA)}`);
      assert.equal(byKey.body.count, 1);
      assert.equal(byKey.body.entries[0].reason, 'PermanentError: planted: unknown customer tag');
      const inspect = await admin('GET', `/api/dlq/customers/${byKey.body.entries[0].id}`);
      assert.equal(inspect.body.sourceState, 'failed');
      assert.equal((await admin('GET', '/api/dlq/customers/00000000-0000-0000-0000-000000000000')).status, 404);
      assert.equal((await admin('GET', '/api/dlq/nope/1')).status, 400);
      const out: string[] = [];
      const code = await runCli(['dlq', 'list', '--queue', 'customers'], {
        api: httpAdminApi(stack.sidecarUrl, token),
        out: (t) => out.push(t),
        err: (t) => out.push(t),
      });
      assert.equal(code, 0);
      assert.match(out.join('\n'), /^QUEUE\s+ID\s+KEY/);
      assert.equal(out.join('\n').split('\n').length, 3);
    });

    it('unblocks a key by retrying its failed job (CLI spawned), which then completes', async () => {
      assert.deepEqual((await admin('GET', '/api/blocked')).body.blocked.customers.sort(), [keyA, keyB]);
      control.failing = false;
      const { stdout } = await cli(['unblock', 'customers', keyA]);
      assert.match(stdout, new RegExp(`customers ${keyA}: retried`));
      await stack.waitFor('key A unblocked', async () => !(await stack.sidecar.queue.blockedKeys('customers')).includes(keyA));
      assert.deepEqual((await admin('GET', '/api/blocked')).body.blocked.customers, [keyB]);
      assert.equal((await admin('POST', '/api/unblock', { queue: 'customers', key: keyA })).status, 404);
    });

    it("retries a dead letter without a key by its job id, as Odoo's Errors → Retry names a scheduled job", async () => {
      control.failing = true;
      const sent = await stack.sidecar.queue.send('catalog.bulk', { n: 3 });
      const ofJob = async () => (await stack.sidecar.queue.listDeadLetters('catalog.bulk')).filter((e) => e.sourceJobId === sent.id);
      await stack.waitFor('its dead letter', async () => (await ofJob()).length === 1);
      assert.equal((await admin('POST', '/api/unblock', { queue: 'catalog.bulk' })).status, 400);
      control.failing = false;
      const res = await admin('POST', '/api/unblock', { queue: 'catalog.bulk', job_id: sent.id, action: 'retry' });
      assert.equal(res.status, 200);
      assert.deepEqual([res.body.job_id, res.body.results.length], [sent.id, 1]);
      await stack.waitFor('the retried job done', async () => (await ofJob()).length === 0);
      assert.equal((await admin('POST', '/api/unblock', { queue: 'catalog.bulk', job_id: sent.id })).status, 404);
    });

    it('refuses a bulk action without a filter, and discards in bulk by reason', async () => {
      assert.equal((await admin('POST', '/api/dlq/discard', {})).status, 400);
      const res = await admin('POST', '/api/dlq/discard', { queue: 'customers', reason: 'unknown customer' });
      assert.equal(res.status, 200);
      assert.deepEqual([res.body.matched, res.body.done], [1, 1]);
      assert.deepEqual(await stack.sidecar.queue.blockedKeys('customers'), []);
      assert.equal((await admin('GET', '/api/dlq?queue=customers')).body.count, 0);
    });
  });

  describe('reports and resync', () => {
    let gids: string[];
    let totals: Map<string, string>;
    let double: OdooDouble;

    before(async () => {
      double = stack.odoo!;
      const [location] = await stack.simControl<{ id: number }[]>('GET', '/locations');
      await stack.simControl('POST', '/products', {
        title: 'Recon mug',
        sku: 'RECON-MUG',
        price: '10.00',
        stock: { [String(location!.id)]: 50 },
      });
      gids = [];
      for (let i = 0; i < 3; i++) {
        const o = await stack.simControl<{ admin_graphql_api_id: string }>('POST', '/orders', {
          email: `r${i}@example.com`,
          lines: [{ sku: 'RECON-MUG', quantity: i + 1 }],
        });
        gids.push(o.admin_graphql_api_id);
      }
      const now = new Date();
      totals = new Map(
        (await fetchShopifyOrders(stack.sidecar.shopify, new Date(now.getTime() - 3600_000), new Date(now.getTime() + 60_000))).map((o) => [
          o.gid,
          o.total,
        ]),
      );
      const cents = (gid: string) => Math.round(Number(totals.get(gid)) * 100);
      // Order 0 imported correctly, order 1 imported with a wrong total, order 2 never imported.
      plantSaleOrder(double, gids[0]!, cents(gids[0]!), 1);
      plantSaleOrder(double, gids[1]!, cents(gids[1]!) - 1, 1);
    });

    it('reconciliation finds the planted missing order and total mismatch, repairs them, stores and prints the report', async () => {
      const out: string[] = [];
      const progress: string[] = [];
      const code = await runCli(['reconcile', '--markdown'], {
        api: httpAdminApi(stack.sidecarUrl, token),
        out: (t) => out.push(t),
        err: (t) => progress.push(t),
        pollMs: 50,
      });
      assert.equal(code, 0, progress.join('\n'));
      assert.match(progress.at(-1)!, /^reconcile: done /);
      const markdown = out.join('\n');
      assert.match(markdown, /\| 3 \| 2 \| 1 \| 1 \| 2 \|/);
      const expectedOdoo = (Number(totals.get(gids[1]!)) - 0.01).toFixed(2);
      assert.match(
        markdown,
        new RegExp(`total: Shopify ${totals.get(gids[1]!)!.replace('.', '\\.')} ≠ Odoo ${expectedOdoo.replace('.', '\\.')}`),
      );

      const stored = await latestReport<ReconciliationReport>(stack.sidecar.pool, 'reconciliation');
      assert.deepEqual(
        stored!.body.missing.map((m) => m.orderGid),
        [gids[2]],
      );
      assert.deepEqual(
        stored!.body.mismatched.map((m) => [m.orderGid, m.fields.map((f) => f.field)]),
        [[gids[1], ['total']]],
      );
      // The repair jobs: on the orders queue, keyed like every order job, in the shape the orders flow accepts.
      const repairs = (await jobs('orders')).filter((j) => j.data.source === 'repair');
      assert.deepEqual(
        repairs.map((j) => [j.key, j.data.orderGid]).sort(),
        [
          [keys.order(STACK_SHOP, gids[1]!), gids[1]],
          [keys.order(STACK_SHOP, gids[2]!), gids[2]],
        ].sort(),
      );
      assert.equal(repairs[0].data.reportId, stored!.id);
      assert.equal(
        storedReport(double, 'reconciliation')!.summary.headline,
        // No payment gateway is mapped in this Odoo: it books no payment, so none is compared.
        '3 Shopify orders, 2 in Odoo, 1 missing, 1 mismatched, 2 repair jobs; 0 of 0 refunds not in Odoo; transactions not compared (no payment gateway mapped in Odoo)',
      );
      assert.deepEqual(
        (await jobs('payments')).filter((j) => j.data.source === 'repair'),
        [],
        'no payments repair for transactions Odoo does not book',
      );
      const latest = await admin('GET', '/api/reports/reconciliation/latest');
      assert.equal(latest.body.summary.missing, 1);
    });

    it('resyncs orders since a date: one {source: "resync"} job per order on its order key', async () => {
      const since = new Date(Date.now() - 3600_000).toISOString();
      const { stdout, stderr } = await cli(['resync', 'orders', '--since', since]);
      assert.match(stdout, /^3 orders found, 3 resync jobs enqueued/);
      assert.match(stderr, /resync orders: done 3\/3/);
      const resyncs = (await jobs('orders')).filter((j) => j.data.source === 'resync');
      assert.deepEqual(resyncs.map((j) => j.key).sort(), gids.map((g) => keys.order(STACK_SHOP, g)).sort());
      assert.equal((await admin('POST', '/api/resync', { kind: 'orders' })).status, 400);
    });

    it("resyncs Odoo products through the Resync buttons' outbox events, relayed onto the product key", async () => {
      const { template_id } = await stack.merchant!.createProduct({ name: 'Resync me', price: '3.00', variants: [{ sku: 'RESYNC-1' }] });
      const key = keys.product(STACK_SHOP, `odoo:product.template:${template_id}`);
      await stack.waitFor('the create event relayed', async () => (await jobs('products')).some((j) => j.key === key));
      const before = (await jobs('products')).filter((j) => j.key === key).length;
      const res = await admin('POST', '/api/resync', { kind: 'products', ids: [template_id, 987654] });
      assert.deepEqual(res.body, { kind: 'products', queued: 1, missing_ids: [987654], skipped: [] });
      const relayed = await stack.waitFor('the resync event relayed', async () => {
        const rows = (await jobs('products')).filter((j) => j.key === key);
        return rows.length > before ? rows.at(-1) : undefined;
      });
      assert.deepEqual(
        [relayed.data.source, relayed.data.type, relayed.data.resId, relayed.data.payload.reason],
        ['outbox', 'product.changed', template_id, 'resync'],
      );
      assert.equal((await admin('POST', '/api/resync', { kind: 'planets', ids: [1] })).status, 400);
    });

    it('integrity check finds planted drift in a product, a stock level and a customer, field by field', async () => {
      const sim = stack.simControl.bind(stack);
      const locations = await sim<{ id: number; admin_graphql_api_id: string }[]>('GET', '/locations');
      // Map the double's first warehouse to the simulator's first location; leave the second unmapped.
      const [wh1, wh2] = [...double.state.warehouses.values()];
      wh1!.location_gid = locations[0]!.admin_graphql_api_id;
      wh2!.location_gid = null;
      await sim('POST', '/products', { title: 'Drift tee', sku: 'DRIFT-TEE', price: '15.00', stock: { [String(locations[0]!.id)]: 5 } });
      const [shopifyProduct] = await sim<
        Array<{ admin_graphql_api_id: string; variants: Array<{ admin_graphql_api_id: string; inventory_item_id: number }> }>
      >('GET', '/products?sku=DRIFT-TEE');
      const variant = shopifyProduct!.variants[0]!;
      const itemGid = `gid://shopify/InventoryItem/${variant.inventory_item_id}`;
      const { template_id, variants } = await stack.merchant!.createProduct({
        name: 'Drift tee',
        price: '16.00',
        variants: [{ sku: 'DRIFT-TEE' }],
      });
      const variantId = variants['DRIFT-TEE']!;
      await stack.sidecar.contract.recordSyncResult({
        model: 'product.template',
        res_id: template_id,
        state: 'synced',
        shopify_gid: shopifyProduct!.admin_graphql_api_id,
        children: [{ model: 'product.product', res_id: variantId, shopify_gid: variant.admin_graphql_api_id, inventory_item_gid: itemGid }],
      });
      await stack.merchant!.setStock(variantId, wh1!.id, 7);
      const customer = await sim<{ admin_graphql_api_id: string }>('POST', '/customers', {
        email: 'ada@example.com',
        firstName: 'Ada',
        lastName: 'Byron',
      });
      const partner_id = await stack.merchant!.createCustomer({ name: 'Ada Lovelace', email: 'ada@example.com' });
      await stack.sidecar.contract.recordSyncResult({
        model: 'res.partner',
        res_id: partner_id,
        state: 'synced',
        shopify_gid: customer.admin_graphql_api_id,
      });

      const { stdout, stderr } = await cli(['integrity', '--all', '--json']);
      assert.match(stderr, /integrity: done/);
      const report = JSON.parse(stdout).body;
      const drift = report.drift.map((d: { kind: string; odoo: string; field: string; odooValue: unknown; shopifyValue: unknown }) => [
        d.kind,
        d.odoo,
        d.field,
        d.odooValue,
        d.shopifyValue,
      ]);
      assert.deepEqual(drift, [
        ['product', `product.product:${variantId}`, 'price', '16.00', '15.00'],
        ['stock', `${variantId}@${locations[0]!.admin_graphql_api_id}`, 'on_hand', 7, 5],
        ['customer', `res.partner:${partner_id}`, 'last_name', 'Lovelace', 'Byron'],
      ]);
      assert.deepEqual(report.drifted, { product: 1, stock: 1, customer: 1 });
      assert.equal(report.seed, null);
      assert.match(
        storedReport(double, 'integrity')!.summary.headline as string,
        /^products 1\/1 drifted, stocks 1\/1 drifted, customers 1\/1 drifted \(full set\)$/,
      );

      // A seeded sample repeats itself.
      const a = await admin('POST', '/api/integrity', { sample: 1, seed: 'w48' });
      const b = await admin('POST', '/api/integrity', { sample: 1, seed: 'w48' });
      const [ra, rb] = [await waitOperation(a.body.operationId), await waitOperation(b.body.operationId)];
      const bodyOf = async (op: { result: { reportId: number } }) => (await admin('GET', `/api/reports/${op.result.reportId}`)).body.body;
      assert.deepEqual((await bodyOf(ra)).drift, (await bodyOf(rb)).drift);
      assert.deepEqual(ra.result.checked, { product: 1, stock: 1, customer: 1 });
    });

    it('schedules both reports on their crons, and a scheduled run stores a report as a recorded operation', async () => {
      const { rows } = await stack.sidecar.pool.query('SELECT name, cron FROM shopify_sync_queue.schedule ORDER BY name');
      assert.deepEqual(rows, [
        { name: 'reports.integrity', cron: '0 4 * * 0' },
        { name: 'reports.reconcile', cron: '30 5 * * *' },
      ]);
      const before = (await latestReport(stack.sidecar.pool, 'reconciliation'))!.id;
      // What pg-boss's cron tick sends.
      await stack.sidecar.queue.send('reports.reconcile', {}, { key: keys.scheduled('reports.reconcile') });
      const report = await stack.waitFor('the scheduled report', async () => {
        const latest = await latestReport(stack.sidecar.pool, 'reconciliation');
        return latest!.id > before ? latest : undefined;
      });
      const op = await waitOperation(report!.operationId!);
      assert.deepEqual([op.kind, op.state, op.params], ['reconcile', 'done', { scheduled: true }]);
    });

    it('records progress of long operations readable at /admin/api/operations/:id', async () => {
      const started = await admin('POST', '/api/reconcile', { hours: 1, repair: false });
      assert.equal(started.status, 202);
      const op = await waitOperation(started.body.operationId);
      assert.equal(op.state, 'done');
      assert.deepEqual([op.kind, op.done, op.total], ['reconcile', 3, 3]);
      assert.equal((await admin('GET', '/api/operations/00000000-0000-0000-0000-000000000000')).status, 404);
      assert.equal((await admin('GET', '/api/reports/reconciliation/latest?format=markdown')).body.startsWith('# Reconciliation'), true);
    });
  });
});
