/**
 * The target's own checks of what it is sent, one scenario each, so that the double and the addon
 * cannot disagree without the suite failing: every amount of an order and of a refund (the money
 * rule, before anything is written, also for a document already applied), the GIDs given inside a
 * document (the order's customer, erase_customer, record_sync_result and its variants), the
 * contract version a sidecar says it speaks, and the outbox's coalescing of one key's rows that
 * several transactions wrote (one event per type and key, a full page). Messages are compared
 * whole: the double words them as the addon does. Documents the schemas refuse go through the
 * unvalidated caller (the addon does not read the schemas).
 */
import assert from 'node:assert/strict';
import { createOdooContract, type OdooContract, type OrderDocument, type RefundDocument } from '../../sidecar/odoo/contract.js';
import { OdooPermanentError } from '../../sidecar/odoo/errors.js';
import { CONTRACT_VERSION } from '../../sidecar/rules/contract-version.js';
import { emailOf, gidOf, orderDoc, vat } from './fixtures.js';
import { drain, pullAll, rejects, simpleProduct, VALIDATION } from './support.js';
import type { RuleScenarioTarget } from './rules.js';
import type { SuiteContext } from './target.js';

/** A document changed in place by a test (the unvalidated caller sends whatever it is given). */
type Spoil<T> = (doc: T) => void;

const GID_SHAPE = '(gid://shopify/<Type>/<digits>)';

