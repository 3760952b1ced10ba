/**
 * Personal data stays out of logs and job data: the flows run with a recognisable person (name,
 * e-mail, phone, address, an order note) through their ordinary and failing paths — an import, a
 * push from Odoo, an order Odoo refuses, a malformed webhook, Shopify answering 503, a data request
 * and an erasure — and then every log line, every pg-boss job row and the inbox after the erasure
 * are scanned for any of it (docs/operations.md, "Logs" and "Privacy requests").
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { startStack, type Stack } from '../../../dev/testing/stack.js';

/** The person: every value is unusual enough that finding it anywhere is a leak. */
const PERSON = {
  firstName: 'Zebulon',
  lastName: 'Quixotic-Pemberton',
  email: 'zebulon.quixotic@canary-pii.example',
  phone: '+32470998877',
  address1: '17 Canaryweg',
  city: 'Quixotown',
  zip: '9911',
  note: 'Leave it with Ermintrude next door',
};
/** What must never be found, compared case-insensitively (the phone also without its plus sign). */
const CANARIES = [
  PERSON.firstName,
  PERSON.lastName,
  PERSON.email,
  PERSON.phone.slice(1),
  PERSON.address1,
  PERSON.city,
  'Ermintrude',
  'Quixotown Centre',
];

function leaks(text: string): string[] {
  const lower = text.toLowerCase();
  return CANARIES.filter((c) => lower.includes(c.toLowerCase()));
}

