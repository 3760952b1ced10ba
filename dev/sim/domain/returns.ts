/**
 * Returns as Shopify documents them (2025-07 return processing): a customer requests a return
 * (REQUESTED) that the merchant approves (OPEN) or declines (DECLINED), or the merchant creates
 * one already approved (returnCreate, OPEN). Processing (returnProcess) confirms quantities, gives
 * each unit a disposition (RESTOCKED at a location, NOT_RESTOCKED, MISSING) and may refund; a
 * return whose lines are all processed closes. Cancelling is possible only before any work was
 * done; a closed return can be reopened. Each step emits its `returns/*` webhook (payloads in
 * ../return-payloads.ts) and `orders/updated`.
 *
 * Returns reference fulfillment line items (refunds reference line items), so a return over two
 * fulfillments has two return lines. Each return has one reverse fulfillment order whose line
 * items mirror the return lines.
 */
import { refundPayload } from '../payloads.js';
import * as q from '../quantities.js';
import { returnPayload } from '../return-payloads.js';
import type { Refund, Return, ReturnDisposition, ReturnLine } from '../state.js';
import { activateLevel, applyQuantities, levelEvent } from './catalog.js';
import { fail, nextId, nowIso, type DomainContext, type SimEvent } from './context.js';
import { orderEvent, recordRefund, requireOrder, touch } from './orders.js';

export type DispositionType = ReturnDisposition['type'];

export interface ReturnLineInput {
  fulfillmentLineItemId: number;
  quantity: number;
  returnReasonNote?: string;
}

export function requireReturn(ctx: DomainContext, id: number): Return {
  const ret = ctx.state.returns.find((r) => r.id === id);
  if (!ret) fail('Return does not exist.', ['id'], 'NOT_FOUND');
  return ret;
}

/** The ReverseFulfillmentOrderLineItem id of a return line (older saved states: derived). */
export const reverseLineIdOf = (line: ReturnLine): number => line.reverseLineId ?? line.id * 10 + 7;
export const reverseOrderIdOf = (ret: Return): number => ret.reverseFulfillmentOrderId ?? ret.id * 10 + 7;

function emitReturn(ctx: DomainContext, ret: Return, topic: string, extra: SimEvent[] = []): void {
  const order = requireOrder(ctx, ret.orderId);
  ret.updatedAt = nowIso(ctx);
  touch(ctx, order);
  ctx.emit([{ topic, payload: returnPayload(ctx.state, ret, topic) }, ...extra, orderEvent(ctx, order, 'orders/updated')]);
}

function buildReturn(ctx: DomainContext, orderId: number, lines: ReturnLineInput[], status: 'OPEN' | 'REQUESTED'): Return {
  const order = requireOrder(ctx, orderId);
  if (lines.length === 0) fail('A return needs at least one line', ['returnLineItems']);
  const now = nowIso(ctx);
  const asked = new Map<number, number>();
  const built: ReturnLine[] = lines.map((l, index) => {
    const fli = ctx.state.fulfillments
      .filter((f) => f.orderId === order.id && f.status === 'SUCCESS')
      .flatMap((f) => f.lineItems)
      .find((x) => x.id === l.fulfillmentLineItemId);
    if (!fli) fail('Fulfillment line item does not exist.', ['returnLineItems', String(index), 'fulfillmentLineItemId'], 'NOT_FOUND');
    const alreadyReturned = ctx.state.returns
      .flatMap((r) => (r.status === 'CANCELED' || r.status === 'DECLINED' ? [] : r.lines))
      .filter((x) => x.fulfillmentLineItemId === fli.id)
      .reduce((s, x) => s + x.quantity, 0);
    const left = fli.quantity - alreadyReturned - (asked.get(fli.id) ?? 0);
    if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > left) {
      fail(`Quantity ${l.quantity} is not returnable (${left} left)`, ['returnLineItems', String(index), 'quantity'], 'INVALID');
    }
    asked.set(fli.id, (asked.get(fli.id) ?? 0) + l.quantity);
    return {
      id: nextId(ctx),
      fulfillmentLineItemId: fli.id,
      lineItemId: fli.lineItemId,
      quantity: l.quantity,
      processedQuantity: 0,
      returnReasonNote: l.returnReasonNote ?? '',
      reverseLineId: nextId(ctx),
      dispositions: [],
    };
  });
  const ret: Return = {
    id: nextId(ctx),
    orderId: order.id,
    name: `${order.name}-R${ctx.state.returns.filter((r) => r.orderId === order.id).length + 1}`,
    status,
    lines: built,
    reverseFulfillmentOrderId: nextId(ctx),
    decline: null,
    requestApprovedAt: status === 'OPEN' ? now : null,
    closedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  ctx.state.returns.push(ret);
  return ret;
}

