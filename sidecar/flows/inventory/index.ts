/**
 * Inventory flow, Odoo → Shopify, multi-location and oversell-safe (docs/flows.md, "Inventory").
 * Queues `inventory` (per item and location, FIFO) and `inventory.reconcile` (scheduled).
 *
 * Jobs on `inventory`, all converging on "Shopify's on_hand = Odoo's shopify_on_hand":
 * - outbox `stock.changed` {product_id, location_gid}: quant or reservation changed in Odoo
 *   (also at delivery, so stock is re-pushed after each fulfillment);
 * - `push` {product_id, location_gid}: asked by another flow (the catalog after binding a new
 *   inventory item; a fulfillment after Shopify decremented its own on_hand);
 * - webhook `inventory_levels/update`: an echo of our write, an order, or a merchant edit in
 *   Shopify. Odoo is the truth: a re-check push is queued on the variant's key, which sets the
 *   level back when it differs (repairing edits made in Shopify's admin); an echo finds them equal.
 *
 * Each push: read Odoo's level → read Shopify's on_hand just before the write → skip when equal →
 * compare-and-swap write (./apply.ts). Bursts coalesce: Odoo keeps one pending event per product
 * and location, one key runs at a time, and each job reads the latest state, so stale repeats end
 * as "unchanged".
 */
import type { QueueJobs, WebhookJob } from '../../jobs.js';
import type { JobContext } from '../../queue/queue.js';
import type { FlowContext } from '../context.js';
import { defineFlow, ignored, type JobOutcome } from '../define-flow.js';
import { pushProductLocation, reconcileInventory, sendStockPush } from './apply.js';
import { parseStockKey } from './map.js';
import { productForItem } from './read.js';

type InventoryJob = QueueJobs['inventory'];

/** A Shopify level changed: queue a re-check of the bound variant against Odoo. */
async function levelChanged(
  ctx: FlowContext,
  job: JobContext<InventoryJob>,
  data: WebhookJob<'inventory_levels/update'>,
): Promise<JobOutcome> {
  const parsed = parseStockKey(job.key);
  if (!parsed || parsed.location.endsWith('/0')) return ignored('no_location', 'no location in the payload');
  const productId = await productForItem(ctx, data.entityGid, parsed.location);
  if (productId === undefined) {
    return ignored('not_bound', 'the inventory item is not bound in Odoo', {
      message: 'inventory: Shopify level of an item not bound in Odoo; left alone',
      fields: { locationGid: parsed.location },
    });
  }
  // The re-check runs on the variant's own key, in order with its outbox events, so two pushes
  // of one variant and location never interleave (the webhook's key is the Shopify item's).
  const push = { source: 'push', product_id: productId, location_gid: parsed.location, reason: `webhook:${data.webhookId}` } as const;
  await sendStockPush(ctx, push, `recheck:${data.webhookId}`, job.correlationId);
  return { outcome: 'recheck_queued', reason: 're-check against Odoo queued', fields: { productId, locationGid: parsed.location } };
}

/** The variant and location a push, outbox or webhook-recheck job is about. */
function productLocation(data: Exclude<InventoryJob, { source: 'webhook' }>): { productId: number; location: string } {
  if (data.source === 'push') return { productId: data.product_id, location: data.location_gid };
  return {
    productId: typeof data.payload.product_id === 'number' ? data.payload.product_id : data.resId,
    location: String(data.payload.location_gid),
  };
}

export async function handleInventoryJob(ctx: FlowContext, job: JobContext<InventoryJob>): Promise<JobOutcome> {
  const data = job.data;
  if (data.source === 'webhook') return levelChanged(ctx, job, data);
  const { productId, location } = productLocation(data);
  const stats = await pushProductLocation(ctx, productId, location, job.jobId);
  const fields = { locationGid: location, ...stats };
  if (data.source === 'push' && data.reason.startsWith('webhook:')) {
    return stats.written > 0
      ? { outcome: 'reasserted', message: 'inventory: Shopify level differed from Odoo; re-asserted', fields }
      : { outcome: 'unchanged', message: 'inventory: Shopify level matches Odoo (echo)', fields };
  }
  return { outcome: stats.written > 0 ? 'pushed' : 'unchanged', message: 'inventory: pushed', fields };
}

export const inventoryFlow = defineFlow({
  name: 'inventory',
  queues: {
    inventory: {
      handle: handleInventoryJob,
      entity: (job) =>
        job.source === 'webhook'
          ? { type: 'InventoryItem', id: job.entityGid }
          : { type: 'product.product', id: productLocation(job).productId },
    },
    'inventory.reconcile': {
      schedule: (config) => config.inventory.reconcileCron,
      async handle(ctx, job) {
        const result = await reconcileInventory(ctx, `reconcile:${job.jobId}`);
        return { outcome: 'reconciled', message: 'inventory: reconciled', fields: { ...result } };
      },
    },
  },
});
