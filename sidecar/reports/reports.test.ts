/** Pure parts of the reports: order comparison, drift detection, seeded samples, rendering. */
import assert from 'node:assert/strict';
import type { ExportedCustomer, OrderStatus, ProductDocument, StockLevel } from '../odoo/contract.js';
import {
  compareCustomer,
  compareProduct,
  compareStock,
  integrityHeadline,
  renderIntegrityMarkdown,
  type ShopifyCustomerById,
  type ShopifyProductByIdentifier,
} from './integrity.js';
import { mulberry32, seededSample, seedFrom } from './prng.js';
import { compareOrders, renderReconciliationMarkdown, type ShopifyOrderSummary } from './reconcile.js';

const order = (gid: string, extra: Partial<ShopifyOrderSummary> = {}): ShopifyOrderSummary => ({
  gid,
  name: `#${gid.slice(-4)}`,
  createdAt: '2026-11-27T10:00:00Z',
  cancelled: false,
  total: '21.00',
  currency: 'USD',
  lineCount: 2,
  ...extra,
});
const status = (gid: string, extra: Partial<OrderStatus> = {}): OrderStatus => ({
  order_gid: gid,
  found: true,
  sale_order_id: 7,
  name: 'S00007',
  state: 'sale',
  amount_total: '21.00',
  line_count: 2,
  ...extra,
});

