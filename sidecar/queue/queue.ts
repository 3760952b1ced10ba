/**
 * The sidecar's job queue: pg-boss 12.38 in its own Postgres schema, one queue per flow with a
 * dead-letter queue each (see ./names.ts), typed errors deciding retry or dead-letter (./errors.ts).
 *
 * Behaviour worth knowing (checked against pg-boss 12.38.0 on PostgreSQL, tests in queue.test.ts):
 * - Permanent and configuration errors are settled with pg-boss's `perJobResults` status
 *   `deadletter`, which fails the job terminally and copies it to the queue's DLQ in the same
 *   statement, skipping the remaining retries. The reason is the failed job's `output`, which the
 *   DLQ copy carries as `sourceOutput`.
 * - Retryable errors are settled `failed`; pg-boss re-queues the job with
 *   `min(retryDelayMax, retryDelay * (2^n/2 + 2^n/2 * random))` seconds of backoff and, after the
 *   retry limit, fails it and copies it to the DLQ.
 * - On key_strict_fifo queues a failed job keeps blocking its key (the DLQ holds a copy, not the
 *   job). `retryDeadLetter` re-queues the source job itself, so it runs before its key's successors.
 * - `stop()`: pg-boss's own stop fails whatever is still running when its timeout ends, which
 *   spends one attempt and dead-letters a job on its last attempt. So this module stops fetching,
 *   waits for in-flight jobs itself and returns the unfinished ones to `created` without spending
 *   an attempt (the same update as pg-boss's internal `restore`, fenced to the attempt), before
 *   stopping pg-boss. A process that dies instead leaves its jobs `active` until `expireInSeconds`,
 *   when any instance's supervisor retries them.
 *
 * Per job, this module adds no query beyond pg-boss's fetch and settle.
 *
 * Split: this file wraps pg-boss (start, send, work, schedule, stop); ./attempt.ts runs one
 * attempt; ./dead-letters.ts and ./stats.ts read and act on pg-boss's rows; ./sql.ts holds the SQL
 * they run; ./types.ts the shared types; ./job-id.ts deterministic job ids.
 */
import { randomUUID } from 'node:crypto';
import { PgBoss, type JobInsert, type JobResult, type JobWithMetadata } from 'pg-boss';
import { runAttempt, type AttemptContext } from './attempt.js';
import { ResilientBossDb } from './boss-db.js';
import { discardDeadLetter, inspectDeadLetter, listDeadLetters, retryDeadLetter } from './dead-letters.js';
import { ConfigurationError } from './errors.js';
import { deterministicJobId } from './job-id.js';
import {
  dlqName,
  dlqOptions,
  isFlowQueue,
  keyKind,
  KEY_KIND,
  QUEUE_NAMES,
  queueOptions,
  keys,
  type QueueName,
  type ScheduledQueue,
} from './names.js';
import { createSlots, type Slots } from './slots.js';
import { laterJobExists, reclaimAbandoned, retriesDueNow, returnToQueue } from './sql.js';
import { readJobSummary, readQueueAges, readQueueStats, rowsOf } from './stats.js';
import type {
  Envelope,
  JobHandler,
  QueueSettings,
  SendOptions,
  SendResult,
  SqlClient,
  StopResult,
  SyncQueue,
  WorkOptions,
} from './types.js';

export * from './types.js';
export { deterministicJobId } from './job-id.js';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,49}$/;

/** One queue instance's state, shared by the functions below. */
interface QueueState extends AttemptContext {
  boss: PgBoss;
  settings: QueueSettings;
  schema: string;
  queues: QueueName[];
  /** Queues this process works (stopped at shutdown). */
  worked: Set<QueueName>;
  started: boolean;
  stopping: boolean;
  stopPromise: Promise<StopResult> | undefined;
  /** How to start each worked queue's worker again after a pause. */
  starters: Map<QueueName, () => Promise<void>>;
  /** Queues whose workers are stopped while a side they need is down (./breaker.ts). */
  paused: Set<QueueName>;
  /** Pauses and resumes, one after the other. */
  transitions: Promise<void>;
  reclaimTimer: NodeJS.Timeout | undefined;
}

