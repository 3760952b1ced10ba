/**
 * The refunds area of the contract, money (the addon's models/shopify_sync_api_refunds.py):
 * apply_refund does to the order what the Shopify refund did (units that leave it, units the
 * customer keeps, the refunded discount share, shipping and adjustment lines) and, when the
 * order was invoiced, makes a credit note of exactly Shopify's amounts linked to those lines;
 * export_credit_note and refund_status. Goods coming back are ./returns.ts.
 */
import type { ContractParams, ContractResult, CreditNoteDocument, RefundDocument } from '../../../sidecar/odoo/contract.js';
import type { DoubleCore } from '../core.js';
import { validationError } from '../errors.js';
import { newBinding, type AccountLine, type CreditNote, type RefundRecord, type SaleLine, type SaleOrder } from '../state.js';
import { formatMoney, gid, money, quantity, useCurrency } from '../values.js';
import { inOrderMoney, refundCurrency, useOrderCurrency } from './currency.js';
import { creditNoteTaxAdjustment, outsideTolerance } from './taxes.js';
import { createReturnPickings, importedOrder, planReturns, receive, saleLineOf, type ReturnPlan, type Wanted } from './returns.js';

const RESTOCK_RETURN = ['return', 'legacy_restock'];
const MAX_REFUND_GIDS = 5000;

interface PlanItem {
  line: SaleLine;
  qty: number;
  subtotal: number;
  restock: string;
  locationGid: string | null;
  leave: number;
  kept: number;
  back: number;
}

export function applyRefund(core: DoubleCore, incoming: RefundDocument): ContractResult<'apply_refund'> {
  const refundGid = gid(incoming.refund_gid, 'Refund', 'refund', 'refund_gid');
  const orderGid = gid(incoming.order_gid, 'Order', `refund ${refundGid}`, 'order_gid');
  const label = `refund ${refundGid}`;
  const input = inOrderMoney(core, orderGid, incoming, label);
  // Amounts are exact in the order's shop currency's minor units (JPY 0, KWD 3 decimals).
  useOrderCurrency(core, orderGid);
  // Everything that can refuse the document is read before anything is written (the addon's
  // transaction is rolled back): the amounts first, even for a refund already applied.
  const checked = checkRefundDocument(label, input);
  const returnGid =
    input.return_gid === undefined || input.return_gid === null ? null : gid(input.return_gid, 'Return', label, 'return_gid');
  const record = [...core.state.refunds.values()].find((r) => r.refund_gid === refundGid);
  if (record && record.state !== 'pending') return refundResult(core, 'unchanged', record);
  const so = importedOrder(core, label, orderGid);
  // An order converted into the company currency has its refunds converted alike.
  const { doc, total } = refundCurrency(core, so, input, checked);
  useCurrency(so.currency);
  const echo = [...core.state.creditNotes.values()].find((c) => c.binding.shopify_gid === refundGid);
  const reflected = Boolean(record);
  const plan = refundPlan(core, label, so, doc, reflected);
  // A duty the order does not have is refused before anything is written.
  dutyRefundLines(label, so, doc);
  const goods = planGoodsBack(core, label, so, plan, returnGid);
  takeGoodsBack(core, so, goods, returnGid);
  let creditNote = echo;
  if (so.state === 'cancel') {
    // A cancelled order is not changed any more; what was invoiced is credited as is.
    if (!echo && core.invoiced(so)) creditNote = creditNoteRecord(core, so, refundGid, unlinkedCreditLines(core, label, so, doc));
  } else {
    const moneyLines = applyToOrder(core, label, so, doc, plan, Boolean(echo), reflected);
    if (echo && !reflected) echoDutyLines(core, so, echo, doc);
    if (echo && !reflected) echoFeeLines(core, so, echo, doc);
    if (!echo && core.invoiced(so) && (moneyLines.length || !reflected))
      creditNote = creditNoteRecord(core, so, refundGid, creditLines(core, plan, moneyLines, reflected));
  }
  return settleRefund(core, { record, so, refundGid, doc, creditNote, echo: Boolean(echo), total, reflected, label });
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
  (doc.duties ?? []).forEach((duty, i) => {
    gid(duty.duty_gid, 'Duty', `${label} duty ${i + 1}`, 'duty_gid');
    money(duty.amount, `${label} duty ${i + 1} amount`);
    money(duty.tax, `${label} duty ${i + 1} tax`);
  });
  let back = 0;
  (doc.adjustments ?? []).forEach((adjustment, i) => (back += Math.max(0, money(adjustment.amount, `${label} adjustment ${i + 1}`))));
  const editBalance = money(doc.edit_balance, `${label} edit_balance`);
  if (editBalance < 0 || editBalance > back)
    throw validationError(
      `${label} edit_balance: ${formatMoney(editBalance)} must be between 0 and the money refunded beyond the goods (${formatMoney(back)})`,
    );
  return money(doc.total, `${label} total`);
}

