/**
 * `defineFlow`: what every flow repeats, written once (docs/architecture.md, "Flows").
 *
 * For each queue a flow works it registers the worker (with the queue's work options) and its
 * schedule, and around every job it:
 * - runs the handler with the flow's name in the log context;
 * - ends the job's webhook inbox row: `processed`, `ignored` (the handler said there was nothing
 *   to do, and why) or `failed` (a permanent or configuration error, or the last attempt of a
 *   retryable one; inbox/inbox.ts). A retryable error before the last attempt leaves it `queued`
 *   (a WaitingError, an expected wait, is logged at info as `waiting for …`, docs/queues.md "Waits");
 * - logs one outcome line per job with one set of fields: `flow`, `entityType`, `entityId`,
 *   `trigger` (topic, event type or job source), `outcome`, `reason`, and the flow's own fields;
 * - classifies a failure (queue/errors.ts) for the line and the inbox, then rethrows it: the queue
 *   module keeps deciding retry or dead letter;
 * - tells Odoo about a job that fails for good (contract report_failure,
 *   ./failure-report.ts), so the merchant sees it in Odoo's Shopify > Errors.
 */
import { markInbox } from '../inbox/inbox.js';
import type { AnyJob, JobQueue, QueueJobs } from '../jobs.js';
import { withLogContext } from '../observability/logger.js';
import { classifyError } from '../queue/errors.js';
import { isFlowQueue } from '../queue/names.js';
import type { JobContext, WorkOptions } from '../queue/queue.js';
import type { Config } from '../config/index.js';
import type { Flow, FlowContext, RegistrationContext } from './context.js';
import { reportDeadLetter, type FailureSubject } from './failure-report.js';

/** The record a job is about: a Shopify GID's type (`Order`) or an Odoo model (`res.partner`), and its id. */
export interface Entity {
  type: string;
  id: string | number;
}

/** What a handler made of its job. */
export interface JobOutcome {
  /** One word: created, updated, unchanged, echo, pushed, deferred, … */
  outcome: string;
  /** `ignored`: the job had nothing to do (its inbox row ends `ignored` with `reason`). Default `processed`. */
  inbox?: 'processed' | 'ignored';
  /** Why: required with `inbox: 'ignored'`, kept on the inbox row and in the line. */
  reason?: string;
  /** The line's message; default `<flow>: <outcome>`. */
  message?: string;
  /** `warn` for outcomes an operator should look at (an order held in Odoo). */
  level?: 'info' | 'warn';
  /** The entity, when the handler knows it better than `entity(job)` did. */
  entity?: Entity;
  /** The flow's own fields, camelCase. */
  fields?: Record<string, unknown>;
}

/** An outcome for a job with nothing to do; its inbox row ends `ignored` with the reason. */
export function ignored(outcome: string, reason: string, extra: Omit<JobOutcome, 'outcome' | 'inbox' | 'reason'> = {}): JobOutcome {
  return { ...extra, outcome, inbox: 'ignored', reason };
}

export interface QueueWorker<Q extends JobQueue, C> {
  handle(ctx: C, job: JobContext<QueueJobs[Q]>): Promise<JobOutcome>;
  /** The entity a job is about, known before the handler runs, so a failure is logged with it too. */
  entity?(job: QueueJobs[Q]): Entity | undefined;
  /** Overrides of the queue's batch size and local concurrency. */
  work?: WorkOptions;
  /** A scheduled queue's 5-field cron (UTC), from the configuration. */
  schedule?(config: Config): string;
  /**
   * What Odoo's Shopify > Errors shows of a job of this queue that failed for good, beyond what
   * the job's data says (./failure-report.ts): e.g. an order's number, total and customer name.
   */
  failure?(ctx: C, job: QueueJobs[Q]): Promise<FailureSubject | undefined>;
}

export interface FlowDefinition<C extends RegistrationContext> {
  name: string;
  queues: { [Q in JobQueue]?: QueueWorker<Q, C> };
}

