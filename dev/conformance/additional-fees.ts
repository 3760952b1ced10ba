/**
 * Additional fees (contract 1.6), run against the double and a real Odoo like the rest of
 * ./suite.ts: apply_order books each fee as a line of the additional fees product with the taxes
 * of its tax lines; Shopify refunds a fee only as money beyond the goods (an order adjustment), so
 * the fee line stays; a credit note made in Odoo for the fee line is exported as money, and its
 * refund from Shopify is booked once. Amounts: two units at 10.00 + 20 % VAT, shipping 5.00 +
 * 1.00, an import handling fee of 2.50 + 0.50 VAT: 33.00.
 */
import assert from 'node:assert/strict';
import type { OrderDocument } from '../../sidecar/odoo/contract.js';
import { gidOf, orderDoc, refundOf, vat } from './fixtures.js';
import type { AreaContext } from './target.js';

export function defineFeeScenarios(get: () => AreaContext): void {
  const feeOrder = async () => {
    const { contract, currency, wh } = get();
    const p = await get().stocked();
    const doc = orderDoc({
      currency,
      location_gid: wh[0]!.location_gid,
      lines: [{ sku: p.sku, quantity: 2, price: '10.00', taxes: [vat('4.00')] }],
      shipping: { price: '5.00', taxes: [vat('1.00')] },
      fees: [{ name: 'Import handling fee', price: '2.50', taxes: [vat('0.50')] }],
    });
    const applied = await contract.applyOrder(doc);
    return { p, doc, applied, so: applied.sale_order_id };
  };
  /** Shopify's order after a refund of money only: the same lines and fee, the refund counted. */
  const current = (doc: OrderDocument, refundGids: string[]): OrderDocument => ({
    ...doc,
    updated_at: '2026-11-03T11:00:00Z',
    refund_gids: refundGids,
  });
  const feeBack = { lines: [], adjustments: [{ amount: '3.00', reason: 'refund_discrepancy' }], total: '3.00' };
  const roles = async (so: number) => (await get().m.readOrderLines(so)).lines.map((l) => [l.role, l.quantity, l.price_total]);

  it('books a fee as a taxed service line: the order equals Shopify to the cent and is invoiced with it', async () => {
    const { m } = get();
    const { applied, so } = await feeOrder();
    assert.deepEqual([applied.status, applied.amount_total], ['created', '33.00']);
    assert.deepEqual(
      (await roles(so)).filter(([role]) => role === 'fee'),
      [['fee', 1, '3.00']],
    );
    const invoice = await m.invoiceOrder(so);
    assert.deepEqual([invoice.move_type, invoice.amount_total], ['out_invoice', '33.00']);
  });

  it('holds an order whose current fees an order edit changed, naming currentTotalAdditionalFeesSet and both amounts', async () => {
    const { contract } = get();
    const { doc, so } = await feeOrder();
    // Shopify took the fee (2.50 + 0.50) off its current totals after an edit.
    const r = await contract.applyOrder({ ...current(doc, []), current_total_additional_fees: '0.00', total_price: '30.00' });
    assert.equal(r.status, 'held');
    assert.equal(
      r.message,
      `order ${doc.name} held: currentTotalAdditionalFeesSet is 0.00 but the additional fees come to 2.50: an order edit in ` +
        'Shopify changed them and Shopify does not say which fee by how much (AdditionalFee.price stays what was charged), ' +
        'so the connector does not book it; book the difference by hand',
    );
    assert.deepEqual(
      (await roles(so)).filter(([role]) => role === 'fee'),
      [['fee', 1, '3.00']],
    );
  });

  it('holds an order whose fee tax is not mapped, naming the fee', async () => {
    const { contract, currency, wh } = get();
    const p = await get().stocked();
    const doc = orderDoc({
      currency,
      location_gid: wh[0]!.location_gid,
      lines: [{ sku: p.sku, quantity: 1, price: '10.00', taxes: [vat('2.00')] }],
      fees: [{ name: 'Brokerage', price: '3.00', taxes: [vat('0.57', '0.19', 'Import VAT')] }],
    });
    const r = await contract.applyOrder(doc);
    assert.equal(r.status, 'held');
    assert.match(r.message ?? '', /no tax mapping for Shopify tax "Import VAT" at rate 0\.19 \(additional fee 1\)/);
  });

  it("books Shopify's refund of the fee (money beyond the goods) as an adjustment: the fee line stays, the update applies", async () => {
    const { contract, m } = get();
    const { doc, so } = await feeOrder();
    await m.invoiceOrder(so);
    const refund = refundOf(doc, 'cancel', 0, feeBack);
    const r = await contract.applyRefund(refund);
    assert.deepEqual([r.status, r.amount_total], ['created', '3.00']);
    assert.deepEqual(await m.readCreditNote(r.credit_note_id!), { amount_total: '3.00', state: 'posted' });
    assert.deepEqual(
      (await roles(so)).filter(([role]) => role === 'fee'),
      [['fee', 1, '3.00']],
    );
    // Shopify's current total still counts the fee (no 2026-10 refund lowers it): Odoo's equals it.
    const updated = await contract.applyOrder(current(doc, [refund.refund_gid]));
    assert.deepEqual([updated.status, updated.amount_total], ['updated', '30.00']);
  });

  it('exports a credit note made in Odoo for the fee as money; its refund from Shopify is booked once and nothing is left to invoice', async () => {
    const { contract, m } = get();
    const { doc, so } = await feeOrder();
    await m.invoiceOrder(so);
    const { credit_note_id } = await m.creditOrderLines(so, [{ sku: 'SHOPIFY-FEES', quantity: 1 }], 'fee refunded');
    const exported = await contract.exportCreditNote({ move_id: credit_note_id });
    assert.equal(exported.amount_total, '3.00');
    assert.deepEqual(
      exported.lines.map((l) => [l.role, l.line_gid, l.quantity, l.price_subtotal, l.price_total]),
      [['other', null, 1, '2.50', '3.00']],
    );
    const refundGid = gidOf('Refund');
    await contract.recordSyncResult({ model: 'account.move', res_id: credit_note_id, state: 'synced', shopify_gid: refundGid });
    // Shopify's refunds/create of it: 3.00 beyond the goods, no second credit note.
    const echo = await contract.applyRefund({ ...refundOf(doc, 'cancel', 0, feeBack), refund_gid: refundGid });
    assert.deepEqual([echo.status, echo.credit_note_id], ['created', credit_note_id]);
    assert.deepEqual(
      (await m.readCreditNoteLines(credit_note_id)).map((l) => [l.quantity, l.price_total, l.sale_line_role]),
      [[1, '3.00', 'refund_adjustment']],
      'the credit note now credits a refund adjustment line; the fee line stays invoiced',
    );
    const updated = await contract.applyOrder(current(doc, [refundGid]));
    assert.deepEqual([updated.status, updated.amount_total], ['updated', '30.00']);
    const order = await m.readOrderLines(so);
    assert.equal(order.invoice_status, 'invoiced');
  });
}
