import assert from 'node:assert/strict';
import type { ProductDocument } from '../../odoo/contract.js';
import { childrenFromResult, descriptionHtml, planProductSet, productHandle, skippedMessage } from './map.js';

const tee: ProductDocument = {
  odoo_id: 42,
  name: 'Tee <Classic>',
  description: 'Soft cotton\nMachine wash',
  active: true,
  shopify_product_gid: null,
  options: [
    { name: 'Size', values: ['S', 'M'] },
    { name: 'Color', values: ['Red'] },
  ],
  variants: [
    {
      odoo_id: 43,
      sku: 'TEE-S-RED',
      barcode: '4006381333931',
      price: '15.00',
      active: true,
      option_values: [
        { option: 'Size', value: 'S' },
        { option: 'Color', value: 'Red' },
      ],
      shopify_variant_gid: null,
      shopify_inventory_item_gid: null,
    },
    {
      odoo_id: 44,
      sku: 'TEE-M-RED',
      barcode: null,
      price: '17.50',
      active: true,
      option_values: [
        { option: 'Size', value: 'M' },
        { option: 'Color', value: 'Red' },
      ],
      shopify_variant_gid: null,
      shopify_inventory_item_gid: null,
    },
  ],
  content_hash: 'odoo-hash',
  synced_hash: null,
};

