/**
 * The in-process Odoo double: an OdooCaller that implements the `shopify.sync.api` RPC surface
 * of the addon `shopify_sync` (docs/contract.md; behaviour and messages follow the addon's
 * models/shopify_sync_api.py) on in-memory state, plus a merchant side (./merchant.ts) that
 * does what a user does in Odoo's UI and emits the outbox events the addon's hooks emit.
 *
 * Rules it mirrors:
 * - contract calls run with the origin flag: they write no outbox events (no sync loops);
 * - idempotent upserts keyed by Shopify GID; the same document twice → `unchanged`;
 * - unknown SKU → ValidationError naming the SKU and line, nothing created;
 * - unmapped tax line → order held in draft with a message; totals differ by a cent → flagged
 *   (binding in error, not confirmed);
 * - stock: shopify_on_hand = max(0, floor(on_hand − reserved_other − safety_stock)).
 * Each call runs synchronously to completion, which is what the addon's per-key advisory lock
 * gives: concurrent calls for one key serialise.
 */
import { createHash, randomUUID } from 'node:crypto';
import type {
  Address,
  ApplyOrderResult,
  ApplyRefundResult,
  ApplyReturnResult,
  BindingState,
  CancelOrderResult,
  ContractMethod,
  CustomerDocument,
  EraseCustomerResult,
  ExportedCustomer,
  FulfillmentDocument,
  OrderDocument,
  OutboxEvent,
  OutboxEventType,
  ProductDocument,
  RefundDocument,
  ReturnDocument,
  StockLevel,
  TaxLine,
  UpsertCustomerResult,
} from '../../sidecar/odoo/contract.js';
import { CONTRACT_MODEL, CONTRACT_VERSION } from '../../sidecar/odoo/contract.js';
import { errorFromOdooFault, type OdooFault } from '../../sidecar/odoo/errors.js';
import type { OdooCaller } from '../../sidecar/odoo/types.js';
import { formatCents, parseCents, roundCents } from './money.js';
import * as ops from './ops.js';
import {
  createState,
  newBinding,
  type Binding,
  type LineRole,
  type Move,
  type OdooState,
  type Partner,
  type Picking,
  type SaleLine,
  type SaleOrder,
  type Settings,
  type Template,
  type Variant,
} from './state.js';

export const DOUBLE_ADDON_VERSION = '18.0.1.1.0';
export const DOUBLE_ODOO_VERSION = '18.0';

export interface OdooDoubleOptions {
  /** Injected clock (epoch ms) for leases and timestamps. Default Date.now. */
  now?: () => number;
  /** Warehouses to create; default two: WH → gid://shopify/Location/1, WH2 → gid://shopify/Location/2. */
  warehouses?: Array<{ name: string; code: string; location_gid: string | null }>;
  /** Sales taxes in the double's chart; default "VAT 20%" and "VAT 10%", price-excluded. */
  taxes?: Array<{ name: string; rate: number; price_include?: boolean }>;
  settings?: Partial<Settings>;
}

// ---- errors: what Odoo would serialise (`data.name` + `data.message` of a JSON-RPC error) ----

/**
 * An exception raised inside the double, shaped like Odoo's serialised exception. executeKw
 * converts it with the client's own converter (errors.ts errorFromOdooFault), so callers get the
 * same error class and message as from a real Odoo behind the JSON-RPC client.
 */
export class OdooFaultError extends Error {
  constructor(readonly fault: Required<OdooFault>) {
    super(fault.message);
  }
}

export const odooFault = (name: string, message: string) => new OdooFaultError({ name, message });
export const validationError = (message: string) => odooFault('odoo.exceptions.ValidationError', message);
const missingError = (model: string, id: number) =>
  odooFault('odoo.exceptions.MissingError', `Record does not exist or has been deleted.\n(Record: ${model}(${id},), User: 2)`);

const PAID_STATUSES = new Set(['paid', 'partially_refunded', 'refunded']);
const COALESCED_TYPES = new Set<OutboxEventType>(['product.changed', 'stock.changed', 'customer.changed', 'order.reimport']);
const BINDING_MODELS = ['account.move', 'product.template', 'res.partner', 'sale.order', 'stock.picking'] as const;
const BINDING_STATES = ['error', 'ignored', 'pending', 'synced'];
const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/([0-9]+)$/;

export const normaliseEmail = (value: unknown): string | null => {
  if (typeof value !== 'string') return null;
  const email = value.trim().toLowerCase();
  return email.includes('@') && !email.startsWith('@') && !email.endsWith('@') ? email : null;
};

