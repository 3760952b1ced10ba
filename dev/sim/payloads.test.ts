/**
 * The simulator's webhook bodies must have the shape of Shopify's published sample payloads in
 * dev/testing/fixtures/shopify-webhooks (same keys at every level, snake_case, money as strings,
 * admin_graphql_api_id). Each topic is produced by a real action and compared key by key.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { control, gqlData, testSimulator, SAMPLE_ORDER, type Json } from './test-support.js';
import type { FetchLike } from './webhooks.js';
import { WEBHOOK_FIXTURE_DIR } from '../testing/fixtures.js';

const FIXTURES = WEBHOOK_FIXTURE_DIR;

function fixture(topic: string): Json {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, `${topic.replace('/', '-')}.json`), 'utf8'));
}

/** Differences in key sets between a fixture and a payload, recursively (first element of non-empty arrays). */
export function keyDiff(expected: Json, actual: Json, at = '$'): string[] {
  const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(expected) && isObject(actual)) {
    const out: string[] = [];
    for (const k of Object.keys(expected)) if (!(k in actual)) out.push(`${at}.${k} missing`);
    for (const k of Object.keys(actual)) if (!(k in expected)) out.push(`${at}.${k} unexpected`);
    for (const k of Object.keys(expected)) if (k in actual) out.push(...keyDiff(expected[k], actual[k], `${at}.${k}`));
    return out;
  }
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length > 0 && actual.length > 0)
    return keyDiff(expected[0], actual[0], `${at}[0]`);
  return [];
}

/** Money amounts are strings wherever the fixture has a string amount. */
function moneyTypes(expected: Json, actual: Json, at = '$'): string[] {
  const out: string[] = [];
  if (expected && actual && typeof expected === 'object' && typeof actual === 'object') {
    for (const k of Object.keys(expected)) {
      if (!(k in actual)) continue;
      const e = expected[k];
      const a = actual[k];
      if (
        (k === 'amount' || k.endsWith('price') || k === 'total_tax' || k === 'subtotal_price') &&
        typeof e === 'string' &&
        a !== null &&
        typeof a !== 'string'
      )
        out.push(`${at}.${k} is ${typeof a}`);
      out.push(...moneyTypes(Array.isArray(e) ? e[0] : e, Array.isArray(a) ? a[0] : a, `${at}.${k}`));
    }
  }
  return out;
}

