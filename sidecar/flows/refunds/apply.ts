/**
 * Refunds, writes (docs/flows.md, "Refunds"):
 * - Shopify → Odoo: the order's refunds Odoo has not applied, each re-read and applied
 *   (apply_refund); a refusal is written on the sale order too, where the user sees it.
 * - Odoo → Shopify: a credit note posted in Odoo becomes a refundCreate with an idempotency key
 *   derived from the credit note, journaled first; a call without answer is resolved by reading
 *   the order's refunds back, never by writing again blind; a refusal (more than Shopify can
 *   refund, Shopify's userErrors) is written on the credit note. A credit note of exactly the
 *   units of a return received in Odoo that waits for it is that return's refund instead:
 *   returnProcess with the dispositions and the financial transfer, journaled the same way.
 */
import type { OutboxJob } from '../../jobs.js';
import type { ApplyRefundResult, CreditNoteDocument, FulfillmentDocument } from '../../odoo/contract.js';
import { PermanentError, RetryableError } from '../../queue/errors.js';
import { ShopifyError, ShopifyUserErrors } from '../../shopify/errors.js';
import { idempotencyKey } from '../../shopify/idempotency.js';
import type { FlowContext } from '../context.js';
import { showRefusalOnOrder } from '../sale-order.js';
import { requestStockPush } from '../inventory/apply.js';
import { byLine, planReturnProcess, processedUnits, type ProcessLine, type ShopifyReturn } from '../returns/map.js';
import { readReturn } from '../returns/read.js';
import { ignored, type JobOutcome } from '../define-flow.js';
import {
  editBalanceOf,
  findSentRefund,
  givesBeyondGoods,
  moveIdOf,
  planCreditNoteRefund,
  refundDocument,
  refundsToApply,
  refundTransactions,
  returnForCreditNote,
  returnTransactions,
  withEditBalance,
  type CreditNoteRefund,
} from './map.js';
import { LANE, exportCreditNote, readOrderEditBalance, readOrderRefunds, readRefund, readRefundable, refundStatuses } from './read.js';
import type { RefundIntent, RefundStore } from './store.js';

export interface AppliedRefund {
  refundGid: string;
  result: ApplyRefundResult;
}

/** Re-reads one Shopify refund and applies it in Odoo; a refusal is shown on the sale order too. */
export async function importRefund(ctx: FlowContext, store: RefundStore, refundGid: string): Promise<AppliedRefund> {
  const refund = await readRefund(ctx, refundGid);
  const madeFrom = await store.moveFor(refundGid);
  if (madeFrom !== undefined) {
    // Made by the sidecar from an Odoo credit note: bound to it before Odoo sees the refund, so the
    // addon recognises it (also after a crash between refundCreate and the first record).
    await ctx.odoo.recordSyncResult({ model: 'account.move', res_id: madeFrom, state: 'synced', shopify_gid: refundGid });
  }
  let document;
  try {
    document = refundDocument(refund, Boolean(refund.order.taxesIncluded));
  } catch (error) {
    throw await showRefusalOnOrder(ctx, refund.order.id, 'Shopify refund not applied', error);
  }
  // Money beyond the goods may repay an order edit, which Odoo credits through the edit.
  if (givesBeyondGoods(document)) {
    const balance = await readOrderEditBalance(ctx, refund.order.id);
    const paid = document.presentment ? editBalanceOf(refundGid, balance, 'presentmentMoney') : undefined;
    document = withEditBalance(document, editBalanceOf(refundGid, balance), refund.totalRefundedSet.shopMoney.currencyCode, paid);
  }
  try {
    return { refundGid, result: await ctx.odoo.applyRefund(document) };
  } catch (error) {
    throw await showRefusalOnOrder(ctx, refund.order.id, 'Shopify refund not applied', error);
  }
}

