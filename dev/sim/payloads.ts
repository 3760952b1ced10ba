/**
 * Webhook bodies shaped like Shopify's REST resources (the samples in
 * dev/testing/fixtures/shopify-webhooks): snake_case keys in Shopify's order, money as strings with
 * `*_set` twins, `admin_graphql_api_id` on every resource. Pure: reads the state, never changes it.
 */
import { formatCents, restMoneySet } from './money.js';
import { gid, inventoryLevelGid } from './ids.js';
import type { Address, Customer, Fulfillment, InventoryLevel, LineItem, Order, Product, Refund, SimState, TaxLine } from './state.js';
import { activeShippingLines, currentQuantity, fulfilledQuantity, orderTotals, remainingQuantity } from './domain/totals.js';

type Json = Record<string, unknown>;

function moneySetFor(order: Order) {
  return (cents: number) => restMoneySet(cents, order.currency, order.presentmentCurrency, order.rate);
}

function restAddress(address: Address | null): Json | null {
  if (!address) return null;
  const name = [address.first_name, address.last_name].filter(Boolean).join(' ');
  return {
    first_name: address.first_name,
    address1: address.address1,
    phone: address.phone,
    city: address.city,
    zip: address.zip,
    province: address.province,
    country: address.country,
    last_name: address.last_name,
    address2: address.address2,
    company: address.company,
    latitude: null,
    longitude: null,
    name,
    country_code: address.country_code,
    province_code: address.province_code,
  };
}

function restTaxLines(order: Order, lines: TaxLine[]): Json[] {
  const set = moneySetFor(order);
  return lines.map((t) => ({
    price: formatCents(t.price, order.currency),
    rate: t.rate,
    title: t.title,
    price_set: set(t.price),
    channel_liable: false,
  }));
}

/** The line item as nested in fulfillments and refunds (Shopify's shorter key list). */
export function nestedLineItem(state: SimState, order: Order, li: LineItem): Json {
  const set = moneySetFor(order);
  return {
    id: li.id,
    variant_id: li.variantId,
    title: li.title,
    quantity: li.quantity,
    sku: li.sku,
    variant_title: li.variantTitle,
    vendor: li.vendor,
    fulfillment_service: 'manual',
    product_id: li.productId,
    requires_shipping: li.requiresShipping,
    taxable: li.taxable,
    gift_card: li.isGiftCard ?? false,
    name: li.variantTitle ? `${li.title} - ${li.variantTitle}` : li.title,
    variant_inventory_management: li.inventoryItemId ? 'shopify' : null,
    properties: [],
    product_exists: li.productId !== null && state.products.some((p) => p.id === li.productId),
    fulfillable_quantity: fulfillableQuantity(state, order, li),
    grams: li.grams,
    price: formatCents(li.price, order.currency),
    total_discount: formatCents(li.discount, order.currency),
    fulfillment_status: lineFulfillmentStatus(state, order, li),
    price_set: set(li.price),
    total_discount_set: set(li.discount),
    discount_allocations: discountAllocations(order, li.discount),
    duties: restDuties(order, li),
    admin_graphql_api_id: gid('LineItem', li.id),
    tax_lines: restTaxLines(order, li.taxLines),
  };
}

/** A line item's duties as Shopify's REST order shows them (`line_items[].duties`). */
function restDuties(order: Order, li: LineItem): Json[] {
  const set = moneySetFor(order);
  return (li.duties ?? []).map((d) => ({
    id: String(d.id),
    harmonized_system_code: d.harmonizedSystemCode,
    country_code_of_origin: d.countryCodeOfOrigin,
    ...set(d.price),
    tax_lines: restTaxLines(order, d.taxLines),
    admin_graphql_api_id: gid('Duty', d.id),
  }));
}

function discountAllocations(order: Order, amount: number): Json[] {
  if (amount === 0) return [];
  return [{ amount: formatCents(amount, order.currency), amount_set: moneySetFor(order)(amount), discount_application_index: 0 }];
}

