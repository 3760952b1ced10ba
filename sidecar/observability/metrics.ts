/**
 * Prometheus metrics (prom-client), fed by the shared layers rather than by each flow:
 * the queue's `onAttempt` (one call per attempt), the webhook intake's `onOutcome`, the outbox
 * relay's `onPull`, and a timing wrapper around the OdooCaller. Gauges that need the database
 * (queue depth, DLQ depth, blocked keys, webhook freshness) are read at scrape time through one
 * query set cached for `cacheMs` (5 s), so frequent scrapes stay cheap; Shopify budget and
 * deprecation figures come from the client's in-memory snapshots (no I/O).
 *
 * Each sidecar gets its own Registry (tests run several in one process). The same attempts also
 * feed the per-minute rollup accumulator (./rollup.ts) behind the dashboard's charts.
 */
import type pg from 'pg';
import client from 'prom-client';
import { lastDeliveryPerTopic } from '../inbox/inbox.js';
import type { OdooCaller } from '../odoo/types.js';
import type { AttemptEvent, QueueStatsRow, SyncQueue } from '../queue/queue.js';
import type { QueueName } from '../queue/names.js';
import type { BudgetSnapshot } from '../shopify/budget.js';
import type { DeprecationCounts } from '../shopify/client.js';
import { OdooError } from '../odoo/errors.js';

/** Histogram bounds in seconds, shared by the Prometheus histograms and the rollup table. */
export const DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const;

const PREFIX = 'shopify_sync_';

export interface MetricsSources {
  queue: Pick<SyncQueue, 'queueStats'>;
  pool: pg.Pool;
  schema: string;
  budget: () => BudgetSnapshot;
  deprecations: () => DeprecationCounts;
}

export interface GaugeState {
  readAt: number;
  queues: QueueStatsRow[];
  topics: { topic: string; lastReceivedAt: Date; count24h: number }[];
}

/** One minute of one queue's attempts, as kept in memory until the rollup writer flushes it. */
export interface RollupCell {
  minute: number;
  queue: QueueName;
  completed: number;
  failed: number;
  retried: number;
  deadLettered: number;
  durationBuckets: number[];
  latencyBuckets: number[];
}

