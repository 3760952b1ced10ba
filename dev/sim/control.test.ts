import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { control, gqlData, testSimulator, SAMPLE_ORDER, type Json } from './test-support.js';
import type { FetchLike } from './webhooks.js';

function capture() {
  const bodies: { topic: string; body: Json }[] = [];
  const fetch: FetchLike = (_url, init) => {
    bodies.push({ topic: init.headers['X-Shopify-Topic']!, body: JSON.parse(init.body) });
    return Promise.resolve({ status: 200 });
  };
  return { bodies, fetch, topics: () => bodies.map((b) => b.topic) };
}

async function level(sim: ReturnType<typeof testSimulator>['sim'], sku: string, locationId = 101) {
  const l = (await control(sim, 'get', `/inventory?locationId=${locationId}&sku=${sku}`)).body[0];
  return [l.available, l.committed, l.on_hand];
}

async function everyTopic(sim: ReturnType<typeof testSimulator>['sim']) {
  for (const topic of [
    'orders/create',
    'orders/updated',
    'orders/cancelled',
    'orders/paid',
    'refunds/create',
    'fulfillments/create',
    'inventory_levels/update',
    'customers/create',
    'customers/update',
    'customers/delete',
    'app/uninstalled',
    'customers/redact',
    'customers/data_request',
    'shop/redact',
  ]) {
    await control(sim, 'post', '/webhooks/subscriptions', { topic, uri: 'https://receiver.example/hooks' });
  }
}

