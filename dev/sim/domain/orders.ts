/**
 * Orders as the storefront and the merchant change them: placement (with routing to a location and
 * a fulfillment order there), payment, address edits, cancellation, fulfillment with tracking,
 * refunds, returns. Every operation moves inventory per quantities.ts and emits the webhooks
 * Shopify emits for it.
 */
import { fulfillmentPayload, orderPayload, refundPayload } from '../payloads.js';
import * as q from '../quantities.js';
import { toCents } from '../money.js';
import {
  blankAddress,
  type Address,
  type Duty,
  type Fulfillment,
  type FulfillmentOrder,
  type LineItem,
  type Order,
  type Refund,
  type ShippingLine,
  type TaxLine,
  type Transaction,
} from '../state.js';
import { applyQuantities, findLevel, levelEvent, primaryLocationId, requireVariantBySku, activateLevel } from './catalog.js';
import { fail, nextId, nowIso, DomainError, type DomainContext, type SimEvent } from './context.js';
import { createCustomer, findCustomerByEmail, requireCustomer } from './customers.js';
import { additionalFees, feesCharged, type AdditionalFeeInput } from './additional-fees.js';
import { activeShippingLines, currentQuantity, fulfilledQuantity, linePortion, orderDuties, orderTotals, suggestRefund } from './totals.js';

function cents(currency: string, value: string | number | undefined, field: string[]): number {
  if (value === undefined) return 0;
  try {
    return toCents(value, currency);
  } catch (error) {
    throw new DomainError([{ field, message: (error as Error).message }]);
  }
}

export function requireOrder(ctx: DomainContext, id: number): Order {
  const order = ctx.state.orders.find((o) => o.id === id);
  if (!order) fail('Order does not exist', ['orderId'], 'NOT_FOUND');
  return order;
}

export function orderEvent(ctx: DomainContext, order: Order, topic: string): SimEvent {
  return { topic, payload: orderPayload(ctx.state, order, ctx.state.shop.domain) };
}

export function touch(ctx: DomainContext, order: Order): void {
  order.updatedAt = nowIso(ctx);
}

export interface TaxLineInput {
  title: string;
  rate: number;
  /** The tax amount, as Shopify computed it (dev/sim/taxes.ts), in the shop currency. */
  price: string | number;
}

export interface OrderLineInput {
  /** Ignored for a gift card line (Shopify's gift cards usually have none). */
  sku: string;
  /** A gift card sold (LineItem.isGiftCard): no variant, no inventory, no shipping; `price` is required. */
  giftCard?: boolean;
  title?: string;
  quantity: number;
  /** Unit price in the shop currency; defaults to the variant price. */
  price?: string | number;
  /** Total discount on the line. */
  discount?: string | number;
  taxLines?: TaxLineInput[];
  /** Import duties charged on the line at checkout (Shopify LineItem.duties), in the shop currency. */
  duties?: DutyInput[];
}

export interface DutyInput {
  price: string | number;
  taxLines?: TaxLineInput[];
  harmonizedSystemCode?: string;
  countryCodeOfOrigin?: string;
}

function duties(ctx: DomainContext, inputs: DutyInput[] | undefined, field: string[]): Duty[] | undefined {
  if (inputs === undefined) return undefined;
  if (!Array.isArray(inputs)) fail('duties must be a list', field);
  const currency = ctx.state.shop.currency;
  return inputs.map((d, i) => {
    const where = [...field, String(i)];
    const price = cents(currency, d.price, [...where, 'price']);
    if (price < 0) fail('A duty cannot be negative', [...where, 'price']);
    return {
      id: nextId(ctx),
      price,
      taxLines: taxLines(currency, d.taxLines, [...where, 'taxLines']),
      harmonizedSystemCode: d.harmonizedSystemCode ?? null,
      countryCodeOfOrigin: d.countryCodeOfOrigin ?? null,
    };
  });
}

export interface CreateOrderInput {
  email?: string;
  phone?: string;
  customer?: { id?: number; email?: string; firstName?: string; lastName?: string; phone?: string };
  lines: OrderLineInput[];
  shippingLines?: { title: string; price: string | number; code?: string; discount?: string | number; taxLines?: TaxLineInput[] }[];
  /** Order.additionalFees: import fees beyond duties, each with its name, price and tax lines, in the shop currency. */
  additionalFees?: AdditionalFeeInput[];
  currency?: string;
  presentmentCurrency?: string;
  /** presentment amount = shop amount × exchangeRate */
  exchangeRate?: number;
  taxesIncluded?: boolean;
  /** Duties inside the product prices (Order.dutiesIncluded): the total does not add them again. */
  dutiesIncluded?: boolean;
  financialStatus?: 'paid' | 'pending' | 'authorized';
  shippingAddress?: Partial<Address>;
  billingAddress?: Partial<Address>;
  locationId?: number;
  discountCode?: string;
  tags?: string[];
  note?: string;
  test?: boolean;
  sourceName?: string;
  /** The payment gateway (default bogus), e.g. "manual" or "Cash on Delivery (COD)" for pending orders. */
  gateway?: string;
  /** Part of a paid order paid with a gift card: a sale transaction of gateway gift_card (the rest through `gateway`). */
  giftCardPayment?: string | number;
  /**
   * Cash tendered at a point of sale, more than what is due: as Shopify POS records it, a sale of
   * the amount tendered and a CHANGE transaction of what was handed back.
   */
  cashTendered?: string | number;
}

function taxLines(currency: string, inputs: TaxLineInput[] | undefined, field: string[]): TaxLine[] {
  return (inputs ?? []).map((t, i) => ({
    title: t.title,
    rate: Number(t.rate),
    price: cents(currency, t.price, [...field, String(i), 'price']),
  }));
}

/** The first active location that can ship every tracked line from available stock, else the primary one. */
function routeOrder(ctx: DomainContext, lines: LineItem[]): number {
  const candidates = ctx.state.locations.filter((l) => l.isActive && l.fulfillsOnlineOrders);
  for (const location of candidates) {
    const ok = lines.every((li) => {
      if (li.inventoryItemId === null) return true;
      const level = findLevel(ctx, li.inventoryItemId, location.id);
      return level !== undefined && level.available >= li.quantity;
    });
    if (ok) return location.id;
  }
  return primaryLocationId(ctx);
}

