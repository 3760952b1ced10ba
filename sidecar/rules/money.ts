/**
 * Exact money (pure; imports nothing from the project). Amounts cross both APIs and the contract
 * as decimal strings in the shop currency; arithmetic is done in integer cents (bigint), so no
 * float ever touches an amount. The same rule, with the same cases, is
 * `odoo_addon/shopify_sync/lib/money.py` (contract/rules/money.cases.json).
 */

export class MoneyError extends TypeError {
  override readonly name = 'MoneyError';
}

const AMOUNT = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * "12.5" → 1250n, exactly. More than two decimals are accepted only when the extra digits are
 * zeros ("12.500"): an amount is never rounded here, because a rounded amount would make Odoo's
 * totals differ from Shopify's without anyone seeing why. `field` names the value in the error.
 */
export function toCents(amount: string, field = 'amount'): bigint {
  const m = AMOUNT.exec(String(amount).trim());
  if (!m) throw new MoneyError(`${field}: "${amount}" is not a decimal amount`);
  const decimals = m[3] ?? '';
  if (/[1-9]/.test(decimals.slice(2))) throw new MoneyError(`${field}: "${amount}" has more than two decimals`);
  const cents = BigInt(m[2]!) * 100n + BigInt((decimals + '00').slice(0, 2));
  return m[1] === '-' ? -cents : cents;
}

/** 1250n → "12.50"; -1n → "-0.01". */
export function formatCents(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
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
