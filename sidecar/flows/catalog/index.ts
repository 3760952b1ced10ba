/**
 * Catalog flow, Odoo → Shopify (issue 5 item 1, docs/flows.md "Catalog"). Queue `products`.
 *
 * Outbox `product.changed` → export the template's current state → plan (./normalise.ts, pure)
 * → skip when the content hash equals the binding's synced hash → `productSet` (synchronous,
 * upsert by GID or by the template's handle, so safe to repeat) → record the product, variant
 * and inventory-item GIDs on the binding → ask the inventory flow to push stock for variants
 * that just got an inventory item.
 *
 * Bursts collapse: Odoo keeps one pending event per template, jobs of one template run one at a
 * time (key_strict_fifo), each job exports the latest state and the hash turns repeats into no-ops.
 *
 * Webhooks `products/create` and `products/update` also land here. They are echoes of our own
 * productSet or edits made in Shopify's admin; Odoo is the catalog's source of truth, so they are
 * completed as no-ops with a log line (an edit made in Shopify is overwritten by the next Odoo
 * change or a resync). Documented in docs/flows.md.
 */
import type { FlowContext, Flow } from '../context.js';
import { onboardingGate } from '../onboarding/index.js';
import type { WebhookJob } from '../../http/webhooks/topics.js';
import { markProcessed } from '../../http/webhooks/inbox.js';
import type { OutboxJob } from '../../relay/outbox.js';
import type { JobContext } from '../../queue/queue.js';
import { PermanentError } from '../../queue/errors.js';
import { ShopifyUserErrors } from '../../shopify/errors.js';
import { requestStockPush } from '../inventory/index.js';
import { childrenFromResult, planProductSet, skippedMessage, type ShopifyVariantNode } from './normalise.js';

export type ProductJob = OutboxJob | WebhookJob;

const stockReason = (templateId: number, hash: string) => `catalog:${templateId}:${hash.slice(0, 12)}`;

interface ProductSetData {
  productSet: {
    product: { id: string; handle: string; status: string; variants: { nodes: ShopifyVariantNode[] } } | null;
  };
}

export type CatalogOutcome =
  | { outcome: 'pushed'; productGid: string; variants: number; skipped: number }
  | { outcome: 'unchanged' }
  | { outcome: 'not_pushed'; reason: string }
  | { outcome: 'missing' };

