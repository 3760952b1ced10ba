/**
 * What the queues carry: every job payload, the webhook topics the sidecar processes and the Odoo
 * outbox event types, as discriminated unions, and which jobs each queue takes (`QueueJobs`), so a
 * flow's handler gets the narrowed union of its queue (flows/define-flow.ts).
 *
 * A leaf: it imports nothing from the project (import rules, docs/architecture.md). The key each
 * job is sent with is the queue layer's business (queue/names.ts); the topic routing table with its
 * keys is inbox/routes.ts, the outbox one relay/outbox.ts, both typed against the tables here.
 * Jobs carry ids, never personal data: a webhook's payload stays in the inbox, which purges it.
 */

/** The webhook topics the sidecar processes, and the queue that takes each one. */
export const WEBHOOK_TOPIC_QUEUES = Object.freeze({
  'orders/create': 'orders',
  'orders/updated': 'orders',
  'orders/cancelled': 'orders',
  'orders/paid': 'orders',
  'orders/edited': 'orders',
  'refunds/create': 'refunds',
  'returns/request': 'returns',
  'returns/approve': 'returns',
  'returns/decline': 'returns',
  'returns/cancel': 'returns',
  'returns/close': 'returns',
  'returns/reopen': 'returns',
  'returns/process': 'returns',
  'fulfillments/create': 'fulfillments',
  'fulfillments/update': 'fulfillments',
  'customers/create': 'customers',
  'customers/update': 'customers',
  'customers/delete': 'customers',
  'products/create': 'products',
  'products/update': 'products',
  'inventory_levels/update': 'inventory',
  // Compliance topics (Shopify's mandatory privacy webhooks).
  'customers/redact': 'privacy',
  'customers/data_request': 'privacy',
  'shop/redact': 'privacy',
} as const);

export type WebhookTopic = keyof typeof WEBHOOK_TOPIC_QUEUES;

/** Every routed topic, in the order of the table above. */
export const WEBHOOK_TOPICS: readonly WebhookTopic[] = Object.freeze(Object.keys(WEBHOOK_TOPIC_QUEUES) as WebhookTopic[]);

export function isWebhookTopic(topic: string): topic is WebhookTopic {
  return Object.hasOwn(WEBHOOK_TOPIC_QUEUES, topic);
}

/** The Odoo outbox event types (docs/contract.md, "Outbox"), and the queue that takes each one. */
export const OUTBOX_EVENT_QUEUES = Object.freeze({
  'product.changed': 'products',
  'stock.changed': 'inventory',
  'customer.changed': 'customers',
  'customer.erased': 'privacy',
  'delivery.done': 'fulfillments',
  'return.done': 'returns',
  'credit_note.posted': 'refunds',
  /** A user asked "Re-import from Shopify" (or Retry on an order in error). */
  'order.reimport': 'orders',
} as const);

export type OutboxEventType = keyof typeof OUTBOX_EVENT_QUEUES;

/** One webhook delivery of `topic`: ids only. */
export interface WebhookJobOf<T extends WebhookTopic> {
  source: 'webhook';
  topic: T;
  /** X-Shopify-Webhook-Id: the inbox row of this delivery. */
  webhookId: string;
  /** The Shopify entity the delivery is about (inbox/routes.ts). */
  entityGid: string;
  triggeredAt: string | null;
  /**
   * Order topics whose payload is the order: it said the order is paid in the shop's currency
   * (`presentment_currency` = `currency`, fixed at checkout), so its read can leave out the
   * customer's-currency amounts (flows/orders/read.ts). Absent: not known (the read takes them).
   */
  paidInShopCurrency?: true;
}

/** A webhook job of any of `T`, discriminated by `topic`. */
export type WebhookJob<T extends WebhookTopic = WebhookTopic> = { [K in T]: WebhookJobOf<K> }[T];

/** One Odoo outbox event of `type`: the event, not the record (handlers read the current state). */
export interface OutboxJobOf<T extends OutboxEventType> {
  source: 'outbox';
  eventUuid: string;
  type: T;
  model: string;
  resId: number;
  /** As Odoo sent it (docs/contract.md lists each type's fields); handlers check what they read. */
  payload: Record<string, unknown>;
  createdAt: string;
}