/** returnCreate: an OPEN return, "assumes that the return request from the customer has already been approved". */
export function createReturn(ctx: DomainContext, orderId: number, lines: ReturnLineInput[]): Return {
  const ret = buildReturn(ctx, orderId, lines, 'OPEN');
  // Simulator choice: a return created already approved announces itself as approved.
  emitReturn(ctx, ret, 'returns/approve');
  return ret;
}

/** returnRequest: the customer asks; the return waits for the merchant (REQUESTED). */
export function requestReturn(ctx: DomainContext, orderId: number, lines: ReturnLineInput[]): Return {
  const ret = buildReturn(ctx, orderId, lines, 'REQUESTED');
  emitReturn(ctx, ret, 'returns/request');
  return ret;
}

function expectStatus(ret: Return, allowed: Return['status'][], action: string): void {
  if (!allowed.includes(ret.status)) fail(`Return is ${ret.status.toLowerCase()}; it cannot be ${action}.`, ['id'], 'INVALID_STATE');
}

export function approveReturn(ctx: DomainContext, id: number): Return {
  const ret = requireReturn(ctx, id);
  expectStatus(ret, ['REQUESTED'], 'approved');
  ret.status = 'OPEN';
  ret.requestApprovedAt = nowIso(ctx);
  emitReturn(ctx, ret, 'returns/approve');
  return ret;
}

export function declineReturn(
  ctx: DomainContext,
  id: number,
  decline: { reason: 'FINAL_SALE' | 'OTHER' | 'RETURN_PERIOD_ENDED'; note: string | null },
): Return {
  const ret = requireReturn(ctx, id);
  expectStatus(ret, ['REQUESTED'], 'declined');
  ret.status = 'DECLINED';
  ret.decline = decline;
  emitReturn(ctx, ret, 'returns/decline');
  return ret;
}

/** returnCancel: "only available before any work has been done on the return (such as an inspection or refund)". */
export function cancelReturn(ctx: DomainContext, id: number): Return {
  const ret = requireReturn(ctx, id);
  expectStatus(ret, ['REQUESTED', 'OPEN'], 'canceled');
  if (ret.lines.some((l) => l.processedQuantity > 0) || ctx.state.refunds.some((r) => r.returnId === ret.id))
    fail('Return has been processed or refunded; it cannot be canceled.', ['id'], 'INVALID_STATE');
  ret.status = 'CANCELED';
  emitReturn(ctx, ret, 'returns/cancel');
  return ret;
}

export function closeReturn(ctx: DomainContext, id: number): Return {
  const ret = requireReturn(ctx, id);
  expectStatus(ret, ['OPEN'], 'closed');
  ret.status = 'CLOSED';
  ret.closedAt = nowIso(ctx);
  emitReturn(ctx, ret, 'returns/close');
  return ret;
}

export function reopenReturn(ctx: DomainContext, id: number): Return {
  const ret = requireReturn(ctx, id);
  expectStatus(ret, ['CLOSED'], 'reopened');
  ret.status = 'OPEN';
  ret.closedAt = null;
  emitReturn(ctx, ret, 'returns/reopen');
  return ret;
}

export interface ProcessLineInput {
  /** ReturnLineItem id. */
  id: number;
  quantity: number;
  dispositions: Array<{ type: DispositionType; quantity: number; locationId: number | null }>;
}

export interface ProcessReturnInput {
  returnId: number;
  lines: ProcessLineInput[];
  /** Money to refund; omitted = no financial transfer. */
  refundAmount?: number | 'suggested';
  refundShippingFull?: boolean;
  note?: string | null;
}

