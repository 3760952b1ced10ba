/**
 * The orders area of the contract (the addon's models/shopify_sync_api_orders.py): apply_order
 * (every SKU resolved before anything is written; unmapped tax line → held in draft; totals that
 * differ by a cent → flagged), cancel_order, and order_status for the daily reconciliation.
 */
import type {
  Address,
  ApplyOrderResult,
  ContractParams,
  ContractResult,
  OrderDocument,
  OrderLine,
  OrderStatus,
  TaxLine,
} from '../../../sidecar/odoo/contract.js';
import type { DoubleCore } from '../core.js';
import { validationError } from '../errors.js';
import { newBinding, REFUND_ROLES, type LineRole, type Partner, type SaleLine, type SaleOrder, type Variant } from '../state.js';
import { contentHash, formatMoney, gid, money, quantity, useCurrency } from '../values.js';
import { addressValues, findByEmail, upsertCustomerRecord } from './customers.js';
import { bookedMoney, checkPriceDigits, orderCurrency } from './currency.js';
import { applyRemovals, creditEdit, removedAfterDelivery, type Removal } from './edits.js';
import { orderTaxAdjustment, outsideTolerance } from './taxes.js';

const PAID_STATUSES = new Set(['paid', 'partially_refunded', 'refunded']);
const MAX_IDS = 5000;

type LineValues = Omit<SaleLine, 'id' | 'qty_delivered'>;

/** The addon's gift card product (data/product_data.xml). */
const GIFT_CARD_SKU = 'SHOPIFY-GIFT-CARD';
const GIFT_CARD_NAME = 'Shopify gift card';

