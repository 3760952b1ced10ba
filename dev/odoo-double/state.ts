/**
 * The in-memory Odoo state the double works on: a small, Odoo-shaped model of the records the
 * addon touches (products and variants, warehouses, stock, partners, sale orders, pickings,
 * credit notes, the outbox, bindings and settings). No behaviour here beyond construction.
 */
import type { BindingState, Gid, OutboxEvent, OutboxEventType } from '../../sidecar/odoo/contract.js';
import type { TaxRounding } from './values.js';

/** Shopify's shop-currency amounts or the customer's (presentment) ones (docs/flows.md, "Currencies"). */
export type BookedMoney = 'shop' | 'presentment';

export interface Binding {
  state: BindingState;
  message: string | null;
  last_synced_at: string | null;
  content_hash: string | null;
  shopify_gid: Gid | null;
}

export const newBinding = (shopifyGid: Gid | null = null): Binding => ({
  state: 'pending',
  message: null,
  last_synced_at: null,
  content_hash: null,
  shopify_gid: shopifyGid,
});

export interface OptionDef {
  name: string;
  values: Array<{ value: string; price_extra: number }>;
}

export interface Template {
  id: number;
  name: string;
  description: string | null;
  active: boolean;
  /** list_price in integer cents. */
  list_price: number;
  options: OptionDef[];
  binding: Binding;
}

export interface Variant {
  id: number;
  template_id: number;
  sku: string | null;
  barcode: string | null;
  active: boolean;
  option_values: Array<{ option: string; value: string }>;
  binding: Binding;
  inventory_item_gid: Gid | null;
}

export interface Warehouse {
  id: number;
  name: string;
  code: string;
  location_gid: Gid | null;
}

export interface PartnerAddress {
  street: string | null;
  street2: string | null;
  city: string | null;
  state_code: string | null;
  zip: string | null;
  country_code: string | null;
}

export interface Partner extends PartnerAddress {
  id: number;
  name: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  company: string | null;
  active: boolean;
  /** Child contacts (delivery/invoice addresses) point at their commercial partner. */
  parent_id: number | null;
  type: 'contact' | 'delivery' | 'invoice';
  erased: boolean;
  /** "Sync to Shopify" flag: unbound contacts emit customer.changed only when set. */
  shopify_sync: boolean;
  write_date: string;
  binding: Binding;
}

export type LineRole =
  | 'product'
  | 'discount'
  | 'shipping'
  | 'shipping_discount'
  | 'duty'
  | 'fee'
  | 'manual'
  | 'refund'
  | 'refund_adjustment'
  | 'tax_adjustment'
  | 'edit_removal'
  /** What Shopify raised an invoiced shipping line, duty or fee by, to invoice (line_gid: the charge's; the addon's RAISED_ROLE). */
  | 'raised';

/** Lines a refund or an edit after delivery wrote (the addon's REFUND_ROLES): order documents never carry them. */
export const REFUND_ROLES: readonly LineRole[] = ['refund', 'refund_adjustment', 'edit_removal'];

export interface SaleLine {
  id: number;
  /** Shopify line GID, `shipping:<n>` for shipping lines, the Duty GID for duty lines (the addon's shopify_line_gid). */
  line_gid: string | null;
  role: LineRole;
  product_id: number | null;
  sku: string | null;
  name: string;
  quantity: number;
  price_unit: number;
  tax_ids: number[];
  qty_delivered: number;
  /** Units refunded in Shopify, delivered and not returned: they stay on the line (the addon's shopify_kept_qty). */
  kept_qty?: number;
  /** The Shopify refund that wrote a refund or refund adjustment line. */
  refund_gid?: string | null;
  /** A Shopify gift card sold (the addon's gift card product): invoiced to the liability account. */
  gift_card?: boolean;
}

