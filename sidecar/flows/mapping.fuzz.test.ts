/**
 * Property-based fuzz of the order, customer and product mappings (fast-check): hostile Shopify
 * orders and customers, and hostile Odoo product documents, of the generated types. Every input
 * is either applied or refused with a clear error — never a crash, never a half-applied write:
 *
 * - orders: `normaliseOrder` returns a document or throws an error naming the field; a document is
 *   applied by the Odoo double (which checks input as the addon does, docs/odoo-double.md): one sale
 *   order for the order GID, or refused with an Odoo error and the double's state unchanged;
 * - customers: `customerDocument` then `upsert_customer` likewise, and `planCustomerPush` plans a
 *   write or refuses with a PermanentError naming the partner;
 * - products: `planProductSet` plans nothing (no variant to push, with the reason) or a productSet
 *   that the simulator (Shopify's 2026-10 schema, atomic mutations) applies or refuses with
 *   userErrors and nothing changed; never a request of the wrong shape.
 * Each test prints how the runs ended (docs/operations.md, "Fuzz tests"); FUZZ_RUNS runs more.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AddressInfo } from 'node:net';
import { amount, fuzzRuns, gidOf, nastyText, optionalText, quantity, Tally, text, timestamp } from '../../dev/testing/fuzz.js';
import { createDoubleMerchant, createOdooDouble, type OdooDouble } from '../../dev/odoo-double/index.js';
import { createSimulator } from '../../dev/sim/server.js';
import { OdooError } from '../odoo/errors.js';
import type { ExportedCustomer, ProductDocument } from '../odoo/contract.js';
import { document } from '../shopify/documents.js';
import type { OrderFieldsFragment, OrderLineFieldsFragment } from '../shopify/index.js';
import { customerDocument, planCustomerPush, type ShopifyCustomerRead } from './customers/map.js';
import { planProductSet } from './catalog/map.js';
import { normaliseOrder } from './orders/map.js';

/** Errors a program raises by accident rather than to say what is wrong with the input. */
const CRASHES = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'AssertionError']);

function assertClearError(error: unknown, names: RegExp): void {
  assert.ok(error instanceof Error, `threw a non-Error: ${String(error)}`);
  assert.ok(!CRASHES.has(error.name), `crashed: ${error.name}: ${error.message}`);
  assert.match(error.message, names, `the error does not say what is wrong: ${error.message}`);
}

/** The double's records, to compare before and after a refused call. */
function snapshot(odoo: OdooDouble): string {
  const s = odoo.state;
  return JSON.stringify([[...s.saleOrders.values()], [...s.partners.values()], s.outbox.length]);
}

const money = (a: fc.Arbitrary<string> = amount) =>
  a.map((value) => ({
    shopMoney: { amount: value, currencyCode: 'EUR' as const },
    presentmentMoney: { amount: value, currencyCode: 'EUR' as const },
  }));

const taxLine = fc.record({
  title: fc.oneof(fc.constant('VAT'), text),
  rate: fc.oneof(fc.constant(0.2), fc.constant(null), fc.double({ noNaN: false })),
  ratePercentage: fc.oneof(fc.constant(20), fc.constant(null), fc.double()),
  priceSet: money(),
});

const lineItem: fc.Arbitrary<OrderLineFieldsFragment> = fc.record({
  id: gidOf('LineItem'),
  sku: fc.oneof(fc.constantFrom('FZ-A', 'FZ-B', 'FZ-B '), fc.constant(null), text),
  isGiftCard: fc.boolean(),
  title: text,
  quantity,
  currentQuantity: quantity,
  originalUnitPriceSet: money(),
  taxLines: fc.array(taxLine, { maxLength: 2 }),
  discountAllocations: fc.array(fc.record({ allocatedAmountSet: money() }), { maxLength: 2 }),
  duties: fc.array(
    fc.record({
      id: gidOf('Duty'),
      harmonizedSystemCode: fc.option(text, { nil: null }),
      countryCodeOfOrigin: fc.constantFrom('CN' as const, null),
      price: money(),
      taxLines: fc.array(taxLine, { maxLength: 1 }),
    }),
    { maxLength: 1 },
  ),
});