/** Per refund line: its product line, and how many units leave the order, stay with the customer or come back first. */
function refundPlan(core: DoubleCore, label: string, so: SaleOrder, doc: RefundDocument, reflected: boolean): PlanItem[] {
  const taken = new Map<SaleLine, { open: number; delivered: number }>();
  return (doc.lines ?? []).map((l, i) => {
    const where = `${label} line ${i + 1}`;
    const qty = quantity(l.quantity, where);
    const line = saleLineOf(so, l, where);
    const item: PlanItem = {
      line,
      qty,
      subtotal: money(l.subtotal, `${where} subtotal`),
      restock: l.restock_type || 'no_restock',
      locationGid: l.location_gid ?? null,
      leave: qty,
      kept: 0,
      back: 0,
    };
    if (!reflected && qty) splitUnits(core, so, item, taken, where);
    return item;
  });
}

/** Returned units come back from what was delivered; other units leave from what is not delivered first, the rest stays (kept). */
function splitUnits(
  core: DoubleCore,
  so: SaleOrder,
  item: PlanItem,
  taken: Map<SaleLine, { open: number; delivered: number }>,
  where: string,
) {
  const { line, qty } = item;
  const used = taken.get(line) ?? { open: 0, delivered: 0 };
  taken.set(line, used);
  const left = line.quantity - (line.kept_qty ?? 0) - used.open - used.delivered;
  if (qty > left) throw validationError(`${where}: cannot refund ${qty} × ${line.sku}: only ${Math.max(0, left)} left on order ${so.name}`);
  const open = Math.max(0, core.undelivered(line) - used.open);
  const delivered = Math.max(0, line.qty_delivered - used.delivered);
  if (RESTOCK_RETURN.includes(item.restock)) {
    item.back = Math.min(qty, delivered);
    used.delivered += item.back;
    used.open += qty - item.back;
  } else {
    const leave = Math.min(qty, open);
    item.leave = leave;
    item.kept = qty - leave;
    used.open += leave;
    used.delivered += qty - leave;
  }
}

interface GoodsBack {
  fromReturn: Map<number, number>;
  returnPickings: ReturnType<DoubleCore['picking']>[];
  plan: ReturnType<typeof planReturns>;
}

/**
 * Where returned units come back from: the open pickings of the Shopify return the refund closes,
 * then what that return's done pickings received already and no refund took off the order yet
 * (received in Odoo before the refund: nothing comes back twice), then new return pickings
 * (planned before any write).
 */
function planGoodsBack(core: DoubleCore, label: string, so: SaleOrder, plan: PlanItem[], returnGid: string | null): GoodsBack {
  const ofReturn = returnGid ? [...core.state.pickings.values()].filter((p) => p.return_gid === returnGid) : [];
  const returnPickings = ofReturn.filter((p) => p.state === 'assigned');
  const units = (pickings: typeof ofReturn, line: SaleLine) =>
    pickings
      .flatMap((p) => p.moves)
      .filter((m) => m.sale_line_id === line.id)
      .reduce((s, m) => s + m.quantity, 0);
  const fromReturn = new Map<number, number>();
  const received = new Map<number, number>();
  const wanted: Wanted[] = [];
  for (const item of plan) {
    if (!item.back) continue;
    const open = units(returnPickings, item.line);
    const use = Math.min(item.back, Math.max(0, open - (fromReturn.get(item.line.id) ?? 0)));
    if (use) fromReturn.set(item.line.id, (fromReturn.get(item.line.id) ?? 0) + use);
    const done = units(
      ofReturn.filter((p) => p.state === 'done'),
      item.line,
    );
    const unrefunded = Math.min(done, returnedNotRefunded(item.line)) - (received.get(item.line.id) ?? 0);
    const already = Math.min(item.back - use, Math.max(0, unrefunded));
    if (already) received.set(item.line.id, (received.get(item.line.id) ?? 0) + already);
    if (item.back > use + already) wanted.push({ line: item.line, qty: item.back - use - already, locationGid: item.locationGid });
  }
  return { fromReturn, returnPickings, plan: wanted.length ? planReturns(core, so, wanted, label) : (new Map() as ReturnPlan) };
}