describe('sim webhook payloads match Shopify sample payloads', () => {
  const bodies = new Map<string, Json[]>();

  before(async function () {
    this.timeout(20_000);
    const fetch: FetchLike = (_url, init) => {
      const topic = init.headers['X-Shopify-Topic']!;
      bodies.set(topic, [...(bodies.get(topic) ?? []), JSON.parse(init.body)]);
      return Promise.resolve({ status: 200 });
    };
    const { sim, clock } = testSimulator({ fetch });
    for (const topic of [
      'orders/create',
      'orders/updated',
      'orders/cancelled',
      'orders/paid',
      'orders/edited',
      'refunds/create',
      'fulfillments/create',
      'fulfillments/update',
      'products/create',
      'products/update',
      'inventory_levels/update',
      'customers/create',
      'customers/update',
      'customers/delete',
      'returns/request',
      'returns/approve',
      'returns/decline',
      'returns/cancel',
      'returns/close',
      'returns/reopen',
      'returns/process',
      'app/uninstalled',
      'customers/redact',
      'customers/data_request',
      'shop/redact',
    ]) {
      await control(sim, 'post', '/webhooks/subscriptions', { topic, uri: 'https://receiver.example/webhooks' });
    }
    const customer = await control(sim, 'post', '/customers', {
      email: 'bob@example.com',
      firstName: 'Bob',
      lastName: 'Biller',
      addresses: [
        {
          first_name: 'Bob',
          last_name: 'Biller',
          address1: "151 O'Connor Street",
          city: 'Ottawa',
          zip: 'K2P 2L8',
          country: 'Canada',
          country_code: 'CA',
          province: 'Ontario',
          province_code: 'ON',
        },
      ],
    });
    await control(sim, 'patch', `/customers/${customer.body.id}`, { note: 'loves ice cream' });
    const other = await control(sim, 'post', '/customers', { email: 'gone@example.com' });
    await control(sim, 'delete', `/customers/${other.body.id}`);
    const order = await control(sim, 'post', '/orders', {
      ...SAMPLE_ORDER,
      email: 'bob@example.com',
      financialStatus: 'pending',
      discountCode: 'WELCOME',
      lines: [{ sku: 'SIM-MUG', quantity: 2, price: '9.50', discount: '1.00', taxLines: [{ title: 'VAT', rate: 0.21, price: '3.78' }] }],
      shippingLines: [{ title: 'Standard', price: '5.00', taxLines: [{ title: 'VAT', rate: 0.21, price: '1.05' }] }],
    });
    await control(sim, 'post', `/orders/${order.body.id}/pay`);
    const fulfillment = await control(sim, 'post', `/orders/${order.body.id}/fulfillments`, {
      lines: [{ sku: 'SIM-MUG', quantity: 1 }],
      tracking: { company: 'UPS', number: '1Z1', url: 'https://ups.example/1Z1' },
    });
    await gqlData(
      sim,
      'mutation($id: ID!) { fulfillmentTrackingInfoUpdate(fulfillmentId: $id, trackingInfoInput: { number: "1Z2" }) { userErrors { message } } }',
      { id: fulfillment.body.admin_graphql_api_id },
    );
    await control(sim, 'post', `/orders/${order.body.id}/refunds`, {
      lines: [{ sku: 'SIM-MUG', quantity: 1, restock: false }],
      shipping: 'full',
      amount: '20.00',
      note: 'damaged',
    });
    // Returns through every status: requested → approved → processed (closes); requested → declined;
    // created open → closed → reopened → cancelled.
    const requested = await control(sim, 'post', `/orders/${order.body.id}/returns`, {
      request: true,
      lines: [{ sku: 'SIM-MUG', quantity: 1 }],
    });
    await control(sim, 'post', `/returns/${requested.body.id}/approve`);
    await control(sim, 'post', `/returns/${requested.body.id}/process`, { restock: true });
    await control(sim, 'post', `/returns/${requested.body.id}/reopen`);
    await control(sim, 'post', `/returns/${requested.body.id}/close`);
    const third = await control(sim, 'post', '/orders', { ...SAMPLE_ORDER, lines: [{ sku: 'SIM-MUG', quantity: 2, price: '9.50' }] });
    await control(sim, 'post', `/orders/${third.body.id}/fulfillments`, {});
    const declined = await control(sim, 'post', `/orders/${third.body.id}/returns`, {
      request: true,
      lines: [{ sku: 'SIM-MUG', quantity: 1 }],
    });
    await control(sim, 'post', `/returns/${declined.body.id}/decline`, { reason: 'final_sale', note: 'sale item' });
    const cancelled = await control(sim, 'post', `/orders/${third.body.id}/returns`, { lines: [{ sku: 'SIM-MUG', quantity: 1 }] });
    await control(sim, 'post', `/returns/${cancelled.body.id}/cancel`);
    await control(sim, 'post', `/orders/${order.body.id}/edit`, { add: [{ sku: 'SIM-TSHIRT-M', quantity: 1 }] });
    const second = await control(sim, 'post', '/orders', SAMPLE_ORDER);
    await control(sim, 'post', `/orders/${second.body.id}/edit`, { set: [{ sku: 'SIM-MUG', quantity: 1 }] });
    await control(sim, 'post', `/orders/${second.body.id}/cancel`, { reason: 'customer', restock: true });
    const variant = await gqlData(sim, '{ productVariants(first: 1, query: "sku:SIM-TSHIRT-S") { nodes { id product { id } } } }');
    await gqlData(
      sim,
      'mutation($p: ID!, $v: [ProductVariantsBulkInput!]!) { productVariantsBulkUpdate(productId: $p, variants: $v) { userErrors { message } } }',
      {
        p: variant.productVariants.nodes[0].product.id,
        v: [{ id: variant.productVariants.nodes[0].id, price: '25.00' }],
      },
    );
    await gqlData(sim, 'mutation { productSet(input: { title: "New thing" }) { userErrors { message } } }');
    await control(sim, 'post', '/privacy/customers-redact', { email: 'bob@example.com' });
    await control(sim, 'post', '/privacy/customers-data-request', { email: 'bob@example.com' });
    await control(sim, 'post', '/privacy/shop-redact');
    await control(sim, 'post', '/app/uninstalled');
    await clock.advance(0);
  });

  const topics = [
    'orders/create',
    'orders/updated',
    'orders/cancelled',
    'orders/paid',
    'orders/edited',
    'refunds/create',
    'fulfillments/create',
    'fulfillments/update',
    'products/create',
    'products/update',
    'inventory_levels/update',
    'customers/create',
    'customers/update',
    'customers/delete',
    'app/uninstalled',
    'customers/redact',
    'customers/data_request',
    'shop/redact',
  ];
  // Shopify publishes no sample for these: the simulator sends them in the returns/close shape (return-payloads.ts).
  const SHAPED_LIKE: Record<string, string> = {
    'returns/cancel': 'returns/close',
    'returns/reopen': 'returns/close',
    'returns/process': 'returns/close',
  };
  for (const topic of [...topics, 'returns/request', 'returns/approve', 'returns/decline', 'returns/close', ...Object.keys(SHAPED_LIKE)]) {
    it(`${topic} has the keys of Shopify's sample, at every level`, () => {
      const received = bodies.get(topic);
      assert.ok(received && received.length > 0, `no ${topic} delivery was made`);
      const expected = fixture(SHAPED_LIKE[topic] ?? topic);
      for (const body of received) {
        assert.deepEqual(keyDiff(expected, body), []);
        assert.deepEqual(moneyTypes(expected, body), []);
      }
      const last = received[received.length - 1];
      if ('admin_graphql_api_id' in expected) assert.match(last.admin_graphql_api_id, /^gid:\/\/shopify\/\w+\/\d+/);
    });
  }

  it('carries the richer nested objects (fulfillments, refunds, transactions) on the last orders/updated', () => {
    const updates = bodies.get('orders/updated')!;
    const withRefund = updates.find((b) => b.refunds.length > 0 && b.fulfillments.length > 0);
    assert.ok(withRefund);
    assert.deepEqual(keyDiff(fixture('refunds-create'), withRefund.refunds[0]), []);
    assert.deepEqual(keyDiff(fixture('fulfillments-create'), withRefund.fulfillments[0]), []);
    assert.equal(withRefund.financial_status, 'partially_refunded');
    assert.equal(withRefund.fulfillment_status, 'fulfilled');
  });
});
