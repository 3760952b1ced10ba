/**
 * Payments, Shopify → Odoo (docs/flows.md, "Payments"). Queue `payments`, keyed per order
 * (`keys.payment`), so one order's payment jobs run one at a time.
 *
 * Triggers: the orders flow after each import of an order (so `orders/paid` — a pending bank
 * transfer or cash on delivery marked paid — books its payment), the refunds flow after applying
 * an order's refunds (refund transactions then meet their credit notes), and the daily
 * reconciliation's repair jobs. The handler re-reads the order's transactions; Odoo books each
 * successful sale, capture and refund once (by transaction GID), in the journal of its gateway,
 * invoices by the company's policy and reconciles.
 */
import type { QueueJobs } from '../../jobs.js';
import { keys } from '../../queue/names.js';
import type { JobContext } from '../../queue/queue.js';
import type { FlowContext } from '../context.js';
import { defineFlow, type JobOutcome } from '../define-flow.js';
import { applyOrderPayments } from './apply.js';

export async function handlePaymentsJob(ctx: FlowContext, job: JobContext<QueueJobs['payments']>): Promise<JobOutcome> {
  return applyOrderPayments(ctx, job.data.orderGid);
}

/**
 * Asks the payments flow to book an order's transactions (one job per reason: `id` collapses
 * repeats of the same trigger).
 */
export async function sendPaymentsJob(
  ctx: Pick<FlowContext, 'queue' | 'shop'>,
  orderGid: string,
  source: QueueJobs['payments']['source'],
  reason: string,
  correlationId?: string,
): Promise<void> {
  await ctx.queue.send(
    'payments',
    { source, orderGid },
    { key: keys.payment(ctx.shop, orderGid), id: `payments:${orderGid}:${reason}`, ...(correlationId ? { correlationId } : {}) },
  );
}

export const paymentsFlow = defineFlow({
  name: 'payments',
  queues: {
    payments: {
      handle: handlePaymentsJob,
      entity: (job) => ({ type: 'Order', id: job.orderGid }),
      work: { batchSize: 3 },
    },
  },
});
