/**
 * Inventory, Odoo → Shopify: pure planning of oversell-safe writes (docs/architecture.md decision
 * 7, docs/flows.md "Inventory"). No I/O.
 *
 * The quantity written is Shopify's `on_hand` = the contract's `shopify_on_hand`
 * (Odoo on hand at the mapped warehouse − reservations not from Shopify orders − safety stock,
 * floored at 0). Shopify subtracts its own `committed` (orders placed in Shopify and not yet
 * fulfilled there, imported into Odoo or not), so `available` never exceeds what Odoo can still
 * promise. Writing `available` instead would re-add the units of Shopify orders Odoo has not seen.
 *
 * Writes are compare-and-swap (`changeFromQuantity` = the `on_hand` read just before) in batches
 * of at most 250 quantities per location (Shopify's limit per inventorySetQuantities call).
 */
import type { StockLevel } from '../../odoo/contract.js';
import { isGid } from '../../rules/gid.js';
import { contentDigest, idempotencyKey } from '../../shopify/idempotency.js';

export const MAX_QUANTITIES_PER_CALL = 250;

/** What Shopify's on_hand should be for one item at one location. */
export interface Target {
  item: string;
  location: string;
  quantity: number;
  productId: number;
}

export interface Skip {
  productId: number;
  location: string;
  reason: string;
}

export interface Clamp {
  productId: number;
  location: string;
  from: number;
  to: number;
}

/** The oversell-safe on_hand (docs/flows.md, "Inventory"), from the level's parts. */
export function oversellSafeOnHand(level: Pick<StockLevel, 'on_hand' | 'reserved_other' | 'safety_stock'>): number {
  return Math.max(0, Math.floor(level.on_hand - level.reserved_other - level.safety_stock));
}

/**
 * Targets from Odoo's stock levels. A level without an inventory item GID (the variant was never
 * pushed) is skipped with a reason; a negative or fractional quantity is clamped and reported.
 */
export function targetsFromLevels(levels: readonly StockLevel[]): { targets: Target[]; skipped: Skip[]; clamped: Clamp[] } {
  const targets: Target[] = [];
  const skipped: Skip[] = [];
  const clamped: Clamp[] = [];
  for (const level of levels) {
    if (!level.shopify_inventory_item_gid) {
      skipped.push({
        productId: level.product_id,
        location: level.location_gid,
        reason: `variant ${level.product_id}${level.sku ? ` (${level.sku})` : ''} has no Shopify inventory item yet; the catalog push will bring its stock`,
      });
      continue;
    }
    const raw = level.shopify_on_hand;
    const quantity = Number.isFinite(raw) ? Math.max(0, Math.floor(raw)) : 0;
    if (quantity !== raw) clamped.push({ productId: level.product_id, location: level.location_gid, from: raw, to: quantity });
    targets.push({ item: level.shopify_inventory_item_gid, location: level.location_gid, quantity, productId: level.product_id });
  }
  return { targets, skipped, clamped };
}

/** Groups targets by location and cuts each group into batches of at most `size`. */
export function batches(targets: readonly Target[], size = MAX_QUANTITIES_PER_CALL): Target[][] {
  // One quantity per (item, location) in a call: Shopify refuses duplicates; the last wins, in
  // the place of the first (a Map per location keeps insertion order: linear for 30,000 levels).
  const byLocation = new Map<string, Map<string, Target>>();
  for (const t of targets) {
    const group = byLocation.get(t.location) ?? new Map<string, Target>();
    group.set(t.item, t);
    byLocation.set(t.location, group);
  }
  const out: Target[][] = [];
  for (const group of byLocation.values()) {
    const list = [...group.values()];
    for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  }
  return out;
}

export interface Write {
  item: string;
  location: string;
  from: number;
  to: number;
}

/**
 * Compares targets with Shopify's current on_hand (`undefined` = the item is not stocked at the
 * location yet): equal → nothing; otherwise a compare-and-swap write. An unstocked level reads as
 * 0 and inventorySetQuantities stocks it (2026-10 has no ITEM_NOT_STOCKED_AT_LOCATION), so it is
 * written from 0 in the same call: one call per 250 levels instead of one 10-point
 * inventoryActivate per level (docs/operations.md, "Full catalog and inventory at the budget limit").
 */
export function planWrites(
  batch: readonly Target[],
  current: ReadonlyMap<string, number | undefined>,
): { writes: Write[]; stocked: number; unchanged: number } {
  const writes: Write[] = [];
  let stocked = 0;
  let unchanged = 0;
  for (const t of batch) {
    const onHand = current.get(t.item);
    if (onHand === undefined) {
      writes.push({ item: t.item, location: t.location, from: 0, to: t.quantity });
      stocked += 1;
    } else if (onHand === t.quantity) unchanged += 1;
    else writes.push({ item: t.item, location: t.location, from: onHand, to: t.quantity });
  }
  return { writes, stocked, unchanged };
}

/** The inventorySetQuantities input for a batch of writes (reason "correction"). */
export function setQuantitiesInput(writes: readonly Write[]) {
  return {
    name: 'on_hand',
    reason: 'correction',
    quantities: writes.map((w) => ({ inventoryItemId: w.item, locationId: w.location, quantity: w.to, changeFromQuantity: w.from })),
  };
}

/**
 * `@idempotent` key of one write call: deterministic from each item, location, from and to, and
 * the job (so a retry of the job after a timeout replays the first result, while the same change
 * requested again later by another job is a new operation). `round` counts the compare-and-swap
 * re-reads inside one job, so a re-read never reuses the key of a refused attempt.
 */
export function writeKey(jobId: string, writes: readonly Write[], round: number): string {
  const entries = [...writes]
    .map((w) => [w.item, w.location, w.from, w.to])
    .sort((a, b) => (String(a[0]) + a[1] < String(b[0]) + b[1] ? -1 : 1));
  return idempotencyKey({
    flow: 'inventory',
    entity: `set:${entries.length}`,
    version: `${jobId}:${contentDigest(entries)}`,
    attempt: round,
  });
}

/** `stock:<item or odoo:product.product:<id>>:<location GID>` → its two parts. */
export function parseStockKey(key: string | null): { item: string; location: string } | undefined {
  if (!key) return undefined;
  const at = key.lastIndexOf(':gid://');
  const item = key.slice('stock:'.length, at);
  const location = key.slice(at + 1);
  return key.startsWith('stock:') && at > 'stock:'.length && isGid(location, 'Location') ? { item, location } : undefined;
}
