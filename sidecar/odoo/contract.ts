/**
 * The sidecar ⟷ Odoo contract (docs/contract.md, version 1.2): the canonical documents as
 * TypeScript types, and a typed facade over `shopify.sync.api`. Flows call Odoo only through
 * this facade; the transport (JSON-RPC client, or the in-process double) is an OdooCaller.
 *
 * The types come from the contract's one source, contract/schemas/, through the generated
 * ./generated/contract.ts (`make generate`; docs/architecture.md, "Generated types"); the names
 * below are the ones the rest of the sidecar uses. Pure apart from the injected caller.
 */
import { CONTRACT_VERSION, compatibleContractVersions } from '../rules/contract-version.js';
import type * as Schema from './generated/contract.js';
import type { ContractMethods } from './generated/contract.js';
import type { OdooCaller } from './types.js';

export { CONTRACT_VERSION } from '../rules/contract-version.js';
export type { ContractMethods } from './generated/contract.js';
export const CONTRACT_MODEL = 'shopify.sync.api';

/** A decimal amount as a string in the shop currency, e.g. "12.50". Never a float. */
export type Money = string;
/** A Shopify global ID, e.g. "gid://shopify/Order/450789469". */
export type Gid = string;
/** ISO 8601 timestamp. */
export type Timestamp = string;

/** The document a method takes, and the one it returns. */
export type ContractParams<M extends ContractMethod> = ContractMethods[M]['params'];
export type ContractResult<M extends ContractMethod> = ContractMethods[M]['result'];

export type BindingState = Schema.SyncResult['state'];

export type Address = Schema.OrderAddress;
/** A Shopify tax line. `rate` is a decimal fraction as a string ("0.2" = 20 %). */
export type TaxLine = Schema.OrderTaxLine;

export type CustomerDocument = Schema.CustomerDocument;
/** A partner as export_customers and list_customers return it. */
export type ExportedCustomer = Schema.ExportCustomersResult['customers'][number];

/** An order line; `quantity` is the current quantity, after edits and removals (Shopify `currentQuantity`). */
export type OrderLine = Schema.OrderLine;
export type ShippingLine = Schema.OrderShippingLine;
/** An import duty charged on a line item at checkout (contract 1.5; docs/flows.md, "Duties"). */
export type OrderDuty = Schema.OrderDuty;
/** An additional fee of the order (contract 1.6; docs/flows.md, "Additional fees"). */
export type OrderAdditionalFee = Schema.OrderAdditionalFee;
export type OrderDocument = Schema.OrderDocument;
/** An order's amounts in the customer's currency (contract 1.4; docs/flows.md, "Currencies"). */
export type OrderPresentment = Schema.OrderPresentment;

export type RefundDocument = Schema.RefundDocument;
export type RefundLine = RefundDocument['lines'][number];
export type RestockType = RefundLine['restock_type'];
export type ReturnDocument = Schema.ReturnDocument;
/** A customer credit note of a Shopify order, as export_credit_note returns it (contract 1.1). */
export type CreditNoteDocument = Schema.CreditNoteDocument;
/** What Odoo holds for one Shopify refund (refund_status, contract 1.1). */
export type RefundStatus = Schema.RefundStatusResult['refunds'][number];
/** A Shopify order's transactions for apply_payments. */
export type PaymentsDocument = Schema.PaymentsDocument;
export type PaymentTransaction = PaymentsDocument['transactions'][number];
export type ApplyPaymentsResult = Schema.ApplyPaymentsResult;
/** What Odoo holds for one Shopify transaction (payment_status). */
export type PaymentStatus = Schema.PaymentStatusResult['payments'][number];

export type ProductDocument = Schema.ProductDocument;
export type ProductOption = ProductDocument['options'][number];
export type ProductVariantDocument = Schema.ProductVariant;
export type StockLevel = Schema.StockLevel;

export type OutboxEvent = Schema.OutboxEvent;
export type OutboxEventType = OutboxEvent['type'];

export type FulfillmentDocument = Schema.FulfillmentDocument;
/** A fulfillment as Shopify holds it, for apply_fulfillment (fulfillments made in Shopify). */
export type ShopifyFulfillmentDocument = Schema.ShopifyFulfillmentDocument;
export type ApplyFulfillmentResult = Schema.ApplyFulfillmentResult;

// ---- method parameters and results ----

