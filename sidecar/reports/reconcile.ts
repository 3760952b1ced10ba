/**
 * Daily reconciliation (docs/operations.md): Shopify orders created in a window against Odoo sales
 * orders, then the window's refunds and money transactions against Odoo (./reconcile-money.ts). `compareOrders` and `renderReconciliationMarkdown` are pure; `runReconciliation`
 * fetches (paged OrdersCreatedSince, contract `order_status`), compares, enqueues a repair job per
 * missing or mismatched order on the orders queue (key `keys.order`, the key every order job
 * uses, so a repair never races a webhook for the same order), stores the report and sends its
 * summary to Odoo's Overview.
 */
import type pg from 'pg';
import type { Clock } from '../clock.js';
import type { OrderRepairJob } from '../jobs.js';
import type { OdooContract, OrderStatus } from '../odoo/contract.js';
import type { Logger } from '../observability/logger.js';
import { keys } from '../queue/names.js';
import type { SyncQueue } from '../queue/queue.js';
import { minorUnits, toMinor } from '../rules/money.js';
import type { OrdersCreatedSinceQuery, ShopifyClient } from '../shopify/index.js';
import { reconcileMoney, renderMoneyMarkdown, type MoneyReconciliation } from './reconcile-money.js';
import { saveReport, type Progress } from './store.js';

export interface ShopifyOrderSummary {
  gid: string;
  name: string;
  createdAt: string;
  cancelled: boolean;
  total: string;
  currency: string;
  /** The current total in the customer's currency, when it is not the shop's (Odoo may book it: docs/flows.md, "Currencies"). */
  presentment?: { total: string; currency: string };
  /** Line items with a current quantity above zero (removed lines are gone in Odoo too); null when over 50 lines (not compared). */
  lineCount: number | null;
}

export type MismatchField = 'total' | 'state' | 'lines';

export interface OrderMismatch {
  orderGid: string;
  name: string;
  saleOrder: string | null;
  /** `error`: an amount that is not an exact decimal (rules/money.ts), reported instead of compared. */
  fields: Array<{ field: MismatchField; shopify: string | number; odoo: string | number | null; error?: string }>;
}

export interface ReconciliationReport {
  window: { from: string; to: string };
  counts: { shopify: number; odoo: number; missing: number; mismatched: number; repaired: number };
  missing: Array<{ orderGid: string; name: string; createdAt: string; total: string }>;
  mismatched: OrderMismatch[];
  repairJobs: Array<{ orderGid: string; created: boolean }>;
  /** Refunds and transactions of the window (./reconcile-money.ts); absent in reports made before it. */
  money?: MoneyReconciliation;
}

/**
 * The totals differ, or one of them is not an exact decimal amount: a total is never rounded to
 * compare it, and one that cannot be read is a mismatch carrying the reason (it would make Odoo's
 * totals differ from Shopify's without anyone seeing why).
 */
function totalMismatch(shopify: string, odoo: string | null, currency: string): OrderMismatch['fields'][number] | undefined {
  if (odoo === null) return { field: 'total', shopify, odoo };
  const places = minorUnits(currency);
  try {
    return toMinor(shopify, places, 'Shopify total') === toMinor(odoo, places, 'Odoo total')
      ? undefined
      : { field: 'total', shopify, odoo };
  } catch (error) {
    return { field: 'total', shopify, odoo, error: (error as Error).message };
  }
}

