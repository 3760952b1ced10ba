/**
 * Privacy requests end to end (docs/flows.md, "Privacy"; docs/operations.md, "Privacy
 * requests"). Queue `privacy`.
 *
 * Shopify's compliance webhooks (configured on the app, not through the Admin API):
 * - customers/data_request → contract.privacyDataRequest with what the sidecar holds about the
 *   customer (stored payloads, sync rows): Odoo attaches the export to a privacy request and
 *   gives the privacy group a to-do with the due date;
 * - customers/redact → contract.privacyRedactCustomer (Odoo anonymises, or waits for open
 *   orders) → the sidecar purges its payloads, waiting customer jobs, failure outputs and sync
 *   rows about the customer → contract.privacyRecordResult;
 * - shop/redact → contract.privacyRedactShop (Shopify IDs out of Odoo) → the sidecar deletes its
 *   inbox, jobs, reports and sync state for the shop → contract.privacyRecordResult.
 * Odoo's outbox customer.erased ("Erase personal data") → Shopify customerRequestDataErasure →
 * purge → contract.privacyRecordResult with Shopify's answer.
 *
 * Every request is idempotent by its key (the webhook id, or Odoo's request id): a retried job
 * finds the same request in Odoo.
 */
import type { QueueJobs } from '../../jobs.js';
import type { JobContext } from '../../queue/queue.js';
import type { FlowContext } from '../context.js';
import { defineFlow, type JobOutcome } from '../define-flow.js';
import { dataRequest, erasureFromOdoo, redactCustomer, redactShop } from './apply.js';

type PrivacyJob = QueueJobs['privacy'];

export async function handlePrivacyJob(ctx: FlowContext, job: JobContext<PrivacyJob>): Promise<JobOutcome> {
  const data = job.data;
  if (data.source === 'outbox') return erasureFromOdoo(ctx, data);
  if (data.topic === 'customers/data_request') return dataRequest(ctx, data);
  if (data.topic === 'customers/redact') return redactCustomer(ctx, data);
  return redactShop(ctx, data, job.jobId);
}

export const privacyFlow = defineFlow({
  name: 'privacy',
  queues: {
    privacy: {
      handle: handlePrivacyJob,
      entity: (job) =>
        job.source === 'outbox'
          ? { type: 'res.partner', id: job.resId }
          : { type: job.topic === 'shop/redact' ? 'Shop' : 'Customer', id: job.entityGid },
      // One at a time, none claimed ahead: a shop erasure deletes other jobs, and requests are rare.
      work: { batchSize: 1, localConcurrency: 1, fetchSize: 1 },
    },
  },
});