describe('personal data stays out of logs, job rows and the purged inbox (whole stack, Odoo double)', function () {
  this.timeout(120_000);
  let stack: Stack;
  let customerGid: string;

  before(async () => {
    stack = await startStack({ databaseUrl: await testDatabase('privacy_pii_scan'), env: { QUEUE_RETRY_LIMIT: '2' } });
    await stack.subscribeWebhooks();
    await stack.configureComplianceWebhooks();
    await stack.sidecar.workersStarted;
  });
  after(async () => {
    await stack?.stop();
  });

  async function signedPost(topic: string, body: string, webhookId: string): Promise<number> {
    const response = await fetch(`${stack.sidecarUrl}/webhooks/shopify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-hmac-sha256': crypto.createHmac('sha256', stack.config.shopify.webhookSecrets[0]!).update(body).digest('base64'),
        'x-shopify-shop-domain': stack.config.shopify.shopDomain,
        'x-shopify-webhook-id': webhookId,
      },
      body,
    });
    return response.status;
  }

  it('runs the flows with the person, through success and failure', async () => {
    await stack.simControl('POST', '/products', { title: 'Canary mug', sku: 'PII-MUG', price: '12.00', stock: { '101': 5 } });
    await stack.merchant!.createProduct({ name: 'Canary mug', price: '12.00', variants: [{ sku: 'PII-MUG' }] });
    await stack.simControl('POST', '/products', { title: 'Unknown to Odoo', sku: 'PII-GHOST', price: '3.00', stock: { '101': 5 } });
    const address = {
      first_name: PERSON.firstName,
      last_name: PERSON.lastName,
      address1: PERSON.address1,
      city: PERSON.city,
      zip: PERSON.zip,
      country_code: 'BE',
      phone: PERSON.phone,
    };
    const customer = await stack.simControl<{ id: number; admin_graphql_api_id: string }>('POST', '/customers', {
      ...{ email: PERSON.email, firstName: PERSON.firstName, lastName: PERSON.lastName, phone: PERSON.phone },
      addresses: [{ ...address }],
    });
    customerGid = customer.admin_graphql_api_id;
    const order = await stack.simControl<{ id: number; admin_graphql_api_id: string }>('POST', '/orders', {
      customer: { id: customer.id },
      phone: PERSON.phone,
      note: PERSON.note,
      lines: [{ sku: 'PII-MUG', quantity: 1, price: '12.00' }],
      shippingAddress: address,
    });
    // An order Odoo refuses (unknown SKU): a permanent failure with its reason everywhere.
    await stack.simControl('POST', '/orders', {
      customer: { id: customer.id },
      note: PERSON.note,
      lines: [{ sku: 'PII-GHOST', quantity: 1 }],
      shippingAddress: address,
    });
    const [so] = await stack.waitFor('the order in Odoo', async () => {
      const found = await stack.merchant!.readSaleOrders(order.admin_graphql_api_id);
      return found.length ? found : undefined;
    });
    await stack.waitFor('the refused order logged', () => stack.logs.lines.some((l) => l.flow === 'orders' && l.outcome === 'failed'));
    // A push from Odoo, while Shopify answers some requests with 503 (retries, failure lines).
    const partner = await stack.waitFor('the partner', () =>
      [...stack.odoo!.state.partners.values()].find((p) => p.binding.shopify_gid === customerGid),
    );
    await stack.simControl('PUT', '/faults', { apiErrorRate: 0.5 });
    await stack.merchant!.editCustomer(partner.id, { city: 'Quixotown Centre' });
    await stack.waitFor(
      'the push',
      () => stack.logs.lines.some((l) => l.flow === 'customers' && l.trigger === 'customer.changed' && l.outcome !== 'retry'),
      60_000,
    );
    await stack.simControl('PUT', '/faults', { apiErrorRate: 0 });
    // A webhook whose body is not JSON, carrying the person: signed, so kept (its exact bytes) and
    // recorded invalid with 200; the erasure must find the person in those bytes too.
    assert.equal(
      await signedPost('customers/update', `{"email": "${PERSON.email}", "first_name": ${PERSON.firstName}}`, 'pii-malformed'),
      200,
    );
    // Privacy: the data request (the export goes to Odoo only), then the erasure once the order is delivered.
    await stack.simControl('POST', '/privacy/customers-data-request', { customerId: customer.id });
    await stack.waitFor('the export', async () =>
      (await stack.merchant!.readPrivacyRequests()).find((r) => r.kind === 'data_request' && r.state === 'done'),
    );
    for (const picking of await stack.merchant!.readPickings(so!.id))
      if (picking.picking_type === 'outgoing') await stack.merchant!.validateDelivery(picking.id);
    // Shopify asks for the erasure long after the person's last order activity: the fulfillment's
    // webhooks (orders/updated, fulfillments/create, with the address) are in before it. Without
    // this wait a busy machine delivered them after the erasure had purged the inbox.
    await stack.waitFor('the fulfillment in Shopify', async () =>
      (await stack.simControl<{ fulfillments: unknown[] }>('GET', `/orders/${order.id}`)).fulfillments.length ? true : undefined,
    );
    await stack.sim.idle();
    await stack.simControl('POST', '/privacy/customers-redact', { customerId: customer.id });
    const done = await stack.waitFor('the erasure', async () =>
      (await stack.merchant!.readPrivacyRequests()).find((r) => r.kind === 'customer_redact' && r.state === 'done'),
    );
    const exported = (await stack.merchant!.readPrivacyRequests()).find((r) => r.kind === 'data_request')!;
    assert.equal(exported.export, null, 'the earlier export went with the erasure');
    assert.match(done.outcome ?? '', /contacts anonymised/);
  });

  it('finds the person in no log line', () => {
    assert.ok(stack.logs.lines.length > 50, `${stack.logs.lines.length} lines`);
    const found = stack.logs.lines.map((l) => JSON.stringify(l)).filter((line) => leaks(line).length > 0);
    assert.deepEqual(found, []);
  });

  it('finds the person in no pg-boss job row (data, output, dead letters included)', async () => {
    const schema = stack.config.database.queueSchema;
    const { rows } = await stack.sidecar.pool.query<{ name: string; row: string }>(
      `SELECT name, to_jsonb(j)::text AS row FROM ${schema}.job j`,
    );
    assert.ok(rows.length > 10, `${rows.length} job rows`);
    assert.ok(
      rows.some((r) => r.name.endsWith('.dlq')),
      'a dead letter is among them',
    );
    const found = rows.filter((r) => leaks(r.row).length > 0).map((r) => `${r.name}: ${leaks(r.row).join(', ')}`);
    assert.deepEqual(found, []);
  });

  it('finds the person in no inbox row after the erasure, and the rows about them are kept without payload', async () => {
    const { rows } = await stack.sidecar.pool.query<{ webhook_id: string; topic: string; entity_gid: string | null; row: string }>(
      // The exact body bytes too (to_jsonb shows bytea as hex, where no name would be seen).
      "SELECT webhook_id, topic, entity_gid, to_jsonb(i)::text || coalesce(encode(i.body, 'escape'), '') AS row FROM shopify_sync.webhook_inbox i",
    );
    const found = rows.filter((r) => leaks(r.row).length > 0).map((r) => `${r.topic} ${r.webhook_id}: ${leaks(r.row).join(', ')}`);
    assert.deepEqual(found, []);
    assert.ok(rows.filter((r) => r.entity_gid === customerGid).length >= 3, 'the customer’s rows stay (ids, topics, outcomes)');
  });
});
