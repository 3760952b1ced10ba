/**
 * The refunds area of the contract (the addon's models/shopify_sync_api_refunds.py):
 * apply_refund (a credit note with Odoo's taxes on the refunded subtotals, flagged when its total
 * differs from Shopify's; restock by cancelling or returning the goods) and apply_return (return
 * pickings, one per delivery the goods left with).
 */
import type { ContractResult, RefundDocument, ReturnDocument } from '../../../sidecar/odoo/contract.js';
import type { DoubleCore } from '../core.js';
import { validationError } from '../errors.js';
import { newBinding, type CreditNote, type Move, type Picking, type SaleLine, type SaleOrder } from '../state.js';
import { formatMoney, gid, money, quantity, taxOf } from '../values.js';

type CreditNoteLine = CreditNote['lines'][number];
type Restock = { line: SaleLine; qty: number; kind: 'cancel' | 'return'; locationGid: string | null };
type Wanted = { line: SaleLine; qty: number; locationGid: string | null };
/** Per delivered picking: the moves to take back and the Shopify location they go back to. */
type ReturnPlan = Map<Picking, { locationGid: string | null; items: Array<{ move: Move; take: number }> }>;

/** The sale line a refund or return line is about: by Shopify line GID, else by SKU. */
function saleLineOf(so: SaleOrder, l: { line_gid: string; sku?: string | null }): SaleLine | undefined {
  return (
    so.lines.find((x) => x.role === 'product' && x.line_gid === l.line_gid) ??
    (l.sku ? so.lines.find((x) => x.role === 'product' && x.sku === l.sku) : undefined)
  );
}

export function applyRefund(core: DoubleCore, doc: RefundDocument): ContractResult<'apply_refund'> {
  const refundGid = gid(doc.refund_gid, 'Refund', 'refund', 'refund_gid');
  const orderGid = gid(doc.order_gid, 'Order', `refund ${refundGid}`, 'order_gid');
  const label = `refund ${refundGid}`;
  // Everything that can refuse the document is read before anything is written (the addon's
  // transaction is rolled back): the amounts first, even for a refund already applied.
  const total = checkRefundDocument(label, doc);
  const existing = [...core.state.creditNotes.values()].find((c) => c.refund_gid === refundGid);
  if (existing) return { status: 'unchanged', credit_note_id: existing.id, amount_total: formatMoney(existing.amount_total) };
  const so = [...core.state.saleOrders.values()].find((o) => o.order_gid === orderGid);
  if (!so) throw validationError(`${label}: order ${orderGid} is not imported in Odoo`);
  // Refunds are listed on the order, so a restock-only refund (no credit note) is idempotent too.
  if (so.refund_gids.includes(refundGid)) return { status: 'unchanged', credit_note_id: null, amount_total: '0.00' };
  const { cnLines, restock } = creditNoteLines(core, so, doc, label);
  const returns = planReturns(
    core,
    so,
    restock.filter((r) => r.kind === 'return' && !returnPending(core, so, r.line)),
    label,
  );
  so.refund_gids.push(refundGid);
  restockGoods(core, so, restock, returns);
  if (!cnLines.length) return { status: 'created', credit_note_id: null, amount_total: '0.00' }; // restock only
  const amount = cnLines.reduce((s, l) => s + l.amount, 0);
  const id = core.id();
  const creditNote: CreditNote = {
    id,
    name: `RINV/${String(id).padStart(5, '0')}`,
    sale_order_id: so.id,
    refund_gid: refundGid,
    state: 'draft',
    amount_total: amount,
    lines: cnLines,
    binding: newBinding(refundGid),
  };
  core.state.creditNotes.set(id, creditNote);
  if (amount !== total) {
    const message = `${label}: Odoo credit note total ${formatMoney(amount)} differs from Shopify total ${formatMoney(total)}; left in draft`;
    core.setResult(creditNote.binding, 'error', { message });
    return { status: 'flagged', credit_note_id: id, amount_total: formatMoney(amount), message };
  }
  creditNote.state = 'posted';
  core.creditNotePosted(creditNote.id);
  core.setResult(creditNote.binding, 'synced');
  return { status: 'created', credit_note_id: id, amount_total: formatMoney(amount) };
}

