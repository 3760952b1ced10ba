/**
 * The end of a chaos run: Shopify (the simulator's records) against Odoo (the contract and the
 * sale orders), record by record, independently of the sidecar's own reports.
 * - orders: every Shopify order has exactly one sale order (`lost`: none, `duplicated`: more);
 * - totals: Shopify's current total (after refunds) equals the sale order's total, to the cent;
 * - stock: for every chaos SKU and mapped location, Shopify's on_hand equals what Odoo says
 *   Shopify should hold (`shopify_on_hand` = on hand − other reservations − safety stock);
 * - Shopify duplicates: one Shopify product per SKU (no duplicate write from two replicas);
 * - refunds: every Shopify refund is applied in Odoo exactly once — one shopify.refund record
 *   (Shopify → Refunds) per refund GID, in state `applied`, whose amount equals the money Shopify
 *   refunded (its refund transactions), to the cent. Whether its webhooks reached the inbox does
 *   not matter: a refund whose deliveries were all lost is applied through the orders pull
 *   (docs/operations.md, "Chaos run").
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
  /** Shopify refunds with no applied shopify.refund record in Odoo (none, or pending/flagged). */
  refundsMissing: number;
  /** Shopify refunds with more than one shopify.refund record in Odoo. */
  refundsDuplicated: number;
  /** Applied refunds whose amount in Odoo differs from what Shopify refunded. */
  refundsAmountMismatched: number;
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
  admin_graphql_api_id: string;
  transactions: Array<{ kind: string; status: string; amount: string }>;
}
interface SimProduct {
  variants: Array<{ sku: string | null }>;
}

export type SimGet = <T>(path: string) => Promise<T>;

/** Orders, totals, stock, refunds and Shopify's products agree (the figures of the last line). */
export function isConverged(c: Comparison): boolean {
  return (
    c.lost === 0 &&
    c.duplicated === 0 &&
    c.totalsMismatched === 0 &&
    c.stockMismatched === 0 &&
    c.shopifyDuplicates === 0 &&
    c.refundsMissing === 0 &&
    c.refundsDuplicated === 0 &&
    c.refundsAmountMismatched === 0
  );
}

export async function compare(sim: SimGet, odoo: OdooTarget, skus: readonly string[]): Promise<Comparison> {
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
  const refunds = await compareRefunds(sim, odoo, note);
  return { orders: orders.length, lost, duplicated, totalsMismatched, stockMismatched, shopifyDuplicates, ...refunds, examples };
}

/**
 * Every Shopify refund against Odoo's shopify.refund records (one per refund GID, applied, the
 * amount Shopify refunded). Shopify's amount is the sum of the refund's successful refund
 * transactions: the money that went back, read independently of how the sidecar maps a refund.
 */
async function compareRefunds(
  sim: SimGet,
  odoo: OdooTarget,
  note: (line: string) => void,
): Promise<Pick<Comparison, 'refunds' | 'refundsMissing' | 'refundsDuplicated' | 'refundsAmountMismatched'>> {
  const refunds = await sim<SimRefund[]>('/refunds');
  const records = new Map<string, number>();
  for (const gid of await odoo.refundGids()) records.set(gid, (records.get(gid) ?? 0) + 1);
  let missing = 0;
  let duplicated = 0;
  let amountMismatched = 0;
  for (let i = 0; i < refunds.length; i += 1000) {
    const batch = refunds.slice(i, i + 1000);
    const { refunds: status } = await odoo.contract.refundStatus({ refund_gids: batch.map((r) => r.admin_graphql_api_id) });
    const byGid = new Map(status.map((s) => [s.refund_gid, s]));
    for (const r of batch) {
      const gid = r.admin_graphql_api_id;
      const s = byGid.get(gid);
      const n = records.get(gid) ?? 0;
      if (n > 1) {
        duplicated += 1;
        note(`refund ${gid} of order ${r.order_id}: ${n} shopify.refund records`);
      }
      if (!s?.found || s.state !== 'applied' || n === 0) {
        missing += 1;
        note(`refund ${gid} of order ${r.order_id}: not applied in Odoo (${s?.found ? `state ${s.state}` : 'no record'})`);
        continue;
      }
      const shopify = r.transactions
        .filter((t) => t.kind === 'refund' && t.status === 'success')
        .reduce((sum, t) => sum + toCents(t.amount, `Shopify refund ${gid} transaction`), 0n);
      if (s.amount_total === null || toCents(s.amount_total, `Odoo refund ${gid}`) !== shopify) {
        amountMismatched += 1;
        note(`refund ${gid} of order ${r.order_id}: Shopify refunded ${shopify} cents, Odoo applied ${s.amount_total ?? 'no amount'}`);
      }
    }
  }
  return { refunds: refunds.length, refundsMissing: missing, refundsDuplicated: duplicated, refundsAmountMismatched: amountMismatched };
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
