/**
 * `returns/*` webhook bodies, in the shapes Shopify publishes (dev/testing/fixtures/shopify-webhooks,
 * SOURCES.md): `returns/request` and `returns/approve` carry the order and counts with an empty
 * `return_line_items` list (receivers re-read the Return), `returns/decline` the decline, and
 * `returns/close` only ids and the status. Shopify publishes no sample for `returns/cancel`,
 * `returns/reopen` and `returns/process` (its `returns/process` sample is `{}`): the simulator sends
 * them in the `returns/close` shape (simulator choice). Pure.
 */
import { gid } from './ids.js';
import type { Return, SimState } from './state.js';

type Json = Record<string, unknown>;

export function returnPayload(state: SimState, ret: Return, topic: string): Json {
  const order = state.orders.find((o) => o.id === ret.orderId)!;
  const ids = { id: ret.id, admin_graphql_api_id: gid('Return', ret.id) };
  const status = ret.status.toLowerCase();
  const orderRef = { id: order.id, admin_graphql_api_id: gid('Order', order.id) };
  if (topic === 'returns/request' || topic === 'returns/approve') {
    return {
      ...ids,
      status,
      order: orderRef,
      total_return_line_items: ret.lines.reduce((s, l) => s + l.quantity, 0),
      name: ret.name,
      return_line_items: [],
      return_shipping_fees: [],
      exchange_line_items: [],
      total_exchange_line_items: 0,
    };
  }
  if (topic === 'returns/decline') {
    return {
      ...ids,
      status,
      order: orderRef,
      decline: { reason: (ret.decline?.reason ?? 'OTHER').toLowerCase(), note: ret.decline?.note ?? null },
    };
  }
  return { ...ids, order_id: order.id, status };
}