function fulfillableQuantity(state: SimState, order: Order, li: LineItem): number {
  if (order.cancelledAt) return 0;
  return remainingQuantity(state, li.id);
}

function lineFulfillmentStatus(state: SimState, order: Order, li: LineItem): string | null {
  const done = fulfilledQuantity(state, li.id);
  if (done === 0) return null;
  return remainingQuantity(state, li.id) === 0 ? 'fulfilled' : 'partial';
}

function orderLineItem(state: SimState, order: Order, li: LineItem): Json {
  const set = moneySetFor(order);
  const current = currentQuantity(state, li);
  return {
    id: li.id,
    admin_graphql_api_id: gid('LineItem', li.id),
    attributed_staffs: [],
    current_quantity: current,
    fulfillable_quantity: fulfillableQuantity(state, order, li),
    fulfillment_service: 'manual',
    fulfillment_status: lineFulfillmentStatus(state, order, li),
    gift_card: li.isGiftCard ?? false,
    grams: li.grams,
    name: li.variantTitle ? `${li.title} - ${li.variantTitle}` : li.title,
    price: formatCents(li.price, order.currency),
    price_set: set(li.price),
    product_exists: li.productId !== null && state.products.some((p) => p.id === li.productId),
    product_id: li.productId,
    properties: [],
    quantity: li.quantity,
    requires_shipping: li.requiresShipping,
    sales_line_item_group_id: null,
    sku: li.sku,
    taxable: li.taxable,
    title: li.title,
    total_discount: formatCents(li.discount, order.currency),
    total_discount_set: set(li.discount),
    variant_id: li.variantId,
    variant_inventory_management: li.inventoryItemId ? 'shopify' : null,
    variant_title: li.variantTitle,
    vendor: li.vendor,
    tax_lines: restTaxLines(order, li.taxLines),
    duties: restDuties(order, li),
    discount_allocations: discountAllocations(order, li.discount),
  };
}

function customerAddress(customer: Customer): Json | null {
  const address = customer.addresses.find((a) => a.id === customer.defaultAddressId) ?? customer.addresses[0];
  if (!address) return null;
  return restCustomerAddress(customer, address, true);
}

function restCustomerAddress(customer: Customer, address: Customer['addresses'][number], isDefault: boolean): Json {
  return {
    id: address.id,
    customer_id: customer.id,
    first_name: address.first_name,
    last_name: address.last_name,
    company: address.company,
    address1: address.address1,
    address2: address.address2,
    city: address.city,
    province: address.province,
    country: address.country,
    zip: address.zip,
    phone: address.phone,
    name: [address.first_name, address.last_name].filter(Boolean).join(' '),
    province_code: address.province_code,
    country_code: address.country_code,
    country_name: address.country,
    default: isDefault,
  };
}

export function customerPayload(state: SimState, customer: Customer): Json {
  return {
    id: customer.id,
    created_at: customer.createdAt,
    updated_at: customer.updatedAt,
    first_name: customer.firstName,
    last_name: customer.lastName,
    state: customer.state,
    note: customer.note,
    verified_email: customer.email !== null,
    multipass_identifier: null,
    tax_exempt: customer.taxExempt,
    email: customer.email,
    phone: customer.phone,
    currency: state.shop.currency,
    addresses: customer.addresses.map((a) => restCustomerAddress(customer, a, a.id === customer.defaultAddressId)),
    tax_exemptions: [],
    admin_graphql_api_id: gid('Customer', customer.id),
    default_address: customerAddress(customer),
  };
}

export function customerDeletePayload(customerId: number): Json {
  return { id: customerId, tax_exemptions: [], admin_graphql_api_id: gid('Customer', customerId) };
}

function orderCustomer(state: SimState, order: Order): Json | null {
  const customer = state.customers.find((c) => c.id === order.customerId);
  if (!customer) return null;
  const full = customerPayload(state, customer);
  delete full.addresses;
  return full;
}