/** A gift card sold: Shopify's LineItem with isGiftCard, no variant, no SKU, nothing to ship or stock. */
function giftCardLine(ctx: DomainContext, line: OrderLineInput, field: string[]): LineItem {
  if (line.price === undefined) fail('A gift card line needs a price', [...field, 'price']);
  return {
    id: nextId(ctx),
    variantId: null,
    productId: null,
    inventoryItemId: null,
    sku: null,
    title: line.title ?? 'Gift card',
    variantTitle: null,
    vendor: null,
    quantity: line.quantity,
    price: cents(ctx.state.shop.currency, line.price, [...field, 'price']),
    discount: 0,
    taxLines: [],
    taxable: false,
    requiresShipping: false,
    grams: 0,
    isGiftCard: true,
  };
}

export function createOrder(ctx: DomainContext, input: CreateOrderInput): Order {
  if (!Array.isArray(input.lines) || input.lines.length === 0) fail('An order needs at least one line', ['lines']);
  if (input.financialStatus !== undefined && !['paid', 'pending', 'authorized'].includes(input.financialStatus)) {
    fail('financialStatus must be paid, pending or authorized', ['financialStatus']);
  }
  const now = nowIso(ctx);
  const events: SimEvent[] = [];
  const lineItems: LineItem[] = input.lines.map((line, index) => {
    const field = ['lines', String(index)];
    if (!Number.isInteger(line.quantity) || line.quantity < 1) fail('Quantity must be a positive integer', [...field, 'quantity']);
    if (line.giftCard) return giftCardLine(ctx, line, field);
    const variant = requireVariantBySku(ctx, line.sku);
    const product = ctx.state.products.find((p) => p.id === variant.productId)!;
    const item = ctx.state.inventoryItems.find((i) => i.id === variant.inventoryItemId);
    return {
      id: nextId(ctx),
      variantId: variant.id,
      productId: product.id,
      inventoryItemId: item?.tracked ? item.id : null,
      sku: variant.sku,
      title: product.title,
      variantTitle: variant.title === 'Default Title' ? null : variant.title,
      vendor: product.vendor || null,
      quantity: line.quantity,
      price: line.price === undefined ? variant.price : cents(ctx.state.shop.currency, line.price, [...field, 'price']),
      discount: cents(ctx.state.shop.currency, line.discount, [...field, 'discount']),
      taxLines: taxLines(ctx.state.shop.currency, line.taxLines, [...field, 'taxLines']),
      taxable: variant.taxable,
      requiresShipping: item?.requiresShipping ?? true,
      grams: 0,
      // Only when given, so saved states and payloads of other orders do not change.
      ...(line.duties?.length ? { duties: duties(ctx, line.duties, [...field, 'duties']) } : {}),
    };
  });
  const locationId = input.locationId ?? routeOrder(ctx, lineItems);
  if (!ctx.state.locations.some((l) => l.id === locationId)) fail(`No location ${locationId}`, ['locationId']);

  const shopCurrency = ctx.state.shop.currency;
  if (input.currency !== undefined && input.currency !== shopCurrency) fail(`The shop currency is ${shopCurrency}`, ['currency']);
  const presentmentCurrency = input.presentmentCurrency ?? shopCurrency;
  const rate = presentmentCurrency === shopCurrency ? 1 : Number(input.exchangeRate ?? 1);
  const shippingLines = (input.shippingLines ?? []).map((s, i) => {
    if (typeof s.title !== 'string' || !s.title) fail('A shipping line needs a title', ['shippingLines', String(i), 'title']);
    return {
      id: nextId(ctx),
      title: s.title,
      code: s.code ?? null,
      price: cents(shopCurrency, s.price, ['shippingLines', String(i), 'price']),
      discount: cents(shopCurrency, s.discount, ['shippingLines', String(i), 'discount']),
      taxLines: taxLines(shopCurrency, s.taxLines, ['shippingLines', String(i), 'taxLines']),
    };
  });
  const fees = additionalFees(
    ctx,
    input.additionalFees,
    (value, field) => cents(shopCurrency, value, field),
    (lines, field) => taxLines(shopCurrency, lines, field),
  );
  if (input.customer?.id !== undefined) requireCustomer(ctx, input.customer.id);
  if (!Number.isFinite(rate) || rate <= 0) fail('exchangeRate must be a positive number', ['exchangeRate']);
  let customerId: number | null = null;
  const email = input.email ?? input.customer?.email ?? null;
  if (input.customer?.id !== undefined) customerId = requireCustomer(ctx, input.customer.id).id;
  else if (email) {
    const existing = findCustomerByEmail(ctx, email);
    customerId = existing
      ? existing.id
      : createCustomer(ctx, {
          email,
          firstName: input.customer?.firstName ?? input.shippingAddress?.first_name ?? null,
          lastName: input.customer?.lastName ?? input.shippingAddress?.last_name ?? null,
          phone: input.customer?.phone ?? null,
        }).id;
  }
  const number = ctx.state.nextOrderNumber++;
  const order: Order = {
    id: nextId(ctx),
    name: `#${number}`,
    number,
    email,
    phone: input.phone ?? null,
    customerId,
    currency: shopCurrency,
    presentmentCurrency,
    rate,
    taxesIncluded: input.taxesIncluded ?? false,
    // Only when given, so saved states and payloads of other orders do not change.
    ...(input.dutiesIncluded ? { dutiesIncluded: true } : {}),
    financialStatus: input.financialStatus ?? 'paid',
    lineItems,
    shippingLines,
    // Only when given, so saved states and payloads of other orders do not change.
    ...(fees?.length ? { additionalFees: fees } : {}),
    discountCodes: [],
    billingAddress: input.billingAddress
      ? blankAddress(input.billingAddress)
      : input.shippingAddress
        ? blankAddress(input.shippingAddress)
        : null,
    shippingAddress: input.shippingAddress ? blankAddress(input.shippingAddress) : null,
    locationId,
    tags: input.tags ?? [],
    note: input.note ?? null,
    test: input.test ?? false,
    sourceName: input.sourceName ?? 'web',
    gateway: input.gateway ?? 'bogus',
    createdAt: now,
    updatedAt: now,
    processedAt: now,
    cancelledAt: null,
    cancelReason: null,
    closedAt: null,
    transactionIds: [],
  };
  const lineDiscount = lineItems.reduce((s, li) => s + li.discount, 0);
  if (input.discountCode) order.discountCodes.push({ code: input.discountCode, amount: lineDiscount, type: 'fixed_amount' });
  ctx.state.orders.push(order);

  // Placing the order commits the units at the routed location (available → committed).
  for (const li of lineItems) {
    if (li.inventoryItemId === null) continue;
    const level = activateLevel(ctx, li.inventoryItemId, locationId);
    if (applyQuantities(ctx, level, q.commit(level, li.quantity))) events.push(levelEvent(level));
  }
  const fo: FulfillmentOrder = {
    id: nextId(ctx),
    orderId: order.id,
    locationId,
    status: 'OPEN',
    lineItems: lineItems
      .filter((li) => li.requiresShipping)
      .map((li) => ({ id: nextId(ctx), lineItemId: li.id, totalQuantity: li.quantity, remainingQuantity: li.quantity })),
    createdAt: now,
    updatedAt: now,
  };
  if (fo.lineItems.length > 0) ctx.state.fulfillmentOrders.push(fo);
  if (order.financialStatus === 'paid') {
    const total = orderTotals(ctx.state, order).total;
    const giftCard = cents(ctx.state.shop.currency, input.giftCardPayment, ['giftCardPayment']);
    if (giftCard < 0 || giftCard > total) fail('giftCardPayment must be between 0 and the order total', ['giftCardPayment']);
    const due = total - giftCard;
    const tendered = input.cashTendered === undefined ? due : cents(ctx.state.shop.currency, input.cashTendered, ['cashTendered']);
    if (tendered < due) fail('cashTendered must be at least what is due', ['cashTendered']);
    const payments: Array<[string, number]> = [
      ['gift_card', giftCard],
      [order.gateway, tendered],
    ];
    for (const [gateway, amount] of payments.filter(([, amount]) => amount > 0)) addTransaction(ctx, order, 'sale', gateway, amount, now);
    if (tendered > due) addTransaction(ctx, order, 'change', order.gateway, tendered - due, now);
  }
  if (order.financialStatus === 'authorized') {
    // Shopify authorizes the card at checkout; the money moves with the capture (markPaid).
    const tx = {
      id: nextId(ctx),
      orderId: order.id,
      kind: 'authorization' as const,
      gateway: order.gateway,
      status: 'success' as const,
      amount: orderTotals(ctx.state, order).total,
      parentId: null,
      createdAt: now,
    };
    ctx.state.transactions.push(tx);
    order.transactionIds.push(tx.id);
  }
  const orderEvents = [orderEvent(ctx, order, 'orders/create')];
  if (order.financialStatus === 'paid') orderEvents.push(orderEvent(ctx, order, 'orders/paid'));
  ctx.emit([...orderEvents, ...events]);
  return order;
}

