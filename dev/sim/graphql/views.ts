/**
 * GraphQL views of the simulator's records: plain objects whose properties are the Admin API
 * field names, as values or as functions of the field arguments. A field that no view defines is
 * "not simulated" (see execute.ts); nothing here returns a silent null for an unknown field.
 */
import { getNamedType, isEnumType, type GraphQLResolveInfo } from 'graphql';
import { gid, inventoryLevelGid, parseGid } from '../ids.js';
import { formatCents, moneyBag, toCents } from '../money.js';
import { inventoryItemOf, levelOf } from '../lookup.js';
import { quantityByName } from '../quantities.js';
import type {
  AdditionalFee,
  Address,
  Customer,
  Duty,
  Fulfillment,
  FulfillmentOrder,
  InventoryItem,
  InventoryLevel,
  LineItem,
  Location,
  Order,
  Product,
  Refund,
  RefundDuty,
  Return,
  ShippingLine,
  SimState,
  TaxLine,
  Transaction,
  Variant,
  WebhookSubscription,
} from '../state.js';
import {
  activeShippingLines,
  currentQuantity,
  linePortion,
  netPaid,
  orderDuties,
  orderTotals,
  refundedQuantity,
  remainingQuantity,
  suggestRefund,
} from '../domain/totals.js';
import { reverseLineIdOf, reverseOrderIdOf } from '../domain/returns.js';
import { orderFees } from '../domain/additional-fees.js';
import type { UserError } from '../domain/context.js';
import type { AdjustmentGroup } from '../domain/catalog.js';
import { connection, type ConnectionArgs } from './connection.js';
import type { View } from './context.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Args = Record<string, any>;

const conn =
  <T>(items: T[], idOf: (t: T) => number, view: (t: T) => View) =>
  (args: Record<string, unknown>) =>
    connection(items, args as ConnectionArgs, idOf, view);

function money(cents: number, currency: string) {
  return { amount: formatCents(cents, currency), currencyCode: currency };
}

export function userErrorViews(errors: UserError[]) {
  return errors.map((e) => ({
    field: e.field,
    message: e.message,
    // Each payload has its own code enum; a code the enum does not know becomes null.
    code: (_args: unknown, _ctx: unknown, info: GraphQLResolveInfo) => {
      const type = getNamedType(info.returnType);
      if (!e.code || !isEnumType(type)) return null;
      return type.getValue(e.code) ? e.code : null;
    },
  }));
}

export function shopView(state: SimState): View {
  const s = state.shop;
  return {
    __typename: 'Shop',
    id: gid('Shop', s.id),
    name: s.name,
    email: s.email,
    contactEmail: s.email,
    myshopifyDomain: s.domain,
    url: `https://${s.domain}`,
    currencyCode: s.currency,
    enabledPresentmentCurrencies: s.enabledPresentmentCurrencies,
    ianaTimezone: s.timezone,
    timezoneAbbreviation: 'CET',
    createdAt: s.createdAt,
    updatedAt: s.createdAt,
    taxesIncluded: true,
    plan: {
      displayName: s.plan,
      partnerDevelopment: false,
      publicDisplayName: s.plan,
      shopifyPlus: s.plan === 'plus' || s.plan === 'enterprise',
    },
    primaryDomain: { id: gid('Domain', 1), host: s.domain, url: `https://${s.domain}`, sslEnabled: true },
    locations: (args: Record<string, unknown>) => locationsConnection(state, args),
  };
}

export function locationsConnection(state: SimState, args: ConnectionArgs & { includeInactive?: boolean | null }) {
  const items = state.locations.filter((l) => args.includeInactive === true || l.isActive);
  return connection(
    items,
    args,
    (l) => l.id,
    (l) => locationView(state, l),
  );
}

function locationAddress(a: Address) {
  return {
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    country: a.country,
    countryCode: a.country_code,
    province: a.province,
    provinceCode: a.province_code,
    zip: a.zip,
    phone: a.phone,
    latitude: null,
    longitude: null,
    formatted: [a.address1, `${a.zip ?? ''} ${a.city ?? ''}`.trim(), a.country].filter((x): x is string => Boolean(x)),
  };
}

// The lazily resolved fields of the inventory views (made 250 at a time by inventory calls) are
// methods, not arrow properties: under tsx, the simulator's runtime, each arrow property costs a
// defineProperty of its name every time a view is made.
export function locationView(state: SimState, l: Location): View {
  return {
    __typename: 'Location',
    id: gid('Location', l.id),
    legacyResourceId: String(l.id),
    name: l.name,
    isActive: l.isActive,
    isPrimary: state.locations.find((x) => x.isActive)?.id === l.id,
    fulfillsOnlineOrders: l.fulfillsOnlineOrders,
    shipsInventory: true,
    // Resolved only when asked: a scan of every level, for each change of an inventory write.
    hasActiveInventory() {
      return state.levels.some((x) => x.locationId === l.id);
    },
    isFulfillmentService: false,
    fulfillmentService: null,
    deactivatedAt: null,
    address: locationAddress(l.address),
    createdAt: l.createdAt,
    updatedAt: l.createdAt,
    inventoryLevel(args: Args) {
      const itemId = parseGid(args.inventoryItemId, 'InventoryItem');
      const level = levelOf(state, itemId, l.id);
      return level ? inventoryLevelView(state, level) : null;
    },
    inventoryLevels(args: Args) {
      return connection(
        state.levels.filter((x) => x.locationId === l.id),
        args,
        levelKey,
        (x) => inventoryLevelView(state, x),
      );
    },
  };
}

