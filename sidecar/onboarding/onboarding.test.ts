/**
 * Onboarding end to end: a shop that already has products and customers on both sides (the
 * simulator seeded through its control and Admin APIs, the Odoo double through its merchant),
 * real PostgreSQL, the admin endpoint over HTTP.
 */
import assert from 'node:assert/strict';
import { bulkStore } from '../../dev/sim/graphql/bulk.js';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { startStack, type Stack } from '../../dev/testing/stack.js';
import { onboardingComplete, runOnboarding, type OnboardingReport } from './index.js';

describe('onboarding an existing shop (simulator, Odoo double, PostgreSQL)', () => {
  let stack: Stack;
  const odoo: Record<string, number> = {};
  const partners: Record<string, number> = {};
  const ctx = () => ({
    config: stack.config,
    logger: stack.sidecar.logger,
    pool: stack.sidecar.pool,
    shopify: stack.sidecar.shopify,
    odoo: stack.sidecar.contract,
    queue: stack.sidecar.queue,
    clock: stack.sidecar.clock,
  });

  before(async () => {
    stack = await startStack({ databaseUrl: await testDatabase('flow_onboarding'), flows: [], env: { ONBOARDING_REQUIRED: 'true' } });
    // Shopify: a matching tee (2 variants by SKU), a cap matching only by barcode, a SKU used by
    // two Shopify products (conflict), and a poster Odoo does not have.
    await stack.simControl('POST', '/products', {
      title: 'Tee',
      variants: [
        { sku: 'TEE-S', price: '15.00', option: 'S', optionName: 'Size' },
        { sku: 'tee-m', price: '15.00', option: 'M', optionName: 'Size' },
      ],
    });
    await stack.sidecar.shopify.request(
      'ProductSet',
      {
        input: {
          title: 'Cap',
          productOptions: [{ name: 'Title', values: [{ name: 'Default Title' }] }],
          variants: [
            {
              optionValues: [{ optionName: 'Title', name: 'Default Title' }],
              price: '9.00',
              barcode: '4006381333931',
              inventoryItem: { sku: 'CAP-SHOP' },
            },
          ],
        },
      },
      { lane: 'catalog', retrySafe: true },
    );
    await stack.simControl('POST', '/products', { title: 'Bag A', sku: 'BAG', price: '20.00' });
    await stack.simControl('POST', '/products', { title: 'Bag B', sku: 'BAG', price: '21.00' });
    await stack.simControl('POST', '/products', { title: 'Poster', sku: 'POSTER', price: '5.00' });
    await stack.simControl('POST', '/customers', { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    await stack.simControl('POST', '/customers', { email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper' });
    await stack.simControl('POST', '/customers', { email: 'shop-only@example.com', firstName: 'Shop', lastName: 'Only' });
    // Odoo: the same tee and cap, the bag, a lamp Shopify does not have; Ada (other case),
    // Grace twice (conflict), a contact only in Odoo.
    const m = stack.merchant!;
    odoo.tee = (
      await m.createProduct({
        name: 'Tee',
        price: '15.00',
        options: [{ name: 'Size', values: [{ value: 'S' }, { value: 'M' }] }],
        variants: [
          { sku: 'TEE-S', option_values: { Size: 'S' } },
          { sku: 'TEE-M', option_values: { Size: 'M' } },
        ],
      })
    ).template_id;
    odoo.cap = (await m.createProduct({ name: 'Cap', price: '9.00', variants: [{ sku: 'CAP-1', barcode: '4006381333931' }] })).template_id;
    odoo.bag = (await m.createProduct({ name: 'Bag', price: '20.00', variants: [{ sku: 'BAG' }] })).template_id;
    odoo.lamp = (await m.createProduct({ name: 'Lamp', price: '30.00', variants: [{ sku: 'LAMP' }] })).template_id;
    partners.ada = await m.createCustomer({ name: 'Ada Lovelace', email: ' ADA@example.com' });
    partners.grace1 = await m.createCustomer({ name: 'Grace Hopper', email: 'grace@example.com' });
    partners.grace2 = await m.createCustomer({ name: 'G. Hopper', email: 'Grace@example.com' });
    partners.odooOnly = await m.createCustomer({ name: 'Odoo Only', email: 'odoo-only@example.com' });
  });
  after(async () => {
    await stack?.stop();
  });

  async function snapshot() {
    const { products } = await stack.sidecar.contract.exportProducts({ limit: 100 });
    const bindings = products.map((p) => [p.odoo_id, p.shopify_product_gid, p.variants.map((v) => v.shopify_variant_gid)]);
    const { customers } = await stack.sidecar.contract.listCustomers({ limit: 100 });
    return {
      bindings,
      customers: customers.map((c) => [c.partner_id, c.customer_gid]),
      states: await Promise.all([
        ...Object.values(odoo).map((id) => stack.merchant!.readBinding('product.template', id)),
        ...Object.values(partners).map((id) => stack.merchant!.readBinding('res.partner', id)),
      ]),
      shopProducts: (await stack.simControl<unknown[]>('GET', '/products')).length,
      shopCustomers: (await stack.simControl<unknown[]>('GET', '/customers')).length,
      odooProducts: products.length,
      odooPartners: customers.length,
    };
  }

  it('reports matches, conflicts and leftovers in a dry run and changes nothing', async () => {
    const before = await snapshot();
    const bulkBefore = bulkStore(stack.sim.state).operations.length;
    const res = await fetch(`${stack.sidecarUrl}/admin/onboarding?dry_run=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.config.adminToken}` },
    });
    assert.equal(res.status, 200);
    const report = (await res.json()) as OnboardingReport & { markdown: string };
    assert.equal(report.dryRun, true);
    assert.deepEqual(
      report.plan.products.link.map((l) => [l.templateId, l.variants.map((v) => `${v.key}/${v.by}`)]),
      [
        [odoo.tee, ['TEE-S/sku', 'TEE-M/sku']],
        [odoo.cap, ['4006381333931/barcode']],
      ],
    );
    assert.deepEqual(
      report.plan.conflicts.map((c) => [c.kind, c.odoo.ids]),
      [
        ['duplicate_sku_shopify', [odoo.bag]],
        ['duplicate_email_odoo', [partners.grace1, partners.grace2]],
      ],
    );
    assert.deepEqual(
      report.plan.customers.link.map((l) => [l.partnerId, l.email]),
      [[partners.ada, 'ada@example.com']],
    );
    assert.deepEqual(
      report.plan.products.unmatchedOdoo.map((v) => v.sku),
      ['BAG', 'LAMP'],
    );
    assert.deepEqual(report.plan.products.unmatchedShopify.map((v) => v.sku).sort(), ['BAG', 'BAG', 'POSTER']);
    assert.deepEqual(report.plan.customers.unmatchedShopify.map((c) => c.email).sort(), ['grace@example.com', 'shop-only@example.com']);
    assert.equal(report.counts.written, 0);
    // What would be pushed afterwards, Odoo's push rules asked: every product not held, Ada
    // (about to be linked); the contact only in Odoo, who never bought, is kept out.
    assert.deepEqual(report.push, { products: 3, customers: 1, skipped: [{ reason: 'no_sale', count: 1 }], productsBy: 'jobs' });
    assert.match(report.markdown, /- customers would be pushed: \*\*1\*\*\n- not pushed \(contacts without a sale\): 1/);
    assert.match(report.markdown, /^# Onboarding dry run \(nothing written\)/);
    assert.match(report.markdown, /\| duplicate_sku_shopify \| SKU BAG is on 2 Shopify variants/);
    assert.deepEqual(await snapshot(), before);
    // Shopify's variants came from one bulk query (~15 points), not pages of ~3 points a variant.
    const reads = bulkStore(stack.sim.state).operations.slice(bulkBefore);
    assert.deepEqual(
      reads.map((o) => [o.type, o.status, /productVariants/.test(o.query), o.rootObjectCount]),
      [['QUERY', 'COMPLETED', true, 6]],
    );
    assert.equal(await onboardingComplete(ctx()), false);
    const status = await fetch(`${stack.sidecarUrl}/admin/onboarding`, { headers: { authorization: `Bearer ${stack.config.adminToken}` } });
    assert.deepEqual(await status.json(), { complete: false, catalogPush: null });
  });

  it('refuses the admin endpoint without the bearer token', async () => {
    const res = await fetch(`${stack.sidecarUrl}/admin/onboarding?dry_run=1`, { method: 'POST' });
    assert.equal(res.status, 401);
  });

  it('links the matches in a real run, marks conflicts on the bindings, creates no duplicates, and only then allows pushing', async () => {
    const before = await snapshot();
    const { report, markdown } = await runOnboarding(ctx(), { dryRun: false });
    assert.deepEqual(report.writeErrors, []);
    // 2 products + 1 customer linked, 1 product + 2 contacts held with a message.
    assert.equal(report.counts.written, 6);
    // The contact only in Odoo is no customer (no sale, "Sync to Shopify" not ticked): not pushed.
    assert.deepEqual(report.push, { products: 3, customers: 1, skipped: [{ reason: 'no_sale', count: 1 }], productsBy: 'jobs' });
    const shopTee = (
      await stack.simControl<
        Array<{ admin_graphql_api_id: string; variants: Array<{ sku: string; admin_graphql_api_id: string; inventory_item_id: number }> }>
      >('GET', '/products?sku=TEE-S')
    )[0]!;
    const { products } = await stack.sidecar.contract.exportProducts({ template_ids: [odoo.tee!, odoo.cap!, odoo.lamp!] });
    const tee = products.find((p) => p.odoo_id === odoo.tee)!;
    assert.equal(tee.shopify_product_gid, shopTee.admin_graphql_api_id);
    assert.deepEqual(
      tee.variants.map((v) => [v.sku, v.shopify_variant_gid, v.shopify_inventory_item_gid]),
      ['TEE-S', 'TEE-M'].map((sku) => {
        const sv = shopTee.variants.find((x) => x.sku.toUpperCase() === sku)!;
        return [sku, sv.admin_graphql_api_id, `gid://shopify/InventoryItem/${sv.inventory_item_id}`];
      }),
    );
    assert.match(products.find((p) => p.odoo_id === odoo.cap)!.shopify_product_gid ?? '', /^gid:\/\/shopify\/Product\/\d+$/);
    assert.equal(products.find((p) => p.odoo_id === odoo.lamp)!.shopify_product_gid, null);
    assert.deepEqual(await stack.merchant!.readBinding('product.template', odoo.tee!).then((b) => b.state), 'pending');
    const bag = await stack.merchant!.readBinding('product.template', odoo.bag!);
    assert.equal(bag.state, 'error');
    assert.equal(bag.shopify_gid, null);
    assert.match(bag.message ?? '', /^onboarding conflict: SKU BAG is on 2 Shopify variants/);
    const ada = await stack.merchant!.readBinding('res.partner', partners.ada!);
    assert.match(ada.shopify_gid ?? '', /^gid:\/\/shopify\/Customer\/\d+$/);
    for (const id of [partners.grace1!, partners.grace2!]) {
      const b = await stack.merchant!.readBinding('res.partner', id);
      assert.deepEqual([b.state, b.shopify_gid], ['error', null]);
    }
    const after = await snapshot();
    assert.deepEqual(
      [after.shopProducts, after.shopCustomers, after.odooProducts, after.odooPartners],
      [before.shopProducts, before.shopCustomers, before.odooProducts, before.odooPartners],
    );
    assert.match(markdown, /^# Onboarding run/);
    assert.equal(await onboardingComplete(ctx()), true);
  });

  it('links nothing twice when run again', async () => {
    const { report } = await runOnboarding(ctx(), { dryRun: false });
    assert.deepEqual(
      [
        report.counts.productsLinked,
        report.counts.productsAlreadyLinked,
        report.counts.customersLinked,
        report.counts.customersAlreadyLinked,
      ],
      [0, 2, 0, 1],
    );
  });
});