export function createQueue(settings: QueueSettings): SyncQueue {
  if (!SCHEMA_NAME.test(settings.schema)) {
    throw new ConfigurationError(`queue: schema must be a lowercase SQL identifier (got "${settings.schema}")`);
  }
  const s: QueueState = {
    boss: createBoss(settings),
    settings,
    logger: settings.logger,
    schema: settings.schema,
    queues: [...(settings.queues ?? QUEUE_NAMES)],
    worked: new Set(),
    inFlight: new Map(),
    started: false,
    stopping: false,
    stopPromise: undefined,
    starters: new Map(),
    paused: new Set(),
    transitions: Promise.resolve(),
    reclaimTimer: undefined,
  };
  const known = (queue: QueueName) => {
    assertKnown(s, queue);
    return queue;
  };
  return {
    start: () => start(s),
    send: (queue, data, options = {}) => sendVia(s, queue, data, options),
    sendInTransaction: (client, queue, data, options = {}) => sendVia(s, queue, data, options, client),
    sendManyInTransaction: (client, jobs) => sendManyVia(s, jobs, client),
    work: (queue, handler, options = {}) => work(s, queue, handler, options),
    schedule: (queue, cron, data) => schedule(s, queue, cron, data),
    blockedKeys: async (queue) => (isFlowQueue(known(queue)) ? s.boss.getBlockedKeys(queue) : []),
    hasLaterJob: (queue, key, jobId) => hasLaterJob(s, queue, key, jobId),
    jobSummary: (since) => readJobSummary(s.boss.getDb(), s.schema, s.queues, since),
    queueStats: () => readQueueStats(s.boss.getDb(), s.schema, s.queues),
    queueAges: () => readQueueAges(s.boss.getDb(), s.schema, s.queues),
    listDeadLetters: async (queue, options = {}) => listDeadLetters(s.boss, known(queue), options.limit),
    inspectDeadLetter: async (queue, id) => inspectDeadLetter(s.boss, known(queue), id),
    retryDeadLetter: async (queue, id) => retryDeadLetter(s.boss, s.logger, known(queue), id),
    discardDeadLetter: async (queue, id) => discardDeadLetter(s.boss, s.logger, known(queue), id),
    pause: (queues) => transition(s, () => pause(s, queues)),
    resume: (queues) => transition(s, () => resume(s, queues)),
    paused: () => [...s.paused],
    reclaimAbandoned: () => reclaim(s),
    stop: (options = {}) => stop(s, options.timeoutMs ?? 25_000),
  };
}

function createBoss(settings: QueueSettings): PgBoss {
  const boss = new PgBoss({
    // pg-boss's own pool and statements, with a LISTEN client whose errors are always heard (./boss-db.ts).
    db: new ResilientBossDb({
      connectionString: settings.connectionString,
      max: settings.poolSize ?? 5,
      application_name: settings.applicationName ?? 'shopify-odoo-sidecar',
    }),
    schema: settings.schema,
    useListenNotify: true,
    superviseIntervalSeconds: settings.superviseIntervalSeconds ?? 60,
    monitorIntervalSeconds: settings.superviseIntervalSeconds ?? 60,
  });
  // pg-boss re-emits its pool's and LISTEN client's errors (e.g. 57P01 when PostgreSQL restarts)
  // here; logged, they never crash the process, and the pool and the listener reconnect.
  boss.on('error', (error) => settings.logger.error('queue: pg-boss error', { error }));
  boss.on('warning', (warning) => settings.logger.warn('queue: pg-boss warning', { warning }));
  return boss;
}

async function start(s: QueueState): Promise<void> {
  if (s.started) return;
  await s.boss.start();
  try {
    await ensureQueues(s);
  } catch (error) {
    await s.boss.stop({ graceful: false }).catch(() => undefined);
    throw error;
  }
  s.started = true;
  const every = (s.settings.reclaimIntervalSeconds ?? 2) * 1000;
  s.reclaimTimer = setInterval(() => {
    reclaim(s).catch((error: unknown) => s.logger.warn('queue: reclaiming abandoned jobs failed', { error }));
  }, every);
  s.reclaimTimer.unref();
  s.logger.info('queue: started', { schema: s.schema, queues: s.queues.length });
}

/** Hands the jobs of a dead or stalled worker to the next fetch (./sql.ts `reclaimAbandoned`). */
async function reclaim(s: QueueState): Promise<number> {
  if (!s.started || s.stopping) return 0;
  const rows = await rowsOf<{ id: string; name: string }>(s.boss.getDb(), reclaimAbandoned(s.schema, s.queues));
  if (rows.length > 0) {
    s.logger.warn('queue: jobs of a worker that stopped are run again', {
      jobs: rows.length,
      queues: [...new Set(rows.map((r) => r.name))],
    });
  }
  return rows.length;
}

function transition(s: QueueState, step: () => Promise<void>): Promise<void> {
  const next = s.transitions.then(step);
  s.transitions = next.catch(() => undefined);
  return next;
}