export function applyOrder(core: DoubleCore, incoming: OrderDocument): ApplyOrderResult {
  const orderGid = gid(incoming.order_gid, 'Order', 'order', 'order_gid');
  const label = `order ${incoming.name || orderGid}`;
  const { doc, booked } = bookedMoney(core, orderGid, label, incoming);
  // Amounts are exact in the document currency's minor units (JPY 0, KWD 3 decimals).
  useCurrency(doc.currency);
  // Everything that can refuse the document is read before anything is written: a refused
  // document changes nothing (the addon's transaction is rolled back). Amounts and the
  // customer's GID first, even for a document already applied, as the addon checks them.
  const total = checkOrderDocument(label, doc);
  let so = [...core.state.saleOrders.values()].find((o) => o.order_gid === orderGid);
  const hash = contentHash(doc);
  if (so) {
    if (so.updated_at && doc.updated_at && Date.parse(doc.updated_at) < Date.parse(so.updated_at)) {
      return orderResult(so, 'unchanged', `${label}: document older than the applied one, ignored`);
    }
    if (so.document_hash === hash) return orderResult(so, 'unchanged');
    const first = refundsFirst(core, so, label, doc);
    if (first) return first;
  }
  const missing: string[] = [];
  const flags: string[] = [];
  const inCurrency = orderCurrency(core, label, doc, total, missing, booked);
  checkPriceDigits(core, inCurrency.currency, missing);
  // Converted into the company currency: read and written with its decimals from here.
  useCurrency(inCurrency.doc.currency);
  const resolved = resolveSkus(core, label, inCurrency.doc);
  checkCurrentCharges(inCurrency.doc, so ?? null, inCurrency.roundings > 0, missing);
  const linesVals = orderLineValues(core, label, inCurrency.doc, resolved, missing);
  // An order whose customer was erased keeps its anonymised contacts and gets no note (as the addon).
  const erasedOwner = so ? core.state.partners.get(so.partner_id)?.erased === true : false;
  const { partner, invoice, delivery } = erasedOwner
    ? { partner: core.partner(so!.partner_id), invoice: so!.partner_invoice_id, delivery: so!.partner_shipping_id }
    : orderPartners(core, label, doc);
  const warehouse = core.warehouseFor(doc.location_gid);
  const notes: string[] = [];
  if (doc.location_gid && !warehouse) notes.push(`${label}: Shopify location ${doc.location_gid} is not mapped; default warehouse used`);
  let status: ApplyOrderResult['status'] = so ? 'updated' : 'created';
  const header = {
    partner_invoice_id: invoice,
    partner_shipping_id: delivery,
    client_order_ref: doc.name ?? null,
    financial_status: doc.financial_status ?? null,
    fulfillment_status: doc.fulfillment_status ?? null,
    updated_at: doc.updated_at ?? null,
    presentment_currency: doc.presentment_currency ?? null,
    taxes_included: Boolean(doc.taxes_included),
    currency: inCurrency.currency,
    shopify_currency: doc.currency ?? null,
    shopify_money: booked,
    shopify_created_at: doc.created_at ?? null,
    ...(doc.note && !erasedOwner && !partner.erased ? { note: doc.note } : {}),
  };
  if (!so) {
    const id = core.id();
    so = {
      id,
      name: `S${String(id).padStart(5, '0')}`,
      partner_id: partner.id,
      state: 'draft',
      warehouse_id: warehouse?.id ?? core.defaultWarehouseId(),
      order_gid: orderGid,
      note: null,
      needs_return: false,
      lines: linesVals.map((v) => ({ ...v, id: core.id(), qty_delivered: 0 })),
      amount_untaxed: 0,
      amount_tax: 0,
      amount_total: 0,
      document_hash: null,
      binding: newBinding(orderGid),
      ...header,
    };
    core.state.saleOrders.set(id, so);
    const pending = missingRefunds(core, null, doc);
    if (pending.length) return recordPendingRefunds(core, so, pending);
  } else if (so.state === 'draft') {
    // The refunds' own lines stay; product lines keep the units their refunds left.
    const kept = keptUnits(so);
    const refundLines = so.lines.filter((l) => REFUND_ROLES.includes(l.role));
    const lines = linesVals.map((v) => ({ ...withKept(v, kept), id: core.id(), qty_delivered: 0 }));
    Object.assign(so, header, { partner_id: partner.id, lines: [...lines, ...refundLines] });
    if (warehouse) so.warehouse_id = warehouse.id;
  } else if (so.state === 'sale') {
    const confirmed = so;
    const delivered = [...core.state.pickings.values()].some(
      (p) => p.sale_order_id === confirmed.id && p.state === 'done' && p.picking_type === 'outgoing',
    );
    Object.assign(so, header, delivered ? { partner_shipping_id: so.partner_shipping_id } : {});
    updateConfirmedLines(core, so, linesVals, { label, notes, flags, total: inCurrency.total });
  } else {
    Object.assign(so, {
      financial_status: header.financial_status,
      fulfillment_status: header.fulfillment_status,
      updated_at: header.updated_at,
      presentment_currency: header.presentment_currency,
    });
  }
  core.computeAmounts(so);
  orderTaxAdjustment(core, so, inCurrency.doc, inCurrency.total, missing, (o) => comparableTotal(core, o), inCurrency.roundings);

  // Totals check: equal to the cent (or within the odoo tax source's tolerance), else flagged.
  let message: string | null = null;
  if (missing.length) {
    status = 'held';
    message = `${label} held: ${missing.join('; ')}`;
  } else if (flags.length) {
    // An edit removed delivered units under the "flag" policy (./edits.ts).
    status = 'flagged';
    message = flags.join('; ');
  } else if (so.state !== 'cancel' && outsideTolerance(core, comparableTotal(core, so), inCurrency.total)) {
    status = 'flagged';
    message = `${label}: Odoo total ${formatMoney(so.amount_total)} differs from Shopify total_price ${formatMoney(inCurrency.total)}`;
  }
  if (notes.length && !message) message = notes.join('; ');
  if (status === 'created' || status === 'updated') {
    if (so.state === 'draft' && shouldConfirm(core, doc)) so.state = 'sale';
    core.syncPickings(so);
    core.setResult(so.binding, 'synced', { hash });
    so.document_hash = hash;
    if (notes.length) so.binding.message = message;
  } else {
    so.document_hash = null;
    core.setResult(so.binding, 'error', { message });
  }
  if (doc.cancelled_at && so.state !== 'cancel') cancel(core, so, label);
  return orderResult(so, status, message);
}

/**
 * The addon's `_check_order_document`: every amount (lines, shipping lines, their tax lines, the
 * document's totals) by the money rule and the embedded customer's GID, in the addon's order, so
 * the first problem named is the same. Returns total_price in cents.
 */
