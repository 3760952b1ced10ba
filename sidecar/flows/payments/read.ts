/**
 * Payments, reads: an order's transactions from Shopify (lane `orders`: money shares the orders'
 * priority); whether Odoo has imported the order is `../sale-order.ts`.
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
