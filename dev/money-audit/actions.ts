/**
 * What the merchant and the customer do to the audit's orders (./run.ts), through the Shopify
 * simulator's control API (Shopify admin) and the MerchantDriver (Odoo's UI): invoices by hand,
 * payments collected and captured later, refunds, order edits before and after delivery,
 * deliveries and returns. Every step waits until the flows have carried it into Odoo.
 */
import { pullOrdersSince } from '../../sidecar/flows/orders/apply.js';
import type { MerchantDriver } from '../conformance/target.js';
import type { Stack } from '../testing/stack.js';
import { toCents } from '../../sidecar/rules/money.js';
import { centsString } from '../sim/taxes.js';
import type { AuditCounts } from './counts.js';
import { inBooked, minorOf, shopifyTotal, shown, type BookedMoney } from './currencies.js';
import type { AuditOrder } from './generate.js';

export const LOCATION = 101;
const WAIT_MS = 300_000;
const QUEUES = ['orders', 'refunds', 'returns', 'payments', 'fulfillments'];

export interface SimOrder {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  updated_at: string;
  current_total_price: string;
  current_total_price_set: { presentment_money: { amount: string; currency_code: string } };
  line_items: Array<{ sku: string | null; current_quantity: number; gift_card: boolean }>;
  shipping_lines: Array<{ id: number; price: string }>;
  fulfillments: unknown[];
  refunds: Array<{ admin_graphql_api_id: string; transactions: Array<{ amount: string; kind: string; status: string }> }>;
}

export interface Run {
  stack: Stack;
  merchant: MerchantDriver;
  counts: AuditCounts;
  note(line: string): void;
}

/** An order placed and imported, with what the audit expects of it. */
export interface Placed {
  plan: AuditOrder;
  order: SimOrder;
  soId: number;
  /** The order's policy made (or the merchant made) an invoice: its invoices must then add up to Shopify's total. */
  invoiced: boolean;
  /** The money Odoo is to book the order in (./currencies.ts): the shop's, or the customer's. */
  booked: BookedMoney;
}

export const sim = <T>(run: Run, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) =>
  run.stack.simControl<T>(method, path, body);
const waitFor = <T>(run: Run, what: string, probe: () => Promise<T | undefined | false>) => run.stack.waitFor(what, probe, WAIT_MS);
const cents = (amount: string, what: string) => toCents(amount, what);

export async function imported(run: Run, order: SimOrder): Promise<number> {
  const [so] = await waitFor(run, `${order.name} in Odoo`, async () => {
    const sos = await run.merchant.readSaleOrders(order.admin_graphql_api_id);
    return sos.length && (sos[0]!.state === 'sale' || (await run.merchant.readBinding('sale.order', sos[0]!.id)).state === 'error')
      ? sos
      : undefined;
  });
  return so!.id;
}

/** The orders, refunds, returns, payments and fulfillments queues idle (twice: a job may send another). */
export async function queuesIdle(run: Run): Promise<void> {
  for (let round = 0; round < 2; round++) {
    await run.stack.sim.idle();
    await waitFor(run, 'the money queues idle', async () => {
      const stats = await run.stack.sidecar.queue.queueStats();
      return stats.filter((q) => QUEUES.includes(q.queue)).every((q) => q.queued === 0 && q.active === 0);
    }).catch((error: unknown) => {
      // What kept a queue busy: the sidecar's last warnings and errors (a job retried until it is dead-lettered).
      const last = run.stack.logs.lines.filter((l) => l.level === 'warn' || l.level === 'error').slice(-10);
      throw new Error(`${(error as Error).message}; last warnings:\n${last.map((l) => JSON.stringify(l).slice(0, 600)).join('\n')}`);
    });
  }
}

/** Odoo's "Create invoice" by the merchant (policy never), compared with Shopify's total when made. */
export async function invoiceByHand(run: Run, p: Placed): Promise<void> {
  const current = await sim<SimOrder>(run, 'GET', `/orders/${p.order.id}`);
  const made = await run.merchant.invoiceOrder(p.soId);
  p.invoiced = true;
  const shopify = shopifyTotal(p.booked, current);
  if (made.move_type !== 'out_invoice' || minorOf(p.booked, made.amount_total, 'invoice') !== shopify) {
    run.counts.invoiceTotalsDiffer += 1;
    run.note(`invoice of ${p.order.name}: Odoo ${made.amount_total}, Shopify ${shown(p.booked, shopify)}`);
  }
}