function levelKey(l: InventoryLevel): number {
  return l.locationId * 1_000_000 + l.inventoryItemId;
}

export function inventoryLevelView(state: SimState, level: InventoryLevel): View {
  return {
    __typename: 'InventoryLevel',
    id: inventoryLevelGid(level.locationId, level.inventoryItemId),
    isActive: true,
    canDeactivate: true,
    deactivationAlert: null,
    createdAt: level.createdAt,
    updatedAt: level.updatedAt,
    item() {
      return inventoryItemView(state, inventoryItemOf(state, level.inventoryItemId)!);
    },
    location() {
      return locationView(
        state,
        state.locations.find((l) => l.id === level.locationId)!,
      );
    },
    quantities(args: Args) {
      return (args.names as string[]).map((name) => ({
        id: `${inventoryLevelGid(level.locationId, level.inventoryItemId)}&name=${name}`,
        name,
        quantity: quantityByName(level, name),
        updatedAt: level.updatedAt,
      }));
    },
  };
}

export function inventoryItemView(state: SimState, item: InventoryItem): View {
  return {
    __typename: 'InventoryItem',
    id: gid('InventoryItem', item.id),
    legacyResourceId: String(item.id),
    sku: item.sku,
    tracked: item.tracked,
    requiresShipping: item.requiresShipping,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    // Resolved only when asked: a scan of every item, for each of the 250 items of an inventory call.
    duplicateSkuCount() {
      return item.sku === null ? 0 : state.inventoryItems.filter((i) => i.sku === item.sku && i.id !== item.id).length;
    },
    unitCost: null,
    harmonizedSystemCode: null,
    countryCodeOfOrigin: null,
    provinceCodeOfOrigin: null,
    inventoryHistoryUrl: null,
    variant() {
      const v = state.variants.find((x) => x.id === item.variantId);
      return v ? variantView(state, v) : null;
    },
    variants(args: Args) {
      return connection(
        state.variants.filter((v) => v.inventoryItemId === item.id),
        args,
        (v) => v.id,
        (v) => variantView(state, v),
      );
    },
    inventoryLevel(args: Args) {
      const locationId = parseGid(args.locationId, 'Location');
      const level = levelOf(state, item.id, locationId);
      return level ? inventoryLevelView(state, level) : null;
    },
    inventoryLevels(args: Args) {
      return connection(
        state.levels.filter((x) => x.inventoryItemId === item.id),
        args,
        levelKey,
        (x) => inventoryLevelView(state, x),
      );
    },
    locationsCount() {
      return { count: state.levels.filter((x) => x.inventoryItemId === item.id).length, precision: 'EXACT' };
    },
  };
}

export function productView(state: SimState, p: Product): View {
  const variants = () => p.variantIds.map((id) => state.variants.find((v) => v.id === id)!).filter(Boolean);
  return {
    __typename: 'Product',
    id: gid('Product', p.id),
    legacyResourceId: String(p.id),
    title: p.title,
    handle: p.handle,
    status: p.status,
    vendor: p.vendor,
    productType: p.productType,
    tags: p.tags,
    descriptionHtml: p.descriptionHtml,
    description: p.descriptionHtml.replace(/<[^>]+>/g, ''),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    publishedAt: p.status === 'ACTIVE' ? p.createdAt : null,
    hasOnlyDefaultVariant: p.variantIds.length === 1 && variants()[0]?.title === 'Default Title',
    tracksInventory: true,
    totalInventory: () =>
      variants().reduce(
        (s, v) => s + state.levels.filter((l) => l.inventoryItemId === v.inventoryItemId).reduce((a, l) => a + l.available, 0),
        0,
      ),
    options: (args: Args) =>
      p.options.slice(0, (args.first as number | undefined) ?? p.options.length).map((o, i) => ({
        id: gid('ProductOption', p.id * 10 + i),
        name: o.name,
        position: i + 1,
        values: o.values,
        optionValues: o.values.map((v, j) => ({ id: gid('ProductOptionValue', p.id * 1000 + i * 100 + j), name: v, hasVariants: true })),
      })),
    variants: (args: Args) =>
      connection(
        variants(),
        args,
        (v) => v.id,
        (v) => variantView(state, v),
      ),
    variantsCount: () => ({ count: p.variantIds.length, precision: 'EXACT' }),
  };
}

