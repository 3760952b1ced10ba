/**
 * Orders, reads from Shopify (lane `orders` of the API budget): one order with all its line items,
 * and pages of the orders updated since an instant (the pull).
 */
import type { OrderFieldsFragment, OrderLineFieldsFragment, OrdersUpdatedSinceQuery } from '../../shopify/index.js';
import { RetryableError } from '../../queue/errors.js';
import type { FlowContext } from '../context.js';
import type { FailureSubject } from '../failure-report.js';
import { paidInOtherCurrency, updatedSinceQuery } from './map.js';

/**
 * Reads the order and all its line items (OrderById, then OrderLineItems pages past the first 10)
 * and shipping lines (OrderShippingLines pages past the first 5; the order answered carries them
 * all, so a line past the first page is never dropped and never shifts another's position).
 * `withPresentment: false` leaves the customer's-currency amounts out (a quarter of the read's
 * points; ./map.ts, readsPresentment): when the answer shows the order is paid in another currency
 * after all, it is read again with them, so the document never lacks them.
 */
export async function fetchOrder(
  ctx: Pick<FlowContext, 'shopify'>,
  orderGid: string,
  { withPresentment = true }: { withPresentment?: boolean } = {},
): Promise<{ order: OrderFieldsFragment; lineItems: OrderLineFieldsFragment[] } | null> {
  let { order } = await ctx.shopify.request('OrderById', { id: orderGid, withPresentment }, { lane: 'orders' });
  if (order && !withPresentment && paidInOtherCurrency(order)) {
    withPresentment = true;
    ({ order } = await ctx.shopify.request('OrderById', { id: orderGid, withPresentment }, { lane: 'orders' }));
  }
  if (!order) return null;
  const lineItems = [...order.lineItems.nodes];
  let page = order.lineItems.pageInfo;
  while (page.hasNextPage && page.endCursor) {
    const more = await ctx.shopify.request('OrderLineItems', { id: orderGid, after: page.endCursor, withPresentment }, { lane: 'orders' });
    if (!more.order) throw gone(orderGid, 'line items');
    lineItems.push(...more.order.lineItems.nodes);
    page = more.order.lineItems.pageInfo;
  }
  return { order: await withAllShippingLines(ctx, order, withPresentment), lineItems };
}

/**
 * The order vanished between two pages: never a document with part of its lines. The job's retry
 * reads it again and finds it gone (or whole).
 */
const gone = (orderGid: string, what: string) => new RetryableError(`orders: ${orderGid} disappeared while its ${what} were read`);

async function withAllShippingLines(
  ctx: Pick<FlowContext, 'shopify'>,
  order: OrderFieldsFragment,
  withPresentment: boolean,
): Promise<OrderFieldsFragment> {
  const nodes = [...order.shippingLines.nodes];
  let page = order.shippingLines.pageInfo;
  while (page.hasNextPage && page.endCursor) {
    const more = await ctx.shopify.request(
      'OrderShippingLines',
      { id: order.id, after: page.endCursor, withPresentment },
      { lane: 'orders' },
    );
    if (!more.order) throw gone(order.id, 'shipping lines');
    nodes.push(...more.order.shippingLines.nodes);
    page = more.order.shippingLines.pageInfo;
  }
  return { ...order, shippingLines: { nodes, pageInfo: page } };
}

/** One page of the orders updated at or after `since` (ids and `updatedAt` only). */
export async function updatedOrdersPage(
  ctx: Pick<FlowContext, 'shopify' | 'config'>,
  since: Date,
  after: string | null,
): Promise<OrdersUpdatedSinceQuery['orders']> {
  const page = await ctx.shopify.request(
    'OrdersUpdatedSince',
    { query: updatedSinceQuery(since), first: ctx.config.orders.pullPageSize, after },
    { lane: 'orders' },
  );
  return page.orders;
}

/**
 * What Odoo's Shopify > Errors shows of an order the sidecar could not import: its number, total
 * and the customer's name (a guest's: the shipping address's), read when the failure is reported.
 */
export async function orderFailureSubject(ctx: Pick<FlowContext, 'shopify'>, orderGid: string): Promise<FailureSubject> {
  const { order } = await ctx.shopify.request('OrderFailureSummary', { id: orderGid }, { lane: 'orders' });
  if (!order) return { shopify_gid: orderGid };
  const total = order.totalPriceSet.shopMoney;
  return {
    shopify_gid: order.id,
    order_name: order.name,
    amount: total.amount,
    currency: total.currencyCode,
    customer_name: order.customer?.displayName || order.shippingAddress?.name || null,
  };
}
