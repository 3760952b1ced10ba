/**
 * Customers, both ways, loop-safe (docs/flows.md, "Customers"). Queue `customers`.
 *
 * Shopify → Odoo (webhooks customers/create|update): re-read the customer (CustomerById) →
 * map → echo guard (comparable hash equal to what Shopify is known to hold → nothing to do) →
 * contract.upsertCustomer → remember the hash. customers/delete: the partner is kept; its binding
 * is marked `ignored` with the reason.
 *
 * Odoo → Shopify (outbox customer.changed): contract.exportCustomers → skip when the export's
 * content hash equals the synced hash → find the Shopify customer (bound GID, else CustomerByEmail
 * with the normalised email) → plan (only changed fields) → customerSet → read back → remember the
 * hash → recordSyncResult with the GID and the content hash.
 *
 * Loops: the addon's origin flag keeps our Odoo writes from emitting customer.changed; the stored
 * comparable hash stops Shopify's echo webhook of our own customerSet.
 */
import type { QueueJobs } from '../../jobs.js';
import type { JobContext } from '../../queue/queue.js';
import type { FlowContext } from '../context.js';
import { defineFlow, type JobOutcome } from '../define-flow.js';
import { customerDeleted, importCustomer, pushCustomer } from './apply.js';
import { partnerIdOf } from './map.js';
import { createCustomerSyncStore } from './store.js';

type CustomerJob = QueueJobs['customers'];

export async function handleCustomerJob(ctx: FlowContext, job: JobContext<CustomerJob>): Promise<JobOutcome> {
  const store = createCustomerSyncStore(ctx.pool, ctx.config.database.appSchema);
  const data = job.data;
  if (data.source === 'outbox') return pushCustomer(ctx, store, data);
  if (data.topic === 'customers/delete') return customerDeleted(ctx, store, data);
  return importCustomer(ctx, store, data);
}

export const customersFlow = defineFlow({
  name: 'customers',
  queues: {
    customers: {
      handle: handleCustomerJob,
      entity: (job) => (job.source === 'webhook' ? { type: 'Customer', id: job.entityGid } : { type: 'res.partner', id: partnerIdOf(job) }),
      work: { batchSize: 3 },
    },
  },
});
