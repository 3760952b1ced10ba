/**
 * How the double reads and writes contract values, with the shared rules the addon applies too
 * (sidecar/rules/, contract/rules/*.cases.json): money, Shopify GIDs, quantities, and the content
 * hash of a document. Amounts are integer cents: parsed and formatted by the money rule, and
 * every product or quotient of an amount (taxes) is rounded exactly, half away from zero, as
 * Odoo's HALF-UP rounding does. Pure.
 */
import { createHash } from 'node:crypto';
import { isGid } from '../../sidecar/rules/gid.js';
import { formatMinor, minorUnits, MoneyError, mulDivRound, toMinor } from '../../sidecar/rules/money.js';
import { pyRepr, pyStr, validationError } from './errors.js';

/**
 * A Shopify GID (of `kind` when given; the GID rule decides); otherwise a ValidationError worded
 * as the addon's `_gid` words it: `<label>: <field> <repr> is not a Shopify GID (…)`.
 */
export function gid(value: unknown, kind: string | null, label: string, field: string): string {
  if (!isGid(value)) throw validationError(`${label}: ${field} ${pyRepr(value)} is not a Shopify GID (gid://shopify/<Type>/<digits>)`);
  if (kind && !isGid(value, kind)) throw validationError(`${label}: ${field} ${pyRepr(value)} is not a ${kind} GID`);
  return value;
}

/**
 * The decimals of the money the current call reads and writes (the addon's `_places`, its
 * context's `shopify_money_places`): the ISO 4217 minor units of the document's currency, set by
 * the method (`useCurrency`) and reset to 2 before every call (double.ts). Calls never interleave.
 */
let places = 2;

/** The current call reads and writes money in currency `code` (JPY 0, EUR 2, KWD 3 decimals). */
export function useCurrency(code: string | null | undefined): void {
  places = minorUnits(code);
}

/** The decimals of the current call's money. */
export const moneyPlaces = (): number => places;

/**
 * Contract money → integer minor units of the current call's currency, exactly (the money rule decides, as the addon's lib/money.py
 * `cents`): a decimal string or an integer; missing (null) is 0. Anything else — an empty
 * string, a float, a boolean, more than two decimals that are not zeros — is a ValidationError
 * naming the field, worded as the addon words it.
 */
export function money(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'boolean' || (typeof value === 'number' && !Number.isInteger(value)))
    throw validationError(`${field}: money must be a decimal string, got ${pyRepr(value)}`);
  if (typeof value === 'number') return value * 10 ** places;
  if (typeof value !== 'string') throw validationError(`${field}: "${pyStr(value)}" is not a decimal amount`);
  try {
    return Number(toMinor(value, places, field));
  } catch (error) {
    // The rule's message is the addon's: `<field>: "<value>" has more than two decimals`.
    if (error instanceof MoneyError) throw validationError(error.message);
    throw error;
  }
}

/** Integer minor units → the contract's decimal string ("12.50", "1980", "12.345"). */
export const formatMoney = (minor: number): string => formatMinor(BigInt(minor), places);

/** A decimal string the caller knows to be valid (test and merchant input) → integer minor units. */
export const cents = (amount: string): number => Number(toMinor(amount, places));

export function quantity(value: unknown, label: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw validationError(`${label}: quantity must be a non-negative integer, got ${pyRepr(value)}`);
  }
  return value;
}

/** Tax rates are fractions with at most six decimals (0.2 = 20 %): exact in millionths. */
const RATE_SCALE = 1_000_000n;
const millionths = (rate: number): bigint => BigInt(Math.round(rate * 1_000_000));

/** round(amount × rate), exactly. */
export const taxOf = (amount: number, rate: number): number => Number(mulDivRound(BigInt(amount), millionths(rate), RATE_SCALE));

/** The untaxed part of a price that includes taxes at `rate` (their sum): round(amount / (1 + rate)). */
export const untaxedOf = (amount: number, rate: number): number =>
  Number(mulDivRound(BigInt(amount), RATE_SCALE, RATE_SCALE + millionths(rate)));

/** SHA-256 of canonical JSON (sorted keys, no whitespace), like the addon's lib/digest.py. */
export function contentHash(doc: object, exclude: readonly string[] = []): string {
  const kept = Object.fromEntries(Object.entries(doc).filter(([k]) => !exclude.includes(k)));
  return createHash('sha256').update(canonicalJson(kept)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Odoo's company tax rounding (account: tax_calculation_rounding_method). */
export type TaxRounding = 'round_per_line' | 'round_globally';

export interface TaxedAmount {
  /** price_unit × quantity, in cents (signed). */
  base: number;
  taxes: ReadonlyArray<{ id: number; rate: number; price_include: boolean }>;
}

const gcd = (a: bigint, b: bigint): bigint => {
  let [x, y] = [a < 0n ? -a : a, b];
  while (y) [x, y] = [y, x % y];
  return x || 1n;
};

/**
 * A document's untaxed amount and tax in cents, as Odoo 18 computes them for the company's
 * rounding: per line, each tax of each line rounded (taxes included: the untaxed part of a line is
 * rounded and the tax is the rest); globally, each tax summed unrounded over the lines and rounded
 * once, and for taxes included the untaxed part is the prices minus those taxes. Exact (bigint
 * fractions).
 */
export function documentAmounts(lines: readonly TaxedAmount[], rounding: TaxRounding): { untaxed: number; tax: number } {
  if (rounding === 'round_per_line') {
    let untaxed = 0;
    let tax = 0;
    for (const { base, taxes } of lines) {
      if (taxes.some((t) => t.price_include)) {
        const excluded = untaxedOf(
          base,
          taxes.reduce((s, t) => s + t.rate, 0),
        );
        untaxed += excluded;
        tax += base - excluded;
      } else {
        untaxed += base;
        tax += taxes.reduce((s, t) => s + taxOf(base, t.rate), 0);
      }
    }
    return { untaxed, tax };
  }
  const raw = new Map<number, { num: bigint; den: bigint; included: boolean }>();
  let prices = 0;
  for (const { base, taxes } of lines) {
    prices += base;
    const included = taxes.some((t) => t.price_include);
    const den = included ? RATE_SCALE + taxes.reduce((s, t) => s + millionths(t.rate), 0n) : RATE_SCALE;
    for (const t of taxes) {
      const prev = raw.get(t.id) ?? { num: 0n, den: 1n };
      let num = prev.num * den + BigInt(base) * millionths(t.rate) * prev.den;
      let d = prev.den * den;
      const g = gcd(num, d);
      [num, d] = [num / g, d / g];
      raw.set(t.id, { num, den: d, included });
    }
  }
  let tax = 0;
  let includedTax = 0;
  for (const { num, den, included } of raw.values()) {
    const rounded = Number(mulDivRound(num, 1n, den));
    tax += rounded;
    if (included) includedTax += rounded;
  }
  return { untaxed: prices - includedTax, tax };
}