/**
 * Units of the line still on the order and not delivered (nor kept): at most this many of a
 * return's received units are not refunded yet (a refund takes its units off the order).
 */
function returnedNotRefunded(line: SaleLine): number {
  return Math.max(0, line.quantity - (line.kept_qty ?? 0) - line.qty_delivered);
}

function takeGoodsBack(core: DoubleCore, so: SaleOrder, goods: GoodsBack, returnGid: string | null): void {
  if (goods.fromReturn.size) receive(core, goods.returnPickings, goods.fromReturn);
  if (goods.plan.size) {
    const created = createReturnPickings(core, so, goods.plan, returnGid);
    const quantities = new Map<number, number>();
    for (const m of created.flatMap((p) => p.moves))
      quantities.set(m.sale_line_id ?? -1, (quantities.get(m.sale_line_id ?? -1) ?? 0) + m.quantity);
    receive(core, created, quantities, true);
  }
}

/** The order after the refund: quantities, kept units, discounts, and (unless the money is a credit note made in Odoo) the refund's own lines. */
function applyToOrder(
  core: DoubleCore,
  label: string,
  so: SaleOrder,
  doc: RefundDocument,
  plan: PlanItem[],
  echo: boolean,
  reflected: boolean,
): SaleLine[] {
  for (const item of plan) {
    if (!reflected) {
      if (item.leave) item.line.quantity = Math.max(item.line.qty_delivered, item.line.quantity - item.leave);
      if (item.kept) item.line.kept_qty = (item.line.kept_qty ?? 0) + item.kept;
    }
    if (!echo && !reflected) refundDiscountShare(so, item);
  }
  const lines = echo ? [] : moneyLineValues(label, so, doc, plan).map((v) => ({ ...v, id: core.id(), qty_delivered: 0 }));
  so.lines.push(...lines);
  core.syncPickings(so);
  core.computeAmounts(so);
  return lines;
}

/**
 * A credit note made in Odoo that credits an additional fee: Shopify refunded it as money beyond
 * the goods (2026-10 has no refund field for a fee), so its current order still counts the fee.
 * The order keeps the fee line invoiced and takes the money back as a Shopify refund adjustment
 * would: a "refund adjustment" line mirroring the credit note's fee line, which that line then
 * credits instead (the addon's `_echo_fee_lines`).
 */
function echoFeeLines(core: DoubleCore, so: SaleOrder, creditNote: CreditNote, doc: RefundDocument): void {
  for (const l of creditNote.lines) {
    const fee = so.lines.find((x) => x.id === l.sale_line_id && x.role === 'fee');
    if (!fee || !l.quantity) continue;
    mirrorCreditLine(core, so, l, fee, {
      refund_gid: doc.refund_gid,
      role: 'refund_adjustment',
      name: `Additional fee refunded: ${fee.name}`,
    });
  }
  core.computeAmounts(so);
}

/**
 * Adds to the order a line taking back what a credit note line credits of `source` (its units,
 * price and taxes), and links the credit note line to it instead of `source`: the echo of a
 * credit note made in Odoo for a fee or a duty.
 */
function mirrorCreditLine(
  core: DoubleCore,
  so: SaleOrder,
  creditLine: CreditNote['lines'][number],
  source: SaleLine,
  fields: Pick<SaleLine, 'refund_gid' | 'role' | 'name'>,
): void {
  const line: SaleLine = {
    id: core.id(),
    product_id: null,
    sku: source.sku,
    line_gid: source.line_gid,
    ...fields,
    quantity: -creditLine.quantity,
    price_unit: creditLine.base / creditLine.quantity,
    tax_ids: [...creditLine.tax_ids],
    qty_delivered: 0,
  };
  so.lines.push(line);
  creditLine.sale_line_id = line.id;
}

