/**
 * Privacy, writes (docs/flows.md, "Privacy"): each request is a privacy request in Odoo, which
 * does Odoo's part (the export, the anonymisation or its wait for open orders, the unbinding);
 * then the sidecar removes what it holds itself and records that on the request. An erasure
 * started in Odoo asks Shopify (customerRequestDataErasure) and records Shopify's answer.
 *
 * Nothing here logs or throws personal data: outcome lines carry the request's id and name,
 * states and counts; the export goes to Odoo only.
 */
import type { OutboxJob, WebhookJob } from '../../jobs.js';
import { ConfigurationError, PermanentError } from '../../queue/errors.js';
import { ShopifyGraphQLError, ShopifyUserErrors } from '../../shopify/errors.js';
import type { FlowContext } from '../context.js';
import { ignored, type JobOutcome } from '../define-flow.js';
import {
  complianceRequest,
  erasureEvent,
  erasureRefusal,
  keysAbout,
  requestKey,
  sidecarExport,
  type ComplianceRequest,
  type ComplianceTopic,
  type ErasureAnswer,
} from './map.js';
import { readDelivery, storedAbout, syncRowsAbout } from './read.js';
import { purgeCustomer, purgeDeliveryPayload, purgeShop, recordArrival } from './store.js';

/** The compliance delivery behind a job: its request (null once its payload was purged) and arrival. */
async function delivery(
  ctx: FlowContext,
  job: WebhookJob<ComplianceTopic>,
): Promise<{ request: ComplianceRequest | null; receivedAt: string }> {
  const row = await readDelivery(ctx, job.webhookId);
  if (!row) throw new PermanentError(`privacy: the inbox row of ${job.topic} delivery ${job.webhookId} no longer exists`);
  await recordArrival(ctx, job.topic, row.receivedAt);
  return { request: row.payload ? complianceRequest(job.topic, row.payload) : null, receivedAt: row.receivedAt.toISOString() };
}

/** A delivery already handled (payload purged): the same request again, known by its key in Odoo. */
const afterPurge = (job: WebhookJob<ComplianceTopic>): ComplianceRequest => ({
  customerGid: /^gid:\/\/shopify\/Customer\//.test(job.entityGid) ? job.entityGid : null,
  ...{ email: null, phone: null, orderGids: [], shopifyRequestId: null, shopDomain: null },
});

const requestFields = (r: { request_id: number; name: string; state: string }) => ({
  requestId: r.request_id,
  requestName: r.name,
  state: r.state,
});

// ---- customers/data_request ----

export async function dataRequest(ctx: FlowContext, job: WebhookJob<'customers/data_request'>): Promise<JobOutcome> {
  const { request, receivedAt } = await delivery(ctx, job);
  const r = request ?? afterPurge(job);
  const stored = await storedAbout(ctx, [...(r.customerGid ? [r.customerGid] : []), ...r.orderGids], r.email, job.webhookId);
  const sidecarData = sidecarExport(stored, await syncRowsAbout(ctx, r.customerGid));
  const result = await ctx.odoo.privacyDataRequest({
    ...{ request_key: requestKey(job.webhookId), received_at: receivedAt, shopify_request_id: r.shopifyRequestId },
    ...{ customer_gid: r.customerGid, email: r.email, phone: r.phone, order_gids: r.orderGids, sidecar_data: sidecarData },
  });
  // The request's own payload (e-mail, phone) is in the export now.
  const purged = await purgeDeliveryPayload(ctx, job.webhookId);
  const recorded = await ctx.odoo.privacyRecordResult({ request_id: result.request_id, sidecar: { compliance_payloads_purged: purged } });
  return {
    outcome: 'exported',
    message: 'privacy: data request exported to Odoo',
    fields: { ...requestFields(recorded), orders: result.sale_order_ids.length, storedPayloads: stored.length },
  };
}

// ---- customers/redact ----

export async function redactCustomer(ctx: FlowContext, job: WebhookJob<'customers/redact'>): Promise<JobOutcome> {
  const { request, receivedAt } = await delivery(ctx, job);
  const r = request ?? afterPurge(job);
  const result = await ctx.odoo.privacyRedactCustomer({
    ...{ request_key: requestKey(job.webhookId), received_at: receivedAt },
    ...{ customer_gid: r.customerGid, email: r.email, order_gids: r.orderGids },
  });
  const counts = await purgeAbout(ctx, r, result.partner_ids, job.webhookId);
  const recorded = await ctx.odoo.privacyRecordResult({ request_id: result.request_id, sidecar: counts });
  const waiting = result.open_orders.length > 0;
  return {
    outcome: waiting ? 'waiting' : 'redacted',
    message: waiting ? 'privacy: erasure waits in Odoo for the customer’s open orders' : 'privacy: customer redacted',
    fields: { ...requestFields(recorded), openOrders: result.open_orders.length, ...camel(counts) },
  };
}