/** Pure: which orders are missing in Odoo, and which differ in total, state or lines. */
export function compareOrders(
  shopify: readonly ShopifyOrderSummary[],
  odoo: readonly OrderStatus[],
): Pick<ReconciliationReport, 'missing' | 'mismatched'> & { found: number } {
  const byGid = new Map(odoo.map((o) => [o.order_gid, o]));
  const missing: ReconciliationReport['missing'] = [];
  const mismatched: OrderMismatch[] = [];
  let found = 0;
  for (const order of shopify) {
    const so = byGid.get(order.gid);
    if (!so?.found) {
      missing.push({ orderGid: order.gid, name: order.name, createdAt: order.createdAt, total: order.total });
      continue;
    }
    found++;
    const fields: OrderMismatch['fields'] = [];
    // An order Odoo booked in the customer's currency is compared in it.
    const inPaid = order.presentment && so.currency === order.presentment.currency ? order.presentment : undefined;
    const total = totalMismatch(inPaid?.total ?? order.total, so.amount_total, inPaid?.currency ?? order.currency);
    if (total) fields.push(total);
    const odooCancelled = so.state === 'cancel';
    if (odooCancelled !== order.cancelled) {
      fields.push({ field: 'state', shopify: order.cancelled ? 'cancelled' : 'open', odoo: so.state });
    }
    if (order.lineCount !== null && so.line_count !== order.lineCount)
      fields.push({ field: 'lines', shopify: order.lineCount, odoo: so.line_count });
    if (fields.length) mismatched.push({ orderGid: order.gid, name: order.name, saleOrder: so.name, fields });
  }
  return { missing, mismatched, found };
}

export function reconciliationHeadline(r: ReconciliationReport): string {
  const c = r.counts;
  const orders = `${c.shopify} Shopify orders, ${c.odoo} in Odoo, ${c.missing} missing, ${c.mismatched} mismatched, ${c.repaired} repair jobs`;
  if (!r.money) return orders;
  const m = r.money;
  const refunds = `${m.refunds.missing.length} of ${m.refunds.shopify} refunds`;
  if (m.transactions.notBooked) return `${orders}; ${refunds} not in Odoo; transactions not compared (no payment gateway mapped in Odoo)`;
  return `${orders}; ${refunds} and ${m.transactions.mismatched.length} of ${m.transactions.shopify} transactions not in Odoo`;
}

/** Pure: the report as Markdown (CLI `reconcile --markdown`, admin API `?format=markdown`). */
export function renderReconciliationMarkdown(r: ReconciliationReport): string {
  const lines = [
    `# Reconciliation ${r.window.from} → ${r.window.to}`,
    '',
    `| Shopify orders | In Odoo | Missing | Mismatched | Repair jobs |`,
    `|---:|---:|---:|---:|---:|`,
    `| ${r.counts.shopify} | ${r.counts.odoo} | ${r.counts.missing} | ${r.counts.mismatched} | ${r.counts.repaired} |`,
    '',
  ];
  lines.push('## Missing in Odoo', '');
  if (!r.missing.length) lines.push('None.');
  for (const m of r.missing) lines.push(`- ${m.name} (${m.orderGid}), created ${m.createdAt}, total ${m.total}`);
  lines.push('', '## Mismatched', '');
  if (!r.mismatched.length) lines.push('None.');
  for (const m of r.mismatched) {
    const diffs = m.fields
      .map((f) => (f.error ? `${f.field}: cannot compare (${f.error})` : `${f.field}: Shopify ${f.shopify} ≠ Odoo ${f.odoo ?? '—'}`))
      .join('; ');
    lines.push(`- ${m.name} (${m.orderGid}) ↔ ${m.saleOrder ?? '?'}: ${diffs}`);
  }
  if (r.money) lines.push(...renderMoneyMarkdown(r.money));
  return lines.join('\n') + '\n';
}

/** Every Shopify order created in [from, to), paged. */
export async function fetchShopifyOrders(shopify: ShopifyClient, from: Date, to: Date): Promise<ShopifyOrderSummary[]> {
  const query = `created_at:>='${from.toISOString()}' AND created_at:<'${to.toISOString()}'`;
  const result: ShopifyOrderSummary[] = [];
  let after: string | null = null;
  for (;;) {
    const page: OrdersCreatedSinceQuery = await shopify.request('OrdersCreatedSince', { query, first: 10, after }, { lane: 'catalog' });
    for (const o of page.orders.nodes) {
      result.push({
        gid: o.id,
        name: o.name,
        createdAt: o.createdAt,
        cancelled: Boolean(o.cancelledAt),
        total: o.currentTotalPriceSet.shopMoney.amount,
        currency: o.currentTotalPriceSet.shopMoney.currencyCode,
        ...(o.currentTotalPriceSet.presentmentMoney.currencyCode !== o.currentTotalPriceSet.shopMoney.currencyCode
          ? {
              presentment: {
                total: o.currentTotalPriceSet.presentmentMoney.amount,
                currency: o.currentTotalPriceSet.presentmentMoney.currencyCode,
              },
            }
          : {}),
        lineCount: o.lineItems.pageInfo.hasNextPage ? null : o.lineItems.nodes.filter((l) => l.currentQuantity > 0).length,
      });
    }
    if (!page.orders.pageInfo.hasNextPage) return result;
    after = page.orders.pageInfo.endCursor;
  }
}

