import assert from 'node:assert/strict';
import type { ExportedCustomer, ProductDocument } from '../odoo/contract.js';
import { normaliseEmail } from '../rules/email.js';
import { normaliseBarcode, normaliseSku, planOnboarding, type ShopifyCustomerListed, type ShopifyVariantListed } from './map.js';

function product(
  id: number,
  variants: Array<{ id: number; sku?: string | null; barcode?: string | null; gid?: string | null }>,
  gid: string | null = null,
): ProductDocument {
  return {
    odoo_id: id,
    name: `P${id}`,
    description: null,
    active: true,
    shopify_product_gid: gid,
    options: [],
    variants: variants.map((v) => ({
      odoo_id: v.id,
      sku: v.sku ?? null,
      barcode: v.barcode ?? null,
      price: '1.00',
      active: true,
      option_values: [],
      shopify_variant_gid: v.gid ?? null,
      shopify_inventory_item_gid: null,
    })),
    content_hash: 'h',
    synced_hash: null,
  };
}
const sv = (variant: number, productId: number, sku: string | null, barcode: string | null = null): ShopifyVariantListed => ({
  id: `gid://shopify/ProductVariant/${variant}`,
  sku,
  barcode,
  title: 'Default',
  product: { id: `gid://shopify/Product/${productId}`, title: `S${productId}` },
  inventoryItem: { id: `gid://shopify/InventoryItem/${variant}` },
});
const partner = (id: number, email: string | null, gid: string | null = null): ExportedCustomer => ({
  partner_id: id,
  email,
  customer_gid: gid,
  first_name: null,
  last_name: null,
  phone: null,
  default_address: null,
  updated_at: null,
  active: true,
  content_hash: 'h',
  synced_hash: null,
});
const sc = (id: number, email: string | null): ShopifyCustomerListed => ({
  id: `gid://shopify/Customer/${id}`,
  firstName: null,
  lastName: null,
  defaultEmailAddress: email === null ? null : { emailAddress: email },
});
const none = { odooProducts: [], shopifyVariants: [], odooCustomers: [], shopifyCustomers: [] };

