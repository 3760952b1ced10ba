/**
 * Go-live in bulk end to end (simulator, PostgreSQL, Odoo double, the catalog and inventory
 * workers running): onboarding over CATALOG_BULK_THRESHOLD queues one `catalog.bulk` job, which
 * pushes the catalog in one bulkOperationRunMutation and records each product as the single push
 * does; a run that dies half-way resumes without a second product in Shopify; the scheduled
 * catalog reconciliation repairs or reports what differs.
 */
import assert from 'node:assert/strict';
import { bulkStore } from '../../../dev/sim/graphql/bulk.js';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { LOC_MAIN, simLevel, simProduct, startFlowStack, type FlowStack } from '../../../dev/testing/inventory-stack.js';
import type { QueueJobs } from '../../jobs.js';
import { keys } from '../../queue/names.js';
import { runOnboarding } from '../../onboarding/index.js';
import type { JobContext } from '../../queue/queue.js';
import type { FlowContext } from '../context.js';
import { handleBulkPushJob, handleCatalogReconcileJob, syncTemplate } from './index.js';
import { readBulkPushState, writeBulkPushState, type BulkPushState } from './store.js';

const HANDLE = (id: number) => `odoo-product-${id}`;

describe('go-live in bulk (simulator, PostgreSQL, Odoo double, workers)', () => {
  let f: FlowStack;
  const bulk: number[] = [];
  let linked: number;
  let blank: number;
  let linkedGid: string;

  const mutations = () => bulkStore(f.stack.sim.state).operations.filter((o) => o.type === 'MUTATION');
  const handleCount = (handle: string) => f.stack.sim.state.products.filter((p) => p.handle === handle).length;
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
  async function queueRun(runId: string): Promise<void> {
    const now = new Date(f.ctx.clock()).toISOString();
    await writeBulkPushState(f.ctx, { runId, state: 'queued', operationId: null, counts: null, error: null, queuedAt: now });
  }
  async function settled(): Promise<void> {
    await f.stack.waitFor('the queues to settle', async () =>
      (await f.stack.sidecar.queue.queueStats()).every((s) => s.queued === 0 && s.active === 0),
    );
  }

  before(async () => {
    f = await startFlowStack(await testDatabase('flow_catalog_golive_bulk'), {
      ONBOARDING_REQUIRED: 'true',
      CATALOG_BULK_THRESHOLD: '5',
      CATALOG_RECONCILE_CRON: '45 2 * * *',
    });
    // Shopify already sells the mug: onboarding links it, and the bulk push updates it by GID.
    await f.stack.simControl('POST', '/products', { title: 'Mug', sku: 'LINK-MUG', price: '7.00' });
    linkedGid = simProduct(f.stack, 'mug')!.gid;
    for (let i = 0; i < 6; i++) {
      bulk.push((await f.merchant.createProduct({ name: `Bulk item ${i}`, price: '3.00', variants: [{ sku: `BULK-${i}` }] })).template_id);
    }
    const mug = await f.merchant.createProduct({ name: 'Mug', price: '8.00', variants: [{ sku: 'LINK-MUG' }] });
    linked = mug.template_id;
    await f.merchant.setStock(mug.variants['LINK-MUG']!, f.wh.main, 4);
    // A name Shopify refuses ("Title can't be blank"): its product shows why, in Odoo.
    blank = (await f.merchant.createProduct({ name: '', price: '2.00', variants: [{ sku: 'BLANK-1' }] })).template_id;
    await settled();
  });
  after(async () => {
    await f?.stack.stop();
  });

  it('pushes a catalog over the threshold in one bulk operation, records every product as a single push does, and pushes stock', async () => {
    const before = { products: f.stack.sim.state.products.length, mutations: mutations().length };
    const { report, markdown } = await runOnboarding(f.ctx, { dryRun: false });
    assert.equal(report.push?.productsBy, 'bulk');
    assert.equal(report.push?.products, 8);
    assert.equal(report.catalogPush?.state, 'queued');
    assert.match(markdown, /- products pushed: \*\*8\*\* in one bulk operation \(run golive-/);
    await f.stack.waitFor('the bulk push to finish', async () => (await readBulkPushState(f.ctx))?.state === 'done', 30_000);
    const state = (await readBulkPushState(f.ctx))!;
    assert.deepEqual(state.counts, { templates: 8, pushed: 7, unchanged: 0, failed: 1, notPushed: 0, recorded: 8 });
    // One bulk mutation of 8 lines; 6 new products, the mug updated in place (no second mug).
    assert.deepEqual(
      mutations()
        .slice(before.mutations)
        .map((o) => [o.status, o.rootObjectCount]),
      [['COMPLETED', 8]],
    );
    assert.equal(f.stack.sim.state.products.length, before.products + 6);
    for (const id of bulk) {
      const binding = await f.merchant.readBinding('product.template', id);
      assert.equal(binding.state, 'synced', `template ${id}`);
      assert.equal(binding.shopify_gid, simProduct(f.stack, HANDLE(id))!.gid);
    }
    const mug = await f.merchant.readBinding('product.template', linked);
    assert.deepEqual([mug.state, mug.shopify_gid], ['synced', linkedGid]);
    assert.equal(simProduct(f.stack, 'mug')!.variants[0]!.price, 800);
    // The refused product: the field and Shopify's reason on the product, and a row in Errors.
    const refused = await f.merchant.readBinding('product.template', blank);
    assert.equal(refused.state, 'error');
    assert.match(refused.message ?? '', /^Shopify productSet rejected the input: input\.title: Title can't be blank/);
    // Word for word what the single push records for the same product.
    await assert.rejects(syncTemplate(f.ctx, blank, { force: true }), /PermanentError|rejected the input/);
    assert.equal((await f.merchant.readBinding('product.template', blank)).message, refused.message);
    const rows = (await f.merchant.readFailures()).filter((r) => r.res_model === 'product.template' && r.res_id === blank);
    assert.deepEqual(
      rows.map((r) => r.state),
      ['open'],
    );
    // Stock follows the push (the inventory reconciliation the job runs afterwards).
    await f.stack.waitFor('the mug stock in Shopify', () => simLevel(f.stack, 'LINK-MUG', LOC_MAIN)?.on_hand === 4, 30_000);
    const status = await fetch(`${f.stack.sidecarUrl}/admin/onboarding`, {
      headers: { authorization: `Bearer ${f.stack.config.adminToken}` },
    });
    const body = (await status.json()) as { complete: boolean; catalogPush: BulkPushState };
    assert.deepEqual([body.complete, body.catalogPush.state, body.catalogPush.runId], [true, 'done', state.runId]);
  });

  it('a refused product is retried from Odoo once fixed, by the single catalog job', async () => {
    f.odoo.template(blank).name = 'Blank no more';
    await f.merchant.resyncProduct(blank);
    await f.stack.waitFor(
      'the fixed product synced',
      async () => (await f.merchant.readBinding('product.template', blank)).state === 'synced',
    );
    assert.equal(simProduct(f.stack, HANDLE(blank))?.title, 'Blank no more');
    const rows = (await f.merchant.readFailures()).filter((r) => r.res_model === 'product.template' && r.res_id === blank);
    assert.deepEqual(
      rows.map((r) => r.state),
      ['resolved'],
    );
  });

  it('resumes a run that died while Shopify ran its operation: it waits for it and creates no product twice', async () => {
    await queueRun('resume-poll');
    // Created while the run is queued: their single jobs wait for the bulk push (then find nothing to do).
    const fresh: number[] = [];
    for (let i = 0; i < 5; i++) {
      fresh.push((await f.merchant.createProduct({ name: `Late ${i}`, price: '4.00', variants: [{ sku: `LATE-${i}` }] })).template_id);
    }
    // The process "dies" at the first poll: Shopify goes on running the operation.
    const real = f.ctx.shopify;
    const dying: FlowContext = {
      ...f.ctx,
      shopify: new Proxy(real, {
        get(target, prop, receiver) {
          if (prop !== 'request') return Reflect.get(target, prop, receiver) as unknown;
          return (name: string, ...rest: unknown[]) =>
            name === 'BulkOperationById'
              ? Promise.reject(new Error('process killed while polling'))
              : (real.request as (...a: unknown[]) => Promise<unknown>).call(real, name, ...rest);
        },
      }),
    };
    const before = mutations().length;
    await assert.rejects(handleBulkPushJob(dying, job('resume-poll', 1)), /process killed while polling/);
    const died = (await readBulkPushState(f.ctx))!;
    assert.equal(died.state, 'running');
    assert.match(died.operationId ?? '', /^gid:\/\/shopify\/BulkOperation\/\d+$/);
    await f.stack.waitFor('the first operation to end in Shopify', () => mutations()[before]?.status === 'COMPLETED');
    const firstGids = fresh.map((id) => simProduct(f.stack, HANDLE(id))!.gid);
    for (const id of fresh) assert.equal((await f.merchant.readBinding('product.template', id)).shopify_gid, null, 'nothing recorded yet');

    const outcome = await handleBulkPushJob(f.ctx, job('resume-poll', 2));
    assert.equal(outcome.outcome, 'pushed');
    for (const [i, id] of fresh.entries()) {
      assert.equal(handleCount(HANDLE(id)), 1, `one product for template ${id}`);
      assert.equal((await f.merchant.readBinding('product.template', id)).shopify_gid, firstGids[i], 'the product the first run created');
    }
    assert.equal((await readBulkPushState(f.ctx))?.state, 'done');
    await settled();
    for (const id of fresh) assert.equal((await f.merchant.readBinding('product.template', id)).state, 'synced');
  });

  it('a failure writing results half-way stops the writing, and the resumed run pushes only what was not recorded', async () => {
    await queueRun('resume-record');
    const fresh: number[] = [];
    for (let i = 0; i < 12; i++) {
      fresh.push((await f.merchant.createProduct({ name: `Rec ${i}`, price: '5.00', variants: [{ sku: `REC-${i}` }] })).template_id);
    }
    let calls = 0;
    let after = 0;
    const odoo = f.ctx.odoo;
    const flaky: FlowContext = {
      ...f.ctx,
      // The contract facade is a frozen plain object: a copy with one method replaced.
      odoo: {
        ...odoo,
        recordSyncResult: async (doc) => {
          calls += 1;
          if (calls === 4) throw new Error('odoo went away');
          if (calls > 4) after += 1;
          return odoo.recordSyncResult(doc);
        },
      },
    };
    const before = mutations().length;
    await assert.rejects(handleBulkPushJob(flaky, job('resume-record', 1)), /odoo went away/);
    // The calls already running were awaited; none was started after the failure.
    const writtenAtFailure = calls;
    assert.ok(after < 8, `${after} calls after the failure (at most the 7 others in flight)`);
    const recorded: number[] = [];
    for (const id of fresh) if ((await f.merchant.readBinding('product.template', id)).shopify_gid) recorded.push(id);
    assert.ok(recorded.length < 12 && recorded.length === writtenAtFailure - 1, `recorded ${recorded.length} of 12`);

    await handleBulkPushJob(f.ctx, job('resume-record', 2));
    const ops = mutations().slice(before);
    assert.deepEqual(
      ops.map((o) => o.rootObjectCount),
      [12, 12 - recorded.length],
    );
    for (const id of fresh) {
      assert.equal(handleCount(HANDLE(id)), 1, `one product for template ${id}`);
      assert.equal((await f.merchant.readBinding('product.template', id)).state, 'synced');
    }
    await settled();
  });

  it('the scheduled reconciliation pushes again what was changed in Shopify and reports what was deleted there', async () => {
    const state = f.stack.sim.state;
    // Deleted in Shopify's admin, and a SKU edited there.
    const gone = simProduct(f.stack, HANDLE(bulk[0]!))!;
    state.products = state.products.filter((p) => p.id !== gone.id);
    const edited = simProduct(f.stack, HANDLE(bulk[1]!))!.variants[0]!;
    edited.sku = 'EDITED-IN-SHOPIFY';
    state.inventoryItems.find((i) => i.id === edited.inventoryItemId)!.sku = 'EDITED-IN-SHOPIFY';
    const outcome = await handleCatalogReconcileJob(f.ctx);
    assert.equal(outcome.outcome, 'reconciled');
    assert.deepEqual(
      [outcome.fields?.productMissing, outcome.fields?.skuDiffers, outcome.fields?.resynced, outcome.fields?.reported],
      [1, 1, 1, 1],
    );
    const missing = await f.merchant.readBinding('product.template', bulk[0]!);
    assert.equal(missing.state, 'error');
    assert.match(
      missing.message ?? '',
      /^Catalog reconciliation: the Shopify product gid:\/\/shopify\/Product\/\d+ recorded for this product is no longer in Shopify/,
    );
    await f.stack.waitFor('the SKU set back from Odoo', () => simProduct(f.stack, HANDLE(bulk[1]!))!.variants[0]!.sku === 'BULK-1');
    await settled();
    const again = await handleCatalogReconcileJob(f.ctx);
    assert.deepEqual([again.fields?.skuDiffers, again.fields?.resynced, again.fields?.productMissing], [0, 0, 1]);
  });

  it('is scheduled on CATALOG_RECONCILE_CRON, and a tick runs it through its queue', async () => {
    const { rows } = await f.stack.sidecar.pool.query("SELECT cron FROM shopify_sync_queue.schedule WHERE name = 'catalog.reconcile'");
    assert.deepEqual(rows, [{ cron: '45 2 * * *' }]);
    const from = f.stack.logs.lines.length;
    // What pg-boss's cron tick sends.
    await f.stack.sidecar.queue.send('catalog.reconcile', {}, { key: keys.scheduled('catalog.reconcile') });
    const line = await f.stack.waitFor('the scheduled reconciliation', () =>
      f.stack.logs.lines.slice(from).find((l) => l.message === 'catalog: reconciled'),
    );
    assert.deepEqual([line.productMissing, line.level], [1, 'warn']);
  });
});
