/**
 * Inventory, writes to Shopify (docs/flows.md, "Inventory"): Shopify's on_hand set to Odoo's
 * oversell-safe quantity by compare-and-swap (`changeFromQuantity` = what was read just before, 0 for a level not stocked yet,
 * which the write stocks; `@idempotent`), in batches of at most 250 per location; on CHANGE_FROM_QUANTITY_STALE (someone
 * changed it in between) both sides are read again. Also the push jobs other flows ask for.
 */
import type { StockPushJob } from '../../jobs.js';
import type { Gid, StockLevel } from '../../odoo/contract.js';
import { PermanentError, RetryableError } from '../../queue/errors.js';
import { keys, odooRef } from '../../queue/names.js';
import { ShopifyUserErrors } from '../../shopify/errors.js';
import type { FlowContext } from '../context.js';
import { eachLimited } from '../each-limited.js';
import { batches, planWrites, setQuantitiesInput, targetsFromLevels, writeKey, type Target } from './map.js';
import { productsForSkus, readOnHand, refreshTargets, stockLevels } from './read.js';

/** Compare-and-swap rounds in one job before giving up to the queue's retry. */
const MAX_CAS_ROUNDS = 5;

export interface PushStats {
  written: number;
  unchanged: number;
  activated: number;
  skipped: number;
  clamped: number;
  staleRetries: number;
  calls: number;
}

const emptyStats = (): PushStats => ({ written: 0, unchanged: 0, activated: 0, skipped: 0, clamped: 0, staleRetries: 0, calls: 0 });

/** One compare-and-swap write; false when it was stale (nothing applied: read both sides again). */
async function setQuantities(
  ctx: FlowContext,
  writes: Parameters<typeof setQuantitiesInput>[0],
  jobId: string,
  round: number,
): Promise<boolean> {
  try {
    await ctx.shopify.request(
      'InventorySetQuantities',
      { input: setQuantitiesInput(writes) },
      { lane: 'inventory', idempotencyKey: writeKey(jobId, writes, round) },
    );
    return true;
  } catch (error) {
    const codes = error instanceof ShopifyUserErrors ? error.codes : [];
    if (codes.includes('CHANGE_FROM_QUANTITY_STALE') || codes.includes('IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED')) {
      // Someone (an order, the merchant, another push) changed on_hand between our read and our
      // write; nothing was applied (the call is all-or-nothing).
      ctx.logger.info('inventory: compare-and-swap was stale; re-reading', { locationGid: writes[0]?.location, round, codes });
      return false;
    }
    if (error instanceof ShopifyUserErrors)
      throw new PermanentError(error.message, { cause: error, details: { userErrors: error.userErrors } });
    throw error;
  }
}

async function writeBatch(ctx: FlowContext, initial: Target[], jobId: string, stats: PushStats, freshFromOdoo: boolean): Promise<void> {
  const location = initial[0]!.location;
  let batch = initial;
  let odooIsFresh = freshFromOdoo;
  for (let round = 0; round < MAX_CAS_ROUNDS; round += 1) {
    if (!odooIsFresh) batch = await refreshTargets(ctx, batch);
    odooIsFresh = false;
    if (batch.length === 0) return;
    const current = await readOnHand(
      ctx,
      batch.map((t) => t.item),
      location,
    );
    const plan = planWrites(batch, current);
    if (plan.writes.length === 0) {
      stats.unchanged += plan.unchanged;
      return;
    }
    stats.calls += 1;
    if (await setQuantities(ctx, plan.writes, jobId, round)) {
      stats.written += plan.writes.length;
      stats.activated += plan.stocked;
      stats.unchanged += plan.unchanged;
      return;
    }
    stats.staleRetries += 1;
  }
  throw new RetryableError(`inventory: on_hand at ${location} kept changing during ${MAX_CAS_ROUNDS} compare-and-swap rounds`);
}

/**
 * Sets Shopify's on_hand to Odoo's oversell-safe quantity for the given levels, in batches of at
 * most 250 per location, skipping equal ones, `INVENTORY_PUSH_CONCURRENCY` batches at once. A
 * failed batch stops the start of new ones; those running finish, then its error is thrown (the
 * job fails and is retried as before; the batches written are equal on the retry). Exported for
 * reconciliation and tests.
 */
