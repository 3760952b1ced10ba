/**
 * Where each processed webhook topic goes: the queue that takes it (jobs.ts), the Shopify entity
 * the delivery is about, and the per-entity key (queue/names.ts grammar) its job is ordered by. A
 * topic not listed here is recorded in the inbox as "ignored" and never processed. Pure.
 */
import type { WEBHOOK_TOPIC_QUEUES, WebhookJobOf, WebhookTopic } from '../jobs.js';
import { keys, type FlowQueue } from '../queue/names.js';
import { isGid, toGid } from '../rules/gid.js';

type Payload = Record<string, unknown>;
/** What a webhook job may carry besides ids (jobs.ts). */
type JobHints = Pick<WebhookJobOf<WebhookTopic>, 'paidInShopCurrency'>;

export interface TopicRoute<Q extends FlowQueue = FlowQueue> {
  queue: Q;
  /** The Shopify entity the delivery is about, read from fields that stay exact (http/webhooks/verify.ts). */
  entityGid(payload: Payload): string | undefined;
  /** The job key: one key per entity, whatever the topic, so all its jobs run in order. */
  key(shop: string, entityGid: string, payload: Payload): string;
  /** What else the job may carry from the payload (never personal data: jobs.ts). */
  hints?: (payload: Payload) => JobHints;
}

/** A numeric id from a payload (a safe JSON number or exact digits) as a GID of `kind`. */
function gid(kind: string, id: unknown): string | undefined {
  if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) return toGid(kind, String(id));
  if (typeof id === 'string' && /^[0-9]+$/.test(id)) return toGid(kind, id);
  return undefined;
}

/** The payload's own `admin_graphql_api_id`, when it is a GID of `kind`. */
const own =
  (kind: string) =>
  (p: Payload): string | undefined =>
    isGid(p.admin_graphql_api_id, kind) ? p.admin_graphql_api_id : undefined;
const nested = (p: Payload, field: string): Payload => {
  const value = p[field];
  return typeof value === 'object' && value !== null ? (value as Payload) : {};
};
const orderOf = (p: Payload): string | undefined => gid('Order', p.order_id);
const customerOf = (p: Payload): string | undefined => gid('Customer', nested(p, 'customer').id);
// returns/request, approve and decline nest the order; returns/close (and the simulator's cancel,
// reopen and process, which Shopify publishes no sample of) give only its id.
const returnOrder = (p: Payload): string | undefined =>
  own('Order')(nested(p, 'order')) ?? gid('Order', nested(p, 'order').id) ?? gid('Order', p.order_id);

/** A currency code as the payload gives it: three capital letters. */
const currencyCode = (value: unknown): string | undefined => (typeof value === 'string' && /^[A-Z]{3}$/.test(value) ? value : undefined);

/**
 * An order payload's currencies: `paidInShopCurrency` when its `presentment_currency` (what the
 * customer paid in) is its `currency` (the shop's). Nothing when either is missing or malformed.
 */
export function orderCurrencyHint(p: Payload): JobHints {
  const shop = currencyCode(p.currency);
  return shop !== undefined && currencyCode(p.presentment_currency) === shop ? { paidInShopCurrency: true } : {};
}

const order = { queue: 'orders', entityGid: own('Order'), key: (shop: string, g: string) => keys.order(shop, g) } as const;
/** The order topics whose payload is the order itself (orders/edited's is the edit). */
const orderPayload = { ...order, hints: orderCurrencyHint } as const;
const customer = { queue: 'customers', entityGid: own('Customer'), key: (shop: string, g: string) => keys.customer(shop, g) } as const;
const product = { queue: 'products', entityGid: own('Product'), key: (shop: string, g: string) => keys.product(shop, g) } as const;
const fulfillment = { queue: 'fulfillments', entityGid: orderOf, key: (shop: string, g: string) => keys.fulfillment(shop, g) } as const;
const returns = { queue: 'returns', entityGid: returnOrder, key: (shop: string, g: string) => keys.return(shop, g) } as const;
const privacy = { queue: 'privacy', key: (shop: string, g: string) => keys.privacy(shop, g) } as const;

/** Every topic of jobs.ts, routed to the queue jobs.ts names for it (the type checks both agree). */
export const WEBHOOK_ROUTES: { readonly [T in WebhookTopic]: TopicRoute<(typeof WEBHOOK_TOPIC_QUEUES)[T]> } = Object.freeze({
  'orders/create': orderPayload,
  'orders/updated': orderPayload,
  'orders/cancelled': orderPayload,
  'orders/paid': orderPayload,
  'orders/edited': { ...order, entityGid: (p: Payload) => gid('Order', nested(p, 'order_edit').order_id) },
  'refunds/create': { queue: 'refunds', entityGid: orderOf, key: (shop: string, g: string) => keys.refund(shop, g) },
  'returns/request': returns,
  'returns/approve': returns,
  'returns/decline': returns,
  'returns/cancel': returns,
  'returns/close': returns,
  'returns/reopen': returns,
  'returns/process': returns,
  'fulfillments/create': fulfillment,
  'fulfillments/update': fulfillment,
  'customers/create': customer,
  'customers/update': customer,
  'customers/delete': customer,
  'products/create': product,
  'products/update': product,
  'inventory_levels/update': {
    queue: 'inventory',
    entityGid: (p: Payload) => gid('InventoryItem', p.inventory_item_id),
    key: (_shop: string, g: string, p: Payload) => keys.stock(g, gid('Location', p.location_id) ?? 'gid://shopify/Location/0'),
  },
  'customers/redact': { ...privacy, entityGid: customerOf },
  'customers/data_request': { ...privacy, entityGid: customerOf },
  'shop/redact': { ...privacy, entityGid: (p: Payload) => gid('Shop', p.shop_id) },
});
