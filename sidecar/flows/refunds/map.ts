/**
 * Refunds, pure parts (no I/O, no clock): a Shopify refund as the contract's RefundDocument, the
 * refunds Odoo still has to apply, a credit note posted in Odoo as a Shopify refundCreate (what can
 * leave the order as line items, the rest as money, capped at what Shopify can refund), and the
 * read-back of a refundCreate that got no answer (docs/flows.md, "Refunds").
 *
 * Rules:
 * - Money is the shop currency (`shopMoney`), exact in integer minor units (rules/money.ts). When
 *   the customer paid in another currency, `presentment` carries the refund's amounts in it
 *   (`presentmentMoney`), which Odoo books for an order it booked in that currency.
 * - A refund line's subtotal is in the order's tax convention (tax included when the order's
 *   prices include tax), so the total adds the lines' tax only when prices exclude it.
 * - Duties given back (`duties`, only when there are some) carry Shopify's amount and the same
 *   share of the duty's taxes (tax lines × amount / price, rounded half away from zero at the
 *   currency's unit: Shopify gives no tax per refunded duty); the total counts that tax when the
 *   order's prices exclude it, as for lines and shipping.
 * - Order adjustments are sign-normalised: Shopify's amount is the calculated refund minus the
 *   money refunded (negative when more money went back than the goods), the document's is
 *   positive when it adds to the refund.
 * - A refund's money beyond its goods first repays what the customer was owed before it (an order
 *   edit that lowered a paid order): that part is `edit_balance`, which Odoo credits through the
 *   edit, never a second time (docs/flows.md, "Order edits after delivery").
 * - A credit note line takes units off the Shopify order only as far as Odoo took them off its
 *   order (`open_quantity`: not delivered, or returned); delivered units the customer keeps, and
 *   everything else on the credit note, are refunded as money (an adjustment in Shopify), so
 *   Shopify's current order keeps matching Odoo's sale order.
 * - A credit note that credits exactly the units of a return received in Odoo and waiting for it
 *   (contract 1.9, `waiting_returns`) is that return's refund: returnProcess with a financial
 *   transfer, the same transactions as a refundCreate (`returnForCreditNote`, `returnTransactions`).
 * - A credit note line that credits a duty (contract 1.5, role `duty`) gives the duty back in
 *   Shopify (refundDuties): FULL when it credits all that is left of the duty, PROPORTIONAL when
 *   it credits the duty's share for the units of its line the credit note takes off the order;
 *   any other amount is a permanent error naming the duty, both amounts and the fix (docs/flows.md,
 *   "Duties").
 */
import type { QueueJobs } from '../../jobs.js';
import type { CreditNoteDocument, RefundDocument, RefundStatus } from '../../odoo/contract.js';
import { PermanentError } from '../../queue/errors.js';
import { isGid } from '../../rules/gid.js';
import { formatMinor, minorUnits, mulDivRound, toMinor } from '../../rules/money.js';
import type {
  CurrencyCode,
  OrderEditBalanceQuery,
  OrderRefundableQuery,
  OrderRefundsQuery,
  RefundByIdQuery,
  RefundDutyInput,
  RefundLineItemInput,
  RefundLineItemRestockType,
  ShopMoneyFieldsFragment,
} from '../../shopify/index.js';

export type ShopifyRefund = NonNullable<RefundByIdQuery['refund']>;
export type ShopifyOrderRefunds = NonNullable<OrderRefundsQuery['order']>;
export type ShopifyOrderRefundable = NonNullable<OrderRefundableQuery['order']>;
export type ShopifyOrderEditBalance = NonNullable<OrderEditBalanceQuery['order']>;
export type RefundJob = QueueJobs['refunds'];

/** Which of a MoneyBag's amounts: the shop's or the customer's (presentment) currency. */
type MoneySide = 'shopMoney' | 'presentmentMoney';

/** A MoneyBag's amount on `side`, exact in minor units of its own currency (JPY 0, KWD 3 decimals). */
const moneyOf = (bag: ShopMoneyFieldsFragment | null | undefined, what: string, side: MoneySide = 'shopMoney'): bigint => {
  if (bag && !bag[side]) throw new PermanentError(`${what}: Shopify sent no ${side}`);
  return toMinor(bag?.[side]?.amount ?? '0', minorUnits(bag?.[side]?.currencyCode), what);
};

