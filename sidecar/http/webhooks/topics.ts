/**
 * Which webhook topics the sidecar processes, and for each: the flow whose queue takes it and
 * the Shopify entity it is about (its GID), which becomes the per-entity ordering key.
 * A topic not listed here is recorded in the inbox as "ignored" and never processed.
 */

export type WebhookFlow = 'orders' | 'customers' | 'products' | 'inventory' | 'fulfilments' | 'refunds' | 'returns' | 'privacy' | 'app';

interface TopicRoute {
  flow: WebhookFlow;
  /** The GID of the entity, read from fields that stay exact (see verify.ts: big IDs are strings). */
  entityGid(payload: Record<string, unknown>): string | undefined;
}

const ownGid = (payload: Record<string, unknown>): string | undefined =>
  typeof payload.admin_graphql_api_id === 'string' ? payload.admin_graphql_api_id : undefined;

const gidFrom = (type: string, id: unknown): string | undefined =>
  typeof id === 'string' || typeof id === 'number' ? `gid://shopify/${type}/${String(id)}` : undefined;

const orderOf = (payload: Record<string, unknown>): string | undefined => gidFrom('Order', payload.order_id);

export const WEBHOOK_TOPICS: Readonly<Record<string, TopicRoute>> = Object.freeze({
  'orders/create': { flow: 'orders', entityGid: ownGid },
  'orders/updated': { flow: 'orders', entityGid: ownGid },
  'orders/cancelled': { flow: 'orders', entityGid: ownGid },
  'orders/paid': { flow: 'orders', entityGid: ownGid },
  'orders/edited': { flow: 'orders', entityGid: (p) => gidFrom('Order', (p.order_edit as Record<string, unknown> | undefined)?.order_id) },
  'refunds/create': { flow: 'refunds', entityGid: orderOf },
  'returns/request': { flow: 'returns', entityGid: (p) => ownGid(p) },
  'returns/approve': { flow: 'returns', entityGid: (p) => ownGid(p) },
  'fulfillments/create': { flow: 'fulfilments', entityGid: orderOf },
  'fulfillments/update': { flow: 'fulfilments', entityGid: orderOf },
  'customers/create': { flow: 'customers', entityGid: ownGid },
  'customers/update': { flow: 'customers', entityGid: ownGid },
  'customers/delete': { flow: 'customers', entityGid: ownGid },
  'products/create': { flow: 'products', entityGid: ownGid },
  'products/update': { flow: 'products', entityGid: ownGid },
  'inventory_levels/update': {
    flow: 'inventory',
    entityGid: (p) => gidFrom('InventoryItem', p.inventory_item_id),
  },
  'customers/redact': { flow: 'privacy', entityGid: (p) => gidFrom('Customer', (p.customer as Record<string, unknown> | undefined)?.id) },
  'customers/data_request': { flow: 'privacy', entityGid: (p) => gidFrom('Customer', (p.customer as Record<string, unknown> | undefined)?.id) },
  'shop/redact': { flow: 'privacy', entityGid: (p) => gidFrom('Shop', p.shop_id) },
  'app/uninstalled': { flow: 'app', entityGid: (p) => gidFrom('Shop', p.id) },
});

export function routeFor(topic: string): TopicRoute | undefined {
  return Object.hasOwn(WEBHOOK_TOPICS, topic) ? WEBHOOK_TOPICS[topic] : undefined;
}
