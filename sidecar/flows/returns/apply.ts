/**
 * Returns, writes (docs/flows.md, "Returns"):
 * - Shopify → Odoo: every return of the order is re-read and applied (apply_return follows the
 *   return's life: requested, approved, processed with dispositions, declined, cancelled, closed;
 *   a return already applied answers `unchanged`). A refusal is written on the sale order too.
 * - Odoo → Shopify: a return picking received in Odoo is not sent to Shopify by this release; the
 *   picking says so, in Odoo, where the user processes the return in Shopify by hand.
 */
import type { ApplyReturnResult } from '../../odoo/contract.js';
import { OdooPermanentError } from '../../odoo/errors.js';
import { PermanentError } from '../../queue/errors.js';
import type { FlowContext } from '../context.js';
import { returnDocument } from './map.js';
import { readOrderReturns, readReturn } from './read.js';

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
    try {
      out.push({ returnGid: id, result: await ctx.odoo.applyReturn(returnDocument(ret)) });
    } catch (error) {
      throw await showOnOrder(ctx, orderGid, ret.name, error);
    }
  }
  return out;
}

/** A return Odoo refuses can only be fixed by a user: the sale order's binding says why. */
async function showOnOrder(ctx: FlowContext, orderGid: string, name: string, error: unknown): Promise<unknown> {
  if (!(error instanceof OdooPermanentError) && !(error instanceof PermanentError)) return error;
  const message = error.message.replace(/^odoo shopify\.sync\.api\.\w+: \w+: /, '');
  const [status] = (await ctx.odoo.orderStatus({ order_gids: [orderGid] }).catch(() => ({ orders: [] }))).orders;
  if (status?.found && status.sale_order_id !== null)
    await ctx.odoo
      .recordSyncResult({
        model: 'sale.order',
        res_id: status.sale_order_id,
        state: 'error',
        message: `Shopify return ${name} not applied: ${message}`,
      })
      .catch((markError: unknown) =>
        ctx.logger.warn('returns: could not show the refusal on the sale order', { orderGid, error: markError }),
      );
  return error;
}

/** A return received in Odoo: shown on the picking as not sent to Shopify (see the header). */
export async function returnReceivedInOdoo(ctx: FlowContext, pickingId: number): Promise<void> {
  await ctx.odoo.recordSyncResult({
    model: 'stock.picking',
    res_id: pickingId,
    state: 'error',
    message: 'Return received in Odoo: not sent to Shopify by this release; process the return (and restock) in Shopify',
  });
}