export function defineFlow<C extends RegistrationContext = FlowContext>(definition: FlowDefinition<C>): Flow<C> {
  const entries = Object.entries(definition.queues) as Array<[JobQueue, QueueWorker<JobQueue, C>]>;
  for (const [queue, worker] of entries) {
    if (worker.schedule && isFlowQueue(queue))
      throw new Error(`${definition.name}: ${queue} is an entity queue; only scheduled queues take a schedule`);
  }
  return {
    name: definition.name,
    queues: entries.map(([queue]) => queue),
    async register(ctx) {
      for (const [queue, worker] of entries) {
        await ctx.queue.work<AnyJob>(queue, (job) => runJob(definition.name, worker, ctx, job), worker.work);
        if (worker.schedule && !isFlowQueue(queue)) await ctx.queue.schedule(queue, worker.schedule(ctx.config));
      }
    },
  };
}

/** What triggered a job, for the line: the webhook topic, the outbox event type, or the job's source. */
export function triggerOf(job: unknown): string {
  const data = (typeof job === 'object' && job !== null ? job : {}) as { source?: unknown; topic?: unknown; type?: unknown };
  if (data.source === 'webhook' && typeof data.topic === 'string') return data.topic;
  if (data.source === 'outbox' && typeof data.type === 'string') return data.type;
  return typeof data.source === 'string' ? data.source : 'schedule';
}

function webhookIdOf(job: unknown): string | undefined {
  const data = (typeof job === 'object' && job !== null ? job : {}) as { source?: unknown; webhookId?: unknown };
  return data.source === 'webhook' && typeof data.webhookId === 'string' ? data.webhookId : undefined;
}

/** Flows that reach Odoo get a FlowContext; a scheduled job's context may have no Odoo client. */
const hasOdoo = (ctx: RegistrationContext): ctx is RegistrationContext & Pick<FlowContext, 'odoo'> =>
  typeof (ctx as Partial<FlowContext>).odoo?.reportFailure === 'function';

const entityFields = (entity: Entity | undefined) => (entity ? { entityType: entity.type, entityId: entity.id } : {});

async function runJob<C extends RegistrationContext>(
  flow: string,
  worker: QueueWorker<JobQueue, C>,
  ctx: C,
  job: JobContext<AnyJob>,
): Promise<void> {
  const { logger, pool } = ctx;
  const schema = ctx.config.database.appSchema;
  const webhookId = webhookIdOf(job.data);
  const trigger = triggerOf(job.data);
  await withLogContext({ flow }, async () => {
    let entity: Entity | undefined;
    try {
      entity = worker.entity?.(job.data);
      const result = await worker.handle(ctx, job);
      const status = result.inbox ?? 'processed';
      if (webhookId) await markInbox(pool, schema, webhookId, status, result.reason);
      // The shared fields last: a flow's own fields never hide them.
      logger.log(result.level ?? 'info', result.message ?? `${flow}: ${result.outcome}`, {
        ...result.fields,
        ...entityFields(result.entity ?? entity),
        trigger,
        outcome: result.outcome,
        ...(result.reason === undefined ? {} : { reason: result.reason }),
      });
    } catch (error) {
      const { kind, reason, waitingFor } = classifyError(error);
      const final = kind !== 'retryable' || job.attempt >= job.maxAttempts;
      if (webhookId && final) {
        // The job's own error is what matters; a row left `queued` is better than a lost error.
        await markInbox(pool, schema, webhookId, 'failed', reason).catch((markError: unknown) =>
          logger.warn(`${flow}: could not mark the inbox row failed`, { webhookId, error: markError }),
        );
      }
      if (!final && waitingFor !== undefined) {
        // An expected wait (queue/errors.ts WaitingError): retried the same way, logged as a wait.
        logger.info(`${flow}: waiting for ${waitingFor}`, { ...entityFields(entity), trigger, outcome: 'waiting', waitingFor, reason });
        throw error;
      }
      logger.log(final ? 'error' : 'warn', `${flow}: ${final ? 'failed' : 'failed, will retry'}`, {
        ...entityFields(entity),
        trigger,
        outcome: final ? 'failed' : 'retry',
        errorKind: kind,
        reason,
      });
      // Scheduled queues too: a go-live catalog push or a daily reconciliation that fails for good
      // is listed in Odoo like a record's failure (retried there by its job id: it has no key).
      if (final && hasOdoo(ctx)) {
        await reportDeadLetter(ctx, job, { kind, reason }, () => worker.failure?.(ctx, job.data) ?? Promise.resolve(undefined));
      }
      throw error;
    }
  });
}
