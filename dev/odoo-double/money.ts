/**
 * Exact money for the Odoo double: amounts are integer cents, parsed from and formatted to the
 * contract's decimal strings ("12.50"). Pure module.
 */
const MONEY = /^-?\d+(\.\d{1,2})?$/;

/** "12.5" → 1250. Returns null when the text is not a decimal with at most two places. */
export function parseCents(text: unknown): number | null {
  if (typeof text !== 'string' || !MONEY.test(text)) return null;
  const negative = text.startsWith('-');
  const [whole = '0', frac = ''] = (negative ? text.slice(1) : text).split('.');
  const cents = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  return negative ? -cents : cents;
}

/** 1250 → "12.50", -5 → "-0.05". */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Half-up rounding to whole cents (Odoo's default HALF-UP for currency rounding). */
export function roundCents(value: number): number {
  // The epsilon absorbs binary noise such as 1250 * 0.2 = 250.00000000000003.
  return Math.sign(value) * Math.round(Math.abs(value) + 1e-9);
}