export interface SaleOrder {
  id: number;
  /** What the customer was charged in Shopify, and Shopify's total minus Odoo's own computation (the addon's shopify_total_price, shopify_total_difference). */
  shopify_total_price?: number;
  shopify_total_difference?: number;
  name: string;
  partner_id: number;
  partner_invoice_id: number;
  partner_shipping_id: number;
  state: 'draft' | 'sale' | 'cancel';
  warehouse_id: number;
  order_gid: Gid | null;
  client_order_ref: string | null;
  financial_status: string | null;
  fulfillment_status: string | null;
  presentment_currency: string | null;
  note: string | null;
  updated_at: string | null;
  needs_return: boolean;
  /** To-dos on the order (mail.activity): an edit that removed delivered units under the "flag" policy. */
  activities?: Array<{ summary: string; note: string }>;
  taxes_included: boolean;
  /** The order's currency (its pricelist's, else the company's) and the Shopify order's own (the addon's shopify_currency). */
  currency?: string;
  shopify_currency?: string | null;
  /** Which of Shopify's amounts the order is booked with (the addon's shopify_money; absent: shop). */
  shopify_money?: BookedMoney | null;
  shopify_created_at?: string | null;
  lines: SaleLine[];
  amount_untaxed: number;
  amount_tax: number;
  amount_total: number;
  /** Hash of the last applied order document (idempotency: same document → unchanged). */
  document_hash: string | null;
  binding: Binding;
}

export interface Move {
  id: number;
  product_id: number;
  sale_line_id: number | null;
  quantity: number;
  reserved: number;
  quantity_done: number;
  /** Units of this open delivery move a fulfillment made in Shopify shipped (the addon's stock.move.shopify_fulfilled_qty). */
  shopify_fulfilled_qty?: number;
  /** False on a return that must not lower the sale line's delivered quantity (stock.move.to_refund; absent: true). */
  to_refund?: boolean;
}

export interface Picking {
  id: number;
  name: string;
  picking_type: 'outgoing' | 'incoming';
  sale_order_id: number | null;
  warehouse_id: number;
  state: 'assigned' | 'done' | 'cancel';
  moves: Move[];
  backorder_of: number | null;
  /** For a return: the delivery it returns. */
  return_of: number | null;
  return_gid: Gid | null;
  tracking: { number: string | null; company: string | null; url: string | null };
  fulfillment_gids: Gid[];
  binding: Binding;
  /** A return validated by a user (return.done emitted; the addon then marks its binding pending). */
  validated_by_user?: boolean;
  /** A user chose "Process in Shopify without a refund" (the addon's shopify_return_no_refund). */
  return_no_refund?: boolean;
}

/** A line of an invoice or credit note; amounts in cents, `amount` with tax. */
export interface AccountLine {
  name: string;
  sale_line_id: number | null;
  /** What the line is, for exports: a product line's units, shipping, a duty, or anything else. */
  kind: 'product' | 'shipping' | 'duty' | 'other';
  /** For a duty line: the Shopify duty it books or credits. */
  duty_gid?: string;
  quantity: number;
  untaxed: number;
  /** The line's total with its own taxes rounded (what the line shows). */
  amount: number;
  /** price_unit × quantity and the taxes: the document's total is computed over its lines (core.moveTotal). */
  base: number;
  tax_ids: number[];
}

/** A customer invoice (out_invoice), made by the merchant's invoicing (Odoo's wizard, final). */
export interface Invoice {
  id: number;
  name: string;
  sale_order_id: number;
  state: 'draft' | 'posted' | 'cancel';
  amount_total: number;
  amount_residual: number;
  lines: AccountLine[];
}

export interface CreditNote {
  id: number;
  name: string;
  sale_order_id: number;
  refund_gid: Gid | null;
  state: 'draft' | 'posted';
  amount_total: number;
  /** The invoice it reverses: posting reconciles it with that invoice while the invoice is open. */
  reversed_invoice_id?: number | null;
  /** What is left to pay back once posted (Odoo's amount_residual): its total less what reconciled it. */
  amount_residual?: number;
  /** Credits an order edit (the addon's shopify_edit_credit): refunds that pay edits back are bound to it. */
  edit?: boolean;
  lines: AccountLine[];
  binding: Binding;
}