function restTransaction(order: Order, t: SimState['transactions'][number]): Json {
  return {
    id: t.id,
    order_id: order.id,
    kind: t.kind,
    gateway: t.gateway,
    status: t.status,
    message: null,
    created_at: t.createdAt,
    test: order.test,
    authorization: null,
    location_id: null,
    user_id: null,
    parent_id: t.parentId,
    processed_at: t.createdAt,
    device_id: null,
    error_code: null,
    source_name: 'web',
    receipt: {},
    amount: formatCents(t.amount, order.currency),
    currency: order.currency,
    payment_id: `${order.name}.${t.id}`,
    total_unsettled_set: {
      presentment_money: { amount: '0.0', currency: order.presentmentCurrency },
      shop_money: { amount: '0.0', currency: order.currency },
    },
    manual_payment_gateway: false,
    amount_rounding: null,
    admin_graphql_api_id: gid('OrderTransaction', t.id),
  };
}

export function refundPayload(state: SimState, refund: Refund): Json {
  const order = state.orders.find((o) => o.id === refund.orderId)!;
  const set = moneySetFor(order);
  return {
    id: refund.id,
    order_id: order.id,
    created_at: refund.createdAt,
    note: refund.note,
    user_id: null,
    processed_at: refund.createdAt,
    duties: (refund.duties ?? []).map((d) => ({ duty_id: d.dutyId, amount_set: set(d.amount) })),
    total_duties_set: set((refund.duties ?? []).reduce((sum, d) => sum + d.amount, 0)),
    return: refund.returnId ? { id: refund.returnId, admin_graphql_api_id: gid('Return', refund.returnId) } : null,
    refund_shipping_lines:
      refund.shipping > 0
        ? activeShippingLines(order)
            .slice(0, 1)
            .map((sl) => ({
              id: refund.id + sl.id,
              shipping_line_id: sl.id,
              subtotal_amount_set: set(refund.shipping),
              tax_amount_set: set(refund.shippingTax),
            }))
        : [],
    restock: refund.restock,
    admin_graphql_api_id: gid('Refund', refund.id),
    // REST OrderAdjustment (no `kind` since 2024-10: refunded shipping is in refund_shipping_lines).
    order_adjustments: (refund.adjustments ?? []).map((a) => ({
      id: a.id,
      order_id: order.id,
      refund_id: refund.id,
      amount: formatCents(a.amount, order.currency),
      tax_amount: formatCents(a.taxAmount, order.currency),
      reason: a.reason.toLowerCase(),
      amount_set: set(a.amount),
      tax_amount_set: set(a.taxAmount),
    })),
    refund_line_items: refund.lines.map((l) => {
      const li = order.lineItems.find((x) => x.id === l.lineItemId)!;
      return {
        id: l.id,
        quantity: l.quantity,
        line_item_id: l.lineItemId,
        location_id: l.locationId,
        restock_type: l.restockType,
        subtotal: l.subtotal / 100,
        total_tax: l.totalTax / 100,
        subtotal_set: set(l.subtotal),
        total_tax_set: set(l.totalTax),
        line_item: nestedLineItem(state, order, li),
      };
    }),
    transactions: refund.transactionIds
      .map((id) => state.transactions.find((t) => t.id === id))
      .filter((t): t is NonNullable<typeof t> => t !== undefined)
      .map((t) => restTransaction(order, t)),
  };
}

