/**
 * Returns, reads (lane `fulfillments`: returns are the fulfillments' reverse): an order's returns,
 * one return in full, the fulfillment line items an order can still return, and from Odoo a
 * return picking.
 */
import type { FulfillmentDocument } from '../../odoo/contract.js';
import { PermanentError } from '../../queue/errors.js';
import type { OrderReturnsQuery, ReturnableFulfillmentsQuery } from '../../shopify/index.js';
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

export async function readReturnable(
  ctx: Pick<FlowContext, 'shopify'>,
  orderGid: string,
): Promise<ReturnableFulfillmentsQuery['returnableFulfillments']['nodes']> {
  return (await ctx.shopify.request('ReturnableFulfillments', { orderId: orderGid }, { lane: LANE })).returnableFulfillments.nodes;
}

export async function exportReturnPicking(ctx: Pick<FlowContext, 'odoo'>, pickingId: number): Promise<FulfillmentDocument> {
  return ctx.odoo.exportDelivery({ picking_id: pickingId });
}
