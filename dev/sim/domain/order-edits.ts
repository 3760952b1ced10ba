/**
 * Order edit sessions, as Shopify's orderEdit* mutations stage them: `orderEditBegin` opens a
 * session on an order, `orderEditAddVariant` and `orderEditSetQuantity` stage changes (nothing
 * changes on the order yet, no webhook), `orderEditCommit` applies them at once through the same
 * committed edit as the merchant's (./orders.ts `editOrder`: only unfulfilled units can be removed,
 * `quantity` never shrinks, orders/edited with ids and deltas, then orders/updated). A committed
 * session cannot be used again. Sessions live beside the state, not in it (never in a snapshot).
 */
import type { Order, SimState, Variant } from '../state.js';
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
  committed: boolean;
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
  const session: EditSession = { id: nextId(ctx), orderId: order.id, adds: [], sets: new Map(), committed: false };
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

/** Applies the staged changes (validated as the merchant's edit is) and closes the session. */
export function commitOrderEdit(ctx: DomainContext, session: EditSession, staffNote: string | null): Order {
  if (session.adds.length === 0 && session.sets.size === 0) fail('The order edit has no changes to commit', ['id']);
  const order = editOrder(ctx, session.orderId, {
    add: session.adds.map((a) => ({ sku: a.variant.sku ?? '', quantity: a.quantity, variantId: a.variant.id })),
    set: [...session.sets].map(([lineItemId, s]) => ({ lineItemId, quantity: s.quantity, restock: s.restock })),
    ...(staffNote ? { staffNote } : {}),
  });
  session.committed = true;
  return order;
}