/**
 * A credit note made in Odoo that Shopify refunded with its duties (refundDuties): Shopify's
 * current order no longer counts them, so the order takes them off as a Shopify refund would — a
 * refund line mirroring each duty line of the credit note, which that credit note line then
 * credits instead of the duty line (the addon's `_echo_duty_lines`).
 */
function echoDutyLines(core: DoubleCore, so: SaleOrder, creditNote: CreditNote, doc: RefundDocument): void {
  if (!doc.duties?.length) return;
  const gids = new Set(doc.duties.map((d) => d.duty_gid));
  for (const l of creditNote.lines) {
    if (l.kind !== 'duty' || !l.quantity) continue;
    const credited = so.lines.find((x) => x.id === l.sale_line_id && x.role === 'duty');
    const duty = credited ?? so.lines.find((x) => x.role === 'duty' && x.line_gid !== null && gids.has(x.line_gid));
    if (!duty) continue;
    mirrorCreditLine(core, so, l, duty, { refund_gid: doc.refund_gid, role: 'refund', name: `Duty refund: ${duty.name}` });
  }
  core.computeAmounts(so);
}

/** Units × unit price − Shopify's refunded subtotal: the refunded units' share of the line discount. */
const discountShare = (item: PlanItem) => item.line.price_unit * item.qty - item.subtotal;

function refundDiscountShare(so: SaleOrder, item: PlanItem): void {
  const share = discountShare(item);
  const discount = so.lines.find((l) => l.line_gid === item.line.line_gid && l.role === 'discount');
  if (share && discount) discount.price_unit = Math.min(0, discount.price_unit + share);
}

type MoneyLine = Omit<SaleLine, 'id' | 'qty_delivered'>;

/** The refund's own sale lines: units kept by the customer, shipping, adjustments. */
function moneyLineValues(label: string, so: SaleOrder, doc: RefundDocument, plan: PlanItem[]): MoneyLine[] {
  const refundGid = doc.refund_gid;
  const base = { product_id: null, sku: null, refund_gid: refundGid };
  const out: MoneyLine[] = plan
    .filter((item) => item.kept)
    .map((item) => ({
      ...base,
      line_gid: item.line.line_gid,
      role: 'refund',
      name: `Refunded, kept by the customer: ${item.line.name}`,
      quantity: -item.kept,
      price_unit: item.line.price_unit,
      tax_ids: [...item.line.tax_ids],
    }));
  const shipping = money(doc.shipping?.amount, `${label} shipping amount`);
  if (shipping) {
    const ship = so.lines.find((l) => l.role === 'shipping');
    out.push({
      ...base,
      line_gid: ship?.line_gid ?? 'shipping:1',
      role: 'refund',
      name: 'Shipping refund',
      quantity: -1,
      price_unit: shipping,
      tax_ids: [...(ship?.tax_ids ?? [])],
    });
  }
  out.push(...dutyRefundLines(label, so, doc));
  // The part of the money back that repays an order edit is credited by the edit itself (./edits.ts): never twice.
  let editBalance = money(doc.edit_balance, `${label} edit_balance`);
  (doc.adjustments ?? []).forEach((a, i) => {
    const given = money(a.amount, `${label} adjustment ${i + 1}`);
    const repaid = Math.min(editBalance, Math.max(given, 0));
    const amount = given - repaid;
    editBalance -= repaid;
    if (amount)
      out.push({
        ...base,
        line_gid: refundGid,
        role: 'refund_adjustment',
        name: `Refund adjustment: ${a.reason || 'refund discrepancy'}`,
        quantity: -1,
        price_unit: amount,
        tax_ids: [],
      });
  });
  return out;
}

/**
 * Duties given back: a negative line each on the duty's own sale line GID, with its taxes (the
 * duty tax given back is what Odoo computes on them; a rounding cent is the tax source's). A duty
 * the order does not have is refused naming it, before anything is written.
 */
