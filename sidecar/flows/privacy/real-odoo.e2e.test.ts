/**
 * Privacy requests end to end against a REAL Odoo (17, 18 or 19) with shopify_sync: the simulator's
 * compliance webhooks (signed, sent to the app-configured address), the real intake, PostgreSQL,
 * pg-boss and every flow, Odoo over the version's transport (ODOO_PROTOCOL); and "Erase personal data" clicked in Odoo through the
 * outbox to Shopify's customerRequestDataErasure. Odoo is seen only through the real
 * MerchantDriver (what the privacy group sees in Odoo), never through the double.
 *
 * Skipped unless ODOO_URL, ODOO_DB, ODOO_USER and ODOO_API_KEY are set; `scripts/e2e-real-odoo.sh`
 * runs it after sidecar/flows/real-odoo.e2e.test.ts on the same throwaway database. The shop
 * erasure runs last: it removes every Shopify ID from that database.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRealMerchant } from '../../../dev/conformance/real-driver.js';
import type { MerchantDriver, PrivacyRequestView } from '../../../dev/conformance/target.js';
import { realOdooFromEnv } from '../../../dev/testing/env.js';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { startStack, type Stack } from '../../../dev/testing/stack.js';
import { createOdooClient } from '../../odoo/client.js';

const real = realOdooFromEnv();
const TIMEOUT = 90_000;

interface SimRecord {
  id: number;
  admin_graphql_api_id: string;
}

describe('privacy requests end to end against a real Odoo (compliance webhooks → sidecar → Odoo 17, 18 or 19)', function () {
  this.timeout(240_000);
  let stack: Stack;
  let merchant: MerchantDriver;
  const run = randomUUID().slice(0, 6).toUpperCase();
  let n = 0;

  before(async function () {
    if (!real) {
      console.log('    (skipped: set ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY to run it; scripts/e2e-real-odoo.sh does)');
      this.skip();
    }
    const common = { url: real.url, db: real.db, requestTimeoutMs: 60_000 };
    merchant = createRealMerchant({
      // The merchant over JSON-RPC, as Odoo's web client; the sidecar over its own transport
      // (ODOO_PROTOCOL, default auto: JSON-2 on Odoo 19).
      admin: createOdooClient({ ...common, protocol: 'jsonrpc', user: real.adminUser, apiKey: real.adminPassword }),
      adminLogin: real.adminUser,
    });
    await merchant.configure({ import_policy: 'all', safety_stock: 0 });
    stack = await startStack({
      databaseUrl: await testDatabase('privacy_real_odoo_e2e'),
      odoo: createOdooClient({ ...common, protocol: real.protocol, user: real.user, apiKey: real.apiKey }),
      sim: { currency: await merchant.companyCurrency() },
      env: { ORDERS_PULL_CRON: '0 0 1 1 *' },
    });
    await stack.sidecar.workersStarted;
    await stack.subscribeWebhooks();
    await stack.configureComplianceWebhooks();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') for (const l of stack.logs.lines.slice(-30)) console.log(JSON.stringify(l).slice(0, 400));
  });
  after(async () => {
    await stack?.stop();
  });

  const requestFor = (kind: PrivacyRequestView['kind'], customerGid: string | null, state?: PrivacyRequestView['state']) =>
    stack.waitFor(
      `the ${kind} request${customerGid ? ` of ${customerGid}` : ''}${state ? ` ${state}` : ''}`,
      async () =>
        (await merchant.readPrivacyRequests()).find(
          (r) => r.kind === kind && (customerGid === null || r.customer_gid === customerGid) && (!state || r.state === state),
        ),
      TIMEOUT,
    );

  /** A customer with one imported order in Odoo, its delivery open. */
  async function customerWithOrder(label: string) {
    n += 1;
    const sku = `PRIV-${run}-${n}`;
    const email = `${label}-${run.toLowerCase()}@example.com`;
    const lastName = `Privacy${run}${n}`;
    await stack.simControl('POST', '/products', { title: `Privacy mug ${sku}`, sku, price: '9.50', stock: { '101': 5 } });
    await merchant.createProduct({ name: `Privacy mug ${sku}`, price: '9.50', variants: [{ sku }] });
    const customer = await stack.simControl<SimRecord>('POST', '/customers', { email, firstName: 'Ada', lastName });
    const order = await stack.simControl<SimRecord>('POST', '/orders', {
      customer: { id: customer.id },
      lines: [{ sku, quantity: 1, price: '9.50' }],
      shippingAddress: {
        first_name: 'Ada',
        last_name: lastName,
        address1: '1 Privacy Road',
        city: 'Brussels',
        zip: '1000',
        country_code: 'BE',
      },
    });
    const so = await stack.waitFor(
      'the order in Odoo',
      async () => (await merchant.readSaleOrders(order.admin_graphql_api_id))[0],
      TIMEOUT,
    );
    return { customer, order, email, saleOrderId: so.id, partnerId: so.partner_id };
  }

  /** Every webhook the simulator sent so far is delivered and handled by the sidecar. */
  const settled = () =>
    stack.waitFor('the webhooks delivered and handled', async () => {
      const deliveries = await stack.simControl<Array<{ status: string }>>('GET', '/webhooks/deliveries');
      const queued = await stack.sidecar.pool.query("SELECT 1 FROM shopify_sync.webhook_inbox WHERE status = 'queued'");
      return !deliveries.some((d) => d.status === 'pending') && queued.rowCount === 0;
    });

  async function deliverAll(saleOrderId: number): Promise<void> {
    for (const picking of await merchant.readPickings(saleOrderId)) {
      if (picking.picking_type === 'outgoing' && picking.state !== 'done') await merchant.validateDelivery(picking.id);
    }
  }

  it('answers customers/data_request with an export attached to the request in Odoo, due in 30 days', async () => {
    const { customer, order, email } = await customerWithOrder('export-me');
    await stack.simControl('POST', '/privacy/customers-data-request', { customerId: customer.id });
    const request = await requestFor('data_request', customer.admin_graphql_api_id, 'done');
    const exported = request.export as {
      odoo: { partners: Array<{ email: string | null }>; sale_orders: Array<{ shopify_gid: string }> };
      sidecar: { webhook_payloads: Array<{ topic: string }> };
    };
    assert.ok(exported.odoo.partners.some((p) => p.email === email));
    assert.deepEqual(
      exported.odoo.sale_orders.map((o) => o.shopify_gid),
      [order.admin_graphql_api_id],
    );
    const topics = exported.sidecar.webhook_payloads.map((p) => p.topic);
    assert.ok(topics.includes('orders/create'), topics.join(', '));
    // One to-do per member of the privacy group.
    assert.ok(request.activities.length > 0);
    for (const todo of request.activities)
      assert.deepEqual(todo, { summary: 'Send the data export to the customer', deadline: request.due_date });
    assert.equal(Date.parse(`${request.due_date}T00:00:00Z`) - Date.parse(request.received_at.slice(0, 10)), 30 * 86_400_000);
    await settled();
    const { rows } = await stack.sidecar.pool.query<{ status: string; payload: unknown }>(
      "SELECT status, payload FROM shopify_sync.webhook_inbox WHERE topic = 'customers/data_request'",
    );
    assert.deepEqual(rows, [{ status: 'processed', payload: null }]);
  });

  it('makes customers/redact wait, visibly, while an order is open, then erases once it is delivered and keeps the order', async () => {
    const { customer, order, email, saleOrderId, partnerId } = await customerWithOrder('forget-me');
    const gid = customer.admin_graphql_api_id;
    // The customer's own webhooks handled first: one handled after the erasure would bind them
    // again in the sidecar (ids and a content hash; see docs/operations.md, "Privacy requests").
    await settled();
    await stack.simControl('POST', '/privacy/customers-redact', { customerId: customer.id });
    const waiting = await requestFor('customer_redact', gid, 'waiting');
    assert.match(waiting.waiting_reason ?? '', /open orders/);
    assert.ok(waiting.activities.length > 0);
    for (const todo of waiting.activities) assert.deepEqual(todo, { summary: 'Erasure waits for open orders', deadline: waiting.due_date });
    assert.equal((await merchant.readPartner(partnerId)).email, email, 'nothing erased in Odoo while the order is open');
    await stack.waitFor(
      'the sidecar part recorded',
      async () => (await requestFor('customer_redact', gid)).sidecar_outcome ?? undefined,
      TIMEOUT,
    );
    const kept = await stack.sidecar.pool.query<{ topic: string }>(
      'SELECT topic FROM shopify_sync.webhook_inbox WHERE entity_gid = ANY($1::text[]) AND payload IS NOT NULL',
      [[gid, order.admin_graphql_api_id]],
    );
    assert.deepEqual(kept.rows, [], 'the sidecar’s payloads about the customer and the order are gone');

    await deliverAll(saleOrderId);
    await merchant.recheckPrivacyRequest(waiting.id);
    const done = await requestFor('customer_redact', gid, 'done');
    assert.match(done.outcome ?? '', /contacts anonymised/);
    assert.deepEqual(done.activities, []);
    const partner = await merchant.readPartner(partnerId);
    assert.deepEqual([partner.email, partner.phone, partner.street, partner.active], [null, null, null, false]);
    const [so] = await merchant.readSaleOrders(order.admin_graphql_api_id);
    assert.equal(so?.amount_total, '9.50', 'the order (an accounting record) is kept');

    // A later Shopify update of the customer does not bring the data back.
    await stack.simControl('PATCH', `/customers/${customer.id}`, { lastName: 'Back' });
    await stack.waitFor(
      'the update handled',
      () => stack.logs.lines.some((l) => l.flow === 'customers' && l.entityId === gid && l.trigger === 'customers/update'),
      TIMEOUT,
    );
    assert.deepEqual(await merchant.findPartnersByName('Back'), []);
    assert.equal((await merchant.readPartner(partnerId)).email, null);
  });

  it('asks Shopify to erase a customer erased in Odoo and shows Shopify’s answer on the request', async () => {
    const { customer, saleOrderId, partnerId } = await customerWithOrder('erase-from-odoo');
    await deliverAll(saleOrderId);
    await merchant.eraseCustomer(partnerId);
    const request = await requestFor('erasure', customer.admin_graphql_api_id, 'done');
    assert.equal(request.shopify_status, 'requested');
    const asked = await stack.simControl<Array<{ customerId: number }>>('GET', '/privacy/erasure-requests');
    assert.ok(asked.some((r) => r.customerId === customer.id));
    assert.equal((await merchant.readPartner(partnerId)).email, null);
  });

  it('removes the shop’s data on shop/redact: every Shopify ID in Odoo, the sidecar’s inbox and jobs; the orders stay', async () => {
    const { order, saleOrderId, partnerId } = await customerWithOrder('last-one');
    await settled();
    await stack.simControl('POST', '/privacy/shop-redact');
    const request = await requestFor('shop_redact', null, 'done');
    assert.match(request.outcome ?? '', /Shopify IDs removed from/);
    assert.deepEqual(await merchant.readSaleOrders(order.admin_graphql_api_id), [], 'no order bound to the GID any more');
    assert.equal((await merchant.readBinding('res.partner', partnerId)).shopify_gid, null);
    assert.ok((await merchant.readPartner(partnerId)).email, 'the contact (the merchant’s record) is kept');
    assert.ok((await merchant.readPickings(saleOrderId)).length > 0, 'the order and its delivery are kept');
    const { rows } = await stack.sidecar.pool.query<{ topic: string; payload: unknown }>(
      'SELECT topic, payload FROM shopify_sync.webhook_inbox',
    );
    assert.deepEqual(rows, [{ topic: 'shop/redact', payload: null }]);
  });
});
