/**
 * Orders, Shopify → Odoo (issue 5 item 3; docs/flows.md "Orders (Shopify → Odoo)").
 *
 * Triggers, all on queue `orders` under one key per order (`keys.order`), so one order's jobs run
 * one at a time in arrival order:
 *  - webhooks orders/create, updated, cancelled, paid, edited (WebhookJob: ids only);
 *  - the Odoo outbox event `order.reimport` (OutboxJob, payload.order_gid);
 *  - the scheduled pull of recently updated orders (PullJob, ./pull.ts; queue `orders.pull`);
 *  - operator resyncs and reconciliation repairs (OrderRepairJob, docs/flows.md "Resync jobs").
 *
 * The handler never trusts what triggered it: deliveries are at-least-once and out of order, so
 * it re-reads the order from Shopify (OrderById) and applies that latest state. Odoo answers
 * `unchanged` for a document older than, or equal to, the one it applied last (contract rule 1),
 * which makes replays, duplicates and the pull's overlap harmless.
 *
 * Outcomes: `created`/`updated`/`unchanged` are logged with the sale order id; `held` (missing tax
 * mapping) and `flagged` (totals differ) are logged as warnings and are not queue errors — the
 * addon has already put the order's binding in error with the message, which is where a user fixes
 * and retries it ("Re-import from Shopify" emits `order.reimport`). A cancelled order is cancelled
 * through `cancel_order` (`needs_return` when Odoo already delivered: the addon flags the order).
 * An Odoo ValidationError (unknown SKU, wrong currency) is permanent: the job goes to the DLQ with
 * the addon's message, which names the SKU and line; the addon creates nothing in that case.
 */
import { markProcessed } from '../../http/webhooks/inbox.js';
import type { WebhookJob } from '../../http/webhooks/topics.js';
import type { ApplyOrderResult, OrderDocument } from '../../odoo/contract.js';
import { classifyError, PermanentError } from '../../queue/errors.js';
import type { JobContext } from '../../queue/queue.js';
import type { OutboxJob } from '../../relay/outbox.js';
import type { OrderRepairJob } from '../../reports/reconcile.js';
import type { Flow, FlowContext } from '../context.js';
import { normaliseOrder, type NormaliseResult, type ShopifyLineItem, type ShopifyOrder } from './normalise.js';
import { runOrdersPull, type PullJob } from './pull.js';

export { pullOrdersSince, runOrdersPull } from './pull.js';
export type { PullJob } from './pull.js';

export type OrderJob = WebhookJob | OutboxJob | PullJob | OrderRepairJob;

/** The order a job is about, whatever triggered it. */
export function orderGidOf(job: OrderJob): string {
  const gid =
    job.source === 'webhook'
      ? job.entityGid
      : job.source === 'outbox'
        ? typeof job.payload?.order_gid === 'string'
          ? job.payload.order_gid
          : undefined
        : job.orderGid; // pull, resync (operator), repair (reconciliation)
  if (!gid || !/^gid:\/\/shopify\/Order\/[0-9]+$/.test(gid)) throw new PermanentError(`orders: job without an order GID (${job.source})`);
  return gid;
}

interface OrderByIdData {
  order: ShopifyOrder | null;
}
interface OrderLineItemsData {
  order: { lineItems: ShopifyOrder['lineItems'] } | null;
}

/** Reads the order and all its line items (OrderById, then OrderLineItems pages past the first 10). */
export async function fetchOrder(
  ctx: FlowContext,
  orderGid: string,
): Promise<{ order: ShopifyOrder; lineItems: ShopifyLineItem[] } | null> {
  const { order } = await ctx.shopify.request<OrderByIdData>('OrderById', { id: orderGid }, { lane: 'orders' });
  if (!order) return null;
  const lineItems = [...order.lineItems.nodes];
  let page = order.lineItems.pageInfo;
  while (page.hasNextPage && page.endCursor) {
    const more = await ctx.shopify.request<OrderLineItemsData>(
      'OrderLineItems',
      { id: orderGid, after: page.endCursor },
      { lane: 'orders' },
    );
    if (!more.order) break;
    lineItems.push(...more.order.lineItems.nodes);
    page = more.order.lineItems.pageInfo;
  }
  return { order, lineItems };
}