function checkOrderDocument(label: string, doc: OrderDocument): number {
  const lines = (doc.lines ?? []).map((line, i) => ({ where: `${label} line ${i + 1}`, part: line }));
  const ships = (doc.shipping_lines ?? []).map((ship, i) => ({ where: `${label} shipping line ${i + 1}`, part: ship }));
  for (const { where, part } of lines) for (const field of ['price_unit', 'discount'] as const) money(part[field], `${where} ${field}`);
  for (const { where, part } of ships) for (const field of ['price', 'discount'] as const) money(part[field], `${where} ${field}`);
  const duties = (doc.duties ?? []).map((duty, i) => ({ where: `${label} duty ${i + 1}`, part: duty }));
  for (const { where, part } of duties) {
    gid(part.duty_gid, 'Duty', where, 'duty_gid');
    money(part.price, `${where} price`);
  }
  const fees = (doc.additional_fees ?? []).map((fee, i) => ({ where: `${label} additional fee ${i + 1}`, part: fee }));
  for (const { where, part } of fees) {
    gid(part.fee_gid, 'AdditionalFee', where, 'fee_gid');
    money(part.price, `${where} price`);
  }
  for (const { where, part } of [...lines, ...ships, ...duties, ...fees]) {
    (part.tax_lines ?? []).forEach((taxLine, j) => money(taxLine.amount, `${where} tax line ${j + 1} amount`));
  }
  for (const field of ['subtotal_price', 'total_tax', 'total_discounts'] as const) money(doc[field], `${label} ${field}`);
  for (const field of ['current_total_duties', 'current_total_additional_fees'] as const)
    if (doc[field] !== undefined) money(doc[field], `${label} ${field}`);
  const customer: unknown = doc.customer;
  if (customer && typeof customer === 'object' && !Array.isArray(customer)) {
    const customerGid = (customer as { customer_gid?: unknown }).customer_gid;
    if (customerGid !== undefined && customerGid !== null) gid(customerGid, 'Customer', `${label} customer`, 'customer_gid');
  }
  return money(doc.total_price, `${label} total_price`);
}

/**
 * The addon's `_check_current_charges`: an order whose duties are inside its product prices, or
 * whose current duty or fee totals differ from what Odoo books (an order edit changed them, and
 * Shopify does not say which duty or fee by how much), is held with the reason (docs/flows.md,
 * "Duties"). Under "Convert with Odoo's rates" each converted amount may be a cent off.
 */
function checkCurrentCharges(doc: OrderDocument, so: SaleOrder | null, converted: boolean, missing: string[]): void {
  if (doc.duties_included)
    missing.push(
      'dutiesIncluded is true (duties inside the product prices), which the connector does not book: ' +
        'its duty lines would count the duties a second time; book the order by hand',
    );
  const duties = doc.duties ?? [];
  if (doc.current_total_duties !== undefined && duties.length) {
    const gids = new Set(duties.map((d) => d.duty_gid));
    const refunds = (so?.lines ?? []).filter((l) => l.role === 'refund' && l.line_gid !== null && gids.has(l.line_gid));
    const charged = duties.reduce((sum, d) => sum + money(d.price, 'duty price'), 0);
    const refunded = -refunds.reduce((sum, l) => sum + Math.round(l.price_unit * l.quantity), 0);
    const current = money(doc.current_total_duties, 'current_total_duties');
    const tolerance = converted ? duties.length + refunds.length : 0;
    if (Math.abs(charged - refunded - current) > tolerance)
      missing.push(
        `currentTotalDutiesSet is ${formatMoney(current)} but the duties Odoo books come to ${formatMoney(charged - refunded)} ` +
          `(charged ${formatMoney(charged)}, refunded ${formatMoney(refunded)}): an order edit in Shopify changed the duties ` +
          'and Shopify does not say which duty by how much (Duty.price stays what was charged), so the connector does not ' +
          'book it; book the difference by hand',
      );
  }
  const fees = doc.additional_fees ?? [];
  if (doc.current_total_additional_fees !== undefined && fees.length) {
    const charged = fees.reduce((sum, f) => sum + money(f.price, 'additional fee price'), 0);
    const current = money(doc.current_total_additional_fees, 'current_total_additional_fees');
    if (Math.abs(charged - current) > (converted ? fees.length : 0))
      missing.push(
        `currentTotalAdditionalFeesSet is ${formatMoney(current)} but the additional fees come to ${formatMoney(charged)}: ` +
          'an order edit in Shopify changed them and Shopify does not say which fee by how much (AdditionalFee.price ' +
          'stays what was charged), so the connector does not book it; book the difference by hand',
      );
  }
}