/** The order a refunds job is about (webhooks and repairs name it; credit notes are read first). */
export function orderGidOf(job: RefundJob): string | undefined {
  if (job.source === 'webhook') return job.entityGid;
  if (job.source === 'repair') return job.orderGid;
  const gid = job.payload.order_gid;
  return isGid(gid, 'Order') ? gid : undefined;
}

/** The credit note a credit_note.posted event is about. */
export function moveIdOf(job: Extract<RefundJob, { source: 'outbox' }>): number {
  return typeof job.payload.move_id === 'number' ? job.payload.move_id : job.resId;
}

/** The customer's currency of a refund when it is not the shop's (then the document carries `presentment`). */
export function refundPresentmentCurrency(refund: Pick<ShopifyRefund, 'totalRefundedSet'>): string | undefined {
  const { shopMoney, presentmentMoney } = refund.totalRefundedSet;
  return presentmentMoney && presentmentMoney.currencyCode !== shopMoney.currencyCode ? presentmentMoney.currencyCode : undefined;
}

/**
 * The contract's RefundDocument for one Shopify refund of an order whose prices include tax or
 * not, with its amounts in the customer's currency too when that is not the shop's.
 */
export function refundDocument(refund: ShopifyRefund, taxesIncluded: boolean): RefundDocument {
  const document = refundMoneyDocument(refund, taxesIncluded, 'shopMoney');
  const currency = refundPresentmentCurrency(refund);
  if (!currency) return document;
  const paid = refundMoneyDocument(refund, taxesIncluded, 'presentmentMoney');
  document.presentment = {
    currency,
    lines: paid.lines.map((l) => ({ subtotal: l.subtotal, total_tax: l.total_tax ?? '0' })),
    shipping: { amount: paid.shipping?.amount ?? '0', tax: paid.shipping?.tax ?? '0' },
    ...(paid.duties?.length ? { duties: paid.duties.map((d) => ({ amount: d.amount, tax: d.tax ?? '0' })) } : {}),
    adjustments: (paid.adjustments ?? []).map((a) => ({ amount: a.amount })),
    total: paid.total,
  };
  return document;
}

function refundMoneyDocument(refund: ShopifyRefund, taxesIncluded: boolean, side: MoneySide): RefundDocument {
  const label = `refund ${refund.id}`;
  // The refund's money is in its currency (the order's on that side): written with its decimals.
  const fmt = (minor: bigint) => formatMinor(minor, minorUnits(refund.totalRefundedSet[side].currencyCode));
  const money = (bag: ShopMoneyFieldsFragment | null | undefined, what: string) => moneyOf(bag, what, side);
  if (refund.refundLineItems.pageInfo.hasNextPage)
    throw new PermanentError(`${label}: more than 50 refunded lines; not supported, apply it in Odoo by hand`);
  let total = 0n;
  const lines = refund.refundLineItems.nodes.map((l, i) => {
    const subtotal = money(l.subtotalSet, `${label} line ${i + 1} subtotal`);
    const tax = money(l.totalTaxSet, `${label} line ${i + 1} tax`);
    total += subtotal + (taxesIncluded ? 0n : tax);
    return {
      line_gid: l.lineItem.id,
      sku: l.lineItem.sku && l.lineItem.sku.trim() !== '' ? l.lineItem.sku : null,
      quantity: Math.max(0, Math.trunc(l.quantity)),
      subtotal: fmt(subtotal),
      total_tax: fmt(tax),
      restock_type: l.restockType.toLowerCase() as RefundDocument['lines'][number]['restock_type'],
      location_gid: l.location?.id ?? null,
    };
  });
  let shipping = 0n;
  let shippingTax = 0n;
  refund.refundShippingLines.nodes.forEach((s, i) => {
    shipping += money(s.subtotalAmountSet, `${label} shipping ${i + 1}`);
    shippingTax += money(s.taxAmountSet, `${label} shipping ${i + 1} tax`);
  });
  total += shipping + (taxesIncluded ? 0n : shippingTax);
  const duties = (refund.duties ?? []).map((d, i) => {
    const where = `${label} duty ${i + 1}`;
    if (!d.originalDuty) throw new PermanentError(`${where}: Shopify names no duty`);
    const amount = money(d.amountSet, `${where} amount`);
    const price = money(d.originalDuty.price, `${where} price`);
    const charged = d.originalDuty.taxLines.reduce((sum, t, j) => sum + money(t.priceSet, `${where} tax line ${j + 1}`), 0n);
    const tax = price === 0n ? 0n : mulDivRound(charged, amount, price);
    total += amount + (taxesIncluded ? 0n : tax);
    return { duty_gid: d.originalDuty.id, amount: fmt(amount), tax: fmt(tax) };
  });
  const adjustments = refund.orderAdjustments.nodes.map((a, i) => {
    // Shopify: calculated − refunded (negative when more money went back than the goods).
    const amount = -(money(a.amountSet, `${label} adjustment ${i + 1}`) + money(a.taxAmountSet, `${label} adjustment ${i + 1} tax`));
    total += amount;
    return { amount: fmt(amount), reason: a.reason ? a.reason.toLowerCase() : null };
  });
  return {
    refund_gid: refund.id,
    order_gid: refund.order.id,
    created_at: refund.createdAt,
    note: refund.note ?? null,
    return_gid: refund.return?.id ?? null,
    lines,
    shipping: { amount: fmt(shipping), tax: fmt(shippingTax) },
    // Only when there are some, so other refunds' documents do not change.
    ...(duties.length ? { duties } : {}),
    adjustments,
    total: fmt(total),
  };
}

