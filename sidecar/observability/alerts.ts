/**
 * Alerting: evaluated every ALERT_INTERVAL_SECONDS by one replica at a time (a transaction-level
 * advisory lock; the others skip that round). Conditions:
 *   - `dlq:<queue>`: a flow's dead-letter queue holds more than ALERT_DLQ_THRESHOLD entries;
 *   - `webhook_silence:<topic>`: a topic delivered before has been silent longer than
 *     ALERT_WEBHOOK_SILENCE_MINUTES (topics never seen do not alert: a shop may not use them);
 *   - `unreachable:<odoo|shopify>`: the side does not answer and the queues needing it are paused
 *     (the evaluating replica's circuit breaker, queue/breaker.ts).
 * State lives in `<appSchema>.alert_state` so every replica agrees on what was sent: a new alert
 * is POSTed at once, repeated at most every ALERT_REPEAT_MINUTES while it fires, and exactly one
 * resolution is sent when it clears. A failed POST leaves the state as it was, so the next round
 * tries again. The payload is Slack-compatible (`text`) and carries PagerDuty Events v2-style
 * fields (`event_action`, `dedup_key`, `payload.summary/severity/source`) for a relay to map.
 * After each round the active alerts are reported to Odoo (contract `report_health`) when a
 * reporter is given, so they show on Odoo's Shopify overview, and so is the sidecar's status
 * snapshot (contract `report_status`: backlog, dead letters, webhooks, API version).
 */
import type pg from 'pg';
import type { Clock } from '../clock.js';
import { quoteIdent } from '../db/migrate.js';
import { lastDeliveryPerTopic } from '../inbox/inbox.js';
import type { Config } from '../config/index.js';
import { isWebhookTopic, WEBHOOK_TOPIC_QUEUES } from '../jobs.js';
import { FLOW_QUEUES } from '../queue/names.js';
import type { SyncQueue } from '../queue/queue.js';
import type { Logger } from './logger.js';

/** Arbitrary constant: the advisory lock key that lets one replica evaluate alerts at a time. */
const ALERT_LOCK_KEY = 7_310_104_206;

export interface Condition {
  key: string;
  kind: 'dlq' | 'webhook_silence' | 'unworked_queue' | 'queue_age' | 'privacy_due' | 'unreachable';
  subject: string;
  value: number;
  threshold: number;
  summary: string;
}

export interface ActiveAlert {
  key: string;
  summary: string;
  value: number;
  threshold: number;
  since: string;
}

export interface HealthReport {
  alerts: ActiveAlert[];
  dlq_depth: number;
  checked_at: string;
}

export interface AlertRound {
  /** False when another replica held the lock. */
  evaluated: boolean;
  sent: { key: string; status: 'firing' | 'resolved'; repeat: boolean }[];
  active: ActiveAlert[];
}

export interface AlerterOptions {
  pool: pg.Pool;
  schema: string;
  queue: Pick<SyncQueue, 'queueStats'>;
  alerts: Config['alerts'];
  publicUrl: string;
  shop: string;
  logger: Logger;
  fetch?: typeof fetch;
  /** Silence, repeat intervals and every timestamp of alert_state are measured on it. */
  clock: Clock;
  /** Reports the active alerts to Odoo (contract report_health); failures are logged only. */
  reportHealth?: (report: HealthReport) => Promise<void>;
  /** More conditions that hold at the round's instant (ms): unworked queues, queue age, privacy due dates (coverage.ts). */
  extraConditions?: (at: number) => Promise<Condition[]>;
  /** The sides (Odoo, Shopify) this replica's circuit breakers hold down now. */
  sidesDown?: () => SideDown[];
  /** Reports the sidecar's status snapshot to Odoo's Overview (contract report_status); same. */
  reportStatus?: () => Promise<void>;
}

export interface SideDown {
  side: string;
  /** Since when (clock ms). */
  since: number;
  reason: string | null;
}

