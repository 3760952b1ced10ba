/**
 * The orderEdit* mutations (orderEditBegin, orderEditAddVariant, orderEditSetQuantity,
 * orderEditAddShippingLine, orderEditUpdateShippingLine, orderEditRemoveShippingLine,
 * orderEditCommit) over ../domain/order-edits.ts. `id` takes the CalculatedOrder id or the
 * OrderEditSession id (both accepted since 2025-10). The CalculatedOrder and CalculatedLineItem
 * views carry the fields listed in docs/simulator.md; others answer "not simulated".
 */
import type { GraphQLResolveInfo } from 'graphql';
import { DomainError } from '../domain/context.js';
import {
  beginOrderEdit,
  commitOrderEdit,
  requireSession,
  stageAddShippingLine,
  stageAddVariant,
  stageRemoveShippingLine,
  stageSetQuantity,
  stageUpdateShippingLine,
  type EditSession,
  type MoneyInput,
  type StagedAdd,
  type StagedShipping,
} from '../domain/order-edits.js';
import { currentQuantity, remainingQuantity } from '../domain/totals.js';
import { gid, parseGid } from '../ids.js';
import { moneyBag } from '../money.js';
import type { LineItem, Order, ShippingLine, SimState } from '../state.js';
import { connection, type ConnectionArgs } from './connection.js';
import type { GqlContext } from './context.js';
import { orderView, userErrorViews } from './views.js';

type Args = Record<string, unknown>;
type View = Record<string, unknown>;

function idOf(value: unknown, types: string[], field: string): number {
  for (const type of types) {
    const n = parseGid(value, type);
    if (n !== undefined) return n;
  }
  throw new DomainError([{ field: [field], message: `Invalid ${types.join(' or ')} id: ${String(value)}` }]);
}
const sessionId = (value: unknown) => idOf(value, ['CalculatedOrder', 'OrderEditSession'], 'id');

function attempt(nullFields: string[], run: () => View): View {
  try {
    return { ...run(), userErrors: [] };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { ...Object.fromEntries(nullFields.map((f) => [f, null])), userErrors: userErrorViews(error.userErrors) };
  }
}

function existingLineView(state: SimState, order: Order, session: EditSession, li: LineItem): View {
  const bag = (cents: number) => moneyBag(cents, order.currency, order.presentmentCurrency, order.rate);
  const staged = session.sets.get(li.id);
  const current = currentQuantity(state, li);
  const editable = order.cancelledAt ? 0 : remainingQuantity(state, li.id);
  const removed = staged ? current - staged.quantity : 0;
  return {
    __typename: 'CalculatedLineItem',
    id: gid('CalculatedLineItem', li.id),
    title: li.title,
    sku: li.sku,
    quantity: staged ? staged.quantity : current,
    editableQuantity: editable - removed,
    editableQuantityBeforeChanges: editable,
    originalUnitPriceSet: bag(li.price),
    restockable: li.inventoryItemId !== null,
    restocking: Boolean(staged?.restock && removed > 0),
    hasStagedLineItemDiscount: false,
  };
}

function addedLineView(state: SimState, order: Order, add: StagedAdd): View {
  return {
    __typename: 'CalculatedLineItem',
    id: gid('CalculatedLineItem', add.id),
    title: state.products.find((p) => p.id === add.variant.productId)?.title ?? add.variant.title,
    sku: add.variant.sku,
    quantity: add.quantity,
    editableQuantity: add.quantity,
    editableQuantityBeforeChanges: 0,
    originalUnitPriceSet: moneyBag(add.variant.price, order.currency, order.presentmentCurrency, order.rate),
    restockable: true,
    restocking: false,
    hasStagedLineItemDiscount: false,
  };
}

/** A CalculatedShippingLine: a line of the order (its id is the ShippingLine's number) or one the session added. */
function shippingLineView(order: Order, session: EditSession, line: ShippingLine | StagedShipping, added: boolean): View {
  const staged = added ? undefined : session.shippingUpdates.get(line.id);
  const status = added ? 'ADDED' : session.shippingRemovals.has(line.id) ? 'REMOVED' : 'NONE';
  return {
    __typename: 'CalculatedShippingLine',
    id: gid('CalculatedShippingLine', line.id),
    title: staged?.title ?? line.title,
    price: moneyBag(staged?.price ?? line.price, order.currency, order.presentmentCurrency, order.rate),
    stagedStatus: status,
  };
}