function addTransaction(
  ctx: DomainContext,
  order: Order,
  kind: Transaction['kind'],
  gateway: string,
  amount: number,
  now: string,
  parentId: number | null = null,
): void {
  const tx = { id: nextId(ctx), orderId: order.id, kind, gateway, status: 'success' as const, amount, parentId, createdAt: now };
  ctx.state.transactions.push(tx);
  order.transactionIds.push(tx.id);
}

export function markPaid(ctx: DomainContext, orderId: number): Order {
  const order = requireOrder(ctx, orderId);
  if (order.cancelledAt) fail('The order is cancelled', ['orderId']);
  const due = orderTotals(ctx.state, order).outstanding;
  if (due <= 0) fail('Nothing is outstanding on this order', ['orderId']);
  // An authorized order is captured (orderCapture: a CAPTURE whose parent is the authorization);
  // a pending one (bank transfer, cash on delivery) is marked paid with a SALE.
  const authorization =
    order.financialStatus === 'authorized'
      ? order.transactionIds.map((id) => ctx.state.transactions.find((t) => t.id === id)).find((t) => t?.kind === 'authorization')
      : undefined;
  addTransaction(ctx, order, authorization ? 'capture' : 'sale', order.gateway, due, nowIso(ctx), authorization?.id ?? null);
  order.financialStatus = 'paid';
  touch(ctx, order);
  ctx.emit([orderEvent(ctx, order, 'orders/paid'), orderEvent(ctx, order, 'orders/updated')]);
  return order;
}

export function editOrderAddress(
  ctx: DomainContext,
  orderId: number,
  input: { shippingAddress?: Partial<Address>; billingAddress?: Partial<Address> },
): Order {
  const order = requireOrder(ctx, orderId);
  if (!input.shippingAddress && !input.billingAddress) fail('Give shippingAddress and/or billingAddress', null);
  if (input.shippingAddress) order.shippingAddress = blankAddress({ ...(order.shippingAddress ?? {}), ...input.shippingAddress });
  if (input.billingAddress) order.billingAddress = blankAddress({ ...(order.billingAddress ?? {}), ...input.billingAddress });
  touch(ctx, order);
  ctx.emit([orderEvent(ctx, order, 'orders/updated')]);
  return order;
}

export function fulfillmentOrdersOf(ctx: DomainContext, orderId: number): FulfillmentOrder[] {
  return ctx.state.fulfillmentOrders.filter((fo) => fo.orderId === orderId);
}

/** OrderCancelReason values. */
const CANCEL_REASONS = ['CUSTOMER', 'DECLINED', 'FRAUD', 'INVENTORY', 'OTHER', 'STAFF'];

/**
 * orderCancel. Unfulfilled units leave their fulfillment orders: with restock they return to
 * available; without restock they are written off (committed and on_hand drop). A paid order is
 * refunded in full when `refund` is true.
 */
