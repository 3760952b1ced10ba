/**
 * What the conformance suite runs against: the contract facade plus a MerchantDriver that does
 * what a user does in Odoo's UI (and reads back what the user would see). Implemented for the
 * in-process double (dev/odoo-double/merchant.ts) and for a real Odoo over JSON-RPC (real-driver.ts).
 */
import type { BindingState, Gid, Money, OdooContract, SyncModel } from '../../sidecar/odoo/contract.js';
import type { OdooCaller } from '../../sidecar/odoo/types.js';
import type { ContractValidator } from './schemas.js';

export interface ProductSpec {
  name: string;
  description?: string;
  /** Template list price. */
  price: Money;
  /** Attributes; each value may add a price extra (Odoo: product.template.attribute.value.price_extra). */
  options?: Array<{ name: string; values: Array<{ value: string; price_extra?: Money }> }>;
  /**
   * One entry per variant. With options, Odoo creates every combination: list them all.
   * `option_values` maps option name → value.
   */
  variants: Array<{ sku: string | null; barcode?: string | null; option_values?: Record<string, string> }>;
}

/** A tracking number; company and URL come from the carrier in Odoo (stock_delivery). */
export interface Tracking {
  number: string | null;
  company?: string | null;
  url?: string | null;
}

/**
 * What an area's scenarios (refunds, edits, taxes, currencies, payments, fulfillments, duties,
 * additional fees) get from ./suite.ts: the contract under test, the merchant, the company
 * currency, the warehouses mapped to Shopify locations, and a product stocked for the scenario.
 */
export interface AreaContext {
  contract: OdooContract;
  m: MerchantDriver;
  currency: string;
  wh: WarehouseView[];
  stocked(quantity?: number, price?: string): Promise<{ sku: string; template_id: number; product_id: number }>;
}

export interface WarehouseView {
  id: number;
  location_gid: Gid;
}

export interface SaleOrderView {
  id: number;
  name: string;
  state: string;
  partner_id: number;
  shipping: { street: string | null; city: string | null; zip: string | null };
  amount_total: Money;
  /** Product lines only (not shipping or discount lines). */
  lines: Array<{ sku: string | null; quantity: number; qty_delivered: number }>;
}

/** Every line of a sale order, as the order form's lines and invoicing columns show them. */
export interface OrderLineView {
  /** The addon's shopify_line_role: product, discount, shipping, shipping_discount, refund, refund_adjustment (null for a line made in Odoo). */
  role: string | null;
  sku: string | null;
  quantity: number;
  qty_delivered: number;
  qty_invoiced: number;
  /** Units refunded in Shopify that stay on the line (delivered, not returned). */
  kept_qty: number;
  price_total: Money;
}

/** A Shopify refund as Shopify → Refunds lists it. */
export interface RefundView {
  refund_gid: Gid;
  state: string;
  amount_total: Money;
  credit_note_id: number | null;
  origin: string;
  return_gid: Gid | null;
  /** The edit credit notes this refund pays back (docs/flows.md, "The refund that pays the customer back"). */
  edit_credit_note_ids: number[];
}

export interface PickingView {
  id: number;
  picking_type: 'outgoing' | 'incoming';
  state: string;
  moves: Array<{ product_id: number; quantity: number }>;
}

export interface PartnerView {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  street: string | null;
  city: string | null;
  active: boolean;
}

export interface BindingView {
  state: BindingState;
  message: string | null;
  shopify_gid: Gid | null;
  content_hash: string | null;
}

/** A privacy request as the privacy group sees it (Shopify → Privacy requests). */
export interface PrivacyRequestView {
  id: number;
  name: string;
  kind: 'data_request' | 'customer_redact' | 'shop_redact' | 'erasure';
  state: 'received' | 'waiting' | 'done' | 'error';
  received_at: string;
  /** YYYY-MM-DD. */
  due_date: string;
  done_by: string | null;
  customer_gid: string | null;
  waiting_reason: string | null;
  outcome: string | null;
  sidecar_outcome: string | null;
  shopify_status: 'requested' | 'not_found' | 'failed' | null;
  shopify_message: string | null;
  /** The privacy group's open to-dos on the request. */
  activities: Array<{ summary: string; deadline: string }>;
  /** The attached JSON export, parsed (null when there is none). */
  export: Record<string, unknown> | null;
}

/** A row of Shopify > Errors (shopify.sync.failure), as a user reads it. */
export interface FailureView {
  id: number;
  state: 'open' | 'retrying' | 'resolved';
  res_model: string | null;
  res_id: number | null;
  shopify_gid: Gid | null;
  shopify_name: string | null;
  amount: Money | null;
  customer_name: string | null;
  attempts: number;
}