/** A payment booked from a Shopify transaction (the addon's account.payment with shopify_transaction_gid). */
export interface Payment {
  id: number;
  transaction_gid: Gid;
  sale_order_id: number;
  payment_type: 'inbound' | 'outbound';
  /** The Shopify transaction's kind (sale, capture, refund, change). */
  kind: string;
  /** Cents. */
  amount: number;
  journal: string;
  gateway: string;
  /** What is not matched with an invoice or credit note yet (cents). */
  residual: number;
}

/** A Shopify refund as applied to its order (the addon's shopify.refund). */
export interface RefundRecord {
  id: number;
  name: string;
  refund_gid: Gid;
  sale_order_id: number;
  /** pending: counted in the order's quantities (the order was imported after it), money not applied yet. */
  state: 'pending' | 'applied' | 'flagged';
  amount_total: number;
  credit_note_id: number | null;
  return_gid: Gid | null;
  origin: 'shopify' | 'odoo';
  message: string | null;
  /** Shopify's createdAt of the refund (the order in which refunds pay edits back). */
  refunded_at?: string | null;
  /** Cents of this refund that pay back edits credited on credit notes (the document's edit_balance, once invoiced). */
  edit_balance?: number;
  /** The edit credit notes this refund pays back (bindEditRefunds). */
  edit_credit_note_ids?: number[];
}

export interface OutboxRow {
  uuid: string;
  type: OutboxEventType;
  model: OutboxEvent['model'];
  res_id: number;
  key: string;
  payload: Record<string, unknown>;
  created_at: string;
  attempts: number;
  state: 'pending' | 'leased' | 'done';
  /** Epoch ms until which the event is leased to a caller; 0 = not leased. */
  leased_until: number;
  /** The transaction that wrote it (DoubleCore.inTransaction): only that one coalesces into it. */
  transaction: number;
}

export interface Tax {
  id: number;
  name: string;
  /** A fraction: 0.2 = 20 %. */
  rate: number;
  price_include: boolean;
}

export interface TaxMapping {
  /** Shopify tax line title, compared case-insensitively. */
  title: string;
  rate: number;
  tax_id: number;
}

export interface Settings {
  company_currency: string;
  /** The shop this Odoo serves (the addon's shopify_sync.shop_domain); null: not configured. */
  shop_domain: string | null;
  import_policy: 'all' | 'paid';
  safety_stock: number;
  tax_mapping: TaxMapping[];
  /** Fulfillments made in Shopify: validate the Odoo delivery, or flag it (the addon's shopify_sync.shopify_fulfillment_policy). */
  fulfillment_policy?: 'validate' | 'flag';
  /** Units an order edit removed after delivery: return and credit, or flag (the company's shopify_edit_removal_policy; absent: return). */
  edit_removal_policy?: 'return' | 'flag';
  /** Refund of returns received in Odoo: with the Shopify return, or separately (the company's shopify_return_refund; absent: separate). */
  return_refund?: 'return' | 'separate';
  /** The company's tax rounding (Invoicing settings). */
  tax_rounding: TaxRounding;
  /** The addon's shopify_sync.tax_source (docs/flows.md, "Taxes to the cent"). */
  tax_source: 'shopify' | 'odoo';
  /** shopify_sync.tax_tolerance in cents (the odoo tax source). */
  tax_tolerance: number;
  /** shopify_sync.currency_policy (docs/flows.md, "Currencies"). */
  currency_policy: 'company' | 'pricelist' | 'convert';
  /** shopify_sync.presentment_policy: new orders booked in shop or presentment money. */
  presentment_policy: BookedMoney;
  /** Decimal Accuracy "Product Price": the decimals Odoo stores unit prices with (Odoo's default 2). */
  price_digits: number;
  /** The company's name (Odoo's default for a database without demo data). */
  company_name: string;
  /** The company's shopify_invoice_policy. */
  invoice_policy: 'never' | 'on_payment' | 'on_delivery';
  /** shopify.payment.gateway: gateway (compared case-insensitively) → journal name. */
  gateway_journals: Array<{ gateway: string; journal: string }>;
  /** The company's gift card journal and liability account (names; null: not set). */
  gift_card_journal: string | null;
  gift_card_account: string | null;
}