/** Stops fetching on `queues` (in-flight jobs finish); a queue worked later stays stopped until resumed. */
async function pause(s: QueueState, queues: readonly QueueName[]): Promise<void> {
  const fresh = queues.filter((q) => !s.paused.has(q));
  for (const queue of fresh) {
    s.paused.add(queue);
    if (s.starters.has(queue)) await s.boss.offWork(queue, { wait: false });
  }
  if (fresh.length) s.logger.warn('queue: paused', { queues: fresh });
}

/** Starts `queues`' workers again and makes their waiting retries due now. */
async function resume(s: QueueState, queues: readonly QueueName[]): Promise<void> {
  const resumed = queues.filter((q) => s.paused.delete(q));
  if (!resumed.length || s.stopping) return;
  for (const queue of resumed) await s.starters.get(queue)?.();
  const due = await rowsOf(s.boss.getDb(), retriesDueNow(s.schema, resumed));
  s.logger.info('queue: resumed', { queues: resumed, retriesDueNow: due.length });
}

/** Creates missing queues and DLQs and applies changed retry settings; a policy change is refused. */
async function ensureQueues(s: QueueState): Promise<void> {
  const existing = new Map((await s.boss.getQueues()).map((q) => [q.name, q]));
  for (const queue of s.queues) {
    const wanted = [
      [dlqName(queue), dlqOptions()],
      [queue, queueOptions(queue, s.settings.retry, s.settings.expireInSeconds?.[queue])],
    ] as const;
    for (const [name, options] of wanted) {
      const current = existing.get(name);
      if (!current) {
        // createQueue is idempotent (INSERT … ON CONFLICT DO NOTHING under an advisory lock),
        // so several processes starting at once all succeed.
        await s.boss.createQueue(name, options);
        continue;
      }
      if (current.policy !== options.policy) {
        throw new ConfigurationError(
          `queue: ${name} exists with policy ${current.policy}, expected ${options.policy}; a policy cannot be changed in place`,
        );
      }
      const { policy: _policy, ...updatable } = options;
      const have = new Map<string, unknown>(Object.entries(current));
      const drifted = Object.entries(updatable).some(([k, v]) => have.get(k) !== v);
      if (drifted) await s.boss.updateQueue(name, updatable);
    }
  }
}

function assertKnown(s: QueueState, queue: QueueName): void {
  if (!s.queues.includes(queue)) throw new Error(`queue: unknown queue "${queue}"`);
  if (!s.started) throw new Error(s.stopping ? 'queue: stopped' : 'queue: call start() first');
}

function sendOptionsFor(s: QueueState, queue: QueueName, options: SendOptions) {
  assertKnown(s, queue);
  if (isFlowQueue(queue)) {
    if (!options.key) throw new Error(`queue: ${queue} jobs need an entity key`);
    if (keyKind(options.key) !== KEY_KIND[queue]) {
      throw new Error(`queue: ${queue} takes ${KEY_KIND[queue]}:… keys (got "${options.key}")`);
    }
  }
  if (options.sequence !== undefined && options.id === undefined) {
    throw new Error('queue: a send with a sequence needs a deterministic id');
  }
  return {
    id: options.id === undefined ? randomUUID() : deterministicJobId(options.id, options.sequence),
    ...(options.key === undefined ? {} : { singletonKey: options.key }),
    ...(options.startAfterSeconds === undefined ? {} : { startAfter: options.startAfterSeconds }),
  };
}

async function sendVia<T>(s: QueueState, queue: QueueName, data: T, options: SendOptions, client?: SqlClient): Promise<SendResult> {
  const jobOptions = sendOptionsFor(s, queue, options);
  const envelope: Envelope<T> = { payload: data, correlationId: options.correlationId ?? randomUUID() };
  const db = client ? { executeSql: (text: string, values?: unknown[]) => client.query(text, values) } : undefined;
  const id = await s.boss.send(queue, envelope as object, { ...jobOptions, ...(db ? { db } : {}) });
  return { id: jobOptions.id, created: id !== null };
}

