/**
 * Customers, both ways, loop-safe (issue 5 item 4; docs/flows.md "Customers"). Queue `customers`.
 *
 * Shopify → Odoo (WebhookJob customers/create|update): re-read the customer (CustomerById) →
 * normalise → echo guard (comparable hash equal to what Shopify is known to hold → nothing to do) →
 * contract.upsertCustomer (the addon matches by GID, then normalised email, never by name) →
 * remember the hash. customers/delete: the partner is kept (it may have orders and invoices); its
 * binding is marked `ignored` with the reason, and the flow never recreates the Shopify customer.
 *
 * Odoo → Shopify (OutboxJob customer.changed): contract.exportCustomers → skip when the export's
 * content hash equals the synced hash → find the Shopify customer (bound GID, else CustomerByEmail
 * with the normalised email) → plan (only changed fields) → customerSet → read back → remember the
 * hash → recordSyncResult with the GID and the content hash. Archived partners are not pushed and
 * Shopify customers are never deleted.
 *
 * Loops: the addon's origin flag keeps our Odoo writes from emitting customer.changed; the stored
 * comparable hash stops Shopify's echo webhook of our own customerSet.
 */
import type { ExportedCustomer } from '../../odoo/contract.js';
import type { WebhookJob } from '../../http/webhooks/topics.js';
import { PermanentError } from '../../queue/errors.js';
import type { JobContext } from '../../queue/queue.js';
import type { OutboxJob } from '../../relay/outbox.js';
import type { Flow, FlowContext } from '../context.js';
import { onboardingGate } from '../onboarding/index.js';
import { comparableHash, customerDocument, normaliseEmail, planCustomerPush, type ShopifyCustomer } from './normalise.js';
import { createCustomerSyncStore, type CustomerSyncStore } from './store.js';

/** Customers have no lane of their own in the budget; they share the lowest-priority one. */
const LANE = 'catalog' as const;

type CustomerJob = WebhookJob | OutboxJob;

export function createCustomersFlow(): Flow {
  return {
    name: 'customers',
    async register(ctx: FlowContext) {
      const store = createCustomerSyncStore(ctx.pool, ctx.config.database.appSchema);
      await ctx.queue.work<CustomerJob>('customers', (job) => handleCustomerJob(ctx, store, job), { batchSize: 5 });
    },
  };
}

export const customersFlow: Flow = createCustomersFlow();

export async function handleCustomerJob(ctx: FlowContext, store: CustomerSyncStore, job: JobContext<CustomerJob>): Promise<void> {
  const data = job.data;
  if (data.source === 'webhook') {
    if (data.topic === 'customers/delete') return customerDeleted(ctx, store, data);
    if (data.topic === 'customers/create' || data.topic === 'customers/update') return importCustomer(ctx, store, data);
    throw new PermanentError(`customers: webhook topic ${data.topic} is not handled by this queue`);
  }
  if (data.type === 'customer.changed') return pushCustomer(ctx, store, data);
  throw new PermanentError(`customers: outbox event ${data.type} is not handled by this queue`);
}

async function readCustomer(ctx: FlowContext, gid: string): Promise<ShopifyCustomer | null> {
  const data = await ctx.shopify.request<{ customer: ShopifyCustomer | null }>('CustomerById', { id: gid }, { lane: LANE });
  return data.customer;
}

// ---- Shopify → Odoo ----

async function importCustomer(ctx: FlowContext, store: CustomerSyncStore, job: WebhookJob): Promise<void> {
  const gid = job.entityGid;
  const customer = await readCustomer(ctx, gid);
  if (!customer) {
    // Deleted since the webhook was sent: customers/delete (queued after it on this key) says so.
    ctx.logger.info('customers: customer no longer exists in Shopify; nothing to import', {
      flow: 'customers',
      customer_gid: gid,
      topic: job.topic,
    });
    return;
  }
  const doc = customerDocument(customer);
  const hash = comparableHash(doc);
  const known = await store.find(gid, hash);
  if (known && known.shopify_hash === hash) {
    // Our own customerSet coming back, or a duplicate delivery: Odoo already has this content.
    ctx.logger.info('customers: Shopify content equals the last synced content; not written to Odoo (echo guard)', {
      flow: 'customers',
      customer_gid: gid,
      partner_id: known.partner_id,
      topic: job.topic,
      outcome: 'echo',
    });
    if (!known.customer_gid) await store.save(known.partner_id, gid, hash);
    return;
  }
  const result = await ctx.odoo.upsertCustomer(doc);
  await store.save(result.partner_id, gid, hash);
  ctx.logger.info(`customers: imported from Shopify (${result.status})`, {
    flow: 'customers',
    customer_gid: gid,
    partner_id: result.partner_id,
    topic: job.topic,
    outcome: result.status,
  });
}

async function customerDeleted(ctx: FlowContext, store: CustomerSyncStore, job: WebhookJob): Promise<void> {
  const gid = job.entityGid;
  const known = await store.byGid(gid);
  if (!known) {
    ctx.logger.info('customers: customer deleted in Shopify; no partner known to this sidecar for it', {
      flow: 'customers',
      customer_gid: gid,
      outcome: 'ignored',
    });
    return;
  }
  // Never delete or archive the partner: it may carry orders, invoices and deliveries. The binding
  // keeps the GID (the contract cannot unbind) and shows why nothing syncs any more.
  await ctx.odoo.recordSyncResult({
    model: 'res.partner',
    res_id: known.partner_id,
    state: 'ignored',
    message: `The Shopify customer ${gid} was deleted in Shopify; this partner is kept and no longer synced.`,
  });
  ctx.logger.info('customers: customer deleted in Shopify; partner kept, binding marked ignored', {
    flow: 'customers',
    customer_gid: gid,
    partner_id: known.partner_id,
    outcome: 'ignored',
  });
}