describe('reconciliation compare (pure)', () => {
  it('compares totals as exact cents: equal decimals of any form match, any cent of difference does not', () => {
    const cases: Array<[string, string, boolean]> = [
      ['21', '21.00', true],
      ['21.5', '21.50', true],
      ['0.05', '0.050', true],
      ['-3.10', '-3.1', true],
      ['12345678901234.99', '12345678901234.99', true],
      ['12345678901234.99', '12345678901234.98', false],
      ['21.00', '21.01', false],
    ];
    for (const [shopify, odoo, equal] of cases) {
      const { mismatched } = compareOrders(
        [order('gid://shopify/Order/1', { total: shopify })],
        [status('gid://shopify/Order/1', { amount_total: odoo })],
      );
      assert.equal(mismatched.length === 0, equal, `${shopify} vs ${odoo}`);
    }
  });

  it("compares an order Odoo booked in the customer's currency in that currency, any other in the shop's", () => {
    const paid = order('gid://shopify/Order/1', { total: '21.00', presentment: { total: '3150', currency: 'JPY' } });
    const cases: Array<[Partial<OrderStatus>, boolean]> = [
      [{ amount_total: '3150', currency: 'JPY' }, true],
      [{ amount_total: '3151', currency: 'JPY' }, false],
      [{ amount_total: '21.00', currency: 'USD' }, true],
      [{ amount_total: '3150', currency: 'USD' }, false],
      // Converted into another currency: compared with the shop total, as before.
      [{ amount_total: '21.00', currency: 'EUR' }, true],
    ];
    for (const [odoo, equal] of cases)
      assert.equal(compareOrders([paid], [status('gid://shopify/Order/1', odoo)]).mismatched.length === 0, equal, JSON.stringify(odoo));
  });

  it('never rounds a total: a sub-cent amount or one that is not a decimal is a mismatch carrying the reason', () => {
    const shopify = [order('gid://shopify/Order/1', { total: '21.00' }), order('gid://shopify/Order/2', { total: '21,00' })];
    const odoo = [status('gid://shopify/Order/1', { amount_total: '21.004' }), status('gid://shopify/Order/2', { amount_total: '21.00' })];
    const { mismatched } = compareOrders(shopify, odoo);
    assert.deepEqual(
      mismatched.map((m) => m.fields),
      [
        [{ field: 'total', shopify: '21.00', odoo: '21.004', error: 'Odoo total: "21.004" has more than two decimals' }],
        [{ field: 'total', shopify: '21,00', odoo: '21.00', error: 'Shopify total: "21,00" is not a decimal amount' }],
      ],
    );
    const md = renderReconciliationMarkdown({
      window: { from: '2026-11-26T05:30:00.000Z', to: '2026-11-27T05:30:00.000Z' },
      counts: { shopify: 2, odoo: 2, missing: 0, mismatched: 2, repaired: 0 },
      missing: [],
      mismatched,
      repairJobs: [],
    });
    assert.match(md, /total: cannot compare \(Odoo total: "21\.004" has more than two decimals\)/);
  });

  it('finds a missing order, and a total, state and line mismatch, with the exact values', () => {
    const shopify = [
      order('gid://shopify/Order/1001'),
      order('gid://shopify/Order/1002'),
      order('gid://shopify/Order/1003', { total: '30.00' }),
      order('gid://shopify/Order/1004', { cancelled: true, lineCount: 1 }),
    ];
    const odoo = [
      status('gid://shopify/Order/1001', { amount_total: '21.0' }),
      status('gid://shopify/Order/1002', {
        found: false,
        sale_order_id: null,
        name: null,
        state: null,
        amount_total: null,
        line_count: null,
      }),
      status('gid://shopify/Order/1003', { amount_total: '29.99', name: 'S00009' }),
      status('gid://shopify/Order/1004', { name: 'S00010' }),
    ];
    const result = compareOrders(shopify, odoo);
    assert.equal(result.found, 3);
    assert.deepEqual(result.missing, [
      { orderGid: 'gid://shopify/Order/1002', name: '#1002', createdAt: '2026-11-27T10:00:00Z', total: '21.00' },
    ]);
    assert.deepEqual(result.mismatched, [
      {
        orderGid: 'gid://shopify/Order/1003',
        name: '#1003',
        saleOrder: 'S00009',
        fields: [{ field: 'total', shopify: '30.00', odoo: '29.99' }],
      },
      {
        orderGid: 'gid://shopify/Order/1004',
        name: '#1004',
        saleOrder: 'S00010',
        fields: [
          { field: 'state', shopify: 'cancelled', odoo: 'sale' },
          { field: 'lines', shopify: 1, odoo: 2 },
        ],
      },
    ]);
  });

  it('counts an order Odoo did not answer for as missing', () => {
    assert.equal(compareOrders([order('gid://shopify/Order/5')], []).missing.length, 1);
  });

  it('renders Markdown with the counts and every difference', () => {
    const md = renderReconciliationMarkdown({
      window: { from: '2026-11-26T05:30:00.000Z', to: '2026-11-27T05:30:00.000Z' },
      counts: { shopify: 3, odoo: 2, missing: 1, mismatched: 1, repaired: 2 },
      missing: [{ orderGid: 'gid://shopify/Order/2', name: '#1002', createdAt: '2026-11-27T01:00:00Z', total: '5.00' }],
      mismatched: [
        {
          orderGid: 'gid://shopify/Order/3',
          name: '#1003',
          saleOrder: 'S00003',
          fields: [{ field: 'total', shopify: '30.00', odoo: '29.99' }],
        },
      ],
      repairJobs: [],
    });
    assert.match(md, /\| 3 \| 2 \| 1 \| 1 \| 2 \|/);
    assert.match(md, /- #1002 \(gid:\/\/shopify\/Order\/2\), created 2026-11-27T01:00:00Z, total 5\.00/);
    assert.match(md, /- #1003 \(gid:\/\/shopify\/Order\/3\) ↔ S00003: total: Shopify 30\.00 ≠ Odoo 29\.99/);
  });
});

describe('integrity compare (pure)', () => {
  const product: ProductDocument = {
    odoo_id: 10,
    name: 'Mug',
    description: null,
    active: true,
    shopify_product_gid: 'gid://shopify/Product/1',
    options: [],
    content_hash: 'h',
    synced_hash: 'h',
    variants: [
      {
        odoo_id: 11,
        sku: 'MUG-1',
        barcode: '123',
        price: '9.50',
        active: true,
        option_values: [],
        shopify_variant_gid: 'gid://shopify/ProductVariant/11',
        shopify_inventory_item_gid: null,
      },
      {
        odoo_id: 12,
        sku: 'MUG-2',
        barcode: null,
        price: '9.50',
        active: true,
        option_values: [],
        shopify_variant_gid: 'gid://shopify/ProductVariant/12',
        shopify_inventory_item_gid: null,
      },
    ],
  };

  type ComparedVariant = Pick<ShopifyProductByIdentifier['variants']['nodes'][number], 'id' | 'sku' | 'barcode' | 'price'>;
  /** Shopify's active product 1 with these variants, as ProductByIdentifier reads it. */
  const shopifyProduct = (variants: ComparedVariant[]): ShopifyProductByIdentifier => ({
    id: 'gid://shopify/Product/1',
    handle: 'mug',
    title: 'Mug',
    status: 'ACTIVE',
    updatedAt: '2026-11-27T10:00:00Z',
    variants: {
      nodes: variants.map((v) => ({
        ...v,
        compareAtPrice: null,
        inventoryItem: { id: `gid://shopify/InventoryItem/${v.id}`, tracked: true },
      })),
    },
  });

  it('reports each drifting variant field with both values', () => {
    const drift = compareProduct(
      product,
      shopifyProduct([{ id: 'gid://shopify/ProductVariant/11', sku: 'MUG-1', barcode: '999', price: '9.5' }]),
    );
    assert.deepEqual(drift, [
      {
        kind: 'product',
        odoo: 'product.product:11',
        shopifyGid: 'gid://shopify/ProductVariant/11',
        field: 'barcode',
        odooValue: '123',
        shopifyValue: '999',
      },
      {
        kind: 'product',
        odoo: 'product.product:12',
        shopifyGid: 'gid://shopify/ProductVariant/12',
        field: 'active',
        odooValue: true,
        shopifyValue: false,
      },
    ]);
    assert.deepEqual(
      compareProduct(product, null).map((d) => d.field),
      ['exists'],
    );
  });

  it('compares prices exactly (to the fil of a 3-decimal currency) and reports one that is not an exact decimal instead of rounding it', () => {
    const priced = (price: string) => shopifyProduct([{ id: 'gid://shopify/ProductVariant/11', sku: 'MUG-1', barcode: '123', price }]);
    const one = { ...product, variants: [product.variants[0]!] };
    assert.deepEqual(compareProduct(one, priced('9.500')), []);
    assert.deepEqual(
      compareProduct(one, priced('9.51')).map((d) => [d.field, d.error]),
      [['price', undefined]],
    );
    assert.deepEqual(
      compareProduct(one, priced('9.504')).map((d) => [d.field, d.error]),
      [['price', undefined]],
    );
    const unreadable = compareProduct(one, priced('9.50001'));
    assert.deepEqual(
      unreadable.map((d) => [d.field, d.odooValue, d.shopifyValue, d.error]),
      [['price', '9.50', '9.50001', 'Shopify price: "9.50001" has more than 4 decimals']],
    );
  });

  it('compares Odoo shopify_on_hand with Shopify on_hand', () => {
    const level: StockLevel = {
      product_id: 11,
      sku: 'MUG-1',
      shopify_inventory_item_gid: 'gid://shopify/InventoryItem/5',
      location_gid: 'gid://shopify/Location/1',
      warehouse_id: 1,
      on_hand: 9,
      reserved_other: 1,
      safety_stock: 1,
      shopify_on_hand: 7,
    };
    assert.deepEqual(compareStock(level, 7), []);
    assert.deepEqual(compareStock(level, 8), [
      {
        kind: 'stock',
        odoo: '11@gid://shopify/Location/1',
        shopifyGid: 'gid://shopify/InventoryItem/5',
        field: 'on_hand',
        odooValue: 7,
        shopifyValue: 8,
      },
    ]);
    assert.equal(compareStock(level, null)[0]!.shopifyValue, null);
  });

  it('compares customers ignoring email case and phone punctuation', () => {
    const doc = {
      partner_id: 4,
      customer_gid: 'gid://shopify/Customer/4',
      email: 'Ada@Example.com',
      first_name: 'Ada',
      last_name: 'Lovelace',
      phone: '+44 20 7946 0000',
    } as ExportedCustomer;
    const view = (lastName: string): ShopifyCustomerById => ({
      id: 'gid://shopify/Customer/4',
      firstName: 'Ada',
      lastName,
      updatedAt: '2026-11-27T10:00:00Z',
      defaultEmailAddress: { emailAddress: 'ada@example.com' },
      defaultPhoneNumber: { phoneNumber: '+442079460000' },
      defaultAddress: null,
    });
    assert.deepEqual(compareCustomer(doc, view('Lovelace')), []);
    assert.deepEqual(compareCustomer(doc, view('Byron')), [
      {
        kind: 'customer',
        odoo: 'res.partner:4',
        shopifyGid: 'gid://shopify/Customer/4',
        field: 'last_name',
        odooValue: 'Lovelace',
        shopifyValue: 'Byron',
      },
    ]);
  });

  it('renders the integrity headline and Markdown', () => {
    const report = {
      seed: 's1',
      sample: 5,
      checked: { product: 5, stock: 5, customer: 2 },
      drifted: { product: 1, stock: 0, customer: 2 },
      drift: [],
    };
    assert.equal(integrityHeadline(report), 'products 1/5 drifted, stocks 0/5 drifted, customers 2/2 drifted (sample 5, seed s1)');
    assert.match(renderIntegrityMarkdown(report), /\| customer \| 2 \| 2 \|/);
  });
});

describe('seeded sample (pure)', () => {
  const ids = Array.from({ length: 100 }, (_, i) => ({ id: String(i).padStart(3, '0') }));

  it('repeats the same sample for the same seed, whatever the input order', () => {
    const a = seededSample(ids, 5, seedFrom('2026-11-27'), (x) => x.id).map((x) => x.id);
    const b = seededSample([...ids].reverse(), 5, seedFrom('2026-11-27'), (x) => x.id).map((x) => x.id);
    assert.deepEqual(a, ['033', '060', '079', '020', '055']);
    assert.deepEqual(a, b);
    assert.equal(new Set(a).size, 5);
    assert.notDeepEqual(
      seededSample(ids, 5, seedFrom('2026-11-28'), (x) => x.id).map((x) => x.id),
      a,
    );
  });

  it('returns the whole population sorted when n is undefined or larger', () => {
    assert.equal(seededSample(ids, undefined, 1, (x) => x.id).length, 100);
    assert.deepEqual(
      seededSample([{ id: 'b' }, { id: 'a' }], 9, 1, (x) => x.id),
      [{ id: 'a' }, { id: 'b' }],
    );
  });

  it('mulberry32 gives the published first values for seed 1', () => {
    // 0.6270739405881613 is the reference implementation's first value for seed 1.
    const r = mulberry32(1);
    assert.deepEqual(
      [r(), r(), r()].map((x) => Math.floor(x * 2 ** 32)),
      [2693262067, 11749833, 2265367787],
    );
  });
});
