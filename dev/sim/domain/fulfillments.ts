/**
 * Cancelling a fulfillment (`fulfillmentCancel`, or a merchant's "Cancel fulfillment" in the
 * Shopify admin). Shopify's behaviour as modelled: the fulfillment's status becomes CANCELLED, its
 * units are open again on the order's fulfillment order at that location (which reopens), they are
 * back on hand and committed at the location, and `fulfillments/update` fires with status
 * "cancelled" (with `orders/updated`).
 */
import { fulfillmentPayload } from '../payloads.js';
import * as q from '../quantities.js';
import type { Fulfillment } from '../state.js';
import { applyQuantities, findLevel, levelEvent } from './catalog.js';
import { fail, nowIso, type DomainContext, type SimEvent } from './context.js';
import { orderEvent, requireOrder, touch } from './orders.js';

export function cancelFulfillment(ctx: DomainContext, fulfillmentId: number): Fulfillment {
  const fulfillment = ctx.state.fulfillments.find((f) => f.id === fulfillmentId);
  if (!fulfillment) fail('Fulfillment does not exist.', ['id']);
  if (fulfillment.status === 'CANCELLED') fail('Fulfillment is already cancelled.', ['id']);
  const order = requireOrder(ctx, fulfillment.orderId);
  const now = nowIso(ctx);
  const events: SimEvent[] = [];
  const fos = ctx.state.fulfillmentOrders.filter((fo) => fo.orderId === order.id && fo.locationId === fulfillment.locationId);
  for (const fl of fulfillment.lineItems) {
    let left = fl.quantity;
    for (const fo of fos) {
      for (const line of fo.lineItems.filter((l) => l.lineItemId === fl.lineItemId)) {
        const back = Math.min(left, line.totalQuantity - line.remainingQuantity);
        if (back < 1) continue;
        line.remainingQuantity += back;
        left -= back;
        fo.status = fo.lineItems.every((l) => l.remainingQuantity === l.totalQuantity) ? 'OPEN' : 'IN_PROGRESS';
        fo.updatedAt = now;
      }
    }
    const li = order.lineItems.find((x) => x.id === fl.lineItemId);
    if (li?.inventoryItemId != null) {
      const level = findLevel(ctx, li.inventoryItemId, fulfillment.locationId);
      // The units are back on the shelf and promised to the order again.
      if (level && applyQuantities(ctx, level, q.commit(q.restock(level, fl.quantity), fl.quantity))) events.push(levelEvent(level));
    }
  }
  fulfillment.status = 'CANCELLED';
  fulfillment.updatedAt = now;
  touch(ctx, order);
  ctx.emit([
    { topic: 'fulfillments/update', payload: fulfillmentPayload(ctx.state, fulfillment) },
    orderEvent(ctx, order, 'orders/updated'),
    ...events,
  ]);
  return fulfillment;
}
