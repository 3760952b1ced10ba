/**
 * Order edits on a confirmed order (apply_order on an order Odoo delivered, apply_refund's
 * `edit_balance`), run against the double and a real Odoo like the rest of ./suite.ts
 * (docs/contract.md, "Order edits after delivery"). Amounts: a product at 10.00 with VAT 20 %,
 * two units, shipping 5.00 + 1.00 VAT: 30.00.
 */
import assert from 'node:assert/strict';
import type { OrderDocument, RefundDocument } from '../../sidecar/odoo/contract.js';
import { OdooPermanentError } from '../../sidecar/odoo/errors.js';
import { formatCents } from '../../sidecar/rules/money.js';
import { gidOf, orderDoc, vat } from './fixtures.js';
import { pullAll, rejects, VALIDATION } from './support.js';
import type { AreaContext } from './target.js';

export function defineEditScenarios(get: () => AreaContext): void {
  const taxedOrder = async () => {
    const { contract, currency, wh } = get();
    const p = await get().stocked();
    const doc = orderDoc({
      currency,
      location_gid: wh[0]!.location_gid,
      lines: [{ sku: p.sku, quantity: 2, price: '10.00', taxes: [vat('4.00')] }],
      shipping: { price: '5.00', taxes: [vat('1.00')] },
    });
    const applied = await contract.applyOrder(doc);
    assert.equal(applied.status, 'created');
    return { p, doc, so: applied.sale_order_id };
  };
  /** The order after an edit in Shopify: `quantity` units of the first line, and `extra` lines. */
  const edited = (doc: OrderDocument, quantity: number, extra: OrderDocument['lines'] = [], refundGids?: string[]): OrderDocument => {
    const lines = [{ ...doc.lines[0]!, quantity, tax_lines: [vat(`${2 * quantity}.00`)] }, ...extra];
    // Every line at 10.00 + 20 % VAT; shipping 5.00 + 1.00 (exact cents).
    const units = lines.reduce((s, l) => s + l.quantity, 0);
    return {
      ...doc,
      updated_at: '2026-11-03T11:00:00Z',
      lines,
      subtotal_price: formatCents(BigInt(units) * 1000n),
      total_tax: formatCents(BigInt(units) * 200n + 100n),
      total_price: formatCents(BigInt(units) * 1200n + 600n),
      ...(refundGids ? { refund_gids: refundGids } : {}),
    };
  };
  const deliver = async (so: number) => {
    const { m } = get();
    const open = (await m.readPickings(so)).filter((pk) => pk.picking_type === 'outgoing' && pk.state !== 'done' && pk.state !== 'cancel');
    return m.validateDelivery(open[0]!.id, {});
  };
  const editRefund = (doc: OrderDocument, editBalance: string, amount = '12.00'): RefundDocument => ({
    refund_gid: gidOf('Refund'),
    order_gid: doc.order_gid,
    created_at: '2026-11-03T12:00:00Z',
    note: null,
    return_gid: null,
    lines: [],
    shipping: { amount: '0.00', tax: '0.00' },
    adjustments: [{ amount, reason: 'refund_discrepancy' }],
    edit_balance: editBalance,
    total: amount,
  });
  const rolesOf = async (so: number) =>
    (await get().m.readOrderLines(so)).lines
      .filter((l) => l.role === 'product' || l.role === 'edit_removal' || l.role === 'refund_adjustment')
      .map((l) => [l.role, l.quantity, l.qty_delivered, l.kept_qty, l.price_total]);

  afterEach(() => get().m.configure({ edit_removal_policy: 'return' }));

  it('gives a line added after delivery a delivery of its own', async () => {
    const { contract, m } = get();
    const { doc, so } = await taxedOrder();
    await deliver(so);
    const other = await get().stocked();
    const added = {
      line_gid: gidOf('LineItem'),
      sku: other.sku,
      title: 'Added',
      quantity: 1,
      price_unit: '10.00',
      discount: '0.00',
      tax_lines: [vat('2.00')],
    };
    const r = await contract.applyOrder(edited(doc, 2, [added]));
    assert.deepEqual([r.status, r.amount_total], ['updated', '42.00']);
    const open = (await m.readPickings(so)).filter((pk) => pk.picking_type === 'outgoing' && pk.state !== 'done' && pk.state !== 'cancel');
    assert.deepEqual(
      open.map((pk) => pk.moves.map((mv) => [mv.product_id, mv.quantity])),
      [[[other.product_id, 1]]],
    );
  });

  it('credits units removed after delivery on the order and prepares their return (policy "return"), never holding it', async () => {
    const { contract, m } = get();
    const { doc, so } = await taxedOrder();
    await deliver(so);
    const r = await contract.applyOrder(edited(doc, 1));
    assert.deepEqual([r.status, r.amount_total], ['updated', '18.00']);
    assert.match(r.message ?? '', /removed units Odoo already delivered: 1 × /);
    assert.deepEqual(await rolesOf(so), [
      ['product', 2, 2, 1, '24.00'],
      ['edit_removal', -1, 0, 0, '-12.00'],
    ]);
    const returns = (await m.readPickings(so)).filter((pk) => pk.picking_type === 'incoming');
    assert.deepEqual(
      returns.map((pk) => [pk.state, pk.moves.map((mv) => mv.quantity)]),
      [['assigned', [1]]],
    );
    assert.equal((await m.readBinding('sale.order', so)).state, 'synced');
    // The same document again: nothing more.
    const again = await contract.applyOrder({ ...edited(doc, 1), updated_at: '2026-11-03T11:30:00Z' });
    assert.equal(again.amount_total, '18.00');
    assert.equal((await m.readPickings(so)).filter((pk) => pk.picking_type === 'incoming').length, 1);
    // Receiving the goods does not take them off a second time.
    await m.validateReturn(returns[0]!.id);
    assert.deepEqual(await rolesOf(so), [
      ['product', 2, 2, 1, '24.00'],
      ['edit_removal', -1, 0, 0, '-12.00'],
    ]);
    assert.equal((await m.invoiceOrder(so)).amount_total, '18.00');
  });

  it('flags the order naming the lines and quantities under the policy "flag", and changes nothing for them', async () => {
    const { contract, m } = get();
    await m.configure({ edit_removal_policy: 'flag' });
    const { p, doc, so } = await taxedOrder();
    await deliver(so);
    const r = await contract.applyOrder(edited(doc, 0));
    assert.equal(r.status, 'flagged');
    assert.match(r.message ?? '', new RegExp(`removed units Odoo already delivered: 2 × [^,]*${p.sku}`));
    assert.doesNotMatch(r.message ?? '', /held/);
    assert.deepEqual(await rolesOf(so), [['product', 2, 2, 0, '24.00']]);
    const binding = await m.readBinding('sale.order', so);
    assert.deepEqual([binding.state, binding.message], ['error', r.message]);
    assert.deepEqual(
      (await m.readPickings(so)).filter((pk) => pk.picking_type === 'incoming'),
      [],
    );
  });

  it('credits an edit of an invoiced order once, whether its refund comes after or before it', async () => {
    const { contract, m } = get();
    for (const refundFirst of [false, true]) {
      const { doc, so } = await taxedOrder();
      await deliver(so);
      await m.invoiceOrder(so);
      const refund = editRefund(doc, '12.00');
      if (refundFirst) assert.deepEqual((await contract.applyRefund(refund)).credit_note_id, null);
      const r = await contract.applyOrder(edited(doc, 1, [], refundFirst ? [refund.refund_gid] : []));
      assert.deepEqual([r.status, r.amount_total], ['updated', '18.00']);
      if (!refundFirst) assert.deepEqual((await contract.applyRefund(refund)).credit_note_id, null);
      const notes = await m.readOrderCreditNotes(so);
      // The edit's credit note and the refund that pays it back point to each other.
      assert.deepEqual(
        notes.map((n) => [n.amount_total, n.state, n.refund_gid, n.edit_refund_gids]),
        [['12.00', 'posted', null, [refund.refund_gid]]],
        refundFirst ? 'refund first' : 'edit first',
      );
      assert.deepEqual(
        (await m.readRefunds(so)).map((x) => [x.refund_gid, x.credit_note_id, x.edit_credit_note_ids]),
        [[refund.refund_gid, null, [notes[0]!.id]]],
      );
      assert.deepEqual(await rolesOf(so), [
        ['product', 2, 2, 1, '24.00'],
        ['edit_removal', -1, 0, 0, '-12.00'],
      ]);
      assert.equal((await m.readOrderLines(so)).invoice_status, 'invoiced');
      assert.deepEqual(
        (await pullAll(contract)).filter((e) => e.type === 'credit_note.posted'),
        [],
        'made by the sidecar: not sent back to Shopify',
      );
    }
  });

  it("binds refunds to the edits' credit notes they pay, oldest first, amount by amount", async () => {
    const { contract, currency, wh, m } = get();
    const p = await get().stocked();
    const doc = orderDoc({
      currency,
      location_gid: wh[0]!.location_gid,
      lines: [{ sku: p.sku, quantity: 3, price: '10.00', taxes: [vat('6.00')] }],
      shipping: { price: '5.00', taxes: [vat('1.00')] },
    });
    const applied = await contract.applyOrder(doc);
    const so = applied.sale_order_id;
    assert.equal((await m.invoiceOrder(so)).amount_total, '42.00');
    // Two edits, 12.00 each; refunds of 8.00 then 16.00 (Shopify's order), applied the other way round.
    await contract.applyOrder(edited(doc, 2));
    await contract.applyOrder({ ...edited(doc, 1), updated_at: '2026-11-03T11:30:00Z' });
    const earlier = { ...editRefund(doc, '8.00', '8.00'), created_at: '2026-11-03T12:00:00Z' };
    const later = { ...editRefund(doc, '16.00', '16.00'), created_at: '2026-11-03T13:00:00Z' };
    await contract.applyRefund(later);
    await contract.applyRefund(earlier);
    const [first, second] = await m.readOrderCreditNotes(so);
    const sorted = (gids: string[]) => [...gids].sort();
    assert.deepEqual(
      [first, second].map((n) => [n?.amount_total, n?.refund_gid, sorted(n?.edit_refund_gids ?? [])]),
      [
        ['12.00', null, sorted([earlier.refund_gid, later.refund_gid])],
        ['12.00', null, [later.refund_gid]],
      ],
    );
    const refunds = new Map((await m.readRefunds(so)).map((x) => [x.refund_gid, x]));
    assert.deepEqual(refunds.get(earlier.refund_gid)?.edit_credit_note_ids, [first!.id]);
    assert.deepEqual(refunds.get(later.refund_gid)?.edit_credit_note_ids, [first!.id, second!.id]);
  });

  it('credits an edit before delivery of an invoiced order, linked to its line', async () => {
    const { contract, m } = get();
    const { doc, so } = await taxedOrder();
    await m.invoiceOrder(so);
    const r = await contract.applyOrder(edited(doc, 1));
    assert.deepEqual([r.status, r.amount_total], ['updated', '18.00']);
    const [note] = await m.readOrderCreditNotes(so);
    assert.deepEqual([note?.amount_total, note?.state], ['12.00', 'posted']);
    assert.deepEqual(
      (await m.readCreditNoteLines(note!.id)).map((l) => [l.quantity, l.price_total, l.sale_line_role]),
      [[1, '12.00', 'product']],
    );
  });

  it("credits the line discount removed units take with them: the invoice less the credit note is Shopify's total", async () => {
    const { contract, currency, wh, m } = get();
    const p = await get().stocked();
    // 3 × 10.00 less 1.00, VAT 5.80; shipping 5.00 + 1.00: 40.80. Shopify's edit to 2 units keeps
    // 0.67 of the discount and 3.87 of the tax: 29.20, 11.60 less.
    const doc = orderDoc({
      currency,
      location_gid: wh[0]!.location_gid,
      lines: [{ sku: p.sku, quantity: 3, price: '10.00', discount: '1.00', taxes: [vat('5.80')] }],
      shipping: { price: '5.00', taxes: [vat('1.00')] },
    });
    const applied = await contract.applyOrder(doc);
    assert.equal(applied.status, 'created');
    const so = applied.sale_order_id;
    assert.equal((await m.invoiceOrder(so)).amount_total, '40.80');
    const r = await contract.applyOrder({
      ...doc,
      updated_at: '2026-11-03T11:00:00Z',
      lines: [{ ...doc.lines[0]!, quantity: 2, discount: '0.67', tax_lines: [vat('3.87')] }],
      subtotal_price: '19.33',
      total_tax: '4.87',
      total_discounts: '0.67',
      total_price: '29.20',
    });
    assert.deepEqual([r.status, r.amount_total], ['updated', '29.20']);
    const notes = await m.readOrderCreditNotes(so);
    assert.deepEqual(
      notes.map((n) => [n.amount_total, n.state]),
      [['11.60', 'posted']],
    );
    // The discount line's own label, not "Discount: Discount: …".
    const discountCredit = (await m.readCreditNoteLines(notes[0]!.id)).filter((l) => l.sale_line_role === null);
    assert.deepEqual(
      discountCredit.map((l) => [l.name.startsWith('Discount: Discount:'), l.name.startsWith('Discount: ')]),
      [[false, true]],
    );
  });

  describe('shipping lines (orderEditUpdateShippingLine, orderEditAddShippingLine, orderEditRemoveShippingLine)', () => {
    /** 2 × 10.00 + 4.00 VAT, shipping Standard 5.00 + 1.00 and Express 7.00 + 1.40: 38.40. */
    const twoShippings = async () => {
      const { doc, so } = await taxedOrder();
      const express = { title: 'Express', code: 'EXP', price: '7.00', discount: '0.00', tax_lines: [vat('1.40')] };
      const both: OrderDocument = {
        ...doc,
        updated_at: '2026-11-03T10:30:00Z',
        shipping_lines: [...doc.shipping_lines, express],
        total_tax: '6.40',
        total_price: '38.40',
      };
      const r = await get().contract.applyOrder(both);
      assert.deepEqual([r.status, r.amount_total], ['updated', '38.40']);
      return { doc: both, so };
    };
    /** Shipping as an edit left it: `lines` [price, VAT, removed?], totals from them and the two product units. */
    const shippingEdit = (
      doc: OrderDocument,
      lines: Array<[string, string, boolean?]>,
      updatedAt = '2026-11-03T11:00:00Z',
    ): OrderDocument => {
      const cents = (a: string) => BigInt(a.replace('.', ''));
      const shipping_lines = lines.map(([price, tax, removed], i) => ({
        ...(doc.shipping_lines[i] ?? { title: `Added ${i + 1}`, code: null, discount: '0.00' }),
        price,
        tax_lines: [vat(tax)],
        ...(removed ? { removed: true as const } : {}),
      }));
      const kept = lines.filter(([, , removed]) => !removed);
      const shipping = kept.reduce((sum, [price]) => sum + cents(price), 0n);
      const tax = 400n + kept.reduce((sum, [, t]) => sum + cents(t), 0n);
      return {
        ...doc,
        updated_at: updatedAt,
        shipping_lines,
        total_tax: formatCents(tax),
        total_price: formatCents(2000n + shipping + tax),
      };
    };
    const shippingRows = async (so: number) =>
      (await get().m.readOrderLines(so)).lines.filter((l) => l.role === 'shipping').map((l) => [l.quantity, l.qty_invoiced, l.price_total]);

    it("follows a shipping line lowered or removed before invoicing; the invoice then counts Shopify's shipping", async () => {
      const { contract, m } = get();
      const { doc, so } = await twoShippings();
      // Standard lowered to 3.00 + 0.60, Express removed: 20.00 + 4.00 + 3.60 = 27.60.
      const r = await contract.applyOrder(
        shippingEdit(doc, [
          ['3.00', '0.60'],
          ['7.00', '1.40', true],
        ]),
      );
      assert.deepEqual([r.status, r.amount_total], ['updated', '27.60'], r.message);
      assert.deepEqual(await shippingRows(so), [
        [1, 0, '3.60'],
        [0, 0, '0.00'],
      ]);
      assert.equal((await m.invoiceOrder(so)).amount_total, '27.60');
    });

    it('keeps the keys of the lines after a removed one: removing the first of two credits it alone, linked, after invoicing', async () => {
      const { contract, m } = get();
      const { doc, so } = await twoShippings();
      assert.equal((await m.invoiceOrder(so)).amount_total, '38.40');
      const r = await contract.applyOrder(
        shippingEdit(doc, [
          ['5.00', '1.00', true],
          ['7.00', '1.40'],
        ]),
      );
      assert.deepEqual([r.status, r.amount_total], ['updated', '32.40'], r.message);
      assert.match(r.message ?? '', /the edit is credited on \S+ \(6\.00\)$/);
      assert.deepEqual(await shippingRows(so), [
        [0, 0, '0.00'],
        [1, 1, '8.40'],
      ]);
      const [note] = await m.readOrderCreditNotes(so);
      assert.deepEqual([note?.amount_total, note?.state], ['6.00', 'posted']);
      assert.deepEqual(
        (await m.readCreditNoteLines(note!.id)).map((l) => [l.quantity, l.price_total, l.sale_line_role]),
        [[1, '6.00', 'shipping']],
      );
      assert.equal((await m.readOrderLines(so)).invoice_status, 'invoiced');
    });

    /** The order's invoices less its credit notes (what Odoo invoiced net), in cents. */
    const netInvoiced = async (so: number) => {
      const { m } = get();
      const cents = (a: string) => BigInt(a.replace('.', ''));
      const invoices = (await m.readOrderInvoices(so)).reduce((sum, i) => sum + cents(i.amount_total), 0n);
      const credits = (await m.readOrderCreditNotes(so)).reduce((sum, n) => sum + cents(n.amount_total), 0n);
      return formatCents(invoices - credits);
    };
    const raisedRows = async (so: number) =>
      (await get().m.readOrderLines(so)).lines.filter((l) => l.role === 'raised').map((l) => [l.quantity, l.qty_invoiced, l.price_total]);
    /** The taxed order with its one shipping line at `price` + `tax` VAT. */
    const single = (doc: OrderDocument, price: string, tax: string, at: string) => {
      const edited = shippingEdit(doc, [[price, tax]], at);
      return { ...edited, total_tax: formatCents(400n + BigInt(tax.replace('.', ''))) };
    };

    it('credits a shipping price lowered after invoicing ("Lowered in Shopify: …"); a raise is invoiced on a supplement line, and a raise after that one is invoiced on another', async () => {
      const { contract, m } = get();
      const { doc, so } = await taxedOrder();
      assert.equal((await m.invoiceOrder(so)).amount_total, '30.00');
      // 5.00 + 1.00 → 3.00 + 0.60: 2.40 less.
      const lowered = await contract.applyOrder(single(doc, '3.00', '0.60', '2026-11-03T11:00:00Z'));
      assert.deepEqual([lowered.status, lowered.amount_total], ['updated', '27.60'], lowered.message);
      assert.match(lowered.message ?? '', /the edit is credited on \S+ \(2\.40\)$/);
      const [note] = await m.readOrderCreditNotes(so);
      assert.deepEqual(
        (await m.readCreditNoteLines(note!.id)).map((l) => [l.name, l.quantity, l.price_total]),
        [['Lowered in Shopify: Standard', 1, '2.40']],
      );
      assert.equal((await m.readOrderLines(so)).invoice_status, 'invoiced');
      // 3.00 → 4.00: the shipping line keeps what was invoiced, the 1.00 + 0.20 more is to invoice.
      const raised = await contract.applyOrder(single(doc, '4.00', '0.80', '2026-11-03T12:00:00Z'));
      assert.deepEqual([raised.status, raised.amount_total], ['updated', '28.80'], raised.message);
      assert.deepEqual(await shippingRows(so), [[1, 1, '3.60']]);
      assert.deepEqual(await raisedRows(so), [[1, 0, '1.20']]);
      assert.equal((await m.readOrderLines(so)).invoice_status, 'to invoice');
      assert.equal((await m.invoiceOrder(so)).amount_total, '1.20');
      assert.equal(await netInvoiced(so), '28.80');
      // 4.00 → 4.50 once the first supplement is invoiced: a second one, never the first billed again.
      const again = await contract.applyOrder(single(doc, '4.50', '0.90', '2026-11-03T13:00:00Z'));
      assert.deepEqual([again.status, again.amount_total], ['updated', '29.40'], again.message);
      assert.deepEqual(await raisedRows(so), [
        [1, 1, '1.20'],
        [1, 0, '0.60'],
      ]);
      assert.equal((await m.invoiceOrder(so)).amount_total, '0.60');
      assert.equal(await netInvoiced(so), '29.40');
      assert.equal((await m.readOrderLines(so)).invoice_status, 'invoiced');
    });

    it("lowers a raised shipping price by crediting only what was invoiced above Shopify's new price; a raise not invoiced yet follows the edits", async () => {
      const { contract, m } = get();
      const { doc, so } = await taxedOrder();
      assert.equal((await m.invoiceOrder(so)).amount_total, '30.00');
      await contract.applyOrder(single(doc, '6.00', '1.20', '2026-11-03T11:00:00Z'));
      assert.equal((await m.invoiceOrder(so)).amount_total, '1.20');
      // 6.00 → 7.00, not invoiced, then 6.50: the supplement follows (0.50), nothing is credited.
      await contract.applyOrder(single(doc, '7.00', '1.40', '2026-11-03T12:00:00Z'));
      const less = await contract.applyOrder(single(doc, '6.50', '1.30', '2026-11-03T13:00:00Z'));
      assert.deepEqual([less.status, less.amount_total], ['updated', '31.80'], less.message);
      assert.deepEqual(await raisedRows(so), [
        [1, 1, '1.20'],
        [1, 0, '0.60'],
      ]);
      assert.deepEqual(await m.readOrderCreditNotes(so), []);
      // 6.50 → 5.50: the raise not invoiced goes, and 0.50 + 0.10 of the invoiced 6.00 is credited.
      const lowered = await contract.applyOrder(single(doc, '5.50', '1.10', '2026-11-03T14:00:00Z'));
      assert.deepEqual([lowered.status, lowered.amount_total], ['updated', '30.60'], lowered.message);
      assert.match(lowered.message ?? '', /the edit is credited on \S+ \(0\.60\)$/);
      assert.deepEqual(await raisedRows(so), [
        [1, 1, '0.60'],
        [0, 0, '0.00'],
      ]);
      assert.deepEqual(await shippingRows(so), [[1, 1, '6.00']]);
      assert.equal((await m.readOrderLines(so)).invoice_status, 'invoiced');
      assert.equal(await netInvoiced(so), '30.60');
      // Back up to 6.00: the supplement not invoiced is used again.
      const up = await contract.applyOrder(single(doc, '6.00', '1.20', '2026-11-03T15:00:00Z'));
      assert.deepEqual([up.status, up.amount_total], ['updated', '31.20'], up.message);
      assert.deepEqual(await raisedRows(so), [
        [1, 1, '0.60'],
        [1, 0, '0.60'],
      ]);
      assert.equal((await m.invoiceOrder(so)).amount_total, '0.60');
      assert.equal(await netInvoiced(so), '31.20');
    });

    it('credits a raised shipping line removed after its raise was invoiced: the line and its supplement, linked; re-added, its price is invoiced', async () => {
      const { contract, m } = get();
      const { doc, so } = await taxedOrder();
      assert.equal((await m.invoiceOrder(so)).amount_total, '30.00');
      await contract.applyOrder(single(doc, '6.00', '1.20', '2026-11-03T11:00:00Z'));
      assert.equal((await m.invoiceOrder(so)).amount_total, '1.20');
      const removed = await contract.applyOrder(shippingEdit(doc, [['6.00', '1.20', true]], '2026-11-03T12:00:00Z'));
      assert.deepEqual([removed.status, removed.amount_total], ['updated', '24.00'], removed.message);
      assert.match(removed.message ?? '', /the edit is credited on \S+ \(7\.20\)$/);
      assert.deepEqual(await shippingRows(so), [[0, 0, '0.00']]);
      assert.deepEqual(await raisedRows(so), [[0, 0, '0.00']]);
      assert.equal(await netInvoiced(so), '24.00');
      // Added again at 8.00: a new line (the next key), to invoice at Shopify's price.
      const readded = await contract.applyOrder(
        shippingEdit(
          doc,
          [
            ['6.00', '1.20', true],
            ['8.00', '1.60'],
          ],
          '2026-11-03T13:00:00Z',
        ),
      );
      assert.deepEqual([readded.status, readded.amount_total], ['updated', '33.60'], readded.message);
      assert.equal((await m.invoiceOrder(so)).amount_total, '9.60');
      assert.equal(await netInvoiced(so), '33.60');
    });

    it("puts the cent by which Odoo's tax on a raise misses Shopify's on the tax rounding line, invoiced with the raise", async () => {
      const { contract, m } = get();
      const { doc, so } = await taxedOrder();
      assert.equal((await m.invoiceOrder(so)).amount_total, '30.00');
      // 3.33 + 0.67 (0.666): 2.00 credited.
      const lowered = await contract.applyOrder(single(doc, '3.33', '0.67', '2026-11-03T11:00:00Z'));
      assert.deepEqual([lowered.status, lowered.amount_total], ['updated', '28.00'], lowered.message);
      // 3.36 + 0.67 (0.672) in Shopify; Odoo taxes the 0.03 raise on its own: 0.006 → 0.01.
      const raised = await contract.applyOrder(single(doc, '3.36', '0.67', '2026-11-03T12:00:00Z'));
      assert.deepEqual([raised.status, raised.amount_total], ['updated', '28.03'], raised.message);
      assert.deepEqual(await raisedRows(so), [[1, 0, '0.04']]);
      assert.equal((await m.invoiceOrder(so)).amount_total, '0.03');
      assert.equal(await netInvoiced(so), '28.03');
      assert.equal((await m.readOrderLines(so)).invoice_status, 'invoiced');
    });

    it('books a shipping line added after invoicing as an added product line is: on the order, to invoice', async () => {
      const { contract, m } = get();
      const { doc, so } = await taxedOrder();
      assert.equal((await m.invoiceOrder(so)).amount_total, '30.00');
      const r = await contract.applyOrder(
        shippingEdit(doc, [
          ['5.00', '1.00'],
          ['7.00', '1.40'],
        ]),
      );
      assert.deepEqual([r.status, r.amount_total], ['updated', '38.40'], r.message);
      assert.equal((await m.readOrderLines(so)).invoice_status, 'to invoice');
      assert.equal((await m.invoiceOrder(so)).amount_total, '8.40');
    });
  });

  it('refuses an edit_balance beyond the money refunded beyond the goods, naming the field', async () => {
    const { contract } = get();
    const { doc } = await taxedOrder();
    await rejects(contract.applyRefund(editRefund(doc, '15.00', '5.00')), {
      cls: OdooPermanentError,
      odooName: VALIDATION,
      message: /edit_balance: 15\.00 must be between 0 and the money refunded beyond the goods \(5\.00\)/,
    });
  });
}
