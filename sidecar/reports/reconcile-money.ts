/**
 * The daily reconciliation's money pass (docs/operations.md, "Daily reconciliation"): Shopify
 * refunds and money transactions created in the window against Odoo's refunds (credit notes)
 * and payments. `compareRefunds` is pure (transactions: flows/payments/map.ts
 * `compareTransactions`); `reconcileMoney` reads (paged OrdersMoneySince over the orders updated
 * since the window's start, contract refund_status and payment_status) and enqueues one repair
 * job per order and kind: the refunds flow for a refund missing in Odoo, the payments flow for a
 * transaction missing or with another amount, each on its flow's per-order key.
 */
import type { PaymentsJob, RefundRepairJob } from '../jobs.js';
import { compareTransactions, type MoneyOrder, type PaymentMismatch } from '../flows/payments/map.js';
import type { OdooContract, PaymentStatus, RefundStatus } from '../odoo/contract.js';
import { keys } from '../queue/names.js';
import type { SyncQueue } from '../queue/queue.js';
import { currencyMoney } from '../rules/money.js';
import type { OrdersMoneySinceQuery, ShopifyClient } from '../shopify/index.js';

export interface RefundMismatch {
  orderGid: string;
  name: string;
  refundGid: string;
  createdAt: string;
  total: string;
  /** What Odoo holds: null when nothing, else the shopify.refund state (pending: money not applied). */
  odoo: string | null;
}

export interface MoneyReconciliation {
  refunds: { shopify: number; missing: RefundMismatch[] };
  /** `notBooked`: Odoo maps no payment gateway yet, so it books no payment and none is compared. */
  transactions: { shopify: number; mismatched: PaymentMismatch[]; notBooked?: true };
  repairJobs: Array<{ queue: 'refunds' | 'payments'; orderGid: string; created: boolean }>;
}

interface Window {
  from: Date;
  to: Date;
}

/** Pure: Shopify refunds created in the window that Odoo has not applied (none, or only counted). */
export function compareRefunds(
  orders: readonly MoneyOrder[],
  statuses: readonly RefundStatus[],
  window: Window,
): { compared: number; missing: RefundMismatch[] } {
  const byGid = new Map(statuses.map((s) => [s.refund_gid, s]));
  const missing: RefundMismatch[] = [];
  let compared = 0;
  for (const order of orders)
    for (const r of refundsInWindow(order, window)) {
      compared++;
      const held = byGid.get(r.id);
      if (held?.found && held.state !== 'pending') continue;
      const cur = currencyMoney(r.totalRefundedSet.shopMoney.currencyCode);
      missing.push({
        orderGid: order.id,
        name: order.name,
        refundGid: r.id,
        createdAt: r.createdAt ?? '',
        total: cur.format(cur.read(r.totalRefundedSet.shopMoney.amount, `refund ${r.id} total`)),
        odoo: held?.found ? held.state : null,
      });
    }
  return { compared, missing };
}

function refundsInWindow(order: MoneyOrder, window: Window): MoneyOrder['refunds'] {
  return order.refunds.filter((r) => {
    const at = Date.parse(r.createdAt ?? '');
    return at >= window.from.getTime() && at < window.to.getTime();
  });
}

/** Every Shopify order updated since the window's start, with its refunds and transactions, paged. */
export async function fetchMoneyOrders(shopify: ShopifyClient, from: Date): Promise<MoneyOrder[]> {
  const query = `updated_at:>='${from.toISOString()}'`;
  const result: MoneyOrder[] = [];
  let after: string | null = null;
  for (;;) {
    const page: OrdersMoneySinceQuery = await shopify.request('OrdersMoneySince', { query, first: 10, after }, { lane: 'catalog' });
    result.push(...page.orders.nodes);
    if (!page.orders.pageInfo.hasNextPage) return result;
    after = page.orders.pageInfo.endCursor;
  }
}

async function inChunks<T>(ids: string[], read: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += 1000) out.push(...(await read(ids.slice(i, i + 1000))));
  return out;
}