export function cancelOrder(
  ctx: DomainContext,
  orderId: number,
  input: { reason: string; restock: boolean; refund?: boolean; staffNote?: string | null },
): Order {
  const order = requireOrder(ctx, orderId);
  if (!CANCEL_REASONS.includes(input.reason.toUpperCase()))
    fail(`reason must be one of ${CANCEL_REASONS.join(', ').toLowerCase()}`, ['reason']);
  if (order.cancelledAt) fail('Order has already been cancelled', ['orderId']);
  if (ctx.state.fulfillments.some((f) => f.orderId === order.id && f.status === 'SUCCESS')) {
    fail('Cannot cancel an order with fulfillments; cancel the fulfillments first', ['orderId']);
  }
  const now = nowIso(ctx);
  const events: SimEvent[] = [];
  for (const fo of fulfillmentOrdersOf(ctx, order.id)) {
    for (const line of fo.lineItems) {
      const li = order.lineItems.find((x) => x.id === line.lineItemId)!;
      if (li.inventoryItemId !== null && line.remainingQuantity > 0) {
        const level = findLevel(ctx, li.inventoryItemId, fo.locationId);
        if (level) {
          const next = input.restock ? q.release(level, line.remainingQuantity) : q.fulfill(level, line.remainingQuantity);
          if (applyQuantities(ctx, level, next)) events.push(levelEvent(level));
        }
      }
      line.remainingQuantity = 0;
    }
    fo.status = 'CANCELLED';
    fo.updatedAt = now;
  }
  order.cancelledAt = now;
  order.closedAt = now;
  order.cancelReason = input.reason.toLowerCase();
  let refund: Refund | undefined;
  if ((order.financialStatus === 'paid' || order.financialStatus === 'partially_refunded') && input.refund) {
    refund = recordRefund(ctx, order, {
      lines: order.lineItems
        .map((li) => ({
          lineItemId: li.id,
          quantity: currentQuantity(ctx.state, li),
          restockType: 'cancel' as const,
          locationId: order.locationId,
        }))
        .filter((l) => l.quantity > 0),
      shippingFull: true,
      // A cancellation with a refund gives everything back, duties too, and the additional fees as
      // money beyond the goods (an order adjustment: 2026-10 has no refund field for a fee).
      duties: orderDuties(order).map((d) => ({ dutyId: d.duty.id, refundType: 'full' as const })),
      beyondGoods: feesCharged(order),
      note: input.staffNote ?? null,
      moveStock: false,
    });
  } else if (order.financialStatus === 'pending' || order.financialStatus === 'authorized') {
    order.financialStatus = 'voided';
  }
  touch(ctx, order);
  const out: SimEvent[] = [orderEvent(ctx, order, 'orders/cancelled'), orderEvent(ctx, order, 'orders/updated')];
  if (refund) out.push({ topic: 'refunds/create', payload: refundPayload(ctx.state, refund) });
  ctx.emit([...out, ...events]);
  return order;
}

export interface FulfillmentInput {
  lineItemsByFulfillmentOrder: { fulfillmentOrderId: number; fulfillmentOrderLineItems?: { id: number; quantity: number }[] }[];
  trackingInfo?: {
    company?: string | null;
    number?: string | null;
    numbers?: string[] | null;
    url?: string | null;
    urls?: string[] | null;
  } | null;
}

/** fulfillmentCreate: fulfills fulfillment order lines (all remaining when none listed). */
export function createFulfillment(ctx: DomainContext, input: FulfillmentInput): Fulfillment {
  if (input.lineItemsByFulfillmentOrder.length === 0)
    fail('lineItemsByFulfillmentOrder must not be empty', ['fulfillment', 'lineItemsByFulfillmentOrder']);
  const fos = input.lineItemsByFulfillmentOrder.map((entry, index) => {
    const fo = ctx.state.fulfillmentOrders.find((f) => f.id === entry.fulfillmentOrderId);
    if (!fo) fail('Fulfillment order does not exist.', ['fulfillment', 'lineItemsByFulfillmentOrder', String(index), 'fulfillmentOrderId']);
    if (fo.status === 'CLOSED' || fo.status === 'CANCELLED')
      fail(`Fulfillment order ${fo.id} is ${fo.status.toLowerCase()} and cannot be fulfilled.`, ['fulfillment']);
    return fo;
  });
  const orderId = fos[0]!.orderId;
  const locationId = fos[0]!.locationId;
  if (fos.some((fo) => fo.orderId !== orderId)) fail('All fulfillment orders must belong to the same order.', ['fulfillment']);
  if (fos.some((fo) => fo.locationId !== locationId))
    fail('All fulfillment orders must be assigned to the same location.', ['fulfillment']);
  const order = requireOrder(ctx, orderId);
  const picks: { fo: FulfillmentOrder; lineId: number; quantity: number }[] = [];
  input.lineItemsByFulfillmentOrder.forEach((entry, index) => {
    const fo = fos[index]!;
    const wanted = entry.fulfillmentOrderLineItems?.length
      ? entry.fulfillmentOrderLineItems
      : fo.lineItems.filter((l) => l.remainingQuantity > 0).map((l) => ({ id: l.id, quantity: l.remainingQuantity }));
    for (const w of wanted) {
      const line = fo.lineItems.find((l) => l.id === w.id);
      if (!line) fail(`Fulfillment order line item ${w.id} does not belong to fulfillment order ${fo.id}.`, ['fulfillment']);
      if (w.quantity < 1 || w.quantity > line.remainingQuantity) {
        fail(`Invalid quantity ${w.quantity} for fulfillment order line item ${w.id}: ${line.remainingQuantity} remaining.`, [
          'fulfillment',
        ]);
      }
      picks.push({ fo, lineId: w.id, quantity: w.quantity });
    }
  });
  if (picks.length === 0) fail('Nothing left to fulfill.', ['fulfillment']);
  const now = nowIso(ctx);
  const events: SimEvent[] = [];
  const fulfillment: Fulfillment = {
    id: nextId(ctx),
    orderId,
    locationId,
    name: `${order.name}.${ctx.state.fulfillments.filter((f) => f.orderId === orderId).length + 1}`,
    status: 'SUCCESS',
    trackingCompany: input.trackingInfo?.company ?? null,
    trackingNumbers: trackingNumbers(input.trackingInfo),
    trackingUrls: trackingUrls(input.trackingInfo),
    lineItems: [],
    createdAt: now,
    updatedAt: now,
  };
  for (const pick of picks) {
    const line = pick.fo.lineItems.find((l) => l.id === pick.lineId)!;
    line.remainingQuantity -= pick.quantity;
    const li = order.lineItems.find((x) => x.id === line.lineItemId)!;
    fulfillment.lineItems.push({ id: nextId(ctx), lineItemId: li.id, quantity: pick.quantity });
    if (li.inventoryItemId !== null) {
      const level = findLevel(ctx, li.inventoryItemId, locationId);
      if (level && applyQuantities(ctx, level, q.fulfill(level, pick.quantity))) events.push(levelEvent(level));
    }
  }
  for (const fo of fos) {
    fo.status = fo.lineItems.every((l) => l.remainingQuantity === 0) ? 'CLOSED' : 'IN_PROGRESS';
    fo.updatedAt = now;
  }
  ctx.state.fulfillments.push(fulfillment);
  touch(ctx, order);
  ctx.emit([
    { topic: 'fulfillments/create', payload: fulfillmentPayload(ctx.state, fulfillment) },
    orderEvent(ctx, order, 'orders/updated'),
    ...events,
  ]);
  return fulfillment;
}