export function fulfillmentPayload(state: SimState, fulfillment: Fulfillment): Json {
  const order = state.orders.find((o) => o.id === fulfillment.orderId)!;
  return {
    id: fulfillment.id,
    order_id: order.id,
    status: fulfillment.status === 'SUCCESS' ? 'success' : 'cancelled',
    created_at: fulfillment.createdAt,
    service: 'manual',
    updated_at: fulfillment.updatedAt,
    tracking_company: fulfillment.trackingCompany,
    shipment_status: null,
    location_id: fulfillment.locationId,
    origin_address: null,
    email: order.email,
    destination: restAddress(order.shippingAddress),
    line_items: fulfillment.lineItems.map((fl) => {
      const li = order.lineItems.find((x) => x.id === fl.lineItemId)!;
      return { ...nestedLineItem(state, order, li), quantity: fl.quantity };
    }),
    tracking_number: fulfillment.trackingNumbers[0] ?? null,
    tracking_numbers: fulfillment.trackingNumbers,
    tracking_url: fulfillment.trackingUrls[0] ?? null,
    tracking_urls: fulfillment.trackingUrls,
    receipt: {},
    name: fulfillment.name,
    admin_graphql_api_id: gid('Fulfillment', fulfillment.id),
  };
}

export function orderPayload(state: SimState, order: Order, shopDomain: string): Json {
  const set = moneySetFor(order);
  const t = orderTotals(state, order);
  const fulfillments = state.fulfillments.filter((f) => f.orderId === order.id);
  const refunds = state.refunds.filter((r) => r.orderId === order.id);
  return {
    id: order.id,
    admin_graphql_api_id: gid('Order', order.id),
    app_id: null,
    browser_ip: null,
    buyer_accepts_marketing: false,
    cancel_reason: order.cancelReason,
    cancelled_at: order.cancelledAt,
    cart_token: null,
    checkout_token: null,
    client_details: null,
    closed_at: order.closedAt,
    confirmation_number: `SIM${order.number}`,
    confirmed: true,
    contact_email: order.email,
    created_at: order.createdAt,
    currency: order.currency,
    current_shipping_price_set: set(t.currentShipping),
    current_subtotal_price: formatCents(t.currentSubtotal, order.currency),
    current_subtotal_price_set: set(t.currentSubtotal),
    // Null when the order has none, as in Shopify's sample payloads; no refund lowers a fee.
    current_total_additional_fees_set: order.additionalFees?.length ? set(t.additionalFees) : null,
    current_total_discounts: formatCents(t.currentDiscounts, order.currency),
    current_total_discounts_set: set(t.currentDiscounts),
    current_total_duties_set: t.duties ? set(t.currentDuties) : null,
    current_total_price: formatCents(t.currentTotal, order.currency),
    current_total_price_set: set(t.currentTotal),
    current_total_tax: formatCents(t.currentTax, order.currency),
    current_total_tax_set: set(t.currentTax),
    customer_locale: 'en',
    device_id: null,
    discount_codes: order.discountCodes.map((d) => ({ code: d.code, amount: formatCents(d.amount, order.currency), type: d.type })),
    duties_included: order.dutiesIncluded ?? false,
    email: order.email,
    estimated_taxes: false,
    financial_status: order.financialStatus,
    fulfillment_status: t.fulfillmentStatus,
    landing_site: null,
    landing_site_ref: null,
    location_id: null,
    merchant_business_entity_id: 'SIM',
    merchant_of_record_app_id: null,
    name: order.name,
    note: order.note,
    note_attributes: [],
    number: order.number - 1000,
    order_number: order.number,
    order_status_url: `https://${shopDomain}/${state.shop.id}/orders/${order.id}/authenticate`,
    original_total_additional_fees_set: order.additionalFees?.length ? set(t.additionalFees) : null,
    original_total_duties_set: t.duties ? set(t.duties) : null,
    payment_gateway_names: [order.gateway],
    phone: order.phone,
    po_number: null,
    presentment_currency: order.presentmentCurrency,
    processed_at: order.processedAt,
    reference: null,
    referring_site: null,
    source_identifier: null,
    source_name: order.sourceName,
    source_url: null,
    subtotal_price: formatCents(t.subtotal, order.currency),
    subtotal_price_set: set(t.subtotal),
    tags: order.tags.join(', '),
    tax_exempt: false,
    tax_lines: restTaxLines(order, t.taxLines),
    taxes_included: order.taxesIncluded,
    test: order.test,
    token: `sim${order.id}`,
    total_cash_rounding_payment_adjustment_set: set(0),
    total_cash_rounding_refund_adjustment_set: set(0),
    total_discounts: formatCents(t.discounts, order.currency),
    total_discounts_set: set(t.discounts),
    total_line_items_price: formatCents(t.lineItemsPrice, order.currency),
    total_line_items_price_set: set(t.lineItemsPrice),
    total_outstanding: formatCents(t.outstanding, order.currency),
    total_price: formatCents(t.total, order.currency),
    total_price_set: set(t.total),
    total_shipping_price_set: set(t.shipping),
    total_tax: formatCents(t.tax, order.currency),
    total_tax_set: set(t.tax),
    total_tip_received: '0.00',
    total_weight: order.lineItems.reduce((s, li) => s + li.grams * li.quantity, 0),
    updated_at: order.updatedAt,
    user_id: null,
    billing_address: restAddress(order.billingAddress),
    customer: orderCustomer(state, order),
    discount_applications: order.discountCodes.map((d) => ({
      target_type: 'line_item',
      type: 'discount_code',
      value: formatCents(d.amount, order.currency),
      value_type: 'fixed_amount',
      allocation_method: 'across',
      target_selection: 'all',
      code: d.code,
    })),
    fulfillments: fulfillments.map((f) => fulfillmentPayload(state, f)),
    line_items: order.lineItems.map((li) => orderLineItem(state, order, li)),
    payment_terms: null,
    refunds: refunds.map((r) => refundPayload(state, r)),
    shipping_address: restAddress(order.shippingAddress),
    // The lines an order edit left (removed ones are not listed, as GraphQL's default hides them).
    shipping_lines: activeShippingLines(order).map((sl) => ({
      id: sl.id,
      carrier_identifier: null,
      code: sl.code,
      current_discounted_price_set: set(sl.price - sl.discount),
      discounted_price: formatCents(sl.price - sl.discount, order.currency),
      discounted_price_set: set(sl.price - sl.discount),
      is_removed: false,
      phone: null,
      price: formatCents(sl.price, order.currency),
      price_set: set(sl.price),
      requested_fulfillment_service_id: null,
      source: 'shopify',
      title: sl.title,
      tax_lines: restTaxLines(order, sl.taxLines),
      discount_allocations: discountAllocations(order, sl.discount),
    })),
    returns: state.returns.filter((r) => r.orderId === order.id).map((r) => ({ id: r.id, admin_graphql_api_id: gid('Return', r.id) })),
    line_item_groups: [],
  };
}

