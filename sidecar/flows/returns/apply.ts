/**
 * Returns, writes (docs/flows.md, "Returns"):
 * - Shopify → Odoo: every return of the order is re-read and applied (apply_return follows the
 *   return's life: requested, approved, processed with dispositions, declined, cancelled, closed;
 *   a return already applied answers `unchanged`). A refusal is written on the sale order too.
 * - Odoo → Shopify: a return picking validated in Odoo becomes (or completes) a Shopify return,
 *   processed as RESTOCKED at the Shopify location of its warehouse.
 */
import type { ApplyReturnResult, FulfillmentDocument } from '../../odoo/contract.js';
import { PermanentError, RetryableError } from '../../queue/errors.js';
import { ShopifyError, ShopifyUserErrors } from '../../shopify/errors.js';
import type { FlowContext } from '../context.js';
import { showRefusalOnOrder } from '../sale-order.js';
import { requestStockPush } from '../inventory/apply.js';
import {
  byLine,
  isMadeInOdoo,
  odooReturnNote,
  planReturnCreate,
  planReturnProcess,
  returnDocument,
  returnForPicking,
  type LineQuantities,
  type ProcessLine,
  type ShopifyReturn,
} from './map.js';
import { LANE, readOrderReturns, readReturn } from './read.js';

export interface AppliedReturn {
  returnGid: string;
  result: ApplyReturnResult;
}

/** Re-reads every return of the order and applies it in Odoo, oldest first. */
export async function applyOrderReturns(ctx: FlowContext, orderGid: string): Promise<AppliedReturn[]> {
  const order = await readOrderReturns(ctx, orderGid);
  const out: AppliedReturn[] = [];
  for (const { id } of order.returns.nodes) {
    const ret = await readReturn(ctx, id);
    // Made for an Odoo return picking (return.done): Odoo holds its picking already.
    if (isMadeInOdoo(ret)) continue;
    try {
      out.push({ returnGid: id, result: await ctx.odoo.applyReturn(returnDocument(ret)) });
    } catch (error) {
      throw await showRefusalOnOrder(ctx, orderGid, `Shopify return ${ret.name} not applied`, error);
    }
  }
  return out;
}

// ---- Returns received in Odoo → Shopify ----

export interface ReturnSent {
  outcome: 'sent' | 'unchanged' | 'skipped' | 'waiting';
  returnGid: string | null;
  processed: number;
}

/**
 * A return picking validated in Odoo (return.done): the Shopify return it belongs to — made here
 * with returnCreate when the picking was returned in Odoo, read back first after an unanswered
 * attempt — then the units received and not processed in Shopify yet processed as RESTOCKED at the
 * Shopify location of the warehouse they came back to, and the stock re-pushed so Odoo's quantity
 * stays the one Shopify holds (docs/flows.md, "Returns received in Odoo").
 */
export async function returnReceivedInOdoo(ctx: FlowContext, pickingId: number): Promise<ReturnSent> {
  const doc = await ctx.odoo.exportDelivery({ picking_id: pickingId });
  if (!doc.is_return || doc.state !== 'done') return { outcome: 'skipped', returnGid: doc.return_gid ?? null, processed: 0 };
  const location = doc.location_gid;
  if (!location) {
    const message = `Return ${doc.name} not sent to Shopify: its warehouse is not mapped to a Shopify location (Shopify > Locations), so Shopify cannot restock it. Map it, then Retry.`;
    await ctx.odoo.recordSyncResult({ model: 'stock.picking', res_id: pickingId, state: 'error', message });
    throw new PermanentError(`returns: ${message}`);
  }
  const received = byLine(doc.return_gid ? (doc.return_received ?? []) : doc.lines);
  const ret = doc.return_gid ? await readReturn(ctx, doc.return_gid) : await returnForOdooPicking(ctx, doc, received);
  const lines = planReturnProcess(ret, received, location);
  if (lines.length && doc.await_credit_note) {
    // Refunded with the Shopify return (Settings → Shopify): the credit note of these units
    // processes it, with its refund (the refunds flow, processReturnWithRefund).
    await ctx.odoo.recordSyncResult({ model: 'stock.picking', res_id: pickingId, state: 'pending', message: waitingMessage(ret.name) });
    return { outcome: 'waiting', returnGid: ret.id, processed: 0 };
  }
  if (lines.length) await processReturn(ctx, doc, ret, lines);
  const processed = lines.reduce((s, l) => s + l.quantity, 0);
  await ctx.odoo.recordSyncResult({
    model: 'stock.picking',
    res_id: pickingId,
    state: 'synced',
    message: processed ? `Shopify return ${ret.name}: ${processed} unit(s) restocked at the Shopify location.` : null,
  });
  if (processed)
    await requestStockPush(ctx, {
      skus: [...new Set(doc.lines.flatMap((l) => (l.sku ? [l.sku] : [])))],
      locationGids: [location],
      reason: `return:${pickingId}:${ret.id}`,
    }).catch((error: unknown) =>
      ctx.logger.warn('returns: could not ask for the stock re-push; the inventory reconcile will repair it', { pickingId, error }),
    );
  return { outcome: processed || !doc.return_gid ? 'sent' : 'unchanged', returnGid: ret.id, processed };
}

