/**
 * Orders, pure parts: which order a job is about, the pull's search query, and the Shopify GraphQL
 * order (OrderById / OrderFields) → the contract's OrderDocument (docs/contract.md,
 * contract/schemas/OrderDocument.schema.json). No I/O, no clock. The Shopify side is typed by the
 * types generated from OrderFields.fragment.graphql (docs/architecture.md, "Generated types"): a
 * field the fragment stops reading fails to compile where it is used.
 *
 * Rules, each one a decision the rest of the flow relies on:
 * - Money is a decimal string in the shop currency (`shopMoney`), computed exactly in integer
 *   minor units of that currency (JPY 0, EUR 2, KWD 3 decimals; never floats; rules/money.ts).
 *   When the customer paid in another currency, `presentment` carries the same amounts in it
 *   (`presentmentMoney`, computed by the same rules in its minor units); Odoo books one or the
 *   other by its setting (docs/flows.md, "Currencies").
 * - Quantities are the *current* ones (Shopify `currentQuantity`: after edits, removals and
 *   refunds). A line's discount and tax amounts in Shopify
 *   cover the originally ordered units, so for a line whose units were removed they are reduced by
 *   the removed share, rounded half away from zero to the cent: kept = amount − round(amount ×
 *   removed / ordered) at the currency's minor unit — the same arithmetic Shopify's current totals use, so the Odoo total still
 *   equals `currentTotalPriceSet` to the cent.
 * - A negative or fractional quantity cannot be a sale line (the contract takes non-negative
 *   integers): it is clamped (fraction dropped, negatives to 0) and reported in `warnings` so the
 *   handler logs it.
 * - Totals are Shopify's current totals (`current*Set`); the addon flags the order when Odoo's
 *   total differs. `refund_gids` lists the refunds they count: Odoo answers `refunds_pending`
 *   until it has applied them (docs/flows.md, "Refunds and order updates").
 * - `location_gid` is the assigned location of the order's fulfillment order (the first one that
 *   is not cancelled); Odoo routes the order to the warehouse mapped to it.
 * - Rates are decimal fractions as strings ("0.2" for 20 %).
 * - Duties (`duties`, only when the order has some) are each line item's import duties at the
 *   price charged with their tax lines; Shopify never lowers them, a refund that gives one back
 *   says so itself (the refund document's `duties`), as refunded shipping does.
 * - `current_total_duties` / `current_total_additional_fees` are Shopify's current duty and fee
 *   totals, sent only when they differ from the duties' / fees' prices: Shopify lowers them for
 *   refunds and order edits without saying, for an edit, which duty or fee changed (Duty.price and
 *   AdditionalFee.price stay what was charged), so Odoo checks what it books against them and
 *   holds the order when they differ. `duties_included` is sent only when true (duties inside the
 *   product prices): Odoo holds such an order (docs/flows.md, "Duties").
 * - Additional fees (`additional_fees`, only when the order has some) are the order's
 *   `additionalFees` at their price with their tax lines. Shopify's 2026-10 API has no way to
 *   refund one as such: money given back for a fee is a refund's order adjustment, so the price
 *   never lowers (docs/flows.md, "Additional fees").
 */
import type { QueueJobs } from '../../jobs.js';
import type {
  Address,
  CustomerDocument,
  OrderAdditionalFee,
  OrderDocument,
  OrderDuty,
  OrderLine,
  OrderPresentment,
  ShippingLine,
  TaxLine,
} from '../../odoo/contract.js';
import { PermanentError } from '../../queue/errors.js';
import { isGid } from '../../rules/gid.js';
import { currencyMoney, mulDivRound, type CurrencyMoney } from '../../rules/money.js';
import type {
  AddressFieldsFragment,
  OrderFieldsFragment,
  OrderLineFieldsFragment,
  OrderMoneyFieldsFragment,
  TaxLineFieldsFragment,
} from '../../shopify/index.js';

// ---- which order a job is about ----

/** Every job the orders queue takes. */
export type OrderJob = QueueJobs['orders'];

