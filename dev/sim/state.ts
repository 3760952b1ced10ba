/**
 * The simulator's in-memory store: plain JSON-able records, so the whole state can be saved to
 * and loaded from a file. IDs are small integers exposed as GIDs (see ids.ts). Money is in cents
 * of the shop currency (see money.ts).
 */
import fs from 'node:fs';

export interface Address {
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  province: string | null;
  province_code: string | null;
  country: string | null;
  country_code: string | null;
  zip: string | null;
  phone: string | null;
}

export interface Location {
  id: number;
  name: string;
  isActive: boolean;
  fulfillsOnlineOrders: boolean;
  address: Address;
  createdAt: string;
}

export interface Product {
  id: number;
  title: string;
  handle: string;
  status: 'ACTIVE' | 'ARCHIVED' | 'DRAFT';
  vendor: string;
  productType: string;
  tags: string[];
  descriptionHtml: string;
  options: { name: string; values: string[] }[];
  variantIds: number[];
  createdAt: string;
  updatedAt: string;
}

export interface Variant {
  id: number;
  productId: number;
  title: string;
  sku: string | null;
  barcode: string | null;
  price: number;
  compareAtPrice: number | null;
  taxable: boolean;
  inventoryPolicy: 'DENY' | 'CONTINUE';
  position: number;
  optionValues: { optionName: string; name: string }[];
  inventoryItemId: number;
  createdAt: string;
  updatedAt: string;
}

export interface InventoryItem {
  id: number;
  sku: string | null;
  tracked: boolean;
  requiresShipping: boolean;
  variantId: number;
  createdAt: string;
  updatedAt: string;
}

export interface InventoryLevel {
  available: number;
  committed: number;
  on_hand: number;
  inventoryItemId: number;
  locationId: number;
  createdAt: string;
  updatedAt: string;
}

export interface TaxLine {
  title: string;
  rate: number;
  price: number;
}

export interface LineItem {
  id: number;
  variantId: number | null;
  productId: number | null;
  inventoryItemId: number | null;
  sku: string | null;
  title: string;
  variantTitle: string | null;
  vendor: string | null;
  quantity: number;
  /** Units removed by order edits (Shopify never lowers `quantity`; `currentQuantity` drops). */
  removedQuantity?: number;
  price: number;
  /** Total discount on the line (all units), allocated from the order's discount applications. */
  discount: number;
  taxLines: TaxLine[];
  taxable: boolean;
  requiresShipping: boolean;
  grams: number;
  /** A gift card sold (Shopify LineItem.isGiftCard); absent: false. */
  isGiftCard?: boolean;
  /** Import duties charged at checkout on this line (Shopify LineItem.duties); absent: none. */
  duties?: Duty[];
}

/**
 * An import duty of a line item (Shopify's Duty): its price and the taxes charged on it, in the
 * shop currency. Shopify never lowers `price`; refunds record what they give back (RefundDuty),
 * and an order edit that removes units of its line takes their share off the order's current
 * duties (./domain/totals.ts `editRemovedDuty`; an assumption: docs/simulator.md).
 */
export interface Duty {
  id: number;
  price: number;
  taxLines: TaxLine[];
  harmonizedSystemCode: string | null;
  countryCodeOfOrigin: string | null;
}

/**
 * An additional fee of the order (Shopify's AdditionalFee: extra costs of an international
 * package that are not duties or taxes), in the shop currency. Shopify's 2026-10 API cannot
 * refund one as such (no refundAdditionalFees), so `price` never lowers.
 */
export interface AdditionalFee {
  id: number;
  name: string;
  price: number;
  taxLines: TaxLine[];
}

export interface ShippingLine {
  id: number;
  title: string;
  code: string | null;
  /** The line's price; an order edit (orderEditUpdateShippingLine) changes it in place. */
  price: number;
  discount: number;
  taxLines: TaxLine[];
  /**
   * Removed by an order edit (Shopify's `ShippingLine.isRemoved`): kept on the order, hidden
   * unless `shippingLines(includeRemovals: true)`, counted in no total.
   */
  removed?: boolean;
}

export interface FulfillmentOrderLine {
  id: number;
  lineItemId: number;
  totalQuantity: number;
  remainingQuantity: number;
}

export interface FulfillmentOrder {
  id: number;
  orderId: number;
  locationId: number;
  status: 'OPEN' | 'IN_PROGRESS' | 'CLOSED' | 'CANCELLED';
  lineItems: FulfillmentOrderLine[];
  createdAt: string;
  updatedAt: string;
}

export interface Fulfillment {
  id: number;
  orderId: number;
  locationId: number;
  name: string;
  status: 'SUCCESS' | 'CANCELLED';
  trackingCompany: string | null;
  trackingNumbers: string[];
  trackingUrls: string[];
  lineItems: { id: number; lineItemId: number; quantity: number }[];
  createdAt: string;
  updatedAt: string;
}