function calculatedOrderView(state: SimState, session: EditSession): View {
  const order = state.orders.find((o) => o.id === session.orderId)!;
  const existing = order.lineItems.map((li) => existingLineView(state, order, session, li));
  const added = session.adds.map((a) => addedLineView(state, order, a));
  const numeric = (v: View) => Number(String(v.id).split('/').pop());
  return {
    __typename: 'CalculatedOrder',
    id: gid('CalculatedOrder', session.id),
    committed: session.committed,
    originalOrder: orderView(state, order),
    subtotalLineItemsQuantity: [...existing, ...added].reduce((s, v) => s + (v.quantity as number), 0),
    lineItems: (args: Args) => connection([...existing, ...added], args as ConnectionArgs, numeric, (v) => v),
    addedLineItems: (args: Args) => connection(added, args as ConnectionArgs, numeric, (v) => v),
    // The order's shipping lines (removed ones before this session left out) and the session's.
    shippingLines: [
      ...order.shippingLines.filter((s) => !s.removed).map((s) => shippingLineView(order, session, s, false)),
      ...session.shippingAdds.map((a) => shippingLineView(order, session, a, true)),
    ],
  };
}

const sessionView = (session: EditSession) => ({ __typename: 'OrderEditSession', id: gid('OrderEditSession', session.id) });

type Resolver = (source: unknown, args: Args, ctx: GqlContext, info: GraphQLResolveInfo) => unknown;

export const orderEditResolvers: Record<string, Resolver> = {
  orderEditBegin: (_s, args, ctx) =>
    attempt(['calculatedOrder', 'orderEditSession'], () => {
      const session = beginOrderEdit(ctx.dom, idOf(args.id, ['Order'], 'id'));
      return { calculatedOrder: calculatedOrderView(ctx.dom.state, session), orderEditSession: sessionView(session) };
    }),
  orderEditAddVariant: (_s, args, ctx) =>
    attempt(['calculatedLineItem', 'calculatedOrder', 'orderEditSession'], () => {
      const session = requireSession(ctx.dom, sessionId(args.id));
      const add = stageAddVariant(ctx.dom, session, idOf(args.variantId, ['ProductVariant'], 'variantId'), args.quantity as number);
      const order = ctx.dom.state.orders.find((o) => o.id === session.orderId)!;
      return {
        calculatedLineItem: addedLineView(ctx.dom.state, order, add),
        calculatedOrder: calculatedOrderView(ctx.dom.state, session),
        orderEditSession: sessionView(session),
      };
    }),
  orderEditSetQuantity: (_s, args, ctx) =>
    attempt(['calculatedLineItem', 'calculatedOrder', 'orderEditSession'], () => {
      const session = requireSession(ctx.dom, sessionId(args.id));
      const lineId = idOf(args.lineItemId, ['CalculatedLineItem'], 'lineItemId');
      const { order } = stageSetQuantity(ctx.dom, session, lineId, args.quantity as number, args.restock !== false);
      const view = calculatedOrderView(ctx.dom.state, session);
      const li = order.lineItems.find((x) => x.id === lineId);
      const add = session.adds.find((a) => a.id === lineId);
      return {
        calculatedLineItem: li
          ? existingLineView(ctx.dom.state, order, session, li)
          : add
            ? addedLineView(ctx.dom.state, order, add)
            : null,
        calculatedOrder: view,
        orderEditSession: sessionView(session),
      };
    }),
  orderEditAddShippingLine: (_s, args, ctx) =>
    attempt(['calculatedShippingLine', 'calculatedOrder', 'orderEditSession'], () => {
      const session = requireSession(ctx.dom, sessionId(args.id));
      const input = args.shippingLine as { title: string; price: MoneyInput };
      const staged = stageAddShippingLine(ctx.dom, session, input.title, input.price);
      const order = ctx.dom.state.orders.find((o) => o.id === session.orderId)!;
      return {
        calculatedShippingLine: shippingLineView(order, session, staged, true),
        calculatedOrder: calculatedOrderView(ctx.dom.state, session),
        orderEditSession: sessionView(session),
      };
    }),
  orderEditUpdateShippingLine: (_s, args, ctx) =>
    attempt(['calculatedOrder', 'orderEditSession'], () => {
      const session = requireSession(ctx.dom, sessionId(args.id));
      const lineId = idOf(args.shippingLineId, ['CalculatedShippingLine'], 'shippingLineId');
      stageUpdateShippingLine(ctx.dom, session, lineId, args.shippingLine as { title?: string | null; price?: MoneyInput | null });
      return { calculatedOrder: calculatedOrderView(ctx.dom.state, session), orderEditSession: sessionView(session) };
    }),
  orderEditRemoveShippingLine: (_s, args, ctx) =>
    attempt(['calculatedOrder', 'orderEditSession'], () => {
      const session = requireSession(ctx.dom, sessionId(args.id));
      stageRemoveShippingLine(ctx.dom, session, idOf(args.shippingLineId, ['CalculatedShippingLine'], 'shippingLineId'));
      return { calculatedOrder: calculatedOrderView(ctx.dom.state, session), orderEditSession: sessionView(session) };
    }),
  orderEditCommit: (_s, args, ctx) =>
    attempt(['order', 'successMessages'], () => {
      const session = requireSession(ctx.dom, sessionId(args.id));
      const order = commitOrderEdit(ctx.dom, session, typeof args.staffNote === 'string' ? args.staffNote : null);
      return { order: orderView(ctx.dom.state, order), successMessages: ['Order updated'] };
    }),
};
