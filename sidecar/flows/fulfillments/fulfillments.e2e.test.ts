/**
 * Fulfillment end to end: an order placed in the simulator and imported into the Odoo double
 * (through contract.applyOrder in the setup, independent of the orders flow), then deliveries
 * validated in Odoo → fulfillments in Shopify (and one made in Shopify admin → the Odoo delivery),
 * through real PostgreSQL, pg-boss and HTTP.
 */
import assert from 'node:assert/strict';
import type { OrderDocument } from '../../odoo/contract.js';
import { startStack, type Stack } from '../../../dev/testing/stack.js';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { probeFlow, type FlowProbe } from '../../../dev/testing/flow-support.js';
import { fulfillmentsFlow } from './index.js';

interface SimOrder {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  created_at: string;
  updated_at: string;
  line_items: Array<{ admin_graphql_api_id: string; sku: string; quantity: number }>;
  fulfillments: Array<{
    admin_graphql_api_id: string;
    tracking_number: string | null;
    tracking_company: string | null;
    tracking_url: string | null;
    line_items: Array<{ sku: string; quantity: number }>;
  }>;
}

describe('fulfillments flow end to end (simulator, PostgreSQL, Odoo double)', function () {
  this.timeout(60_000);
  let stack: Stack;
  let probe: FlowProbe;
  let variantId: number;
  let locationId: number;

  before(async () => {
    const probed = probeFlow(fulfillmentsFlow);
    probe = probed.probe;
    stack = await startStack({ databaseUrl: await testDatabase('flow_fulfillments_e2e'), flows: [probed.flow] });
    await stack.subscribeWebhooks(['fulfillments/create', 'fulfillments/update']);
    await stack.sidecar.workersStarted;
    locationId = (await stack.simControl<Array<{ id: number }>>('GET', '/locations'))[0]!.id;
    await stack.simControl('POST', '/products', { title: 'Mug', sku: 'FUL-MUG', price: '10.00', stock: { [String(locationId)]: 50 } });
    const product = await stack.merchant!.createProduct({ name: 'Mug', price: '10.00', variants: [{ sku: 'FUL-MUG' }] });
    variantId = product.variants['FUL-MUG']!;
    const [warehouse] = await stack.merchant!.warehouses();
    await stack.merchant!.setStock(variantId, warehouse!.id, 50);
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') for (const l of stack.logs.lines.slice(-25)) console.log(JSON.stringify(l).slice(0, 400));
  });
  after(async () => {
    await stack?.stop();
  });

  const readOrder = (id: number) => stack.simControl<SimOrder>('GET', `/orders/${id}`);

  /** Places an order in Shopify and imports it into Odoo; returns the Shopify order and the Odoo delivery. */
  async function orderInBothSystems(quantity: number) {
    const placed = await stack.simControl<SimOrder>('POST', '/orders', {
      email: 'ship@example.com',
      lines: [{ sku: 'FUL-MUG', quantity }],
      locationId,
    });
    const total = `${(quantity * 10).toFixed(2)}`;
    const doc: OrderDocument = {
      order_gid: placed.admin_graphql_api_id,
      name: placed.name,
      created_at: placed.created_at,
      updated_at: placed.updated_at,
      currency: 'EUR',
      presentment_currency: 'EUR',
      taxes_included: false,
      financial_status: 'paid',
      fulfillment_status: null,
      cancelled_at: null,
      customer: null,
      billing_address: null,
      shipping_address: null,
      location_gid: null,
      lines: placed.line_items.map((l) => ({
        line_gid: l.admin_graphql_api_id,
        sku: l.sku,
        title: 'Mug',
        quantity: l.quantity,
        price_unit: '10.00',
        discount: '0.00',
        tax_lines: [],
      })),
      shipping_lines: [],
      subtotal_price: total,
      total_tax: '0.00',
      total_discounts: '0.00',
      total_price: total,
    };
    const applied = await stack.sidecar.contract.applyOrder(doc);
    assert.equal(applied.status, 'created', applied.message ?? '');
    const [picking] = (await stack.merchant!.readPickings(applied.sale_order_id)).filter((p) => p.picking_type === 'outgoing');
    return { order: placed, pickingId: picking!.id };
  }

  const fulfillmentsOf = (orderId: number, count: number) =>
    stack.waitFor(`${count} fulfillment(s) on the Shopify order`, async () => {
      const o = await readOrder(orderId);
      return o.fulfillments.length >= count ? o.fulfillments : undefined;
    });
  const pickingGids = (pickingId: number) => stack.odoo!.state.pickings.get(pickingId)!.fulfillment_gids;

  it('turns a partial delivery with tracking into a partial fulfillment, and its backorder into a second one', async () => {
    const { order, pickingId } = await orderInBothSystems(3);
    const { backorder_id } = await stack.merchant!.validateDelivery(pickingId, {
      quantities: { [variantId]: 2 },
      tracking: { number: '1Z0001', company: 'UPS', url: 'https://ups.example/1Z0001' },
    });
    const [first] = await fulfillmentsOf(order.id, 1);
    assert.deepEqual(
      {
        lines: first!.line_items.map((l) => [l.sku, l.quantity]),
        number: first!.tracking_number,
        company: first!.tracking_company,
        url: first!.tracking_url,
      },
      { lines: [['FUL-MUG', 2]], number: '1Z0001', company: 'UPS', url: 'https://ups.example/1Z0001' },
    );
    await stack.waitFor('the fulfillment GID on the picking', () => pickingGids(pickingId).length === 1 || undefined);
    assert.deepEqual(pickingGids(pickingId), [first!.admin_graphql_api_id]);
    assert.equal(stack.odoo!.state.pickings.get(pickingId)!.binding.state, 'synced');

    assert.ok(backorder_id, 'the partial delivery left a backorder');
    await stack.merchant!.validateDelivery(backorder_id, { tracking: { number: '1Z0002', company: 'UPS', url: null } });
    const all = await fulfillmentsOf(order.id, 2);
    assert.deepEqual(
      all.map((f) => [f.line_items.map((l) => [l.sku, l.quantity]), f.tracking_number]),
      [
        [[['FUL-MUG', 2]], '1Z0001'],
        [[['FUL-MUG', 1]], '1Z0002'],
      ],
    );
    await stack.waitFor('the second GID on the backorder', () => pickingGids(backorder_id).length === 1 || undefined);
    assert.deepEqual(pickingGids(backorder_id), [all[1]!.admin_graphql_api_id]);
    assert.equal(probe.count('shopify', 'FulfillmentCreate'), 2);
    // FULFILLMENT_NOTIFY_CUSTOMER defaults to true (the simulator does not send customer emails).
    const sent = probe.requests
      .filter((r) => r.operation === 'FulfillmentCreate')
      .map((r) => r.variables!.fulfillment as { notifyCustomer: boolean; trackingInfo: unknown });
    assert.deepEqual(
      sent.map((f) => [f.notifyCustomer, f.trackingInfo]),
      [
        [true, { number: '1Z0001', company: 'UPS', url: 'https://ups.example/1Z0001' }],
        [true, { number: '1Z0002', company: 'UPS' }],
      ],
    );
  });

  it('updates the tracking of the existing fulfillment when the tracking changes in Odoo, without a new fulfillment', async () => {
    const { order, pickingId } = await orderInBothSystems(1);
    await stack.merchant!.validateDelivery(pickingId, { tracking: { number: 'OLD-1', company: 'UPS', url: null } });
    await fulfillmentsOf(order.id, 1);
    await stack.waitFor('the GID on the picking', () => pickingGids(pickingId).length === 1 || undefined);
    const creates = probe.count('shopify', 'FulfillmentCreate');
    await stack.merchant!.setTracking(pickingId, { number: 'NEW-2', company: 'DHL', url: 'https://dhl.example/NEW-2' });
    const updated = await stack.waitFor('the new tracking in Shopify', async () => {
      const [f] = (await readOrder(order.id)).fulfillments;
      return f?.tracking_number === 'NEW-2' ? f : undefined;
    });
    // Odoo's carrier "DHL" in Shopify's spelling of its tracking companies (docs/flows.md, "Carriers").
    assert.deepEqual([updated.tracking_company, updated.tracking_url], ['DHL Express', 'https://dhl.example/NEW-2']);
    assert.equal((await readOrder(order.id)).fulfillments.length, 1);
    assert.equal(probe.count('shopify', 'FulfillmentCreate'), creates);
    assert.equal(probe.count('shopify', 'FulfillmentTrackingInfoUpdate'), 1);
  });

  it('resolves a fulfillmentCreate that timed out after it happened by reading back: exactly one fulfillment', async () => {
    const { order, pickingId } = await orderInBothSystems(2);
    const creates = probe.count('shopify', 'FulfillmentCreate');
    // The simulator executes the next request and then drops the connection without an answer.
    probe.onNext('FulfillmentCreate', {
      before: async () => {
        await stack.simControl('PUT', '/faults', { apiTimeoutRate: 1, apiTimeoutMs: 200, apiTimeoutAfterExecute: true });
      },
      after: async () => {
        await stack.simControl('PUT', '/faults', { apiTimeoutRate: 0 });
      },
    });
    await stack.merchant!.validateDelivery(pickingId, { tracking: { number: 'TO-1', company: 'UPS', url: null } });
    await stack.waitFor('the GID on the picking', () => pickingGids(pickingId).length === 1 || undefined, 30_000);
    const after = await readOrder(order.id);
    assert.equal(after.fulfillments.length, 1);
    assert.deepEqual(pickingGids(pickingId), [after.fulfillments[0]!.admin_graphql_api_id]);
    assert.equal(probe.count('shopify', 'FulfillmentCreate'), creates + 1, 'the write was never repeated');
    assert.ok(
      stack.logs.lines.some((l) => l.pickingId === pickingId && l.step === 'resolved'),
      'resolved by read-back',
    );
    assert.equal(
      stack.logs.lines.filter(
        (l) => (l.pickingId === pickingId && l.step === 'created') || (l.entityId === pickingId && l.outcome === 'created'),
      ).length,
      0,
      'no attempt reported a second create',
    );
  });

  it('writes again after a timeout when the read-back shows the write did not happen: still exactly one fulfillment', async () => {
    const { order, pickingId } = await orderInBothSystems(1);
    const creates = probe.count('shopify', 'FulfillmentCreate');
    probe.onNext('FulfillmentCreate', {
      before: () => stack.simControl('PUT', '/faults', { apiTimeoutRate: 1, apiTimeoutMs: 200, apiTimeoutAfterExecute: false }),
      after: () => stack.simControl('PUT', '/faults', { apiTimeoutRate: 0, apiTimeoutAfterExecute: true }),
    });
    await stack.merchant!.validateDelivery(pickingId, { tracking: { number: 'TO-2', company: 'UPS', url: null } });
    await stack.waitFor('the GID on the picking', () => pickingGids(pickingId).length === 1 || undefined, 30_000);
    const after = await readOrder(order.id);
    assert.equal(after.fulfillments.length, 1);
    assert.deepEqual(pickingGids(pickingId), [after.fulfillments[0]!.admin_graphql_api_id]);
    assert.equal(probe.count('shopify', 'FulfillmentCreate'), creates + 2);
    assert.ok(
      stack.logs.lines.some((l) => l.pickingId === pickingId && l.step === 'rewrite'),
      'the read-back found nothing and the write was repeated',
    );
  });

  it('applies a fulfillment made in Shopify admin to the Odoo delivery, and writes nothing to Shopify', async () => {
    const { order, pickingId } = await orderInBothSystems(1);
    const writes = () => probe.count('shopify', 'FulfillmentCreate') + probe.count('shopify', 'FulfillmentTrackingInfoUpdate');
    const before = writes();
    await stack.simControl('POST', `/orders/${order.id}/fulfillments`, { tracking: { company: 'UPS', number: 'ADMIN-1' } });
    const [made] = (await readOrder(order.id)).fulfillments;
    await stack.waitFor('the delivery validated in Odoo', () => stack.odoo!.state.pickings.get(pickingId)!.state === 'done' || undefined);
    // Validated by the policy (validate, the default) with the fulfillment recorded on it: its own
    // delivery.done then sends nothing again.
    assert.deepEqual(pickingGids(pickingId), [made!.admin_graphql_api_id]);
    assert.equal(stack.odoo!.state.pickings.get(pickingId)!.binding.state, 'synced');
    assert.equal(stack.odoo!.state.pickings.get(pickingId)!.tracking.number, 'ADMIN-1');
    assert.equal((await readOrder(order.id)).fulfillments.length, 1);
    assert.equal(writes(), before, 'no fulfillment write to Shopify for an admin fulfillment');
  });
});
