/**
 * The merchant side of the Odoo double: what a user does in Odoo's UI, for tests and the demo.
 * Each action runs without the origin flag, so it emits the outbox events the addon's hooks
 * emit (docs/contract.md, OutboxEvent): product.changed, stock.changed, customer.changed,
 * customer.erased, delivery.done, return.done, credit_note.posted.
 */
import type { Gid, Money, SyncModel } from '../../sidecar/odoo/contract.js';
import { OdooPermanentError } from '../../sidecar/odoo/errors.js';
import type {
  BindingView,
  FailureView,
  MerchantDriver,
  MerchantSettings,
  OrderInvoiceView,
  PaymentView,
  PartnerView,
  PickingView,
  PrivacyRequestView,
  ProductSpec,
  SaleOrderView,
  Tracking,
} from '../conformance/target.js';
import type { OdooDouble } from './double.js';
import { toMinor, MoneyError } from '../../sidecar/rules/money.js';
import { invoiceDelivered, reconcileOrder } from './api/payments.js';
import { recheck, startErasure } from './api/privacy.js';
import { failureRows, storedStatus } from './api/status.js';
import { formatMoney, moneyPlaces, useCurrency } from './values.js';
import { newBinding, type AccountLine, type Binding, type Picking, type SaleOrder } from './state.js';

const userError = (message: string) =>
  new OdooPermanentError(`odoo merchant: UserError: ${message}`, { odooName: 'odoo.exceptions.UserError' });

/** What Odoo's form does with an amount typed by the user: exact minor units of the company currency, or an error. */
function cents(amount: Money): number {
  try {
    return Number(toMinor(amount, moneyPlaces()));
  } catch (error) {
    if (error instanceof MoneyError) throw userError(`"${amount}" is not an amount`);
    throw error;
  }
}

export class DoubleMerchant implements MerchantDriver {
  readonly name = 'odoo-double';
  constructor(private readonly odoo: OdooDouble) {}

  /**
   * Runs a merchant action as one Odoo transaction (a user's save in Odoo's UI), as the driver's
   * asynchronous interface expects: an error becomes a rejection.
   */
  private later<T>(action: () => T): Promise<T> {
    // The merchant's amounts are in the company currency, with its decimals (values.ts `useCurrency`).
    return new Promise((resolve) =>
      resolve(
        this.odoo.inTransaction(() => {
          useCurrency(this.odoo.state.settings.company_currency);
          return action();
        }),
      ),
    );
  }

  /** The amounts of an order and of its invoices, credit notes, payments and refunds are read in the order's currency, with its decimals. */
  private inOrderCurrency(saleOrderId: number): void {
    useCurrency(this.odoo.saleOrder(saleOrderId).currency ?? this.odoo.state.settings.company_currency);
  }

  warehouses() {
    return this.later(() => {
      return [...this.odoo.state.warehouses.values()]
        .filter((w) => w.location_gid)
        .map((w) => ({ id: w.id, location_gid: w.location_gid! }));
    });
  }

  configure(settings: MerchantSettings): Promise<void> {
    return this.later(() => {
      const s = this.odoo.state.settings;
      if (settings.import_policy) s.import_policy = settings.import_policy;
      if (settings.safety_stock !== undefined) s.safety_stock = settings.safety_stock;
      if (settings.fulfillment_policy) s.fulfillment_policy = settings.fulfillment_policy;
      if (settings.edit_removal_policy) s.edit_removal_policy = settings.edit_removal_policy;
      if (settings.return_refund) s.return_refund = settings.return_refund;
      if (settings.tax_mapping) {
        s.tax_mapping = settings.tax_mapping.map((m) => {
          let tax = [...this.odoo.state.taxes.values()].find((t) => t.name === m.tax);
          // Created when missing, as the real merchant does.
          if (!tax) {
            tax = { id: this.odoo.id(), name: m.tax, rate: m.rate, price_include: Boolean(m.price_include) };
            this.odoo.state.taxes.set(tax.id, tax);
          }
          return { title: m.title, rate: m.rate, tax_id: tax.id };
        });
      }
      if (settings.tax_rounding) s.tax_rounding = settings.tax_rounding;
      if (settings.tax_source) s.tax_source = settings.tax_source;
      if (settings.tax_tolerance !== undefined) s.tax_tolerance = cents(settings.tax_tolerance);
      if (settings.currency_policy) s.currency_policy = settings.currency_policy;
      if (settings.presentment_policy) s.presentment_policy = settings.presentment_policy;
      if (settings.price_digits !== undefined) s.price_digits = settings.price_digits;
      if (settings.invoice_policy) s.invoice_policy = settings.invoice_policy;
      if (settings.gateways) s.gateway_journals = settings.gateways.map((g) => ({ ...g }));
      if (settings.gift_card !== undefined) {
        s.gift_card_journal = settings.gift_card?.journal ?? null;
        s.gift_card_account = settings.gift_card?.account ?? null;
      }
    });
  }

