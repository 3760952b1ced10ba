/**
 * Shopify's tax arithmetic for simulated orders (pure, integer minor units of the shop currency:
 * cents, yen, fils — so every rounding is at the currency's precision): the tax lines Shopify
 * reports on a line item or a shipping line, and the allocation of an order-level discount across
 * line items (`DiscountApplication.allocationMethod: ACROSS`, shown as each line's
 * `discountAllocations`). Each tax line is rounded once, half away from zero, on the line's price
 * after its discounts: taxes excluded, price × rate; taxes included, the price's untaxed part
 * (price / (1 + the line's rates)) × rate. Scenarios and the money audit use it to build orders the
 * way Shopify would report them; the simulator stores the tax lines it is given.
 */

export interface TaxRate {
  title: string;
  /** A fraction as a decimal string: "0.0625" for 6.25 %. */
  rate: string;
}

export interface ComputedTaxLine {
  title: string;
  rate: number;
  /** Cents. */
  price: number;
}

const SCALE = 1_000_000n;

function millionths(rate: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(rate);
  if (!m) throw new RangeError(`tax rate "${rate}" is not a fraction with at most six decimals`);
  return BigInt(m[1]!) * SCALE + BigInt((m[2] ?? '').padEnd(6, '0'));
}

/** round(numerator / denominator), half away from zero. */
function roundDiv(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const [n, d] = [numerator < 0n ? -numerator : numerator, denominator < 0n ? -denominator : denominator];
  const q = (2n * n + d) / (2n * d);
  return negative ? -q : q;
}

/** The tax lines of one line whose price after discounts is `base` cents. */
export function shopifyTaxLines(base: number, rates: readonly TaxRate[], taxesIncluded: boolean): ComputedTaxLine[] {
  const total = rates.reduce((s, r) => s + millionths(r.rate), 0n);
  return rates.map((r) => {
    const m = millionths(r.rate);
    const price = taxesIncluded ? roundDiv(BigInt(base) * m, SCALE + total) : roundDiv(BigInt(base) * m, SCALE);
    return { title: r.title, rate: Number(r.rate), price: Number(price) };
  });
}

/**
 * An order discount of `discount` cents allocated across lines in proportion to their amounts
 * (`lineAmounts`, cents), each share rounded and the last line taking the remainder, so the shares
 * add up to the discount exactly.
 */
export function allocateAcross(lineAmounts: readonly number[], discount: number): number[] {
  const sum = lineAmounts.reduce((s, a) => s + a, 0);
  if (sum <= 0 || discount === 0) return lineAmounts.map(() => 0);
  const shares = lineAmounts.map((a) => Number(roundDiv(BigInt(a) * BigInt(discount), BigInt(sum))));
  shares[shares.length - 1] = discount - shares.slice(0, -1).reduce((s, a) => s + a, 0);
  return shares;
}

/** Cents as Shopify's decimal string ("1.05"). */
export const centsString = (cents: number): string =>
  `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;
