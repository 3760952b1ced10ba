/**
 * Odoo outbox → queues (docs/architecture.md, decision 2: nothing is lost between Odoo and the
 * sidecar). Pulls leased events from the addon, enqueues each with
 * the event's uuid as the job id (a re-pulled event collapses onto its existing job), then
 * acknowledges them. Runs at start, on Odoo's signed wake-up ping and every few seconds; one drain
 * at a time per process, and the addon's leases keep replicas from taking the same events.
 *
 * Nothing is lost: an event is acknowledged only after its job is stored; if the sidecar dies in
 * between, the lease expires, the event is pulled again and its job id dedupes it.
 */
import { OUTBOX_EVENT_QUEUES, type OutboxEventType, type OutboxJob } from '../jobs.js';
import type { OdooContract, OutboxEvent } from '../odoo/contract.js';
import type { Logger } from '../observability/logger.js';
import { keys, odooRef, type FlowQueue } from '../queue/names.js';
import type { SyncQueue } from '../queue/queue.js';

export interface Route {
  queue: FlowQueue;
  key: string;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The order GID an event about an order carries, or an error naming the event. */
function orderOf(event: OutboxEvent): string {
  const order = text(event.payload.order_gid);
  if (!order) throw new Error(`outbox event ${event.uuid}: ${event.type} without order_gid`);
  return order;
}

/** Each event type's per-entity key (queue/names.ts grammar); its queue is jobs.ts's. */
const EVENT_KEYS: { readonly [T in OutboxEventType]: (event: OutboxEvent, shop: string) => string } = {
  'product.changed': (event, shop) => keys.product(shop, odooRef('product.template', event.res_id)),
  'stock.changed': (event) => {
    const location = text(event.payload.location_gid);
    const productId = typeof event.payload.product_id === 'number' ? event.payload.product_id : event.res_id;
    if (!location) throw new Error(`outbox event ${event.uuid}: stock.changed without location_gid`);
    return keys.stock(odooRef('product.product', productId), location);
  },
  'customer.changed': (event, shop) => keys.customer(shop, odooRef('res.partner', event.res_id)),
  'customer.erased': (event, shop) => keys.privacy(shop, odooRef('res.partner', event.res_id)),
  'delivery.done': (event, shop) => keys.fulfillment(shop, orderOf(event)),
  'return.done': (event, shop) => keys.return(shop, orderOf(event)),
  'credit_note.posted': (event, shop) => keys.refund(shop, orderOf(event)),
  'order.reimport': (event, shop) => keys.order(shop, orderOf(event)),
};

/** Where each event type goes, and its per-entity key. Pure. */
export function routeEvent(event: OutboxEvent, shop: string): Route {
  return { queue: OUTBOX_EVENT_QUEUES[event.type], key: EVENT_KEYS[event.type](event, shop) };
}

/** What an outbox job carries: the event, not the record — handlers read current state. */
export function outboxJob(event: OutboxEvent): OutboxJob {
  return {
    source: 'outbox',
    eventUuid: event.uuid,
    type: event.type,
    model: event.model,
    resId: event.res_id,
    payload: event.payload,
    createdAt: event.created_at,
  };
}

export interface OutboxRelayOptions {
  contract: OdooContract;
  queue: SyncQueue;
  logger: Logger;
  shop: string;
  pollSeconds: number;
  batchSize?: number;
  leaseSeconds?: number;
  /**
   * Metrics hook, called after every successful pull with the oldest event's created_at (events
   * come oldest first), or null when Odoo had nothing pending: the outbox lag.
   */
  onPull?: (info: { oldestCreatedAt: string | null; count: number }) => void;
}

export interface OutboxRelay {
  /** Drains until Odoo has no pending events; concurrent calls share one drain. */
  drain(): Promise<{ enqueued: number; duplicates: number; acknowledged: number }>;
  /** Asks for a drain soon (wake-up ping); never throws. */
  wake(): void;
  start(): void;
  stop(): Promise<void>;
}

interface DrainTotals {
  enqueued: number;
  duplicates: number;
  acknowledged: number;
}

/** One pass: pulls leased events until Odoo has none, enqueues each, acknowledges what was stored. */
async function drainOnce(options: OutboxRelayOptions, batchSize: number, leaseSeconds: number): Promise<DrainTotals> {
  const { contract, queue, logger, shop } = options;
  const totals = { enqueued: 0, duplicates: 0, acknowledged: 0 };
  for (;;) {
    const { events } = await contract.pullEvents({ limit: batchSize, lease_seconds: leaseSeconds });
    options.onPull?.({ oldestCreatedAt: events[0]?.created_at ?? null, count: events.length });
    if (events.length === 0) return totals;
    const done: string[] = [];
    for (const event of events) {
      let route: Route;
      try {
        route = routeEvent(event, shop);
      } catch (error) {
        // A malformed event cannot be routed; acknowledging it would lose it silently, so it
        // stays leased (and is pulled again) while the error is logged loudly.
        logger.error('outbox event cannot be routed', { eventUuid: event.uuid, type: event.type, error });
        continue;
      }
      const result = await queue.send(route.queue, outboxJob(event), {
        key: route.key,
        id: `outbox:${event.uuid}`,
        correlationId: event.uuid,
      });
      if (result.created) totals.enqueued += 1;
      else totals.duplicates += 1;
      done.push(event.uuid);
    }
    if (done.length > 0) totals.acknowledged += (await contract.ackEvents({ uuids: done })).acknowledged;
    if (events.length < batchSize) return totals;
  }
}

const add = (a: DrainTotals, b: DrainTotals): DrainTotals => ({
  enqueued: a.enqueued + b.enqueued,
  duplicates: a.duplicates + b.duplicates,
  acknowledged: a.acknowledged + b.acknowledged,
});

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { logger } = options;
  const batchSize = options.batchSize ?? 100;
  const leaseSeconds = options.leaseSeconds ?? 60;
  let running: Promise<DrainTotals> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function drain() {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        let totals = await drainOnce(options, batchSize, leaseSeconds);
        // A wake-up that arrived during the drain may announce events committed after our pull.
        while (again && !stopped) {
          again = false;
          totals = add(totals, await drainOnce(options, batchSize, leaseSeconds));
        }
        if (totals.enqueued + totals.duplicates > 0) logger.info('outbox drained', totals);
        return totals;
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  const safeDrain = () =>
    drain().catch((error: unknown) => {
      logger.warn('outbox drain failed; retrying at the next poll', { error });
    });

  return {
    drain,
    wake() {
      if (!stopped) void safeDrain();
    },
    start() {
      stopped = false;
      void safeDrain();
      timer = setInterval(() => void safeDrain(), options.pollSeconds * 1000);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