/** An active currency other than the company's: Odoo's rate (units per company unit, in millionths) and whether a pricelist exists in it. */
export interface ForeignCurrency {
  code: string;
  rate_millionths: bigint;
  pricelist_id: number | null;
}

export type PrivacyKind = 'data_request' | 'customer_redact' | 'shop_redact' | 'erasure';
export type PrivacyState = 'received' | 'waiting' | 'done' | 'error';

/** The addon's shopify.privacy.request (models/shopify_privacy_request.py). */
export interface PrivacyRequest {
  id: number;
  name: string;
  request_key: string;
  kind: PrivacyKind;
  state: PrivacyState;
  received_at: string;
  /** YYYY-MM-DD, 30 days after reception. */
  due_date: string;
  done_at: string | null;
  done_by: string | null;
  requested_by: string | null;
  customer_gid: string | null;
  shopify_request_id: string | null;
  order_gids: string[];
  partner_ids: number[];
  sale_order_ids: number[];
  waiting_reason: string | null;
  outcome: string | null;
  odoo_done: boolean;
  sidecar_needed: boolean;
  sidecar_done: boolean;
  sidecar_outcome: string | null;
  shopify_needed: boolean;
  shopify_status: 'requested' | 'not_found' | 'failed' | null;
  shopify_message: string | null;
  /** Open to-dos of the privacy group (the double has one person in it). */
  activities: Array<{ summary: string; deadline: string }>;
  attachments: Array<{ id: number; name: string; mimetype: string; content: string }>;
}

export interface OdooState {
  nextId: number;
  templates: Map<number, Template>;
  variants: Map<number, Variant>;
  warehouses: Map<number, Warehouse>;
  /** On hand per `${product_id}:${warehouse_id}`. */
  quants: Map<string, number>;
  partners: Map<number, Partner>;
  saleOrders: Map<number, SaleOrder>;
  pickings: Map<number, Picking>;
  creditNotes: Map<number, CreditNote>;
  invoices: Map<number, Invoice>;
  refunds: Map<number, RefundRecord>;
  payments: Map<number, Payment>;
  taxes: Map<number, Tax>;
  currencies: Map<string, ForeignCurrency>;
  outbox: OutboxRow[];
  settings: Settings;
  lastSidecarContact: string | null;
  lastSidecarVersion: string | null;
  /** The last report_health document (the addon's shopify_sync.sidecar_health parameter). */
  sidecarHealth: { alerts: { key: string; summary: string; since: string | null }[]; dlq_depth: number; checked_at: string } | null;
  /** What store_report kept, by kind (the addon's `shopify_sync.report.<kind>` parameters). */
  reports: Map<string, { created_at: string; summary: Record<string, unknown> }>;
  privacyRequests: Map<number, PrivacyRequest>;
}

export function createState(): OdooState {
  return {
    nextId: 1,
    templates: new Map(),
    variants: new Map(),
    warehouses: new Map(),
    quants: new Map(),
    partners: new Map(),
    saleOrders: new Map(),
    pickings: new Map(),
    creditNotes: new Map(),
    invoices: new Map(),
    refunds: new Map(),
    payments: new Map(),
    taxes: new Map(),
    currencies: new Map(),
    outbox: [],
    settings: {
      company_currency: 'USD',
      shop_domain: null,
      import_policy: 'all',
      safety_stock: 0,
      tax_mapping: [],
      tax_rounding: 'round_per_line',
      tax_source: 'shopify',
      tax_tolerance: 0,
      currency_policy: 'company',
      presentment_policy: 'shop',
      price_digits: 2,
      company_name: 'My Company',
      invoice_policy: 'never',
      gateway_journals: [],
      gift_card_journal: null,
      gift_card_account: null,
    },
    lastSidecarContact: null,
    lastSidecarVersion: null,
    sidecarHealth: null,
    reports: new Map(),
    privacyRequests: new Map(),
  };
}