export async function pushLevels(
  ctx: FlowContext,
  levels: readonly StockLevel[],
  jobId: string,
  options: { freshFromOdoo?: boolean; concurrency?: number } = {},
): Promise<PushStats> {
  const stats = emptyStats();
  const { targets, skipped, clamped } = targetsFromLevels(levels);
  for (const s of skipped)
    ctx.logger.info('inventory: level skipped', { productId: s.productId, locationGid: s.location, reason: s.reason });
  for (const c of clamped)
    ctx.logger.warn('inventory: quantity clamped', { productId: c.productId, locationGid: c.location, from: c.from, to: c.to });
  stats.skipped = skipped.length;
  stats.clamped = clamped.length;
  // A reconcile's single read of every level ages while other batches are written: each batch
  // then reads its variants from Odoo again just before its compare-and-swap. Batches touch
  // disjoint levels (one location, distinct items), so they run several at once; each call still
  // waits for its share of the shared cost budget (docs/flows.md, "Inventory").
  const all = batches(targets);
  const concurrency = options.concurrency ?? ctx.config.inventory.pushConcurrency;
  await eachLimited(
    all,
    concurrency,
    (batch) => writeBatch(ctx, batch, jobId, stats, options.freshFromOdoo ?? false),
    (error, batch, index) =>
      ctx.logger.warn('inventory: batch failed', {
        locationGid: batch[0]!.location,
        batch: index + 1,
        batches: all.length,
        levels: batch.length,
        error,
      }),
  );
  return stats;
}

/** Pushes one Odoo variant's stock at one location (outbox, push and webhook jobs). */
export async function pushProductLocation(ctx: FlowContext, productId: number, location: Gid, jobId: string): Promise<PushStats> {
  const levels = await stockLevels(ctx, { product_ids: [productId], location_gids: [location] });
  return pushLevels(ctx, levels, jobId, { freshFromOdoo: true });
}

/** Queues a push of one variant at one location on the variant's stock key; true when it is a new job. */
export async function sendStockPush(ctx: FlowContext, job: StockPushJob, id: string, correlationId: string): Promise<boolean> {
  const result = await ctx.queue.send('inventory', job, {
    key: keys.stock(odooRef('product.product', job.product_id), job.location_gid),
    id,
    correlationId,
  });
  return result.created;
}

/**
 * Asks the inventory flow to push these variants' stock at every mapped location (or the given
 * ones). One job per variant and location on the variant's stock key, so it runs in order with
 * that key's outbox events. For flows that changed what Shopify holds: the catalog after binding
 * new inventory items, the fulfillment flow after Shopify decremented on_hand by a fulfillment
 * (variants given by SKU there). `reason` makes the job ids: the same reason asks only once.
 */
export async function requestStockPush(
  ctx: FlowContext,
  request: { productIds?: number[]; skus?: string[]; locationGids?: Gid[]; reason: string },
): Promise<number> {
  const productIds = [
    ...(request.productIds ?? []),
    ...(request.skus?.length ? await productsForSkus(ctx, request.skus, request.locationGids) : []),
  ];
  if (productIds.length === 0) return 0;
  const levels = await stockLevels(ctx, {
    product_ids: productIds,
    ...(request.locationGids ? { location_gids: request.locationGids } : {}),
  });
  let sent = 0;
  for (const level of levels) {
    const job: StockPushJob = { source: 'push', product_id: level.product_id, location_gid: level.location_gid, reason: request.reason };
    if (await sendStockPush(ctx, job, `push:${request.reason}:${level.product_id}:${level.location_gid}`, request.reason)) sent += 1;
  }
  return sent;
}

/**
 * Re-reads every mapped level in Odoo and Shopify and sets the ones that differ, in batches of
 * 250 (a few calls, not one job per variant and location). Scheduled and on demand.
 */
export async function reconcileInventory(
  ctx: FlowContext,
  runId = `reconcile:${new Date().toISOString()}`,
): Promise<PushStats & { levels: number }> {
  const levels = await stockLevels(ctx, {});
  const stats = await pushLevels(ctx, levels, runId);
  return { ...stats, levels: levels.length };
}
