/**
 * Catalog, writes: one Odoo template pushed to Shopify with `productSet` (synchronous, upsert by
 * GID or by the template's handle, so safe to repeat), the product, variant and inventory-item GIDs
 * recorded on the binding, and a stock push asked for variants that just got an inventory item.
 */
import type { ProductDocument } from '../../odoo/contract.js';
import { PermanentError } from '../../queue/errors.js';
import { ShopifyUserErrors } from '../../shopify/errors.js';
import type { ProductSetMutation } from '../../shopify/index.js';
import type { FlowContext } from '../context.js';
import { ignored, type JobOutcome } from '../define-flow.js';
import { requestStockPush } from '../inventory/apply.js';
import { childrenFromResult, planProductSet, skippedMessage, type ProductSetPlan, type ShopifyProductSetProduct } from './map.js';
import { exportTemplate } from './read.js';

const stockReason = (templateId: number, hash: string) => `catalog:${templateId}:${hash.slice(0, 12)}`;

type PushPlan = Extract<ProductSetPlan, { kind: 'push' }>;

/** Pushes one Odoo template to Shopify if its content changed. Exported for backfills and tests. */
export async function syncTemplate(
  ctx: FlowContext,
  templateId: number,
  options: { force?: boolean; retry?: boolean } = {},
): Promise<JobOutcome> {
  const doc = await exportTemplate(ctx, templateId);
  if (!doc)
    return ignored('missing', 'the template no longer exists in Odoo', {
      message: 'catalog: template no longer exists in Odoo; nothing to push',
    });
  const plan = planProductSet(doc);
  if (plan.kind === 'nothing') {
    await ctx.odoo.recordSyncResult({ model: 'product.template', res_id: templateId, state: 'error', message: plan.reason });
    return { outcome: 'not_pushed', level: 'warn', reason: plan.reason, message: 'catalog: not pushed' };
  }
  if (!options.force && plan.hash === doc.synced_hash) return unchanged(ctx, doc, plan, options.retry ?? false);
  return push(ctx, doc, plan);
}

/** The content equals the last push: the binding is set back to what that push left. */
async function unchanged(ctx: FlowContext, doc: ProductDocument, plan: PushPlan, retry: boolean): Promise<JobOutcome> {
  const templateId = doc.odoo_id;
  // The binding went "pending" when the event was written; it is back to what the last push
  // left: synced, or in error while some variants still have no SKU.
  const skipped = skippedMessage(plan.skipped);
  await ctx.odoo.recordSyncResult({ model: 'product.template', res_id: templateId, state: skipped ? 'error' : 'synced', message: skipped });
  if (retry) {
    // A previous attempt may have pushed and recorded, then failed to ask for the stock push;
    // ask again (same job ids as that attempt's, so nothing is pushed twice).
    const bound = doc.variants.filter((v) => v.shopify_inventory_item_gid).map((v) => v.odoo_id);
    if (bound.length > 0) await requestStockPush(ctx, { productIds: bound, reason: stockReason(templateId, plan.hash) });
  }
  return ignored('unchanged', 'content unchanged since the last push', {
    message: 'catalog: content unchanged since the last push; skipped',
    fields: { hash: plan.hash },
  });
}

async function productSet(ctx: FlowContext, templateId: number, plan: PushPlan): Promise<ShopifyProductSetProduct> {
  let data: ProductSetMutation;
  try {
    data = await ctx.shopify.request(
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
  const product = data.productSet?.product;
  if (!product) throw new PermanentError(`catalog: productSet returned no product for template ${templateId}`);
  return product;
}

async function push(ctx: FlowContext, doc: ProductDocument, plan: PushPlan): Promise<JobOutcome> {
  const templateId = doc.odoo_id;
  const product = await productSet(ctx, templateId, plan);
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
  // Stock events for variants without an inventory item were skipped by the inventory flow;
  // now that the item exists, push their stock (the inventory flow's job, on its own keys). On
  // the first push of a template (no synced hash) that is every variant with an item: onboarding
  // may have linked the items before, while their stock events were being skipped.
  const before = new Map(doc.variants.map((v) => [v.odoo_id, v.shopify_inventory_item_gid]));
  const firstPush = !doc.synced_hash;
  const fresh = children
    .filter((c) => c.inventory_item_gid && (firstPush || before.get(c.res_id) !== c.inventory_item_gid))
    .map((c) => c.res_id);
  if (fresh.length > 0) await requestStockPush(ctx, { productIds: fresh, reason: stockReason(templateId, plan.hash) });
  return {
    outcome: 'pushed',
    message: 'catalog: pushed',
    fields: { productGid: product.id, status: product.status, variants: children.length, skipped: plan.skipped.length },
  };
}
