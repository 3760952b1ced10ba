/**
 * Mutation resolvers. Each turns its GraphQL input into a domain call; a DomainError becomes the
 * payload's `userErrors` with the other fields null, as on Shopify. Mutations that Shopify requires
 * `@idempotent(key:)` on (from 2026-04) go through `withIdempotency`.
 */
import { GraphQLError, getDirectiveValues, type GraphQLResolveInfo } from 'graphql';
import { parseGid } from '../ids.js';
import { toCents } from '../money.js';
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
import { cancelOrder, createFulfillment, createReturn, processReturn, refundOrder, updateTracking } from '../domain/orders.js';
import { createSubscription, deleteSubscription } from '../domain/subscriptions.js';
import type { GqlContext } from './context.js';
import { IDEMPOTENCY_MESSAGES } from './idempotency.js';
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Args = Record<string, any>;
type Resolver = (source: unknown, args: Args, ctx: GqlContext, info: GraphQLResolveInfo) => unknown;

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
  const values = getDirectiveValues(directive, node, info.variableValues);
  return values?.key as string | undefined;
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

function variantInput(v: Args, index: number): VariantInput & { id?: number } {
  const out: VariantInput & { id?: number } = {};
  if (v.id !== undefined && v.id !== null) out.id = id(v.id, 'ProductVariant', ['variants', String(index), 'id']);
  if (v.sku !== undefined) out.sku = v.sku;
  if (v.inventoryItem?.sku !== undefined) out.sku = v.inventoryItem.sku;
  if (v.inventoryItem?.tracked !== undefined) out.tracked = v.inventoryItem.tracked;
  if (v.inventoryItem?.requiresShipping !== undefined) out.requiresShipping = v.inventoryItem.requiresShipping;
  if (v.barcode !== undefined) out.barcode = v.barcode;
  if (v.price !== undefined && v.price !== null) out.price = v.price;
  if (v.compareAtPrice !== undefined) out.compareAtPrice = v.compareAtPrice;
  if (v.taxable !== undefined) out.taxable = v.taxable;
  if (v.inventoryPolicy !== undefined) out.inventoryPolicy = v.inventoryPolicy;
  if (v.optionValues !== undefined) out.optionValues = (v.optionValues as Args[]).map((o) => ({ optionName: o.optionName, name: o.name }));
  if (v.inventoryQuantities !== undefined) {
    out.inventoryQuantities = (v.inventoryQuantities as Args[]).map((q, i) => ({
      locationId: id(q.locationId, 'Location', ['variants', String(index), 'inventoryQuantities', String(i), 'locationId']),
      name: q.name,
      quantity: q.quantity,
    }));
  }
  return out;
}