/** Every line's SKU must name exactly one Odoo variant: an unknown SKU creates nothing. */
function resolveSkus(core: DoubleCore, label: string, doc: OrderDocument): Array<{ line: OrderLine; variant: Variant | null }> {
  return (doc.lines ?? []).map((line, index) => {
    // A gift card sold: the gift card product whatever its SKU (usually none), never a refusal.
    if (line.gift_card === true) return { line, variant: null };
    const matches = line.sku ? [...core.state.variants.values()].filter((v) => v.sku === line.sku) : [];
    if (!matches.length)
      throw validationError(
        line.sku ? `${label} line ${index + 1}: SKU "${line.sku}" is unknown in Odoo` : `${label} line ${index + 1}: the line has no SKU`,
      );
    if (matches.length > 1) throw validationError(`${label} line ${index + 1}: SKU "${line.sku}" is used by several Odoo products`);
    return { line, variant: matches[0]! };
  });
}

function orderResult(so: SaleOrder, status: ApplyOrderResult['status'], message: string | null = null): ApplyOrderResult {
  const result: ApplyOrderResult = {
    status,
    sale_order_id: so.id,
    name: so.name,
    state: so.state,
    amount_total: formatMoney(so.amount_total),
  };
  if (message) result.message = message;
  return result;
}

function shouldConfirm(core: DoubleCore, doc: OrderDocument): boolean {
  if (doc.cancelled_at) return false;
  if (core.state.settings.import_policy === 'paid') return PAID_STATUSES.has(String(doc.financial_status ?? '').toLowerCase());
  return true;
}

/** The Odoo taxes mapped to each Shopify tax line; a line without a mapping is reported in `missing`. */
function resolveTaxes(
  core: DoubleCore,
  where: string,
  taxLines: TaxLine[] | undefined,
  taxesIncluded: boolean,
  missing: string[],
): number[] {
  const ids: number[] = [];
  for (const tl of taxLines ?? []) {
    const title = String(tl.title ?? '')
      .trim()
      .toLowerCase();
    const mapping = core.state.settings.tax_mapping.find(
      (m) => m.title.trim().toLowerCase() === title && Math.abs(m.rate - Number(tl.rate ?? 0)) < 1e-6,
    );
    const tax = mapping ? core.state.taxes.get(mapping.tax_id) : undefined;
    if (!tax) {
      missing.push(`no tax mapping for Shopify tax "${tl.title}" at rate ${tl.rate} (${where})`);
      continue;
    }
    if (tax.price_include !== taxesIncluded) {
      missing.push(
        `tax mapping "${tl.title}" ${tl.rate} → ${tax.name}: Odoo tax is ${tax.price_include ? '' : 'not '}price-included but the order ${taxesIncluded ? 'includes' : 'excludes'} taxes (${where})`,
      );
      continue;
    }
    if (!ids.includes(tax.id)) ids.push(tax.id);
  }
  return ids;
}

function orderLineValues(
  core: DoubleCore,
  label: string,
  doc: OrderDocument,
  resolved: Array<{ line: OrderLine; variant: Variant | null }>,
  missing: string[],
): LineValues[] {
  const included = Boolean(doc.taxes_included);
  const out: LineValues[] = [];
  resolved.forEach(({ line, variant }, i) => {
    const where = `line ${i + 1}`;
    const qty = quantity(line.quantity, `${label} ${where}`);
    const price = money(line.price_unit, `${label} ${where} price_unit`);
    const discount = money(line.discount, `${label} ${where} discount`);
    const taxIds = resolveTaxes(core, where, line.tax_lines, included, missing);
    const name = line.title || (variant ? variant.sku : GIFT_CARD_NAME) || '';
    out.push({
      line_gid: line.line_gid,
      role: 'product',
      product_id: variant ? variant.id : null,
      sku: variant ? variant.sku : GIFT_CARD_SKU,
      ...(variant ? {} : { gift_card: true }),
      name,
      quantity: qty,
      price_unit: price,
      tax_ids: taxIds,
    });
    // Line discounts are amounts: a separate negative line keeps them exact to the cent.
    if (discount)
      out.push({
        line_gid: line.line_gid,
        role: 'discount',
        product_id: null,
        sku: null,
        name: `Discount: ${name}`,
        quantity: 1,
        price_unit: -discount,
        tax_ids: taxIds,
      });
  });
  (doc.shipping_lines ?? []).forEach((ship, i) => {
    // Removed by an order edit (contract 1.8): nothing booked; its place keeps the later keys, and
    // a confirmed order's line for it goes to quantity 0 (credited once invoiced).
    if (ship.removed === true) return;
    const where = `shipping line ${i + 1}`;
    const price = money(ship.price, `${label} ${where} price`);
    const discount = money(ship.discount, `${label} ${where} discount`);
    const taxIds = resolveTaxes(core, where, ship.tax_lines, included, missing);
    const key = `shipping:${i + 1}`;
    out.push({
      line_gid: key,
      role: 'shipping',
      product_id: null,
      sku: null,
      name: ship.title || 'Shipping',
      quantity: 1,
      price_unit: price,
      tax_ids: taxIds,
    });
    if (discount)
      out.push({
        line_gid: key,
        role: 'shipping_discount',
        product_id: null,
        sku: null,
        name: `Shipping discount: ${ship.title ?? ''}`.trim(),
        quantity: 1,
        price_unit: -discount,
        tax_ids: taxIds,
      });
  });
  out.push(...dutyLineValues(core, label, doc, missing));
  out.push(...feeLineValues(core, label, doc, missing));
  return out;
}

