/**
 * Orders, writes: an order's latest state into Odoo (apply_order, or cancel_order for a cancelled
 * one), and the pull's order jobs into the queue.
 *
 * The pull (docs/flows.md, "The pull: webhooks that never came"): webhooks are at-least-once and
 * can be missed (a dropped delivery, a subscription Shopify deleted), so every few minutes
 * (`ORDERS_PULL_CRON`) the sidecar lists orders updated since a watermark minus an overlap
 * (`ORDERS_PULL_OVERLAP_MINUTES`) and enqueues one order job per order on the order's key. The
 * job id is derived from the order GID and its `updatedAt`, so a pull that sees an order again
 * (overlap, crash and rerun) collapses onto the existing job; the handler re-reads the order and
 * Odoo answers `unchanged` to a state it already has. An order whose listed `updatedAt` is not newer
 * than the one an orders job already read and applied (./store.ts, `order_applied`; recorded by
 * ./index.ts, see `appliedUpdatedAtOf`) gets no job: that read would find Odoo up to date. The
 * watermark moves to the time the pull started, and only after every page is enqueued: a pull that
 * fails half-way is simply repeated.
 */
import type { PullJob } from '../../jobs.js';
import type { ApplyOrderResult, OrderDocument } from '../../odoo/contract.js';
import { PermanentError, RetryableError } from '../../queue/errors.js';
import { keys } from '../../queue/names.js';
import type { FlowContext } from '../context.js';
import { importRefund } from '../refunds/apply.js';
import { createRefundStore } from '../refunds/store.js';
import { normaliseOrder, paidInOtherCurrency, type NormaliseResult } from './map.js';
import { fetchOrder, updatedOrdersPage } from './read.js';
import { advanceWatermark, appliedUpdatedAt, pruneApplied, readWatermark } from './store.js';

/** `updatedAt`: Shopify's, of the order as read; `readAt`: the sidecar's clock when the read began. */
export type OrderOutcome = { name: string; updatedAt: string; readAt: number } & (
  | { action: 'applied'; result: ApplyOrderResult }
  | { action: 'cancelled'; status: 'cancelled' | 'already_cancelled' | 'needs_return'; saleOrderId: number | null }
);

/**
 * How long after the second of an order's `updatedAt` a read must begin to be sure it saw every
 * change of that second: Shopify's `updatedAt` counts whole seconds, so a change later in the same
 * second keeps it. One second, and one more for the two clocks' difference.
 */
export const READ_SETTLED_MS = 2_000;

/**
 * The `updatedAt` to record as applied for this outcome (./store.ts recordApplied), or null.
 * Recorded: Odoo has the state (created, updated, unchanged: rule 1, it has this state or a later
 * one; cancelled, already_cancelled). Not recorded, so that the pull reads the order again as
 * before: `held` and `flagged` (the binding is in error and re-applying the same document may
 * release it: Odoo keeps no hash of it), `needs_return` (flagged for a return), and a read that
 * began within READ_SETTLED_MS of its `updatedAt` (the same `updatedAt` may name a later state).
 * A job that fails records nothing; `refunds_pending` is never an outcome (applyWithRefunds).
 */
export function appliedUpdatedAtOf(outcome: OrderOutcome): string | null {
  const settled = outcome.readAt >= Date.parse(outcome.updatedAt) + READ_SETTLED_MS;
  if (!settled) return null;
  if (outcome.action === 'cancelled') return outcome.status === 'needs_return' ? null : outcome.updatedAt;
  return ['created', 'updated', 'unchanged'].includes(outcome.result.status) ? outcome.updatedAt : null;
}

/**
 * Fetch → normalise → apply (or cancel). Exported for tests and on-demand imports.
 * `withPresentment: false` when the order is known to be paid in the shop's currency (./read.ts).
 */
export async function importOrder(ctx: FlowContext, orderGid: string, read: { withPresentment?: boolean } = {}): Promise<OrderOutcome> {
  const readAt = ctx.clock();
  const fetched = await fetchOrder(ctx, orderGid, read);
  if (!fetched) throw new PermanentError(`orders: order ${orderGid} does not exist in Shopify (deleted?)`);
  let normalised: NormaliseResult;
  try {
    normalised = normaliseOrder(fetched.order, fetched.lineItems);
  } catch (error) {
    // Malformed Shopify data does not get better by retrying.
    throw new PermanentError(`orders: ${orderGid} cannot be normalised: ${(error as Error).message}`, { cause: error });
  }
  const { document, warnings } = normalised;
  const seen = { name: document.name, updatedAt: fetched.order.updatedAt, readAt };
  for (const warning of warnings) {
    ctx.logger.warn('order input adjusted', { entityType: 'Order', entityId: orderGid, code: warning.code, warning: warning.message });
  }

  if (document.cancelled_at) {
    const cancelled = await ctx.odoo.cancelOrder({
      order_gid: orderGid,
      cancelled_at: document.cancelled_at,
      reason: fetched.order.cancelReason?.toLowerCase() ?? null,
    });
    if (cancelled.status !== 'not_found') {
      return { ...seen, action: 'cancelled', status: cancelled.status, saleOrderId: cancelled.sale_order_id };
    }
    // Never imported: record it (apply_order creates it and cancels it, contract rule 12) so the
    // reconciliation finds every Shopify order in Odoo.
  }
  const result = await applyWithRefunds(ctx, document);
  return { ...seen, action: 'applied', result };
}

