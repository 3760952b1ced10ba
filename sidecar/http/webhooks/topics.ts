/**
 * Which webhook topics the sidecar processes and, for each, the flow queue that takes it and the
 * per-entity key (queue/names.ts grammar) its job is ordered by. A topic not listed here is
 * recorded in the inbox as "ignored" and never processed. Pure.
 */
import { keys, shopifyGid, type FlowQueue } from '../../queue/names.js';

type Payload = Record<string, unknown>;

export interface TopicRoute {
  queue: FlowQueue;
  /** The Shopify entity the delivery is about, read from fields that stay exact (verify.ts). */
  entityGid(payload: Payload): string | undefined;
  /** The job key: one key per entity, whatever the topic, so all its jobs run in order. */
  key(shop: string, entityGid: string, payload: Payload): string;
}

function gid(type: string, id: unknown): string | undefined {
  if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) return shopifyGid(type, String(id));
  if (typeof id === 'string' && /^[0-9]+$/.test(id)) return shopifyGid(type, id);
  return undefined;
}

const own = (p: Payload): string | undefined => (typeof p.admin_graphql_api_id === 'string' ? p.admin_graphql_api_id : undefined);
const orderOf = (p: Payload): string | undefined => gid('Order', p.order_id);
const customerOf = (p: Payload): string | undefined => gid('Customer', (p.customer as Payload | undefined)?.id);
const returnOrder = (p: Payload): string | undefined =>
  own((p.order as Payload) ?? {}) ?? gid('Order', (p.order as Payload | undefined)?.id);

const order: Omit<TopicRoute, 'entityGid'> = { queue: 'orders', key: (shop, g) => keys.order(shop, g) };
const customer: Omit<TopicRoute, 'entityGid'> = { queue: 'customers', key: (shop, g) => keys.customer(shop, g) };

export const WEBHOOK_TOPICS: Readonly<Record<string, TopicRoute>> = Object.freeze({
  'orders/create': { ...order, entityGid: own },
  'orders/updated': { ...order, entityGid: own },
  'orders/cancelled': { ...order, entityGid: own },
  'orders/paid': { ...order, entityGid: own },
  'orders/edited': { ...order, entityGid: (p) => gid('Order', (p.order_edit as Payload | undefined)?.order_id) },
  'refunds/create': { queue: 'refunds', entityGid: orderOf, key: (shop, g) => keys.refund(shop, g) },
  'returns/request': { queue: 'returns', entityGid: returnOrder, key: (shop, g) => keys.return(shop, g) },
  'returns/approve': { queue: 'returns', entityGid: returnOrder, key: (shop, g) => keys.return(shop, g) },
  'fulfillments/create': { queue: 'fulfillments', entityGid: orderOf, key: (shop, g) => keys.fulfillment(shop, g) },
  'fulfillments/update': { queue: 'fulfillments', entityGid: orderOf, key: (shop, g) => keys.fulfillment(shop, g) },
  'customers/create': { ...customer, entityGid: own },
  'customers/update': { ...customer, entityGid: own },
  'customers/delete': { ...customer, entityGid: own },
  'products/create': { queue: 'products', entityGid: own, key: (shop, g) => keys.product(shop, g) },
  'products/update': { queue: 'products', entityGid: own, key: (shop, g) => keys.product(shop, g) },
  'inventory_levels/update': {
    queue: 'inventory',
    entityGid: (p) => gid('InventoryItem', p.inventory_item_id),
    key: (_shop, g, p) => keys.stock(g, gid('Location', p.location_id) ?? 'gid://shopify/Location/0'),
  },
  'customers/redact': { queue: 'privacy', entityGid: customerOf, key: (shop, g) => keys.privacy(shop, g) },
  'customers/data_request': { queue: 'privacy', entityGid: customerOf, key: (shop, g) => keys.privacy(shop, g) },
  'shop/redact': { queue: 'privacy', entityGid: (p) => gid('Shop', p.shop_id), key: (shop, g) => keys.privacy(shop, g) },
});

export function routeFor(topic: string): TopicRoute | undefined {
  return Object.hasOwn(WEBHOOK_TOPICS, topic) ? WEBHOOK_TOPICS[topic] : undefined;
}

/** What a webhook job carries: ids only. The payload (personal data) stays in the inbox, which purges it. */
export interface WebhookJob {
  source: 'webhook';
  topic: string;
  webhookId: string;
  entityGid: string;
  triggeredAt: string | null;
}
