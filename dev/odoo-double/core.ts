/**
 * The double's Odoo: in-memory state plus what the addon's models do besides the contract
 * methods (docs/odoo-double.md): the outbox hooks (emit, with the origin flag that silences the
 * sidecar's own writes), binding results, stock and reservations, deliveries, partners and
 * order amounts. The contract methods (./api/<area>.ts) and the merchant side (./merchant.ts)
 * both work on it.
 */
import { randomUUID } from 'node:crypto';
import type { BindingState, OutboxEvent, OutboxEventType } from '../../sidecar/odoo/contract.js';
import { missingError } from './errors.js';
import {
  createState,
  newBinding,
  type Binding,
  type Move,
  type OdooState,
  type AccountLine,
  type Partner,
  type Picking,
  type SaleLine,
  type SaleOrder,
  type Settings,
  type Template,
  type Variant,
} from './state.js';
import { documentAmounts, formatMoney, taxOf, untaxedOf } from './values.js';

export interface OdooDoubleOptions {
  /** Injected clock (epoch ms) for leases and timestamps. Default Date.now. */
  now?: () => number;
  /** Warehouses to create; default two: WH → gid://shopify/Location/1, WH2 → gid://shopify/Location/2. */
  warehouses?: Array<{ name: string; code: string; location_gid: string | null }>;
  /** Sales taxes in the double's chart; default "VAT 20%" and "VAT 10%", price-excluded. */
  taxes?: Array<{ name: string; rate: number; price_include?: boolean }>;
  settings?: Partial<Settings>;
}

export const COALESCED_TYPES: ReadonlySet<OutboxEventType> = new Set<OutboxEventType>([
  'product.changed',
  'stock.changed',
  'customer.changed',
  'order.reimport',
]);

export class DoubleCore {
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

  /**
   * The Odoo transaction the current call or merchant action runs in: outbox rows remember it,
   * because a transaction coalesces only its own pending rows (see `emit`).
   */
  private transaction = 0;

  /** Runs a contract method: with the origin flag set, as the addon does for every call, in a transaction of its own. */
  asSidecar<T>(run: () => T): T {
    this.origin = true;
    try {
      return this.inTransaction(run);
    } finally {
      this.origin = false;
    }
  }

  /**
   * Runs one merchant action or contract call as one Odoo transaction. Whatever the core is asked
   * to do outside such a call (tests poking it directly) runs in the transaction between two calls.
   */
  inTransaction<T>(run: () => T): T {
    this.transaction += 1;
    try {
      return run();
    } finally {
      this.transaction += 1;
    }
  }