export interface RefundLine {
  id: number;
  lineItemId: number;
  quantity: number;
  restockType: 'no_restock' | 'cancel' | 'return';
  locationId: number | null;
  subtotal: number;
  totalTax: number;
  /** Units of this refund line that had been fulfilled (the rest left an open fulfillment order). */
  fromFulfilled?: number;
}

/**
 * The difference between what a refund's lines, tax and shipping come to and the money it
 * returned (Shopify's OrderAdjustment, reason REFUND_DISCREPANCY). `amount` = calculated − refunded:
 * negative when more money was returned than the goods and shipping (the sign of Shopify's REST
 * examples, where a 5.00 shipping refund shows `"amount": "-5.00"`).
 */
export interface RefundAdjustment {
  id: number;
  amount: number;
  taxAmount: number;
  reason: 'REFUND_DISCREPANCY' | 'CUSTOMER' | 'DAMAGE' | 'RESTOCK';
}

/** A duty given back by a refund (Shopify's RefundDuty): its amount and the share of its taxes. */
export interface RefundDuty {
  dutyId: number;
  amount: number;
  tax: number;
}

export interface Transaction {
  id: number;
  orderId: number;
  /**
   * An authorization reserves money at checkout; its capture (parentId: the authorization) takes
   * it. `change`: cash a point of sale handed back from a sale of the amount tendered.
   */
  kind: 'sale' | 'authorization' | 'capture' | 'refund' | 'change';
  gateway: string;
  status: 'success';
  amount: number;
  parentId: number | null;
  createdAt: string;
}

export interface Refund {
  id: number;
  orderId: number;
  note: string | null;
  restock: boolean;
  returnId: number | null;
  lines: RefundLine[];
  shipping: number;
  shippingTax: number;
  transactionIds: number[];
  /** Absent in states saved before adjustments were simulated: none. */
  adjustments?: RefundAdjustment[];
  /** Duties given back (refundDuties); absent: none. */
  duties?: RefundDuty[];
  createdAt: string;
}

/** What a processed return line became (Shopify's ReverseFulfillmentOrderDisposition). */
export interface ReturnDisposition {
  id: number;
  type: 'RESTOCKED' | 'NOT_RESTOCKED' | 'MISSING' | 'PROCESSING_REQUIRED';
  quantity: number;
  locationId: number | null;
  createdAt: string;
}

export interface ReturnLine {
  id: number;
  fulfillmentLineItemId: number;
  lineItemId: number;
  quantity: number;
  processedQuantity: number;
  returnReasonNote: string;
  /** The line's ReverseFulfillmentOrderLineItem id (absent in older saved states: derived from `id`). */
  reverseLineId?: number;
  dispositions?: ReturnDisposition[];
}