/** An outbox job of any of `T`, discriminated by `type`. */
export type OutboxJob<T extends OutboxEventType = OutboxEventType> = { [K in T]: OutboxJobOf<K> }[T];

/** A stock push asked for by another flow (catalog, fulfillments) or by an inventory webhook. */
export interface StockPushJob {
  source: 'push';
  product_id: number;
  location_gid: string;
  /** Who asked and why; it makes the job id, so the same reason asks only once. */
  reason: string;
}

/** An order seen by the scheduled pull of recently updated orders; the handler re-reads it. */
export interface PullJob {
  source: 'pull';
  orderGid: string;
  updatedAt: string;
  /** Orders queue only: the listing said the order is paid in the shop's currency (as WebhookJobOf). */
  paidInShopCurrency?: true;
}

/** A re-import asked by an operator (`resync`) or by the daily reconciliation (`repair`). */
export interface OrderRepairJob {
  source: 'repair' | 'resync';
  orderGid: string;
  /** `repair` only: the reconciliation report that asked for it. */
  reportId?: number;
}

/** The daily reconciliation asking the refunds flow to apply an order's missing refunds again. */
export interface RefundRepairJob {
  source: 'repair';
  orderGid: string;
  /** The reconciliation report that asked for it. */
  reportId: number;
}

/**
 * Book an order's Shopify transactions as Odoo payments: after each order import (orders/paid,
 * orders/updated, a re-import or Retry), after its refunds are applied, or asked by the daily
 * reconciliation (`repair`, with its report).
 */
export interface PaymentsJob {
  source: 'order' | 'refund' | 'repair';
  orderGid: string;
  reportId?: number;
}

/** What a scheduled queue's job carries: nothing, the tick itself is the trigger. */
export type ScheduledTick = Record<string, never>;

/** Go-live's catalog push in bulk (queue `catalog.bulk`, sent by onboarding): which run it is. */
export interface CatalogBulkJob {
  runId: string;
}

type TopicsOf<Q extends string> = { [T in WebhookTopic]: (typeof WEBHOOK_TOPIC_QUEUES)[T] extends Q ? T : never }[WebhookTopic];
type EventsOf<Q extends string> = { [E in OutboxEventType]: (typeof OUTBOX_EVENT_QUEUES)[E] extends Q ? E : never }[OutboxEventType];

/** The webhook jobs queue `Q` takes. */
export type WebhookJobFor<Q extends string> = WebhookJob<TopicsOf<Q>>;
/** The outbox jobs queue `Q` takes. */
export type OutboxJobFor<Q extends string> = OutboxJob<EventsOf<Q>>;

/** The jobs each queue takes (its keys are exactly queue/names.ts's queues; jobs.test.ts checks it). */
export interface QueueJobs {
  products: WebhookJobFor<'products'> | OutboxJobFor<'products'>;
  inventory: WebhookJobFor<'inventory'> | OutboxJobFor<'inventory'> | StockPushJob;
  orders: WebhookJobFor<'orders'> | OutboxJobFor<'orders'> | PullJob | OrderRepairJob;
  customers: WebhookJobFor<'customers'> | OutboxJobFor<'customers'>;
  fulfillments: WebhookJobFor<'fulfillments'> | OutboxJobFor<'fulfillments'> | PullJob;
  refunds: WebhookJobFor<'refunds'> | OutboxJobFor<'refunds'> | RefundRepairJob;
  returns: WebhookJobFor<'returns'> | OutboxJobFor<'returns'>;
  privacy: WebhookJobFor<'privacy'> | OutboxJobFor<'privacy'>;
  payments: PaymentsJob;
  'orders.pull': ScheduledTick;
  'inventory.reconcile': ScheduledTick;
  'webhooks.purge': ScheduledTick;
  'webhooks.subscriptions': ScheduledTick;
  'reports.reconcile': ScheduledTick;
  'reports.integrity': ScheduledTick;
  'catalog.bulk': CatalogBulkJob;
  'catalog.reconcile': ScheduledTick;
}

export type JobQueue = keyof QueueJobs;

/** Any job of any queue. */
export type AnyJob = QueueJobs[JobQueue];
