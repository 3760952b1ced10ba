/**
 * The Odoo sale order of a Shopify order, as the money and shipping flows need it: whether Odoo
 * has imported the order (a refund, return, fulfillment or payment waits for it), and a refusal
 * only a user can fix shown on the order itself.
 */
import { OdooPermanentError } from '../odoo/errors.js';
import { PermanentError } from '../queue/errors.js';
import type { FlowContext } from './context.js';

/** The sale order Odoo imported for the Shopify order, or null (not imported yet). */
export async function saleOrderOf(ctx: Pick<FlowContext, 'odoo'>, orderGid: string): Promise<number | null> {
  const [status] = (await ctx.odoo.orderStatus({ order_gids: [orderGid] })).orders;
  return status?.found ? status.sale_order_id : null;
}

/** Whether Odoo has imported the order (its Shopify GID bound to a sale order). */
export async function orderInOdoo(ctx: Pick<FlowContext, 'odoo'>, orderGid: string): Promise<boolean> {
  return (await saleOrderOf(ctx, orderGid)) !== null;
}

/**
 * A refusal only a user can fix (bad input, Odoo's or the flow's own): the sale order's binding
 * says what was not applied and why, in Odoo, and the job goes on to the DLQ with the same
 * reason. `order` is the sale order's ID, or the Shopify order's GID when the caller has not read
 * it. Returns the error, for the caller to throw; any other error is returned untouched.
 */
export async function showRefusalOnOrder(
  ctx: Pick<FlowContext, 'odoo' | 'logger'>,
  order: number | string,
  what: string,
  error: unknown,
): Promise<unknown> {
  if (!(error instanceof OdooPermanentError) && !(error instanceof PermanentError)) return error;
  const message = error.message.replace(/^odoo shopify\.sync\.api\.\w+: \w+: /, '');
  const saleOrderId = typeof order === 'number' ? order : await saleOrderOf(ctx, order).catch(() => null);
  if (saleOrderId === null) return error;
  await ctx.odoo
    .recordSyncResult({ model: 'sale.order', res_id: saleOrderId, state: 'error', message: `${what}: ${message}` })
    .catch((markError: unknown) =>
      ctx.logger.warn('could not show the refusal on the sale order', { saleOrderId, what, error: markError }),
    );
  return error;
}
