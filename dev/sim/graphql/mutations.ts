/**
 * Mutation resolvers. Each turns its GraphQL input into a domain call; a DomainError becomes the
 * payload's `userErrors` with the other fields null, as on Shopify. Mutations that Shopify requires
 * `@idempotent(key:)` on (from 2026-04) go through `withIdempotency`.
 */
import { GraphQLError, getDirectiveValues, type GraphQLResolveInfo } from 'graphql';
import { parseGid } from '../ids.js';
import { formatCents, fromPresentment, toCents } from '../money.js';
import {
  activateInventory,
  adjustQuantities,
  bulkUpdateVariants,
  setProduct,
  setQuantities,
  type AdjustmentGroup,
  type ProductInput,
  type VariantInput,
} from '../domain/catalog.js';
import { DomainError, type UserError } from '../domain/context.js';
import { createCustomer, deleteCustomer, setCustomer, updateCustomer, type CustomerInput } from '../domain/customers.js';
import { cancelFulfillment } from '../domain/fulfillments.js';
import { cancelOrder, createFulfillment, refundOrder, updateTracking, type FulfillmentInput } from '../domain/orders.js';
import {
  approveReturn,
  cancelReturn,
  closeReturn,
  createReturn,
  declineReturn,
  processReturn,
  reopenReturn,
  requestReturn,
  reverseLineIdOf,
  type DispositionType,
} from '../domain/returns.js';
import { requestDataErasure } from '../domain/privacy.js';
import { createSubscription, deleteSubscription, type SubscriptionInput } from '../domain/subscriptions.js';
import type { GqlContext } from './context.js';
import { IDEMPOTENCY_MESSAGES } from './idempotency.js';
import { orderEditResolvers } from './order-edits.js';
import {
  adjustmentGroupView,
  customerView,
  fulfillmentView,
  inventoryLevelView,
  orderView,
  productView,
  refundView,
  returnView,
  userErrorViews,
  variantView,
  webhookSubscriptionView,
} from './views.js';
import { gid } from '../ids.js';

type Args = Record<string, unknown>;
type Resolver = (source: unknown, args: Args, ctx: GqlContext, info: GraphQLResolveInfo) => unknown;

/**
 * A resolver whose arguments are described by `A`: graphql-js has already coerced them to the
 * schema's input types, so `A` (written after Shopify's input types, for the fields read here)
 * holds. GraphQL IDs are strings; amounts (Money, Decimal) are strings.
 */
const resolver = <A extends Args>(fn: (source: unknown, args: A, ctx: GqlContext, info: GraphQLResolveInfo) => unknown): Resolver =>
  fn as Resolver;

/** ProductVariantSetInput / ProductVariantsBulkInput, as far as the simulator reads them. */
type VariantArgs = {
  id?: string | null;
  sku?: string | null;
  inventoryItem?: { sku?: string | null; tracked?: boolean | null; requiresShipping?: boolean | null } | null;
  barcode?: string | null;
  price?: string | null;
  compareAtPrice?: string | null;
  taxable?: boolean | null;
  inventoryPolicy?: 'DENY' | 'CONTINUE' | null;
  optionValues?: Array<{ optionName: string; name: string }> | null;
  inventoryQuantities?: Array<{ locationId: string; name: string; quantity: number }> | null;
};

/** CustomerInput / CustomerSetInput. */
type CustomerArgs = {
  id?: string | null;
  email?: string | null;
  phone?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  note?: string | null;
  tags?: string[] | null;
  taxExempt?: boolean | null;
  locale?: string | null;
  addresses?: Array<{
    firstName?: string | null;
    lastName?: string | null;
    company?: string | null;
    address1?: string | null;
    address2?: string | null;
    city?: string | null;
    province?: string | null;
    provinceCode?: string | null;
    country?: string | null;
    countryCode?: string | null;
    zip?: string | null;
    phone?: string | null;
  }> | null;
};

/** InventoryQuantityInput / InventoryChangeInput. */
type QuantityArgs = {
  inventoryItemId: string;
  locationId: string;
  quantity: number;
  delta: number;
  changeFromQuantity?: number | null;
  ledgerDocumentUri?: string | null;
};

type TrackingArgs = NonNullable<FulfillmentInput['trackingInfo']>;

