/**
 * Refunds, reads: an order's refunds and one refund in full, what an order can still refund (lane
 * `orders` of the API budget: money flows share the orders' priority), and from Odoo a credit note
 * and what it holds for some refunds.
 */
import type { CreditNoteDocument, RefundStatus } from '../../odoo/contract.js';
import { PermanentError } from '../../queue/errors.js';
import type { RefundLineItemInput } from '../../shopify/index.js';
import type { FlowContext } from '../context.js';
import type { ShopifyOrderEditBalance, ShopifyOrderRefundable, ShopifyOrderRefunds, ShopifyRefund } from './map.js';

export const LANE = 'orders' as const;

export async function readOrderRefunds(ctx: Pick<FlowContext, 'shopify'>, orderGid: string): Promise<ShopifyOrderRefunds> {
  const { order } = await ctx.shopify.request('OrderRefunds', { id: orderGid }, { lane: LANE });
  if (!order) throw new PermanentError(`refunds: order ${orderGid} does not exist in Shopify`);
  return order;
}

/** What the order's refunds may be repaying (only read for a refund with money beyond its goods). */
export async function readOrderEditBalance(ctx: Pick<FlowContext, 'shopify'>, orderGid: string): Promise<ShopifyOrderEditBalance> {
  const { order } = await ctx.shopify.request('OrderEditBalance', { id: orderGid }, { lane: LANE });
  if (!order) throw new PermanentError(`refunds: order ${orderGid} does not exist in Shopify`);
  return order;
}

export async function readRefund(ctx: Pick<FlowContext, 'shopify'>, refundGid: string): Promise<ShopifyRefund> {
  const { refund } = await ctx.shopify.request('RefundById', { id: refundGid }, { lane: LANE });
  if (!refund) throw new PermanentError(`refunds: refund ${refundGid} does not exist in Shopify`);
  return refund;
}

export async function readRefundable(
  ctx: Pick<FlowContext, 'shopify'>,
  orderGid: string,
  lines: RefundLineItemInput[],
): Promise<ShopifyOrderRefundable> {
  const { order } = await ctx.shopify.request('OrderRefundable', { id: orderGid, lines }, { lane: LANE });
  if (!order) throw new PermanentError(`refunds: order ${orderGid} does not exist in Shopify`);
  if (order.lineItems.pageInfo.hasNextPage)
    throw new PermanentError(`refunds: order ${order.name} has more than 50 lines; refund it in Shopify`);
  return order;
}

export async function refundStatuses(ctx: Pick<FlowContext, 'odoo'>, refundGids: string[]): Promise<RefundStatus[]> {
  const out: RefundStatus[] = [];
  for (let i = 0; i < refundGids.length; i += 1000)
    out.push(...(await ctx.odoo.refundStatus({ refund_gids: refundGids.slice(i, i + 1000) })).refunds);
  return out;
}

export async function exportCreditNote(ctx: Pick<FlowContext, 'odoo'>, moveId: number): Promise<CreditNoteDocument> {
  return ctx.odoo.exportCreditNote({ move_id: moveId });
}
