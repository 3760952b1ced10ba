/**
 * The contract's privacy methods (docs/contract.md, "Privacy requests"), one scenario each, run
 * against the double and the real addon: the export of a data request, an erasure that waits for
 * an open order and finishes once it is delivered, "Erase personal data" started in Odoo with
 * Shopify's answer recorded, the open requests behind the sidecar's alert, the input checks
 * (messages compared whole), and, last because it unbinds everything, the shop's erasure.
 */
import assert from 'node:assert/strict';
import { createOdooContract, type OdooContract } from '../../sidecar/odoo/contract.js';
import { OdooPermanentError } from '../../sidecar/odoo/errors.js';
import { customerDoc, gidOf, nextId, orderDoc, vat } from './fixtures.js';
import type { RuleScenarioTarget } from './rules.js';
import { pullAll, rejects, simpleProduct, VALIDATION } from './support.js';
import type { PrivacyRequestView, SuiteContext } from './target.js';

const RECEIVED = '2026-11-27T10:00:00Z';
const DUE = '2026-12-27';

export function definePrivacyScenarios(ctx: SuiteContext, current: () => RuleScenarioTarget): void {
  const unvalidated = (): OdooContract => createOdooContract(ctx.unvalidatedCaller());
  const contract = () => current().contract;
  const view = async (id: number): Promise<PrivacyRequestView> => {
    const found = (await current().merchant.readPrivacyRequests()).find((r) => r.id === id);
    assert.ok(found, `privacy request ${id} is listed`);
    return found;
  };

  /** A confirmed order of a new customer, its delivery open. */
  async function openOrder() {
    const { merchant: m, currency, warehouses } = current();
    const p = await simpleProduct(m);
    await m.setStock(p.product_id, warehouses[0]!.id, 5);
    const customer = customerDoc();
    const doc = orderDoc({ currency, customer, lines: [{ sku: p.sku, quantity: 1, price: '10.00', taxes: [vat('2.00')] }] });
    const applied = await contract().applyOrder(doc);
    assert.equal(applied.state, 'sale');
    return { customer, doc, saleOrderId: applied.sale_order_id, partnerId: (await m.readSaleOrders(doc.order_gid))[0]!.partner_id };
  }

  it('answers a data request with an export attached to a request due in 30 days, once per key', async () => {
    const { customer, doc, saleOrderId, partnerId } = await openOrder();
    const request = {
      request_key: `webhook:data-${nextId()}`,
      received_at: RECEIVED,
      shopify_request_id: '9999',
      customer_gid: customer.customer_gid,
      email: customer.email,
      phone: null,
      order_gids: [doc.order_gid],
      sidecar_data: { webhook_payloads: [{ topic: 'orders/create', payload: { id: 1 } }], sync_rows: [] },
    };
    const result = await contract().privacyDataRequest(request);
    assert.equal(result.state, 'done');
    assert.ok(result.partner_ids.includes(partnerId));
    assert.deepEqual(result.sale_order_ids, [saleOrderId]);
    assert.equal(result.attachment_ids.length, 2);
    const shown = await view(result.request_id);
    assert.deepEqual([shown.kind, shown.due_date, shown.done_by], ['data_request', DUE, 'sidecar (Shopify customers/data_request)']);
    assert.ok(shown.activities.some((a) => a.summary === 'Send the data export to the customer' && a.deadline === DUE));
    const exported = shown.export as {
      odoo: { partners: Array<{ email: string | null }>; sale_orders: Array<{ amount_total: string }> };
      sidecar: unknown;
    };
    assert.ok(exported.odoo.partners.some((p) => p.email === customer.email));
    assert.deepEqual(
      exported.odoo.sale_orders.map((o) => o.amount_total),
      ['12.00'],
    );
    assert.deepEqual(exported.sidecar, request.sidecar_data);
    const again = await contract().privacyDataRequest(request);
    assert.deepEqual([again.request_id, again.attachment_ids], [result.request_id, result.attachment_ids]);
  });

  it('makes an erasure wait while an order is open, and erases once it is delivered; the customer never comes back', async () => {
    const m = current().merchant;
    const { customer, doc, saleOrderId, partnerId } = await openOrder();
    const request = {
      request_key: `webhook:redact-${nextId()}`,
      received_at: RECEIVED,
      customer_gid: customer.customer_gid,
      email: customer.email,
      order_gids: [doc.order_gid],
    };
    const waiting = await contract().privacyRedactCustomer(request);
    const [so] = await m.readSaleOrders(doc.order_gid);
    assert.deepEqual([waiting.state, waiting.open_orders], ['waiting', [so!.name]]);
    assert.equal((await m.readPartner(partnerId)).email, customer.email, 'nothing erased while the order is open');
    assert.ok((await view(waiting.request_id)).activities.some((a) => a.summary === 'Erasure waits for open orders' && a.deadline === DUE));
    const recorded = await contract().privacyRecordResult({ request_id: waiting.request_id, sidecar: { inbox_payloads_purged: 2 } });
    assert.equal(recorded.state, 'waiting');
    assert.equal((await contract().privacyRedactCustomer(request)).request_id, waiting.request_id);
    for (const picking of await m.readPickings(saleOrderId)) if (picking.picking_type === 'outgoing') await m.validateDelivery(picking.id);
    await m.recheckPrivacyRequest(waiting.request_id);
    const done = await view(waiting.request_id);
    assert.equal(done.state, 'done');
    assert.deepEqual(done.activities, []);
    assert.match(done.outcome ?? '', /contacts anonymised and archived/);
    assert.match(done.sidecar_outcome ?? '', /2 inbox payloads purged/);
    const partner = await m.readPartner(partnerId);
    assert.deepEqual([partner.email, partner.phone, partner.street, partner.active], [null, null, null, false]);
    assert.equal((await m.readSaleOrders(doc.order_gid))[0]!.amount_total, '12.00', 'the order is kept');
    assert.equal((await contract().upsertCustomer({ ...customer, first_name: 'Again' })).status, 'unchanged');
  });

  it('records an erasure started in Odoo, asks the sidecar through customer.erased, and shows Shopify’s answer', async () => {
    const m = current().merchant;
    const ok = await contract().upsertCustomer(customerDoc());
    const refused = await contract().upsertCustomer(customerDoc());
    await pullAll(contract());
    await m.eraseCustomer(ok.partner_id);
    await m.eraseCustomer(refused.partner_id);
    const events = (await pullAll(contract())).filter((e) => e.type === 'customer.erased');
    const byPartner = new Map(events.map((e) => [e.payload.partner_id, e.payload]));
    const first = byPartner.get(ok.partner_id) as { request_id: number; order_gids: string[] };
    const second = byPartner.get(refused.partner_id) as { request_id: number };
    assert.deepEqual(first.order_gids, []);
    assert.equal((await view(first.request_id)).state, 'received', 'Shopify’s answer is still to come');
    const answered = await contract().privacyRecordResult({
      request_id: first.request_id,
      shopify: { status: 'requested', code: null, message: null },
      sidecar: {},
    });
    assert.equal(answered.state, 'done');
    const failed = await contract().privacyRecordResult({
      request_id: second.request_id,
      shopify: { status: 'failed', code: 'FAILED_TO_REQUEST', message: 'Failed to request.' },
      sidecar: {},
    });
    assert.equal(failed.state, 'error');
    const shown = await view(second.request_id);
    assert.equal(shown.shopify_message, 'Shopify refused the erasure request (FAILED_TO_REQUEST): Failed to request.');
    assert.ok(shown.activities.some((a) => a.summary === 'Privacy request failed'));
  });

  it('lists the requests not done by a due date (the sidecar’s privacy alert)', async () => {
    const open = await contract().privacyRedactCustomer({
      request_key: `webhook:due-${nextId()}`,
      received_at: '2026-10-01T08:00:00Z',
      customer_gid: gidOf('Customer'),
      order_gids: [],
    });
    const listed = (await contract().openPrivacyRequests({ due_before: '2026-10-31' })).requests;
    const mine = listed.find((r) => r.request_id === open.request_id);
    assert.deepEqual(mine, {
      request_id: open.request_id,
      name: open.name,
      kind: 'customer_redact',
      state: 'received',
      received_at: '2026-10-01T08:00:00Z',
      due_date: '2026-10-31',
    });
    assert.ok(!(await contract().openPrivacyRequests({ due_before: '2026-10-30' })).requests.some((r) => r.request_id === open.request_id));
    await contract().privacyRecordResult({ request_id: open.request_id, sidecar: {} });
    assert.ok(!(await contract().openPrivacyRequests({ due_before: '2026-10-31' })).requests.some((r) => r.request_id === open.request_id));
  });

  it('refuses malformed privacy documents naming the field', async () => {
    const refused = (promise: Promise<unknown>, message: string) =>
      rejects(promise, { cls: OdooPermanentError, odooName: VALIDATION, message });
    const base = { request_key: `webhook:bad-${nextId()}`, received_at: RECEIVED, customer_gid: null, order_gids: [] as string[] };
    await refused(
      unvalidated().privacyRedactCustomer({ ...base, order_gids: ['gid://shopify/Customer/1'] }),
      "privacy_redact_customer order_gids: order_gid 'gid://shopify/Customer/1' is not a Order GID",
    );
    await refused(
      unvalidated().privacyRedactCustomer({ ...base, received_at: 'yesterday' }),
      'privacy_redact_customer: received_at must be an ISO 8601 timestamp',
    );
    await refused(
      unvalidated().privacyDataRequest({ ...base, sidecar_data: [] as never }),
      'privacy_data_request: sidecar_data must be a JSON object',
    );
    const opened = await contract().privacyRedactCustomer(base);
    await refused(
      unvalidated().privacyRecordResult({ request_id: opened.request_id, sidecar: { jobs: -1 } }),
      'privacy_record_result: sidecar must map names to non-negative integers',
    );
    await refused(
      unvalidated().privacyRecordResult({ request_id: 2_000_000_000, sidecar: {} }),
      'privacy_record_result: privacy request 2000000000 does not exist',
    );
    const shop = await current().merchant.shopDomain();
    await refused(
      unvalidated().privacyRedactShop({ ...base, shop_domain: 'elsewhere.myshopify.com' }),
      `privacy_redact_shop: shop elsewhere.myshopify.com is not this database's shop (${shop})`,
    );
    await refused(
      unvalidated().openPrivacyRequests({ due_before: 'soon' }),
      'open_privacy_requests: due_before must be a date (YYYY-MM-DD)',
    );
  });

  it('removes every Shopify ID on a shop erasure and keeps the records (runs last: it unbinds everything)', async () => {
    const m = current().merchant;
    const { doc, partnerId } = await openOrder();
    const request = { request_key: `webhook:shop-${nextId()}`, received_at: RECEIVED, shop_domain: await m.shopDomain() };
    const result = await contract().privacyRedactShop(request);
    assert.ok((result.unbound['sale.order'] ?? 0) >= 1 && (result.unbound['res.partner'] ?? 0) >= 1, JSON.stringify(result.unbound));
    assert.deepEqual(await m.readSaleOrders(doc.order_gid), []);
    assert.equal((await m.readBinding('res.partner', partnerId)).shopify_gid, null);
    assert.ok((await m.readPartner(partnerId)).email, 'the contact (the merchant’s record) is kept');
    assert.deepEqual(await pullAll(contract()), []);
    const again = await contract().privacyRedactShop(request);
    assert.deepEqual([again.request_id, again.unbound], [result.request_id, {}]);
    assert.equal((await contract().privacyRecordResult({ request_id: result.request_id, sidecar: { jobs_deleted: 3 } })).state, 'done');
  });
}
