/**
 * The queue layer's types: settings, the `SyncQueue` interface every flow codes against, what a
 * handler receives, and the rows of stats and dead letters. Implemented by ./queue.ts (the pg-boss
 * wrapper), ./dead-letters.ts and ./stats.ts; docs/queues.md describes the behaviour.
 */
import type { Logger } from '../observability/logger.js';
import type { ErrorKind } from './errors.js';
import type { QueueName, RetrySettings, ScheduledQueue } from './names.js';

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
   * Handlers of the queue one fetch loop runs at once (default 5; on flow queues a fetch may claim
   * more, see fetchSize). Each job's completion is written when it ends, so a slow job delays
   * neither the completion nor the key successors of the jobs fetched with it; the loop fetches
   * again once all of its fetch's jobs have ended.
   */
  batchSize?: number;
  /**
   * Jobs one fetch loop of a flow (key_strict_fifo) queue claims per fetch (default 50, at least
   * batchSize); the claimed jobs wait their turn in this process, at most `batchSize ×
   * localConcurrency` handlers of the queue running at once. That fetch costs time in proportion
   * to the queue's backlog, not to the jobs it returns (docs/queues.md, "Fetch size").
   */
  fetchSize?: number;
  /**
   * Independent fetch loops per queue in this process (default 2): while one loop's batch waits
   * for its slowest job (an order Odoo takes 20 s over, a read waiting for the Shopify budget), the
   * other goes on fetching, so jobs put back from a dead replica are claimed again at once.
   */
  localConcurrency?: number;
  /** Overrides of names.ts's per-queue attempt expiry, seconds. */
  expireInSeconds?: Partial<Record<QueueName, number>>;
  /**
   * How often pg-boss's supervisor fails expired jobs, seconds (default 60). Used as its monitor
   * interval too: 12.38 runs the expiry sweep inside the monitor step, gated by that interval.
   */
  superviseIntervalSeconds?: number;
  /** How often this process hands the jobs of dead workers to the next fetch, seconds (default 2). */
  reclaimIntervalSeconds?: number;
  /** Called once per job dead-lettered for a configuration error, e.g. to turn /readyz red. */
  onConfigurationError?: (info: { queue: QueueName; jobId: string; reason: string }) => void;
  /** Called once per attempt, after its log line (metrics). Must not throw; errors are ignored. */
  onAttempt?: (event: AttemptEvent) => void;
}

/** One finished attempt, as logged ('sync attempt'): for metrics and rollups. */
export interface AttemptEvent {
  queue: QueueName;
  /** `waiting`: a WaitingError with attempts left (retried like `retry`, not a failure). */
  outcome: 'completed' | 'retry' | 'waiting' | 'dead-lettered';
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
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
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

/** Per-queue overrides of the settings' batchSize, localConcurrency and fetchSize. */
export interface WorkOptions {
  batchSize?: number;
  localConcurrency?: number;
  fetchSize?: number;
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

/** The oldest waiting job and oldest dead letter of a queue (pg-boss's `created_on`). */
export interface QueueAgeRow {
  queue: QueueName;
  oldestWaitingAt: Date | null;
  oldestDeadLetterAt: Date | null;
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
  /**
   * Many jobs inside the caller's transaction, one INSERT per queue (pg-boss `insert`): what the
   * webhook intake's group commit sends. No `startAfterSeconds`; each job as `send` would queue it.
   */
  sendManyInTransaction(client: SqlClient, jobs: readonly { queue: QueueName; data: unknown; options: SendOptions }[]): Promise<void>;
  work<T>(queue: QueueName, handler: JobHandler<T>, options?: WorkOptions): Promise<void>;
  /** Runs `queue` on a 5-field cron (UTC); one job per tick across all instances. */
  schedule<T>(queue: ScheduledQueue, cron: string, data?: T): Promise<void>;
  blockedKeys(queue: QueueName): Promise<string[]>;
  queueStats(): Promise<QueueStatsRow[]>;
  /** When each queue's oldest waiting job and oldest dead letter were created (Odoo's Overview). */
  queueAges(): Promise<QueueAgeRow[]>;
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
  inspectDeadLetter(queue: QueueName, id: string): Promise<InspectedDeadLetter | null>;
  /** Re-runs the job on its source queue (unblocking its key) and removes it from the DLQ. */
  retryDeadLetter(queue: QueueName, id: string): Promise<'retried' | 'resent'>;
  /** Drops the job: removes it from the DLQ and deletes the failed source job (unblocking its key). */
  discardDeadLetter(queue: QueueName, id: string): Promise<void>;
  /**
   * Stops fetching on `queues` while a side their jobs need is down (./breaker.ts); in-flight jobs
   * finish. A paused queue's worker registered later does not start until it is resumed.
   */
  pause(queues: readonly QueueName[]): Promise<void>;
  /** Starts the paused `queues` again and makes their waiting retries due now. */
  resume(queues: readonly QueueName[]): Promise<void>;
  paused(): QueueName[];
  /** Runs the sweep that hands the jobs of dead workers to the next fetch now (it also runs every 2 s). */
  reclaimAbandoned(): Promise<number>;
  stop(options?: { timeoutMs?: number }): Promise<StopResult>;
}

/** What a job's `data` holds in pg-boss: the payload and the correlation id of its trigger. */
export interface Envelope<T> {
  payload: T;
  correlationId: string;
}

/** A dead letter with its source job's state and stored failure (`inspectDeadLetter`). */
export type InspectedDeadLetter = DeadLetter & { sourceState: string | null; output: unknown };
