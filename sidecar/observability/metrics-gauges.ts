/**
 * The gauges and snapshot counters of /metrics that are read at scrape time: queue depth, DLQ
 * depth and blocked keys, webhook freshness (from the database, through one query set cached for
 * `cacheMs` so frequent scrapes stay cheap), outbox lag, and the Shopify budget and deprecation
 * figures (the client's in-memory snapshots, no I/O).
 */
import type pg from 'pg';
import client from 'prom-client';
import type { Clock } from '../clock.js';
import { lastDeliveryPerTopic } from '../inbox/inbox.js';
import type { QueueStatsRow, SyncQueue } from '../queue/queue.js';
import type { BudgetSnapshot } from '../shopify/budget.js';
import type { DeprecationCounts } from '../shopify/client.js';

export const PREFIX = 'shopify_sync_';

export interface MetricsSources {
  queue: Pick<SyncQueue, 'queueStats'>;
  pool: pg.Pool;
  schema: string;
  budget: () => BudgetSnapshot;
  deprecations: () => DeprecationCounts;
  /** Seconds the oldest ready job of each queue has waited (queue/age.ts). */
  queueAges?: () => Promise<{ queue: string; seconds: number }[]>;
}

export interface GaugeState {
  readAt: number;
  queues: QueueStatsRow[];
  topics: { topic: string; lastReceivedAt: Date; count24h: number }[];
  ages: { queue: string; seconds: number }[];
}

/** Database-backed gauge values, read at most every `cacheMs`; concurrent scrapes share one read. */
export function cachedGaugeState(sources: () => MetricsSources | undefined, clock: Clock, cacheMs: number): () => Promise<GaugeState> {
  let cached: GaugeState | undefined;
  let loading: Promise<GaugeState> | undefined;
  async function load(): Promise<GaugeState> {
    const s = sources();
    if (!s) return { readAt: clock(), queues: [], topics: [], ages: [] };
    const at = clock();
    const [queues, topics, ages] = await Promise.all([
      s.queue.queueStats(),
      lastDeliveryPerTopic(s.pool, s.schema, at),
      s.queueAges ? s.queueAges() : Promise.resolve([]),
    ]);
    return { readAt: clock(), queues, topics, ages };
  }
  return async function gauges(): Promise<GaugeState> {
    if (cached && clock() - cached.readAt < cacheMs) return cached;
    loading ??= load()
      .then((state) => (cached = state))
      .finally(() => (loading = undefined));
    return loading;
  };
}

export interface GaugeInputs {
  registry: client.Registry;
  clock: Clock;
  gauges: () => Promise<GaugeState>;
  sources: () => MetricsSources | undefined;
  outboxLagSeconds: () => number | null;
  /** When this process last pulled the outbox (ms), undefined before the first pull. */
  outboxPulledAt: () => number | undefined;
}

export function registerGauges(inputs: GaugeInputs): void {
  registerQueueGauges(inputs);
  registerWebhookGauges(inputs);
  registerOutboxGauges(inputs);
  registerShopifyGauges(inputs);
}

function registerQueueGauges({ registry, gauges }: GaugeInputs): void {
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
    name: `${PREFIX}queue_oldest_waiting_seconds`,
    help: 'Seconds the oldest ready job has waited for a worker, per queue (0: none waits); alert queue_age',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const a of (await gauges()).ages) this.set({ queue: a.queue }, a.seconds);
    },
  });
}

function registerWebhookGauges({ registry, gauges, clock }: GaugeInputs): void {
  new client.Gauge({
    name: `${PREFIX}webhook_last_received_age_seconds`,
    help: 'Seconds since the last delivery per topic (all replicas, from the inbox)',
    labelNames: ['topic'],
    registers: [registry],
    async collect() {
      this.reset();
      const state = await gauges();
      for (const t of state.topics) this.set({ topic: t.topic }, Math.max(0, (clock() - t.lastReceivedAt.getTime()) / 1000));
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
}

function registerOutboxGauges({ registry, clock, outboxLagSeconds, outboxPulledAt }: GaugeInputs): void {
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
      const pulledAt = outboxPulledAt();
      if (pulledAt === undefined) this.reset();
      else this.set((clock() - pulledAt) / 1000);
    },
  });
}

function registerShopifyGauges({ registry, sources }: GaugeInputs): void {
  const budgetGauge = (name: string, help: string, pick: (b: BudgetSnapshot) => number) =>
    new client.Gauge({
      name: `${PREFIX}${name}`,
      help,
      registers: [registry],
      collect() {
        const s = sources();
        if (!s) return;
        const value = pick(s.budget());
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
        const s = sources();
        if (!s) return;
        this.reset();
        this.inc(pick(s.budget()));
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
      const s = sources();
      if (!s) return;
      this.reset();
      for (const [reason, count] of Object.entries(s.deprecations().byReason)) this.inc({ reason: reason.slice(0, 200) }, count);
    },
  });
}