async function purgeAbout(
  ctx: FlowContext,
  r: Pick<ComplianceRequest, 'customerGid' | 'orderGids' | 'email'>,
  partnerIds: number[],
  webhookId: string | null,
) {
  const scope = keysAbout(ctx.shop, r.customerGid, r.orderGids);
  return purgeCustomer(ctx, {
    ...{ gids: [...(r.customerGid ? [r.customerGid] : []), ...r.orderGids], email: r.email, customerGid: r.customerGid },
    ...{ partnerIds, keys: scope.all, customerKey: scope.customer, webhookId },
  });
}

/** Counts as camelCase log fields (inbox_payloads_purged → inboxPayloadsPurged). */
const camel = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).map(([k, v]) => [k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()), v]));

// ---- shop/redact ----

export async function redactShop(ctx: FlowContext, job: WebhookJob<'shop/redact'>, jobId: string): Promise<JobOutcome> {
  const { request, receivedAt } = await delivery(ctx, job);
  if (request?.shopDomain && request.shopDomain !== ctx.shop) {
    await purgeDeliveryPayload(ctx, job.webhookId);
    return ignored('other_shop', `shop/redact names shop ${request.shopDomain}, not ${ctx.shop}`);
  }
  const result = await ctx.odoo.privacyRedactShop({
    request_key: requestKey(job.webhookId),
    received_at: receivedAt,
    shop_domain: ctx.shop,
  });
  const counts = await purgeShop(ctx, ctx.shop, { jobId, webhookId: job.webhookId });
  const recorded = await ctx.odoo.privacyRecordResult({ request_id: result.request_id, sidecar: counts });
  return {
    outcome: 'redacted',
    message: 'privacy: shop data removed',
    fields: {
      ...requestFields(recorded),
      unbound: Object.values(result.unbound).reduce((a: number, b) => a + (b ?? 0), 0),
      ...camel(counts),
    },
  };
}

// ---- customer.erased (Erase personal data in Odoo) ----

export async function erasureFromOdoo(ctx: FlowContext, job: OutboxJob<'customer.erased'>): Promise<JobOutcome> {
  const event = erasureEvent(job.payload);
  const { answer, failure } = await askShopify(ctx, event.customerGid);
  const counts = await purgeAbout(
    ctx,
    { customerGid: event.customerGid, orderGids: event.orderGids, email: null },
    [event.partnerId],
    null,
  );
  const recorded =
    event.requestId === null ? null : await ctx.odoo.privacyRecordResult({ request_id: event.requestId, shopify: answer, sidecar: counts });
  // Recorded on the request first (the privacy group sees it); then the job fails visibly too.
  if (failure) throw failure;
  return {
    outcome: answer.status === 'requested' ? 'erasure_requested' : 'not_in_shopify',
    message:
      answer.status === 'requested' ? 'privacy: erasure requested in Shopify' : 'privacy: customer not in Shopify; nothing to erase there',
    fields: { ...(recorded ? requestFields(recorded) : {}), customerGid: event.customerGid, ...camel(counts) },
  };
}

/** customerRequestDataErasure's answer; a refusal or a missing scope is an answer plus the error to fail the job with. */
async function askShopify(ctx: FlowContext, customerGid: string): Promise<{ answer: ErasureAnswer; failure?: Error }> {
  try {
    // Asking twice only queues the same erasure again: safe to retry.
    await ctx.shopify.request('CustomerRequestDataErasure', { customerId: customerGid }, { lane: 'orders', retrySafe: true });
    return { answer: { status: 'requested', code: null, message: null } };
  } catch (error) {
    if (error instanceof ShopifyUserErrors) {
      const answer = erasureRefusal(error.userErrors);
      if (answer.status === 'not_found') return { answer };
      return {
        answer,
        failure: new PermanentError(`privacy: Shopify refused the erasure of ${customerGid} (${answer.code ?? 'no code'})`, {
          cause: error,
        }),
      };
    }
    if (error instanceof ShopifyGraphQLError && error.codes.includes('ACCESS_DENIED')) {
      const message = 'the app lacks the write_customer_data_erasure scope (docs/operations.md, "Privacy requests")';
      return {
        answer: { status: 'failed', code: 'ACCESS_DENIED', message },
        failure: new ConfigurationError(`privacy: ${message}`, { cause: error }),
      };
    }
    throw error;
  }
}