describe('sim control API: orders', () => {
  it('creates an order with customer, lines by SKU, discount, tax lines, shipping and presentment currency', async () => {
    const cap = capture();
    const { sim, clock } = testSimulator({ fetch: cap.fetch });
    await everyTopic(sim);
    const res = await control(sim, 'post', '/orders', {
      ...SAMPLE_ORDER,
      presentmentCurrency: 'USD',
      exchangeRate: 1.1,
      taxesIncluded: true,
      lines: [
        { sku: 'SIM-MUG', quantity: 2, price: '10.00', discount: '2.00', taxLines: [{ title: 'BTW 21%', rate: 0.21, price: '3.12' }] },
        { sku: 'SIM-TSHIRT-M', quantity: 1, taxLines: [{ title: 'BTW 21%', rate: 0.21, price: '3.47' }] },
      ],
      shippingLines: [{ title: 'bpost', price: '4.95', taxLines: [{ title: 'BTW 21%', rate: 0.21, price: '0.86' }] }],
    });
    assert.equal(res.status, 201);
    const o = res.body;
    assert.equal(o.name, '#1001');
    assert.equal(o.currency, 'EUR');
    assert.equal(o.presentment_currency, 'USD');
    assert.equal(o.taxes_included, true);
    assert.equal(o.total_line_items_price, '39.99');
    assert.equal(o.total_discounts, '2.00');
    assert.equal(o.subtotal_price, '37.99');
    assert.equal(o.total_tax, '7.45');
    assert.equal(o.total_price, '42.94', 'taxes included: subtotal + shipping');
    assert.deepEqual(o.total_price_set.presentment_money, { amount: '47.23', currency_code: 'USD' });
    assert.deepEqual(
      o.tax_lines.map((t: Json) => [t.title, t.price]),
      [['BTW 21%', '7.45']],
    );
    assert.equal(o.customer.email, 'ada@example.com');
    assert.equal(o.financial_status, 'paid');
    assert.equal(o.fulfillment_orders[0].assigned_location_id, 101);
    assert.deepEqual(await level(sim, 'SIM-MUG'), [8, 2, 10]);
    await clock.advance(0);
    assert.deepEqual(cap.topics().sort(), [
      'customers/create',
      'inventory_levels/update',
      'inventory_levels/update',
      'orders/create',
      'orders/paid',
    ]);
  });

  it('adds tax on top when taxes are not included', async () => {
    const { sim } = testSimulator();
    const o = (await control(sim, 'post', '/orders', SAMPLE_ORDER)).body;
    assert.equal(o.subtotal_price, '19.00');
    assert.equal(o.total_price, '27.99', '19.00 + 5.00 shipping + 3.99 tax');
  });

  it('rejects an unknown SKU with 422 and the field', async () => {
    const { sim } = testSimulator();
    const res = await control(sim, 'post', '/orders', { lines: [{ sku: 'NOPE', quantity: 1 }] });
    assert.equal(res.status, 422);
    assert.deepEqual(res.body.errors, [{ field: ['sku'], message: 'No variant with SKU "NOPE"' }]);
  });

  it('edits the shipping address and sends orders/updated', async () => {
    const cap = capture();
    const { sim, clock } = testSimulator({ fetch: cap.fetch });
    await everyTopic(sim);
    const o = (await control(sim, 'post', '/orders', SAMPLE_ORDER)).body;
    await clock.advance(60_000);
    const res = await control(sim, 'patch', `/orders/${o.id}/address`, {
      shippingAddress: { address1: '2 Other St', city: 'Ghent', zip: '9000' },
    });
    assert.equal(res.body.shipping_address.city, 'Ghent');
    assert.equal(res.body.shipping_address.first_name, 'Ada');
    assert.notEqual(res.body.updated_at, o.updated_at);
    await clock.advance(0);
    assert.equal(cap.bodies.filter((b) => b.topic === 'orders/updated').at(-1)!.body.shipping_address.address1, '2 Other St');
  });

  it('edits order lines: removes unfulfilled units and adds a line, moving committed stock', async () => {
    const cap = capture();
    const { sim, clock } = testSimulator({ fetch: cap.fetch });
    await everyTopic(sim);
    await control(sim, 'post', '/webhooks/subscriptions', { topic: 'orders/edited', uri: 'https://receiver.example/hooks' });
    const o = (
      await control(sim, 'post', '/orders', {
        ...SAMPLE_ORDER,
        lines: [{ sku: 'SIM-MUG', quantity: 3, price: '10.00' }],
        shippingLines: [],
      })
    ).body;
    await control(sim, 'post', `/orders/${o.id}/fulfillments`, { lines: [{ sku: 'SIM-MUG', quantity: 1 }] });
    const tooMany = await control(sim, 'post', `/orders/${o.id}/edit`, { set: [{ sku: 'SIM-MUG', quantity: 0 }] });
    assert.equal(tooMany.status, 422, 'the fulfilled unit cannot be removed');
    const edited = await control(sim, 'post', `/orders/${o.id}/edit`, {
      set: [{ sku: 'SIM-MUG', quantity: 2 }],
      add: [{ sku: 'SIM-TSHIRT-S', quantity: 2, price: '20.00' }],
    });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    const mug = edited.body.line_items.find((l: Json) => l.sku === 'SIM-MUG');
    assert.deepEqual([mug.quantity, mug.current_quantity, mug.fulfillable_quantity], [3, 2, 1]);
    const shirt = edited.body.line_items.find((l: Json) => l.sku === 'SIM-TSHIRT-S');
    assert.deepEqual([shirt.quantity, shirt.current_quantity, shirt.fulfillable_quantity], [2, 2, 2]);
    assert.equal(edited.body.current_subtotal_price, '60.00');
    assert.equal(edited.body.financial_status, 'partially_paid');
    assert.equal(edited.body.total_outstanding, '30.00', 'paid 30.00, now 60.00');
    assert.deepEqual(await level(sim, 'SIM-MUG'), [8, 1, 9], '10 − 3 ordered − 1 shipped, 1 released by the edit');
    assert.deepEqual(await level(sim, 'SIM-TSHIRT-S'), [8, 2, 10]);
    const paid = (await control(sim, 'post', `/orders/${o.id}/pay`)).body;
    assert.deepEqual([paid.financial_status, paid.total_outstanding], ['paid', '0.00']);
    await clock.advance(0);
    const edit = cap.bodies.find((b) => b.topic === 'orders/edited')!.body.order_edit;
    assert.deepEqual(edit.line_items, { additions: [{ id: shirt.id, delta: 2 }], removals: [{ id: mug.id, delta: 1 }] });
    const gqlLine = await gqlData(
      sim,
      'query($id: ID!) { order(id: $id) { lineItems(first: 5) { nodes { sku quantity currentQuantity unfulfilledQuantity } } } }',
      { id: o.admin_graphql_api_id },
    );
    assert.deepEqual(gqlLine.order.lineItems.nodes, [
      { sku: 'SIM-MUG', quantity: 3, currentQuantity: 2, unfulfilledQuantity: 1 },
      { sku: 'SIM-TSHIRT-S', quantity: 2, currentQuantity: 2, unfulfilledQuantity: 2 },
    ]);
  });

  it('taxes a line an edit adds at the rates the order already charges, included or not', async () => {
    const { sim } = testSimulator();
    const state = { title: 'State 6.25%', rate: 0.0625 };
    const city = { title: 'City 2%', rate: 0.02 };
    const order = async (taxesIncluded: boolean) =>
      (
        await control(sim, 'post', '/orders', {
          ...SAMPLE_ORDER,
          taxesIncluded,
          lines: [
            {
              sku: 'SIM-MUG',
              quantity: 1,
              price: '10.00',
              taxLines: [
                { ...state, price: '0.63' },
                { ...city, price: '0.20' },
              ],
            },
          ],
          shippingLines: [],
        })
      ).body;
    const added = async (o: Json) => {
      const edited = await control(sim, 'post', `/orders/${o.id}/edit`, { add: [{ sku: 'SIM-TSHIRT-S', quantity: 3, price: '19.99' }] });
      assert.equal(edited.status, 200, JSON.stringify(edited.body));
      const line = edited.body.line_items.find((l: Json) => l.sku === 'SIM-TSHIRT-S');
      return [line.tax_lines.map((t: Json) => [t.title, t.price]), edited.body.current_total_tax];
    };
    // 59.97 × 6.25 % = 3.748…, × 2 % = 1.199…
    assert.deepEqual(await added(await order(false)), [
      [
        ['State 6.25%', '3.75'],
        ['City 2%', '1.20'],
      ],
      '5.78',
    ]);
    // Inside 59.97: 59.97 / 1.0825 = 55.40 before tax; 3.46 and 1.11.
    assert.deepEqual(await added(await order(true)), [
      [
        ['State 6.25%', '3.46'],
        ['City 2%', '1.11'],
      ],
      '5.40',
    ]);
  });

  it('marks a pending order paid', async () => {
    const { sim } = testSimulator();
    const o = (await control(sim, 'post', '/orders', { ...SAMPLE_ORDER, financialStatus: 'pending' })).body;
    assert.equal(o.total_outstanding, '27.99');
    const paid = (await control(sim, 'post', `/orders/${o.id}/pay`)).body;
    assert.equal(paid.financial_status, 'paid');
    assert.equal(paid.total_outstanding, '0.00');
  });

  it('captures an authorized order: a CAPTURE of the authorization, the only money of the order', async () => {
    const { sim } = testSimulator();
    const o = (await control(sim, 'post', '/orders', { ...SAMPLE_ORDER, financialStatus: 'authorized' })).body;
    assert.equal(o.total_outstanding, '27.99', 'an authorization is not money yet');
    const paid = (await control(sim, 'post', `/orders/${o.id}/pay`)).body;
    assert.deepEqual([paid.financial_status, paid.total_outstanding], ['paid', '0.00']);
    const data = await gqlData(
      sim,
      'query($id: ID!) { order(id: $id) { transactions { kind status amountSet { shopMoney { amount } } parentTransaction { kind } } } }',
      {
        id: o.admin_graphql_api_id,
      },
    );
    assert.deepEqual(
      data.order.transactions.map((t: Json) => [t.kind, t.status, t.amountSet.shopMoney.amount, t.parentTransaction?.kind ?? null]),
      [
        ['AUTHORIZATION', 'SUCCESS', '27.99', null],
        ['CAPTURE', 'SUCCESS', '27.99', 'AUTHORIZATION'],
      ],
    );
  });

  it('refunds discounted shipping up to what the customer paid for it, with its tax', async () => {
    const { sim } = testSimulator();
    const o = (
      await control(sim, 'post', '/orders', {
        ...SAMPLE_ORDER,
        shippingLines: [{ title: 'Standard', price: '4.99', discount: '1.00', taxLines: [{ title: 'VAT', rate: 0.2, price: '0.80' }] }],
      })
    ).body;
    const tooMuch = await control(sim, 'post', `/orders/${o.id}/refunds`, { shipping: '4.99' });
    assert.equal(tooMuch.status, 422, 'the shipping discount was never paid');
    const refund = (await control(sim, 'post', `/orders/${o.id}/refunds`, { shipping: 'full' })).body;
    assert.equal(refund.transactions[0].amount, '4.79', '3.99 shipping and its 0.80 tax');
    const after = (await control(sim, 'get', `/orders/${o.id}`)).body;
    assert.equal(after.current_total_price, (Number(o.current_total_price) - 4.79).toFixed(2));
  });

  it('cancels an order, releasing stock, and voids an unpaid one', async () => {
    const { sim } = testSimulator();
    const o = (await control(sim, 'post', '/orders', { ...SAMPLE_ORDER, financialStatus: 'pending' })).body;
    assert.deepEqual(await level(sim, 'SIM-MUG'), [8, 2, 10]);
    const res = await control(sim, 'post', `/orders/${o.id}/cancel`, { reason: 'customer', restock: true });
    assert.equal(res.body.cancel_reason, 'customer');
    assert.equal(res.body.financial_status, 'voided');
    assert.equal(res.body.fulfillment_orders[0].status, 'cancelled');
    assert.deepEqual(await level(sim, 'SIM-MUG'), [10, 0, 10]);
    const again = await control(sim, 'post', `/orders/${o.id}/cancel`, { reason: 'customer' });
    assert.equal(again.status, 422);
  });

  it('refuses a cancel reason Shopify does not have', async () => {
    const { sim } = testSimulator();
    const o = (await control(sim, 'post', '/orders', SAMPLE_ORDER)).body;
    const res = await control(sim, 'post', `/orders/${o.id}/cancel`, { reason: 'bored' });
    assert.deepEqual(res.body.errors, [
      { field: ['reason'], message: 'reason must be one of customer, declined, fraud, inventory, other, staff' },
    ]);
  });

  it('cancelling without restock writes the units off', async () => {
    const { sim } = testSimulator();
    const o = (await control(sim, 'post', '/orders', SAMPLE_ORDER)).body;
    await control(sim, 'post', `/orders/${o.id}/cancel`, { reason: 'fraud', restock: false });
    assert.deepEqual(await level(sim, 'SIM-MUG'), [8, 0, 8]);
  });

  it('fulfills with tracking and reads the order back with fulfillments', async () => {
    const { sim } = testSimulator();
    const o = (await control(sim, 'post', '/orders', SAMPLE_ORDER)).body;
    const f = await control(sim, 'post', `/orders/${o.id}/fulfillments`, {
      tracking: { company: 'DHL Express', number: 'JD1', url: 'https://dhl.example/JD1' },
    });
    assert.equal(f.status, 201);
    assert.equal(f.body.name, '#1001.1');
    assert.deepEqual(await level(sim, 'SIM-MUG'), [8, 0, 8]);
    const read = (await control(sim, 'get', `/orders/${o.id}`)).body;
    assert.equal(read.fulfillment_status, 'fulfilled');
    assert.deepEqual(
      read.fulfillments.map((x: Json) => [x.tracking_company, x.tracking_number]),
      [['DHL Express', 'JD1']],
    );
    assert.equal(read.fulfillment_orders[0].status, 'closed');
    assert.equal((await control(sim, 'get', '/orders')).body.length, 1);
  });

  it('refunds lines with and without restock, shipping and an explicit amount', async () => {
    const cap = capture();
    const { sim, clock } = testSimulator({ fetch: cap.fetch });
    await everyTopic(sim);
    const o = (await control(sim, 'post', '/orders', { ...SAMPLE_ORDER, lines: [{ sku: 'SIM-MUG', quantity: 3, price: '10.00' }] })).body;
    await control(sim, 'post', `/orders/${o.id}/fulfillments`, { lines: [{ sku: 'SIM-MUG', quantity: 2 }] });
    assert.deepEqual(await level(sim, 'SIM-MUG'), [7, 1, 8]);
    // One fulfilled unit back on the shelf.
    const r1 = await control(sim, 'post', `/orders/${o.id}/refunds`, {
      lines: [{ sku: 'SIM-MUG', quantity: 1, restock: true }],
      note: 'returned',
    });
    assert.equal(r1.status, 201);
    assert.equal(r1.body.refund_line_items[0].restock_type, 'return');
    assert.equal(r1.body.transactions[0].amount, '10.00');
    // RETURN restocks a fulfilled unit (back on the shelf); the unfulfilled unit stays committed.
    assert.deepEqual(await level(sim, 'SIM-MUG'), [8, 1, 9]);
    const r2 = await control(sim, 'post', `/orders/${o.id}/refunds`, {
      lines: [{ sku: 'SIM-MUG', quantity: 1, restock: false }],
      shipping: 'full',
    });
    assert.equal(r2.body.refund_line_items[0].restock_type, 'no_restock');
    assert.equal(r2.body.refund_shipping_lines.length, 1);
    assert.equal(r2.body.transactions[0].amount, '15.00');
    assert.deepEqual(r2.body.order_adjustments, []);
    // NO_RESTOCK takes the unfulfilled unit first: it leaves the fulfillment order, written off.
    assert.deepEqual(await level(sim, 'SIM-MUG'), [8, 0, 8]);
    const cancelFulfilled = await control(sim, 'post', `/orders/${o.id}/refunds`, {
      lines: [{ sku: 'SIM-MUG', quantity: 1, restock: 'cancel' }],
    });
    assert.equal(cancelFulfilled.status, 422, 'CANCEL is for unfulfilled units only');
    const r3 = await control(sim, 'post', `/orders/${o.id}/refunds`, { amount: '2.50', note: 'goodwill' });
    assert.equal(r3.body.refund_line_items.length, 0);
    assert.equal(r3.body.transactions[0].amount, '2.50');
    // Money without goods: an order adjustment of calculated − refunded (Shopify's sign: negative).
    assert.deepEqual(
      r3.body.order_adjustments.map((a: Json) => [a.amount, a.reason]),
      [['-2.50', 'refund_discrepancy']],
    );
    const over = await control(sim, 'post', `/orders/${o.id}/refunds`, { lines: [{ sku: 'SIM-MUG', quantity: 5 }] });
    assert.equal(over.status, 422);
    const read = (await control(sim, 'get', `/orders/${o.id}`)).body;
    assert.equal(read.financial_status, 'partially_refunded');
    assert.equal(read.current_total_price, '10.00');
    assert.equal((await control(sim, 'get', '/refunds')).body.length, 3);
    await clock.advance(0);
    assert.equal(cap.topics().filter((t) => t === 'refunds/create').length, 3);
  });

  it('creates a return for fulfilled units and processes it with restock and refund', async () => {
    const { sim } = testSimulator();
    const o = (await control(sim, 'post', '/orders', SAMPLE_ORDER)).body;
    const early = await control(sim, 'post', `/orders/${o.id}/returns`, { lines: [{ sku: 'SIM-MUG', quantity: 1 }] });
    assert.equal(early.status, 422, 'nothing fulfilled yet');
    await control(sim, 'post', `/orders/${o.id}/fulfillments`, {});
    const ret = await control(sim, 'post', `/orders/${o.id}/returns`, { lines: [{ sku: 'SIM-MUG', quantity: 2, reason: 'wrong size' }] });
    assert.equal(ret.status, 201);
    assert.equal(ret.body.status, 'OPEN');
    assert.equal(ret.body.name, '#1001-R1');
    const processed = await control(sim, 'post', `/returns/${ret.body.id}/process`, { restock: true, refund: true });
    assert.equal(processed.body.return.status, 'CLOSED');
    assert.equal(processed.body.refund.transactions[0].amount, '22.99', '2 × 9.50 + 3.99 tax');
    assert.deepEqual(processed.body.refund.return, { id: ret.body.id, admin_graphql_api_id: `gid://shopify/Return/${ret.body.id}` });
    assert.deepEqual(await level(sim, 'SIM-MUG'), [10, 0, 10]);
    assert.equal((await control(sim, 'get', '/returns')).body.length, 1);
  });
});