/**
 * The addon's `_check_refund_document`: each line's quantity and amounts, the shipping amount and
 * tax, the adjustments and the total, in the addon's order. Returns the total in cents.
 */
function checkRefundDocument(label: string, doc: RefundDocument): number {
  (doc.lines ?? []).forEach((line, i) => {
    const where = `${label} line ${i + 1}`;
    quantity(line.quantity, where);
    for (const field of ['subtotal', 'total_tax'] as const) money(line[field], `${where} ${field}`);
  });
  const shipping: Partial<RefundDocument['shipping']> = doc.shipping ?? {};
  money(shipping.amount, `${label} shipping amount`);
  money(shipping.tax, `${label} shipping tax`);
  (doc.adjustments ?? []).forEach((adjustment, i) => money(adjustment.amount, `${label} adjustment ${i + 1}`));
  return money(doc.total, `${label} total`);
}

/** The credit note's lines (taxes are Odoo's: the sale line's taxes on the refunded subtotal) and the goods to restock. */
function creditNoteLines(core: DoubleCore, so: SaleOrder, doc: RefundDocument, label: string) {
  const lineTax = (amount: number, taxIds: number[]) =>
    taxIds.reduce((s, id) => {
      const tax = core.state.taxes.get(id)!;
      return s + (tax.price_include ? 0 : taxOf(amount, tax.rate));
    }, 0);
  const cnLines: CreditNoteLine[] = [];
  const restock: Restock[] = [];
  (doc.lines ?? []).forEach((l, i) => {
    const where = `${label} line ${i + 1}`;
    const qty = quantity(l.quantity, where);
    const subtotal = money(l.subtotal, `${where} subtotal`);
    const line = saleLineOf(so, l);
    if (!line) throw validationError(`${where}: line ${l.line_gid} (SKU "${l.sku}") is not on order ${so.name}`);
    if (subtotal)
      cnLines.push({ name: line.name, sale_line_id: line.id, quantity: qty, amount: subtotal + lineTax(subtotal, line.tax_ids) });
    if (qty && (l.restock_type === 'cancel' || l.restock_type === 'return'))
      restock.push({ line, qty, kind: l.restock_type, locationGid: l.location_gid ?? null });
  });
  const shipping = money(doc.shipping?.amount, `${label} shipping amount`);
  if (shipping) {
    const shipLine = so.lines.find((x) => x.role === 'shipping');
    cnLines.push({
      name: 'Shipping refund',
      sale_line_id: null,
      quantity: 1,
      amount: shipping + lineTax(shipping, shipLine?.tax_ids ?? []),
    });
  }
  (doc.adjustments ?? []).forEach((a, i) => {
    const amount = money(a.amount, `${label} adjustment ${i + 1}`);
    if (amount) cnLines.push({ name: a.reason || 'Refund adjustment', sale_line_id: null, quantity: 1, amount });
  });
  return { cnLines, restock };
}

/** Whether a Shopify return (apply_return) already brings this line's goods back. */
function returnPending(core: DoubleCore, so: SaleOrder, line: SaleLine): boolean {
  return [...core.state.pickings.values()].some(
    (p) => p.return_gid && p.state !== 'cancel' && p.sale_order_id === so.id && p.moves.some((m) => m.product_id === line.product_id),
  );
}

/** cancel: lower the ordered quantity; return: receive the goods back now (`returns`, planned before any write). */
function restockGoods(core: DoubleCore, so: SaleOrder, items: Restock[], returns: ReturnPlan): void {
  for (const { line, qty, kind } of items) if (kind === 'cancel') line.quantity = Math.max(line.qty_delivered, line.quantity - qty);
  core.syncPickings(so);
  for (const picking of createReturnPickings(core, so, returns, null)) core.validateReturnPicking(picking);
}

