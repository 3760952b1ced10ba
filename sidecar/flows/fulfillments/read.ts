/**
 * Fulfillments, reads: the delivery from Odoo (export_delivery), and the order's fulfillments and
 * fulfillment orders from Shopify (lane `fulfillments`).
 */
import type { FulfillmentDocument } from '../../odoo/contract.js';
import { PermanentError } from '../../queue/errors.js';
import type { FlowContext } from '../context.js';
import type { ShopifyFulfillmentOrderRead, ShopifyFulfillmentRead } from './map.js';

export const LANE = 'fulfillments' as const;

export async function exportDelivery(ctx: Pick<FlowContext, 'odoo'>, pickingId: number): Promise<FulfillmentDocument> {
  return ctx.odoo.exportDelivery({ picking_id: pickingId });
}

export async function readFulfillments(ctx: Pick<FlowContext, 'shopify'>, orderGid: string): Promise<ShopifyFulfillmentRead[]> {
  const data = await ctx.shopify.request('OrderFulfillments', { orderId: orderGid }, { lane: LANE });
  if (!data.order) throw new PermanentError(`fulfillments: order ${orderGid} does not exist in Shopify`);
  return data.order.fulfillments;
}

export async function readFulfillmentOrders(ctx: Pick<FlowContext, 'shopify'>, orderGid: string): Promise<ShopifyFulfillmentOrderRead[]> {
  const data = await ctx.shopify.request('FulfillmentOrdersForOrder', { orderId: orderGid }, { lane: LANE });
  if (!data.order) throw new PermanentError(`fulfillments: order ${orderGid} does not exist in Shopify`);
  return data.order.fulfillmentOrders.nodes;
}
