/**
 * Customer data erasure requested by an app (`customerRequestDataErasure`, scope
 * write_customer_data_erasure): Shopify queues the erasure and answers with the customer's id, or
 * the userError DOES_NOT_EXIST for a customer it does not have. The simulator records the request
 * (GET /_sim/privacy/erasure-requests); the erasure itself, and the customers/redact it sends
 * later, are triggered through the control API (POST /_sim/privacy/customers-redact).
 */
import type { SimState } from '../state.js';
import { fail, nowIso, type DomainContext } from './context.js';

export interface DataErasureRequest {
  customerId: number;
  requestedAt: string;
}

/** The requests recorded so far (older saved states have none). */
export function dataErasureRequests(state: SimState): DataErasureRequest[] {
  return (state.dataErasureRequests ??= []);
}

/** Records one pending erasure per customer; asking again while it is pending changes nothing. */
export function requestDataErasure(ctx: DomainContext, customerId: number): number {
  if (!ctx.state.customers.some((c) => c.id === customerId)) fail('Customer does not exist.', ['customerId'], 'DOES_NOT_EXIST');
  const requests = dataErasureRequests(ctx.state);
  if (!requests.some((r) => r.customerId === customerId)) requests.push({ customerId, requestedAt: nowIso(ctx) });
  return customerId;
}