/** The money a refund gives back beyond its goods (the document's sign: positive adds to the refund). */
function adjustmentsOf(
  nodes: ReadonlyArray<{ amountSet: ShopMoneyFieldsFragment; taxAmountSet: ShopMoneyFieldsFragment }>,
  label: string,
  side: MoneySide,
): bigint {
  return nodes.reduce(
    (sum, a, i) =>
      sum - moneyOf(a.amountSet, `${label} adjustment ${i + 1}`, side) - moneyOf(a.taxAmountSet, `${label} adjustment ${i + 1} tax`, side),
    0n,
  );
}

/**
 * The part of a refund's positive adjustments that repays an order edit: what the customer had paid
 * beyond the order's current total just before this refund (money received, less the earlier
 * refunds' money, less the current total with the goods of this and later refunds added back), at
 * most the refund's money beyond its goods. A refund's goods are its money less its adjustments;
 * they lower the current total by what they give back, so only an edit (or an overpayment) leaves
 * the customer owed. 0 when nothing was owed (a goodwill refund).
 */
export function editBalanceOf(refundGid: string, order: ShopifyOrderEditBalance, side: MoneySide = 'shopMoney'): bigint {
  const money = (bag: ShopMoneyFieldsFragment | null | undefined, what: string) => moneyOf(bag, what, side);
  const refunds = [...order.refunds].sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.id.localeCompare(b.id));
  const at = refunds.findIndex((r) => r.id === refundGid);
  if (at < 0) return 0n;
  let owed = money(order.totalReceivedSet, 'order received') - money(order.currentTotalPriceSet, 'order current total');
  refunds.forEach((r, i) => {
    const given = money(r.totalRefundedSet, `refund ${r.id} total`);
    const beyond = adjustmentsOf(r.orderAdjustments.nodes, `refund ${r.id}`, side);
    owed -= i < at ? given : given - beyond;
  });
  const beyond = adjustmentsOf(refunds[at]!.orderAdjustments.nodes, `refund ${refundGid}`, side);
  const repaid = owed < beyond ? owed : beyond;
  return repaid > 0n ? repaid : 0n;
}

/** A refund document with the part of its money that repays an order edit (`editBalanceOf`). */
export function withEditBalance(
  document: RefundDocument,
  balance: bigint,
  currency: string | null | undefined,
  paidBalance?: bigint,
): RefundDocument {
  if (balance <= 0n) return document;
  const withBalance = { ...document, edit_balance: formatMinor(balance, minorUnits(currency)) };
  // The customer's-currency amounts follow (the same refunds, in that currency).
  if (document.presentment)
    withBalance.presentment = {
      ...document.presentment,
      edit_balance: formatMinor(paidBalance ?? 0n, minorUnits(document.presentment.currency)),
    };
  return withBalance;
}

/** Whether a refund document gives money back beyond its goods (only then can it repay an edit). */
export function givesBeyondGoods(document: RefundDocument): boolean {
  // Only the sign matters: read at the most decimals any currency has, never refused for them.
  return (document.adjustments ?? []).some((a) => toMinor(a.amount, 4, 'adjustment') > 0n);
}