export function defineInputCheckScenarios(ctx: SuiteContext, current: () => RuleScenarioTarget): void {
  /** The contract without schema validation: the target alone decides. */
  const unvalidated = (): OdooContract => createOdooContract(ctx.unvalidatedCaller());
  const refused = (promise: Promise<unknown>, message: string) =>
    rejects(promise, { cls: OdooPermanentError, odooName: VALIDATION, message });

  /** A stocked 10.00 product and an order of it with a taxed line and taxed shipping (taxes mapped in the suite's set-up). */
  async function taxedOrderDoc() {
    const { merchant: m, currency, warehouses } = current();
    const p = await simpleProduct(m);
    await m.setStock(p.product_id, warehouses[0]!.id, 5);
    const doc = orderDoc({
      currency,
      lines: [{ sku: p.sku, quantity: 2, price: '10.00', taxes: [vat('4.00')] }],
      shipping: { price: '5.00', taxes: [vat('1.00')] },
    });
    return { p, doc };
  }

  describe('order amounts and customer GID', () => {
    const spoiled: Array<[string, Spoil<OrderDocument>, (name: string) => string]> = [
      [
        'a line price of 10.005',
        (d) => (d.lines[0]!.price_unit = '10.005'),
        (n) => `order ${n} line 1 price_unit: "10.005" has more than two decimals`,
      ],
      ['an empty line discount', (d) => (d.lines[0]!.discount = ''), (n) => `order ${n} line 1 discount: "" is not a decimal amount`],
      [
        'a shipping price of 5.001',
        (d) => (d.shipping_lines[0]!.price = '5.001'),
        (n) => `order ${n} shipping line 1 price: "5.001" has more than two decimals`,
      ],
      [
        'a line tax amount of 4.005',
        (d) => (d.lines[0]!.tax_lines![0]!.amount = '4.005'),
        (n) => `order ${n} line 1 tax line 1 amount: "4.005" has more than two decimals`,
      ],
      [
        'a shipping tax amount of 1e0',
        (d) => (d.shipping_lines[0]!.tax_lines![0]!.amount = '1e0'),
        (n) => `order ${n} shipping line 1 tax line 1 amount: "1e0" is not a decimal amount`,
      ],
      ['an empty subtotal', (d) => (d.subtotal_price = ''), (n) => `order ${n} subtotal_price: "" is not a decimal amount`],
      ['a total tax with a comma', (d) => (d.total_tax = '5,00'), (n) => `order ${n} total_tax: "5,00" is not a decimal amount`],
      [
        'a float total discount',
        (d) => ((d as unknown as Record<string, unknown>).total_discounts = 0.5),
        (n) => `order ${n} total_discounts: money must be a decimal string, got 0.5`,
      ],
      ['a total of 30.001', (d) => (d.total_price = '30.001'), (n) => `order ${n} total_price: "30.001" has more than two decimals`],
      [
        'a duty price of 3.005',
        (d) => (d.duties = [{ duty_gid: gidOf('Duty'), line_gid: d.lines[0]!.line_gid, price: '3.005', tax_lines: [] }]),
        (n) => `order ${n} duty 1 price: "3.005" has more than two decimals`,
      ],
      [
        'a duty tax amount of 0.605',
        (d) => (d.duties = [{ duty_gid: gidOf('Duty'), line_gid: d.lines[0]!.line_gid, price: '3.00', tax_lines: [vat('0.605')] }]),
        (n) => `order ${n} duty 1 tax line 1 amount: "0.605" has more than two decimals`,
      ],
      [
        'a duty GID of another type',
        (d) => (d.duties = [{ duty_gid: 'gid://shopify/Order/1', line_gid: d.lines[0]!.line_gid, price: '3.00', tax_lines: [] }]),
        (n) => `order ${n} duty 1: duty_gid 'gid://shopify/Order/1' is not a Duty GID`,
      ],
      [
        'an additional fee price of 2.505',
        (d) => (d.additional_fees = [{ fee_gid: gidOf('AdditionalFee'), name: 'Handling', price: '2.505', tax_lines: [] }]),
        (n) => `order ${n} additional fee 1 price: "2.505" has more than two decimals`,
      ],
      [
        'an additional fee tax amount of 0.505',
        (d) => (d.additional_fees = [{ fee_gid: gidOf('AdditionalFee'), name: 'Handling', price: '2.50', tax_lines: [vat('0.505')] }]),
        (n) => `order ${n} additional fee 1 tax line 1 amount: "0.505" has more than two decimals`,
      ],
      [
        'an additional fee GID of another type',
        (d) => (d.additional_fees = [{ fee_gid: 'gid://shopify/Duty/1', name: 'Handling', price: '2.50', tax_lines: [] }]),
        (n) => `order ${n} additional fee 1: fee_gid 'gid://shopify/Duty/1' is not a AdditionalFee GID`,
      ],
      [
        'a customer GID of another type',
        (d) => (d.customer!.customer_gid = 'gid://shopify/Order/1'),
        (n) => `order ${n} customer: customer_gid 'gid://shopify/Order/1' is not a Customer GID`,
      ],
      [
        'an empty customer GID',
        (d) => (d.customer!.customer_gid = ''),
        (n) => `order ${n} customer: customer_gid '' is not a Shopify GID ${GID_SHAPE}`,
      ],
    ];

    for (const [what, spoil, message] of spoiled) {
      it(`refuses an order with ${what}, naming the field, and writes nothing`, async () => {
        const { merchant: m } = current();
        const { doc } = await taxedOrderDoc();
        const customer = doc.customer!;
        const name = `${customer.first_name} ${customer.last_name}`;
        spoil(doc);
        await refused(unvalidated().applyOrder(doc), message(doc.name));
        assert.deepEqual(await m.readSaleOrders(doc.order_gid), [], 'no sales order');
        assert.deepEqual(await m.findPartnersByName(name), [], 'no customer');
      });
    }

    it('checks the amounts before the SKUs, and also for an order already applied', async () => {
      const { contract } = current();
      const { doc } = await taxedOrderDoc();
      const unknownSku = { ...doc, lines: [...doc.lines, { ...doc.lines[0]!, line_gid: gidOf('LineItem'), sku: 'NO-SUCH-SKU' }] };
      await refused(unvalidated().applyOrder({ ...unknownSku, total_tax: '' }), `order ${doc.name} total_tax: "" is not a decimal amount`);
      const applied = await contract.applyOrder(doc);
      assert.equal(applied.status, 'created');
      await refused(
        unvalidated().applyOrder({ ...doc, total_discounts: '0.001' }),
        `order ${doc.name} total_discounts: "0.001" has more than two decimals`,
      );
      assert.equal((await contract.applyOrder(doc)).status, 'unchanged');
    });
  });

  describe('refund amounts', () => {
    /**
     * An order applied, and a valid refund of one of its two units (12.00 with tax) that cancels
     * that unit (the ordered quantity goes 2 → 1), to be spoiled.
     */
    async function orderAndRefund() {
      const { contract } = current();
      const { p, doc } = await taxedOrderDoc();
      const applied = await contract.applyOrder(doc);
      assert.equal(applied.status, 'created');
      const refund: RefundDocument = {
        refund_gid: gidOf('Refund'),
        order_gid: doc.order_gid,
        created_at: '2026-11-03T10:00:00Z',
        note: null,
        lines: [
          {
            line_gid: doc.lines[0]!.line_gid,
            sku: p.sku,
            quantity: 1,
            subtotal: '10.00',
            total_tax: '2.00',
            restock_type: 'cancel',
            location_gid: null,
          },
        ],
        shipping: { amount: '0.00', tax: '0.00' },
        adjustments: [],
        total: '12.00',
      };
      return { doc, refund };
    }

    const spoiled: Array<[string, Spoil<RefundDocument>, (label: string) => string]> = [
      [
        'a line subtotal of 10.001',
        (r) => (r.lines[0]!.subtotal = '10.001'),
        (l) => `${l} line 1 subtotal: "10.001" has more than two decimals`,
      ],
      ['an empty line tax', (r) => (r.lines[0]!.total_tax = ''), (l) => `${l} line 1 total_tax: "" is not a decimal amount`],
      [
        'a boolean quantity',
        (r) => ((r.lines[0] as unknown as Record<string, unknown>).quantity = true),
        (l) => `${l} line 1: quantity must be a non-negative integer, got True`,
      ],
      ['a shipping amount of .5', (r) => (r.shipping!.amount = '.5'), (l) => `${l} shipping amount: ".5" is not a decimal amount`],
      ['an empty shipping tax', (r) => (r.shipping!.tax = ''), (l) => `${l} shipping tax: "" is not a decimal amount`],
      [
        'an adjustment of 1e3',
        (r) => (r.adjustments = [{ amount: '1e3', reason: 'typo' }]),
        (l) => `${l} adjustment 1: "1e3" is not a decimal amount`,
      ],
      ['a total of 12.005', (r) => (r.total = '12.005'), (l) => `${l} total: "12.005" has more than two decimals`],
    ];

    for (const [what, spoil, message] of spoiled) {
      it(`refuses a refund with ${what}, naming the field, and applies nothing`, async () => {
        const { contract, merchant: m } = current();
        const { doc, refund } = await orderAndRefund();
        const bad = structuredClone(refund);
        spoil(bad);
        const ordered = async () => (await m.readSaleOrders(doc.order_gid))[0]!.lines.map((l) => l.quantity);
        await refused(unvalidated().applyRefund(bad), message(`refund ${refund.refund_gid}`));
        assert.deepEqual(await ordered(), [2], 'nothing cancelled');
        // Not remembered as applied: the valid document is applied now, once.
        assert.equal((await contract.applyRefund(refund)).status, 'created');
        assert.deepEqual(await ordered(), [1]);
      });
    }

    it('checks the amounts of a refund already applied too', async () => {
      const { contract } = current();
      const { refund } = await orderAndRefund();
      const first = await contract.applyRefund(refund);
      assert.equal(first.status, 'created');
      await refused(
        unvalidated().applyRefund({ ...refund, shipping: { amount: '0.00', tax: '' } }),
        `refund ${refund.refund_gid} shipping tax: "" is not a decimal amount`,
      );
      assert.deepEqual(await contract.applyRefund(refund), {
        status: 'unchanged',
        refund_id: first.refund_id,
        credit_note_id: first.credit_note_id,
        amount_total: '12.00',
      });
    });

    it('refuses a refund of a line the order does not have, and remembers nothing of it', async () => {
      const { contract, merchant: m, currency, warehouses } = current();
      const p = await simpleProduct(m);
      await m.setStock(p.product_id, warehouses[0]!.id, 5);
      const doc = orderDoc({ currency, customer: null, lines: [{ sku: p.sku, quantity: 1, price: '10.00' }] });
      const applied = await contract.applyOrder(doc);
      const line = {
        line_gid: 'gid://shopify/LineItem/999999',
        sku: 'NOT-ON-THE-ORDER',
        quantity: 1,
        subtotal: '10.00',
        total_tax: '0.00',
        restock_type: 'return' as const,
        location_gid: null,
      };
      const refund: RefundDocument = {
        refund_gid: gidOf('Refund'),
        order_gid: doc.order_gid,
        created_at: '2026-11-03T10:00:00Z',
        note: null,
        lines: [line],
        shipping: { amount: '0.00', tax: '0.00' },
        adjustments: [],
        total: '10.00',
      };
      await refused(
        contract.applyRefund(refund),
        `refund ${refund.refund_gid} line 1: line ${line.line_gid} (SKU "${line.sku}") is not on order ${applied.name}`,
      );
      assert.deepEqual(await m.readRefunds(applied.sale_order_id), []);
      const r = await contract.applyRefund({ ...refund, lines: [{ ...line, line_gid: doc.lines[0]!.line_gid, sku: p.sku }] });
      assert.deepEqual([r.status, r.amount_total], ['created', '10.00']);
    });
  });

  describe('GIDs given to erase_customer and record_sync_result', () => {
    it('erase_customer refuses a GID that is not a customer’s, and erases nothing; an empty one is not given', async () => {
      const { merchant: m } = current();
      const email = emailOf('erase.check');
      const partnerId = await m.createCustomer({ name: 'Erase Check', email });
      await refused(
        unvalidated().eraseCustomer({ customer_gid: 'gid://shopify/Order/5', email }),
        "erase_customer: customer_gid 'gid://shopify/Order/5' is not a Customer GID",
      );
      await refused(
        unvalidated().eraseCustomer({ customer_gid: '5', email }),
        `erase_customer: customer_gid '5' is not a Shopify GID ${GID_SHAPE}`,
      );
      assert.equal((await m.readPartner(partnerId)).email, email, 'nothing erased');
      assert.deepEqual(await unvalidated().eraseCustomer({ customer_gid: '', email }), { status: 'erased', partner_ids: [partnerId] });
    });

    it("record_sync_result refuses a malformed GID, also a variant's, and writes no result", async () => {
      const { merchant: m } = current();
      const p = await simpleProduct(m);
      const before = await m.readBinding('product.template', p.template_id);
      await refused(
        unvalidated().recordSyncResult({ model: 'product.template', res_id: p.template_id, state: 'synced', shopify_gid: 'Product/1' }),
        `record_sync_result: shopify_gid 'Product/1' is not a Shopify GID ${GID_SHAPE}`,
      );
      await refused(
        unvalidated().recordSyncResult({
          model: 'product.template',
          res_id: p.template_id,
          state: 'synced',
          shopify_gid: gidOf('Product'),
          children: [{ model: 'product.product', res_id: p.product_id, shopify_gid: gidOf('ProductVariant'), inventory_item_gid: 'x' }],
        }),
        `record_sync_result variant ${p.product_id}: inventory_item_gid 'x' is not a Shopify GID ${GID_SHAPE}`,
      );
      assert.deepEqual(await m.readBinding('product.template', p.template_id), before, "the template's result is not written either");
      // A GID of any type is a GID here, and an empty one is no GID.
      const gid = gidOf('Product');
      await unvalidated().recordSyncResult({
        model: 'product.template',
        res_id: p.template_id,
        state: 'error',
        message: 'x',
        shopify_gid: gid,
      });
      await unvalidated().recordSyncResult({ model: 'product.template', res_id: p.template_id, state: 'synced', shopify_gid: '' });
      const after = await m.readBinding('product.template', p.template_id);
      assert.deepEqual([after.state, after.shopify_gid], ['synced', gid]);
    });
  });

  describe('contract version', () => {
    it('refuses another major, or a version that is not one, in the addon’s words', async () => {
      const words = (spoken: string) =>
        `contract_version: the sidecar speaks contract ${spoken}, this addon speaks ${CONTRACT_VERSION}; upgrade the older side`;
      await refused(current().contract.contractVersion({ sidecar_version: '0.1.0', contract_version: '2.0' }), words("'2.0'"));
      await refused(current().contract.contractVersion({ sidecar_version: '0.1.0', contract_version: '' }), words("''"));
      const asNumber = { sidecar_version: '0.1.0', contract_version: 1 } as unknown as { contract_version: string };
      await refused(unvalidated().contractVersion(asNumber), words('1'));
    });
  });

  describe('integers', () => {
    it('takes a JSON boolean for no integer (Python’s bool is an int): limit, lease, record and picking ids', async () => {
      const { merchant: m } = current();
      const p = await simpleProduct(m);
      const loose = ctx.unvalidatedCaller();
      const call = (method: string, doc: object) => loose.executeKw('shopify.sync.api', method, [doc]);
      await refused(call('pull_events', { limit: true }), 'pull_events: limit must be an integer from 1 to 1000');
      await refused(call('pull_events', { lease_seconds: true }), 'pull_events: lease_seconds must be an integer from 1 to 3600');
      await refused(call('export_delivery', { picking_id: true }), 'export_delivery: picking_id must be an integer');
      await refused(
        call('record_sync_result', { model: 'product.template', res_id: true, state: 'synced' }),
        'record_sync_result: product.template True does not exist',
      );
      await refused(
        call('record_sync_result', {
          model: 'product.template',
          res_id: p.template_id,
          state: 'synced',
          children: [{ model: 'product.product', res_id: true }],
        }),
        `record_sync_result: variant True is not a variant of product.template ${p.template_id}`,
      );
    });
  });

  describe('outbox: rows of one key written by several transactions', () => {
    it('leases them as one event per type and key, and still fills the page up to the limit', async () => {
      const { contract, merchant: m } = current();
      const a = await simpleProduct(m);
      const b = await simpleProduct(m);
      await drain(contract);
      await m.setProductPrice(a.template_id, '11.00');
      await m.setProductPrice(a.template_id, '12.00');
      await m.setProductPrice(b.template_id, '11.00');
      const { events } = await contract.pullEvents({ limit: 2, lease_seconds: 60 });
      assert.deepEqual(
        events.map((e) => [e.type, e.key]),
        [
          ['product.changed', `product:${a.template_id}`],
          ['product.changed', `product:${b.template_id}`],
        ],
      );
      await contract.ackEvents({ uuids: events.map((e) => e.uuid) });
      assert.deepEqual(await pullAll(contract), [], "the other row of a's key was absorbed, not handed out later");
    });

    it('gives a change made during a lease its own row, leased as one event with it once the lease expires', async () => {
      const { contract, merchant: m } = current();
      const p = await simpleProduct(m);
      const key = `product:${p.template_id}`;
      const first = (await contract.pullEvents({ limit: 100, lease_seconds: 1 })).events.filter((e) => e.key === key);
      assert.equal(first.length, 1);
      await m.setProductPrice(p.template_id, '11.00');
      await m.sleep(2.2);
      const again = await pullAll(contract);
      assert.deepEqual(
        again.filter((e) => e.key === key).map((e) => [e.uuid, e.attempts]),
        [[first[0]!.uuid, 2]],
        'the older event again, the newer row absorbed',
      );
      assert.deepEqual(await pullAll(contract), []);
    });
  });
}
