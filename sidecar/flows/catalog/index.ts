/**
 * Catalog flow, Odoo → Shopify (docs/flows.md, "Catalog"). Queue `products`.
 *
 * Outbox `product.changed` → export the template's current state → plan (./map.ts, pure) → skip
 * when the content hash equals the binding's synced hash → `productSet` → record the product,
 * variant and inventory-item GIDs on the binding → ask the inventory flow to push stock for
 * variants that just got an inventory item (./apply.ts).
 *
 * Bursts collapse: Odoo keeps one pending event per template, jobs of one template run one at a
 * time (key_strict_fifo), each job exports the latest state and the hash turns repeats into no-ops.
 *
 * Webhooks `products/create` and `products/update` also land here. They are echoes of our own
 * productSet or edits made in Shopify's admin; Odoo is the catalog's source of truth, so there is
 * nothing to do: their inbox rows end `ignored` (an edit made in Shopify is overwritten by the next
 * Odoo change or a resync).
 */
import type { QueueJobs } from '../../jobs.js';
import { onboardingGate } from '../../onboarding/index.js';
import type { JobContext } from '../../queue/queue.js';
import type { FlowContext } from '../context.js';
import { defineFlow, ignored, type JobOutcome } from '../define-flow.js';
import { syncTemplate } from './apply.js';

export { syncTemplate } from './apply.js';

export async function handleProductJob(ctx: FlowContext, job: JobContext<QueueJobs['products']>): Promise<JobOutcome> {
  const data = job.data;
  if (data.source === 'webhook') {
    return ignored('no_action', 'Odoo is the source of truth for the catalog', {
      message: 'catalog: Shopify product webhook completed without action (Odoo is the source of truth for the catalog)',
    });
  }
  // Pushing before onboarding linked the shop's existing products would create them twice in
  // Shopify. The job completes without a push; onboarding asks Odoo to resync every product when
  // it finishes. Products onboarding held for a conflict are never pushed (their binding says why).
  const gate = await onboardingGate(ctx);
  if (!gate.complete || gate.held.templateIds.includes(data.resId)) {
    const reason = gate.complete ? 'held by an onboarding conflict' : 'waiting for onboarding (POST /admin/onboarding)';
    return ignored('deferred', reason, { message: 'catalog: push deferred' });
  }
  return syncTemplate(ctx, data.resId, { force: data.payload.reason === 'resync', retry: job.attempt > 1 });
}

export const catalogFlow = defineFlow({
  name: 'catalog',
  queues: {
    products: {
      handle: handleProductJob,
      entity: (job) => (job.source === 'webhook' ? { type: 'Product', id: job.entityGid } : { type: 'product.template', id: job.resId }),
    },
  },
});
