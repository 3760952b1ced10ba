/**
 * The orders pull's watermark, in the sidecar's table `<appSchema>.sync_watermarks` (migration
 * 003): per shop and stream, the instant the last complete pull started.
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