function trackingNumbers(info: FulfillmentInput['trackingInfo']): string[] {
  if (!info) return [];
  if (info.numbers?.length) return info.numbers;
  return info.number ? [info.number] : [];
}

function trackingUrls(info: FulfillmentInput['trackingInfo']): string[] {
  if (!info) return [];
  if (info.urls?.length) return info.urls;
  return info.url ? [info.url] : [];
}

export function updateTracking(
  ctx: DomainContext,
  fulfillmentId: number,
  info: NonNullable<FulfillmentInput['trackingInfo']>,
): Fulfillment {
  const fulfillment = ctx.state.fulfillments.find((f) => f.id === fulfillmentId);
  if (!fulfillment) fail('Fulfillment does not exist.', ['fulfillmentId']);
  if (info.company !== undefined) fulfillment.trackingCompany = info.company ?? null;
  const numbers = trackingNumbers(info);
  const urls = trackingUrls(info);
  if (numbers.length) fulfillment.trackingNumbers = numbers;
  if (urls.length) fulfillment.trackingUrls = urls;
  fulfillment.updatedAt = nowIso(ctx);
  const order = requireOrder(ctx, fulfillment.orderId);
  touch(ctx, order);
  ctx.emit([
    { topic: 'fulfillments/update', payload: fulfillmentPayload(ctx.state, fulfillment) },
    orderEvent(ctx, order, 'orders/updated'),
  ]);
  return fulfillment;
}

export interface RefundLineInput {
  lineItemId: number;
  quantity: number;
  restockType: 'no_restock' | 'cancel' | 'return';
  locationId?: number | null;
}

export interface RecordRefundInput {
  lines: RefundLineInput[];
  shippingAmount?: number;
  shippingFull?: boolean;
  /** Money actually returned; defaults to the refunded lines + tax + shipping + duties (capped at what is refundable). */
  amount?: number;
  /** Duties given back (refundCreate's refundDuties). */
  duties?: { dutyId: number; refundType: 'full' | 'proportional' }[];
  /** Money given back on top of the default amount (a cancellation's additional fees); capped like it. */
  beyondGoods?: number;
  note: string | null;
  returnId?: number | null;
  /** false when the caller already moved the stock (cancel, returnProcess). */
  moveStock: boolean;
}

/** Units of a line fulfilled and not yet taken by an earlier refund (what RETURN can restock). */
function fulfilledNotRefunded(ctx: DomainContext, li: LineItem): number {
  const taken = ctx.state.refunds
    .flatMap((r) => r.lines)
    .filter((l) => l.lineItemId === li.id)
    .reduce((s, l) => s + (l.fromFulfilled ?? 0), 0);
  return fulfilledQuantity(ctx.state, li.id) - taken;
}

function unfulfilledOf(ctx: DomainContext, order: Order, lineItemId: number): number {
  return fulfillmentOrdersOf(ctx, order.id).reduce(
    (sum, fo) => sum + (fo.lineItems.find((x) => x.lineItemId === lineItemId)?.remainingQuantity ?? 0),
    0,
  );
}

/**
 * Which units of each refunded line are refunded, checked before anything changes: CANCEL only
 * unfulfilled units; RETURN only fulfilled ones ("Use this when restocking line items that were
 * fulfilled"); NO_RESTOCK the unfulfilled ones first, then fulfilled ones. A line refunded by a
 * processed return (`moveStock` false) refunds fulfilled units.
 */
function planRefundLines(ctx: DomainContext, order: Order, input: RecordRefundInput) {
  const asked = new Map<number, { total: number; unfulfilled: number; fulfilled: number }>();
  return input.lines.map((l, index) => {
    const field = ['refundLineItems', String(index)];
    const li = order.lineItems.find((x) => x.id === l.lineItemId);
    if (!li) fail(`Line item ${l.lineItemId} does not belong to the order`, [...field, 'lineItemId']);
    const before = asked.get(li.id) ?? { total: 0, unfulfilled: 0, fulfilled: 0 };
    const refundable = currentQuantity(ctx.state, li) - before.total;
    if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > refundable) {
      fail(`Quantity ${l.quantity} cannot be refunded: ${refundable} refundable`, [...field, 'quantity']);
    }
    const unfulfilled = input.moveStock ? unfulfilledOf(ctx, order, li.id) - before.unfulfilled : 0;
    const fulfilled = fulfilledNotRefunded(ctx, li) - before.fulfilled;
    if (input.moveStock && l.restockType === 'cancel' && l.quantity > unfulfilled) {
      fail('restockType CANCEL is only for unfulfilled units; use RETURN or NO_RESTOCK', [...field, 'restockType']);
    }
    if (l.restockType === 'return' && l.quantity > fulfilled) {
      fail(`restockType RETURN is only for fulfilled units: ${Math.max(0, fulfilled)} fulfilled and not refunded`, [
        ...field,
        'restockType',
      ]);
    }
    // orderCancel released the unfulfilled units itself (`moveStock` false): its CANCEL lines are all unfulfilled.
    const fromUnfulfilled =
      l.restockType === 'return'
        ? 0
        : input.moveStock
          ? Math.min(l.quantity, Math.max(0, unfulfilled))
          : l.restockType === 'cancel'
            ? l.quantity
            : 0;
    asked.set(li.id, {
      total: before.total + l.quantity,
      unfulfilled: before.unfulfilled + fromUnfulfilled,
      fulfilled: before.fulfilled + l.quantity - fromUnfulfilled,
    });
    return { l, li, fromUnfulfilled };
  });
}