export type ContractVersionResult = Schema.ContractVersionResult;
export type PullEventsParams = Schema.PullEventsParams;
export type ApplyOrderResult = Schema.ApplyOrderResult;
export type ApplyOrderStatus = ApplyOrderResult['status'];
export type CancelOrderParams = Schema.CancelOrderParams;
export type CancelOrderResult = Schema.CancelOrderResult;
export type ApplyRefundResult = Schema.ApplyRefundResult;
export type ApplyReturnResult = Schema.ApplyReturnResult;
export type UpsertCustomerResult = Schema.UpsertCustomerResult;
export type EraseCustomerParams = Schema.EraseCustomerParams;
export type EraseCustomerResult = Schema.EraseCustomerResult;

export type RecordSyncResultParams = Schema.SyncResult;
/** A variant's Shopify IDs, written under its template's result (the only kind of child). */
export type ChildSyncResult = NonNullable<RecordSyncResultParams['children']>[number];
export type SyncModel = RecordSyncResultParams['model'] | ChildSyncResult['model'];

// ---- operator methods (daily reconciliation, integrity check, resync; docs/contract.md) ----

export type OrderStatus = Schema.OrderStatusResult['orders'][number];
export type BoundModel = Schema.BoundRecordsParams['model'];
export type ResyncModel = Schema.RequestResyncParams['model'];
export type ReportSummaryDoc = Schema.StoreReportParams;

/**
 * The sidecar's active alerts for Odoo's Shopify overview (report_health,
 * sidecar/observability/alerts.ts). An alert may carry its value and threshold: the facade
 * sends only the fields the addon stores.
 */
export type HealthReportParams = Omit<Schema.ReportHealthParams, 'alerts'> & {
  alerts: Array<Schema.ReportHealthParams['alerts'][number] & { value?: number; threshold?: number }>;
};

// ---- status methods (Shopify > Errors and Overview in Odoo; docs/contract.md) ----

/** A dead-lettered job for Odoo's Shopify > Errors (report_failure). */
export type FailureReport = Schema.ReportFailureParams;
export type FailureReportResult = Schema.ReportFailureResult;
/** The sidecar's status snapshot for Odoo's Shopify > Overview (report_status, GET /admin/api/status). */
export type StatusReport = Schema.ReportStatusParams;

export interface OdooContract {
  contractVersion(doc: ContractParams<'contract_version'>): Promise<ContractVersionResult>;
  pullEvents(doc: PullEventsParams): Promise<ContractResult<'pull_events'>>;
  ackEvents(doc: ContractParams<'ack_events'>): Promise<ContractResult<'ack_events'>>;
  exportProducts(doc?: ContractParams<'export_products'>): Promise<ContractResult<'export_products'>>;
  stockLevels(doc?: ContractParams<'stock_levels'>): Promise<ContractResult<'stock_levels'>>;
  applyOrder(doc: OrderDocument): Promise<ApplyOrderResult>;
  cancelOrder(doc: CancelOrderParams): Promise<CancelOrderResult>;
  applyRefund(doc: RefundDocument): Promise<ApplyRefundResult>;
  applyReturn(doc: ReturnDocument): Promise<ApplyReturnResult>;
  /** A customer credit note of a Shopify order (the refunds flow turns a posted one into a Shopify refund). */
  exportCreditNote(doc: ContractParams<'export_credit_note'>): Promise<CreditNoteDocument>;
  /** What Odoo holds for some Shopify refunds (the refunds flow, the daily reconciliation). */
  refundStatus(doc: ContractParams<'refund_status'>): Promise<ContractResult<'refund_status'>>;
  /** Books an order's successful transactions as payments, invoicing by the company's policy (the payments flow). */
  applyPayments(doc: PaymentsDocument): Promise<ApplyPaymentsResult>;
  /** What Odoo holds for some Shopify transactions (the daily reconciliation). */
  paymentStatus(doc: ContractParams<'payment_status'>): Promise<ContractResult<'payment_status'>>;
  upsertCustomer(doc: CustomerDocument): Promise<UpsertCustomerResult>;
  exportCustomers(doc: ContractParams<'export_customers'>): Promise<ContractResult<'export_customers'>>;
  /** Top-level partners with an email, not erased, archived included, by id (onboarding). */
  listCustomers(doc?: ContractParams<'list_customers'>): Promise<ContractResult<'list_customers'>>;
  eraseCustomer(doc: EraseCustomerParams): Promise<EraseCustomerResult>;
  /** Privacy requests (docs/contract.md, "Privacy requests"), each idempotent by its request key. */
  privacyDataRequest(doc: ContractParams<'privacy_data_request'>): Promise<ContractResult<'privacy_data_request'>>;
  privacyRedactCustomer(doc: ContractParams<'privacy_redact_customer'>): Promise<ContractResult<'privacy_redact_customer'>>;
  privacyRedactShop(doc: ContractParams<'privacy_redact_shop'>): Promise<ContractResult<'privacy_redact_shop'>>;
  privacyRecordResult(doc: ContractParams<'privacy_record_result'>): Promise<ContractResult<'privacy_record_result'>>;
  openPrivacyRequests(doc: ContractParams<'open_privacy_requests'>): Promise<ContractResult<'open_privacy_requests'>>;
  exportDelivery(doc: ContractParams<'export_delivery'>): Promise<FulfillmentDocument>;
  /** A fulfillment made in Shopify applied to the order's Odoo delivery (docs/flows.md, "Fulfillments made in Shopify"). */
  applyFulfillment(doc: ShopifyFulfillmentDocument): Promise<ApplyFulfillmentResult>;
  recordSyncResult(doc: RecordSyncResultParams): Promise<ContractResult<'record_sync_result'>>;
  orderStatus(doc: ContractParams<'order_status'>): Promise<ContractResult<'order_status'>>;
  boundRecords(doc: ContractParams<'bound_records'>): Promise<ContractResult<'bound_records'>>;
  /** The Resync buttons' path: Odoo emits the outbox events (ids omitted = the full-resync wizard's population). */
  requestResync(doc: ContractParams<'request_resync'>): Promise<ContractResult<'request_resync'>>;
  storeReport(doc: ReportSummaryDoc): Promise<ContractResult<'store_report'>>;
  reportHealth(doc: HealthReportParams): Promise<ContractResult<'report_health'>>;
  reportFailure(doc: FailureReport): Promise<FailureReportResult>;
  reportStatus(doc: StatusReport): Promise<ContractResult<'report_status'>>;
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
  exportCreditNote: 'export_credit_note',
  refundStatus: 'refund_status',
  applyPayments: 'apply_payments',
  paymentStatus: 'payment_status',
  upsertCustomer: 'upsert_customer',
  exportCustomers: 'export_customers',
  listCustomers: 'list_customers',
  eraseCustomer: 'erase_customer',
  privacyDataRequest: 'privacy_data_request',
  privacyRedactCustomer: 'privacy_redact_customer',
  privacyRedactShop: 'privacy_redact_shop',
  privacyRecordResult: 'privacy_record_result',
  openPrivacyRequests: 'open_privacy_requests',
  exportDelivery: 'export_delivery',
  applyFulfillment: 'apply_fulfillment',
  recordSyncResult: 'record_sync_result',
  orderStatus: 'order_status',
  boundRecords: 'bound_records',
  requestResync: 'request_resync',
  storeReport: 'store_report',
  reportHealth: 'report_health',
  reportFailure: 'report_failure',
  reportStatus: 'report_status',
} as const satisfies Record<keyof OdooContract, keyof ContractMethods>;

