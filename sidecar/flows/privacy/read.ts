/**
 * Privacy, reads: a compliance delivery's stored payload (parsed exactly, inbox/json.ts), the
 * stored deliveries about a customer and the customers flow's sync rows for them (what a data
 * export adds from the sidecar).
 */
import { quoteIdent } from '../../db/migrate.js';
import { parseShopifyJson } from '../../inbox/json.js';
import type { FlowContext } from '../context.js';
import type { StoredDelivery } from './map.js';

type Db = Pick<FlowContext, 'pool' | 'config'>;

const inbox = (ctx: Db) => `${quoteIdent(ctx.config.database.appSchema)}.webhook_inbox`;

/** The inbox row of a delivery: its payload (null once purged) and when it arrived. */
export async function readDelivery(
  ctx: Db,
  webhookId: string,
): Promise<{ payload: Record<string, unknown> | null; receivedAt: Date } | undefined> {
  const { rows } = await ctx.pool.query<{ payload: string | null; received_at: Date }>(
    `SELECT payload::text AS payload, received_at FROM ${inbox(ctx)} WHERE webhook_id = $1`,
    [webhookId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { payload: row.payload === null ? null : (parseShopifyJson(row.payload) as Record<string, unknown>), receivedAt: row.received_at };
}

/**
 * Stored deliveries about the customer: about one of `gids` (the customer, their orders), or
 * naming their e-mail anywhere in the payload; the compliance delivery itself left out.
 */
export async function storedAbout(ctx: Db, gids: readonly string[], email: string | null, except: string): Promise<StoredDelivery[]> {
  const { rows } = await ctx.pool.query<{ webhook_id: string; topic: string; received_at: Date; payload: string }>(
    `SELECT webhook_id, topic, received_at, payload::text AS payload FROM ${inbox(ctx)}
      WHERE payload IS NOT NULL AND webhook_id <> $3
        AND (entity_gid = ANY($1::text[]) OR ($2::text IS NOT NULL AND position(lower($2) IN lower(payload::text)) > 0))
      ORDER BY received_at, webhook_id`,
    [gids, email, except],
  );
  return rows.map((r) => ({ webhookId: r.webhook_id, topic: r.topic, receivedAt: r.received_at, payload: parseShopifyJson(r.payload) }));
}

/** The customers flow's rows (sidecar/flows/customers/store.ts) for the customer. */
export async function syncRowsAbout(ctx: Db, customerGid: string | null): Promise<Record<string, unknown>[]> {
  if (!customerGid) return [];
  const { rows } = await ctx.pool.query<{ partner_id: number; customer_gid: string; updated_at: Date }>(
    `SELECT partner_id, customer_gid, updated_at FROM ${quoteIdent(ctx.config.database.appSchema)}.customer_sync WHERE customer_gid = $1`,
    [customerGid],
  );
  return rows.map((r) => ({
    table: 'customer_sync',
    partner_id: r.partner_id,
    customer_gid: r.customer_gid,
    updated_at: r.updated_at.toISOString(),
  }));
}
