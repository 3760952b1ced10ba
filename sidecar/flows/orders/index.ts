/**
 * Orders, Shopify → Odoo (docs/flows.md, "Orders (Shopify → Odoo)").
 *
 * Triggers, all on queue `orders` under one key per order (`keys.order`), so one order's jobs run
 * one at a time in arrival order:
 *  - webhooks orders/create, updated, cancelled, paid, edited (ids only);
 *  - the Odoo outbox event `order.reimport` (payload.order_gid);
 *  - the scheduled pull of recently updated orders (queue `orders.pull`, ./apply.ts);
 *  - operator resyncs and reconciliation repairs (docs/flows.md, "Resync jobs").
 * Each import then asks the payments flow to book the order's transactions (flows/payments).
 *
 * The handler never trusts what triggered it: deliveries are at-least-once and out of order, so
 * it re-reads the order from Shopify (OrderById) and applies that latest state. Odoo answers
 * `unchanged` for a document older than, or equal to, the one it applied last (contract rule 1),
 * which makes replays, duplicates and the pull's overlap harmless.
 *
 * Each job that Odoo answered with the order's state applied records the order's `updatedAt`
 * (./store.ts, `order_applied`; which answers count: ./apply.ts appliedUpdatedAtOf), so the pull
 * does not read it again.
 *
 * Outcomes: `created`/`updated`/`unchanged` with the sale order; `held` (missing tax mapping) and
 * `flagged` (totals differ) are warnings, not queue errors — the addon has already put the order's
 * binding in error with the message, which is where a user fixes and retries it ("Re-import from
 * Shopify" emits `order.reimport`). A cancelled order is cancelled through `cancel_order`
 * (`needs_return` when Odoo already delivered: the addon flags the order). An Odoo ValidationError
 * (unknown SKU, wrong currency) is permanent: the job goes to the DLQ with the addon's message,
 * which names the SKU and line; the addon creates nothing in that case.
 */
import type { QueueJobs } from '../../jobs.js';
import type { JobContext } from '../../queue/queue.js';
import type { FlowContext } from '../context.js';
import { defineFlow, type JobOutcome } from '../define-flow.js';
import { sendPaymentsJob } from '../payments/index.js';
import { appliedUpdatedAtOf, importOrder, runOrdersPull, type OrderOutcome } from './apply.js';
import { orderGidOf, readsPresentment } from './map.js';
import { orderFailureSubject } from './read.js';
import { recordApplied } from './store.js';

export { importOrder, pullOrdersSince, runOrdersPull } from './apply.js';
export { orderGidOf } from './map.js';

/** The outcome line of an imported or cancelled order. */
function outcomeOf(imported: OrderOutcome): JobOutcome {
  if (imported.action === 'cancelled') {
    const fields = { name: imported.name, saleOrderId: imported.saleOrderId };
    return imported.status === 'needs_return'
      ? {
          outcome: 'needs_return',
          level: 'warn',
          message: 'order cancelled in Shopify after delivery: Odoo flagged it for a return',
          fields,
        }
      : { outcome: imported.status, message: 'order cancelled', fields };
  }
  const { result } = imported;
  const fields = {
    name: imported.name,
    updatedAt: imported.updatedAt,
    saleOrderId: result.sale_order_id,
    saleOrder: result.name,
    state: result.state,
    amountTotal: result.amount_total,
    ...(result.message ? { odooMessage: result.message } : {}),
  };
  if (result.status === 'held')
    return { outcome: 'held', level: 'warn', message: 'order held in Odoo (binding in error; fix the mapping, then re-import)', fields };
  if (result.status === 'flagged')
    return { outcome: 'flagged', level: 'warn', message: 'order flagged in Odoo: totals differ (binding in error)', fields };
  return { outcome: result.status, message: `order ${result.status}`, fields };
}

export async function handleOrderJob(ctx: FlowContext, job: JobContext<QueueJobs['orders']>): Promise<JobOutcome> {
  const orderGid = orderGidOf(job.data);
  // Every order job re-reads the order and applies its latest state, so when a later job for this
  // order is already waiting (orders/create, paid and updated arrive together), this one has
  // nothing to add: it completes without spending API budget on a read the later job repeats.
  if (job.key && (await ctx.queue.hasLaterJob('orders', job.key, job.jobId))) {
    return {
      outcome: 'superseded',
      reason: 'superseded by a later job for the same order',
      message: 'order job superseded by a later job for the same order',
    };
  }
  const imported = await importOrder(ctx, orderGid, { withPresentment: readsPresentment(job.data) });
  // Each import books the order's payments next (orders/paid of a pending bank transfer or cash
  // on delivery, a Retry once a gateway is mapped): flows/payments.
  if (imported.action === 'applied') await sendPaymentsJob(ctx, orderGid, 'order', `order-job:${job.jobId}`);
  // What Odoo now has, so that the pull does not read the order again for it (./apply.ts).
  const applied = appliedUpdatedAtOf(imported);
  if (applied) await recordApplied(ctx, orderGid, applied);
  return outcomeOf(imported);
}

export const ordersFlow = defineFlow({
  name: 'orders',
  queues: {
    orders: {
      handle: handleOrderJob,
      entity: (job) => ({ type: 'Order', id: orderGidOf(job) }),
      // Odoo's Shopify > Errors lists an order that could not be imported with its number,
      // total and customer name (./read.ts; flows/failure-report.ts).
      failure: (ctx, job) => orderFailureSubject(ctx, orderGidOf(job)),
    },
    'orders.pull': {
      schedule: (config) => config.orders.pullCron,
      async handle(ctx) {
        const result = await runOrdersPull(ctx);
        return { outcome: 'pulled', message: 'orders pull', fields: { ...result } };
      },
    },
  },
});