/** Odoo's payment for each transaction, unless Odoo books no payments (its first answer says so). */
async function readPaymentStatuses(
  odoo: OdooContract,
  gids: string[],
): Promise<{ paymentsBooked: boolean; paymentStatuses: PaymentStatus[] }> {
  const paymentStatuses: PaymentStatus[] = [];
  for (let i = 0; i < gids.length; i += 1000) {
    const answer = await odoo.paymentStatus({ transaction_gids: gids.slice(i, i + 1000) });
    if (!answer.payments_enabled) return { paymentsBooked: false, paymentStatuses: [] };
    paymentStatuses.push(...answer.payments);
  }
  return { paymentsBooked: true, paymentStatuses };
}

export interface MoneyDeps {
  shop: string;
  queue: SyncQueue;
  shopify: ShopifyClient;
  odoo: OdooContract;
}

/** Compares the window's refunds and transactions, and (unless `repair` is false) enqueues repairs. */
export async function reconcileMoney(deps: MoneyDeps, window: Window, reportId: number, repair: boolean): Promise<MoneyReconciliation> {
  const orders = await fetchMoneyOrders(deps.shopify, window.from);
  const refundGids = orders.flatMap((o) => refundsInWindow(o, window).map((r) => r.id));
  const refundStatuses = await inChunks(refundGids, async (chunk) => (await deps.odoo.refundStatus({ refund_gids: chunk })).refunds);
  const txGids = orders.flatMap((o) => o.transactions.map((t) => t.id));
  const { paymentsBooked, paymentStatuses } = await readPaymentStatuses(deps.odoo, txGids);
  const refunds = compareRefunds(orders, refundStatuses, window);
  const transactions = compareTransactions(orders, paymentsBooked ? paymentStatuses : [], window);
  const money: MoneyReconciliation = {
    refunds: { shopify: refunds.compared, missing: refunds.missing },
    transactions: paymentsBooked
      ? { shopify: transactions.compared, mismatched: transactions.mismatched }
      : { shopify: transactions.compared, mismatched: [], notBooked: true },
    repairJobs: [],
  };
  if (!repair) return money;
  const correlationId = `reconcile:${reportId}`;
  for (const orderGid of new Set(refunds.missing.map((m) => m.orderGid))) {
    const job: RefundRepairJob = { source: 'repair', orderGid, reportId };
    const sent = await deps.queue.send('refunds', job, {
      key: keys.refund(deps.shop, orderGid),
      id: `repair:${reportId}:refunds:${orderGid}`,
      correlationId,
    });
    money.repairJobs.push({ queue: 'refunds', orderGid, created: sent.created });
  }
  for (const orderGid of new Set(money.transactions.mismatched.map((m) => m.orderGid))) {
    const job: PaymentsJob = { source: 'repair', orderGid, reportId };
    const sent = await deps.queue.send('payments', job, {
      key: keys.payment(deps.shop, orderGid),
      id: `repair:${reportId}:payments:${orderGid}`,
      correlationId,
    });
    money.repairJobs.push({ queue: 'payments', orderGid, created: sent.created });
  }
  return money;
}

/** Pure: the money part of the Markdown report. */
export function renderMoneyMarkdown(money: MoneyReconciliation): string[] {
  const lines = ['', '## Money', ''];
  lines.push(`Shopify refunds: ${money.refunds.shopify}, not applied in Odoo: ${money.refunds.missing.length}.`);
  for (const r of money.refunds.missing)
    lines.push(`- refund ${r.refundGid} of ${r.name} (${r.orderGid}), ${r.total}: Odoo ${r.odoo ?? 'has nothing'}`);
  lines.push(
    '',
    money.transactions.notBooked
      ? `Shopify money transactions: ${money.transactions.shopify}, not compared: Odoo books no payment until a payment gateway is mapped (Shopify → Configuration → Payment gateways).`
      : `Shopify money transactions: ${money.transactions.shopify}, missing or different in Odoo: ${money.transactions.mismatched.length}.`,
  );
  for (const t of money.transactions.mismatched)
    lines.push(
      `- ${t.kind.toLowerCase()} ${t.transactionGid} of ${t.name} (${t.gateway ?? 'no gateway'}): Shopify ${t.shopify} ≠ Odoo ${t.odoo ?? '—'}`,
    );
  lines.push('', `Money repair jobs: ${money.repairJobs.length}.`);
  return lines;
}
