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
 */
import { createHash, randomUUID } from 'node:crypto';
import { PgBoss, type Db, type JobWithMetadata, type JobResult } from 'pg-boss';
import type { Logger } from '../observability/logger.js';
import { withLogContext } from '../observability/logger.js';
import { classifyError, ConfigurationError, type ErrorKind } from './errors.js';
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
  type RetrySettings,
  type ScheduledQueue,
} from './names.js';

export interface QueueSettings {
  connectionString: string;
  /** Postgres schema for pg-boss's tables (config.database.queueSchema). */
  schema: string;
  logger: Logger;
  retry: RetrySettings;
  /** Which queues to create; default all of names.ts. */
  queues?: readonly QueueName[];
  /** pg-boss pool size (default 5); one more connection is held for LISTEN. */
  poolSize?: number;
  applicationName?: string;
  /** Worker polling interval, seconds (default 2, pg-boss minimum 0.5). New jobs also wake workers by NOTIFY. */
  pollingIntervalSeconds?: number;
  /**
   * Jobs fetched per poll; jobs of one batch run concurrently (default 10). pg-boss settles a batch
   * when its last job finishes, so a slow job delays the completion (and the key successors) of
   * the jobs fetched with it: keep batches small on queues with slow handlers.
   */
  batchSize?: number;
  /** Independent fetch loops per queue in this process (default 1). */
  localConcurrency?: number;
  /** Overrides of names.ts's per-queue attempt expiry, seconds. */
  expireInSeconds?: Partial<Record<QueueName, number>>;
  /**
   * How often pg-boss's supervisor fails expired jobs, seconds (default 60). Used as its monitor
   * interval too: 12.38 runs the expiry sweep inside the monitor step, gated by that interval.
   */
  superviseIntervalSeconds?: number;
  /** Called once per job dead-lettered for a configuration error, e.g. to turn /readyz red. */
  onConfigurationError?: (info: { queue: QueueName; jobId: string; reason: string }) => void;
  /** Called once per attempt, after its log line (metrics). Must not throw; errors are ignored. */
  onAttempt?: (event: AttemptEvent) => void;
}

/** One finished attempt, as logged ('sync attempt'): for metrics and rollups. */
export interface AttemptEvent {
  queue: QueueName;
  outcome: 'completed' | 'retry' | 'dead-lettered';
  attempt: number;
  durationMs: number;
  key: string | null;
  /** The job's payload (e.g. WebhookJob.triggeredAt, OutboxJob.createdAt for end-to-end latency). */
  data: unknown;
  errorKind?: ErrorKind;
}

export interface SendOptions {
  /** Entity key from names.ts `keys`; required on entity queues (key_strict_fifo). */
  key?: string;
  /**
   * Deterministic job id: a uuid, or any string (an outbox event id, a webhook id), which is
   * hashed to a uuid. Sending the same id to the same queue again creates nothing.
   */
  id?: string;
  correlationId?: string;
  /**
   * A number that grows with send order, e.g. the outbox row id (needs `id`). pg-boss orders one
   * key's jobs by created_on, which is the transaction's start time, and breaks ties by job id; so
   * jobs sent in one transaction would run in id order. With `sequence` the id sorts by it.
   */
  sequence?: number | bigint;
  /** Delay before the job may run, seconds. */
  startAfterSeconds?: number;
}

export interface SendResult {
  id: string;
  /** False when a job with this id already existed (duplicate collapsed). */
  created: boolean;
}