/** The order's refunds Odoo has not applied (pending ones are counted in the order but not applied). */
export function refundsToApply(refunds: ShopifyOrderRefunds['refunds'], statuses: readonly RefundStatus[]): string[] {
  const applied = new Set(statuses.filter((s) => s.found && s.state !== 'pending').map((s) => s.refund_gid));
  return refunds.map((r) => r.id).filter((gid) => !applied.has(gid));
}

// ---- Odoo credit note → Shopify refund ----

/** What a credit note becomes in Shopify: refund line items, and the money refunded. */
export interface CreditNoteRefund {
  note: string;
  lines: RefundLineItemInput[];
  /** Duties given back (refundDuties). */
  duties: RefundDutyInput[];
  amount: bigint;
  /**
   * The customer's (presentment) currency the money is in, when it is not the shop's: the order
   * was booked in it in Odoo (RefundInput.currency; transactions are in it).
   */
  currency?: CurrencyCode;
}

/**
 * The currency a credit note is refunded in: the shop's, or the customer's for an order Odoo booked
 * in it and a credit note in it. Any other credit note of an order paid in another currency is
 * refused, naming both currencies.
 */
function refundCurrency(cn: CreditNoteDocument, order: ShopifyOrderRefundable): CurrencyCode | undefined {
  if (order.currencyCode === order.presentmentCurrencyCode) return undefined;
  if (cn.money === 'presentment' && cn.currency === order.presentmentCurrencyCode) return order.presentmentCurrencyCode;
  throw new PermanentError(
    `credit note ${cn.name}: order ${order.name} was paid in ${order.presentmentCurrencyCode}, not the shop currency ${order.currencyCode}; refund it in Shopify`,
  );
}

/** Integer units of a credit note line, or a permanent error naming it (Shopify refunds whole units). */
function units(cn: CreditNoteDocument, index: number): number {
  const q = cn.lines[index]!.quantity;
  if (!Number.isInteger(q) || q < 0)
    throw new PermanentError(
      `credit note ${cn.name} line ${index + 1}: quantity ${q} is not a whole number of units; Shopify refunds whole units`,
    );
  return q;
}

/**
 * The refund a credit note posted in Odoo becomes. Product lines take off the Shopify order the
 * units Odoo took off its own (not delivered, or returned: `open_quantity`), CANCEL for units
 * Shopify has not fulfilled, else NO_RESTOCK (stock is Odoo's: the inventory flow pushes it); the
 * money is the credit note's total.
 */
export function planCreditNoteRefund(cn: CreditNoteDocument, order: ShopifyOrderRefundable): CreditNoteRefund {
  const currency = refundCurrency(cn, order);
  const wanted = new Map<string, { qty: number; open: number; index: number }>();
  cn.lines.forEach((l, i) => {
    if (l.role !== 'product' || !l.line_gid) return;
    const entry = wanted.get(l.line_gid) ?? { qty: 0, open: l.open_quantity, index: i };
    entry.qty += units(cn, i);
    wanted.set(l.line_gid, entry);
  });
  const lines: RefundLineItemInput[] = [];
  for (const [lineGid, { qty, open, index }] of wanted) {
    const take = Math.min(qty, open);
    if (!take) continue;
    const li = order.lineItems.nodes.find((n) => n.id === lineGid);
    if (!li) throw new PermanentError(`credit note ${cn.name} line ${index + 1}: line ${lineGid} is not on order ${order.name} in Shopify`);
    if (take > li.refundableQuantity)
      throw new PermanentError(
        `credit note ${cn.name} line ${index + 1}: ${take} × ${li.sku ?? lineGid} cannot be refunded in Shopify, only ${li.refundableQuantity} refundable`,
      );
    const cancel = Math.min(take, li.unfulfilledQuantity);
    const restock = (quantity: number, restockType: RefundLineItemRestockType) => ({ lineItemId: lineGid, quantity, restockType });
    if (cancel) lines.push(restock(cancel, 'CANCEL'));
    if (take > cancel) lines.push(restock(take - cancel, 'NO_RESTOCK'));
  }
  return {
    note: `Odoo credit note ${cn.name}`,
    lines,
    duties: plannedDuties(cn, order, lines, currency),
    amount: toMinor(cn.amount_total, minorUnits(currency ?? order.currencyCode), `credit note ${cn.name} amount_total`),
    ...(currency ? { currency } : {}),
  };
}

