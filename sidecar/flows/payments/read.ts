/**
 * Payments, reads: an order's transactions from Shopify (lane `orders`: money shares the orders'
 * priority) and whether Odoo has imported the order.
 */
import { PermanentError } from '../../queue/errors.js';
import type { FlowContext } from '../context.js';
import type { ShopifyOrderTransactions } from './map.js';

export const LANE = 'orders' as const;

export async function readOrderTransactions(ctx: Pick<FlowContext, 'shopify'>, orderGid: string): Promise<ShopifyOrderTransactions> {
  const { order } = await ctx.shopify.request('OrderTransactions', { id: orderGid }, { lane: LANE });
  if (!order) throw new PermanentError(`payments: order ${orderGid} does not exist in Shopify`);
  return order;
}

/** The sale order Odoo imported for the Shopify order, if any. */
export async function saleOrderOf(ctx: Pick<FlowContext, 'odoo'>, orderGid: string): Promise<number | null> {
  const [status] = (await ctx.odoo.orderStatus({ order_gids: [orderGid] })).orders;
  return status?.found ? status.sale_order_id : null;
}