/** Mutations whose 2026-10 description says `@idempotent` is required from 2026-04. */
const IDEMPOTENT_REQUIRED_FROM = '2026-04';

function id(value: unknown, type: string, field: string[]): number {
  const n = parseGid(value, type);
  if (n === undefined) throw new DomainError([{ field, message: `Invalid ${type} id: ${String(value)}` }]);
  return n;
}

/** Runs a domain action; returns its payload or `{userErrors}` with the given null fields. */
function attempt(nullFields: string[], run: () => Record<string, unknown>): Record<string, unknown> {
  try {
    return { ...run(), userErrors: [] };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { ...Object.fromEntries(nullFields.map((f) => [f, null])), userErrors: userErrorViews(error.userErrors) };
  }
}

function idempotencyKey(info: GraphQLResolveInfo): string | undefined {
  const directive = info.schema.getDirective('idempotent');
  const node = info.fieldNodes[0];
  if (!directive || !node) return undefined;
  const key = getDirectiveValues(directive, node, info.variableValues)?.key;
  return typeof key === 'string' ? key : undefined;
}

/**
 * Shopify's `@idempotent` semantics around a domain action. `run` returns a JSON-able descriptor
 * of the result (stored with the key) and `render` turns a descriptor into the payload.
 */
function withIdempotency<D>(
  ctx: GqlContext,
  info: GraphQLResolveInfo,
  args: Args,
  nullFields: string[],
  run: () => D,
  render: (descriptor: D) => Record<string, unknown>,
): Record<string, unknown> {
  const key = idempotencyKey(info);
  const mutation = info.fieldName;
  if (key === undefined) {
    if (ctx.apiVersion >= IDEMPOTENT_REQUIRED_FROM) {
      throw new GraphQLError(`The @idempotent directive is required for ${mutation} as of API version ${IDEMPOTENT_REQUIRED_FROM}.`, {
        extensions: { code: 'BAD_REQUEST' },
      });
    }
    return attempt(nullFields, () => render(run()));
  }
  if (key === '') throw new GraphQLError('The idempotency key cannot be an empty string.', { extensions: { code: 'BAD_REQUEST' } });
  const outcome = ctx.idempotency.begin(key, mutation, args);
  if (outcome.kind === 'error') {
    return {
      ...Object.fromEntries(nullFields.map((f) => [f, null])),
      userErrors: userErrorViews([{ field: null, message: IDEMPOTENCY_MESSAGES[outcome.code], code: outcome.code }]),
    };
  }
  if (outcome.kind === 'replay') return { ...render(outcome.result as D), userErrors: [] };
  try {
    const descriptor = run();
    ctx.idempotency.finish(outcome.record, true, descriptor);
    return { ...render(descriptor), userErrors: [] };
  } catch (error) {
    ctx.idempotency.finish(outcome.record, false, null);
    if (!(error instanceof DomainError)) throw error;
    return { ...Object.fromEntries(nullFields.map((f) => [f, null])), userErrors: userErrorViews(error.userErrors) };
  }
}

function variantInput(v: VariantArgs, index: number): VariantInput & { id?: number } {
  const out: VariantInput & { id?: number } = {};
  if (v.id !== undefined && v.id !== null) out.id = id(v.id, 'ProductVariant', ['variants', String(index), 'id']);
  if (v.sku !== undefined) out.sku = v.sku;
  if (v.inventoryItem?.sku !== undefined) out.sku = v.inventoryItem.sku;
  if (typeof v.inventoryItem?.tracked === 'boolean') out.tracked = v.inventoryItem.tracked;
  if (typeof v.inventoryItem?.requiresShipping === 'boolean') out.requiresShipping = v.inventoryItem.requiresShipping;
  if (v.barcode !== undefined) out.barcode = v.barcode;
  if (v.price !== undefined && v.price !== null) out.price = v.price;
  if (v.compareAtPrice !== undefined) out.compareAtPrice = v.compareAtPrice;
  if (typeof v.taxable === 'boolean') out.taxable = v.taxable;
  if (v.inventoryPolicy) out.inventoryPolicy = v.inventoryPolicy;
  if (v.optionValues) out.optionValues = v.optionValues.map((o) => ({ optionName: o.optionName, name: o.name }));
  if (v.inventoryQuantities) {
    out.inventoryQuantities = v.inventoryQuantities.map((q, i) => ({
      locationId: id(q.locationId, 'Location', ['variants', String(index), 'inventoryQuantities', String(i), 'locationId']),
      name: q.name,
      quantity: q.quantity,
    }));
  }
  return out;
}