/** `send`'s jobs, one INSERT per queue in the caller's transaction (the same rows `send` writes). */
async function sendManyVia(
  s: QueueState,
  jobs: readonly { queue: QueueName; data: unknown; options: SendOptions }[],
  client: SqlClient,
): Promise<void> {
  const db = { executeSql: (text: string, values?: unknown[]) => client.query(text, values) };
  const byQueue = new Map<QueueName, JobInsert[]>();
  for (const { queue, data, options } of jobs) {
    if (options.startAfterSeconds !== undefined) throw new Error('queue: sendManyInTransaction takes no startAfterSeconds');
    const { id, singletonKey } = sendOptionsFor(s, queue, options) as { id: string; singletonKey?: string };
    const envelope: Envelope<unknown> = { payload: data, correlationId: options.correlationId ?? randomUUID() };
    const rows = byQueue.get(queue) ?? [];
    rows.push({ id, data: envelope, ...(singletonKey === undefined ? {} : { singletonKey }) });
    byQueue.set(queue, rows);
  }
  for (const [queue, rows] of byQueue) await s.boss.insert(queue, rows, { db });
}

async function work<T>(s: QueueState, queue: QueueName, handler: JobHandler<T>, options: WorkOptions): Promise<void> {
  assertKnown(s, queue);
  if (s.stopping) throw new Error('queue: stopping, no new workers');
  s.worked.add(queue);
  const start = () => startWorker(s, queue, handler, options);
  s.starters.set(queue, start);
  if (!s.paused.has(queue)) await start();
}

/**
 * Jobs a fetch loop of a key_strict_fifo queue claims at once. pg-boss's fetch there costs time in
 * proportion to the queue's queued keys, not to the jobs it returns (docs/queues.md, "Fetch size"),
 * so a deep backlog drains `fetchSize` jobs per fetch instead of `batchSize`.
 */
export const DEFAULT_FETCH_SIZE = 50;

async function startWorker<T>(s: QueueState, queue: QueueName, handler: JobHandler<T>, options: WorkOptions): Promise<void> {
  const polling = s.settings.pollingIntervalSeconds ?? 2;
  const batchSize = options.batchSize ?? s.settings.batchSize ?? 5;
  const loops = options.localConcurrency ?? s.settings.localConcurrency ?? 2;
  const fetchSize = isFlowQueue(queue) ? Math.max(batchSize, options.fetchSize ?? s.settings.fetchSize ?? DEFAULT_FETCH_SIZE) : batchSize;
  // The handlers running at once stay batchSize per loop, whatever a fetch claims.
  const slots = createSlots(batchSize * loops);
  await s.boss.work<Envelope<T>>(
    queue,
    {
      batchSize: fetchSize,
      localConcurrency: loops,
      includeMetadata: true,
      perJobResults: true,
      // A full batch means more is waiting: fetch again at once instead of sleeping.
      burstWhenBatchFull: true,
      pollingIntervalSeconds: polling,
      // NOTIFY only fires for new jobs, not for a retry whose backoff ended, so keep the plain poll.
      notifyPollingIntervalSeconds: polling,
    },
    async (batch) => {
      // includeMetadata: true makes these JobWithMetadata; the overloads do not narrow with perJobResults.
      const jobs = batch as JobWithMetadata<Envelope<T>>[];
      // A fetch already under way when the queue paused can still claim jobs: they go back unrun.
      if (s.paused.has(queue)) return giveBack(s, queue, jobs);
      // Claimed jobs count as in flight from here, so a shutdown returns those still waiting too.
      for (const job of jobs) s.inFlight.set(job.id, { queue, retryCount: job.retryCount });
      const fetchedAt = performance.now();
      const results = await Promise.all(jobs.map((job) => runInSlot(s, queue, handler, job, slots, fetchedAt)));
      // key_strict_fifo hands out one job per key per fetch, so a key's next job becomes
      // fetchable only once its job settles. Without a nudge the worker would sleep a full
      // poll interval first, making back-to-back jobs of one order wait ~pollingInterval each.
      // notify() makes the loop skip that sleep once; an empty fetch then sleeps as usual.
      if (!s.stopping) nudge(s, queue);
      return results;
    },
  );
}

/**
 * Runs one claimed job once a slot is free. A job that waited for its slot longer than a quarter of
 * its expiry, or whose queue paused or process began stopping meanwhile, or whose claim was lost,
 * goes back to the queue unrun (no attempt spent): pg-boss fails a batch still running at the
 * expiry, so a job must not start late in it.
 */
