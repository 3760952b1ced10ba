/**
 * The money audit's figures (./run.ts): what was compared and how many differ from Shopify's,
 * the last line it prints, and whether anything differs (its exit code).
 */
import type { AuditAction } from './generate.js';

export interface AuditCounts {
  orders: number;
  /** Sale orders whose total differs from Shopify's current total, or that are missing, held or flagged. */
  orderTotalsDiffer: number;
  /** Customer invoices (posted or not) of the audited orders. */
  invoices: number;
  /**
   * Orders whose invoices less credit notes differ from Shopify's current total, with an
   * invoice not posted, or without the invoice their policy asks for (and invoices made by hand
   * that differ from Shopify's total when made).
   */
  invoiceTotalsDiffer: number;
  refunds: number;
  /** Refunds with no applied shopify.refund record (missing, pending or flagged). */
  refundsNotApplied: number;
  /** Every credit note of the audited orders (refunds' and edits'). */
  creditNotes: number;
  /** Credit notes whose total differs from the money Shopify refunded, or left in draft. */
  creditNotesDiffer: number;
  /** Odoo payments booked from Shopify transactions. */
  payments: number;
  /**
   * Orders whose payments differ from Shopify's money transactions: one missing, extra, of
   * another amount, direction or journal, or a net (sales and captures less refunds) that differs.
   */
  paymentsDiffer: number;
  /** Payments of settled orders (invoiced and paid in full) left unreconciled, and such orders' invoices left open. */
  paymentsUnreconciled: number;
  /** Orders that sell a gift card or pay with one. */
  giftCards: number;
  /** Of those: the gift card liability invoiced, or the gift card journal's payments, differ from Shopify's. */
  giftCardsDiffer: number;
  /** Orders with an import duty (cross-border), and those whose refund gave a share of it back. */
  duties: number;
  dutiesRefunded: number;
  /** Orders with an additional fee. */
  fees: number;
  /** Orders whose shipping price an edit lowered or raised after Odoo invoiced them. */
  shippingEdits: number;
  /** Orders whose return was received in Odoo and refunded by the credit note posted there. */
  returnsInOdoo: number;
  /**
   * With customers' currencies (`--currencies mixed`): orders paid in another currency than the
   * shop's, those booked in the customer's currency, and the orders by the currency Odoo booked.
   */
  currencies?: { foreign: number; presentment: number; booked: Record<string, number> };
  /** How many orders of each action were audited. */
  actions: Partial<Record<AuditAction, number>>;
  examples: string[];
}

export function emptyCounts(): AuditCounts {
  return {
    orders: 0,
    orderTotalsDiffer: 0,
    invoices: 0,
    invoiceTotalsDiffer: 0,
    refunds: 0,
    refundsNotApplied: 0,
    creditNotes: 0,
    creditNotesDiffer: 0,
    payments: 0,
    paymentsDiffer: 0,
    paymentsUnreconciled: 0,
    giftCards: 0,
    giftCardsDiffer: 0,
    duties: 0,
    dutiesRefunded: 0,
    fees: 0,
    shippingEdits: 0,
    returnsInOdoo: 0,
    actions: {},
    examples: [],
  };
}

export function summary(counts: AuditCounts): string {
  return (
    `orders=${counts.orders} order_totals_differ=${counts.orderTotalsDiffer} invoices=${counts.invoices} ` +
    `invoice_totals_differ=${counts.invoiceTotalsDiffer} refunds=${counts.refunds} credit_notes=${counts.creditNotes} ` +
    `credit_notes_differ=${counts.creditNotesDiffer} refunds_not_applied=${counts.refundsNotApplied} ` +
    `payments=${counts.payments} payments_differ=${counts.paymentsDiffer} payments_unreconciled=${counts.paymentsUnreconciled} ` +
    `gift_cards=${counts.giftCards} gift_cards_differ=${counts.giftCardsDiffer} ` +
    `duties=${counts.duties} duties_refunded=${counts.dutiesRefunded} fees=${counts.fees} shipping_edits=${counts.shippingEdits} returns_in_odoo=${counts.returnsInOdoo}` +
    currencySummary(counts)
  );
}

/** ` foreign=F booked_in_customer_currency=B currencies=EUR:n,JPY:n…` in a run with customers' currencies; nothing otherwise. */
function currencySummary(counts: AuditCounts): string {
  const c = counts.currencies;
  if (!c) return '';
  const booked = Object.entries(c.booked)
    .map(([code, n]) => `${code}:${n}`)
    .join(',');
  return ` foreign=${c.foreign} booked_in_customer_currency=${c.presentment} currencies=${booked}`;
}

/** `action=count …`, in the order the generator knows them. */
export function actionSummary(counts: AuditCounts): string {
  return Object.entries(counts.actions)
    .map(([action, n]) => `${action}=${n}`)
    .join(' ');
}

/** Something differs (the exit code of the run). */
export function anyDifference(c: AuditCounts): boolean {
  return (
    c.orderTotalsDiffer +
      c.invoiceTotalsDiffer +
      c.creditNotesDiffer +
      c.refundsNotApplied +
      c.paymentsDiffer +
      c.paymentsUnreconciled +
      c.giftCardsDiffer >
    0
  );
}