function customerInput(input: CustomerArgs): CustomerInput {
  const out: CustomerInput = {};
  for (const key of ['email', 'phone', 'firstName', 'lastName', 'note'] as const) {
    if (input[key] !== undefined) out[key] = input[key];
  }
  if (input.tags) out.tags = input.tags;
  if (typeof input.taxExempt === 'boolean') out.taxExempt = input.taxExempt;
  if (typeof input.locale === 'string') out.locale = input.locale;
  if (input.addresses) {
    out.addresses = input.addresses.map((a) => ({
      first_name: a.firstName ?? null,
      last_name: a.lastName ?? null,
      company: a.company ?? null,
      address1: a.address1 ?? null,
      address2: a.address2 ?? null,
      city: a.city ?? null,
      province: a.province ?? a.provinceCode ?? null,
      province_code: a.provinceCode ?? null,
      country: a.country ?? a.countryCode ?? null,
      country_code: a.countryCode ?? null,
      zip: a.zip ?? null,
      phone: a.phone ?? null,
    }));
  }
  return out;
}

/** A refundCreate's transactions (presentment money) as a shop-money amount of the order. */
function refundedShopAmount(
  transactions: Array<{ amount: string }> | null | undefined,
  order: { presentmentCurrency: string; rate: number } | undefined,
  shopCurrency: string,
): string {
  const presentment = order?.presentmentCurrency ?? shopCurrency;
  const paid = sumAmounts(transactions, (t) => t.amount, presentment) ?? 0;
  const shop = presentment === shopCurrency || !order ? paid : fromPresentment(paid, order.rate);
  return formatCents(shop, shopCurrency);
}

function sumAmounts<R>(rows: R[] | null | undefined, pick: (row: R) => string | null | undefined, currency: string): number | undefined {
  if (!rows) return undefined;
  return rows.reduce((s, r) => s + toCents(String(pick(r)), currency), 0);
}