describe('catalog normalise (pure)', () => {
  it('derives a stable handle from the Odoo template id, so a retried first push finds its product', () => {
    assert.equal(productHandle(42), 'odoo-product-42');
    assert.throws(() => productHandle(0), /bad template id 0/);
  });

  it('escapes the sales description into HTML and keeps line breaks', () => {
    assert.equal(descriptionHtml('a < b & "c"\nd'), 'a &lt; b &amp; &quot;c&quot;<br>d');
    assert.equal(descriptionHtml(null), '');
  });

  it('maps a new product with options, SKUs, barcodes and prices to a productSet keyed by handle', () => {
    const plan = planProductSet(tee);
    assert.equal(plan.kind, 'push');
    if (plan.kind !== 'push') return;
    assert.deepEqual(plan.identifier, { handle: 'odoo-product-42' });
    assert.deepEqual(plan.input, {
      title: 'Tee <Classic>',
      handle: 'odoo-product-42',
      descriptionHtml: 'Soft cotton<br>Machine wash',
      status: 'ACTIVE',
      productOptions: [
        { name: 'Size', position: 1, values: [{ name: 'S' }, { name: 'M' }] },
        { name: 'Color', position: 2, values: [{ name: 'Red' }] },
      ],
      variants: [
        {
          sku: 'TEE-S-RED',
          barcode: '4006381333931',
          price: '15.00',
          optionValues: [
            { optionName: 'Size', name: 'S' },
            { optionName: 'Color', name: 'Red' },
          ],
          inventoryItem: { tracked: true },
        },
        {
          sku: 'TEE-M-RED',
          barcode: null,
          price: '17.50',
          optionValues: [
            { optionName: 'Size', name: 'M' },
            { optionName: 'Color', name: 'Red' },
          ],
          inventoryItem: { tracked: true },
        },
      ],
    });
    assert.deepEqual(plan.variantIds, [43, 44]);
    assert.deepEqual(plan.skipped, []);
    // SHA-256 of the canonical JSON (sorted keys) of {input, skipped}, checked with Python's json.dumps(sort_keys=True).
    assert.equal(plan.hash, 'acac93a7923aa28eca29f5aaf757ecb1fc368acabc7f4ef72299fb18b28711c4');
  });

  it('keys a bound product by its GID and its variants by theirs, with the same hash as before binding', () => {
    const bound = planProductSet({
      ...tee,
      shopify_product_gid: 'gid://shopify/Product/7',
      variants: tee.variants.map((v, i) => ({
        ...v,
        shopify_variant_gid: `gid://shopify/ProductVariant/${8 + i}`,
        shopify_inventory_item_gid: `gid://shopify/InventoryItem/${20 + i}`,
      })),
    });
    const fresh = planProductSet(tee);
    assert.ok(bound.kind === 'push' && fresh.kind === 'push');
    assert.deepEqual(bound.identifier, { id: 'gid://shopify/Product/7' });
    assert.equal(bound.input.handle, undefined);
    assert.deepEqual(
      bound.input.variants.map((v) => v.id),
      ['gid://shopify/ProductVariant/8', 'gid://shopify/ProductVariant/9'],
    );
    assert.equal(bound.hash, fresh.hash);
  });

  it('changes the hash when a price changes, and archives with status ARCHIVED keeping every variant', () => {
    const fresh = planProductSet(tee);
    const repriced = planProductSet({ ...tee, variants: [{ ...tee.variants[0]!, price: '16.00' }, tee.variants[1]!] });
    const archived = planProductSet({ ...tee, active: false, variants: tee.variants.map((v) => ({ ...v, active: false })) });
    assert.ok(fresh.kind === 'push' && repriced.kind === 'push' && archived.kind === 'push');
    assert.notEqual(repriced.hash, fresh.hash);
    assert.equal(repriced.input.variants[0]!.price, '16.00');
    assert.equal(archived.input.status, 'ARCHIVED');
    assert.equal(archived.input.variants.length, 2);
    assert.notEqual(archived.hash, fresh.hash);
  });

  it('leaves out variants without SKU with a reason, and pushes nothing when no variant has one', () => {
    const partial = planProductSet({ ...tee, variants: [tee.variants[0]!, { ...tee.variants[1]!, sku: null }] });
    assert.ok(partial.kind === 'push');
    assert.deepEqual(partial.variantIds, [43]);
    assert.deepEqual(partial.input.productOptions[0], { name: 'Size', position: 1, values: [{ name: 'S' }] });
    assert.equal(skippedMessage(partial.skipped), 'variant "M / Red" (id 44) has no SKU (Internal Reference): not pushed to Shopify');
    const none = planProductSet({ ...tee, variants: tee.variants.map((v) => ({ ...v, sku: '' })) });
    assert.deepEqual(none, {
      kind: 'nothing',
      reason: 'product "Tee <Classic>" not pushed: no variant has a SKU',
      skipped: [
        { odoo_id: 43, reason: 'variant "S / Red" (id 43) has no SKU (Internal Reference): not pushed to Shopify' },
        { odoo_id: 44, reason: 'variant "M / Red" (id 44) has no SKU (Internal Reference): not pushed to Shopify' },
      ],
    });
  });

  it("gives a product without attributes Shopify's implicit Title option", () => {
    const plan = planProductSet({ ...tee, options: [], variants: [{ ...tee.variants[0]!, option_values: [] }] });
    assert.ok(plan.kind === 'push');
    assert.deepEqual(plan.input.productOptions, [{ name: 'Title', position: 1, values: [{ name: 'Default Title' }] }]);
    assert.deepEqual(plan.input.variants[0]!.optionValues, [{ optionName: 'Title', name: 'Default Title' }]);
  });

  it('matches returned variants to Odoo variants by SKU for the write-back', () => {
    const plan = planProductSet(tee);
    assert.ok(plan.kind === 'push');
    const children = childrenFromResult(plan, [
      { id: 'gid://shopify/ProductVariant/2', sku: 'TEE-M-RED', inventoryItem: { id: 'gid://shopify/InventoryItem/3' } },
      { id: 'gid://shopify/ProductVariant/1', sku: 'TEE-S-RED', inventoryItem: { id: 'gid://shopify/InventoryItem/4' } },
    ]);
    assert.deepEqual(children, [
      {
        model: 'product.product',
        res_id: 43,
        shopify_gid: 'gid://shopify/ProductVariant/1',
        inventory_item_gid: 'gid://shopify/InventoryItem/4',
      },
      {
        model: 'product.product',
        res_id: 44,
        shopify_gid: 'gid://shopify/ProductVariant/2',
        inventory_item_gid: 'gid://shopify/InventoryItem/3',
      },
    ]);
  });
});
