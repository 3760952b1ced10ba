/**
 * The orders flow's sidecar tables:
 *  - the pull's watermark, in `<appSchema>.sync_watermarks` (migration 003): per shop and stream,
 *    the instant the last complete pull started;
 *  - the orders applied, in `<appSchema>.order_applied` (migration 061): per shop and order GID,
 *    the Shopify `updatedAt` of the latest order state an orders job read and Odoo applied, which
 *    the pull does not enqueue again (./apply.ts, docs/flows.md "The pull: webhooks that never came").
 */
import { quoteIdent } from '../../db/migrate.js';
import type { FlowContext } from '../context.js';

export const ORDERS_STREAM = 'orders';

type WatermarkContext = Pick<FlowContext, 'config' | 'pool' | 'shop'>;

export async function readWatermark(ctx: WatermarkContext, stream = ORDERS_STREAM): Promise<Date | null> {
  const { rows } = await ctx.pool.query<{ watermark: Date }>(
    `SELECT watermark FROM ${quoteIdent(ctx.config.database.appSchema)}.sync_watermarks WHERE shop_domain = $1 AND stream = $2`,
    [ctx.shop, stream],
  );
  return rows[0]?.watermark ?? null;
}

/** Moves the watermark forward (never back: two overlapping pulls cannot rewind it). */
export async function advanceWatermark(ctx: WatermarkContext, to: Date, stream = ORDERS_STREAM): Promise<void> {
  await ctx.pool.query(
    `INSERT INTO ${quoteIdent(ctx.config.database.appSchema)}.sync_watermarks AS w (shop_domain, stream, watermark)
     VALUES ($1, $2, $3)
     ON CONFLICT (shop_domain, stream) DO UPDATE
       SET watermark = GREATEST(w.watermark, EXCLUDED.watermark), updated_at = now()`,
    [ctx.shop, stream, to],
  );
}

/**
 * Records that Odoo has the order's state as of Shopify's `updatedAt` (never moving it back: of
 * two jobs finishing out of order, the later state stays recorded).
 */
export async function recordApplied(ctx: WatermarkContext, orderGid: string, updatedAt: string): Promise<void> {
  await ctx.pool.query(
    `INSERT INTO ${quoteIdent(ctx.config.database.appSchema)}.order_applied AS a (shop_domain, order_gid, shopify_updated_at)
     VALUES ($1, $2, $3)
     ON CONFLICT (shop_domain, order_gid) DO UPDATE
       SET shopify_updated_at = GREATEST(a.shopify_updated_at, EXCLUDED.shopify_updated_at), updated_at = now()`,
    [ctx.shop, orderGid, updatedAt],
  );
}

/** The recorded `updatedAt` of each of these orders that has one (one query for a pull's page). */
export async function appliedUpdatedAt(ctx: WatermarkContext, orderGids: readonly string[]): Promise<Map<string, Date>> {
  if (orderGids.length === 0) return new Map();
  const { rows } = await ctx.pool.query<{ order_gid: string; shopify_updated_at: Date }>(
    `SELECT order_gid, shopify_updated_at FROM ${quoteIdent(ctx.config.database.appSchema)}.order_applied
      WHERE shop_domain = $1 AND order_gid = ANY($2::text[])`,
    [ctx.shop, orderGids],
  );
  return new Map(rows.map((r) => [r.order_gid, r.shopify_updated_at]));
}

/**
 * Deletes the rows older than `since`: a pull lists only orders updated at or after its start, so
 * such a row can never stop one (the table holds about one pull window of orders).
 */
export async function pruneApplied(ctx: WatermarkContext, since: Date): Promise<number> {
  const result = await ctx.pool.query(
    `DELETE FROM ${quoteIdent(ctx.config.database.appSchema)}.order_applied WHERE shop_domain = $1 AND shopify_updated_at < $2`,
    [ctx.shop, since],
  );
  return result.rowCount ?? 0;
}
