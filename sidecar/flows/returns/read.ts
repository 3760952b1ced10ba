/**
 * Returns, reads (lane `fulfillments`: returns are the fulfillments' reverse): an order's returns
 * and one return in full.
 */
import { PermanentError } from '../../queue/errors.js';
import type { OrderReturnsQuery } from '../../shopify/index.js';
import type { FlowContext } from '../context.js';
import type { ShopifyReturn } from './map.js';

export const LANE = 'fulfillments' as const;

export async function readOrderReturns(
  ctx: Pick<FlowContext, 'shopify'>,
  orderGid: string,
): Promise<NonNullable<OrderReturnsQuery['order']>> {
  const { order } = await ctx.shopify.request('OrderReturns', { id: orderGid }, { lane: LANE });
  if (!order) throw new PermanentError(`returns: order ${orderGid} does not exist in Shopify`);
  return order;
}

export async function readReturn(ctx: Pick<FlowContext, 'shopify'>, returnGid: string): Promise<ShopifyReturn> {
  const { return: ret } = await ctx.shopify.request('ReturnById', { id: returnGid }, { lane: LANE });
  if (!ret) throw new PermanentError(`returns: return ${returnGid} does not exist in Shopify`);
  return ret;
}