export function productPayload(state: SimState, product: Product): Json {
  const variants = product.variantIds.map((id) => state.variants.find((v) => v.id === id)!).filter(Boolean);
  return {
    admin_graphql_api_id: gid('Product', product.id),
    body_html: product.descriptionHtml,
    created_at: product.createdAt,
    handle: product.handle,
    id: product.id,
    product_type: product.productType,
    published_at: product.status === 'ACTIVE' ? product.createdAt : null,
    template_suffix: null,
    title: product.title,
    updated_at: product.updatedAt,
    vendor: product.vendor,
    status: product.status.toLowerCase(),
    published_scope: 'web',
    tags: product.tags.join(', '),
    variants: variants.map((v) => {
      const available = state.levels.filter((l) => l.inventoryItemId === v.inventoryItemId).reduce((s, l) => s + l.available, 0);
      return {
        admin_graphql_api_id: gid('ProductVariant', v.id),
        barcode: v.barcode,
        compare_at_price: v.compareAtPrice === null ? null : formatCents(v.compareAtPrice, state.shop.currency),
        created_at: v.createdAt,
        id: v.id,
        inventory_policy: v.inventoryPolicy.toLowerCase(),
        position: v.position,
        price: formatCents(v.price, state.shop.currency),
        product_id: product.id,
        sku: v.sku,
        taxable: v.taxable,
        title: v.title,
        updated_at: v.updatedAt,
        option1: v.optionValues[0]?.name ?? null,
        option2: v.optionValues[1]?.name ?? null,
        option3: v.optionValues[2]?.name ?? null,
        image_id: null,
        inventory_item_id: v.inventoryItemId,
        inventory_quantity: available,
        old_inventory_quantity: available,
      };
    }),
    options: product.options.map((o, i) => ({
      name: o.name,
      id: product.id * 10 + i,
      product_id: product.id,
      position: i + 1,
      values: o.values,
    })),
    images: [],
    image: null,
    media: [],
    variant_gids: variants.map((v) => ({ admin_graphql_api_id: gid('ProductVariant', v.id), updated_at: v.updatedAt })),
    has_variants_that_requires_components: false,
    category: null,
  };
}