async function runInSlot<T>(
  s: QueueState,
  queue: QueueName,
  handler: JobHandler<T>,
  job: JobWithMetadata<Envelope<T>>,
  slots: Slots,
  fetchedAt: number,
): Promise<JobResult> {
  const release = await slots.acquire();
  try {
    const waitedMs = performance.now() - fetchedAt;
    const late = waitedMs > (job.expireInSeconds * 1000) / 4;
    if (late || s.stopping || s.paused.has(queue) || job.signal.aborted) {
      s.inFlight.delete(job.id);
      // Late: handlers this slow fill the expiry before a fetch's jobs get their turn (docs/queues.md, "Fetch size").
      if (late)
        s.logger.info('queue: a claimed job waited too long for a slot and goes back unrun', {
          queue,
          jobId: job.id,
          waitedMs: Math.round(waitedMs),
        });
      const [result] = await giveBack(s, queue, [job]);
      return result!;
    }
    const result = await runAttempt(s, queue, handler, job);
    if (result.status === 'completed') await completeNow(s, queue, job);
    return result;
  } finally {
    release();
  }
}

/**
 * Writes a finished job's completion at once instead of with its batch (pg-boss settles a batch
 * when its last job ends): a key's next job need not wait for the batch's slowest job, and a
 * replica killed mid-batch leaves its finished jobs finished instead of run again. Fenced on the
 * attempt, so a job whose claim lapsed meanwhile is left to whoever holds it now. If the write
 * fails, pg-boss's own settle of the batch writes it (the `completed` result still stands).
 */
async function completeNow(s: QueueState, queue: QueueName, job: { id: string; retryCount: number }): Promise<void> {
  try {
    await s.boss.complete(queue, { id: job.id, retryCount: job.retryCount });
    if (!s.stopping) nudge(s, queue);
  } catch (error) {
    s.logger.warn('queue: completion left to the batch', { queue, jobId: job.id, error: (error as Error).message });
  }
}

/** Wakes every fetch loop of the queue: an idle one fetches now, a busy one once its batch ends. */
function nudge(s: QueueState, queue: QueueName): void {
  for (const wip of s.boss.getWipData()) if (wip.name === queue) s.boss.notifyWorker(wip.id);
}

/**
 * Returns jobs claimed while their queue is paused to `created` without spending an attempt (the
 * shutdown's update); the `failed` results pg-boss then settles are fenced off by the state.
 */
async function giveBack<T>(s: QueueState, queue: QueueName, jobs: JobWithMetadata<Envelope<T>>[]): Promise<JobResult[]> {
  for (const job of jobs) await rowsOf(s.boss.getDb(), returnToQueue(s.schema, queue, job.id, job.retryCount));
  return jobs.map((job) => ({ id: job.id, status: 'failed' as const }));
}

async function schedule<T>(s: QueueState, queue: ScheduledQueue, cron: string, data?: T): Promise<void> {
  assertKnown(s, queue);
  const envelope = { payload: data ?? {}, correlationId: `schedule:${queue}` };
  // One schedule per queue (key 'default'); the job carries the queue's fixed singleton key.
  await s.boss.schedule(queue, cron, envelope, { tz: 'UTC', singletonKey: keys.scheduled(queue) });
}

async function hasLaterJob(s: QueueState, queue: QueueName, key: string, jobId: string): Promise<boolean> {
  const [row] = await rowsOf<{ later: boolean }>(s.boss.getDb(), laterJobExists(s.schema, queue, key, jobId));
  return row?.later === true;
}

function stop(s: QueueState, timeoutMs: number): Promise<StopResult> {
  if (!s.started && !s.stopPromise) return Promise.resolve({ finished: 0, returned: 0 });
  // A second SIGTERM (or stop() from two places) waits for the same shutdown.
  s.stopPromise ??= shutdown(s, timeoutMs);
  return s.stopPromise;
}

/**
 * Stops fetching, waits up to `timeoutMs` for in-flight handlers, returns the unfinished ones to
 * the queue without spending an attempt, then stops pg-boss (whose own stop would fail them).
 */
async function shutdown(s: QueueState, timeoutMs: number): Promise<StopResult> {
  s.stopping = true;
  clearInterval(s.reclaimTimer);
  await s.transitions;
  const before = s.inFlight.size;
  // Stop fetching on every queue; each offWork resolves once its worker's current batch is done.
  const drained = Promise.all([...s.worked].map((queue) => s.boss.offWork(queue, { wait: true })));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  await Promise.race([drained, timedOut]);
  clearTimeout(timer);
  const unfinished = [...s.inFlight.entries()];
  let returned = 0;
  for (const [id, { queue, retryCount }] of unfinished) {
    returned += (await rowsOf(s.boss.getDb(), returnToQueue(s.schema, queue, id, retryCount))).length;
  }
  await s.boss.stop({ graceful: false, timeout: 1000 });
  s.started = false;
  const result = { finished: Math.max(0, before - unfinished.length), returned };
  s.logger.info('queue: stopped', result);
  return result;
}
