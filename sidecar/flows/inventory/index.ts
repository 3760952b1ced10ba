/**
 * Inventory flow, Odoo → Shopify, multi-location and oversell-safe (issue 5 item 2, BRIEF
 * decision 7, docs/flows.md "Inventory"). Queues `inventory` (per item and location, FIFO) and
 * `inventory.reconcile` (scheduled).
 *
 * Jobs on `inventory`, all converging on "Shopify's on_hand = Odoo's shopify_on_hand":
 * - outbox `stock.changed` {product_id, location_gid}: quant or reservation changed in Odoo
 *   (also at delivery, so stock is re-pushed after each fulfillment);
 * - `push` {product_id, location_gid}: asked by another flow (the catalog after binding a new
 *   inventory item; a fulfillment after Shopify decremented its own on_hand);
 * - webhook `inventory_levels/update`: an echo of our write, an order, or a merchant edit in
 *   Shopify. Odoo is the truth: the level is re-read on both sides and set back when it differs,
 *   which repairs edits made in Shopify's admin; an echo finds them equal and does nothing.
 *
 * Each job: read Odoo's level (contract stock_levels) → read Shopify's on_hand just before the
 * write → skip when equal → inventorySetQuantities(on_hand, changeFromQuantity = what was read,
 * @idempotent) → on CHANGE_FROM_QUANTITY_STALE (someone changed it in between) re-read and retry.
 * Bursts coalesce: Odoo keeps one pending event per product and location, one key runs at a time,
 * and each job reads the latest state, so stale repeats end as "unchanged".
 */
import type { Flow, FlowContext } from '../context.js';
import type { WebhookJob } from '../../http/webhooks/topics.js';
import { markProcessed } from '../../http/webhooks/inbox.js';
import type { OutboxJob } from '../../relay/outbox.js';
import type { Gid, OdooContract, StockLevel } from '../../odoo/contract.js';
import { keys, odooRef } from '../../queue/names.js';
import type { JobContext } from '../../queue/queue.js';
import { PermanentError, RetryableError } from '../../queue/errors.js';
import { ShopifyUserErrors } from '../../shopify/errors.js';
import { idempotencyKey } from '../../shopify/idempotency.js';
import { batches, parseStockKey, planWrites, setQuantitiesInput, targetsFromLevels, writeKey, type Target } from './plan.js';

/** A stock push asked for by another flow (catalog, fulfillment). */
export interface StockPushJob {
  source: 'push';
  product_id: number;
  location_gid: Gid;
  reason: string;
}

export type InventoryJob = OutboxJob | WebhookJob | StockPushJob;

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

/** inventory item GID → Odoo variant id, learned from every stock_levels answer (per Odoo). */
const itemToProduct = new WeakMap<OdooContract, Map<string, number>>();

function learn(ctx: FlowContext, levels: readonly StockLevel[]): void {
  let map = itemToProduct.get(ctx.odoo);
  if (!map) itemToProduct.set(ctx.odoo, (map = new Map()));
  for (const l of levels) if (l.shopify_inventory_item_gid) map.set(l.shopify_inventory_item_gid, l.product_id);
}

/** Items looked up and not bound in Odoo: item → time of the miss (ms), so each costs one full read per TTL. */
const unknownItems = new WeakMap<OdooContract, Map<string, number>>();
const UNKNOWN_TTL_MS = 5 * 60_000;

async function productForItem(ctx: FlowContext, item: string, location: string): Promise<number | undefined> {
  const known = itemToProduct.get(ctx.odoo)?.get(item);
  if (known !== undefined) return known;
  let misses = unknownItems.get(ctx.odoo);
  if (!misses) unknownItems.set(ctx.odoo, (misses = new Map()));
  const missedAt = misses.get(`${item}@${location}`);
  if (missedAt !== undefined && ctx.clock() - missedAt < UNKNOWN_TTL_MS) return undefined;
  // One full read of the location teaches every mapping at once; later webhooks hit the cache.
  const { levels } = await ctx.odoo.stockLevels({ location_gids: [location] });
  learn(ctx, levels);
  const found = itemToProduct.get(ctx.odoo)?.get(item);
  if (found === undefined) misses.set(`${item}@${location}`, ctx.clock());
  else misses.delete(`${item}@${location}`);
  return found;
}

interface LevelsByItemsData {
  nodes: Array<{ id: string; inventoryLevel: { id: string; quantities: Array<{ name: string; quantity: number }> } | null } | null>;
}

/** Shopify's on_hand per item at one location; undefined = not stocked there. */
async function readOnHand(ctx: FlowContext, items: readonly string[], location: string): Promise<Map<string, number | undefined>> {
  const data = await ctx.shopify.request<LevelsByItemsData>(
    'InventoryLevelsByItems',
    { itemIds: items, locationId: location },
    { lane: 'inventory' },
  );
  const out = new Map<string, number | undefined>();
  data.nodes.forEach((node, i) => {
    const level = node?.inventoryLevel;
    out.set(items[i]!, level ? (level.quantities.find((q) => q.name === 'on_hand')?.quantity ?? 0) : undefined);
  });
  return out;
}

