/**
 * The sidecar ⟷ Odoo contract (docs/contract.md, version 1): the canonical documents as
 * TypeScript types, and a typed facade over `shopify.sync.api`. Flows call Odoo only through
 * this facade; the transport (JSON-RPC client, or the in-process double) is an OdooCaller.
 *
 * Pure apart from the injected caller.
 */
import { CONTRACT_VERSION, compatibleContractVersions } from '../rules/contract-version.js';
import type { OdooCaller } from './types.js';

export { CONTRACT_VERSION } from '../rules/contract-version.js';
export const CONTRACT_MODEL = 'shopify.sync.api';

/** A decimal amount as a string in the shop currency, e.g. "12.50". Never a float. */
export type Money = string;
/** A Shopify global ID, e.g. "gid://shopify/Order/450789469". */
export type Gid = string;
/** ISO 8601 timestamp. */
export type Timestamp = string;

export type BindingState = 'pending' | 'synced' | 'error' | 'ignored';

export interface Address {
  name: string | null;
  company: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  province_code: string | null;
  zip: string | null;
  country_code: string | null;
  phone: string | null;
}

/** A Shopify tax line. `rate` is a decimal fraction as a string ("0.2" = 20 %). */
export interface TaxLine {
  title: string;
  rate: string;
  amount: Money;
}

export interface CustomerDocument {
  customer_gid: Gid | null;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  default_address: Address | null;
  updated_at: Timestamp | null;
}

export interface ExportedCustomer extends CustomerDocument {
  partner_id: number;
  active: boolean;
  content_hash: string;
  synced_hash: string | null;
}

export interface OrderLine {
  line_gid: Gid;
  sku: string;
  title: string;
  /** Current quantity, after edits and removals (Shopify `currentQuantity`). */
  quantity: number;
  price_unit: Money;
  /** The line's total discount amount. */
  discount: Money;
  tax_lines: TaxLine[];
}

export interface ShippingLine {
  title: string;
  code: string | null;
  price: Money;
  discount: Money;
  tax_lines: TaxLine[];
}

export interface OrderDocument {
  order_gid: Gid;
  name: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  currency: string;
  presentment_currency: string;
  taxes_included: boolean;
  financial_status: string;
  fulfillment_status: string | null;
  cancelled_at: Timestamp | null;
  customer: CustomerDocument | null;
  billing_address: Address | null;
  shipping_address: Address | null;
  location_gid: Gid | null;
  lines: OrderLine[];
  shipping_lines: ShippingLine[];
  subtotal_price: Money;
  total_tax: Money;
  total_discounts: Money;
  total_price: Money;
  note?: string | null;
}

export type RestockType = 'no_restock' | 'cancel' | 'return' | 'legacy_restock';

export interface RefundLine {
  line_gid: Gid;
  sku: string;
  quantity: number;
  subtotal: Money;
  total_tax: Money;
  restock_type: RestockType;
  location_gid: Gid | null;
}

export interface RefundDocument {
  refund_gid: Gid;
  order_gid: Gid;
  created_at: Timestamp;
  note: string | null;
  lines: RefundLine[];
  shipping: { amount: Money; tax: Money };
  adjustments: Array<{ amount: Money; reason: string | null }>;
  total: Money;
}

export interface ReturnDocument {
  return_gid: Gid;
  order_gid: Gid;
  status: string;
  /** Where the goods come back (a mapped location); default the delivering warehouse. */
  location_gid?: Gid | null;
  lines: Array<{ line_gid: Gid; sku: string; quantity: number }>;
}

export interface ProductOption {
  name: string;
  values: string[];
}

export interface ProductVariantDocument {
  odoo_id: number;
  sku: string | null;
  barcode: string | null;
  price: Money;
  active: boolean;
  option_values: Array<{ option: string; value: string }>;
  shopify_variant_gid: Gid | null;
  shopify_inventory_item_gid: Gid | null;
}

export interface ProductDocument {
  odoo_id: number;
  name: string;
  description: string | null;
  active: boolean;
  shopify_product_gid: Gid | null;
  options: ProductOption[];
  variants: ProductVariantDocument[];
  /** SHA-256 of the document without Shopify IDs and hashes; the hash last recorded as synced (echo guard). */
  content_hash: string;
  synced_hash: string | null;
}

export interface StockLevel {
  product_id: number;
  sku: string | null;
  shopify_inventory_item_gid: Gid | null;
  location_gid: Gid;
  warehouse_id: number;
  on_hand: number;
  reserved_other: number;
  safety_stock: number;
  /** max(0, floor(on_hand − reserved_other − safety_stock)) — decision 7. */
  shopify_on_hand: number;
}

export type OutboxEventType =
  | 'product.changed'
  | 'stock.changed'
  | 'customer.changed'
  | 'customer.erased'
  | 'delivery.done'
  | 'return.done'
  | 'credit_note.posted'
  /** A user asked "Re-import from Shopify" (or Retry on an order in error). */
  | 'order.reimport';