describe('sim control API: customers, stock, catalogue', () => {
  it('sells in the currency given to createSimulator, EUR by default', async () => {
    assert.equal((await gqlData(testSimulator().sim, '{ shop { currencyCode } }')).shop.currencyCode, 'EUR');
    const { sim } = testSimulator({ currency: 'USD' });
    assert.equal((await gqlData(sim, '{ shop { currencyCode } }')).shop.currencyCode, 'USD');
    const res = await control(sim, 'post', '/orders', { ...SAMPLE_ORDER, lines: [{ sku: 'SIM-MUG', quantity: 1 }] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal((await control(sim, 'get', `/orders/${res.body.id}`)).body.currency, 'USD');
  });

  it('creates, reads by email, updates and deletes customers, with webhooks', async () => {
    const cap = capture();
    const { sim, clock } = testSimulator({ fetch: cap.fetch });
    await everyTopic(sim);
    const c = await control(sim, 'post', '/customers', {
      email: 'linus@example.com',
      firstName: 'Linus',
      addresses: [{ address1: '1 Kernel Rd', city: 'Helsinki', country_code: 'FI' }],
    });
    assert.equal(c.status, 201);
    assert.equal(c.body.default_address.city, 'Helsinki');
    assert.equal((await control(sim, 'get', '/customers?email=LINUS@example.com')).body[0].id, c.body.id);
    const u = await control(sim, 'patch', `/customers/${c.body.id}`, { lastName: 'Torvalds' });
    assert.equal(u.body.last_name, 'Torvalds');
    const d = await control(sim, 'delete', `/customers/${c.body.id}`);
    assert.deepEqual(d.body, { deleted: c.body.id });
    await clock.advance(0);
    assert.deepEqual(cap.topics(), ['customers/create', 'customers/update', 'customers/delete']);
  });

  it('refuses to delete a customer with orders, as Shopify does', async () => {
    const { sim } = testSimulator();
    const o = (await control(sim, 'post', '/orders', SAMPLE_ORDER)).body;
    const res = await control(sim, 'delete', `/customers/${o.customer.id}`);
    assert.equal(res.status, 422);
  });

  it('adjusts stock as a merchant (delta, available, on_hand) and sends inventory_levels/update', async () => {
    const cap = capture();
    const { sim, clock } = testSimulator({ fetch: cap.fetch });
    await everyTopic(sim);
    await control(sim, 'post', '/orders', SAMPLE_ORDER);
    assert.deepEqual((await control(sim, 'post', '/inventory/adjust', { sku: 'SIM-MUG', delta: -3 })).body.available, 5);
    const a = (await control(sim, 'post', '/inventory/adjust', { sku: 'SIM-MUG', locationId: 101, available: 20 })).body;
    assert.deepEqual([a.available, a.committed, a.on_hand], [20, 2, 22]);
    const h = (await control(sim, 'post', '/inventory/adjust', { sku: 'SIM-MUG', locationId: 101, onHand: 4 })).body;
    assert.deepEqual([h.available, h.committed, h.on_hand], [2, 2, 4]);
    await clock.advance(0);
    const levels = cap.bodies.filter((b) => b.topic === 'inventory_levels/update').map((b) => b.body.available);
    assert.deepEqual(levels, [8, 5, 20, 2]);
  });

  it('lists levels by location and products by SKU, and seeds a product with opening stock', async () => {
    const { sim } = testSimulator();
    const p = await control(sim, 'post', '/products', { title: 'Desk', sku: 'DESK-1', price: '199.00', stock: { '102': 3 } });
    assert.equal(p.status, 201);
    assert.equal(p.body.variants[0].sku, 'DESK-1');
    assert.equal((await control(sim, 'get', '/products?sku=DESK-1')).body[0].title, 'Desk');
    const at102 = (await control(sim, 'get', '/inventory?locationId=102')).body.map((l: Json) => [l.sku, l.available]);
    assert.deepEqual(
      at102.find((x: Json) => x[0] === 'DESK-1'),
      ['DESK-1', 3],
    );
    assert.equal((await control(sim, 'get', '/locations')).body.length, 2);
  });
});

describe('sim control API: webhooks, privacy, state', () => {
  it('manages app subscriptions and lists deliveries', async () => {
    const cap = capture();
    const { sim, clock } = testSimulator({ fetch: cap.fetch });
    const sub = await control(sim, 'post', '/webhooks/subscriptions', { topic: 'orders/create', uri: 'https://receiver.example/hooks' });
    assert.equal(sub.body.source, 'app');
    await control(sim, 'post', '/orders', SAMPLE_ORDER);
    await clock.advance(0);
    const deliveries = (await control(sim, 'get', '/webhooks/deliveries')).body;
    assert.equal(deliveries.length, 1);
    assert.equal(deliveries[0].body.name, '#1001');
    assert.equal(deliveries[0].status, 'delivered');
    assert.equal((await control(sim, 'get', '/webhooks/subscriptions')).body.length, 1);
    await control(sim, 'delete', `/webhooks/subscriptions/${sub.body.id}`);
    assert.equal((await control(sim, 'get', '/webhooks/subscriptions')).body.length, 0);
    const typo = await control(sim, 'post', '/webhooks/subscriptions', { topic: 'order/create', uri: 'https://receiver.example/hooks' });
    assert.equal(typo.status, 422);
    assert.match(typo.body.errors[0].message, /does not send "order\/create"/);
  });

  it('sends the privacy topics and app/uninstalled', async () => {
    const cap = capture();
    const { sim, clock } = testSimulator({ fetch: cap.fetch });
    await everyTopic(sim);
    const o = (await control(sim, 'post', '/orders', SAMPLE_ORDER)).body;
    await clock.advance(0);
    cap.bodies.length = 0;
    await control(sim, 'post', '/privacy/customers-data-request', { customerId: o.customer.id });
    await control(sim, 'post', '/privacy/customers-redact', { email: 'ada@example.com' });
    await control(sim, 'post', '/privacy/shop-redact');
    await control(sim, 'post', '/app/uninstalled');
    await clock.advance(0);
    assert.deepEqual(cap.topics(), ['customers/data_request', 'customers/redact', 'shop/redact', 'app/uninstalled']);
    assert.deepEqual(cap.bodies[1]!.body.orders_to_redact, [o.id]);
    assert.equal(cap.bodies[3]!.body.myshopify_domain, 'sim-shop.myshopify.com');
  });

  it('saves the state to a JSON file, resets, and loads it back', async () => {
    const { sim } = testSimulator();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sim-')), 'state.json');
    await control(sim, 'post', '/orders', SAMPLE_ORDER);
    assert.deepEqual((await control(sim, 'post', '/state/save', { path: file })).body, { ok: true, path: file });
    await control(sim, 'post', '/reset');
    assert.equal((await control(sim, 'get', '/orders')).body.length, 0);
    assert.deepEqual(await level(sim, 'SIM-MUG'), [10, 0, 10]);
    assert.equal((await control(sim, 'post', '/state/load', { path: file })).body.orders, 1);
    assert.equal((await control(sim, 'get', '/orders')).body[0].name, '#1001');
    assert.deepEqual(await level(sim, 'SIM-MUG'), [8, 2, 10]);
    const again = (await control(sim, 'post', '/orders', SAMPLE_ORDER)).body;
    assert.equal(again.name, '#1002', 'counters come back with the state');
    const data = await gqlData(sim, '{ orders(first: 5) { nodes { name } } }');
    assert.equal(data.orders.nodes.length, 2);
    assert.equal((await control(sim, 'post', '/state/load', { path: '/nonexistent/state.json' })).status, 400);
  });

  it('answers 404 for an unknown endpoint and 400 for malformed JSON', async () => {
    const { sim } = testSimulator();
    assert.equal((await control(sim, 'get', '/nope')).status, 404);
    const bad = await request(sim.app).post('/_sim/orders').set('Content-Type', 'application/json').send('{"lines": [');
    assert.equal(bad.status, 400);
  });
});
