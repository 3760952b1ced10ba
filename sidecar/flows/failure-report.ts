/**
 * A dead-lettered job, told to Odoo (contract `report_failure`, docs/contract.md): the merchant
 * sees it in Odoo's Shopify > Errors with what happened and what to do, also when it concerns no
 * Odoo record yet — an order the sidecar could not import is listed with its number, amount and
 * customer name. defineFlow calls `reportDeadLetter` once a flow queue's job fails for good; the
 * DLQ stays the sidecar's tool (Retry in Odoo re-queues the dead letter through the admin API).
 *
 * What the job is about comes from the job itself (`subjectOfJob`, pure): an outbox job's Odoo
 * record, a webhook's or a pull's Shopify ID. A flow may say more (`QueueWorker.failure`): the
 * orders flow reads the order's number, total and customer name. Job data never holds personal
 * data; the name is read from Shopify at the time of the report and sent to Odoo only.
 */
import type { AnyJob } from '../jobs.js';
import type { FailureReport } from '../odoo/contract.js';
import type { Classification } from '../queue/errors.js';
import type { JobContext } from '../queue/queue.js';
import type { FlowContext } from './context.js';

/** What a failure report says the job was about; every field optional. */
export type FailureSubject = Pick<
  FailureReport,
  'res_model' | 'res_id' | 'shopify_gid' | 'order_name' | 'amount' | 'currency' | 'customer_name'
>;

type FailureModel = NonNullable<FailureReport['res_model']>;
const FAILURE_MODELS: readonly string[] = [
  'product.template',
  'product.product',
  'res.partner',
  'sale.order',
  'stock.picking',
  'account.move',
];
const GID = /^gid:\/\/shopify\/[A-Za-z]+\/[0-9]+$/;
/** Odoo keeps the message for an operator; a stack or a huge Shopify answer is cut. */
const MAX_MESSAGE = 2000;

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const gidOrNull = (value: unknown): string | null => (typeof value === 'string' && GID.test(value) ? value : null);

/** What the job's own data says it is about (pure). */
export function subjectOfJob(job: AnyJob): FailureSubject {
  const data = job as unknown as Record<string, unknown>;
  switch (data.source) {
    case 'outbox': {
      const payload = (data.payload ?? {}) as Record<string, unknown>;
      const model = text(data.model);
      const known = model !== undefined && FAILURE_MODELS.includes(model) && typeof data.resId === 'number';
      return {
        ...(known ? { res_model: model as FailureModel, res_id: data.resId as number } : {}),
        shopify_gid: gidOrNull(payload.order_gid),
      };
    }
    case 'webhook':
      return { shopify_gid: gidOrNull(data.entityGid) };
    case 'pull':
    case 'repair':
    case 'resync':
      return { shopify_gid: gidOrNull(data.orderGid) };
    case 'push':
      return typeof data.product_id === 'number' ? { res_model: 'product.product', res_id: data.product_id } : {};
    default:
      return {};
  }
}

/** The report_failure document of a job that failed for good (pure). */
export function failureReport(
  job: Pick<JobContext<unknown>, 'queue' | 'key' | 'jobId' | 'attempt'>,
  failure: Classification,
  subject: FailureSubject,
  failedAt: Date,
): FailureReport {
  return {
    queue: job.queue,
    key: job.key,
    job_id: job.jobId,
    attempt: job.attempt,
    kind: failure.kind,
    message: failure.reason.slice(0, MAX_MESSAGE),
    failed_at: failedAt.toISOString(),
    ...subject,
  };
}

/**
 * Tells Odoo about a dead-lettered job. Never throws: the job's own error is what the queue
 * records; a report that could not be made is logged (the DLQ alert on Odoo's Overview still
 * counts the dead letter).
 */
export async function reportDeadLetter(
  ctx: Pick<FlowContext, 'odoo' | 'logger' | 'clock'>,
  job: JobContext<AnyJob>,
  failure: Classification,
  subject: () => Promise<FailureSubject | undefined>,
): Promise<void> {
  try {
    let about = subjectOfJob(job.data);
    try {
      about = { ...about, ...(await subject()) };
    } catch (error) {
      ctx.logger.warn('failure report: the flow could not describe the job; reported with its ids only', { error });
    }
    const answer = await ctx.odoo.reportFailure(failureReport(job, failure, about, new Date(ctx.clock())));
    ctx.logger.info('failure reported to Odoo', { queue: job.queue, key: job.key, failureId: answer.failure_id });
  } catch (error) {
    ctx.logger.warn('failure report to Odoo failed; the dead letter is only in the sidecar', { queue: job.queue, key: job.key, error });
  }
}