export interface OutboxEvent {
  uuid: string;
  type: OutboxEventType;
  model: string;
  res_id: number;
  /** Per-entity ordering key: `product:<id>`, `stock:<product_id>:<location_gid>`, … */
  key: string;
  payload: Record<string, unknown>;
  created_at: Timestamp;
  attempts: number;
}

export interface FulfillmentDocument {
  picking_id: number;
  order_gid: Gid;
  is_return: boolean;
  lines: Array<{ line_gid: Gid; sku: string; quantity: number }>;
  tracking: { number: string | null; company: string | null; url: string | null };
  fulfillment_gids: Gid[];
  name: string;
  state: string;
  sale_order_id: number;
  location_gid: Gid | null;
}

// ---- method parameters and results ----

export interface ContractVersionResult {
  contract_version: string;
  addon_version: string;
  odoo_version: string;
}

export interface PullEventsParams {
  limit: number;
  lease_seconds: number;
}

export type ApplyOrderStatus = 'created' | 'updated' | 'unchanged' | 'held' | 'flagged';

export interface ApplyOrderResult {
  status: ApplyOrderStatus;
  sale_order_id: number;
  name: string;
  /** sale.order state: draft / sent / sale / cancel. */
  state: string;
  amount_total: Money;
  message?: string | null;
}

export interface CancelOrderParams {
  order_gid: Gid;
  cancelled_at: Timestamp;
  reason: string | null;
}

export interface CancelOrderResult {
  status: 'cancelled' | 'already_cancelled' | 'needs_return' | 'not_found';
  sale_order_id: number | null;
}

export interface ApplyRefundResult {
  /** `flagged`: the Odoo credit note total differs from Shopify's; left in draft (addon). */
  status: 'created' | 'unchanged' | 'flagged';
  /** null when there is nothing to credit (restock only) or the refund was listed on the order before. */
  credit_note_id: number | null;
  amount_total: Money;
  message?: string | null;
}

export interface ApplyReturnResult {
  /** `cancelled`: the return was declined/cancelled in Shopify and its open pickings were cancelled. */
  status: 'created' | 'unchanged' | 'cancelled';
  /** null for a withdrawn return that never had a picking. */
  picking_id: number | null;
  /** One return picking per delivered picking the goods left with. */
  picking_ids: number[];
}

export interface UpsertCustomerResult {
  status: 'created' | 'updated' | 'unchanged' | 'linked';
  partner_id: number;
}

export interface EraseCustomerParams {
  customer_gid?: Gid | null;
  email?: string | null;
}

export interface EraseCustomerResult {
  status: 'erased' | 'not_found';
  partner_ids: number[];
}

export type SyncModel = 'product.template' | 'product.product' | 'res.partner' | 'sale.order' | 'stock.picking' | 'account.move';

/** A variant's Shopify IDs, written under its template's result (the only kind of child). */
export interface ChildSyncResult {
  model: 'product.product';
  res_id: number;
  /** The variant GID. */
  shopify_gid?: Gid | null;
  inventory_item_gid?: Gid | null;
}

export interface RecordSyncResultParams {
  model: Exclude<SyncModel, 'product.product'>;
  res_id: number;
  state: BindingState;
  message?: string | null;
  shopify_gid?: Gid | null;
  content_hash?: string | null;
  children?: ChildSyncResult[];
}

// ---- operator methods (daily reconciliation, integrity check, resync; docs/contract.md) ----

export interface OrderStatus {
  order_gid: Gid;
  found: boolean;
  sale_order_id: number | null;
  name: string | null;
  /** sale.order state: draft / sent / sale / cancel. */
  state: string | null;
  amount_total: Money | null;
  /** Order lines bound to Shopify product lines (no shipping, discount or manual lines). */
  line_count: number | null;
}

export type BoundModel = 'product.template' | 'res.partner' | 'sale.order';
export type ResyncModel = 'product.template' | 'product.product' | 'res.partner' | 'sale.order';

export interface ReportSummaryDoc {
  kind: 'reconciliation' | 'integrity';
  /** One line for Odoo's Overview, plus any counts. */
  summary: { headline: string } & Record<string, unknown>;
}

/** The sidecar's active alerts for Odoo's Shopify overview (report_health, sidecar/observability/alerts.ts). */
export interface HealthReportParams {
  alerts: Array<{ key: string; summary: string; since?: string | null; value?: number; threshold?: number }>;
  dlq_depth: number;
  checked_at: string;
}