export interface MerchantSettings {
  import_policy?: 'all' | 'paid';
  safety_stock?: number;
  /**
   * Shopify tax line (title, rate) → an Odoo sales tax, by name. The tax is created when
   * missing, price-included when `price_include` (both targets know "VAT 20%" and "VAT 20% incl.").
   */
  tax_mapping?: Array<{ title: string; rate: number; tax: string; price_include?: boolean }>;
  /** Fulfillments made in Shopify: validate the matching quantities of the delivery (default), or flag it. */
  fulfillment_policy?: 'validate' | 'flag';
  /** Units an order edit removed after Odoo delivered them: return and credit (default), or flag the order. */
  edit_removal_policy?: 'return' | 'flag';
  /** Refund of returns received in Odoo: with the Shopify return, or separately (default). */
  return_refund?: 'return' | 'separate';
  /** The company's tax rounding (Invoicing > Settings). */
  tax_rounding?: 'round_per_line' | 'round_globally';
  /** Shopify > Settings > Money: the source of truth for tax, and the odoo source's tolerance. */
  tax_source?: 'shopify' | 'odoo';
  tax_tolerance?: Money;
  /** Shopify > Settings > Money: the shop currency against the company's (docs/flows.md, "Currencies"). */
  currency_policy?: 'company' | 'pricelist' | 'convert';
  /** Shopify > Settings > Money: new orders booked in shop or the customer's (presentment) money. */
  presentment_policy?: 'shop' | 'presentment';
  /**
   * Settings > Technical > Decimal Accuracy "Product Price" (Odoo's default 2; a currency with
   * three decimals needs 3; the addon, and the double like it, hold an order booked in one while it is 2).
   */
  price_digits?: number;
  /** The company's Shopify invoice policy (Settings → Shopify → Customer invoices). */
  invoice_policy?: 'never' | 'on_payment' | 'on_delivery';
  /** Shopify → Configuration → Payment gateways: gateway → a bank journal by name (created when missing); replaces the mapping. */
  gateways?: Array<{ gateway: string; journal: string }>;
  /** The gift card journal and liability account, by name (created when missing); null clears them. */
  gift_card?: { journal: string; account: string } | null;
}

/** A payment booked from a Shopify transaction, as the order's payments list shows it. */
export interface PaymentView {
  transaction_gid: Gid;
  payment_type: 'inbound' | 'outbound';
  amount: Money;
  journal: string;
  reconciled: boolean;
}

/** A customer invoice of the order; `gift_card_amount`: what its lines book to the gift card liability account. */
export interface OrderInvoiceView {
  id: number;
  state: string;
  amount_total: Money;
  amount_residual: Money;
  gift_card_amount: Money;
}

export interface MerchantDriver {
  readonly name: string;
  /** At least two warehouses, each mapped to a Shopify location. */
  warehouses(): Promise<WarehouseView[]>;
  configure(settings: MerchantSettings): Promise<void>;
  /** The company currency (ISO code): apply_order refuses orders in another shop currency. */
  companyCurrency(): Promise<string>;
  /**
   * Activates a currency with Odoo's rate (`rate`: its units per company unit, as
   * res.currency.rate stores it, valid from 2000-01-01) and, when `pricelist`, an active
   * pricelist in it (without: its pricelists archived).
   */
  setCurrency(code: string, options: { rate: string; pricelist: boolean }): Promise<void>;
  /** A sale order's currency, the Shopify order's currency and its total. */
  readOrderCurrency(saleOrderId: number): Promise<{ currency: string; shopify_currency: string | null; amount_total: Money }>;
  /** The shop this Odoo serves (Settings → Shopify), as privacy_redact_shop requires it. */
  shopDomain(): Promise<string>;

