/**
 * Shopify against Odoo, order by order, to the cent (./run.ts): the order total, the invoices
 * less credit notes, each refund and its credit note, each money transaction and its payment
 * (amount, direction, journal), the net paid, the reconciliation of settled orders, and the gift
 * card liability and gift card payments.
 */
import type { PaymentView } from '../conformance/target.js';
import { netPaid, sim, type Placed, type Run, type SimOrder } from './actions.js';
import { inBooked, minorOf, shopAmountInBooked, shopifyTotal, shown, type BookedMoney } from './currencies.js';
import { AUDIT_GATEWAYS, AUDIT_GIFT_CARD } from './generate.js';

/** Every amount is compared in the money Odoo booked the order in, to its minor unit (./currencies.ts). */
const sum = (booked: BookedMoney, amounts: readonly string[], what: string) => amounts.reduce((s, a) => s + minorOf(booked, a, what), 0n);
const DIRECTIONS: Record<string, 'inbound' | 'outbound' | undefined> = {
  sale: 'inbound',
  capture: 'inbound',
  refund: 'outbound',
  change: 'outbound',
};

function journalOf(gateway: string): string | undefined {
  if (gateway === 'gift_card') return AUDIT_GIFT_CARD.journal;
  return AUDIT_GATEWAYS.find((g) => g.gateway === gateway)?.journal;
}

export async function compareOrder(run: Run, p: Placed): Promise<void> {
  const shopify = await sim<SimOrder>(run, 'GET', `/orders/${p.order.id}`);
  const [so] = await run.merchant.readSaleOrders(p.order.admin_graphql_api_id);
  const binding = await run.merchant.readBinding('sale.order', p.soId);
  const total = shopifyTotal(p.booked, shopify);
  const currency = p.booked.presentment || p.plan.currency ? (await run.merchant.readOrderCurrency(p.soId)).currency : p.booked.currency;
  if (!so || binding.state === 'error' || currency !== p.booked.currency || minorOf(p.booked, so.amount_total, 'Odoo total') !== total) {
    run.counts.orderTotalsDiffer += 1;
    run.note(
      `order ${p.order.name} (${p.plan.action}): Odoo ${so?.amount_total ?? 'none'} ${currency} (${binding.state}: ${binding.message ?? ''}), Shopify ${shown(p.booked, total)}`,
    );
  }
  await compareRefunds(run, p, shopify);
  const settled = await compareInvoices(run, p, shopify);
  const payments = await run.merchant.readPayments(p.soId);
  comparePayments(run, p, payments, settled);
  await compareGiftCards(run, p, payments);
}

/** Each Shopify refund applied once in Odoo, and its credit note (when the order was invoiced) equal to the money refunded. */
async function compareRefunds(run: Run, p: Placed, shopify: SimOrder): Promise<void> {
  const records = new Map((await run.merchant.readRefunds(p.soId)).map((r) => [r.refund_gid, r]));
  for (const r of shopify.refunds) {
    run.counts.refunds += 1;
    const record = records.get(r.admin_graphql_api_id);
    const refunded = r.transactions
      .filter((t) => t.kind === 'refund' && t.status === 'success')
      .reduce((s, t) => s + shopAmountInBooked(p.booked, t.amount, 'Shopify refund'), 0n);
    if (record?.state !== 'applied') {
      run.counts.refundsNotApplied += 1;
      run.note(`refund ${r.admin_graphql_api_id} of ${p.order.name}: ${record ? record.state : 'not in Odoo'}`);
      continue;
    }
    if (record.credit_note_id === null) continue;
    const cn = await run.merchant.readCreditNote(record.credit_note_id);
    if (cn.state !== 'posted' || minorOf(p.booked, cn.amount_total, 'credit note') !== refunded) {
      run.counts.creditNotesDiffer += 1;
      run.note(`credit note of ${p.order.name}: Odoo ${cn.amount_total} (${cn.state}), Shopify refunded ${shown(p.booked, refunded)}`);
    }
  }
}

/**
 * The order's invoices less its credit notes against Shopify's current total, when the order is
 * invoiced. Returns whether the order is settled: invoiced, and Shopify's net paid equals its total.
 */
async function compareInvoices(run: Run, p: Placed, shopify: SimOrder): Promise<boolean> {
  const invoices = await run.merchant.readOrderInvoices(p.soId);
  const notes = await run.merchant.readOrderCreditNotes(p.soId);
  run.counts.invoices += invoices.length;
  run.counts.creditNotes += notes.length;
  const total = shopifyTotal(p.booked, shopify);
  if (!p.invoiced && invoices.length === 0) return false;
  const net =
    sum(
      p.booked,
      invoices.map((i) => i.amount_total),
      'invoice',
    ) -
    sum(
      p.booked,
      notes.map((n) => n.amount_total),
      'credit note',
    );
  const unposted = [...invoices, ...notes].filter((m) => m.state !== 'posted').length;
  if (!p.invoiced || invoices.length === 0 || unposted > 0 || net !== total) {
    run.counts.invoiceTotalsDiffer += 1;
    run.note(
      `invoices of ${p.order.name} (${p.plan.action}): Odoo ${invoices.length} invoice(s) less ${notes.length} credit note(s) = ${shown(p.booked, net)}` +
        `${unposted ? ` (${unposted} not posted)` : ''}, Shopify ${shown(p.booked, total)}${p.invoiced ? '' : ' (no invoice expected)'}`,
    );
  }
  const open = invoices.filter((i) => minorOf(p.booked, i.amount_residual, 'residual') !== 0n);
  const settled = invoices.length > 0 && net === total && netPaid(run, p.order.id, p.booked) === total;
  if (settled && open.length > 0) {
    run.counts.paymentsUnreconciled += open.length;
    run.note(
      `${p.order.name} (${p.plan.action}): ${open.length} invoice(s) paid in Shopify left open in Odoo (${open.map((i) => i.amount_residual).join(', ')})`,
    );
  }
  return settled;
}