/** An RPC method name; every one has its generated parameter and result types (ContractMethods). */
export type ContractMethod = (typeof CONTRACT_METHODS)[keyof typeof CONTRACT_METHODS];

/**
 * The typed facade: each method sends exactly one JSON object as the single positional argument
 * (`execute_kw(..., "shopify.sync.api", <method>, [document], {})`).
 */
export function createOdooContract(caller: OdooCaller): OdooContract {
  const call = <M extends ContractMethod>(method: M, doc: ContractParams<M>) =>
    caller.executeKw<ContractResult<M>>(CONTRACT_MODEL, method, [doc]);
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
    exportCreditNote: (doc) => call('export_credit_note', doc),
    refundStatus: (doc) => call('refund_status', doc),
    applyPayments: (doc) => call('apply_payments', doc),
    paymentStatus: (doc) => call('payment_status', doc),
    upsertCustomer: (doc) => call('upsert_customer', doc),
    exportCustomers: (doc) => call('export_customers', doc),
    listCustomers: (doc = {}) => call('list_customers', doc),
    eraseCustomer: (doc) => call('erase_customer', doc),
    privacyDataRequest: (doc) => call('privacy_data_request', doc),
    privacyRedactCustomer: (doc) => call('privacy_redact_customer', doc),
    privacyRedactShop: (doc) => call('privacy_redact_shop', doc),
    privacyRecordResult: (doc) => call('privacy_record_result', doc),
    openPrivacyRequests: (doc) => call('open_privacy_requests', doc),
    exportDelivery: (doc) => call('export_delivery', doc),
    applyFulfillment: (doc) => call('apply_fulfillment', doc),
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
    reportFailure: (doc) => call('report_failure', doc),
    reportStatus: (doc) => call('report_status', doc),
  } satisfies OdooContract);
}

/** True when the addon's contract works with ours (the rule: rules/contract-version.ts). */
export function isCompatibleContractVersion(addonVersion: string): boolean {
  return compatibleContractVersions(addonVersion, CONTRACT_VERSION);
}
