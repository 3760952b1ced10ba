/**
 * The webhook inbox: one row per X-Shopify-Webhook-Id (Shopify's dedupe key). Inserting the row
 * and enqueueing its job happen in one transaction, so a delivery is either recorded and queued,
 * or neither — and a redelivery of a recorded one is acknowledged without a second job.
 *
 * A row's status (docs/flows.md, "The webhook inbox"): the intake writes `queued`, `ignored` (a
 * topic not processed) or `invalid`; the flow that takes a queued row's job ends it `processed`,
 * `ignored` (nothing to do, with the reason) or `failed` (flows/define-flow.ts).
 */
import type pg from 'pg';
import { quoteIdent } from '../db/migrate.js';
import type { WebhookJob } from '../jobs.js';
import type { FlowQueue } from '../queue/names.js';

export type InboxStatus = 'queued' | 'ignored' | 'invalid' | 'processed' | 'failed';

/** How a flow ends a queued row. */
export type InboxOutcome = 'processed' | 'ignored' | 'failed';

/** One verified delivery as the intake parsed it (http/webhooks/verify.ts `WebhookDelivery`). */
export interface InboxDelivery {
  /** The exact bytes the HMAC was verified on (column `body`). */
  rawBody?: Buffer;
  webhookId: string;
  topic: string;
  shopDomain: string;
  apiVersion?: string | undefined;
  eventId?: string | undefined;
  triggeredAt?: string | undefined;
  payload: Record<string, unknown>;
}

/** Enqueues a delivery's job inside the caller's transaction (pg-boss `send` with the `db` option). */
export type EnqueueInTransaction = (client: pg.PoolClient, job: WebhookJob, route: { queue: FlowQueue; key: string }) => Promise<void>;

export interface RecordResult {
  duplicate: boolean;
}

export async function recordDelivery(
  pool: pg.Pool,
  schema: string,
  delivery: InboxDelivery,
  receivedAt: number,
  outcome: InboxRowOutcome,
  enqueue?: () => (client: pg.PoolClient) => Promise<void>,
): Promise<RecordResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const inserted = await insertRow(client, schema, delivery, receivedAt, outcome);
    const duplicate = inserted === 0;
    if (!duplicate && enqueue) await enqueue()(client);
    await client.query('COMMIT');
    return { duplicate };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The inbox row, with the exact body. The jsonb copy holds the body with the characters jsonb
 * refuses replaced (`jsonbSafe`); when it cannot be made (a nesting deeper than the copy's stack
 * allows) or PostgreSQL still refuses it, the row is stored without it rather than the delivery
 * refused: a body is never a reason to answer Shopify with an error it would retry until it deletes
 * the subscription.
 */
async function insertRow(
  client: pg.PoolClient,
  schema: string,
  delivery: InboxDelivery,
  receivedAt: number,
  outcome: InboxRowOutcome,
): Promise<number> {
  const insert = (payload: string | null) =>
    client.query(
      `INSERT INTO ${quoteIdent(schema)}.webhook_inbox (${INBOX_COLUMNS}) VALUES ${inboxRowPlaceholders(0)} ON CONFLICT (webhook_id) DO NOTHING`,
      inboxRowValues(delivery, receivedAt, outcome, payload),
    );
  await client.query('SAVEPOINT inbox_row');
  try {
    return (await insert(jsonbText(delivery.payload, delivery.rawBody))).rowCount ?? 0;
  } catch (error) {
    if (!isDataError(error)) throw error;
    await client.query('ROLLBACK TO SAVEPOINT inbox_row');
    return (await insert(null)).rowCount ?? 0;
  }
}

/** 22xxx (data exception) and 54xxx (program limit: nesting depth): about one document, not the database. */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|54)/.test(code);
}

export type InboxRowOutcome = { status: InboxStatus; reason?: string; entityGid?: string | undefined };

/** The inbox row's columns, in the order of `inboxRowValues`. */
export const INBOX_COLUMNS =
  'webhook_id, topic, shop_domain, api_version, event_id, triggered_at, entity_gid, status, reason, payload, body, received_at';
const INBOX_ARITY = 12;

/** `($n+1, …, to_timestamp($n+12 / 1000.0))`: one row's placeholders, its parameters from `offset` on. */
export function inboxRowPlaceholders(offset: number): string {
  const p = Array.from({ length: INBOX_ARITY }, (_, i) => `$${offset + i + 1}`);
  p[INBOX_ARITY - 1] = `to_timestamp(${p[INBOX_ARITY - 1]} / 1000.0)`;
  return `(${p.join(', ')})`;
}

/** One row's parameters; `payload` is the jsonb copy's text (`jsonbText`), null without one. */
export function inboxRowValues(delivery: InboxDelivery, receivedAt: number, outcome: InboxRowOutcome, payload: string | null): unknown[] {
  return [
    delivery.webhookId,
    jsonbSafe(delivery.topic),
    jsonbSafe(delivery.shopDomain),
    delivery.apiVersion === undefined ? null : jsonbSafe(delivery.apiVersion),
    delivery.eventId === undefined ? null : jsonbSafe(delivery.eventId),
    validTimestamp(delivery.triggeredAt),
    outcome.entityGid ?? null,
    outcome.status,
    outcome.reason ?? null,
    payload,
    delivery.rawBody ?? null,
    receivedAt,
  ];
}

