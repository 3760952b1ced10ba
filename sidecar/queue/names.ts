/**
 * Queue names, job keys and per-queue options: the one place that says which pg-boss queues exist
 * and how an entity is keyed. Pure (no I/O).
 *
 * One queue per flow plus the scheduled ones, each with a `<name>.dlq` dead-letter queue. Entity
 * queues use pg-boss's `key_strict_fifo` policy keyed by the entity, so jobs for one entity run one
 * at a time in the order they were sent, and a stuck entity blocks only itself. The key grammar is
 * fixed here so that a replayed webhook, an outbox event and a retry for one entity all land on the
 * same key, whichever part of the sidecar enqueues them.
 */
import type { Queue } from 'pg-boss';
import { isGid, toGid } from '../rules/gid.js';

export const FLOW_QUEUES = [
  'products',
  'inventory',
  'orders',
  'customers',
  'fulfillments',
  'refunds',
  'returns',
  'privacy',
  'payments',
] as const;
export const SCHEDULED_QUEUES = [
  'orders.pull',
  'inventory.reconcile',
  'webhooks.purge',
  'webhooks.subscriptions',
  'reports.reconcile',
  'reports.integrity',
  // One run at a time, like the scheduled queues: go-live's bulk push (sent, not on a cron) and
  // the catalog reconciliation.
  'catalog.bulk',
  'catalog.reconcile',
] as const;
export const QUEUE_NAMES = [...FLOW_QUEUES, ...SCHEDULED_QUEUES] as const;

export type FlowQueue = (typeof FLOW_QUEUES)[number];
export type ScheduledQueue = (typeof SCHEDULED_QUEUES)[number];
export type QueueName = FlowQueue | ScheduledQueue;

const DLQ_SUFFIX = '.dlq';

export function dlqName(queue: QueueName): string {
  return `${queue}${DLQ_SUFFIX}`;
}

export function isQueueName(name: string): name is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(name);
}

export function isFlowQueue(name: string): name is FlowQueue {
  return (FLOW_QUEUES as readonly string[]).includes(name);
}

// ---------------------------------------------------------------------------------------------
// Keys. Grammar: `<kind>:<part>[:<part>]`, parts never empty and free of whitespace. Shopify ids
// are GIDs (`gid://shopify/Order/123`, rules/gid.ts), kept as strings: most exceed 2^53.
// An Odoo record not yet known to Shopify is named `odoo:<model>:<id>`.

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
const ODOO_REF = /^odoo:[a-z0-9_.]+:[0-9]+$/;

export class InvalidKeyError extends Error {
  override readonly name = 'InvalidKeyError';
}

function shopPart(shop: string): string {
  const normalised = shop.trim().toLowerCase();
  if (!SHOP_DOMAIN.test(normalised)) throw new InvalidKeyError(`queue key: shop must be <name>.myshopify.com (got "${shop}")`);
  return normalised;
}

function gidPart(what: string, gid: string, allowOdoo = false): string {
  const valid: boolean = isGid(gid) || (allowOdoo && ODOO_REF.test(gid));
  if (valid) return gid;
  const expected = allowOdoo ? 'a Shopify GID or odoo:<model>:<id>' : 'a Shopify GID';
  throw new InvalidKeyError(`queue key: ${what} must be ${expected} (got "${gid}")`);
}

/** `gid://shopify/<type>/<id>` (rules/gid.ts `toGid`), refused as a bad key part. */
export function shopifyGid(type: string, id: string | bigint): string {
  try {
    return toGid(type, id);
  } catch (error) {
    throw new InvalidKeyError(`queue key: ${(error as Error).message}`, { cause: error });
  }
}

/** `odoo:<model>:<id>`, for Odoo records that have no Shopify id yet. */
export function odooRef(model: string, id: number): string {
  if (!/^[a-z0-9_.]+$/.test(model) || !Number.isSafeInteger(id) || id <= 0) {
    throw new InvalidKeyError(`queue key: bad Odoo reference ${model}/${id}`);
  }
  return `odoo:${model}:${id}`;
}

export const keys = {
  product: (shop: string, product: string) => `product:${shopPart(shop)}:${gidPart('product', product, true)}`,
  /** By Shopify inventory item, or by Odoo variant (`odoo:product.product:<id>`) for outbox events. */
  stock: (inventoryItem: string, locationGid: string) =>
    `stock:${gidPart('inventory item', inventoryItem, true)}:${gidPart('location', locationGid)}`,
  order: (shop: string, orderGid: string) => `order:${shopPart(shop)}:${gidPart('order', orderGid)}`,
  customer: (shop: string, customer: string) => `customer:${shopPart(shop)}:${gidPart('customer', customer, true)}`,
  /** Fulfillments, refunds and returns of one order are serialised per order. */
  fulfillment: (shop: string, orderGid: string) => `fulfillment:${shopPart(shop)}:${gidPart('order', orderGid)}`,
  refund: (shop: string, orderGid: string) => `refund:${shopPart(shop)}:${gidPart('order', orderGid)}`,
  return: (shop: string, orderGid: string) => `return:${shopPart(shop)}:${gidPart('order', orderGid)}`,
  /** An order's transactions, booked as Odoo payments one order at a time. */
  payment: (shop: string, orderGid: string) => `payment:${shopPart(shop)}:${gidPart('order', orderGid)}`,
  privacy: (shop: string, customer: string) => `privacy:${shopPart(shop)}:${gidPart('customer', customer, true)}`,
  /** Scheduled queues use one fixed key per queue, so the `singleton` policy has a key to hold. */
  scheduled: (queue: ScheduledQueue) => `schedule:${queue}`,
} as const;