/**
 * Odoo's targets for the batch's variants at its location, read again. Used right before a
 * compare-and-swap round whose Odoo read is not fresh (a reconcile batch, a re-read after a stale
 * write), so a push never writes an Odoo quantity older than one another job already wrote.
 */
async function refreshTargets(ctx: FlowContext, batch: readonly Target[]): Promise<Target[]> {
  const location = batch[0]!.location;
  const { levels } = await ctx.odoo.stockLevels({ product_ids: [...new Set(batch.map((t) => t.productId))], location_gids: [location] });
  learn(ctx, levels);
  const { targets } = targetsFromLevels(levels);
  const wanted = new Set(batch.map((t) => t.item));
  return targets.filter((t) => t.location === location && wanted.has(t.item));
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
    for (const t of plan.activate) {
      // Stocks the item at the location (inventorySetQuantities would too on 2026-10, but the
      // explicit call keeps the write a pure compare-and-swap from a known 0).
      await ctx.shopify.request(
        'InventoryActivate',
        { inventoryItemId: t.item, locationId: t.location },
        {
          lane: 'inventory',
          // Keyed by the job too: a level the merchant deactivated later must be activatable again.
          idempotencyKey: idempotencyKey({ flow: 'inventory', entity: `${t.item}@${t.location}`, version: `activate:${jobId}:${round}` }),
        },
      );
      stats.activated += 1;
    }
    if (plan.activate.length > 0) {
      odooIsFresh = true; // only Shopify changed: re-read it
      continue;
    }
    if (plan.writes.length === 0) {
      stats.unchanged += plan.unchanged;
      return;
    }
    try {
      stats.calls += 1;
      await ctx.shopify.request(
        'InventorySetQuantities',
        { input: setQuantitiesInput(plan.writes) },
        { lane: 'inventory', idempotencyKey: writeKey(jobId, plan.writes, round) },
      );
      stats.written += plan.writes.length;
      stats.unchanged += plan.unchanged;
      return;
    } catch (error) {
      const codes = error instanceof ShopifyUserErrors ? error.codes : [];
      if (codes.includes('CHANGE_FROM_QUANTITY_STALE') || codes.includes('IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED')) {
        // Someone (an order, the merchant, another push) changed on_hand between our read and our
        // write; nothing was applied (the call is all-or-nothing). Read both sides again.
        stats.staleRetries += 1;
        ctx.logger.info('inventory: compare-and-swap was stale; re-reading', { flow: 'inventory', location, round, codes });
        continue;
      }
      if (error instanceof ShopifyUserErrors)
        throw new PermanentError(error.message, { cause: error, details: { userErrors: error.userErrors } });
      throw error;
    }
  }
  throw new RetryableError(`inventory: on_hand at ${location} kept changing during ${MAX_CAS_ROUNDS} compare-and-swap rounds`);
}

/**
 * Sets Shopify's on_hand to Odoo's oversell-safe quantity for the given levels, in batches of at
 * most 250 per location, skipping equal ones. Exported for reconciliation and tests.
 */
export async function pushLevels(
  ctx: FlowContext,
  levels: readonly StockLevel[],
  jobId: string,
  options: { freshFromOdoo?: boolean } = {},
): Promise<PushStats> {
  learn(ctx, levels);
  const stats = emptyStats();
  const { targets, skipped, clamped } = targetsFromLevels(levels);
  for (const s of skipped)
    ctx.logger.info('inventory: level skipped', { flow: 'inventory', productId: s.productId, locationGid: s.location, reason: s.reason });
  for (const c of clamped)
    ctx.logger.warn('inventory: quantity clamped', {
      flow: 'inventory',
      productId: c.productId,
      locationGid: c.location,
      from: c.from,
      to: c.to,
    });
  stats.skipped = skipped.length;
  stats.clamped = clamped.length;
  // A reconcile's single read of every level ages while earlier batches are written: each batch
  // then reads its variants from Odoo again just before its compare-and-swap.
  for (const batch of batches(targets)) await writeBatch(ctx, batch, jobId, stats, options.freshFromOdoo ?? false);
  return stats;
}

/** Pushes one Odoo variant's stock at one location (outbox, push and webhook jobs). */
export async function pushProductLocation(ctx: FlowContext, productId: number, location: Gid, jobId: string): Promise<PushStats> {
  const { levels } = await ctx.odoo.stockLevels({ product_ids: [productId], location_gids: [location] });
  return pushLevels(ctx, levels, jobId, { freshFromOdoo: true });
}

/** SKU → Odoo variant id, learned like `itemToProduct`. */
const skuToProduct = new WeakMap<OdooContract, Map<string, number>>();