function dutyRefundLines(label: string, so: SaleOrder, doc: RefundDocument): MoneyLine[] {
  return (doc.duties ?? []).flatMap((d, i) => {
    const amount = money(d.amount, `${label} duty ${i + 1} amount`);
    const duty = so.lines.find((l) => l.role === 'duty' && l.line_gid === d.duty_gid);
    if (!duty) throw validationError(`${label} duty ${i + 1}: duty ${d.duty_gid} is not on order ${so.name}`);
    if (!amount) return [];
    return [
      {
        product_id: null,
        sku: null,
        refund_gid: doc.refund_gid,
        line_gid: d.duty_gid,
        role: 'refund' as const,
        name: `Duty refund: ${duty.name}`,
        quantity: -1,
        price_unit: amount,
        tax_ids: [...duty.tax_ids],
      },
    ];
  });
}

const isDutyLine = (line: Pick<SaleLine, 'role' | 'line_gid'>): boolean =>
  line.role === 'duty' || (line.role === 'refund' && Boolean(line.line_gid?.startsWith('gid://shopify/Duty/')));

/**
 * The duty a credit note line credits: its sale line's (a duty line, or a duty's refund line),
 * else its own, else the order's only duty (the addon's `_credit_note_line`).
 */
function dutyGidOf(so: SaleOrder, line: AccountLine): string | null {
  const own = so.lines.find((x) => x.id === line.sale_line_id)?.line_gid ?? line.duty_gid;
  if (own?.startsWith('gid://shopify/Duty/')) return own;
  const duties = so.lines.filter((l) => l.role === 'duty');
  return duties.length === 1 ? duties[0]!.line_gid : null;
}

const kindOf = (line: SaleLine): AccountLine['kind'] =>
  line.role === 'product'
    ? 'product'
    : isDutyLine(line)
      ? 'duty'
      : line.role === 'shipping' || line.name === 'Shipping refund'
        ? 'shipping'
        : 'other';

/** The credit note's lines, linked to the sale lines they credit; the refunded discount share unlinked. */
function creditLines(core: DoubleCore, plan: PlanItem[], moneyLines: SaleLine[], reflected: boolean): AccountLine[] {
  const out: AccountLine[] = [];
  if (!reflected) {
    for (const item of plan) {
      if (item.leave) out.push(core.accountLine(item.line.name, item.line, 'product', item.leave, item.line.price_unit, item.line.tax_ids));
      const share = discountShare(item);
      if (item.qty && share) out.push(core.accountLine(`Discount: ${item.line.name}`, null, 'other', 1, -share, item.line.tax_ids));
    }
  }
  for (const line of moneyLines) out.push(core.accountLine(line.name, line, kindOf(line), -line.quantity, line.price_unit, line.tax_ids));
  return out;
}

/** Credit note lines straight from Shopify's amounts, not linked (a cancelled order). */
function unlinkedCreditLines(core: DoubleCore, label: string, so: SaleOrder, doc: RefundDocument): AccountLine[] {
  const out: AccountLine[] = [];
  (doc.lines ?? []).forEach((l, i) => {
    const line = saleLineOf(so, l, `${label} line ${i + 1}`);
    const subtotal = money(l.subtotal, `${label} line ${i + 1} subtotal`);
    if (!subtotal) return;
    const exact = l.quantity && subtotal % l.quantity === 0;
    out.push(
      core.accountLine(
        exact ? line.name : `${l.quantity} × ${line.name}`,
        null,
        'product',
        exact ? l.quantity : 1,
        exact ? subtotal / l.quantity : subtotal,
        line.tax_ids,
      ),
    );
  });
  for (const v of moneyLineValues(label, so, doc, [])) {
    const duty = v.role === 'refund' && isDutyLine(v);
    const line = core.accountLine(v.name, null, v.role !== 'refund' ? 'other' : duty ? 'duty' : 'shipping', 1, v.price_unit, v.tax_ids);
    out.push(duty && v.line_gid ? { ...line, duty_gid: v.line_gid } : line);
  }
  return out;
}