/** Additional fees: one service line each, with the taxes of its tax lines (the addon's additional fees product). */
function feeLineValues(core: DoubleCore, label: string, doc: OrderDocument, missing: string[]): LineValues[] {
  const included = Boolean(doc.taxes_included);
  return (doc.additional_fees ?? []).map((fee, i) => {
    const where = `additional fee ${i + 1}`;
    return {
      line_gid: fee.fee_gid,
      role: 'fee',
      product_id: null,
      // The addon's additional fees product's internal reference.
      sku: 'SHOPIFY-FEES',
      name: `Additional fee: ${fee.name || 'Shopify additional fees'}`,
      quantity: 1,
      price_unit: money(fee.price, `${label} ${where} price`),
      tax_ids: resolveTaxes(core, where, fee.tax_lines, included, missing),
    };
  });
}

/** Import duties: one service line each, with the taxes of its tax lines (the addon's duties product). */
function dutyLineValues(core: DoubleCore, label: string, doc: OrderDocument, missing: string[]): LineValues[] {
  const included = Boolean(doc.taxes_included);
  return (doc.duties ?? []).map((duty, i) => {
    const where = `duty ${i + 1}`;
    const line = (doc.lines ?? []).find((l) => l.line_gid === duty.line_gid);
    return {
      line_gid: duty.duty_gid,
      role: 'duty',
      product_id: null,
      // The addon's duties product's internal reference.
      sku: 'SHOPIFY-DUTIES',
      name: dutyName(line?.title ?? line?.sku ?? null, duty.harmonized_system_code ?? null),
      quantity: 1,
      price_unit: money(duty.price, `${label} ${where} price`),
      tax_ids: resolveTaxes(core, where, duty.tax_lines, included, missing),
    };
  });
}

/** The name of a duty line: "Duties: <line title> (HS <code>)", as the addon names it. */
export function dutyName(title: string | null, hsCode: string | null): string {
  return `Duties: ${title ?? 'Shopify line'}${hsCode ? ` (HS ${hsCode})` : ''}`;
}

/** Units refunds left on product lines (delivered, kept by the customer), by Shopify line GID. */
function keptUnits(so: SaleOrder): Map<string, number> {
  return new Map(so.lines.filter((l) => l.role === 'product' && l.line_gid && l.kept_qty).map((l) => [l.line_gid!, l.kept_qty!]));
}

/** A product line's values with the units refunds left on it (Shopify's current quantity no longer counts them). */
function withKept(vals: LineValues, kept: ReadonlyMap<string, number>): LineValues {
  const extra = vals.role === 'product' && vals.line_gid ? kept.get(vals.line_gid) : undefined;
  return extra ? { ...vals, quantity: vals.quantity + extra, kept_qty: extra } : vals;
}

/** The order's total as Shopify's current total counts it: without the refund adjustments. */
function comparableTotal(core: DoubleCore, so: SaleOrder): number {
  const adjustments = so.lines
    .filter((l) => l.role === 'refund_adjustment')
    .reduce((s, l) => {
      const a = core.lineAmounts(l.price_unit, l.quantity, l.tax_ids);
      return s + a.untaxed + a.tax;
    }, 0);
  return so.amount_total - adjustments;
}