  createProduct(spec: ProductSpec): Promise<{ template_id: number; variants: Record<string, number> }>;
  setProductPrice(templateId: number, price: Money): Promise<void>;
  archiveProduct(templateId: number): Promise<void>;
  /** Inventory adjustment: sets on hand at the warehouse's stock location. */
  setStock(productId: number, warehouseId: number, quantity: number): Promise<void>;
  /** A confirmed sale order entered in Odoo (not from Shopify); its delivery reserves stock. */
  createSaleOrder(spec: {
    warehouse_id: number;
    lines: Array<{ product_id: number; quantity: number }>;
  }): Promise<{ sale_order_id: number; picking_id: number }>;
  /** Validates a delivery; `quantities` (product id → quantity) makes it partial with a backorder. */
  validateDelivery(
    pickingId: number,
    options?: { quantities?: Record<number, number>; tracking?: Tracking },
  ): Promise<{ backorder_id: number | null }>;
  setTracking(pickingId: number, tracking: Tracking): Promise<void>;
  validateReturn(pickingId: number): Promise<void>;
  /** The button "Process in Shopify without a refund" on a return waiting for its credit note. */
  processReturnWithoutRefund(pickingId: number): Promise<void>;
  /** The return picking shows "Waiting for the credit note to process the return in Shopify". */
  readReturnWaiting(pickingId: number): Promise<boolean>;
  /** Odoo's Return button on a done delivery: a return picking for `quantities` (product id → units), ready to receive. */
  returnDelivery(pickingId: number, quantities: Record<number, number>): Promise<{ return_picking_id: number }>;
  /** A credit note posted on a sale order (e.g. a goodwill refund decided in Odoo), naming the order as its source. */
  postCreditNote(saleOrderId: number, amount: Money, reason: string): Promise<{ credit_note_id: number }>;
  /**
   * A credit note posted for units of the order's lines (by SKU), at their order price and taxes,
   * linked to the lines. SKU SHOPIFY-DUTIES is the order's duty line (a fraction of it credits part of the duty),
   * SHOPIFY-FEES its additional fee line.
   */
  creditOrderLines(
    saleOrderId: number,
    lines: Array<{ sku: string; quantity: number }>,
    reason: string,
  ): Promise<{ credit_note_id: number }>;
  /** Odoo's "Create invoice" on the order (regular invoice, deducting down payments), posted. */
  invoiceOrder(saleOrderId: number): Promise<{ invoice_id: number; move_type: 'out_invoice' | 'out_refund'; amount_total: Money }>;
  /** `sync`: the contact's "Sync to Shopify" flag (unbound contacts emit events only with it). */
  createCustomer(values: { name: string; email: string | null; sync?: boolean }): Promise<number>;
  editCustomer(
    partnerId: number,
    values: { name?: string; email?: string | null; phone?: string | null; street?: string | null; city?: string | null },
  ): Promise<void>;
  archiveCustomer(partnerId: number): Promise<void>;
  /** The addon's "erase personal data" action on a customer. */
  eraseCustomer(partnerId: number): Promise<void>;
  /** "Re-import from Shopify" on a sales order. */
  reimportOrder(saleOrderId: number): Promise<void>;
  /** "Resync to Shopify" on a product template (an event even when nothing changed). */
  resyncProduct(templateId: number): Promise<void>;

  readSaleOrders(orderGid: Gid): Promise<SaleOrderView[]>;
  readPickings(saleOrderId: number): Promise<PickingView[]>;
  readPartner(partnerId: number): Promise<PartnerView>;
  findPartnersByName(name: string): Promise<number[]>;
  readCreditNote(id: number): Promise<{ amount_total: Money; state: string }>;
  /** A credit note's lines: label, quantity, total with tax, and the role of the sale line it is linked to (null: not linked). */
  readCreditNoteLines(id: number): Promise<Array<{ name: string; quantity: number; price_total: Money; sale_line_role: string | null }>>;
  readInvoice(id: number): Promise<{ amount_total: Money; amount_residual: Money; state: string }>;
  /** All the order's lines, its total and its invoice status (to invoice, invoiced, no). */
  readOrderLines(saleOrderId: number): Promise<{ amount_total: Money; invoice_status: string; lines: OrderLineView[] }>;
  readRefunds(saleOrderId: number): Promise<RefundView[]>;
  /** The Shopify payments of the order (account.payment with a Shopify transaction), oldest first. */
  readPayments(saleOrderId: number): Promise<PaymentView[]>;
  /** The order's customer invoices (not credit notes), oldest first. */
  readOrderInvoices(saleOrderId: number): Promise<OrderInvoiceView[]>;
  /**
   * The order's customer credit notes (refunds' and edits'), oldest first: total, state, the Shopify refund bound to it, and for an
   * edit's credit note the refunds that pay it back.
   */
  readOrderCreditNotes(
    saleOrderId: number,
  ): Promise<Array<{ id: number; amount_total: Money; state: string; refund_gid: Gid | null; edit_refund_gids: Gid[] }>>;
  readBinding(model: SyncModel, id: number): Promise<BindingView>;
  /** What Shopify → Overview shows of the sidecar's last report_health (null before any). */
  readSidecarHealth(): Promise<{ alert_count: number; dlq_depth: number; text: string } | null>;
  /** Every privacy request, oldest first. */
  readPrivacyRequests(): Promise<PrivacyRequestView[]>;
  /** "Check again" on a waiting privacy request (what the daily cron does). */
  recheckPrivacyRequest(requestId: number): Promise<void>;
  /** The sidecar's last status snapshot on Shopify > Overview (report_status; null before any). */
  readSidecarStatus(): Promise<Record<string, unknown> | null>;
  /** Every row of Shopify > Errors, oldest first. */
  readFailures(): Promise<FailureView[]>;
  /** Lets `seconds` pass (real time against Odoo, a clock jump in the double). */
  sleep(seconds: number): Promise<void>;
}

export interface ConformanceTarget {
  contract: OdooContract;
  merchant: MerchantDriver;
}

/** What the scenarios run with (./suite.ts), for the double and for a real Odoo alike. */
export interface SuiteContext {
  target(): ConformanceTarget;
  /** The schema-validating caller under the facade (for calls outside the facade, e.g. a private method). */
  caller(): OdooCaller;
  /**
   * The same target without schema validation: for documents the schemas refuse, to check that
   * the target's own checks refuse them too (the addon does not read the JSON Schemas).
   */
  unvalidatedCaller(): OdooCaller;
  validator(): ContractValidator;
}