function orderGidField(job: OrderJob): unknown {
  if (job.source === 'webhook') return job.entityGid;
  if (job.source === 'outbox') return job.payload.order_gid;
  return job.orderGid; // pull, resync (operator), repair (reconciliation)
}

/** The order a job is about, whatever triggered it. */
export function orderGidOf(job: OrderJob): string {
  const gid = orderGidField(job);
  if (!isGid(gid, 'Order')) throw new PermanentError(`orders: job without an order GID (${job.source})`);
  return gid;
}

/**
 * Whether a job's order read asks for the customer's-currency amounts (`$withPresentment`). Only an
 * order paid in the shop's currency can do without them (its document carries none), and only an
 * order webhook's payload (inbox/routes.ts) or the pull's listing (./apply.ts) says so before the
 * read (`paidInShopCurrency`): every other job reads them, as before. The read checks the answer's
 * currencies (./read.ts), so a wrong hint costs a second read, never a document without its
 * presentment amounts.
 */
export function readsPresentment(job: OrderJob): boolean {
  return !((job.source === 'webhook' || job.source === 'pull') && job.paidInShopCurrency === true);
}

/** The order is paid in another currency than the shop's: its document carries `presentment`. */
export function paidInOtherCurrency(order: Pick<OrderFieldsFragment, 'currencyCode' | 'presentmentCurrencyCode'>): boolean {
  return Boolean(order.presentmentCurrencyCode) && order.presentmentCurrencyCode !== order.currencyCode;
}

/** Shopify search syntax for "updated at or after `since`" (the value quoted: it holds colons). */
export function updatedSinceQuery(since: Date): string {
  return `updated_at:>='${since.toISOString().replace(/\.\d{3}Z$/, 'Z')}'`;
}

export interface NormaliseWarning {
  code: 'quantity_clamped' | 'several_locations';
  message: string;
}

export interface NormaliseResult {
  document: OrderDocument;
  warnings: NormaliseWarning[];
}

/** Which of a MoneyBag's amounts a document is made of: the shop's or the customer's currency. */
export type MoneySide = 'shopMoney' | 'presentmentMoney';

/** A MoneyBag's amount on `side` in minor units of that side's currency (`cur`). */
const bagAmount = (
  cur: CurrencyMoney,
  bag: OrderMoneyFieldsFragment | null | undefined,
  what: string,
  side: MoneySide = 'shopMoney',
): bigint => cur.read(bag?.[side]?.amount ?? '0', what);

/** A tax rate as a decimal fraction string: 0.2 → "0.2", 0.075 → "0.075". */
export function rateString(rate: number | null | undefined, ratePercentage?: number | null): string {
  const value = typeof rate === 'number' && Number.isFinite(rate) ? rate : typeof ratePercentage === 'number' ? ratePercentage / 100 : 0;
  // Floats from JSON (0.07500000000000001): 8 decimals is beyond any tax rate's precision.
  let text = Math.abs(value).toFixed(8).replace(/0+$/, '').replace(/\.$/, '');
  if (text === '') text = '0';
  return value < 0 && text !== '0' ? `-${text}` : text;
}

// ---- mapping ----

function address(a: AddressFieldsFragment | null | undefined): Address | null {
  if (!a) return null;
  return {
    name: a.name ?? null,
    company: a.company ?? null,
    address1: a.address1 ?? null,
    address2: a.address2 ?? null,
    city: a.city ?? null,
    province_code: a.provinceCode ?? null,
    zip: a.zip ?? null,
    country_code: a.countryCodeV2 ?? null,
    phone: a.phone ?? null,
  };
}

function customer(order: OrderFieldsFragment): CustomerDocument | null {
  const c = order.customer;
  // A guest order has no Shopify customer: the addon matches the order's email or creates a guest
  // partner from the billing address (contract rule 5); the schema requires a GID here.
  if (!c) return null;
  return {
    customer_gid: c.id,
    email: c.defaultEmailAddress?.emailAddress ?? order.email ?? null,
    first_name: c.firstName ?? null,
    last_name: c.lastName ?? null,
    phone: c.defaultPhoneNumber?.phoneNumber ?? null,
    default_address: address(c.defaultAddress),
    updated_at: c.updatedAt ?? null,
  };
}

