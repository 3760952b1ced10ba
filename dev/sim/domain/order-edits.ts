/**
 * Order edit sessions, as Shopify's orderEdit* mutations stage them: `orderEditBegin` opens a
 * session on an order, `orderEditAddVariant`, `orderEditSetQuantity` and the shipping line
 * mutations (`orderEditAddShippingLine`, `orderEditUpdateShippingLine`,
 * `orderEditRemoveShippingLine`) stage changes (nothing
 * changes on the order yet, no webhook), `orderEditCommit` applies them at once through the same
 * committed edit as the merchant's (./orders.ts `editOrder`: only unfulfilled units can be removed,
 * `quantity` never shrinks, orders/edited with ids and deltas, then orders/updated). A committed
 * session cannot be used again. Sessions live beside the state, not in it (never in a snapshot).
 */
import { toCents } from '../money.js';
import type { Order, ShippingLine, SimState, Variant } from '../state.js';
import { fail, nextId, type DomainContext } from './context.js';
import { editOrder, requireOrder } from './orders.js';
import { currentQuantity } from './totals.js';

export interface StagedAdd {
  /** The CalculatedLineItem id of the added line. */
  id: number;
  variant: Variant;
  quantity: number;
}

export interface EditSession {
  id: number;
  orderId: number;
  adds: StagedAdd[];
  /** LineItem id → the new quantity and whether removed units are restocked. */
  sets: Map<number, { quantity: number; restock: boolean }>;
  /** Shipping lines added in this session (their CalculatedShippingLine ids). */
  shippingAdds: StagedShipping[];
  /** ShippingLine id → its new title and/or price (cents). */
  shippingUpdates: Map<number, { title?: string; price?: number }>;
  /** ShippingLine ids removed in this session. */
  shippingRemovals: Set<number>;
  committed: boolean;
}

export interface StagedShipping {
  id: number;
  title: string;
  price: number;
}

/** Shopify's MoneyInput: {amount, currencyCode}. */
export interface MoneyInput {
  amount: unknown;
  currencyCode: unknown;
}

const sessions = new WeakMap<SimState, Map<number, EditSession>>();

function sessionsOf(state: SimState): Map<number, EditSession> {
  let map = sessions.get(state);
  if (!map) sessions.set(state, (map = new Map<number, EditSession>()));
  return map;
}

export function beginOrderEdit(ctx: DomainContext, orderId: number): EditSession {
  const order = requireOrder(ctx, orderId);
  if (order.cancelledAt) fail('The order cannot be edited: it is cancelled', ['id']);
  const session: EditSession = {
    id: nextId(ctx),
    orderId: order.id,
    adds: [],
    sets: new Map(),
    shippingAdds: [],
    shippingUpdates: new Map(),
    shippingRemovals: new Set(),
    committed: false,
  };
  sessionsOf(ctx.state).set(session.id, session);
  return session;
}

/** The open session of a CalculatedOrder / OrderEditSession id. */
export function requireSession(ctx: DomainContext, sessionId: number): EditSession {
  const session = sessionsOf(ctx.state).get(sessionId);
  if (!session) fail('The order edit does not exist', ['id']);
  if (session.committed) fail('The order edit has already been committed', ['id']);
  return session;
}

export function stageAddVariant(ctx: DomainContext, session: EditSession, variantId: number, quantity: number): StagedAdd {
  const variant = ctx.state.variants.find((v) => v.id === variantId);
  if (!variant) fail('The variant does not exist', ['variantId']);
  if (!Number.isInteger(quantity) || quantity < 1) fail('Quantity must be greater than 0', ['quantity']);
  const add = { id: nextId(ctx), variant, quantity };
  session.adds.push(add);
  return add;
}

/**
 * A new quantity for a line of the order (`lineItemId` is the CalculatedLineItem id, the line
 * item's own number) or for a line added in this session (0 drops it).
 */
export function stageSetQuantity(
  ctx: DomainContext,
  session: EditSession,
  lineItemId: number,
  quantity: number,
  restock: boolean,
): { order: Order; lineItemId: number } {
  const order = requireOrder(ctx, session.orderId);
  if (!Number.isInteger(quantity) || quantity < 0) fail('Quantity must be 0 or more', ['quantity']);
  const added = session.adds.find((a) => a.id === lineItemId);
  if (added) {
    if (quantity === 0) session.adds = session.adds.filter((a) => a !== added);
    else added.quantity = quantity;
    return { order, lineItemId };
  }
  const li = order.lineItems.find((x) => x.id === lineItemId);
  if (!li) fail('The line item does not belong to the order', ['lineItemId']);
  if (quantity > currentQuantity(ctx.state, li))
    fail('Quantity cannot be raised on an existing line; add the variant instead', ['quantity']);
  session.sets.set(li.id, { quantity, restock });
  return { order, lineItemId };
}

