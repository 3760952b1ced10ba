/**
 * Prometheus metrics (prom-client), fed by the shared layers rather than by each flow:
 * the queue's `onAttempt` (one call per attempt), the webhook intake's `onOutcome`, the outbox
 * relay's `onPull`, and a timing wrapper around the OdooCaller. Gauges read at scrape time live
 * in ./metrics-gauges.ts.
 *
 * Each sidecar gets its own Registry (tests run several in one process). The same attempts also
 * feed the per-minute rollup accumulator (./rollup-cells.ts, flushed by ./rollup.ts) behind the
 * dashboard's charts.
 */
import client from 'prom-client';
import type { Clock } from '../clock.js';
import type { OdooCaller } from '../odoo/types.js';
import type { AttemptEvent } from '../queue/queue.js';
import { OdooError } from '../odoo/errors.js';
import { bucketIndex, DURATION_BUCKETS } from './buckets.js';
import { cachedGaugeState, PREFIX, registerGauges, type GaugeState, type MetricsSources } from './metrics-gauges.js';
import { createRollupCells, type RollupCell, type RollupCells } from './rollup-cells.js';

export { bucketIndex, DURATION_BUCKETS, emptyBuckets, quantileFromBuckets } from './buckets.js';
export type { GaugeState, MetricsSources } from './metrics-gauges.js';
export type { RollupCell } from './rollup-cells.js';

export interface Metrics {
  readonly registry: client.Registry;
  recordAttempt(event: AttemptEvent): void;
  recordWebhook(event: { topic: string; outcome: string }): void;
  recordOutboxPull(info: { oldestCreatedAt: string | null; count: number }): void;
  recordOdooCall(event: OdooCall): void;
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
  /** End-to-end latencies, rollup minutes, ages and the gauge cache are measured on it. */
  clock: Clock;
  cacheMs?: number;
}

interface OdooCall {
  model: string;
  method: string;
  seconds: number;
  outcome: string;
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

export function createMetrics(options: MetricsOptions): Metrics {
  const { clock } = options;
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: PREFIX });
  let sources: MetricsSources | undefined;
  let outbox: { oldestCreatedAt: number | null; pulledAt: number } | undefined;
  const cells = createRollupCells();
  const jobs = jobInstruments(registry);
  const odoo = odooInstruments(registry);
  const gauges = cachedGaugeState(() => sources, clock, options.cacheMs ?? 5000);
  const outboxLagSeconds = () =>
    !outbox ? null : outbox.oldestCreatedAt === null ? 0 : Math.max(0, (clock() - outbox.oldestCreatedAt) / 1000);
  registerGauges({ registry, clock, gauges, sources: () => sources, outboxLagSeconds, outboxPulledAt: () => outbox?.pulledAt });
  return {
    registry,
    contentType: registry.contentType,
    recordAttempt: (event) => recordAttempt(jobs, cells, clock(), event),
    recordWebhook(event) {
      // A rejected request's topic header is unauthenticated: labelling by it would let anyone
      // create label values (series) at will, so rejections count under topic="unverified".
      const verified = ['queued', 'duplicate', 'ignored', 'invalid'].includes(event.outcome);
      jobs.webhooks.inc({ topic: verified ? event.topic.slice(0, 100) : 'unverified', outcome: event.outcome });
    },
    recordOutboxPull(info) {
      jobs.outboxPulled.inc(info.count);
      const oldest =
        info.oldestCreatedAt === null ? null : (sourceEventTime({ source: 'outbox', createdAt: info.oldestCreatedAt })?.at ?? null);
      outbox = { oldestCreatedAt: oldest, pulledAt: clock() };
    },
    recordOdooCall: odoo.record,
    instrumentOdoo: (caller) => timedOdoo(caller, odoo.record),
    attach(s) {
      sources = s;
    },
    gauges,
    outboxLagSeconds,
    takeRollup: () => cells.take(),
    restoreRollup: (restored) => cells.restore(restored),
    text: () => registry.metrics(),
  };
}

type JobInstruments = ReturnType<typeof jobInstruments>;

