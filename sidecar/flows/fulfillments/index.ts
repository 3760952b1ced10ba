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
 * fulfillments/create|update webhooks (fulfillments made in Shopify admin, and the echoes of ours)
 * land on this queue too: nothing to do, their inbox rows end `ignored`. Odoo is the source of truth
 * for what was shipped; a fulfillment made in Shopify admin is not turned into an Odoo delivery.
 */
import type { QueueJobs } from '../../jobs.js';
import type { JobContext } from '../../queue/queue.js';
import type { FlowContext } from '../context.js';
import { defineFlow, ignored, type JobOutcome } from '../define-flow.js';
import { deliveryDone } from './apply.js';
import { pickingIdOf } from './map.js';
import { createFulfillmentStore } from './store.js';

export async function handleFulfillmentJob(ctx: FlowContext, job: JobContext<QueueJobs['fulfillments']>): Promise<JobOutcome> {
  const data = job.data;
  if (data.source === 'webhook') {
    return ignored('noted', 'Odoo deliveries are the source of truth for what was shipped', {
      message: 'fulfillments: Shopify fulfillment webhook noted; Odoo deliveries are the source of truth, nothing to write',
    });
  }
  return deliveryDone(ctx, createFulfillmentStore(ctx.pool, ctx.config.database.appSchema), data);
}

export const fulfillmentsFlow = defineFlow({
  name: 'fulfillments',
  queues: {
    fulfillments: {
      handle: handleFulfillmentJob,
      entity: (job) => (job.source === 'webhook' ? { type: 'Order', id: job.entityGid } : { type: 'stock.picking', id: pickingIdOf(job) }),
      work: { batchSize: 5 },
    },
  },
});