const address = fc.option(
  fc.record({
    name: optionalText,
    company: optionalText,
    address1: optionalText,
    address2: optionalText,
    city: optionalText,
    zip: optionalText,
    provinceCode: optionalText,
    countryCodeV2: fc.option(fc.constantFrom('BE', 'FR', 'US', 'XX', ''), { nil: null }),
    phone: optionalText,
  }),
  { nil: null },
) as fc.Arbitrary<OrderFieldsFragment['billingAddress']>;

const email = fc.oneof(fc.constantFrom('ada@example.com', 'ADA@Example.com ', 'no-at-sign', ''), nastyText);

const rawOrder = (): fc.Arbitrary<OrderFieldsFragment> =>
  fc.record({
    id: gidOf('Order'),
    name: fc.oneof(fc.constant('#1001'), text),
    email: fc.option(email, { nil: null }),
    createdAt: timestamp,
    updatedAt: timestamp,
    cancelledAt: fc.option(timestamp, { nil: null }),
    cancelReason: fc.constant(null),
    note: optionalText,
    displayFinancialStatus: fc.option(fc.constantFrom('PAID', 'PENDING', 'REFUNDED', 'PARTIALLY_REFUNDED'), { nil: null }),
    displayFulfillmentStatus: fc.constantFrom('UNFULFILLED', 'FULFILLED', 'PARTIALLY_FULFILLED'),
    currencyCode: fc.constantFrom('EUR', 'EUR', 'EUR', 'USD', 'KWD'),
    presentmentCurrencyCode: fc.constantFrom('EUR', 'USD'),
    taxesIncluded: fc.boolean(),
    currentSubtotalPriceSet: money(),
    currentTotalTaxSet: money(),
    currentTotalDiscountsSet: money(),
    currentTotalPriceSet: money(),
    dutiesIncluded: fc.constantFrom(false, false, false, true),
    currentTotalDutiesSet: fc.option(money(), { nil: null }),
    currentTotalAdditionalFeesSet: fc.option(money(), { nil: null }),
    additionalFees: fc.array(
      fc.record({ id: gidOf('AdditionalFee'), name: text, price: money(), taxLines: fc.array(taxLine, { maxLength: 1 }) }),
      { maxLength: 1 },
    ),
    lineItems: fc.record({
      nodes: fc.array(lineItem, { maxLength: 4 }),
      pageInfo: fc.constant({ hasNextPage: false, endCursor: null }),
    }),
    // Mostly none: an order counting a refund Odoo has not applied is answered refunds_pending with
    // nothing written, so refunds in every run would leave the apply paths little fuzzing.
    refunds: fc.oneof(
      { weight: 4, arbitrary: fc.constant<{ id: string }[]>([]) },
      { weight: 1, arbitrary: fc.array(fc.record({ id: gidOf('Refund') }), { minLength: 1, maxLength: 2 }) },
    ),
    shippingLines: fc.record({
      nodes: fc.array(
        fc.record({
          title: text,
          code: optionalText,
          isRemoved: fc.boolean(),
          originalPriceSet: money(),
          discountedPriceSet: money(),
          discountAllocations: fc.array(fc.record({ allocatedAmountSet: money() }), { maxLength: 1 }),
          taxLines: fc.array(taxLine, { maxLength: 1 }),
        }),
        { maxLength: 2 },
      ),
      pageInfo: fc.constant({ hasNextPage: false, endCursor: null }),
    }),
    customer: fc.option(
      fc.record({
        id: gidOf('Customer'),
        firstName: optionalText,
        lastName: optionalText,
        updatedAt: timestamp,
        defaultEmailAddress: fc.option(fc.record({ emailAddress: email }), { nil: null }),
        defaultPhoneNumber: fc.option(fc.record({ phoneNumber: text }), { nil: null }),
        defaultAddress: address,
      }),
      { nil: null },
    ),
    billingAddress: address,
    shippingAddress: address,
    fulfillmentOrders: fc.record({
      nodes: fc.array(
        fc.record({
          status: fc.constantFrom('OPEN', 'CANCELLED', 'CLOSED'),
          assignedLocation: fc.record({ location: fc.option(fc.record({ id: gidOf('Location') }), { nil: null }) }),
        }),
        { maxLength: 2 },
      ),
    }),
  });