/** Anything with pg's `query`: a `pg.Client` or `pg.PoolClient` inside the caller's transaction. */
export interface SqlClient {
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

export interface JobContext<T> {
  data: T;
  key: string | null;
  /** 1 for the first attempt. */
  attempt: number;
  maxAttempts: number;
  correlationId: string;
  jobId: string;
  queue: QueueName;
  /** Aborted when the job expires or the process shuts down; pass it to outbound requests. */
  signal: AbortSignal;
}

/** Per-queue overrides of the settings' batchSize and localConcurrency. */
export interface WorkOptions {
  batchSize?: number;
  localConcurrency?: number;
}

export type JobHandler<T> = (job: JobContext<T>) => Promise<void>;

/** What a failed attempt stores on the job (and the DLQ copy's `sourceOutput`). */
export interface FailureOutput {
  kind: ErrorKind;
  reason: string;
  attempt: number;
  details?: Record<string, unknown>;
}

export interface QueueStatsRow {
  queue: QueueName;
  /** Waiting jobs: ready + deferred (retry backoff, startAfter). */
  queued: number;
  ready: number;
  deferred: number;
  active: number;
  /** Failed jobs still kept; on entity queues each one blocks its key. */
  failed: number;
  blockedKeys: number;
  /** Jobs waiting in `<queue>.dlq`. */
  dlq: number;
}

export interface JobSummaryRow {
  queue: QueueName;
  completed: number;
  /** Attempts that failed and were retried, among the completed jobs. */
  retried: number;
  /** Jobs that ended failed (dead-lettered). */
  failed: number;
  /** Milliseconds from enqueue to completion; null when nothing completed. */
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface DeadLetter {
  id: string;
  queue: QueueName;
  sourceJobId: string | null;
  key: string | null;
  data: unknown;
  correlationId: string | null;
  kind: ErrorKind | null;
  reason: string | null;
  /** Attempts the source job made. */
  attempts: number | null;
  deadLetteredAt: Date;
}

export interface StopResult {
  /** In-flight jobs that finished within the timeout. */
  finished: number;
  /** In-flight jobs returned to the queue unfinished (they run again, same attempt number). */
  returned: number;
}

export interface SyncQueue {
  start(): Promise<void>;
  send<T>(queue: QueueName, data: T, options?: SendOptions): Promise<SendResult>;
  sendInTransaction<T>(client: SqlClient, queue: QueueName, data: T, options?: SendOptions): Promise<SendResult>;
  work<T>(queue: QueueName, handler: JobHandler<T>, options?: WorkOptions): Promise<void>;
  /** Runs `queue` on a 5-field cron (UTC); one job per tick across all instances. */
  schedule<T>(queue: ScheduledQueue, cron: string, data?: T): Promise<void>;
  blockedKeys(queue: QueueName): Promise<string[]>;
  queueStats(): Promise<QueueStatsRow[]>;
  /**
   * True when a job for the same key was queued after `jobId` and has not run yet. A handler whose
   * work is "read the entity's latest state and apply it" may then complete without doing it: the
   * later job (strictly after it, key_strict_fifo) reads a state at least as new. Bursts of
   * webhooks for one entity collapse into one read.
   */
  hasLaterJob(queue: QueueName, key: string, jobId: string): Promise<boolean>;
  /** Completed and dead jobs per queue since `since`, with queue-to-completion latency percentiles. */
  jobSummary(since: Date): Promise<JobSummaryRow[]>;
  listDeadLetters(queue: QueueName, options?: { limit?: number }): Promise<DeadLetter[]>;
  inspectDeadLetter(queue: QueueName, id: string): Promise<(DeadLetter & { sourceState: string | null; output: unknown }) | null>;
  /** Re-runs the job on its source queue (unblocking its key) and removes it from the DLQ. */
  retryDeadLetter(queue: QueueName, id: string): Promise<'retried' | 'resent'>;
  /** Drops the job: removes it from the DLQ and deletes the failed source job (unblocking its key). */
  discardDeadLetter(queue: QueueName, id: string): Promise<void>;
  stop(options?: { timeoutMs?: number }): Promise<StopResult>;
}

interface Envelope<T> {
  payload: T;
  correlationId: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,49}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A uuid for `id`: itself if it is one, else a name-based uuid of it (version 5 layout), so the
 * same outbox event or webhook always maps to the same job id. With `sequence`, a version 8 uuid
 * whose first 48 bits are the sequence, so ids sort in sequence order (Postgres compares uuids
 * bytewise) and the rest is the hash of `id`.
 */
export function deterministicJobId(id: string, sequence?: number | bigint): string {
  if (sequence === undefined && UUID.test(id)) return id.toLowerCase();
  const hash = createHash('sha1').update(`shopify-odoo-sync:job:${id}`).digest().subarray(0, 16);
  if (sequence === undefined) {
    hash[6] = (hash[6]! & 0x0f) | 0x50;
  } else {
    const value = BigInt(sequence);
    if (value < 0n || value >= 1n << 48n) throw new RangeError(`queue: sequence out of range (got ${value})`);
    hash.writeUIntBE(Number(value), 0, 6);
    hash[6] = (hash[6]! & 0x0f) | 0x80;
  }
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function createQueue(settings: QueueSettings): SyncQueue {
  if (!SCHEMA_NAME.test(settings.schema)) {
    throw new ConfigurationError(`queue: schema must be a lowercase SQL identifier (got "${settings.schema}")`);
  }
  const { logger, schema } = settings;
  const queues = [...(settings.queues ?? QUEUE_NAMES)];
  const polling = settings.pollingIntervalSeconds ?? 2;
  const batchSize = settings.batchSize ?? 10;
  const boss = new PgBoss({
    connectionString: settings.connectionString,
    schema,
    max: settings.poolSize ?? 5,
    application_name: settings.applicationName ?? 'shopify-odoo-sidecar',
    useListenNotify: true,
    superviseIntervalSeconds: settings.superviseIntervalSeconds ?? 60,
    monitorIntervalSeconds: settings.superviseIntervalSeconds ?? 60,
  });
  boss.on('error', (error) => logger.error('queue: pg-boss error', { error }));
  boss.on('warning', (warning) => logger.warn('queue: pg-boss warning', { warning }));

  const worked = new Set<QueueName>();
  /** Jobs whose handler is running in this process: id → attempt fence for returning them at stop. */
  const inFlight = new Map<string, { queue: QueueName; retryCount: number }>();
  let started = false;
  let stopping = false;
  let stopPromise: Promise<StopResult> | undefined;

  function assertKnown(queue: QueueName): void {
    if (!queues.includes(queue)) throw new Error(`queue: unknown queue "${queue}"`);
    if (!started) throw new Error(stopping ? 'queue: stopped' : 'queue: call start() first');
  }

  function sendOptionsFor(queue: QueueName, options: SendOptions) {
    assertKnown(queue);
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

  async function sendVia<T>(queue: QueueName, data: T, options: SendOptions, client?: SqlClient): Promise<SendResult> {
    const jobOptions = sendOptionsFor(queue, options);
    const envelope: Envelope<T> = { payload: data, correlationId: options.correlationId ?? randomUUID() };
    const db = client ? { executeSql: (text: string, values?: unknown[]) => client.query(text, values) } : undefined;
    const id = await boss.send(queue, envelope as object, { ...jobOptions, ...(db ? { db } : {}) });
    return { id: jobOptions.id, created: id !== null };
  }

  async function runJob<T>(queue: QueueName, handler: JobHandler<T>, job: JobWithMetadata<Envelope<T>>): Promise<JobResult> {
    const attempt = job.retryCount + 1;
    const maxAttempts = job.retryLimit + 1;
    const correlationId = job.data?.correlationId ?? job.id;
    inFlight.set(job.id, { queue, retryCount: job.retryCount });
    const startedAt = performance.now();
    const report = (outcome: AttemptEvent['outcome'], durationMs: number, errorKind?: ErrorKind) => {
      try {
        settings.onAttempt?.({
          queue,
          outcome,
          attempt,
          durationMs,
          key: job.singletonKey,
          data: job.data?.payload,
          ...(errorKind ? { errorKind } : {}),
        });
      } catch {
        /* metrics must never fail a job */
      }
    };
    return withLogContext({ correlationId, flow: queue, jobId: job.id }, async () => {
      const line = { queue, key: job.singletonKey, attempt, maxAttempts };
      try {
        await handler({
          data: job.data.payload,
          key: job.singletonKey,
          attempt,
          maxAttempts,
          correlationId,
          jobId: job.id,
          queue,
          signal: job.signal,
        });
        // An aborted signal means the job expired or was returned at shutdown while the handler ran:
        // pg-boss's settle is then fenced off and the job runs again, so say so in the line.
        const aborted = job.signal.aborted ? { signalAborted: true } : {};
        const durationMs = elapsed(startedAt);
        logger.info('sync attempt', { ...line, outcome: 'completed', durationMs, ...aborted });
        report('completed', durationMs);
        return { id: job.id, status: 'completed' };
      } catch (error) {
        const { kind, reason } = classifyError(error);
        const details = (error as { details?: Record<string, unknown> })?.details;
        const output: FailureOutput = { kind, reason, attempt, ...(details && Object.keys(details).length ? { details } : {}) };
        const durationMs = elapsed(startedAt);
        if (kind === 'retryable') {
          const outcome = attempt < maxAttempts ? 'retry' : 'dead-lettered';
          logger.log(outcome === 'retry' ? 'warn' : 'error', 'sync attempt', {
            ...line,
            outcome,
            errorKind: kind,
            error: reason,
            durationMs,
          });
          report(outcome, durationMs, kind);
          return { id: job.id, status: 'failed', output };
        }
        logger.error('sync attempt', { ...line, outcome: 'dead-lettered', errorKind: kind, error: reason, durationMs });
        report('dead-lettered', durationMs, kind);
        if (kind === 'configuration') {
          logger.error('CONFIGURATION ERROR: fix credentials or access, then retry the dead letters', { queue, reason });
          settings.onConfigurationError?.({ queue, jobId: job.id, reason });
        }
        return { id: job.id, status: 'deadletter', output };
      } finally {
        inFlight.delete(job.id);
      }
    });
  }

  async function ensureQueues(): Promise<void> {
    const existing = new Map((await boss.getQueues()).map((q) => [q.name, q]));
    for (const queue of queues) {
      for (const [name, options] of [
        [dlqName(queue), dlqOptions()],
        [queue, queueOptions(queue, settings.retry, settings.expireInSeconds?.[queue])],
      ] as const) {
        const current = existing.get(name);
        if (!current) {
          // createQueue is idempotent (INSERT … ON CONFLICT DO NOTHING under an advisory lock),
          // so several processes starting at once all succeed.
          await boss.createQueue(name, options);
          continue;
        }
        if (current.policy !== options.policy) {
          throw new ConfigurationError(
            `queue: ${name} exists with policy ${current.policy}, expected ${options.policy}; a policy cannot be changed in place`,
          );
        }
        const { policy: _policy, ...updatable } = options;
        const drifted = Object.entries(updatable).some(([k, v]) => (current as unknown as Record<string, unknown>)[k] !== v);
        if (drifted) await boss.updateQueue(name, updatable);
      }
    }
  }

  async function deadLetterJob(queue: QueueName, id: string) {
    const [job] = await boss.findJobs<Envelope<unknown>>(dlqName(queue), { id });
    return job ?? null;
  }

  function toDeadLetter(queue: QueueName, job: JobWithMetadata<Envelope<unknown>>): DeadLetter {
    const output = (job.sourceOutput ?? null) as Partial<FailureOutput> | null;
    return {
      id: job.id,
      queue,
      sourceJobId: job.sourceId,
      key: job.singletonKey,
      data: job.data?.payload,
      correlationId: job.data?.correlationId ?? null,
      kind: output?.kind ?? null,
      reason: output?.reason ?? null,
      attempts: job.sourceRetryCount === null ? null : job.sourceRetryCount + 1,
      deadLetteredAt: job.createdOn,
    };
  }

  /** Runs `fn` in one transaction on a connection of pg-boss's pool. */
  async function inTransaction<R>(fn: (db: Db) => Promise<R>): Promise<R> {
    const database = boss.getDb();
    if (!database.beginTransaction) throw new Error('queue: pg-boss database cannot open a transaction');
    const tx = await database.beginTransaction();
    try {
      const result = await fn(tx.db);
      await tx.commit();
      return result;
    } catch (error) {
      await tx.rollback();
      throw error;
    }
  }

  const api: SyncQueue = {
    async start() {
      if (started) return;
      await boss.start();
      try {
        await ensureQueues();
      } catch (error) {
        await boss.stop({ graceful: false }).catch(() => undefined);
        throw error;
      }
      started = true;
      logger.info('queue: started', { schema, queues: queues.length });
    },

    send: (queue, data, options = {}) => sendVia(queue, data, options),

    sendInTransaction: (client, queue, data, options = {}) => sendVia(queue, data, options, client),

    async work<T>(queue: QueueName, handler: JobHandler<T>, options: WorkOptions = {}) {
      assertKnown(queue);
      if (stopping) throw new Error('queue: stopping, no new workers');
      worked.add(queue);
      let workId: string | undefined;
      workId = await boss.work<Envelope<T>>(
        queue,
        {
          batchSize: options.batchSize ?? batchSize,
          localConcurrency: options.localConcurrency ?? settings.localConcurrency ?? 1,
          includeMetadata: true,
          perJobResults: true,
          // A full batch means more is waiting: fetch again at once instead of sleeping.
          burstWhenBatchFull: true,
          pollingIntervalSeconds: polling,
          // NOTIFY only fires for new jobs, not for a retry whose backoff ended, so keep the plain poll.
          notifyPollingIntervalSeconds: polling,
        },
        async (jobs) => {
          // includeMetadata: true makes these JobWithMetadata; the overloads do not narrow with perJobResults.
          const results = await Promise.all(jobs.map((job) => runJob(queue, handler, job as JobWithMetadata<Envelope<T>>)));
          // key_strict_fifo hands out one job per key per fetch, so a key's next job becomes
          // fetchable only once this batch settles. Without a nudge the worker would sleep a full
          // poll interval first, making back-to-back jobs of one order wait ~pollingInterval each.
          // notify() makes the loop skip that sleep once; an empty fetch then sleeps as usual.
          if (!stopping && workId) {
            for (const worker of boss.getWipData()) if (worker.workId === workId) boss.notifyWorker(worker.id);
          }
          return results;
        },
      );
    },

    async schedule(queue, cron, data) {
      assertKnown(queue);
      const envelope = { payload: data ?? {}, correlationId: `schedule:${queue}` };
      // One schedule per queue (key 'default'); the job carries the queue's fixed singleton key.
      await boss.schedule(queue, cron, envelope, { tz: 'UTC', singletonKey: keys.scheduled(queue) });
    },

    async blockedKeys(queue) {
      assertKnown(queue);
      return isFlowQueue(queue) ? boss.getBlockedKeys(queue) : [];
    },

    async hasLaterJob(queue, key, jobId) {
      const { rows } = await boss.getDb().executeSql(
        `SELECT EXISTS (
           SELECT 1 FROM "${schema}".job later, "${schema}".job self
           WHERE self.name = $1 AND self.id = $3
             AND later.name = $1 AND later.singleton_key = $2 AND later.id <> $3
             AND later.state IN ('created', 'retry')
             AND (later.created_on, later.id) > (self.created_on, self.id)
         ) AS later`,
        [queue, key, jobId],
      );
      return rows[0]?.later === true;
    },

    async jobSummary(since) {
      const { rows } = await boss.getDb().executeSql(
        `SELECT name,
           count(*) FILTER (WHERE state = 'completed')::int AS completed,
           coalesce(sum(retry_count) FILTER (WHERE state = 'completed'), 0)::int AS retried,
           count(*) FILTER (WHERE state = 'failed')::int AS failed,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_on - created_on) * 1000)
             FILTER (WHERE state = 'completed') AS p50,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM completed_on - created_on) * 1000)
             FILTER (WHERE state = 'completed') AS p95
         FROM "${schema}".job
         WHERE name = ANY($1::text[]) AND created_on >= $2
         GROUP BY name`,
        [queues, since.toISOString()],
      );
      const byName = new Map(rows.map((r) => [r.name as string, r]));
      return queues.map((queue) => {
        const r = byName.get(queue);
        const round = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v)));
        return {
          queue,
          completed: r?.completed ?? 0,
          retried: r?.retried ?? 0,
          failed: r?.failed ?? 0,
          p50Ms: round(r?.p50),
          p95Ms: round(r?.p95),
        };
      });
    },

    async queueStats() {
      // One aggregate over the live rows. pg-boss's getQueueStats serves counts cached by its
      // monitor (up to a minute old even with force), too stale for an admin API or alert.
      const names = [...queues, ...queues.map(dlqName)];
      const { rows } = await boss.getDb().executeSql(
        `SELECT name,
           count(*) FILTER (WHERE state IN ('created','retry') AND start_after <= now())::int AS ready,
           count(*) FILTER (WHERE state IN ('created','retry') AND start_after > now())::int AS deferred,
           count(*) FILTER (WHERE state = 'active')::int AS active,
           count(*) FILTER (WHERE state = 'failed')::int AS failed,
           count(DISTINCT singleton_key) FILTER (WHERE state = 'failed' AND policy = 'key_strict_fifo')::int AS blocked
         FROM "${schema}".job
         WHERE name = ANY($1::text[]) AND state IN ('created','retry','active','failed')
         GROUP BY name`,
        [names],
      );
      const byName = new Map(rows.map((r) => [r.name as string, r]));
      return queues.map((queue) => {
        const r = byName.get(queue);
        const d = byName.get(dlqName(queue));
        const ready = r?.ready ?? 0;
        const deferred = r?.deferred ?? 0;
        return {
          queue,
          queued: ready + deferred,
          ready,
          deferred,
          active: r?.active ?? 0,
          failed: r?.failed ?? 0,
          blockedKeys: r?.blocked ?? 0,
          dlq: (d?.ready ?? 0) + (d?.deferred ?? 0) + (d?.active ?? 0),
        };
      });
    },

    async listDeadLetters(queue, options = {}) {
      assertKnown(queue);
      const jobs = await boss.findJobs<Envelope<unknown>>(dlqName(queue), { queued: true, limit: options.limit ?? 100 });
      return jobs.map((job) => toDeadLetter(queue, job));
    },

    async inspectDeadLetter(queue, id) {
      assertKnown(queue);
      const job = await deadLetterJob(queue, id);
      if (!job) return null;
      const source = job.sourceId ? (await boss.findJobs(queue, { id: job.sourceId }))[0] : undefined;
      return { ...toDeadLetter(queue, job), sourceState: source?.state ?? null, output: job.sourceOutput };
    },

    async retryDeadLetter(queue, id) {
      assertKnown(queue);
      const job = await deadLetterJob(queue, id);
      if (!job) throw new Error(`queue: no dead letter ${id} in ${dlqName(queue)}`);
      return inTransaction(async (db) => {
        // Re-queue the failed source job itself: it is its key's head, so it runs before the
        // successors it was blocking. pg-boss's retry() gives it one more attempt.
        // CommandResponse is declared empty in 12.38's types; at run time it carries `affected`.
        const retried = (job.sourceId ? await boss.retry(queue, job.sourceId, { db }) : { affected: 0 }) as { affected?: number };
        let outcome: 'retried' | 'resent' = 'retried';
        if (!retried.affected) {
          // The source job is gone (deleted after deleteAfterSeconds): send the payload again.
          await boss.send(queue, job.data as object, {
            db,
            ...(job.singletonKey ? { singletonKey: job.singletonKey } : {}),
          });
          outcome = 'resent';
        }
        await boss.deleteJob(dlqName(queue), id, { db });
        logger.info('queue: dead letter retried', { queue, deadLetterId: id, sourceJobId: job.sourceId, outcome });
        return outcome;
      });
    },

    async discardDeadLetter(queue, id) {
      assertKnown(queue);
      const job = await deadLetterJob(queue, id);
      if (!job) throw new Error(`queue: no dead letter ${id} in ${dlqName(queue)}`);
      await inTransaction(async (db) => {
        if (job.sourceId) {
          const [source] = await boss.findJobs(queue, { id: job.sourceId, db });
          if (source?.state === 'failed') await boss.deleteJob(queue, job.sourceId, { db });
        }
        await boss.deleteJob(dlqName(queue), id, { db });
      });
      logger.warn('queue: dead letter discarded', { queue, deadLetterId: id, sourceJobId: job.sourceId, key: job.singletonKey });
    },

    stop(options = {}) {
      if (!started && !stopPromise) return Promise.resolve({ finished: 0, returned: 0 });
      // A second SIGTERM (or stop() from two places) waits for the same shutdown.
      stopPromise ??= shutdown(options.timeoutMs ?? 25_000);
      return stopPromise;
    },
  };
  return api;

