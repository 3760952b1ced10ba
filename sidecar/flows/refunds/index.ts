/**
 * Refunds, both ways (docs/flows.md, "Refunds"). Queue `refunds`, keyed per order
 * (`keys.refund`), so one order's refund webhooks and credit notes are handled one at a time.
 *
 * - webhook `refunds/create` and the reconciliation's repair jobs: retried while the order is not
 *   imported yet; then the order's refunds Odoo has not applied are re-read and applied (the payload is never trusted; a duplicate or late
 *   delivery finds nothing left to apply). The orders flow applies them too when an order update
 *   counts them (refunds_pending), and the orders pull is the backstop for lost webhooks.
 * - outbox `credit_note.posted` (a credit note posted in Odoo for a Shopify order): refunded in
 *   Shopify with refundCreate, capped at what Shopify can refund; the credit note is bound to the
 *   refund, whose own refunds/create webhook then changes nothing in Odoo's money.
 */
import type { QueueJobs } from '../../jobs.js';
import { PermanentError, WaitingError } from '../../queue/errors.js';
import type { JobContext } from '../../queue/queue.js';
import type { FlowContext } from '../context.js';
import { defineFlow, ignored, type JobOutcome } from '../define-flow.js';
import { sendPaymentsJob } from '../payments/index.js';
import { applyOrderRefunds, creditNotePosted } from './apply.js';
import { moveIdOf, orderGidOf } from './map.js';
import { orderInOdoo } from '../sale-order.js';
import { createRefundStore } from './store.js';

export { applyOrderRefunds, importRefund } from './apply.js';

export async function handleRefundJob(ctx: FlowContext, job: JobContext<QueueJobs['refunds']>): Promise<JobOutcome> {
  const store = createRefundStore(ctx.pool, ctx.config.database.appSchema);
  const data = job.data;
  if (data.source === 'outbox') return creditNotePosted(ctx, store, data);
  const orderGid = orderGidOf(data);
  if (!orderGid) throw new PermanentError(`refunds: job without an order GID (${data.source})`);
  // Orders and refunds have their own queues: a refund's job can run before its order's import
  // (reordered deliveries, a backlog of orders). It waits, retried with the queue's backoff: the
  // import counts the order's refunds and the orders flow applies them (refunds_pending), so the
  // retry then finds nothing left, or applies what is.
  if (!(await orderInOdoo(ctx, orderGid)))
    throw new WaitingError(`order ${orderGid} in Odoo`, `refunds: order ${orderGid} is not imported in Odoo yet; retried until it is`);
  const applied = await applyOrderRefunds(ctx, store, orderGid);
  // Refund transactions are booked by the payments flow, against the credit notes just made.
  if (applied.length) await sendPaymentsJob(ctx, orderGid, 'refund', `refund-job:${job.jobId}`);
  if (!applied.length) return ignored('unchanged', 'every refund of the order is applied in Odoo', { fields: { orderGid } });
  const flagged = applied.filter((a) => a.result.status === 'flagged').length;
  return {
    outcome: flagged ? 'flagged' : 'applied',
    level: flagged ? 'warn' : 'info',
    message: flagged ? 'refunds: applied; a credit note differs from Shopify and was left in draft' : 'refunds: applied in Odoo',
    fields: { orderGid, refunds: applied.map((a) => a.refundGid), creditNotes: applied.map((a) => a.result.credit_note_id) },
  };
}

export const refundsFlow = defineFlow({
  name: 'refunds',
  queues: {
    refunds: {
      handle: handleRefundJob,
      entity: (job) =>
        job.source === 'outbox' ? { type: 'account.move', id: moveIdOf(job) } : { type: 'Order', id: orderGidOf(job) ?? '' },
      work: { batchSize: 3 },
    },
  },
});
