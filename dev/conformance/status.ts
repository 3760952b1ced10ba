/**
 * The status area (report_failure, report_status) and the push rule of request_resync, against
 * the double and a real Odoo alike: a dead-lettered job becomes one row of Shopify > Errors with
 * the order's number, amount and customer, counted once per report and resolved once the order
 * is in Odoo or the record syncs; the sidecar's snapshot is stored for the Overview; a resync
 * (the go-live's included) pushes only the contacts the rule lets through. Documents the schemas
 * refuse go through the unvalidated caller (the addon does not read the schemas).
 */
import assert from 'node:assert/strict';
import { createOdooContract, type FailureReport, type OdooContract, type StatusReport } from '../../sidecar/odoo/contract.js';
import { OdooPermanentError } from '../../sidecar/odoo/errors.js';
import { CONTRACT_VERSION } from '../../sidecar/rules/contract-version.js';
import { emailOf, gidOf, orderDoc, skuOf } from './fixtures.js';
import { drain, pullAll, rejects, simpleProduct, VALIDATION } from './support.js';
import type { RuleScenarioTarget } from './rules.js';
import type { SuiteContext } from './target.js';

let jobs = 0;

function failure(overrides: Partial<FailureReport> = {}): FailureReport {
  jobs += 1;
  return {
    queue: 'orders',
    key: null,
    job_id: `conformance-job-${Date.now()}-${jobs}`,
    attempt: 1,
    kind: 'permanent',
    message: 'OdooPermanentError: order #9001 line 1: SKU "NOPE" is unknown in Odoo',
    failed_at: new Date().toISOString(),
    order_name: '#9001',
    amount: '21.20',
    currency: 'USD',
    customer_name: 'Ada Lovelace',
    ...overrides,
  };
}

export function statusReport(overrides: Partial<StatusReport> = {}): StatusReport {
  return {
    checked_at: new Date().toISOString(),
    sidecar_version: '0.0.0-conformance',
    contract_version: CONTRACT_VERSION,
    shopify: { api_version: '2026-10', supported_until: '2027-10-01T00:00:00.000Z', deprecation_notices: 0 },
    webhooks: {
      callback_url: null,
      subscribed: 1,
      required: 1,
      missing: [],
      topics: [{ topic: 'orders/create', last_received_at: null, count_24h: 0 }],
    },
    queues: [{ queue: 'orders', waiting: 0, oldest_waiting_at: null, dead_letters: 1, oldest_dead_letter_at: new Date().toISOString() }],
    onboarding: { complete: true },
    ...overrides,
  };
}

