/**
 * Customers, writes, both ways (docs/flows.md, "Customers").
 *
 * Shopify → Odoo: the re-read customer, unless it is the echo of what Shopify is known to hold, goes
 * to contract.upsertCustomer (the addon matches by GID, then normalised email, never by name). A
 * deleted customer's partner is kept (it may have orders and invoices); its binding says why it no
 * longer syncs, and the flow never recreates the Shopify customer. A deletion is acted on only when
 * Shopify no longer has the customer (the topic header is not signed).
 *
 * Odoo → Shopify: only changed fields go to customerSet (upsert by GID or email), read back, and the
 * comparable hash of what Shopify holds is remembered (store.ts), which stops Shopify's echo webhook
 * of our own write. Archived partners are not pushed and Shopify customers are never deleted.
 */
import type { ExportedCustomer } from '../../odoo/contract.js';
import type { OutboxJob, WebhookJob } from '../../jobs.js';
import { PermanentError } from '../../queue/errors.js';
import { normaliseEmail } from '../../rules/email.js';
import type { FlowContext } from '../context.js';
import { ignored, type JobOutcome } from '../define-flow.js';
import { onboardingGate } from '../../onboarding/index.js';
import { comparableHash, customerDocument, partnerIdOf, planCustomerPush, type CustomerPushPlan, type ShopifyCustomerRead } from './map.js';
import { LANE, customerByEmail, exportedPartner, readCustomer } from './read.js';
import type { CustomerSyncStore } from './store.js';

// ---- Shopify → Odoo ----

export async function importCustomer(
  ctx: FlowContext,
  store: CustomerSyncStore,
  job: WebhookJob<'customers/create' | 'customers/update'>,
): Promise<JobOutcome> {
  const gid = job.entityGid;
  const customer = await readCustomer(ctx, gid);
  if (!customer) {
    // Deleted since the webhook was sent: customers/delete (queued after it on this key) says so.
    return ignored('gone', 'the customer no longer exists in Shopify', {
      message: 'customers: customer no longer exists in Shopify; nothing to import',
    });
  }
  const doc = customerDocument(customer);
  const hash = comparableHash(doc);
  const known = await store.find(gid, hash);
  if (known && known.shopify_hash === hash) {
    // Our own customerSet coming back, or a duplicate delivery: Odoo already has this content.
    if (!known.customer_gid) await store.save(known.partner_id, gid, hash);
    return ignored('echo', 'Shopify content equals the last synced content (echo guard)', {
      message: 'customers: Shopify content equals the last synced content; not written to Odoo (echo guard)',
      fields: { partnerId: known.partner_id },
    });
  }
  const result = await ctx.odoo.upsertCustomer(doc);
  await store.save(result.partner_id, gid, hash);
  return {
    outcome: result.status,
    message: `customers: imported from Shopify (${result.status})`,
    fields: { partnerId: result.partner_id },
  };
}

export async function customerDeleted(
  ctx: FlowContext,
  store: CustomerSyncStore,
  job: WebhookJob<'customers/delete'>,
): Promise<JobOutcome> {
  const gid = job.entityGid;
  // The topic header is not signed: a captured customers/create body resent as customers/delete
  // verifies. The deletion is acted on only once Shopify itself says the customer is gone.
  if (await readCustomer(ctx, gid)) {
    return ignored('still_exists', 'the customer still exists in Shopify; a deletion is acted on only once Shopify says it is gone', {
      level: 'warn',
      message: 'customers: customers/delete received for a customer Shopify still has; nothing changed',
    });
  }
  const known = await store.byGid(gid);
  if (!known) {
    return ignored('not_known', 'no partner known to this sidecar for the deleted customer', {
      message: 'customers: customer deleted in Shopify; no partner known to this sidecar for it',
    });
  }
  // Never delete or archive the partner: it may carry orders, invoices and deliveries. The binding
  // keeps the GID (the contract cannot unbind) and shows why nothing syncs any more.
  await ctx.odoo.recordSyncResult({
    model: 'res.partner',
    res_id: known.partner_id,
    state: 'ignored',
    message: `The Shopify customer ${gid} was deleted in Shopify; this partner is kept and no longer synced.`,
  });
  return {
    outcome: 'partner_kept',
    message: 'customers: customer deleted in Shopify; partner kept, binding marked ignored',
    fields: { partnerId: known.partner_id },
  };
}

// ---- Odoo → Shopify ----

