/**
 * Privacy, pure (docs/flows.md, "Privacy"): Shopify's compliance payloads read exactly (numeric
 * IDs beyond 2^53 stay digits), the request key, the customer.erased event, Shopify's answer to
 * customerRequestDataErasure, what the sidecar adds to a data export, and the job keys whose
 * data is about a customer.
 */
import type { WebhookTopic } from '../../jobs.js';
import { keys } from '../../queue/names.js';
import { PermanentError } from '../../queue/errors.js';
import { toGid } from '../../rules/gid.js';
import type { ShopifyUserError } from '../../shopify/errors.js';

type Payload = Record<string, unknown>;

export type ComplianceTopic = Extract<WebhookTopic, 'customers/data_request' | 'customers/redact' | 'shop/redact'>;

/** What a compliance webhook asks, as the contract needs it. */
export interface ComplianceRequest {
  customerGid: string | null;
  email: string | null;
  phone: string | null;
  orderGids: string[];
  /** customers/data_request's `data_request.id`, as digits. */
  shopifyRequestId: string | null;
  shopDomain: string | null;
}

/**
 * The digits of a Shopify numeric id: a safe JSON number, or the digit string the intake kept for
 * one beyond 2^53 (inbox/json.ts). Anything else is not an id.
 */
export function exactId(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  if (typeof value === 'string' && /^[1-9][0-9]*$/.test(value)) return value;
  return null;
}

const object = (value: unknown): Payload =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Payload) : {};
const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

/** Order ids of `orders_requested` / `orders_to_redact` as GIDs; a malformed entry is refused whole. */
function orderGids(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new PermanentError(`privacy: ${field} is not a list of order ids`);
  return value.map((entry, index) => {
    const id = exactId(entry);
    if (!id) throw new PermanentError(`privacy: ${field}[${index}] is not a Shopify order id`);
    return toGid('Order', id);
  });
}

/** The request a compliance payload carries (Shopify's sample shapes, dev/testing/fixtures). */
export function complianceRequest(topic: ComplianceTopic, payload: Payload): ComplianceRequest {
  const customer = object(payload.customer);
  const customerId = exactId(customer.id);
  const orders =
    topic === 'customers/redact'
      ? orderGids(payload.orders_to_redact, 'orders_to_redact')
      : topic === 'customers/data_request'
        ? orderGids(payload.orders_requested, 'orders_requested')
        : [];
  return {
    customerGid: customerId ? toGid('Customer', customerId) : null,
    email: text(customer.email),
    phone: text(customer.phone),
    orderGids: orders,
    shopifyRequestId: exactId(object(payload.data_request).id),
    shopDomain: text(payload.shop_domain)?.toLowerCase() ?? null,
  };
}

/** A Shopify delivery's request key in Odoo: the same delivery is the same request. */
export const requestKey = (webhookId: string): string => `webhook:${webhookId}`;

/** The customer.erased outbox event's payload (docs/contract.md, "OutboxEvent"). */
export interface ErasureEvent {
  partnerId: number;
  customerGid: string;
  /** The privacy request Odoo opened; absent in events written before requests existed. */
  requestId: number | null;
  orderGids: string[];
}

export function erasureEvent(payload: Payload): ErasureEvent {
  const partnerId = payload.partner_id;
  const customerGid = payload.customer_gid;
  if (typeof partnerId !== 'number' || !Number.isSafeInteger(partnerId))
    throw new PermanentError('privacy: customer.erased without partner_id');
  if (typeof customerGid !== 'string' || !/^gid:\/\/shopify\/Customer\/[0-9]+$/.test(customerGid))
    throw new PermanentError(`privacy: customer.erased for partner ${partnerId} without a customer GID`);
  const requestId = typeof payload.request_id === 'number' && Number.isSafeInteger(payload.request_id) ? payload.request_id : null;
  const gids = Array.isArray(payload.order_gids)
    ? payload.order_gids.filter((g): g is string => typeof g === 'string' && /^gid:\/\/shopify\/Order\/[0-9]+$/.test(g))
    : [];
  return { partnerId, customerGid, requestId, orderGids: gids };
}

/** Shopify's answer to customerRequestDataErasure, as the privacy request records it. */
export interface ErasureAnswer {
  status: 'requested' | 'not_found' | 'failed';
  code: string | null;
  message: string | null;
}

/** The answer a refusal (userErrors) means: DOES_NOT_EXIST is an erasure with nothing left to erase. */
export function erasureRefusal(userErrors: readonly ShopifyUserError[]): ErasureAnswer {
  const first = userErrors[0];
  const code = first?.code ?? null;
  if (code === 'DOES_NOT_EXIST') return { status: 'not_found', code, message: first?.message ?? null };
  return { status: 'failed', code, message: userErrors.map((e) => e.message).join('; ') || null };
}

/** One stored webhook delivery about the customer, as the export carries it. */
export interface StoredDelivery {
  webhookId: string;
  topic: string;
  receivedAt: Date;
  payload: unknown;
}

/** The sidecar's part of a data export: its stored payloads and its own sync rows. */
export function sidecarExport(stored: readonly StoredDelivery[], syncRows: readonly Record<string, unknown>[]): Record<string, unknown> {
  return {
    webhook_payloads: stored.map((s) => ({
      webhook_id: s.webhookId,
      topic: s.topic,
      received_at: s.receivedAt.toISOString(),
      payload: s.payload,
    })),
    sync_rows: syncRows,
  };
}

/** The queue keys whose jobs are about the customer or their orders (queue/names.ts grammar). */
export function keysAbout(
  shop: string,
  customerGid: string | null,
  orderGids: readonly string[],
): { customer: string | null; all: string[] } {
  const customer = customerGid ? keys.customer(shop, customerGid) : null;
  const orders = orderGids.flatMap((g) => [keys.order(shop, g), keys.fulfillment(shop, g), keys.refund(shop, g), keys.return(shop, g)]);
  return { customer, all: [...(customer ? [customer, keys.privacy(shop, customerGid!)] : []), ...orders] };
}