/** Each Shopify money transaction against its Odoo payment; on a settled order every payment reconciled. */
function comparePayments(run: Run, p: Placed, payments: PaymentView[], settled: boolean): void {
  run.counts.payments += payments.length;
  const byGid = new Map(payments.map((x) => [x.transaction_gid, x]));
  const problems: string[] = [];
  const money = run.stack.sim.state.transactions.filter((t) => t.orderId === p.order.id && t.status === 'success' && DIRECTIONS[t.kind]);
  for (const t of money) {
    const gid = `gid://shopify/OrderTransaction/${t.id}`;
    const booked = byGid.get(gid);
    byGid.delete(gid);
    const expected = [DIRECTIONS[t.kind], inBooked(p.booked, t.amount), journalOf(t.gateway)];
    const found = booked ? [booked.payment_type, minorOf(p.booked, booked.amount, 'payment'), booked.journal] : null;
    if (!found || found.some((v, i) => v !== expected[i]))
      problems.push(`${t.kind} ${t.gateway} ${shown(p.booked, expected[1] as bigint)}: Odoo ${found ? found.join(' ') : 'none'}`);
  }
  for (const extra of byGid.values()) problems.push(`Odoo payment ${extra.transaction_gid} ${extra.amount} has no Shopify transaction`);
  const odooNet = payments.reduce((s, x) => s + (x.payment_type === 'inbound' ? 1n : -1n) * minorOf(p.booked, x.amount, 'payment'), 0n);
  const shopifyNet = netPaid(run, p.order.id, p.booked);
  if (odooNet !== shopifyNet) problems.push(`net paid: Odoo ${shown(p.booked, odooNet)}, Shopify ${shown(p.booked, shopifyNet)}`);
  if (problems.length) {
    run.counts.paymentsDiffer += 1;
    run.note(`payments of ${p.order.name} (${p.plan.action}): ${problems.join('; ')}`);
  }
  const unreconciled = settled ? payments.filter((x) => !x.reconciled) : [];
  if (unreconciled.length) {
    run.counts.paymentsUnreconciled += unreconciled.length;
    run.note(
      `${p.order.name} (${p.plan.action}): settled but ${unreconciled.map((x) => `${x.payment_type} ${x.amount} (${x.journal})`).join(', ')} not reconciled`,
    );
  }
}

/** The gift card sold is invoiced to the liability account, and the gift card payments are in the gift card journal. */
async function compareGiftCards(run: Run, p: Placed, payments: PaymentView[]): Promise<void> {
  const order = run.stack.sim.state.orders.find((o) => o.id === p.order.id)!;
  // Each of Shopify's amounts in the booked money, as its presentmentMoney gives it (unit price, discount).
  const sold = order.lineItems
    .filter((li) => li.isGiftCard)
    .reduce((s, li) => s + inBooked(p.booked, li.price) * BigInt(li.quantity) - inBooked(p.booked, li.discount), 0n);
  const usedToPay = run.stack.sim.state.transactions
    .filter((t) => t.orderId === p.order.id && t.status === 'success' && t.kind === 'sale' && t.gateway === 'gift_card')
    .reduce((s, t) => s + inBooked(p.booked, t.amount), 0n);
  if (sold === 0n && usedToPay === 0n) return;
  run.counts.giftCards += 1;
  const invoices = await run.merchant.readOrderInvoices(p.soId);
  const liability = sum(
    p.booked,
    invoices.map((i) => i.gift_card_amount),
    'gift card liability',
  );
  const journal = payments.filter((x) => x.journal === AUDIT_GIFT_CARD.journal);
  const inJournal = journal.reduce((s, x) => s + (x.payment_type === 'inbound' ? 1n : -1n) * minorOf(p.booked, x.amount, 'payment'), 0n);
  const expectedLiability = p.invoiced ? sold : 0n;
  if (liability !== expectedLiability || inJournal !== usedToPay) {
    run.counts.giftCardsDiffer += 1;
    run.note(
      `gift cards of ${p.order.name}: liability Odoo ${shown(p.booked, liability)}, Shopify sold ${shown(p.booked, sold)}; ` +
        `gift card journal Odoo ${shown(p.booked, inJournal)}, Shopify ${shown(p.booked, usedToPay)}`,
    );
  }
}
