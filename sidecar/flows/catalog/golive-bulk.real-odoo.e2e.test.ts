/**
 * Go-live in bulk against a REAL Odoo (17, 18 or 19) with shopify_sync (scripts/e2e-real-odoo.sh):
 * onboarding over CATALOG_BULK_THRESHOLD queues the `catalog.bulk` job, which pushes the catalog
 * in one bulk mutation and records every product in Odoo; a run that died while Shopify ran its
 * operation resumes without a second product; the catalog reconciliation reports a product
 * deleted in Shopify on the product in Odoo and pushes a SKU edited there back.
 * Skipped unless ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY (and the admin login) are set.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRealMerchant } from '../../../dev/conformance/real-driver.js';
import type { MerchantDriver } from '../../../dev/conformance/target.js';
import { bulkStore } from '../../../dev/sim/graphql/bulk.js';
import { realOdooFromEnv } from '../../../dev/testing/env.js';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { startStack, type Stack } from '../../../dev/testing/stack.js';
import type { QueueJobs } from '../../jobs.js';
import { runOnboarding } from '../../onboarding/index.js';
import { createOdooClient } from '../../odoo/client.js';
import type { JobContext } from '../../queue/queue.js';
import type { FlowContext } from '../context.js';
import { FLOWS } from '../index.js';
import { handleBulkPushJob, handleCatalogReconcileJob } from './index.js';
import { readBulkPushState, writeBulkPushState } from './store.js';

const real = realOdooFromEnv();
const TIMEOUT = 120_000;
const LOC_MAIN = 101;

describe('go-live in bulk against a real Odoo (simulator → sidecar → Odoo)', function () {
  this.timeout(300_000);
  let stack: Stack;
  let merchant: MerchantDriver;
  let ctx: FlowContext;
  let wh: number;
  const run = randomUUID().slice(0, 6).toUpperCase();
  const sku = (name: string) => `GL-${run}-${name}`;
  const templates: Record<string, number> = {};
  const variants: Record<string, number> = {};

  const productsWithSku = (s: string) =>
    stack.sim.state.products.filter((p) => stack.sim.state.variants.some((v) => v.productId === p.id && v.sku === s));
  const productByHandle = (handle: string) => stack.sim.state.products.filter((p) => p.handle === handle);
  const mutations = () => bulkStore(stack.sim.state).operations.filter((o) => o.type === 'MUTATION');
  const level = (s: string) => {
    const item = stack.sim.state.inventoryItems.find((i) => i.sku === s);
    return item && stack.sim.state.levels.find((l) => l.inventoryItemId === item.id && l.locationId === LOC_MAIN);
  };
  const job = (runId: string, attempt: number): JobContext<QueueJobs['catalog.bulk']> => ({
    data: { runId },
    key: null,
    attempt,
    maxAttempts: 3,
    correlationId: runId,
    jobId: `${runId}-${attempt}`,
    queue: 'catalog.bulk',
    signal: new AbortController().signal,
  });

  before(async function () {
    if (!real) {
      console.log('    (skipped: set ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY and the admin login; scripts/e2e-real-odoo.sh does)');
      this.skip();
    }
    const common = { url: real.url, db: real.db, requestTimeoutMs: 60_000 };
    merchant = createRealMerchant({
      admin: createOdooClient({ ...common, protocol: 'jsonrpc', user: real.adminUser, apiKey: real.adminPassword }),
      adminLogin: real.adminUser,
    });
    await merchant.configure({ import_policy: 'all', safety_stock: 0 });
    wh = (await merchant.warehouses()).find((w) => w.location_gid === `gid://shopify/Location/${LOC_MAIN}`)!.id;
    stack = await startStack({
      databaseUrl: await testDatabase('golive_bulk_real_odoo'),
      flows: FLOWS,
      odoo: createOdooClient({ ...common, protocol: real.protocol, user: real.user, apiKey: real.apiKey }),
      sim: { currency: await merchant.companyCurrency() },
      env: { ORDERS_PULL_CRON: '0 0 1 1 *', ONBOARDING_REQUIRED: 'true', CATALOG_BULK_THRESHOLD: '3' },
    });
    await stack.sidecar.workersStarted;
    ctx = stack.flowContext();
  });
  after(async () => {
    await stack?.stop();
  });

  it('go-live pushes the catalog in one bulk operation and records every product in Odoo', async () => {
    // Shopify already sells the linked one: onboarding links it, the bulk push updates it by GID.
    const shop = await stack.simControl<{ admin_graphql_api_id: string }>('POST', '/products', {
      title: `Linked ${run}`,
      sku: sku('LINKED'),
      price: '7.00',
    });
    for (const name of ['A', 'B', 'C', 'LINKED']) {
      const created = await merchant.createProduct({ name: `Bulk ${name} ${run}`, price: '5.00', variants: [{ sku: sku(name) }] });
      templates[name] = created.template_id;
      variants[name] = created.variants[sku(name)]!;
    }
    await merchant.setStock(variants.A!, wh, 6);
    const before = mutations().length;
    const { report } = await runOnboarding({ ...ctx }, { dryRun: false });
    assert.deepEqual(report.writeErrors, []);
    assert.equal(report.push?.productsBy, 'bulk');
    await stack.waitFor('the bulk push done', async () => (await readBulkPushState(ctx))?.state === 'done', TIMEOUT);
    assert.equal(mutations().length, before + 1, 'one bulk mutation');
    for (const name of ['A', 'B', 'C']) {
      const binding = await merchant.readBinding('product.template', templates[name]!);
      assert.equal(binding.state, 'synced', name);
      const [product] = productByHandle(`odoo-product-${templates[name]}`);
      assert.equal(binding.shopify_gid, `gid://shopify/Product/${product!.id}`);
      assert.equal(
        (await merchant.readBinding('product.product', variants[name]!)).shopify_gid?.startsWith('gid://shopify/ProductVariant/'),
        true,
      );
    }
    const linked = await merchant.readBinding('product.template', templates.LINKED!);
    assert.deepEqual([linked.state, linked.shopify_gid], ['synced', shop.admin_graphql_api_id]);
    assert.equal(productsWithSku(sku('LINKED')).length, 1, 'the linked product was not created a second time');
    await stack.waitFor("A's stock in Shopify", () => level(sku('A'))?.on_hand === 6, TIMEOUT);
  });

  it('a run that died while Shopify ran its operation resumes without a second product', async () => {
    const now = new Date(ctx.clock()).toISOString();
    await writeBulkPushState(ctx, { runId: `resume-${run}`, state: 'queued', operationId: null, counts: null, error: null, queuedAt: now });
    for (const name of ['D', 'E']) {
      const created = await merchant.createProduct({ name: `Late ${name} ${run}`, price: '6.00', variants: [{ sku: sku(name) }] });
      templates[name] = created.template_id;
    }
    const shopify = ctx.shopify;
    const dying: FlowContext = {
      ...ctx,
      shopify: new Proxy(shopify, {
        get(target, prop, receiver) {
          if (prop !== 'request') return Reflect.get(target, prop, receiver) as unknown;
          return (name: string, ...rest: unknown[]) =>
            name === 'BulkOperationById'
              ? Promise.reject(new Error('process killed while polling'))
              : (shopify.request as (...a: unknown[]) => Promise<unknown>).call(shopify, name, ...rest);
        },
      }),
    };
    const before = mutations().length;
    await assert.rejects(handleBulkPushJob(dying, job(`resume-${run}`, 1)), /process killed while polling/);
    await stack.waitFor('the first operation ended in Shopify', () => mutations()[before]?.status === 'COMPLETED', TIMEOUT);
    const first = ['D', 'E'].map((n) => productByHandle(`odoo-product-${templates[n]}`)[0]!.id);
    await handleBulkPushJob(ctx, job(`resume-${run}`, 2));
    for (const [i, n] of ['D', 'E'].entries()) {
      assert.equal(productByHandle(`odoo-product-${templates[n]}`).length, 1, n);
      assert.equal((await merchant.readBinding('product.template', templates[n]!)).shopify_gid, `gid://shopify/Product/${first[i]}`);
    }
  });

  it('the catalog reconciliation reports a product deleted in Shopify in Odoo and pushes an edited SKU back', async () => {
    await stack.waitFor(
      'the queues idle',
      async () => (await stack.sidecar.queue.queueStats()).every((s) => s.queued === 0 && s.active === 0),
      TIMEOUT,
    );
    const state = stack.sim.state;
    const gone = productByHandle(`odoo-product-${templates.B}`)[0]!;
    state.products = state.products.filter((p) => p.id !== gone.id);
    const edited = state.variants.find((v) => v.sku === sku('C'))!;
    edited.sku = `EDITED-${run}`;
    state.inventoryItems.find((i) => i.id === edited.inventoryItemId)!.sku = `EDITED-${run}`;
    const outcome = await handleCatalogReconcileJob(ctx);
    assert.equal(outcome.outcome, 'reconciled');
    assert.ok(Number(outcome.fields?.productMissing) >= 1 && Number(outcome.fields?.skuDiffers) >= 1, JSON.stringify(outcome.fields));
    const b = await merchant.readBinding('product.template', templates.B!);
    assert.equal(b.state, 'error');
    assert.match(
      b.message ?? '',
      /^Catalog reconciliation: the Shopify product gid:\/\/shopify\/Product\/\d+ recorded for this product is no longer in Shopify/,
    );
    await stack.waitFor('the SKU set back from Odoo', () => state.variants.find((v) => v.id === edited.id)?.sku === sku('C'), TIMEOUT);
  });
});
