/**
 * Payments, pure parts (no I/O, no clock): an order's Shopify transactions as the contract's
 * PaymentsDocument, which of them are money, and the reconciliation's comparison of Shopify's
 * money transactions with what Odoo booked (docs/flows.md, "Payments").
 *
 * Rules:
 * - Money is a successful sale, capture or refund, or the cash change a point of sale handed
 *   back (a cash sale is the amount tendered, the change its own transaction); an authorization
 *   reserves, a void cancels, pending and failed transactions move nothing. The addon applies the
 *   same rule; this side uses it only to compare.
 * - Amounts are shop money (`shopMoney`), exact in integer minor units (rules/money.ts); when the
 *   customer paid in another currency, `presentment` carries them in it too (`presentmentMoney`),
 *   which Odoo books for an order it booked in that currency.
 * - Every transaction is sent, whatever its kind: the addon decides what it books, and a
 *   transaction it refuses is named in its error.
 */
import type { PaymentStatus, PaymentsDocument, PaymentTransaction } from '../../odoo/contract.js';
import { formatMinor, minorUnits, toMinor } from '../../rules/money.js';
import type { OrdersMoneySinceQuery, OrderTransactionsQuery } from '../../shopify/index.js';

export type ShopifyOrderTransactions = NonNullable<OrderTransactionsQuery['order']>;
export type ShopifyTransaction = ShopifyOrderTransactions['transactions'][number];
export type MoneyOrder = OrdersMoneySinceQuery['orders']['nodes'][number];

const MONEY_KINDS = new Set(['SALE', 'CAPTURE', 'REFUND', 'CHANGE']);

/** A transaction's shop amount, exact in minor units of its currency (JPY 0, KWD 3 decimals). */
const amountOf = (t: Pick<ShopifyTransaction, 'amountSet'>, what: string): bigint =>
  toMinor(t.amountSet.shopMoney.amount, minorUnits(t.amountSet.shopMoney.currencyCode), what);

/** Whether Shopify's transaction moved money (what Odoo books as a payment). */
export function isMoney(t: Pick<ShopifyTransaction, 'kind' | 'status' | 'amountSet'>): boolean {
  return MONEY_KINDS.has(t.kind) && t.status === 'SUCCESS' && amountOf(t, 'transaction amount') !== 0n;
}

/** The contract's PaymentsDocument of an order: every transaction, kinds and statuses lower-cased. */
export function paymentsDocument(order: ShopifyOrderTransactions): PaymentsDocument {
  // From the order, not its transactions: an order booked in the customer's currency needs its
  // amounts in it also before any transaction (a bank transfer not paid yet: an empty list).
  const paid = order.presentmentCurrencyCode !== order.currencyCode ? order.presentmentCurrencyCode : undefined;
  return {
    order_gid: order.id,
    ...(paid
      ? { presentment: { currency: paid, transactions: order.transactions.map((t) => ({ amount: t.amountSet.presentmentMoney.amount })) } }
      : {}),
    transactions: order.transactions.map((t): PaymentTransaction => ({
      transaction_gid: t.id,
      kind: t.kind.toLowerCase() as PaymentTransaction['kind'],
      status: t.status.toLowerCase() as PaymentTransaction['status'],
      gateway: t.gateway ?? null,
      amount: t.amountSet.shopMoney.amount,
      processed_at: t.processedAt ?? t.createdAt,
    })),
  };
}

/** A Shopify money transaction that Odoo has not booked, or booked with another amount. */
export interface PaymentMismatch {
  orderGid: string;
  name: string;
  transactionGid: string;
  kind: string;
  gateway: string | null;
  shopify: string;
  odoo: string | null;
}

/**
 * Pure: Shopify's money transactions created in [from, to) against what Odoo holds for them;
 * a transaction with another amount in Odoo, or none, is a mismatch.
 */
export function compareTransactions(
  orders: readonly MoneyOrder[],
  statuses: readonly PaymentStatus[],
  window: { from: Date; to: Date },
): { compared: number; mismatched: PaymentMismatch[] } {
  const byGid = new Map(statuses.map((s) => [s.transaction_gid, s]));
  const mismatched: PaymentMismatch[] = [];
  let compared = 0;
  for (const order of orders)
    for (const t of transactionsInWindow(order, window)) {
      compared++;
      const booked = byGid.get(t.id);
      // A payment Odoo booked in the customer's currency is compared in it.
      const side = booked?.currency && booked.currency === t.amountSet.presentmentMoney.currencyCode ? 'presentmentMoney' : 'shopMoney';
      const places = minorUnits(t.amountSet[side].currencyCode);
      const shopify = formatMinor(toMinor(t.amountSet[side].amount, places, `transaction ${t.id} amount`), places);
      const odoo = booked?.found ? booked.amount : null;
      if (odoo !== null && toMinor(odoo, places, 'Odoo payment') === toMinor(shopify, places)) continue;
      mismatched.push({
        orderGid: order.id,
        name: order.name,
        transactionGid: t.id,
        kind: t.kind,
        gateway: t.gateway ?? null,
        shopify,
        odoo,
      });
    }
  return { compared, mismatched };
}

/** An order's money transactions created in the window. */
export function transactionsInWindow(order: MoneyOrder, window: { from: Date; to: Date }): MoneyOrder['transactions'] {
  return order.transactions.filter((t) => {
    const at = Date.parse(t.createdAt);
    return isMoney(t) && at >= window.from.getTime() && at < window.to.getTime();
  });
}
