/**
 * One drain of a queued backlog, in a child process of its own so that its RSS and CPU time are
 * the drainer's alone (dev/bench/backlog.ts). Two modes with the same pg-boss settings (policy
 * key_strict_fifo with the sidecar's queue options, fetch size, polling interval, pool size,
 * LISTEN/NOTIFY, burst when a batch is full):
 *  - `sidecar`: the sidecar's queue (sidecar/queue/queue.ts) with its attempt bookkeeping,
 *    logging (formatted, discarded) and metrics, working a no-op handler;
 *  - `bare`: pg-boss's own `work` with a handler that does nothing.
 * Protocol: the parent sends a DrainSpec; the child starts its queue and answers `ready`; the
 * parent fills the queue and sends `go`; the child drains and answers a DrainResult.
 */
import { performance } from 'node:perf_hooks';
import { PgBoss } from 'pg-boss';
import { dlqName, dlqOptions, queueOptions } from '../../sidecar/queue/names.js';
import { createQueue } from '../../sidecar/queue/queue.js';
import { createMetrics } from '../../sidecar/observability/metrics.js';
import { systemClock } from '../../sidecar/clock.js';
import { discardLogger } from './discard.js';

export interface DrainSpec {
  mode: 'sidecar' | 'bare';
  databaseUrl: string;
  schema: string;
  jobs: number;
  /** Handlers of the queue one fetch loop runs at once (the sidecar's batchSize). */
  batchSize: number;
  /** Jobs one fetch claims (the sidecar's fetchSize; the bare loop's batchSize). */
  fetchSize: number;
  /** Fetch loops per queue (the sidecar's default is 2, sidecar/queue/types.ts). */
  localConcurrency: number;
  pollingIntervalSeconds: number;
  poolSize: number;
  deadlineMs: number;
}

export interface DrainResult {
  done: number;
  elapsedMs: number;
  cpuMs: number;
  rssAtStartMb: number;
  peakRssMb: number;
}

export const BACKLOG_QUEUE = 'products' as const;
export const RETRY = { limit: 2, delaySeconds: 1, delayMaxSeconds: 2 };

interface Drainer {
  start(): Promise<void>;
  work(onJobs: (n: number) => void): Promise<void>;
  stop(): Promise<void>;
}

function sidecarDrainer(spec: DrainSpec): Drainer {
  const metrics = createMetrics({ clock: systemClock });
  const queue = createQueue({
    connectionString: spec.databaseUrl,
    schema: spec.schema,
    logger: discardLogger(),
    retry: RETRY,
    queues: [BACKLOG_QUEUE],
    poolSize: spec.poolSize,
    batchSize: spec.batchSize,
    fetchSize: spec.fetchSize,
    localConcurrency: spec.localConcurrency,
    pollingIntervalSeconds: spec.pollingIntervalSeconds,
    onAttempt: (event) => metrics.recordAttempt(event),
  });
  return {
    start: () => queue.start(),
    work: (onJobs) => queue.work(BACKLOG_QUEUE, () => Promise.resolve(onJobs(1))),
    stop: async () => void (await queue.stop({ timeoutMs: 5000 })),
  };
}

function bareDrainer(spec: DrainSpec): Drainer {
  const boss = new PgBoss({ connectionString: spec.databaseUrl, schema: spec.schema, max: spec.poolSize, useListenNotify: true });
  boss.on('error', () => undefined);
  return {
    start: async () => {
      await boss.start();
      await boss.createQueue(dlqName(BACKLOG_QUEUE), dlqOptions());
      await boss.createQueue(BACKLOG_QUEUE, queueOptions(BACKLOG_QUEUE, RETRY));
    },
    work: async (onJobs) => {
      await boss.work(
        BACKLOG_QUEUE,
        {
          // A no-op handler runs a whole fetch at once either way: the fetch size is what matters.
          batchSize: spec.fetchSize,
          localConcurrency: spec.localConcurrency,
          pollingIntervalSeconds: spec.pollingIntervalSeconds,
          notifyPollingIntervalSeconds: spec.pollingIntervalSeconds,
          burstWhenBatchFull: true,
        },
        (jobs) => Promise.resolve(onJobs(jobs.length)),
      );
    },
    stop: () => boss.stop({ graceful: false, timeout: 1000 }),
  };
}

const mb = (bytes: number) => bytes / 2 ** 20;

export async function drain(spec: DrainSpec, ready: () => Promise<void>): Promise<DrainResult> {
  const drainer = spec.mode === 'sidecar' ? sidecarDrainer(spec) : bareDrainer(spec);
  await drainer.start();
  await ready();
  const rssAtStartMb = mb(process.memoryUsage().rss);
  let peak = rssAtStartMb;
  const sampler = setInterval(() => (peak = Math.max(peak, mb(process.memoryUsage().rss))), 100);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let done = 0;
  let finish: () => void = () => {};
  const all = new Promise<void>((r) => (finish = r));
  await drainer.work((n) => {
    done += n;
    if (done >= spec.jobs) finish();
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise((r) => (timer = setTimeout(r, spec.deadlineMs)))]);
  clearTimeout(timer);
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  peak = Math.max(peak, mb(process.memoryUsage().rss));
  await drainer.stop();
  return { done, elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000, rssAtStartMb, peakRssMb: peak };
}

// As a child process: a DrainSpec in, `ready`, `go` in, a DrainResult out, then exit.
if (process.send) {
  process.once('message', (spec: DrainSpec) => {
    const ready = () =>
      new Promise<void>((resolve) => {
        process.once('message', () => resolve());
        process.send!({ ready: true });
      });
    drain(spec, ready).then(
      (result) => process.send!({ result }, () => process.exit(0)),
      (error: Error) => process.send!({ error: error.stack ?? error.message }, () => process.exit(1)),
    );
  });
}