/** Applies every refund of the order that Odoo has not applied, oldest first. */
export async function applyOrderRefunds(ctx: FlowContext, store: RefundStore, orderGid: string): Promise<AppliedRefund[]> {
  const order = await readOrderRefunds(ctx, orderGid);
  const todo = refundsToApply(
    order.refunds,
    await refundStatuses(
      ctx,
      order.refunds.map((r) => r.id),
    ),
  );
  const applied: AppliedRefund[] = [];
  for (const refundGid of todo) {
    const done = await importRefund(ctx, store, refundGid);
    applied.push(done);
    ctx.logger.log(done.result.status === 'flagged' ? 'warn' : 'info', `refunds: refund ${done.result.status} in Odoo`, {
      entityType: 'Refund',
      entityId: refundGid,
      orderGid,
      creditNoteId: done.result.credit_note_id,
      amountTotal: done.result.amount_total,
      ...(done.result.message ? { odooMessage: done.result.message } : {}),
    });
  }
  return applied;
}

// ---- Odoo credit note → Shopify refund ----

/** The outcome of a credit_note.posted job: the credit note refunded in Shopify, or why not. */
export async function creditNotePosted(ctx: FlowContext, store: RefundStore, job: OutboxJob<'credit_note.posted'>): Promise<JobOutcome> {
  const moveId = moveIdOf(job);
  const cn = await exportCreditNote(ctx, moveId);
  const fields = { creditNote: cn.name, orderGid: cn.order_gid };
  if (cn.state !== 'posted') return ignored('skipped', `the credit note is ${cn.state}`, { fields });
  if (cn.refund_gid)
    return ignored('unchanged', `already a Shopify refund (${cn.refund_gid})`, { fields: { ...fields, refundGid: cn.refund_gid } });
  const order = await readOrderRefunds(ctx, cn.order_gid);
  const intent =
    (await store.get(moveId)) ??
    (await store.open(
      moveId,
      cn.order_gid,
      order.refunds.map((r) => r.id),
    ));
  const found = resolvePending(intent, order.refunds);
  if (found) {
    await store.claim(moveId, found);
    await ctx.odoo.recordSyncResult({ model: 'account.move', res_id: moveId, state: 'synced', shopify_gid: found });
    const pickingId = intent.pending?.pickingId;
    if (pickingId !== undefined) await returnRefunded(ctx, await ctx.odoo.exportDelivery({ picking_id: pickingId }), cn.name, found);
    ctx.logger.info('refunds: the unanswered refundCreate had happened; found by read-back, not repeated', { ...fields, refundGid: found });
    return {
      outcome: 'resolved',
      message: 'refunds: the credit note was refunded in Shopify already',
      fields: { ...fields, refundGid: found },
    };
  }
  if (intent.pending) {
    await store.setPending(moveId, null);
    ctx.logger.info('refunds: the unanswered refundCreate had not happened; writing again', fields);
  }
  const refundGid = await refundInShopify(ctx, store, cn);
  return { outcome: 'created', message: 'refunds: credit note refunded in Shopify', fields: { ...fields, refundGid } };
}

/** The refund a write left in flight produced, when the read-back finds it. */
function resolvePending(intent: RefundIntent, refunds: Parameters<typeof findSentRefund>[1]): string | undefined {
  if (intent.refund_gid) return intent.refund_gid;
  if (!intent.pending) return undefined;
  return findSentRefund(intent.pending, refunds, new Set(intent.known_refunds))?.id;
}

