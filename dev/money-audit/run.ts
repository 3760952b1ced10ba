/**
 * `make money-audit` (docs/operations.md, "Money audit"): N simulated orders (default 200) with
 * mixed taxes — none, one rate, stacked state and city rates, taxes included with one or two
 * rates — line and order discounts, taxed and discounted shipping, gift cards sold and used to
 * pay, import duties and additional fees (./generate.ts), placed in the Shopify simulator and imported by the sidecar into Odoo: the
 * in-process double, or a real Odoo 18 when ODOO_URL and friends are set
 * (scripts/with-real-odoo.sh). Payment gateways are mapped to journals, so every payment is
 * booked. The orders run in batches, each under one invoice policy in turn (on payment, on
 * delivery, by hand), and each order gets what the merchant and customer do next (./actions.ts):
 * captures and bank transfers paid later, refunds before and after invoicing, order edits before
 * and after delivery, deliveries and returns closed with a refund. At the end of each batch every
 * amount Odoo holds is compared with Shopify's, to the cent (./compare.ts), and the last line is
 *   orders=N order_totals_differ=0 invoices=I invoice_totals_differ=0 refunds=R credit_notes=C
 *   credit_notes_differ=0 refunds_not_applied=0 payments=P payments_differ=0
 *   payments_unreconciled=0 gift_cards=G gift_cards_differ=0 duties=D duties_refunded=E fees=F shipping_edits=S returns_in_odoo=O
 * The exit code is 0 only when nothing differs. With `--currencies mixed` (./currencies.ts) about
 * 45 % of the orders are paid in the customer's currency (PLN, JPY, KWD), the batches book them in
 * the customer's and the shop's money in turn (or as `--book-in` says), every amount is compared
 * in the currency Odoo booked, and the line ends with
 *   foreign=F booked_in_customer_currency=B currencies=EUR:n,JPY:n,…
 *
 *   node --import tsx dev/money-audit/run.ts [--orders 200] [--seed 1] [--batch 20]
 *        [--rounding round_per_line|round_globally] [--tax-source shopify|odoo]
 *        [--currencies shop|mixed] [--book-in batch|presentment|shop]
 */
import { createOdooClient } from '../../sidecar/odoo/client.js';
import { createRealMerchant } from '../conformance/real-driver.js';
import type { MerchantDriver } from '../conformance/target.js';
import { realOdooFromEnv, type RealOdooSettings } from '../testing/env.js';
import { startThrowawayPostgres } from '../testing/postgres.js';
import { startStack, type Stack } from '../testing/stack.js';
import * as act from './actions.js';
import { compareOrder } from './compare.js';
import { actionSummary, anyDifference, emptyCounts, summary, type AuditCounts } from './counts.js';
import { batchBookIn, bookedMoney, setUpCurrencies, withCurrency, type BookIn, type CurrencyMix } from './currencies.js';
import { AUDIT_GATEWAYS, AUDIT_GIFT_CARD, auditOrders, TAX_MAPPING, type AuditOrder, type AuditSku } from './generate.js';

export { anyDifference } from './counts.js';
export type { AuditCounts } from './counts.js';

export interface AuditOptions {
  orders: number;
  seed: number;
  /** Orders per batch (default 20); the batches take the invoice policies in turn. */
  batch?: number;
  rounding: 'round_per_line' | 'round_globally';
  /** The addon's tax source; "odoo" (no tolerance) shows what the audit finds without the rounding line. */
  taxSource?: 'shopify' | 'odoo';
  /** Customers' currencies (./currencies.ts): none (`shop`, the default) or `mixed`. */
  currencies?: CurrencyMix;
  /** With `mixed`: the money each batch books orders in (default: the batches alternate). */
  bookIn?: BookIn;
  /** A database URL for the sidecar's queue; default: a throwaway embedded PostgreSQL. */
  databaseUrl?: string;
  realOdoo: RealOdooSettings | null;
  print: (line: string) => void;
}

const CATALOG: readonly number[] = [999, 445, 735, 1215, 333, 1999, 2450, 89];
const LOCATION = act.LOCATION;
type Run = act.Run;
type Placed = act.Placed;

async function catalog(run: Run, warehouseId: number, seed: number): Promise<AuditSku[]> {
  const skus: AuditSku[] = [];
  for (const [i, price] of CATALOG.entries()) {
    const sku = `AUDIT-${seed}-${i + 1}-${Date.now().toString(36)}`;
    const text = `${Math.floor(price / 100)}.${String(price % 100).padStart(2, '0')}`;
    await act.sim(run, 'POST', '/products', { title: `Audit ${sku}`, sku, price: text, stock: { [String(LOCATION)]: 100_000 } });
    const product = await run.merchant.createProduct({ name: `Audit ${sku}`, price: text, variants: [{ sku }] });
    await run.merchant.setStock(product.variants[sku]!, warehouseId, 100_000);
    skus.push({ sku, price });
  }
  return skus;
}