export function inventoryLevelPayload(level: InventoryLevel): Json {
  return {
    inventory_item_id: level.inventoryItemId,
    location_id: level.locationId,
    available: level.available,
    updated_at: level.updatedAt,
    admin_graphql_api_id: inventoryLevelGid(level.locationId, level.inventoryItemId),
  };
}

export function shopPayload(state: SimState): Json {
  const s = state.shop;
  const primary = state.locations[0];
  return {
    id: s.id,
    name: s.name,
    email: s.email,
    domain: s.domain,
    province: null,
    country: 'BE',
    address1: primary?.address.address1 ?? null,
    zip: primary?.address.zip ?? null,
    city: primary?.address.city ?? null,
    source: null,
    phone: null,
    latitude: null,
    longitude: null,
    primary_locale: 'en',
    address2: null,
    created_at: s.createdAt,
    updated_at: s.createdAt,
    country_code: 'BE',
    country_name: 'Belgium',
    currency: s.currency,
    customer_email: s.email,
    timezone: `(GMT+01:00) ${s.timezone}`,
    iana_timezone: s.timezone,
    shop_owner: 'Simulated Owner',
    money_format: '€{{amount}}',
    money_with_currency_format: '€{{amount}} EUR',
    weight_unit: 'kg',
    province_code: null,
    taxes_included: true,
    auto_configure_tax_inclusivity: null,
    tax_shipping: null,
    county_taxes: true,
    plan_display_name: s.plan,
    plan_name: s.plan,
    has_discounts: false,
    has_gift_cards: false,
    myshopify_domain: s.domain,
    google_apps_domain: null,
    google_apps_login_enabled: null,
    money_in_emails_format: '€{{amount}}',
    money_with_currency_in_emails_format: '€{{amount}} EUR',
    eligible_for_payments: true,
    requires_extra_payments_agreement: false,
    password_enabled: false,
    has_storefront: true,
    finances: true,
    primary_location_id: primary?.id ?? null,
    checkout_api_supported: true,
    multi_location_enabled: true,
    setup_required: false,
    pre_launch_enabled: false,
    enabled_presentment_currencies: s.enabledPresentmentCurrencies,
    marketing_sms_consent_enabled_at_checkout: false,
    transactional_sms_disabled: false,
  };
}

export function customersRedactPayload(
  state: SimState,
  customer: { id: number; email: string | null; phone: string | null },
  orderIds: number[],
): Json {
  return {
    shop_id: state.shop.id,
    shop_domain: state.shop.domain,
    customer: { id: customer.id, email: customer.email, phone: customer.phone },
    orders_to_redact: orderIds,
  };
}

export function customersDataRequestPayload(
  state: SimState,
  customer: { id: number; email: string | null; phone: string | null },
  orderIds: number[],
  requestId: number,
): Json {
  return {
    shop_id: state.shop.id,
    shop_domain: state.shop.domain,
    customer: { id: customer.id, email: customer.email, phone: customer.phone },
    orders_requested: orderIds,
    data_request: { id: requestId },
  };
}

export function shopRedactPayload(state: SimState): Json {
  return { shop_id: state.shop.id, shop_domain: state.shop.domain };
}
