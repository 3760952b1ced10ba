/**
 * Alerting: evaluated every ALERT_INTERVAL_SECONDS by one replica at a time (a transaction-level
 * advisory lock; the others skip that round). Conditions:
 *   - `dlq:<queue>`: a flow's dead-letter queue holds more than ALERT_DLQ_THRESHOLD entries;
 *   - `webhook_silence:<topic>`: a topic delivered before has been silent longer than
 *     ALERT_WEBHOOK_SILENCE_MINUTES (topics never seen do not alert: a shop may not use them).
 * State lives in `<appSchema>.alert_state` so every replica agrees on what was sent: a new alert
 * is POSTed at once, repeated at most every ALERT_REPEAT_MINUTES while it fires, and exactly one
 * resolution is sent when it clears. A failed POST leaves the state as it was, so the next round
 * tries again. The payload is Slack-compatible (`text`) and carries PagerDuty Events v2-style
 * fields (`event_action`, `dedup_key`, `payload.summary/severity/source`) for a relay to map.
 * After each round the active alerts are reported to Odoo (contract `report_health`) when a
 * reporter is given, so they show on Odoo's Shopify overview.
 */
import type pg from 'pg';
import { quoteIdent } from '../db/migrate.js';
import { lastDeliveryPerTopic } from '../inbox/inbox.js';
import type { Config } from '../config/index.js';
import { FLOW_QUEUES } from '../queue/names.js';
import type { SyncQueue } from '../queue/queue.js';
import type { Logger } from './logger.js';

/** Arbitrary constant: the advisory lock key that lets one replica evaluate alerts at a time. */
const ALERT_LOCK_KEY = 7_310_104_206;

