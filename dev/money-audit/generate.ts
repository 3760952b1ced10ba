/**
 * The money audit's orders (pure, seeded): mixed taxes — none, one rate, a state and a city rate
 * stacked, taxes included with one rate or two — line discounts, an order discount allocated
 * across the lines, shipping taxed or not and sometimes discounted; each order with what the
 * merchant does next in Odoo and Shopify (invoice, refund before or after invoicing). Tax lines
 * are Shopify's (dev/sim/taxes.ts). The same seed gives the same orders.
 */
import { allocateAcross, centsString, shopifyTaxLines, type TaxRate } from '../sim/taxes.js';

export interface AuditSku {
  sku: string;
  /** Cents. */
  price: number;
}

/** Shopify tax profiles and the Odoo taxes their (title, rate) map to. */
export const TAX_PROFILES = {
  none: { included: false, rates: [] as TaxRate[] },
  vat: { included: false, rates: [{ title: 'VAT', rate: '0.2' }] },
  stacked: {
    included: false,
    rates: [
      { title: 'CA State Tax', rate: '0.0625' },
      { title: 'Los Angeles City Tax', rate: '0.025' },
    ],
  },
  vat_included: { included: true, rates: [{ title: 'MwSt', rate: '0.19' }] },
  stacked_included: {
    included: true,
    rates: [
      { title: 'IVA', rate: '0.21' },
      { title: 'Recargo de equivalencia', rate: '0.052' },
    ],
  },
} as const;
export type TaxProfile = keyof typeof TAX_PROFILES;

/** Shopify tax line (title, rate) → the Odoo tax the merchant maps it to (MerchantSettings.tax_mapping). */
export const TAX_MAPPING = [
  { title: 'VAT', rate: 0.2, tax: 'VAT 20%' },
  { title: 'CA State Tax', rate: 0.0625, tax: 'State 6.25%' },
  { title: 'Los Angeles City Tax', rate: 0.025, tax: 'City 2.5%' },
  { title: 'MwSt', rate: 0.19, tax: 'MwSt 19% incl.', price_include: true },
  { title: 'IVA', rate: 0.21, tax: 'IVA 21% incl.', price_include: true },
  { title: 'Recargo de equivalencia', rate: 0.052, tax: 'Recargo 5.2% incl.', price_include: true },
];

/**
 * What happens after the import. Hooks for the other money flows (gift cards, edits, payments)
 * add their kinds here and their comparisons in ./run.ts.
 */
export type AuditAction = 'none' | 'invoice' | 'refund' | 'invoice_then_refund';

export interface AuditOrder {
  index: number;
  profile: TaxProfile;
  /** The simulator's POST /orders body. */
  body: {
    email: string;
    lines: Array<{
      sku: string;
      quantity: number;
      price: string;
      discount: string;
      taxLines: Array<{ title: string; rate: number; price: string }>;
    }>;
    shippingLines: Array<{
      title: string;
      price: string;
      discount: string;
      taxLines: Array<{ title: string; rate: number; price: string }>;
    }>;
    taxesIncluded: boolean;
    financialStatus: 'paid';
    locationId: number;
  };
  action: AuditAction;
  /** The refund (one unit of a line, restock "cancel": the units were not delivered), with the shipping or not. */
  refund: { sku: string; quantity: number; shipping: boolean } | null;
}

/** mulberry32: a small seeded generator, enough to vary orders reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, weighted: ReadonlyArray<readonly [T, number]>): T {
  let r = random() * weighted.reduce((s, [, w]) => s + w, 0);
  for (const [value, weight] of weighted) {
    r -= weight;
    if (r < 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

const PROFILE_WEIGHTS: ReadonlyArray<readonly [TaxProfile, number]> = [
  ['none', 10],
  ['vat', 20],
  ['stacked', 35],
  ['vat_included', 15],
  ['stacked_included', 20],
];
const ACTION_WEIGHTS: ReadonlyArray<readonly [AuditAction, number]> = [
  ['none', 40],
  ['invoice', 25],
  ['refund', 15],
  ['invoice_then_refund', 20],
];
const SHIPPING_PRICES = [499, 500, 795, 1250];

/** One order of the audit. */
export function auditOrder(index: number, random: () => number, skus: readonly AuditSku[], locationId: number): AuditOrder {
  const profile = pick(random, PROFILE_WEIGHTS);
  const { included, rates } = TAX_PROFILES[profile];
  const count = 1 + Math.floor(random() * Math.min(3, skus.length));
  const chosen = [...skus].sort(() => random() - 0.5).slice(0, count);
  const lines = chosen.map((s) => {
    const quantity = 1 + Math.floor(random() * 3);
    const amount = s.price * quantity;
    // A line discount on about a third of the lines: up to 20 % of the line, in cents.
    const discount = random() < 0.35 ? 1 + Math.floor(random() * amount * 0.2) : 0;
    return { sku: s.sku, quantity, price: s.price, amount, discount };
  });
  // An order discount on a quarter of the orders, 5–15 %, allocated across the lines.
  if (random() < 0.25) {
    const left = lines.map((l) => l.amount - l.discount);
    const shares = allocateAcross(left, Math.floor(left.reduce((s, a) => s + a, 0) * (0.05 + random() * 0.1)));
    lines.forEach((l, i) => (l.discount += shares[i]!));
  }
  const shipped = random() < 0.8;
  const shippingPrice = shipped ? SHIPPING_PRICES[Math.floor(random() * SHIPPING_PRICES.length)]! : 0;
  const shippingDiscount = shipped && random() < 0.1 ? 100 : 0;
  const shippingTaxed = shipped && random() < 0.7;
  const taxes = (base: number, taxed = true) =>
    (taxed ? shopifyTaxLines(base, rates, included) : []).map((t) => ({ title: t.title, rate: t.rate, price: centsString(t.price) }));
  const action = pick(random, ACTION_WEIGHTS);
  const refunded = lines[Math.floor(random() * lines.length)]!;
  return {
    index,
    profile,
    body: {
      email: `audit-${index}@example.com`,
      lines: lines.map((l) => ({
        sku: l.sku,
        quantity: l.quantity,
        price: centsString(l.price),
        discount: centsString(l.discount),
        taxLines: taxes(l.amount - l.discount),
      })),
      shippingLines: shipped
        ? [
            {
              title: 'Standard',
              price: centsString(shippingPrice),
              discount: centsString(shippingDiscount),
              taxLines: taxes(shippingPrice - shippingDiscount, shippingTaxed),
            },
          ]
        : [],
      taxesIncluded: included,
      financialStatus: 'paid',
      locationId,
    },
    action,
    refund:
      action === 'refund' || action === 'invoice_then_refund'
        ? { sku: refunded.sku, quantity: 1, shipping: shipped && random() < 0.3 }
        : null,
  };
}

export function auditOrders(n: number, seed: number, skus: readonly AuditSku[], locationId: number): AuditOrder[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => auditOrder(i + 1, random, skus, locationId));
}