/**
 * Which done deliveries the goods go back from: one return picking per delivered picking (Odoo
 * returns one picking at a time), to the warehouse of the first item's Shopify location (else the
 * delivery's). Refuses, before anything is written, to return more than was delivered.
 */
function planReturns(core: DoubleCore, so: SaleOrder, wanted: Wanted[], label: string): ReturnPlan {
  const plan: ReturnPlan = new Map();
  for (const { line, qty, locationGid } of wanted) {
    let remaining = qty;
    for (const picking of [...core.state.pickings.values()].filter(
      (p) => p.sale_order_id === so.id && p.picking_type === 'outgoing' && p.state === 'done',
    )) {
      for (const move of picking.moves.filter((m) => m.sale_line_id === line.id)) {
        const returned = [...core.state.pickings.values()]
          .filter((p) => p.return_of === picking.id && p.state !== 'cancel')
          .flatMap((p) => p.moves)
          .filter((m) => m.sale_line_id === line.id)
          .reduce((s, m) => s + m.quantity, 0);
        const take = Math.min(remaining, move.quantity_done - returned);
        if (take <= 0) continue;
        const entry = plan.get(picking) ?? { locationGid, items: [] };
        entry.items.push({ move, take });
        plan.set(picking, entry);
        remaining -= take;
      }
    }
    if (remaining > 0) throw validationError(`${label}: cannot return ${qty} × ${line.sku}: only ${qty - remaining} delivered`);
  }
  return plan;
}

function createReturnPickings(core: DoubleCore, so: SaleOrder, plan: ReturnPlan, returnGid: string | null): Picking[] {
  return [...plan].map(([origin, { locationGid, items }]) => {
    const picking = core.newPicking(core.warehouseFor(locationGid)?.id ?? origin.warehouse_id, 'incoming', so.id);
    picking.return_of = origin.id;
    picking.return_gid = returnGid;
    picking.moves = items.map(({ move, take }) => core.newMove(move.product_id, move.sale_line_id, take));
    return picking;
  });
}

export function applyReturn(core: DoubleCore, doc: ReturnDocument): ContractResult<'apply_return'> {
  const returnGid = gid(doc.return_gid, 'Return', 'return', 'return_gid');
  const orderGid = gid(doc.order_gid, 'Order', `return ${returnGid}`, 'order_gid');
  const label = `return ${returnGid}`;
  const existing = [...core.state.pickings.values()].filter((p) => p.return_gid === returnGid).sort((a, b) => a.id - b.id);
  if (['CANCELED', 'CANCELLED', 'DECLINED'].includes(String(doc.status ?? '').toUpperCase())) {
    // Declined or cancelled in Shopify: the goods will not come back.
    const open = existing.filter((p) => p.state !== 'done' && p.state !== 'cancel');
    for (const p of open) p.state = 'cancel';
    return { status: open.length ? 'cancelled' : 'unchanged', picking_id: existing[0]?.id ?? null, picking_ids: existing.map((p) => p.id) };
  }
  if (existing.length) return { status: 'unchanged', picking_id: existing[0]!.id, picking_ids: existing.map((p) => p.id) };
  const so = [...core.state.saleOrders.values()].find((o) => o.order_gid === orderGid);
  if (!so) throw validationError(`${label}: order ${orderGid} is not imported in Odoo`);
  const wanted: Wanted[] = [];
  (doc.lines ?? []).forEach((l, i) => {
    const qty = quantity(l.quantity, `${label} line ${i + 1}`);
    const line = saleLineOf(so, l);
    if (!line) throw validationError(`${label} line ${i + 1}: line ${l.line_gid} (SKU "${l.sku}") is not on order ${so.name}`);
    if (qty) wanted.push({ line, qty, locationGid: doc.location_gid ?? null });
  });
  if (!wanted.length) throw validationError(`${label}: no quantity to return`);
  const pickings = createReturnPickings(core, so, planReturns(core, so, wanted, label), returnGid);
  return { status: 'created', picking_id: pickings[0]!.id, picking_ids: pickings.map((p) => p.id) };
}