/** What follows the import at once (the order's webhooks may still be in flight). */
async function firstSteps(run: Run, p: Placed): Promise<void> {
  const { action } = p.plan;
  if (action === 'invoice' || action === 'invoice_then_refund') await act.invoiceByHand(run, p);
  if (p.plan.policy === 'on_payment') {
    p.invoiced = true;
    if (action === 'pending_paid' || action === 'captured') await act.sim(run, 'POST', `/orders/${p.order.id}/pay`);
    // Refunds and edits after the money came in: the invoice is there before them.
    if (action === 'refund_after_invoice' || action === 'edit_add' || action === 'edit_remove' || p.plan.shippingEdit)
      await act.invoiceMade(run, p);
  }
  if (p.plan.shippingEdit) await act.editShipping(run, p);
  if (action === 'edit_add' || action === 'edit_remove') await act.edit(run, p);
  // The added line is collected (a sale → orders/paid), the removed unit paid back.
  if (action === 'edit_add') await act.sim(run, 'POST', `/orders/${p.order.id}/pay`);
  if (action === 'edit_remove') await act.refundEditBalance(run, p);
  if (p.plan.refund && action !== 'refund_after_delivery') await act.refund(run, p, act.plannedRefund(p));
}

/** What needs the batch's webhooks worked first: deliveries, and what follows them. */
async function laterSteps(run: Run, p: Placed): Promise<void> {
  const { action } = p.plan;
  if (action === 'edit_after_delivery') return act.editAfterDelivery(run, p);
  if (!['delivered', 'refund_before_invoice', 'refund_after_delivery', 'return'].includes(action)) return;
  const delivered = await act.deliver(run, p);
  if (p.plan.policy === 'on_delivery' && delivered) p.invoiced = true;
  if (action === 'refund_after_delivery') await act.refund(run, p, act.plannedRefund(p));
  if (action === 'return') await (p.plan.returned?.inOdoo ? act.returnInOdoo(run, p) : act.returnAndRefund(run, p));
}

/** Where the batch runs: its index and the shop currency (the company's). */
interface BatchContext {
  index: number;
  shopCurrency: string;
}

async function runBatch(run: Run, batch: AuditOrder[], options: AuditOptions, at: BatchContext): Promise<void> {
  const mixed = options.currencies === 'mixed';
  const bookIn = batchBookIn(options.bookIn ?? 'batch', at.index);
  await run.merchant.configure({ invoice_policy: batch[0]!.policy, ...(mixed ? { presentment_policy: bookIn } : {}) });
  const orders = [];
  for (const plan of batch) orders.push(await act.sim<act.SimOrder>(run, 'POST', '/orders', plan.body));
  const placed: Placed[] = [];
  for (const [j, plan] of batch.entries()) {
    const order = orders[j]!;
    const booked = bookedMoney(plan, at.shopCurrency, mixed ? bookIn : 'shop');
    const p: Placed = { plan, order, soId: await act.imported(run, order), invoiced: false, booked };
    placed.push(p);
    // A held or flagged order already differs (compareOrder counts it); nothing more is done to it.
    if ((await run.merchant.readBinding('sale.order', p.soId)).state !== 'error') await firstSteps(run, p);
  }
  await act.queuesIdle(run);
  for (const p of placed) if ((await run.merchant.readBinding('sale.order', p.soId)).state !== 'error') await laterSteps(run, p);
  // Each batch is compared once its webhooks are worked, and the running figures printed.
  await act.queuesIdle(run);
  for (const p of placed) {
    run.counts.actions[p.plan.action] = (run.counts.actions[p.plan.action] ?? 0) + 1;
    if (p.plan.body.lines.some((l) => l.duties?.length)) run.counts.duties += 1;
    if (p.plan.refund?.duties) run.counts.dutiesRefunded += 1;
    if (p.plan.body.additionalFees?.length) run.counts.fees += 1;
    if (p.plan.shippingEdit) run.counts.shippingEdits += 1;
    if (p.plan.returned?.inOdoo) run.counts.returnsInOdoo += 1;
    if (mixed) countCurrency(run.counts, p);
    await compareOrder(run, p);
  }
  run.counts.orders += placed.length;
  options.print(`money-audit: ${summary(run.counts)}`);
}

function countCurrency(counts: AuditCounts, p: Placed): void {
  const c = (counts.currencies ??= { foreign: 0, presentment: 0, booked: {} });
  if (p.plan.currency) c.foreign += 1;
  if (p.booked.presentment) c.presentment += 1;
  c.booked[p.booked.currency] = (c.booked[p.booked.currency] ?? 0) + 1;
}