/** The document's refunds Odoo has not applied (a pending one is counted in the quantities, its money not applied yet). */
function missingRefunds(core: DoubleCore, so: SaleOrder | null, doc: OrderDocument): string[] {
  const gids: unknown = doc.refund_gids ?? [];
  if (!Array.isArray(gids) || !gids.every((g) => typeof g === 'string'))
    throw validationError('order: refund_gids must be a list of strings');
  const applied = new Set(
    [...core.state.refunds.values()].filter((r) => so && r.sale_order_id === so.id && r.state !== 'pending').map((r) => r.refund_gid),
  );
  return gids.filter((g) => !applied.has(g));
}

/**
 * For an order Odoo has: `refunds_pending` (nothing written) while one of the document's refunds
 * is not applied; `unchanged` for a document older than a refund Odoo applied.
 */
function refundsFirst(core: DoubleCore, so: SaleOrder, label: string, doc: OrderDocument): ApplyOrderResult | null {
  if (doc.refund_gids === undefined || doc.refund_gids === null) return null;
  const listed = new Set(doc.refund_gids);
  const newer = [...core.state.refunds.values()].find(
    (r) => r.sale_order_id === so.id && r.state !== 'pending' && !listed.has(r.refund_gid),
  );
  if (newer) return orderResult(so, 'unchanged', `${label}: document older than refund ${newer.refund_gid}, which Odoo applied; ignored`);
  const pending = missingRefunds(core, so, doc);
  if (!pending.length) return null;
  return { ...orderResult(so, 'refunds_pending', `${label}: apply refunds ${pending.join(', ')} first`), refund_gids: pending };
}

/** A new order whose document already excludes refunded units: the refunds are recorded as counted (pending); the order stays in draft. */
function recordPendingRefunds(core: DoubleCore, so: SaleOrder, gids: string[]): ApplyOrderResult {
  for (const refundGid of gids) {
    if ([...core.state.refunds.values()].some((r) => r.refund_gid === refundGid)) continue;
    const id = core.id();
    core.state.refunds.set(id, {
      id,
      name: `${so.client_order_ref ?? so.name} refund ${refundGid.split('/').pop()}`,
      refund_gid: refundGid,
      sale_order_id: so.id,
      state: 'pending',
      amount_total: 0,
      credit_note_id: null,
      return_gid: null,
      origin: 'shopify',
      message: null,
    });
  }
  core.computeAmounts(so);
  core.setResult(so.binding, 'pending');
  return {
    ...orderResult(so, 'refunds_pending', `order ${so.client_order_ref}: apply refunds ${gids.join(', ')} first`),
    refund_gids: gids,
  };
}

/**
 * Mirrors an edit on a confirmed order: lines matched by (Shopify line GID, role). New lines and
 * higher quantities get a delivery (syncPickings); units removed after Odoo delivered them follow
 * the company's policy and what leaves an invoiced order is credited (./edits.ts); a charge
 * invoiced at another price is repriced on its own (repriceInvoicedCharge).
 */
function updateConfirmedLines(
  core: DoubleCore,
  so: SaleOrder,
  linesVals: LineValues[],
  out: { label: string; notes: string[]; flags: string[]; total: number },
): void {
  const key = (l: { line_gid: string | null; role: LineRole }) => `${l.line_gid}|${l.role}`;
  const existing = new Map(
    so.lines
      .filter((l) => l.line_gid && !REFUND_ROLES.includes(l.role) && l.role !== 'tax_adjustment' && l.role !== 'raised')
      .map((l) => [key(l), l]),
  );
  const kept = keptUnits(so);
  const seen = new Set<string>();
  const removals: Removal[] = [];
  const touched: SaleLine[] = [];
  const discounts: Array<{ line: SaleLine; share: number }> = [];
  const repriced: Array<{ line: SaleLine; amount: number }> = [];
  let raised = false;
  for (const vals of linesVals.map((v) => withKept(v, kept))) {
    const line = existing.get(key(vals));
    seen.add(key(vals));
    if (!line) {
      so.lines.push({ ...vals, id: core.id(), qty_delivered: 0 });
      raised = true;
      continue;
    }
    const removed = removedAfterDelivery(line, vals.quantity);
    if (removed) removals.push({ line, qty: removed });
    const target = vals.quantity + removed;
    if (target < line.quantity) touched.push(line);
    else if (target > line.quantity) raised = true;
    let price = vals.price_unit;
    if (chargeInvoiced(core, so, line)) {
      const repricedCharge = repriceInvoicedCharge(core, so, line, vals, target, repriced);
      price = repricedCharge.price;
      raised = repricedCharge.raised || raised;
      touched.push(...repricedCharge.credited);
    } else if (vals.price_unit !== line.price_unit) raised = editPrice(line, vals.price_unit, discounts) || raised;
    Object.assign(line, { quantity: target, price_unit: price, tax_ids: vals.tax_ids, kept_qty: line.kept_qty });
  }
  for (const [k, line] of existing) {
    if (seen.has(k) || !line.quantity) continue;
    const removed = removedAfterDelivery(line, 0);
    if (removed) removals.push({ line, qty: removed });
    if (line.quantity > removed) {
      line.quantity = removed;
      touched.push(line, ...zeroRaises(core, so, line));
    }
  }
  touched.push(...applyRemovals(core, so, removals, out.label, out.notes, out.flags));
  creditEdit(core, so, touched, out.label, out.notes, discounts, raised ? null : out.total, repriced);
}

