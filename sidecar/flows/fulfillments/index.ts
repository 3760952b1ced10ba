/**
 * Fulfillment with tracking, Odoo → Shopify (docs/flows.md, "Fulfillment"). Queue `fulfillments`,
 * keyed per order, so one order's deliveries are handled one at a time.
 *
 * Outbox delivery.done → contract.exportDelivery → the order's fulfillments (OrderFulfillments) →
 * resolve a write left in flight by an earlier attempt → what the picking still has to ship → the
 * order's fulfillment orders → map.ts allocation → fulfillmentCreate per location with tracking and
 * notifyCustomer (FULFILLMENT_NOTIFY_CUSTOMER) → recordSyncResult on the picking with the
 * fulfillment GID (./apply.ts).
 *
 * fulfillments/create|update webhooks: fulfillments made in Shopify (POS, a fulfillment app, the
 * Shopify admin) and their cancellations. The order's fulfillments are re-read and each one this
 * flow did not create goes to apply_fulfillment, which validates or flags the Odoo delivery by the
 * configured policy, then the stock is re-pushed (docs/flows.md, "Fulfillments made in Shopify").
 * The echoes of our own fulfillments end `ignored` (unchanged). The orders pull sends the orders it
 * finds fulfilled in Shopify here too (a `pull` job), in case their webhooks were lost.
 */
import type { QueueJobs } from '../../jobs.js';
import type { JobContext } from '../../queue/queue.js';
import type { FlowContext } from '../context.js';
import { defineFlow, ignored, type JobOutcome } from '../define-flow.js';
import { WaitingError } from '../../queue/errors.js';
import { orderInOdoo } from '../sale-order.js';
import { deliveryDone, fulfillmentsMadeInShopify } from './apply.js';
import { pickingIdOf } from './map.js';
import { createFulfillmentStore } from './store.js';

export async function handleFulfillmentJob(ctx: FlowContext, job: JobContext<QueueJobs['fulfillments']>): Promise<JobOutcome> {
  const data = job.data;
  const store = createFulfillmentStore(ctx.pool, ctx.config.database.appSchema);
  if (data.source === 'webhook' || data.source === 'pull') {
    const orderGid = data.source === 'webhook' ? data.entityGid : data.orderGid;
    // A fulfillment can arrive before its order is imported: it waits, with the queue's backoff.
    // The pull's job too: it is sent beside the order's own pull job, on another queue, and a
    // later pull would not come back (its job id, from the order's updatedAt, is this one's).
    if (!(await orderInOdoo(ctx, orderGid))) {
      throw new WaitingError(
        `order ${orderGid} in Odoo`,
        `fulfillments: order ${orderGid} is not imported in Odoo yet; its Shopify fulfillments wait for it`,
      );
    }
    const applied = (await fulfillmentsMadeInShopify(ctx, store, orderGid)).filter((a) => a.status !== 'unchanged');
    if (!applied.length) return ignored('unchanged', 'every fulfillment of the order is known in Odoo', { fields: { orderGid } });
    return { outcome: 'applied', message: 'fulfillments: fulfillments made in Shopify applied in Odoo', fields: { orderGid, applied } };
  }
  return deliveryDone(ctx, store, data);
}

export const fulfillmentsFlow = defineFlow({
  name: 'fulfillments',
  queues: {
    fulfillments: {
      handle: handleFulfillmentJob,
      entity: (job) =>
        job.source === 'webhook'
          ? { type: 'Order', id: job.entityGid }
          : job.source === 'pull'
            ? { type: 'Order', id: job.orderGid }
            : { type: 'stock.picking', id: pickingIdOf(job) },
      work: { batchSize: 3 },
    },
  },
});
