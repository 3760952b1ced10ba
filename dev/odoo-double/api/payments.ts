/**
 * The payments area of the contract (the addon's models/shopify_sync_api_payments.py):
 * apply_payments books an order's successful sales, captures, refunds and cash change as payments in the
 * journal of their gateway (an unmapped gateway holds the order, nothing written), invoices by
 * the company's policy and reconciles; payment_status; and the "on delivery" invoice the addon's
 * stock.picking hook makes (`invoiceDelivered`, called by the merchant's validation).
 */
import type { ApplyPaymentsResult, ContractParams, ContractResult, PaymentsDocument } from '../../../sidecar/odoo/contract.js';
import type { DoubleCore } from '../core.js';
import { pyRepr, pyStr, validationError } from '../errors.js';
import type { Invoice, Payment, SaleOrder } from '../state.js';
import { formatMoney, gid, money } from '../values.js';
import { inOrderMoney, useOrderCurrency } from './currency.js';
import { importedOrder } from './returns.js';

const MONEY_KINDS: Record<string, 'inbound' | 'outbound'> = { sale: 'inbound', capture: 'inbound', refund: 'outbound', change: 'outbound' };
const KINDS = ['authorization', 'capture', 'change', 'emv_authorization', 'refund', 'sale', 'suggested_refund', 'void'];
const STATUSES = ['awaiting_response', 'error', 'failure', 'pending', 'success', 'unknown'];
const GIFT_CARD_GATEWAY = 'gift_card';
const HOLD_PREFIX = 'Shopify payments held';
const MAX_TRANSACTION_GIDS = 5000;

interface Checked {
  gid: string;
  kind: string;
  direction: 'inbound' | 'outbound' | null;
  cents: number;
  gateway: string;
}

export function applyPayments(core: DoubleCore, incoming: PaymentsDocument): ContractResult<'apply_payments'> {
  const orderGid = gid(incoming.order_gid, 'Order', 'payments', 'order_gid');
  const label = `payments of order ${orderGid}`;
  const doc = inOrderMoney(core, orderGid, incoming, label);
  // Amounts are exact in the order's shop currency's minor units (JPY 0, KWD 3 decimals).
  useOrderCurrency(core, orderGid);
  const transactions = checkTransactions(label, doc.transactions);
  const so = importedOrder(core, label, orderGid);
  if (!core.state.settings.gateway_journals.length)
    return {
      status: 'disabled',
      sale_order_id: so.id,
      invoice_id: null,
      payments: [],
      message: `no Shopify payment gateway is mapped in ${core.state.settings.company_name}: payments are not booked`,
    };
  const booked = new Set([...core.state.payments.values()].map((p) => p.transaction_gid));
  const todo = transactions.filter((t) => t.direction && !booked.has(t.gid));
  const { journals, unmapped } = paymentJournals(core, todo);
  const invoiceNeeded = invoiceDue(core, so, 'on_payment', todo);
  const problem = holdReason(core, so, unmapped, invoiceNeeded);
  if (problem) {
    paymentsHold(core, so, problem);
    return { status: 'held', sale_order_id: so.id, invoice_id: null, payments: [], message: problem };
  }
  const invoice = invoiceNeeded ? invoiceOrder(core, so) : undefined;
  const created = todo.map((t) => createPayment(core, so, t, journals.get(t.gid)!));
  reconcileOrder(core, so);
  paymentsHold(core, so, null);
  return {
    status: created.length || invoice ? 'applied' : 'unchanged',
    sale_order_id: so.id,
    invoice_id: invoice?.id ?? null,
    payments: created.map((p) => ({
      transaction_gid: p.transaction_gid,
      payment_id: p.id,
      payment_type: p.payment_type,
      amount: formatMoney(p.amount),
      journal: p.journal,
    })),
  };
}

/** The addon's `_check_transactions`: every transaction before anything is written, in its order and words. */
function checkTransactions(label: string, transactions: unknown): Checked[] {
  if (!Array.isArray(transactions)) throw validationError(`${label}: transactions must be a list`);
  return transactions.map((raw: unknown, i) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw validationError(`${label}: transaction ${i + 1} must be an object`);
    const tx = raw as Record<string, unknown>;
    const txGid = gid(tx.transaction_gid, 'OrderTransaction', `${label}, transaction ${i + 1}`, 'transaction_gid');
    const txLabel = `transaction ${txGid}`;
    if (typeof tx.kind !== 'string' || !KINDS.includes(tx.kind))
      throw validationError(`${txLabel}: kind ${pyRepr(tx.kind)} is not a Shopify transaction kind (${KINDS.join(', ')})`);
    if (typeof tx.status !== 'string' || !STATUSES.includes(tx.status))
      throw validationError(`${txLabel}: status ${pyRepr(tx.status)} is not a Shopify transaction status (${STATUSES.join(', ')})`);
    const cents = money(tx.amount, `${txLabel} amount`);
    if (cents < 0)
      throw validationError(
        `${txLabel}: amount ${pyStr(tx.amount)} is negative; Shopify amounts are positive, the kind gives the direction`,
      );
    const gateway = typeof tx.gateway === 'string' ? tx.gateway.trim() : '';
    const direction = tx.status === 'success' && cents ? (MONEY_KINDS[tx.kind] ?? null) : null;
    if (direction && !gateway) throw validationError(`${txLabel}: gateway is missing; a payment needs the gateway that names its journal`);
    return { gid: txGid, kind: tx.kind, direction, cents, gateway };
  });
}