/** The invoice the policy makes when the money comes in. */
export async function invoiceMade(run: Run, p: Placed): Promise<void> {
  await waitFor(run, `the invoice of ${p.order.name}`, async () => (await run.merchant.readOrderInvoices(p.soId)).length > 0);
}

/** A Shopify refund (one unit of a line by the plan, or money only), waited for in Odoo. */
export async function refund(run: Run, p: Placed, body: Record<string, unknown>): Promise<void> {
  const before = (await run.merchant.readRefunds(p.soId)).length;
  await sim(run, 'POST', `/orders/${p.order.id}/refunds`, body);
  await waitFor(run, `the refund of ${p.order.name} in Odoo`, async () => {
    const refunds = await run.merchant.readRefunds(p.soId);
    return refunds.length > before && refunds.every((x) => x.state !== 'pending') ? true : undefined;
  });
}

export function plannedRefund(p: Placed): Record<string, unknown> {
  const r = p.plan.refund!;
  return {
    lines: [{ sku: r.sku, quantity: r.quantity, restockType: r.restockType }],
    ...(r.shipping ? { shipping: 'full' } : {}),
    ...(r.duties ? { duties: 'proportional' } : {}),
  };
}

/**
 * Shopify's net money of the order (sales and captures less refunds and cash change), in cents of
 * the shop money, or of the booked money when given (each transaction's amount in it).
 */
export function netPaid(run: Run, orderId: number, booked?: BookedMoney): bigint {
  const sign = { sale: 1n, capture: 1n, refund: -1n, change: -1n, authorization: 0n } as const;
  return run.stack.sim.state.transactions
    .filter((t) => t.orderId === orderId && t.status === 'success')
    .reduce((s, t) => s + sign[t.kind] * (booked ? inBooked(booked, t.amount) : BigInt(t.amount)), 0n);
}

/** What an edit that made the order cheaper owes the customer, refunded as money only (Shopify's "Refund" after the edit). */
export async function refundEditBalance(run: Run, p: Placed): Promise<void> {
  const current = await sim<SimOrder>(run, 'GET', `/orders/${p.order.id}`);
  const owed = netPaid(run, p.order.id) - cents(current.current_total_price, 'Shopify total');
  if (owed > 0n) await refund(run, p, { amount: centsString(Number(owed)), note: 'edit balance' });
}

/** The edit of the plan, committed in Shopify's admin. */
export async function edit(run: Run, p: Placed): Promise<void> {
  const e = p.plan.edit!;
  if (e.add) await sim(run, 'POST', `/orders/${p.order.id}/edit`, { add: [e.add] });
  if (e.remove) {
    const current = await sim<SimOrder>(run, 'GET', `/orders/${p.order.id}`);
    const line = current.line_items.find((l) => l.sku === e.remove!.sku)!;
    await sim(run, 'POST', `/orders/${p.order.id}/edit`, {
      set: [{ sku: e.remove.sku, quantity: line.current_quantity - e.remove.quantity, restock: true }],
    });
  }
}

/**
 * The plan's shipping edit, committed in Shopify's admin after Odoo invoiced the order, then its
 * balance: paid back (lowered) or collected (raised: a sale, orders/paid).
 */
export async function editShipping(run: Run, p: Placed): Promise<void> {
  const current = await sim<SimOrder>(run, 'GET', `/orders/${p.order.id}`);
  const line = current.shipping_lines[0]!;
  await sim(run, 'POST', `/orders/${p.order.id}/edit`, { shipping: { update: [{ id: line.id, price: p.plan.shippingEdit!.price }] } });
  if (cents(p.plan.shippingEdit!.price, 'new shipping price') < cents(line.price, 'shipping price')) await refundEditBalance(run, p);
  else await sim(run, 'POST', `/orders/${p.order.id}/pay`);
}

