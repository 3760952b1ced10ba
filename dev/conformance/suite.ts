/**
 * The contract's conformance scenarios, written once against a ConformanceTarget and run
 * against the in-process double (double.test.ts, in `make test`) and against a real Odoo with
 * the addon installed (real-odoo.test.ts). Every call goes through a caller that validates
 * documents and results against contract/schemas/*.schema.json.
 */
import assert from 'node:assert/strict';
import { CONTRACT_VERSION, isCompatibleContractVersion, type OdooContract } from '../../sidecar/odoo/contract.js';
import { OdooConfigurationError, OdooPermanentError } from '../../sidecar/odoo/errors.js';
import { customerDoc, emailOf, gidOf, orderDoc, skuOf, vat } from './fixtures.js';
import { defineEditScenarios } from './edits.js';
import { defineFulfillmentScenarios } from './fulfillments.js';
import { defineInputCheckScenarios } from './input-checks.js';
import { definePrivacyScenarios } from './privacy.js';
import { definePaymentScenarios } from './payments.js';
import { defineRefundScenarios } from './refunds.js';
import { defineSharedRuleScenarios } from './rules.js';
import { defineStatusScenarios } from './status.js';
import { defineTaxScenarios } from './taxes.js';
import { defineCurrencyScenarios } from './currencies.js';
import { defineDutyScenarios } from './duties.js';
import { defineFeeScenarios } from './additional-fees.js';
import { drain, pullAll, rejects, simpleProduct, VALIDATION } from './support.js';
import type { MerchantDriver, SuiteContext, WarehouseView } from './target.js';

