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
import type { ReturnByIdQuery, ReturnableFulfillmentsQuery } from '../../shopify/index.js';

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

// ---- Returns received in Odoo → Shopify (docs/flows.md, "Returns received in Odoo") ----

/** Units per Shopify line item GID. */
export type LineQuantities = Record<string, number>;
type Returnable = ReturnableFulfillmentsQuery['returnableFulfillments']['nodes'][number];

const MARKER = 'Odoo return ';

/**
 * The note on every line of a Shopify return made for an Odoo return picking: what a retry after an
 * unanswered returnCreate finds the return by, and what tells the Shopify → Odoo direction that Odoo
 * holds the picking already.
 */
export function odooReturnNote(picking: { name: string; picking_id: number }): string {
  return `${MARKER}${picking.name} (picking ${picking.picking_id})`;
}

/** True when the return was made by this flow for an Odoo return picking. */
export function isMadeInOdoo(ret: ShopifyReturn): boolean {
  return ret.returnLineItems.nodes.some((n) => isReturnLine(n) && (n.returnReasonNote ?? '').startsWith(MARKER));
}

/** The return made for this picking by an earlier attempt, if any. */
export function returnForPicking(returns: readonly ShopifyReturn[], note: string): ShopifyReturn | undefined {
  return returns.find(
    (r) => r.status !== 'CANCELED' && r.returnLineItems.nodes.some((n) => isReturnLine(n) && n.returnReasonNote === note),
  );
}

/** Quantities per line of a document's lines (summed over SKUs). */
export function byLine(lines: ReadonlyArray<{ line_gid: string; quantity: number }>): LineQuantities {
  const out: LineQuantities = {};
  for (const l of lines) if (l.quantity >= 1) out[l.line_gid] = (out[l.line_gid] ?? 0) + Math.floor(l.quantity);
  return out;
}

/**
 * returnCreate's lines for the units received: each order line's units allocated to its returnable
 * fulfillment line items, in Shopify's order. `missing` is what Shopify does not hold as returnable
 * (not fulfilled there, or returned already).
 */
export function planReturnCreate(
  received: LineQuantities,
  returnable: readonly Returnable[],
  note: string,
): { lines: Array<{ fulfillmentLineItemId: string; quantity: number; returnReasonNote: string }>; missing: LineQuantities } {
  const need: LineQuantities = { ...received };
  const lines: Array<{ fulfillmentLineItemId: string; quantity: number; returnReasonNote: string }> = [];
  for (const rf of returnable)
    for (const item of rf.returnableFulfillmentLineItems.nodes) {
      const line = item.fulfillmentLineItem.lineItem.id;
      const take = Math.min(need[line] ?? 0, item.quantity);
      if (take < 1) continue;
      lines.push({ fulfillmentLineItemId: item.fulfillmentLineItem.id, quantity: take, returnReasonNote: note });
      need[line] = (need[line] ?? 0) - take;
    }
  return { lines, missing: Object.fromEntries(Object.entries(need).filter(([, q]) => q >= 1)) };
}

export interface ProcessLine {
  id: string;
  quantity: number;
  dispositions: Array<{ reverseFulfillmentOrderLineItemId: string; quantity: number; dispositionType: 'RESTOCKED'; locationId: string }>;
}

/**
 * returnProcess's lines: the units received in Odoo that the return has not processed yet, RESTOCKED
 * at `locationGid`. What Shopify processed already (restocked or not) counts as done, so a retry
 * after an unanswered returnProcess, or a return Shopify processed itself, processes nothing again.
 */
export function planReturnProcess(ret: ShopifyReturn, received: LineQuantities, locationGid: string): ProcessLine[] {
  const processed: LineQuantities = {};
  const lines = ret.returnLineItems.nodes.filter(isReturnLine);
  for (const l of lines) {
    const line = l.fulfillmentLineItem.lineItem.id;
    processed[line] = (processed[line] ?? 0) + (l.processedQuantity ?? 0);
  }
  const todo: LineQuantities = Object.fromEntries(Object.entries(received).map(([line, q]) => [line, q - (processed[line] ?? 0)]));
  const reverse = ret.reverseFulfillmentOrders.nodes.flatMap((rfo) => rfo.lineItems.nodes);
  const out: ProcessLine[] = [];
  for (const l of lines) {
    const line = l.fulfillmentLineItem.lineItem.id;
    const take = Math.min(todo[line] ?? 0, l.quantity - (l.processedQuantity ?? 0));
    const rfoLine = reverse.find((r) => r.fulfillmentLineItem?.id === l.fulfillmentLineItem.id);
    if (take < 1 || !rfoLine) continue;
    out.push({
      id: l.id,
      quantity: take,
      dispositions: [
        { reverseFulfillmentOrderLineItemId: rfoLine.id, quantity: take, dispositionType: 'RESTOCKED', locationId: locationGid },
      ],
    });
    todo[line] = (todo[line] ?? 0) - take;
  }
  return out;
}

/** The units `lines` process, per order line (what a credit note must credit to refund them with the return). */
export function processedUnits(ret: ShopifyReturn, lines: readonly ProcessLine[]): LineQuantities {
  const out: LineQuantities = {};
  for (const p of lines) {
    const l = ret.returnLineItems.nodes.filter(isReturnLine).find((x) => x.id === p.id);
    if (!l) continue;
    const line = l.fulfillmentLineItem.lineItem.id;
    out[line] = (out[line] ?? 0) + p.quantity;
  }
  return out;
}