/** A price in the order's currency (edits are in the shop currency), in cents; INVALID otherwise. */
function shippingPrice(order: Order, price: MoneyInput, field: string[]): number {
  if (price.currencyCode !== order.currency)
    fail(`Price must be in the order's currency ${order.currency}`, [...field, 'currencyCode'], 'INVALID');
  let amount: number;
  try {
    amount = toCents(String(price.amount), order.currency);
  } catch {
    fail(`Price amount is invalid: ${String(price.amount)}`, [...field, 'amount'], 'INVALID');
  }
  if (amount < 0) fail('Price must be 0 or more', [...field, 'amount'], 'INVALID');
  return amount;
}

/** orderEditAddShippingLine: a custom shipping line (title and price), staged. */
export function stageAddShippingLine(ctx: DomainContext, session: EditSession, title: string, price: MoneyInput): StagedShipping {
  const order = requireOrder(ctx, session.orderId);
  if (!title.trim()) fail('Title must not be blank', ['shippingLine', 'title'], 'INVALID');
  const staged = { id: nextId(ctx), title, price: shippingPrice(order, price, ['shippingLine', 'price']) };
  session.shippingAdds.push(staged);
  return staged;
}

/** The order's shipping line or the session's staged one of a CalculatedShippingLine id. */
function stagedOrExisting(
  ctx: DomainContext,
  session: EditSession,
  id: number,
): { order: Order; line?: ShippingLine; added?: StagedShipping } {
  const order = requireOrder(ctx, session.orderId);
  const added = session.shippingAdds.find((a) => a.id === id);
  if (added) return { order, added };
  const line = order.shippingLines.find((s) => s.id === id);
  if (!line || line.removed || session.shippingRemovals.has(id))
    fail('The shipping line does not exist on the order edit', ['shippingLineId'], 'INVALID');
  return { order, line };
}

/** orderEditUpdateShippingLine: a new title and/or price for a line of the order or of the session. */
export function stageUpdateShippingLine(
  ctx: DomainContext,
  session: EditSession,
  shippingLineId: number,
  input: { title?: string | null; price?: MoneyInput | null },
): void {
  const { order, line, added } = stagedOrExisting(ctx, session, shippingLineId);
  if (input.title !== undefined && input.title !== null && !input.title.trim())
    fail('Title must not be blank', ['shippingLine', 'title'], 'INVALID');
  const price = input.price ? shippingPrice(order, input.price, ['shippingLine', 'price']) : undefined;
  const title = input.title ?? undefined;
  if (added) {
    if (title !== undefined) added.title = title;
    if (price !== undefined) added.price = price;
    return;
  }
  const update = { ...session.shippingUpdates.get(line!.id) };
  if (title !== undefined) update.title = title;
  if (price !== undefined) update.price = price;
  session.shippingUpdates.set(line!.id, update);
}

/** orderEditRemoveShippingLine: a line of the order (or one the session added) leaves it. */
export function stageRemoveShippingLine(ctx: DomainContext, session: EditSession, shippingLineId: number): void {
  const { line, added } = stagedOrExisting(ctx, session, shippingLineId);
  if (added) {
    session.shippingAdds = session.shippingAdds.filter((a) => a !== added);
    return;
  }
  session.shippingUpdates.delete(line!.id);
  session.shippingRemovals.add(line!.id);
}

/** The session's shipping line changes, as `editOrder` takes them. */
export function stagedShipping(session: EditSession) {
  return {
    add: session.shippingAdds.map((a) => ({ title: a.title, price: a.price })),
    update: [...session.shippingUpdates].map(([shippingLineId, u]) => ({ shippingLineId, ...u })),
    remove: [...session.shippingRemovals],
  };
}

/** Applies the staged changes (validated as the merchant's edit is) and closes the session. */
export function commitOrderEdit(ctx: DomainContext, session: EditSession, staffNote: string | null): Order {
  const shipping = stagedShipping(session);
  if (session.adds.length === 0 && session.sets.size === 0 && shipping.add.length + shipping.update.length + shipping.remove.length === 0)
    fail('The order edit has no changes to commit', ['id']);
  const order = editOrder(ctx, session.orderId, {
    add: session.adds.map((a) => ({ sku: a.variant.sku ?? '', quantity: a.quantity, variantId: a.variant.id })),
    set: [...session.sets].map(([lineItemId, s]) => ({ lineItemId, quantity: s.quantity, restock: s.restock })),
    shipping,
    ...(staffNote ? { staffNote } : {}),
  });
  session.committed = true;
  return order;
}
