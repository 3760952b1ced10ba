import assert from 'node:assert/strict';
import { createOdooContract, type OdooContract } from '../odoo/contract.js';
import { createDoubleMerchant, createOdooDouble } from '../../dev/odoo-double/index.js';
import { createLogger } from '../observability/logger.js';
import { createQueue, type SyncQueue } from '../queue/queue.js';
import { MemoryTransport } from '../../dev/testing/memory-transport.js';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { createOutboxRelay, routeEvent } from './outbox.js';

const SHOP = 'test-shop.myshopify.com';

describe('outbox relay', () => {
  let queue: SyncQueue;
  const logger = createLogger({ transports: [new MemoryTransport()] });

  before(async () => {
    queue = createQueue({
      connectionString: await testDatabase('outbox_relay'),
      schema: 'q',
      logger,
      retry: { limit: 1, delaySeconds: 1, delayMaxSeconds: 1 },
    });
    await queue.start();
  });
  after(async () => {
    await queue.stop({ timeoutMs: 1000 });
  });

  async function queued(name: string): Promise<number> {
    return (await queue.queueStats()).find((s) => s.queue === name)?.queued ?? -1;
  }

  it('routes each event type to its flow queue and per-entity key', () => {
    const base = { uuid: 'u', model: 'product.template' as const, res_id: 7, key: 'k', created_at: '2026-11-27T00:00:00Z', attempts: 1 };
    assert.deepEqual(routeEvent({ ...base, type: 'product.changed', payload: {} }, SHOP), {
      queue: 'products',
      key: 'product:test-shop.myshopify.com:odoo:product.template:7',
    });
    assert.deepEqual(
      routeEvent({ ...base, type: 'stock.changed', payload: { product_id: 9, location_gid: 'gid://shopify/Location/1' } }, SHOP),
      {
        queue: 'inventory',
        key: 'stock:odoo:product.product:9:gid://shopify/Location/1',
      },
    );
    assert.deepEqual(routeEvent({ ...base, type: 'delivery.done', payload: { order_gid: 'gid://shopify/Order/5' } }, SHOP), {
      queue: 'fulfillments',
      key: 'fulfillment:test-shop.myshopify.com:gid://shopify/Order/5',
    });
    assert.throws(() => routeEvent({ ...base, type: 'delivery.done', payload: {} }, SHOP), /delivery.done without order_gid/);
  });

  it('enqueues every pending event once, acknowledges them, and a second drain finds nothing', async () => {
    const odoo = createOdooDouble();
    const merchant = createDoubleMerchant(odoo);
    const relay = createOutboxRelay({ contract: createOdooContract(odoo), queue, logger, shop: SHOP, pollSeconds: 60 });
    const before = { products: await queued('products'), inventory: await queued('inventory') };
    const product = await merchant.createProduct({ name: 'Mug', price: '9.50', variants: [{ sku: 'MUG-1' }] });
    const [warehouse] = await merchant.warehouses();
    await merchant.setStock(product.variants['MUG-1']!, warehouse!.id, 12);
    const first = await relay.drain();
    assert.deepEqual(first, { enqueued: 2, duplicates: 0, acknowledged: 2 });
    assert.equal(await queued('products'), before.products + 1);
    assert.equal(await queued('inventory'), before.inventory + 1);
    assert.deepEqual(await relay.drain(), { enqueued: 0, duplicates: 0, acknowledged: 0 });
  });

  it('loses nothing when the sidecar dies between enqueue and ack: the re-pulled event collapses onto its job', async () => {
    const odoo = createOdooDouble();
    const merchant = createDoubleMerchant(odoo);
    const real = createOdooContract(odoo);
    let failAck = true;
    const flaky: OdooContract = {
      ...real,
      ackEvents: async (doc) => {
        if (failAck) throw new Error('connection reset');
        return real.ackEvents(doc);
      },
    };
    const relay = createOutboxRelay({ contract: flaky, queue, logger, shop: SHOP, pollSeconds: 60, leaseSeconds: 30 });
    const before = await queued('products');
    await merchant.createProduct({ name: 'Tee', price: '15.00', variants: [{ sku: 'TEE-1' }] });
    await assert.rejects(relay.drain(), /connection reset/);
    assert.equal(await queued('products'), before + 1);
    failAck = false;
    assert.deepEqual(await relay.drain(), { enqueued: 0, duplicates: 0, acknowledged: 0 }, 'still leased: not handed out again yet');
    odoo.advance(31);
    assert.deepEqual(await relay.drain(), { enqueued: 0, duplicates: 1, acknowledged: 1 });
    assert.equal(await queued('products'), before + 1);
  });

  it('shares one drain between concurrent wake-ups and drains again for events that arrived meanwhile', async () => {
    const odoo = createOdooDouble();
    const merchant = createDoubleMerchant(odoo);
    const contract = createOdooContract(odoo);
    let pulls = 0;
    const counting: OdooContract = { ...contract, pullEvents: async (doc) => (pulls++, contract.pullEvents(doc)) };
    const relay = createOutboxRelay({ contract: counting, queue, logger, shop: SHOP, pollSeconds: 60 });
    await merchant.createProduct({ name: 'Cap', price: '5.00', variants: [{ sku: 'CAP-1' }] });
    const [a, b] = await Promise.all([relay.drain(), relay.drain()]);
    assert.equal(a, b);
    assert.equal(a.enqueued, 1);
    // One pull that found the event (a short batch ends the drain), then one more for the wake-up
    // that came during the drain.
    assert.equal(pulls, 2);
  });
});