export interface ReportDeps {
  pool: pg.Pool;
  schema: string;
  shop: string;
  queue: SyncQueue;
  shopify: ShopifyClient;
  odoo: OdooContract;
  logger: Logger;
  /** Report windows end now by this clock unless given (docs/architecture.md, "Time"). */
  clock: Clock;
}

export async function runReconciliation(
  deps: ReportDeps,
  options: { to?: Date; hours?: number; repair?: boolean; progress?: Progress } = {},
): Promise<{ reportId: number; report: ReconciliationReport }> {
  const to = options.to ?? new Date(deps.clock());
  const from = new Date(to.getTime() - (options.hours ?? 24) * 3600_000);
  await options.progress?.update(0, null, 'reading Shopify orders');
  const shopifyOrders = await fetchShopifyOrders(deps.shopify, from, to);
  const statuses: OrderStatus[] = [];
  for (let i = 0; i < shopifyOrders.length; i += 200) {
    const chunk = shopifyOrders.slice(i, i + 200).map((o) => o.gid);
    statuses.push(...(await deps.odoo.orderStatus({ order_gids: chunk })).orders);
    await options.progress?.update(Math.min(i + 200, shopifyOrders.length), shopifyOrders.length, 'comparing with Odoo');
  }
  const { missing, mismatched, found } = compareOrders(shopifyOrders, statuses);
  const report: ReconciliationReport = {
    window: { from: from.toISOString(), to: to.toISOString() },
    counts: { shopify: shopifyOrders.length, odoo: found, missing: missing.length, mismatched: mismatched.length, repaired: 0 },
    missing,
    mismatched,
    repairJobs: [],
  };
  const reportId = await saveReport(
    deps.pool,
    deps.schema,
    'reconciliation',
    { headline: '', ...report.counts },
    report,
    options.progress?.operationId,
  );
  // Money first: an order repair re-imports the order, which may apply its refunds and payments
  // before this pass could see them missing (each report lists what was missing when it ran).
  await options.progress?.update(shopifyOrders.length, shopifyOrders.length, 'comparing refunds and payments');
  report.money = await reconcileMoney(deps, { from, to }, reportId, options.repair !== false);
  if (options.repair !== false) {
    for (const gid of [...missing.map((m) => m.orderGid), ...mismatched.map((m) => m.orderGid)]) {
      const job: OrderRepairJob = { source: 'repair', orderGid: gid, reportId };
      // One repair per order and report: re-running the same report's repair adds nothing.
      const sent = await deps.queue.send('orders', job, {
        key: keys.order(deps.shop, gid),
        id: `repair:${reportId}:${gid}`,
        correlationId: `reconcile:${reportId}`,
      });
      report.repairJobs.push({ orderGid: gid, created: sent.created });
    }
    report.counts.repaired = report.repairJobs.length;
  }

  const summary = { headline: reconciliationHeadline(report), ...report.counts, window: report.window, reportId };
  await deps.pool.query(`UPDATE "${deps.schema}".reports SET summary = $2, body = $3 WHERE id = $1`, [
    reportId,
    JSON.stringify(summary),
    JSON.stringify(report),
  ]);
  try {
    await deps.odoo.storeReport({ kind: 'reconciliation', summary });
  } catch (error) {
    // The report is stored here either way; Odoo's Overview shows it on the next run.
    deps.logger.warn('reconciliation: could not store the summary in Odoo', { error });
  }
  deps.logger.info('reconciliation report', { reportId, ...report.counts });
  return { reportId, report };
}