// ---- Odoo → Shopify ----

async function pushCustomer(ctx: FlowContext, store: CustomerSyncStore, job: OutboxJob): Promise<void> {
  const partnerId = typeof job.payload.partner_id === 'number' ? job.payload.partner_id : job.resId;
  // As for the catalog: no push before onboarding linked existing customers (it would duplicate
  // them in Shopify), and never one held for an onboarding conflict.
  const gate = await onboardingGate(ctx);
  if (!gate.complete || gate.held.partnerIds.includes(partnerId)) {
    ctx.logger.info('customers: push deferred', {
      flow: 'customers',
      partner_id: partnerId,
      reason: gate.complete ? 'held by an onboarding conflict' : 'waiting for onboarding (POST /admin/onboarding)',
    });
    return;
  }
  const { customers } = await ctx.odoo.exportCustomers({ partner_ids: [partnerId] });
  const partner = customers[0];
  const log = { flow: 'customers', partner_id: partnerId, event: job.eventUuid };
  if (!partner) {
    ctx.logger.info('customers: partner no longer exists in Odoo; nothing to push', { ...log, outcome: 'skipped' });
    return;
  }
  if (partner.synced_hash && partner.content_hash === partner.synced_hash) {
    ctx.logger.info('customers: content unchanged since the last sync; not pushed', { ...log, outcome: 'unchanged' });
    return;
  }
  if (!partner.active) {
    // Archiving in Odoo does not delete or disable the Shopify customer (orders, privacy history).
    await ctx.odoo.recordSyncResult({
      model: 'res.partner',
      res_id: partnerId,
      state: 'ignored',
      content_hash: partner.content_hash,
      message: 'Archived in Odoo: not pushed; the Shopify customer is kept.',
    });
    ctx.logger.info('customers: partner archived; Shopify customer kept, nothing pushed', { ...log, outcome: 'ignored' });
    return;
  }
  const email = normaliseEmail(partner.email);
  let current: ShopifyCustomer | null = null;
  if (partner.customer_gid) {
    current = await readCustomer(ctx, partner.customer_gid);
    if (!current) {
      await ctx.odoo.recordSyncResult({
        model: 'res.partner',
        res_id: partnerId,
        state: 'ignored',
        message: `The Shopify customer ${partner.customer_gid} no longer exists (deleted in Shopify); not recreated.`,
      });
      ctx.logger.info('customers: bound Shopify customer was deleted; not recreated', {
        ...log,
        customer_gid: partner.customer_gid,
        outcome: 'ignored',
      });
      return;
    }
  } else if (email) {
    const found = await ctx.shopify.request<{ customerByIdentifier: ShopifyCustomer | null }>('CustomerByEmail', { email }, { lane: LANE });
    current = found.customerByIdentifier;
    const owner = current ? await store.byGid(current.id) : undefined;
    if (current && owner && owner.partner_id !== partnerId) {
      // Two Odoo partners with one email: never overwrite the customer another partner owns.
      const message = `The Shopify customer ${current.id} with this email is already bound to partner ${owner.partner_id}; merge the partners or change the email.`;
      await ctx.odoo.recordSyncResult({ model: 'res.partner', res_id: partnerId, state: 'error', message });
      throw new PermanentError(`customers: partner ${partnerId}: ${message}`);
    }
  } else if (!partner.phone && !partner.first_name && !partner.last_name) {
    throw new PermanentError(`customers: partner ${partnerId} has no email, phone or name; Shopify cannot hold it`);
  }
  const shopifyDoc = current ? customerDocument(current) : null;
  const plan = planCustomerPush(partner, shopifyDoc);
  let gid = current?.id ?? null;
  if (plan.changed.length > 0) {
    // Before the write, so the echo of a first push (GID not known yet) is recognised too.
    await store.save(partnerId, gid, comparableHash(partner));
    gid = await customerSet(ctx, partner, gid, email, plan.input);
    const after = await readCustomer(ctx, gid);
    await store.save(partnerId, gid, comparableHash(after ? customerDocument(after) : partner));
  } else {
    await store.save(partnerId, gid, comparableHash(shopifyDoc ?? partner));
  }
  await ctx.odoo.recordSyncResult({
    model: 'res.partner',
    res_id: partnerId,
    state: 'synced',
    shopify_gid: gid,
    content_hash: partner.content_hash,
  });
  ctx.logger.info(
    `customers: pushed to Shopify (${plan.changed.length ? `changed ${plan.changed.join(', ')}` : 'already equal, linked'})`,
    {
      ...log,
      customer_gid: gid,
      outcome: plan.changed.length ? (current ? 'updated' : 'created') : 'linked',
    },
  );
}

interface CustomerSetAnswer {
  customerSet: { customer: { id: string } | null };
}

async function customerSet(
  ctx: FlowContext,
  partner: ExportedCustomer,
  gid: string | null,
  email: string | null,
  input: object,
): Promise<string> {
  // Keyed by id, or upsert by email: repeating it after a timeout converges on the same customer.
  // Only a customer with neither can be duplicated by a retry, so that call is not retried blind.
  const identifier = gid ? { id: gid } : email ? { email } : undefined;
  const answer = await ctx.shopify.request<CustomerSetAnswer>(
    'CustomerSet',
    { ...(identifier ? { identifier } : {}), input: identifier && 'email' in identifier ? { ...input, email } : input },
    { lane: LANE, retrySafe: identifier !== undefined },
  );
  const id = answer.customerSet.customer?.id;
  if (!id) throw new PermanentError(`customers: customerSet for partner ${partner.partner_id} returned no customer`);
  return id;
}
