/**
 * Money in integer minor units of its currency (cents, yen, fils: ISO 4217, the sidecar's
 * `minorUnits`), formatted as Shopify does: decimal strings with the currency's decimals
 * ("10.00", "12.345"), and a currency without decimals with Shopify's Decimal scalar's one zero
 * ("1980.0"). Every amount the simulator computes (tax and discount shares) is an integer of
 * these units, so it is rounded at the currency's precision as Shopify rounds. Pure.
 */
import { minorUnits } from '../../sidecar/rules/money.js';

/** A decimal amount in `currency` → minor units (a digit beyond them rounds half up: test input). */
export function toCents(value: string | number, currency: string): number {
  const places = minorUnits(currency);
  const text = typeof value === 'number' ? value.toFixed(places) : value.trim();
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Error(`not a decimal amount: "${text}"`);
  const negative = text.startsWith('-');
  const [whole = '0', frac = ''] = text.replace('-', '').split('.');
  const kept = Number((frac + '0'.repeat(places)).slice(0, places) || '0');
  const minor = Number(whole) * 10 ** places + kept + (Number(frac[places] ?? '0') >= 5 ? 1 : 0);
  return negative ? -minor : minor;
}

export function formatCents(minor: number, currency: string): string {
  const places = minorUnits(currency);
  const negative = minor < 0;
  const abs = Math.abs(Math.round(minor));
  const scale = 10 ** places;
  const text = places === 0 ? `${abs}.0` : `${Math.floor(abs / scale)}.${String(abs % scale).padStart(places, '0')}`;
  return negative ? `-${text}` : text;
}

/** Converts a shop-currency amount into the presentment currency at the order's rate. */
export function toPresentment(cents: number, rate: number): number {
  return Math.round(cents * rate);
}

/** A presentment amount back in shop money at the order's rate (a refund's transactions). */
export function fromPresentment(cents: number, rate: number): number {
  return Math.round(cents / rate);
}

/** REST webhook money set: `{shop_money:{amount,currency_code}, presentment_money:{…}}`. */
export function restMoneySet(cents: number, shopCurrency: string, presentmentCurrency: string, rate: number) {
  return {
    shop_money: { amount: formatCents(cents, shopCurrency), currency_code: shopCurrency },
    presentment_money: { amount: formatCents(toPresentment(cents, rate), presentmentCurrency), currency_code: presentmentCurrency },
  };
}

/** GraphQL MoneyBag: `{shopMoney:{amount,currencyCode}, presentmentMoney:{…}}`. */
export function moneyBag(cents: number, shopCurrency: string, presentmentCurrency: string, rate: number) {
  return {
    shopMoney: { amount: formatCents(cents, shopCurrency), currencyCode: shopCurrency },
    presentmentMoney: { amount: formatCents(toPresentment(cents, rate), presentmentCurrency), currencyCode: presentmentCurrency },
  };
}