export function variantView(state: SimState, v: Variant): View {
  return {
    __typename: 'ProductVariant',
    id: gid('ProductVariant', v.id),
    legacyResourceId: String(v.id),
    title: v.title,
    displayName: `${state.products.find((p) => p.id === v.productId)?.title ?? ''} - ${v.title}`,
    sku: v.sku,
    barcode: v.barcode,
    price: formatCents(v.price, state.shop.currency),
    compareAtPrice: v.compareAtPrice === null ? null : formatCents(v.compareAtPrice, state.shop.currency),
    taxable: v.taxable,
    inventoryPolicy: v.inventoryPolicy,
    position: v.position,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    availableForSale: true,
    selectedOptions: v.optionValues.map((o) => ({ name: o.optionName, value: o.name })),
    inventoryQuantity: () => state.levels.filter((l) => l.inventoryItemId === v.inventoryItemId).reduce((s, l) => s + l.available, 0),
    product: () =>
      productView(
        state,
        state.products.find((p) => p.id === v.productId)!,
      ),
    inventoryItem: () =>
      inventoryItemView(
        state,
        state.inventoryItems.find((i) => i.id === v.inventoryItemId)!,
      ),
  };
}

export function adjustmentGroupView(state: SimState, group: AdjustmentGroup): View {
  return {
    __typename: 'InventoryAdjustmentGroup',
    id: gid('InventoryAdjustmentGroup', group.id),
    createdAt: group.createdAt,
    reason: group.reason,
    referenceDocumentUri: group.referenceDocumentUri,
    app: null,
    staffMember: null,
    changes: (args: Args) =>
      group.changes
        .filter((c) => !args.quantityNames || (args.quantityNames as string[]).includes(c.name))
        .filter((c) => !args.inventoryItemIds || (args.inventoryItemIds as string[]).includes(gid('InventoryItem', c.inventoryItemId)))
        .filter((c) => !args.locationIds || (args.locationIds as string[]).includes(gid('Location', c.locationId)))
        .map((c) => ({
          name: c.name,
          delta: c.delta,
          quantityAfterChange: c.quantityAfterChange,
          ledgerDocumentUri: null,
          item: () => {
            const item = inventoryItemOf(state, c.inventoryItemId);
            return item ? inventoryItemView(state, item) : null;
          },
          location: () => {
            const loc = state.locations.find((l) => l.id === c.locationId);
            return loc ? locationView(state, loc) : null;
          },
        })),
  };
}

function mailingAddress(a: Address | null, id: string) {
  if (!a) return null;
  return {
    __typename: 'MailingAddress',
    id,
    firstName: a.first_name,
    lastName: a.last_name,
    name: [a.first_name, a.last_name].filter(Boolean).join(' ') || null,
    company: a.company,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    province: a.province,
    provinceCode: a.province_code,
    country: a.country,
    countryCode: a.country_code,
    countryCodeV2: a.country_code,
    zip: a.zip,
    phone: a.phone,
    latitude: null,
    longitude: null,
    coordinatesValidated: false,
    formatted: [a.address1, a.address2, `${a.zip ?? ''} ${a.city ?? ''}`.trim(), a.country].filter((x): x is string => Boolean(x)),
  };
}

function taxLineViews(order: Order, lines: TaxLine[]) {
  return lines.map((t) => ({
    title: t.title,
    rate: t.rate,
    ratePercentage: Math.round(t.rate * 10000) / 100,
    price: formatCents(t.price, order.currency),
    priceSet: moneyBag(t.price, order.currency, order.presentmentCurrency, order.rate),
    channelLiable: false,
    source: null,
  }));
}

/** Shopify's Duty of a line item: its price and the taxes charged on it. */
export function dutyView(order: Order, d: Duty): View {
  return {
    __typename: 'Duty',
    id: gid('Duty', d.id),
    price: moneyBag(d.price, order.currency, order.presentmentCurrency, order.rate),
    taxLines: taxLineViews(order, d.taxLines),
    harmonizedSystemCode: d.harmonizedSystemCode,
    countryCodeOfOrigin: d.countryCodeOfOrigin,
  };
}

/** Shopify's AdditionalFee of an order: its name, price and the taxes charged on it. */
function additionalFeeView(order: Order, f: AdditionalFee): View {
  return {
    __typename: 'AdditionalFee',
    id: gid('AdditionalFee', f.id),
    name: f.name,
    price: moneyBag(f.price, order.currency, order.presentmentCurrency, order.rate),
    taxLines: taxLineViews(order, f.taxLines),
  };
}

/** Shopify's RefundDuty: what a refund (or a suggested one) gives back of a duty. */
function refundDutyViews(order: Order, duties: RefundDuty[]): View[] {
  const all = orderDuties(order);
  return duties.map((d) => {
    const found = all.find((x) => x.duty.id === d.dutyId);
    return {
      __typename: 'RefundDuty',
      amountSet: moneyBag(d.amount, order.currency, order.presentmentCurrency, order.rate),
      originalDuty: found ? dutyView(order, found.duty) : null,
    };
  });
}

const FINANCIAL: Record<Order['financialStatus'], string> = {
  pending: 'PENDING',
  authorized: 'AUTHORIZED',
  paid: 'PAID',
  partially_paid: 'PARTIALLY_PAID',
  partially_refunded: 'PARTIALLY_REFUNDED',
  refunded: 'REFUNDED',
  voided: 'VOIDED',
};