/** SHA-256 of canonical JSON (sorted keys, no whitespace), like the addon's lib/digest.py. */
export function contentHash(doc: Record<string, unknown>, exclude: string[] = []): string {
  const kept = Object.fromEntries(Object.entries(doc).filter(([k]) => !exclude.includes(k)));
  return createHash('sha256').update(canonicalJson(kept)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function gid(value: unknown, kind: string, label: string, field: string): string {
  if (typeof value !== 'string') throw validationError(`${label}: ${field} expected a Shopify GID, got ${pyRepr(value)}`);
  const m = GID.exec(value);
  if (!m) throw validationError(`${label}: ${field} '${value}' is not a Shopify GID (gid://shopify/<Type>/<id>)`);
  if (m[1] !== kind) throw validationError(`${label}: ${field} '${value}' is not a ${kind} GID`);
  return value;
}

const pyRepr = (value: unknown) =>
  value === undefined || value === null ? 'None' : typeof value === 'string' ? `'${value}'` : JSON.stringify(value);

/** Contract money: a decimal string (or int); None → 0; floats refused (addon lib/money.py). */
function money(value: unknown, label: string): number {
  if (value === undefined || value === null || value === '') return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value * 100;
  if (typeof value !== 'string') throw validationError(`${label}: money must be a decimal string, got ${pyRepr(value)}`);
  const cents = parseCents(value.trim());
  if (cents === null) throw validationError(`${label}: '${value}' is not a decimal amount`);
  return cents;
}

function quantity(value: unknown, label: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw validationError(`${label}: quantity must be a non-negative integer, got ${pyRepr(value)}`);
  }
  return value;
}

const ERASED = {
  email: null,
  phone: null,
  street: null,
  street2: null,
  city: null,
  zip: null,
  state_code: null,
  company: null,
  first_name: null,
  last_name: null,
};

export class OdooDouble implements OdooCaller {
  readonly state: OdooState;
  private readonly clock: () => number;
  /** Added to the clock: `advance(seconds)` lets lease expiry be tested without waiting. */
  private clockOffsetMs = 0;
  /** True while a contract method runs: the addon's `shopify_sync_origin` context flag. */
  private origin = false;

  constructor(options: OdooDoubleOptions = {}) {
    this.clock = options.now ?? Date.now;
    this.state = createState();
    const warehouses = options.warehouses ?? [
      { name: 'Main warehouse', code: 'WH', location_gid: 'gid://shopify/Location/1' },
      { name: 'Second warehouse', code: 'WH2', location_gid: 'gid://shopify/Location/2' },
    ];
    for (const wh of warehouses) {
      const id = this.id();
      this.state.warehouses.set(id, { id, ...wh });
    }
    const taxes = options.taxes ?? [
      { name: 'VAT 20%', rate: 0.2 },
      { name: 'VAT 10%', rate: 0.1 },
      { name: 'VAT 20% incl.', rate: 0.2, price_include: true },
    ];
    for (const tax of taxes) {
      const id = this.id();
      this.state.taxes.set(id, { id, name: tax.name, rate: tax.rate, price_include: tax.price_include ?? false });
    }
    Object.assign(this.state.settings, options.settings ?? {});
  }

  // ---- OdooCaller ----

  async executeKw<T = unknown>(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<T> {
    try {
      return this.dispatch(model, method, args, kwargs) as T;
    } catch (error) {
      // The same context string as the JSON-RPC transport: `odoo <model>.<method>`.
      if (error instanceof OdooFaultError) throw errorFromOdooFault(error.fault, `odoo ${model}.${method}`);
      throw error;
    }
  }

  /** Runs one call synchronously (the addon's advisory lock: calls never interleave). */
  dispatch(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): unknown {
    if (method.startsWith('_'))
      throw odooFault('odoo.exceptions.AccessError', `Private methods (such as '${model}.${method}') cannot be called remotely.`);
    if (model !== CONTRACT_MODEL)
      throw odooFault('builtins.KeyError', `The Odoo double implements only ${CONTRACT_MODEL} (got ${model}.${method})`);
    const handler = Object.hasOwn(this.handlers, method) ? this.handlers[method as ContractMethod] : undefined;
    if (!handler) throw odooFault('builtins.AttributeError', `The method '${model}.${method}' does not exist`);
    if (args.length !== 1 || Object.keys(kwargs).some((k) => k !== 'context'))
      throw odooFault('builtins.TypeError', `${model}.${method}() takes exactly one document`);
    if (!args[0] || typeof args[0] !== 'object' || Array.isArray(args[0]))
      throw validationError('shopify.sync.api: the document must be a JSON object');
    // A JSON round trip both ways: callers never share objects with the double's state.
    const doc = JSON.parse(JSON.stringify(args[0])) as Record<string, unknown>;
    this.origin = true;
    try {
      return JSON.parse(JSON.stringify(handler(doc)));
    } finally {
      this.origin = false;
    }
  }

  private readonly handlers: Record<ContractMethod, (doc: Record<string, unknown>) => unknown> = {
    contract_version: (doc) => this.contractVersion(doc),
    pull_events: (doc) => this.pullEvents(doc),
    ack_events: (doc) => this.ackEvents(doc),
    export_products: (doc) => this.exportProducts(doc),
    stock_levels: (doc) => this.stockLevels(doc),
    apply_order: (doc) => this.applyOrder(doc as unknown as OrderDocument),
    cancel_order: (doc) => this.cancelOrder(doc),
    apply_refund: (doc) => this.applyRefund(doc as unknown as RefundDocument),
    apply_return: (doc) => this.applyReturn(doc as unknown as ReturnDocument),
    upsert_customer: (doc) => this.upsertCustomer(doc as unknown as CustomerDocument),
    export_customers: (doc) => this.exportCustomers(doc),
    list_customers: (doc) => this.listCustomers(doc),
    erase_customer: (doc) => this.eraseCustomer(doc),
    export_delivery: (doc) => this.exportDelivery(doc),
    record_sync_result: (doc) => this.recordSyncResult(doc),
    order_status: (doc) => ops.orderStatus(this, doc, validationError),
    bound_records: (doc) => ops.boundRecords(this, doc, validationError),
    request_resync: (doc) => ops.requestResync(this, doc, validationError),
    store_report: (doc) => ops.storeReport(this, doc, validationError),
    report_health: (doc) => this.reportHealth(doc),
  };

  // ---- helpers shared with the merchant side ----

  now(): number {
    return this.clock() + this.clockOffsetMs;
  }

  advance(seconds: number): void {
    this.clockOffsetMs += seconds * 1000;
  }

  id(): number {
    return this.state.nextId++;
  }

  nowIso(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** Writes an outbox row unless the write comes from the sidecar (origin flag) and is not forced. */
  emit(type: OutboxEventType, model: string, resId: number, key: string, payload: Record<string, unknown>, force = false): void {
    if (this.origin && !force) return;
    // Coalesced types: one pending row per (type, key) is enough; the sidecar re-reads state.
    if (COALESCED_TYPES.has(type) && this.state.outbox.some((e) => e.type === type && e.key === key && e.state === 'pending')) return;
    this.state.outbox.push({
      uuid: randomUUID(),
      type,
      model,
      res_id: resId,
      key,
      payload,
      created_at: this.nowIso(),
      attempts: 0,
      state: 'pending',
      leased_until: 0,
    });
  }

  /** The addon's _shopify_set_result: synced clears the message; error keeps the given one. */
  setResult(
    binding: Binding,
    state: BindingState,
    options: { message?: string | null; gid?: string | null; hash?: string | null } = {},
  ): void {
    binding.state = state;
    if (state === 'synced') {
      binding.message = null;
      binding.last_synced_at = this.nowIso();
    } else if (options.message !== undefined && options.message !== null) {
      binding.message = options.message;
    }
    if (options.gid) binding.shopify_gid = options.gid;
    if (options.hash) binding.content_hash = options.hash;
  }

  template(id: number): Template {
    const t = this.state.templates.get(id);
    if (!t) throw missingError('product.template', id);
    return t;
  }

  variant(id: number): Variant {
    const v = this.state.variants.get(id);
    if (!v) throw missingError('product.product', id);
    return v;
  }

  partner(id: number): Partner {
    const p = this.state.partners.get(id);
    if (!p) throw missingError('res.partner', id);
    return p;
  }

  saleOrder(id: number): SaleOrder {
    const so = this.state.saleOrders.get(id);
    if (!so) throw missingError('sale.order', id);
    return so;
  }

  picking(id: number): Picking {
    const p = this.state.pickings.get(id);
    if (!p) throw missingError('stock.picking', id);
    return p;
  }

  variantPrice(variant: Variant): number {
    const template = this.template(variant.template_id);
    let price = template.list_price;
    for (const ov of variant.option_values) {
      price += template.options.find((o) => o.name === ov.option)?.values.find((v) => v.value === ov.value)?.price_extra ?? 0;
    }
    return price;
  }

  onHand(productId: number, warehouseId: number): number {
    return this.state.quants.get(`${productId}:${warehouseId}`) ?? 0;
  }

  setOnHand(productId: number, warehouseId: number, qty: number): void {
    this.state.quants.set(`${productId}:${warehouseId}`, qty);
  }

  reserved(productId: number, warehouseId: number, filter: (picking: Picking) => boolean = () => true): number {
    let sum = 0;
    for (const picking of this.state.pickings.values()) {
      if (picking.picking_type !== 'outgoing' || picking.state !== 'assigned' || picking.warehouse_id !== warehouseId || !filter(picking))
        continue;
      for (const move of picking.moves) if (move.product_id === productId) sum += move.reserved;
    }
    return sum;
  }

  orderOf(picking: Picking): SaleOrder | null {
    return picking.sale_order_id === null ? null : (this.state.saleOrders.get(picking.sale_order_id) ?? null);
  }

  isShopifyPicking(picking: Picking): boolean {
    return Boolean(this.orderOf(picking)?.order_gid);
  }

  /** Reserves what is free, like `action_assign`: never more than on hand minus other reservations. */
  reserve(picking: Picking): void {
    for (const move of picking.moves) {
      const free = this.onHand(move.product_id, picking.warehouse_id) - this.reserved(move.product_id, picking.warehouse_id);
      move.reserved = Math.max(0, Math.min(move.quantity - move.quantity_done, move.reserved + free));
      // The addon's quant hook (_update_available_quantity) reports reservations too.
      this.stockChanged(move.product_id, picking.warehouse_id);
    }
  }

  stockChanged(productId: number, warehouseId: number): void {
    const wh = this.state.warehouses.get(warehouseId);
    if (!wh?.location_gid) return;
    const template = this.template(this.variant(productId).template_id);
    if (!template.active && !template.binding.shopify_gid) return;
    // Forced even for changes the sidecar caused (an order's reservation, a refund's restock):
    // stock flows one way (Odoo → Shopify) and the event only says "re-read", so it cannot loop.
    this.emit(
      'stock.changed',
      'product.product',
      productId,
      `stock:${productId}:${wh.location_gid}`,
      { product_id: productId, location_gid: wh.location_gid },
      true,
    );
  }

  productChanged(templateId: number, reason: string, force = false): void {
    const t = this.template(templateId);
    this.emit(
      'product.changed',
      'product.template',
      templateId,
      `product:${templateId}`,
      { template_id: templateId, reason, active: t.active },
      force,
    );
    // A record whose change waits in the outbox shows as pending (not for the sidecar's own writes).
    if (force || !this.origin) t.binding.state = 'pending';
  }

  customerChanged(partnerId: number, reason: string, force = false): void {
    const p = this.partner(partnerId);
    if (!force && (!(p.shopify_sync || p.binding.shopify_gid) || p.erased)) return;
    this.emit(
      'customer.changed',
      'res.partner',
      partnerId,
      `customer:${partnerId}`,
      { partner_id: partnerId, reason, active: p.active },
      force,
    );
    if (force || !this.origin) p.binding.state = 'pending';
  }

  /** The account.move `_post` hook: credit notes of Shopify orders. */
  creditNotePosted(creditNoteId: number): void {
    const cn = this.state.creditNotes.get(creditNoteId)!;
    const so = this.saleOrder(cn.sale_order_id);
    if (!so.order_gid || cn.state !== 'posted') return;
    this.emit('credit_note.posted', 'account.move', cn.id, `order:${so.order_gid}`, {
      move_id: cn.id,
      sale_order_id: so.id,
      order_gid: so.order_gid,
      amount_total: formatCents(cn.amount_total),
    });
  }

  warehouseFor(locationGid: string | null | undefined) {
    return locationGid ? [...this.state.warehouses.values()].find((w) => w.location_gid === locationGid) : undefined;
  }

  defaultWarehouseId(): number {
    return [...this.state.warehouses.keys()][0]!;
  }

  createPartner(values: Partial<Partner> & { name: string }): Partner {
    const id = this.id();
    const partner: Partner = {
      id,
      first_name: null,
      last_name: null,
      email: null,
      phone: null,
      company: null,
      active: true,
      parent_id: null,
      type: 'contact',
      erased: false,
      shopify_sync: false,
      write_date: this.nowIso(),
      street: null,
      street2: null,
      city: null,
      state_code: null,
      zip: null,
      country_code: null,
      binding: newBinding(),
      ...values,
    };
    this.state.partners.set(id, partner);
    return partner;
  }

  newPicking(warehouseId: number, type: Picking['picking_type'], saleOrderId: number | null): Picking {
    const id = this.id();
    const wh = this.state.warehouses.get(warehouseId);
    const picking: Picking = {
      id,
      name: `${wh?.code ?? 'WH'}/${type === 'outgoing' ? 'OUT' : 'IN'}/${String(id).padStart(5, '0')}`,
      picking_type: type,
      sale_order_id: saleOrderId,
      warehouse_id: warehouseId,
      state: 'assigned',
      moves: [],
      backorder_of: null,
      return_of: null,
      return_gid: null,
      tracking: { number: null, company: null, url: null },
      fulfillment_gids: [],
      binding: newBinding(),
    };
    this.state.pickings.set(id, picking);
    return picking;
  }

  newMove(productId: number, saleLineId: number | null, qty: number): Move {
    return { id: this.id(), product_id: productId, sale_line_id: saleLineId, quantity: qty, reserved: 0, quantity_done: 0 };
  }

  computeAmounts(so: SaleOrder): void {
    let untaxed = 0;
    let tax = 0;
    for (const line of so.lines) {
      // One rounding per line (Odoo's default round_per_line); discounts are their own lines.
      const base = line.price_unit * line.quantity;
      const taxes = line.tax_ids.map((id) => this.state.taxes.get(id)!);
      if (taxes.some((t) => t.price_include)) {
        const excluded = roundCents(base / (1 + taxes.reduce((s, t) => s + t.rate, 0)));
        untaxed += excluded;
        tax += base - excluded;
      } else {
        untaxed += base;
        for (const t of taxes) tax += roundCents(base * t.rate);
      }
    }
    so.amount_untaxed = untaxed;
    so.amount_tax = tax;
    so.amount_total = untaxed + tax;
  }

  /** Confirmed orders keep one open delivery whose demand is ordered − delivered − in other open deliveries. */
  syncPickings(so: SaleOrder): void {
    if (so.state !== 'sale') return;
    const openPickings = [...this.state.pickings.values()].filter(
      (p) => p.sale_order_id === so.id && p.picking_type === 'outgoing' && p.state === 'assigned',
    );
    let open = openPickings.at(-1);
    for (const line of so.lines) {
      if (line.role !== 'product' && line.role !== 'manual') continue;
      if (line.product_id === null) continue;
      const elsewhere = openPickings
        .filter((p) => p !== open)
        .flatMap((p) => p.moves)
        .filter((m) => m.sale_line_id === line.id)
        .reduce((s, m) => s + m.quantity, 0);
      const demand = Math.max(0, line.quantity - line.qty_delivered - elsewhere);
      let move = open?.moves.find((m) => m.sale_line_id === line.id);
      if (!move && demand > 0) {
        open ??= this.newPicking(so.warehouse_id, 'outgoing', so.id);
        move = this.newMove(line.product_id, line.id, 0);
        open.moves.push(move);
      }
      if (move) {
        move.quantity = demand;
        move.reserved = Math.min(move.reserved, demand);
      }
    }
    if (open) {
      open.moves = open.moves.filter((m) => m.quantity > 0);
      if (open.moves.length === 0) open.state = 'cancel';
      else this.reserve(open);
    }
  }

  /** Anonymises the partner and its child addresses; keeps the records (accounting references them). */
  anonymise(p: Partner): Partner[] {
    const numeric = GID.exec(p.binding.shopify_gid ?? '')?.[2] ?? String(p.id);
    const targets = [p, ...[...this.state.partners.values()].filter((c) => c.parent_id === p.id)];
    for (const target of targets) {
      const own = GID.exec(target.binding.shopify_gid ?? '')?.[2] ?? (target === p ? numeric : String(target.id));
      // Country kept (contract: erase_customer); everything else that identifies the person goes.
      Object.assign(target, ERASED, {
        name: `Redacted customer ${own}`,
        erased: true,
        shopify_sync: false,
        active: false,
        write_date: this.nowIso(),
      });
    }
    for (const so of this.state.saleOrders.values()) {
      if (targets.some((t) => t.id === so.partner_id)) {
        so.note = null;
        so.client_order_ref = null;
      }
    }
    return targets;
  }

  // ---- contract methods ----

  contractVersion(doc: Record<string, unknown>) {
    this.state.lastSidecarContact = this.nowIso();
    this.state.lastSidecarVersion = typeof doc.sidecar_version === 'string' ? doc.sidecar_version : 'unknown';
    return { contract_version: CONTRACT_VERSION, addon_version: DOUBLE_ADDON_VERSION, odoo_version: DOUBLE_ODOO_VERSION };
  }

  pullEvents(doc: Record<string, unknown>): { events: OutboxEvent[] } {
    const limit = doc.limit ?? 100;
    const lease = doc.lease_seconds ?? 60;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw validationError('pull_events: limit must be an integer from 1 to 1000');
    if (typeof lease !== 'number' || !Number.isInteger(lease) || lease < 1 || lease > 3600)
      throw validationError('pull_events: lease_seconds must be an integer from 1 to 3600');
    this.state.lastSidecarContact = this.nowIso();
    const now = this.now();
    const due = this.state.outbox.filter((e) => e.state === 'pending' || (e.state === 'leased' && e.leased_until < now)).slice(0, limit);
    for (const e of due) {
      e.state = 'leased';
      e.leased_until = now + lease * 1000;
      e.attempts += 1;
    }
    return {
      events: due.map(({ uuid, type, model, res_id, key, payload, created_at, attempts }) => ({
        uuid,
        type,
        model,
        res_id,
        key,
        payload,
        created_at,
        attempts,
      })),
    };
  }

  ackEvents(doc: Record<string, unknown>) {
    const uuids = doc.uuids;
    if (!Array.isArray(uuids) || !uuids.every((u) => typeof u === 'string'))
      throw validationError('ack_events: uuids must be a list of strings');
    const wanted = new Set(uuids);
    let acknowledged = 0;
    for (const e of this.state.outbox) {
      if (e.state !== 'done' && wanted.has(e.uuid)) {
        e.state = 'done';
        e.leased_until = 0;
        acknowledged += 1;
      }
    }
    return { acknowledged };
  }

  exportProducts(doc: Record<string, unknown>): { products: ProductDocument[] } {
    let templates: Template[];
    if (doc.template_ids !== undefined && doc.template_ids !== null) {
      const ids = doc.template_ids;
      if (!Array.isArray(ids) || !ids.every((i) => Number.isInteger(i)))
        throw validationError('export_products: template_ids must be a list of integers');
      templates = ids.map((i) => this.state.templates.get(i as number)).filter((t): t is Template => Boolean(t));
    } else {
      const offset = typeof doc.offset === 'number' ? doc.offset : 0;
      const limit = typeof doc.limit === 'number' && doc.limit > 0 ? doc.limit : 100;
      templates = [...this.state.templates.values()].sort((a, b) => a.id - b.id).slice(offset, offset + limit);
    }
    return { products: templates.map((t) => this.productDocument(t)) };
  }

  productDocument(t: Template): ProductDocument {
    const doc: Omit<ProductDocument, 'content_hash' | 'synced_hash'> = {
      odoo_id: t.id,
      name: t.name,
      description: t.description,
      active: t.active,
      shopify_product_gid: t.binding.shopify_gid,
      options: t.options.map((o) => ({ name: o.name, values: o.values.map((v) => v.value) })),
      variants: [...this.state.variants.values()]
        .filter((v) => v.template_id === t.id)
        .map((v) => ({
          odoo_id: v.id,
          sku: v.sku,
          barcode: v.barcode,
          price: formatCents(this.variantPrice(v)),
          active: v.active && t.active,
          option_values: v.option_values.map((ov) => ({ ...ov })),
          shopify_variant_gid: v.binding.shopify_gid,
          shopify_inventory_item_gid: v.inventory_item_gid,
        })),
    };
    // The hash covers what is pushed, not the Shopify IDs written back afterwards.
    const content_hash = contentHash({
      ...Object.fromEntries(Object.entries(doc).filter(([k]) => k !== 'shopify_product_gid')),
      variants: doc.variants.map((v) => Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith('shopify_')))),
    });
    return { ...doc, content_hash, synced_hash: t.binding.content_hash };
  }

  stockLevels(doc: Record<string, unknown>): { levels: StockLevel[] } {
    const productIds = Array.isArray(doc.product_ids) ? new Set(doc.product_ids as number[]) : null;
    const locations = Array.isArray(doc.location_gids) && doc.location_gids.length ? new Set(doc.location_gids as string[]) : null;
    const safety = this.state.settings.safety_stock;
    const variants = [...this.state.variants.values()].filter((v) =>
      productIds ? productIds.has(v.id) : this.template(v.template_id).active || this.template(v.template_id).binding.shopify_gid,
    );
    const levels: StockLevel[] = [];
    for (const wh of this.state.warehouses.values()) {
      if (!wh.location_gid || (locations && !locations.has(wh.location_gid))) continue;
      for (const v of variants) {
        const onHand = this.onHand(v.id, wh.id);
        // Decision 7: only reservations that do NOT come from Shopify orders are subtracted;
        // Shopify subtracts its own `committed` for Shopify orders.
        const reservedOther = this.reserved(v.id, wh.id, (p) => !this.isShopifyPicking(p));
        levels.push({
          product_id: v.id,
          sku: v.sku,
          shopify_inventory_item_gid: v.inventory_item_gid,
          location_gid: wh.location_gid,
          warehouse_id: wh.id,
          on_hand: Math.floor(onHand),
          reserved_other: Math.ceil(reservedOther),
          safety_stock: safety,
          shopify_on_hand: Math.max(0, Math.floor(onHand - reservedOther - safety)),
        });
      }
    }
    return { levels };
  }

  // ---- customers ----

  upsertCustomer(doc: CustomerDocument): UpsertCustomerResult {
    gid(doc.customer_gid, 'Customer', 'customer', 'customer_gid');
    const { partner, status } = this.upsertCustomerRecord(doc);
    return { status, partner_id: partner.id };
  }

  /** Match by GID, then by normalised email (never by name). */
  upsertCustomerRecord(doc: CustomerDocument): { partner: Partner; status: UpsertCustomerResult['status'] } {
    const customerGid = doc.customer_gid!;
    let partner = [...this.state.partners.values()].find((p) => p.binding.shopify_gid === customerGid);
    if (partner?.erased) return { partner, status: 'unchanged' }; // never resurrect erased personal data
    let status: UpsertCustomerResult['status'] | null = null;
    if (!partner) {
      partner = this.findByEmail(doc.email);
      if (partner?.binding.shopify_gid) partner = undefined; // bound to another Shopify customer
      if (partner) status = 'linked';
    }
    const hash = contentHash(doc as unknown as Record<string, unknown>, ['updated_at']);
    if (partner && !status && partner.binding.content_hash === hash) return { partner, status: 'unchanged' };
    const values = this.customerValues(doc);
    if (partner) {
      Object.assign(partner, values, { write_date: this.nowIso() });
      status ??= 'updated';
    } else {
      partner = this.createPartner(values);
      status = 'created';
    }
    this.setResult(partner.binding, 'synced', { gid: customerGid, hash });
    // The partner write hook runs here as in the addon; the origin flag is what silences it.
    this.customerChanged(partner.id, status === 'created' ? 'create' : 'write');
    return { partner, status };
  }

  findByEmail(email: unknown): Partner | undefined {
    const wanted = normaliseEmail(email);
    if (!wanted) return undefined;
    return [...this.state.partners.values()]
      .sort((a, b) => a.id - b.id)
      .find((p) => p.parent_id === null && !p.erased && normaliseEmail(p.email) === wanted);
  }

  customerValues(doc: CustomerDocument) {
    const name =
      [doc.first_name, doc.last_name]
        .map((s) => (s ?? '').trim())
        .filter(Boolean)
        .join(' ') ||
      doc.email ||
      doc.customer_gid ||
      '';
    const values: Partial<Partner> & { name: string } = { name, first_name: doc.first_name ?? null, last_name: doc.last_name ?? null };
    if ('email' in doc) values.email = (doc.email ?? '').trim() || null;
    if ('phone' in doc) values.phone = doc.phone || null;
    if (doc.default_address) Object.assign(values, this.addressValues(doc.default_address));
    return values;
  }

  addressValues(a: Address) {
    return {
      street: a.address1 || null,
      street2: a.address2 || null,
      city: a.city || null,
      zip: a.zip || null,
      country_code: a.country_code ? a.country_code.toUpperCase() : null,
      state_code: a.country_code && a.province_code ? a.province_code : null,
    };
  }

  exportCustomers(doc: Record<string, unknown>): { customers: ExportedCustomer[] } {
    const ids = doc.partner_ids;
    if (!Array.isArray(ids) || !ids.every((i) => Number.isInteger(i)))
      throw validationError('export_customers: partner_ids must be a list of integers');
    return {
      customers: ids
        .map((i) => this.state.partners.get(i as number))
        .filter((p): p is Partner => Boolean(p))
        .map((p) => this.customerDocument(p)),
    };
  }

  /** The addon's list_customers (models/shopify_sync_api_onboarding.py). */
  listCustomers(doc: Record<string, unknown>): { customers: ExportedCustomer[] } {
    const limit = doc.limit ?? 100;
    const offset = doc.offset ?? 0;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw validationError('list_customers: limit must be an integer from 1 to 1000');
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0)
      throw validationError('list_customers: offset must be a non-negative integer');
    const partners = [...this.state.partners.values()]
      .filter((p) => p.parent_id === null && Boolean(p.email) && !p.erased)
      .sort((a, b) => a.id - b.id)
      .slice(offset, offset + limit);
    return { customers: partners.map((p) => this.customerDocument(p)) };
  }

  customerDocument(p: Partner): ExportedCustomer {
    // Like the addon: first/last name split from the display name on the last space.
    const name = p.name.trim();
    const cut = name.lastIndexOf(' ');
    const [first, last] = cut < 0 ? [name, ''] : [name.slice(0, cut), name.slice(cut + 1)];
    const hasAddress = Boolean(p.street || p.city || p.zip || p.country_code);
    const doc: Omit<ExportedCustomer, 'content_hash' | 'synced_hash'> = {
      customer_gid: p.binding.shopify_gid,
      email: p.email,
      first_name: first || null,
      last_name: last || null,
      phone: p.phone,
      default_address: hasAddress
        ? {
            name: p.name,
            company: p.company,
            address1: p.street,
            address2: p.street2,
            city: p.city,
            province_code: p.state_code,
            zip: p.zip,
            country_code: p.country_code,
            phone: p.phone,
          }
        : null,
      updated_at: p.write_date,
      partner_id: p.id,
      active: p.active,
    };
    const content_hash = contentHash(doc as unknown as Record<string, unknown>, ['customer_gid', 'updated_at', 'partner_id']);
    return { ...doc, content_hash, synced_hash: p.binding.content_hash };
  }

  eraseCustomer(doc: Record<string, unknown>): EraseCustomerResult {
    const customerGid = typeof doc.customer_gid === 'string' && doc.customer_gid ? doc.customer_gid : null;
    const email = normaliseEmail(doc.email);
    if (!customerGid && !email) throw validationError('erase_customer: customer_gid or email is required');
    let targets = customerGid ? [...this.state.partners.values()].filter((p) => p.binding.shopify_gid === customerGid) : [];
    if (!targets.length && email) targets = [...this.state.partners.values()].filter((p) => !p.erased && normaliseEmail(p.email) === email);
    if (!targets.length) return { status: 'not_found', partner_ids: [] };
    const erased = new Set<number>();
    for (const p of targets) for (const t of this.anonymise(p)) erased.add(t.id);
    return { status: 'erased', partner_ids: [...erased].sort((a, b) => a - b) };
  }

  // ---- orders ----

  applyOrder(doc: OrderDocument): ApplyOrderResult {
    const orderGid = gid(doc.order_gid, 'Order', 'order', 'order_gid');
    const label = `order ${doc.name || orderGid}`;
    let so = [...this.state.saleOrders.values()].find((o) => o.order_gid === orderGid);
    const hash = contentHash(doc as unknown as Record<string, unknown>);
    if (so) {
      if (so.updated_at && doc.updated_at && Date.parse(doc.updated_at) < Date.parse(so.updated_at)) {
        return this.orderResult(so, 'unchanged', `${label}: document older than the applied one, ignored`);
      }
      if (so.document_hash === hash) return this.orderResult(so, 'unchanged');
    }
    const currency = this.state.settings.company_currency;
    if (doc.currency && doc.currency !== currency) {
      throw validationError(
        `${label}: shop currency ${doc.currency} differs from the company currency ${currency}; configure the company currency first`,
      );
    }
    // 1. Resolve every SKU before writing anything: an unknown SKU creates nothing.
    const resolved = (doc.lines ?? []).map((line, index) => {
      const matches = line.sku ? [...this.state.variants.values()].filter((v) => v.sku === line.sku) : [];
      if (!matches.length)
        throw validationError(
          line.sku ? `${label} line ${index + 1}: SKU "${line.sku}" is unknown in Odoo` : `${label} line ${index + 1}: the line has no SKU`,
        );
      if (matches.length > 1) throw validationError(`${label} line ${index + 1}: SKU "${line.sku}" is used by several Odoo products`);
      return { line, variant: matches[0]! };
    });
    // 2. Lines, with an explicit tax mapping for every Shopify tax line (else: held).
    const missing: string[] = [];
    const linesVals = this.orderLineValues(label, doc, resolved, missing);
    const { partner, invoice, delivery } = this.orderPartners(label, doc);
    const warehouse = this.warehouseFor(doc.location_gid);
    const notes: string[] = [];
    if (doc.location_gid && !warehouse) notes.push(`${label}: Shopify location ${doc.location_gid} is not mapped; default warehouse used`);
    let status: ApplyOrderResult['status'] = so ? 'updated' : 'created';
    const header = {
      partner_invoice_id: invoice,
      partner_shipping_id: delivery,
      client_order_ref: doc.name ?? null,
      financial_status: doc.financial_status ?? null,
      fulfillment_status: doc.fulfillment_status ?? null,
      updated_at: doc.updated_at ?? null,
      presentment_currency: doc.presentment_currency ?? null,
      taxes_included: Boolean(doc.taxes_included),
      ...(doc.note ? { note: doc.note } : {}),
    };
    if (!so) {
      const id = this.id();
      so = {
        id,
        name: `S${String(id).padStart(5, '0')}`,
        partner_id: partner.id,
        state: 'draft',
        warehouse_id: warehouse?.id ?? this.defaultWarehouseId(),
        order_gid: orderGid,
        note: null,
        needs_return: false,
        refund_gids: [],
        lines: linesVals.map((v) => ({ ...v, id: this.id(), qty_delivered: 0 })),
        amount_untaxed: 0,
        amount_tax: 0,
        amount_total: 0,
        document_hash: null,
        binding: newBinding(orderGid),
        ...header,
      };
      this.state.saleOrders.set(id, so);
    } else if (so.state === 'draft') {
      Object.assign(so, header, { partner_id: partner.id, lines: linesVals.map((v) => ({ ...v, id: this.id(), qty_delivered: 0 })) });
      if (warehouse) so.warehouse_id = warehouse.id;
    } else if (so.state === 'sale') {
      const delivered = [...this.state.pickings.values()].some(
        (p) => p.sale_order_id === so!.id && p.state === 'done' && p.picking_type === 'outgoing',
      );
      Object.assign(so, header, delivered ? { partner_shipping_id: so.partner_shipping_id } : {});
      const problem = this.updateConfirmedLines(so, linesVals);
      if (problem) {
        notes.push(`${label}: lines could not be updated: ${problem}`);
        missing.push(`${label}: lines could not be updated: ${problem}`);
      }
    } else {
      Object.assign(so, {
        financial_status: header.financial_status,
        fulfillment_status: header.fulfillment_status,
        updated_at: header.updated_at,
        presentment_currency: header.presentment_currency,
      });
    }
    this.computeAmounts(so);

    // 3. Totals check: equal to the cent, else flagged.
    const total = money(doc.total_price, `${label} total_price`);
    let message: string | null = null;
    if (missing.length) {
      status = 'held';
      message = `${label} held: ${missing.join('; ')}`;
    } else if (so.amount_total !== total && so.state !== 'cancel') {
      status = 'flagged';
      message = `${label}: Odoo total ${formatCents(so.amount_total)} differs from Shopify total_price ${formatCents(total)}`;
    }
    if (notes.length && !message) message = notes.join('; ');
    if (status === 'created' || status === 'updated') {
      if (so.state === 'draft' && this.shouldConfirm(doc)) so.state = 'sale';
      this.syncPickings(so);
      this.setResult(so.binding, 'synced', { hash });
      so.document_hash = hash;
      if (notes.length) so.binding.message = message;
    } else {
      so.document_hash = null;
      this.setResult(so.binding, 'error', { message });
    }
    if (doc.cancelled_at && so.state !== 'cancel') this.cancel(so, label, null);
    return this.orderResult(so, status, message);
  }

  private orderResult(so: SaleOrder, status: ApplyOrderResult['status'], message: string | null = null): ApplyOrderResult {
    const result: ApplyOrderResult = {
      status,
      sale_order_id: so.id,
      name: so.name,
      state: so.state,
      amount_total: formatCents(so.amount_total),
    };
    if (message) result.message = message;
    return result;
  }

  private shouldConfirm(doc: OrderDocument): boolean {
    if (doc.cancelled_at) return false;
    if (this.state.settings.import_policy === 'paid') return PAID_STATUSES.has(String(doc.financial_status ?? '').toLowerCase());
    return true;
  }

  private resolveTaxes(where: string, taxLines: TaxLine[] | undefined, taxesIncluded: boolean, missing: string[]): number[] {
    const ids: number[] = [];
    for (const tl of taxLines ?? []) {
      const title = String(tl.title ?? '')
        .trim()
        .toLowerCase();
      const mapping = this.state.settings.tax_mapping.find(
        (m) => m.title.trim().toLowerCase() === title && Math.abs(m.rate - Number(tl.rate ?? 0)) < 1e-6,
      );
      const tax = mapping ? this.state.taxes.get(mapping.tax_id) : undefined;
      if (!tax) {
        missing.push(`no tax mapping for Shopify tax "${tl.title}" at rate ${tl.rate} (${where})`);
        continue;
      }
      if (tax.price_include !== taxesIncluded) {
        missing.push(
          `tax mapping "${tl.title}" ${tl.rate} → ${tax.name}: Odoo tax is ${tax.price_include ? '' : 'not '}price-included but the order ${taxesIncluded ? 'includes' : 'excludes'} taxes (${where})`,
        );
        continue;
      }
      if (!ids.includes(tax.id)) ids.push(tax.id);
    }
    return ids;
  }

  private orderLineValues(
    label: string,
    doc: OrderDocument,
    resolved: Array<{ line: OrderDocument['lines'][number]; variant: Variant }>,
    missing: string[],
  ) {
    const included = Boolean(doc.taxes_included);
    const out: Array<Omit<SaleLine, 'id' | 'qty_delivered'>> = [];
    resolved.forEach(({ line, variant }, i) => {
      const where = `line ${i + 1}`;
      const qty = quantity(line.quantity, `${label} ${where}`);
      const price = money(line.price_unit, `${label} ${where} price_unit`);
      const discount = money(line.discount, `${label} ${where} discount`);
      const taxIds = this.resolveTaxes(where, line.tax_lines, included, missing);
      const name = line.title || variant.sku || '';
      out.push({
        line_gid: line.line_gid,
        role: 'product',
        product_id: variant.id,
        sku: variant.sku,
        name,
        quantity: qty,
        price_unit: price,
        tax_ids: taxIds,
      });
      // Line discounts are amounts: a separate negative line keeps them exact to the cent.
      if (discount)
        out.push({
          line_gid: line.line_gid,
          role: 'discount',
          product_id: null,
          sku: null,
          name: `Discount: ${name}`,
          quantity: 1,
          price_unit: -discount,
          tax_ids: taxIds,
        });
    });
    (doc.shipping_lines ?? []).forEach((ship, i) => {
      const where = `shipping line ${i + 1}`;
      const price = money(ship.price, `${label} ${where} price`);
      const discount = money(ship.discount, `${label} ${where} discount`);
      const taxIds = this.resolveTaxes(where, ship.tax_lines, included, missing);
      const key = `shipping:${i + 1}`;
      out.push({
        line_gid: key,
        role: 'shipping',
        product_id: null,
        sku: null,
        name: ship.title || 'Shipping',
        quantity: 1,
        price_unit: price,
        tax_ids: taxIds,
      });
      if (discount)
        out.push({
          line_gid: key,
          role: 'shipping_discount',
          product_id: null,
          sku: null,
          name: `Shipping discount: ${ship.title ?? ''}`.trim(),
          quantity: 1,
          price_unit: -discount,
          tax_ids: taxIds,
        });
    });
    return out;
  }

  /** Mirrors an edit on a confirmed order: lines matched by (Shopify line GID, role). Returns a problem or null. */
  private updateConfirmedLines(so: SaleOrder, linesVals: Array<Omit<SaleLine, 'id' | 'qty_delivered'>>): string | null {
    const key = (l: { line_gid: string | null; role: LineRole }) => `${l.line_gid}|${l.role}`;
    const existing = new Map(so.lines.filter((l) => l.line_gid).map((l) => [key(l), l]));
    const seen = new Set<string>();
    for (const vals of linesVals) {
      const line = existing.get(key(vals));
      seen.add(key(vals));
      if (line && vals.quantity < line.qty_delivered) {
        return `The ordered quantity of ${line.name} cannot be decreased below the delivered quantity (${line.qty_delivered}). Create a return first.`;
      }
    }
    for (const [k, line] of existing)
      if (!seen.has(k) && line.qty_delivered > 0)
        return `The ordered quantity of ${line.name} cannot be decreased below the delivered quantity (${line.qty_delivered}). Create a return first.`;
    for (const vals of linesVals) {
      const line = existing.get(key(vals));
      if (!line) so.lines.push({ ...vals, id: this.id(), qty_delivered: 0 });
      else Object.assign(line, { quantity: vals.quantity, price_unit: vals.price_unit, tax_ids: vals.tax_ids });
    }
    for (const [k, line] of existing) if (!seen.has(k)) line.quantity = 0;
    return null;
  }

  private orderPartners(label: string, doc: OrderDocument) {
    const customer = doc.customer;
    let partner: Partner | undefined;
    if (customer?.customer_gid) {
      partner = this.upsertCustomerRecord(customer).partner;
    } else {
      const address = doc.billing_address ?? doc.shipping_address ?? null;
      const email = customer?.email ?? null;
      partner = this.findByEmail(email);
      partner ??= this.createPartner({
        ...(address ? this.addressValues(address) : {}),
        name: address?.name || email || `Shopify guest ${label}`,
        email: email || null,
        phone: address?.phone || null,
      });
    }
    const child = (address: Address | null, type: 'invoice' | 'delivery'): number => {
      if (!address) return partner.id;
      const values = { ...this.addressValues(address), name: address.name || partner.name, phone: address.phone || null };
      const same = [...this.state.partners.values()].find(
        (p) =>
          p.parent_id === partner.id &&
          p.type === type &&
          (Object.keys(values) as Array<keyof typeof values>).every((k) => p[k] === values[k]),
      );
      return (same ?? this.createPartner({ ...values, parent_id: partner.id, type })).id;
    };
    return { partner, invoice: child(doc.billing_address, 'invoice'), delivery: child(doc.shipping_address, 'delivery') };
  }

  cancelOrder(doc: Record<string, unknown>): CancelOrderResult {
    const orderGid = gid(doc.order_gid, 'Order', 'cancel_order', 'order_gid');
    const so = [...this.state.saleOrders.values()].find((o) => o.order_gid === orderGid);
    if (!so) return { status: 'not_found', sale_order_id: null };
    if (so.state === 'cancel') return { status: 'already_cancelled', sale_order_id: so.id };
    return {
      status: this.cancel(so, `order ${so.client_order_ref || orderGid}`, typeof doc.reason === 'string' ? doc.reason : null),
      sale_order_id: so.id,
    };
  }

  private cancel(so: SaleOrder, label: string, _reason: string | null): 'cancelled' | 'needs_return' {
    const delivered = [...this.state.pickings.values()].filter(
      (p) => p.sale_order_id === so.id && p.picking_type === 'outgoing' && p.state === 'done',
    );
    if (delivered.length) {
      // Goods already left: cancelling cannot bring them back. Flag for a return.
      so.needs_return = true;
      this.setResult(so.binding, 'error', {
        message: `${label}: cancelled in Shopify after delivery (${delivered.map((p) => p.name).join(', ')}); a return is needed`,
      });
      return 'needs_return';
    }
    so.state = 'cancel';
    for (const p of this.state.pickings.values()) {
      if (p.sale_order_id === so.id && p.state === 'assigned') {
        p.state = 'cancel';
        for (const m of p.moves) m.reserved = 0;
      }
    }
    this.setResult(so.binding, 'synced');
    return 'cancelled';
  }

  // ---- refunds and returns ----

  applyRefund(doc: RefundDocument): ApplyRefundResult {
    const refundGid = gid(doc.refund_gid, 'Refund', 'refund', 'refund_gid');
    const orderGid = gid(doc.order_gid, 'Order', `refund ${refundGid}`, 'order_gid');
    const existing = [...this.state.creditNotes.values()].find((c) => c.refund_gid === refundGid);
    if (existing) return { status: 'unchanged', credit_note_id: existing.id, amount_total: formatCents(existing.amount_total) };
    const so = [...this.state.saleOrders.values()].find((o) => o.order_gid === orderGid);
    const label = `refund ${refundGid}`;
    if (!so) throw validationError(`${label}: order ${orderGid} is not imported in Odoo`);
    // Refunds are listed on the order, so a restock-only refund (no credit note) is idempotent too.
    if (so.refund_gids.includes(refundGid)) return { status: 'unchanged', credit_note_id: null, amount_total: '0.00' };
    so.refund_gids.push(refundGid);
    const cnLines: Array<{ name: string; sale_line_id: number | null; quantity: number; amount: number }> = [];
    const lineTax = (amount: number, taxIds: number[]) =>
      taxIds.reduce((s, id) => s + (this.state.taxes.get(id)!.price_include ? 0 : roundCents(amount * this.state.taxes.get(id)!.rate)), 0);
    const restock: Array<{ line: SaleLine; qty: number; kind: string }> = [];
    (doc.lines ?? []).forEach((l, i) => {
      const where = `${label} line ${i + 1}`;
      const qty = quantity(l.quantity, where);
      const subtotal = money(l.subtotal, `${where} subtotal`);
      const line =
        so.lines.find((x) => x.role === 'product' && x.line_gid === l.line_gid) ??
        (l.sku ? so.lines.find((x) => x.role === 'product' && x.sku === l.sku) : undefined);
      if (!line) throw validationError(`${where}: line ${l.line_gid} (SKU "${l.sku}") is not on order ${so.name}`);
      // Taxes are Odoo's: the sale line's taxes applied to the refunded subtotal.
      if (subtotal)
        cnLines.push({ name: line.name, sale_line_id: line.id, quantity: qty, amount: subtotal + lineTax(subtotal, line.tax_ids) });
      if (qty && (l.restock_type === 'cancel' || l.restock_type === 'return')) restock.push({ line, qty, kind: l.restock_type });
    });
    const shipping = money(doc.shipping?.amount, `${label} shipping amount`);
    if (shipping) {
      const shipLine = so.lines.find((x) => x.role === 'shipping');
      cnLines.push({
        name: 'Shipping refund',
        sale_line_id: null,
        quantity: 1,
        amount: shipping + lineTax(shipping, shipLine?.tax_ids ?? []),
      });
    }
    (doc.adjustments ?? []).forEach((a, i) => {
      const amount = money(a.amount, `${label} adjustment ${i + 1}`);
      if (amount) cnLines.push({ name: a.reason || 'Refund adjustment', sale_line_id: null, quantity: 1, amount });
    });
    this.restock(so, restock, label);
    if (!cnLines.length) return { status: 'created', credit_note_id: null, amount_total: '0.00' }; // restock only
    const amount = cnLines.reduce((s, l) => s + l.amount, 0);
    const id = this.id();
    const creditNote = {
      id,
      name: `RINV/${String(id).padStart(5, '0')}`,
      sale_order_id: so.id,
      refund_gid: refundGid,
      state: 'draft' as 'draft' | 'posted',
      amount_total: amount,
      lines: cnLines,
      binding: newBinding(refundGid),
    };
    this.state.creditNotes.set(id, creditNote);
    const total = money(doc.total, `${label} total`);
    if (amount !== total) {
      const message = `${label}: Odoo credit note total ${formatCents(amount)} differs from Shopify total ${formatCents(total)}; left in draft`;
      this.setResult(creditNote.binding, 'error', { message });
      return { status: 'flagged', credit_note_id: id, amount_total: formatCents(amount), message };
    }
    creditNote.state = 'posted';
    this.creditNotePosted(creditNote.id);
    this.setResult(creditNote.binding, 'synced');
    return { status: 'created', credit_note_id: id, amount_total: formatCents(amount) };
  }

  /** cancel: lower the ordered quantity; return: receive the goods back now (unless a Shopify return does). */
  private restock(so: SaleOrder, items: Array<{ line: SaleLine; qty: number; kind: string }>, label: string): void {
    const toReturn: Array<{ line: SaleLine; qty: number }> = [];
    for (const { line, qty, kind } of items) {
      if (kind === 'cancel') {
        line.quantity = Math.max(line.qty_delivered, line.quantity - qty);
      } else {
        const pendingReturn = [...this.state.pickings.values()].some(
          (p) => p.return_gid && p.state !== 'cancel' && p.sale_order_id === so.id && p.moves.some((m) => m.product_id === line.product_id),
        );
        if (!pendingReturn) toReturn.push({ line, qty });
      }
    }
    this.syncPickings(so);
    for (const picking of this.createReturns(so, toReturn, label, null)) this.validateReturnPicking(picking);
  }

  /** Return pickings, one per delivered picking the goods left with (Odoo returns one picking at a time). */
  createReturns(
    so: SaleOrder,
    wanted: Array<{ line: SaleLine; qty: number }>,
    label: string,
    returnGid: string | null,
    locationGid: string | null = null,
  ): Picking[] {
    const perPicking = new Map<Picking, Array<{ move: Move; take: number }>>();
    for (const { line, qty } of wanted) {
      let remaining = qty;
      for (const picking of [...this.state.pickings.values()].filter(
        (p) => p.sale_order_id === so.id && p.picking_type === 'outgoing' && p.state === 'done',
      )) {
        for (const move of picking.moves.filter((m) => m.sale_line_id === line.id)) {
          const returned = [...this.state.pickings.values()]
            .filter((p) => p.return_of === picking.id && p.state !== 'cancel')
            .flatMap((p) => p.moves)
            .filter((m) => m.sale_line_id === line.id)
            .reduce((s, m) => s + m.quantity, 0);
          const take = Math.min(remaining, move.quantity_done - returned);
          if (take <= 0) continue;
          perPicking.set(picking, [...(perPicking.get(picking) ?? []), { move, take }]);
          remaining -= take;
        }
      }
      if (remaining > 0) throw validationError(`${label}: cannot return ${qty} × ${line.sku}: only ${qty - remaining} delivered`);
    }
    const target = this.warehouseFor(locationGid);
    return [...perPicking].map(([origin, items]) => {
      const picking = this.newPicking(target?.id ?? origin.warehouse_id, 'incoming', so.id);
      picking.return_of = origin.id;
      picking.return_gid = returnGid;
      picking.moves = items.map(({ move, take }) => this.newMove(move.product_id, move.sale_line_id, take));
      return picking;
    });
  }

  validateReturnPicking(picking: Picking): void {
    const so = this.orderOf(picking);
    for (const move of picking.moves) {
      move.quantity_done = move.quantity;
      this.setOnHand(move.product_id, picking.warehouse_id, this.onHand(move.product_id, picking.warehouse_id) + move.quantity);
      const line = so?.lines.find((l) => l.id === move.sale_line_id);
      if (line) line.qty_delivered -= move.quantity;
      this.stockChanged(move.product_id, picking.warehouse_id);
    }
    picking.state = 'done';
    if (so?.order_gid)
      this.emit('return.done', 'stock.picking', picking.id, `order:${so.order_gid}`, {
        picking_id: picking.id,
        sale_order_id: so.id,
        order_gid: so.order_gid,
      });
  }

  applyReturn(doc: ReturnDocument): ApplyReturnResult {
    const returnGid = gid(doc.return_gid, 'Return', 'return', 'return_gid');
    const orderGid = gid(doc.order_gid, 'Order', `return ${returnGid}`, 'order_gid');
    const label = `return ${returnGid}`;
    const existing = [...this.state.pickings.values()].filter((p) => p.return_gid === returnGid).sort((a, b) => a.id - b.id);
    if (['CANCELED', 'CANCELLED', 'DECLINED'].includes(String(doc.status ?? '').toUpperCase())) {
      // Declined or cancelled in Shopify: the goods will not come back.
      const open = existing.filter((p) => p.state !== 'done' && p.state !== 'cancel');
      for (const p of open) p.state = 'cancel';
      return {
        status: open.length ? 'cancelled' : 'unchanged',
        picking_id: existing[0]?.id ?? null,
        picking_ids: existing.map((p) => p.id),
      };
    }
    if (existing.length) return { status: 'unchanged', picking_id: existing[0]!.id, picking_ids: existing.map((p) => p.id) };
    const so = [...this.state.saleOrders.values()].find((o) => o.order_gid === orderGid);
    if (!so) throw validationError(`${label}: order ${orderGid} is not imported in Odoo`);
    const wanted: Array<{ line: SaleLine; qty: number }> = [];
    (doc.lines ?? []).forEach((l, i) => {
      const qty = quantity(l.quantity, `${label} line ${i + 1}`);
      const line =
        so.lines.find((x) => x.role === 'product' && x.line_gid === l.line_gid) ??
        (l.sku ? so.lines.find((x) => x.role === 'product' && x.sku === l.sku) : undefined);
      if (!line) throw validationError(`${label} line ${i + 1}: line ${l.line_gid} (SKU "${l.sku}") is not on order ${so.name}`);
      if (qty) wanted.push({ line, qty });
    });
    if (!wanted.length) throw validationError(`${label}: no quantity to return`);
    const pickings = this.createReturns(so, wanted, label, returnGid, doc.location_gid ?? null);
    return { status: 'created', picking_id: pickings[0]!.id, picking_ids: pickings.map((p) => p.id) };
  }

  // ---- deliveries and results ----

  exportDelivery(doc: Record<string, unknown>): FulfillmentDocument {
    const pickingId = doc.picking_id;
    if (typeof pickingId !== 'number' || !Number.isInteger(pickingId))
      throw validationError('export_delivery: picking_id must be an integer');
    const picking = this.state.pickings.get(pickingId);
    if (!picking) throw validationError(`export_delivery: picking ${pickingId} does not exist`);
    const so = this.orderOf(picking);
    if (!so?.order_gid) throw validationError(`export_delivery: picking ${picking.name} is not for a Shopify order`);
    const quantities = new Map<string, { line_gid: string; sku: string; quantity: number }>();
    if (picking.state === 'done') {
      for (const move of picking.moves) {
        const line = so.lines.find((l) => l.id === move.sale_line_id);
        if (!line?.line_gid) continue;
        const sku = this.variant(move.product_id).sku ?? '';
        const k = `${line.line_gid}|${sku}`;
        const entry = quantities.get(k) ?? { line_gid: line.line_gid, sku, quantity: 0 };
        entry.quantity += move.quantity_done;
        quantities.set(k, entry);
      }
    }
    return {
      picking_id: picking.id,
      name: picking.name,
      state: picking.state,
      order_gid: so.order_gid,
      sale_order_id: so.id,
      is_return: picking.picking_type === 'incoming',
      location_gid: this.state.warehouses.get(picking.warehouse_id)?.location_gid ?? null,
      lines: [...quantities.values()].sort((a, b) => (a.line_gid + a.sku < b.line_gid + b.sku ? -1 : 1)),
      tracking: { ...picking.tracking },
      fulfillment_gids: [...picking.fulfillment_gids],
    };
  }

  /** report_health (models/shopify_sync_health.py): the sidecar's active alerts for the overview. */
  reportHealth(doc: Record<string, unknown>): { ok: true } {
    const extra = Object.keys(doc)
      .filter((k) => !['alerts', 'dlq_depth', 'checked_at'].includes(k))
      .sort();
    if (extra.length) throw validationError(`report_health: unknown fields ${pyList(extra)}`);
    const { alerts, dlq_depth: depth, checked_at: checked } = doc;
    if (!Array.isArray(alerts) || alerts.length > 100) throw validationError('report_health: alerts must be a list of at most 100');
    if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 0)
      throw validationError('report_health: dlq_depth must be a non-negative integer');
    const isoLike = (v: unknown) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(v) && !Number.isNaN(Date.parse(v));
    if (!isoLike(checked)) throw validationError('report_health: checked_at must be an ISO 8601 timestamp');
    const clean = alerts.map((a: unknown) => {
      const alert = a as Record<string, unknown>;
      if (!alert || typeof alert !== 'object' || typeof alert.key !== 'string' || typeof alert.summary !== 'string') {
        throw validationError('report_health: each alert needs a key and a summary');
      }
      const since = alert.since ?? null;
      if (since !== null && !isoLike(since)) throw validationError("report_health: an alert's since must be an ISO 8601 timestamp");
      return { key: alert.key.slice(0, 200), summary: alert.summary.slice(0, 500), since: since as string | null };
    });
    this.state.sidecarHealth = { alerts: clean, dlq_depth: depth, checked_at: checked as string };
    this.state.lastSidecarContact = this.nowIso();
    return { ok: true };
  }

  recordSyncResult(doc: Record<string, unknown>): { ok: true } {
    const model = doc.model as (typeof BINDING_MODELS)[number];
    if (!BINDING_MODELS.includes(model))
      throw validationError(`record_sync_result: model must be one of ${pyList(BINDING_MODELS)}, got ${pyRepr(doc.model)}`);
    const state = doc.state as BindingState;
    if (!BINDING_STATES.includes(state))
      throw validationError(`record_sync_result: state must be one of ${pyList(BINDING_STATES)}, got ${pyRepr(doc.state)}`);
    const table = {
      'product.template': this.state.templates,
      'res.partner': this.state.partners,
      'sale.order': this.state.saleOrders,
      'stock.picking': this.state.pickings,
      'account.move': this.state.creditNotes,
    }[model] as Map<number, { id: number; binding: Binding }>;
    const record = Number.isInteger(doc.res_id) ? table.get(doc.res_id as number) : undefined;
    if (!record) throw validationError(`record_sync_result: ${model} ${pyRepr(doc.res_id)} does not exist`);
    let shopifyGid = typeof doc.shopify_gid === 'string' && doc.shopify_gid ? doc.shopify_gid : null;
    if (model === 'stock.picking' && shopifyGid) {
      const picking = record as unknown as Picking;
      if (!picking.fulfillment_gids.includes(shopifyGid)) picking.fulfillment_gids.push(shopifyGid);
      shopifyGid = null;
    }
    if (shopifyGid) {
      // unique(shopify_shop, shopify_gid): an IntegrityError, which Odoo turns into a ValidationError.
      const clash = [...table.values()].find((r) => r.id !== record.id && r.binding.shopify_gid === shopifyGid);
      if (clash) throw validationError('This Shopify ID is already bound to another record of this shop.');
    }
    this.setResult(record.binding, state, {
      message: typeof doc.message === 'string' ? doc.message : null,
      gid: shopifyGid,
      hash: typeof doc.content_hash === 'string' ? doc.content_hash : null,
    });
    for (const child of (doc.children as Array<Record<string, unknown>> | undefined) ?? []) {
      if (child.model !== 'product.product') throw validationError('record_sync_result: children must be product.product');
      const variant = Number.isInteger(child.res_id) ? this.state.variants.get(child.res_id as number) : undefined;
      if (!variant || variant.template_id !== record.id)
        throw validationError(`record_sync_result: variant ${pyRepr(child.res_id)} is not a variant of ${model} ${record.id}`);
      for (const [field, value] of [
        ['shopify_gid', child.shopify_gid],
        ['inventory_item_gid', child.inventory_item_gid],
      ] as const) {
        if (typeof value !== 'string' || !value) continue;
        const current = field === 'shopify_gid' ? (v: Variant) => v.binding.shopify_gid : (v: Variant) => v.inventory_item_gid;
        if ([...this.state.variants.values()].some((v) => v.id !== variant.id && current(v) === value)) {
          throw validationError(
            field === 'shopify_gid'
              ? 'This Shopify variant is already bound to another product.'
              : 'This Shopify inventory item is already bound to another product.',
          );
        }
        if (field === 'shopify_gid') variant.binding.shopify_gid = value;
        else variant.inventory_item_gid = value;
      }
    }
    return { ok: true };
  }
}

const pyList = (items: readonly string[]) =>
  `[${[...items]
    .sort()
    .map((i) => `'${i}'`)
    .join(', ')}]`;

export function createOdooDouble(options: OdooDoubleOptions = {}): OdooDouble {
  return new OdooDouble(options);
}
