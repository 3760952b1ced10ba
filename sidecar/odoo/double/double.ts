/**
 * The in-process Odoo double: an OdooCaller that implements the `shopify.sync.api` RPC surface
 * of the addon `shopify_sync` (docs/contract.md) on in-memory state, with the addon's statuses
 * and error behaviour, plus a "merchant" side that does what a user does in Odoo's UI and
 * emits the outbox events the addon's hooks emit.
 *
 * Rules it mirrors (cited from docs/contract.md):
 * - contract calls run with the origin flag: they write no outbox events (no sync loops);
 *   merchant actions do;
 * - idempotent upserts keyed by Shopify GID; the same document twice → `unchanged`;
 * - unknown SKU → ValidationError naming the SKU and line, nothing created;
 * - unmapped tax line → order held in draft with a message; totals differ by more than 0.00 →
 *   flagged (binding in error, not confirmed);
 * - stock: shopify_on_hand = max(0, floor(on_hand − reserved_other − safety_stock)).
 * Every call runs synchronously to completion, which is what the addon's per-key advisory lock
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
  FulfilmentDocument,
  OrderDocument,
  OutboxEvent,
  OutboxEventType,
  ProductDocument,
  RecordSyncResultParams,
  RefundDocument,
  ReturnDocument,
  StockLevel,
  TaxLine,
  UpsertCustomerResult,
} from '../contract.js';
import { CONTRACT_MODEL, CONTRACT_VERSION } from '../contract.js';
import { OdooConfigurationError, OdooPermanentError } from '../errors.js';
import type { OdooCaller } from '../types.js';
import { formatCents, parseCents, roundCents } from './money.js';
import {
  createState,
  newBinding,
  type Binding,
  type OdooState,
  type Partner,
  type Picking,
  type SaleLine,
  type SaleOrder,
  type Settings,
  type Template,
  type Variant,
} from './state.js';

export const DOUBLE_ADDON_VERSION = '18.0.1.0.0';
export const DOUBLE_ODOO_VERSION = '18.0';

export interface OdooDoubleOptions {
  /** Injected clock (epoch ms) for leases and timestamps. Default Date.now. */
  now?: () => number;
  /** Warehouses to create; default two: WH → gid://shopify/Location/1, WH2 → gid://shopify/Location/2. */
  warehouses?: Array<{ name: string; code: string; location_gid: string | null }>;
  /** Taxes that exist in the double's chart; default VAT 20 % (excluded) and VAT 10 % (excluded). */
  taxes?: Array<{ name: string; rate: number; price_include?: boolean }>;
  settings?: Partial<Settings>;
}

// ---- errors shaped like Odoo's (JSON-RPC `data.name` + `data.message`) ----

const validationError = (message: string) =>
  new OdooPermanentError(message, { odooName: 'odoo.exceptions.ValidationError', model: CONTRACT_MODEL });
const missingError = (model: string, id: number) =>
  new OdooPermanentError(`Record does not exist or has been deleted.\n(Record: ${model}(${id},), User: 2)`, {
    odooName: 'odoo.exceptions.MissingError',
    model,
  });

const PAID_STATUSES = new Set(['paid', 'partially_refunded', 'refunded']);
const SYNC_MODELS = new Set(['product.template', 'product.product', 'res.partner', 'sale.order', 'stock.picking', 'account.move']);

const normaliseEmail = (email: string | null | undefined) => (email ?? '').trim().toLowerCase() || null;
const hashOf = (value: unknown) => createHash('sha256').update(stableJson(value)).digest('hex');

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function money(text: unknown, what: string): number {
  const cents = parseCents(text);
  if (cents === null) throw validationError(`${what}: "${String(text)}" is not a decimal amount`);
  return cents;
}

function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw validationError(`${what} is required`);
  return value;
}