/** Which key kind each entity queue accepts; `send` refuses a key of another kind. */
export const KEY_KIND: Record<FlowQueue, string> = {
  products: 'product',
  inventory: 'stock',
  orders: 'order',
  customers: 'customer',
  fulfillments: 'fulfillment',
  refunds: 'refund',
  returns: 'return',
  privacy: 'privacy',
  payments: 'payment',
};

export function keyKind(key: string): string {
  return key.slice(0, key.indexOf(':'));
}

// ---------------------------------------------------------------------------------------------
// Per-queue options.

export interface RetrySettings {
  /** Retries after the first attempt (pg-boss `retryLimit`). */
  limit: number;
  /** Base delay in whole seconds; pg-boss doubles it per retry with jitter. */
  delaySeconds: number;
  /** Cap on one delay, whole seconds. */
  delayMaxSeconds: number;
}

const DAY = 86_400;

/**
 * Retries that keep a job waiting for at least `budgetSeconds`: pg-boss waits
 * `min(delayMax, delay · 2^n · (1 + random))` seconds before the n-th retry (n from 0, the exponent
 * capped at 15), so counting retries until the lower bound `min(delayMax, delay · 2^n)` adds up to
 * the budget gives a limit whose retries never end before it. The capped delays are exact, so with
 * a cap well below the budget they end close to it. Attempts only happen while the queue is not
 * paused (./breaker.ts): an outage of Odoo or Shopify spends none of them.
 */
export function retryLimitFor(settings: { budgetSeconds: number; delaySeconds: number; delayMaxSeconds: number }): number {
  const delay = Math.max(1, settings.delaySeconds);
  let waited = 0;
  let retries = 0;
  while (waited < settings.budgetSeconds && retries < 10_000) {
    waited += Math.min(settings.delayMaxSeconds, delay * 2 ** Math.min(retries, 15));
    retries += 1;
  }
  return retries;
}

/**
 * Seconds without a heartbeat after which a running job counts as abandoned (its process died) and
 * is handed to another worker (docs/queues.md, "Crash recovery"). pg-boss's minimum; the worker
 * refreshes it every half of it while the handler runs.
 */
export const HEARTBEAT_SECONDS = 10;

/**
 * Job expiry per queue: how long one attempt may run before pg-boss's supervisor fails it (and a
 * crashed process's job is retried). Set above the slowest legitimate attempt of the flow.
 */
const EXPIRE_SECONDS: Record<QueueName, number> = {
  products: 300,
  inventory: 120,
  orders: 300,
  customers: 120,
  fulfillments: 300,
  refunds: 300,
  returns: 300,
  privacy: 900,
  payments: 300,
  'orders.pull': 3600,
  'inventory.reconcile': 3600,
  'webhooks.purge': 900,
  'reports.reconcile': 3600,
  'reports.integrity': 4 * 3600,
  'webhooks.subscriptions': 300,
  // Shopify runs a 10,000-line bulk mutation for many minutes; the job heartbeats while it polls.
  'catalog.bulk': 4 * 3600,
  'catalog.reconcile': 3600,
};

/**
 * pg-boss options for `queue`. Entity queues: key_strict_fifo, retries with exponential backoff
 * capped at `delayMaxSeconds`, dead letter `<queue>.dlq`. Jobs waiting behind a blocked key stay
 * `created`, and pg-boss silently deletes created jobs older than `retentionSeconds`, so it is long
 * (30 d) to give operators time. Scheduled queues: `singleton` (one active run at a time), few
 * retries, since the next tick repeats the work anyway.
 */
export function queueOptions(queue: QueueName, retry: RetrySettings, expireInSeconds?: number): Omit<Queue, 'name'> {
  const common = {
    retryBackoff: true,
    retryDelay: Math.max(1, Math.round(retry.delaySeconds)),
    retryDelayMax: Math.max(1, Math.round(retry.delayMaxSeconds)),
    expireInSeconds: expireInSeconds ?? EXPIRE_SECONDS[queue],
    deleteAfterSeconds: 3 * DAY,
    deadLetter: dlqName(queue),
    notify: true,
    heartbeatSeconds: HEARTBEAT_SECONDS,
  };
  if (isFlowQueue(queue)) {
    return { ...common, policy: 'key_strict_fifo', retryLimit: retry.limit, retentionSeconds: 30 * DAY };
  }
  return { ...common, policy: 'singleton', retryLimit: Math.min(2, retry.limit), retentionSeconds: DAY };
}

/** Dead-letter queues: plain queues nobody works; jobs stay `created` until retried or discarded. */
export function dlqOptions(): Omit<Queue, 'name'> {
  return { policy: 'standard', retryLimit: 0, retentionSeconds: 90 * DAY, deleteAfterSeconds: 7 * DAY };
}
