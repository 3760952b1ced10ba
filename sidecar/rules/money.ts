/**
 * Exact money (pure; imports nothing from the project). Amounts cross both APIs and the contract
 * as decimal strings in the document's currency; arithmetic is done in integer minor units of that
 * currency (bigint: cents, yen, fils), so no float ever touches an amount and every rounding is at
 * the currency's own precision. The same rule, with the same cases and the same table of minor
 * units, is `odoo_addon/shopify_sync/lib/money.py` (contract/rules/money.cases.json).
 */

export class MoneyError extends TypeError {
  override readonly name = 'MoneyError';
}

const AMOUNT = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * ISO 4217 minor units of every currency whose minor unit is not 2 (ISO 4217 list one, "Minor
 * unit"; the table of contract/rules/money.cases.json, which both sides are tested against).
 * A hand table because the addon needs the same one and no Debian Python package carries it;
 * `Intl.NumberFormat` is not used: its CLDR digits differ from ISO 4217 (IQD 0, not 3).
 */
export const MINOR_UNITS: Readonly<Record<string, number>> = Object.freeze({
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
});

/** The decimals of a currency (ISO 4217 minor units): JPY 0, EUR 2, KWD 3; 2 when unknown. */
export function minorUnits(currency: string | null | undefined): number {
  return MINOR_UNITS[String(currency ?? '').toUpperCase()] ?? 2;
}

const decimalsWord = (places: number): string => (places === 2 ? 'two' : String(places));

/**
 * "12.345" in KWD (3 decimals) → 12345n, exactly. More decimals than the currency has are
 * accepted only when the extra digits are zeros ("1980.0" yen): an amount is never rounded here,
 * because a rounded amount would make Odoo's totals differ from Shopify's without anyone seeing
 * why. `field` names the value in the error; `places` is `minorUnits(currency)`.
 */
export function toMinor(amount: string, places: number, field = 'amount'): bigint {
  const m = AMOUNT.exec(String(amount).trim());
  if (!m) throw new MoneyError(`${field}: "${amount}" is not a decimal amount`);
  const decimals = m[3] ?? '';
  if (/[1-9]/.test(decimals.slice(places))) throw new MoneyError(`${field}: "${amount}" has more than ${decimalsWord(places)} decimals`);
  const minor = BigInt(m[2]!) * 10n ** BigInt(places) + BigInt((decimals + '0'.repeat(places)).slice(0, places) || '0');
  return m[1] === '-' ? -minor : minor;
}

/** 12345n with 3 places → "12.345"; 1980n with 0 → "1980"; -1n with 2 → "-0.01". */
export function formatMinor(minor: bigint, places: number): string {
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  if (places === 0) return `${sign}${abs}`;
  const scale = 10n ** BigInt(places);
  return `${sign}${abs / scale}.${String(abs % scale).padStart(places, '0')}`;
}

/** A two-decimal amount (EUR, USD…) → integer cents: `toMinor` with 2 places. */
export function toCents(amount: string, field = 'amount'): bigint {
  return toMinor(amount, 2, field);
}

/** 1250n → "12.50"; -1n → "-0.01" (`formatMinor` with 2 places). */
export function formatCents(cents: bigint): string {
  return formatMinor(cents, 2);
}

/** round(value × numerator / denominator), half away from zero, exact. */
export function mulDivRound(value: bigint, numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('mulDivRound: denominator must be positive');
  const product = value * numerator;
  const negative = product < 0n;
  const abs = negative ? -product : product;
  const rounded = (abs * 2n + denominator) / (denominator * 2n);
  return negative ? -rounded : rounded;
}

/** Reading and writing amounts of one currency: its decimals bound once (`minorUnits`). */
export interface CurrencyMoney {
  readonly currency: string;
  readonly places: number;
  /** `toMinor` at this currency's decimals. */
  read(amount: string, field?: string): bigint;
  /** `formatMinor` at this currency's decimals. */
  format(minor: bigint): string;
}

export function currencyMoney(currency: string | null | undefined): CurrencyMoney {
  const places = minorUnits(currency);
  return {
    currency: String(currency ?? ''),
    places,
    read: (amount, field = 'amount') => toMinor(amount, places, field),
    format: (minor) => formatMinor(minor, places),
  };
}
