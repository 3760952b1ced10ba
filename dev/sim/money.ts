/**
 * Money in integer minor units (cents), formatted as Shopify does: decimal strings with two places
 * ("10.00"). Currencies with other exponents (JPY, KWD) are formatted with two places too: a known
 * simplification of the simulator. Pure.
 */
export function toCents(value: string | number): number {
  const text = typeof value === 'number' ? value.toFixed(2) : value.trim();
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Error(`not a decimal amount: "${text}"`);
  const negative = text.startsWith('-');
  const [whole = '0', frac = ''] = text.replace('-', '').split('.');
  const cents = Number(whole) * 100 + Number((frac + '00').slice(0, 2)) + (Number(frac[2] ?? '0') >= 5 ? 1 : 0);
  return negative ? -cents : cents;
}

export function formatCents(cents: number): string {
  const negative = cents < 0;
  const abs = Math.abs(Math.round(cents));
  const text = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return negative ? `-${text}` : text;
}

/** Converts a shop-currency amount into the presentment currency at the order's rate. */
export function toPresentment(cents: number, rate: number): number {
  return Math.round(cents * rate);
}

/** REST webhook money set: `{shop_money:{amount,currency_code}, presentment_money:{…}}`. */
export function restMoneySet(cents: number, shopCurrency: string, presentmentCurrency: string, rate: number) {
  return {
    shop_money: { amount: formatCents(cents), currency_code: shopCurrency },
    presentment_money: { amount: formatCents(toPresentment(cents, rate)), currency_code: presentmentCurrency },
  };
}

/** GraphQL MoneyBag: `{shopMoney:{amount,currencyCode}, presentmentMoney:{…}}`. */
export function moneyBag(cents: number, shopCurrency: string, presentmentCurrency: string, rate: number) {
  return {
    shopMoney: { amount: formatCents(cents), currencyCode: shopCurrency },
    presentmentMoney: { amount: formatCents(toPresentment(cents, rate)), currencyCode: presentmentCurrency },
  };
}