/** Integer, non-negative; anything else is clamped and reported. */
function clampQuantity(value: unknown, where: string, warnings: NormaliseWarning[]): number {
  const n = typeof value === 'number' && Number.isFinite(value) ? value : 0;
  const clamped = Math.max(0, Math.trunc(n));
  if (clamped !== n) warnings.push({ code: 'quantity_clamped', message: `${where}: quantity ${String(value)} clamped to ${clamped}` });
  return clamped;
}

/** Keeps the share of `amount` that belongs to the units still on the line. */
function keptShare(amount: bigint, ordered: number, current: number): bigint {
  if (current >= ordered || ordered <= 0) return amount;
  return amount - mulDivRound(amount, BigInt(ordered - current), BigInt(ordered));
}

function taxLines(
  money: (bag: OrderMoneyFieldsFragment | null | undefined, what: string) => bigint,
  cur: CurrencyMoney,
  lines: readonly TaxLineFieldsFragment[] | null | undefined,
  what: string,
  share: (amount: bigint) => bigint = (a) => a,
): TaxLine[] {
  return (lines ?? []).map((t, i) => ({
    title: t.title,
    rate: rateString(t.rate, t.ratePercentage),
    amount: cur.format(share(money(t.priceSet, `${what} tax line ${i + 1}`))),
  }));
}

function locationOf(order: OrderFieldsFragment, warnings: NormaliseWarning[]): string | null {
  const orders = order.fulfillmentOrders?.nodes ?? [];
  const live = orders.filter((fo) => fo.status !== 'CANCELLED' && fo.status !== 'INCOMPLETE');
  const candidates = (live.length ? live : orders).map((fo) => fo.assignedLocation?.location?.id).filter((id): id is string => Boolean(id));
  const distinct = [...new Set(candidates)];
  if (distinct.length > 1) {
    // One sale order ships from one warehouse; the first fulfillment order decides (documented in docs/flows.md).
    warnings.push({
      code: 'several_locations',
      message: `order ${order.name}: fulfillment orders at ${distinct.join(', ')}; routed to ${distinct[0]}`,
    });
  }
  return distinct[0] ?? null;
}

const lower = (value: string | null | undefined): string | null => (value ? value.toLowerCase() : null);

/** The canonical document for one order read with OrderFields (all its line items). */
export function normaliseOrder(
  order: OrderFieldsFragment,
  lineItems: readonly OrderLineFieldsFragment[] = order.lineItems.nodes,
): NormaliseResult {
  const { document, warnings } = orderDocument(order, lineItems, 'shopMoney');
  if (paidInOtherCurrency(order)) {
    // Only then, so the documents (and content hashes) of single-currency orders do not change.
    document.presentment = presentmentOverlay(orderDocument(order, lineItems, 'presentmentMoney').document, document);
  }
  return { document, warnings };
}

/** The amounts of a document made of presentment money, laid over the shop-money one by position. */
function presentmentOverlay(doc: OrderDocument, shop: OrderDocument): OrderPresentment {
  const taxes = (lines: readonly TaxLine[] | undefined) => (lines ?? []).map((t) => ({ amount: t.amount ?? '0' }));
  return {
    currency: doc.currency,
    lines: doc.lines.map((l) => ({ price_unit: l.price_unit, discount: l.discount ?? '0', tax_lines: taxes(l.tax_lines) })),
    shipping_lines: doc.shipping_lines.map((s) => ({ price: s.price, discount: s.discount ?? '0', tax_lines: taxes(s.tax_lines) })),
    // Only when the order has duties, as in the document.
    ...(doc.duties?.length ? { duties: doc.duties.map((d) => ({ price: d.price, tax_lines: taxes(d.tax_lines) })) } : {}),
    ...(doc.additional_fees?.length
      ? { additional_fees: doc.additional_fees.map((f) => ({ price: f.price, tax_lines: taxes(f.tax_lines) })) }
      : {}),
    // Where the shop document has them (the presentment one carries them always): the same
    // fields on both sides, whatever the rounding of either currency.
    ...(shop.current_total_duties !== undefined ? { current_total_duties: doc.current_total_duties } : {}),
    ...(shop.current_total_additional_fees !== undefined ? { current_total_additional_fees: doc.current_total_additional_fees } : {}),
    subtotal_price: doc.subtotal_price ?? '0',
    total_tax: doc.total_tax ?? '0',
    total_discounts: doc.total_discounts ?? '0',
    total_price: doc.total_price,
  };
}