  setCurrency(code: string, options: { rate: string; pricelist: boolean }) {
    return this.later(() => {
      const existing = this.odoo.state.currencies.get(code);
      const [whole = '0', fraction = ''] = options.rate.split('.');
      this.odoo.state.currencies.set(code, {
        code,
        rate_millionths: BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6)),
        pricelist_id: options.pricelist ? (existing?.pricelist_id ?? this.odoo.id()) : null,
      });
    });
  }

  readOrderCurrency(saleOrderId: number) {
    return this.later(() => {
      const so = this.odoo.saleOrder(saleOrderId);
      this.inOrderCurrency(saleOrderId);
      return {
        currency: so.currency ?? this.odoo.state.settings.company_currency,
        shopify_currency: so.shopify_currency ?? null,
        amount_total: formatMoney(so.amount_total),
      };
    });
  }

  readPayments(saleOrderId: number): Promise<PaymentView[]> {
    return this.later(() => {
      this.inOrderCurrency(saleOrderId);
      return [...this.odoo.state.payments.values()]
        .filter((p) => p.sale_order_id === saleOrderId)
        .map((p) => ({
          transaction_gid: p.transaction_gid,
          payment_type: p.payment_type,
          amount: formatMoney(p.amount),
          journal: p.journal,
          reconciled: p.residual === 0,
        }));
    });
  }

  readOrderInvoices(saleOrderId: number): Promise<OrderInvoiceView[]> {
    return this.later(() => {
      this.inOrderCurrency(saleOrderId);
      return [...this.odoo.state.invoices.values()]
        .filter((inv) => inv.sale_order_id === saleOrderId)
        .map((inv) => {
          const so = this.odoo.saleOrder(saleOrderId);
          const giftLines = inv.lines.filter((l) => so.lines.find((sl) => sl.id === l.sale_line_id)?.gift_card);
          return {
            id: inv.id,
            state: inv.state,
            amount_total: formatMoney(inv.amount_total),
            amount_residual: formatMoney(inv.amount_residual),
            gift_card_amount: formatMoney(giftLines.reduce((sum, l) => sum + l.amount, 0)),
          };
        });
    });
  }

  readOrderCreditNotes(saleOrderId: number) {
    return this.later(() => {
      this.inOrderCurrency(saleOrderId);
      return [...this.odoo.state.creditNotes.values()]
        .filter((cn) => cn.sale_order_id === saleOrderId)
        .sort((a, b) => a.id - b.id)
        .map((cn) => ({
          id: cn.id,
          amount_total: formatMoney(cn.amount_total),
          state: cn.state,
          refund_gid: cn.binding.shopify_gid,
          edit_refund_gids: [...this.odoo.state.refunds.values()]
            .filter((r) => r.edit_credit_note_ids?.includes(cn.id))
            .sort((a, b) => a.id - b.id)
            .map((r) => r.refund_gid),
        }));
    });
  }

  companyCurrency() {
    return this.later(() => this.odoo.state.settings.company_currency);
  }

  createProduct(spec: ProductSpec) {
    return this.later(() => {
      const odoo = this.odoo;
      const templateId = odoo.id();
      odoo.state.templates.set(templateId, {
        id: templateId,
        name: spec.name,
        description: spec.description ?? null,
        active: true,
        list_price: cents(spec.price),
        options: (spec.options ?? []).map((o) => ({
          name: o.name,
          values: o.values.map((v) => ({ value: v.value, price_extra: v.price_extra ? cents(v.price_extra) : 0 })),
        })),
        binding: newBinding(),
      });
      const variants: Record<string, number> = {};
      for (const v of spec.variants) {
        if (v.barcode && [...odoo.state.variants.values()].some((x) => x.barcode === v.barcode)) {
          throw new OdooPermanentError(
            `odoo merchant: ValidationError: Barcode(s) already assigned:\n\n- Barcode "${v.barcode}" already assigned`,
            { odooName: 'odoo.exceptions.ValidationError' },
          );
        }
        const id = odoo.id();
        odoo.state.variants.set(id, {
          id,
          template_id: templateId,
          sku: v.sku,
          barcode: v.barcode ?? null,
          active: true,
          option_values: Object.entries(v.option_values ?? {}).map(([option, value]) => ({ option, value })),
          binding: newBinding(),
          inventory_item_gid: null,
        });
        variants[v.sku ?? `#${id}`] = id;
      }
      odoo.productChanged(templateId, 'create');
      return { template_id: templateId, variants };
    });
  }

  setProductPrice(templateId: number, price: Money) {
    return this.later(() => {
      this.odoo.template(templateId).list_price = cents(price);
      this.odoo.productChanged(templateId, 'write');
    });
  }

  archiveProduct(templateId: number) {
    return this.later(() => {
      const t = this.odoo.template(templateId);
      t.active = false;
      for (const v of this.odoo.state.variants.values()) if (v.template_id === templateId) v.active = false;
      this.odoo.productChanged(templateId, 'archive');
    });
  }

  setStock(productId: number, warehouseId: number, quantity: number) {
    return this.later(() => {
      this.odoo.variant(productId);
      this.odoo.setOnHand(productId, warehouseId, quantity);
      this.odoo.stockChanged(productId, warehouseId);
    });
  }

  createSaleOrder(spec: { warehouse_id: number; lines: Array<{ product_id: number; quantity: number }> }) {
    return this.later(() => {
      const odoo = this.odoo;
      const partner = odoo.createPartner({ name: 'Walk-in customer' });
      const id = odoo.id();
      odoo.state.saleOrders.set(id, {
        id,
        name: `S${String(id).padStart(5, '0')}`,
        partner_id: partner.id,
        partner_invoice_id: partner.id,
        partner_shipping_id: partner.id,
        state: 'sale',
        warehouse_id: spec.warehouse_id,
        order_gid: null,
        client_order_ref: null,
        financial_status: null,
        fulfillment_status: null,
        presentment_currency: null,
        note: null,
        updated_at: null,
        needs_return: false,
        taxes_included: false,
        lines: spec.lines.map((l) => {
          const v = odoo.variant(l.product_id);
          return {
            id: odoo.id(),
            line_gid: null,
            role: 'manual' as const,
            product_id: v.id,
            sku: v.sku,
            name: v.sku ?? '',
            quantity: l.quantity,
            price_unit: odoo.variantPrice(v),
            tax_ids: [],
            qty_delivered: 0,
          };
        }),
        amount_untaxed: 0,
        amount_tax: 0,
        amount_total: 0,
        document_hash: null,
        binding: newBinding(),
      });
      const so = odoo.saleOrder(id);
      odoo.computeAmounts(so);
      // Confirming reserves stock; the quant hook reports it (reserve() emits stock.changed).
      odoo.syncPickings(so);
      const picking = [...odoo.state.pickings.values()].find((p) => p.sale_order_id === id)!;
      return { sale_order_id: id, picking_id: picking.id };
    });
  }

  validateDelivery(pickingId: number, options: { quantities?: Record<number, number>; tracking?: Tracking } = {}) {
    return this.later(() => {
      const odoo = this.odoo;
      const picking = odoo.picking(pickingId);
      if (picking.state !== 'assigned' || picking.picking_type !== 'outgoing')
        throw userError(`${picking.name} cannot be validated (state ${picking.state})`);
      if (options.tracking) this.applyTracking(picking, options.tracking);
      const remaining: Picking['moves'] = [];
      for (const move of picking.moves) {
        const done = options.quantities?.[move.product_id] ?? move.quantity;
        const onHand = odoo.onHand(move.product_id, picking.warehouse_id);
        odoo.setOnHand(move.product_id, picking.warehouse_id, onHand - done);
        move.quantity_done = done;
        if (done < move.quantity) remaining.push({ ...odoo.newMove(move.product_id, move.sale_line_id, move.quantity - done) });
        move.quantity = done;
        move.reserved = 0;
        const so = picking.sale_order_id === null ? null : odoo.state.saleOrders.get(picking.sale_order_id);
        const line = so?.lines.find((l) => l.id === move.sale_line_id);
        if (line) line.qty_delivered += done;
      }
      picking.state = 'done';
      let backorder: Picking | null = null;
      if (remaining.length) {
        backorder = odoo.newPicking(picking.warehouse_id, 'outgoing', picking.sale_order_id);
        backorder.backorder_of = picking.id;
        backorder.moves = remaining;
        odoo.reserve(backorder);
      }
      for (const m of picking.moves) odoo.stockChanged(m.product_id, picking.warehouse_id);
      this.emitDelivery(picking);
      const deliveredOrder = picking.sale_order_id === null ? undefined : odoo.state.saleOrders.get(picking.sale_order_id);
      if (deliveredOrder?.order_gid) invoiceDelivered(odoo, deliveredOrder);
      return { backorder_id: backorder?.id ?? null };
    });
  }

  private applyTracking(picking: Picking, tracking: Tracking) {
    picking.tracking = { number: tracking.number, company: tracking.company ?? null, url: tracking.url ?? null };
  }

  private emitDelivery(picking: Picking) {
    const so = this.odoo.orderOf(picking);
    if (!so?.order_gid || picking.state !== 'done') return;
    this.odoo.emit('delivery.done', 'stock.picking', picking.id, `order:${so.order_gid}`, {
      picking_id: picking.id,
      sale_order_id: so.id,
      order_gid: so.order_gid,
    });
  }

  setTracking(pickingId: number, tracking: Tracking) {
    return this.later(() => {
      const picking = this.odoo.picking(pickingId);
      const before = JSON.stringify(picking.tracking);
      this.applyTracking(picking, tracking);
      // Tracking is often entered after validation: the addon sends delivery.done again when the
      // number or carrier of a done delivery changes, and the sidecar updates the fulfillment's
      // tracking (export_delivery has its fulfillment_gids). Not while the picking's previous
      // delivery.done is still pending: that one already exports the current tracking.
      if (JSON.stringify(picking.tracking) === before) return;
      const pending = this.odoo.state.outbox.some((e) => e.type === 'delivery.done' && e.res_id === picking.id && e.state === 'pending');
      if (!pending) this.emitDelivery(picking);
    });
  }

  validateReturn(pickingId: number) {
    return this.later(() => {
      const odoo = this.odoo;
      const picking = odoo.picking(pickingId);
      if (picking.state !== 'assigned' || picking.picking_type !== 'incoming')
        throw userError(`${picking.name} cannot be validated (state ${picking.state})`);
      odoo.validateReturnPicking(picking);
    });
  }

  processReturnWithoutRefund(pickingId: number) {
    return this.later(() => {
      const odoo = this.odoo;
      const picking = odoo.picking(pickingId);
      if (!odoo.returnHeld(picking))
        throw userError('Only a return received in Odoo that waits for its credit note can be processed in Shopify without a refund.');
      picking.return_no_refund = true;
      const so = odoo.orderOf(picking)!;
      odoo.emit(
        'return.done',
        'stock.picking',
        picking.id,
        `order:${so.order_gid}`,
        { picking_id: picking.id, sale_order_id: so.id, order_gid: so.order_gid },
        true,
      );
    });
  }

  readReturnWaiting(pickingId: number) {
    return this.later(() => this.odoo.returnHeld(this.odoo.picking(pickingId)));
  }

  returnDelivery(pickingId: number, quantities: Record<number, number>) {
    return this.later(() => {
      const odoo = this.odoo;
      const delivery = odoo.picking(pickingId);
      if (delivery.state !== 'done' || delivery.picking_type !== 'outgoing') throw userError('You may only return Done pickings.');
      const picking = odoo.newPicking(delivery.warehouse_id, 'incoming', delivery.sale_order_id);
      picking.return_of = delivery.id;
      picking.moves = delivery.moves
        .filter((m) => (quantities[m.product_id] ?? 0) > 0)
        .map((m) => odoo.newMove(m.product_id, m.sale_line_id, Math.min(quantities[m.product_id]!, m.quantity_done)));
      return { return_picking_id: picking.id };
    });
  }

  postCreditNote(saleOrderId: number, amount: Money, reason: string) {
    return this.later(() => {
      const odoo = this.odoo;
      const so = odoo.saleOrder(saleOrderId);
      const total = cents(amount);
      return { credit_note_id: this.postCredit(so, [odoo.accountLine(reason, null, 'other', 1, total, [])]) };
    });
  }

  creditOrderLines(saleOrderId: number, lines: Array<{ sku: string; quantity: number }>, reason: string) {
    return this.later(() => {
      const odoo = this.odoo;
      const so = odoo.saleOrder(saleOrderId);
      const credit = lines.map(({ sku, quantity }) => {
        const line = so.lines.find((l) => (l.role === 'product' || l.role === 'duty' || l.role === 'fee') && l.sku === sku);
        if (!line) throw userError(`${so.name} has no line with SKU ${sku}`);
        const kind = line.role === 'duty' ? 'duty' : line.role === 'fee' ? 'other' : 'product';
        return odoo.accountLine(`${reason}: ${line.name}`, line, kind, quantity, line.price_unit, line.tax_ids);
      });
      return { credit_note_id: this.postCredit(so, credit) };
    });
  }

  private postCredit(so: SaleOrder, lines: AccountLine[]): number {
    const odoo = this.odoo;
    const id = odoo.id();
    odoo.state.creditNotes.set(id, {
      id,
      name: `RINV/${String(id).padStart(5, '0')}`,
      sale_order_id: so.id,
      refund_gid: null,
      state: 'posted',
      amount_total: odoo.moveTotal(lines),
      reversed_invoice_id: null,
      lines,
      binding: newBinding(),
    });
    odoo.creditNotePosted(id);
    return id;
  }

  /** Odoo's invoicing wizard (final): every line with a quantity to invoice; a negative total is a credit note. */
  invoiceOrder(saleOrderId: number) {
    return this.later(() => {
      const odoo = this.odoo;
      const so = odoo.saleOrder(saleOrderId);
      this.inOrderCurrency(saleOrderId);
      const lines = so.lines
        .map((l) => ({ l, qty: l.quantity - odoo.qtyInvoiced(l) }))
        .filter(({ qty }) => qty !== 0)
        .map(({ l, qty }) =>
          odoo.accountLine(
            l.name,
            l,
            l.role === 'product' ? 'product' : l.role === 'duty' ? 'duty' : 'other',
            qty,
            l.price_unit,
            l.tax_ids,
          ),
        );
      if (!lines.length) throw userError(`${so.name}: there is nothing to invoice`);
      const total = odoo.moveTotal(lines);
      if (total < 0) {
        const credit = lines.map((l) => ({ ...l, quantity: -l.quantity, untaxed: -l.untaxed, amount: -l.amount, base: -l.base }));
        const id = this.postCredit(so, credit);
        return { invoice_id: id, move_type: 'out_refund' as const, amount_total: formatMoney(-total) };
      }
      const id = odoo.id();
      odoo.state.invoices.set(id, {
        id,
        name: `INV/${String(id).padStart(5, '0')}`,
        sale_order_id: so.id,
        state: 'posted',
        amount_total: total,
        amount_residual: total,
        lines,
      });
      // The addon's account.move _post: an invoice posted for a Shopify order takes the order's open Shopify payments.
      if (so.order_gid) reconcileOrder(odoo, so);
      return { invoice_id: id, move_type: 'out_invoice' as const, amount_total: formatMoney(total) };
    });
  }

  createCustomer(values: { name: string; email: string | null; sync?: boolean }) {
    return this.later(() => {
      const p = this.odoo.createPartner({ name: values.name, email: values.email, shopify_sync: values.sync ?? false });
      this.odoo.customerChanged(p.id, 'create');
      return p.id;
    });
  }

  editCustomer(
    partnerId: number,
    values: { name?: string; email?: string | null; phone?: string | null; street?: string | null; city?: string | null },
  ) {
    return this.later(() => {
      const p = this.odoo.partner(partnerId);
      Object.assign(p, values, { write_date: this.odoo.nowIso() });
      if (values.name !== undefined) {
        p.first_name = null;
        p.last_name = null;
      }
      this.odoo.customerChanged(partnerId, 'write');
    });
  }

  archiveCustomer(partnerId: number) {
    return this.later(() => {
      Object.assign(this.odoo.partner(partnerId), { active: false, write_date: this.odoo.nowIso() });
      this.odoo.customerChanged(partnerId, 'archive');
    });
  }

  /** A privacy request: the erasure (or its wait for open orders) and, for a bound customer, customer.erased. */
  eraseCustomer(partnerId: number) {
    return this.later(() => {
      startErasure(this.odoo, partnerId, 'Administrator');
    });
  }

  reimportOrder(saleOrderId: number) {
    return this.later(() => {
      const so = this.odoo.saleOrder(saleOrderId);
      if (!so.order_gid) return;
      this.odoo.emit('order.reimport', 'sale.order', so.id, `order:${so.order_gid}`, { sale_order_id: so.id, order_gid: so.order_gid });
      so.binding.state = 'pending';
    });
  }

  resyncProduct(templateId: number) {
    return this.later(() => {
      this.odoo.productChanged(templateId, 'resync', true);
    });
  }

  readSaleOrders(orderGid: Gid): Promise<SaleOrderView[]> {
    return this.later(() => {
      return [...this.odoo.state.saleOrders.values()]
        .filter((so) => so.order_gid === orderGid)
        .map((so) => {
          const ship = this.odoo.partner(so.partner_shipping_id);
          this.inOrderCurrency(so.id);
          return {
            id: so.id,
            name: so.name,
            state: so.state,
            partner_id: so.partner_id,
            shipping: { street: ship.street, city: ship.city, zip: ship.zip },
            amount_total: formatMoney(so.amount_total),
            lines: so.lines
              .filter((l) => l.role === 'product' || l.role === 'manual')
              .map((l) => ({ sku: l.sku, quantity: l.quantity, qty_delivered: l.qty_delivered })),
          };
        });
    });
  }

  readPickings(saleOrderId: number): Promise<PickingView[]> {
    return this.later(() => {
      return [...this.odoo.state.pickings.values()]
        .filter((p) => p.sale_order_id === saleOrderId)
        .map((p) => ({
          id: p.id,
          picking_type: p.picking_type,
          state: p.state,
          moves: p.moves.map((m) => ({ product_id: m.product_id, quantity: m.quantity })),
        }));
    });
  }

  readPartner(partnerId: number): Promise<PartnerView> {
    return this.later(() => {
      const p = this.odoo.partner(partnerId);
      return { id: p.id, name: p.name, email: p.email, phone: p.phone, street: p.street, city: p.city, active: p.active };
    });
  }

  findPartnersByName(name: string): Promise<number[]> {
    return this.later(() => [...this.odoo.state.partners.values()].filter((p) => p.name === name && p.parent_id === null).map((p) => p.id));
  }

  readCreditNote(id: number) {
    return this.later(() => {
      const cn = this.odoo.state.creditNotes.get(id);
      if (!cn) throw userError(`credit note ${id} does not exist`);
      this.inOrderCurrency(cn.sale_order_id);
      return { amount_total: formatMoney(cn.amount_total), state: cn.state };
    });
  }

  readCreditNoteLines(id: number) {
    return this.later(() => {
      const cn = this.odoo.state.creditNotes.get(id);
      if (!cn) throw userError(`credit note ${id} does not exist`);
      const so = this.odoo.saleOrder(cn.sale_order_id);
      this.inOrderCurrency(cn.sale_order_id);
      return cn.lines.map((l) => ({
        name: l.name,
        quantity: l.quantity,
        price_total: formatMoney(l.amount),
        sale_line_role: l.sale_line_id === null ? null : (so.lines.find((x) => x.id === l.sale_line_id)?.role ?? null),
      }));
    });
  }

  readInvoice(id: number) {
    return this.later(() => {
      const inv = this.odoo.state.invoices.get(id);
      if (!inv) throw userError(`invoice ${id} does not exist`);
      this.inOrderCurrency(inv.sale_order_id);
      return { amount_total: formatMoney(inv.amount_total), amount_residual: formatMoney(inv.amount_residual), state: inv.state };
    });
  }

  readOrderLines(saleOrderId: number) {
    return this.later(() => {
      const odoo = this.odoo;
      const so = odoo.saleOrder(saleOrderId);
      this.inOrderCurrency(saleOrderId);
      const lines = so.lines.map((l) => {
        const { untaxed, tax } = odoo.lineAmounts(l.price_unit, l.quantity, l.tax_ids);
        return {
          role: l.role === 'manual' ? null : l.role,
          sku: l.sku,
          quantity: l.quantity,
          qty_delivered: l.qty_delivered,
          qty_invoiced: odoo.qtyInvoiced(l),
          kept_qty: l.kept_qty ?? 0,
          price_total: formatMoney(untaxed + tax),
        };
      });
      // Odoo's invoice_status: "to invoice" while a line has a quantity to invoice, "invoiced" when every line is.
      const status = so.state !== 'sale' ? 'no' : lines.some((l) => l.quantity - l.qty_invoiced !== 0) ? 'to invoice' : 'invoiced';
      return { amount_total: formatMoney(so.amount_total), invoice_status: status, lines };
    });
  }

  readRefunds(saleOrderId: number) {
    return this.later(() => {
      this.inOrderCurrency(saleOrderId);
      return [...this.odoo.state.refunds.values()]
        .filter((r) => r.sale_order_id === saleOrderId)
        .sort((a, b) => a.id - b.id)
        .map((r) => ({
          refund_gid: r.refund_gid,
          state: r.state,
          amount_total: formatMoney(r.amount_total),
          credit_note_id: r.credit_note_id,
          origin: r.origin,
          return_gid: r.return_gid,
          edit_credit_note_ids: [...(r.edit_credit_note_ids ?? [])],
        }));
    });
  }

  readSidecarHealth() {
    return this.later(() => {
      const health = this.odoo.state.sidecarHealth;
      if (!health) return null;
      return { alert_count: health.alerts.length, dlq_depth: health.dlq_depth, text: health.alerts.map((a) => a.summary).join('\n') };
    });
  }

  shopDomain(): Promise<string> {
    return this.later(() => this.odoo.state.settings.shop_domain ?? 'double.myshopify.com');
  }

  readPrivacyRequests(): Promise<PrivacyRequestView[]> {
    return this.later(() =>
      [...this.odoo.state.privacyRequests.values()]
        .sort((a, b) => a.id - b.id)
        .map((r) => {
          const json = r.attachments.find((a) => a.mimetype === 'application/json');
          return {
            ...{ id: r.id, name: r.name, kind: r.kind, state: r.state, received_at: r.received_at, due_date: r.due_date },
            ...{ done_by: r.done_by, customer_gid: r.customer_gid, waiting_reason: r.waiting_reason, outcome: r.outcome },
            ...{ sidecar_outcome: r.sidecar_outcome, shopify_status: r.shopify_status, shopify_message: r.shopify_message },
            activities: r.activities.map((a) => ({ ...a })),
            export: json ? (JSON.parse(json.content) as Record<string, unknown>) : null,
          };
        }),
    );
  }

  recheckPrivacyRequest(requestId: number): Promise<void> {
    return this.later(() => recheck(this.odoo, requestId, 'Administrator'));
  }

  readSidecarStatus() {
    return this.later(() => storedStatus(this.odoo));
  }

  readFailures(): Promise<FailureView[]> {
    return this.later(() =>
      failureRows(this.odoo).map((r) => ({
        id: r.id,
        state: r.state,
        res_model: r.res_model,
        res_id: r.res_id,
        shopify_gid: r.shopify_gid,
        shopify_name: r.shopify_name,
        amount: r.amount,
        customer_name: r.customer_name,
        attempts: r.attempts,
      })),
    );
  }

  readBinding(model: SyncModel, id: number): Promise<BindingView> {
    return this.later(() => {
      const table: Record<SyncModel, Map<number, { binding: Binding }>> = {
        'product.template': this.odoo.state.templates,
        'product.product': this.odoo.state.variants,
        'res.partner': this.odoo.state.partners,
        'sale.order': this.odoo.state.saleOrders,
        'stock.picking': this.odoo.state.pickings,
        'account.move': this.odoo.state.creditNotes,
      };
      const record = table[model].get(id);
      if (!record) throw userError(`${model} ${id} does not exist`);
      const { state, message, shopify_gid, content_hash } = record.binding;
      return { state, message, shopify_gid, content_hash };
    });
  }

  sleep(seconds: number) {
    return this.later(() => {
      this.odoo.advance(seconds);
    });
  }
}

export function createDoubleMerchant(odoo: OdooDouble): DoubleMerchant {
  return new DoubleMerchant(odoo);
}
