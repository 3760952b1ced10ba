/**
 * The catalog and customer pushes wait for onboarding (ONBOARDING_REQUIRED=true): nothing reaches
 * Shopify before the existing shop is linked, and everything deferred is pushed when it is.
 */
import assert from 'node:assert/strict';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { startStack, type Stack } from '../../../dev/testing/stack.js';
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