/** Each line item's import duties, at the price charged, with their tax lines. */
function dutiesOf(
  name: string,
  lineItems: readonly OrderLineFieldsFragment[],
  money: (bag: OrderMoneyFieldsFragment | null | undefined, what: string) => bigint,
  cur: CurrencyMoney,
): OrderDuty[] {
  return lineItems.flatMap((li, index) =>
    (li.duties ?? []).map((d, j) => {
      const where = `order ${name} line ${index + 1} duty ${j + 1}`;
      return {
        duty_gid: d.id,
        line_gid: li.id,
        price: cur.format(money(d.price, `${where} price`)),
        tax_lines: taxLines(money, cur, d.taxLines, where),
        harmonized_system_code: d.harmonizedSystemCode ?? null,
        country_code_of_origin: d.countryCodeOfOrigin ?? null,
      };
    }),
  );
}

/** The order's additional fees, at their price, with their tax lines. */
function additionalFeesOf(
  order: OrderFieldsFragment,
  money: (bag: OrderMoneyFieldsFragment | null | undefined, what: string) => bigint,
  cur: CurrencyMoney,
): OrderAdditionalFee[] {
  return (order.additionalFees ?? []).map((f, i) => {
    const where = `order ${order.name} additional fee ${i + 1}`;
    return {
      fee_gid: f.id,
      name: f.name,
      price: cur.format(money(f.price, `${where} price`)),
      tax_lines: taxLines(money, cur, f.taxLines, where),
    };
  });
}

/**
 * Shopify's current duty and fee totals where they differ from the prices charged (an edit or a
 * refund changed them), as the document carries them: absent otherwise, so other orders'
 * documents and content hashes do not change. `always`: whenever Shopify has them (the
 * presentment side, laid over the shop document only where that one carries them).
 */
function currentCharges(
  order: OrderFieldsFragment,
  charges: { duties: readonly { price: string }[]; fees: readonly { price: string }[] },
  money: (bag: OrderMoneyFieldsFragment | null | undefined, what: string) => bigint,
  cur: CurrencyMoney,
  always: boolean,
): Pick<OrderDocument, 'current_total_duties' | 'current_total_additional_fees'> {
  const differing = (prices: readonly { price: string }[], bag: OrderMoneyFieldsFragment | null | undefined, what: string) => {
    if (!prices.length || !bag) return undefined;
    const charged = prices.reduce((sum, p) => sum + cur.read(p.price, what), 0n);
    const current = money(bag, what);
    return current === charged && !always ? undefined : cur.format(current);
  };
  const duties = differing(charges.duties, order.currentTotalDutiesSet, `order ${order.name} current total duties`);
  const fees = differing(charges.fees, order.currentTotalAdditionalFeesSet, `order ${order.name} current total additional fees`);
  return {
    ...(duties !== undefined ? { current_total_duties: duties } : {}),
    ...(fees !== undefined ? { current_total_additional_fees: fees } : {}),
  };
}

