/**
 * The flows' key end-to-end scenarios against a REAL Odoo (17, 18 or 19) with shopify_sync: the
 * simulator, real PostgreSQL + pg-boss and the sidecar with every flow, talking to Odoo over the
 * version's transport (ODOO_PROTOCOL, default auto: JSON-2 on Odoo 19, JSON-RPC before).
 * Odoo is only seen through the contract (the sidecar) and the real MerchantDriver (what a user
 * does and sees in Odoo's UI) — never through the double's state.
 *
 * Skipped unless ODOO_URL, ODOO_DB, ODOO_USER and ODOO_API_KEY are set (ODOO_ADMIN_USER and
 * ODOO_ADMIN_PASSWORD, default admin/admin, are the merchant). `scripts/e2e-real-odoo.sh` runs it
 * against a throwaway database (`make test-odoo`).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createOdooClient } from '../odoo/client.js';
import { createRealMerchant } from '../../dev/conformance/real-driver.js';
import type { MerchantDriver } from '../../dev/conformance/target.js';
import type { ShopifyClient } from '../shopify/index.js';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { startStack, type Stack } from '../../dev/testing/stack.js';
import type { FlowContext } from './context.js';
import { customersFlow } from './customers/index.js';
import { FLOWS } from './index.js';
import { pushProductLocation } from './inventory/apply.js';
import { runOnboarding } from '../onboarding/index.js';
import { pullOrdersSince } from './orders/apply.js';
import { realOdooFromEnv } from '../../dev/testing/env.js';
import { probeFlow, type FlowProbe } from '../../dev/testing/flow-support.js';

const real = realOdooFromEnv();
const REAL = real !== null;
const LOC_MAIN = 101;
const LOC_SECOND = 102;
const TIMEOUT = 90_000;

interface SimOrder {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  total_price: string;
  fulfillments?: Array<{ tracking_number: string | null; line_items: Array<{ sku: string; quantity: number }> }>;
}

describe('flows end to end against a real Odoo (simulator → sidecar → Odoo 17, 18 or 19 over its transport)', function () {
  this.timeout(180_000);
  let stack: Stack;
  let merchant: MerchantDriver;
  let ctx: FlowContext;
  let wh: { main: number; second: number };
  let probe: FlowProbe;
  /** A run prefix: SKUs are unique even when the database is reused (KEEP_DB). */
  const run = randomUUID().slice(0, 6).toUpperCase();
  const MUG = `E2E-${run}-MUG`;
  const TEE = `E2E-${run}-TEE`;
  const GHOST = `E2E-${run}-GHOST`;
  const LINKED = `E2E-${run}-LINKED`;
  const CAS = `E2E-${run}-CAS`;
  let mug: { template_id: number; variant_id: number };
  let tee: { template_id: number; variant_id: number };

  before(async function () {
    if (!REAL) {
      console.log(
        '    (skipped: set ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY — and ODOO_ADMIN_USER/ODOO_ADMIN_PASSWORD — to run the real-Odoo e2e suite; scripts/e2e-real-odoo.sh does)',
      );
      this.skip();
    }
    if (!real) return;
    const common = { url: real.url, db: real.db, requestTimeoutMs: 60_000 };
    const adminLogin = real.adminUser;
    // The merchant over JSON-RPC, as Odoo's web client; the sidecar over its own transport
    // (ODOO_PROTOCOL, default auto: JSON-2 on Odoo 19).
    merchant = createRealMerchant({
      admin: createOdooClient({ ...common, protocol: 'jsonrpc', user: adminLogin, apiKey: real.adminPassword }),
      adminLogin,
    });
    await merchant.configure({ import_policy: 'all', safety_stock: 0 });
    const warehouses = await merchant.warehouses();
    const at = (loc: number) => warehouses.find((w) => w.location_gid === `gid://shopify/Location/${loc}`)?.id;
    assert.ok(at(LOC_MAIN) && at(LOC_SECOND), 'the Odoo database maps a warehouse to Shopify locations 101 and 102');
    wh = { main: at(LOC_MAIN)!, second: at(LOC_SECOND)! };
    // Every flow, the customers flow counted (the echo scenario counts writes on each side).
    const probed = probeFlow(customersFlow);
    probe = probed.probe;
    stack = await startStack({
      databaseUrl: await testDatabase('flows_real_odoo_e2e'),
      flows: FLOWS.map((flow) => (flow === customersFlow ? probed.flow : flow)),
      odoo: createOdooClient({ ...common, protocol: real.protocol, user: real.user, apiKey: real.apiKey }),
      // Odoo refuses orders in another currency than the company's: the simulated shop sells in it.
      sim: { currency: await merchant.companyCurrency() },
      // The cron never fires during the run: the pull scenario calls it. Nothing is pushed to
      // Shopify before onboarding, as at a real go-live (the first scenario runs it).
      env: { ORDERS_PULL_CRON: '0 0 1 1 *', ONBOARDING_REQUIRED: 'true' },
    });
    await stack.sidecar.workersStarted;
    await stack.subscribeWebhooks();
    ctx = stack.flowContext();
  });
  after(async () => {
    await stack?.stop();
  });
  let firstLogLine = 0;
  beforeEach(() => {
    firstLogLine = stack?.logs.lines.length ?? 0;
  });
  afterEach(async function () {
    // A failed scenario leaves what the sidecar did meanwhile (its log lines and queue counts) in
    // var/real-odoo/, next to Odoo's log: a timeout alone does not say which step never happened.
    if (stack && this.currentTest?.state === 'failed') {
      const dir = path.resolve(import.meta.dirname, '../../var/real-odoo');
      const file = path.join(dir, `e2e-failed-${this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}.log`);
      const lines = stack.logs.lines.slice(firstLogLine).map((line) => JSON.stringify(line));
      const queues = await stack.sidecar.queue.queueStats();
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(file, [...lines, JSON.stringify({ queueStats: queues })].join('\n') + '\n');
      console.log(`    (the sidecar's log of this scenario: ${path.relative(process.cwd(), file)})`);
    }
    // Rates back to 0 with PUT (DELETE /_sim/faults re-seeds the webhook ids, which the inbox
    // would then drop as duplicates).
    if (stack) await stack.simControl('PUT', '/faults', { webhookDuplicateRate: 0, webhookReorderRate: 0, webhookDropRate: 0 });
  });

  const sim = <T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown) =>
    stack.simControl<T>(method, path, body);
  const level = (sku: string, locationId: number) => {
    const state = stack.sim.state;
    const item = state.inventoryItems.find((i) => i.sku === sku);
    return item && state.levels.find((l) => l.inventoryItemId === item.id && l.locationId === locationId);
  };
  const simProductsWithSku = (sku: string) =>
    sim<Array<{ admin_graphql_api_id: string; variants: Array<{ sku: string | null; admin_graphql_api_id: string }> }>>(
      'GET',
      `/products?sku=${encodeURIComponent(sku)}`,
    );
  const productWebhooks = async (productGid: string) => {
    const deliveries = await sim<Array<{ topic: string; body: { admin_graphql_api_id: string } }>>('GET', '/webhooks/deliveries');
    return deliveries.filter((d) => d.topic.startsWith('products/') && d.body.admin_graphql_api_id === productGid).length;
  };
  const place = (lines: Array<{ sku: string; quantity: number; price: string }>, extra: Record<string, unknown> = {}) =>
    sim<SimOrder>('POST', '/orders', {
      email: `buyer-${randomUUID().slice(0, 8)}@example.com`,
      customer: { firstName: 'Ada', lastName: `Real${run}` },
      lines,
      shippingLines: [{ title: 'Standard', price: '5.00' }],
      shippingAddress: {
        first_name: 'Ada',
        last_name: 'Lovelace',
        address1: '1 Main St',
        city: 'Brussels',
        zip: '1000',
        country_code: 'BE',
      },
      financialStatus: 'paid',
      ...extra,
    });
  const saleOrders = (gid: string) => merchant.readSaleOrders(gid);
  /** The order's one sale order, once Odoo has it confirmed. */
  const confirmedSaleOrder = (gid: string, what = 'the sale order') =>
    stack.waitFor(
      what,
      async () => {
        const sos = await saleOrders(gid);
        return sos.length === 1 && sos[0]!.state === 'sale' ? sos[0] : undefined;
      },
      TIMEOUT,
    );
  const simCustomer = async (email: string) =>
    (
      await sim<Array<{ id: number; admin_graphql_api_id: string; first_name: string | null; last_name: string | null }>>(
        'GET',
        `/customers?email=${encodeURIComponent(email)}`,
      )
    )[0];
  const queueIdle = (queue: string) =>
    stack.waitFor(
      `the ${queue} queue idle`,
      async () => {
        const stats = (await stack.sidecar.queue.queueStats()).find((q) => q.queue === queue);
        return !stats || (stats.queued === 0 && stats.active === 0);
      },
      TIMEOUT,
    );
  /**
   * Nothing left to come for `queue`: no Shopify delivery pending, Odoo's outbox drained into the
   * queue, the queue idle, and a second drain found nothing new. A product's creation and its
   * stock set each leave events and echo webhooks; a push they start after the test's next step
   * would undo that step.
   */
  const nothingLeft = (queue: string) =>
    stack.waitFor(
      `nothing left to come for the ${queue} queue`,
      async () => {
        const pending = await sim<Array<{ status: string }>>('GET', '/webhooks/deliveries');
        if (pending.some((d) => d.status === 'pending')) return false;
        await stack.sidecar.relay.drain();
        const stats = (await stack.sidecar.queue.queueStats()).find((q) => q.queue === queue);
        if (stats && (stats.queued > 0 || stats.active > 0)) return false;
        return (await stack.sidecar.relay.drain()).enqueued === 0;
      },
      TIMEOUT,
    );
  /** Waits until the customers flow logged `outcome` for the customer at least `atLeast` times. */
  const customerLogged = (gid: string, outcome: string, atLeast = 1) =>
    stack.waitFor(
      `${atLeast} "${outcome}" log line(s) for ${gid}`,
      () => stack.logs.lines.filter((l) => (l.entityId === gid || l.customerGid === gid) && l.outcome === outcome).length >= atLeast,
      TIMEOUT,
    );

  it('onboarding links a product that exists on both sides by SKU instead of pushing a duplicate', async () => {
    const shop = await sim<{ admin_graphql_api_id: string; variants: Array<{ admin_graphql_api_id: string }> }>('POST', '/products', {
      title: `Linked ${run}`,
      sku: LINKED,
      price: '7.00',
      stock: { [String(LOC_MAIN)]: 2 },
    });
    const odoo = await merchant.createProduct({ name: `Linked ${run}`, price: '7.00', variants: [{ sku: LINKED }] });
    await merchant.setStock(odoo.variants[LINKED]!, wh.main, 5);
    const ctxOnboarding = {
      config: stack.config,
      logger: stack.sidecar.logger,
      pool: stack.sidecar.pool,
      shopify: stack.sidecar.shopify,
      odoo: stack.sidecar.contract,
      queue: stack.sidecar.queue,
      clock: stack.sidecar.clock,
    };
    const rehearsal = await runOnboarding(ctxOnboarding, { dryRun: true });
    assert.equal(rehearsal.report.counts.productsLinked, 1, 'the dry run finds the one product to link');
    assert.equal((await merchant.readBinding('product.product', odoo.variants[LINKED]!)).shopify_gid, null, 'the dry run writes nothing');
    const real = await runOnboarding(ctxOnboarding, { dryRun: false });
    assert.deepEqual(real.report.writeErrors, []);
    assert.equal(
      (await merchant.readBinding('product.product', odoo.variants[LINKED]!)).shopify_gid,
      shop.variants[0]!.admin_graphql_api_id,
    );
    assert.equal((await merchant.readBinding('product.template', odoo.template_id)).shopify_gid, shop.admin_graphql_api_id);
    // Once linked, Odoo's stock is what Shopify shows; still one product with that SKU.
    await stack.waitFor("the linked variant at Odoo's level in Shopify", () => level(LINKED, LOC_MAIN)?.on_hand === 5, TIMEOUT);
    assert.equal((await simProductsWithSku(LINKED)).length, 1);
  });

  it('pushes a product created in Odoo to Shopify, writes the IDs back, and does not push unchanged content again', async () => {
    const m = await merchant.createProduct({ name: `Mug ${run}`, price: '9.50', variants: [{ sku: MUG }] });
    const t = await merchant.createProduct({ name: `Tee ${run}`, price: '19.99', variants: [{ sku: TEE }] });
    mug = { template_id: m.template_id, variant_id: m.variants[MUG]! };
    tee = { template_id: t.template_id, variant_id: t.variants[TEE]! };
    for (const p of [mug, tee]) await merchant.setStock(p.variant_id, wh.main, 20);
    const [product] = await stack.waitFor(
      'the mug in Shopify',
      async () => ((await simProductsWithSku(MUG)).length === 1 ? simProductsWithSku(MUG) : undefined),
      TIMEOUT,
    );
    const binding = await stack.waitFor(
      'the variant bound in Odoo',
      async () => {
        const b = await merchant.readBinding('product.product', mug.variant_id);
        return b.shopify_gid ? b : undefined;
      },
      TIMEOUT,
    );
    assert.equal(binding.shopify_gid, product!.variants[0]!.admin_graphql_api_id);
    await stack.waitFor(
      'the template synced',
      async () => (await merchant.readBinding('product.template', mug.template_id)).state === 'synced',
      TIMEOUT,
    );
    await stack.waitFor(
      'the stock of both in Shopify',
      () => level(MUG, LOC_MAIN)?.on_hand === 20 && level(TEE, LOC_MAIN)?.on_hand === 20,
      TIMEOUT,
    );

    const before = await productWebhooks(product!.admin_graphql_api_id);
    // A write of the same price still emits product.changed (not a forced resync): same hash.
    await merchant.setProductPrice(mug.template_id, '9.50');
    await stack.waitFor(
      'the change skipped as unchanged',
      () =>
        stack.logs.lines.some(
          (l) => l.message === 'catalog: content unchanged since the last push; skipped' && l.entityId === mug.template_id,
        ),
      TIMEOUT,
    );
    assert.equal(await productWebhooks(product!.admin_graphql_api_id), before, 'no product write reached Shopify');
    assert.equal((await merchant.readBinding('product.template', mug.template_id)).state, 'synced');
  });

  it('subtracts a reservation that does not come from Shopify from the on_hand pushed to Shopify', async () => {
    assert.ok(tee, 'runs after the catalog scenario');
    await merchant.setStock(tee.variant_id, wh.main, 30);
    await stack.waitFor('30 in Shopify', () => level(TEE, LOC_MAIN)?.on_hand === 30, TIMEOUT);
    await merchant.createSaleOrder({ warehouse_id: wh.main, lines: [{ product_id: tee.variant_id, quantity: 4 }] });
    // Shopify on_hand = Odoo on hand − reservations not from Shopify orders − safety stock (0).
    await stack.waitFor('30 − 4 in Shopify', () => level(TEE, LOC_MAIN)?.on_hand === 26, TIMEOUT);
  });

  it('gives one sale order with the latest state under duplicated and reordered webhooks', async () => {
    await sim('PUT', '/faults', { webhookDuplicateRate: 1, webhookReorderRate: 1, webhookReorderHoldMs: 300 });
    const order = await place([{ sku: MUG, quantity: 1, price: '9.50' }]);
    await sim('PATCH', `/orders/${order.id}/address`, { shippingAddress: { address1: '9 New Road', city: 'Antwerp', zip: '2000' } });
    await sim('PATCH', `/orders/${order.id}/address`, { shippingAddress: { address1: '10 Final Road', city: 'Liège', zip: '4000' } });
    await stack.sim.idle();
    const [so] = await stack.waitFor(
      'the sale order with the latest address',
      async () => {
        const sos = await saleOrders(order.admin_graphql_api_id);
        return sos.length >= 1 && sos[0]!.shipping.city === 'Liège' ? sos : undefined;
      },
      TIMEOUT,
    );
    await stack.waitFor(
      'the orders queue idle',
      async () => {
        const stats = (await stack.sidecar.queue.queueStats()).find((q) => q.queue === 'orders')!;
        return stats.queued === 0 && stats.active === 0;
      },
      TIMEOUT,
    );
    const sos = await saleOrders(order.admin_graphql_api_id);
    assert.equal(sos.length, 1, 'one sale order');
    assert.equal(sos[0]!.shipping.city, 'Liège');
    assert.equal(so!.state, 'sale');
    assert.deepEqual(
      sos[0]!.lines.map((l) => [l.sku, l.quantity]),
      [[MUG, 1]],
    );
    assert.ok(
      stack.sim.state.deliveries.some((d) => d.body.includes(order.admin_graphql_api_id) && d.fault !== null),
      'the simulator injected faults',
    );
  });

  it('catches an order whose webhooks were all dropped with the pull', async () => {
    await sim('PUT', '/faults', { webhookDropRate: 1 });
    const since = new Date(Date.now() - 60_000);
    const order = await place([{ sku: TEE, quantity: 2, price: '19.99' }]);
    await stack.sim.idle();
    assert.equal((await saleOrders(order.admin_graphql_api_id)).length, 0, 'no webhook arrived');
    const first = await pullOrdersSince(ctx, since);
    assert.ok(first.enqueued >= 1);
    const so = await confirmedSaleOrder(order.admin_graphql_api_id, 'the pulled order in Odoo');
    assert.deepEqual(
      so.lines.map((l) => [l.sku, l.quantity]),
      [[TEE, 2]],
    );
  });

  it('sends an order with an unknown SKU to the DLQ and creates nothing in Odoo', async () => {
    await sim('POST', '/products', { title: 'Ghost', sku: GHOST, price: '5.00', stock: { [String(LOC_MAIN)]: 5 } });
    // A guest order (no email, no customer): with every flow registered, an email would make the
    // simulator create a Shopify customer, which the customers flow imports on its own.
    const lastName = `Ghost${run}`;
    const order = await place(
      [
        { sku: MUG, quantity: 1, price: '9.50' },
        { sku: GHOST, quantity: 1, price: '5.00' },
      ],
      {
        email: undefined,
        customer: undefined,
        shippingAddress: {
          first_name: 'Nobody',
          last_name: lastName,
          address1: '1 Main St',
          city: 'Brussels',
          zip: '1000',
          country_code: 'BE',
        },
      },
    );
    const letter = await stack.waitFor(
      'the dead letter',
      async () => {
        const letters = await stack.sidecar.queue.listDeadLetters('orders');
        return letters.find((l) => l.key?.endsWith(order.admin_graphql_api_id));
      },
      TIMEOUT,
    );
    assert.equal(letter.kind, 'permanent');
    assert.match(String(letter.reason), new RegExp(`line 2: SKU "${GHOST}" is unknown in Odoo`));
    assert.equal((await saleOrders(order.admin_graphql_api_id)).length, 0);
    assert.deepEqual(await merchant.findPartnersByName(`Nobody ${lastName}`), [], 'not even the shipping contact was created');
    // Not invisible: Shopify > Errors lists it with its number and total (contract report_failure).
    const shopify = await sim<SimOrder>('GET', `/orders/${order.id}`);
    const row = await stack.waitFor(
      'the Errors row in Odoo',
      async () => (await merchant.readFailures()).find((f) => f.shopify_gid === order.admin_graphql_api_id),
      TIMEOUT,
    );
    assert.deepEqual(
      { state: row.state, name: row.shopify_name, amount: row.amount, record: row.res_model },
      { state: 'open', name: order.name, amount: Number(shopify.total_price).toFixed(2), record: null },
    );
  });

  it("re-reads and converges when Shopify's on_hand changes between the read and the compare-and-swap write", async () => {
    const created = await merchant.createProduct({ name: `Cas ${run}`, price: '3.00', variants: [{ sku: CAS }] });
    const id = created.variants[CAS]!;
    await merchant.setStock(id, wh.main, 10);
    await stack.waitFor('10 in Shopify', () => level(CAS, LOC_MAIN)?.on_hand === 10, TIMEOUT);
    await nothingLeft('inventory');
    // Shopify drifts to 7 without telling the sidecar (its webhook is dropped), and while a push
    // is between its read and its write, someone sets 25 there.
    await sim('PUT', '/faults', { webhookDropRate: 1 });
    await sim('POST', '/inventory/adjust', { sku: CAS, locationId: LOC_MAIN, onHand: 7 });
    let adjusted = false;
    const real = ctx.shopify;
    const racing: ShopifyClient = {
      ...real,
      async request(name, variables, options) {
        const answer = await real.request(name, variables, options);
        if (name === 'InventoryLevelsByItems' && !adjusted) {
          adjusted = true;
          await sim('POST', '/inventory/adjust', { sku: CAS, locationId: LOC_MAIN, onHand: 25 });
        }
        return answer;
      },
    };
    const stats = await pushProductLocation({ ...ctx, shopify: racing }, id, `gid://shopify/Location/${LOC_MAIN}`, 'e2e-real-stale');
    assert.equal(adjusted, true);
    assert.deepEqual({ written: stats.written, staleRetries: stats.staleRetries }, { written: 1, staleRetries: 1 });
    assert.equal(level(CAS, LOC_MAIN)?.on_hand, 10, "Odoo's level wins");
  });

  it('writes a customer edit once each way and suppresses both echoes', async () => {
    const email = `grace-${run.toLowerCase()}@example.com`;
    const partnerId = await merchant.createCustomer({ name: 'Grace Hopper', email, sync: true });
    const binding = await stack.waitFor(
      'the GID written back to the partner',
      async () => {
        const b = await merchant.readBinding('res.partner', partnerId);
        return b.state === 'synced' && b.shopify_gid ? b : undefined;
      },
      TIMEOUT,
    );
    const customer = (await simCustomer(email))!;
    assert.equal(binding.shopify_gid, customer.admin_graphql_api_id);
    const gid = customer.admin_graphql_api_id;
    await customerLogged(gid, 'echo');
    const before = { sets: probe.count('shopify', 'CustomerSet'), upserts: probe.count('odoo', 'upsertCustomer') };

    // Odoo → Shopify: one customerSet; its customers/update echo is not written to Odoo.
    await merchant.editCustomer(partnerId, { name: 'Grace Brewster Hopper' });
    await stack.waitFor('the edit in Shopify', async () => (await simCustomer(email))?.first_name === 'Grace Brewster', TIMEOUT);
    await customerLogged(gid, 'echo', 2);
    assert.equal(probe.count('shopify', 'CustomerSet'), before.sets + 1);
    assert.equal(probe.count('odoo', 'upsertCustomer'), before.upserts, 'the echo was not written to Odoo');

    // Shopify → Odoo: one upsert; Odoo emits nothing back, so no customerSet.
    await sim('PATCH', `/customers/${customer.id}`, { lastName: 'Murray Hopper' });
    await stack.waitFor(
      'the Shopify edit in Odoo',
      async () => (await merchant.readPartner(partnerId)).name === 'Grace Brewster Murray Hopper',
      TIMEOUT,
    );
    await customerLogged(gid, 'updated');
    assert.equal(probe.count('odoo', 'upsertCustomer'), before.upserts + 1);
    // A later Odoo event through the same outbox, then the customers queue idle: an echo event
    // from the upsert, had Odoo emitted one, would have been pushed by now.
    await merchant.setStock(mug.variant_id, wh.second, 3);
    await stack.waitFor('a later stock event in Shopify', () => level(MUG, LOC_SECOND)?.on_hand === 3, TIMEOUT);
    await queueIdle('customers');
    assert.equal(probe.count('shopify', 'CustomerSet'), before.sets + 1, 'the Shopify edit was not pushed back');
  });

  it("reserves an imported order's delivery right after the import, in Odoo's scheduled action", async () => {
    await merchant.setStock(mug.variant_id, wh.main, 20);
    const order = await place([{ sku: MUG, quantity: 3, price: '9.50' }]);
    const so = await confirmedSaleOrder(order.admin_graphql_api_id);
    // The import leaves the reservation to "Shopify: reserve imported orders' deliveries", run by
    // this Odoo's cron worker (docs/flows.md, "Reserving stock right after the import").
    const delivery = await stack.waitFor(
      'the delivery reserved',
      async () => {
        const [picking] = (await merchant.readPickings(so.id)).filter((pk) => pk.picking_type === 'outgoing');
        return picking?.state === 'assigned' ? picking : undefined;
      },
      TIMEOUT,
    );
    assert.deepEqual(
      delivery.moves.map((mv) => [mv.product_id, mv.quantity]),
      [[mug.variant_id, 3]],
    );
  });

  it('turns a partial delivery with tracking in Odoo into a partial fulfillment in Shopify', async () => {
    await merchant.setStock(mug.variant_id, wh.main, 20);
    const order = await place([{ sku: MUG, quantity: 2, price: '9.50' }]);
    const so = await confirmedSaleOrder(order.admin_graphql_api_id);
    const [picking] = (await merchant.readPickings(so.id)).filter(
      (p) => p.picking_type === 'outgoing' && p.state !== 'done' && p.state !== 'cancel',
    );
    assert.ok(picking, 'an open delivery');
    const { backorder_id } = await merchant.validateDelivery(picking.id, {
      quantities: { [mug.variant_id]: 1 },
      tracking: { number: `TRK-${run}` },
    });
    assert.ok(backorder_id, 'a backorder for the rest');
    const fulfillments = await stack.waitFor(
      'the partial fulfillment in Shopify',
      async () => {
        const now = await sim<SimOrder>('GET', `/orders/${order.id}`);
        return now.fulfillments?.length ? now.fulfillments : undefined;
      },
      TIMEOUT,
    );
    assert.deepEqual(
      fulfillments.map((f) => [f.tracking_number, f.line_items.map((l) => [l.sku, l.quantity])]),
      [[`TRK-${run}`, [[MUG, 1]]]],
    );
    await stack.waitFor(
      'the delivery synced',
      async () => (await merchant.readBinding('stock.picking', picking.id)).state === 'synced',
      TIMEOUT,
    );
  });
});
