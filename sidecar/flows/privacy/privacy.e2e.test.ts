/**
 * Privacy requests end to end against the Odoo double: Shopify's compliance webhooks sent by the
 * simulator to the app-configured address (signed, with Shopify's headers), through the real
 * intake, PostgreSQL, pg-boss and every flow; and "Erase personal data" in Odoo through the
 * outbox to Shopify's customerRequestDataErasure. The same scenarios run against a real Odoo in
 * sidecar/flows/real-odoo.e2e.test.ts.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { parse, stringify } from 'lossless-json';
import { webhookFixture } from '../../../dev/testing/fixtures.js';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { startStack, type Stack } from '../../../dev/testing/stack.js';
import type { PrivacyRequestView } from '../../../dev/conformance/target.js';
import { handlePrivacyJob } from './index.js';

interface SimOrder {
  id: number;
  admin_graphql_api_id: string;
}
interface SimCustomer {
  id: number;
  admin_graphql_api_id: string;
}
type Payload = Record<string, unknown>;

describe('privacy requests end to end (simulator compliance webhooks, PostgreSQL, Odoo double)', function () {
  this.timeout(90_000);
  let stack: Stack;
  let sku = 0;

  before(async () => {
    stack = await startStack({ databaseUrl: await testDatabase('flow_privacy_e2e') });
    await stack.subscribeWebhooks();
    await stack.configureComplianceWebhooks();
    await stack.sidecar.workersStarted;
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') for (const l of stack.logs.lines.slice(-30)) console.log(JSON.stringify(l).slice(0, 400));
  });
  after(async () => {
    await stack?.stop();
  });

  const requests = () => stack.merchant!.readPrivacyRequests();
  const requestFor = (kind: PrivacyRequestView['kind'], customerGid: string, state?: PrivacyRequestView['state']) =>
    stack.waitFor(`the ${kind} request of ${customerGid}${state ? ` ${state}` : ''}`, async () =>
      (await requests()).find((r) => r.kind === kind && r.customer_gid === customerGid && (!state || r.state === state)),
    );
  const inbox = async (topic: string) =>
    (
      await stack.sidecar.pool.query<{ webhook_id: string; status: string; payload: unknown; entity_gid: string }>(
        'SELECT webhook_id, status, payload, entity_gid FROM shopify_sync.webhook_inbox WHERE topic = $1 ORDER BY received_at',
        [topic],
      )
    ).rows;
  const partnerByGid = (gid: string) => [...stack.odoo!.state.partners.values()].find((p) => p.binding.shopify_gid === gid);

  /** A customer with one imported order in Odoo (open: its delivery is not done). */
  async function customerWithOrder(email: string): Promise<{ customer: SimCustomer; order: SimOrder; saleOrderId: number }> {
    sku += 1;
    const code = `PRIV-${sku}`;
    await stack.simControl('POST', '/products', { title: `Privacy mug ${sku}`, sku: code, price: '9.50', stock: { '101': 5 } });
    await stack.merchant!.createProduct({ name: `Privacy mug ${sku}`, price: '9.50', variants: [{ sku: code }] });
    const customer = await stack.simControl<SimCustomer>('POST', '/customers', { email, firstName: 'Ada', lastName: `Privacy${sku}` });
    const order = await stack.simControl<SimOrder>('POST', '/orders', {
      customer: { id: customer.id },
      lines: [{ sku: code, quantity: 1, price: '9.50' }],
      shippingAddress: {
        first_name: 'Ada',
        last_name: `Privacy${sku}`,
        address1: '1 Privacy Road',
        city: 'Brussels',
        zip: '1000',
        country_code: 'BE',
      },
    });
    const [so] = await stack.waitFor('the order in Odoo', async () => {
      const orders = await stack.merchant!.readSaleOrders(order.admin_graphql_api_id);
      return orders.length ? orders : undefined;
    });
    await stack.waitFor('the customer bound in Odoo', () => partnerByGid(customer.admin_graphql_api_id));
    return { customer, order, saleOrderId: so!.id };
  }

  /** Every webhook the simulator sent so far is delivered and handled by the sidecar. */
  // Nothing left to come: every delivery answered and handled, Odoo's outbox drained, every queue
  // idle, and a second drain found nothing new. A push still running (a product created in Odoo
  // becomes a productSet, and Shopify answers with products/create) would otherwise write after
  // the step that follows, on a loaded machine.
  const settled = () =>
    stack.waitFor('nothing left to come (deliveries, inbox, outbox, queues)', async () => {
      const deliveries = await stack.simControl<Array<{ status: string }>>('GET', '/webhooks/deliveries');
      if (deliveries.some((d) => d.status === 'pending')) return false;
      const queued = await stack.sidecar.pool.query("SELECT 1 FROM shopify_sync.webhook_inbox WHERE status = 'queued'");
      if (queued.rowCount !== 0) return false;
      await stack.sidecar.relay.drain();
      if (!(await stack.sidecar.queue.queueStats()).every((q) => q.queued === 0 && q.active === 0)) return false;
      return (await stack.sidecar.relay.drain()).enqueued === 0;
    });

  async function deliverAll(saleOrderId: number): Promise<void> {
    for (const picking of await stack.merchant!.readPickings(saleOrderId)) {
      if (picking.picking_type === 'outgoing' && picking.state !== 'done') await stack.merchant!.validateDelivery(picking.id);
    }
  }

  it('answers customers/data_request with an export in Odoo: what Odoo and the sidecar hold, a to-do with the due date', async () => {
    const { customer, order } = await customerWithOrder('export-me@example.com');
    await stack.simControl('POST', '/privacy/customers-data-request', { customerId: customer.id });
    const request = await requestFor('data_request', customer.admin_graphql_api_id, 'done');
    const exported = request.export as {
      odoo: { partners: Array<{ email: string | null }>; sale_orders: Array<{ shopify_gid: string }> };
      sidecar: { webhook_payloads: Array<{ topic: string; payload: Payload }> };
    };
    assert.ok(exported.odoo.partners.some((p) => p.email === 'export-me@example.com'));
    assert.deepEqual(
      exported.odoo.sale_orders.map((o) => o.shopify_gid),
      [order.admin_graphql_api_id],
    );
    const topics = exported.sidecar.webhook_payloads.map((p) => p.topic);
    assert.ok(topics.includes('orders/create') && topics.includes('customers/create'), topics.join(', '));
    assert.deepEqual(request.activities, [{ summary: 'Send the data export to the customer', deadline: request.due_date }]);
    assert.equal(Date.parse(`${request.due_date}T00:00:00Z`) - Date.parse(request.received_at.slice(0, 10)), 30 * 86_400_000);
    // The compliance delivery is processed and its own payload (e-mail, phone) is gone.
    const [row] = await stack.waitFor('the delivery processed', async () => {
      const rows = (await inbox('customers/data_request')).filter((r) => r.status !== 'queued');
      return rows.length ? rows : undefined;
    });
    assert.deepEqual({ status: row!.status, payload: row!.payload }, { status: 'processed', payload: null });
    const line = await stack.waitFor('the outcome line', () =>
      stack.logs.lines.find((l) => l.flow === 'privacy' && l.outcome === 'exported'),
    );
    assert.ok(!JSON.stringify(line).includes('export-me@example.com'), JSON.stringify(line));
  });

  it('makes customers/redact wait, visibly, while an order is open, then erases once it is delivered', async () => {
    const { customer, order, saleOrderId } = await customerWithOrder('forget-me@example.com');
    const gid = customer.admin_graphql_api_id;
    // The customer's own webhooks handled first: one handled after the erasure would bind them
    // again in the sidecar (ids and a content hash; see docs/operations.md, "Privacy requests").
    await settled();
    await stack.simControl('POST', '/privacy/customers-redact', { customerId: customer.id });
    const waiting = await requestFor('customer_redact', gid, 'waiting');
    assert.match(waiting.waiting_reason ?? '', /open orders/);
    assert.deepEqual(waiting.activities, [{ summary: 'Erasure waits for open orders', deadline: waiting.due_date }]);
    assert.equal(partnerByGid(gid)!.email, 'forget-me@example.com', 'nothing erased in Odoo while the order is open');
    // The sidecar's part is done at once: its payloads about the customer and the order are gone.
    const sidecarOutcome = await stack.waitFor(
      'the sidecar part recorded',
      // null is an answer to waitFor: only a recorded outcome ends the wait.
      async () => (await requestFor('customer_redact', gid)).sidecar_outcome ?? undefined,
    );
    const about = await stack.sidecar.pool.query<{ topic: string; payload: unknown }>(
      'SELECT topic, payload FROM shopify_sync.webhook_inbox WHERE entity_gid = ANY($1::text[])',
      [[gid, order.admin_graphql_api_id]],
    );
    assert.ok(about.rows.length >= 3, about.rows.map((r) => r.topic).join(', '));
    assert.deepEqual(
      about.rows.filter((r) => r.payload !== null).map((r) => r.topic),
      [],
    );
    // Unbound in the sidecar: its sync row went. (While Odoo waits, the contact is still synced, so
    // a later push may bind it again: the count on the request is what the erasure did.)
    assert.match(sidecarOutcome, /\b[1-9][0-9]* sync rows deleted\b/);

    await deliverAll(saleOrderId);
    await stack.merchant!.recheckPrivacyRequest(waiting.id);
    const done = await requestFor('customer_redact', gid, 'done');
    assert.equal(done.done_by, 'Administrator');
    const partner = partnerByGid(gid)!;
    assert.deepEqual({ erased: partner.erased, email: partner.email, street: partner.street }, { erased: true, email: null, street: null });
    const [so] = await stack.merchant!.readSaleOrders(order.admin_graphql_api_id);
    assert.equal(so!.amount_total, '9.50', 'the order (an accounting record) is kept');

    // A later Shopify update of the customer does not bring the data back.
    await stack.simControl('PATCH', `/customers/${customer.id}`, { lastName: 'Back' });
    await stack.waitFor('the update handled', () =>
      stack.logs.lines.some((l) => l.flow === 'customers' && l.entityId === gid && l.trigger === 'customers/update'),
    );
    assert.equal(partnerByGid(gid)!.name.startsWith('Redacted customer'), true);
    assert.equal([...stack.odoo!.state.partners.values()].filter((p) => p.email === 'forget-me@example.com').length, 0);
  });

  it('keeps Shopify IDs beyond 2^53 exact and handles a request once, whatever the retries', async () => {
    const payload = parse(webhookFixture('customers/redact').toString('utf8')) as Payload;
    const big = '820982911946154508';
    Object.assign(payload, { shop_domain: stack.config.shopify.shopDomain, orders_to_redact: [parse('450789469000000001')] });
    Object.assign(payload.customer as Payload, { id: parse(big), email: 'nobody-here@example.com' });
    const body = stringify(payload)!;
    const response = await fetch(`${stack.sidecarUrl}/webhooks/shopify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'customers/redact',
        'x-shopify-hmac-sha256': crypto.createHmac('sha256', stack.config.shopify.webhookSecrets[0]!).update(body).digest('base64'),
        'x-shopify-shop-domain': stack.config.shopify.shopDomain,
        'x-shopify-api-version': stack.config.shopify.apiVersion,
        'x-shopify-webhook-id': 'privacy-big-ids',
      },
      body,
    });
    assert.equal(response.status, 200);
    const gid = `gid://shopify/Customer/${big}`;
    const request = await requestFor('customer_redact', gid, 'done');
    assert.equal(request.outcome, 'Erased in Odoo: nothing.');
    const odooRequest = stack.odoo!.state.privacyRequests.get(request.id)!;
    assert.deepEqual(odooRequest.order_gids, ['gid://shopify/Order/450789469000000001']);
    // The job again (a retry after a crash): the same request, nothing new.
    const before = (await requests()).length;
    const outcome = await handlePrivacyJob(stack.flowContext(), {
      data: { source: 'webhook', topic: 'customers/redact', webhookId: 'privacy-big-ids', entityGid: gid, triggeredAt: null },
      key: null,
      attempt: 2,
      maxAttempts: 5,
      correlationId: 'privacy-big-ids',
      jobId: crypto.randomUUID(),
      queue: 'privacy',
      signal: new AbortController().signal,
    });
    assert.equal(outcome.outcome, 'redacted');
    assert.equal((outcome.fields as { requestId: number }).requestId, request.id);
    assert.equal((await requests()).length, before);
  });

  it('asks Shopify to erase a customer erased in Odoo and shows Shopify’s answer on the request', async () => {
    const { customer, saleOrderId } = await customerWithOrder('erase-from-odoo@example.com');
    await deliverAll(saleOrderId);
    const partner = partnerByGid(customer.admin_graphql_api_id)!;
    await stack.merchant!.eraseCustomer(partner.id);
    const request = await requestFor('erasure', customer.admin_graphql_api_id, 'done');
    assert.equal(request.shopify_status, 'requested');
    const asked = await stack.simControl<Array<{ customerId: number }>>('GET', '/privacy/erasure-requests');
    assert.ok(asked.some((r) => r.customerId === customer.id));
    assert.equal(stack.odoo!.state.partners.get(partner.id)!.erased, true);
  });

  it('records "not in Shopify" when the customer is already gone there', async () => {
    const customer = await stack.simControl<SimCustomer>('POST', '/customers', { email: 'gone-already@example.com', firstName: 'Gone' });
    const partner = await stack.waitFor('the partner', () => partnerByGid(customer.admin_graphql_api_id));
    await stack.simControl('DELETE', `/customers/${customer.id}`);
    await stack.merchant!.eraseCustomer(partner.id);
    const request = await requestFor('erasure', customer.admin_graphql_api_id, 'done');
    assert.equal(request.shopify_status, 'not_found');
  });

  it('removes the shop’s data on shop/redact: Shopify IDs in Odoo, the sidecar’s inbox, jobs, reports and sync state', async () => {
    const { order } = await customerWithOrder('last-one@example.com');
    await stack.sidecar.pool.query(
      "INSERT INTO shopify_sync.reports (kind, summary, body) VALUES ('reconciliation', '{\"headline\": \"x\"}', '{}')",
    );
    const pool = stack.sidecar.pool;
    await pool.query(
      "INSERT INTO shopify_sync.refund_intent (move_id, order_gid, known_refunds) VALUES (1, 'gid://shopify/Order/1', '{}')",
    );
    // The orders applied (the pull's skip list), as an orders job records them for this shop.
    await pool.query('INSERT INTO shopify_sync.order_applied (shop_domain, order_gid, shopify_updated_at) VALUES ($1, $2, now())', [
      stack.config.shopify.shopDomain,
      order.admin_graphql_api_id,
    ]);
    const queue = stack.config.database.queueSchema;
    const before = (await pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${queue}.job`)).rows[0]!.count;
    assert.ok(before > 0);
    const { rows: now } = await pool.query<{ t: Date }>('SELECT now() AS t');
    await settled();
    await stack.simControl('POST', '/privacy/shop-redact');
    const request = await stack.waitFor('the shop request done', async () =>
      (await requests()).find((r) => r.kind === 'shop_redact' && r.state === 'done'),
    );
    assert.match(request.outcome ?? '', /Shopify IDs removed from/);
    assert.deepEqual(await stack.merchant!.readSaleOrders(order.admin_graphql_api_id), [], 'no order bound to the GID any more');
    const rows = await pool.query<{ topic: string; payload: unknown }>('SELECT topic, payload FROM shopify_sync.webhook_inbox');
    assert.deepEqual(rows.rows, [{ topic: 'shop/redact', payload: null }]);
    // Every table of the sidecar's schema is emptied but these: the migrations' bookkeeping, the
    // request's own delivery (payload purged, above), the compliance arrivals (below) and the
    // metrics and alert state, which count events and hold no shop data. A new table must be
    // purged by purgeShop or named here.
    const kept = ['schema_migrations', 'webhook_inbox', 'sidecar_state', 'metrics_rollup', 'alert_state'];
    const { rows: tables } = await pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'shopify_sync' AND table_type = 'BASE TABLE'",
    );
    assert.ok(tables.some((t) => t.table_name === 'refund_intent') && tables.some((t) => t.table_name === 'order_applied'));
    for (const { table_name: table } of tables.filter((t) => !kept.includes(t.table_name))) {
      assert.equal((await pool.query(`SELECT 1 FROM shopify_sync.${table}`)).rowCount, 0, `${table} is emptied`);
    }
    // A job another worker runs at that moment is left to finish (store.ts purgeShop): still
    // active, or ended after the request started.
    const older = await pool.query<{ name: string; state: string }>(
      `SELECT name, state FROM ${queue}.job
        WHERE created_on < $1 AND state <> 'active' AND NOT (completed_on IS NOT NULL AND completed_on >= $1)`,
      [now[0]!.t],
    );
    assert.deepEqual(older.rows, [], 'every job queued before the request is gone');
    // The arrivals of the compliance topics are kept for `doctor`.
    const state = await pool.query<{ value: Record<string, { first: string }> }>(
      "SELECT value FROM shopify_sync.sidecar_state WHERE key = 'compliance_webhooks'",
    );
    assert.deepEqual(Object.keys(state.rows[0]!.value).sort(), ['customers/data_request', 'customers/redact', 'shop/redact']);
    const doctor = await fetch(`${stack.sidecarUrl}/admin/api/doctor`, { headers: { authorization: `Bearer ${stack.config.adminToken}` } });
    const { checks } = (await doctor.json()) as { checks: Array<{ name: string; verdict: string; detail: string }> };
    const compliance = checks.find((c) => c.name === 'compliance webhooks')!;
    assert.equal(compliance.verdict, 'ok');
    for (const topic of ['customers/data_request', 'customers/redact', 'shop/redact'])
      assert.match(compliance.detail, new RegExp(`${topic}: first \\d{4}-`), compliance.detail);
  });
});