/** Moves the stock of one refunded line: unfulfilled units leave their fulfillment orders, RETURNed ones go back on the shelf. */
function moveRefundedStock(
  ctx: DomainContext,
  order: Order,
  line: { l: RefundLineInput; li: LineItem; fromUnfulfilled: number },
): SimEvent[] {
  const { l, li } = line;
  const events: SimEvent[] = [];
  let left = line.fromUnfulfilled;
  for (const fo of fulfillmentOrdersOf(ctx, order.id)) {
    const fol = fo.lineItems.find((x) => x.lineItemId === li.id);
    if (!fol || fol.remainingQuantity === 0 || left === 0) continue;
    const take = Math.min(fol.remainingQuantity, left);
    fol.remainingQuantity -= take;
    left -= take;
    if (fo.lineItems.every((x) => x.remainingQuantity === 0)) fo.status = 'CLOSED';
    if (li.inventoryItemId !== null) {
      const level = findLevel(ctx, li.inventoryItemId, fo.locationId);
      if (level) {
        const next = l.restockType === 'no_restock' ? q.fulfill(level, take) : q.release(level, take);
        if (applyQuantities(ctx, level, next)) events.push(levelEvent(level));
      }
    }
  }
  if (l.restockType === 'return' && li.inventoryItemId !== null) {
    const level = activateLevel(ctx, li.inventoryItemId, l.locationId ?? order.locationId);
    if (applyQuantities(ctx, level, q.restock(level, l.quantity))) events.push(levelEvent(level));
  }
  return events;
}

export function recordRefund(ctx: DomainContext, order: Order, input: RecordRefundInput): Refund {
  const now = nowIso(ctx);
  // Validate everything before changing anything: a rejected refund leaves no trace.
  const lines = planRefundLines(ctx, order, input);
  const totals = orderTotals(ctx.state, order);
  const refundedShipping = ctx.state.refunds.filter((r) => r.orderId === order.id).reduce((s, r) => s + r.shipping, 0);
  const shippingLeft = totals.shipping - activeShippingLines(order).reduce((s, sl) => s + sl.discount, 0) - refundedShipping;
  if (!input.shippingFull && (input.shippingAmount ?? 0) > shippingLeft)
    fail(`Shipping refund ${(input.shippingAmount ?? 0) / 100} exceeds the ${shippingLeft / 100} left`, ['shipping', 'amount']);
  const known = new Set(orderDuties(order).map((d) => d.duty.id));
  (input.duties ?? []).forEach((d, i) => {
    if (!known.has(d.dutyId)) fail(`Duty ${d.dutyId} does not belong to the order`, ['refundDuties', String(i), 'dutyId']);
  });
  const suggestion = suggestRefund(ctx.state, order, {
    lines: input.lines,
    duties: input.duties ?? [],
    ...(input.shippingFull !== undefined ? { shippingFull: input.shippingFull } : {}),
    ...(input.shippingAmount !== undefined ? { shippingAmount: input.shippingAmount } : {}),
  });
  const amount = input.amount ?? Math.min(suggestion.amount + (input.beyondGoods ?? 0), suggestion.maximumRefundable);
  if (amount < 0) fail('The refund amount cannot be negative', ['transactions']);
  if (amount > suggestion.maximumRefundable)
    fail(`Refund amount ${amount / 100} exceeds the ${suggestion.maximumRefundable / 100} available to refund`, ['transactions']);
  const alreadyRefunded = totals.refundedAmount;
  const paid = suggestion.maximumRefundable + alreadyRefunded;
  // What the goods and shipping come to; money returned beyond (or short of) it is an adjustment.
  const calculated = suggestion.subtotal + suggestion.shipping + suggestion.dutiesAmount + (order.taxesIncluded ? 0 : suggestion.tax);

  const refund: Refund = {
    id: nextId(ctx),
    orderId: order.id,
    note: input.note,
    restock: input.lines.some((l) => l.restockType !== 'no_restock'),
    returnId: input.returnId ?? null,
    lines: [],
    shipping: suggestion.shipping,
    shippingTax: suggestion.shippingTax,
    transactionIds: [],
    adjustments:
      amount === calculated ? [] : [{ id: nextId(ctx), amount: calculated - amount, taxAmount: 0, reason: 'REFUND_DISCREPANCY' }],
    ...(suggestion.duties.length ? { duties: suggestion.duties } : {}),
    createdAt: now,
  };
  const events: SimEvent[] = [];
  for (const line of lines) {
    const { l, li } = line;
    const portion = linePortion(li, l.quantity);
    refund.lines.push({
      id: nextId(ctx),
      lineItemId: li.id,
      quantity: l.quantity,
      restockType: l.restockType,
      locationId: l.restockType === 'no_restock' ? null : (l.locationId ?? order.locationId),
      subtotal: portion.subtotal,
      totalTax: portion.tax,
      fromFulfilled: l.quantity - line.fromUnfulfilled,
    });
    if (input.moveStock) events.push(...moveRefundedStock(ctx, order, line));
  }
  if (amount > 0) {
    const parent =
      order.transactionIds.find((id) => ['sale', 'capture'].includes(ctx.state.transactions.find((t) => t.id === id)?.kind ?? '')) ?? null;
    const tx = {
      id: nextId(ctx),
      orderId: order.id,
      kind: 'refund' as const,
      gateway: order.gateway,
      status: 'success' as const,
      amount,
      parentId: parent,
      createdAt: now,
    };
    ctx.state.transactions.push(tx);
    refund.transactionIds.push(tx.id);
    order.transactionIds.push(tx.id);
  }
  ctx.state.refunds.push(refund);
  if (amount > 0) order.financialStatus = alreadyRefunded + amount >= paid ? 'refunded' : 'partially_refunded';
  touch(ctx, order);
  if (events.length) ctx.emit(events);
  return refund;
}

export interface RefundInput {
  lines?: RefundLineInput[];
  shippingAmount?: string | number;
  shippingFull?: boolean;
  amount?: string | number;
  duties?: { dutyId: number; refundType: 'full' | 'proportional' }[];
  note?: string | null;
}

