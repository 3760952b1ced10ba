/**
 * Order arithmetic: totals, current totals after refunds, quantities fulfilled and refunded.
 * Pure functions over the state, in cents.
 */
import type { Duty, LineItem, Order, RefundDuty, ShippingLine, SimState, TaxLine } from '../state.js';
import { feesPrice, orderFees } from './additional-fees.js';

/** The order's shipping lines that an edit did not remove: the ones every total counts. */
export function activeShippingLines(order: Order): ShippingLine[] {
  return order.shippingLines.filter((s) => !s.removed);
}

export function fulfilledQuantity(state: SimState, lineItemId: number): number {
  let total = 0;
  for (const f of state.fulfillments) {
    if (f.status !== 'SUCCESS') continue;
    for (const l of f.lineItems) if (l.lineItemId === lineItemId) total += l.quantity;
  }
  return total;
}

export function refundedQuantity(state: SimState, lineItemId: number): number {
  let total = 0;
  for (const r of state.refunds) for (const l of r.lines) if (l.lineItemId === lineItemId) total += l.quantity;
  return total;
}

/** Units still on the order: not refunded, not removed by an edit (Shopify's `currentQuantity`). */
export function currentQuantity(state: SimState, li: LineItem): number {
  return li.quantity - refundedQuantity(state, li.id) - (li.removedQuantity ?? 0);
}

/** Units still to fulfill: what the line's fulfillment orders have remaining. */
export function remainingQuantity(state: SimState, lineItemId: number): number {
  let total = 0;
  for (const fo of state.fulfillmentOrders) for (const l of fo.lineItems) if (l.lineItemId === lineItemId) total += l.remainingQuantity;
  return total;
}

/** Subtotal (after the line's discount) and tax of `quantity` units of a line, pro rata. */
export function linePortion(li: LineItem, quantity: number): { subtotal: number; tax: number } {
  if (li.quantity === 0) return { subtotal: 0, tax: 0 };
  const discount = Math.round((li.discount * quantity) / li.quantity);
  const tax = li.taxLines.reduce((s, t) => s + Math.round((t.price * quantity) / li.quantity), 0);
  return { subtotal: li.price * quantity - discount, tax };
}

/** Every duty of the order's lines, with its line. */
export function orderDuties(order: Order): { duty: Duty; li: LineItem }[] {
  return order.lineItems.flatMap((li) => (li.duties ?? []).map((duty) => ({ duty, li })));
}

const dutyTaxOf = (duty: Duty): number => duty.taxLines.reduce((s, t) => s + t.price, 0);

/**
 * What order edits took off one duty: the share of the units edits removed from its line
 * (`removedQuantity` of `quantity`, rounded at the currency's unit, as a PROPORTIONAL refund
 * rounds), and the same share of its taxes. Shopify documents only that `currentTotalDutiesSet`
 * counts order edits, not how a duty changes with one: this is the simulator's assumption
 * (docs/simulator.md). `Duty.price` stays what was charged.
 */
export function editRemovedDuty(duty: Duty, li: LineItem): { amount: number; tax: number } {
  const removed = li.removedQuantity ?? 0;
  if (removed === 0 || li.quantity <= 0) return { amount: 0, tax: 0 };
  const amount = Math.round((duty.price * removed) / li.quantity);
  const tax = duty.price > 0 ? Math.round((dutyTaxOf(duty) * amount) / duty.price) : 0;
  return { amount, tax };
}

/** What the order's refunds gave back of one duty so far: amount and tax. */
export function refundedDuty(state: SimState, order: Order, dutyId: number): { amount: number; tax: number } {
  let amount = 0;
  let tax = 0;
  for (const r of state.refunds)
    if (r.orderId === order.id)
      for (const d of r.duties ?? [])
        if (d.dutyId === dutyId) {
          amount += d.amount;
          tax += d.tax;
        }
  return { amount, tax };
}