function customerInput(input: Args): CustomerInput {
  const out: CustomerInput = {};
  for (const key of ['email', 'phone', 'firstName', 'lastName', 'note', 'tags', 'taxExempt', 'locale'] as const) {
    if (input[key] !== undefined) (out as Args)[key] = input[key];
  }
  if (input.addresses !== undefined) {
    out.addresses = (input.addresses as Args[]).map((a) => ({
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

function sumAmounts(rows: Args[] | undefined, pick: (row: Args) => unknown): number | undefined {
  if (!rows) return undefined;
  return rows.reduce((s, r) => s + toCents(String(pick(r))), 0);
}

export const mutationResolvers: Record<string, Resolver> = {
  productSet: (_s, args, ctx) =>
    attempt(['product', 'productSetOperation'], () => {
      const state = ctx.dom.state;
      const input = args.input as Args;
      const identifier = args.identifier as Args | undefined;
      let existing: number | undefined;
      const handle: string | undefined = identifier?.handle ?? undefined;
      if (identifier?.id) existing = id(identifier.id, 'Product', ['identifier', 'id']);
      else if (identifier?.customId)
        throw new DomainError([{ field: ['identifier', 'customId'], message: 'not simulated: ProductSetIdentifiers.customId' }]);
      else if (handle !== undefined) existing = state.products.find((p) => p.handle === handle)?.id;
      else if (input.id) existing = id(input.id, 'Product', ['input', 'id']);
      const productInput: ProductInput = {};
      for (const key of ['title', 'status', 'vendor', 'productType', 'tags', 'descriptionHtml'] as const) {
        if (input[key] !== undefined && input[key] !== null) (productInput as Args)[key] = input[key];
      }
      if (input.handle !== undefined && input.handle !== null) productInput.handle = input.handle;
      else if (existing === undefined && handle !== undefined) productInput.handle = handle;
      if (input.productOptions)
        productInput.options = (input.productOptions as Args[]).map((o) => ({
          name: o.name,
          values: (o.values as Args[] | undefined)?.map((v) => v.name) ?? [],
        }));
      if (input.variants) productInput.variants = (input.variants as Args[]).map(variantInput);
      const product = setProduct(ctx.dom, existing, productInput);
      return { product: productView(state, product), productSetOperation: null };
    }),
  productVariantsBulkUpdate: (_s, args, ctx) =>
    attempt(['product', 'productVariants'], () => {
      const productId = id(args.productId, 'Product', ['productId']);
      const variants = bulkUpdateVariants(ctx.dom, productId, (args.variants as Args[]).map(variantInput));
      const state = ctx.dom.state;
      return {
        product: productView(
          state,
          state.products.find((p) => p.id === productId)!,
        ),
        productVariants: variants.map((v) => variantView(state, v)),
      };
    }),
  inventorySetQuantities: (_s, args, ctx, info) =>
    withIdempotency<AdjustmentGroup>(
      ctx,
      info,
      args,
      ['inventoryAdjustmentGroup'],
      () => {
        const input = args.input as Args;
        const rawQuantities = input.quantities as Args[];
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
  inventoryAdjustQuantities: (_s, args, ctx, info) =>
    withIdempotency<AdjustmentGroup>(
      ctx,
      info,
      args,
      ['inventoryAdjustmentGroup'],
      () => {
        const input = args.input as Args;
        return adjustQuantities(ctx.dom, {
          name: input.name,
          reason: input.reason,
          referenceDocumentUri: input.referenceDocumentUri ?? null,
          changes: (input.changes as Args[]).map((c, i) => ({
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
  inventoryActivate: (_s, args, ctx, info) =>
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
  orderCancel: (_s, args, ctx) => {
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
  },
  fulfillmentCreate: (_s, args, ctx) =>
    attempt(['fulfillment'], () => {
      const input = args.fulfillment as Args;
      const f = createFulfillment(ctx.dom, {
        lineItemsByFulfillmentOrder: (input.lineItemsByFulfillmentOrder as Args[]).map((e, i) => ({
          fulfillmentOrderId: id(e.fulfillmentOrderId, 'FulfillmentOrder', [
            'fulfillment',
            'lineItemsByFulfillmentOrder',
            String(i),
            'fulfillmentOrderId',
          ]),
          fulfillmentOrderLineItems: ((e.fulfillmentOrderLineItems as Args[] | undefined) ?? []).map((l) => ({
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
  fulfillmentTrackingInfoUpdate: (_s, args, ctx) =>
    attempt(['fulfillment'], () => {
      const f = updateTracking(ctx.dom, id(args.fulfillmentId, 'Fulfillment', ['fulfillmentId']), args.trackingInfoInput as Args);
      return { fulfillment: fulfillmentView(ctx.dom.state, f) };
    }),
  refundCreate: (_s, args, ctx, info) =>
    withIdempotency<{ refundId: number }>(
      ctx,
      info,
      args,
      ['refund', 'order'],
      () => {
        const input = args.input as Args;
        const orderId = id(input.orderId, 'Order', ['input', 'orderId']);
        const order = ctx.dom.state.orders.find((o) => o.id === orderId);
        if (order && order.presentmentCurrency !== order.currency && !input.currency) {
          throw new DomainError([
            { field: ['input', 'currency'], message: 'currency is required when the presentment currency differs from the shop currency' },
          ]);
        }
        const refund = refundOrder(ctx.dom, orderId, {
          lines: ((input.refundLineItems as Args[] | undefined) ?? []).map((l, i) => ({
            lineItemId: id(l.lineItemId, 'LineItem', ['input', 'refundLineItems', String(i), 'lineItemId']),
            quantity: l.quantity,
            restockType: ((l.restockType as string | undefined) ?? 'RETURN').toLowerCase() as 'return' | 'cancel' | 'no_restock',
            locationId: l.locationId ? id(l.locationId, 'Location', ['input', 'refundLineItems', String(i), 'locationId']) : null,
          })),
          ...(input.shipping?.fullRefund ? { shippingFull: true } : {}),
          ...(input.shipping?.amount !== undefined && input.shipping?.amount !== null
            ? { shippingAmount: String(input.shipping.amount) }
            : {}),
          // Money moves only through `transactions`, as on Shopify; none means a refund of 0.
          amount: ((sumAmounts(input.transactions as Args[] | undefined, (t) => t.amount) ?? 0) / 100).toFixed(2),
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
  returnCreate: (_s, args, ctx) =>
    attempt(['return'], () => {
      const input = args.returnInput as Args;
      const ret = createReturn(
        ctx.dom,
        id(input.orderId, 'Order', ['returnInput', 'orderId']),
        (input.returnLineItems as Args[]).map((l, i) => ({
          fulfillmentLineItemId: id(l.fulfillmentLineItemId, 'FulfillmentLineItem', [
            'returnInput',
            'returnLineItems',
            String(i),
            'fulfillmentLineItemId',
          ]),
          quantity: l.quantity,
          returnReasonNote: l.returnReasonNote ?? '',
        })),
      );
      return { return: returnView(ctx.dom.state, ret) };
    }),
  returnProcess: (_s, args, ctx) =>
    attempt(['return'], () => {
      const input = args.input as Args;
      const transfer = input.financialTransfer?.issueRefund as Args | undefined;
      const amount = transfer ? sumAmounts(transfer.orderTransactions as Args[], (t) => t.transactionAmount?.amount) : undefined;
      const { ret } = processReturn(ctx.dom, {
        returnId: id(input.returnId, 'Return', ['input', 'returnId']),
        lines: ((input.returnLineItems as Args[] | undefined) ?? []).map((l, i) => {
          const dispositions = (l.dispositions as Args[] | undefined) ?? [];
          const restocked = dispositions.find((d) => d.dispositionType === 'RESTOCKED');
          return {
            id: id(l.id, 'ReturnLineItem', ['input', 'returnLineItems', String(i), 'id']),
            quantity: l.quantity,
            restock: restocked !== undefined,
            locationId: restocked?.locationId
              ? id(restocked.locationId, 'Location', ['input', 'returnLineItems', String(i), 'dispositions'])
              : null,
          };
        }),
        ...(amount !== undefined ? { refundAmount: amount } : {}),
        refundShippingFull: input.refundShipping?.fullRefund === true,
        note: input.note ?? null,
      });
      return { return: returnView(ctx.dom.state, ret) };
    }),
  customerCreate: (_s, args, ctx) =>
    attempt(['customer'], () => {
      if ((args.input as Args).id)
        throw new DomainError([{ field: ['input', 'id'], message: 'id must not be given when creating a customer' }]);
      return { customer: customerView(ctx.dom.state, createCustomer(ctx.dom, customerInput(args.input as Args))) };
    }),
  customerUpdate: (_s, args, ctx) =>
    attempt(['customer'], () => {
      const input = args.input as Args;
      const c = updateCustomer(ctx.dom, id(input.id, 'Customer', ['input', 'id']), customerInput(input));
      return { customer: customerView(ctx.dom.state, c) };
    }),
  customerSet: (_s, args, ctx) =>
    attempt(['customer'], () => {
      const identifier = args.identifier as Args | undefined;
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
        customerInput(args.input as Args),
      );
      return { customer: customerView(ctx.dom.state, c) };
    }),
  customerDelete: (_s, args, ctx) =>
    attempt(['deletedCustomerId'], () => {
      const deleted = deleteCustomer(ctx.dom, id((args.input as Args).id, 'Customer', ['input', 'id']));
      return {
        deletedCustomerId: gid('Customer', deleted),
        shop: { __typename: 'Shop', id: gid('Shop', ctx.dom.state.shop.id), name: ctx.dom.state.shop.name },
      };
    }),
  webhookSubscriptionCreate: (_s, args, ctx) =>
    attempt(['webhookSubscription'], () => {
      const input = args.webhookSubscription as Args;
      const uri = input.uri ?? input.callbackUrl;
      if (!uri) throw new DomainError([{ field: ['webhookSubscription', 'uri'], message: "Address can't be blank" }]);
      const s = createSubscription(ctx.dom, {
        topic: args.topic,
        uri,
        format: input.format,
        filter: input.filter ?? null,
        includeFields: input.includeFields ?? [],
        name: input.name ?? null,
        source: 'api',
      });
      return { webhookSubscription: webhookSubscriptionView(s, ctx.webhookApiVersion) };
    }),
  webhookSubscriptionDelete: (_s, args, ctx) =>
    attempt(['deletedWebhookSubscriptionId'], () => {
      const n = id(args.id, 'WebhookSubscription', ['id']);
      if (!ctx.dom.state.subscriptions.some((s) => s.id === n && s.source === 'api'))
        throw new DomainError([{ field: ['id'], message: 'Webhook subscription does not exist' }]);
      deleteSubscription(ctx.dom, n);
      return { deletedWebhookSubscriptionId: gid('WebhookSubscription', n) };
    }),
};

function failField(field: string[], message: string, code: string): never {
  throw new DomainError([{ field, message, code } satisfies UserError]);
}
