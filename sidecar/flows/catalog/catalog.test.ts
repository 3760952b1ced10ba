/**
 * The catalog flow end to end: Odoo double → outbox → products queue → productSet in the
 * simulator → IDs written back to the double's bindings.
 */
import assert from 'node:assert/strict';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { LOC_MAIN, LOC_SECOND, simLevel, simProduct, startFlowStack, type FlowStack } from '../../../dev/testing/inventory-stack.js';

describe('catalog flow end to end (simulator, PostgreSQL, Odoo double)', () => {
  let f: FlowStack;
  let teeId: number;
  let variants: Record<string, number>;

  /** productSet calls that touched this product: each one makes the simulator send one products/create|update. */
  async function productSetCalls(productGid: string): Promise<number> {
    const deliveries = await f.stack.simControl<Array<{ topic: string; body: { admin_graphql_api_id: string } }>>(
      'GET',
      '/webhooks/deliveries',
    );
    return deliveries.filter((d) => d.topic.startsWith('products/') && d.body.admin_graphql_api_id === productGid).length;
  }

  before(async () => {
    // Short client timeout for the timed-out productSet below (the fault holds the answer for 4 s).
    f = await startFlowStack(await testDatabase('flow_catalog_e2e'), { SHOPIFY_REQUEST_TIMEOUT_MS: '1500' });
    await f.stack.subscribeWebhooks(['products/create', 'products/update']);
  });
  after(async () => {
    await f?.stack.stop();
  });

  it('creates a product with attributes, variants, SKUs, barcodes and prices in Shopify and writes the IDs back', async () => {
    const created = await f.merchant.createProduct({
      name: 'Classic Tee',
      description: 'Soft cotton',
      price: '15.00',
      options: [{ name: 'Size', values: [{ value: 'S' }, { value: 'M', price_extra: '2.50' }] }],
      variants: [
        { sku: 'TEE-S', barcode: '4006381333931', option_values: { Size: 'S' } },
        { sku: 'TEE-M', barcode: '4006381333948', option_values: { Size: 'M' } },
      ],
    });
    teeId = created.template_id;
    variants = created.variants;
    // Stock set before the product reaches Shopify: skipped for lack of an inventory item, then
    // pushed by the catalog once the item exists.
    await f.merchant.setStock(variants['TEE-S']!, f.wh.main, 6);
    await f.merchant.setStock(variants['TEE-S']!, f.wh.second, 2);

    const binding = await f.stack.waitFor('the template bound', async () => {
      const b = await f.merchant.readBinding('product.template', teeId);
      return b.state === 'synced' && b.shopify_gid ? b : undefined;
    });
    const product = simProduct(f.stack, `odoo-product-${teeId}`)!;
    assert.equal(binding.shopify_gid, product.gid);
    assert.equal(product.title, 'Classic Tee');
    assert.equal(product.status, 'ACTIVE');
    assert.equal(product.descriptionHtml, 'Soft cotton');
    assert.deepEqual(product.options, [{ name: 'Size', values: ['S', 'M'] }]);
    assert.deepEqual(
      product.variants.map((v) => [v.sku, v.barcode, v.price, v.optionValues]),
      [
        ['TEE-S', '4006381333931', 1500, [{ optionName: 'Size', name: 'S' }]],
        ['TEE-M', '4006381333948', 1750, [{ optionName: 'Size', name: 'M' }]],
      ],
    );
    for (const v of product.variants) {
      const odooVariant = f.odoo.state.variants.get(variants[v.sku!]!)!;
      assert.equal(odooVariant.binding.shopify_gid, `gid://shopify/ProductVariant/${v.id}`);
      assert.equal(odooVariant.inventory_item_gid, `gid://shopify/InventoryItem/${v.inventoryItemId}`);
    }
    await f.stack.waitFor('the stock pushed after the catalog bound the item', () => {
      const main = simLevel(f.stack, 'TEE-S', LOC_MAIN);
      const second = simLevel(f.stack, 'TEE-S', LOC_SECOND);
      return main?.on_hand === 6 && second?.on_hand === 2;
    });
    assert.equal(await productSetCalls(product.gid), 1);
  });

  it('does not push unchanged content again (the hash equals the synced hash)', async () => {
    const gid = simProduct(f.stack, `odoo-product-${teeId}`)!.gid;
    const before = await productSetCalls(gid);
    // A write to a field that is not pushed still emits product.changed in the addon.
    f.odoo.productChanged(teeId, 'write');
    assert.equal((await f.merchant.readBinding('product.template', teeId)).state, 'pending');
    await f.stack.waitFor(
      'the binding synced again',
      async () => (await f.merchant.readBinding('product.template', teeId)).state === 'synced',
    );
    assert.equal(await productSetCalls(gid), before);
    assert.ok(
      f.stack.logs.lines.some((r) => r.message === 'catalog: content unchanged since the last push; skipped' && r.entityId === teeId),
    );
  });

  it('collapses a burst of edits into pushes of the latest state', async () => {
    const gid = simProduct(f.stack, `odoo-product-${teeId}`)!.gid;
    const before = await productSetCalls(gid);
    for (const price of ['16.00', '17.00', '18.00', '19.00', '20.00']) await f.merchant.setProductPrice(teeId, price);
    await f.stack.waitFor(
      'the last price in Shopify',
      () =>
        simProduct(f.stack, `odoo-product-${teeId}`)!
          .variants.map((v) => v.price)
          .join() === '2000,2250',
    );
    await f.stack.waitFor('the binding synced', async () => (await f.merchant.readBinding('product.template', teeId)).state === 'synced');
    // Odoo coalesces the pending events into one; at most one more if the relay pulled mid-burst.
    const pushes = (await productSetCalls(gid)) - before;
    assert.ok(pushes >= 1 && pushes <= 2, `pushes: ${pushes}`);
  });

  it('archives the product in Shopify when it is archived in Odoo, keeping its variants', async () => {
    await f.merchant.archiveProduct(teeId);
    await f.stack.waitFor('the product archived in Shopify', () => simProduct(f.stack, `odoo-product-${teeId}`)!.status === 'ARCHIVED');
    assert.deepEqual(
      simProduct(f.stack, `odoo-product-${teeId}`)!.variants.map((v) => v.sku),
      ['TEE-S', 'TEE-M'],
    );
  });

  it('does not push a product without SKU and says why on its binding', async () => {
    const { template_id } = await f.merchant.createProduct({ name: 'Gift wrap', price: '3.00', variants: [{ sku: null }] });
    const binding = await f.stack.waitFor('the binding in error', async () => {
      const b = await f.merchant.readBinding('product.template', template_id);
      return b.state === 'error' ? b : undefined;
    });
    assert.equal(binding.message, 'product "Gift wrap" not pushed: no variant has a SKU');
    assert.equal(binding.shopify_gid, null);
    assert.equal(simProduct(f.stack, `odoo-product-${template_id}`), undefined);
  });

  it('pushes the variants that have a SKU and names the one without on the binding', async () => {
    const { template_id, variants: vs } = await f.merchant.createProduct({
      name: 'Socks',
      price: '5.00',
      options: [{ name: 'Size', values: [{ value: 'S' }, { value: 'L' }] }],
      variants: [
        { sku: 'SOCK-S', option_values: { Size: 'S' } },
        { sku: null, option_values: { Size: 'L' } },
      ],
    });
    const binding = await f.stack.waitFor('the binding bound with an error', async () => {
      const b = await f.merchant.readBinding('product.template', template_id);
      return b.state === 'error' && b.shopify_gid ? b : undefined;
    });
    const noSku = Object.entries(vs).find(([k]) => k.startsWith('#'))![1];
    assert.equal(binding.message, `variant "L" (id ${noSku}) has no SKU (Internal Reference): not pushed to Shopify`);
    assert.deepEqual(
      simProduct(f.stack, `odoo-product-${template_id}`)!.variants.map((v) => v.sku),
      ['SOCK-S'],
    );
    // An unchanged repeat keeps the reason on the binding.
    f.odoo.productChanged(template_id, 'write');
    await f.stack.waitFor(
      'the repeat handled',
      async () => (await f.merchant.readBinding('product.template', template_id)).state !== 'pending',
    );
    assert.deepEqual(await f.merchant.readBinding('product.template', template_id), binding);
  });

  it('completes Shopify product webhooks (echoes of its own writes) without action, their inbox rows ignored with the reason', async () => {
    await f.stack.waitFor('product webhooks ended', async () => {
      const { rows } = await f.stack.sidecar.pool.query(
        `SELECT status, reason, count(*)::int AS n FROM shopify_sync.webhook_inbox WHERE topic LIKE 'products/%' GROUP BY status, reason`,
      );
      return rows.length === 1 && rows[0].status === 'ignored' && rows[0].n >= 4 ? rows : undefined;
    });
    const { rows } = await f.stack.sidecar.pool.query(
      `SELECT DISTINCT reason FROM shopify_sync.webhook_inbox WHERE topic LIKE 'products/%'`,
    );
    assert.deepEqual(rows, [{ reason: 'Odoo is the source of truth for the catalog' }]);
    assert.ok(f.stack.logs.lines.some((r) => String(r.message).startsWith('catalog: Shopify product webhook completed without action')));
  });

  it('retries a first productSet that timed out after Shopify executed it without creating a second product', async () => {
    await f.stack.simControl('PUT', '/faults', { apiTimeoutRate: 1, apiTimeoutMs: 4000, apiTimeoutAfterExecute: true });
    let templateId: number;
    try {
      ({ template_id: templateId } = await f.merchant.createProduct({ name: 'Lamp', price: '40.00', variants: [{ sku: 'LAMP-1' }] }));
      await f.stack.waitFor('the first attempt executed in Shopify', () => simProduct(f.stack, `odoo-product-${templateId}`) !== undefined);
      await f.stack.waitFor('the client saw the timeout', () =>
        f.stack.logs.lines.some((l) => l.message === 'shopify: retrying' && l.operation === 'ProductSet'),
      );
    } finally {
      await f.stack.simControl('DELETE', '/faults');
    }
    const binding = await f.stack.waitFor('the template bound', async () => {
      const b = await f.merchant.readBinding('product.template', templateId!);
      return b.state === 'synced' && b.shopify_gid ? b : undefined;
    });
    const lamps = f.stack.sim.state.variants.filter((v) => v.sku === 'LAMP-1');
    assert.equal(lamps.length, 1);
    assert.equal(binding.shopify_gid, `gid://shopify/Product/${lamps[0]!.productId}`);
  });

  it('puts Shopify userErrors on the binding and sends the job to the dead-letter queue', async () => {
    const { template_id } = await f.merchant.createProduct({ name: 'Vase', price: '25.00', variants: [{ sku: 'VASE-1' }] });
    await f.stack.waitFor(
      'the vase bound',
      async () => (await f.merchant.readBinding('product.template', template_id)).shopify_gid !== null,
    );
    // The merchant deletes the product in Shopify; the next push by GID is refused.
    const state = f.stack.sim.state;
    state.products.splice(
      state.products.findIndex((p) => p.handle === `odoo-product-${template_id}`),
      1,
    );
    await f.merchant.setProductPrice(template_id, '26.00');
    const binding = await f.stack.waitFor('the binding in error', async () => {
      const b = await f.merchant.readBinding('product.template', template_id);
      return b.state === 'error' ? b : undefined;
    });
    assert.equal(binding.message, 'Shopify productSet rejected the input: identifier.id: Product does not exist (PRODUCT_DOES_NOT_EXIST)');
    const dead = await f.stack.waitFor('the dead letter', async () => (await f.stack.sidecar.queue.listDeadLetters('products'))[0]);
    assert.equal(dead.kind, 'permanent');
    assert.match(dead.reason ?? '', /Product does not exist/);
    assert.equal(dead.attempts, 1);
  });

  it('still pushes the stock of new variants when asking for it failed after the product was recorded', async () => {
    // The first push records the IDs, then loses the stock_levels call behind requestStockPush;
    // the retried job finds the content unchanged and asks again.
    f.failNext('stock_levels');
    const { template_id, variants: vs } = await f.merchant.createProduct({
      name: 'Candle',
      price: '8.00',
      variants: [{ sku: 'CANDLE-1' }],
    });
    f.odoo.setOnHand(vs['CANDLE-1']!, f.wh.main, 11);
    await f.stack.waitFor('the candle stock in Shopify', () => simLevel(f.stack, 'CANDLE-1', LOC_MAIN)?.on_hand === 11, 20_000);
    assert.ok(
      f.stack.logs.lines.some((l) => l.message === 'catalog: content unchanged since the last push; skipped' && l.entityId === template_id),
    );
    assert.equal((await f.merchant.readBinding('product.template', template_id)).state, 'synced');
  });
});