async function refundInShopify(ctx: FlowContext, store: RefundStore, cn: CreditNoteDocument): Promise<string> {
  let plan: CreditNoteRefund;
  let transactions;
  let linked: { waiting: WaitingReturn; transactions: ReturnType<typeof returnTransactions> } | undefined;
  try {
    const first = await readRefundable(ctx, cn.order_gid, []);
    plan = planCreditNoteRefund(cn, first);
    // In the shop currency and without a duty: the refund of a return waiting for it, if any.
    const waiting = plan.currency || plan.duties.length ? undefined : await waitingReturnFor(ctx, cn);
    if (waiting) linked = { waiting, transactions: returnTransactions(refundTransactions(cn, first, plan.amount), first.currencyCode) };
    const order = plan.lines.length && !linked ? await readRefundable(ctx, cn.order_gid, plan.lines) : first;
    transactions = refundTransactions(cn, order, plan.amount, plan.currency);
  } catch (error) {
    throw await showOnCreditNote(ctx, cn, error);
  }
  if (linked) return refundWithReturn(ctx, store, cn, plan, linked.waiting, linked.transactions);
  // Journal what is sent before sending it: if no answer comes, the next attempt reads back.
  await store.setPending(cn.move_id, { note: plan.note, amount: cn.amount_total, ...(plan.currency ? { currency: plan.currency } : {}) });
  let refundGid: string | undefined;
  try {
    const answer = await ctx.shopify.request(
      'RefundCreate',
      {
        input: {
          orderId: cn.order_gid,
          note: plan.note,
          notify: false,
          refundLineItems: plan.lines,
          ...(plan.duties.length ? { refundDuties: plan.duties } : {}),
          transactions,
          // Required when the customer paid in another currency than the shop's: theirs.
          ...(plan.currency ? { currency: plan.currency } : {}),
        },
      },
      // The key makes a retry safe on Shopify's side, but the flow still reads back first (retrySafe false).
      {
        lane: LANE,
        idempotencyKey: idempotencyKey({ flow: 'refunds', entity: `odoo:account.move:${cn.move_id}`, version: cn.name }),
        retrySafe: false,
      },
    );
    refundGid = answer.refundCreate?.refund?.id;
  } catch (error) {
    throw await settleFailedRefund(ctx, store, cn, error);
  }
  if (!refundGid) throw new PermanentError(`refunds: refundCreate for ${cn.name} returned no refund`);
  await store.claim(cn.move_id, refundGid);
  await ctx.odoo.recordSyncResult({ model: 'account.move', res_id: cn.move_id, state: 'synced', shopify_gid: refundGid });
  ctx.logger.info('refunds: credit note refunded in Shopify', {
    creditNote: cn.name,
    orderGid: cn.order_gid,
    refundGid,
    lines: plan.lines.length,
    amount: cn.amount_total,
  });
  return refundGid;
}

/** A return received in Odoo, waiting for its credit note: what processing it would process. */
interface WaitingReturn {
  doc: FulfillmentDocument;
  ret: ShopifyReturn;
  lines: ProcessLine[];
  units: Record<string, number>;
}

/** The order's waiting return (export_credit_note's waiting_returns) whose units the credit note credits exactly. */
async function waitingReturnFor(ctx: FlowContext, cn: CreditNoteDocument): Promise<WaitingReturn | undefined> {
  const waiting: WaitingReturn[] = [];
  for (const pickingId of cn.waiting_returns ?? []) {
    const doc = await ctx.odoo.exportDelivery({ picking_id: pickingId });
    // Not made in Shopify yet (its return.done job has not run), or not restockable there: refunded on its own.
    if (!doc.return_gid || !doc.location_gid || doc.state !== 'done') continue;
    const ret = await readReturn(ctx, doc.return_gid);
    const lines = planReturnProcess(ret, byLine(doc.return_received ?? []), doc.location_gid);
    if (lines.length) waiting.push({ doc, ret, lines, units: processedUnits(ret, lines) });
  }
  return returnForCreditNote(cn, waiting);
}

/**
 * The credit note as the refund of the return it credits: returnProcess with the units received
 * in Odoo (RESTOCKED) and the financial transfer, journaled first like a refundCreate; the refund
 * is the return's new one. Then the picking is synced and the stock re-pushed (Shopify's restock
 * added the units to its on_hand; Odoo's quantity is the one that counts).
 */