describe('onboarding plan', () => {
  it('normalises SKUs, barcodes and emails', () => {
    assert.deepEqual([' ab-1 ', '', null].map(normaliseSku), ['AB-1', null, null]);
    assert.deepEqual(['4006 3811 3393 1', ' '].map(normaliseBarcode), ['4006381133931', null]);
    assert.deepEqual(['  Ada@Example.COM ', ''].map(normaliseEmail), ['ada@example.com', null]);
  });

  it('links variants by SKU, then by barcode, into one Shopify product per Odoo product', () => {
    const plan = planOnboarding({
      ...none,
      odooProducts: [
        product(1, [
          { id: 11, sku: 'tee-s' },
          { id: 12, sku: null, barcode: '111' },
        ]),
        product(2, [{ id: 21, sku: 'MUG' }]),
      ],
      shopifyVariants: [sv(501, 50, 'TEE-S'), sv(502, 50, 'OTHER', '111'), sv(601, 60, 'mug'), sv(701, 70, 'ONLY-SHOPIFY')],
    });
    assert.deepEqual(plan.conflicts, []);
    assert.deepEqual(
      plan.products.link.map((l) => [l.templateId, l.productGid, l.variants.map((v) => [v.odooId, v.variantGid, v.by, v.key])]),
      [
        [
          1,
          'gid://shopify/Product/50',
          [
            [11, 'gid://shopify/ProductVariant/501', 'sku', 'TEE-S'],
            [12, 'gid://shopify/ProductVariant/502', 'barcode', '111'],
          ],
        ],
        [2, 'gid://shopify/Product/60', [[21, 'gid://shopify/ProductVariant/601', 'sku', 'MUG']]],
      ],
    );
    assert.equal(plan.products.link[0]!.variants[0]!.inventoryItemGid, 'gid://shopify/InventoryItem/501');
    assert.deepEqual(
      plan.products.unmatchedShopify.map((v) => v.sku),
      ['ONLY-SHOPIFY'],
    );
    assert.deepEqual(plan.products.unmatchedOdoo, []);
  });

  it('links nothing for a SKU duplicated on either side and holds the Odoo products involved', () => {
    const plan = planOnboarding({
      ...none,
      odooProducts: [
        product(1, [{ id: 11, sku: 'DUP-O' }]),
        product(2, [{ id: 21, sku: 'DUP-O' }]),
        product(3, [{ id: 31, sku: 'DUP-S' }]),
      ],
      shopifyVariants: [sv(501, 50, 'DUP-O'), sv(601, 60, 'DUP-S'), sv(701, 70, 'dup-s ')],
    });
    assert.deepEqual(plan.products.link, []);
    assert.deepEqual(
      plan.conflicts.map((c) => [c.kind, c.odoo.ids, c.shopify.length]),
      [
        ['duplicate_sku_odoo', [1, 2], 1],
        ['duplicate_sku_shopify', [3], 2],
      ],
    );
    assert.deepEqual(plan.held.templateIds, [1, 2, 3]);
    assert.equal(plan.products.unmatchedOdoo.length, 3);
    assert.equal(plan.products.unmatchedShopify.length, 3);
  });

  it('reports duplicated barcodes and a barcode that differs on a SKU match (linked by SKU)', () => {
    const plan = planOnboarding({
      ...none,
      odooProducts: [
        product(1, [{ id: 11, sku: 'A', barcode: '1' }]),
        product(2, [{ id: 21, barcode: '9' }]),
        product(3, [{ id: 31, barcode: '9' }]),
      ],
      shopifyVariants: [sv(501, 50, 'A', '2'), sv(601, 60, null, '9')],
    });
    assert.deepEqual(
      plan.products.link.map((l) => l.templateId),
      [1],
    );
    assert.deepEqual(
      plan.conflicts.map((c) => c.kind),
      ['barcode_mismatch', 'duplicate_barcode_odoo'],
    );
    assert.deepEqual(plan.held.templateIds, [2, 3]);
  });

  it('refuses a product whose variants are split over two Shopify products, or two products matching one', () => {
    const plan = planOnboarding({
      ...none,
      odooProducts: [
        product(1, [
          { id: 11, sku: 'A' },
          { id: 12, sku: 'B' },
        ]),
        product(2, [{ id: 21, sku: 'C' }]),
        product(3, [{ id: 31, sku: 'D' }]),
      ],
      shopifyVariants: [sv(501, 50, 'A'), sv(601, 60, 'B'), sv(701, 70, 'C'), sv(702, 70, 'D')],
    });
    assert.deepEqual(plan.products.link, []);
    assert.deepEqual(
      plan.conflicts.map((c) => [c.kind, c.odoo.ids]),
      [
        ['product_split', [1]],
        ['product_shared', [2, 3]],
      ],
    );
  });

  it('counts a product bound to its match as already linked, and never rebinds one bound elsewhere', () => {
    const plan = planOnboarding({
      ...none,
      odooProducts: [
        product(1, [{ id: 11, sku: 'A', gid: 'gid://shopify/ProductVariant/501' }], 'gid://shopify/Product/50'),
        product(2, [{ id: 21, sku: 'B' }], 'gid://shopify/Product/99'),
      ],
      shopifyVariants: [sv(501, 50, 'A'), sv(601, 60, 'B')],
    });
    assert.deepEqual(plan.products.alreadyLinked, [1]);
    assert.deepEqual(plan.products.link, []);
    assert.deepEqual(
      plan.conflicts.map((c) => [c.kind, c.odoo.ids]),
      [['bound_elsewhere', [2]]],
    );
  });

  it('links customers by normalised email only, and reports duplicate emails on either side', () => {
    const plan = planOnboarding({
      ...none,
      odooCustomers: [
        partner(1, ' Ada@Example.com'),
        partner(2, 'dup@example.com'),
        partner(3, 'dup@example.com'),
        partner(4, 'bo@example.com', 'gid://shopify/Customer/8'),
        partner(5, 'odoo-only@example.com'),
        partner(6, 'twice@example.com'),
      ],
      shopifyCustomers: [
        sc(7, 'ada@example.com'),
        sc(8, 'BO@example.com'),
        sc(9, 'dup@example.com'),
        sc(10, null),
        sc(11, 'twice@example.com'),
        sc(12, 'Twice@example.com'),
      ],
    });
    assert.deepEqual(plan.customers.link, [{ partnerId: 1, customerGid: 'gid://shopify/Customer/7', email: 'ada@example.com' }]);
    assert.deepEqual(plan.customers.alreadyLinked, [4]);
    assert.deepEqual(
      plan.conflicts.map((c) => [c.kind, c.odoo.ids]),
      [
        ['duplicate_email_shopify', [6]],
        ['duplicate_email_odoo', [2, 3]],
      ],
    );
    assert.deepEqual(plan.held.partnerIds, [2, 3, 6]);
    assert.deepEqual(
      plan.customers.unmatchedOdoo.map((c) => c.partnerId),
      [2, 3, 5, 6],
    );
    assert.deepEqual(
      plan.customers.unmatchedShopify.map((c) => c.customerGid),
      ['gid://shopify/Customer/9', 'gid://shopify/Customer/10', 'gid://shopify/Customer/11', 'gid://shopify/Customer/12'],
    );
  });
});
