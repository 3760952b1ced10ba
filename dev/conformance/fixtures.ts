/**
 * Document builders for the conformance suite. Every identifier (GID, SKU, email) is unique per
 * run so that the scenarios can share one real Odoo database without seeing each other's data.
 * Totals are computed the way Shopify reports them, so a document is consistent unless a
 * scenario says otherwise. Pure module.
 */
import type { CustomerDocument, OrderDocument, RefundDocument, TaxLine } from '../../sidecar/odoo/contract.js';
import { formatCents, toCents } from '../../sidecar/rules/money.js';

const RUN = String(Date.now()).slice(-7);
let seq = 0;

/** A fresh numeric id for GIDs, unique within this run and across runs. */
export const nextId = () => `${RUN}${String(++seq).padStart(4, '0')}`;
export const gidOf = (type: string) => `gid://shopify/${type}/${nextId()}`;
export const skuOf = (prefix: string) => `${prefix}-${nextId()}`;
export const emailOf = (name: string) => `${name}.${nextId()}@example.com`;

const c = (money: string) => toCents(money);

/** A Shopify tax line with its amount (the contract makes the amount optional; the fixtures always give it). */
export type FixtureTaxLine = Required<TaxLine>;

export interface LineSpec {
  sku: string;
  quantity: number;
  price: string;
  discount?: string;
  taxes?: FixtureTaxLine[];
}

export interface OrderSpec {
  order_gid?: string;
  name?: string;
  currency: string;
  lines: LineSpec[];
  shipping?: { price: string; taxes?: FixtureTaxLine[] };
  financial_status?: string;
  customer?: CustomerDocument | null;
  city?: string;
  location_gid?: string | null;
  updated_at?: string;
  /** Added to the computed total (to make totals disagree). */
  total_offset?: string;
  /** Import duties on lines (by index in `lines`), charged on top of the total with their taxes. */
  duties?: Array<{ line: number; price: string; taxes?: FixtureTaxLine[] }>;
  /** Additional fees of the order, charged on top of the total with their taxes. */
  fees?: Array<{ name: string; price: string; taxes?: FixtureTaxLine[] }>;
}

export const vat = (amount: string, rate = '0.2', title = 'VAT'): FixtureTaxLine => ({ title, rate, amount });

export function customerDoc(overrides: Partial<CustomerDocument> = {}): CustomerDocument {
  return {
    customer_gid: gidOf('Customer'),
    email: emailOf('ada'),
    first_name: 'Ada',
    last_name: `Lovelace${nextId()}`,
    phone: '+33 1 23 45 67 89',
    default_address: null,
    updated_at: '2026-11-01T10:00:00Z',
    ...overrides,
  };
}

export function orderDoc(spec: OrderSpec): OrderDocument {
  const gid = spec.order_gid ?? gidOf('Order');
  let subtotal = 0n;
  let tax = 0n;
  let discounts = 0n;
  const lines = spec.lines.map((l, i) => {
    const discount = c(l.discount ?? '0.00');
    subtotal += c(l.price) * BigInt(l.quantity) - discount;
    discounts += discount;
    for (const t of l.taxes ?? []) tax += c(t.amount);
    return {
      line_gid: `gid://shopify/LineItem/${gid.split('/').pop()}${i + 1}`,
      sku: l.sku,
      title: `Item ${l.sku}`,
      quantity: l.quantity,
      price_unit: l.price,
      discount: formatCents(discount),
      tax_lines: l.taxes ?? [],
    };
  });
  const shippingLines = spec.shipping
    ? [{ title: 'Standard', code: 'STD', price: spec.shipping.price, discount: '0.00', tax_lines: spec.shipping.taxes ?? [] }]
    : [];
  const shipping = spec.shipping ? c(spec.shipping.price) : 0n;
  for (const t of spec.shipping?.taxes ?? []) tax += c(t.amount);
  let dutyTotal = 0n;
  const duties = (spec.duties ?? []).map((d) => {
    dutyTotal += c(d.price);
    for (const t of d.taxes ?? []) tax += c(t.amount);
    return {
      duty_gid: gidOf('Duty'),
      line_gid: lines[d.line]!.line_gid,
      price: d.price,
      tax_lines: d.taxes ?? [],
      harmonized_system_code: '691200',
      country_code_of_origin: 'CN',
    };
  });
  let feeTotal = 0n;
  const fees = (spec.fees ?? []).map((f) => {
    feeTotal += c(f.price);
    for (const t of f.taxes ?? []) tax += c(t.amount);
    return { fee_gid: gidOf('AdditionalFee'), name: f.name, price: f.price, tax_lines: f.taxes ?? [] };
  });
  const total = subtotal + shipping + dutyTotal + feeTotal + tax + c(spec.total_offset ?? '0.00');
  const address = {
    name: 'Ada Lovelace',
    company: null,
    address1: '1 rue de la Paix',
    address2: null,
    city: spec.city ?? 'Paris',
    province_code: null,
    zip: '75002',
    country_code: 'FR',
    phone: null,
  };
  return {
    order_gid: gid,
    name: spec.name ?? `#${gid.split('/').pop()}`,
    created_at: '2026-11-01T10:00:00Z',
    updated_at: spec.updated_at ?? '2026-11-01T10:00:00Z',
    currency: spec.currency,
    presentment_currency: spec.currency,
    taxes_included: false,
    financial_status: spec.financial_status ?? 'paid',
    fulfillment_status: null,
    cancelled_at: null,
    customer: spec.customer === undefined ? customerDoc() : spec.customer,
    billing_address: address,
    shipping_address: address,
    location_gid: spec.location_gid ?? null,
    lines,
    shipping_lines: shippingLines,
    ...(duties.length ? { duties } : {}),
    ...(fees.length ? { additional_fees: fees } : {}),
    subtotal_price: formatCents(subtotal),
    total_tax: formatCents(tax),
    total_discounts: formatCents(discounts),
    total_price: formatCents(total),
    note: null,
  };
}

type Restock = RefundDocument['lines'][number]['restock_type'];

/**
 * A Shopify refund of `quantity` units of the order's first line, priced as the refund and
 * payment scenarios' orders are (10.00 + 2.00 VAT a unit), no shipping: `extra` overrides.
 */
export const refundOf = (doc: OrderDocument, restock: Restock, quantity = 1, extra: Partial<RefundDocument> = {}): RefundDocument => ({
  refund_gid: gidOf('Refund'),
  order_gid: doc.order_gid,
  created_at: '2026-11-03T10:00:00Z',
  note: null,
  return_gid: null,
  lines: [
    {
      line_gid: doc.lines[0]!.line_gid,
      sku: doc.lines[0]!.sku,
      quantity,
      subtotal: `${10 * quantity}.00`,
      total_tax: `${2 * quantity}.00`,
      restock_type: restock,
      location_gid: null,
    },
  ],
  shipping: { amount: '0.00', tax: '0.00' },
  adjustments: [],
  total: `${12 * quantity}.00`,
  ...extra,
});