/** What each Shopify duty a credit note credits comes to, in the credit note's money, and its first line. */
function creditedDuties(
  cn: CreditNoteDocument,
  order: ShopifyOrderRefundable,
  places: number,
): Map<string, { amount: bigint; index: number }> {
  const credited = new Map<string, { amount: bigint; index: number }>();
  cn.lines.forEach((l, i) => {
    if (l.role !== 'duty') return;
    if (!l.duty_gid)
      throw new PermanentError(
        `credit note ${cn.name} line ${i + 1}: a duties line that names no Shopify duty (order ${order.name} has several); credit the duty's own order line`,
      );
    // The duty's price includes its tax when the order's prices do.
    const amount = toMinor(cn.taxes_included ? l.price_total : l.price_subtotal, places, `credit note ${cn.name} line ${i + 1}`);
    const entry = credited.get(l.duty_gid) ?? { amount: 0n, index: i };
    entry.amount += amount;
    credited.set(l.duty_gid, entry);
  });
  return credited;
}

/**
 * The duties a credit note gives back in Shopify: FULL when it credits all that is left of a duty
 * (its price less what earlier refunds gave back), PROPORTIONAL when it credits the duty's share
 * for the units of its line this refund takes (price × units / ordered, rounded half away from
 * zero). Anything else is refused naming the duty, both amounts and the fix.
 */
function plannedDuties(
  cn: CreditNoteDocument,
  order: ShopifyOrderRefundable,
  lines: readonly RefundLineItemInput[],
  currency: string | undefined,
): RefundDutyInput[] {
  const side: MoneySide = currency ? 'presentmentMoney' : 'shopMoney';
  const places = minorUnits(currency ?? order.currencyCode);
  const format = (minor: bigint) => formatMinor(minor, places);
  const out: RefundDutyInput[] = [];
  for (const [dutyId, { amount, index }] of creditedDuties(cn, order, places)) {
    if (amount === 0n) continue;
    const where = `credit note ${cn.name} line ${index + 1}`;
    const li = order.lineItems.nodes.find((n) => n.duties.some((d) => d.id === dutyId));
    const duty = li?.duties.find((d) => d.id === dutyId);
    if (!li || !duty) throw new PermanentError(`${where}: duty ${dutyId} is not on order ${order.name} in Shopify`);
    const price = moneyOf(duty.price, `${where} duty price`, side);
    const given = order.refunds
      .flatMap((r) => r.duties ?? [])
      .filter((d) => d.originalDuty?.id === dutyId)
      .reduce((s, d) => s + moneyOf(d.amountSet, `${where} duty refunded`, side), 0n);
    const left = price - given;
    if (amount === left) {
      out.push({ dutyId, refundType: 'FULL' });
      continue;
    }
    const units = lines.filter((l) => l.lineItemId === li.id).reduce((s, l) => s + l.quantity, 0);
    const share = li.quantity > 0 ? mulDivRound(price, BigInt(units), BigInt(li.quantity)) : 0n;
    if (units > 0 && amount === (share < left ? share : left)) {
      out.push({ dutyId, refundType: 'PROPORTIONAL' });
      continue;
    }
    const proportional =
      units > 0 ? `${format(share)} for the ${units} of ${li.quantity} units it refunds` : 'nothing: it refunds none of its units';
    throw new PermanentError(
      `${where}: credits ${format(amount)} of duty ${dutyId} (${li.sku ?? li.id}), but Shopify refunds a duty in full (${format(left)} left) or in proportion to its units (${proportional}); credit one of these amounts, or refund the duty in Shopify`,
    );
  }
  return out;
}

/** A payment a refund can go back to: a successful sale or capture. */
type Payment = ShopifyOrderRefundable['transactions'][number];

/**
 * The refund's transactions: the money back to the order's successful payments, oldest first,
 * never more than Shopify says is refundable (a larger credit note is a permanent error naming
 * both amounts, which the flow shows on the credit note).
 */