export function orderView(state: SimState, order: Order): View {
  const bag = (cents: number) => moneyBag(cents, order.currency, order.presentmentCurrency, order.rate);
  const t = () => orderTotals(state, order);
  const customer = () => state.customers.find((c) => c.id === order.customerId);
  return {
    __typename: 'Order',
    id: gid('Order', order.id),
    edited: order.edited === true,
    legacyResourceId: String(order.id),
    name: order.name,
    email: order.email,
    phone: order.phone,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    processedAt: order.processedAt,
    cancelledAt: order.cancelledAt,
    cancelReason: order.cancelReason ? order.cancelReason.toUpperCase() : null,
    closedAt: order.closedAt,
    closed: order.closedAt !== null,
    confirmed: true,
    test: order.test,
    note: order.note,
    tags: order.tags,
    sourceName: order.sourceName,
    sourceIdentifier: null,
    poNumber: null,
    customerLocale: 'en',
    customAttributes: [],
    currencyCode: order.currency,
    presentmentCurrencyCode: order.presentmentCurrency,
    taxesIncluded: order.taxesIncluded,
    taxExempt: false,
    displayFinancialStatus: FINANCIAL[order.financialStatus],
    displayFulfillmentStatus: () => {
      const status = t().fulfillmentStatus;
      return status === 'fulfilled' ? 'FULFILLED' : status === 'partial' ? 'PARTIALLY_FULFILLED' : 'UNFULFILLED';
    },
    fullyPaid: () => t().outstanding === 0,
    unpaid: order.financialStatus === 'pending',
    paymentGatewayNames: [order.gateway],
    subtotalPriceSet: () => bag(t().subtotal),
    currentSubtotalPriceSet: () => bag(t().currentSubtotal),
    totalPriceSet: () => bag(t().total),
    currentTotalPriceSet: () => bag(t().currentTotal),
    totalTaxSet: () => bag(t().tax),
    currentTotalTaxSet: () => bag(t().currentTax),
    totalDiscountsSet: () => bag(t().discounts),
    currentTotalDiscountsSet: () => bag(t().currentDiscounts),
    totalShippingPriceSet: () => bag(t().shipping),
    currentShippingPriceSet: () => bag(t().currentShipping),
    // Duties are charged on top of the goods unless the order says otherwise; the duty totals
    // are null when the order has none (as Shopify answers).
    dutiesIncluded: order.dutiesIncluded ?? false,
    originalTotalDutiesSet: () => (orderDuties(order).length ? bag(t().duties) : null),
    currentTotalDutiesSet: () => (orderDuties(order).length ? bag(t().currentDuties) : null),
    // Null when the order has none ("Returns null if additional fees aren't applicable"); no
    // 2026-10 refund gives a fee back as such, so the current total is the original one.
    additionalFees: orderFees(order).map((f) => additionalFeeView(order, f)),
    originalTotalAdditionalFeesSet: () => (orderFees(order).length ? bag(t().additionalFees) : null),
    currentTotalAdditionalFeesSet: () => (orderFees(order).length ? bag(t().additionalFees) : null),
    totalRefundedSet: () => bag(t().refundedAmount),
    totalOutstandingSet: () => bag(t().outstanding),
    // "Received from the customer before returns": the money taken (sales and captures less cash
    // change), whatever edits did to the totals since (a shipping line lowered after payment leaves
    // the customer owed the difference, which the edit balance of a refund repays).
    totalReceivedSet: () => bag(netPaid(state, order)),
    netPaymentSet: () => bag(t().total - t().outstanding - t().refundedAmount),
    taxLines: () => taxLineViews(order, t().taxLines),
    billingAddress: mailingAddress(order.billingAddress, gid('MailingAddress', order.id * 10 + 1)),
    shippingAddress: mailingAddress(order.shippingAddress, gid('MailingAddress', order.id * 10 + 2)),
    customer: () => {
      const c = customer();
      return c ? customerView(state, c) : null;
    },
    discountCodes: order.discountCodes.map((d) => d.code),
    discountCode: order.discountCodes[0]?.code ?? null,
    lineItems: conn(
      order.lineItems,
      (li) => li.id,
      (li) => lineItemView(state, order, li),
    ),
    // Lines an edit removed only with includeRemovals (Shopify's default hides them).
    shippingLines: (args: Record<string, unknown>) =>
      connection(
        args.includeRemovals === true ? order.shippingLines : activeShippingLines(order),
        args as ConnectionArgs,
        (s) => s.id,
        (s) => shippingLineView(order, s),
      ),
    shippingLine: activeShippingLines(order)[0] ? shippingLineView(order, activeShippingLines(order)[0]!) : null,
    fulfillmentOrders: (args: Args) =>
      connection(
        state.fulfillmentOrders.filter((fo) => fo.orderId === order.id),
        args,
        (fo) => fo.id,
        (fo) => fulfillmentOrderView(state, fo),
      ),
    fulfillments: (args: Args) =>
      state.fulfillments
        .filter((f) => f.orderId === order.id)
        .slice(0, (args.first as number | undefined) ?? undefined)
        .map((f) => fulfillmentView(state, f)),
    refunds: (args: Args) =>
      state.refunds
        .filter((r) => r.orderId === order.id)
        .slice(0, (args.first as number | undefined) ?? undefined)
        .map((r) => refundView(state, r)),
    returns: conn(
      state.returns.filter((r) => r.orderId === order.id),
      (r) => r.id,
      (r) => returnView(state, r),
    ),
    suggestedRefund: (args: Args) => {
      const lines = ((args.refundLineItems as Args[] | undefined) ?? []).map((l) => ({
        lineItemId: parseGid(l.lineItemId, 'LineItem') ?? -1,
        quantity: l.quantity as number,
        restockType: (l.restockType as string | undefined) ?? 'RETURN',
        locationId: l.locationId as string | undefined,
      }));
      const s = suggestRefund(state, order, {
        lines,
        shippingFull: args.refundShipping === true,
        ...(args.shippingAmount !== undefined && args.shippingAmount !== null
          ? { shippingAmount: toCents(String(args.shippingAmount), order.currency) }
          : {}),
        full: args.suggestFullRefund === true,
        duties: ((args.refundDuties as Args[] | undefined) ?? []).map((d) => ({
          dutyId: parseGid(d.dutyId, 'Duty') ?? -1,
          refundType: d.refundType === 'PROPORTIONAL' ? ('proportional' as const) : ('full' as const),
        })),
      });
      const sale = order.transactionIds
        .map((id) => state.transactions.find((x) => x.id === id))
        .find((x) => x?.kind === 'sale' || x?.kind === 'capture');
      return {
        amountSet: bag(s.amount),
        subtotalSet: bag(s.subtotal),
        discountedSubtotalSet: bag(s.subtotal),
        totalTaxSet: bag(s.tax),
        maximumRefundableSet: bag(s.maximumRefundable),
        totalCartDiscountAmountSet: bag(0),
        totalDutiesSet: bag(s.dutiesAmount),
        refundDuties: refundDutyViews(order, s.duties),
        shipping: { amountSet: bag(s.shipping), taxSet: bag(s.shippingTax), maximumRefundableSet: bag(s.shippingMaximumRefundable) },
        refundLineItems: s.lines.map((l) => {
          const li = order.lineItems.find((x) => x.id === l.lineItemId);
          const restockType = lines.find((x) => x.lineItemId === l.lineItemId)?.restockType ?? 'RETURN';
          return {
            quantity: l.quantity,
            restockType,
            restocked: restockType !== 'NO_RESTOCK',
            lineItem: () => (li ? lineItemView(state, order, li) : null),
            priceSet: bag(li?.price ?? 0),
            subtotalSet: bag(l.subtotal),
            totalTaxSet: bag(l.tax),
            location: null,
          };
        }),
        suggestedTransactions:
          s.amount > 0 && sale
            ? [
                {
                  amountSet: bag(s.amount),
                  maximumRefundableSet: bag(s.maximumRefundable),
                  gateway: sale.gateway,
                  formattedGateway: sale.gateway,
                  kind: 'SUGGESTED_REFUND',
                  parentTransaction: transactionView(state, order, sale),
                },
              ]
            : [],
      };
    },
    transactions: (args: Args) =>
      order.transactionIds
        .map((id) => state.transactions.find((x) => x.id === id)!)
        .filter(Boolean)
        .slice(0, (args.first as number | undefined) ?? undefined)
        .map((x) => transactionView(state, order, x)),
  };
}

