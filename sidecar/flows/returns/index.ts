/**
 * Returns, Shopify → Odoo (docs/flows.md, "Returns"). Queue `returns`, keyed per order
 * (`keys.return`), so one order's return webhooks are handled one at a time.
 *
 * - webhooks returns/request, approve, decline, cancel, close, reopen and process: the order's
 *   returns are re-read (the payload is never trusted) and each applied with apply_return, which
 *   turns it into Odoo return pickings (awaiting approval, open, received by disposition —
 *   RESTOCKED units into stock, NOT_RESTOCKED and MISSING not — or cancelled). A duplicate or
 *   late delivery changes nothing.
 * - outbox return.done (a return picking validated by a user in Odoo): the Shopify return it
 *   belongs to — created with returnCreate when the goods were returned in Odoo — processed for the
 *   units received, RESTOCKED at the Shopify location of the warehouse (./apply.ts). Returns made
 *   this way are skipped by the webhooks above: Odoo holds their pickings.
 */
import type { QueueJobs } from '../../jobs.js';
import { WaitingError } from '../../queue/errors.js';
import type { JobContext } from '../../queue/queue.js';
import type { FlowContext } from '../context.js';
import { defineFlow, ignored, type JobOutcome } from '../define-flow.js';
import { applyOrderReturns, returnReceivedInOdoo } from './apply.js';
import { pickingIdOf } from './map.js';
import { orderInOdoo } from '../sale-order.js';

const IGNORED_REASONS = {
  skipped: 'not a done return picking',
  unchanged: 'Shopify has processed the return already',
  waiting: 'refunded with the Shopify return: the credit note of its units processes it',
} as const;

export async function handleReturnJob(ctx: FlowContext, job: JobContext<QueueJobs['returns']>): Promise<JobOutcome> {
  const data = job.data;
  if (data.source === 'outbox') {
    const pickingId = pickingIdOf(data);
    const sent = await returnReceivedInOdoo(ctx, pickingId);
    if (sent.outcome !== 'sent')
      return ignored(sent.outcome, IGNORED_REASONS[sent.outcome], { fields: { pickingId, returnGid: sent.returnGid } });
    return {
      outcome: 'sent',
      message: 'returns: a return received in Odoo sent to Shopify',
      fields: { pickingId, returnGid: sent.returnGid, processed: sent.processed },
    };
  }
  const orderGid = data.entityGid;
  // A return can arrive before its order is imported (reordered deliveries, an outage): wait
  // for the import, with the queue's backoff and retry budget, instead of refusing it.
  if (!(await orderInOdoo(ctx, orderGid)))
    throw new WaitingError(`order ${orderGid} in Odoo`, `returns: order ${orderGid} is not imported in Odoo yet; the return waits for it`);
  const applied = await applyOrderReturns(ctx, orderGid);
  const changed = applied.filter((a) => a.result.status !== 'unchanged');
  if (!changed.length) return ignored('unchanged', 'every return of the order is applied in Odoo', { fields: { orderGid } });
  return {
    outcome: 'applied',
    message: 'returns: applied in Odoo',
    fields: {
      orderGid,
      returns: changed.map((a) => ({ returnGid: a.returnGid, status: a.result.status, pickingIds: a.result.picking_ids })),
    },
  };
}

export const returnsFlow = defineFlow({
  name: 'returns',
  queues: {
    returns: {
      handle: handleReturnJob,
      entity: (job) => (job.source === 'outbox' ? { type: 'stock.picking', id: pickingIdOf(job) } : { type: 'Order', id: job.entityGid }),
      work: { batchSize: 3 },
    },
  },
});
