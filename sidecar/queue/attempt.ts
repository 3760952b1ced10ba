/**
 * One attempt of one job: run the handler inside the job's log context, log the 'sync attempt'
 * line, report it to metrics, and turn the outcome into pg-boss's per-job result. Permanent and
 * configuration errors settle as `deadletter` (DLQ now, remaining retries skipped); anything else
 * settles as `failed`, which pg-boss retries with backoff until the limit (docs/queues.md).
 */
import type { JobResult, JobWithMetadata } from 'pg-boss';
import type { Logger } from '../observability/logger.js';
import { withLogContext } from '../observability/logger.js';
import { classifyError, type ErrorKind } from './errors.js';
import type { QueueName } from './names.js';
import type { AttemptEvent, Envelope, FailureOutput, JobHandler, QueueSettings } from './types.js';

export interface AttemptContext {
  logger: Logger;
  settings: Pick<QueueSettings, 'onAttempt' | 'onConfigurationError'>;
  /** Jobs claimed by this process and not yet settled (running or waiting for a slot): id → attempt fence for returning them at stop. */
  inFlight: Map<string, { queue: QueueName; retryCount: number }>;
}

type Job<T> = JobWithMetadata<Envelope<T>>;

export async function runAttempt<T>(ctx: AttemptContext, queue: QueueName, handler: JobHandler<T>, job: Job<T>): Promise<JobResult> {
  const attempt = job.retryCount + 1;
  const maxAttempts = job.retryLimit + 1;
  const correlationId = job.data?.correlationId ?? job.id;
  ctx.inFlight.set(job.id, { queue, retryCount: job.retryCount });
  const startedAt = performance.now();
  return withLogContext({ correlationId, flow: queue, jobId: job.id }, async () => {
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
      return completed(ctx, queue, job, elapsed(startedAt));
    } catch (error) {
      return failed(ctx, queue, job, error, elapsed(startedAt));
    } finally {
      ctx.inFlight.delete(job.id);
    }
  });
}

function completed<T>(ctx: AttemptContext, queue: QueueName, job: Job<T>, durationMs: number): JobResult {
  // An aborted signal means the job expired or was returned at shutdown while the handler ran:
  // pg-boss's settle is then fenced off and the job runs again, so say so in the line.
  const aborted = job.signal.aborted ? { signalAborted: true } : {};
  ctx.logger.info('sync attempt', { ...attemptLine(queue, job), outcome: 'completed', durationMs, ...aborted });
  report(ctx, queue, job, 'completed', durationMs);
  return { id: job.id, status: 'completed' };
}

function failed<T>(ctx: AttemptContext, queue: QueueName, job: Job<T>, error: unknown, durationMs: number): JobResult {
  const { kind, reason, waitingFor } = classifyError(error);
  const attempt = job.retryCount + 1;
  const details = (error as { details?: Record<string, unknown> } | null)?.details;
  const output: FailureOutput = { kind, reason, attempt, ...(details && Object.keys(details).length ? { details } : {}) };
  const line = (outcome: AttemptEvent['outcome']) => ({
    ...attemptLine(queue, job),
    outcome,
    errorKind: kind,
    error: reason,
    ...(waitingFor === undefined ? {} : { waitingFor }),
    durationMs,
  });
  if (kind === 'retryable') {
    // An expected wait (WaitingError) is retried the same way, but is not a failure: info.
    const outcome = attempt >= job.retryLimit + 1 ? 'dead-lettered' : waitingFor === undefined ? 'retry' : 'waiting';
    ctx.logger.log(outcome === 'waiting' ? 'info' : outcome === 'retry' ? 'warn' : 'error', 'sync attempt', line(outcome));
    report(ctx, queue, job, outcome, durationMs, kind);
    return { id: job.id, status: 'failed', output };
  }
  ctx.logger.error('sync attempt', line('dead-lettered'));
  report(ctx, queue, job, 'dead-lettered', durationMs, kind);
  if (kind === 'configuration') {
    ctx.logger.error('CONFIGURATION ERROR: fix credentials or access, then retry the dead letters', { queue, reason });
    ctx.settings.onConfigurationError?.({ queue, jobId: job.id, reason });
  }
  return { id: job.id, status: 'deadletter', output };
}

function attemptLine<T>(queue: QueueName, job: Job<T>) {
  return { queue, key: job.singletonKey, attempt: job.retryCount + 1, maxAttempts: job.retryLimit + 1 };
}

function report<T>(
  ctx: AttemptContext,
  queue: QueueName,
  job: Job<T>,
  outcome: AttemptEvent['outcome'],
  durationMs: number,
  errorKind?: ErrorKind,
): void {
  try {
    ctx.settings.onAttempt?.({
      queue,
      outcome,
      attempt: job.retryCount + 1,
      durationMs,
      key: job.singletonKey,
      data: job.data?.payload,
      ...(errorKind ? { errorKind } : {}),
    });
  } catch {
    /* metrics must never fail a job */
  }
}

function elapsed(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 10) / 10;
}