/** The addon's `_edit_price`: true when a line's new price raises what the order charges; a discount line lowered by removed units gives its share back. */
function editPrice(line: SaleLine, price: number, discounts: Array<{ line: SaleLine; share: number }>): boolean {
  const share = price - line.price_unit;
  // Units removed take their share of the line discount with them (the addon's DISCOUNT_ROLES).
  if (share > 0 && (line.role === 'discount' || line.role === 'shipping_discount')) {
    discounts.push({ line, share });
    return false;
  }
  return true;
}

/** The addon's `_charge_invoiced`: a shipping line, duty or fee (its CHARGE_ROLES) Odoo invoiced. */
const chargeInvoiced = (core: DoubleCore, so: SaleOrder, line: SaleLine): boolean =>
  ['duty', 'fee', 'shipping'].includes(line.role) && core.qtyInvoiced(line) > 0 && core.invoiced(so);

/** The supplement lines of a charge line (the addon's `_raises`). */
const raisesOf = (so: SaleOrder, line: SaleLine): SaleLine[] => so.lines.filter((l) => l.role === 'raised' && l.line_gid === line.line_gid);

/** The addon's `_zero_raises`: a charge line gone takes its supplements with it; the invoiced ones are returned, to credit. */
function zeroRaises(core: DoubleCore, so: SaleOrder, line: SaleLine): SaleLine[] {
  const gone = raisesOf(so, line).filter((l) => l.quantity);
  for (const l of gone) l.quantity = 0;
  return gone.filter((l) => core.qtyInvoiced(l) > 0);
}

/**
 * The addon's `_reprice_invoiced_charge`: Shopify's price of an invoiced charge against what Odoo
 * books for it (the line's price plus its invoiced supplements). Above: the one supplement not
 * invoiced yet carries the difference ("Raised in Shopify: <line>"); below: that supplement goes
 * to 0 and the rest is credited (`repriced`), taken off the invoiced supplements, newest first,
 * then off the line.
 */
function repriceInvoicedCharge(
  core: DoubleCore,
  so: SaleOrder,
  line: SaleLine,
  vals: LineValues,
  target: number,
  repriced: Array<{ line: SaleLine; amount: number }>,
): { price: number; raised: boolean; credited: SaleLine[] } {
  // Removed: the line and its supplements are credited at what they booked.
  if (!target) return { price: line.price_unit, raised: false, credited: zeroRaises(core, so, line) };
  const raises = raisesOf(so, line);
  const billed = raises.filter((l) => core.qtyInvoiced(l) > 0 && l.quantity);
  const pending = raises.find((l) => !core.qtyInvoiced(l));
  const difference = vals.price_unit - line.price_unit - billed.reduce((sum, l) => sum + l.price_unit, 0);
  if (difference <= 0) {
    if (pending) pending.quantity = 0;
    if (difference) repriced.push({ line, amount: -difference });
    let left = -difference;
    for (const l of [...billed].sort((a, b) => b.id - a.id)) {
      const take = Math.min(left, l.price_unit);
      l.price_unit -= take;
      left -= take;
    }
    return { price: line.price_unit - left, raised: false, credited: [] };
  }
  const supplement = { quantity: 1, name: `Raised in Shopify: ${line.name}`, price_unit: difference, tax_ids: vals.tax_ids };
  if (pending) Object.assign(pending, supplement);
  else
    so.lines.push({
      ...supplement,
      id: core.id(),
      line_gid: line.line_gid,
      role: 'raised',
      product_id: line.product_id,
      sku: line.sku,
      qty_delivered: 0,
    });
  return { price: line.price_unit, raised: true, credited: [] };
}

