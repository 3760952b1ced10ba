/**
 * The shop currency against the company currency, as the addon's
 * models/shopify_sync_api_currency.py (docs/flows.md, "Currencies"): "company" refuses another
 * currency, "pricelist" takes the pricelist in that currency (none: held), "convert" converts
 * every amount with Odoo's rate, each rounded at the cent, and counts the roundings.
 */
import type { OrderDocument, RefundDocument } from '../../../sidecar/odoo/contract.js';
import { formatMinor, minorUnits, mulDivRound } from '../../../sidecar/rules/money.js';
import type { DoubleCore } from '../core.js';
import { validationError } from '../errors.js';
import { overlayPresentment, splitPresentment } from '../../../sidecar/rules/presentment.js';
import type { BookedMoney, ForeignCurrency, SaleOrder } from '../state.js';
import { money, moneyPlaces, useCurrency } from '../values.js';

const SCALE = 1_000_000n;

/**
 * An amount in `currency` (at the current call's decimals) → the company currency: amount / rate,
 * half away from zero at the company currency's minor unit.
 */
const converter = (currency: ForeignCurrency, company: string) => (value: unknown) => {
  const from = 10n ** BigInt(moneyPlaces());
  const to = minorUnits(company);
  return formatMinor(mulDivRound(BigInt(money(value, 'amount')) * 10n ** BigInt(to), SCALE, currency.rate_millionths * from), to);
};

/** The current call's money in the currency of the Shopify order `orderGid` (refunds, payments). */
export function useOrderCurrency(core: DoubleCore, orderGid: string): void {
  const so = [...core.state.saleOrders.values()].find((o) => o.order_gid === orderGid);
  useCurrency(so ? (so.shopify_currency ?? so.currency ?? core.state.settings.company_currency) : null);
}

export interface OrderCurrency {
  doc: OrderDocument;
  total: number;
  pricelistId: number | null;
  /** The order's currency. */
  currency: string;
  /** Roundings of the conversion (the rounding line's bound counts them). */
  roundings: number;
}

/**
 * The order document in the money Odoo books it in (shopify_sync.presentment_policy): an order
 * the double holds keeps the money it was first booked in, a new one takes the setting's.
 */
export function bookedMoney(
  core: DoubleCore,
  orderGid: string,
  label: string,
  incoming: OrderDocument,
): { doc: OrderDocument; booked: BookedMoney } {
  const [doc, amounts] = splitPresentment(incoming);
  if (!amounts) return { doc, booked: 'shop' };
  const so = [...core.state.saleOrders.values()].find((o) => o.order_gid === orderGid);
  const booked = so ? (so.shopify_money ?? 'shop') : core.state.settings.presentment_policy;
  if (booked !== 'presentment') return { doc, booked: 'shop' };
  try {
    return { doc: overlayPresentment(doc, amounts), booked };
  } catch (error) {
    throw validationError(`${label}: ${(error as Error).message}`);
  }
}

/**
 * A refund or payments document in the money its order was booked in: the customer's amounts laid
 * over the shop ones for an order booked in the customer's currency (refused when the document has
 * none in that currency).
 */
export function inOrderMoney<T extends { presentment?: unknown }>(core: DoubleCore, orderGid: string, incoming: T, label: string): T {
  const [doc, amounts] = splitPresentment(incoming);
  const so = [...core.state.saleOrders.values()].find((o) => o.order_gid === orderGid);
  if (so?.shopify_money !== 'presentment') return doc as T;
  const code = so.shopify_currency ?? '';
  if (!amounts || (amounts as { currency?: unknown }).currency !== code)
    throw validationError(
      `${label}: order ${so.name} is booked in the customer's currency ${code} but the document has no amounts in ${code}; upgrade the sidecar (contract 1.4)`,
    );
  try {
    return overlayPresentment(doc, amounts) as unknown as T;
  } catch (error) {
    throw validationError(`${label}: ${(error as Error).message}`);
  }
}

/**
 * Holds an order booked in a currency with more decimals than Odoo stores unit prices with
 * (Decimal Accuracy "Product Price", 2 by default: a KWD price of 1.234 would become 1.23), as the
 * addon's `_check_currency_precision` does, with its words.
 */
export function checkPriceDigits(core: DoubleCore, currency: string, missing: string[]): void {
  const digits = core.state.settings.price_digits;
  const iso = minorUnits(currency);
  if (digits < iso)
    missing.push(
      `unit prices are stored with ${digits} decimals in Odoo (Decimal Accuracy "Product Price") but ${currency} has ${iso}: set it to ${iso} (Settings > Technical > Decimal Accuracy)`,
    );
}

