/**
 * Import duties (contract 1.5), run against the double and a real Odoo like the rest of
 * ./suite.ts: apply_order books each duty as a line of the duties product with the taxes of its
 * tax lines, apply_refund gives duties back (on the order before invoicing, on the credit note
 * after), export_credit_note names the duty a credit note line credits. Amounts: two units at
 * 10.00 + 20 % VAT, shipping 5.00 + 1.00, a duty of 3.00 + 0.60 VAT on the units: 33.60.
 */
import assert from 'node:assert/strict';
import type { OrderDocument, RefundDocument } from '../../sidecar/odoo/contract.js';
import { OdooPermanentError } from '../../sidecar/odoo/errors.js';
import { gidOf, orderDoc, refundOf, vat } from './fixtures.js';
import { rejects, VALIDATION } from './support.js';
import type { AreaContext } from './target.js';

export function defineDutyScenarios(get: () => AreaContext): void {
  const dutyOrder = async () => {
    const { contract, currency, wh } = get();
    const p = await get().stocked();
    const doc = orderDoc({
      currency,
      location_gid: wh[0]!.location_gid,
      lines: [{ sku: p.sku, quantity: 2, price: '10.00', taxes: [vat('4.00')] }],
      shipping: { price: '5.00', taxes: [vat('1.00')] },
      duties: [{ line: 0, price: '3.00', taxes: [vat('0.60')] }],
    });
    const applied = await contract.applyOrder(doc);
    return { p, doc, applied, so: applied.sale_order_id, dutyGid: doc.duties![0]!.duty_gid };
  };
  /** Shopify's order after refunds: `quantity` units left, the duty still at its price (the refunds give it back). */
  const current = (doc: OrderDocument, quantity: number, refundGids: string[], total: string): OrderDocument => ({
    ...doc,
    updated_at: '2026-11-03T11:00:00Z',
    lines: [{ ...doc.lines[0]!, quantity, tax_lines: [vat(`${2 * quantity}.00`)] }],
    subtotal_price: `${10 * quantity}.00`,
    total_price: total,
    refund_gids: refundGids,
  });
  const dutyBack = (dutyGid: string, amount: string, tax: string): Pick<RefundDocument, 'duties'> => ({
    duties: [{ duty_gid: dutyGid, amount, tax }],
  });
  /** One unit at 10.00 + 2.00 VAT with a duty of 3.00 taxed `dutyTax` (not applied). */
  const oneUnitWithDuty = async (dutyTax: ReturnType<typeof vat>) => {
    const { currency, wh } = get();
    const p = await get().stocked();
    return orderDoc({
      currency,
      location_gid: wh[0]!.location_gid,
      lines: [{ sku: p.sku, quantity: 1, price: '10.00', taxes: [vat('2.00')] }],
      duties: [{ line: 0, price: '3.00', taxes: [dutyTax] }],
    });
  };
  const roles = async (so: number) => (await get().m.readOrderLines(so)).lines.map((l) => [l.role, l.quantity, l.price_total]);

  it('books a duty as a taxed service line: the order equals Shopify to the cent and is invoiced with it', async () => {
    const { m } = get();
    const { applied, so } = await dutyOrder();
    assert.deepEqual([applied.status, applied.amount_total], ['created', '33.60']);
    assert.deepEqual(
      (await roles(so)).filter(([role]) => role === 'duty'),
      [['duty', 1, '3.60']],
    );
    const invoice = await m.invoiceOrder(so);
    assert.deepEqual([invoice.move_type, invoice.amount_total], ['out_invoice', '33.60']);
  });

  it('gives a duty back proportionally with a unit, then the rest alone: exact posted credit notes, the order update applies', async () => {
    const { contract, m } = get();
    const { doc, so, dutyGid } = await dutyOrder();
    await m.invoiceOrder(so);
    // One unit (10.00 + 2.00) and half the duty (1.50 + 0.30): 13.80.
    const first = refundOf(doc, 'cancel', 1, { ...dutyBack(dutyGid, '1.50', '0.30'), total: '13.80' });
    const r1 = await contract.applyRefund(first);
    assert.deepEqual([r1.status, r1.amount_total], ['created', '13.80']);
    assert.deepEqual(await m.readCreditNote(r1.credit_note_id!), { amount_total: '13.80', state: 'posted' });
    const lines = await m.readCreditNoteLines(r1.credit_note_id!);
    assert.deepEqual(
      lines.filter((l) => l.price_total === '1.80').map((l) => [l.quantity, l.sale_line_role]),
      [[1, 'refund']],
      'the duty given back is credited through its own order line',
    );
    const second = refundOf(doc, 'cancel', 0, { lines: [], ...dutyBack(dutyGid, '1.50', '0.30'), total: '1.80' });
    const r2 = await contract.applyRefund(second);
    assert.deepEqual([r2.status, r2.amount_total], ['created', '1.80']);
    // Shopify's current order: one unit and the shipping (12.00 + 6.00), no duty left.
    const updated = await contract.applyOrder(current(doc, 1, [first.refund_gid, second.refund_gid], '18.00'));
    assert.deepEqual([updated.status, updated.amount_total], ['updated', '18.00']);
    const order = await m.readOrderLines(so);
    assert.equal(order.invoice_status, 'invoiced');
  });

  it('gives a duty back before invoicing on the order itself; the invoice then leaves it out', async () => {
    const { contract, m } = get();
    const { doc, so, dutyGid } = await dutyOrder();
    const refund = refundOf(doc, 'cancel', 0, { lines: [], ...dutyBack(dutyGid, '3.00', '0.60'), total: '3.60' });
    const r = await contract.applyRefund(refund);
    assert.deepEqual([r.status, r.credit_note_id], ['created', null]);
    // Shopify's current duties count the refund (contract 1.7): what Odoo books, so it applies.
    const updated = await contract.applyOrder({ ...current(doc, 2, [refund.refund_gid], '30.00'), current_total_duties: '0.00' });
    assert.deepEqual([updated.status, updated.amount_total], ['updated', '30.00']);
    const invoice = await m.invoiceOrder(so);
    assert.equal(invoice.amount_total, '30.00');
  });

  it('holds an order whose current duties an order edit changed, naming currentTotalDutiesSet and both amounts; the duty line keeps its price', async () => {
    const { contract } = get();
    const { doc, so } = await dutyOrder();
    // An edit removed a unit and Shopify took half the duty (1.50 + 0.30) off its current totals.
    const edited = { ...current(doc, 1, [], '19.80'), current_total_duties: '1.50' };
    const r = await contract.applyOrder(edited);
    assert.equal(r.status, 'held');
    assert.equal(
      r.message,
      `order ${doc.name} held: currentTotalDutiesSet is 1.50 but the duties Odoo books come to 3.00 (charged 3.00, refunded 0.00): ` +
        'an order edit in Shopify changed the duties and Shopify does not say which duty by how much (Duty.price stays what ' +
        'was charged), so the connector does not book it; book the difference by hand',
    );
    assert.deepEqual(
      (await roles(so)).filter(([role]) => role === 'duty'),
      [['duty', 1, '3.60']],
    );
  });

  it('follows a duty price Shopify lowered after invoicing with a posted credit note of the difference; a raised one is invoiced on a supplement line', async () => {
    const { contract, m } = get();
    const { doc, so } = await dutyOrder();
    await m.invoiceOrder(so);
    const repriced = (price: string, tax: string, total: string, updatedAt: string): OrderDocument => ({
      ...doc,
      updated_at: updatedAt,
      duties: [{ ...doc.duties![0]!, price, tax_lines: [vat(tax)] }],
      total_price: total,
    });
    // 3.00 + 0.60 → 2.00 + 0.40: 1.20 less.
    const lowered = await contract.applyOrder(repriced('2.00', '0.40', '32.40', '2026-11-03T11:00:00Z'));
    assert.deepEqual([lowered.status, lowered.amount_total], ['updated', '32.40']);
    assert.match(lowered.message ?? '', /the edit is credited on \S+ \(1\.20\)$/);
    assert.equal((await m.readOrderLines(so)).invoice_status, 'invoiced');
    const raised = await contract.applyOrder(repriced('2.50', '0.50', '33.00', '2026-11-03T12:00:00Z'));
    assert.deepEqual([raised.status, raised.amount_total], ['updated', '33.00'], raised.message ?? '');
    assert.deepEqual(
      (await roles(so)).filter(([role]) => role === 'duty' || role === 'raised'),
      [
        ['duty', 1, '2.40'],
        ['raised', 1, '0.60'],
      ],
    );
    assert.equal((await m.invoiceOrder(so)).amount_total, '0.60');
    assert.equal((await m.readOrderLines(so)).invoice_status, 'invoiced');
  });

  it('holds an order whose duties are inside its product prices (dutiesIncluded), naming the field', async () => {
    const doc = await oneUnitWithDuty(vat('0.60'));
    const r = await get().contract.applyOrder({ ...doc, duties_included: true, total_price: '12.60' });
    assert.equal(r.status, 'held');
    assert.match(
      r.message ?? '',
      /^order \S+ held: dutiesIncluded is true \(duties inside the product prices\), which the connector does not book: its duty lines would count the duties a second time; book the order by hand$/,
    );
  });

  it('refuses a refund of a duty the order does not have, naming it, and writes nothing', async () => {
    const { contract, m } = get();
    const { doc, so } = await dutyOrder();
    const stranger = gidOf('Duty');
    const refund = refundOf(doc, 'cancel', 1, { ...dutyBack(stranger, '1.00', '0.00'), total: '13.00' });
    await rejects(contract.applyRefund(refund), {
      cls: OdooPermanentError,
      odooName: VALIDATION,
      message: new RegExp(`^refund ${refund.refund_gid} duty 1: duty ${stranger} is not on order `),
    });
    assert.deepEqual(await m.readRefunds(so), []);
    assert.equal((await m.readOrderLines(so)).lines.find((l) => l.role === 'product')!.quantity, 2);
  });

  it('holds an order whose duty tax is not mapped, naming the duty', async () => {
    const doc = await oneUnitWithDuty(vat('0.57', '0.19', 'Import VAT'));
    const r = await get().contract.applyOrder(doc);
    assert.equal(r.status, 'held');
    assert.match(r.message ?? '', /no tax mapping for Shopify tax "Import VAT" at rate 0\.19 \(duty 1\)/);
  });
  it('exports a credit note made in Odoo for the duty with the duty it credits; its refund from Shopify takes the duty off the order once', async () => {
    const { contract, m } = get();
    const { doc, so, dutyGid } = await dutyOrder();
    await m.invoiceOrder(so);
    const { credit_note_id } = await m.creditOrderLines(so, [{ sku: 'SHOPIFY-DUTIES', quantity: 1 }], 'duty refunded');
    const exported = await contract.exportCreditNote({ move_id: credit_note_id });
    assert.deepEqual(
      exported.lines.map((l) => [l.role, l.duty_gid, l.quantity, l.price_subtotal, l.price_total]),
      [['duty', dutyGid, 1, '3.00', '3.60']],
    );
    const refundGid = gidOf('Refund');
    await contract.recordSyncResult({ model: 'account.move', res_id: credit_note_id, state: 'synced', shopify_gid: refundGid });
    // Shopify's refunds/create of it (refundDuties FULL): no second credit note.
    const echo = await contract.applyRefund({
      ...refundOf(doc, 'cancel', 0, { lines: [], ...dutyBack(dutyGid, '3.00', '0.60'), total: '3.60' }),
      refund_gid: refundGid,
    });
    assert.deepEqual([echo.status, echo.credit_note_id], ['created', credit_note_id]);
    assert.deepEqual(
      (await m.readCreditNoteLines(credit_note_id)).map((l) => [l.quantity, l.price_total, l.sale_line_role]),
      [[1, '3.60', 'refund']],
      'the credit note now credits the refund line, the duty line stays invoiced',
    );
    // Shopify's current order no longer counts the duty: Odoo's equals it, all invoiced.
    const updated = await contract.applyOrder(current(doc, 2, [refundGid], '30.00'));
    assert.deepEqual([updated.status, updated.amount_total], ['updated', '30.00']);
    assert.equal((await m.readOrderLines(so)).invoice_status, 'invoiced');
  });
}