const cents = (value: string) => BigInt(value.replace('.', ''));
const fmt = (c: bigint) => `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;

/**
 * An order as Shopify would hold it: exact amounts, integer quantities, no tax lines, totals that
 * add up. Half the runs use it, so that orders also get all the way to a created sale order.
 */
function consistent(order: OrderFieldsFragment, prices: string[]): OrderFieldsFragment {
  const lines = order.lineItems.nodes.map((li, i) => ({
    ...li,
    sku: i % 2 === 0 ? 'FZ-A' : 'FZ-B',
    quantity: Math.abs(Math.trunc(Number.isFinite(li.quantity) ? li.quantity : 1)) % 9 || 1,
    originalUnitPriceSet: {
      shopMoney: { amount: prices[i % prices.length]!, currencyCode: 'EUR' as const },
      presentmentMoney: { amount: prices[i % prices.length]!, currencyCode: 'EUR' as const },
    },
    taxLines: [],
    discountAllocations: [],
  }));
  for (const li of lines) li.currentQuantity = li.quantity;
  const subtotal = lines.reduce((sum, li) => sum + BigInt(li.quantity) * cents(li.originalUnitPriceSet.shopMoney.amount), 0n);
  const zero = {
    shopMoney: { amount: '0.00', currencyCode: 'EUR' as const },
    presentmentMoney: { amount: '0.00', currencyCode: 'EUR' as const },
  };
  return {
    ...order,
    currencyCode: 'EUR',
    updatedAt: order.createdAt,
    cancelledAt: null,
    lineItems: { ...order.lineItems, nodes: lines },
    shippingLines: { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } },
    additionalFees: [],
    currentSubtotalPriceSet: {
      shopMoney: { amount: fmt(subtotal), currencyCode: 'EUR' as const },
      presentmentMoney: { amount: fmt(subtotal), currencyCode: 'EUR' as const },
    },
    currentTotalTaxSet: zero,
    currentTotalDiscountsSet: zero,
    currentTotalPriceSet: {
      shopMoney: { amount: fmt(subtotal), currencyCode: 'EUR' as const },
      presentmentMoney: { amount: fmt(subtotal), currencyCode: 'EUR' as const },
    },
  };
}

const exactAmount = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }))
  .map(([a, c]) => `${a}.${String(c).padStart(2, '0')}`);
const anyOrder = fc.oneof(
  rawOrder(),
  fc.tuple(rawOrder(), fc.array(exactAmount, { minLength: 1, maxLength: 3 })).map(([o, p]) => consistent(o, p)),
);

async function doubleWithProducts(): Promise<OdooDouble> {
  const odoo = createOdooDouble({ settings: { company_currency: 'EUR' } });
  const merchant = createDoubleMerchant(odoo);
  await merchant.createProduct({ name: 'Fuzz A', price: '9.50', variants: [{ sku: 'FZ-A' }] });
  await merchant.createProduct({ name: 'Fuzz B', price: '4.00', variants: [{ sku: 'FZ-B' }] });
  return odoo;
}

describe('mapping fuzz: every input is applied or refused with a clear error (fast-check)', function () {
  this.timeout(300_000);

  it('orders: normalise → apply_order on the Odoo double', async () => {
    const odoo = await doubleWithProducts();
    const tally = new Tally();
    await fc.assert(
      fc.asyncProperty(anyOrder, async (order) => {
        let document;
        try {
          document = normaliseOrder(order).document;
        } catch (error) {
          assertClearError(error, /order|line|subtotal|total|tax|discount|price|amount/i);
          tally.add('refused_by_map');
          return;
        }
        const before = snapshot(odoo);
        try {
          const result = await odoo.executeKw<{ status: string; sale_order_id: number; amount_total: string }>(
            'shopify.sync.api',
            'apply_order',
            [document],
          );
          const orders = [...odoo.state.saleOrders.values()].filter((so) => so.order_gid === document.order_gid);
          assert.equal(orders.length, 1, 'one sale order per Shopify order');
          assert.equal(orders[0]!.id, result.sale_order_id);
          tally.add(`applied_${result.status}`);
        } catch (error) {
          assertClearError(error, /order|line|sku|currency|customer|amount|gid|email|total|price|tax|address|date/i);
          assert.ok(error instanceof OdooError, `not an Odoo error: ${(error as Error).name}`);
          assert.equal(snapshot(odoo), before, 'a refused order changed nothing in Odoo');
          tally.add('refused_by_odoo');
        }
      }),
      { numRuns: fuzzRuns(600) },
    );
    console.log(`      fuzz orders: ${tally.total()} runs: ${tally.toString()}`);
    assert.ok(tally.get('refused_by_map') > 0 && tally.get('refused_by_odoo') > 0, 'the generator reaches every outcome');
    assert.ok(tally.get('applied_created') > 0, 'some orders become sale orders');
  });

  it('customers: customerDocument → upsert_customer on the double, and planCustomerPush', async () => {
    const odoo = await doubleWithProducts();
    const tally = new Tally();
    const customerArb = fc.record({
      id: gidOf('Customer'),
      firstName: optionalText,
      lastName: optionalText,
      updatedAt: timestamp,
      defaultEmailAddress: fc.option(fc.record({ emailAddress: email }), { nil: null }),
      defaultPhoneNumber: fc.option(fc.record({ phoneNumber: text }), { nil: null }),
      defaultAddress: fc.option(
        fc.record({
          firstName: optionalText,
          lastName: optionalText,
          company: optionalText,
          address1: optionalText,
          address2: optionalText,
          city: optionalText,
          zip: optionalText,
          provinceCode: optionalText,
          countryCodeV2: fc.option(fc.constantFrom('BE', 'FR', 'XX'), { nil: null }),
          phone: optionalText,
        }),
        { nil: null },
      ),
    }) as fc.Arbitrary<ShopifyCustomerRead>;
    const partnerArb = fc.record({
      partner_id: fc.integer({ min: 1, max: 10_000 }),
      email: fc.option(email, { nil: null }),
      first_name: optionalText,
      last_name: optionalText,
      phone: optionalText,
      default_address: fc.option(
        fc.record({
          name: optionalText,
          company: optionalText,
          address1: optionalText,
          address2: optionalText,
          city: optionalText,
          province_code: optionalText,
          zip: optionalText,
          country_code: fc.option(fc.constantFrom('BE', 'FR', 'XX', 'be', ''), { nil: null }),
          phone: optionalText,
        }),
        { nil: null },
      ),
    }) as fc.Arbitrary<Pick<ExportedCustomer, 'partner_id' | 'email' | 'first_name' | 'last_name' | 'phone' | 'default_address'>>;
    await fc.assert(
      fc.asyncProperty(customerArb, partnerArb, async (customer, partner) => {
        const doc = customerDocument(customer);
        const before = snapshot(odoo);
        try {
          const result = await odoo.executeKw<{ partner_id: number }>('shopify.sync.api', 'upsert_customer', [doc]);
          assert.equal(odoo.state.partners.get(result.partner_id)?.binding.shopify_gid, doc.customer_gid);
          tally.add('customer_applied');
        } catch (error) {
          assertClearError(error, /customer|email|gid|address|country|name|date|phone/i);
          assert.ok(error instanceof OdooError, `not an Odoo error: ${(error as Error).name}`);
          assert.equal(snapshot(odoo), before, 'a refused customer changed nothing in Odoo');
          tally.add('customer_refused_by_odoo');
        }
        try {
          planCustomerPush(partner as ExportedCustomer, doc);
          tally.add('push_planned');
        } catch (error) {
          assertClearError(error, new RegExp(`partner ${partner.partner_id}`));
          tally.add('push_refused');
        }
      }),
      { numRuns: fuzzRuns(600) },
    );
    console.log(`      fuzz customers: ${tally.total() / 2} runs: ${tally.toString()}`);
    assert.ok(tally.get('customer_applied') > 0 && tally.get('customer_refused_by_odoo') > 0);
    assert.ok(tally.get('push_planned') > 0 && tally.get('push_refused') > 0);
  });

  it('products: planProductSet → productSet on the Shopify simulator (schema-true, atomic)', async () => {
    const sim = createSimulator({ demoCatalog: false, accessToken: 'shpat_fuzz_token_value', apiSecret: 'fuzz_app_secret_value' });
    const server = await sim.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin/api/2026-10/graphql.json`;
    const tally = new Tally();
    const variantArb = fc.record({
      odoo_id: fc.integer({ min: 1, max: 1_000_000 }),
      sku: fc.option(fc.oneof(fc.constantFrom('SKU-1', 'SKU-1', 'SKU-2'), text), { nil: null }),
      barcode: optionalText,
      price: amount,
      active: fc.boolean(),
      shopify_variant_gid: fc.constant(null),
      shopify_inventory_item_gid: fc.constant(null),
      option_values: fc.array(fc.record({ option: fc.constantFrom('Size', 'Color', ''), value: text }), { maxLength: 2 }),
    });
    const productArb = fc.record({
      odoo_id: fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(0, -1, 1.5)),
      name: text,
      description: optionalText,
      active: fc.boolean(),
      shopify_product_gid: fc.constant(null),
      content_hash: fc.constant('h'),
      synced_hash: fc.constant(null),
      options: fc.array(fc.record({ name: fc.constantFrom('Size', 'Color', ''), values: fc.array(text, { maxLength: 3 }) }), {
        maxLength: 2,
      }),
      variants: fc.array(variantArb, { maxLength: 4 }),
    }) as fc.Arbitrary<ProductDocument>;
    try {
      await fc.assert(
        fc.asyncProperty(productArb, async (doc) => {
          let plan;
          try {
            plan = planProductSet(doc);
          } catch (error) {
            assertClearError(error, /template|product|variant|sku|price|option|catalog/i);
            tally.add('refused_by_map');
            return;
          }
          if (plan.kind !== 'push') {
            assert.match(plan.reason, /not pushed/);
            tally.add('nothing_to_push');
            return;
          }
          const before = JSON.stringify(sim.state.products);
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-shopify-access-token': 'shpat_fuzz_token_value' },
            body: JSON.stringify({ query: document('ProductSet').source, variables: { identifier: plan.identifier, input: plan.input } }),
          });
          assert.equal(response.status, 200);
          const answer = (await response.json()) as {
            errors?: unknown;
            data?: { productSet: { product: { id: string } | null; userErrors: Array<{ message: string }> } };
          };
          // A GraphQL error would mean the sidecar sent a request of the wrong shape: never allowed.
          assert.equal(answer.errors, undefined, `Shopify refused the request's shape: ${JSON.stringify(answer.errors)}`);
          const result = answer.data!.productSet;
          if (result.userErrors.length > 0) {
            assert.ok(result.userErrors.every((e) => e.message.length > 0));
            assert.equal(JSON.stringify(sim.state.products), before, 'a refused productSet changed nothing in Shopify');
            tally.add('refused_by_shopify');
          } else {
            assert.ok(result.product?.id);
            tally.add('applied');
          }
        }),
        { numRuns: fuzzRuns(400) },
      );
    } finally {
      await sim.close();
    }
    console.log(`      fuzz products: ${tally.total()} runs: ${tally.toString()}`);
    assert.ok(tally.get('applied') > 0 && tally.get('refused_by_shopify') + tally.get('nothing_to_push') > 0);
  });
});
