/**
 * Inventory, reads: Odoo's stock levels (contract stock_levels) with the mappings they teach
 * (inventory item → variant, SKU → variant, cached per Odoo), and Shopify's on_hand per item at
 * one location (lane `inventory`).
 */
import type { Gid, OdooContract, StockLevel } from '../../odoo/contract.js';
import type { FlowContext } from '../context.js';
import { targetsFromLevels, type Target } from './map.js';

/** inventory item GID → Odoo variant id, learned from every stock_levels answer (per Odoo). */
const itemToProduct = new WeakMap<OdooContract, Map<string, number>>();
/** SKU → Odoo variant id, learned from the reads productsForSkus makes. */
const skuToProduct = new WeakMap<OdooContract, Map<string, number>>();
/** Items looked up and not bound in Odoo: item → time of the miss (ms), so each costs one full read per TTL. */
const unknownItems = new WeakMap<OdooContract, Map<string, number>>();
const UNKNOWN_TTL_MS = 5 * 60_000;

function cache(caches: WeakMap<OdooContract, Map<string, number>>, odoo: OdooContract): Map<string, number> {
  let map = caches.get(odoo);
  if (!map) caches.set(odoo, (map = new Map<string, number>()));
  return map;
}

function learn(ctx: Pick<FlowContext, 'odoo'>, levels: readonly StockLevel[]): void {
  const items = cache(itemToProduct, ctx.odoo);
  for (const l of levels) if (l.shopify_inventory_item_gid) items.set(l.shopify_inventory_item_gid, l.product_id);
}

/** Odoo's stock levels for the query, remembering what they teach. */
export async function stockLevels(
  ctx: Pick<FlowContext, 'odoo'>,
  query: Parameters<OdooContract['stockLevels']>[0],
): Promise<StockLevel[]> {
  const { levels } = await ctx.odoo.stockLevels(query);
  learn(ctx, levels);
  return levels;
}

/** The Odoo variant bound to a Shopify inventory item, or undefined when Odoo has none. */
export async function productForItem(
  ctx: Pick<FlowContext, 'odoo' | 'clock'>,
  item: string,
  location: string,
): Promise<number | undefined> {
  const known = itemToProduct.get(ctx.odoo)?.get(item);
  if (known !== undefined) return known;
  const misses = cache(unknownItems, ctx.odoo);
  const missedAt = misses.get(`${item}@${location}`);
  if (missedAt !== undefined && ctx.clock() - missedAt < UNKNOWN_TTL_MS) return undefined;
  // One full read of the location teaches every mapping at once; later webhooks hit the cache.
  await stockLevels(ctx, { location_gids: [location] });
  const found = itemToProduct.get(ctx.odoo)?.get(item);
  if (found === undefined) misses.set(`${item}@${location}`, ctx.clock());
  else misses.delete(`${item}@${location}`);
  return found;
}

/** The Odoo variants of these SKUs (those Odoo knows). */
export async function productsForSkus(
  ctx: Pick<FlowContext, 'odoo'>,
  skus: readonly string[],
  locations: readonly Gid[] | undefined,
): Promise<number[]> {
  const map = cache(skuToProduct, ctx.odoo);
  if (skus.some((sku) => !map.has(sku))) {
    // One read of the location(s) teaches every SKU; later fulfillments hit the cache.
    const levels = await stockLevels(ctx, locations ? { location_gids: [...locations] } : {});
    for (const l of levels) if (l.sku) map.set(l.sku, l.product_id);
  }
  return [...new Set(skus.map((sku) => map.get(sku)).filter((id): id is number => id !== undefined))];
}

/**
 * Odoo's targets for the batch's variants at its location, read again. Used right before a
 * compare-and-swap round whose Odoo read is not fresh (a reconcile batch, a re-read after a stale
 * write), so a push never writes an Odoo quantity older than one another job already wrote.
 */
export async function refreshTargets(ctx: Pick<FlowContext, 'odoo'>, batch: readonly Target[]): Promise<Target[]> {
  const location = batch[0]!.location;
  const levels = await stockLevels(ctx, { product_ids: [...new Set(batch.map((t) => t.productId))], location_gids: [location] });
  const { targets } = targetsFromLevels(levels);
  const wanted = new Set(batch.map((t) => t.item));
  return targets.filter((t) => t.location === location && wanted.has(t.item));
}

/** Shopify's on_hand per item at one location; undefined = not stocked there. */
export async function readOnHand(
  ctx: Pick<FlowContext, 'shopify'>,
  items: readonly string[],
  location: string,
): Promise<Map<string, number | undefined>> {
  const data = await ctx.shopify.request('InventoryLevelsByItems', { itemIds: [...items], locationId: location }, { lane: 'inventory' });
  const out = new Map<string, number | undefined>();
  data.nodes.forEach((node, i) => {
    const level = node?.inventoryLevel;
    out.set(items[i]!, level ? (level.quantities.find((q) => q.name === 'on_hand')?.quantity ?? 0) : undefined);
  });
  return out;
}