export interface Metrics {
  readonly registry: client.Registry;
  recordAttempt(event: AttemptEvent): void;
  recordWebhook(event: { topic: string; outcome: string }): void;
  recordOutboxPull(info: { oldestCreatedAt: string | null; count: number }): void;
  recordOdooCall(event: { model: string; method: string; seconds: number; outcome: string }): void;
  /** An OdooCaller that times every call (works for the JSON-RPC client and the double alike). */
  instrumentOdoo(caller: OdooCaller): OdooCaller;
  /** Late binding: the sources exist only once the composition root built them. */
  attach(sources: MetricsSources): void;
  /** Database-backed gauge values, cached `cacheMs`. */
  gauges(): Promise<GaugeState>;
  /** Outbox lag in seconds (0 when the last pull found nothing; null before the first pull). */
  outboxLagSeconds(): number | null;
  /** Takes the rollup cells accumulated so far (the writer puts them back if its write fails). */
  takeRollup(): RollupCell[];
  restoreRollup(cells: RollupCell[]): void;
  /** Prometheus text exposition. */
  text(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsOptions {
  cacheMs?: number;
  clock?: () => number;
}

/** Index of the bucket a value in seconds falls into (DURATION_BUCKETS.length = +Inf). */
export function bucketIndex(seconds: number): number {
  const i = DURATION_BUCKETS.findIndex((bound) => seconds <= bound);
  return i === -1 ? DURATION_BUCKETS.length : i;
}

export function emptyBuckets(): number[] {
  return new Array<number>(DURATION_BUCKETS.length + 1).fill(0);
}

/**
 * Quantile from bucket counts, interpolated linearly inside the bucket like PromQL's
 * histogram_quantile; a quantile in the +Inf bucket is reported as the last finite bound.
 * Null when there are no observations. Pure.
 */
export function quantileFromBuckets(buckets: readonly number[], q: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < buckets.length; i++) {
    const count = buckets[i] ?? 0;
    if (count > 0 && cumulative + count >= rank) {
      if (i >= DURATION_BUCKETS.length) return DURATION_BUCKETS[DURATION_BUCKETS.length - 1]!;
      const lower = i === 0 ? 0 : DURATION_BUCKETS[i - 1]!;
      const upper = DURATION_BUCKETS[i]!;
      return lower + (upper - lower) * ((rank - cumulative) / count);
    }
    cumulative += count;
  }
  return DURATION_BUCKETS[DURATION_BUCKETS.length - 1]!;
}

/** When the job's source event happened: webhook X-Shopify-Triggered-At or the outbox row's created_at. */
export function sourceEventTime(data: unknown): { source: 'webhook' | 'outbox'; at: number } | null {
  if (!data || typeof data !== 'object') return null;
  const job = data as { source?: unknown; triggeredAt?: unknown; createdAt?: unknown };
  const raw = job.source === 'webhook' ? job.triggeredAt : job.source === 'outbox' ? job.createdAt : undefined;
  if (typeof raw !== 'string') return null;
  // Odoo's created_at may come without a zone ("2026-11-27 12:00:00"): it is UTC.
  const text = /[zZ]|[+-]\d\d:?\d\d$/.test(raw) ? raw : `${raw.replace(' ', 'T')}Z`;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : { source: job.source as 'webhook' | 'outbox', at };
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const cacheMs = options.cacheMs ?? 5000;
  const now = options.clock ?? Date.now;
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: PREFIX });
  let sources: MetricsSources | undefined;
  let cached: GaugeState | undefined;
  let loading: Promise<GaugeState> | undefined;
  let outbox: { oldestCreatedAt: number | null; pulledAt: number } | undefined;
  const cells = new Map<string, RollupCell>();

  const buckets = [...DURATION_BUCKETS];
  const completed = new client.Counter({
    name: `${PREFIX}jobs_completed_total`,
    help: 'Jobs completed, per flow queue',
    labelNames: ['queue'],
    registers: [registry],
  });
  const failed = new client.Counter({
    name: `${PREFIX}jobs_failed_total`,
    help: 'Failed attempts (retried or dead-lettered), per flow queue and error kind',
    labelNames: ['queue', 'kind'],
    registers: [registry],
  });
  const retried = new client.Counter({
    name: `${PREFIX}jobs_retried_total`,
    help: 'Failed attempts that will be retried',
    labelNames: ['queue'],
    registers: [registry],
  });
  const deadLettered = new client.Counter({
    name: `${PREFIX}jobs_dead_lettered_total`,
    help: 'Jobs moved to the dead-letter queue',
    labelNames: ['queue', 'kind'],
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: `${PREFIX}job_duration_seconds`,
    help: 'Duration of one job attempt',
    labelNames: ['queue', 'outcome'],
    buckets,
    registers: [registry],
  });
  const endToEnd = new client.Histogram({
    name: `${PREFIX}job_end_to_end_seconds`,
    help: 'From the source event (webhook triggered-at, outbox created_at) to the completed write',
    labelNames: ['queue', 'source'],
    buckets,
    registers: [registry],
  });
  const webhooks = new client.Counter({
    name: `${PREFIX}webhook_deliveries_total`,
    help: 'Webhook requests received by this process, per topic and outcome',
    labelNames: ['topic', 'outcome'],
    registers: [registry],
  });
  const odooDuration = new client.Histogram({
    name: `${PREFIX}odoo_call_duration_seconds`,
    help: 'Odoo RPC call latency',
    labelNames: ['method', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const odooErrors = new client.Counter({
    name: `${PREFIX}odoo_call_errors_total`,
    help: 'Failed Odoo RPC calls, per method and error kind',
    labelNames: ['method', 'kind'],
    registers: [registry],
  });
  const outboxPulled = new client.Counter({
    name: `${PREFIX}outbox_events_pulled_total`,
    help: 'Outbox events pulled from Odoo',
    registers: [registry],
  });

  async function load(): Promise<GaugeState> {
    if (!sources) return { readAt: now(), queues: [], topics: [] };
    const [queues, topics] = await Promise.all([sources.queue.queueStats(), lastDeliveryPerTopic(sources.pool, sources.schema)]);
    return { readAt: now(), queues, topics };
  }

  async function gauges(): Promise<GaugeState> {
    if (cached && now() - cached.readAt < cacheMs) return cached;
    loading ??= load()
      .then((state) => (cached = state))
      .finally(() => (loading = undefined));
    return loading;
  }

  const queueGauge = (name: string, help: string, pick: (row: QueueStatsRow) => number) =>
    new client.Gauge({
      name: `${PREFIX}${name}`,
      help,
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of (await gauges()).queues) this.set({ queue: row.queue }, pick(row));
      },
    });
  queueGauge('queue_depth', 'Jobs waiting (ready + deferred), per queue', (r) => r.queued);
  queueGauge('queue_active', 'Jobs running, per queue', (r) => r.active);
  queueGauge('queue_dlq_depth', 'Jobs in the dead-letter queue, per queue', (r) => r.dlq);
  queueGauge('queue_blocked_keys', 'Entity keys blocked by a failed job, per queue', (r) => r.blockedKeys);

  new client.Gauge({
    name: `${PREFIX}webhook_last_received_age_seconds`,
    help: 'Seconds since the last delivery per topic (all replicas, from the inbox)',
    labelNames: ['topic'],
    registers: [registry],
    async collect() {
      this.reset();
      const state = await gauges();
      for (const t of state.topics) this.set({ topic: t.topic }, Math.max(0, (now() - t.lastReceivedAt.getTime()) / 1000));
    },
  });
  new client.Gauge({
    name: `${PREFIX}webhook_deliveries_24h`,
    help: 'Deliveries per topic in the last 24 hours (all replicas, from the inbox)',
    labelNames: ['topic'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const t of (await gauges()).topics) this.set({ topic: t.topic }, t.count24h);
    },
  });
  new client.Gauge({
    name: `${PREFIX}outbox_lag_seconds`,
    help: 'Age of the oldest pending Odoo outbox event at the last pull (0 when none was pending)',
    registers: [registry],
    collect() {
      const lag = outboxLagSeconds();
      if (lag === null) this.reset();
      else this.set(lag);
    },
  });
  new client.Gauge({
    name: `${PREFIX}outbox_last_pull_age_seconds`,
    help: 'Seconds since this process last pulled the Odoo outbox successfully',
    registers: [registry],
    collect() {
      if (!outbox) this.reset();
      else this.set((now() - outbox.pulledAt) / 1000);
    },
  });

  const budgetGauge = (name: string, help: string, pick: (b: BudgetSnapshot) => number) =>
    new client.Gauge({
      name: `${PREFIX}${name}`,
      help,
      registers: [registry],
      collect() {
        if (!sources) return;
        const value = pick(sources.budget());
        if (Number.isFinite(value)) this.set(value);
      },
    });
  budgetGauge('shopify_budget_available', 'Shopify API cost points available now (shared bucket)', (b) => b.available);
  budgetGauge('shopify_budget_maximum', 'Shopify API bucket size', (b) => b.maximum);
  budgetGauge('shopify_budget_restore_rate', 'Shopify API restore rate, points per second', (b) => b.restoreRate);
  // Cumulative counts kept by the budget and the client: exposed as counters set at collect time.
  const snapshotCounter = (name: string, help: string, pick: (b: BudgetSnapshot) => number) =>
    new client.Counter({
      name: `${PREFIX}${name}`,
      help,
      registers: [registry],
      collect() {
        if (!sources) return;
        this.reset();
        this.inc(pick(sources.budget()));
      },
    });
  snapshotCounter('shopify_throttle_waits_total', 'Times this process waited for the Shopify budget', (b) => b.throttleWaits);
  snapshotCounter(
    'shopify_throttle_wait_seconds_total',
    'Seconds this process waited for the Shopify budget',
    (b) => b.throttleWaitSeconds,
  );
  snapshotCounter('shopify_throttled_responses_total', 'THROTTLED answers from Shopify (should stay 0)', (b) => b.throttledResponses);
  new client.Counter({
    name: `${PREFIX}shopify_deprecation_notices_total`,
    help: 'X-Shopify-API-Deprecated-Reason headers seen, per reason',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      if (!sources) return;
      this.reset();
      for (const [reason, count] of Object.entries(sources.deprecations().byReason)) this.inc({ reason: reason.slice(0, 200) }, count);
    },
  });

  function cell(queue: QueueName, at: number): RollupCell {
    const minute = Math.floor(at / 60_000) * 60_000;
    const id = `${minute}|${queue}`;
    let c = cells.get(id);
    if (!c) {
      c = {
        minute,
        queue,
        completed: 0,
        failed: 0,
        retried: 0,
        deadLettered: 0,
        durationBuckets: emptyBuckets(),
        latencyBuckets: emptyBuckets(),
      };
      cells.set(id, c);
    }
    return c;
  }

  function outboxLagSeconds(): number | null {
    if (!outbox) return null;
    return outbox.oldestCreatedAt === null ? 0 : Math.max(0, (now() - outbox.oldestCreatedAt) / 1000);
  }

  function recordOdooCall(event: { model: string; method: string; seconds: number; outcome: string }) {
    odooDuration.observe({ method: `${event.model}.${event.method}`, outcome: event.outcome }, event.seconds);
    if (event.outcome !== 'ok') odooErrors.inc({ method: `${event.model}.${event.method}`, kind: event.outcome });
  }

  return {
    registry,
    contentType: registry.contentType,
    recordAttempt(event) {
      const at = now();
      const seconds = event.durationMs / 1000;
      const c = cell(event.queue, at);
      duration.observe({ queue: event.queue, outcome: event.outcome }, seconds);
      c.durationBuckets[bucketIndex(seconds)]! += 1;
      if (event.outcome === 'completed') {
        completed.inc({ queue: event.queue });
        c.completed += 1;
        const source = sourceEventTime(event.data);
        if (source) {
          const latency = Math.max(0, (at - source.at) / 1000);
          endToEnd.observe({ queue: event.queue, source: source.source }, latency);
          c.latencyBuckets[bucketIndex(latency)]! += 1;
        }
        return;
      }
      const kind = event.errorKind ?? 'unknown';
      failed.inc({ queue: event.queue, kind });
      c.failed += 1;
      if (event.outcome === 'retry') {
        retried.inc({ queue: event.queue });
        c.retried += 1;
      } else {
        deadLettered.inc({ queue: event.queue, kind });
        c.deadLettered += 1;
      }
    },
    recordWebhook(event) {
      // A rejected request's topic header is unauthenticated: labelling by it would let anyone
      // create label values (series) at will, so rejections count under topic="unverified".
      const verified = ['queued', 'duplicate', 'ignored', 'invalid'].includes(event.outcome);
      webhooks.inc({ topic: verified ? event.topic.slice(0, 100) : 'unverified', outcome: event.outcome });
    },
    recordOutboxPull(info) {
      outboxPulled.inc(info.count);
      const oldest =
        info.oldestCreatedAt === null ? null : (sourceEventTime({ source: 'outbox', createdAt: info.oldestCreatedAt })?.at ?? null);
      outbox = { oldestCreatedAt: oldest, pulledAt: now() };
    },
    recordOdooCall,
    instrumentOdoo(caller) {
      return Object.freeze({
        async executeKw<T>(model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): Promise<T> {
          const started = performance.now();
          try {
            const result = await caller.executeKw<T>(model, method, args, kwargs);
            recordOdooCall({ model, method, seconds: (performance.now() - started) / 1000, outcome: 'ok' });
            return result;
          } catch (error) {
            const kind = error instanceof OdooError ? error.kind : 'retryable';
            recordOdooCall({ model, method, seconds: (performance.now() - started) / 1000, outcome: kind });
            throw error;
          }
        },
      });
    },
    attach(s) {
      sources = s;
    },
    gauges,
    outboxLagSeconds,
    takeRollup() {
      const taken = [...cells.values()];
      cells.clear();
      return taken;
    },
    restoreRollup(restored) {
      for (const r of restored) {
        const c = cell(r.queue, r.minute);
        c.completed += r.completed;
        c.failed += r.failed;
        c.retried += r.retried;
        c.deadLettered += r.deadLettered;
        r.durationBuckets.forEach((n, i) => (c.durationBuckets[i]! += n));
        r.latencyBuckets.forEach((n, i) => (c.latencyBuckets[i]! += n));
      }
    },
    text: () => registry.metrics(),
  };
}
