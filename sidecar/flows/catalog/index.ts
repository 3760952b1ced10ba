/**
 * Catalog flow, Odoo → Shopify (docs/flows.md, "Catalog"). Queue `products`.
 *
 * Outbox `product.changed` → export the template's current state → plan (./map.ts, pure) → skip
 * when the content hash equals the binding's synced hash → `productSet` → record the product,
 * variant and inventory-item GIDs on the binding → ask the inventory flow to push stock for
 * variants that just got an inventory item (./apply.ts).
 *
 * Bursts collapse: Odoo keeps one pending event per template, jobs of one template run one at a
 * time (key_strict_fifo), each job exports the latest state and the hash turns repeats into no-ops.
 *
 * Go-live pushes a large catalog in one bulk mutation instead (queue `catalog.bulk`, sent by
 * onboarding; ./bulk.ts, docs/flows.md "Go-live in bulk"); single jobs wait while it runs. The
 * catalog reconciliation (queue `catalog.reconcile`, CATALOG_RECONCILE_CRON) reads Shopify's
 * catalog in bulk, queues a push of what was never pushed or had its SKU changed in Shopify, and
 * reports products deleted in Shopify on the product in Odoo.
 *
 * Webhooks `products/create` and `products/update` also land here. They are echoes of our own
 * productSet or edits made in Shopify's admin; Odoo is the catalog's source of truth, so there is
 * nothing to do: their inbox rows end `ignored` (an edit made in Shopify is overwritten by the next
 * Odoo change or a resync).
 */
import type { QueueJobs } from '../../jobs.js';
import { onboardingGate } from '../../onboarding/index.js';
import { WaitingError } from '../../queue/errors.js';
import type { JobContext } from '../../queue/queue.js';
import type { FlowContext } from '../context.js';
import { defineFlow, ignored, type JobOutcome } from '../define-flow.js';
import { reconcileInventory } from '../inventory/apply.js';
import { syncTemplate } from './apply.js';
import { pushCatalogInBulk, reconcileCatalog, repairCatalog } from './bulk.js';
import { bulkPushActive, readBulkPushState, updateBulkPushState } from './store.js';

export { syncTemplate } from './apply.js';

export async function handleProductJob(ctx: FlowContext, job: JobContext<QueueJobs['products']>): Promise<JobOutcome> {
  const data = job.data;
  if (data.source === 'webhook') {
    return ignored('no_action', 'Odoo is the source of truth for the catalog', {
      message: 'catalog: Shopify product webhook completed without action (Odoo is the source of truth for the catalog)',
    });
  }
  // Pushing before onboarding linked the shop's existing products would create them twice in
  // Shopify. The job completes without a push; onboarding asks Odoo to resync every product when
  // it finishes. Products onboarding held for a conflict are never pushed (their binding says why).
  const gate = await onboardingGate(ctx);
  if (!gate.complete || gate.held.templateIds.includes(data.resId)) {
    const reason = gate.complete ? 'held by an onboarding conflict' : 'waiting for onboarding (POST /admin/onboarding)';
    return ignored('deferred', reason, { message: 'catalog: push deferred' });
  }
  // Two productSet calls of one new template at once could both create it (upserts by handle).
  if (bulkPushActive(await readBulkPushState(ctx), ctx.clock()))
    throw new WaitingError('the bulk catalog push', 'catalog: the catalog is being pushed in bulk; this product is pushed after it');
  return syncTemplate(ctx, data.resId, { force: data.payload.reason === 'resync', retry: job.attempt > 1 });
}

/**
 * Go-live's bulk push (docs/flows.md, "Go-live in bulk"). A retried attempt resumes: it waits for
 * the bulk operation the failed attempt started, then pushes what is not recorded yet (by handle
 * or GID, so nothing is created twice). Stock follows once, for every mapped level.
 */
export async function handleBulkPushJob(ctx: FlowContext, job: JobContext<QueueJobs['catalog.bulk']>): Promise<JobOutcome> {
  const { runId } = job.data;
  const stored = await readBulkPushState(ctx);
  if (stored?.runId !== runId) return ignored('superseded', 'another go-live run replaced this bulk push');
  if (stored.state === 'done') return ignored('done', 'this bulk push already finished');
  const gate = await onboardingGate(ctx);
  await updateBulkPushState(ctx, runId, { state: 'running' });
  try {
    const counts = await pushCatalogInBulk(ctx, {
      runId,
      exclude: new Set(gate.held.templateIds),
      previousOperationId: stored.operationId,
      onProgress: ({ operationId, counts: now }) =>
        updateBulkPushState(ctx, runId, { ...(operationId ? { operationId } : {}), counts: now }),
    });
    await updateBulkPushState(ctx, runId, { counts });
    const stock = await reconcileInventory(ctx, `golive:${runId}`);
    await updateBulkPushState(ctx, runId, { state: 'done', error: null });
    return { outcome: 'pushed', message: 'catalog: go-live bulk push done', fields: { runId, ...counts, stockWritten: stock.written } };
  } catch (error) {
    // A last attempt leaves the run `failed` (single jobs stop waiting; go-live again resumes it).
    const final = job.attempt >= job.maxAttempts;
    await updateBulkPushState(ctx, runId, { state: final ? 'failed' : 'running', error: String((error as Error).message).slice(0, 500) });
    throw error;
  }
}

/** The scheduled catalog reconciliation (docs/flows.md, "Catalog reconciliation"). */
export async function handleCatalogReconcileJob(ctx: FlowContext): Promise<JobOutcome> {
  const gate = await onboardingGate(ctx);
  if (!gate.complete) return ignored('deferred', 'waiting for onboarding (POST /admin/onboarding)');
  if (bulkPushActive(await readBulkPushState(ctx), ctx.clock())) return ignored('deferred', 'the catalog is being pushed in bulk');
  const result = await reconcileCatalog(ctx);
  const repair = await repairCatalog(ctx, result, new Set(gate.held.templateIds));
  const kinds = Object.fromEntries(['product_missing', 'variants_missing', 'sku_differs'].map((k) => [k, 0]));
  for (const d of result.differences) kinds[d.kind] = (kinds[d.kind] ?? 0) + 1;
  return {
    outcome: 'reconciled',
    message: 'catalog: reconciled',
    level: repair.resynced + repair.reported > 0 ? 'warn' : 'info',
    fields: {
      templates: result.templates,
      matching: result.matching,
      unbound: result.unbound.length,
      productMissing: kinds.product_missing,
      variantsMissing: kinds.variants_missing,
      skuDiffers: kinds.sku_differs,
      ...repair,
    },
  };
}

export const catalogFlow = defineFlow({
  name: 'catalog',
  queues: {
    products: {
      handle: handleProductJob,
      entity: (job) => (job.source === 'webhook' ? { type: 'Product', id: job.entityGid } : { type: 'product.template', id: job.resId }),
    },
    'catalog.bulk': { handle: handleBulkPushJob },
    'catalog.reconcile': {
      schedule: (config) => config.catalog.reconcileCron,
      handle: (ctx) => handleCatalogReconcileJob(ctx),
    },
  },
});