export type OrderOutcome =
  | { action: 'applied'; result: ApplyOrderResult }
  | { action: 'cancelled'; status: 'cancelled' | 'already_cancelled' | 'needs_return'; saleOrderId: number | null };

/** Fetch → normalise → apply (or cancel). Exported for tests and on-demand imports. */
export async function importOrder(ctx: FlowContext, orderGid: string): Promise<OrderOutcome> {
  const fetched = await fetchOrder(ctx, orderGid);
  if (!fetched) throw new PermanentError(`orders: order ${orderGid} does not exist in Shopify (deleted?)`);
  let normalised: NormaliseResult;
  try {
    normalised = normaliseOrder(fetched.order, fetched.lineItems);
  } catch (error) {
    // Malformed Shopify data does not get better by retrying.
    throw new PermanentError(`orders: ${orderGid} cannot be normalised: ${(error as Error).message}`, { cause: error });
  }
  const { document, warnings } = normalised;
  for (const warning of warnings) ctx.logger.warn('order input adjusted', { orderGid, code: warning.code, warning: warning.message });
  // The schema allows a null SKU (the addon refuses it naming the line); the TS type is stricter.
  const doc = document as unknown as OrderDocument;

  if (document.cancelled_at) {
    const cancelled = await ctx.odoo.cancelOrder({
      order_gid: orderGid,
      cancelled_at: document.cancelled_at,
      reason: fetched.order.cancelReason?.toLowerCase() ?? null,
    });
    if (cancelled.status !== 'not_found') {
      const line = { orderGid, name: document.name, saleOrderId: cancelled.sale_order_id, status: cancelled.status };
      if (cancelled.status === 'needs_return')
        ctx.logger.warn('order cancelled in Shopify after delivery: Odoo flagged it for a return', line);
      else ctx.logger.info('order cancelled', line);
      return { action: 'cancelled', status: cancelled.status, saleOrderId: cancelled.sale_order_id };
    }
    // Never imported: record it (apply_order creates it and cancels it, contract rule 11) so the
    // reconciliation finds every Shopify order in Odoo.
  }

  const result = await ctx.odoo.applyOrder(doc);
  const line = {
    orderGid,
    name: document.name,
    updatedAt: document.updated_at,
    saleOrderId: result.sale_order_id,
    saleOrder: result.name,
    status: result.status,
    state: result.state,
    amountTotal: result.amount_total,
    ...(result.message ? { odooMessage: result.message } : {}),
  };
  if (result.status === 'held') ctx.logger.warn('order held in Odoo (binding in error; fix the mapping, then re-import)', line);
  else if (result.status === 'flagged') ctx.logger.warn('order flagged in Odoo: totals differ (binding in error)', line);
  else ctx.logger.info(`order ${result.status}`, line);
  return { action: 'applied', result };
}

export async function handleOrderJob(ctx: FlowContext, job: JobContext<OrderJob>): Promise<void> {
  const orderGid = orderGidOf(job.data);
  const webhookId = job.data.source === 'webhook' ? job.data.webhookId : undefined;
  const schema = ctx.config.database.appSchema;
  // Every order job re-reads the order and applies its latest state, so when a later job for this
  // order is already waiting (orders/create, paid and updated arrive together), this one has
  // nothing to add: it completes without spending API budget on a read the later job repeats.
  if (job.key && (await ctx.queue.hasLaterJob('orders', job.key, job.jobId))) {
    ctx.logger.info('order job superseded by a later job for the same order', { orderGid, source: job.data.source });
    if (webhookId) await markProcessed(ctx.pool, schema, webhookId, 'processed', 'superseded by a later job for the same order');
    return;
  }
  try {
    await importOrder(ctx, orderGid);
  } catch (error) {
    const { kind, reason } = classifyError(error);
    if (webhookId && (kind !== 'retryable' || job.attempt >= job.maxAttempts))
      await markProcessed(ctx.pool, schema, webhookId, 'failed', reason).catch(() => {});
    throw error;
  }
  if (webhookId) await markProcessed(ctx.pool, schema, webhookId, 'processed');
}

export const ordersFlow: Flow = {
  name: 'orders',
  async register(ctx) {
    await ctx.queue.work<OrderJob>('orders', (job) => handleOrderJob(ctx, job));
    await ctx.queue.work('orders.pull', async () => {
      await runOrdersPull(ctx);
    });
    await ctx.queue.schedule('orders.pull', ctx.config.orders.pullCron);
  },
};
