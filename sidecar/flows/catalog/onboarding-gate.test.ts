/**
 * The catalog and customer pushes wait for onboarding (ONBOARDING_REQUIRED=true): nothing reaches
 * Shopify before the existing shop is linked, and everything deferred is pushed when it is.
 */
import assert from 'node:assert/strict';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { startStack, type Stack } from '../../../dev/testing/stack.js';
import { LOC_MAIN, simLevel, startFlowStack, type FlowStack } from '../../../dev/testing/inventory-stack.js';
import { customersFlow } from '../customers/index.js';
import { runOnboarding } from '../../onboarding/index.js';
import { catalogFlow } from './index.js';

describe('pushes gated by onboarding', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack({
      databaseUrl: await testDatabase('catalog_onboarding_gate'),
      flows: [catalogFlow, customersFlow],
      env: { ONBOARDING_REQUIRED: 'true' },
    });
  });
  after(async () => {
    await stack?.stop();
  });

  it('defers product and customer pushes until onboarding has run, then pushes them', async () => {
    const m = stack.merchant!;
    await m.createProduct({ name: 'Lamp', price: '30.00', variants: [{ sku: 'GATE-LAMP' }] });
    await m.createCustomer({ name: 'Ada Lovelace', email: 'ada.gate@example.com', sync: true });
    await stack.waitFor('both pushes deferred', () => {
      const deferred = stack.logs.lines.filter((l) => /push deferred$/.test(String(l.message)));
      return deferred.length >= 2;
    });
    await stack.waitFor('the queues to settle', async () =>
      (await stack.sidecar.queue.queueStats()).every((s) => s.queued === 0 && s.active === 0),
    );
    assert.deepEqual(await stack.simControl('GET', '/products?sku=GATE-LAMP'), []);
    assert.deepEqual(await stack.simControl('GET', '/customers?email=ada.gate%40example.com'), []);

    const ctx = {
      config: stack.config,
      logger: stack.sidecar.logger,
      pool: stack.sidecar.pool,
      shopify: stack.sidecar.shopify,
      odoo: stack.sidecar.contract,
      queue: stack.sidecar.queue,
      clock: stack.sidecar.clock,
    };
    await runOnboarding(ctx, { dryRun: false });
    await stack.waitFor(
      'the product in Shopify',
      async () => (await stack.simControl<unknown[]>('GET', '/products?sku=GATE-LAMP')).length === 1,
    );
    await stack.waitFor(
      'the customer in Shopify',
      async () => (await stack.simControl<unknown[]>('GET', '/customers?email=ada.gate%40example.com')).length === 1,
    );
  });
});

describe('stock of a product linked by onboarding', () => {
  let f: FlowStack;

  before(async () => {
    f = await startFlowStack(await testDatabase('catalog_onboarding_stock'), { ONBOARDING_REQUIRED: 'true' });
  });
  after(async () => {
    await f?.stack.stop();
  });

  it('reaches Shopify when Odoo changed it before onboarding linked the variant', async () => {
    await f.stack.simControl('POST', '/products', { title: 'Mug', sku: 'GATE-MUG', price: '12.00' });
    const { variants } = await f.merchant.createProduct({ name: 'Mug', price: '12.00', variants: [{ sku: 'GATE-MUG' }] });
    await f.merchant.setStock(variants['GATE-MUG']!, f.wh.main, 7);
    // The stock event is handled before the link exists: the inventory flow skips it (no item yet).
    await f.stack.waitFor('the stock event skipped for lack of an inventory item', () =>
      f.stack.logs.lines.some((l) => l.message === 'inventory: level skipped' && l.productId === variants['GATE-MUG']),
    );
    await f.stack.waitFor('the queues to settle', async () =>
      (await f.stack.sidecar.queue.queueStats()).every((s) => s.queued === 0 && s.active === 0),
    );
    const onboarding = { config: f.stack.config, logger: f.stack.sidecar.logger, pool: f.stack.sidecar.pool };
    await runOnboarding(
      {
        ...onboarding,
        shopify: f.stack.sidecar.shopify,
        odoo: f.stack.sidecar.contract,
        queue: f.stack.sidecar.queue,
        clock: f.stack.sidecar.clock,
      },
      { dryRun: false },
    );
    // The resync onboarding asks for pushes the catalog, which must bring the linked variant's stock.
    await f.stack.waitFor('the linked variant stock in Shopify', () => simLevel(f.stack, 'GATE-MUG', LOC_MAIN)?.on_hand === 7, 30_000);
  });
});
