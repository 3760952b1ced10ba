/** QueryRoot resolvers. */
import { GraphQLError } from 'graphql';
import { gid, parseGid, parseInventoryLevelGid } from '../ids.js';
import { inventoryItemOf, levelOf } from '../lookup.js';
import type { SimState } from '../state.js';
import { applySearch, connection, type ConnectionArgs } from './connection.js';
import type { GqlContext } from './context.js';
import {
  customerView,
  fulfillmentOrderView,
  fulfillmentView,
  inventoryItemView,
  inventoryLevelView,
  locationView,
  locationsConnection,
  orderView,
  productView,
  refundView,
  returnView,
  shopView,
  variantView,
  webhookSubscriptionView,
} from './views.js';

/**
 * The root fields' arguments the simulator reads, as graphql-js hands them over after coercing
 * them to the schema's types (IDs are strings).
 */
type Args = ConnectionArgs & {
  id?: string | null;
  ids?: string[];
  orderId?: string;
  query?: string | null;
  sortKey?: string | null;
  includeClosed?: boolean | null;
  identifier?: {
    id?: string | null;
    handle?: string | null;
    emailAddress?: string | null;
    phoneNumber?: string | null;
    customId?: unknown;
  };
  topics?: string[] | null;
  uri?: string | null;
  callbackUrl?: string | null;
};
type Resolver = (source: unknown, args: Args, ctx: GqlContext) => unknown;

const numericId = (value: string) => Number(/\/(\d+)/.exec(value)?.[1] ?? NaN);

/** Any Node by GID, for `node`/`nodes`. */
export function nodeById(state: SimState, id: string, webhookApiVersion?: string): unknown {
  const level = parseInventoryLevelGid(id);
  if (level) {
    const l = levelOf(state, level.inventoryItemId, level.locationId);
    return l ? inventoryLevelView(state, l) : null;
  }
  const type = /^gid:\/\/shopify\/(\w+)\//.exec(id)?.[1];
  const n = numericId(id);
  switch (type) {
    case 'Product': {
      const p = state.products.find((x) => x.id === n);
      return p ? productView(state, p) : null;
    }
    case 'ProductVariant': {
      const v = state.variants.find((x) => x.id === n);
      return v ? variantView(state, v) : null;
    }
    case 'InventoryItem': {
      const i = inventoryItemOf(state, n);
      return i ? inventoryItemView(state, i) : null;
    }
    case 'Location': {
      const l = state.locations.find((x) => x.id === n);
      return l ? locationView(state, l) : null;
    }
    case 'Order': {
      const o = state.orders.find((x) => x.id === n);
      return o ? orderView(state, o) : null;
    }
    case 'FulfillmentOrder': {
      const fo = state.fulfillmentOrders.find((x) => x.id === n);
      return fo ? fulfillmentOrderView(state, fo) : null;
    }
    case 'Fulfillment': {
      const f = state.fulfillments.find((x) => x.id === n);
      return f ? fulfillmentView(state, f) : null;
    }
    case 'Refund': {
      const r = state.refunds.find((x) => x.id === n);
      return r ? refundView(state, r) : null;
    }
    case 'Return': {
      const r = state.returns.find((x) => x.id === n);
      return r ? returnView(state, r) : null;
    }
    case 'Customer': {
      const c = state.customers.find((x) => x.id === n);
      return c ? customerView(state, c) : null;
    }
    case 'WebhookSubscription': {
      const s = state.subscriptions.find((x) => x.id === n && x.source === 'api');
      return s ? webhookSubscriptionView(s, webhookApiVersion) : null;
    }
    default:
      return null;
  }
}

function typed(state: SimState, id: unknown, type: string, webhookApiVersion?: string): unknown {
  if (typeof id !== 'string' || parseGid(id, type) === undefined) {
    if (type === 'InventoryLevel' && typeof id === 'string' && parseInventoryLevelGid(id)) return nodeById(state, id);
    throw new GraphQLError(`Invalid id: ${String(id)}`, { extensions: { code: 'RESOURCE_NOT_FOUND' } });
  }
  return nodeById(state, id, webhookApiVersion);
}

const ORDER_SORT: Record<string, (o: SimState['orders'][number]) => string | number> = {
  PROCESSED_AT: (o) => o.processedAt,
  CREATED_AT: (o) => o.createdAt,
  UPDATED_AT: (o) => o.updatedAt,
  ID: (o) => o.id,
  ORDER_NUMBER: (o) => o.number,
};