function jobInstruments(registry: client.Registry) {
  const buckets = [...DURATION_BUCKETS];
  const registers = [registry];
  return {
    completed: new client.Counter({
      name: `${PREFIX}jobs_completed_total`,
      help: 'Jobs completed, per flow queue',
      labelNames: ['queue'],
      registers,
    }),
    failed: new client.Counter({
      name: `${PREFIX}jobs_failed_total`,
      help: 'Failed attempts (retried or dead-lettered), per flow queue and error kind',
      labelNames: ['queue', 'kind'],
      registers,
    }),
    retried: new client.Counter({
      name: `${PREFIX}jobs_retried_total`,
      help: 'Failed attempts that will be retried',
      labelNames: ['queue'],
      registers,
    }),
    waiting: new client.Counter({
      name: `${PREFIX}jobs_waiting_total`,
      help: 'Attempts that found what they need not there yet (an expected wait, retried; not a failure)',
      labelNames: ['queue'],
      registers,
    }),
    deadLettered: new client.Counter({
      name: `${PREFIX}jobs_dead_lettered_total`,
      help: 'Jobs moved to the dead-letter queue',
      labelNames: ['queue', 'kind'],
      registers,
    }),
    duration: new client.Histogram({
      name: `${PREFIX}job_duration_seconds`,
      help: 'Duration of one job attempt',
      labelNames: ['queue', 'outcome'],
      buckets,
      registers,
    }),
    endToEnd: new client.Histogram({
      name: `${PREFIX}job_end_to_end_seconds`,
      help: 'From the source event (webhook triggered-at, outbox created_at) to the completed write',
      labelNames: ['queue', 'source'],
      buckets,
      registers,
    }),
    webhooks: new client.Counter({
      name: `${PREFIX}webhook_deliveries_total`,
      help: 'Webhook requests received by this process, per topic and outcome',
      labelNames: ['topic', 'outcome'],
      registers,
    }),
    outboxPulled: new client.Counter({ name: `${PREFIX}outbox_events_pulled_total`, help: 'Outbox events pulled from Odoo', registers }),
  };
}

/** One attempt into the Prometheus instruments and the rollup cell of the minute `at` falls in. */
function recordAttempt(jobs: JobInstruments, cells: RollupCells, at: number, event: AttemptEvent): void {
  const seconds = event.durationMs / 1000;
  const c = cells.cell(event.queue, at);
  jobs.duration.observe({ queue: event.queue, outcome: event.outcome }, seconds);
  c.durationBuckets[bucketIndex(seconds)]! += 1;
  if (event.outcome === 'completed') {
    jobs.completed.inc({ queue: event.queue });
    c.completed += 1;
    const source = sourceEventTime(event.data);
    if (source) {
      const latency = Math.max(0, (at - source.at) / 1000);
      jobs.endToEnd.observe({ queue: event.queue, source: source.source }, latency);
      c.latencyBuckets[bucketIndex(latency)]! += 1;
    }
    return;
  }
  if (event.outcome === 'waiting') {
    // An expected wait is not a failure: neither the failure counters nor the rollup's error rate.
    jobs.waiting.inc({ queue: event.queue });
    return;
  }
  const kind = event.errorKind ?? 'unknown';
  jobs.failed.inc({ queue: event.queue, kind });
  c.failed += 1;
  if (event.outcome === 'retry') {
    jobs.retried.inc({ queue: event.queue });
    c.retried += 1;
  } else {
    jobs.deadLettered.inc({ queue: event.queue, kind });
    c.deadLettered += 1;
  }
}

function odooInstruments(registry: client.Registry): { record: (event: OdooCall) => void } {
  const duration = new client.Histogram({
    name: `${PREFIX}odoo_call_duration_seconds`,
    help: 'Odoo RPC call latency',
    labelNames: ['method', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const errors = new client.Counter({
    name: `${PREFIX}odoo_call_errors_total`,
    help: 'Failed Odoo RPC calls, per method and error kind',
    labelNames: ['method', 'kind'],
    registers: [registry],
  });
  return {
    record(event) {
      duration.observe({ method: `${event.model}.${event.method}`, outcome: event.outcome }, event.seconds);
      if (event.outcome !== 'ok') errors.inc({ method: `${event.model}.${event.method}`, kind: event.outcome });
    },
  };
}

/** Durations are measured on the monotonic performance clock: they are spans, not instants. */
function timedOdoo(caller: OdooCaller, record: (event: OdooCall) => void): OdooCaller {
  return Object.freeze({
    async executeKw<T>(model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): Promise<T> {
      const started = performance.now();
      try {
        const result = await caller.executeKw<T>(model, method, args, kwargs);
        record({ model, method, seconds: (performance.now() - started) / 1000, outcome: 'ok' });
        return result;
      } catch (error) {
        const kind = error instanceof OdooError ? error.kind : 'retryable';
        record({ model, method, seconds: (performance.now() - started) / 1000, outcome: kind });
        throw error;
      }
    },
  });
}
