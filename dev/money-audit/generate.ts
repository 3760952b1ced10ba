/**
 * The money audit's orders (pure, seeded): mixed taxes — none, one rate, a state and a city rate
 * stacked, taxes included with one rate or two — line discounts, an order discount allocated
 * across the lines, shipping taxed or not and sometimes discounted, gift cards sold and used to
 * pay; each order with how it is paid and what happens next in Odoo and Shopify (invoices by
 * policy or by hand, refunds before and after invoicing, captures, edits before and after
 * delivery, returns; `AuditAction`); about one order in five is cross-border, with an import duty
 * on one line (taxed like the goods), given back with its share when that line is refunded; about
 * one in eight carries an additional fee (an import handling fee, taxed like the goods, never
 * refunded as such). Tax lines are Shopify's (dev/sim/taxes.ts). The same seed gives the same orders.
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

/** The company's invoice policy while a batch of orders runs (docs/flows.md, "Payments, invoices and gift cards"). */
export type InvoicePolicy = 'never' | 'on_payment' | 'on_delivery';

/**
 * What happens to an order after the import, by the policy of its batch.
 * - never (the merchant invoices by hand): `none`, `invoice`, `refund` (one unit, not invoiced),
 *   `invoice_then_refund`.
 * - on_payment (the invoice comes with the money): `paid` (card at checkout), `pending_paid`
 *   (bank transfer paid later: orders/paid), `captured` (authorized, captured later),
 *   `gift_card_sold` (a gift card line), `gift_card_paid` (part paid with a gift card),
 *   `refund_after_invoice`, `edit_add` (a line added before delivery, the balance collected),
 *   `edit_remove` (a unit removed before delivery, the balance refunded), `edit_after_delivery`
 *   (a unit removed in Shopify after Odoo delivered it, unknown to Shopify; the default "return
 *   and credit" policy; the balance refunded), `return` (delivered, returned, the return
 *   processed with a refund that closes it).
 * - on_delivery (the invoice comes with the last delivery): `delivered`, `refund_before_invoice`
 *   (a unit refunded before delivery, then delivered), `refund_after_delivery` (delivered, a unit
 *   refunded and kept), `return`, `not_delivered`.
 */
export type AuditAction =
  | 'none'
  | 'invoice'
  | 'refund'
  | 'invoice_then_refund'
  | 'paid'
  | 'pending_paid'
  | 'captured'
  | 'gift_card_sold'
  | 'gift_card_paid'
  | 'cash_change'
  | 'refund_after_invoice'
  | 'edit_add'
  | 'edit_remove'
  | 'edit_after_delivery'
  | 'return'
  | 'delivered'
  | 'refund_before_invoice'
  | 'refund_after_delivery'
  | 'not_delivered';

/** Shopify payment gateway → the Odoo journal the audit maps it to; gift cards have their own journal. */
export const AUDIT_GATEWAYS = [
  { gateway: 'bogus', journal: 'Audit card payments' },
  { gateway: 'Bank Deposit', journal: 'Audit bank transfers' },
  { gateway: 'cash', journal: 'Audit cash' },
];
export const AUDIT_GIFT_CARD = { journal: 'Audit gift cards', account: 'Audit gift card liability' };

export interface AuditLine {
  sku: string;
  quantity: number;
  price: string;
  discount: string;
  taxLines: Array<{ title: string; rate: number; price: string }>;
  giftCard?: boolean;
  title?: string;
  /** An import duty on the line (cross-border orders), with its taxes. */
  duties?: Array<{ price: string; taxLines: Array<{ title: string; rate: number; price: string }> }>;
}