/** refundCreate / merchant refund. */
export function refundOrder(ctx: DomainContext, orderId: number, input: RefundInput): Refund {
  const order = requireOrder(ctx, orderId);
  const refund = recordRefund(ctx, order, {
    lines: input.lines ?? [],
    ...(input.shippingAmount !== undefined
      ? { shippingAmount: cents(ctx.state.shop.currency, input.shippingAmount, ['shipping', 'amount']) }
      : {}),
    ...(input.shippingFull !== undefined ? { shippingFull: input.shippingFull } : {}),
    ...(input.amount !== undefined ? { amount: cents(ctx.state.shop.currency, input.amount, ['amount']) } : {}),
    ...(input.duties?.length ? { duties: input.duties } : {}),
    note: input.note ?? null,
    moveStock: true,
  });
  ctx.emit([{ topic: 'refunds/create', payload: refundPayload(ctx.state, refund) }, orderEvent(ctx, order, 'orders/updated')]);
  return refund;
}

export interface EditOrderInput {
  /** New lines (orderEditAddVariant). */
  add?: {
    sku: string;
    quantity: number;
    price?: string | number;
    variantId?: number;
    /** Duties Shopify charges on the added line (control API only: Shopify computes them itself). */
    duties?: DutyInput[];
  }[];
  /** New current quantity of a line, lower than now (orderEditSetQuantity); removed units are restocked unless `restock` is false. */
  set?: { lineItemId: number; quantity: number; restock?: boolean }[];
  /**
   * Shipping lines (orderEditAddShippingLine, orderEditUpdateShippingLine,
   * orderEditRemoveShippingLine): amounts in cents of the shop currency.
   */
  shipping?: ShippingEdit;
  staffNote?: string;
}

export interface ShippingEdit {
  add?: { title: string; price: number }[];
  update?: { shippingLineId: number; title?: string; price?: number }[];
  remove?: number[];
}

/**
 * Checks a shipping edit against the order (nothing changed yet); returns it applied-ready.
 * Shopify's userErrors for these mutations have the one code INVALID.
 */
function checkShippingEdit(order: Order, edit: ShippingEdit): Required<ShippingEdit> {
  const known = (id: number, field: string[]) => {
    const line = order.shippingLines.find((s) => s.id === id);
    if (!line) fail(`Shipping line ${id} does not belong to the order`, field, 'INVALID');
    if (line.removed) fail(`Shipping line ${id} has already been removed`, field, 'INVALID');
    return line;
  };
  const add = (edit.add ?? []).map((a, i) => {
    if (!a.title) fail('Title must not be blank', ['shipping', 'add', String(i), 'title'], 'INVALID');
    if (!Number.isInteger(a.price) || a.price < 0) fail('Price must be 0 or more', ['shipping', 'add', String(i), 'price'], 'INVALID');
    return a;
  });
  const update = (edit.update ?? []).map((u, i) => {
    known(u.shippingLineId, ['shipping', 'update', String(i), 'shippingLineId']);
    if (u.title !== undefined && !u.title) fail('Title must not be blank', ['shipping', 'update', String(i), 'title'], 'INVALID');
    if (u.price !== undefined && (!Number.isInteger(u.price) || u.price < 0))
      fail('Price must be 0 or more', ['shipping', 'update', String(i), 'price'], 'INVALID');
    return u;
  });
  const remove = (edit.remove ?? []).map((id, i) => (known(id, ['shipping', 'remove', String(i)]), id));
  return { add, update, remove };
}

/**
 * Applies a checked shipping edit: removed lines stay with `removed` (isRemoved), updated ones
 * change in place (their taxes recomputed at the line's rates, their discount at most the new
 * price), added ones are custom lines taxed at the rates the order's shipping carries (each
 * rounded on the line, inside the price when the order's taxes are included). Shopify does not
 * document how it taxes an edited shipping line: the simulator's assumption (docs/simulator.md). Returns
 * the ids for orders/edited's `shipping_lines` additions and removals.
 */
function applyShippingEdit(ctx: DomainContext, order: Order, edit: Required<ShippingEdit>): { added: number[]; removed: number[] } {
  const rates = order.shippingLines.flatMap((s) => s.taxLines);
  for (const u of edit.update) {
    const line = order.shippingLines.find((s) => s.id === u.shippingLineId)!;
    if (u.title !== undefined) line.title = u.title;
    if (u.price !== undefined && u.price !== line.price) {
      line.taxLines = taxesAt(order, line.taxLines, u.price);
      line.price = u.price;
      line.discount = Math.min(line.discount, u.price);
    }
  }
  for (const id of edit.remove) order.shippingLines.find((s) => s.id === id)!.removed = true;
  const added = edit.add.map((a) => {
    const line: ShippingLine = {
      id: nextId(ctx),
      title: a.title,
      code: null,
      price: a.price,
      discount: 0,
      taxLines: taxesAt(order, rates, a.price),
    };
    order.shippingLines.push(line);
    return line.id;
  });
  return { added, removed: [...edit.remove] };
}

/**
 * The taxes Shopify charges on a line an edit adds: the rates the order already charges on its
 * taxable lines (the same destination), each rounded on the line, inside the price when the order's
 * taxes are included.
 */
function addedLineTaxes(order: Order, amount: number): TaxLine[] {
  return taxesAt(
    order,
    order.lineItems.filter((li) => li.taxable).flatMap((li) => li.taxLines),
    amount,
  );
}

/** The taxes of `amount` at the rates of `lines` (one per title), each rounded, inside it when the order's taxes are included. */
function taxesAt(order: Order, lines: TaxLine[], amount: number): TaxLine[] {
  const rates = new Map<string, number>();
  for (const t of lines) if (!rates.has(t.title)) rates.set(t.title, t.rate);
  const sum = [...rates.values()].reduce((s, r) => s + r, 0);
  const base = order.taxesIncluded ? amount / (1 + sum) : amount;
  return [...rates].map(([title, rate]) => ({ title, rate, price: Math.round(base * rate) }));
}

/**
 * A committed order edit, as the merchant makes it in Shopify admin: only unfulfilled units can
 * be removed; `quantity` never shrinks (`removedQuantity` grows, so `currentQuantity` drops);
 * added lines are committed at the order's location and join its open fulfillment order. Sends
 * orders/edited (ids and deltas only, like Shopify) and orders/updated.
 */