async function refundWithReturn(
  ctx: FlowContext,
  store: RefundStore,
  cn: CreditNoteDocument,
  plan: CreditNoteRefund,
  w: WaitingReturn,
  orderTransactions: ReturnType<typeof returnTransactions>,
): Promise<string> {
  await store.setPending(cn.move_id, { note: plan.note, amount: cn.amount_total, returnGid: w.ret.id, pickingId: w.doc.picking_id });
  const known = new Set((await store.get(cn.move_id))?.known_refunds ?? []);
  let refundGid: string | undefined;
  try {
    const answer = await ctx.shopify.request(
      'ReturnProcess',
      {
        input: {
          returnId: w.ret.id,
          returnLineItems: w.lines,
          financialTransfer: { issueRefund: { orderTransactions } },
          note: plan.note,
          notifyCustomer: false,
        },
      },
      // No idempotency key on returnProcess: a retry reads the order's refunds back first.
      { lane: LANE, retrySafe: false },
    );
    refundGid = answer.returnProcess?.return?.refunds.nodes.find((r) => !known.has(r.id))?.id;
  } catch (error) {
    throw await settleFailedRefund(ctx, store, cn, error);
  }
  if (!refundGid) throw new PermanentError(`refunds: returnProcess of ${w.ret.name} for ${cn.name} made no refund`);
  await store.claim(cn.move_id, refundGid);
  await ctx.odoo.recordSyncResult({ model: 'account.move', res_id: cn.move_id, state: 'synced', shopify_gid: refundGid });
  await returnRefunded(ctx, w.doc, cn.name, refundGid);
  ctx.logger.info('refunds: credit note refunded in Shopify with the return it credits', {
    creditNote: cn.name,
    orderGid: cn.order_gid,
    refundGid,
    returnGid: w.ret.id,
    pickingId: w.doc.picking_id,
    amount: cn.amount_total,
  });
  return refundGid;
}

/** The return picking a credit note's returnProcess processed: synced in Odoo, its stock re-pushed. */
async function returnRefunded(ctx: FlowContext, doc: FulfillmentDocument, creditNote: string, refundGid: string): Promise<void> {
  await ctx.odoo.recordSyncResult({
    model: 'stock.picking',
    res_id: doc.picking_id,
    state: 'synced',
    message: `Processed in Shopify with the refund of credit note ${creditNote} (${refundGid}).`,
  });
  if (doc.location_gid)
    await requestStockPush(ctx, {
      skus: [...new Set(doc.lines.flatMap((l) => (l.sku ? [l.sku] : [])))],
      locationGids: [doc.location_gid],
      reason: `return:${doc.picking_id}:${refundGid}`,
    }).catch((error: unknown) =>
      ctx.logger.warn('refunds: could not ask for the stock re-push; the inventory reconcile will repair it', {
        pickingId: doc.picking_id,
        error,
      }),
    );
}

/** A credit note Shopify cannot refund as it is: the reason goes on the credit note, the job to the DLQ. */
async function showOnCreditNote(ctx: FlowContext, cn: CreditNoteDocument, error: unknown): Promise<unknown> {
  if (!(error instanceof PermanentError)) return error;
  await ctx.odoo.recordSyncResult({ model: 'account.move', res_id: cn.move_id, state: 'error', message: error.message });
  return error;
}

/** After a failed refundCreate: what the journal and the credit note must say, and the error to throw. */
async function settleFailedRefund(ctx: FlowContext, store: RefundStore, cn: CreditNoteDocument, error: unknown): Promise<unknown> {
  if (error instanceof ShopifyUserErrors && !error.retryable) {
    await store.setPending(cn.move_id, null);
    const message = `Shopify refused the refund of ${cn.name}: ${error.userErrors.map((e) => e.message).join('; ')}`;
    await ctx.odoo.recordSyncResult({ model: 'account.move', res_id: cn.move_id, state: 'error', message });
    return new PermanentError(`refunds: ${message}`, { cause: error });
  }
  if (error instanceof ShopifyError && error.mayHaveExecuted) {
    return new RetryableError(
      `refunds: refundCreate for ${cn.name} got no answer; the retry reads the order's refunds back before writing again`,
      {
        cause: error,
        details: { moveId: cn.move_id, orderGid: cn.order_gid },
      },
    );
  }
  if (error instanceof ShopifyError) await store.setPending(cn.move_id, null); // certainly not executed
  return error;
}