/** A draft credit note of `lines` reversing the order's posted invoice (a refund's, or an edit's: `refundGid` null). */
export function creditNoteRecord(core: DoubleCore, so: SaleOrder, refundGid: string | null, lines: AccountLine[]): CreditNote | undefined {
  if (!lines.length) return undefined;
  const id = core.id();
  const invoice = [...core.state.invoices.values()].find((inv) => inv.sale_order_id === so.id && inv.state === 'posted');
  const creditNote: CreditNote = {
    id,
    name: `RINV/${String(id).padStart(5, '0')}`,
    sale_order_id: so.id,
    refund_gid: refundGid,
    state: 'draft',
    amount_total: core.moveTotal(lines),
    reversed_invoice_id: invoice?.id ?? null,
    lines,
    binding: newBinding(refundGid),
  };
  core.state.creditNotes.set(id, creditNote);
  return creditNote;
}

/**
 * The addon's `_bind_edit_refunds`: the order's refunds that pay back edits and its edits' posted
 * credit notes, both oldest first (refunds in Shopify's order, credit notes in Odoo's), matched
 * cent by cent; a refund is bound to every credit note it pays part of (docs/flows.md, "The refund
 * that pays the customer back").
 */
export function bindEditRefunds(core: DoubleCore, so: SaleOrder): void {
  const owed = [...core.state.creditNotes.values()]
    .filter((c) => c.sale_order_id === so.id && c.edit && c.state === 'posted')
    .sort((a, b) => a.id - b.id)
    .map((c) => ({ id: c.id, left: c.amount_total }));
  const refunds = [...core.state.refunds.values()]
    .filter((r) => r.sale_order_id === so.id && r.state !== 'pending' && r.edit_balance)
    .sort((a, b) => (a.refunded_at ?? '').localeCompare(b.refunded_at ?? '') || a.refund_gid.localeCompare(b.refund_gid));
  let at = 0;
  for (const refund of refunds) {
    const paid = new Set<number>();
    let left = refund.edit_balance ?? 0;
    while (left > 0 && at < owed.length) {
      const take = Math.min(left, owed[at]!.left);
      paid.add(owed[at]!.id);
      left -= take;
      owed[at]!.left -= take;
      if (owed[at]!.left <= 0) at += 1;
    }
    refund.edit_credit_note_ids = [...paid].sort((a, b) => a - b);
  }
}

interface Settle {
  record: RefundRecord | undefined;
  so: SaleOrder;
  refundGid: string;
  doc: RefundDocument;
  creditNote: CreditNote | undefined;
  echo: boolean;
  total: number;
  reflected: boolean;
  label: string;
}

/** Post the credit note when its total equals Shopify's, else leave it in draft and flag it; record the refund either way. */
function settleRefund(core: DoubleCore, s: Settle): ContractResult<'apply_refund'> {
  let state: RefundRecord['state'] = 'applied';
  let message: string | null = null;
  const cn = s.creditNote;
  if (cn && !s.echo && cn.state === 'draft') {
    // The edit's part of the money is credited by the edit (never twice).
    const total = s.total - money(s.doc.edit_balance, `${s.label} edit_balance`);
    if (!s.reflected) creditNoteTaxAdjustment(core, cn, s.doc, total);
    if (s.reflected || !outsideTolerance(core, cn.amount_total, total)) {
      cn.state = 'posted';
      core.creditNotePosted(cn.id);
      core.setResult(cn.binding, 'synced');
    } else {
      state = 'flagged';
      message = `${s.label}: Odoo credit note total ${formatMoney(cn.amount_total)} differs from Shopify total ${formatMoney(total)}; left in draft`;
      core.setResult(cn.binding, 'error', { message });
    }
  }
  // What pays back edits credited on credit notes: an edit before invoicing has none (the invoice counts the lowered order).
  const editBalance = core.invoiced(s.so) ? money(s.doc.edit_balance, `${s.label} edit_balance`) : 0;
  const values = {
    sale_order_id: s.so.id,
    state,
    message,
    credit_note_id: cn?.id ?? null,
    amount_total: s.total,
    return_gid: s.doc.return_gid ?? null,
    origin: s.echo ? ('odoo' as const) : ('shopify' as const),
    refunded_at: s.doc.created_at ?? null,
    edit_balance: editBalance,
  };
  let record = s.record;
  if (record) Object.assign(record, values);
  else {
    const id = core.id();
    record = {
      id,
      refund_gid: s.refundGid,
      name: `${s.so.client_order_ref ?? s.so.name} refund ${s.refundGid.split('/').pop()}`,
      ...values,
    };
    core.state.refunds.set(id, record);
  }
  if (editBalance) bindEditRefunds(core, s.so);
  return refundResult(core, state === 'flagged' ? 'flagged' : 'created', record, message);
}

