/**
 * Every contract method of the double, by RPC name, split by contract area like the addon's
 * models/shopify_sync_api_<area>.py (docs/odoo-double.md). Each takes the document as the
 * contract types it and returns the contract's result type, so the compiler holds the double to
 * the generated contract types; what a document really holds is checked inside, as the addon
 * checks it.
 */
import type { ContractMethod, ContractParams, ContractResult } from '../../../sidecar/odoo/contract.js';
import type { DoubleCore } from '../core.js';
import { exportProducts, stockLevels } from './catalog.js';
import { eraseCustomer, exportCustomers, listCustomers, upsertCustomer } from './customers.js';
import { exportDelivery } from './deliveries.js';
import { applyFulfillment } from './fulfillments.js';
import { boundRecords, contractVersion, recordSyncResult, reportHealth, requestResync, storeReport } from './operations.js';
import { applyOrder, cancelOrder, orderStatus } from './orders.js';
import { openPrivacyRequests, privacyDataRequest, privacyRecordResult, privacyRedactCustomer, privacyRedactShop } from './privacy.js';
import { ackEvents, pullEvents } from './outbox.js';
import { applyPayments, paymentStatus } from './payments.js';
import { applyRefund, exportCreditNote, refundStatus } from './refunds.js';
import { applyReturn } from './returns.js';
import { reportFailure, reportStatus } from './status.js';

export type ContractHandler<M extends ContractMethod> = (core: DoubleCore, doc: ContractParams<M>) => ContractResult<M>;

export const CONTRACT_HANDLERS: { readonly [M in ContractMethod]: ContractHandler<M> } = {
  // outbox
  pull_events: pullEvents,
  ack_events: ackEvents,
  // catalog
  export_products: exportProducts,
  stock_levels: stockLevels,
  // orders
  apply_order: applyOrder,
  cancel_order: cancelOrder,
  order_status: orderStatus,
  // refunds
  apply_refund: applyRefund,
  apply_return: applyReturn,
  export_credit_note: exportCreditNote,
  refund_status: refundStatus,
  // payments
  apply_payments: applyPayments,
  payment_status: paymentStatus,
  // customers
  upsert_customer: upsertCustomer,
  export_customers: exportCustomers,
  list_customers: listCustomers,
  erase_customer: eraseCustomer,
  // privacy
  privacy_data_request: privacyDataRequest,
  privacy_redact_customer: privacyRedactCustomer,
  privacy_redact_shop: privacyRedactShop,
  privacy_record_result: privacyRecordResult,
  open_privacy_requests: openPrivacyRequests,
  // deliveries
  export_delivery: exportDelivery,
  apply_fulfillment: applyFulfillment,
  // operations
  contract_version: contractVersion,
  record_sync_result: recordSyncResult,
  bound_records: boundRecords,
  request_resync: requestResync,
  store_report: storeReport,
  report_health: reportHealth,
  // status
  report_failure: reportFailure,
  report_status: reportStatus,
};
