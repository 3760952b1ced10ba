/**
 * Taxes to the cent end to end, written once and run against the Odoo double
 * (`sidecar/flows/refunds/money.e2e.test.ts`) and a real Odoo 18
 * (`sidecar/flows/money.real-odoo.e2e.test.ts`): Shopify orders with a state and a city rate
 * stacked on every line, a line discount and an order discount allocated across the lines, and
 * taxed shipping (tax lines as Shopify computes them: dev/sim/taxes.ts), imported by the sidecar,
 * invoiced in Odoo and refunded in Shopify, in both of Odoo's tax rounding modes. The order, its
 * invoice and the credit note equal Shopify's amounts to the cent, and the order is never flagged.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { allocateAcross, centsString, shopifyTaxLines } from '../sim/taxes.js';
import type { MoneyScenarioContext } from './money-scenarios.js';

const RATES = [
  { title: 'CA State Tax', rate: '0.0625' },
  { title: 'Los Angeles City Tax', rate: '0.025' },
];
const INCLUDED_RATES = [
  { title: 'IVA', rate: '0.21' },
  { title: 'Recargo de equivalencia', rate: '0.052' },
];
const LOCATION = 101;

interface SimOrder {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  current_total_price: string;
  refunds: Array<{ transactions: Array<{ amount: string; kind: string }> }>;
}

export function defineTaxFlowScenarios(get: () => MoneyScenarioContext): void {
  const sim = <T>(method: 'GET' | 'POST', path: string, body?: unknown) => get().stack.simControl<T>(method, path, body);
  const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>) => get().stack.waitFor(what, probe, get().timeoutMs);

  after(() => get().merchant.configure({ tax_rounding: 'round_per_line', tax_source: 'shopify' }));

  /** Two products at 9.99 and 4.45; lines 3 × 9.99 (discount 1.55) and 2 × 4.45, an order discount of 1.90 across them, shipping 4.99, all taxed (taxes excluded: Shopify 3.53 of tax, Odoo alone 3.52 per line and 3.54 globally). */
  async function stackedOrder(included: boolean) {
    const { merchant, warehouseId } = get();
    const skus = [`TAX-${randomUUID().slice(0, 8)}`, `TAX-${randomUUID().slice(0, 8)}`];
    const prices = [999, 445];
    for (const [i, sku] of skus.entries()) {
      const price = centsString(prices[i]!);
      await sim('POST', '/products', { title: `Tax ${sku}`, sku, price, stock: { [String(LOCATION)]: 50 } });
      const product = await merchant.createProduct({ name: `Tax ${sku}`, price, variants: [{ sku }] });
      await merchant.setStock(product.variants[sku]!, warehouseId, 50);
    }
    const quantities = [3, 2];
    const lineDiscounts = [155, 0];
    const amounts = prices.map((p, i) => p * quantities[i]! - lineDiscounts[i]!);
    const shares = allocateAcross(amounts, 190);
    const rates = included ? INCLUDED_RATES : RATES;
    const taxLines = (base: number) =>
      shopifyTaxLines(base, rates, included).map((t) => ({ title: t.title, rate: t.rate, price: centsString(t.price) }));
    const order = await sim<SimOrder>('POST', '/orders', {
      email: `tax-${randomUUID().slice(0, 8)}@example.com`,
      lines: skus.map((sku, i) => ({
        sku,
        quantity: quantities[i],
        price: centsString(prices[i]!),
        discount: centsString(lineDiscounts[i]! + shares[i]!),
        taxLines: taxLines(amounts[i]! - shares[i]!),
      })),
      shippingLines: [{ title: 'Standard', price: '4.99', taxLines: taxLines(499) }],
      taxesIncluded: included,
      financialStatus: 'paid',
      locationId: LOCATION,
    });
    const [so] = await waitFor('the sale order in Odoo', async () => {
      const sos = await merchant.readSaleOrders(order.admin_graphql_api_id);
      return sos.length === 1 && sos[0]!.state === 'sale' ? sos : undefined;
    });
    return { order, so: so!, skus };
  }

  for (const rounding of ['round_per_line', 'round_globally'] as const) {
    for (const included of [false, true]) {
      it(`${included ? 'taxes included' : 'taxes excluded'}, stacked rates, line and order discounts, taxed shipping (${rounding}): the order, its invoice and a refund's credit note equal Shopify's, never flagged`, async () => {
        const { merchant, stack } = get();
        await merchant.configure({
          tax_rounding: rounding,
          tax_source: 'shopify',
          tax_mapping: [
            ...RATES.map((r) => ({ title: r.title, rate: Number(r.rate), tax: `${r.title} ${r.rate}` })),
            ...INCLUDED_RATES.map((r) => ({
              title: r.title,
              rate: Number(r.rate),
              tax: `${r.title} ${r.rate} incl.`,
              price_include: true,
            })),
          ],
        });
        const { order, so, skus } = await stackedOrder(included);
        assert.equal(so.amount_total, order.current_total_price, 'the sale order total');
        const invoice = await merchant.invoiceOrder(so.id);
        assert.deepEqual([invoice.move_type, invoice.amount_total], ['out_invoice', order.current_total_price], 'the invoice total');
        // One unit of the discounted line, not delivered, with the shipping.
        await sim('POST', `/orders/${order.id}/refunds`, {
          lines: [{ sku: skus[0], quantity: 1, restockType: 'cancel' }],
          shipping: 'full',
        });
        const [refund] = await waitFor('the refund applied in Odoo', async () => {
          const refunds = await merchant.readRefunds(so.id);
          return refunds.length === 1 && refunds[0]!.state === 'applied' ? refunds : undefined;
        });
        const shopify = await sim<SimOrder>('GET', `/orders/${order.id}`);
        const refunded = shopify.refunds[0]!.transactions.filter((t) => t.kind === 'refund').map((t) => t.amount);
        assert.deepEqual(await merchant.readCreditNote(refund!.credit_note_id!), { amount_total: refunded[0], state: 'posted' });
        await waitFor("the order updated to Shopify's current total", async () => {
          const [now] = await merchant.readSaleOrders(order.admin_graphql_api_id);
          return now?.amount_total === shopify.current_total_price ? true : undefined;
        });
        const binding = await merchant.readBinding('sale.order', so.id);
        assert.notEqual(binding.state, 'error', binding.message ?? '');
        const flagged = stack.logs.lines.filter(
          (l) => l.entityId === order.admin_graphql_api_id && (l.outcome === 'held' || l.outcome === 'flagged'),
        );
        assert.deepEqual(flagged, [], 'no job held or flagged the order');
      });
    }
  }
}