/**
 * What a refund gives back of a duty (Shopify's RefundDutyRefundType): FULL is all that is left
 * of it; PROPORTIONAL its share for the units of its line this refund takes (`quantity` of
 * `li.quantity`, rounded at the currency's unit), at most what is left. Shopify does not document
 * how a duty's taxes are given back: the simulator gives back the same share of them, each
 * refund rounded on its own (as it does for a line's taxes, `linePortion`).
 */
export function dutyRefund(
  state: SimState,
  order: Order,
  duty: Duty,
  li: LineItem,
  type: 'full' | 'proportional',
  quantity: number,
): RefundDuty {
  const left = duty.price - editRemovedDuty(duty, li).amount - refundedDuty(state, order, duty.id).amount;
  const share = li.quantity > 0 ? Math.round((duty.price * quantity) / li.quantity) : 0;
  const amount = type === 'full' ? left : Math.max(0, Math.min(left, share));
  const tax = duty.price > 0 ? Math.round((dutyTaxOf(duty) * amount) / duty.price) : 0;
  return { dutyId: duty.id, amount, tax };
}

function mergeTaxLines(lines: TaxLine[]): TaxLine[] {
  const merged = new Map<string, TaxLine>();
  for (const t of lines) {
    const key = `${t.title}|${t.rate}`;
    const prev = merged.get(key);
    merged.set(key, prev ? { ...prev, price: prev.price + t.price } : { ...t });
  }
  return [...merged.values()];
}

export interface OrderTotals {
  lineItemsPrice: number;
  discounts: number;
  subtotal: number;
  shipping: number;
  /** Duties charged at checkout (Shopify's originalTotalDutiesSet), without their taxes. */
  duties: number;
  tax: number;
  total: number;
  taxLines: TaxLine[];
  refundedAmount: number;
  currentSubtotal: number;
  currentDiscounts: number;
  currentShipping: number;
  /** Duties less what refunds gave back of them (currentTotalDutiesSet). */
  currentDuties: number;
  /**
   * Additional fees without their taxes (original and currentTotalAdditionalFeesSet: the same,
   * as no 2026-10 refund gives a fee back as such).
   */
  additionalFees: number;
  currentTax: number;
  currentTotal: number;
  outstanding: number;
  fulfillmentStatus: 'fulfilled' | 'partial' | null;
}