export function defineStatusScenarios(ctx: SuiteContext, current: () => RuleScenarioTarget): void {
  const unvalidated = (): OdooContract => createOdooContract(ctx.unvalidatedCaller());
  const refused = (promise: Promise<unknown>, message: string | RegExp) =>
    rejects(promise, { cls: OdooPermanentError, odooName: VALIDATION, message });
  const row = async (id: number) => (await current().merchant.readFailures()).find((f) => f.id === id);

  it('lists an order the sidecar could not import, once per report, with its number, amount and customer', async () => {
    const { contract } = current();
    const gid = gidOf('Order');
    const report = failure({ shopify_gid: gid, key: `order:conformance.myshopify.com:${gid}` });
    const first = await contract.reportFailure(report);
    assert.equal(first.state, 'open');
    assert.deepEqual(await contract.reportFailure(report), first, 'the same report again is the same row');
    const listed = await row(first.failure_id);
    assert.deepEqual(
      listed && {
        state: listed.state,
        res_model: listed.res_model,
        shopify_gid: listed.shopify_gid,
        name: listed.shopify_name,
        amount: listed.amount,
        customer: listed.customer_name,
        attempts: listed.attempts,
      },
      { state: 'open', res_model: null, shopify_gid: gid, name: '#9001', amount: '21.20', customer: 'Ada Lovelace', attempts: 1 },
    );
    const later = await contract.reportFailure({ ...failure({ shopify_gid: gid }), attempt: 3 });
    assert.equal(later.failure_id, first.failure_id, 'one row per order');
    assert.equal((await row(first.failure_id))?.attempts, 4, 'a later job adds its attempts');
  });

  it('resolves the row once the order is imported', async () => {
    const { contract, merchant: m, currency, warehouses } = current();
    const p = await simpleProduct(m);
    await m.setStock(p.product_id, warehouses[0]!.id, 5);
    const gid = gidOf('Order');
    const { failure_id } = await contract.reportFailure(failure({ shopify_gid: gid }));
    const applied = await contract.applyOrder(orderDoc({ order_gid: gid, currency, lines: [{ sku: p.sku, quantity: 1, price: '10.00' }] }));
    assert.equal(applied.status, 'created');
    assert.equal((await row(failure_id))?.state, 'resolved');
  });

  it('puts the binding of the Odoo record a dead letter names in error, and resolves the row when it syncs', async () => {
    const { contract, merchant: m } = current();
    const p = await simpleProduct(m);
    await drain(contract);
    const message = "ShopifyGraphQLError: productSet userErrors: Title can't be blank";
    const { failure_id } = await contract.reportFailure(
      failure({
        queue: 'products',
        res_model: 'product.template',
        res_id: p.template_id,
        message,
        order_name: null,
        amount: null,
        currency: null,
        customer_name: null,
      }),
    );
    const listed = await row(failure_id);
    assert.deepEqual([listed?.res_model, listed?.res_id], ['product.template', p.template_id]);
    const binding = await m.readBinding('product.template', p.template_id);
    assert.deepEqual([binding.state, binding.message], ['error', message]);
    await contract.recordSyncResult({ model: 'product.template', res_id: p.template_id, state: 'synced', shopify_gid: gidOf('Product') });
    assert.equal((await row(failure_id))?.state, 'resolved');
  });

  it('refuses a malformed failure report, naming the field', async () => {
    const api = unvalidated();
    const bad = (overrides: Record<string, unknown>) => api.reportFailure({ ...failure(), ...overrides });
    await refused(bad({ attempt: 0 }), 'report_failure: attempt must be a positive integer');
    await refused(bad({ kind: 'odd' }), "report_failure: kind must be one of ['configuration', 'permanent', 'retryable'], got 'odd'");
    await refused(bad({ failed_at: 'today' }), 'report_failure: failed_at must be an ISO 8601 timestamp');
    await refused(bad({ queue: '' }), 'report_failure: queue must be a non-empty string');
    await refused(bad({ amount: 21.2 }), 'report_failure amount: money must be a decimal string, got 21.2');
    await refused(bad({ shopify_gid: '42' }), "report_failure: shopify_gid '42' is not a Shopify GID (gid://shopify/<Type>/<digits>)");
    await refused(bad({ res_model: 'res.users', res_id: 2 }), /^report_failure: res_model must be one of \['account\.move', /);
  });

  it('stores the sidecar status snapshot for the Overview and refuses a malformed one', async () => {
    const { contract, merchant: m } = current();
    const report = statusReport();
    assert.deepEqual(await contract.reportStatus(report), { ok: true });
    const stored = await m.readSidecarStatus();
    assert.equal(stored?.sidecar_version, report.sidecar_version);
    assert.deepEqual(stored?.queues, report.queues);
    const api = unvalidated();
    await refused(api.reportStatus({ ...report, checked_at: 'now' }), 'report_status: checked_at must be an ISO 8601 timestamp');
    await refused(api.reportStatus({ ...report, extra: 1 } as StatusReport), "report_status: unknown fields ['extra']");
    await refused(
      api.reportStatus({
        ...report,
        queues: [{ queue: 'orders', waiting: -1, dead_letters: 0, oldest_waiting_at: null, oldest_dead_letter_at: null }],
      }),
      'report_status: queue orders: waiting must be a non-negative integer',
    );
  });

  it('pushes only the contacts the rule lets through on request_resync, and a dry run queues nothing', async () => {
    const { contract, merchant: m } = current();
    const plain = await m.createCustomer({ name: `Lead ${skuOf('L')}`, email: emailOf('lead') });
    const ticked = await m.createCustomer({ name: `Ticked ${skuOf('T')}`, email: emailOf('ticked'), sync: true });
    await drain(contract);
    const ids = [plain, ticked];
    const preview = await contract.requestResync({ model: 'res.partner', ids, dry_run: true });
    assert.deepEqual(preview, { queued: 1, missing_ids: [], skipped: [{ id: plain, reason: 'no_sale' }] });
    assert.deepEqual(await pullAll(contract), [], 'a dry run queues nothing');
    const answer = await contract.requestResync({ model: 'res.partner', ids });
    assert.deepEqual(answer, { queued: 1, missing_ids: [], skipped: [{ id: plain, reason: 'no_sale' }] });
    assert.deepEqual(
      (await pullAll(contract)).map((e) => [e.type, e.res_id]),
      [['customer.changed', ticked]],
    );
  });
}