export interface Return {
  id: number;
  orderId: number;
  name: string;
  status: 'OPEN' | 'CLOSED' | 'REQUESTED' | 'CANCELED' | 'DECLINED';
  lines: ReturnLine[];
  /** The return's ReverseFulfillmentOrder id (absent in older saved states: derived from `id`). */
  reverseFulfillmentOrderId?: number;
  decline?: { reason: 'FINAL_SALE' | 'OTHER' | 'RETURN_PERIOD_ENDED'; note: string | null } | null;
  requestApprovedAt?: string | null;
  closedAt?: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Order {
  id: number;
  name: string;
  number: number;
  email: string | null;
  phone: string | null;
  customerId: number | null;
  currency: string;
  presentmentCurrency: string;
  /** presentment amount = shop amount × rate */
  rate: number;
  taxesIncluded: boolean;
  /** Duties inside the product prices (Shopify's Order.dutiesIncluded); absent: false. */
  dutiesIncluded?: boolean;
  financialStatus: 'pending' | 'authorized' | 'paid' | 'partially_paid' | 'partially_refunded' | 'refunded' | 'voided';
  lineItems: LineItem[];
  shippingLines: ShippingLine[];
  /** Order.additionalFees; absent: none (states saved before fees were simulated, and orders without). */
  additionalFees?: AdditionalFee[];
  discountCodes: { code: string; amount: number; type: string }[];
  billingAddress: Address | null;
  shippingAddress: Address | null;
  locationId: number;
  tags: string[];
  note: string | null;
  test: boolean;
  sourceName: string;
  gateway: string;
  createdAt: string;
  updatedAt: string;
  processedAt: string;
  cancelledAt: string | null;
  /** An order edit was committed (Order.edited). */
  edited?: boolean;
  cancelReason: string | null;
  closedAt: string | null;
  transactionIds: number[];
}

export interface CustomerAddress extends Address {
  id: number;
}

export interface Customer {
  id: number;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  note: string | null;
  tags: string[];
  taxExempt: boolean;
  state: 'disabled' | 'enabled' | 'invited' | 'declined';
  locale: string;
  addresses: CustomerAddress[];
  defaultAddressId: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookSubscription {
  id: number;
  topic: string;
  uri: string;
  format: 'JSON' | 'XML';
  filter: string | null;
  includeFields: string[];
  name: string | null;
  /** `api`: created through webhookSubscriptionCreate (removed after 8 failures); `app`: app configuration (TOML). */
  source: 'api' | 'app';
  consecutiveFailures: number;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryAttempt {
  at: string;
  status: number | null;
  error: string | null;
}

export interface Delivery {
  webhookId: string;
  eventId: string;
  topic: string;
  subscriptionId: number;
  uri: string;
  body: string;
  triggeredAt: string;
  apiVersion: string;
  attempts: DeliveryAttempt[];
  status: 'pending' | 'delivered' | 'failed' | 'dropped' | 'abandoned';
  fault: string | null;
}

export interface IdempotencyRecord {
  key: string;
  mutation: string;
  paramsHash: string;
  status: 'in_progress' | 'succeeded' | 'failed';
  result: unknown;
}

export interface SimState {
  version: 1;
  shop: {
    id: number;
    name: string;
    domain: string;
    email: string;
    currency: string;
    timezone: string;
    plan: string;
    createdAt: string;
    enabledPresentmentCurrencies: string[];
  };
  nextId: number;
  nextOrderNumber: number;
  locations: Location[];
  products: Product[];
  variants: Variant[];
  inventoryItems: InventoryItem[];
  levels: InventoryLevel[];
  orders: Order[];
  fulfillmentOrders: FulfillmentOrder[];
  fulfillments: Fulfillment[];
  refunds: Refund[];
  returns: Return[];
  transactions: Transaction[];
  customers: Customer[];
  deletedCustomerIds: number[];
  /** customerRequestDataErasure calls (domain/privacy.ts); absent in states saved before it existed. */
  dataErasureRequests?: Array<{ customerId: number; requestedAt: string }>;
  subscriptions: WebhookSubscription[];
  deliveries: Delivery[];
  idempotency: IdempotencyRecord[];
}

export function blankAddress(partial: Partial<Address> = {}): Address {
  return {
    first_name: null,
    last_name: null,
    company: null,
    address1: null,
    address2: null,
    city: null,
    province: null,
    province_code: null,
    country: null,
    country_code: null,
    zip: null,
    phone: null,
    ...partial,
  };
}

export interface InitialStateOptions {
  shopDomain: string;
  shopName?: string;
  currency?: string;
  now: string;
  /** Adds a small demo catalogue (three SKUs stocked at both locations). */
  demoCatalog?: boolean;
}

export function initialState(options: InitialStateOptions): SimState {
  const now = options.now;
  const state: SimState = {
    version: 1,
    shop: {
      id: 1,
      name: options.shopName ?? 'Simulated Shop',
      domain: options.shopDomain,
      email: 'owner@example.com',
      currency: options.currency ?? 'EUR',
      timezone: 'Europe/Brussels',
      plan: 'standard',
      createdAt: now,
      enabledPresentmentCurrencies: [options.currency ?? 'EUR', 'USD', 'GBP'],
    },
    nextId: 1000,
    nextOrderNumber: 1001,
    locations: [
      {
        id: 101,
        name: 'Main Warehouse',
        isActive: true,
        fulfillsOnlineOrders: true,
        address: blankAddress({ address1: 'Rue de la Loi 1', city: 'Brussels', zip: '1000', country: 'Belgium', country_code: 'BE' }),
        createdAt: now,
      },
      {
        id: 102,
        name: 'Second Warehouse',
        isActive: true,
        fulfillsOnlineOrders: true,
        address: blankAddress({ address1: 'Meir 1', city: 'Antwerp', zip: '2000', country: 'Belgium', country_code: 'BE' }),
        createdAt: now,
      },
    ],
    products: [],
    variants: [],
    inventoryItems: [],
    levels: [],
    orders: [],
    fulfillmentOrders: [],
    fulfillments: [],
    refunds: [],
    returns: [],
    transactions: [],
    customers: [],
    deletedCustomerIds: [],
    subscriptions: [],
    deliveries: [],
    idempotency: [],
  };
  return state;
}

export function saveState(state: SimState, file: string): void {
  fs.writeFileSync(file, JSON.stringify(state, null, 2) + '\n');
}

export function loadStateFile(file: string): SimState {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as SimState;
  if (parsed.version !== 1 || !Array.isArray(parsed.orders)) throw new Error(`not a simulator state file: ${file}`);
  return parsed;
}