export function lineItemView(state: SimState, order: Order, li: LineItem): View {
  const bag = (cents: number) => moneyBag(cents, order.currency, order.presentmentCurrency, order.rate);
  const refunded = () => refundedQuantity(state, li.id);
  const unitAfterDiscount = li.quantity ? Math.round((li.price * li.quantity - li.discount) / li.quantity) : li.price;
  return {
    __typename: 'LineItem',
    id: gid('LineItem', li.id),
    name: li.variantTitle ? `${li.title} - ${li.variantTitle}` : li.title,
    title: li.title,
    variantTitle: li.variantTitle,
    vendor: li.vendor,
    sku: li.sku,
    quantity: li.quantity,
    currentQuantity: () => currentQuantity(state, li),
    unfulfilledQuantity: () => (order.cancelledAt ? 0 : remainingQuantity(state, li.id)),
    refundableQuantity: () => currentQuantity(state, li),
    nonFulfillableQuantity: () => refunded() + (li.removedQuantity ?? 0),
    taxable: li.taxable,
    requiresShipping: li.requiresShipping,
    isGiftCard: li.isGiftCard ?? false,
    restockable: true,
    originalUnitPriceSet: bag(li.price),
    discountedUnitPriceSet: bag(unitAfterDiscount),
    discountedUnitPriceAfterAllDiscountsSet: bag(unitAfterDiscount),
    originalTotalSet: bag(li.price * li.quantity),
    discountedTotalSet: bag(li.price * li.quantity - li.discount),
    totalDiscountSet: bag(li.discount),
    taxLines: taxLineViews(order, li.taxLines),
    discountAllocations: li.discount ? [{ allocatedAmount: money(li.discount, order.currency), allocatedAmountSet: bag(li.discount) }] : [],
    customAttributes: [],
    duties: (li.duties ?? []).map((d) => dutyView(order, d)),
    variant: () => {
      const v = state.variants.find((x) => x.id === li.variantId);
      return v ? variantView(state, v) : null;
    },
    product: () => {
      const p = state.products.find((x) => x.id === li.productId);
      return p ? productView(state, p) : null;
    },
  };
}