export interface AuditOrder {
  index: number;
  profile: TaxProfile;
  policy: InvoicePolicy;
  /** The simulator's POST /orders body. */
  body: {
    email: string;
    lines: AuditLine[];
    shippingLines: Array<{
      title: string;
      price: string;
      discount: string;
      taxLines: Array<{ title: string; rate: number; price: string }>;
    }>;
    /** Order.additionalFees (about one order in eight). */
    additionalFees?: Array<{ name: string; price: string; taxLines: Array<{ title: string; rate: number; price: string }> }>;
    taxesIncluded: boolean;
    financialStatus: 'paid' | 'pending' | 'authorized';
    gateway: string;
    giftCardPayment?: string;
    locationId: number;
    /** Paid in the customer's currency (`--currencies mixed`, ./currencies.ts): its code and the simulator's rate. */
    presentmentCurrency?: string;
    exchangeRate?: number;
  };
  action: AuditAction;
  /**
   * The refund: one unit of a line with the shipping or not — restock "cancel" before delivery,
   * "no_restock" after it (kept by the customer).
   */
  refund: { sku: string; quantity: number; shipping: boolean; restockType: 'cancel' | 'no_restock'; duties?: boolean } | null;
  /** An order edit: a line added (`add`, at its catalog price) or one unit removed (`remove`). */
  edit: { add?: { sku: string; quantity: number; price: string }; remove?: { sku: string; quantity: number } } | null;
  /**
   * The return: one unit of a line, restocked, refunded when the return is processed; `inOdoo`:
   * received in Odoo, where the credit note posted for it processes it in Shopify with its refund.
   */
  returned: { sku: string; quantity: number; inOdoo?: true } | null;
  /**
   * The shipping line's price changed by an order edit after Odoo invoiced the order (orders
   * invoiced on payment: `paid`, `pending_paid`, `captured`): its new price; the balance is then refunded (lowered) or
   * collected (raised).
   */
  shippingEdit: { price: string } | null;
  /** The customer's currency when it is not the shop's (./currencies.ts): minor units per shop minor unit. */
  currency?: { code: string; rate: number };
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
const ACTION_WEIGHTS: Record<InvoicePolicy, ReadonlyArray<readonly [AuditAction, number]>> = {
  never: [
    ['none', 40],
    ['invoice', 25],
    ['refund', 15],
    ['invoice_then_refund', 20],
  ],
  on_payment: [
    ['paid', 10],
    ['pending_paid', 10],
    ['captured', 10],
    ['gift_card_sold', 10],
    ['gift_card_paid', 10],
    ['cash_change', 8],
    ['refund_after_invoice', 12],
    ['edit_add', 10],
    ['edit_remove', 10],
    ['edit_after_delivery', 8],
    ['return', 10],
  ],
  on_delivery: [
    ['delivered', 20],
    ['refund_before_invoice', 25],
    ['refund_after_delivery', 25],
    ['return', 15],
    ['not_delivered', 15],
  ],
};
/** Batches take the policies in turn: the first batch invoices on payment, the next on delivery, the third by hand. */
export const POLICIES: readonly InvoicePolicy[] = ['on_payment', 'on_delivery', 'never'];
const SHIPPING_PRICES = [499, 500, 795, 1250];
const GIFT_CARD_PRICES = [2500, 5000];
const REMOVES_A_UNIT: ReadonlySet<AuditAction> = new Set(['edit_remove', 'edit_after_delivery']);

interface PlannedLine {
  sku: string;
  quantity: number;
  price: number;
  amount: number;
  discount: number;
}

function plannedLines(random: () => number, skus: readonly AuditSku[]): PlannedLine[] {
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
  return lines;
}

/** What happens next: the refund, edit or return of the action, on a line chosen at random. */
function followUp(action: AuditAction, random: () => number, lines: PlannedLine[], skus: readonly AuditSku[], shipped: boolean) {
  const line = lines[Math.floor(random() * lines.length)]!;
  const refunds = ['refund', 'invoice_then_refund', 'refund_after_invoice', 'refund_before_invoice', 'refund_after_delivery'];
  const refund = refunds.includes(action)
    ? {
        sku: line.sku,
        quantity: 1,
        shipping: shipped && random() < 0.3,
        restockType: action === 'refund_after_delivery' ? ('no_restock' as const) : ('cancel' as const),
      }
    : null;
  // A unit removed leaves at least one on the order (an edit never empties a line here).
  const removable = lines.find((l) => l.quantity >= 2);
  const added = skus[Math.floor(random() * skus.length)]!;
  const edit =
    action === 'edit_add'
      ? { add: { sku: added.sku, quantity: 1 + Math.floor(random() * 2), price: centsString(added.price) } }
      : REMOVES_A_UNIT.has(action) && removable
        ? { remove: { sku: removable.sku, quantity: 1 } }
        : null;
  const returned = action === 'return' ? { sku: line.sku, quantity: 1 } : null;
  return { refund, edit, returned };
}

/** One order of the audit; `policy` is its batch's. */
export function auditOrder(
  index: number,
  random: () => number,
  skus: readonly AuditSku[],
  locationId: number,
  policy: InvoicePolicy = 'never',
): AuditOrder {
  const profile = pick(random, PROFILE_WEIGHTS);
  const { included, rates } = TAX_PROFILES[profile];
  const action = pick(random, ACTION_WEIGHTS[policy]);
  const lines = plannedLines(random, skus);
  // An edit that removes a unit needs a line of two.
  if (REMOVES_A_UNIT.has(action) && !lines.some((l) => l.quantity >= 2)) {
    lines[0]!.quantity += 1;
    lines[0]!.amount += lines[0]!.price;
  }
  const shipped = random() < 0.8;
  const shippingPrice = shipped ? SHIPPING_PRICES[Math.floor(random() * SHIPPING_PRICES.length)]! : 0;
  const shippingDiscount = shipped && random() < 0.1 ? 100 : 0;
  const shippingTaxed = shipped && random() < 0.7;
  const taxes = (base: number, taxed = true) =>
    (taxed ? shopifyTaxLines(base, rates, included) : []).map((t) => ({ title: t.title, rate: t.rate, price: t.price }));
  const lineTaxes = lines.map((l) => taxes(l.amount - l.discount));
  const shippingTaxes = taxes(shippingPrice - shippingDiscount, shippingTaxed);
  // Shopify sells gift cards untaxed and never ships them.
  const giftCard = action === 'gift_card_sold' ? GIFT_CARD_PRICES[Math.floor(random() * GIFT_CARD_PRICES.length)]! : 0;
  const duty = dutyOf(index, lines, action);
  const dutyTaxes = duty ? taxes(duty.price) : [];
  const fee = feeOf(index, action);
  const feeTaxes = fee ? taxes(fee) : [];
  const taxTotal = [...lineTaxes.flat(), ...shippingTaxes, ...dutyTaxes, ...feeTaxes].reduce((s, t) => s + t.price, 0);
  const total =
    lines.reduce((s, l) => s + l.amount - l.discount, 0) +
    shippingPrice -
    shippingDiscount +
    (duty?.price ?? 0) +
    (fee ?? 0) +
    (included ? 0 : taxTotal) +
    giftCard;
  const giftCardPayment = action === 'gift_card_paid' ? Math.max(1, Math.floor(total * (0.2 + random() * 0.6))) : 0;
  const cents = (t: { title: string; rate: number; price: number }) => ({ title: t.title, rate: t.rate, price: centsString(t.price) });
  return {
    index,
    profile,
    policy,
    body: {
      email: `audit-${index}@example.com`,
      lines: [
        ...lines.map((l, i) => ({
          sku: l.sku,
          quantity: l.quantity,
          price: centsString(l.price),
          discount: centsString(l.discount),
          taxLines: lineTaxes[i]!.map(cents),
          ...(duty?.line === i ? { duties: [{ price: centsString(duty.price), taxLines: dutyTaxes.map(cents) }] } : {}),
        })),
        ...(giftCard
          ? [{ giftCard: true, sku: '', title: 'Gift card', quantity: 1, price: centsString(giftCard), discount: '0.00', taxLines: [] }]
          : []),
      ],
      shippingLines: shipped
        ? [
            {
              title: 'Standard',
              price: centsString(shippingPrice),
              discount: centsString(shippingDiscount),
              taxLines: shippingTaxes.map(cents),
            },
          ]
        : [],
      ...(fee ? { additionalFees: [{ name: 'Import handling fee', price: centsString(fee), taxLines: feeTaxes.map(cents) }] } : {}),
      taxesIncluded: included,
      financialStatus: action === 'pending_paid' ? 'pending' : action === 'captured' ? 'authorized' : 'paid',
      gateway: action === 'pending_paid' ? 'Bank Deposit' : action === 'cash_change' ? 'cash' : 'bogus',
      ...(giftCardPayment ? { giftCardPayment: centsString(giftCardPayment) } : {}),
      // Paid in cash at a point of sale with the next round 10.00 above the total: a CHANGE back.
      ...(action === 'cash_change' ? { cashTendered: centsString((Math.floor(total / 1000) + 1) * 1000), sourceName: 'pos' } : {}),
      locationId,
    },
    action,
    ...receivedInOdoo(
      index,
      withDuty(followUp(action, random, lines, skus, shipped), duty ? lines[duty.line]!.sku : null),
      lines,
      duty ? lines[duty.line]!.sku : null,
    ),
    shippingEdit: shippingEditOf(index, action, shippingPrice, shippingDiscount),
  };
}

/** Orders invoiced on payment whose shipping price an edit may change afterwards. */
const EDITS_SHIPPING: ReadonlySet<AuditAction> = new Set(['paid', 'pending_paid', 'captured']);

/**
 * The shipping price an edit sets after Odoo invoiced a paid, paid-later or captured order (about
 * two in five of those shipped without a shipping discount): lowered to half, or raised by 1.00–4.99, in turn by draw.
 * Drawn from a generator of its own, so the other orders, and the other draws of these, are those
 * they were before shipping edits were simulated.
 */
function shippingEditOf(index: number, action: AuditAction, price: number, discount: number): { price: string } | null {
  const random = seededRandom(0x5417 ^ (index * 3266489917));
  if (!EDITS_SHIPPING.has(action) || price === 0 || discount > 0 || random() >= 0.4) return null;
  const next = random() < 0.5 ? Math.floor(price / 2) : price + 100 + Math.floor(random() * 400);
  return { price: centsString(next) };
}

/**
 * The import duty of a cross-border order (about one in five; none on gift card sales): 3–8 % of
 * one line, at least 1.00. Drawn from a generator of its own, so the other draws (and the orders
 * earlier seeds gave) are those they were before duties were simulated.
 */
function dutyOf(index: number, lines: readonly PlannedLine[], action: AuditAction): { line: number; price: number } | null {
  const random = seededRandom(0x5eed ^ (index * 2654435761));
  if (action === 'gift_card_sold' || random() >= 0.2) return null;
  const line = Math.floor(random() * lines.length);
  const base = lines[line]!.amount - lines[line]!.discount;
  return { line, price: Math.max(100, Math.round(base * (0.03 + random() * 0.05))) };
}

/**
 * The additional fee of an order (about one in eight; none on gift card sales): 1.00–4.99, in
 * cents. Drawn from a generator of its own, so the other orders, and the other draws of these,
 * are those they were before fees were simulated.
 */
function feeOf(index: number, action: AuditAction): number | null {
  const random = seededRandom(0xfee5 ^ (index * 2246822519));
  if (action === 'gift_card_sold' || random() >= 0.125) return null;
  return 100 + Math.floor(random() * 400);
}

/**
 * About half the returns of a line without discount or duty are received in Odoo instead of
 * processed in Shopify: the merchant credits the unit in Odoo, at the line's price and taxes.
 * Drawn from a generator of its own, so the other orders and draws are those they were before.
 */
function receivedInOdoo<T extends { returned: AuditOrder['returned'] }>(
  index: number,
  next: T,
  lines: readonly PlannedLine[],
  dutiedSku: string | null,
): T {
  const random = seededRandom(0x0d00 ^ (index * 2654435769));
  const line = next.returned && lines.find((l) => l.sku === next.returned!.sku);
  if (!line || line.discount > 0 || line.sku === dutiedSku || random() >= 0.5) return next;
  return { ...next, returned: { ...next.returned!, inOdoo: true } };
}

/** A refund of the line that carries the duty gives its share of the duty back (PROPORTIONAL). */
function withDuty<T extends { refund: AuditOrder['refund'] }>(next: T, dutiedSku: string | null): T {
  return next.refund && next.refund.sku === dutiedSku ? { ...next, refund: { ...next.refund, duties: true } } : next;
}

/** `batch` orders per batch; the batches take POLICIES in turn. */
export function auditOrders(n: number, seed: number, skus: readonly AuditSku[], locationId: number, batch = 20): AuditOrder[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) =>
    auditOrder(i + 1, random, skus, locationId, POLICIES[Math.floor(i / batch) % POLICIES.length]),
  );
}