function paymentJournals(core: DoubleCore, todo: Checked[]) {
  const journals = new Map<string, string>();
  const unmapped: string[] = [];
  const settings = core.state.settings;
  for (const t of todo) {
    const journal =
      t.gateway.toLowerCase() === GIFT_CARD_GATEWAY
        ? settings.gift_card_journal
        : (settings.gateway_journals.find((m) => m.gateway.trim().toLowerCase() === t.gateway.toLowerCase())?.journal ?? null);
    if (journal) journals.set(t.gid, journal);
    else if (!unmapped.includes(t.gateway)) unmapped.push(t.gateway);
  }
  return { journals, unmapped };
}

function holdReason(core: DoubleCore, so: SaleOrder, unmapped: string[], invoiceNeeded: boolean): string | null {
  const name = so.client_order_ref ?? so.name;
  const reasons = unmapped.map((g) =>
    g.toLowerCase() === GIFT_CARD_GATEWAY
      ? `order ${name}: gateway "${g}" needs the gift card journal (Settings → Shopify → Gift card journal)`
      : `order ${name}: payment gateway "${g}" has no journal (Shopify → Configuration → Payment gateways)`,
  );
  if (invoiceNeeded && !core.state.settings.gift_card_account && so.lines.some((l) => l.gift_card))
    reasons.push(
      `order ${name}: sells a gift card and the gift card liability account is not set (Settings → Shopify); it is never booked as revenue`,
    );
  return reasons.length ? reasons.join('; ') : null;
}

/** Odoo's invoice_status "to invoice": a line with a quantity left to invoice. */
function toInvoice(core: DoubleCore, so: SaleOrder): boolean {
  return so.lines.some((l) => l.quantity - core.qtyInvoiced(l) !== 0);
}

function invoiceDue(core: DoubleCore, so: SaleOrder, policy: 'on_payment' | 'on_delivery', todo?: Checked[]): boolean {
  if (core.state.settings.invoice_policy !== policy || so.state !== 'sale') return false;
  if (todo && !todo.some((t) => t.direction === 'inbound')) return false;
  return toInvoice(core, so);
}

/** Odoo's `_create_invoices(final=True)`, posted: every line's quantity left to invoice. */
function invoiceOrder(core: DoubleCore, so: SaleOrder): Invoice {
  const lines = so.lines
    .map((l) => ({ l, qty: l.quantity - core.qtyInvoiced(l) }))
    .filter(({ qty }) => qty !== 0)
    .map(({ l, qty }) =>
      core.accountLine(
        l.name,
        l,
        l.role === 'product' && !l.gift_card ? 'product' : l.role === 'duty' ? 'duty' : 'other',
        qty,
        l.price_unit,
        l.tax_ids,
      ),
    );
  // Odoo's invoice total follows the company's tax rounding (per line or globally), like the order's.
  const total = core.moveTotal(lines);
  const id = core.id();
  const invoice: Invoice = {
    id,
    name: `INV/${String(id).padStart(5, '0')}`,
    sale_order_id: so.id,
    state: 'posted',
    amount_total: total,
    amount_residual: total,
    lines,
  };
  core.state.invoices.set(id, invoice);
  return invoice;
}

function createPayment(core: DoubleCore, so: SaleOrder, t: Checked, journal: string): Payment {
  const id = core.id();
  const payment: Payment = {
    id,
    transaction_gid: t.gid,
    sale_order_id: so.id,
    payment_type: t.direction!,
    kind: t.kind,
    amount: t.cents,
    journal,
    gateway: t.gateway,
    residual: t.cents,
  };
  core.state.payments.set(id, payment);
  return payment;
}

/**
 * Open payments against posted invoices (inbound) and credit notes (outbound), oldest first; cash
 * change (outbound) against what the sales paid beyond the invoices; then refunds against sales.
 */