/** Checks a returnProcess before anything changes: quantities within the unprocessed ones, dispositions adding up, a location for RESTOCKED. */
function planProcess(ctx: DomainContext, ret: Return, input: ProcessReturnInput) {
  const asked = new Map<number, number>();
  return input.lines.map((l, index) => {
    const field = ['input', 'returnLineItems', String(index)];
    const line = ret.lines.find((x) => x.id === l.id);
    if (!line) fail('Return line item does not exist.', [...field, 'id'], 'NOT_FOUND');
    const open = line.quantity - line.processedQuantity - (asked.get(line.id) ?? 0);
    if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > open)
      fail('Quantity exceeds the unprocessed quantity.', [...field, 'quantity'], 'INVALID');
    asked.set(line.id, (asked.get(line.id) ?? 0) + l.quantity);
    const disposed = l.dispositions.reduce((s, d) => s + d.quantity, 0);
    if (disposed > l.quantity) fail('Dispositions exceed the processed quantity.', [...field, 'dispositions'], 'INVALID');
    l.dispositions.forEach((d, i) => {
      if (d.type === 'RESTOCKED' && d.locationId === null)
        fail(
          'A location is required when the disposition type is RESTOCKED.',
          [...field, 'dispositions', String(i), 'locationId'],
          'INVALID',
        );
      if (d.locationId !== null && !ctx.state.locations.some((x) => x.id === d.locationId))
        fail('Location does not exist.', [...field, 'dispositions', String(i), 'locationId'], 'NOT_FOUND');
    });
    const restocked = l.dispositions.filter((d) => d.type === 'RESTOCKED').reduce((s, d) => s + d.quantity, 0);
    return { l, line, restocked, locationId: l.dispositions.find((d) => d.type === 'RESTOCKED')?.locationId ?? null };
  });
}

/**
 * returnProcess: dispositions (RESTOCKED units go back on the shelf at their location), an
 * optional refund linked to the return (its lines restock type RETURN for restocked units,
 * NO_RESTOCK for the others; the stock already moved here), and the return closes once every line
 * is processed. Sends returns/process (and returns/close), refunds/create and orders/updated.
 */
export function processReturn(ctx: DomainContext, input: ProcessReturnInput): { ret: Return; refund: Refund | null } {
  const ret = requireReturn(ctx, input.returnId);
  if (ret.status !== 'OPEN') fail(`Return is ${ret.status.toLowerCase()}.`, ['input', 'returnId'], 'INVALID_STATE');
  const order = requireOrder(ctx, ret.orderId);
  // Validate the lines and record the refund (the only step that can still be refused) before any stock moves.
  const plan = planProcess(ctx, ret, input);
  let refund: Refund | null = null;
  if (input.refundAmount !== undefined) {
    refund = recordRefund(ctx, order, {
      lines: plan.flatMap((p) => {
        const rest = p.l.quantity - p.restocked;
        return [
          ...(p.restocked > 0
            ? [{ lineItemId: p.line.lineItemId, quantity: p.restocked, restockType: 'return' as const, locationId: p.locationId }]
            : []),
          ...(rest > 0 ? [{ lineItemId: p.line.lineItemId, quantity: rest, restockType: 'no_restock' as const, locationId: null }] : []),
        ];
      }),
      ...(input.refundAmount === 'suggested' ? {} : { amount: input.refundAmount }),
      shippingFull: input.refundShippingFull ?? false,
      note: input.note ?? null,
      returnId: ret.id,
      moveStock: false,
    });
  }
  const now = nowIso(ctx);
  const events: SimEvent[] = [];
  for (const p of plan) {
    p.line.processedQuantity += p.l.quantity;
    for (const d of p.l.dispositions) {
      p.line.dispositions = [
        ...(p.line.dispositions ?? []),
        { id: nextId(ctx), type: d.type, quantity: d.quantity, locationId: d.locationId, createdAt: now },
      ];
      const li = order.lineItems.find((x) => x.id === p.line.lineItemId)!;
      if (d.type === 'RESTOCKED' && d.locationId !== null && li.inventoryItemId !== null) {
        const level = activateLevel(ctx, li.inventoryItemId, d.locationId);
        if (applyQuantities(ctx, level, q.restock(level, d.quantity))) events.push(levelEvent(level));
      }
    }
  }
  const closes = ret.lines.every((x) => x.processedQuantity >= x.quantity);
  if (closes) {
    ret.status = 'CLOSED';
    ret.closedAt = now;
  }
  const extra: SimEvent[] = [];
  if (closes) extra.push({ topic: 'returns/close', payload: returnPayload(ctx.state, ret, 'returns/close') });
  if (refund) extra.push({ topic: 'refunds/create', payload: refundPayload(ctx.state, refund) });
  emitReturn(ctx, ret, 'returns/process', [...extra, ...events]);
  return { ret, refund };
}