/** What a return picking waiting for its credit note says in Odoo. */
export const waitingMessage = (returnName: string) =>
  `Waiting for the credit note to process Shopify return ${returnName}: Shopify processes it with the credit note's refund when the credit note of these units is posted. No refund for it? Process in Shopify without a refund.`;

/** The Shopify return of a picking returned in Odoo: found by its note, else created; bound to the picking. */
async function returnForOdooPicking(ctx: FlowContext, doc: FulfillmentDocument, received: LineQuantities): Promise<ShopifyReturn> {
  const note = odooReturnNote(doc);
  const order = await readOrderReturns(ctx, doc.order_gid);
  const existing = await Promise.all(order.returns.nodes.map((r) => readReturn(ctx, r.id)));
  let ret = returnForPicking(existing, note);
  if (!ret) {
    const { returnableFulfillments } = await ctx.shopify.request('ReturnableFulfillments', { orderId: doc.order_gid }, { lane: LANE });
    const plan = planReturnCreate(received, returnableFulfillments.nodes, note);
    const missing = Object.entries(plan.missing).map(([line, q]) => `${q} × ${line}`);
    if (missing.length || !plan.lines.length) {
      const message = `Return ${doc.name} not sent to Shopify: Shopify has nothing returnable for ${missing.join(', ') || 'its lines'} (not fulfilled in Shopify, or returned already). Process it in Shopify by hand, then mark this picking done in Shopify > Errors.`;
      await ctx.odoo.recordSyncResult({ model: 'stock.picking', res_id: doc.picking_id, state: 'error', message });
      throw new PermanentError(`returns: ${message}`);
    }
    const created = await createShopifyReturn(ctx, doc, plan.lines);
    ret = await readReturn(ctx, created);
  }
  // The Return GID on the picking: a binding field (record_sync_result writes shopify_return_gid).
  await ctx.odoo.recordSyncResult({ model: 'stock.picking', res_id: doc.picking_id, state: 'pending', shopify_gid: ret.id });
  return ret;
}

async function createShopifyReturn(
  ctx: FlowContext,
  doc: FulfillmentDocument,
  lines: Array<{ fulfillmentLineItemId: string; quantity: number; returnReasonNote: string }>,
): Promise<string> {
  try {
    const answer = await ctx.shopify.request(
      'ReturnCreate',
      { returnInput: { orderId: doc.order_gid, returnLineItems: lines } },
      { lane: LANE },
    );
    const gid = answer.returnCreate?.return?.id;
    if (!gid) throw new PermanentError(`returns: returnCreate for ${doc.name} returned no return`);
    ctx.logger.info('returns: a return received in Odoo created in Shopify', {
      pickingId: doc.picking_id,
      returnGid: gid,
      step: 'created',
    });
    return gid;
  } catch (error) {
    throw await refusedOnPicking(ctx, doc, 'return', error);
  }
}

async function processReturn(ctx: FlowContext, doc: FulfillmentDocument, ret: ShopifyReturn, lines: ProcessLine[]): Promise<void> {
  try {
    await ctx.shopify.request('ReturnProcess', { input: { returnId: ret.id, returnLineItems: lines } }, { lane: LANE });
  } catch (error) {
    throw await refusedOnPicking(ctx, doc, 'return processing', error);
  }
  ctx.logger.info('returns: units received in Odoo processed in Shopify', {
    pickingId: doc.picking_id,
    returnGid: ret.id,
    step: 'processed',
    units: lines.reduce((s, l) => s + l.quantity, 0),
  });
}

/** Shopify refused: the picking says so in Odoo. An unanswered call is retried; the retry reads back. */
async function refusedOnPicking(ctx: FlowContext, doc: FulfillmentDocument, what: string, error: unknown): Promise<unknown> {
  if (error instanceof ShopifyUserErrors && !error.retryable) {
    const message = `Shopify refused the ${what} for ${doc.name}: ${error.userErrors.map((e) => e.message).join('; ')}`;
    await ctx.odoo.recordSyncResult({ model: 'stock.picking', res_id: doc.picking_id, state: 'error', message });
    return new PermanentError(`returns: ${message}`, { cause: error });
  }
  if (error instanceof ShopifyError && error.mayHaveExecuted)
    return new RetryableError(`returns: the ${what} for ${doc.name} got no answer; the retry reads the return back before writing again`, {
      cause: error,
    });
  return error;
}