export interface Alerter {
  evaluate(): Promise<AlertRound>;
  /** Active alerts as stored (any replica's view). */
  active(): Promise<ActiveAlert[]>;
  start(): void;
  stop(): Promise<void>;
}

/** The conditions that hold now, from queue stats and webhook freshness. Pure. */
export function conditionsFrom(input: {
  queues: { queue: string; dlq: number }[];
  topics: { topic: string; lastReceivedAt: Date }[];
  now: number;
  dlqThreshold: number;
  silenceMinutes: number;
  down?: SideDown[];
}): Condition[] {
  const out: Condition[] = [];
  for (const d of input.down ?? []) {
    const minutes = Math.floor((input.now - d.since) / 60_000);
    const name = d.side === 'odoo' ? 'Odoo' : 'Shopify';
    out.push({
      key: `unreachable:${d.side}`,
      kind: 'unreachable',
      subject: d.side,
      value: minutes,
      threshold: 0,
      summary: `${name} unreachable for ${minutes} minutes: the queues needing it are paused and resume when it answers${d.reason ? ` (last error: ${d.reason.slice(0, 200)})` : ''}`,
    });
  }
  for (const q of input.queues) {
    if (!(FLOW_QUEUES as readonly string[]).includes(q.queue)) continue;
    if (q.dlq > input.dlqThreshold) {
      out.push({
        key: `dlq:${q.queue}`,
        kind: 'dlq',
        subject: q.queue,
        value: q.dlq,
        threshold: input.dlqThreshold,
        summary: `${q.queue} dead-letter queue holds ${q.dlq} jobs (threshold ${input.dlqThreshold})`,
      });
    }
  }
  for (const t of input.topics) {
    // Compliance requests come when a customer or merchant asks, not with the shop's traffic.
    if (isWebhookTopic(t.topic) && WEBHOOK_TOPIC_QUEUES[t.topic] === 'privacy') continue;
    const minutes = (input.now - t.lastReceivedAt.getTime()) / 60_000;
    if (minutes > input.silenceMinutes) {
      const whole = Math.floor(minutes);
      out.push({
        key: `webhook_silence:${t.topic}`,
        kind: 'webhook_silence',
        subject: t.topic,
        value: whole,
        threshold: input.silenceMinutes,
        summary: `webhook topic ${t.topic} silent for ${whole} minutes (threshold ${input.silenceMinutes})`,
      });
    }
  }
  return out;
}

/** Alerts that mean work is being lost or a legal deadline is near: severity error. */
const ERROR_ALERTS = ['dlq:', 'unworked_queue:', 'privacy_due:', 'unreachable:'];

/** The JSON POSTed to ALERT_WEBHOOK_URL. Pure. */
export function alertPayload(input: {
  status: 'firing' | 'resolved';
  key: string;
  summary: string;
  value: number;
  threshold: number;
  shop: string;
  dashboardUrl: string;
  repeat?: boolean;
}): Record<string, unknown> {
  const head =
    input.status === 'firing' ? (input.repeat ? ':rotating_light: Still firing' : ':rotating_light: Alert') : ':white_check_mark: Resolved';
  const summary = input.status === 'firing' ? input.summary : `${input.key} cleared (was: ${input.summary})`;
  return {
    text: `${head} [${input.shop}] ${summary} — ${input.dashboardUrl}`,
    status: input.status,
    alert: input.key,
    value: input.value,
    threshold: input.threshold,
    dashboard_url: input.dashboardUrl,
    event_action: input.status === 'firing' ? 'trigger' : 'resolve',
    dedup_key: `shopify-sync:${input.shop}:${input.key}`,
    payload: {
      summary,
      severity: ERROR_ALERTS.some((prefix) => input.key.startsWith(prefix)) ? 'error' : 'warning',
      source: input.shop,
      component: 'shopify-odoo-sidecar',
    },
  };
}

interface StateRow {
  alert_key: string;
  firing: boolean;
  value: number;
  threshold: number;
  summary: string;
  since: Date;
  last_notified_at: Date | null;
}

type Db = Pick<pg.PoolClient, 'query'>;