export function orderTotals(state: SimState, order: Order): OrderTotals {
  const lineItemsPrice = order.lineItems.reduce((s, li) => s + li.price * li.quantity, 0);
  const lineDiscounts = order.lineItems.reduce((s, li) => s + li.discount, 0);
  // Shipping as the order's edits left it: removed lines out, updated ones at their new price.
  const shippingLines = activeShippingLines(order);
  const shippingDiscounts = shippingLines.reduce((s, sl) => s + sl.discount, 0);
  const subtotal = lineItemsPrice - lineDiscounts;
  const shipping = shippingLines.reduce((s, sl) => s + sl.price, 0);
  const duties = orderDuties(order);
  const dutiesTotal = duties.reduce((s, d) => s + d.duty.price, 0);
  const taxLines = mergeTaxLines([
    ...order.lineItems.flatMap((li) => li.taxLines),
    ...shippingLines.flatMap((sl) => sl.taxLines),
    ...duties.flatMap((d) => d.duty.taxLines),
    ...orderFees(order).flatMap((f) => f.taxLines),
  ]);
  const tax = taxLines.reduce((s, t) => s + t.price, 0);
  const fees = feesPrice(order);
  // Duties and fees are charged on top of the goods, unless the order's duties are inside its
  // prices (dutiesIncluded); their taxes follow the order's convention.
  const dutiesCharged = order.dutiesIncluded ? 0 : dutiesTotal;
  const total = subtotal + shipping - shippingDiscounts + dutiesCharged + fees + (order.taxesIncluded ? 0 : tax);

  const refunds = state.refunds.filter((r) => r.orderId === order.id);
  let refundedSubtotal = 0;
  let refundedTax = 0;
  let refundedShipping = 0;
  let refundedDiscount = 0;
  let refundedDuties = 0;
  for (const r of refunds) {
    refundedShipping += r.shipping;
    refundedTax += r.shippingTax;
    for (const d of r.duties ?? []) {
      refundedDuties += d.amount;
      refundedTax += d.tax;
    }
    for (const l of r.lines) {
      refundedSubtotal += l.subtotal;
      refundedTax += l.totalTax;
      const li = order.lineItems.find((x) => x.id === l.lineItemId);
      if (li && li.quantity > 0) refundedDiscount += Math.round((li.discount * l.quantity) / li.quantity);
    }
  }
  const refundedAmount = refunds
    .flatMap((r) => r.transactionIds)
    .map((id) => state.transactions.find((t) => t.id === id)?.amount ?? 0)
    .reduce((a, b) => a + b, 0);
  let removedSubtotal = 0;
  let removedTax = 0;
  let removedDiscount = 0;
  for (const li of order.lineItems) {
    const removed = li.removedQuantity ?? 0;
    if (removed === 0) continue;
    const portion = linePortion(li, removed);
    removedSubtotal += portion.subtotal;
    removedTax += portion.tax;
    removedDiscount += Math.round((li.discount * removed) / li.quantity);
  }
  // What edits took off the duties of the lines they removed units of (an assumption, above).
  let removedDuties = 0;
  for (const { duty, li } of duties) {
    const share = editRemovedDuty(duty, li);
    removedDuties += share.amount;
    removedTax += share.tax;
  }
  const currentSubtotal = subtotal - refundedSubtotal - removedSubtotal;
  const currentTax = tax - refundedTax - removedTax;
  const currentShipping = shipping - refundedShipping;
  const currentDuties = dutiesTotal - refundedDuties - removedDuties;
  const currentDutiesCharged = order.dutiesIncluded ? 0 : currentDuties;
  const currentTotal =
    currentSubtotal + currentShipping - shippingDiscounts + currentDutiesCharged + fees + (order.taxesIncluded ? 0 : currentTax);

  const paid = netPaid(state, order);

  let remaining = 0;
  let done = 0;
  for (const li of order.lineItems) {
    remaining += remainingQuantity(state, li.id);
    done += fulfilledQuantity(state, li.id);
  }
  const fulfillmentStatus = done === 0 ? null : remaining === 0 ? 'fulfilled' : 'partial';

  return {
    lineItemsPrice,
    discounts: lineDiscounts + shippingDiscounts,
    subtotal,
    shipping,
    duties: dutiesTotal,
    tax,
    total,
    taxLines,
    refundedAmount,
    currentSubtotal,
    currentDiscounts: lineDiscounts + shippingDiscounts - refundedDiscount - removedDiscount,
    currentShipping,
    currentDuties,
    additionalFees: fees,
    currentTax,
    currentTotal,
    // Edits change what is owed; refunds do not (they return what was paid).
    outstanding: order.cancelledAt
      ? 0
      : Math.max(0, total - (removedSubtotal + (order.dutiesIncluded ? 0 : removedDuties) + (order.taxesIncluded ? 0 : removedTax)) - paid),
    fulfillmentStatus,
  };
}

export interface SuggestedRefund {
  lines: { lineItemId: number; quantity: number; subtotal: number; tax: number }[];
  subtotal: number;
  tax: number;
  shipping: number;
  shippingTax: number;
  /** Duties given back (refundDuties), each with its share of the duty's taxes (counted in `tax`). */
  duties: RefundDuty[];
  dutiesAmount: number;
  /** What the customer gets back: lines (+ tax when not included) + shipping + duties (+ their tax). */
  amount: number;
  /** Paid and not yet refunded. */
  maximumRefundable: number;
  shippingMaximumRefundable: number;
}

/**
 * What Shopify's `Order.suggestedRefund` proposes, and the default amount of a refund: the
 * refunded units at their discounted price and pro-rata tax, plus shipping (all that is left, or
 * the amount asked), capped at what was paid and not yet refunded. Pure.
 */