export function orderCurrency(
  core: DoubleCore,
  label: string,
  doc: OrderDocument,
  total: number,
  missing: string[],
  booked: BookedMoney = 'shop',
): OrderCurrency {
  const company = core.state.settings.company_currency;
  const code = doc.currency;
  const same = { doc, total, pricelistId: null, currency: company, roundings: 0 };
  if (!code || code === company) return same;
  const policy = core.state.settings.currency_policy;
  if (policy === 'company')
    throw validationError(
      booked === 'presentment'
        ? `${label}: the customer's currency ${code} differs from the company currency ${company}; choose a pricelist in it or Odoo's rates (Shopify settings, Shop currency), or book orders in the shop currency`
        : `${label}: shop currency ${code} differs from the company currency ${company}; configure the company currency first`,
    );
  const currency = core.state.currencies.get(code);
  if (!currency) {
    missing.push(`currency ${code} is not active in Odoo (Accounting > Configuration > Currencies) (${label})`);
    return same;
  }
  if (policy === 'pricelist') {
    if (currency.pricelist_id === null) {
      missing.push(
        `no pricelist in ${code}: create one (Sales > Configuration > Pricelists) or convert with Odoo's rates (Shopify settings)`,
      );
      return same;
    }
    return { doc, total, pricelistId: currency.pricelist_id, currency: code, roundings: 0 };
  }
  const convert = converter(currency, company);
  let roundings = 1;
  const converted: OrderDocument = {
    ...doc,
    currency: company,
    lines: doc.lines.map((l) => {
      roundings += (l.quantity ?? 0) + 1;
      return {
        ...l,
        price_unit: convert(l.price_unit),
        discount: convert(l.discount),
        tax_lines: (l.tax_lines ?? []).map((t) => ({ ...t, amount: convert(t.amount) })),
      };
    }),
    shipping_lines: doc.shipping_lines.map((s) => {
      roundings += 2;
      return {
        ...s,
        price: convert(s.price),
        discount: convert(s.discount),
        tax_lines: (s.tax_lines ?? []).map((t) => ({ ...t, amount: convert(t.amount) })),
      };
    }),
    ...(doc.duties
      ? {
          duties: doc.duties.map((d) => {
            roundings += 1;
            return { ...d, price: convert(d.price), tax_lines: (d.tax_lines ?? []).map((t) => ({ ...t, amount: convert(t.amount) })) };
          }),
        }
      : {}),
    ...(doc.additional_fees
      ? {
          additional_fees: doc.additional_fees.map((f) => {
            roundings += 1;
            return { ...f, price: convert(f.price), tax_lines: (f.tax_lines ?? []).map((t) => ({ ...t, amount: convert(t.amount) })) };
          }),
        }
      : {}),
    total_price: convert(doc.total_price),
  };
  for (const key of ['subtotal_price', 'total_tax', 'total_discounts', 'current_total_duties', 'current_total_additional_fees'] as const)
    if (doc[key] !== undefined) converted[key] = convert(doc[key]);
  useCurrency(company);
  return { doc: converted, total: money(converted.total_price, 'total_price'), pricelistId: null, currency: company, roundings };
}

/** A refund of an order converted into the company currency: its amounts converted like the order's. */
export function refundCurrency(
  core: DoubleCore,
  so: SaleOrder,
  doc: RefundDocument,
  total: number,
): { doc: RefundDocument; total: number } {
  const code = so.shopify_currency;
  if (!code || code === so.currency || core.state.settings.currency_policy !== 'convert') return { doc, total };
  const currency = core.state.currencies.get(code);
  if (!currency) return { doc, total };
  const target = so.currency ?? core.state.settings.company_currency;
  const convert = converter(currency, target);
  const converted: RefundDocument = {
    ...doc,
    lines: doc.lines.map((l) => ({ ...l, subtotal: convert(l.subtotal), total_tax: convert(l.total_tax) })),
    shipping: doc.shipping ? { ...doc.shipping, amount: convert(doc.shipping.amount), tax: convert(doc.shipping.tax) } : doc.shipping,
    adjustments: (doc.adjustments ?? []).map((a) => ({ ...a, amount: convert(a.amount) })),
    ...(doc.duties ? { duties: doc.duties.map((d) => ({ ...d, amount: convert(d.amount), tax: convert(d.tax) })) } : {}),
    ...(doc.edit_balance !== undefined ? { edit_balance: convert(doc.edit_balance) } : {}),
    total: convert(doc.total),
  };
  useCurrency(target);
  return { doc: converted, total: money(converted.total, 'total') };
}