/**
 * The jsonb copy's text; null for a document nested too deep to copy (the exact body stays). Given
 * the body the payload was parsed from, the copy skips `jsonbSafe`'s walk over every string when
 * the body has no escape that could make U+0000 or a lone surrogate (UTF-8 decoding makes neither:
 * a broken sequence becomes U+FFFD); the walk was a tenth of the intake's CPU under a burst.
 */
export function jsonbText(payload: Record<string, unknown>, body?: Buffer): string | null {
  try {
    return JSON.stringify(body && !UNSAFE_ESCAPE.test(body.toString('latin1')) ? payload : jsonbSafe(payload));
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/** `\u0000` or a `\uD800`–`\uDFFF` escape in JSON text (a false match only costs the walk). */
const UNSAFE_ESCAPE = /\\u(0000|d[89a-f])/i;

/** A surrogate without its pair; with U+0000 (NUL below), the characters jsonb and text cannot hold. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NUL = String.fromCharCode(0);

/**
 * `value` with every string (keys too) made storable in jsonb and text: U+0000 and lone surrogates
 * become U+FFFD. The exact body stays in the row's `body`.
 */
export function jsonbSafe<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll(NUL, '\uFFFD').replace(LONE_SURROGATE, '\uFFFD') as T;
  if (Array.isArray(value)) return value.map((v: unknown) => jsonbSafe(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [jsonbSafe(k), jsonbSafe(v)])) as T;
  }
  return value;
}

/** Records a delivery that could not be parsed (valid HMAC, bad JSON): kept for diagnosis, never queued. */
export async function recordInvalid(
  pool: pg.Pool,
  schema: string,
  webhookId: string,
  topic: string,
  shopDomain: string,
  reason: string,
  receivedAt: number,
  rawBody?: Buffer,
): Promise<RecordResult> {
  const inserted = await pool.query(
    `INSERT INTO ${quoteIdent(schema)}.webhook_inbox (webhook_id, topic, shop_domain, status, reason, body, received_at)
     VALUES ($1, $2, $3, 'invalid', $4, $5, to_timestamp($6 / 1000.0)) ON CONFLICT (webhook_id) DO NOTHING`,
    [jsonbSafe(webhookId), jsonbSafe(topic), jsonbSafe(shopDomain), jsonbSafe(reason), rawBody ?? null, receivedAt],
  );
  return { duplicate: inserted.rowCount === 0 };
}

/** Ends a row: what the flow made of its job (flows/define-flow.ts marks every row a flow takes). */
export async function markInbox(pool: pg.Pool, schema: string, webhookId: string, status: InboxOutcome, reason?: string): Promise<void> {
  await pool.query(`UPDATE ${quoteIdent(schema)}.webhook_inbox SET status = $2, reason = $3 WHERE webhook_id = $1`, [
    webhookId,
    status,
    reason ?? null,
  ]);
}

/**
 * Privacy: payloads (names, addresses, emails) are dropped after the retention period; the
 * row's ids and outcome stay for dedupe and audit, and rows go after `deleteAfterDays`. Ages are
 * measured at `now` (the caller's clock, ms), like `received_at` was written.
 */
export async function purgeInbox(
  pool: pg.Pool,
  schema: string,
  retentionDays: number,
  deleteAfterDays: number,
  /** The injected clock's instant (ms): retention is measured on it, never on the database's now(). */
  now: number,
): Promise<{ purged: number; deleted: number }> {
  const table = `${quoteIdent(schema)}.webhook_inbox`;
  const purged = await pool.query(
    `UPDATE ${table} SET payload = NULL, body = NULL, payload_purged_at = to_timestamp($2 / 1000.0)
     WHERE (payload IS NOT NULL OR body IS NOT NULL) AND received_at < to_timestamp($2 / 1000.0) - make_interval(days => $1)`,
    [retentionDays, now],
  );
  const deleted = await pool.query(`DELETE FROM ${table} WHERE received_at < to_timestamp($2 / 1000.0) - make_interval(days => $1)`, [
    Math.max(deleteAfterDays, retentionDays),
    now,
  ]);
  return { purged: purged.rowCount ?? 0, deleted: deleted.rowCount ?? 0 };
}

/**
 * Last delivery time per topic, and deliveries in the 24 hours before `now` (ms): a topic that
 * falls silent is a symptom (metrics, alerts).
 */
export async function lastDeliveryPerTopic(
  pool: pg.Pool,
  schema: string,
  now: number,
): Promise<{ topic: string; lastReceivedAt: Date; count24h: number }[]> {
  const result = await pool.query<{ topic: string; last: Date; count24h: number }>(
    `SELECT topic, max(received_at) AS last,
            count(*) FILTER (WHERE received_at > to_timestamp($1 / 1000.0) - interval '24 hours')::int AS count24h
     FROM ${quoteIdent(schema)}.webhook_inbox GROUP BY topic ORDER BY topic`,
    [now],
  );
  return result.rows.map((r) => ({ topic: r.topic, lastReceivedAt: r.last, count24h: r.count24h }));
}

function validTimestamp(value: string | undefined): string | null {
  if (!value) return null;
  return Number.isNaN(Date.parse(value)) ? null : value;
}