function shippingLineView(order: Order, s: ShippingLine) {
  const bag = (cents: number) => moneyBag(cents, order.currency, order.presentmentCurrency, order.rate);
  return {
    __typename: 'ShippingLine',
    id: gid('ShippingLine', s.id),
    title: s.title,
    code: s.code,
    source: 'shopify',
    carrierIdentifier: null,
    custom: false,
    isRemoved: s.removed === true,
    phone: null,
    originalPriceSet: bag(s.price),
    discountedPriceSet: bag(s.price - s.discount),
    currentDiscountedPriceSet: bag(s.price - s.discount),
    taxLines: taxLineViews(order, s.taxLines),
    discountAllocations: [],
  };
}

export function fulfillmentOrderView(state: SimState, fo: FulfillmentOrder): View {
  const location = state.locations.find((l) => l.id === fo.locationId)!;
  const order = state.orders.find((o) => o.id === fo.orderId)!;
  return {
    __typename: 'FulfillmentOrder',
    id: gid('FulfillmentOrder', fo.id),
    status: fo.status,
    requestStatus: 'UNSUBMITTED',
    createdAt: fo.createdAt,
    updatedAt: fo.updatedAt,
    orderId: gid('Order', fo.orderId),
    orderName: order.name,
    order: () => orderView(state, order),
    assignedLocation: {
      name: location.name,
      address1: location.address.address1,
      address2: location.address.address2,
      city: location.address.city,
      countryCode: location.address.country_code ?? 'BE',
      province: location.address.province,
      zip: location.address.zip,
      phone: location.address.phone,
      location: () => locationView(state, location),
    },
    supportedActions:
      fo.status === 'OPEN' || fo.status === 'IN_PROGRESS'
        ? [
            { action: 'CREATE_FULFILLMENT', externalUrl: null },
            { action: 'HOLD', externalUrl: null },
          ]
        : [],
    lineItems: conn(
      fo.lineItems,
      (l) => l.id,
      (l) => {
        const li = order.lineItems.find((x) => x.id === l.lineItemId)!;
        return {
          __typename: 'FulfillmentOrderLineItem',
          id: gid('FulfillmentOrderLineItem', l.id),
          totalQuantity: l.totalQuantity,
          remainingQuantity: l.remainingQuantity,
          sku: li.sku,
          productTitle: li.title,
          variantTitle: li.variantTitle,
          vendor: li.vendor,
          requiresShipping: li.requiresShipping,
          inventoryItemId: li.inventoryItemId === null ? null : gid('InventoryItem', li.inventoryItemId),
          lineItem: () => lineItemView(state, order, li),
          variant: () => {
            const v = state.variants.find((x) => x.id === li.variantId);
            return v ? variantView(state, v) : null;
          },
          originalUnitPriceSet: moneyBag(li.price, order.currency, order.presentmentCurrency, order.rate),
          warnings: [],
        };
      },
    ),
  };
}

export function fulfillmentView(state: SimState, f: Fulfillment): View {
  const order = state.orders.find((o) => o.id === f.orderId)!;
  const bag = (cents: number) => moneyBag(cents, order.currency, order.presentmentCurrency, order.rate);
  return {
    __typename: 'Fulfillment',
    id: gid('Fulfillment', f.id),
    legacyResourceId: String(f.id),
    name: f.name,
    status: f.status,
    displayStatus: f.status === 'SUCCESS' ? 'FULFILLED' : 'CANCELED',
    createdAt: f.createdAt,
    updatedAt: f.updatedAt,
    deliveredAt: null,
    estimatedDeliveryAt: null,
    inTransitAt: null,
    requiresShipping: true,
    totalQuantity: f.lineItems.reduce((s, l) => s + l.quantity, 0),
    trackingInfo: (args: Args) => {
      const count = Math.max(f.trackingNumbers.length, f.trackingCompany ? 1 : 0);
      const rows = Array.from({ length: count }, (_, i) => ({
        company: f.trackingCompany,
        number: f.trackingNumbers[i] ?? null,
        url: f.trackingUrls[i] ?? null,
      }));
      return args.first ? rows.slice(0, args.first as number) : rows;
    },
    location: () =>
      locationView(
        state,
        state.locations.find((l) => l.id === f.locationId)!,
      ),
    order: () => orderView(state, order),
    fulfillmentLineItems: conn(
      f.lineItems,
      (l) => l.id,
      (l) => {
        const li = order.lineItems.find((x) => x.id === l.lineItemId)!;
        const portion = linePortion(li, l.quantity);
        return {
          __typename: 'FulfillmentLineItem',
          id: gid('FulfillmentLineItem', l.id),
          quantity: l.quantity,
          lineItem: () => lineItemView(state, order, li),
          originalTotalSet: bag(li.price * l.quantity),
          discountedTotalSet: bag(portion.subtotal),
        };
      },
    ),
  };
}