export function reconcileOrder(core: DoubleCore, so: SaleOrder): void {
  const payments = [...core.state.payments.values()].filter((p) => p.sale_order_id === so.id && p.residual > 0);
  const invoices = [...core.state.invoices.values()].filter((i) => i.sale_order_id === so.id && i.state === 'posted');
  const credits = [...core.state.creditNotes.values()].filter((c) => c.sale_order_id === so.id && c.state === 'posted');
  const sales = payments.filter((p) => p.payment_type === 'inbound');
  // Change last: it settles what the sales have left once the invoices took their share.
  const ordered = [...payments.filter((p) => p.kind !== 'change'), ...payments.filter((p) => p.kind === 'change')];
  for (const p of ordered) {
    const moves =
      p.kind === 'change'
        ? sales.map((s) => ({ left: () => s.residual, take: (n: number) => (s.residual -= n) }))
        : p.payment_type === 'inbound'
          ? invoices.map((i) => ({ left: () => i.amount_residual, take: (n: number) => (i.amount_residual -= n) }))
          : credits.map((c) => ({
              left: () => c.amount_residual ?? c.amount_total,
              take: (n: number) => (c.amount_residual = (c.amount_residual ?? c.amount_total) - n),
            }));
    for (const m of moves) {
      const n = Math.min(p.residual, m.left());
      if (n <= 0) continue;
      m.take(n);
      p.residual -= n;
    }
  }
  // What the invoices and credit notes left open: a refund paying back part of a sale (the addon's
  // _shopify_reconcile_order) is reconciled with that sale.
  for (const out of payments.filter((p) => p.payment_type === 'outbound'))
    for (const sale of payments.filter((p) => p.payment_type === 'inbound')) {
      const n = Math.min(out.residual, sale.residual);
      if (n <= 0) continue;
      out.residual -= n;
      sale.residual -= n;
    }
}

/** The addon's "on delivery" hook: a fully delivered order with something to invoice is invoiced and reconciled. */
export function invoiceDelivered(core: DoubleCore, so: SaleOrder): void {
  const open = [...core.state.pickings.values()].some(
    (p) => p.sale_order_id === so.id && p.picking_type === 'outgoing' && p.state === 'assigned',
  );
  if (open || !invoiceDue(core, so, 'on_delivery')) return;
  const problem = holdReason(core, so, [], true);
  if (problem) {
    paymentsHold(core, so, problem);
    return;
  }
  invoiceOrder(core, so);
  reconcileOrder(core, so);
}

/**
 * The addon's _shopify_payments_hold: shows the payments hold (problem) after another hold the
 * order carries, never over it, or lifts it (null) leaving that other hold as it was.
 */
function paymentsHold(core: DoubleCore, so: SaleOrder, problem: string | null): void {
  const message = so.binding.state !== 'synced' ? (so.binding.message ?? '') : '';
  const other = message.split(HOLD_PREFIX, 1)[0]!.replace(/; $/, '');
  if (problem) {
    const held = [other, `${HOLD_PREFIX}: ${problem}`].filter(Boolean).join('; ');
    if (so.binding.state !== 'error' || message !== held) core.setResult(so.binding, 'error', { message: held });
  } else if (message.includes(HOLD_PREFIX)) {
    // Over (also after a Retry marked the order pending).
    if (other) core.setResult(so.binding, so.binding.state, { message: other });
    else core.setResult(so.binding, 'synced');
  }
}

export function paymentStatus(core: DoubleCore, doc: ContractParams<'payment_status'>): ContractResult<'payment_status'> {
  const gids: unknown = doc.transaction_gids;
  if (!Array.isArray(gids) || !gids.every((g) => typeof g === 'string'))
    throw validationError('payment_status: transaction_gids must be a list of strings');
  if (gids.length > MAX_TRANSACTION_GIDS)
    throw validationError(`payment_status: at most ${MAX_TRANSACTION_GIDS} transaction_gids per call`);
  const byGid = new Map([...core.state.payments.values()].map((p) => [p.transaction_gid, p]));
  return {
    payments_enabled: core.state.settings.gateway_journals.length > 0,
    payments: gids.map((g) => {
      const p = byGid.get(g);
      if (!p)
        return {
          transaction_gid: g,
          found: false,
          payment_id: null,
          sale_order_id: null,
          payment_type: null,
          amount: null,
          state: null,
          reconciled: false,
        };
      return {
        transaction_gid: g,
        found: true,
        payment_id: p.id,
        sale_order_id: p.sale_order_id,
        payment_type: p.payment_type,
        amount: formatMoney(p.amount),
        currency:
          (p.sale_order_id ? core.state.saleOrders.get(p.sale_order_id)?.currency : undefined) ?? core.state.settings.company_currency,
        // A bank journal's payment stays in process until the bank statement matches it (Odoo 18).
        state: 'in_process',
        reconciled: p.residual === 0,
      };
    }),
  };
}

export type { ApplyPaymentsResult };