function requireQuantity(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw validationError(`${what}: quantity must be a non-negative integer (got ${JSON.stringify(value)})`);
  }
  return value;
}

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
    ];
    for (const tax of taxes) {
      const id = this.id();
      this.state.taxes.set(id, { id, name: tax.name, rate: tax.rate, price_include: tax.price_include ?? false });
    }
    Object.assign(this.state.settings, options.settings ?? {});
  }

  // ---- OdooCaller ----

  async executeKw<T = unknown>(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<T> {
    if (method.startsWith('_')) {
      throw new OdooConfigurationError(`Private methods (such as ${method}) cannot be called remotely.`, {
        odooName: 'odoo.exceptions.AccessError',
        model,
        method,
      });
    }
    if (model !== CONTRACT_MODEL) {
      throw new OdooPermanentError(`The Odoo double implements only ${CONTRACT_MODEL} (got ${model}.${method})`, {
        odooName: 'builtins.KeyError',
        model,
        method,
      });
    }
    const handler = this.handlers[method as ContractMethod];
    if (!handler) {
      throw new OdooPermanentError(`The method '${method}' does not exist on the model '${model}'`, {
        odooName: 'builtins.AttributeError',
        model,
        method,
      });
    }
    if (args.length !== 1 || !args[0] || typeof args[0] !== 'object' || Array.isArray(args[0]) || Object.keys(kwargs).some((k) => k !== 'context')) {
      throw new OdooPermanentError(`${model}.${method}() takes exactly one document (a JSON object)`, {
        odooName: 'builtins.TypeError',
        model,
        method,
      });
    }
    // A JSON round trip both ways: the caller never shares objects with the double's state.
    const doc = JSON.parse(JSON.stringify(args[0])) as Record<string, unknown>;
    this.origin = true;
    try {
      const result = handler(doc);
      return JSON.parse(JSON.stringify(result)) as T;
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
    erase_customer: (doc) => this.eraseCustomer(doc),
    export_delivery: (doc) => this.exportDelivery(doc),
    record_sync_result: (doc) => this.recordSyncResult(doc as unknown as RecordSyncResultParams),
  };

  // ---- helpers ----

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
    return new Date(this.now()).toISOString();
  }

  /** Writes an outbox row unless the write comes from the sidecar (origin flag). */
  emit(type: OutboxEventType, model: string, resId: number, key: string, payload: Record<string, unknown>): void {
    if (this.origin) return;
    if (type === 'stock.changed') {
      // Coalesced per product and location while pending and not leased (contract: OutboxEvent).
      const pending = this.state.outbox.find((e) => e.key === key && e.state === 'pending' && e.leased_until <= this.now());
      if (pending && pending.attempts === 0) return;
    }
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

  variantPrice(variant: Variant): number {
    const template = this.template(variant.template_id);
    let price = template.list_price;
    for (const ov of variant.option_values) {
      const value = template.options.find((o) => o.name === ov.option)?.values.find((v) => v.value === ov.value);
      price += value?.price_extra ?? 0;
    }
    return price;
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

  onHand(productId: number, warehouseId: number): number {
    return this.state.quants.get(`${productId}:${warehouseId}`) ?? 0;
  }

  setOnHand(productId: number, warehouseId: number, quantity: number): void {
    this.state.quants.set(`${productId}:${warehouseId}`, quantity);
  }

  private openMoves(productId: number, warehouseId: number) {
    const out: Array<{ picking: Picking; move: Picking['moves'][number] }> = [];
    for (const picking of this.state.pickings.values()) {
      if (picking.picking_type !== 'outgoing' || picking.state !== 'assigned' || picking.warehouse_id !== warehouseId) continue;
      for (const move of picking.moves) if (move.product_id === productId) out.push({ picking, move });
    }
    return out;
  }

  reserved(productId: number, warehouseId: number, filter: (picking: Picking) => boolean = () => true): number {
    return this.openMoves(productId, warehouseId)
      .filter(({ picking }) => filter(picking))
      .reduce((sum, { move }) => sum + move.reserved, 0);
  }

  isShopifyPicking(picking: Picking): boolean {
    const so = picking.sale_order_id === null ? null : this.state.saleOrders.get(picking.sale_order_id);
    return Boolean(so?.order_gid);
  }

  /** Reserves what is free, like `action_assign`: never more than on hand minus other reservations. */
  reserve(picking: Picking): void {
    for (const move of picking.moves) {
      const free = this.onHand(move.product_id, picking.warehouse_id) - this.reserved(move.product_id, picking.warehouse_id);
      move.reserved = Math.max(0, Math.min(move.quantity - move.quantity_done, move.reserved + free));
    }
  }

  stockChanged(productId: number, warehouseId: number): void {
    const wh = this.state.warehouses.get(warehouseId);
    if (!wh?.location_gid) return;
    this.emit('stock.changed', 'product.product', productId, `stock:${productId}:${wh.location_gid}`, {
      product_id: productId,
      location_gid: wh.location_gid,
    });
  }

  productChanged(templateId: number): void {
    this.emit('product.changed', 'product.template', templateId, `product:${templateId}`, { template_id: templateId });
  }

  customerChanged(partnerId: number): void {
    this.emit('customer.changed', 'res.partner', partnerId, `customer:${partnerId}`, { partner_id: partnerId });
  }

  markSynced(binding: Binding, state: BindingState, message: string | null): void {
    binding.state = state;
    binding.message = message;
    if (state === 'synced') binding.last_synced_at = this.nowIso();
  }

  // ---- contract methods ----

  contractVersion(doc: Record<string, unknown>) {
    this.state.lastSidecarContact = this.nowIso();
    this.state.lastSidecarVersion = typeof doc.sidecar_version === 'string' ? doc.sidecar_version : null;
    return { contract_version: CONTRACT_VERSION, addon_version: DOUBLE_ADDON_VERSION, odoo_version: DOUBLE_ODOO_VERSION };
  }

  pullEvents(doc: Record<string, unknown>): { events: OutboxEvent[] } {
    const limit = doc.limit ?? 100;
    const lease = doc.lease_seconds ?? 60;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) throw validationError(`pull_events: limit must be a positive integer`);
    if (typeof lease !== 'number' || lease <= 0) throw validationError(`pull_events: lease_seconds must be positive`);
    const now = this.now();
    const due = this.state.outbox.filter((e) => e.state === 'pending' && e.leased_until <= now).slice(0, limit);
    for (const e of due) {
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
    if (!Array.isArray(doc.uuids)) throw validationError('ack_events: uuids must be a list');
    const wanted = new Set(doc.uuids);
    let acknowledged = 0;
    for (const e of this.state.outbox) {
      if (e.state === 'pending' && wanted.has(e.uuid)) {
        e.state = 'done';
        acknowledged += 1;
      }
    }
    return { acknowledged };
  }

  exportProducts(doc: Record<string, unknown>): { products: ProductDocument[] } {
    const ids = Array.isArray(doc.template_ids) ? new Set(doc.template_ids as number[]) : null;
    const offset = typeof doc.offset === 'number' ? doc.offset : 0;
    const limit = typeof doc.limit === 'number' ? doc.limit : Infinity;
    const templates = [...this.state.templates.values()].filter((t) => !ids || ids.has(t.id)).sort((a, b) => a.id - b.id);
    return {
      products: templates.slice(offset, offset + limit).map((t) => ({
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
      })),
    };
  }

  stockLevels(doc: Record<string, unknown>): { levels: StockLevel[] } {
    const productIds = Array.isArray(doc.product_ids) ? new Set(doc.product_ids as number[]) : null;
    const locations = Array.isArray(doc.location_gids) ? new Set(doc.location_gids as string[]) : null;
    const safety = this.state.settings.safety_stock;
    const levels: StockLevel[] = [];
    for (const v of this.state.variants.values()) {
      if (productIds && !productIds.has(v.id)) continue;
      for (const wh of this.state.warehouses.values()) {
        if (!wh.location_gid || (locations && !locations.has(wh.location_gid))) continue;
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
          on_hand: onHand,
          reserved_other: reservedOther,
          safety_stock: safety,
          shopify_on_hand: Math.max(0, Math.floor(onHand - reservedOther - safety)),
        });
      }
    }
    return { levels };
  }

  applyOrder(doc: OrderDocument): ApplyOrderResult {
    const orderGid = requireString(doc.order_gid, 'apply_order: order_gid');
    const label = `order ${doc.name ?? orderGid}`;
    if (!Array.isArray(doc.lines)) throw validationError(`${label}: lines must be a list`);
    const existing = [...this.state.saleOrders.values()].find((so) => so.order_gid === orderGid);
    const hash = hashOf(doc);
    if (existing && existing.document_hash === hash) return this.orderResult(existing, 'unchanged');
    if (existing?.state === 'cancel') return this.orderResult(existing, 'unchanged');

    // 1. Resolve every SKU before writing anything: an unknown SKU creates nothing.
    const resolved = doc.lines.map((line, index) => {
      const where = `${label} line ${index + 1}`;
      const sku = requireString(line.sku, `${where}: sku`);
      const matches = [...this.state.variants.values()].filter((v) => v.sku === sku && v.active);
      if (matches.length === 0) throw validationError(`${where}: SKU "${sku}" is unknown in Odoo`);
      if (matches.length > 1) throw validationError(`${where}: SKU "${sku}" matches ${matches.length} products in Odoo`);
      return {
        line,
        variant: matches[0]!,
        quantity: requireQuantity(line.quantity, where),
        price: money(line.price_unit, `${where}: price_unit`),
        discount: money(line.discount ?? '0', `${where}: discount`),
      };
    });
    const shipping = (doc.shipping_lines ?? []).map((s, index) => ({
      line: s,
      price: money(s.price, `${label} shipping line ${index + 1}: price`),
      discount: money(s.discount ?? '0', `${label} shipping line ${index + 1}: discount`),
    }));
    const shopifyTotal = money(doc.total_price, `${label}: total_price`);
    if (existing) {
      for (const r of resolved) {
        const current = existing.lines.find((l) => l.line_gid === r.line.line_gid);
        if (current && r.quantity < current.qty_delivered) {
          throw validationError(
            `${label} line ${resolved.indexOf(r) + 1}: quantity ${r.quantity} is below the ${current.qty_delivered} already delivered`,
          );
        }
      }
    }

    // 2. Tax mapping: every Shopify tax line needs an explicit mapping, else the order is held.
    let held: string | null = null;
    const mapTaxes = (taxLines: TaxLine[] | undefined, where: string): number[] => {
      const ids: number[] = [];
      for (const tl of taxLines ?? []) {
        const mapping = this.state.settings.tax_mapping.find(
          (m) => m.title.trim().toLowerCase() === String(tl.title).trim().toLowerCase() && Math.abs(m.rate - Number(tl.rate)) < 1e-9,
        );
        if (!mapping) held ??= `${where}: tax "${tl.title}" (rate ${tl.rate}) has no tax mapping in Odoo`;
        else ids.push(mapping.tax_id);
      }
      return ids;
    };
    const lineTaxes = resolved.map((r, i) => mapTaxes(r.line.tax_lines, `${label} line ${i + 1}`));
    const shippingTaxes = shipping.map((s, i) => mapTaxes(s.line.tax_lines, `${label} shipping line ${i + 1}`));

    // 3. Write: partner, order, lines.
    const partnerId = doc.customer ? this.upsertCustomerRecord(doc.customer).partner_id : this.guestPartner().id;
    const so: SaleOrder =
      existing ??
      (() => {
        const id = this.id();
        const created: SaleOrder = {
          id,
          name: `S${String(id).padStart(5, '0')}`,
          partner_id: partnerId,
          partner_invoice_id: partnerId,
          partner_shipping_id: partnerId,
          state: 'draft',
          warehouse_id: this.defaultWarehouseId(),
          order_gid: orderGid,
          client_order_ref: null,
          financial_status: null,
          fulfillment_status: null,
          presentment_currency: null,
          note: null,
          lines: [],
          amount_untaxed: 0,
          amount_tax: 0,
          amount_total: 0,
          document_hash: null,
          binding: newBinding(orderGid),
        };
        this.state.saleOrders.set(id, created);
        return created;
      })();
    so.partner_id = partnerId;
    so.partner_invoice_id = doc.billing_address ? this.addressPartner(partnerId, 'invoice', doc.billing_address) : partnerId;
    so.partner_shipping_id = doc.shipping_address ? this.addressPartner(partnerId, 'delivery', doc.shipping_address) : partnerId;
    so.client_order_ref = doc.name ?? null;
    so.financial_status = doc.financial_status ?? null;
    so.fulfillment_status = doc.fulfillment_status ?? null;
    so.presentment_currency = doc.presentment_currency ?? null;
    so.note = doc.note ?? null;
    if (so.state === 'draft' && doc.location_gid) {
      const wh = [...this.state.warehouses.values()].find((w) => w.location_gid === doc.location_gid);
      if (wh) so.warehouse_id = wh.id;
    }
    const seen = new Set<number>();
    resolved.forEach((r, i) => {
      let line = so.lines.find((l) => !l.is_delivery && l.line_gid === r.line.line_gid);
      if (!line) {
        line = { id: this.id(), line_gid: r.line.line_gid, product_id: r.variant.id, sku: r.variant.sku, name: r.line.title, quantity: 0, price_unit: 0, discount: 0, tax_ids: [], is_delivery: false, qty_delivered: 0 };
        so.lines.push(line);
      }
      Object.assign(line, { product_id: r.variant.id, sku: r.variant.sku, name: r.line.title ?? line.name, quantity: r.quantity, price_unit: r.price, discount: r.discount, tax_ids: lineTaxes[i]! });
      seen.add(line.id);
    });
    // Lines no longer in the document were removed in Shopify: quantity 0 (kept for history).
    for (const line of so.lines) if (!line.is_delivery && !seen.has(line.id)) line.quantity = line.qty_delivered;
    so.lines = so.lines.filter((l) => !l.is_delivery);
    shipping.forEach((s, i) => {
      so.lines.push({ id: this.id(), line_gid: null, product_id: null, sku: null, name: s.line.title, quantity: 1, price_unit: s.price, discount: s.discount, tax_ids: shippingTaxes[i]!, is_delivery: true, qty_delivered: 0 });
    });
    this.computeAmounts(so, Boolean(doc.taxes_included));
    so.document_hash = hash;

    // 4. Checks and confirmation.
    let status: ApplyOrderResult['status'] = existing ? 'updated' : 'created';
    let message: string | null = null;
    if (held) {
      status = 'held';
      message = held;
    } else if (so.amount_total !== shopifyTotal) {
      status = 'flagged';
      message = `${label}: Odoo total ${formatCents(so.amount_total)} differs from Shopify total ${formatCents(shopifyTotal)}`;
    }
    if (status === 'held' || status === 'flagged') {
      this.markSynced(so.binding, 'error', message);
    } else {
      const confirm = this.state.settings.import_policy === 'all' || PAID_STATUSES.has(String(doc.financial_status));
      if (confirm && so.state === 'draft') this.confirm(so);
      this.syncPickings(so);
      this.markSynced(so.binding, 'synced', null);
    }
    return this.orderResult(so, status, message);
  }

  private orderResult(so: SaleOrder, status: ApplyOrderResult['status'], message: string | null = so.binding.message): ApplyOrderResult {
    return { status, sale_order_id: so.id, name: so.name, state: so.state, amount_total: formatCents(so.amount_total), message };
  }

  computeAmounts(so: SaleOrder, taxesIncluded: boolean): void {
    let untaxed = 0;
    let tax = 0;
    for (const line of so.lines) {
      const base = line.price_unit * line.quantity - line.discount;
      const rate = line.tax_ids.reduce((sum, id) => sum + (this.state.taxes.get(id)?.rate ?? 0), 0);
      if (taxesIncluded) {
        // Price includes tax: Odoo splits the base, per line (round_per_line).
        const excluded = roundCents(base / (1 + rate));
        untaxed += excluded;
        tax += base - excluded;
      } else {
        untaxed += base;
        for (const id of line.tax_ids) tax += roundCents(base * (this.state.taxes.get(id)?.rate ?? 0));
      }
    }
    so.amount_untaxed = untaxed;
    so.amount_tax = tax;
    so.amount_total = untaxed + tax;
  }

  confirm(so: SaleOrder): void {
    so.state = 'sale';
  }

  /** Keeps the open outgoing picking's demand equal to ordered − delivered for each goods line. */
  syncPickings(so: SaleOrder): void {
    if (so.state !== 'sale') return;
    let open = [...this.state.pickings.values()].find((p) => p.sale_order_id === so.id && p.picking_type === 'outgoing' && p.state === 'assigned');
    for (const line of so.lines) {
      if (line.is_delivery || line.product_id === null) continue;
      const inFlight = [...this.state.pickings.values()]
        .filter((p) => p.sale_order_id === so.id && p.picking_type === 'outgoing' && p.state === 'assigned' && p !== open)
        .flatMap((p) => p.moves)
        .filter((m) => m.sale_line_id === line.id)
        .reduce((s, m) => s + m.quantity, 0);
      const demand = line.quantity - line.qty_delivered - inFlight;
      let move = open?.moves.find((m) => m.sale_line_id === line.id);
      if (!move && demand > 0) {
        open ??= this.newPicking(so.warehouse_id, 'outgoing', so.id);
        move = { product_id: line.product_id, sale_line_id: line.id, quantity: 0, reserved: 0, quantity_done: 0 };
        open.moves.push(move);
      }
      if (move) {
        move.quantity = Math.max(0, demand);
        move.reserved = Math.min(move.reserved, move.quantity);
      }
    }
    if (open) {
      open.moves = open.moves.filter((m) => m.quantity > 0);
      if (open.moves.length === 0) open.state = 'cancel';
      else this.reserve(open);
    }
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
      return_of_order: null,
      return_gid: null,
      tracking: { number: null, company: null, url: null },
      fulfillment_gids: [],
      binding: newBinding(),
    };
    this.state.pickings.set(id, picking);
    return picking;
  }

  defaultWarehouseId(): number {
    return [...this.state.warehouses.keys()][0]!;
  }

  guestPartner(): Partner {
    const found = [...this.state.partners.values()].find((p) => p.name === 'Shopify guest customer' && !p.binding.shopify_gid);
    return found ?? this.createPartner({ name: 'Shopify guest customer' });
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
      customer_updated_at: null,
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

  /** A child contact of type delivery/invoice for an order address, reused when identical. */
  addressPartner(parentId: number, type: 'delivery' | 'invoice', address: Address): number {
    const values = {
      name: address.name ?? this.partner(parentId).name,
      company: address.company ?? null,
      street: address.address1 ?? null,
      street2: address.address2 ?? null,
      city: address.city ?? null,
      state_code: address.province_code ?? null,
      zip: address.zip ?? null,
      country_code: address.country_code ?? null,
      phone: address.phone ?? null,
    };
    const same = [...this.state.partners.values()].find(
      (p) => p.parent_id === parentId && p.type === type && (Object.keys(values) as Array<keyof typeof values>).every((k) => p[k] === values[k]),
    );
    return (same ?? this.createPartner({ ...values, parent_id: parentId, type })).id;
  }

  cancelOrder(doc: Record<string, unknown>): CancelOrderResult {
    const orderGid = requireString(doc.order_gid, 'cancel_order: order_gid');
    const so = [...this.state.saleOrders.values()].find((o) => o.order_gid === orderGid);
    if (!so) return { status: 'not_found', sale_order_id: null };
    if (so.state === 'cancel') return { status: 'already_cancelled', sale_order_id: so.id };
    const delivered = [...this.state.pickings.values()].some((p) => p.sale_order_id === so.id && p.picking_type === 'outgoing' && p.state === 'done');
    if (delivered) {
      // Goods already left: cancelling would not bring them back. Flag for a return.
      this.markSynced(so.binding, 'error', `order ${so.client_order_ref ?? orderGid} was cancelled in Shopify after delivery: a return is needed`);
      return { status: 'needs_return', sale_order_id: so.id };
    }
    so.state = 'cancel';
    for (const p of this.state.pickings.values()) {
      if (p.sale_order_id === so.id && p.state === 'assigned') {
        p.state = 'cancel';
        for (const m of p.moves) m.reserved = 0;
      }
    }
    this.markSynced(so.binding, 'synced', null);
    return { status: 'cancelled', sale_order_id: so.id };
  }

  applyRefund(doc: RefundDocument): ApplyRefundResult {
    const refundGid = requireString(doc.refund_gid, 'apply_refund: refund_gid');
    const existing = [...this.state.creditNotes.values()].find((c) => c.refund_gid === refundGid);
    if (existing) return { status: 'unchanged', credit_note_id: existing.id, amount_total: formatCents(existing.amount_total) };
    const orderGid = requireString(doc.order_gid, 'apply_refund: order_gid');
    const so = [...this.state.saleOrders.values()].find((o) => o.order_gid === orderGid);
    const label = `refund ${refundGid}`;
    if (!so) throw validationError(`${label}: order ${orderGid} is unknown in Odoo`);
    const cnLines: Array<{ name: string; sale_line_id: number | null; quantity: number; amount: number }> = [];
    const restocks: Array<{ line: SaleLine; quantity: number }> = [];
    (doc.lines ?? []).forEach((l, index) => {
      const where = `${label} line ${index + 1}`;
      const line = so.lines.find((sl) => sl.line_gid === l.line_gid);
      if (!line) throw validationError(`${where}: line ${l.line_gid} is not on order ${so.client_order_ref ?? orderGid}`);
      const quantity = requireQuantity(l.quantity, where);
      cnLines.push({ name: line.name, sale_line_id: line.id, quantity, amount: money(l.subtotal, `${where}: subtotal`) + money(l.total_tax, `${where}: total_tax`) });
      if (l.restock_type === 'cancel') restocks.push({ line, quantity });
    });
    const shippingAmount = money(doc.shipping?.amount ?? '0', `${label}: shipping.amount`) + money(doc.shipping?.tax ?? '0', `${label}: shipping.tax`);
    if (shippingAmount !== 0) cnLines.push({ name: 'Shipping refund', sale_line_id: null, quantity: 1, amount: shippingAmount });
    (doc.adjustments ?? []).forEach((a, i) => {
      cnLines.push({ name: a.reason ?? 'Refund adjustment', sale_line_id: null, quantity: 1, amount: money(a.amount, `${label} adjustment ${i + 1}`) });
    });
    const amount = cnLines.reduce((s, l) => s + l.amount, 0);
    const total = money(doc.total, `${label}: total`);
    if (amount !== total) throw validationError(`${label}: lines, shipping and adjustments sum to ${formatCents(amount)}, not the total ${formatCents(total)}`);
    // Restock type "cancel": units not yet shipped leave the order (Shopify currentQuantity).
    for (const r of restocks) r.line.quantity = Math.max(r.line.qty_delivered, r.line.quantity - r.quantity);
    if (restocks.length) this.syncPickings(so);
    const id = this.id();
    this.state.creditNotes.set(id, {
      id,
      name: `RINV/${String(id).padStart(5, '0')}`,
      sale_order_id: so.id,
      refund_gid: refundGid,
      state: 'posted',
      amount_total: amount,
      lines: cnLines,
      binding: newBinding(refundGid),
    });
    this.markSynced(this.state.creditNotes.get(id)!.binding, 'synced', null);
    return { status: 'created', credit_note_id: id, amount_total: formatCents(amount) };
  }

  applyReturn(doc: ReturnDocument): ApplyReturnResult {
    const returnGid = requireString(doc.return_gid, 'apply_return: return_gid');
    const existing = [...this.state.pickings.values()].find((p) => p.return_gid === returnGid);
    if (existing) return { status: 'unchanged', picking_id: existing.id };
    const orderGid = requireString(doc.order_gid, 'apply_return: order_gid');
    const so = [...this.state.saleOrders.values()].find((o) => o.order_gid === orderGid);
    const label = `return ${returnGid}`;
    if (!so) throw validationError(`${label}: order ${orderGid} is unknown in Odoo`);
    const moves = (doc.lines ?? []).map((l, index) => {
      const where = `${label} line ${index + 1}`;
      const line = so.lines.find((sl) => sl.line_gid === l.line_gid);
      if (!line || line.product_id === null) throw validationError(`${where}: line ${l.line_gid} is not on order ${so.client_order_ref ?? orderGid}`);
      const quantity = requireQuantity(l.quantity, where);
      const pendingReturns = [...this.state.pickings.values()]
        .filter((p) => p.return_of_order === so.id && p.state === 'assigned')
        .flatMap((p) => p.moves)
        .filter((m) => m.sale_line_id === line.id)
        .reduce((s, m) => s + m.quantity, 0);
      if (quantity > line.qty_delivered - pendingReturns) {
        throw validationError(`${where}: cannot return ${quantity} of "${line.sku}", only ${line.qty_delivered - pendingReturns} delivered and not returned`);
      }
      return { product_id: line.product_id, sale_line_id: line.id, quantity, reserved: 0, quantity_done: 0 };
    });
    const picking = this.newPicking(so.warehouse_id, 'incoming', so.id);
    picking.return_of_order = so.id;
    picking.return_gid = returnGid;
    picking.moves = moves;
    picking.binding = newBinding(returnGid);
    return { status: 'created', picking_id: picking.id };
  }

  upsertCustomer(doc: CustomerDocument): UpsertCustomerResult {
    return this.upsertCustomerRecord(doc);
  }

  upsertCustomerRecord(doc: CustomerDocument): UpsertCustomerResult {
    const gid = doc.customer_gid ?? null;
    const email = normaliseEmail(doc.email);
    const contacts = [...this.state.partners.values()].filter((p) => p.parent_id === null && !p.erased);
    // Matching: by customer GID, then by normalised email, never by name (contract).
    let partner = gid ? contacts.find((p) => p.binding.shopify_gid === gid) : undefined;
    let status: UpsertCustomerResult['status'] = 'updated';
    if (!partner && email) {
      partner = contacts.find((p) => normaliseEmail(p.email) === email && (!p.binding.shopify_gid || !gid));
      if (partner) status = 'linked';
    }
    const name = [doc.first_name, doc.last_name].filter(Boolean).join(' ') || doc.email || 'Shopify customer';
    const address = doc.default_address;
    const values = {
      name,
      first_name: doc.first_name ?? null,
      last_name: doc.last_name ?? null,
      email: doc.email ? doc.email.trim() : null,
      phone: doc.phone ?? null,
      company: address?.company ?? null,
      street: address?.address1 ?? null,
      street2: address?.address2 ?? null,
      city: address?.city ?? null,
      state_code: address?.province_code ?? null,
      zip: address?.zip ?? null,
      country_code: address?.country_code ?? null,
    };
    if (!partner) {
      partner = this.createPartner(values);
      partner.binding = newBinding(gid);
      partner.customer_updated_at = doc.updated_at ?? null;
      this.markSynced(partner.binding, 'synced', null);
      return { status: 'created', partner_id: partner.id };
    }
    const changed = (Object.keys(values) as Array<keyof typeof values>).some((k) => partner![k] !== values[k]);
    if (status === 'updated' && !changed) return { status: 'unchanged', partner_id: partner.id };
    Object.assign(partner, values);
    if (gid) partner.binding.shopify_gid = gid;
    partner.customer_updated_at = doc.updated_at ?? partner.customer_updated_at;
    this.markSynced(partner.binding, 'synced', null);
    return { status, partner_id: partner.id };
  }

  exportCustomers(doc: Record<string, unknown>): { customers: ExportedCustomer[] } {
    if (!Array.isArray(doc.partner_ids)) throw validationError('export_customers: partner_ids must be a list');
    return { customers: (doc.partner_ids as number[]).map((id) => this.customerDocument(this.partner(id))) };
  }

  customerDocument(p: Partner): ExportedCustomer {
    const hasAddress = Boolean(p.street || p.city || p.zip || p.country_code);
    return {
      partner_id: p.id,
      customer_gid: p.binding.shopify_gid,
      email: p.email,
      first_name: p.first_name ?? (p.last_name ? null : p.name),
      last_name: p.last_name,
      phone: p.phone,
      default_address: hasAddress
        ? { name: p.name, company: p.company, address1: p.street, address2: p.street2, city: p.city, province_code: p.state_code, zip: p.zip, country_code: p.country_code, phone: p.phone }
        : null,
      updated_at: p.customer_updated_at,
    };
  }

  eraseCustomer(doc: Record<string, unknown>): EraseCustomerResult {
    const gid = typeof doc.customer_gid === 'string' && doc.customer_gid ? doc.customer_gid : null;
    const email = normaliseEmail(typeof doc.email === 'string' ? doc.email : null);
    if (!gid && !email) throw validationError('erase_customer: customer_gid or email is required');
    const targets = [...this.state.partners.values()].filter(
      (p) => p.parent_id === null && ((gid && p.binding.shopify_gid === gid) || (email && normaliseEmail(p.email) === email)),
    );
    if (targets.length === 0) return { status: 'not_found', partner_ids: [] };
    for (const p of targets) this.anonymise(p);
    return { status: 'erased', partner_ids: targets.map((p) => p.id) };
  }

  /** Clears personal data on the partner and its address children; keeps the record for accounting. */
  anonymise(p: Partner): void {
    const children = [...this.state.partners.values()].filter((c) => c.parent_id === p.id);
    for (const target of [p, ...children]) {
      Object.assign(target, {
        name: `Erased customer ${p.id}`,
        first_name: null,
        last_name: null,
        email: null,
        phone: null,
        company: null,
        street: null,
        street2: null,
        city: null,
        state_code: null,
        zip: null,
        country_code: null,
        active: false,
        erased: true,
      });
    }
  }

  exportDelivery(doc: Record<string, unknown>): FulfilmentDocument {
    if (typeof doc.picking_id !== 'number') throw validationError('export_delivery: picking_id must be an integer');
    const picking = this.picking(doc.picking_id);
    const so = picking.sale_order_id === null ? null : this.state.saleOrders.get(picking.sale_order_id);
    if (!so?.order_gid) throw validationError(`export_delivery: picking ${picking.name} is not linked to a Shopify order`);
    const isReturn = picking.picking_type === 'incoming';
    return {
      picking_id: picking.id,
      order_gid: so.order_gid,
      is_return: isReturn,
      lines: picking.moves
        .filter((m) => (picking.state === 'done' ? m.quantity_done : m.quantity) > 0)
        .map((m) => {
          const line = so.lines.find((l) => l.id === m.sale_line_id);
          return { line_gid: line?.line_gid ?? '', sku: this.variant(m.product_id).sku ?? '', quantity: picking.state === 'done' ? m.quantity_done : m.quantity };
        }),
      tracking: { ...picking.tracking },
      fulfillment_gids: [...picking.fulfillment_gids],
    };
  }

  recordSyncResult(doc: RecordSyncResultParams): { ok: true } {
    this.writeSyncResult(doc);
    for (const child of doc.children ?? []) this.writeSyncResult({ state: doc.state, ...child });
    return { ok: true };
  }

  private writeSyncResult(doc: RecordSyncResultParams & { shopify_inventory_item_gid?: string | null }): void {
    if (!SYNC_MODELS.has(doc.model)) throw validationError(`record_sync_result: model "${doc.model}" has no Shopify binding`);
    if (!['pending', 'synced', 'error', 'ignored'].includes(doc.state)) throw validationError(`record_sync_result: state "${doc.state}" is not one of pending, synced, error, ignored`);
    const table = {
      'product.template': this.state.templates,
      'product.product': this.state.variants,
      'res.partner': this.state.partners,
      'sale.order': this.state.saleOrders,
      'stock.picking': this.state.pickings,
      'account.move': this.state.creditNotes,
    }[doc.model] as Map<number, { id: number; binding: Binding }>;
    const record = table.get(doc.res_id);
    if (!record) throw missingError(doc.model, doc.res_id);
    if (doc.shopify_gid) {
      if (doc.model === 'stock.picking') {
        const picking = record as unknown as Picking;
        if (!picking.fulfillment_gids.includes(doc.shopify_gid)) picking.fulfillment_gids.push(doc.shopify_gid);
      } else {
        // The database enforces one Shopify ID per shop (unique constraint → ValidationError).
        const clash = [...table.values()].find((r) => r.id !== record.id && r.binding.shopify_gid === doc.shopify_gid);
        if (clash) throw validationError(`record_sync_result: ${doc.shopify_gid} is already bound to ${doc.model} ${clash.id}`);
        record.binding.shopify_gid = doc.shopify_gid;
      }
    }
    if (doc.model === 'product.product' && doc.shopify_inventory_item_gid) (record as unknown as Variant).inventory_item_gid = doc.shopify_inventory_item_gid;
    if (doc.content_hash !== undefined) record.binding.content_hash = doc.content_hash ?? null;
    this.markSynced(record.binding, doc.state, doc.message ?? null);
  }
}

export function createOdooDouble(options: OdooDoubleOptions = {}): OdooDouble {
  return new OdooDouble(options);
}