export async function pushCustomer(ctx: FlowContext, store: CustomerSyncStore, job: OutboxJob<'customer.changed'>): Promise<JobOutcome> {
  const partnerId = partnerIdOf(job);
  // As for the catalog: no push before onboarding linked existing customers (it would duplicate
  // them in Shopify), and never one held for an onboarding conflict.
  const gate = await onboardingGate(ctx);
  if (!gate.complete || gate.held.partnerIds.includes(partnerId)) {
    const reason = gate.complete ? 'held by an onboarding conflict' : 'waiting for onboarding (POST /admin/onboarding)';
    return ignored('deferred', reason, { message: 'customers: push deferred' });
  }
  const partner = await exportedPartner(ctx, partnerId);
  if (!partner)
    return ignored('skipped', 'the partner no longer exists in Odoo', {
      message: 'customers: partner no longer exists in Odoo; nothing to push',
    });
  const skipped = await notToPush(ctx, partner);
  if (skipped) return skipped;
  const email = normaliseEmail(partner.email);
  const found = await counterpart(ctx, store, partner, email);
  if ('outcome' in found) return found;
  return writeCustomer(ctx, store, partner, email, found.current);
}

/** Why a partner is not pushed (content unchanged, archived), or undefined when it is. */
async function notToPush(ctx: FlowContext, partner: ExportedCustomer): Promise<JobOutcome | undefined> {
  if (partner.synced_hash && partner.content_hash === partner.synced_hash) {
    return ignored('unchanged', 'content unchanged since the last sync', {
      message: 'customers: content unchanged since the last sync; not pushed',
    });
  }
  if (partner.active) return undefined;
  // Archiving in Odoo does not delete or disable the Shopify customer (orders, privacy history).
  await ctx.odoo.recordSyncResult({
    model: 'res.partner',
    res_id: partner.partner_id,
    state: 'ignored',
    content_hash: partner.content_hash,
    message: 'Archived in Odoo: not pushed; the Shopify customer is kept.',
  });
  return ignored('archived', 'archived in Odoo; the Shopify customer is kept', {
    message: 'customers: partner archived; Shopify customer kept, nothing pushed',
  });
}

/** The Shopify customer the partner is (bound GID, else the same email), or why nothing is pushed. */
async function counterpart(
  ctx: FlowContext,
  store: CustomerSyncStore,
  partner: ExportedCustomer,
  email: string | null,
): Promise<{ current: ShopifyCustomerRead | null } | JobOutcome> {
  const partnerId = partner.partner_id;
  if (partner.customer_gid) {
    const current = await readCustomer(ctx, partner.customer_gid);
    if (current) return { current };
    await ctx.odoo.recordSyncResult({
      model: 'res.partner',
      res_id: partnerId,
      state: 'ignored',
      message: `The Shopify customer ${partner.customer_gid} no longer exists (deleted in Shopify); not recreated.`,
    });
    return ignored('not_recreated', 'the bound Shopify customer was deleted in Shopify', {
      message: 'customers: bound Shopify customer was deleted; not recreated',
      fields: { customerGid: partner.customer_gid },
    });
  }
  if (email) {
    const current = await customerByEmail(ctx, email);
    const owner = current ? await store.byGid(current.id) : undefined;
    if (current && owner && owner.partner_id !== partnerId) {
      // Two Odoo partners with one email: never overwrite the customer another partner owns.
      const message = `The Shopify customer ${current.id} with this email is already bound to partner ${owner.partner_id}; merge the partners or change the email.`;
      await ctx.odoo.recordSyncResult({ model: 'res.partner', res_id: partnerId, state: 'error', message });
      throw new PermanentError(`customers: partner ${partnerId}: ${message}`);
    }
    return { current };
  }
  if (!partner.phone && !partner.first_name && !partner.last_name) {
    throw new PermanentError(`customers: partner ${partnerId} has no email, phone or name; Shopify cannot hold it`);
  }
  return { current: null };
}

/** Brings Shopify to the partner's content (only the fields that differ) and records the result. */
async function writeCustomer(
  ctx: FlowContext,
  store: CustomerSyncStore,
  partner: ExportedCustomer,
  email: string | null,
  current: ShopifyCustomerRead | null,
): Promise<JobOutcome> {
  const partnerId = partner.partner_id;
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
  const changed = plan.changed.length ? `changed ${plan.changed.join(', ')}` : 'already equal, linked';
  return {
    outcome: plan.changed.length ? (current ? 'updated' : 'created') : 'linked',
    message: `customers: pushed to Shopify (${changed})`,
    fields: { customerGid: gid, changed: plan.changed },
  };
}

async function customerSet(
  ctx: FlowContext,
  partner: ExportedCustomer,
  gid: string | null,
  email: string | null,
  input: CustomerPushPlan['input'],
): Promise<string> {
  // Keyed by id, or upsert by email: repeating it after a timeout converges on the same customer.
  // Only a customer with neither can be duplicated by a retry, so that call is not retried blind.
  const identifier = gid ? { id: gid } : email ? { email } : undefined;
  const answer = await ctx.shopify.request(
    'CustomerSet',
    { ...(identifier ? { identifier } : {}), input: identifier && 'email' in identifier ? { ...input, email } : input },
    { lane: LANE, retrySafe: identifier !== undefined },
  );
  const id = answer.customerSet?.customer?.id;
  if (!id) throw new PermanentError(`customers: customerSet for partner ${partner.partner_id} returned no customer`);
  return id;
}
