/**
 * Order edits on a confirmed order (the addon's models/shopify_sync_api_edits.py; docs/flows.md,
 * "Order edits after delivery"): units an edit removed after Odoo delivered them follow the
 * company's policy — `return` (default: kept on their line, credited by an `edit_removal` line, a
 * return ready to receive them that does not lower the delivered quantity) or `flag` (nothing
 * changes for them, an activity names them, the order is flagged) — and whatever an edit takes off
 * an invoiced order is credited on a posted credit note linked to the lines, bound to the refunds
 * that pay it back.
 */
import type { DoubleCore } from '../core.js';
import type { AccountLine, SaleLine, SaleOrder } from '../state.js';
import { formatMoney } from '../values.js';
import { bindEditRefunds, creditNoteRecord } from './refunds.js';
import { creditNoteTaxAdjustment } from './taxes.js';
import { createReturnPickings, planReturns } from './returns.js';

export interface Removal {
  line: SaleLine;
  qty: number;
}

const ACTIVITY = 'Shopify edit removed delivered units';

/** Units of a product line that `target` (Shopify's quantity, with the kept units) takes below what Odoo delivered. */
export function removedAfterDelivery(line: SaleLine, target: number): number {
  if (line.role !== 'product' || line.product_id === null || line.gift_card) return 0;
  return target < line.qty_delivered ? line.qty_delivered - target : 0;
}

const lineWords = (line: SaleLine) => (line.sku && !line.name.includes(line.sku) ? `[${line.sku}] ${line.name}` : line.name);

/** The company's policy for units removed in Shopify after Odoo delivered them; returns the lines it changed. */
export function applyRemovals(
  core: DoubleCore,
  so: SaleOrder,
  removals: Removal[],
  label: string,
  notes: string[],
  flags: string[],
): SaleLine[] {
  if (!removals.length) return [];
  const words = removals.map(({ line, qty }) => `${qty} × ${lineWords(line)}`).join(', ');
  if (core.state.settings.edit_removal_policy === 'flag') {
    const message =
      `${label}: an order edit in Shopify removed units Odoo already delivered: ${words}. ` +
      'Return them in Odoo (the order then follows Shopify) or settle them with the customer';
    so.activities ??= [];
    if (!so.activities.some((a) => a.summary === ACTIVITY && a.note.includes(message)))
      so.activities.push({ summary: ACTIVITY, note: message });
    flags.push(message);
    return [];
  }
  const touched: SaleLine[] = [];
  for (const { line, qty } of removals) {
    line.kept_qty = (line.kept_qty ?? 0) + qty;
    touched.push(editRemovalLine(core, so, line, qty));
  }
  const plan = planReturns(
    core,
    so,
    removals.map(({ line, qty }) => ({ line, qty, locationGid: null })),
    label,
  );
  const returns = createReturnPickings(core, so, plan, null);
  // The edit_removal line credits these units already: receiving them does not lower the delivered quantity.
  for (const move of returns.flatMap((p) => p.moves)) move.to_refund = false;
  const message =
    `${label}: an order edit in Shopify removed units Odoo already delivered: ${words}; ` +
    `credited on the order, return ${returns.map((p) => p.name).join(', ')} is ready to receive them`;
  notes.push(message);
  return touched;
}

/** The credit line of `qty` units of `line` removed after delivery (one per product line). */
function editRemovalLine(core: DoubleCore, so: SaleOrder, line: SaleLine, qty: number): SaleLine {
  const credit = so.lines.find((l) => l.role === 'edit_removal' && l.line_gid === line.line_gid);
  if (credit) {
    credit.quantity -= qty;
    return credit;
  }
  const created: SaleLine = {
    id: core.id(),
    line_gid: line.line_gid,
    role: 'edit_removal',
    product_id: null,
    sku: null,
    name: `Removed in Shopify after delivery: ${line.name}`,
    quantity: -qty,
    price_unit: line.price_unit,
    tax_ids: [...line.tax_ids],
    qty_delivered: 0,
  };
  so.lines.push(created);
  return created;
}

/** A posted credit note for what an edit took off an invoiced order: each touched line's negative quantity to invoice. */
export function creditEdit(
  core: DoubleCore,
  so: SaleOrder,
  touched: readonly SaleLine[],
  label: string,
  notes: string[],
  discounts: ReadonlyArray<{ line: SaleLine; share: number }> = [],
  total: number | null = null,
  repriced: ReadonlyArray<{ line: SaleLine; amount: number }> = [],
): void {
  if ((!touched.length && !repriced.length) || !core.invoiced(so)) return;
  const lines: AccountLine[] = [];
  for (const line of new Set(touched)) {
    const qty = core.qtyInvoiced(line) - line.quantity;
    if (qty > 0)
      lines.push(core.accountLine(line.name, line, line.role === 'product' ? 'product' : 'other', qty, line.price_unit, line.tax_ids));
  }
  // What a lowered duty or fee price took off the invoiced one, unlinked (its quantity stays invoiced).
  for (const { line, amount } of repriced)
    lines.push(core.accountLine(`Lowered in Shopify: ${line.name}`, null, 'other', core.qtyInvoiced(line), amount, line.tax_ids));
  if (!lines.length) return;
  // The line discount the removed units took with them, unlinked (the addon's _discount_credit_vals).
  // `line` is the discount line itself, already named "Discount: …".
  for (const { line, share } of discounts) lines.push(core.accountLine(line.name, null, 'other', 1, -share, line.tax_ids));
  const invoiced =
    [...core.state.invoices.values()]
      .filter((i) => i.sale_order_id === so.id && i.state === 'posted')
      .reduce((s, i) => s + i.amount_total, 0) -
    [...core.state.creditNotes.values()]
      .filter((c) => c.sale_order_id === so.id && c.state === 'posted')
      .reduce((s, c) => s + c.amount_total, 0);
  const creditNote = creditNoteRecord(core, so, null, lines);
  if (!creditNote) return;
  creditNote.edit = true;
  if (total !== null) creditNoteTaxAdjustment(core, creditNote, { lines }, invoiced - total);
  creditNote.state = 'posted';
  core.creditNotePosted(creditNote.id);
  core.setResult(creditNote.binding, 'synced');
  notes.push(`${label}: the edit is credited on ${creditNote.name} (${formatMoney(creditNote.amount_total)})`);
  // A refund applied before this edit may pay it back already (refunds first).
  bindEditRefunds(core, so);
}