export function defineConformanceScenarios(ctx: SuiteContext): void {
  let contract: OdooContract;
  let m: MerchantDriver;
  let currency: string;
  let wh: WarehouseView[];

  beforeEach(async function () {
    ({ contract, merchant: m } = ctx.target());
    currency = await m.companyCurrency();
    wh = await m.warehouses();
    assert.ok(wh.length >= 2, 'the target needs two warehouses mapped to Shopify locations');
    await m.configure({ import_policy: 'all', safety_stock: 0, tax_mapping: [{ title: 'VAT', rate: 0.2, tax: 'VAT 20%' }] });
    await drain(contract);
  });

  const stocked = async (quantity = 10, price = '10.00') => {
    const p = await simpleProduct(m, price);
    await m.setStock(p.product_id, wh[0]!.id, quantity);
    return p;
  };

  describe('version and outbox', () => {
    it('reports contract version 1.0 with the addon and Odoo versions', async () => {
      const r = await contract.contractVersion({ sidecar_version: '0.1.0' });
      assert.equal(r.contract_version, CONTRACT_VERSION);
      assert.ok(isCompatibleContractVersion(r.contract_version));
      assert.match(r.odoo_version, /^(17|18|19)\.0/, 'a supported Odoo version (docs/architecture.md, "Odoo versions")');
      assert.ok(r.addon_version.length > 0);
    });

    it('stores the health report for the Shopify overview and refuses a malformed one', async () => {
      const checked = new Date().toISOString();
      const alert = { key: 'dlq:orders', summary: 'orders dead-letter queue holds 12 jobs (threshold 10)', since: checked };
      assert.deepEqual(await contract.reportHealth({ alerts: [alert], dlq_depth: 12, checked_at: checked }), { ok: true });
      const health = await m.readSidecarHealth();
      assert.equal(health?.alert_count, 1);
      assert.equal(health?.dlq_depth, 12);
      assert.ok(health?.text.includes(alert.summary), health?.text);
      await assert.rejects(contract.reportHealth({ alerts: [], dlq_depth: -1, checked_at: checked }), /dlq_depth/);
      assert.deepEqual(await contract.reportHealth({ alerts: [], dlq_depth: 0, checked_at: new Date(Date.now() + 1000).toISOString() }), {
        ok: true,
      });
      assert.equal((await m.readSidecarHealth())?.alert_count, 0);
    });

    it('leases a pulled event until it is acknowledged, and acknowledges it once', async () => {
      const p = await simpleProduct(m);
      const first = await contract.pullEvents({ limit: 100, lease_seconds: 60 });
      const event = first.events.find((e) => e.type === 'product.changed' && e.res_id === p.template_id);
      assert.ok(event, 'product.changed for the new product');
      assert.equal(event.key, `product:${p.template_id}`);
      assert.equal(event.model, 'product.template');
      assert.equal(event.attempts, 1);
      assert.equal(event.payload.template_id, p.template_id);
      const second = await contract.pullEvents({ limit: 100, lease_seconds: 60 });
      assert.ok(!second.events.some((e) => e.uuid === event.uuid), 'a leased event is not handed out twice');
      assert.deepEqual(await contract.ackEvents({ uuids: [event.uuid] }), { acknowledged: 1 });
      assert.deepEqual(await contract.ackEvents({ uuids: [event.uuid] }), { acknowledged: 0 });
      await drain(contract);
    });

    it('hands an unacknowledged event out again once its lease has expired', async () => {
      const p = await simpleProduct(m);
      const first = await contract.pullEvents({ limit: 100, lease_seconds: 1 });
      const event = first.events.find((e) => e.res_id === p.template_id && e.type === 'product.changed');
      assert.ok(event);
      await m.sleep(2.2);
      const again = await contract.pullEvents({ limit: 100, lease_seconds: 60 });
      const redelivered = again.events.find((e) => e.uuid === event.uuid);
      assert.ok(redelivered, 'the expired lease is pulled again');
      assert.equal(redelivered.attempts, 2);
      await contract.ackEvents({ uuids: again.events.map((e) => e.uuid) });
    });

    it('pulls no more events than the limit', async () => {
      for (let i = 0; i < 3; i++) await simpleProduct(m);
      const { events } = await contract.pullEvents({ limit: 2, lease_seconds: 60 });
      assert.equal(events.length, 2);
      await contract.ackEvents({ uuids: events.map((e) => e.uuid) });
      const rest = await pullAll(contract);
      assert.ok(rest.length >= 1);
    });
  });

  describe('products and stock', () => {
    it('exports a product with options, variants, SKUs, barcodes, prices and active flags', async () => {
      const base = skuOf('TEE');
      const { template_id, variants } = await m.createProduct({
        name: `T-shirt ${base}`,
        price: '20.00',
        options: [{ name: 'Size', values: [{ value: 'S' }, { value: 'M' }, { value: 'L', price_extra: '2.00' }] }],
        variants: ['S', 'M', 'L'].map((size) => ({
          sku: `${base}-${size}`,
          barcode: `${base.replace(/\D/g, '')}${size.charCodeAt(0)}`,
          option_values: { Size: size },
        })),
      });
      const { products } = await contract.exportProducts({ template_ids: [template_id] });
      assert.equal(products.length, 1);
      const doc = products[0]!;
      assert.equal(doc.odoo_id, template_id);
      assert.equal(doc.active, true);
      assert.equal(doc.shopify_product_gid, null);
      assert.deepEqual(doc.options, [{ name: 'Size', values: ['S', 'M', 'L'] }]);
      assert.equal(doc.variants.length, 3);
      for (const size of ['S', 'M', 'L']) {
        const v = doc.variants.find((x) => x.sku === `${base}-${size}`);
        assert.ok(v, `variant ${size}`);
        assert.equal(v.odoo_id, variants[`${base}-${size}`]);
        assert.equal(v.price, size === 'L' ? '22.00' : '20.00');
        assert.equal(v.barcode, `${base.replace(/\D/g, '')}${size.charCodeAt(0)}`);
        assert.equal(v.active, true);
        assert.deepEqual(v.option_values, [{ option: 'Size', value: size }]);
        assert.equal(v.shopify_variant_gid, null);
      }
    });

    it('exports a variant without SKU with sku null', async () => {
      const { template_id } = await m.createProduct({ name: `No SKU ${skuOf('X')}`, price: '5.00', variants: [{ sku: null }] });
      const { products } = await contract.exportProducts({ template_ids: [template_id] });
      assert.equal(products[0]!.variants[0]!.sku, null);
    });

    it('emits product.changed on a price change and on archive, and exports the new state', async () => {
      const p = await simpleProduct(m);
      await drain(contract);
      await contract.recordSyncResult({ model: 'product.template', res_id: p.template_id, state: 'synced', shopify_gid: gidOf('Product') });
      await m.setProductPrice(p.template_id, '25.00');
      const repriced = (await pullAll(contract)).filter((e) => e.type === 'product.changed' && e.res_id === p.template_id);
      assert.equal(repriced.length, 1);
      assert.equal(
        (await m.readBinding('product.template', p.template_id)).state,
        'pending',
        'a change waiting in the outbox shows as pending',
      );
      await m.archiveProduct(p.template_id);
      const archived = (await pullAll(contract)).filter((e) => e.type === 'product.changed' && e.res_id === p.template_id);
      assert.equal(archived.length, 1);
      assert.equal(archived[0]!.payload.active, false);
      const doc = (await contract.exportProducts({ template_ids: [p.template_id] })).products[0]!;
      assert.equal(doc.active, false);
      assert.equal(doc.variants[0]!.active, false);
      assert.equal(doc.variants[0]!.price, '25.00');
    });

    it('computes shopify_on_hand = on hand − reservations not from Shopify − safety stock', async () => {
      await m.configure({ safety_stock: 2 });
      const p = await stocked(10);
      await m.createSaleOrder({ warehouse_id: wh[0]!.id, lines: [{ product_id: p.product_id, quantity: 3 }] });
      // A Shopify order's reservation is Shopify's `committed`: it must not be subtracted again.
      const r = await contract.applyOrder(
        orderDoc({ currency, location_gid: wh[0]!.location_gid, lines: [{ sku: p.sku, quantity: 4, price: '10.00' }] }),
      );
      assert.equal(r.state, 'sale');
      const { levels } = await contract.stockLevels({ product_ids: [p.product_id] });
      const here = levels.find((l) => l.location_gid === wh[0]!.location_gid);
      assert.deepEqual(
        here && {
          on_hand: here.on_hand,
          reserved_other: here.reserved_other,
          safety_stock: here.safety_stock,
          shopify_on_hand: here.shopify_on_hand,
          warehouse_id: here.warehouse_id,
          sku: here.sku,
        },
        { on_hand: 10, reserved_other: 3, safety_stock: 2, shopify_on_hand: 5, warehouse_id: wh[0]!.id, sku: p.sku },
      );
      const elsewhere = levels.find((l) => l.location_gid === wh[1]!.location_gid);
      assert.equal(elsewhere?.on_hand, 0);
      assert.equal(elsewhere?.shopify_on_hand, 0, 'never negative');
    });

    it('filters stock levels by location', async () => {
      const p = await stocked(4);
      const { levels } = await contract.stockLevels({ product_ids: [p.product_id], location_gids: [wh[1]!.location_gid] });
      assert.deepEqual(
        levels.map((l) => [l.location_gid, l.on_hand]),
        [[wh[1]!.location_gid, 0]],
      );
    });

    it('emits stock.changed per product and location, coalesced while pending', async () => {
      const p = await simpleProduct(m);
      await drain(contract);
      await m.setStock(p.product_id, wh[0]!.id, 5);
      await m.setStock(p.product_id, wh[0]!.id, 7);
      await m.setStock(p.product_id, wh[1]!.id, 1);
      const events = (await pullAll(contract)).filter((e) => e.type === 'stock.changed' && e.res_id === p.product_id);
      assert.deepEqual(
        events.map((e) => e.key).sort(),
        [`stock:${p.product_id}:${wh[0]!.location_gid}`, `stock:${p.product_id}:${wh[1]!.location_gid}`].sort(),
      );
      const first = events.find((e) => e.key.endsWith(wh[0]!.location_gid))!;
      assert.deepEqual(first.payload, { product_id: p.product_id, location_gid: wh[0]!.location_gid });
      assert.equal(first.model, 'product.product');
    });

    it('emits stock.changed when a non-Shopify order reserves stock', async () => {
      const p = await stocked(10);
      await drain(contract);
      await m.createSaleOrder({ warehouse_id: wh[0]!.id, lines: [{ product_id: p.product_id, quantity: 2 }] });
      const events = (await pullAll(contract)).filter((e) => e.type === 'stock.changed' && e.res_id === p.product_id);
      assert.deepEqual(
        events.map((e) => e.key),
        [`stock:${p.product_id}:${wh[0]!.location_gid}`],
      );
    });
  });

  describe('orders', () => {
    it('applies the same order twice (and concurrently) into one sale order', async () => {
      const p = await stocked();
      const doc = orderDoc({ currency, lines: [{ sku: p.sku, quantity: 2, price: '10.00' }] });
      const first = await contract.applyOrder(doc);
      assert.equal(first.status, 'created');
      assert.equal(first.state, 'sale');
      assert.equal(first.amount_total, '20.00');
      const second = await contract.applyOrder(doc);
      assert.equal(second.status, 'unchanged');
      assert.equal(second.sale_order_id, first.sale_order_id);
      assert.equal((await m.readSaleOrders(doc.order_gid)).length, 1);

      const other = orderDoc({ currency, lines: [{ sku: p.sku, quantity: 1, price: '10.00' }] });
      const both = await Promise.all([contract.applyOrder(other), contract.applyOrder(other)]);
      assert.deepEqual(both.map((r) => r.status).sort(), ['created', 'unchanged']);
      assert.equal((await m.readSaleOrders(other.order_gid)).length, 1);
    });

    it('updates the shipping address and quantities of an order not yet delivered', async () => {
      const p = await stocked();
      const doc = orderDoc({ currency, lines: [{ sku: p.sku, quantity: 2, price: '10.00' }] });
      const created = await contract.applyOrder(doc);
      const edited = orderDoc({
        currency,
        order_gid: doc.order_gid,
        updated_at: '2026-11-01T11:00:00Z',
        city: 'Lyon',
        lines: [{ sku: p.sku, quantity: 3, price: '10.00' }],
      });
      const updated = await contract.applyOrder(edited);
      assert.equal(updated.status, 'updated');
      assert.equal(updated.sale_order_id, created.sale_order_id);
      assert.equal(updated.amount_total, '30.00');
      const [so] = await m.readSaleOrders(doc.order_gid);
      assert.equal(so!.shipping.city, 'Lyon');
      assert.deepEqual(
        so!.lines.map((l) => [l.sku, l.quantity]),
        [[p.sku, 3]],
      );
      const open = (await m.readPickings(so!.id)).filter((pk) => pk.picking_type === 'outgoing' && !['done', 'cancel'].includes(pk.state));
      assert.deepEqual(
        open.flatMap((pk) => pk.moves.map((mv) => mv.quantity)),
        [3],
      );
    });

    it('ignores an order document older than the one applied', async () => {
      const p = await stocked();
      const doc = orderDoc({ currency, updated_at: '2026-11-01T12:00:00Z', lines: [{ sku: p.sku, quantity: 2, price: '10.00' }] });
      await contract.applyOrder(doc);
      const stale = orderDoc({
        currency,
        order_gid: doc.order_gid,
        updated_at: '2026-11-01T11:00:00Z',
        lines: [{ sku: p.sku, quantity: 5, price: '10.00' }],
      });
      const r = await contract.applyOrder(stale);
      assert.equal(r.status, 'unchanged');
      assert.deepEqual(
        (await m.readSaleOrders(doc.order_gid))[0]!.lines.map((l) => l.quantity),
        [2],
      );
    });

    it('rejects an unknown SKU as a permanent error naming the SKU and line, and creates nothing', async () => {
      const p = await stocked();
      const unknown = skuOf('NOPE');
      const customer = customerDoc();
      const doc = orderDoc({
        currency,
        customer,
        lines: [
          { sku: p.sku, quantity: 1, price: '10.00' },
          { sku: unknown, quantity: 1, price: '5.00' },
        ],
      });
      await rejects(contract.applyOrder(doc), {
        cls: OdooPermanentError,
        odooName: VALIDATION,
        message: `order ${doc.name} line 2: SKU "${unknown}" is unknown in Odoo`,
      });
      assert.deepEqual(await m.readSaleOrders(doc.order_gid), []);
      assert.deepEqual(await m.findPartnersByName(`${customer.first_name} ${customer.last_name}`), []);
    });

    it('holds an order with an unmapped Shopify tax line in draft, and confirms it once mapped', async () => {
      await m.configure({ tax_mapping: [] });
      const p = await stocked();
      const doc = orderDoc({ currency, lines: [{ sku: p.sku, quantity: 2, price: '10.00', taxes: [vat('4.00')] }] });
      const held = await contract.applyOrder(doc);
      assert.equal(held.status, 'held');
      assert.equal(held.state, 'draft');
      assert.match(held.message ?? '', /no tax mapping for Shopify tax "VAT" at rate 0\.2 \(line 1\)/);
      const binding = await m.readBinding('sale.order', held.sale_order_id);
      assert.equal(binding.state, 'error');
      assert.equal(binding.message, held.message);
      assert.equal((await contract.applyOrder(doc)).status, 'held', 'still held while unmapped');

      await m.configure({ tax_mapping: [{ title: 'VAT', rate: 0.2, tax: 'VAT 20%' }] });
      const released = await contract.applyOrder(doc);
      assert.equal(released.status, 'updated');
      assert.equal(released.state, 'sale');
      assert.equal(released.amount_total, '24.00');
      assert.equal((await m.readBinding('sale.order', held.sale_order_id)).state, 'synced');
    });

    it('computes taxes, discounts and shipping to the cent', async () => {
      const p = await stocked();
      const doc = orderDoc({
        currency,
        lines: [{ sku: p.sku, quantity: 2, price: '10.00', discount: '1.00', taxes: [vat('3.80')] }],
        shipping: { price: '5.00', taxes: [vat('1.00')] },
      });
      assert.equal(doc.total_price, '28.80');
      const r = await contract.applyOrder(doc);
      assert.equal(r.status, 'created');
      assert.equal(r.amount_total, '28.80');
    });

    it('applies a tax-included order through a price-included tax, and holds it on a mismatched mapping', async () => {
      await m.configure({ tax_mapping: [{ title: 'VAT', rate: 0.2, tax: 'VAT 20% incl.', price_include: true }] });
      const p = await stocked();
      // 2 × 12.00 tax included: 24.00, of which 4.00 is VAT; Shopify's total excludes nothing.
      const doc = {
        ...orderDoc({ currency, lines: [{ sku: p.sku, quantity: 2, price: '12.00', taxes: [vat('4.00')] }] }),
        taxes_included: true,
        total_price: '24.00',
      };
      const r = await contract.applyOrder(doc);
      assert.deepEqual([r.status, r.amount_total], ['created', '24.00']);

      await m.configure({ tax_mapping: [{ title: 'VAT', rate: 0.2, tax: 'VAT 20%' }] });
      const other = { ...doc, order_gid: gidOf('Order') };
      const held = await contract.applyOrder(other);
      assert.equal(held.status, 'held');
      assert.match(
        held.message ?? '',
        /tax mapping "VAT" 0\.2 → VAT 20%: Odoo tax is not price-included but the order includes taxes \(line 1\)/,
      );
    });

    it('flags an order whose Odoo total differs from Shopify total_price by one cent', async () => {
      const p = await stocked();
      const doc = orderDoc({ currency, total_offset: '0.01', lines: [{ sku: p.sku, quantity: 1, price: '10.00' }] });
      const r = await contract.applyOrder(doc);
      assert.equal(r.status, 'flagged');
      assert.equal(r.state, 'draft', 'not confirmed');
      assert.equal(r.message, `order ${doc.name}: Odoo total 10.00 differs from Shopify total_price 10.01`);
      assert.equal((await m.readBinding('sale.order', r.sale_order_id)).state, 'error');
    });

    it('confirms only paid orders under the "paid" import policy, and every order under "all"', async () => {
      await m.configure({ import_policy: 'paid' });
      const p = await stocked();
      const pending = orderDoc({ currency, financial_status: 'pending', lines: [{ sku: p.sku, quantity: 1, price: '10.00' }] });
      const r1 = await contract.applyOrder(pending);
      assert.deepEqual([r1.status, r1.state], ['created', 'draft']);
      const paid = { ...pending, financial_status: 'paid', updated_at: '2026-11-01T11:00:00Z' };
      const r2 = await contract.applyOrder(paid);
      assert.deepEqual([r2.status, r2.state], ['updated', 'sale']);
      await m.configure({ import_policy: 'all' });
      const r3 = await contract.applyOrder(
        orderDoc({ currency, financial_status: 'pending', lines: [{ sku: p.sku, quantity: 1, price: '10.00' }] }),
      );
      assert.deepEqual([r3.status, r3.state], ['created', 'sale']);
    });

    it('cancels an undelivered order once; an unknown order is not_found', async () => {
      const p = await stocked();
      const doc = orderDoc({ currency, lines: [{ sku: p.sku, quantity: 1, price: '10.00' }] });
      const applied = await contract.applyOrder(doc);
      const cancel = { order_gid: doc.order_gid, cancelled_at: '2026-11-01T12:00:00Z', reason: 'customer' };
      assert.deepEqual(await contract.cancelOrder(cancel), { status: 'cancelled', sale_order_id: applied.sale_order_id });
      assert.equal((await m.readSaleOrders(doc.order_gid))[0]!.state, 'cancel');
      assert.ok((await m.readPickings(applied.sale_order_id)).every((pk) => pk.state === 'cancel'));
      assert.deepEqual(await contract.cancelOrder(cancel), { status: 'already_cancelled', sale_order_id: applied.sale_order_id });
      assert.deepEqual(await contract.cancelOrder({ ...cancel, order_gid: gidOf('Order') }), { status: 'not_found', sale_order_id: null });
    });

    it('answers needs_return when cancelling an order already delivered', async () => {
      const p = await stocked();
      const doc = orderDoc({ currency, lines: [{ sku: p.sku, quantity: 1, price: '10.00' }] });
      const applied = await contract.applyOrder(doc);
      const [picking] = await m.readPickings(applied.sale_order_id);
      await m.validateDelivery(picking!.id);
      const r = await contract.cancelOrder({ order_gid: doc.order_gid, cancelled_at: '2026-11-02T12:00:00Z', reason: 'other' });
      assert.deepEqual(r, { status: 'needs_return', sale_order_id: applied.sale_order_id });
      assert.equal((await m.readSaleOrders(doc.order_gid))[0]!.state, 'sale');
      const binding = await m.readBinding('sale.order', applied.sale_order_id);
      assert.equal(binding.state, 'error');
      assert.match(binding.message ?? '', /a return is needed/);
    });
  });

  describe('refunds and returns', () => defineRefundScenarios(() => ({ contract, m, currency, wh, stocked })));
  describe('order edits', () => defineEditScenarios(() => ({ contract, m, currency, wh, stocked })));
  describe('fulfillments made in Shopify', () => defineFulfillmentScenarios(() => ({ contract, m, currency, wh, stocked })));

  describe('taxes to the cent', () => defineTaxScenarios(() => ({ contract, m, currency, wh, stocked })));

  describe('currencies', () => defineCurrencyScenarios(() => ({ contract, m, currency, wh, stocked })));
  describe('duties', () => defineDutyScenarios(() => ({ contract, m, currency, wh, stocked })));
  describe('additional fees', () => defineFeeScenarios(() => ({ contract, m, currency, wh, stocked })));

  describe('payments, invoices and gift cards', () => definePaymentScenarios(() => ({ contract, m, currency, wh, stocked })));

  describe('customers', () => {
    it('matches by GID, then by normalised email, never by name', async () => {
      const doc = customerDoc();
      const created = await contract.upsertCustomer(doc);
      assert.equal(created.status, 'created');
      assert.deepEqual(await contract.upsertCustomer(doc), { status: 'unchanged', partner_id: created.partner_id });
      const moved = { ...doc, phone: '+33 6 00 00 00 00', email: emailOf('ada.new') };
      assert.deepEqual(await contract.upsertCustomer(moved), { status: 'updated', partner_id: created.partner_id });

      const email = emailOf('grace');
      const existing = await m.createCustomer({ name: 'Grace Hopper', email });
      const linked = await contract.upsertCustomer(
        customerDoc({ first_name: 'Grace', last_name: 'Hopper', email: `  ${email.toUpperCase()} ` }),
      );
      assert.deepEqual(linked, { status: 'linked', partner_id: existing });

      const namesake = await contract.upsertCustomer(
        customerDoc({ first_name: 'Grace', last_name: 'Hopper', email: emailOf('other.grace') }),
      );
      assert.equal(namesake.status, 'created');
      assert.notEqual(namesake.partner_id, existing);
    });

    it('exports a customer with its Shopify GID', async () => {
      const doc = customerDoc();
      const { partner_id } = await contract.upsertCustomer(doc);
      const { customers } = await contract.exportCustomers({ partner_ids: [partner_id] });
      assert.equal(customers.length, 1);
      assert.equal(customers[0]!.partner_id, partner_id);
      assert.equal(customers[0]!.customer_gid, doc.customer_gid);
      assert.equal(customers[0]!.email, doc.email);
    });

    it('lists every top-level partner with an email for onboarding, paged by id, archived included, erased excluded', async () => {
      const adaEmail = emailOf('ada.onboard');
      const ada = await m.createCustomer({ name: 'Ada Onboard', email: adaEmail });
      const archived = await m.createCustomer({ name: 'Old Client', email: emailOf('old.client') });
      await m.archiveCustomer(archived);
      const erased = await m.createCustomer({ name: 'Gone Client', email: emailOf('gone.client') });
      await m.eraseCustomer(erased);
      const listed: Array<{ partner_id: number; email: string | null; active: boolean }> = [];
      for (let offset = 0; ; offset += 7) {
        const { customers } = await contract.listCustomers({ limit: 7, offset });
        listed.push(...customers);
        if (customers.length < 7) break;
      }
      const ids = listed.map((c) => c.partner_id);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
      );
      assert.equal(new Set(ids).size, ids.length);
      assert.ok(listed.every((c) => c.email));
      assert.equal(listed.find((c) => c.partner_id === ada)?.email, adaEmail);
      assert.equal(listed.find((c) => c.partner_id === archived)?.active, false);
      assert.ok(!ids.includes(erased));
    });

    it('erases a customer: personal data gone, record kept, never resurrected', async () => {
      const doc = customerDoc({
        default_address: {
          name: 'Ada Lovelace',
          company: null,
          address1: '12 Analytical St',
          address2: null,
          city: 'London',
          province_code: null,
          zip: 'N1',
          country_code: 'GB',
          phone: null,
        },
      });
      const { partner_id } = await contract.upsertCustomer(doc);
      const erased = await contract.eraseCustomer({ customer_gid: doc.customer_gid });
      assert.equal(erased.status, 'erased');
      assert.ok(erased.partner_ids.includes(partner_id));
      const partner = await m.readPartner(partner_id);
      assert.deepEqual([partner.email, partner.phone, partner.street, partner.city, partner.active], [null, null, null, null, false]);
      assert.ok(!partner.name.includes('Lovelace'), `name erased (${partner.name})`);
      const exported = (await contract.exportCustomers({ partner_ids: [partner_id] })).customers[0]!;
      assert.deepEqual([exported.email, exported.phone], [null, null]);
      // The country is kept (contract: erase_customer); nothing else of the address survives.
      const a = exported.default_address;
      assert.deepEqual(a && [a.address1, a.address2, a.city, a.zip, a.phone, a.company], a && [null, null, null, null, null, null]);
      assert.ok(!JSON.stringify(exported).includes('Lovelace') && !JSON.stringify(exported).includes('Analytical'));
      assert.equal((await contract.upsertCustomer(doc)).status, 'unchanged');
      assert.equal((await m.readPartner(partner_id)).email, null);
      assert.deepEqual(await contract.eraseCustomer({ customer_gid: gidOf('Customer') }), { status: 'not_found', partner_ids: [] });
    });
  });

  describe('loop safety and sync results', () => {
    it('emits nothing for contract writes, and the matching events for merchant actions', async () => {
      const p = await stocked();
      await drain(contract);
      const customer = customerDoc();
      const { partner_id } = await contract.upsertCustomer(customer);
      const order = orderDoc({ currency, customer, lines: [{ sku: p.sku, quantity: 1, price: '10.00' }] });
      const applied = await contract.applyOrder(order);
      const [out] = await m.readPickings(applied.sale_order_id);
      await m.validateDelivery(out!.id);
      await drain(contract);
      // A refund with restock "return" creates, posts and receives: each would be an event if merchant-made.
      await contract.applyRefund({
        refund_gid: gidOf('Refund'),
        order_gid: order.order_gid,
        created_at: '2026-11-03T10:00:00Z',
        note: null,
        lines: [
          {
            line_gid: order.lines[0]!.line_gid,
            sku: p.sku,
            quantity: 1,
            subtotal: '10.00',
            total_tax: '0.00',
            restock_type: 'return',
            location_gid: null,
          },
        ],
        shipping: { amount: '0.00', tax: '0.00' },
        adjustments: [{ amount: '1.00', reason: 'goodwill' }],
        total: '11.00',
      });
      await contract.upsertCustomer({ ...customer, phone: '+33 7 00 00 00 00' });
      await contract.recordSyncResult({ model: 'product.template', res_id: p.template_id, state: 'synced', shopify_gid: gidOf('Product') });
      await contract.recordSyncResult({ model: 'res.partner', res_id: partner_id, state: 'synced' });
      // stock.changed is the one exception (addon): it only says "re-read stock" and cannot loop.
      const echoes = (await pullAll(contract)).filter((e) => e.type !== 'stock.changed');
      assert.deepEqual(echoes, [], 'no events from contract writes');

      await m.editCustomer(partner_id, { phone: '+44 20 0000 0000' });
      const edited = await pullAll(contract);
      assert.deepEqual(
        edited.map((e) => [e.type, e.key, e.res_id]),
        [['customer.changed', `customer:${partner_id}`, partner_id]],
      );
      await m.archiveCustomer(partner_id);
      const archived = await pullAll(contract);
      assert.deepEqual(
        archived.map((e) => [e.type, e.payload.active]),
        [['customer.changed', false]],
      );
      await m.eraseCustomer(partner_id);
      const erased = await pullAll(contract);
      assert.deepEqual(
        erased.map((e) => [e.type, e.payload.customer_gid]),
        [['customer.erased', customer.customer_gid]],
      );
    });

    it('emits customer.changed for an unbound contact only when it is flagged for sync', async () => {
      await m.createCustomer({ name: 'Not synced', email: emailOf('nosync') });
      assert.deepEqual(
        (await pullAll(contract)).filter((e) => e.type === 'customer.changed'),
        [],
      );
      const flagged = await m.createCustomer({ name: 'Synced', email: emailOf('sync'), sync: true });
      assert.deepEqual(
        (await pullAll(contract)).filter((e) => e.type === 'customer.changed').map((e) => e.res_id),
        [flagged],
      );
    });

    it("records sync results on the binding and the variants' Shopify IDs", async () => {
      const base = skuOf('CAP');
      const { template_id, variants } = await m.createProduct({
        name: `Cap ${base}`,
        price: '15.00',
        options: [{ name: 'Color', values: [{ value: 'Red' }, { value: 'Blue' }] }],
        variants: ['Red', 'Blue'].map((color) => ({ sku: `${base}-${color}`, option_values: { Color: color } })),
      });
      const productGid = gidOf('Product');
      const red = variants[`${base}-Red`]!;
      const redGid = gidOf('ProductVariant');
      const redItem = gidOf('InventoryItem');
      assert.deepEqual(
        await contract.recordSyncResult({
          model: 'product.template',
          res_id: template_id,
          state: 'synced',
          shopify_gid: productGid,
          content_hash: 'abc123',
          children: [{ model: 'product.product', res_id: red, shopify_gid: redGid, inventory_item_gid: redItem }],
        }),
        { ok: true },
      );
      const doc = (await contract.exportProducts({ template_ids: [template_id] })).products[0]!;
      assert.equal(doc.shopify_product_gid, productGid);
      const redDoc = doc.variants.find((v) => v.odoo_id === red)!;
      assert.deepEqual([redDoc.shopify_variant_gid, redDoc.shopify_inventory_item_gid], [redGid, redItem]);
      const binding = await m.readBinding('product.template', template_id);
      assert.deepEqual([binding.state, binding.shopify_gid, binding.content_hash, binding.message], ['synced', productGid, 'abc123', null]);
      assert.equal((await m.readBinding('product.product', red)).shopify_gid, redGid, "the variant's binding shows the variant's GID");

      await contract.recordSyncResult({ model: 'product.template', res_id: template_id, state: 'error', message: 'variant 2 has no SKU' });
      const failed = await m.readBinding('product.template', template_id);
      assert.deepEqual([failed.state, failed.message], ['error', 'variant 2 has no SKU']);

      const other = await simpleProduct(m);
      await rejects(
        contract.recordSyncResult({ model: 'product.template', res_id: other.template_id, state: 'synced', shopify_gid: productGid }),
        { cls: OdooPermanentError, odooName: VALIDATION, message: /already bound/ },
      );
      await rejects(
        contract.recordSyncResult({
          model: 'product.template',
          res_id: other.template_id,
          state: 'synced',
          children: [{ model: 'product.product', res_id: red }],
        }),
        {
          cls: OdooPermanentError,
          odooName: VALIDATION,
          message: `record_sync_result: variant ${red} is not a variant of product.template ${other.template_id}`,
        },
      );
    });

    it('refuses a sync result for a record that does not exist', async () => {
      await rejects(contract.recordSyncResult({ model: 'sale.order', res_id: 2_000_000_000, state: 'synced' }), {
        cls: OdooPermanentError,
        odooName: VALIDATION,
        message: 'record_sync_result: sale.order 2000000000 does not exist',
      });
    });

    it('refuses private methods as an access (configuration) error', async () => {
      await rejects(ctx.caller().executeKw('shopify.sync.api', '_apply_order', [{}]), {
        cls: OdooConfigurationError,
        odooName: 'odoo.exceptions.AccessError',
        // Odoo 17 names the method alone, 18 and 19 with its model.
        message: /^Private methods \(such as '?(shopify\.sync\.api\.)?_apply_order'?\) cannot be called remotely\.$/,
      });
    });
  });

  describe('deliveries', () => {
    it('turns a partial delivery with tracking into delivery.done and an export of the shipped lines', async () => {
      const a = await stocked(10);
      const b = await stocked(10);
      const doc = orderDoc({
        currency,
        location_gid: wh[0]!.location_gid,
        lines: [
          { sku: a.sku, quantity: 3, price: '10.00' },
          { sku: b.sku, quantity: 1, price: '10.00' },
        ],
      });
      const applied = await contract.applyOrder(doc);
      const [out] = await m.readPickings(applied.sale_order_id);
      await drain(contract);
      const { backorder_id } = await m.validateDelivery(out!.id, {
        quantities: { [a.product_id]: 2, [b.product_id]: 1 },
        tracking: { number: 'TRK-1' },
      });
      assert.ok(backorder_id, 'a backorder for the remaining unit');
      const events = await pullAll(contract);
      const done = events.filter((e) => e.type === 'delivery.done');
      assert.deepEqual(
        done.map((e) => [e.key, e.payload.picking_id, e.payload.order_gid, e.model, e.res_id]),
        [[`order:${doc.order_gid}`, out!.id, doc.order_gid, 'stock.picking', out!.id]],
      );
      assert.ok(
        events.some((e) => e.type === 'stock.changed' && e.res_id === a.product_id),
        're-push stock after a fulfillment',
      );

      const exported = await contract.exportDelivery({ picking_id: out!.id });
      assert.equal(exported.order_gid, doc.order_gid);
      assert.equal(exported.is_return, false);
      assert.equal(exported.tracking.number, 'TRK-1');
      assert.deepEqual(
        exported.lines.map((l) => [l.line_gid, l.sku, l.quantity]).sort(),
        [
          [doc.lines[0]!.line_gid, a.sku, 2],
          [doc.lines[1]!.line_gid, b.sku, 1],
        ].sort(),
      );
      assert.deepEqual(exported.fulfillment_gids, []);

      const fulfillment = gidOf('Fulfillment');
      await contract.recordSyncResult({ model: 'stock.picking', res_id: out!.id, state: 'synced', shopify_gid: fulfillment });
      assert.deepEqual((await contract.exportDelivery({ picking_id: out!.id })).fulfillment_gids, [fulfillment]);
      assert.deepEqual(await pullAll(contract), [], 'recording the fulfillment emits nothing');

      await m.setTracking(out!.id, { number: 'TRK-2' });
      const retracked = (await pullAll(contract)).filter((e) => e.type === 'delivery.done');
      assert.deepEqual(
        retracked.map((e) => e.payload.picking_id),
        [out!.id],
      );
      assert.equal((await contract.exportDelivery({ picking_id: out!.id })).tracking.number, 'TRK-2');
      await m.setTracking(out!.id, { number: 'TRK-2' });
      assert.deepEqual(
        (await pullAll(contract)).filter((e) => e.type === 'delivery.done'),
        [],
        'the same tracking number again is no change',
      );

      await m.validateDelivery(backorder_id);
      const rest = await contract.exportDelivery({ picking_id: backorder_id });
      assert.deepEqual(
        rest.lines.map((l) => [l.sku, l.quantity]),
        [[a.sku, 1]],
      );
    });

    it('emits order.reimport when a user asks to re-import an order, and product.changed on a resync', async () => {
      const p = await stocked();
      const doc = orderDoc({ currency, lines: [{ sku: p.sku, quantity: 1, price: '10.00' }] });
      const applied = await contract.applyOrder(doc);
      await drain(contract);
      await m.reimportOrder(applied.sale_order_id);
      await m.resyncProduct(p.template_id);
      const events = await pullAll(contract);
      const reimport = events.filter((e) => e.type === 'order.reimport');
      assert.deepEqual(
        reimport.map((e) => [e.key, e.model, e.res_id, e.payload.order_gid]),
        [[`order:${doc.order_gid}`, 'sale.order', applied.sale_order_id, doc.order_gid]],
      );
      const resync = events.filter((e) => e.type === 'product.changed' && e.res_id === p.template_id);
      assert.deepEqual(
        resync.map((e) => e.payload.reason),
        ['resync'],
      );
      assert.equal((await m.readBinding('sale.order', applied.sale_order_id)).state, 'pending');
    });

    it('refuses to export a delivery that is not for a Shopify order', async () => {
      const p = await stocked();
      const { picking_id } = await m.createSaleOrder({ warehouse_id: wh[0]!.id, lines: [{ product_id: p.product_id, quantity: 1 }] });
      await rejects(contract.exportDelivery({ picking_id }), {
        cls: OdooPermanentError,
        odooName: VALIDATION,
        message: /^export_delivery: picking .+ is not for a Shopify order$/,
      });
    });

    it('emits credit_note.posted when a credit note is posted in Odoo for a Shopify order', async () => {
      const p = await stocked();
      const doc = orderDoc({ currency, lines: [{ sku: p.sku, quantity: 1, price: '10.00' }] });
      const applied = await contract.applyOrder(doc);
      await drain(contract);
      const { credit_note_id } = await m.postCreditNote(applied.sale_order_id, '5.00', 'goodwill');
      const events = (await pullAll(contract)).filter((e) => e.type === 'credit_note.posted');
      assert.deepEqual(
        events.map((e) => [e.key, e.res_id, e.payload.order_gid, e.payload.amount_total]),
        [[`order:${doc.order_gid}`, credit_note_id, doc.order_gid, '5.00']],
      );
    });
  });

  describe('operator methods', () => {
    it('reports the status of Shopify orders in Odoo, and not_found ones as found: false', async () => {
      const p = await simpleProduct(m);
      await m.setStock(p.product_id, wh[0]!.id, 5);
      const doc = orderDoc({ currency, lines: [{ sku: p.sku, quantity: 2, price: '10.00' }] });
      const applied = await contract.applyOrder(doc);
      const unknown = gidOf('Order');
      const { orders } = await contract.orderStatus({ order_gids: [doc.order_gid, unknown] });
      assert.deepEqual(orders, [
        {
          order_gid: doc.order_gid,
          found: true,
          sale_order_id: applied.sale_order_id,
          name: applied.name,
          state: applied.state,
          amount_total: applied.amount_total,
          currency,
          line_count: 1,
        },
        { order_gid: unknown, found: false, sale_order_id: null, name: null, state: null, amount_total: null, line_count: null },
      ]);
    });

    it("lists bound records and emits the Resync buttons' events on request_resync", async () => {
      const p = await simpleProduct(m);
      const gid = gidOf('Product');
      await contract.recordSyncResult({ model: 'product.template', res_id: p.template_id, state: 'synced', shopify_gid: gid });
      const { records } = await contract.boundRecords({ model: 'product.template' });
      assert.ok(records.some((r) => r.id === p.template_id && r.shopify_gid === gid));
      await drain(contract);
      const answer = await contract.requestResync({ model: 'product.template', ids: [p.template_id, 999_999_999] });
      assert.deepEqual(answer, { queued: 1, missing_ids: [999_999_999], skipped: [] });
      const events = await pullAll(contract);
      assert.deepEqual(
        events.map((e) => [e.type, e.res_id, e.payload.reason]),
        [['product.changed', p.template_id, 'resync']],
      );
      assert.equal((await m.readBinding('product.template', p.template_id)).state, 'pending');
      const stock = await contract.requestResync({ model: 'product.product', ids: [p.product_id] });
      assert.equal(stock.queued, wh.length);
      const stockEvents = await pullAll(contract);
      assert.deepEqual(
        stockEvents.map((e) => e.type),
        wh.map(() => 'stock.changed'),
      );
    });

    it('stores a report summary for the Overview', async () => {
      assert.deepEqual(
        await contract.storeReport({ kind: 'reconciliation', summary: { headline: '3 Shopify orders, 3 in Odoo', missing: 0 } }),
        { ok: true },
      );
    });
  });

  describe('shared rules (contract/rules/): money, email, GID, contract version', () => {
    defineSharedRuleScenarios(ctx, () => ({ contract, merchant: m, currency, warehouses: wh }));
  });

  describe("the target's checks of its input, and the outbox's coalescing", () => {
    defineInputCheckScenarios(ctx, () => ({ contract, merchant: m, currency, warehouses: wh }));
  });

  describe('privacy requests', () => {
    definePrivacyScenarios(ctx, () => ({ contract, merchant: m, currency, warehouses: wh }));
  });

  describe('status: failures in Shopify > Errors, the sidecar status, the push rule', () => {
    defineStatusScenarios(ctx, () => ({ contract, merchant: m, currency, warehouses: wh }));
  });

  describe('schemas', () => {
    it('validated every document and result against contract/schemas', () => {
      // Runs last: the scenarios above made well over a hundred validated calls.
      assert.ok(ctx.validator().count > 100, `only ${ctx.validator().count} values validated`);
    });
  });
}