async function productsForSkus(ctx: FlowContext, skus: readonly string[], locations: readonly Gid[] | undefined): Promise<number[]> {
  let map = skuToProduct.get(ctx.odoo);
  if (!map) skuToProduct.set(ctx.odoo, (map = new Map()));
  if (skus.some((sku) => !map!.has(sku))) {
    // One read of the location(s) teaches every SKU; later fulfillments hit the cache.
    const { levels } = await ctx.odoo.stockLevels(locations ? { location_gids: [...locations] } : {});
    learn(ctx, levels);
    for (const l of levels) if (l.sku) map.set(l.sku, l.product_id);
  }
  return [...new Set(skus.map((sku) => map!.get(sku)).filter((id): id is number => id !== undefined))];
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
  const { levels } = await ctx.odoo.stockLevels({
    product_ids: productIds,
    ...(request.locationGids ? { location_gids: request.locationGids } : {}),
  });
  learn(ctx, levels);
  let sent = 0;
  for (const level of levels) {
    const job: StockPushJob = { source: 'push', product_id: level.product_id, location_gid: level.location_gid, reason: request.reason };
    const result = await ctx.queue.send('inventory', job, {
      key: keys.stock(odooRef('product.product', level.product_id), level.location_gid),
      id: `push:${request.reason}:${level.product_id}:${level.location_gid}`,
      correlationId: request.reason,
    });
    if (result.created) sent += 1;
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
  const { levels } = await ctx.odoo.stockLevels({});
  const stats = await pushLevels(ctx, levels, runId);
  ctx.logger.info('inventory: reconciled', { flow: 'inventory', levels: levels.length, ...stats });
  return { ...stats, levels: levels.length };
}

export async function handleInventoryJob(ctx: FlowContext, job: JobContext<InventoryJob>): Promise<void> {
  const data = job.data;
  const log = { flow: 'inventory', correlationId: job.correlationId, jobId: job.jobId };
  if (data.source === 'webhook') {
    if (data.topic !== 'inventory_levels/update') throw new PermanentError(`inventory: unexpected webhook topic ${data.topic}`);
    const parsed = parseStockKey(job.key);
    if (!parsed || parsed.location.endsWith('/0')) {
      await markProcessed(ctx.pool, ctx.config.database.appSchema, data.webhookId, 'processed', 'inventory: no location in the payload');
      return;
    }
    const productId = await productForItem(ctx, data.entityGid, parsed.location);
    if (productId === undefined) {
      ctx.logger.info('inventory: Shopify level of an item not bound in Odoo; left alone', {
        ...log,
        item: data.entityGid,
        locationGid: parsed.location,
      });
      await markProcessed(ctx.pool, ctx.config.database.appSchema, data.webhookId, 'processed', 'inventory: item not bound in Odoo');
      return;
    }
    // The re-check runs on the variant's own key, in order with its outbox events, so two pushes
    // of one variant and location never interleave (the webhook's key is the Shopify item's).
    const push: StockPushJob = {
      source: 'push',
      product_id: productId,
      location_gid: parsed.location,
      reason: `webhook:${data.webhookId}`,
    };
    await ctx.queue.send('inventory', push, {
      key: keys.stock(odooRef('product.product', productId), parsed.location),
      id: `recheck:${data.webhookId}`,
      correlationId: job.correlationId,
    });
    await markProcessed(ctx.pool, ctx.config.database.appSchema, data.webhookId, 'processed', 'inventory: re-check against Odoo queued');
    return;
  }
  let productId: number;
  let location: string;
  if (data.source === 'push') {
    productId = data.product_id;
    location = data.location_gid;
  } else {
    if (data.type !== 'stock.changed') throw new PermanentError(`inventory: unexpected outbox event ${data.type} on the inventory queue`);
    productId = typeof data.payload.product_id === 'number' ? data.payload.product_id : data.resId;
    location = String(data.payload.location_gid);
  }
  const stats = await pushProductLocation(ctx, productId, location, job.jobId);
  if (data.source === 'push' && data.reason.startsWith('webhook:')) {
    ctx.logger.info(
      stats.written > 0 ? 'inventory: Shopify level differed from Odoo; re-asserted' : 'inventory: Shopify level matches Odoo (echo)',
      { ...log, productId, locationGid: location, ...stats },
    );
  } else {
    ctx.logger.info('inventory: pushed', { ...log, productId, locationGid: location, source: data.source, ...stats });
  }
}

export const inventoryFlow: Flow = {
  name: 'inventory',
  async register(ctx) {
    await ctx.queue.work<InventoryJob>('inventory', (job) => handleInventoryJob(ctx, job));
    await ctx.queue.work('inventory.reconcile', async (job) => {
      await reconcileInventory(ctx, `reconcile:${job.jobId}`);
    });
    await ctx.queue.schedule('inventory.reconcile', ctx.config.inventory.reconcileCron);
  },
};