export interface Condition {
  key: string;
  kind: 'dlq' | 'webhook_silence';
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
  clock?: () => number;
  /** Reports the active alerts to Odoo (contract report_health); failures are logged only. */
  reportHealth?: (report: HealthReport) => Promise<void>;
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
}): Condition[] {
  const out: Condition[] = [];
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
      severity: input.key.startsWith('dlq:') ? 'error' : 'warning',
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

export function createAlerter(options: AlerterOptions): Alerter {
  const { pool, logger } = options;
  const table = `${quoteIdent(options.schema)}.alert_state`;
  const now = options.clock ?? Date.now;
  const doFetch = options.fetch ?? fetch;
  const dashboardUrl = `${options.publicUrl}/dashboard`;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<AlertRound> | undefined;

  async function post(payload: Record<string, unknown>): Promise<boolean> {
    if (!options.alerts.webhookUrl) return true;
    try {
      const response = await doFetch(options.alerts.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) {
        logger.warn('alert webhook refused the alert; retrying next round', { status: response.status, alert: payload.alert });
        return false;
      }
      return true;
    } catch (error) {
      logger.warn('alert webhook unreachable; retrying next round', { error, alert: payload.alert });
      return false;
    }
  }

  async function readActive(db: Pick<pg.Pool, 'query'>): Promise<ActiveAlert[]> {
    const { rows } = await db.query<StateRow>(`SELECT * FROM ${table} WHERE firing ORDER BY since, alert_key`);
    return rows.map((r) => ({
      key: r.alert_key,
      summary: r.summary,
      value: r.value,
      threshold: r.threshold,
      since: r.since.toISOString(),
    }));
  }

  async function round(): Promise<AlertRound> {
    const client = await pool.connect();
    const sent: AlertRound['sent'] = [];
    let active: ActiveAlert[] = [];
    let dlqDepth = 0;
    try {
      await client.query('BEGIN');
      const { rows: lock } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [ALERT_LOCK_KEY]);
      if (!lock[0]?.locked) {
        await client.query('ROLLBACK');
        return { evaluated: false, sent, active: [] };
      }
      const at = now();
      const [queues, topics] = await Promise.all([options.queue.queueStats(), lastDeliveryPerTopic(pool, options.schema)]);
      dlqDepth = queues.filter((q) => (FLOW_QUEUES as readonly string[]).includes(q.queue)).reduce((n, q) => n + q.dlq, 0);
      const conditions = conditionsFrom({
        queues,
        topics,
        now: at,
        dlqThreshold: options.alerts.dlqThreshold,
        silenceMinutes: options.alerts.webhookSilenceMinutes,
      });
      const { rows } = await client.query<StateRow>(`SELECT * FROM ${table}`);
      const state = new Map(rows.map((r) => [r.alert_key, r]));
      const holding = new Set(conditions.map((c) => c.key));
      const repeatMs = options.alerts.repeatMinutes * 60_000;
      for (const c of conditions) {
        const row = state.get(c.key);
        const base = { key: c.key, summary: c.summary, value: c.value, threshold: c.threshold, shop: options.shop, dashboardUrl };
        if (!row || !row.firing) {
          const ok = await post(alertPayload({ ...base, status: 'firing' }));
          logger.error('ALERT firing', { alert: c.key, summary: c.summary, delivered: ok });
          // Recorded as firing even if the POST failed (the dashboard and Odoo show it); without a
          // notification time the next round sends it again.
          await client.query(
            `INSERT INTO ${table} (alert_key, firing, value, threshold, summary, since, last_notified_at, resolved_at, updated_at)
             VALUES ($1, true, $2, $3, $4, to_timestamp($5 / 1000.0), $6, NULL, now())
             ON CONFLICT (alert_key) DO UPDATE SET firing = true, value = $2, threshold = $3, summary = $4,
               since = to_timestamp($5 / 1000.0), last_notified_at = $6, resolved_at = NULL, updated_at = now()`,
            [c.key, c.value, c.threshold, c.summary, at, ok ? new Date(at) : null],
          );
          if (ok) sent.push({ key: c.key, status: 'firing', repeat: false });
          continue;
        }
        let notified = row.last_notified_at;
        if (!notified || at - notified.getTime() >= repeatMs) {
          const repeat = notified !== null;
          if (await post(alertPayload({ ...base, status: 'firing', repeat }))) {
            notified = new Date(at);
            sent.push({ key: c.key, status: 'firing', repeat });
          }
        }
        await client.query(
          `UPDATE ${table} SET value = $2, threshold = $3, summary = $4, last_notified_at = $5, updated_at = now() WHERE alert_key = $1`,
          [c.key, c.value, c.threshold, c.summary, notified],
        );
      }
      for (const row of rows) {
        if (!row.firing || holding.has(row.alert_key)) continue;
        const ok = await post(
          alertPayload({
            status: 'resolved',
            key: row.alert_key,
            summary: row.summary,
            value: row.value,
            threshold: row.threshold,
            shop: options.shop,
            dashboardUrl,
          }),
        );
        logger.info('ALERT resolved', { alert: row.alert_key, delivered: ok });
        if (!ok) continue; // still firing in the table: the resolution is sent next round
        await client.query(`UPDATE ${table} SET firing = false, resolved_at = now(), updated_at = now() WHERE alert_key = $1`, [
          row.alert_key,
        ]);
        sent.push({ key: row.alert_key, status: 'resolved', repeat: false });
      }
      active = await readActive(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
    if (options.reportHealth) {
      await options
        .reportHealth({ alerts: active, dlq_depth: dlqDepth, checked_at: new Date(now()).toISOString() })
        .catch((error: unknown) => logger.warn('health report to Odoo failed', { error }));
    }
    return { evaluated: true, sent, active };
  }

  function evaluate(): Promise<AlertRound> {
    running ??= round().finally(() => (running = undefined));
    return running;
  }

  return {
    evaluate,
    active: () => readActive(pool),
    start() {
      timer = setInterval(() => {
        evaluate().catch((error: unknown) => logger.warn('alert evaluation failed', { error }));
      }, options.alerts.intervalSeconds * 1000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