export function editOrder(ctx: DomainContext, orderId: number, input: EditOrderInput): Order {
  const order = requireOrder(ctx, orderId);
  if (order.cancelledAt) fail('A cancelled order cannot be edited', ['orderId']);
  const adds = input.add ?? [];
  const sets = input.set ?? [];
  const shipping = checkShippingEdit(order, input.shipping ?? {});
  const shippingChanges = shipping.add.length + shipping.update.length + shipping.remove.length;
  if (adds.length === 0 && sets.length === 0 && shippingChanges === 0) fail('Nothing to edit: give add, set and/or shipping', null);
  const removals = sets.map((s, index) => {
    const field = ['set', String(index)];
    const li = order.lineItems.find((x) => x.id === s.lineItemId);
    if (!li) fail(`Line item ${s.lineItemId} does not belong to the order`, [...field, 'lineItemId']);
    const current = currentQuantity(ctx.state, li);
    const unfulfilled = fulfillmentOrdersOf(ctx, order.id).reduce(
      (sum, fo) => sum + (fo.lineItems.find((x) => x.lineItemId === li.id)?.remainingQuantity ?? 0),
      0,
    );
    if (!Number.isInteger(s.quantity) || s.quantity < 0 || s.quantity > current)
      fail(`Quantity must be between 0 and ${current}`, [...field, 'quantity']);
    const delta = current - s.quantity;
    if (delta > unfulfilled) fail(`Only unfulfilled units can be removed: ${unfulfilled} unfulfilled`, [...field, 'quantity']);
    return { li, delta, restock: s.restock !== false };
  });
  const additions = adds.map((a, index) => {
    const field = ['add', String(index)];
    if (!Number.isInteger(a.quantity) || a.quantity < 1) fail('Quantity must be a positive integer', [...field, 'quantity']);
    const byId = a.variantId === undefined ? undefined : ctx.state.variants.find((v) => v.id === a.variantId);
    const variant = byId ?? requireVariantBySku(ctx, a.sku);
    return {
      a,
      variant,
      price: a.price === undefined ? variant.price : cents(ctx.state.shop.currency, a.price, [...field, 'price']),
      lineDuties: duties(ctx, a.duties, [...field, 'duties']),
    };
  });

  const now = nowIso(ctx);
  const events: SimEvent[] = [];
  const removed: { id: number; delta: number }[] = [];
  for (const r of removals) {
    if (r.delta === 0) continue;
    r.li.removedQuantity = (r.li.removedQuantity ?? 0) + r.delta;
    removed.push({ id: r.li.id, delta: r.delta });
    let left = r.delta;
    for (const fo of fulfillmentOrdersOf(ctx, order.id)) {
      const line = fo.lineItems.find((x) => x.lineItemId === r.li.id);
      if (!line || line.remainingQuantity === 0 || left === 0) continue;
      const take = Math.min(line.remainingQuantity, left);
      line.remainingQuantity -= take;
      left -= take;
      if (fo.lineItems.every((x) => x.remainingQuantity === 0)) fo.status = 'CLOSED';
      fo.updatedAt = now;
      if (r.li.inventoryItemId !== null) {
        const level = findLevel(ctx, r.li.inventoryItemId, fo.locationId);
        if (level && applyQuantities(ctx, level, r.restock ? q.release(level, take) : q.fulfill(level, take)))
          events.push(levelEvent(level));
      }
    }
  }
  const added: { id: number; delta: number }[] = [];
  for (const { a, variant, price, lineDuties } of additions) {
    const product = ctx.state.products.find((p) => p.id === variant.productId)!;
    const item = ctx.state.inventoryItems.find((i) => i.id === variant.inventoryItemId);
    const li: LineItem = {
      id: nextId(ctx),
      variantId: variant.id,
      productId: product.id,
      inventoryItemId: item?.tracked ? item.id : null,
      sku: variant.sku,
      title: product.title,
      variantTitle: variant.title === 'Default Title' ? null : variant.title,
      vendor: product.vendor || null,
      quantity: a.quantity,
      removedQuantity: 0,
      price,
      discount: 0,
      taxLines: variant.taxable ? addedLineTaxes(order, price * a.quantity) : [],
      taxable: variant.taxable,
      requiresShipping: item?.requiresShipping ?? true,
      grams: 0,
      ...(lineDuties?.length ? { duties: lineDuties } : {}),
    };
    order.lineItems.push(li);
    added.push({ id: li.id, delta: a.quantity });
    let fo = fulfillmentOrdersOf(ctx, order.id).find(
      (f) => f.locationId === order.locationId && (f.status === 'OPEN' || f.status === 'IN_PROGRESS'),
    );
    if (!fo) {
      fo = {
        id: nextId(ctx),
        orderId: order.id,
        locationId: order.locationId,
        status: 'OPEN',
        lineItems: [],
        createdAt: now,
        updatedAt: now,
      };
      ctx.state.fulfillmentOrders.push(fo);
    }
    fo.lineItems.push({ id: nextId(ctx), lineItemId: li.id, totalQuantity: a.quantity, remainingQuantity: a.quantity });
    fo.updatedAt = now;
    if (li.inventoryItemId !== null) {
      const level = activateLevel(ctx, li.inventoryItemId, order.locationId);
      if (applyQuantities(ctx, level, q.commit(level, a.quantity))) events.push(levelEvent(level));
    }
  }
  const shippingLines = applyShippingEdit(ctx, order, shipping);
  order.edited = true;
  const totals = orderTotals(ctx.state, order);
  if (order.financialStatus === 'paid' && totals.outstanding > 0) order.financialStatus = 'partially_paid';
  touch(ctx, order);
  const edit = {
    order_edit: {
      id: nextId(ctx),
      app_id: null,
      created_at: now,
      committed_at: now,
      notify_customer: false,
      order_id: order.id,
      staff_note: input.staffNote ?? '',
      user_id: null,
      line_items: { additions: added, removals: removed },
      discounts: { line_item: { additions: [], removals: [] } },
      // Ids only, like line_items (an update changes a line in place: listed in neither).
      shipping_lines: {
        additions: shippingLines.added.map((id) => ({ id })),
        removals: shippingLines.removed.map((id) => ({ id })),
      },
    },
  };
  ctx.emit([{ topic: 'orders/edited', payload: edit }, orderEvent(ctx, order, 'orders/updated'), ...events]);
  return order;
}