/** Validates the order's open deliveries in Odoo and waits until Shopify has their fulfillments; false: nothing to deliver. */
export async function deliver(run: Run, p: Placed): Promise<boolean> {
  const open = (await run.merchant.readPickings(p.soId)).filter(
    (x) => x.picking_type === 'outgoing' && x.state !== 'done' && x.state !== 'cancel',
  );
  if (open.length === 0) return false;
  const before = (await sim<SimOrder>(run, 'GET', `/orders/${p.order.id}`)).fulfillments.length;
  for (const picking of open) await run.merchant.validateDelivery(picking.id, {});
  await waitFor(run, `the fulfillment of ${p.order.name} in Shopify`, async () =>
    (await sim<SimOrder>(run, 'GET', `/orders/${p.order.id}`)).fulfillments.length > before ? true : undefined,
  );
  for (const picking of open)
    await waitFor(run, `the delivery of ${p.order.name} synced`, async () =>
      (await run.merchant.readBinding('stock.picking', picking.id)).state === 'synced' ? true : undefined,
    );
  return true;
}

/** A return of the plan's unit, opened in Shopify, then processed (restocked) with the refund that closes it. */
export async function returnAndRefund(run: Run, p: Placed): Promise<void> {
  const r = p.plan.returned!;
  const ret = await sim<{ id: number }>(run, 'POST', `/orders/${p.order.id}/returns`, { lines: [{ sku: r.sku, quantity: r.quantity }] });
  await waitFor(run, `the return picking of ${p.order.name}`, async () =>
    (await run.merchant.readPickings(p.soId)).some((x) => x.picking_type === 'incoming'),
  );
  const before = (await run.merchant.readRefunds(p.soId)).length;
  await sim(run, 'POST', `/returns/${ret.id}/process`, {
    lines: [{ sku: r.sku, quantity: r.quantity, restock: true }],
    locationId: LOCATION,
    refund: true,
  });
  await waitFor(run, `the refund of ${p.order.name}'s return in Odoo`, async () => {
    const refunds = await run.merchant.readRefunds(p.soId);
    return refunds.length > before && refunds.every((x) => x.state !== 'pending') ? true : undefined;
  });
}

/**
 * A return of the plan's unit opened in Shopify and received in Odoo, where it waits for its credit
 * note (Settings → Shopify, refund of returns received in Odoo: with the Shopify return); the
 * credit note the merchant posts for that unit then processes the return in Shopify with its refund.
 */
export async function returnInOdoo(run: Run, p: Placed): Promise<void> {
  const r = p.plan.returned!;
  await sim(run, 'POST', `/orders/${p.order.id}/returns`, { lines: [{ sku: r.sku, quantity: r.quantity }] });
  const [picking] = await waitFor(run, `the return picking of ${p.order.name}`, async () => {
    const open = (await run.merchant.readPickings(p.soId)).filter(
      (x) => x.picking_type === 'incoming' && x.state !== 'done' && x.state !== 'cancel',
    );
    return open.length ? open : undefined;
  });
  await run.merchant.validateReturn(picking!.id);
  await waitFor(run, `the return of ${p.order.name} waiting for its credit note`, async () =>
    (await run.merchant.readReturnWaiting(picking!.id)) ? true : undefined,
  );
  const before = (await run.merchant.readRefunds(p.soId)).length;
  await run.merchant.creditOrderLines(p.soId, [{ sku: r.sku, quantity: r.quantity }], 'returned');
  await waitFor(run, `the refund of ${p.order.name}'s return in Odoo`, async () => {
    const refunds = await run.merchant.readRefunds(p.soId);
    return refunds.length > before && refunds.every((x) => x.state !== 'pending') ? true : undefined;
  });
  await waitFor(run, `the return of ${p.order.name} synced`, async () =>
    (await run.merchant.readBinding('stock.picking', picking!.id)).state === 'synced' ? true : undefined,
  );
}

/**
 * A unit removed in Shopify after Odoo delivered it, while Shopify did not know of the delivery
 * (its webhooks lost meanwhile; the orders pull brings the edit), then the balance refunded: the
 * default "return and credit" policy (docs/flows.md, "Order edits after delivery").
 */
export async function editAfterDelivery(run: Run, p: Placed): Promise<void> {
  const since = (await sim<SimOrder>(run, 'GET', `/orders/${p.order.id}`)).updated_at;
  await sim(run, 'PUT', '/faults', { webhookDropRate: 1 });
  try {
    await edit(run, p);
    await deliver(run, p);
    await run.stack.sim.idle();
  } finally {
    // Back with PUT: DELETE would re-seed the webhook ids, which the inbox then drops as duplicates.
    await sim(run, 'PUT', '/faults', { webhookDropRate: 0 });
  }
  await pullOrdersSince(run.stack.flowContext(), since);
  await queuesIdle(run);
  await refundEditBalance(run, p);
}