/** The customer (upserted when it has a GID, else matched by email or created as a guest) and its invoice and delivery addresses. */
function orderPartners(core: DoubleCore, label: string, doc: OrderDocument) {
  const customer = doc.customer;
  let partner: Partner | undefined;
  if (customer?.customer_gid) {
    partner = upsertCustomerRecord(core, customer).partner;
    // An erased customer's addresses are never written again (privacy requests).
    if (partner.erased) return { partner, invoice: partner.id, delivery: partner.id };
  } else {
    const address = doc.billing_address ?? doc.shipping_address ?? null;
    const email = customer?.email ?? null;
    partner = findByEmail(core, email);
    partner ??= core.createPartner({
      ...(address ? addressValues(address) : {}),
      name: address?.name || email || `Shopify guest ${label}`,
      email: email || null,
      phone: address?.phone || null,
    });
  }
  const owner = partner;
  const child = (address: Address | null | undefined, type: 'invoice' | 'delivery'): number => {
    if (!address) return owner.id;
    const values = { ...addressValues(address), name: address.name || owner.name, phone: address.phone || null };
    const same = [...core.state.partners.values()].find(
      (p) =>
        p.parent_id === owner.id && p.type === type && (Object.keys(values) as Array<keyof typeof values>).every((k) => p[k] === values[k]),
    );
    return (same ?? core.createPartner({ ...values, parent_id: owner.id, type })).id;
  };
  return { partner, invoice: child(doc.billing_address, 'invoice'), delivery: child(doc.shipping_address, 'delivery') };
}

export function cancelOrder(core: DoubleCore, doc: ContractParams<'cancel_order'>): ContractResult<'cancel_order'> {
  const orderGid = gid(doc.order_gid, 'Order', 'cancel_order', 'order_gid');
  const so = [...core.state.saleOrders.values()].find((o) => o.order_gid === orderGid);
  if (!so) return { status: 'not_found', sale_order_id: null };
  if (so.state === 'cancel') return { status: 'already_cancelled', sale_order_id: so.id };
  return { status: cancel(core, so, `order ${so.client_order_ref || orderGid}`), sale_order_id: so.id };
}

function cancel(core: DoubleCore, so: SaleOrder, label: string): 'cancelled' | 'needs_return' {
  const delivered = [...core.state.pickings.values()].filter(
    (p) => p.sale_order_id === so.id && p.picking_type === 'outgoing' && p.state === 'done',
  );
  if (delivered.length) {
    // Goods already left: cancelling cannot bring them back. Flag for a return.
    so.needs_return = true;
    core.setResult(so.binding, 'error', {
      message: `${label}: cancelled in Shopify after delivery (${delivered.map((p) => p.name).join(', ')}); a return is needed`,
    });
    return 'needs_return';
  }
  so.state = 'cancel';
  for (const p of core.state.pickings.values()) {
    if (p.sale_order_id === so.id && p.state === 'assigned') {
      p.state = 'cancel';
      for (const m of p.moves) m.reserved = 0;
    }
  }
  core.setResult(so.binding, 'synced');
  return 'cancelled';
}

/** order_status (the reconciliation's read): the newest sale order of each GID. */
export function orderStatus(core: DoubleCore, doc: ContractParams<'order_status'>): ContractResult<'order_status'> {
  const gids: unknown = doc.order_gids;
  if (!Array.isArray(gids) || !gids.every((g) => typeof g === 'string'))
    throw validationError('order_status: order_gids must be a list of strings');
  if (gids.length > MAX_IDS) throw validationError(`order_status: at most ${MAX_IDS} order_gids per call`);
  const byGid = new Map<string, SaleOrder>();
  for (const so of core.state.saleOrders.values()) {
    const seen = so.order_gid ? byGid.get(so.order_gid) : undefined;
    if (so.order_gid && (!seen || so.id > seen.id)) byGid.set(so.order_gid, so);
  }
  return {
    orders: gids.map((gid): OrderStatus => {
      const so = byGid.get(gid);
      if (!so) return { order_gid: gid, found: false, sale_order_id: null, name: null, state: null, amount_total: null, line_count: null };
      return {
        order_gid: gid,
        found: true,
        sale_order_id: so.id,
        name: so.name,
        state: so.state,
        amount_total: formatMoney(so.amount_total),
        currency: so.currency ?? core.state.settings.company_currency,
        line_count: so.lines.filter((l) => l.role === 'product').length,
      };
    }),
  };
}