  async function shutdown(timeoutMs: number): Promise<StopResult> {
    stopping = true;
    const before = inFlight.size;
    // Stop fetching on every queue; each offWork resolves once its worker's current batch is done.
    const drained = Promise.all([...worked].map((queue) => boss.offWork(queue, { wait: true })));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    await Promise.race([drained, timedOut]);
    clearTimeout(timer);
    const unfinished = [...inFlight.entries()];
    let returned = 0;
    for (const [id, { queue, retryCount }] of unfinished) {
      // pg-boss's restore(), fenced to this attempt: back to `created` with started_on cleared,
      // so the next claim does not count a new attempt. pg-boss's own shutdown fail that follows
      // is fenced to state = 'active' and leaves the job alone.
      const { rows } = await boss.getDb().executeSql(
        `UPDATE "${schema}".job
            SET state = 'created', started_on = NULL, heartbeat_on = NULL, upsert_by_key = NULL
          WHERE name = $1 AND id = $2::uuid AND state = 'active' AND retry_count = $3
          RETURNING id`,
        [queue, id, retryCount],
      );
      returned += rows.length;
    }
    await boss.stop({ graceful: false, timeout: 1000 });
    started = false;
    const result = { finished: Math.max(0, before - unfinished.length), returned };
    logger.info('queue: stopped', result);
    return result;
  }
}

function elapsed(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 10) / 10;
}
