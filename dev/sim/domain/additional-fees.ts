/**
 * Shopify's additional fees (Order.additionalFees): extra costs of an international package that
 * are not duties or taxes, charged on the order at checkout, each with its name, price and tax
 * lines; counted in the order's totals (totalPriceSet, currentTotalPriceSet, the fees' own
 * original/currentTotalAdditionalFeesSet). Shopify's 2026-10 API has no way to refund a fee as
 * such (`refundAdditionalFees` is in `unstable` only): money given back for one is money beyond the
 * goods, an order adjustment of the refund, so a fee's price never lowers (docs/simulator.md).
 */
import type { AdditionalFee, Order, TaxLine } from '../state.js';
import { fail, nextId, type DomainContext } from './context.js';

export interface AdditionalFeeInput {
  name: string;
  /** In the shop currency. */
  price: string | number;
  taxLines?: { title: string; rate: number; price: string | number }[];
}

/** The fees of a new order, in cents; `cents` and `taxLines` are the order's own parsers. */
export function additionalFees(
  ctx: DomainContext,
  inputs: AdditionalFeeInput[] | undefined,
  cents: (value: string | number | undefined, field: string[]) => number,
  taxLines: (inputs: AdditionalFeeInput['taxLines'], field: string[]) => TaxLine[],
): AdditionalFee[] | undefined {
  if (inputs === undefined) return undefined;
  if (!Array.isArray(inputs)) fail('additionalFees must be a list', ['additionalFees']);
  return inputs.map((f, i) => {
    const where = ['additionalFees', String(i)];
    if (typeof f.name !== 'string' || !f.name) fail('An additional fee needs a name', [...where, 'name']);
    const price = cents(f.price, [...where, 'price']);
    if (price < 0) fail('An additional fee cannot be negative', [...where, 'price']);
    return { id: nextId(ctx), name: f.name, price, taxLines: taxLines(f.taxLines, [...where, 'taxLines']) };
  });
}

/** The order's fees (none for orders without). */
export const orderFees = (order: Order): AdditionalFee[] => order.additionalFees ?? [];

/** What the fees come to without their taxes. */
export const feesPrice = (order: Order): number => orderFees(order).reduce((s, f) => s + f.price, 0);

/** Their taxes. */
export const feesTax = (order: Order): number => orderFees(order).reduce((s, f) => s + f.taxLines.reduce((a, t) => a + t.price, 0), 0);

/** What the customer paid for the fees: their price, plus their taxes when prices exclude tax. */
export const feesCharged = (order: Order): number => feesPrice(order) + (order.taxesIncluded ? 0 : feesTax(order));