/** What one evaluation round works with: the options, the state table and the round's instant. */
interface RoundContext {
  options: AlerterOptions;
  table: string;
  dashboardUrl: string;
  /** The round's instant (ms), from the clock. */
  at: number;
  sent: AlertRound['sent'];
}

export function createAlerter(options: AlerterOptions): Alerter {
  const table = `${quoteIdent(options.schema)}.alert_state`;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<AlertRound> | undefined;

  function evaluate(): Promise<AlertRound> {
    running ??= round(options, table).finally(() => (running = undefined));
    return running;
  }

  return {
    evaluate,
    active: () => readActive(options.pool, table),
    start() {
      timer = setInterval(() => {
        evaluate().catch((error: unknown) => options.logger.warn('alert evaluation failed', { error }));
      }, options.alerts.intervalSeconds * 1000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}

/** One round under the advisory lock: fire, repeat and resolve, then report the active alerts to Odoo. */
async function round(options: AlerterOptions, table: string): Promise<AlertRound> {
  const client = await options.pool.connect();
  let result: { active: ActiveAlert[]; dlqDepth: number; sent: AlertRound['sent'] } | undefined;
  try {
    await client.query('BEGIN');
    const { rows: lock } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [ALERT_LOCK_KEY]);
    if (lock[0]?.locked) result = await evaluateLocked(client, options, table);
    await client.query(lock[0]?.locked ? 'COMMIT' : 'ROLLBACK');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  if (!result) return { evaluated: false, sent: [], active: [] };
  if (options.reportHealth) {
    const report = { alerts: result.active, dlq_depth: result.dlqDepth, checked_at: new Date(options.clock()).toISOString() };
    await options.reportHealth(report).catch((error: unknown) => options.logger.warn('health report to Odoo failed', { error }));
  }
  await options.reportStatus?.().catch((error: unknown) => options.logger.warn('status report to Odoo failed', { error }));
  return { evaluated: true, sent: result.sent, active: result.active };
}

async function evaluateLocked(client: Db, options: AlerterOptions, table: string) {
  const ctx: RoundContext = { options, table, dashboardUrl: `${options.publicUrl}/dashboard`, at: options.clock(), sent: [] };
  const [queues, topics] = await Promise.all([options.queue.queueStats(), lastDeliveryPerTopic(options.pool, options.schema, ctx.at)]);
  const dlqDepth = queues.filter((q) => (FLOW_QUEUES as readonly string[]).includes(q.queue)).reduce((n, q) => n + q.dlq, 0);
  const conditions = conditionsFrom({
    queues,
    topics,
    now: ctx.at,
    dlqThreshold: options.alerts.dlqThreshold,
    silenceMinutes: options.alerts.webhookSilenceMinutes,
    down: options.sidesDown?.() ?? [],
  });
  if (options.extraConditions) conditions.push(...(await options.extraConditions(ctx.at)));
  const { rows } = await client.query<StateRow>(`SELECT * FROM ${table}`);
  const state = new Map(rows.map((r) => [r.alert_key, r]));
  for (const c of conditions) {
    const row = state.get(c.key);
    if (!row || !row.firing) await fire(client, ctx, c);
    else await repeat(client, ctx, c, row);
  }
  const holding = new Set(conditions.map((c) => c.key));
  for (const row of rows) if (row.firing && !holding.has(row.alert_key)) await resolve(client, ctx, row);
  return { active: await readActive(client, table), dlqDepth, sent: ctx.sent };
}

/** A new alert: POSTed, and recorded as firing even if the POST failed (the dashboard and Odoo show it). */
async function fire(client: Db, ctx: RoundContext, c: Condition): Promise<void> {
  const ok = await post(ctx.options, alertPayload({ ...payloadBase(ctx, c), status: 'firing' }));
  ctx.options.logger.error('ALERT firing', { alert: c.key, summary: c.summary, delivered: ok });
  // Without a notification time, the next round sends it again.
  await client.query(
    `INSERT INTO ${ctx.table} (alert_key, firing, value, threshold, summary, since, last_notified_at, resolved_at, updated_at)
     VALUES ($1, true, $2, $3, $4, to_timestamp($5 / 1000.0), $6, NULL, to_timestamp($5 / 1000.0))
     ON CONFLICT (alert_key) DO UPDATE SET firing = true, value = $2, threshold = $3, summary = $4,
       since = to_timestamp($5 / 1000.0), last_notified_at = $6, resolved_at = NULL, updated_at = to_timestamp($5 / 1000.0)`,
    [c.key, c.value, c.threshold, c.summary, ctx.at, ok ? new Date(ctx.at) : null],
  );
  if (ok) ctx.sent.push({ key: c.key, status: 'firing', repeat: false });
}

/** A firing alert: sent again at most every ALERT_REPEAT_MINUTES, its value kept current. */
async function repeat(client: Db, ctx: RoundContext, c: Condition, row: StateRow): Promise<void> {
  let notified = row.last_notified_at;
  if (!notified || ctx.at - notified.getTime() >= ctx.options.alerts.repeatMinutes * 60_000) {
    const again = notified !== null;
    if (await post(ctx.options, alertPayload({ ...payloadBase(ctx, c), status: 'firing', repeat: again }))) {
      notified = new Date(ctx.at);
      ctx.sent.push({ key: c.key, status: 'firing', repeat: again });
    }
  }
  await client.query(
    `UPDATE ${ctx.table} SET value = $2, threshold = $3, summary = $4, last_notified_at = $5, updated_at = to_timestamp($6 / 1000.0)
     WHERE alert_key = $1`,
    [c.key, c.value, c.threshold, c.summary, notified, ctx.at],
  );
}

/** A cleared alert: exactly one resolution; a failed POST leaves it firing, so the next round sends it. */
async function resolve(client: Db, ctx: RoundContext, row: StateRow): Promise<void> {
  const payload = alertPayload({
    status: 'resolved',
    key: row.alert_key,
    summary: row.summary,
    value: row.value,
    threshold: row.threshold,
    shop: ctx.options.shop,
    dashboardUrl: ctx.dashboardUrl,
  });
  const ok = await post(ctx.options, payload);
  ctx.options.logger.info('ALERT resolved', { alert: row.alert_key, delivered: ok });
  if (!ok) return;
  await client.query(
    `UPDATE ${ctx.table} SET firing = false, resolved_at = to_timestamp($2 / 1000.0), updated_at = to_timestamp($2 / 1000.0)
     WHERE alert_key = $1`,
    [row.alert_key, ctx.at],
  );
  ctx.sent.push({ key: row.alert_key, status: 'resolved', repeat: false });
}

function payloadBase(ctx: RoundContext, c: Condition) {
  return { key: c.key, summary: c.summary, value: c.value, threshold: c.threshold, shop: ctx.options.shop, dashboardUrl: ctx.dashboardUrl };
}

/** POSTs to ALERT_WEBHOOK_URL; true when delivered (or when no URL is set: alerts are then only logged and shown). */
async function post(options: AlerterOptions, payload: Record<string, unknown>): Promise<boolean> {
  if (!options.alerts.webhookUrl) return true;
  try {
    const response = await (options.fetch ?? fetch)(options.alerts.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) {
      options.logger.warn('alert webhook refused the alert; retrying next round', { status: response.status, alert: payload.alert });
      return false;
    }
    return true;
  } catch (error) {
    options.logger.warn('alert webhook unreachable; retrying next round', { error, alert: payload.alert });
    return false;
  }
}

async function readActive(db: Pick<pg.Pool, 'query'>, table: string): Promise<ActiveAlert[]> {
  const { rows } = await db.query<StateRow>(`SELECT * FROM ${table} WHERE firing ORDER BY since, alert_key`);
  return rows.map((r) => ({ key: r.alert_key, summary: r.summary, value: r.value, threshold: r.threshold, since: r.since.toISOString() }));
}
