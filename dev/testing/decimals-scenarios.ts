/**
 * Currencies with 0 and 3 decimals end to end (docs/flows.md, "Currencies"): a shop selling in
 * KWD (fils, 3 decimals) or JPY (no decimals) whose Odoo company has the same currency. An order
 * with a state and a city rate stacked on every line, a line discount and an order discount
 * allocated across the lines, and taxed shipping (tax lines as Shopify computes them, in the
 * currency's minor units: dev/sim/taxes.ts) is imported by the sidecar, invoiced in Odoo and
 * partly refunded in Shopify; the order, its invoice and the credit note equal Shopify's amounts
 * to the fils and the yen, and the order is never flagged.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { minorUnits, toMinor } from '../../sidecar/rules/money.js';
import { formatCents } from '../sim/money.js';
import { allocateAcross, shopifyTaxLines } from '../sim/taxes.js';
import type { MoneyScenarioContext } from './money-scenarios.js';

const RATES = [
  { title: 'CA State Tax', rate: '0.0625' },
  { title: 'Los Angeles City Tax', rate: '0.025' },
];
const LOCATION = 101;

interface SimOrder {
  id: number;
  admin_graphql_api_id: string;
  current_total_price: string;
  refunds: Array<{ transactions: Array<{ amount: string; kind: string }> }>;
}

/** Prices, line discount, order discount and shipping of the scenario, in minor units. */
const AMOUNTS: Record<string, { prices: number[]; lineDiscount: number; orderDiscount: number; shipping: number }> = {
  KWD: { prices: [9999, 4445], lineDiscount: 1555, orderDiscount: 1901, shipping: 4999 },
  JPY: { prices: [1980, 445], lineDiscount: 155, orderDiscount: 191, shipping: 499 },
};

export function defineDecimalScenarios(get: () => MoneyScenarioContext, currency: 'KWD' | 'JPY'): void {
  const sim = <T>(method: 'GET' | 'POST', path: string, body?: unknown) => get().stack.simControl<T>(method, path, body);
  const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>) => get().stack.waitFor(what, probe, get().timeoutMs);
  const money = (minor: number) => formatCents(minor, currency);
  /** Two amounts equal in the currency's minor units ("5831.0" is "5831" yen). */
  const same = (a: string | null | undefined, b: string, what: string) =>
    assert.equal(toMinor(a ?? 'missing', minorUnits(currency), what), toMinor(b, minorUnits(currency), what), `${what}: ${a} ≠ ${b}`);

  // As a merchant selling in fils must: Odoo stores unit prices with 2 decimals by default, and
  // the addon holds a KWD order until Decimal Accuracy "Product Price" has 3.
  before(() => get().merchant.configure({ price_digits: Math.max(2, minorUnits(currency)) }));
  after(() => get().merchant.configure({ tax_rounding: 'round_per_line', tax_source: 'shopify', price_digits: 2 }));

  async function stackedOrder() {
    const { merchant, warehouseId } = get();
    const { prices, lineDiscount, orderDiscount, shipping } = AMOUNTS[currency]!;
    const skus = [`DEC-${randomUUID().slice(0, 8)}`, `DEC-${randomUUID().slice(0, 8)}`];
    for (const [i, sku] of skus.entries()) {
      const price = money(prices[i]!);
      await sim('POST', '/products', { title: `Decimals ${sku}`, sku, price, stock: { [String(LOCATION)]: 50 } });
      const product = await merchant.createProduct({ name: `Decimals ${sku}`, price, variants: [{ sku }] });
      await merchant.setStock(product.variants[sku]!, warehouseId, 50);
    }
    const quantities = [3, 2];
    const lineDiscounts = [lineDiscount, 0];
    const amounts = prices.map((p, i) => p * quantities[i]! - lineDiscounts[i]!);
    const shares = allocateAcross(amounts, orderDiscount);
    const taxLines = (base: number) =>
      shopifyTaxLines(base, RATES, false).map((t) => ({ title: t.title, rate: t.rate, price: money(t.price) }));
    const order = await sim<SimOrder>('POST', '/orders', {
      email: `decimals-${randomUUID().slice(0, 8)}@example.com`,
      lines: skus.map((sku, i) => ({
        sku,
        quantity: quantities[i],
        price: money(prices[i]!),
        discount: money(lineDiscounts[i]! + shares[i]!),
        taxLines: taxLines(amounts[i]! - shares[i]!),
      })),
      shippingLines: [{ title: 'Standard', price: money(shipping), taxLines: taxLines(shipping) }],
      financialStatus: 'paid',
      locationId: LOCATION,
    });
    const [so] = await waitFor('the sale order in Odoo', async () => {
      const sos = await merchant.readSaleOrders(order.admin_graphql_api_id);
      return sos.length === 1 && sos[0]!.state === 'sale' ? sos : undefined;
    });
    return { order, so: so!, skus };
  }

  for (const rounding of currency === 'KWD' ? (['round_per_line', 'round_globally'] as const) : (['round_per_line'] as const)) {
    it(`a ${currency} order with stacked rates, line and order discounts and taxed shipping (${rounding}): the order, its invoice and a partial refund's credit note equal Shopify's to the minor unit`, async () => {
      const { merchant, stack } = get();
      await merchant.configure({
        tax_rounding: rounding,
        tax_source: 'shopify',
        tax_mapping: RATES.map((r) => ({ title: r.title, rate: Number(r.rate), tax: `${r.title} ${r.rate}` })),
      });
      const { order, so, skus } = await stackedOrder();
      same(so.amount_total, order.current_total_price, 'the sale order total');
      const invoice = await merchant.invoiceOrder(so.id);
      assert.equal(invoice.move_type, 'out_invoice');
      same(invoice.amount_total, order.current_total_price, 'the invoice total');
      // One unit of the discounted line, not delivered, with the shipping.
      await sim('POST', `/orders/${order.id}/refunds`, { lines: [{ sku: skus[0], quantity: 1, restockType: 'cancel' }], shipping: 'full' });
      const [refund] = await waitFor('the refund applied in Odoo', async () => {
        const refunds = await merchant.readRefunds(so.id);
        return refunds.length === 1 && refunds[0]!.state === 'applied' ? refunds : undefined;
      });
      const shopify = await sim<SimOrder>('GET', `/orders/${order.id}`);
      const refunded = shopify.refunds[0]!.transactions.find((t) => t.kind === 'refund')!.amount;
      const creditNote = await merchant.readCreditNote(refund!.credit_note_id!);
      assert.equal(creditNote.state, 'posted');
      same(creditNote.amount_total, refunded, 'the credit note total');
      await waitFor("the order updated to Shopify's current total", async () => {
        const [now] = await merchant.readSaleOrders(order.admin_graphql_api_id);
        return now && toMinor(now.amount_total, minorUnits(currency)) === toMinor(shopify.current_total_price, minorUnits(currency))
          ? true
          : undefined;
      });
      const binding = await merchant.readBinding('sale.order', so.id);
      assert.notEqual(binding.state, 'error', binding.message ?? '');
      const flagged = stack.logs.lines.filter(
        (l) => l.entityId === order.admin_graphql_api_id && (l.outcome === 'held' || l.outcome === 'flagged' || l.outcome === 'dead'),
      );
      assert.deepEqual(flagged, [], 'no job held, flagged or dead-lettered the order');
    });
  }
}