  /** True while a contract method runs. */
  get fromSidecar(): boolean {
    return this.origin;
  }

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
  emit(
    type: OutboxEventType,
    model: OutboxEvent['model'],
    resId: number,
    key: string,
    payload: Record<string, unknown>,
    force = false,
  ): void {
    if (this.origin && !force) return;
    // Coalesced types: a transaction writes at most one pending row per (type, key); rows other
    // transactions wrote are collapsed when leased (pull_events), never here: one of them may be
    // leased, and read by the sidecar, while this transaction runs (docs/contract.md, OutboxEvent).
    const transaction = this.transaction;
    if (
      COALESCED_TYPES.has(type) &&
      this.state.outbox.some((e) => e.type === type && e.key === key && e.state === 'pending' && e.transaction === transaction)
    )
      return;
    this.state.outbox.push({
      transaction,
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

  /**
   * The account.move `_post` hook: credit notes of Shopify orders. A credit note reversing an
   * open invoice is reconciled with it (Odoo's `_reconcile_reversed_moves`).
   */
  creditNotePosted(creditNoteId: number): void {
    const cn = this.state.creditNotes.get(creditNoteId)!;
    const invoice = cn.reversed_invoice_id ? this.state.invoices.get(cn.reversed_invoice_id) : undefined;
    const applied = invoice && invoice.state === 'posted' ? Math.min(invoice.amount_residual, cn.amount_total) : 0;
    if (invoice) invoice.amount_residual -= applied;
    cn.amount_residual = cn.amount_total - applied;
    const so = this.saleOrder(cn.sale_order_id);
    if (!so.order_gid || cn.state !== 'posted') return;
    this.emit('credit_note.posted', 'account.move', cn.id, `order:${so.order_gid}`, {
      move_id: cn.id,
      sale_order_id: so.id,
      order_gid: so.order_gid,
      amount_total: formatMoney(cn.amount_total),
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

  /** One line's untaxed amount and tax, in cents: one rounding per line (Odoo's default round_per_line). */
  lineAmounts(priceUnit: number, quantity: number, taxIds: readonly number[]): { untaxed: number; tax: number } {
    const base = priceUnit * quantity;
    const taxes = taxIds.map((id) => this.state.taxes.get(id)!);
    if (taxes.some((t) => t.price_include)) {
      const excluded = untaxedOf(
        base,
        taxes.reduce((s, t) => s + t.rate, 0),
      );
      return { untaxed: excluded, tax: base - excluded };
    }
    return { untaxed: base, tax: taxes.reduce((s, t) => s + taxOf(base, t.rate), 0) };
  }

  /** A document's (order, invoice, credit note) untaxed amount and tax under the company's tax rounding. */
  amountsOf(lines: ReadonlyArray<{ base: number; tax_ids: readonly number[] }>): { untaxed: number; tax: number } {
    const taxed = lines.map((l) => ({ base: l.base, taxes: l.tax_ids.map((id) => this.state.taxes.get(id)!) }));
    return documentAmounts(taxed, this.state.settings.tax_rounding);
  }

  /** An account move's total from its lines (the company's tax rounding). */
  moveTotal(lines: readonly AccountLine[]): number {
    const { untaxed, tax } = this.amountsOf(lines.map((l) => ({ base: l.base, tax_ids: l.tax_ids })));
    return untaxed + tax;
  }

  computeAmounts(so: SaleOrder): void {
    // Discounts are their own lines.
    const { untaxed, tax } = this.amountsOf(so.lines.map((l) => ({ base: l.price_unit * l.quantity, tax_ids: l.tax_ids })));
    so.amount_untaxed = untaxed;
    so.amount_tax = tax;
    so.amount_total = untaxed + tax;
  }

  /** Odoo's qty_invoiced: invoiced minus credited units of the line, drafts included (not cancelled ones). */
  qtyInvoiced(line: SaleLine): number {
    let qty = 0;
    for (const inv of this.state.invoices.values())
      if (inv.state !== 'cancel') for (const l of inv.lines) if (l.sale_line_id === line.id) qty += l.quantity;
    for (const cn of this.state.creditNotes.values()) for (const l of cn.lines) if (l.sale_line_id === line.id) qty -= l.quantity;
    return qty;
  }

  /** The order has a customer invoice that is not cancelled. */
  invoiced(so: SaleOrder): boolean {
    return [...this.state.invoices.values()].some((inv) => inv.sale_order_id === so.id && inv.state !== 'cancel');
  }

  /** Units of a product line not delivered (or delivered and returned). */
  undelivered(line: SaleLine): number {
    return Math.max(0, line.quantity - line.qty_delivered);
  }

  /** A credit note line for `quantity` of a sale line at `priceUnit`, with the line's taxes. */
  accountLine(
    name: string,
    saleLine: SaleLine | null,
    kind: AccountLine['kind'],
    quantity: number,
    priceUnit: number,
    taxIds: readonly number[],
  ): AccountLine {
    const { untaxed, tax } = this.lineAmounts(priceUnit, quantity, taxIds);
    return {
      name,
      sale_line_id: saleLine?.id ?? null,
      kind,
      quantity,
      untaxed,
      amount: untaxed + tax,
      base: priceUnit * quantity,
      tax_ids: [...taxIds],
    };
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

  /**
   * Receives part of a return picking: `take` units per move id (moves not listed: none). What
   * is not received stays to receive in a backorder that keeps the return's GID, or is dropped
   * when `close` (Odoo's validation with and without backorder).
   */
  receiveReturnPicking(picking: Picking, take: ReadonlyMap<number, number>, close: boolean): void {
    const rest = picking.moves
      .map((m) => ({ move: m, left: m.quantity - (take.get(m.id) ?? 0) }))
      .filter((x) => x.left > 0)
      .map(({ move, left }) => this.newMove(move.product_id, move.sale_line_id, left));
    picking.moves = picking.moves.filter((m) => (take.get(m.id) ?? 0) > 0);
    for (const move of picking.moves) move.quantity = take.get(move.id)!;
    if (rest.length && !close) {
      const backorder = this.newPicking(picking.warehouse_id, 'incoming', picking.sale_order_id);
      Object.assign(backorder, { moves: rest, backorder_of: picking.id, return_of: picking.return_of, return_gid: picking.return_gid });
    }
    this.validateReturnPicking(picking);
  }

  /** A return picking validated (by a user, or by a refund's restock): the goods are back on hand. */
  validateReturnPicking(picking: Picking): void {
    const so = this.orderOf(picking);
    for (const move of picking.moves) {
      move.quantity_done = move.quantity;
      this.setOnHand(move.product_id, picking.warehouse_id, this.onHand(move.product_id, picking.warehouse_id) + move.quantity);
      const line = so?.lines.find((l) => l.id === move.sale_line_id);
      if (line && move.to_refund !== false) line.qty_delivered -= move.quantity;
      this.stockChanged(move.product_id, picking.warehouse_id);
    }
    picking.state = 'done';
    if (so?.order_gid && !this.origin) {
      picking.validated_by_user = true;
      picking.binding.state = 'pending';
    }
    if (so?.order_gid)
      this.emit('return.done', 'stock.picking', picking.id, `order:${so.order_gid}`, {
        picking_id: picking.id,
        sale_order_id: so.id,
        order_gid: so.order_gid,
      });
  }

  /**
   * A done return a user received, of a Shopify order, not processed in Shopify yet, whose refund
   * goes with the Shopify return (settings.return_refund) and nobody chose to process it without
   * one (the addon's StockPicking._shopify_return_held).
   */
  returnHeld(picking: Picking): boolean {
    return (
      this.state.settings.return_refund === 'return' &&
      picking.picking_type === 'incoming' &&
      picking.state === 'done' &&
      picking.validated_by_user === true &&
      !picking.return_no_refund &&
      picking.binding.state === 'pending' &&
      Boolean(this.orderOf(picking)?.order_gid)
    );
  }

  /**
   * Held, and a credit note is expected for its units: more of a returned line invoiced than stays
   * delivered, or a credit note of the order is posted and not refunded in Shopify yet.
   */
  awaitsCreditNote(picking: Picking): boolean {
    if (!this.returnHeld(picking)) return false;
    const so = this.orderOf(picking)!;
    const expected = picking.moves.some((m) => {
      const line = so.lines.find((l) => l.id === m.sale_line_id);
      return line !== undefined && this.qtyInvoiced(line) > line.qty_delivered;
    });
    return (
      expected ||
      [...this.state.creditNotes.values()].some(
        (c) =>
          c.sale_order_id === so.id &&
          c.state === 'posted' &&
          !c.binding.shopify_gid &&
          c.binding.state === 'pending' &&
          // Sent to the sidecar (the addon marks its binding pending when it emits credit_note.posted).
          this.state.outbox.some((e) => e.type === 'credit_note.posted' && e.res_id === c.id),
      )
    );
  }
}
