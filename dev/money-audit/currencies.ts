/**
 * The money audit's currencies (`--currencies mixed`; docs/operations.md, "Money audit"): a share
 * of the orders is paid by customers in another currency than the shop's — one with two decimals
 * (PLN), one with none (JPY) and one with three (KWD) — at an exchange rate, and each batch books
 * its orders in the shop's or the customer's (presentment) money ("Book orders in", with a
 * pricelist in the customer's currency: docs/flows.md, "Currencies"). Odoo's amounts are then
 * compared in the currency it booked the order in, to its minor unit: Shopify's presentment
 * amounts for an order booked in the customer's currency, its shop amounts otherwise.
 *
 * The simulator derives every presentment amount from the shop amount, field by field
 * (dev/sim/money.ts `toPresentment`), while Shopify prices a checkout in the customer's currency,
 * so that its presentment amounts add up. The rates are therefore whole numbers of the customer's
 * minor units per shop cent: every converted field is exact and the presentment sums add up as
 * Shopify's do; with another rate the simulator's own sums would miss by conversion cents that
 * Shopify never shows. The currencies' draws come from a generator of their own, so the orders of
 * a seed are those of the default run (`currencies shop`) plus their currency.
 */
import { formatMinor, minorUnits, toMinor } from '../../sidecar/rules/money.js';
import type { MerchantDriver } from '../conformance/target.js';
import { toPresentment } from '../sim/money.js';
import { seededRandom, type AuditOrder } from './generate.js';

export type CurrencyMix = 'shop' | 'mixed';
/** Which money each batch books its orders in: alternating by batch (default), or one for the whole run. */
export type BookIn = 'batch' | 'presentment' | 'shop';

export interface AuditCurrency {
  code: string;
  /** Customer's minor units per shop minor unit (the simulator's `exchangeRate`). */
  rate: number;
}

/**
 * The customers' currencies, with their share of the foreign orders. Rates: 1.00 of the shop
 * currency is 4.00 PLN, 200 JPY, 0.300 KWD (the order of magnitude of EUR and USD).
 */
export const FOREIGN_CURRENCIES: readonly AuditCurrency[] = [
  { code: 'PLN', rate: 4 },
  { code: 'JPY', rate: 2 },
  { code: 'KWD', rate: 3 },
];
/** About this share of the orders is paid in another currency. */
const FOREIGN_SHARE = 0.45;

/** Odoo's rate of a currency (its units per unit of the shop currency, as res.currency.rate stores it). */
export function odooRate(c: AuditCurrency, shopCurrency: string): string {
  const shift = minorUnits(shopCurrency) - minorUnits(c.code);
  return String(shift >= 0 ? c.rate * 10 ** shift : c.rate / 10 ** -shift);
}

/**
 * The order paid in another currency, or as it is. A point-of-sale sale paid in cash with change
 * stays in the shop currency (a till takes the local one).
 */
export function withCurrency(order: AuditOrder, mix: CurrencyMix): AuditOrder {
  if (mix === 'shop' || order.action === 'cash_change') return order;
  // One draw decides both, below the share: which currency (a second draw of a generator seeded so near is not spread evenly).
  const draw = seededRandom(0xc0ffee ^ Math.imul(order.index, 2246822519))();
  if (draw >= FOREIGN_SHARE) return order;
  const currency = FOREIGN_CURRENCIES[Math.floor((draw / FOREIGN_SHARE) * FOREIGN_CURRENCIES.length)]!;
  return { ...order, currency, body: { ...order.body, presentmentCurrency: currency.code, exchangeRate: currency.rate } };
}

/** The money of a batch: batches alternate (the first in the customer's currency) unless one is given. */
export function batchBookIn(bookIn: BookIn, batchIndex: number): 'presentment' | 'shop' {
  if (bookIn !== 'batch') return bookIn;
  return batchIndex % 2 === 0 ? 'presentment' : 'shop';
}

/**
 * Odoo as the merchant sets it up for customers' currencies: each currency active with its rate
 * and a pricelist, orders in another currency booked by that pricelist, and unit prices stored
 * with three decimals (Decimal Accuracy "Product Price", which KWD needs: the addon holds a KWD
 * order otherwise, naming the setting).
 */
export async function setUpCurrencies(merchant: MerchantDriver, mix: CurrencyMix): Promise<string> {
  const shop = await merchant.companyCurrency();
  if (mix === 'shop') return shop;
  for (const c of FOREIGN_CURRENCIES) await merchant.setCurrency(c.code, { rate: odooRate(c, shop), pricelist: true });
  await merchant.configure({ currency_policy: 'pricelist', price_digits: 3 });
  return shop;
}

/** The money Odoo is to book an order in, and Shopify's amounts in it. */
export interface BookedMoney {
  /** The ISO code of the booked currency, and of the shop's. */
  currency: string;
  shop: string;
  /** Shopify's presentment amounts (the customer's currency), not its shop amounts. */
  presentment: boolean;
  rate: number;
}

export function bookedMoney(order: AuditOrder, shopCurrency: string, bookIn: 'presentment' | 'shop'): BookedMoney {
  if (!order.currency || bookIn === 'shop') return { currency: shopCurrency, shop: shopCurrency, presentment: false, rate: 1 };
  return { currency: order.currency.code, shop: shopCurrency, presentment: true, rate: order.currency.rate };
}

/** A shop-money amount of Shopify's (integer minor units) in the booked money, as Shopify's presentmentMoney gives it. */
export function inBooked(booked: BookedMoney, shopMinor: number | bigint): bigint {
  return booked.presentment ? BigInt(toPresentment(Number(shopMinor), booked.rate)) : BigInt(shopMinor);
}

/** A shop-money decimal amount of Shopify's (a REST refund transaction's `amount`) in the booked money. */
export function shopAmountInBooked(booked: BookedMoney, amount: string, what: string): bigint {
  return inBooked(booked, toMinor(amount, minorUnits(booked.shop), what));
}

/** A decimal amount (Odoo's or Shopify's) in the booked currency → its minor units, exactly. */
export function minorOf(booked: BookedMoney, amount: string, what: string): bigint {
  return toMinor(amount, minorUnits(booked.currency), what);
}

/** Shopify's current total of the order in the booked money (REST `current_total_price_set`). */
export function shopifyTotal(
  booked: BookedMoney,
  order: { current_total_price: string; current_total_price_set?: { presentment_money: { amount: string } } },
): bigint {
  if (!booked.presentment) return minorOf(booked, order.current_total_price, 'Shopify total');
  return minorOf(booked, order.current_total_price_set!.presentment_money.amount, 'Shopify presentment total');
}

/** Minor units of the booked currency as a decimal amount with its code ("12.345 KWD"). */
export function shown(booked: BookedMoney, minor: bigint): string {
  return `${formatMinor(minor, minorUnits(booked.currency))} ${booked.currency}`;
}