export function transactionView(state: SimState, order: Order, x: Transaction): View {
  const bag = (cents: number) => moneyBag(cents, order.currency, order.presentmentCurrency, order.rate);
  return {
    __typename: 'OrderTransaction',
    id: gid('OrderTransaction', x.id),
    kind: x.kind.toUpperCase(),
    status: 'SUCCESS',
    gateway: x.gateway,
    formattedGateway: x.gateway,
    test: order.test,
    manualPaymentGateway: false,
    createdAt: x.createdAt,
    processedAt: x.createdAt,
    amountSet: bag(x.amount),
    errorCode: null,
    parentTransaction: () => {
      const parent = state.transactions.find((t) => t.id === x.parentId);
      return parent ? transactionView(state, order, parent) : null;
    },
    order: () => orderView(state, order),
  };
}

export function refundView(state: SimState, r: Refund): View {
  const order = state.orders.find((o) => o.id === r.orderId)!;
  const bag = (cents: number) => moneyBag(cents, order.currency, order.presentmentCurrency, order.rate);
  const transactions = r.transactionIds.map((id) => state.transactions.find((t) => t.id === id)!).filter(Boolean);
  return {
    __typename: 'Refund',
    id: gid('Refund', r.id),
    legacyResourceId: String(r.id),
    createdAt: r.createdAt,
    updatedAt: r.createdAt,
    processedAt: r.createdAt,
    note: r.note,
    order: () => orderView(state, order),
    totalRefundedSet: bag(transactions.reduce((s, t) => s + t.amount, 0)),
    return: () => {
      const ret = state.returns.find((x) => x.id === r.returnId);
      return ret ? returnView(state, ret) : null;
    },
    staffMember: null,
    duties: refundDutyViews(order, r.duties ?? []),
    orderAdjustments: conn(
      r.adjustments ?? [],
      (a) => a.id,
      (a) => ({
        __typename: 'OrderAdjustment',
        id: gid('OrderAdjustment', a.id),
        amountSet: bag(a.amount),
        taxAmountSet: bag(a.taxAmount),
        reason: a.reason,
      }),
    ),
    refundLineItems: conn(
      r.lines,
      (l) => l.id,
      (l) => {
        const li = order.lineItems.find((x) => x.id === l.lineItemId)!;
        return {
          __typename: 'RefundLineItem',
          id: gid('RefundLineItem', l.id),
          quantity: l.quantity,
          restockType: l.restockType.toUpperCase(),
          restocked: l.restockType !== 'no_restock',
          location: () => {
            const loc = state.locations.find((x) => x.id === l.locationId);
            return loc ? locationView(state, loc) : null;
          },
          lineItem: () => lineItemView(state, order, li),
          priceSet: bag(li.price),
          subtotalSet: bag(l.subtotal),
          totalTaxSet: bag(l.totalTax),
        };
      },
    ),
    refundShippingLines: conn(
      r.shipping > 0 && activeShippingLines(order)[0] ? [activeShippingLines(order)[0]!] : [],
      (s) => s.id,
      (s) => ({
        __typename: 'RefundShippingLine',
        id: gid('RefundShippingLine', r.id * 10 + 1),
        shippingLine: shippingLineView(order, s),
        subtotalAmountSet: bag(r.shipping),
        taxAmountSet: bag(r.shippingTax),
      }),
    ),
    transactions: conn(
      transactions,
      (t) => t.id,
      (t) => transactionView(state, order, t),
    ),
  };
}