export function suggestRefund(
  state: SimState,
  order: Order,
  input: {
    lines: { lineItemId: number; quantity: number }[];
    shippingFull?: boolean;
    shippingAmount?: number;
    full?: boolean;
    duties?: { dutyId: number; refundType: 'full' | 'proportional' }[];
  },
): SuggestedRefund {
  const wanted = input.full
    ? order.lineItems.map((li) => ({ lineItemId: li.id, quantity: currentQuantity(state, li) })).filter((l) => l.quantity > 0)
    : input.lines;
  const lines = wanted.map((l) => {
    const li = order.lineItems.find((x) => x.id === l.lineItemId);
    const portion = li ? linePortion(li, l.quantity) : { subtotal: 0, tax: 0 };
    return { lineItemId: l.lineItemId, quantity: l.quantity, subtotal: portion.subtotal, tax: portion.tax };
  });
  const totals = orderTotals(state, order);
  const refundedShipping = state.refunds.filter((r) => r.orderId === order.id).reduce((s, r) => s + r.shipping, 0);
  // What the customer paid for shipping is what can go back: the price less its discounts.
  const charged = totals.shipping - activeShippingLines(order).reduce((s, sl) => s + sl.discount, 0);
  const shippingLeft = charged - refundedShipping;
  const shipping = input.full || input.shippingFull ? shippingLeft : Math.min(input.shippingAmount ?? 0, shippingLeft);
  const shippingTaxTotal = activeShippingLines(order).reduce((s, sl) => s + sl.taxLines.reduce((a, t) => a + t.price, 0), 0);
  const shippingTax = charged > 0 ? Math.round((shippingTaxTotal * shipping) / charged) : 0;
  const duties = suggestDuties(state, order, wanted, input.full ? undefined : (input.duties ?? []));
  const dutiesAmount = duties.reduce((s, d) => s + d.amount, 0);
  const subtotal = lines.reduce((s, l) => s + l.subtotal, 0);
  const tax = lines.reduce((s, l) => s + l.tax, 0) + shippingTax + duties.reduce((s, d) => s + d.tax, 0);
  const paid = netPaid(state, order);
  const maximumRefundable = Math.max(0, paid - totals.refundedAmount);
  const amount = subtotal + shipping + dutiesAmount + (order.taxesIncluded ? 0 : tax);
  return {
    lines,
    subtotal,
    tax,
    shipping,
    shippingTax,
    duties,
    dutiesAmount,
    amount: Math.min(amount, maximumRefundable),
    maximumRefundable,
    shippingMaximumRefundable: shippingLeft,
  };
}

/**
 * The duties a refund gives back: the ones asked (`asked`; unknown ids are skipped: the caller
 * refuses them), or for a full refund (`asked` undefined) every duty in full. A duty whose
 * refund comes to nothing is left out, as Shopify lists only what it refunds.
 */
function suggestDuties(
  state: SimState,
  order: Order,
  lines: { lineItemId: number; quantity: number }[],
  asked: { dutyId: number; refundType: 'full' | 'proportional' }[] | undefined,
): RefundDuty[] {
  const all = orderDuties(order);
  const wanted = asked ?? all.map((d) => ({ dutyId: d.duty.id, refundType: 'full' as const }));
  return wanted
    .map((w) => {
      const found = all.find((d) => d.duty.id === w.dutyId);
      if (!found) return undefined;
      const quantity = lines.filter((l) => l.lineItemId === found.li.id).reduce((s, l) => s + l.quantity, 0);
      return dutyRefund(state, order, found.duty, found.li, w.refundType, quantity);
    })
    .filter((d): d is RefundDuty => d !== undefined && (d.amount !== 0 || d.tax !== 0));
}

/** What the order's sales and captures took in, less the cash change handed back (minor units). */
export function netPaid(state: SimState, order: Order): number {
  const sign = { sale: 1, capture: 1, change: -1, authorization: 0, refund: 0 } as const;
  return order.transactionIds
    .map((id) => state.transactions.find((t) => t.id === id))
    .reduce((s, t) => s + (t ? sign[t.kind] * t.amount : 0), 0);
}
