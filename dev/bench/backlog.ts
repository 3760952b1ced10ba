/**
 * The backlog measure (docs/operations.md, "Benchmark"): `jobs` jobs queued at once, drained by
 * the sidecar's queue and, in the same run, by a bare pg-boss send/work loop with the same
 * settings (./backlog-worker.ts), each in a child process of its own and a schema of its own.
 * Rows: the drain rate against the bare loop's (goal ≥ 0.7×), the drainer's peak RSS (goal
 * < 200 MB) beside the bare loop's, and CPU per job (the drainer's process only; PostgreSQL's
 * share is not counted).
 *
 * Each drain stops after `seconds` if the backlog is not empty by then, and the rate is the jobs
 * done in that window. pg-boss 12.38's key_strict_fifo fetch reads every queued job of the queue
 * to find each key's head (`DISTINCT ON (singleton_key)`), so one fetch costs time in proportion
 * to the backlog whatever it returns; the sidecar therefore claims `fetchSize` jobs per fetch on
 * its flow queues (sidecar/queue/queue.ts). A third drain, the sidecar's queue claiming only
 * `batchSize` jobs per fetch (as before that setting), gives the gain in the same run
 * (docs/operations.md, "Backlog").
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PgBoss } from 'pg-boss';
import { keys } from '../../sidecar/queue/names.js';
import { DEFAULT_FETCH_SIZE } from '../../sidecar/queue/queue.js';
import { BACKLOG_QUEUE, type DrainResult, type DrainSpec } from './backlog-worker.js';
import type { BenchRow } from './stats.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The sidecar's production queue settings (sidecar/queue/queue.ts, sidecar/config/). */
const SETTINGS = { batchSize: 5, fetchSize: DEFAULT_FETCH_SIZE, localConcurrency: 2, pollingIntervalSeconds: 2, poolSize: 5 };

/** Queues `jobs` jobs in `schema` as the sidecar's send would (envelope, entity key), in chunks. */
async function fill(databaseUrl: string, schema: string, jobs: number, runId: string): Promise<number> {
  const boss = new PgBoss({ connectionString: databaseUrl, schema, supervise: false, schedule: false, max: 2 });
  boss.on('error', () => undefined);
  await boss.start();
  const t0 = performance.now();
  try {
    for (let from = 0; from < jobs; from += 1000) {
      const chunk = Array.from({ length: Math.min(1000, jobs - from) }, (_, k) => ({
        data: { payload: { i: from + k }, correlationId: `${runId}-${from + k}` },
        singletonKey: keys.product('bench-shop.myshopify.com', `gid://shopify/Product/${from + k + 1}`),
      }));
      await boss.insert(BACKLOG_QUEUE, chunk);
    }
  } finally {
    await boss.stop({ graceful: false, timeout: 1000 });
  }
  return performance.now() - t0;
}

async function drainInChild(spec: DrainSpec, runId: string): Promise<DrainResult & { fillMs: number }> {
  const child = fork(path.join(HERE, 'backlog-worker.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let fillMs = 0;
  const result = await new Promise<DrainResult>((resolve, reject) => {
    child.on('message', (m: { ready?: true; result?: DrainResult; error?: string }) => {
      if (m.error) reject(new Error(`backlog ${spec.mode}: ${m.error}`));
      else if (m.result) resolve(m.result);
      else if (m.ready) fill(spec.databaseUrl, spec.schema, spec.jobs, runId).then((t) => ((fillMs = t), child.send({ go: true })), reject);
    });
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`backlog ${spec.mode} drainer exited with ${code}`)));
    child.send(spec);
  });
  return { ...result, fillMs };
}

export async function benchBacklog(databaseUrl: string, jobs: number, seconds: number): Promise<BenchRow[]> {
  const runId = String(Date.now());
  const deadlineMs = seconds * 1000;
  const common = { databaseUrl, jobs, deadlineMs, ...SETTINGS };
  // The bare loop first: the sidecar's drain then meets the same (warmed) PostgreSQL.
  const bare = await drainInChild({ ...common, mode: 'bare', schema: 'bench_backlog_bare' }, runId);
  const side = await drainInChild({ ...common, mode: 'sidecar', schema: 'bench_backlog_sidecar' }, runId);
  const small = await drainInChild({ ...common, fetchSize: SETTINGS.batchSize, mode: 'sidecar', schema: 'bench_backlog_small' }, runId);
  const rate = (r: DrainResult) => (r.done / r.elapsedMs) * 1000;
  const load = `${jobs.toLocaleString('en')} jobs queued at once, distinct keys`;
  const unfinished = (r: DrainResult, who: string) =>
    r.done < jobs
      ? `; ${who}: ${r.done} done in the ${seconds} s window (the whole backlog would take about ${(((jobs / Math.max(r.done, 1)) * seconds) / 3600).toFixed(1)} h)`
      : '';
  const rateRatio = rate(side) / rate(bare);
  return [
    {
      measure: 'backlog drain rate (sidecar queue, no-op handler)',
      load,
      value: `${rate(side).toFixed(0)} jobs/s`,
      baseline: `bare pg-boss work loop: ${rate(bare).toFixed(0)} jobs/s`,
      ratio: rateRatio,
      goal: '≥ 0.7×',
      met: rateRatio >= 0.7,
      n: side.done,
      note:
        `key_strict_fifo, ${SETTINGS.localConcurrency} loops claiming ${SETTINGS.fetchSize} jobs a fetch and running ${SETTINGS.batchSize} at once, poll ${SETTINGS.pollingIntervalSeconds} s, pool ${SETTINGS.poolSize}, burst when full; ` +
        `queued in ${(side.fillMs / 1000).toFixed(1)} s (pg-boss insert, 1,000 a statement)` +
        unfinished(side, 'sidecar') +
        unfinished(bare, 'bare'),
    },
    {
      measure: `backlog drain rate: fetches of ${SETTINGS.fetchSize} against fetches of ${SETTINGS.batchSize}`,
      load,
      value: `${rate(side).toFixed(0)} jobs/s`,
      baseline: `sidecar queue claiming ${SETTINGS.batchSize} a fetch: ${rate(small).toFixed(0)} jobs/s`,
      ratio: rate(side) / rate(small),
      goal: '',
      n: small.done,
      note: `the sidecar's drain above against the same queue claiming only batchSize jobs per fetch (as before fetchSize)${unfinished(small, 'fetches of ' + SETTINGS.batchSize)}`,
    },
    {
      measure: 'backlog: drainer peak RSS',
      load,
      value: `${side.peakRssMb.toFixed(0)} MB (${side.rssAtStartMb.toFixed(0)} MB before the drain)`,
      baseline: `bare pg-boss: ${bare.peakRssMb.toFixed(0)} MB`,
      ratio: side.peakRssMb / bare.peakRssMb,
      goal: '< 200 MB',
      met: side.peakRssMb < 200,
      note: 'resident set of the draining process (its own child process), sampled every 100 ms',
    },
    {
      measure: 'backlog: CPU per job',
      load,
      value: `${((side.cpuMs / Math.max(1, side.done)) * 1000).toFixed(0)} µs/job`,
      baseline: `bare pg-boss: ${((bare.cpuMs / Math.max(1, bare.done)) * 1000).toFixed(0)} µs/job`,
      ratio: side.cpuMs / Math.max(1, side.done) / (bare.cpuMs / Math.max(1, bare.done)),
      goal: '',
      note: "user + system CPU of the draining process (PostgreSQL's not counted)",
    },
  ];
}
