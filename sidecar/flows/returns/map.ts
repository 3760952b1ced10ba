/**
 * Returns, pure parts (no I/O, no clock): a Shopify return as the contract's ReturnDocument
 * (docs/flows.md, "Returns").
 *
 * Rules:
 * - Returns reference fulfillment line items; the document names their order line (what joins the
 *   Odoo sale line). A return over two fulfillments has two lines of one order line.
 * - Processed units are counted by disposition on the return's reverse fulfillment order:
 *   RESTOCKED units come back into the warehouse of their location; NOT_RESTOCKED and MISSING do
 *   not; PROCESSING_REQUIRED is neither yet.
 */
import type { QueueJobs } from '../../jobs.js';
import type { ReturnDocument } from '../../odoo/contract.js';
import { PermanentError } from '../../queue/errors.js';
import type { ReturnByIdQuery } from '../../shopify/index.js';

export type ShopifyReturn = NonNullable<ReturnByIdQuery['return']>;
export type ReturnJob = QueueJobs['returns'];
type ReturnLine = Extract<ShopifyReturn['returnLineItems']['nodes'][number], { id: string }>;
type ReverseLine = ShopifyReturn['reverseFulfillmentOrders']['nodes'][number]['lineItems']['nodes'][number];

/** The return picking a return.done event is about. */
export function pickingIdOf(job: Extract<ReturnJob, { source: 'outbox' }>): number {
  return typeof job.payload.picking_id === 'number' ? job.payload.picking_id : job.resId;
}

const isReturnLine = (n: ShopifyReturn['returnLineItems']['nodes'][number]): n is ReturnLine => 'id' in n && typeof n.id === 'string';

/** Dispositions per fulfillment line item: restocked units (and where), and units not restocked. */
function dispositionsOf(ret: ShopifyReturn): Map<string, { restocked: number; notRestocked: number; location: string | null }> {
  const out = new Map<string, { restocked: number; notRestocked: number; location: string | null }>();
  const lines: ReverseLine[] = ret.reverseFulfillmentOrders.nodes.flatMap((rfo) => rfo.lineItems.nodes);
  for (const line of lines) {
    // A reverse line without a fulfillment line item (Shopify types it nullable) joins no return line.
    if (!line.fulfillmentLineItem) continue;
    const entry = out.get(line.fulfillmentLineItem.id) ?? { restocked: 0, notRestocked: 0, location: null };
    for (const d of line.dispositions) {
      if (d.type === 'RESTOCKED') {
        entry.restocked += d.quantity;
        entry.location ??= d.location?.id ?? null;
      } else if (d.type === 'NOT_RESTOCKED' || d.type === 'MISSING') entry.notRestocked += d.quantity;
    }
    out.set(line.fulfillmentLineItem.id, entry);
  }
  return out;
}

/** The contract's ReturnDocument for one Shopify return. */
export function returnDocument(ret: ShopifyReturn): ReturnDocument {
  const dispositions = dispositionsOf(ret);
  const lines = ret.returnLineItems.nodes.filter(isReturnLine).map((l) => {
    const d = dispositions.get(l.fulfillmentLineItem.id) ?? { restocked: 0, notRestocked: 0, location: null };
    return {
      line_gid: l.fulfillmentLineItem.lineItem.id,
      sku:
        l.fulfillmentLineItem.lineItem.sku && l.fulfillmentLineItem.lineItem.sku.trim() !== '' ? l.fulfillmentLineItem.lineItem.sku : null,
      quantity: l.quantity,
      restocked_quantity: Math.min(d.restocked, l.quantity),
      not_restocked_quantity: Math.min(d.notRestocked, l.quantity - Math.min(d.restocked, l.quantity)),
      location_gid: d.location,
    };
  });
  if (!lines.length) throw new PermanentError(`returns: return ${ret.name} (${ret.id}) has no line the sidecar can read`);
  return {
    return_gid: ret.id,
    order_gid: ret.order.id,
    status: ret.status,
    name: ret.name,
    location_gid: lines.find((l) => l.location_gid)?.location_gid ?? null,
    lines,
  };
}