function refundResult(
  core: DoubleCore,
  status: ContractResult<'apply_refund'>['status'],
  record: RefundRecord,
  message: string | null = null,
): ContractResult<'apply_refund'> {
  const cn = record.credit_note_id === null ? undefined : core.state.creditNotes.get(record.credit_note_id);
  return {
    status,
    refund_id: record.id,
    credit_note_id: cn?.id ?? null,
    amount_total: formatMoney(cn ? cn.amount_total : record.amount_total),
    ...(message ? { message } : {}),
  };
}

/** A customer credit note of a Shopify order, for the sidecar to refund in Shopify. */
export function exportCreditNote(core: DoubleCore, doc: ContractParams<'export_credit_note'>): CreditNoteDocument {
  const moveId: unknown = doc.move_id;
  if (typeof moveId !== 'number' || !Number.isInteger(moveId)) throw validationError('export_credit_note: move_id must be an integer');
  const cn = core.state.creditNotes.get(moveId);
  if (!cn) throw validationError(`export_credit_note: ${moveId} is not a customer credit note`);
  const so = core.saleOrder(cn.sale_order_id);
  if (!so.order_gid) throw validationError(`export_credit_note: credit note ${cn.name} is not for a Shopify order`);
  return {
    move_id: cn.id,
    name: cn.name,
    state: cn.state,
    order_gid: so.order_gid,
    sale_order_id: so.id,
    refund_gid: cn.binding.shopify_gid ?? null,
    amount_total: formatMoney(cn.amount_total),
    currency: so.currency ?? core.state.settings.company_currency,
    money: so.shopify_money ?? 'shop',
    taxes_included: so.lines.some((l) => l.tax_ids.some((id) => core.state.taxes.get(id)?.price_include)),
    lines: cn.lines.map((l) => {
      const line = so.lines.find((x) => x.id === l.sale_line_id && x.role === 'product');
      return {
        line_gid: line?.line_gid ?? null,
        sku: line?.sku ?? null,
        role: line ? 'product' : l.kind,
        ...(l.kind === 'duty' ? { duty_gid: dutyGidOf(so, l) } : {}),
        quantity: l.quantity,
        open_quantity: line ? core.undelivered(line) : 0,
        price_subtotal: formatMoney(l.untaxed),
        price_total: formatMoney(l.amount),
      };
    }),
    waiting_returns: [...core.state.pickings.values()]
      .filter((p) => core.orderOf(p)?.id === so.id && core.returnHeld(p))
      .map((p) => p.id)
      .sort((a, b) => a - b),
  };
}

/** What Odoo holds for some Shopify refunds (the sidecar's daily reconciliation). */
export function refundStatus(core: DoubleCore, doc: ContractParams<'refund_status'>): ContractResult<'refund_status'> {
  const gids: unknown = doc.refund_gids;
  if (!Array.isArray(gids) || !gids.every((g) => typeof g === 'string'))
    throw validationError('refund_status: refund_gids must be a list of strings');
  if (gids.length > MAX_REFUND_GIDS) throw validationError(`refund_status: at most ${MAX_REFUND_GIDS} refund_gids per call`);
  const records = [...core.state.refunds.values()];
  return {
    refunds: gids.map((refundGid) => {
      const record = records.find((r) => r.refund_gid === refundGid);
      if (!record)
        return {
          refund_gid: refundGid,
          found: false,
          sale_order_id: null,
          state: null,
          amount_total: null,
          credit_note_id: null,
          credit_note_name: null,
          credit_note_state: null,
          credit_note_amount: null,
        };
      const cn = record.credit_note_id === null ? undefined : core.state.creditNotes.get(record.credit_note_id);
      return {
        refund_gid: refundGid,
        found: true,
        sale_order_id: record.sale_order_id,
        state: record.state,
        amount_total: formatMoney(record.amount_total),
        credit_note_id: cn?.id ?? null,
        credit_note_name: cn?.name ?? null,
        credit_note_state: cn?.state ?? null,
        credit_note_amount: cn ? formatMoney(cn.amount_total) : null,
      };
    }),
  };
}
