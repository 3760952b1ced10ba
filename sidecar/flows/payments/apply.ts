/**
 * Payments, writes (docs/flows.md, "Payments"): the order's transactions re-read from Shopify and
 * sent whole to Odoo (apply_payments), which books what it has not booked. A refusal (a malformed
 * transaction) is written on the sale order, where the user sees it, and the job goes to the DLQ
 * with the same words; a held order (unmapped gateway) is a warning, already on the order.
 */
import { WaitingError } from '../../queue/errors.js';
import type { FlowContext } from '../context.js';
import { ignored, type JobOutcome } from '../define-flow.js';
import { saleOrderOf, showRefusalOnOrder } from '../sale-order.js';
import { paymentsDocument } from './map.js';
import { readOrderTransactions } from './read.js';

export async function applyOrderPayments(ctx: FlowContext, orderGid: string): Promise<JobOutcome> {
  const saleOrderId = await saleOrderOf(ctx, orderGid);
  // Payments and orders have their own queues: a payment job can run before the order's import;
  // it waits, retried with the queue's backoff (the import sends another one anyway).
  if (saleOrderId === null)
    throw new WaitingError(`order ${orderGid} in Odoo`, `payments: order ${orderGid} is not imported in Odoo yet; retried until it is`);
  const document = paymentsDocument(await readOrderTransactions(ctx, orderGid));
  let result;
  try {
    result = await ctx.odoo.applyPayments(document);
  } catch (error) {
    throw await showRefusalOnOrder(ctx, saleOrderId, 'Shopify payments not booked', error);
  }
  const fields = {
    orderGid,
    saleOrderId,
    transactions: document.transactions.length,
    payments: result.payments.map((p) => p.payment_id),
    invoiceId: result.invoice_id,
  };
  if (result.status === 'held')
    return {
      outcome: 'held',
      level: 'warn',
      message: 'payments held in Odoo (binding in error; map the gateway, then Retry)',
      fields: { ...fields, odooMessage: result.message ?? null },
    };
  if (result.status === 'disabled') return ignored('skipped', result.message ?? 'no payment gateway is mapped in Odoo', { fields });
  if (result.status === 'unchanged') return { outcome: 'unchanged', message: 'payments: nothing new to book', fields };
  return { outcome: 'applied', message: 'payments: booked in Odoo', fields };
}
