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
import type { OdooContract, OutboxEvent } from '../odoo/contract.js';
import type { Logger } from '../observability/logger.js';
import { keys, odooRef, type FlowQueue } from '../queue/names.js';
import type { SyncQueue } from '../queue/queue.js';

/** What an outbox job carries: the event, not the record — handlers read current state. */
export interface OutboxJob {
  source: 'outbox';
  eventUuid: string;
  type: OutboxEvent['type'];
  model: string;
  resId: number;
  payload: Record<string, unknown>;
  createdAt: string;
}

export interface Route {
  queue: FlowQueue;
  key: string;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Where each event type goes, and its per-entity key (queue/names.ts grammar). Pure. */
export function routeEvent(event: OutboxEvent, shop: string): Route {
  const p = event.payload;
  switch (event.type) {
    case 'product.changed':
      return { queue: 'products', key: keys.product(shop, odooRef('product.template', event.res_id)) };
    case 'stock.changed': {
      const location = text(p.location_gid);
      const productId = typeof p.product_id === 'number' ? p.product_id : event.res_id;
      if (!location) throw new Error(`outbox event ${event.uuid}: stock.changed without location_gid`);
      return { queue: 'inventory', key: keys.stock(odooRef('product.product', productId), location) };
    }
    case 'customer.changed':
      return { queue: 'customers', key: keys.customer(shop, odooRef('res.partner', event.res_id)) };
    case 'customer.erased':
      return { queue: 'privacy', key: keys.privacy(shop, odooRef('res.partner', event.res_id)) };
    case 'delivery.done': {
      const order = text(p.order_gid);
      if (!order) throw new Error(`outbox event ${event.uuid}: delivery.done without order_gid`);
      return { queue: 'fulfillments', key: keys.fulfillment(shop, order) };
    }
    case 'return.done': {
      const order = text(p.order_gid);
      if (!order) throw new Error(`outbox event ${event.uuid}: return.done without order_gid`);
      return { queue: 'returns', key: keys.return(shop, order) };
    }
    case 'credit_note.posted': {
      const order = text(p.order_gid);
      if (!order) throw new Error(`outbox event ${event.uuid}: credit_note.posted without order_gid`);
      return { queue: 'refunds', key: keys.refund(shop, order) };
    }
    case 'order.reimport': {
      const order = text(p.order_gid);
      if (!order) throw new Error(`outbox event ${event.uuid}: order.reimport without order_gid`);
      return { queue: 'orders', key: keys.order(shop, order) };
    }
  }
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

type DrainTotals = { enqueued: number; duplicates: number; acknowledged: number };

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { logger } = options;
  let running: Promise<DrainTotals> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function drain(): Promise<DrainTotals> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        let totals = await drainOnce(options);
        // A wake-up that arrived during the drain may announce events committed after our pull.
        while (again && !stopped) {
          again = false;
          const more = await drainOnce(options);
          totals = {
            enqueued: totals.enqueued + more.enqueued,
            duplicates: totals.duplicates + more.duplicates,
            acknowledged: totals.acknowledged + more.acknowledged,
          };
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

/** Pulls, enqueues and acknowledges batches until Odoo has fewer pending events than a batch. */
async function drainOnce(options: OutboxRelayOptions): Promise<DrainTotals> {
  const { contract, queue, logger, shop } = options;
  const batchSize = options.batchSize ?? 100;
  const totals = { enqueued: 0, duplicates: 0, acknowledged: 0 };
  for (;;) {
    const { events } = await contract.pullEvents({ limit: batchSize, lease_seconds: options.leaseSeconds ?? 60 });
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

function outboxJob(event: OutboxEvent): OutboxJob {
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