export interface OdooContract {
  contractVersion(doc: { sidecar_version: string }): Promise<ContractVersionResult>;
  pullEvents(doc: PullEventsParams): Promise<{ events: OutboxEvent[] }>;
  ackEvents(doc: { uuids: string[] }): Promise<{ acknowledged: number }>;
  exportProducts(doc?: { template_ids?: number[]; limit?: number; offset?: number }): Promise<{ products: ProductDocument[] }>;
  stockLevels(doc?: { product_ids?: number[]; location_gids?: Gid[] }): Promise<{ levels: StockLevel[] }>;
  applyOrder(doc: OrderDocument): Promise<ApplyOrderResult>;
  cancelOrder(doc: CancelOrderParams): Promise<CancelOrderResult>;
  applyRefund(doc: RefundDocument): Promise<ApplyRefundResult>;
  applyReturn(doc: ReturnDocument): Promise<ApplyReturnResult>;
  upsertCustomer(doc: CustomerDocument): Promise<UpsertCustomerResult>;
  exportCustomers(doc: { partner_ids: number[] }): Promise<{ customers: ExportedCustomer[] }>;
  /** Top-level partners with an email, not erased, archived included, by id (onboarding). */
  listCustomers(doc?: { limit?: number; offset?: number }): Promise<{ customers: ExportedCustomer[] }>;
  eraseCustomer(doc: EraseCustomerParams): Promise<EraseCustomerResult>;
  exportDelivery(doc: { picking_id: number }): Promise<FulfillmentDocument>;
  recordSyncResult(doc: RecordSyncResultParams): Promise<{ ok: true }>;
  orderStatus(doc: { order_gids: Gid[] }): Promise<{ orders: OrderStatus[] }>;
  boundRecords(doc: { model: BoundModel }): Promise<{ records: Array<{ id: number; shopify_gid: Gid }> }>;
  /** The Resync buttons' path: Odoo emits the outbox events (ids omitted = the full-resync wizard's population). */
  requestResync(doc: { model: ResyncModel; ids?: number[] }): Promise<{ queued: number; missing_ids: number[] }>;
  storeReport(doc: ReportSummaryDoc): Promise<{ ok: true }>;
  reportHealth(doc: HealthReportParams): Promise<{ ok: true }>;
}

/** The RPC method behind each facade method (the contract's names). */
export const CONTRACT_METHODS = {
  contractVersion: 'contract_version',
  pullEvents: 'pull_events',
  ackEvents: 'ack_events',
  exportProducts: 'export_products',
  stockLevels: 'stock_levels',
  applyOrder: 'apply_order',
  cancelOrder: 'cancel_order',
  applyRefund: 'apply_refund',
  applyReturn: 'apply_return',
  upsertCustomer: 'upsert_customer',
  exportCustomers: 'export_customers',
  listCustomers: 'list_customers',
  eraseCustomer: 'erase_customer',
  exportDelivery: 'export_delivery',
  recordSyncResult: 'record_sync_result',
  orderStatus: 'order_status',
  boundRecords: 'bound_records',
  requestResync: 'request_resync',
  storeReport: 'store_report',
  reportHealth: 'report_health',
} as const satisfies Record<keyof OdooContract, string>;

export type ContractMethod = (typeof CONTRACT_METHODS)[keyof typeof CONTRACT_METHODS];

/**
 * The typed facade: each method sends exactly one JSON object as the single positional argument
 * (`execute_kw(..., "shopify.sync.api", <method>, [document], {})`).
 */
export function createOdooContract(caller: OdooCaller): OdooContract {
  const call = <T>(method: ContractMethod, doc: object) => caller.executeKw<T>(CONTRACT_MODEL, method, [doc]);
  return Object.freeze({
    contractVersion: (doc) => call('contract_version', doc),
    pullEvents: (doc) => call('pull_events', doc),
    ackEvents: (doc) => call('ack_events', doc),
    exportProducts: (doc = {}) => call('export_products', doc),
    stockLevels: (doc = {}) => call('stock_levels', doc),
    applyOrder: (doc) => call('apply_order', doc),
    cancelOrder: (doc) => call('cancel_order', doc),
    applyRefund: (doc) => call('apply_refund', doc),
    applyReturn: (doc) => call('apply_return', doc),
    upsertCustomer: (doc) => call('upsert_customer', doc),
    exportCustomers: (doc) => call('export_customers', doc),
    listCustomers: (doc = {}) => call('list_customers', doc),
    eraseCustomer: (doc) => call('erase_customer', doc),
    exportDelivery: (doc) => call('export_delivery', doc),
    recordSyncResult: (doc) => call('record_sync_result', doc),
    orderStatus: (doc) => call('order_status', doc),
    boundRecords: (doc) => call('bound_records', doc),
    requestResync: (doc) => call('request_resync', doc),
    storeReport: (doc) => call('store_report', doc),
    // Only the fields the addon stores: value/threshold stay in the sidecar's own alert state.
    reportHealth: (doc) =>
      call('report_health', {
        alerts: doc.alerts.map((a) => ({ key: a.key, summary: a.summary, since: a.since ?? null })),
        dlq_depth: doc.dlq_depth,
        checked_at: doc.checked_at,
      }),
  } satisfies OdooContract);
}

/** True when the addon's contract works with ours (the rule: rules/contract-version.ts). */
export function isCompatibleContractVersion(addonVersion: string): boolean {
  return compatibleContractVersions(addonVersion, CONTRACT_VERSION);
}