/**
 * apply_order, after the refunds the document counts: Odoo answers `refunds_pending` while one of
 * them is not applied (its quantities no longer count the refunded units), so they are applied
 * first (the refunds flow's importRefund) and the document again. That is what keeps a refund
 * from holding a delivered order whichever of refunds/create and orders/updated comes first, and
 * what makes the orders pull the backstop for lost refund webhooks (docs/flows.md, "Refunds").
 */
async function applyWithRefunds(ctx: FlowContext, document: OrderDocument): Promise<ApplyOrderResult> {
  const result = await ctx.odoo.applyOrder(document);
  if (result.status !== 'refunds_pending') return result;
  const store = createRefundStore(ctx.pool, ctx.config.database.appSchema);
  for (const refundGid of result.refund_gids ?? []) await importRefund(ctx, store, refundGid);
  const again = await ctx.odoo.applyOrder(document);
  if (again.status === 'refunds_pending')
    throw new RetryableError(
      `orders: ${document.name} still waits for refunds ${(again.refund_gids ?? []).join(', ')} after applying them`,
    );
  return again;
}

export interface PullResult {
  since: string;
  pages: number;
  orders: number;
  enqueued: number;
  duplicates: number;
  /** Listed orders with no job: an orders job already applied them at this `updatedAt` or a later one. */
  alreadyApplied: number;
}

/** Enqueues one job per order updated at or after `since`; callable on demand (admin, tests). */
export async function pullOrdersSince(ctx: FlowContext, since: Date | string): Promise<PullResult> {
  const from = typeof since === 'string' ? new Date(since) : since;
  if (Number.isNaN(from.getTime())) throw new TypeError(`orders pull: since must be a timestamp (got ${String(since)})`);
  const result: PullResult = { since: from.toISOString(), pages: 0, orders: 0, enqueued: 0, duplicates: 0, alreadyApplied: 0 };
  let after: string | null = null;
  do {
    const page = await updatedOrdersPage(ctx, from, after);
    result.pages += 1;
    const applied = await appliedUpdatedAt(
      ctx,
      page.nodes.map((o) => o.id),
    );
    for (const order of page.nodes) {
      result.orders += 1;
      const job: PullJob = { source: 'pull', orderGid: order.id, updatedAt: order.updatedAt };
      const appliedAt = applied.get(order.id);
      if (appliedAt && Date.parse(order.updatedAt) <= appliedAt.getTime()) {
        result.alreadyApplied += 1;
      } else {
        // The listing's currencies, as an order webhook's payload gives them (./map.ts, readsPresentment).
        const hint = paidInOtherCurrency(order) ? {} : { paidInShopCurrency: true as const };
        const sent = await ctx.queue.send(
          'orders',
          { ...job, ...hint },
          {
            key: keys.order(ctx.shop, order.id),
            id: `pull:${order.id}:${order.updatedAt}`,
            correlationId: `pull:${order.id}:${order.updatedAt}`,
          },
        );
        if (sent.created) result.enqueued += 1;
        else result.duplicates += 1;
      }
      // Fulfilled in Shopify (partly or wholly): the fulfillments flow applies what Odoo lacks. Sent
      // whether or not the order was applied: an applied order says nothing of the fulfillments
      // flow (its own webhooks may be the ones lost).
      if (order.displayFulfillmentStatus !== 'UNFULFILLED')
        await ctx.queue.send('fulfillments', job, {
          key: keys.fulfillment(ctx.shop, order.id),
          id: `pull:${order.id}:${order.updatedAt}`,
          correlationId: `pull:${order.id}:${order.updatedAt}`,
        });
    }
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return result;
}

/**
 * One scheduled run: from the watermark minus the overlap (the first run ever: from now minus the
 * overlap — importing older history is onboarding's job), then the watermark moves to `now`.
 */
export async function runOrdersPull(
  ctx: FlowContext,
  now: Date = new Date(ctx.clock()),
): Promise<PullResult & { watermark: string; appliedPruned: number }> {
  const overlapMs = ctx.config.orders.pullOverlapMinutes * 60_000;
  const watermark = await readWatermark(ctx);
  const since = new Date((watermark ?? now).getTime() - overlapMs);
  const result = await pullOrdersSince(ctx, since);
  await advanceWatermark(ctx, now);
  // The orders applied before this run's window can no longer stop a run's job (./store.ts).
  const pruned = await pruneApplied(ctx, since);
  return { ...result, watermark: now.toISOString(), appliedPruned: pruned };
}