export function returnView(state: SimState, r: Return): View {
  const order = state.orders.find((o) => o.id === r.orderId)!;
  const fulfillmentLineItem = (fulfillmentLineItemId: number) => () => {
    const f = state.fulfillments.find((x) => x.lineItems.some((y) => y.id === fulfillmentLineItemId))!;
    const fv = fulfillmentView(state, f);
    return (fv.fulfillmentLineItems as (a: Record<string, unknown>) => { nodes: unknown[] })({ first: 250 }).nodes.find(
      (n) => (n as { id: string }).id === gid('FulfillmentLineItem', fulfillmentLineItemId),
    );
  };
  const refundedOf = (l: Return['lines'][number]) =>
    state.refunds
      .filter((x) => x.returnId === r.id)
      .flatMap((x) => x.lines)
      .filter((x) => x.lineItemId === l.lineItemId)
      .reduce((s, x) => s + x.quantity, 0);
  const dispositionView = (d: NonNullable<Return['lines'][number]['dispositions']>[number]) => ({
    __typename: 'ReverseFulfillmentOrderDisposition',
    id: gid('ReverseFulfillmentOrderDisposition', d.id),
    type: d.type,
    quantity: d.quantity,
    createdAt: d.createdAt,
    location: () => {
      const loc = state.locations.find((x) => x.id === d.locationId);
      return loc ? locationView(state, loc) : null;
    },
  });
  return {
    __typename: 'Return',
    id: gid('Return', r.id),
    name: r.name,
    status: r.status,
    createdAt: r.createdAt,
    closedAt: r.closedAt ?? (r.status === 'CLOSED' ? r.updatedAt : null),
    requestApprovedAt: r.requestApprovedAt === undefined ? r.createdAt : r.requestApprovedAt,
    decline: r.decline ? { __typename: 'ReturnDecline', reason: r.decline.reason, note: r.decline.note } : null,
    totalQuantity: r.lines.reduce((s, l) => s + l.quantity, 0),
    order: () => orderView(state, order),
    returnLineItems: conn(
      r.lines,
      (l) => l.id,
      (l) => ({
        __typename: 'ReturnLineItem',
        id: gid('ReturnLineItem', l.id),
        quantity: l.quantity,
        processedQuantity: l.processedQuantity,
        unprocessedQuantity: l.quantity - l.processedQuantity,
        processableQuantity: r.status === 'OPEN' ? l.quantity - l.processedQuantity : 0,
        refundableQuantity: Math.max(0, l.quantity - refundedOf(l)),
        refundedQuantity: refundedOf(l),
        returnReasonNote: l.returnReasonNote,
        customerNote: null,
        returnReason: 'UNKNOWN',
        fulfillmentLineItem: fulfillmentLineItem(l.fulfillmentLineItemId),
      }),
    ),
    reverseFulfillmentOrders: conn(
      r.status === 'REQUESTED' || r.status === 'DECLINED' ? [] : [r],
      (x) => reverseOrderIdOf(x),
      (x) => ({
        __typename: 'ReverseFulfillmentOrder',
        id: gid('ReverseFulfillmentOrder', reverseOrderIdOf(x)),
        status: x.status === 'CANCELED' ? 'CANCELED' : x.status === 'CLOSED' ? 'CLOSED' : 'OPEN',
        order: () => orderView(state, order),
        lineItems: conn(
          x.lines,
          (l) => reverseLineIdOf(l),
          (l) => ({
            __typename: 'ReverseFulfillmentOrderLineItem',
            id: gid('ReverseFulfillmentOrderLineItem', reverseLineIdOf(l)),
            totalQuantity: l.quantity,
            fulfillmentLineItem: fulfillmentLineItem(l.fulfillmentLineItemId),
            dispositions: (l.dispositions ?? []).map(dispositionView),
          }),
        ),
      }),
    ),
    refunds: conn(
      state.refunds.filter((x) => x.returnId === r.id),
      (x) => x.id,
      (x) => refundView(state, x),
    ),
  };
}

export function customerView(state: SimState, c: Customer): View {
  const address = (a: Customer['addresses'][number]) => mailingAddress(a, gid('MailingAddress', a.id));
  const orders = () => state.orders.filter((o) => o.customerId === c.id);
  return {
    __typename: 'Customer',
    id: gid('Customer', c.id),
    legacyResourceId: String(c.id),
    firstName: c.firstName,
    lastName: c.lastName,
    displayName: [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || c.phone || '',
    email: c.email,
    phone: c.phone,
    defaultEmailAddress: c.email ? { emailAddress: c.email, marketingState: 'NOT_SUBSCRIBED', validFormat: true } : null,
    defaultPhoneNumber: c.phone ? { phoneNumber: c.phone, marketingState: 'NOT_SUBSCRIBED' } : null,
    note: c.note,
    tags: c.tags,
    taxExempt: c.taxExempt,
    taxExemptions: [],
    state: c.state.toUpperCase(),
    locale: c.locale,
    verifiedEmail: c.email !== null,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    canDelete: () => orders().length === 0,
    numberOfOrders: () => String(orders().length),
    addresses: (args: Args) => c.addresses.slice(0, (args.first as number | undefined) ?? undefined).map(address),
    addressesV2: conn(c.addresses, (a) => a.id, address as never),
    defaultAddress: () => {
      const a = c.addresses.find((x) => x.id === c.defaultAddressId);
      return a ? address(a) : null;
    },
    orders: (args: Args) =>
      connection(
        orders(),
        args,
        (o) => o.id,
        (o) => orderView(state, o),
      ),
  };
}

export function webhookSubscriptionView(s: WebhookSubscription, apiVersion = '2026-10'): View {
  return {
    __typename: 'WebhookSubscription',
    apiVersion: { handle: apiVersion, displayName: apiVersion, supported: apiVersion !== 'unstable' },
    id: gid('WebhookSubscription', s.id),
    legacyResourceId: String(s.id),
    topic: s.topic,
    uri: s.uri,
    callbackUrl: s.uri,
    format: s.format,
    filter: s.filter,
    includeFields: s.includeFields,
    metafieldNamespaces: [],
    name: s.name,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    endpoint: { __typename: 'WebhookHttpEndpoint', callbackUrl: s.uri },
  };
}
