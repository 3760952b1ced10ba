/**
 * The refunds area's conformance scenarios (apply_refund, apply_return, export_credit_note,
 * refund_status, and apply_order's refunds_pending), run against the double and a real Odoo like
 * the rest of ./suite.ts. Amounts: a product at 10.00 with VAT 20 %, two units, shipping 5.00 +
 * 1.00 VAT: 30.00.
 */
import assert from 'node:assert/strict';
import type { OrderDocument, ReturnDocument } from '../../sidecar/odoo/contract.js';
import { OdooPermanentError } from '../../sidecar/odoo/errors.js';
import { gidOf, orderDoc, refundOf, vat } from './fixtures.js';
import { drain, pullAll, rejects, VALIDATION } from './support.js';
import type { AreaContext } from './target.js';

export function defineRefundScenarios(get: () => AreaContext): void {
  /** Two units at 10.00 + 20 % VAT, shipping 5.00 + 1.00: 30.00, imported and confirmed. */
  const taxedOrder = async (extra: Partial<Parameters<typeof orderDoc>[0]> = {}) => {
    const { contract, currency, wh } = get();
    const p = await get().stocked();
    const doc = orderDoc({
      currency,
      location_gid: wh[0]!.location_gid,
      lines: [{ sku: p.sku, quantity: 2, price: '10.00', taxes: [vat('4.00')] }],
      shipping: { price: '5.00', taxes: [vat('1.00')] },
      ...extra,
    });
    const applied = await contract.applyOrder(doc);
    assert.equal(applied.status, 'created');
    return { p, doc, applied, so: applied.sale_order_id };
  };
  /** The order as Shopify has it after refunds of `refunded` units: current quantity and totals. */
  const current = (doc: OrderDocument, quantity: number, refundGids: string[], total: string): OrderDocument => ({
    ...doc,
    updated_at: '2026-11-03T11:00:00Z',
    lines: [{ ...doc.lines[0]!, quantity, tax_lines: [vat(`${2 * quantity}.00`)] }],
    subtotal_price: `${10 * quantity}.00`,
    total_tax: `${2 * quantity + 1}.00`,
    total_price: total,
    refund_gids: refundGids,
  });
  const deliver = async (so: number, quantities?: Record<number, number>) => {
    const { m } = get();
    const open = (await m.readPickings(so)).filter((pk) => pk.picking_type === 'outgoing' && pk.state !== 'done' && pk.state !== 'cancel');
    return m.validateDelivery(open[0]!.id, quantities ? { quantities } : {});
  };
  const product = async (so: number) => (await get().m.readOrderLines(so)).lines.find((l) => l.role === 'product')!;

  describe('refunds before invoicing', () => {
    it('takes units not delivered off the order, with no credit note, and the order update that follows is applied', async () => {
      const { contract, m } = get();
      const { doc, so } = await taxedOrder();
      const refund = refundOf(doc, 'cancel');
      const r = await contract.applyRefund(refund);
      assert.deepEqual([r.status, r.credit_note_id, r.amount_total], ['created', null, '12.00']);
      assert.equal((await product(so)).quantity, 1);
      assert.deepEqual(
        (await m.readRefunds(so)).map((x) => [x.refund_gid, x.state, x.amount_total, x.credit_note_id]),
        [[refund.refund_gid, 'applied', '12.00', null]],
      );
      assert.equal((await contract.applyRefund(refund)).status, 'unchanged');
      const updated = await contract.applyOrder(current(doc, 1, [refund.refund_gid], '18.00'));
      assert.deepEqual([updated.status, updated.amount_total], ['updated', '18.00']);
      // Invoicing afterwards invoices what Shopify kept: 18.00.
      const invoice = await m.invoiceOrder(so);
      assert.deepEqual([invoice.move_type, invoice.amount_total], ['out_invoice', '18.00']);
    });

    it('keeps delivered units refunded without restock on the order: a refund never makes a delivered order held', async () => {
      const { contract, m } = get();
      const { doc, so } = await taxedOrder();
      await deliver(so);
      const refund = refundOf(doc, 'no_restock');
      assert.deepEqual((await contract.applyRefund(refund)).credit_note_id, null);
      const lines = (await m.readOrderLines(so)).lines;
      assert.deepEqual(
        lines.filter((l) => l.role === 'product' || l.role === 'refund').map((l) => [l.role, l.quantity, l.kept_qty, l.price_total]),
        [
          ['product', 2, 1, '24.00'],
          ['refund', -1, 0, '-12.00'],
        ],
      );
      const updated = await contract.applyOrder(current(doc, 1, [refund.refund_gid], '18.00'));
      assert.deepEqual([updated.status, updated.amount_total], ['updated', '18.00']);
      assert.equal((await m.readBinding('sale.order', so)).state, 'synced');
      const invoice = await m.invoiceOrder(so);
      assert.equal(invoice.amount_total, '18.00');
      assert.equal((await m.readOrderLines(so)).invoice_status, 'invoiced');
    });

    it('puts shipping-only and adjustment-only refunds on the order; the adjustment is not in the comparable total', async () => {
      const { contract, m } = get();
      const { doc, so } = await taxedOrder();
      const shipping = await contract.applyRefund({
        ...refundOf(doc, 'no_restock'),
        lines: [],
        shipping: { amount: '5.00', tax: '1.00' },
        total: '6.00',
      });
      assert.deepEqual([shipping.status, shipping.credit_note_id], ['created', null]);
      await contract.applyRefund({
        ...refundOf(doc, 'no_restock'),
        lines: [],
        adjustments: [{ amount: '2.50', reason: 'goodwill' }],
        total: '2.50',
      });
      assert.equal((await m.readOrderLines(so)).amount_total, '21.50');
      const refunds = (await m.readRefunds(so)).map((r) => r.refund_gid);
      // Shopify's current total counts the shipping refund, not the adjustment: 24.00.
      const updated = await contract.applyOrder({
        ...doc,
        updated_at: '2026-11-03T11:00:00Z',
        total_tax: '4.00',
        total_price: '24.00',
        refund_gids: refunds,
      });
      assert.deepEqual([updated.status, updated.amount_total], ['updated', '21.50']);
    });
  });

  describe('refunds after invoicing', () => {
    it('makes a posted credit note linked to the line, reconciled with the invoice, and the order stays invoiced', async () => {
      const { contract, m } = get();
      const { doc, so } = await taxedOrder();
      const invoice = await m.invoiceOrder(so);
      assert.equal(invoice.amount_total, '30.00');
      await drain(contract);
      const r = await contract.applyRefund(refundOf(doc, 'cancel', 1, { note: 'broken' }));
      assert.deepEqual([r.status, r.amount_total], ['created', '12.00']);
      assert.deepEqual(await m.readCreditNote(r.credit_note_id!), { amount_total: '12.00', state: 'posted' });
      assert.deepEqual(
        (await m.readCreditNoteLines(r.credit_note_id!)).map((l) => [l.quantity, l.price_total, l.sale_line_role]),
        [[1, '12.00', 'product']],
      );
      const line = await product(so);
      assert.deepEqual([line.quantity, line.qty_invoiced], [1, 1]);
      assert.equal((await m.readOrderLines(so)).invoice_status, 'invoiced');
      assert.equal((await m.readInvoice(invoice.invoice_id)).amount_residual, '18.00');
      assert.deepEqual(
        (await pullAll(contract)).filter((e) => e.type === 'credit_note.posted'),
        [],
        'made by the sidecar: not sent back to Shopify',
      );
    });

    it('credits a kept unit and shipping through their order lines', async () => {
      const { contract, m } = get();
      const { doc, so } = await taxedOrder();
      await deliver(so);
      await m.invoiceOrder(so);
      const r = await contract.applyRefund(refundOf(doc, 'no_restock', 1, { shipping: { amount: '5.00', tax: '1.00' }, total: '18.00' }));
      assert.deepEqual([r.status, r.amount_total], ['created', '18.00']);
      assert.deepEqual(
        (await m.readCreditNoteLines(r.credit_note_id!)).map((l) => [l.quantity, l.price_total, l.sale_line_role]),
        [
          [1, '12.00', 'refund'],
          [1, '6.00', 'refund'],
        ],
      );
      const order = await m.readOrderLines(so);
      assert.deepEqual([order.amount_total, order.invoice_status], ['12.00', 'invoiced']);
    });

    it('credits a discounted unit at its discounted price, the discount share on a line of its own', async () => {
      const { contract, m } = get();
      const { doc, so } = await taxedOrder({
        lines: [{ sku: (await get().stocked()).sku, quantity: 2, price: '10.00', discount: '3.00', taxes: [vat('3.40')] }],
      });
      await m.invoiceOrder(so);
      const r = await contract.applyRefund({
        ...refundOf(doc, 'cancel'),
        lines: [{ ...refundOf(doc, 'cancel').lines[0]!, subtotal: '8.50', total_tax: '1.70' }],
        total: '10.20',
      });
      assert.deepEqual([r.status, r.amount_total], ['created', '10.20']);
      assert.deepEqual(
        (await m.readCreditNoteLines(r.credit_note_id!)).map((l) => [l.quantity, l.price_total, l.sale_line_role]),
        [
          [1, '12.00', 'product'],
          [1, '-1.80', null],
        ],
      );
      assert.equal((await m.readOrderLines(so)).amount_total, '16.20');
    });

    it('flags a refund whose total differs from the credit note and leaves it in draft', async () => {
      const { contract, m } = get();
      const { doc, so } = await taxedOrder();
      await m.invoiceOrder(so);
      const r = await contract.applyRefund({
        ...refundOf(doc, 'no_restock'),
        lines: [],
        shipping: { amount: '5.00', tax: '1.00' },
        total: '6.50',
      });
      assert.equal(r.status, 'flagged');
      assert.deepEqual(await m.readCreditNote(r.credit_note_id!), { amount_total: '6.00', state: 'draft' });
      const binding = await m.readBinding('account.move', r.credit_note_id!);
      assert.equal(binding.state, 'error');
      assert.match(binding.message ?? '', /differs from Shopify total 6\.50; left in draft/);
      assert.equal((await m.readRefunds(so))[0]!.state, 'flagged');
    });
  });

  describe('refunds that bring goods back', () => {
    it('receives returned units and takes them off the order', async () => {
      const { contract, m } = get();
      const { p, doc, so } = await taxedOrder();
      await deliver(so);
      const before = (await contract.stockLevels({ product_ids: [p.product_id], location_gids: [get().wh[0]!.location_gid] })).levels[0]!;
      await contract.applyRefund(refundOf(doc, 'return'));
      const after = (await contract.stockLevels({ product_ids: [p.product_id], location_gids: [get().wh[0]!.location_gid] })).levels[0]!;
      assert.equal(after.on_hand, before.on_hand + 1);
      const line = await product(so);
      assert.deepEqual([line.quantity, line.qty_delivered], [1, 1]);
      const returns = (await m.readPickings(so)).filter((pk) => pk.picking_type === 'incoming');
      assert.deepEqual(
        returns.map((pk) => pk.state),
        ['done'],
      );
    });

    it('returns a refund over two deliveries with one return picking per delivery', async () => {
      const { contract, m } = get();
      const { p, doc, so } = await taxedOrder();
      await deliver(so, { [p.product_id]: 1 });
      await deliver(so);
      await contract.applyRefund(refundOf(doc, 'return', 2));
      const returns = (await m.readPickings(so)).filter((pk) => pk.picking_type === 'incoming');
      assert.deepEqual(
        returns.map((pk) => [pk.state, pk.moves.map((mv) => mv.quantity)]),
        [
          ['done', [1]],
          ['done', [1]],
        ],
      );
      assert.deepEqual([(await product(so)).quantity, (await product(so)).qty_delivered], [0, 0]);
    });

    it('takes returned units Odoo never delivered off the order without a return picking', async () => {
      const { contract, m } = get();
      const { doc, so } = await taxedOrder();
      const r = await contract.applyRefund(refundOf(doc, 'return'));
      assert.equal(r.status, 'created');
      assert.equal((await product(so)).quantity, 1);
      assert.deepEqual(
        (await m.readPickings(so)).filter((pk) => pk.picking_type === 'incoming'),
        [],
      );
    });

    it('refuses a refund of more than the order holds, and applies nothing of it', async () => {
      const { contract, m } = get();
      const { p, doc, so } = await taxedOrder();
      await deliver(so, { [p.product_id]: 1 });
      await contract.applyRefund(refundOf(doc, 'return'));
      const over = refundOf(doc, 'return', 2);
      await rejects(contract.applyRefund(over), {
        cls: OdooPermanentError,
        odooName: VALIDATION,
        message: new RegExp(`^refund ${over.refund_gid} line 1: cannot refund 2 × ${p.sku}: only 1 left on order `),
      });
      assert.equal((await m.readRefunds(so)).length, 1);
      assert.equal((await product(so)).quantity, 1);
    });
  });

  describe('refunds and order updates in either order', () => {
    it('answers refunds_pending while an order update counts a refund Odoo has not applied, and writes nothing', async () => {
      const { contract, m } = get();
      const { doc, so } = await taxedOrder();
      await deliver(so);
      const refund = refundOf(doc, 'no_restock');
      const update = current(doc, 1, [refund.refund_gid], '18.00');
      const pending = await contract.applyOrder(update);
      assert.deepEqual([pending.status, pending.refund_gids], ['refunds_pending', [refund.refund_gid]]);
      assert.equal((await product(so)).quantity, 2);
      await contract.applyRefund(refund);
      assert.equal((await contract.applyOrder(update)).status, 'updated');
      const stale = await contract.applyOrder({ ...doc, updated_at: '2026-11-03T12:00:00Z', refund_gids: [] });
      assert.equal(stale.status, 'unchanged');
      assert.match(stale.message ?? '', /older than refund/);
      assert.equal((await m.readOrderLines(so)).amount_total, '18.00');
    });

    it('records a new order that already counts its refunds in draft, then applies them and confirms it', async () => {
      const { contract, m, currency, wh } = get();
      const p = await get().stocked();
      const base = orderDoc({
        currency,
        location_gid: wh[0]!.location_gid,
        lines: [{ sku: p.sku, quantity: 2, price: '10.00', taxes: [vat('4.00')] }],
        shipping: { price: '5.00', taxes: [vat('1.00')] },
      });
      const refund = refundOf(base, 'cancel');
      const doc = current(base, 1, [refund.refund_gid], '18.00');
      const created = await contract.applyOrder(doc);
      assert.deepEqual([created.status, created.state, created.refund_gids], ['refunds_pending', 'draft', [refund.refund_gid]]);
      assert.deepEqual(
        (await m.readRefunds(created.sale_order_id)).map((r) => r.state),
        ['pending'],
      );
      await contract.applyRefund(refund);
      assert.equal((await product(created.sale_order_id)).quantity, 1, 'the refunded unit was not in the order');
      const confirmed = await contract.applyOrder(doc);
      assert.deepEqual([confirmed.status, confirmed.state, confirmed.amount_total], ['updated', 'sale', '18.00']);
    });
  });

  describe('returns', () => {
    const returnOf = (
      doc: OrderDocument,
      status: string,
      quantity: number,
      restocked = 0,
      notRestocked = 0,
      gid = gidOf('Return'),
    ): ReturnDocument => ({
      return_gid: gid,
      order_gid: doc.order_gid,
      status,
      name: `${doc.name}-R1`,
      lines: [
        {
          line_gid: doc.lines[0]!.line_gid,
          sku: doc.lines[0]!.sku,
          quantity,
          restocked_quantity: restocked,
          not_restocked_quantity: notRestocked,
        },
      ],
    });

    it("follows a return's life: requested, approved, partly and fully processed, closed", async () => {
      const { contract, m } = get();
      const { doc, so } = await taxedOrder();
      await deliver(so);
      const gid = gidOf('Return');
      assert.deepEqual(await contract.applyReturn(returnOf(doc, 'REQUESTED', 2, 0, 0, gid)), {
        status: 'awaiting_approval',
        picking_id: null,
        picking_ids: [],
      });
      const created = await contract.applyReturn(returnOf(doc, 'OPEN', 2, 0, 0, gid));
      assert.equal(created.status, 'created');
      assert.equal((await contract.applyReturn(returnOf(doc, 'OPEN', 2, 0, 0, gid))).status, 'unchanged');
      const partly = await contract.applyReturn(returnOf(doc, 'OPEN', 2, 1, 0, gid));
      assert.equal(partly.status, 'updated');
      assert.equal(partly.picking_ids.length, 2, 'the rest waits in a backorder of the same return');
      assert.equal((await product(so)).qty_delivered, 1);
      await drain(contract);
      const closed = await contract.applyReturn(returnOf(doc, 'CLOSED', 2, 1, 1, gid));
      assert.equal(closed.status, 'updated');
      const states = (await m.readPickings(so)).filter((pk) => pk.picking_type === 'incoming').map((pk) => pk.state);
      assert.deepEqual(states.sort(), ['cancel', 'done']);
      assert.equal((await contract.applyReturn(returnOf(doc, 'CLOSED', 2, 1, 1, gid))).status, 'unchanged');
      assert.deepEqual(
        (await pullAll(contract)).filter((e) => e.type === 'return.done'),
        [],
        'received by the sidecar: no return.done back',
      );
    });

    it('receives the goods of the return a refund closes from that return, not a second picking', async () => {
      const { contract, m } = get();
      const { doc, so } = await taxedOrder();
      await deliver(so);
      const gid = gidOf('Return');
      const created = await contract.applyReturn(returnOf(doc, 'OPEN', 1, 0, 0, gid));
      await contract.applyRefund(refundOf(doc, 'return', 1, { return_gid: gid }));
      const incoming = (await m.readPickings(so)).filter((pk) => pk.picking_type === 'incoming');
      assert.deepEqual(
        incoming.map((pk) => [pk.id, pk.state]),
        [[created.picking_id, 'done']],
      );
      assert.equal((await m.readRefunds(so))[0]!.return_gid, gid);
      assert.equal((await contract.applyReturn(returnOf(doc, 'CLOSED', 1, 1, 0, gid))).status, 'unchanged');
    });

    it('a refund of a return whose goods Odoo received already (returnProcess with its refund) receives nothing twice', async () => {
      const { contract, m } = get();
      const { doc, so } = await taxedOrder();
      await deliver(so);
      const gid = gidOf('Return');
      const created = await contract.applyReturn(returnOf(doc, 'OPEN', 1, 0, 0, gid));
      assert.equal((await contract.applyReturn(returnOf(doc, 'CLOSED', 1, 1, 0, gid))).status, 'updated');
      assert.equal((await product(so)).qty_delivered, 1);
      await contract.applyRefund(refundOf(doc, 'return', 1, { return_gid: gid }));
      const incoming = (await m.readPickings(so)).filter((pk) => pk.picking_type === 'incoming');
      assert.deepEqual(
        incoming.map((pk) => [pk.id, pk.state]),
        [[created.picking_id, 'done']],
      );
      assert.equal((await product(so)).qty_delivered, 1, 'the unit came back once');
    });

    it('counts units already being returned: a second return of them is refused', async () => {
      const { contract } = get();
      const { p, doc, so } = await taxedOrder();
      await deliver(so, { [p.product_id]: 1 });
      await contract.applyReturn(returnOf(doc, 'OPEN', 1));
      const second = returnOf(doc, 'OPEN', 1);
      await rejects(contract.applyReturn(second), {
        cls: OdooPermanentError,
        odooName: VALIDATION,
        message: `return ${doc.name}-R1: cannot return 1 × ${p.sku}: only 0 delivered and not already returned`,
      });
    });
  });

  describe('credit notes made in Odoo', () => {
    it('exports a credit note posted in Odoo with what it can take off the order, and recognises the refund made from it', async () => {
      const { contract, m } = get();
      const { p, doc, so } = await taxedOrder();
      await deliver(so, { [p.product_id]: 1 });
      await m.invoiceOrder(so);
      await drain(contract);
      const { credit_note_id } = await m.creditOrderLines(so, [{ sku: p.sku, quantity: 1 }], 'damaged');
      const events = (await pullAll(contract)).filter((e) => e.type === 'credit_note.posted');
      assert.deepEqual(
        events.map((e) => [e.payload.move_id, e.key]),
        [[credit_note_id, `order:${doc.order_gid}`]],
      );
      const exported = await contract.exportCreditNote({ move_id: credit_note_id });
      assert.deepEqual(
        [exported.state, exported.amount_total, exported.refund_gid, exported.order_gid],
        ['posted', '12.00', null, doc.order_gid],
      );
      assert.deepEqual(
        exported.lines.map((l) => [l.line_gid, l.role, l.quantity, l.open_quantity, l.price_total]),
        [[doc.lines[0]!.line_gid, 'product', 1, 1, '12.00']],
      );
      const refundGid = gidOf('Refund');
      await contract.recordSyncResult({ model: 'account.move', res_id: credit_note_id, state: 'synced', shopify_gid: refundGid });
      assert.equal((await contract.exportCreditNote({ move_id: credit_note_id })).refund_gid, refundGid);
      // Shopify's refunds/create for it: no second credit note; the unit leaves the order.
      const echo = await contract.applyRefund({ ...refundOf(doc, 'cancel'), refund_gid: refundGid });
      assert.deepEqual([echo.status, echo.credit_note_id], ['created', credit_note_id]);
      assert.deepEqual(
        (await m.readRefunds(so)).map((r) => [r.origin, r.credit_note_id]),
        [['odoo', credit_note_id]],
      );
      assert.equal((await product(so)).quantity, 1);
      const goodwill = await m.postCreditNote(so, '3.00', 'goodwill');
      const money = await contract.exportCreditNote({ move_id: goodwill.credit_note_id });
      assert.deepEqual(
        money.lines.map((l) => [l.line_gid, l.role, l.price_total]),
        [[null, 'other', '3.00']],
      );
    });

    it('says what Odoo holds for some refunds', async () => {
      const { contract, m } = get();
      const { doc, so } = await taxedOrder();
      await m.invoiceOrder(so);
      const refund = refundOf(doc, 'cancel');
      const applied = await contract.applyRefund(refund);
      const unknown = gidOf('Refund');
      const { refunds } = await contract.refundStatus({ refund_gids: [refund.refund_gid, unknown] });
      assert.deepEqual(refunds[0], {
        refund_gid: refund.refund_gid,
        found: true,
        sale_order_id: so,
        state: 'applied',
        amount_total: '12.00',
        credit_note_id: applied.credit_note_id,
        credit_note_name: refunds[0]!.credit_note_name,
        credit_note_state: 'posted',
        credit_note_amount: '12.00',
      });
      assert.ok(refunds[0].credit_note_name);
      assert.deepEqual(refunds[1], {
        refund_gid: unknown,
        found: false,
        sale_order_id: null,
        state: null,
        amount_total: null,
        credit_note_id: null,
        credit_note_name: null,
        credit_note_state: null,
        credit_note_amount: null,
      });
    });
  });
}