/** Pushes one Odoo template to Shopify if its content changed. Exported for backfills and tests. */
export async function syncTemplate(
  ctx: FlowContext,
  templateId: number,
  options: { force?: boolean; correlationId?: string; retry?: boolean } = {},
): Promise<CatalogOutcome> {
  const log = ctx.logger.child({ flow: 'catalog', entity: 'product.template', templateId, correlationId: options.correlationId });
  const { products } = await ctx.odoo.exportProducts({ template_ids: [templateId] });
  const doc = products[0];
  if (!doc) {
    log.info('catalog: template no longer exists in Odoo; nothing to push');
    return { outcome: 'missing' };
  }
  const plan = planProductSet(doc);
  if (plan.kind === 'nothing') {
    await ctx.odoo.recordSyncResult({ model: 'product.template', res_id: templateId, state: 'error', message: plan.reason });
    log.warn('catalog: not pushed', { reason: plan.reason });
    return { outcome: 'not_pushed', reason: plan.reason };
  }
  if (!options.force && plan.hash === doc.synced_hash) {
    // The binding went "pending" when the event was written; it is back to what the last push
    // left: synced, or in error while some variants still have no SKU.
    const skipped = skippedMessage(plan.skipped);
    await ctx.odoo.recordSyncResult({
      model: 'product.template',
      res_id: templateId,
      state: skipped ? 'error' : 'synced',
      message: skipped,
    });
    log.info('catalog: content unchanged since the last push; skipped', { hash: plan.hash });
    if (options.retry) {
      // A previous attempt may have pushed and recorded, then failed to ask for the stock push;
      // ask again (same job ids as that attempt's, so nothing is pushed twice).
      const bound = doc.variants.filter((v) => v.shopify_inventory_item_gid).map((v) => v.odoo_id);
      if (bound.length > 0) await requestStockPush(ctx, { productIds: bound, reason: stockReason(templateId, plan.hash) });
    }
    return { outcome: 'unchanged' };
  }

  let data: ProductSetData;
  try {
    data = await ctx.shopify.request<ProductSetData>(
      'ProductSet',
      { identifier: plan.identifier, input: plan.input },
      { lane: 'catalog', retrySafe: true },
    );
  } catch (error) {
    if (error instanceof ShopifyUserErrors) {
      // Shopify refused the content: the same input fails the same way, so the binding shows why
      // and the job goes to the DLQ (fixed by editing the product in Odoo, which emits a new event).
      await ctx.odoo.recordSyncResult({ model: 'product.template', res_id: templateId, state: 'error', message: error.message });
      throw new PermanentError(error.message, { cause: error, details: { userErrors: error.userErrors } });
    }
    throw error;
  }
  const product = data.productSet.product;
  if (!product) throw new PermanentError(`catalog: productSet returned no product for template ${templateId}`);
  const children = childrenFromResult(plan, product.variants.nodes);
  const message = skippedMessage(plan.skipped);
  await ctx.odoo.recordSyncResult({
    model: 'product.template',
    res_id: templateId,
    state: message ? 'error' : 'synced',
    message,
    shopify_gid: product.id,
    content_hash: plan.hash,
    children,
  });
  log.info('catalog: pushed', { productGid: product.id, status: product.status, variants: children.length, skipped: plan.skipped.length });

  // Stock events for variants without an inventory item were skipped by the inventory flow;
  // now that the item exists, push their stock (the inventory flow's job, on its own keys).
  const before = new Map(doc.variants.map((v) => [v.odoo_id, v.shopify_inventory_item_gid]));
  const fresh = children.filter((c) => c.inventory_item_gid && before.get(c.res_id) !== c.inventory_item_gid).map((c) => c.res_id);
  if (fresh.length > 0) await requestStockPush(ctx, { productIds: fresh, reason: stockReason(templateId, plan.hash) });
  return { outcome: 'pushed', productGid: product.id, variants: children.length, skipped: plan.skipped.length };
}

export async function handleProductJob(ctx: FlowContext, job: JobContext<ProductJob>): Promise<void> {
  const data = job.data;
  if (data.source === 'webhook') {
    ctx.logger.info('catalog: Shopify product webhook completed without action (Odoo is the source of truth for the catalog)', {
      flow: 'catalog',
      topic: data.topic,
      productGid: data.entityGid,
      webhookId: data.webhookId,
      correlationId: job.correlationId,
    });
    await markProcessed(
      ctx.pool,
      ctx.config.database.appSchema,
      data.webhookId,
      'processed',
      'catalog: no-op, Odoo is the source of truth',
    );
    return;
  }
  if (data.type !== 'product.changed') throw new PermanentError(`catalog: unexpected outbox event ${data.type} on the products queue`);
  // Pushing before onboarding linked the shop's existing products would create them twice in
  // Shopify. The job completes without a push; onboarding asks Odoo to resync every product when
  // it finishes. Products onboarding held for a conflict are never pushed (their binding says why).
  const gate = await onboardingGate(ctx);
  if (!gate.complete || gate.held.templateIds.includes(data.resId)) {
    ctx.logger.info('catalog: push deferred', {
      flow: 'catalog',
      templateId: data.resId,
      reason: gate.complete ? 'held by an onboarding conflict' : 'waiting for onboarding (POST /admin/onboarding)',
    });
    return;
  }
  await syncTemplate(ctx, data.resId, {
    force: data.payload.reason === 'resync',
    correlationId: job.correlationId,
    retry: job.attempt > 1,
  });
}

export const catalogFlow: Flow = {
  name: 'catalog',
  async register(ctx) {
    await ctx.queue.work<ProductJob>('products', (job) => handleProductJob(ctx, job));
  },
};
