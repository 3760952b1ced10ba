/**
 * The periodic pull of recently updated orders (BRIEF decision 3): webhooks are at-least-once
 * and can be missed (a dropped delivery, a subscription Shopify deleted), so every few minutes
 * (`ORDERS_PULL_CRON`) the sidecar lists orders updated since a watermark minus an overlap
 * (`ORDERS_PULL_OVERLAP_MINUTES`) and enqueues one order job per order on the order's key. The
 * job id is derived from the order GID and its `updatedAt`, so a pull that sees an order again
 * (overlap, crash and rerun) collapses onto the existing job; the handler re-reads the order and
 * Odoo answers `unchanged` to a state it already has.
 *
 * The watermark (table `<appSchema>.sync_watermarks`) moves to the time the pull started, and
 * only after every page is enqueued: a pull that fails half-way is simply repeated.
 * I/O: Shopify (OrdersUpdatedSince), the queue, the watermark table.
 */
import { quoteIdent } from '../../db/migrate.js';
import type { FlowContext } from '../context.js';
import { keys } from '../../queue/names.js';

/** What a pull job carries: which order and the update it saw; the handler re-reads the order. */
export interface PullJob {
  source: 'pull';
  orderGid: string;
  updatedAt: string;
}

export const ORDERS_STREAM = 'orders';

interface OrdersPage {
  orders: { nodes: Array<{ id: string; updatedAt: string }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

export interface PullResult {
  since: string;
  pages: number;
  orders: number;
  enqueued: number;
  duplicates: number;
}

/** Shopify search syntax for "updated at or after `since`" (the value quoted: it holds colons). */
export function updatedSinceQuery(since: Date): string {
  return `updated_at:>='${since.toISOString().replace(/\.\d{3}Z$/, 'Z')}'`;
}

/** Enqueues one job per order updated at or after `since`; callable on demand (admin, tests). */
export async function pullOrdersSince(ctx: FlowContext, since: Date | string): Promise<PullResult> {
  const from = typeof since === 'string' ? new Date(since) : since;
  if (Number.isNaN(from.getTime())) throw new TypeError(`orders pull: since must be a timestamp (got ${String(since)})`);
  const result: PullResult = { since: from.toISOString(), pages: 0, orders: 0, enqueued: 0, duplicates: 0 };
  let after: string | null = null;
  do {
    const page: OrdersPage = await ctx.shopify.request<OrdersPage>(
      'OrdersUpdatedSince',
      { query: updatedSinceQuery(from), first: ctx.config.orders.pullPageSize, after },
      { lane: 'orders' },
    );
    result.pages += 1;
    for (const order of page.orders.nodes) {
      result.orders += 1;
      const job: PullJob = { source: 'pull', orderGid: order.id, updatedAt: order.updatedAt };
      const sent = await ctx.queue.send('orders', job, {
        key: keys.order(ctx.shop, order.id),
        id: `pull:${order.id}:${order.updatedAt}`,
        correlationId: `pull:${order.id}:${order.updatedAt}`,
      });
      if (sent.created) result.enqueued += 1;
      else result.duplicates += 1;
    }
    after = page.orders.pageInfo.hasNextPage ? page.orders.pageInfo.endCursor : null;
  } while (after);
  return result;
}

export async function readWatermark(ctx: FlowContext, stream = ORDERS_STREAM): Promise<Date | null> {
  const { rows } = await ctx.pool.query<{ watermark: Date }>(
    `SELECT watermark FROM ${quoteIdent(ctx.config.database.appSchema)}.sync_watermarks WHERE shop_domain = $1 AND stream = $2`,
    [ctx.shop, stream],
  );
  return rows[0]?.watermark ?? null;
}

/** Moves the watermark forward (never back: two overlapping pulls cannot rewind it). */
export async function advanceWatermark(ctx: FlowContext, to: Date, stream = ORDERS_STREAM): Promise<void> {
  await ctx.pool.query(
    `INSERT INTO ${quoteIdent(ctx.config.database.appSchema)}.sync_watermarks AS w (shop_domain, stream, watermark)
     VALUES ($1, $2, $3)
     ON CONFLICT (shop_domain, stream) DO UPDATE
       SET watermark = GREATEST(w.watermark, EXCLUDED.watermark), updated_at = now()`,
    [ctx.shop, stream, to],
  );
}

/**
 * One scheduled run: from the watermark minus the overlap (the first run ever: from now minus the
 * overlap — importing older history is onboarding's job), then the watermark moves to `now`.
 */
export async function runOrdersPull(ctx: FlowContext, now: Date = new Date()): Promise<PullResult & { watermark: string }> {
  const overlapMs = ctx.config.orders.pullOverlapMinutes * 60_000;
  const watermark = await readWatermark(ctx);
  const since = new Date((watermark ?? now).getTime() - overlapMs);
  const result = await pullOrdersSince(ctx, since);
  await advanceWatermark(ctx, now);
  ctx.logger.info('orders pull', { ...result, watermark: now.toISOString() });
  return { ...result, watermark: now.toISOString() };
}