export function refundTransactions(cn: CreditNoteDocument, order: ShopifyOrderRefundable, amount: bigint, currency?: string) {
  // In the customer's currency when the credit note is (Shopify takes transactions in it).
  const side: MoneySide = currency ? 'presentmentMoney' : 'shopMoney';
  const money = (bag: ShopMoneyFieldsFragment | null | undefined, what: string) => moneyOf(bag, what, side);
  const refundable = money(order.suggestedRefund?.maximumRefundableSet, `order ${order.name} refundable`);
  const format = (minor: bigint) => formatMinor(minor, minorUnits(currency ?? order.currencyCode));
  if (amount > refundable)
    throw new PermanentError(
      `credit note ${cn.name}: ${format(amount)} is more than Shopify can refund on order ${order.name} (${format(refundable)} refundable)`,
    );
  const payments = order.transactions.filter((t: Payment) => (t.kind === 'SALE' || t.kind === 'CAPTURE') && t.status === 'SUCCESS');
  const out: Array<{ orderId: string; parentId: string; gateway: string; kind: 'REFUND'; amount: string }> = [];
  let left = amount;
  for (const t of payments) {
    if (left <= 0n) break;
    const take = left < money(t.amountSet, 'payment') ? left : money(t.amountSet, 'payment');
    out.push({ orderId: order.id, parentId: t.id, gateway: t.gateway ?? 'manual', kind: 'REFUND', amount: format(take) });
    left -= take;
  }
  if (left > 0n) throw new PermanentError(`credit note ${cn.name}: order ${order.name} has no payment to refund ${format(left)} to`);
  return out;
}

/** What a refundCreate in flight sent: kept until it is confirmed or resolved by read-back. */
export interface SentRefund {
  note: string;
  amount: string;
  /** The customer's currency `amount` is in (absent: the shop currency). */
  currency?: string;
  /** Sent as the financial transfer of returnProcess on this return (the refund is found on it, not by its note). */
  returnGid?: string;
  /** The Odoo return picking that returnProcess processes. */
  pickingId?: number;
}

/**
 * The refund a timed-out refundCreate produced, if it happened: among the order's refunds not
 * known before the write, the one with the sent note and amount.
 */
export function findSentRefund(
  sent: SentRefund,
  refunds: ShopifyOrderRefunds['refunds'],
  known: ReadonlySet<string>,
): ShopifyOrderRefunds['refunds'][number] | undefined {
  return refunds.find(
    (r) =>
      !known.has(r.id) &&
      (sent.returnGid ? r.return?.id === sent.returnGid : r.note === sent.note) &&
      sentAmount(r.totalRefundedSet, sent) ===
        toMinor(sent.amount, minorUnits(sent.currency ?? r.totalRefundedSet.shopMoney.currencyCode), 'sent amount'),
  );
}

/** A refund's total on the side the sent amount is in. */
const sentAmount = (bag: ShopMoneyFieldsFragment, sent: SentRefund): bigint =>
  moneyOf(bag, 'refund', sent.currency ? 'presentmentMoney' : 'shopMoney');

/** A return received in Odoo that waits for its credit note: the units processing it would process, per order line. */
export interface WaitingReturnUnits {
  units: Readonly<Record<string, number>>;
}

/**
 * The waiting return a credit note refunds (docs/flows.md, "Returns received in Odoo"): the first
 * (oldest) whose units still to process in Shopify are exactly the units the credit note credits,
 * line by line. A credit note crediting fewer units, more, other lines, or a duty (given back with
 * refundCreate's PROPORTIONAL/FULL rules) matches none: it is refunded on its own (refundCreate)
 * and the return keeps waiting.
 */
export function returnForCreditNote<T extends WaitingReturnUnits>(cn: CreditNoteDocument, waiting: readonly T[]): T | undefined {
  if (cn.lines.some((l) => l.role === 'duty')) return undefined;
  const credited: Record<string, number> = {};
  for (const l of cn.lines) {
    if (l.role !== 'product' || !l.line_gid || l.quantity === 0) continue;
    if (!Number.isInteger(l.quantity) || l.quantity < 0) return undefined;
    credited[l.line_gid] = (credited[l.line_gid] ?? 0) + l.quantity;
  }
  const same = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) => {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => (a[k] ?? 0) !== 0 || (b[k] ?? 0) !== 0));
    return keys.size > 0 && [...keys].every((k) => (a[k] ?? 0) === (b[k] ?? 0));
  };
  return waiting.find((w) => same(w.units, credited));
}

/** refundCreate's transactions as returnProcess's `orderTransactions` (the order's shop currency). */
export function returnTransactions(
  transactions: ReadonlyArray<{ parentId: string; amount: string }>,
  currencyCode: CurrencyCode,
): Array<{ parentId: string; transactionAmount: { amount: string; currencyCode: CurrencyCode } }> {
  return transactions.map((t) => ({ parentId: t.parentId, transactionAmount: { amount: t.amount, currencyCode } }));
}