export const queryResolvers: Record<string, Resolver> = {
  shop: (_s, _a, ctx) => shopView(ctx.dom.state),
  publicApiVersions: (_s, _a, ctx) =>
    ctx.supportedVersions.map((v) => ({
      handle: v.handle,
      displayName: v.handle === 'unstable' ? 'unstable' : `${v.handle}${v.supported ? '' : ' (Release candidate)'}`,
      supported: v.supported,
    })),
  locations: (_s, args, ctx) => locationsConnection(ctx.dom.state, args),
  location: (_s, args, ctx) => {
    const state = ctx.dom.state;
    if (args.id === undefined || args.id === null) {
      const primary = state.locations.find((l) => l.isActive);
      return primary ? locationView(state, primary) : null;
    }
    return typed(state, args.id, 'Location');
  },
  node: (_s, args, ctx) => nodeById(ctx.dom.state, String(args.id), ctx.webhookApiVersion),
  nodes: (_s, args, ctx) => (args.ids ?? []).map((id) => nodeById(ctx.dom.state, id, ctx.webhookApiVersion)),
  product: (_s, args, ctx) => typed(ctx.dom.state, args.id, 'Product'),
  productByIdentifier: (_s, args, ctx) => {
    const state = ctx.dom.state;
    const identifier = args.identifier ?? {};
    if (identifier.id) return typed(state, identifier.id, 'Product');
    if (identifier.handle) {
      const p = state.products.find((x) => x.handle === identifier.handle);
      return p ? productView(state, p) : null;
    }
    throw new GraphQLError('not simulated: ProductIdentifierInput.customId');
  },
  products: (_s, args, ctx) => {
    const state = ctx.dom.state;
    const items = applySearch(state.products, args.query, {
      handle: (p) => p.handle,
      title: (p) => p.title,
      status: (p) => p.status,
      vendor: (p) => p.vendor,
      product_type: (p) => p.productType,
      tag: (p) => p.tags,
      sku: (p) => p.variantIds.map((id) => state.variants.find((v) => v.id === id)?.sku),
      id: (p) => p.id,
      updated_at: (p) => p.updatedAt,
      created_at: (p) => p.createdAt,
      default: (p) => p.title,
    });
    return connection(
      items,
      args,
      (p) => p.id,
      (p) => productView(state, p),
    );
  },
  productVariant: (_s, args, ctx) => typed(ctx.dom.state, args.id, 'ProductVariant'),
  productVariants: (_s, args, ctx) => {
    const state = ctx.dom.state;
    const items = applySearch(state.variants, args.query, {
      sku: (v) => v.sku,
      barcode: (v) => v.barcode,
      product_id: (v) => v.productId,
      id: (v) => v.id,
      title: (v) => v.title,
      updated_at: (v) => v.updatedAt,
      default: (v) => v.sku,
    });
    return connection(
      items,
      args,
      (v) => v.id,
      (v) => variantView(state, v),
    );
  },
  inventoryItem: (_s, args, ctx) => typed(ctx.dom.state, args.id, 'InventoryItem'),
  inventoryItems: (_s, args, ctx) => {
    const state = ctx.dom.state;
    const items = applySearch(state.inventoryItems, args.query, {
      sku: (i) => i.sku,
      id: (i) => i.id,
      created_at: (i) => i.createdAt,
      updated_at: (i) => i.updatedAt,
      default: (i) => i.sku,
    });
    return connection(
      items,
      args,
      (i) => i.id,
      (i) => inventoryItemView(state, i),
    );
  },
  inventoryLevel: (_s, args, ctx) => typed(ctx.dom.state, args.id, 'InventoryLevel'),
  order: (_s, args, ctx) => typed(ctx.dom.state, args.id, 'Order'),
  orders: (_s, args, ctx) => {
    const state = ctx.dom.state;
    const filtered = applySearch(state.orders, args.query, {
      updated_at: (o) => o.updatedAt,
      created_at: (o) => o.createdAt,
      processed_at: (o) => o.processedAt,
      name: (o) => [o.name, o.name.replace('#', '')],
      email: (o) => o.email,
      id: (o) => o.id,
      customer_id: (o) => o.customerId,
      financial_status: (o) => o.financialStatus,
      status: (o) => (o.cancelledAt ? ['cancelled', 'closed'] : o.closedAt ? ['closed'] : ['open', 'not_closed']),
      fulfillment_status: (o) => {
        const fos = state.fulfillmentOrders.filter((fo) => fo.orderId === o.id);
        const any = state.fulfillments.some((f) => f.orderId === o.id);
        const open = fos.some((fo) => fo.status === 'OPEN' || fo.status === 'IN_PROGRESS');
        return !any ? ['unshipped', 'unfulfilled'] : open ? ['partial', 'unfulfilled'] : ['shipped', 'fulfilled'];
      },
      sku: (o) => o.lineItems.map((li) => li.sku),
      tag: (o) => o.tags,
      location_id: (o) => o.locationId,
      test: (o) => String(o.test),
      source_name: (o) => o.sourceName,
      default: (o) => [o.name, o.email],
    });
    const sortValue = ORDER_SORT[args.sortKey ?? 'PROCESSED_AT'] ?? ORDER_SORT.ID!;
    const sorted = [...filtered].sort((a, b) => {
      const x = sortValue(a);
      const y = sortValue(b);
      return x < y ? -1 : x > y ? 1 : a.id - b.id;
    });
    return connection(
      sorted,
      args,
      (o) => o.id,
      (o) => orderView(state, o),
      sortValue,
    );
  },
  fulfillmentOrder: (_s, args, ctx) => typed(ctx.dom.state, args.id, 'FulfillmentOrder'),
  fulfillmentOrders: (_s, args, ctx) => {
    const state = ctx.dom.state;
    const open = state.fulfillmentOrders.filter(
      (fo) => args.includeClosed === true || (fo.status !== 'CLOSED' && fo.status !== 'CANCELLED'),
    );
    const items = applySearch(open, args.query, {
      status: (fo) => fo.status.toLowerCase(),
      assigned_location_id: (fo) => fo.locationId,
      order_id: (fo) => fo.orderId,
      updated_at: (fo) => fo.updatedAt,
    });
    return connection(
      items,
      args,
      (fo) => fo.id,
      (fo) => fulfillmentOrderView(state, fo),
    );
  },
  refund: (_s, args, ctx) => typed(ctx.dom.state, args.id, 'Refund'),
  return: (_s, args, ctx) => typed(ctx.dom.state, args.id, 'Return'),
  returnableFulfillments: (_s, args, ctx) => {
    const state = ctx.dom.state;
    const orderId = parseGid(args.orderId, 'Order');
    const fulfillments = state.fulfillments.filter((f) => f.orderId === orderId && f.status === 'SUCCESS');
    return connection(
      fulfillments,
      args,
      (f) => f.id,
      (f) => {
        const fv = fulfillmentView(state, f);
        return {
          __typename: 'ReturnableFulfillment',
          id: gid('ReturnableFulfillment', f.id),
          fulfillment: fv,
          returnableFulfillmentLineItems: (a: Args) =>
            connection(
              f.lineItems,
              a as ConnectionArgs,
              (l) => l.id,
              (l) => {
                const returned = state.returns
                  .flatMap((r) => (r.status === 'CANCELED' ? [] : r.lines))
                  .filter((x) => x.fulfillmentLineItemId === l.id)
                  .reduce((s, x) => s + x.quantity, 0);
                return {
                  __typename: 'ReturnableFulfillmentLineItem',
                  quantity: l.quantity - returned,
                  fulfillmentLineItem: (fv.fulfillmentLineItems as (x: Args) => { nodes: { id: string }[] })({ first: 250 }).nodes.find(
                    (n) => n.id === gid('FulfillmentLineItem', l.id),
                  ),
                };
              },
            ),
        };
      },
    );
  },
  customer: (_s, args, ctx) => typed(ctx.dom.state, args.id, 'Customer'),
  customerByIdentifier: (_s, args, ctx) => {
    const state = ctx.dom.state;
    const identifier = args.identifier ?? {};
    if (identifier.id) return typed(state, identifier.id, 'Customer');
    const email = identifier.emailAddress?.toLowerCase();
    const c = email
      ? state.customers.find((x) => x.email?.toLowerCase() === email)
      : identifier.phoneNumber
        ? state.customers.find((x) => x.phone === identifier.phoneNumber)
        : undefined;
    if (identifier.customId) throw new GraphQLError('not simulated: CustomerIdentifierInput.customId');
    return c ? customerView(state, c) : null;
  },
  customers: (_s, args, ctx) => {
    const state = ctx.dom.state;
    const items = applySearch(state.customers, args.query, {
      email: (c) => c.email,
      phone: (c) => c.phone,
      first_name: (c) => c.firstName,
      last_name: (c) => c.lastName,
      id: (c) => c.id,
      updated_at: (c) => c.updatedAt,
      created_at: (c) => c.createdAt,
      tag: (c) => c.tags,
      default: (c) => [c.email, c.firstName, c.lastName],
    });
    return connection(
      items,
      args,
      (c) => c.id,
      (c) => customerView(state, c),
    );
  },
  webhookSubscription: (_s, args, ctx) => typed(ctx.dom.state, args.id, 'WebhookSubscription', ctx.webhookApiVersion),
  webhookSubscriptions: (_s, args, ctx) => {
    const state = ctx.dom.state;
    const topics = args.topics;
    const uri = args.uri ?? args.callbackUrl;
    const items = state.subscriptions.filter((s) => s.source === 'api' && (!topics || topics.includes(s.topic)) && (!uri || s.uri === uri));
    return connection(
      items,
      args,
      (s) => s.id,
      (s) => webhookSubscriptionView(s, ctx.webhookApiVersion),
    );
  },
};