function orderDocument(order: OrderFieldsFragment, lineItems: readonly OrderLineFieldsFragment[], side: MoneySide): NormaliseResult {
  const warnings: NormaliseWarning[] = [];
  // Every amount is exact in its currency's minor units (JPY 0, KWD 3 decimals), so every
  // pro-rata share rounds at that currency's precision, as Shopify's current totals do.
  const code = side === 'shopMoney' ? order.currencyCode : (order.presentmentCurrencyCode ?? order.currencyCode);
  const cur = currencyMoney(code);
  const money = (bag: OrderMoneyFieldsFragment | null | undefined, what: string): bigint => {
    if (bag && !bag[side]) throw new PermanentError(`${what}: Shopify sent no ${side}`);
    return bagAmount(cur, bag, what, side);
  };
  const lines: OrderLine[] = lineItems.map((li, index) => {
    const where = `order ${order.name} line ${index + 1} (${li.sku ?? 'no SKU'})`;
    const ordered = clampQuantity(li.quantity, `${where} ordered`, []);
    const current = clampQuantity(li.currentQuantity ?? li.quantity, where, warnings);
    const share = (amount: bigint) => keptShare(amount, ordered, current);
    const discount = li.discountAllocations.reduce((sum, d, i) => sum + money(d.allocatedAmountSet, `${where} discount ${i + 1}`), 0n);
    return {
      line_gid: li.id,
      sku: li.sku && li.sku.trim() !== '' ? li.sku : null,
      title: li.title,
      quantity: current,
      price_unit: cur.format(money(li.originalUnitPriceSet, `${where} price`)),
      discount: cur.format(share(discount)),
      tax_lines: taxLines(money, cur, li.taxLines, where, share),
      // Only when true, so the documents (and content hashes) of other orders do not change.
      ...(li.isGiftCard ? { gift_card: true } : {}),
    };
  });
  const shippingLines: ShippingLine[] = (order.shippingLines?.nodes ?? []).map((s, index) => {
    const where = `order ${order.name} shipping line ${index + 1}`;
    const price = money(s.originalPriceSet, `${where} price`);
    const allocated = (s.discountAllocations ?? []).reduce(
      (sum, d, i) => sum + money(d.allocatedAmountSet, `${where} discount ${i + 1}`),
      0n,
    );
    const reduced = price - money(s.discountedPriceSet, `${where} discounted price`);
    // Allocations name each discount; without them the discounted price tells the total.
    const discount = allocated > 0n ? allocated : reduced > 0n ? reduced : 0n;
    return {
      title: s.title ?? null,
      code: s.code ?? null,
      price: cur.format(price),
      discount: cur.format(discount),
      tax_lines: taxLines(money, cur, s.taxLines, where),
      // Removed by an order edit: kept in its place (Odoo keys shipping lines by position) and
      // only when true, so the documents (and content hashes) of other orders do not change.
      ...(s.isRemoved ? { removed: true as const } : {}),
    };
  });
  const duties = dutiesOf(order.name, lineItems, money, cur);
  const fees = additionalFeesOf(order, money, cur);
  const document: OrderDocument = {
    order_gid: order.id,
    name: order.name,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
    currency: code,
    presentment_currency: order.presentmentCurrencyCode ?? order.currencyCode,
    taxes_included: Boolean(order.taxesIncluded),
    // Only when true, so the documents (and content hashes) of other orders do not change.
    ...(order.dutiesIncluded ? { duties_included: true as const } : {}),
    financial_status: lower(order.displayFinancialStatus) ?? 'pending',
    fulfillment_status: lower(order.displayFulfillmentStatus),
    cancelled_at: order.cancelledAt ?? null,
    customer: customer(order),
    billing_address: address(order.billingAddress),
    shipping_address: address(order.shippingAddress),
    location_gid: locationOf(order, warnings),
    lines,
    shipping_lines: shippingLines,
    // Only when there are some, so the documents (and content hashes) of other orders do not change.
    ...(duties.length ? { duties } : {}),
    ...(fees.length ? { additional_fees: fees } : {}),
    ...currentCharges(order, { duties, fees }, money, cur, side === 'presentmentMoney'),
    subtotal_price: cur.format(money(order.currentSubtotalPriceSet, 'subtotal')),
    total_tax: cur.format(money(order.currentTotalTaxSet, 'total tax')),
    total_discounts: cur.format(money(order.currentTotalDiscountsSet, 'total discounts')),
    total_price: cur.format(money(order.currentTotalPriceSet, 'total price')),
    note: order.note ?? null,
    // The refunds these current quantities and totals count: Odoo applies them first.
    refund_gids: (order.refunds ?? []).map((r) => r.id),
  };
  return { document, warnings };
}