export const mutationResolvers: Record<string, Resolver> = {
  ...orderEditResolvers,
  productSet: resolver<{
    input: {
      id?: string | null;
      handle?: string | null;
      title?: string | null;
      status?: ProductInput['status'] | null;
      vendor?: string | null;
      productType?: string | null;
      tags?: string[] | null;
      descriptionHtml?: string | null;
      productOptions?: Array<{ name: string; values?: Array<{ name: string }> | null }> | null;
      variants?: VariantArgs[] | null;
    };
    identifier?: { id?: string | null; handle?: string | null; customId?: unknown } | null;
  }>((_s, args, ctx) =>
    attempt(['product', 'productSetOperation'], () => {
      const state = ctx.dom.state;
      const { input, identifier } = args;
      let existing: number | undefined;
      const handle: string | undefined = identifier?.handle ?? undefined;
      if (identifier?.id) existing = id(identifier.id, 'Product', ['identifier', 'id']);
      else if (identifier?.customId)
        throw new DomainError([{ field: ['identifier', 'customId'], message: 'not simulated: ProductSetIdentifiers.customId' }]);
      else if (handle !== undefined) existing = state.products.find((p) => p.handle === handle)?.id;
      else if (input.id) existing = id(input.id, 'Product', ['input', 'id']);
      const productInput: ProductInput = {};
      for (const key of ['title', 'vendor', 'productType', 'descriptionHtml'] as const) {
        const value = input[key];
        if (value !== undefined && value !== null) productInput[key] = value;
      }
      if (input.status) productInput.status = input.status;
      if (input.tags) productInput.tags = input.tags;
      if (input.handle !== undefined && input.handle !== null) productInput.handle = input.handle;
      else if (existing === undefined && handle !== undefined) productInput.handle = handle;
      if (input.productOptions)
        productInput.options = input.productOptions.map((o) => ({ name: o.name, values: o.values?.map((v) => v.name) ?? [] }));
      if (input.variants) productInput.variants = input.variants.map(variantInput);
      const product = setProduct(ctx.dom, existing, productInput);
      return { product: productView(state, product), productSetOperation: null };
    }),
  ),
  productVariantsBulkUpdate: resolver<{ productId: string; variants: VariantArgs[] }>((_s, args, ctx) =>
    attempt(['product', 'productVariants'], () => {
      const productId = id(args.productId, 'Product', ['productId']);
      const variants = bulkUpdateVariants(ctx.dom, productId, args.variants.map(variantInput));
      const state = ctx.dom.state;
      return {
        product: productView(
          state,
          state.products.find((p) => p.id === productId)!,
        ),
        productVariants: variants.map((v) => variantView(state, v)),
      };
    }),
  ),
  inventorySetQuantities: resolver<{
    input: { name: string; reason: string; referenceDocumentUri?: string | null; quantities: QuantityArgs[] };
  }>((_s, args, ctx, info) =>
    withIdempotency<AdjustmentGroup>(
      ctx,
      info,
      args,
      ['inventoryAdjustmentGroup'],
      () => {
        const input = args.input;
        const rawQuantities = input.quantities;
        return setQuantities(ctx.dom, {
          name: input.name,
          reason: input.reason,
          referenceDocumentUri: input.referenceDocumentUri ?? null,
          quantities: rawQuantities.map((q, i) => ({
            inventoryItemId:
              parseGid(q.inventoryItemId, 'InventoryItem') ??
              failField(
                ['input', 'quantities', String(i), 'inventoryItemId'],
                'The specified inventory item could not be found.',
                'INVALID_INVENTORY_ITEM',
              ),
            locationId:
              parseGid(q.locationId, 'Location') ??
              failField(['input', 'quantities', String(i), 'locationId'], 'The specified location could not be found.', 'INVALID_LOCATION'),
            quantity: q.quantity,
            // `changeFromQuantity` must be sent explicitly; graphql-js leaves an omitted field out of the object.
            changeFromQuantity: Object.hasOwn(q, 'changeFromQuantity') ? q.changeFromQuantity : undefined,
          })),
        });
      },
      (group) => ({ inventoryAdjustmentGroup: adjustmentGroupView(ctx.dom.state, group) }),
    ),
  ),
  inventoryAdjustQuantities: resolver<{
    input: { name: string; reason: string; referenceDocumentUri?: string | null; changes: QuantityArgs[] };
  }>((_s, args, ctx, info) =>
    withIdempotency<AdjustmentGroup>(
      ctx,
      info,
      args,
      ['inventoryAdjustmentGroup'],
      () => {
        const input = args.input;
        return adjustQuantities(ctx.dom, {
          name: input.name,
          reason: input.reason,
          referenceDocumentUri: input.referenceDocumentUri ?? null,
          changes: input.changes.map((c, i) => ({
            inventoryItemId:
              parseGid(c.inventoryItemId, 'InventoryItem') ??
              failField(
                ['input', 'changes', String(i), 'inventoryItemId'],
                'The specified inventory item could not be found.',
                'INVALID_INVENTORY_ITEM',
              ),
            locationId:
              parseGid(c.locationId, 'Location') ??
              failField(['input', 'changes', String(i), 'locationId'], 'The specified location could not be found.', 'INVALID_LOCATION'),
            delta: c.delta,
            changeFromQuantity: Object.hasOwn(c, 'changeFromQuantity') ? c.changeFromQuantity : undefined,
            ledgerDocumentUri: c.ledgerDocumentUri ?? null,
          })),
        });
      },
      (group) => ({ inventoryAdjustmentGroup: adjustmentGroupView(ctx.dom.state, group) }),
    ),
  ),
  inventoryActivate: resolver<{ inventoryItemId: string; locationId: string; available?: number | null; onHand?: number | null }>(
    (_s, args, ctx, info) =>
      withIdempotency<{ inventoryItemId: number; locationId: number }>(
        ctx,
        info,
        args,
        ['inventoryLevel'],
        () => {
          const level = activateInventory(
            ctx.dom,
            id(args.inventoryItemId, 'InventoryItem', ['inventoryItemId']),
            id(args.locationId, 'Location', ['locationId']),
            args.available,
            args.onHand,
          );
          return { inventoryItemId: level.inventoryItemId, locationId: level.locationId };
        },
        (d) => {
          const level = ctx.dom.state.levels.find((l) => l.inventoryItemId === d.inventoryItemId && l.locationId === d.locationId);
          return { inventoryLevel: level ? inventoryLevelView(ctx.dom.state, level) : null };
        },
      ),
  ),
  orderCancel: resolver<{
    orderId: string;
    reason: string;
    restock: boolean;
    refund?: boolean | null;
    refundMethod?: { originalPaymentMethodsRefund?: boolean | null } | null;
    staffNote?: string | null;
  }>((_s, args, ctx) => {
    try {
      cancelOrder(ctx.dom, id(args.orderId, 'Order', ['orderId']), {
        reason: args.reason,
        restock: args.restock,
        refund: args.refund ?? args.refundMethod?.originalPaymentMethodsRefund === true,
        staffNote: args.staffNote ?? null,
      });
      const jobId = ctx.dom.state.nextId + 1;
      ctx.dom.state.nextId = jobId;
      return { job: { id: gid('Job', jobId), done: true, query: null }, jobResult: null, orderCancelUserErrors: [], userErrors: [] };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const errors = userErrorViews(error.userErrors.map((e) => ({ ...e, code: e.code ?? 'INVALID' })));
      return { job: null, jobResult: null, orderCancelUserErrors: errors, userErrors: errors };
    }
  }),
  fulfillmentCreate: resolver<{
    fulfillment: {
      lineItemsByFulfillmentOrder: Array<{
        fulfillmentOrderId: string;
        fulfillmentOrderLineItems?: Array<{ id: string; quantity: number }> | null;
      }>;
      trackingInfo?: TrackingArgs | null;
    };
  }>((_s, args, ctx) =>
    attempt(['fulfillment'], () => {
      const input = args.fulfillment;
      const f = createFulfillment(ctx.dom, {
        lineItemsByFulfillmentOrder: input.lineItemsByFulfillmentOrder.map((e, i) => ({
          fulfillmentOrderId: id(e.fulfillmentOrderId, 'FulfillmentOrder', [
            'fulfillment',
            'lineItemsByFulfillmentOrder',
            String(i),
            'fulfillmentOrderId',
          ]),
          fulfillmentOrderLineItems: (e.fulfillmentOrderLineItems ?? []).map((l) => ({
            id: id(l.id, 'FulfillmentOrderLineItem', [
              'fulfillment',
              'lineItemsByFulfillmentOrder',
              String(i),
              'fulfillmentOrderLineItems',
            ]),
            quantity: l.quantity,
          })),
        })),
        trackingInfo: input.trackingInfo ?? null,
      });
      return { fulfillment: fulfillmentView(ctx.dom.state, f) };
    }),
  ),
  fulfillmentCancel: resolver<{ id: string }>((_s, args, ctx) =>
    attempt(['id'], () => {
      const f = cancelFulfillment(ctx.dom, id(args.id, 'Fulfillment', ['id']));
      return { fulfillment: fulfillmentView(ctx.dom.state, f) };
    }),
  ),
  fulfillmentTrackingInfoUpdate: resolver<{ fulfillmentId: string; trackingInfoInput: TrackingArgs }>((_s, args, ctx) =>
    attempt(['fulfillment'], () => {
      const f = updateTracking(ctx.dom, id(args.fulfillmentId, 'Fulfillment', ['fulfillmentId']), args.trackingInfoInput);
      return { fulfillment: fulfillmentView(ctx.dom.state, f) };
    }),
  ),
  refundCreate: resolver<{
    input: {
      orderId: string;
      currency?: string | null;
      note?: string | null;
      refundLineItems?: Array<{ lineItemId: string; quantity: number; restockType?: string | null; locationId?: string | null }> | null;
      shipping?: { fullRefund?: boolean | null; amount?: string | null } | null;
      refundDuties?: Array<{ dutyId: string; refundType?: string | null }> | null;
      transactions?: Array<{ amount: string }> | null;
    };
  }>((_s, args, ctx, info) =>
    withIdempotency<{ refundId: number }>(
      ctx,
      info,
      args,
      ['refund', 'order'],
      () => {
        const input = args.input;
        const orderId = id(input.orderId, 'Order', ['input', 'orderId']);
        const order = ctx.dom.state.orders.find((o) => o.id === orderId);
        if (order && order.presentmentCurrency !== order.currency && !input.currency) {
          throw new DomainError([
            { field: ['input', 'currency'], message: 'currency is required when the presentment currency differs from the shop currency' },
          ]);
        }
        if (order && input.currency && input.currency !== order.presentmentCurrency) {
          throw new DomainError([
            { field: ['input', 'currency'], message: `currency must be the presentment currency ${order.presentmentCurrency}` },
          ]);
        }
        const refund = refundOrder(ctx.dom, orderId, {
          lines: (input.refundLineItems ?? []).map((l, i) => ({
            lineItemId: id(l.lineItemId, 'LineItem', ['input', 'refundLineItems', String(i), 'lineItemId']),
            quantity: l.quantity,
            restockType: (l.restockType ?? 'RETURN').toLowerCase() as 'return' | 'cancel' | 'no_restock',
            locationId: l.locationId ? id(l.locationId, 'Location', ['input', 'refundLineItems', String(i), 'locationId']) : null,
          })),
          ...(input.shipping?.fullRefund ? { shippingFull: true } : {}),
          ...(input.shipping?.amount !== undefined && input.shipping?.amount !== null
            ? { shippingAmount: String(input.shipping.amount) }
            : {}),
          // RefundDutyInput.refundType may be absent: the simulator then refunds the duty in full.
          duties: (input.refundDuties ?? []).map((d, i) => ({
            dutyId: id(d.dutyId, 'Duty', ['input', 'refundDuties', String(i), 'dutyId']),
            refundType: d.refundType === 'PROPORTIONAL' ? ('proportional' as const) : ('full' as const),
          })),
          // Money moves only through `transactions`, as on Shopify; none means a refund of 0. Their
          // amounts are in the order's presentment currency (OrderTransactionInput.amount); the
          // simulator keeps shop money, so they are converted back at the order's rate.
          amount: refundedShopAmount(input.transactions, order, ctx.dom.state.shop.currency),
          note: input.note ?? null,
        });
        return { refundId: refund.id };
      },
      (d) => {
        const state = ctx.dom.state;
        const refund = state.refunds.find((r) => r.id === d.refundId)!;
        return {
          refund: refundView(state, refund),
          order: orderView(
            state,
            state.orders.find((o) => o.id === refund.orderId)!,
          ),
        };
      },
    ),
  ),
  returnCreate: resolver<{
    returnInput: {
      orderId: string;
      returnLineItems: Array<{ fulfillmentLineItemId: string; quantity: number; returnReasonNote?: string | null }>;
    };
  }>((_s, args, ctx) =>
    attempt(['return'], () => {
      const input = args.returnInput;
      const ret = createReturn(
        ctx.dom,
        id(input.orderId, 'Order', ['returnInput', 'orderId']),
        returnLines(input.returnLineItems, 'returnInput'),
      );
      return { return: returnView(ctx.dom.state, ret) };
    }),
  ),
  returnRequest: resolver<{
    input: { orderId: string; returnLineItems: Array<{ fulfillmentLineItemId: string; quantity: number; customerNote?: string | null }> };
  }>((_s, args, ctx) =>
    attempt(['return'], () => {
      const lines = args.input.returnLineItems.map((l) => ({ ...l, returnReasonNote: l.customerNote ?? '' }));
      const ret = requestReturn(ctx.dom, id(args.input.orderId, 'Order', ['input', 'orderId']), returnLines(lines, 'input'));
      return { return: returnView(ctx.dom.state, ret) };
    }),
  ),
  returnApproveRequest: resolver<{ input: { id: string } }>((_s, args, ctx) =>
    attempt(['return'], () => ({
      return: returnView(ctx.dom.state, approveReturn(ctx.dom, id(args.input.id, 'Return', ['input', 'id']))),
    })),
  ),
  returnDeclineRequest: resolver<{
    input: { id: string; declineReason: 'FINAL_SALE' | 'OTHER' | 'RETURN_PERIOD_ENDED'; declineNote?: string | null };
  }>((_s, args, ctx) =>
    attempt(['return'], () => {
      const ret = declineReturn(ctx.dom, id(args.input.id, 'Return', ['input', 'id']), {
        reason: args.input.declineReason,
        note: args.input.declineNote ?? null,
      });
      return { return: returnView(ctx.dom.state, ret) };
    }),
  ),
  returnCancel: resolver<{ id: string }>((_s, args, ctx) =>
    attempt(['return'], () => ({ return: returnView(ctx.dom.state, cancelReturn(ctx.dom, id(args.id, 'Return', ['id']))) })),
  ),
  returnClose: resolver<{ id: string }>((_s, args, ctx) =>
    attempt(['return'], () => ({ return: returnView(ctx.dom.state, closeReturn(ctx.dom, id(args.id, 'Return', ['id']))) })),
  ),
  returnReopen: resolver<{ id: string }>((_s, args, ctx) =>
    attempt(['return'], () => ({ return: returnView(ctx.dom.state, reopenReturn(ctx.dom, id(args.id, 'Return', ['id']))) })),
  ),
  returnProcess: resolver<{
    input: {
      returnId: string;
      returnLineItems?: Array<{
        id: string;
        quantity: number;
        dispositions?: Array<{
          reverseFulfillmentOrderLineItemId: string;
          quantity: number;
          dispositionType: DispositionType;
          locationId?: string | null;
        }> | null;
      }> | null;
      financialTransfer?: {
        issueRefund?: {
          orderTransactions?: Array<{ parentId?: string | null; transactionAmount?: { amount?: string | null } | null }> | null;
        } | null;
      } | null;
      refundShipping?: { fullRefund?: boolean | null } | null;
      note?: string | null;
    };
  }>((_s, args, ctx) =>
    attempt(['return'], () => {
      const input = args.input;
      const transfer = input.financialTransfer?.issueRefund;
      const amount = transfer
        ? sumAmounts(transfer.orderTransactions, (t) => t.transactionAmount?.amount, ctx.dom.state.shop.currency)
        : undefined;
      const returnId = id(input.returnId, 'Return', ['input', 'returnId']);
      const ret = ctx.dom.state.returns.find((r) => r.id === returnId);
      // "The transaction must be of kind CAPTURE or a SALE" (ReturnRefundOrderTransactionInput.parentId), of the return's order.
      (transfer?.orderTransactions ?? []).forEach((t, i) => {
        const field = ['input', 'financialTransfer', 'issueRefund', 'orderTransactions', String(i), 'parentId'];
        const parent = id(t.parentId, 'OrderTransaction', field);
        const tx = ctx.dom.state.transactions.find((x) => x.id === parent);
        if (ret && !(tx && tx.orderId === ret.orderId && (tx.kind === 'sale' || tx.kind === 'capture') && tx.status === 'success'))
          throw new DomainError([
            { field, message: 'The parent transaction must be a successful sale or capture of the order.', code: 'INVALID' },
          ]);
      });
      const { ret: processed } = processReturn(ctx.dom, {
        returnId,
        lines: (input.returnLineItems ?? []).map((l, i) => {
          const field = ['input', 'returnLineItems', String(i)];
          const lineId = id(l.id, 'ReturnLineItem', [...field, 'id']);
          const line = ret?.lines.find((x) => x.id === lineId);
          return {
            id: lineId,
            quantity: l.quantity,
            dispositions: (l.dispositions ?? []).map((d, j) => {
              const where = [...field, 'dispositions', String(j)];
              const reverse = id(d.reverseFulfillmentOrderLineItemId, 'ReverseFulfillmentOrderLineItem', [
                ...where,
                'reverseFulfillmentOrderLineItemId',
              ]);
              if (!line || reverseLineIdOf(line) !== reverse)
                throw new DomainError([
                  {
                    field: [...where, 'reverseFulfillmentOrderLineItemId'],
                    message: 'Reverse fulfillment order line item does not belong to the return line item.',
                    code: 'INVALID',
                  },
                ]);
              return {
                type: d.dispositionType,
                quantity: d.quantity,
                locationId: d.locationId ? id(d.locationId, 'Location', [...where, 'locationId']) : null,
              };
            }),
          };
        }),
        ...(amount !== undefined ? { refundAmount: amount } : {}),
        refundShippingFull: input.refundShipping?.fullRefund === true,
        note: input.note ?? null,
      });
      return { return: returnView(ctx.dom.state, processed) };
    }),
  ),
  customerCreate: resolver<{ input: CustomerArgs }>((_s, args, ctx) =>
    attempt(['customer'], () => {
      if (args.input.id) throw new DomainError([{ field: ['input', 'id'], message: 'id must not be given when creating a customer' }]);
      return { customer: customerView(ctx.dom.state, createCustomer(ctx.dom, customerInput(args.input))) };
    }),
  ),
  customerUpdate: resolver<{ input: CustomerArgs }>((_s, args, ctx) =>
    attempt(['customer'], () => {
      const input = args.input;
      const c = updateCustomer(ctx.dom, id(input.id, 'Customer', ['input', 'id']), customerInput(input));
      return { customer: customerView(ctx.dom.state, c) };
    }),
  ),
  customerSet: resolver<{
    input: CustomerArgs;
    identifier?: { id?: string | null; email?: string | null; phone?: string | null; customId?: unknown } | null;
  }>((_s, args, ctx) =>
    attempt(['customer'], () => {
      const identifier = args.identifier;
      if (identifier?.customId || identifier?.phone)
        throw new DomainError([{ field: ['identifier'], message: 'not simulated: CustomerSetIdentifiers customId/phone' }]);
      const c = setCustomer(
        ctx.dom,
        identifier
          ? {
              ...(identifier.id ? { id: id(identifier.id, 'Customer', ['identifier', 'id']) } : {}),
              ...(identifier.email ? { email: identifier.email } : {}),
            }
          : undefined,
        customerInput(args.input),
      );
      return { customer: customerView(ctx.dom.state, c) };
    }),
  ),
  customerDelete: resolver<{ input: { id: string } }>((_s, args, ctx) =>
    attempt(['deletedCustomerId'], () => {
      const deleted = deleteCustomer(ctx.dom, id(args.input.id, 'Customer', ['input', 'id']));
      return {
        deletedCustomerId: gid('Customer', deleted),
        shop: { __typename: 'Shop', id: gid('Shop', ctx.dom.state.shop.id), name: ctx.dom.state.shop.name },
      };
    }),
  ),
  customerRequestDataErasure: resolver<{ customerId: string }>((_s, args, ctx) =>
    attempt(['customerId'], () => ({
      customerId: gid('Customer', requestDataErasure(ctx.dom, id(args.customerId, 'Customer', ['customerId']))),
    })),
  ),
  webhookSubscriptionCreate: resolver<{
    topic: string;
    webhookSubscription: {
      uri?: string | null;
      callbackUrl?: string | null;
      format?: SubscriptionInput['format'] | null;
      filter?: string | null;
      includeFields?: string[] | null;
      name?: string | null;
    };
  }>((_s, args, ctx) =>
    attempt(['webhookSubscription'], () => {
      const input = args.webhookSubscription;
      const uri = input.uri ?? input.callbackUrl;
      if (!uri) throw new DomainError([{ field: ['webhookSubscription', 'uri'], message: "Address can't be blank" }]);
      const s = createSubscription(ctx.dom, {
        topic: args.topic,
        uri,
        ...(input.format ? { format: input.format } : {}),
        filter: input.filter ?? null,
        includeFields: input.includeFields ?? [],
        name: input.name ?? null,
        source: 'api',
      });
      return { webhookSubscription: webhookSubscriptionView(s, ctx.webhookApiVersion) };
    }),
  ),
  webhookSubscriptionDelete: resolver<{ id: string }>((_s, args, ctx) =>
    attempt(['deletedWebhookSubscriptionId'], () => {
      const n = id(args.id, 'WebhookSubscription', ['id']);
      if (!ctx.dom.state.subscriptions.some((s) => s.id === n && s.source === 'api'))
        throw new DomainError([{ field: ['id'], message: 'Webhook subscription does not exist' }]);
      deleteSubscription(ctx.dom, n);
      return { deletedWebhookSubscriptionId: gid('WebhookSubscription', n) };
    }),
  ),
};

/** Return lines by fulfillment line item, as returnCreate and returnRequest take them. */
function returnLines(
  lines: Array<{ fulfillmentLineItemId: string; quantity: number; returnReasonNote?: string | null }>,
  root: string,
): Array<{ fulfillmentLineItemId: number; quantity: number; returnReasonNote: string }> {
  return lines.map((l, i) => ({
    fulfillmentLineItemId: id(l.fulfillmentLineItemId, 'FulfillmentLineItem', [
      root,
      'returnLineItems',
      String(i),
      'fulfillmentLineItemId',
    ]),
    quantity: l.quantity,
    returnReasonNote: l.returnReasonNote ?? '',
  }));
}

function failField(field: string[], message: string, code: string): never {
  throw new DomainError([{ field, message, code } satisfies UserError]);
}
