/**
 * The source of truth for tax, as the addon's models/shopify_sync_api_taxes.py (docs/flows.md,
 * "Taxes to the cent"): under "shopify" a rounding difference of Odoo's tax computation is carried
 * by an untaxed "Shopify tax rounding difference" line on the order or the credit note; under
 * "odoo" a total further from Shopify's than the tolerance is flagged.
 */
import type { OrderDocument } from '../../../sidecar/odoo/contract.js';
import type { DoubleCore } from '../core.js';
import type { CreditNote, SaleOrder } from '../state.js';
import { formatMoney } from '../values.js';

/** The most cents rounding can move a total: one per tax Odoo rounds on a line, one per tax amount Shopify rounded. */
const roundingBound = (lines: ReadonlyArray<{ tax_ids: readonly number[] }>, shopifyTaxLines: number): number =>
  lines.reduce((s, l) => s + l.tax_ids.length, 0) + shopifyTaxLines;

const documentTaxLines = (doc: OrderDocument): number =>
  // A shipping line an order edit removed is not booked: its tax lines round nothing.
  [
    ...(doc.lines ?? []),
    ...(doc.shipping_lines ?? []).filter((s) => s.removed !== true),
    ...(doc.duties ?? []),
    ...(doc.additional_fees ?? []),
  ].reduce((s, part) => s + (part.tax_lines ?? []).length, 0);

/** True when Odoo's total is further from Shopify's than the tax source accepts. */
export function outsideTolerance(core: DoubleCore, odooTotal: number, shopifyTotal: number): boolean {
  const { tax_source, tax_tolerance } = core.state.settings;
  return Math.abs(odooTotal - shopifyTotal) > (tax_source === 'odoo' ? tax_tolerance : 0);
}

/** Carries (or clears) the order's tax rounding difference line; `comparable` is the order's total as Shopify counts it. */
export function orderTaxAdjustment(
  core: DoubleCore,
  so: SaleOrder,
  doc: OrderDocument,
  total: number,
  missing: readonly string[],
  comparable: (so: SaleOrder) => number,
  conversionRoundings = 0,
): void {
  if (missing.length || so.state === 'cancel') return;
  const line = so.lines.find((l) => l.role === 'tax_adjustment');
  const own = comparable(so) - (line ? line.price_unit * line.quantity : 0);
  const difference = total - own;
  const taxed = so.lines.filter((l) => l !== line);
  const carried =
    core.state.settings.tax_source === 'shopify' &&
    Math.abs(difference) <= roundingBound(taxed, documentTaxLines(doc) + conversionRoundings)
      ? difference
      : 0;
  so.shopify_total_price = total;
  so.shopify_total_difference = difference;
  if (!carried) {
    if (line && so.state === 'draft') so.lines = so.lines.filter((l) => l !== line);
    else if (line) line.price_unit = 0;
    core.computeAmounts(so);
    return;
  }
  const odooTax = core.amountsOf(taxed.map((l) => ({ base: l.price_unit * l.quantity, tax_ids: l.tax_ids }))).tax;
  const name = `Shopify tax rounding difference: Shopify total ${formatMoney(total)}, Odoo computed ${formatMoney(own)} (tax ${formatMoney(odooTax)})`;
  if (line) Object.assign(line, { price_unit: carried, quantity: 1, name });
  else
    so.lines.push({
      id: core.id(),
      line_gid: 'tax_adjustment',
      role: 'tax_adjustment',
      product_id: null,
      sku: null,
      name,
      quantity: 1,
      price_unit: carried,
      tax_ids: [],
      qty_delivered: 0,
    });
  core.computeAmounts(so);
}

/** Under "shopify", a draft credit note that misses Shopify's refund by rounding cents gets an untaxed rounding difference line. */
export function creditNoteTaxAdjustment(core: DoubleCore, cn: CreditNote, doc: { lines?: readonly unknown[] | null }, total: number): void {
  if (cn.state !== 'draft' || core.state.settings.tax_source !== 'shopify') return;
  const difference = total - cn.amount_total;
  if (!difference || Math.abs(difference) > roundingBound(cn.lines, (doc.lines ?? []).length + 1)) return;
  cn.lines.push(
    core.accountLine(
      `Shopify tax rounding difference: Shopify refund ${formatMoney(total)}, Odoo computed ${formatMoney(cn.amount_total)}`,
      null,
      'other',
      1,
      difference,
      [],
    ),
  );
  cn.amount_total = core.moveTotal(cn.lines);
}
