/**
 * Privacy, the sidecar's own stores (docs/operations.md, "Privacy requests"): what an erasure
 * removes from the webhook inbox, pg-boss's job rows and the sync tables, what a shop erasure
 * removes altogether, and the record of the compliance topics' arrivals (`doctor`).
 *
 * Inbox rows stay (ids, topic, outcome: dedupe and audit) while their payloads go; job rows keep
 * their ids-only data (sidecar/jobs.ts), their failure outputs go. A compliance delivery still
 * queued keeps its payload: its own job needs it.
 */
import type pg from 'pg';
import { quoteIdent } from '../../db/migrate.js';
import type { FlowContext } from '../context.js';

type Db = Pick<FlowContext, 'pool' | 'config' | 'clock'>;

const COMPLIANCE_TOPICS = ['customers/data_request', 'customers/redact', 'shop/redact'];
/** The sidecar_state key of the compliance topics' arrivals. */
export const COMPLIANCE_STATE_KEY = 'compliance_webhooks';

const app = (ctx: Db, table: string) => `${quoteIdent(ctx.config.database.appSchema)}.${table}`;
const jobs = (ctx: Db) => `${quoteIdent(ctx.config.database.queueSchema)}.job`;
const count = (result: pg.QueryResult) => result.rowCount ?? 0;

export interface CustomerScope {
  /** The customer's GID and their orders' GIDs. */
  gids: readonly string[];
  email: string | null;
  customerGid: string | null;
  partnerIds: readonly number[];
  /** Queue keys of jobs about them (map.ts keysAbout); `customerKey` is the customers queue's. */
  keys: readonly string[];
  customerKey: string | null;
  /** The compliance delivery being handled: its payload goes too. */
  webhookId: string | null;
}

/** Removes what the sidecar holds about one customer; returns what it removed, counted. */
export async function purgeCustomer(ctx: Db, scope: CustomerScope): Promise<Record<string, number>> {
  const payloads = await ctx.pool.query(
    // Both copies go: the jsonb payload and the exact body bytes (also kept for a body that is not
    // JSON, so the e-mail is looked for in the bytes too; escape encoding leaves ASCII as it is).
    `UPDATE ${app(ctx, 'webhook_inbox')} SET payload = NULL, body = NULL, payload_purged_at = to_timestamp($5 / 1000.0)
      WHERE (payload IS NOT NULL OR body IS NOT NULL)
        AND (entity_gid = ANY($1::text[])
             OR ($2::text IS NOT NULL AND (position(lower($2) IN lower(payload::text)) > 0
                                           OR position(lower($2) IN lower(encode(body, 'escape'))) > 0))
             OR webhook_id = $3)
        AND NOT (topic = ANY($4::text[]) AND status = 'queued' AND webhook_id IS DISTINCT FROM $3)`,
    [scope.gids, scope.email, scope.webhookId, COMPLIANCE_TOPICS, ctx.clock()],
  );
  // A waiting customers job would only re-read a redacted customer; finished jobs' outputs
  // (failure reasons) are the only job fields that are not ids.
  const waiting = scope.customerKey
    ? await ctx.pool.query(`DELETE FROM ${jobs(ctx)} WHERE name = 'customers' AND singleton_key = $1 AND state IN ('created', 'retry')`, [
        scope.customerKey,
      ])
    : undefined;
  const outputs = await ctx.pool.query(
    `UPDATE ${jobs(ctx)} SET output = NULL
      WHERE singleton_key = ANY($1::text[]) AND output IS NOT NULL AND state IN ('completed', 'failed', 'cancelled')`,
    [scope.keys],
  );
  const rows = await ctx.pool.query(`DELETE FROM ${app(ctx, 'customer_sync')} WHERE customer_gid = $1 OR partner_id = ANY($2::int[])`, [
    scope.customerGid,
    scope.partnerIds,
  ]);
  return {
    inbox_payloads_purged: count(payloads),
    waiting_jobs_deleted: waiting ? count(waiting) : 0,
    job_outputs_purged: count(outputs),
    sync_rows_deleted: count(rows),
  };
}

/** Only the compliance delivery's own payload (a data request: the export has what it held). */
export async function purgeDeliveryPayload(ctx: Db, webhookId: string): Promise<number> {
  return count(
    await ctx.pool.query(
      `UPDATE ${app(ctx, 'webhook_inbox')} SET payload = NULL, body = NULL, payload_purged_at = to_timestamp($2 / 1000.0)
        WHERE webhook_id = $1 AND (payload IS NOT NULL OR body IS NOT NULL)`,
      [webhookId, ctx.clock()],
    ),
  );
}

/**
 * Everything the sidecar holds for the shop: its inbox (but the row being handled, without its
 * payload), every job but the one running and those other workers hold, reports and operations,
 * the sync tables, watermarks, the orders applied, the API budget and the named state (but the
 * compliance record).
 */
export async function purgeShop(ctx: Db, shop: string, current: { jobId: string; webhookId: string }): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  counts.inbox_rows_deleted = count(
    await ctx.pool.query(`DELETE FROM ${app(ctx, 'webhook_inbox')} WHERE shop_domain = $1 AND webhook_id <> $2`, [shop, current.webhookId]),
  );
  counts.inbox_payloads_purged = await purgeDeliveryPayload(ctx, current.webhookId);
  counts.jobs_deleted = count(await ctx.pool.query(`DELETE FROM ${jobs(ctx)} WHERE id <> $1::uuid AND state <> 'active'`, [current.jobId]));
  for (const table of ['reports', 'operations', 'customer_sync', 'fulfillment_intent', 'refund_intent']) {
    counts[`${table}_deleted`] = count(await ctx.pool.query(`DELETE FROM ${app(ctx, table)}`));
  }
  for (const table of ['sync_watermarks', 'order_applied', 'shopify_budget']) {
    counts[`${table}_deleted`] = count(await ctx.pool.query(`DELETE FROM ${app(ctx, table)} WHERE shop_domain = $1`, [shop]));
  }
  counts.sidecar_state_deleted = count(
    await ctx.pool.query(`DELETE FROM ${app(ctx, 'sidecar_state')} WHERE key <> $1`, [COMPLIANCE_STATE_KEY]),
  );
  return counts;
}

/** Records that a compliance topic arrived (first and last time), for `doctor`. */
export async function recordArrival(ctx: Db, topic: string, receivedAt: Date): Promise<void> {
  const at = receivedAt.toISOString();
  await ctx.pool.query(
    `INSERT INTO ${app(ctx, 'sidecar_state')} AS s (key, value, updated_at)
       VALUES ($1, jsonb_build_object($2::text, jsonb_build_object('first', $3::text, 'last', $3::text)), to_timestamp($4 / 1000.0))
     ON CONFLICT (key) DO UPDATE SET
       value = s.value || jsonb_build_object($2::text, jsonb_build_object(
         'first', LEAST(COALESCE(s.value -> $2::text ->> 'first', $3::text), $3::text),
         'last', GREATEST(COALESCE(s.value -> $2::text ->> 'last', $3::text), $3::text))),
       updated_at = EXCLUDED.updated_at`,
    [COMPLIANCE_STATE_KEY, topic, at, ctx.clock()],
  );
}
