/**
 * The end of a chaos run: Shopify (the simulator's records) against Odoo (the contract and the
 * sale orders), record by record, independently of the sidecar's own reports.
 * - orders: every Shopify order has exactly one sale order (`lost`: none, `duplicated`: more);
 * - totals: Shopify's current total (after refunds) equals the sale order's total, to the cent;
 * - stock: for every chaos SKU and mapped location, Shopify's on_hand equals what Odoo says
 *   Shopify should hold (`shopify_on_hand` = on hand − other reservations − safety stock);
 * - Shopify duplicates: one Shopify product per SKU (no duplicate write from two replicas);
 * - refunds: every Shopify refund's `refunds/create` delivery is in the sidecar's inbox. The
 *   refunds flow (credit notes in Odoo) is not part of this build: the refund's effect on the
 *   order (current quantities and total) is compared through the order's total, and the refund
 *   itself only as "received, not lost" (docs/operations.md, "Chaos run").
 */
import { toCents } from '../../sidecar/rules/money.js';
import type { OdooTarget } from './targets.js';

export interface Comparison {
  orders: number;
  lost: number;
  duplicated: number;
  totalsMismatched: number;
  stockMismatched: number;
  shopifyDuplicates: number;
  refunds: number;
  /** Shopify refunds whose refunds/create delivery is not in the inbox. */
  refundsLost: number;
  /** A few examples of each kind of difference, for the log. */
  examples: string[];
}

interface SimOrder {
  admin_graphql_api_id: string;
  name: string;
  current_total_price: string;
}
interface SimLevel {
  sku: string;
  location_id: number;
  on_hand: number;
}
interface SimRefund {
  id: number;
  order_id: number;
}
interface SimProduct {
  variants: Array<{ sku: string | null }>;
}

export type SimGet = <T>(path: string) => Promise<T>;

/** Orders, totals, stock and Shopify's products agree (the figures of the last line). */
export function isConverged(c: Comparison): boolean {
  return c.lost === 0 && c.duplicated === 0 && c.totalsMismatched === 0 && c.stockMismatched === 0 && c.shopifyDuplicates === 0;
}

/** All of the above, and no refund delivery missing from the inbox. */
export function isClean(c: Comparison): boolean {
  return isConverged(c) && c.refundsLost === 0;
}

/** The refund ids of the refunds/create deliveries in the sidecar's inbox. */
export type InboxRefundIds = () => Promise<Set<string>>;

export async function compare(sim: SimGet, odoo: OdooTarget, skus: readonly string[], inboxRefundIds: InboxRefundIds): Promise<Comparison> {
  const examples: string[] = [];
  const note = (line: string) => {
    if (examples.length < 12) examples.push(line);
  };
  const orders = await sim<SimOrder[]>('/orders');
  const counts = new Map<string, number>();
  for (const gid of await odoo.saleOrderGids()) counts.set(gid, (counts.get(gid) ?? 0) + 1);
  let lost = 0;
  let duplicated = 0;
  for (const o of orders) {
    const n = counts.get(o.admin_graphql_api_id) ?? 0;
    if (n === 0) {
      lost += 1;
      note(`lost: ${o.name} ${o.admin_graphql_api_id}`);
    } else if (n > 1) {
      duplicated += 1;
      note(`duplicated: ${o.name} has ${n} sale orders`);
    }
  }
  let totalsMismatched = 0;
  for (let i = 0; i < orders.length; i += 500) {
    const batch = orders.slice(i, i + 500);
    const { orders: status } = await odoo.contract.orderStatus({ order_gids: batch.map((o) => o.admin_graphql_api_id) });
    const byGid = new Map(status.map((s) => [s.order_gid, s]));
    for (const o of batch) {
      const s = byGid.get(o.admin_graphql_api_id);
      if (!s?.found || s.amount_total === null) continue;
      if (toCents(s.amount_total, 'Odoo total') !== toCents(o.current_total_price, 'Shopify total')) {
        totalsMismatched += 1;
        note(`total: ${o.name} Shopify ${o.current_total_price} Odoo ${s.amount_total}`);
      }
    }
  }
  const stockMismatched = await compareStock(sim, odoo, skus, note);
  const products = await sim<SimProduct[]>('/products');
  const perSku = new Map<string, number>();
  for (const p of products) for (const v of p.variants) if (v.sku) perSku.set(v.sku, (perSku.get(v.sku) ?? 0) + 1);
  const shopifyDuplicates = [...perSku.values()].filter((n) => n > 1).length;
  if (shopifyDuplicates)
    note(
      `Shopify duplicates: ${[...perSku]
        .filter(([, n]) => n > 1)
        .map(([sku, n]) => `${sku}×${n}`)
        .join(', ')}`,
    );
  const refunds = await sim<SimRefund[]>('/refunds');
  const received = await inboxRefundIds();
  const missing = refunds.filter((r) => !received.has(String(r.id)));
  for (const r of missing.slice(0, 3)) note(`refund ${r.id} of order ${r.order_id}: no refunds/create in the inbox`);
  return {
    orders: orders.length,
    lost,
    duplicated,
    totalsMismatched,
    stockMismatched,
    shopifyDuplicates,
    refunds: refunds.length,
    refundsLost: missing.length,
    examples,
  };
}

async function compareStock(sim: SimGet, odoo: OdooTarget, skus: readonly string[], note: (line: string) => void): Promise<number> {
  const wanted = new Set(skus);
  const { levels } = await odoo.contract.stockLevels({});
  const shopify = await sim<SimLevel[]>('/inventory');
  const onHand = new Map(shopify.map((l) => [`${l.sku}@${l.location_id}`, l.on_hand]));
  let mismatched = 0;
  for (const level of levels) {
    if (!level.sku || !wanted.has(level.sku)) continue;
    const location = level.location_gid.split('/').pop();
    const have = onHand.get(`${level.sku}@${location}`);
    if (have !== level.shopify_on_hand) {
      mismatched += 1;
      note(`stock: ${level.sku} at ${location}: Shopify ${have ?? 'none'}, Odoo says ${level.shopify_on_hand}`);
    }
  }
  return mismatched;
}