async function connect(options: AuditOptions): Promise<{ stack: Stack; merchant: MerchantDriver; stopDb: () => Promise<void> }> {
  const postgres = options.databaseUrl ? null : await startThrowawayPostgres();
  const databaseUrl = options.databaseUrl ?? (await postgres!.createDatabase('money_audit'));
  const stopDb = async () => postgres?.stop();
  const env = { ORDERS_PULL_CRON: '0 0 1 1 *' };
  if (!options.realOdoo) {
    const stack = await startStack({ databaseUrl, env });
    return { stack, merchant: stack.merchant!, stopDb };
  }
  const real = options.realOdoo;
  const common = { url: real.url, db: real.db, protocol: 'jsonrpc' as const, requestTimeoutMs: 120_000 };
  const merchant = createRealMerchant({
    admin: createOdooClient({ ...common, user: real.adminUser, apiKey: real.adminPassword }),
    adminLogin: real.adminUser,
  });
  const stack = await startStack({
    databaseUrl,
    odoo: createOdooClient({ ...common, user: real.user, apiKey: real.apiKey }),
    sim: { currency: await merchant.companyCurrency() },
    env,
  });
  return { stack, merchant, stopDb };
}

export async function runMoneyAudit(options: AuditOptions): Promise<AuditCounts & { line: string; actionLine: string }> {
  const { stack, merchant, stopDb } = await connect(options);
  const counts = emptyCounts();
  const run: Run = { stack, merchant, counts, note: (line) => counts.examples.length < 30 && counts.examples.push(line) };
  const size = options.batch ?? 20;
  try {
    await stack.sidecar.workersStarted;
    await stack.subscribeWebhooks();
    await merchant.configure({
      import_policy: 'all',
      safety_stock: 0,
      tax_mapping: TAX_MAPPING,
      tax_rounding: options.rounding,
      tax_source: options.taxSource ?? 'shopify',
      tax_tolerance: '0.00',
      edit_removal_policy: 'return',
      return_refund: 'return',
      gateways: AUDIT_GATEWAYS,
      gift_card: AUDIT_GIFT_CARD,
    });
    const shopCurrency = await setUpCurrencies(merchant, options.currencies ?? 'shop');
    const warehouse = (await merchant.warehouses()).find((w) => w.location_gid === `gid://shopify/Location/${LOCATION}`);
    if (!warehouse) throw new Error(`no Odoo warehouse is mapped to Shopify location ${LOCATION}`);
    const skus = await catalog(run, warehouse.id, options.seed);
    const plans = auditOrders(options.orders, options.seed, skus, LOCATION, size).map((o) => withCurrency(o, options.currencies ?? 'shop'));
    for (let i = 0; i < plans.length; i += size) await runBatch(run, plans.slice(i, i + size), options, { index: i / size, shopCurrency });
  } finally {
    await stack.stop();
    await stopDb();
  }
  return { ...counts, line: summary(counts), actionLine: actionSummary(counts) };
}

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const rounding = argument('rounding', 'round_per_line');
  if (rounding !== 'round_per_line' && rounding !== 'round_globally') throw new Error('--rounding is round_per_line or round_globally');
  const taxSource = argument('tax-source', 'shopify');
  if (taxSource !== 'shopify' && taxSource !== 'odoo') throw new Error('--tax-source is shopify or odoo');
  const currencies = argument('currencies', 'shop');
  if (currencies !== 'shop' && currencies !== 'mixed') throw new Error('--currencies is shop or mixed');
  const bookIn = argument('book-in', 'batch');
  if (bookIn !== 'batch' && bookIn !== 'presentment' && bookIn !== 'shop') throw new Error('--book-in is batch, presentment or shop');
  const realOdoo = realOdooFromEnv();
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const money = currencies === 'mixed' ? `, customers' currencies mixed (booked in: ${bookIn})` : '';
  print(
    `money-audit: against ${realOdoo ? `a real Odoo at ${realOdoo.url}` : 'the Odoo double'}, ${rounding}, tax source ${taxSource}${money}`,
  );
  const result = await runMoneyAudit({
    orders: Number(argument('orders', '200')),
    seed: Number(argument('seed', '1')),
    batch: Number(argument('batch', '20')),
    rounding,
    taxSource,
    currencies,
    bookIn,
    realOdoo,
    print,
  });
  for (const example of result.examples) print(`  ${example}`);
  print(`money-audit: actions ${result.actionLine}`);
  print(result.line);
  // Explicit: the sidecar's shutdown must not decide the audit's exit code.
  process.exit(anyDifference(result) ? 1 : 0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`money-audit: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(2);
  });
}
