import assert from 'node:assert/strict';
import request from 'supertest';
import { control, gql, gqlData, testSimulator, SAMPLE_ORDER } from '../test-support.js';

const SET_QUANTITIES = `mutation($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { reason changes { name delta quantityAfterChange } }
    userErrors { field message code }
  }
}`;

async function mugIds(sim: ReturnType<typeof testSimulator>['sim']) {
  const data = await gqlData(
    sim,
    '{ productVariants(first: 1, query: "sku:SIM-MUG") { nodes { id inventoryItem { id } product { id } } } }',
  );
  const v = data.productVariants.nodes[0];
  return { variantId: v.id as string, itemId: v.inventoryItem.id as string, productId: v.product.id as string };
}

describe('sim Admin GraphQL: schema, auth, versions', () => {
  it('rejects a request without the right access token like Shopify', async () => {
    const { sim } = testSimulator();
    const res = await request(sim.app)
      .post('/admin/api/2026-10/graphql.json')
      .set('X-Shopify-Access-Token', 'wrong')
      .send({ query: '{ shop { name } }' });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
  });

  it('rejects a document with an unknown field through graphql-js validation', async () => {
    const { sim } = testSimulator();
    const res = await gql(sim, '{ shop { name frobnicate } }');
    assert.equal(res.status, 200);
    assert.equal(res.body.data, undefined);
    assert.equal(res.body.errors[0].message, 'Cannot query field "frobnicate" on type "Shop".');
  });

  it('rejects a wrong argument type', async () => {
    const { sim } = testSimulator();
    const res = await gql(sim, '{ orders(first: "ten") { nodes { id } } }');
    assert.match(res.body.errors[0].message, /Int cannot represent non-integer value: "ten"/);
  });

  it('answers a schema field without a resolver with "not simulated", never a silent null', async () => {
    const { sim } = testSimulator();
    const res = await gql(sim, '{ shop { name analyticsToken } }');
    assert.equal(res.body.errors[0].message, 'not simulated: Shop.analyticsToken');
    assert.deepEqual(res.body.errors[0].path, ['shop', 'analyticsToken']);
    const root = await gql(sim, '{ giftCards(first: 1) { nodes { id } } }');
    assert.equal(root.body.errors[0].message, 'not simulated: QueryRoot.giftCards');
  });

  it('serves the requested version and falls forward from an unknown one', async () => {
    const { sim } = testSimulator();
    const ok = await gql(sim, '{ publicApiVersions { handle supported } }', {}, '2026-07');
    assert.equal(ok.headers['x-shopify-api-version'], '2026-07');
    assert.ok(ok.body.data.publicApiVersions.some((v: { handle: string; supported: boolean }) => v.handle === 'unstable' && !v.supported));
    const old = await gql(sim, '{ shop { name } }', {}, '2023-01');
    assert.equal(old.headers['x-shopify-api-version'], '2025-10');
  });
});

describe('sim Admin GraphQL: cost and throttling', () => {
  it('reports extensions.cost in Shopify shape and charges the actual cost', async () => {
    const { sim } = testSimulator();
    const res = await gql(sim, '{ products(first: 10) { nodes { title } } }');
    // 3 demo products: requested 2 + 10, actual 2 + 2 products (T-Shirt, Mug)
    assert.deepEqual(res.body.extensions, {
      cost: {
        requestedQueryCost: 12,
        actualQueryCost: 4,
        throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1996, restoreRate: 100 },
      },
    });
  });

  it('answers THROTTLED with Shopify shape when the bucket is short, and serves again after restore', async () => {
    const { sim, clock } = testSimulator();
    sim.bucket.setAvailable(5);
    const res = await gql(sim, '{ products(first: 10) { nodes { title } } }');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
      extensions: {
        cost: {
          requestedQueryCost: 12,
          actualQueryCost: null,
          throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 5, restoreRate: 100 },
        },
      },
    });
    await clock.advance(70); // +7 points
    const again = await gql(sim, '{ products(first: 10) { nodes { title } } }');
    assert.equal(again.body.errors, undefined);
    assert.equal(again.body.extensions.cost.throttleStatus.currentlyAvailable, 8);
  });

  it('rejects a query above the single-query limit of 1000 before executing it', async () => {
    const { sim } = testSimulator();
    const res = await gql(sim, '{ products(first: 250) { nodes { variants(first: 100) { nodes { sku } } } } }');
    assert.equal(res.body.errors[0].extensions.code, 'MAX_COST_EXCEEDED');
    assert.equal(res.body.errors[0].extensions.cost, 2 + 250 * (1 + 2 + 100));
    assert.equal(res.body.errors[0].extensions.maxCost, 1000);
    assert.match(res.body.errors[0].message, /^Query cost is 25752, which exceeds the single query max cost limit \(1000\)\./);
    assert.equal(sim.bucket.status().currentlyAvailable, 2000);
  });

  it('uses the plan chosen through the control API', async () => {
    const { sim } = testSimulator();
    await control(sim, 'put', '/bucket', { plan: 'plus' });
    const res = await gql(sim, '{ shop { name } }');
    assert.deepEqual(res.body.extensions.cost.throttleStatus, { maximumAvailable: 20000, currentlyAvailable: 19999, restoreRate: 1000 });
  });
});

describe('sim Admin GraphQL: products and inventory', () => {
  it('creates a product with productSet and finds it by id, handle and SKU', async () => {
    const { sim } = testSimulator();
    const data = await gqlData(
      sim,
      `mutation($input: ProductSetInput!) { productSet(input: $input, synchronous: true) {
        product { id handle variants(first: 5) { nodes { id sku price inventoryItem { id tracked } } } } userErrors { field message code } } }`,
      {
        input: {
          title: 'Odoo Chair',
          productOptions: [{ name: 'Color', values: [{ name: 'Red' }, { name: 'Blue' }] }],
          variants: [
            { optionValues: [{ optionName: 'Color', name: 'Red' }], price: '49.00', inventoryItem: { sku: 'CHAIR-RED', tracked: true } },
            { optionValues: [{ optionName: 'Color', name: 'Blue' }], price: '51.00', inventoryItem: { sku: 'CHAIR-BLUE' } },
          ],
        },
      },
    );
    const product = data.productSet.product;
    assert.equal(product.handle, 'odoo-chair');
    assert.deepEqual(
      product.variants.nodes.map((v: { sku: string; price: string }) => [v.sku, v.price]),
      [
        ['CHAIR-RED', '49.00'],
        ['CHAIR-BLUE', '51.00'],
      ],
    );
    const byId = await gqlData(sim, 'query($id: ID!) { product(id: $id) { title } }', { id: product.id });
    assert.equal(byId.product.title, 'Odoo Chair');
    const byHandle = await gqlData(sim, '{ productByIdentifier(identifier: { handle: "odoo-chair" }) { id } }');
    assert.equal(byHandle.productByIdentifier.id, product.id);
    const bySku = await gqlData(sim, '{ productVariants(first: 5, query: "sku:CHAIR-BLUE") { nodes { price product { id } } } }');
    assert.equal(bySku.productVariants.nodes[0].product.id, product.id);
    const items = await gqlData(sim, `{ inventoryItems(first: 5, query: "sku:'CHAIR-RED'") { nodes { id sku } } }`);
    assert.deepEqual(
      items.inventoryItems.nodes.map((n: { sku: string }) => n.sku),
      ['CHAIR-RED'],
    );
  });

  it('productSet deletes variants left out of the list', async () => {
    const { sim } = testSimulator();
    const { productId } = await mugIds(sim);
    const shirt = await gqlData(sim, '{ productVariants(first: 1, query: "sku:SIM-TSHIRT-S") { nodes { product { id } } } }');
    const id = shirt.productVariants.nodes[0].product.id;
    const data = await gqlData(
      sim,
      `mutation($id: ID!) { productSet(identifier: { id: $id }, input: { variants: [{ optionValues: [{ optionName: "Size", name: "S" }], price: "21.00" }] }) {
        product { variants(first: 5) { nodes { sku price } } } userErrors { message } } }`,
      { id },
    );
    assert.deepEqual(data.productSet.product.variants.nodes, [{ sku: 'SIM-TSHIRT-S', price: '21.00' }]);
    assert.notEqual(productId, id);
    assert.equal(
      sim.state.variants.some((v) => v.sku === 'SIM-TSHIRT-M'),
      false,
    );
  });

  it('updates prices and SKU (through inventoryItem) with productVariantsBulkUpdate', async () => {
    const { sim } = testSimulator();
    const { productId, variantId } = await mugIds(sim);
    const data = await gqlData(
      sim,
      `mutation($p: ID!, $v: [ProductVariantsBulkInput!]!) { productVariantsBulkUpdate(productId: $p, variants: $v) {
        productVariants { sku price compareAtPrice } userErrors { field message } } }`,
      { p: productId, v: [{ id: variantId, price: '11.00', compareAtPrice: '12.00', inventoryItem: { sku: 'SIM-MUG-2' } }] },
    );
    assert.deepEqual(data.productVariantsBulkUpdate.productVariants, [{ sku: 'SIM-MUG-2', price: '11.00', compareAtPrice: '12.00' }]);
  });

  it('sets quantities with compare-and-swap and reports CHANGE_FROM_QUANTITY_STALE', async () => {
    const { sim } = testSimulator();
    const { itemId } = await mugIds(sim);
    const input = (changeFromQuantity: number | null, quantity: number) => ({
      name: 'available',
      reason: 'correction',
      referenceDocumentUri: 'gid://odoo-sync/StockQuant/1',
      quantities: [{ inventoryItemId: itemId, locationId: 'gid://shopify/Location/101', quantity, changeFromQuantity }],
    });
    const stale = await gqlData(sim, SET_QUANTITIES, { input: input(3, 7), key: 'k-stale' });
    assert.equal(stale.inventorySetQuantities.inventoryAdjustmentGroup, null);
    assert.equal(stale.inventorySetQuantities.userErrors[0].code, 'CHANGE_FROM_QUANTITY_STALE');
    const ok = await gqlData(sim, SET_QUANTITIES, { input: input(10, 7), key: 'k-ok' });
    assert.deepEqual(ok.inventorySetQuantities.userErrors, []);
    assert.deepEqual(ok.inventorySetQuantities.inventoryAdjustmentGroup.changes, [
      { name: 'available', delta: -3, quantityAfterChange: 7 },
      { name: 'on_hand', delta: -3, quantityAfterChange: 7 },
    ]);
    const noCheck = await gqlData(sim, SET_QUANTITIES, { input: input(null, 4), key: 'k-null' });
    assert.deepEqual(noCheck.inventorySetQuantities.userErrors, []);
  });

  it('adjusts quantities by delta with inventoryAdjustQuantities, with compare-and-swap and ledger rules', async () => {
    const { sim } = testSimulator();
    const { itemId } = await mugIds(sim);
    const doc = `mutation($input: InventoryAdjustQuantitiesInput!, $key: String!) { inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
      inventoryAdjustmentGroup { changes(quantityNames: ["available"]) { name delta quantityAfterChange } } userErrors { field message code } } }`;
    const change = (delta: number, changeFromQuantity: number | null, extra: object = {}) => ({
      inventoryItemId: itemId,
      locationId: 'gid://shopify/Location/101',
      delta,
      changeFromQuantity,
      ...extra,
    });
    const ok = await gqlData(sim, doc, { key: 'a1', input: { name: 'available', reason: 'received', changes: [change(5, 10)] } });
    assert.deepEqual(ok.inventoryAdjustQuantities.inventoryAdjustmentGroup.changes, [
      { name: 'available', delta: 5, quantityAfterChange: 15 },
    ]);
    const stale = await gqlData(sim, doc, { key: 'a2', input: { name: 'available', reason: 'received', changes: [change(5, 10)] } });
    assert.deepEqual(stale.inventoryAdjustQuantities.userErrors[0].field, ['input', 'changes', '0', 'changeFromQuantity']);
    assert.equal(stale.inventoryAdjustQuantities.userErrors[0].code, 'CHANGE_FROM_QUANTITY_STALE');
    const noLedger = await gqlData(sim, doc, { key: 'a3', input: { name: 'on_hand', reason: 'correction', changes: [change(-1, null)] } });
    assert.equal(noLedger.inventoryAdjustQuantities.userErrors[0].code, 'INVALID_LEDGER_DOCUMENT');
    const withLedger = await gqlData(sim, doc, {
      key: 'a4',
      input: { name: 'on_hand', reason: 'correction', changes: [change(-1, null, { ledgerDocumentUri: 'odoo://stock.move/7' })] },
    });
    assert.deepEqual(withLedger.inventoryAdjustQuantities.userErrors, []);
    const level = (await control(sim, 'get', '/inventory?locationId=101&sku=SIM-MUG')).body[0];
    assert.deepEqual([level.available, level.committed, level.on_hand], [14, 0, 14]);
  });

  it('requires changeFromQuantity to be sent, even as null', async () => {
    const { sim } = testSimulator();
    const { itemId } = await mugIds(sim);
    const data = await gqlData(sim, SET_QUANTITIES, {
      input: {
        name: 'on_hand',
        reason: 'correction',
        quantities: [{ inventoryItemId: itemId, locationId: 'gid://shopify/Location/101', quantity: 3 }],
      },
      key: 'k-missing',
    });
    assert.deepEqual(data.inventorySetQuantities.userErrors[0].field, ['input', 'quantities', '0', 'changeFromQuantity']);
  });

  it('implements @idempotent: replay, parameter mismatch, previous failure, concurrent request', async () => {
    const { sim } = testSimulator();
    const { itemId } = await mugIds(sim);
    const input = (quantity: number, changeFromQuantity: number | null = null) => ({
      name: 'on_hand',
      reason: 'correction',
      quantities: [{ inventoryItemId: itemId, locationId: 'gid://shopify/Location/101', quantity, changeFromQuantity }],
    });
    const first = await gqlData(sim, SET_QUANTITIES, { input: input(20), key: 'same' });
    assert.equal(first.inventorySetQuantities.inventoryAdjustmentGroup.changes[0].delta, 10);
    await control(sim, 'post', '/inventory/adjust', { sku: 'SIM-MUG', locationId: 101, onHand: 15 });
    const replay = await gqlData(sim, SET_QUANTITIES, { input: input(20), key: 'same' });
    assert.deepEqual(replay, first, 'a replay returns the first result');
    assert.equal(
      sim.state.levels.find((l) => l.locationId === 101 && `gid://shopify/InventoryItem/${l.inventoryItemId}` === itemId)!.on_hand,
      15,
      'and changes nothing',
    );
    const mismatch = await gqlData(sim, SET_QUANTITIES, { input: input(21), key: 'same' });
    assert.equal(mismatch.inventorySetQuantities.userErrors[0].code, 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH');
    const failed = await gqlData(sim, SET_QUANTITIES, { input: input(5, 999), key: 'fails' });
    assert.equal(failed.inventorySetQuantities.userErrors[0].code, 'CHANGE_FROM_QUANTITY_STALE');
    const retry = await gqlData(sim, SET_QUANTITIES, { input: input(5, 999), key: 'fails' });
    assert.equal(retry.inventorySetQuantities.userErrors[0].code, 'IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED');
    await control(sim, 'post', '/idempotency/in-progress', { key: 'busy' });
    const busy = await gqlData(sim, SET_QUANTITIES, { input: input(5), key: 'busy' });
    assert.equal(busy.inventorySetQuantities.userErrors[0].code, 'IDEMPOTENCY_CONCURRENT_REQUEST');
  });

  it('refuses inventorySetQuantities without @idempotent from 2026-04, accepts it on 2026-01', async () => {
    const { sim } = testSimulator();
    const { itemId } = await mugIds(sim);
    const doc = `mutation($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { userErrors { message } } }`;
    const input = {
      name: 'available',
      reason: 'correction',
      quantities: [{ inventoryItemId: itemId, locationId: 'gid://shopify/Location/101', quantity: 1, changeFromQuantity: null }],
    };
    const res = await gql(sim, doc, { input });
    assert.match(res.body.errors[0].message, /@idempotent directive is required for inventorySetQuantities/);
    const old = await gql(sim, doc, { input }, '2026-01');
    assert.equal(old.body.errors, undefined);
  });

  it('refuses @idempotent on a mutation that does not document it', async () => {
    const { sim } = testSimulator();
    const res = await gql(sim, 'mutation { customerCreate(input: { email: "x@example.com" }) @idempotent(key: "k") { customer { id } } }');
    assert.equal(res.body.errors[0].message, 'The @idempotent directive is not supported on customerCreate.');
    assert.equal(sim.state.customers.length, 0);
  });

  it('activates an item at a location with inventoryActivate and reads levels per location', async () => {
    const { sim } = testSimulator();
    const created = await gqlData(
      sim,
      'mutation { productSet(input: { title: "Lamp", variants: [{ optionValues: [{ optionName: "Title", name: "Default Title" }], inventoryItem: { sku: "LAMP" } }] }) { product { variants(first: 1) { nodes { inventoryItem { id } } } } } }',
    );
    const itemId = created.productSet.product.variants.nodes[0].inventoryItem.id;
    const data = await gqlData(
      sim,
      `mutation($item: ID!) { inventoryActivate(inventoryItemId: $item, locationId: "gid://shopify/Location/102", available: 4) @idempotent(key: "act-1") {
        inventoryLevel { id location { id } quantities(names: ["available", "on_hand", "committed"]) { name quantity } } userErrors { message } } }`,
      { item: itemId },
    );
    assert.deepEqual(data.inventoryActivate.inventoryLevel.quantities, [
      { name: 'available', quantity: 4 },
      { name: 'on_hand', quantity: 4 },
      { name: 'committed', quantity: 0 },
    ]);
    assert.match(data.inventoryActivate.inventoryLevel.id, /^gid:\/\/shopify\/InventoryLevel\/102\?inventory_item_id=\d+$/);
    const levels = await gqlData(
      sim,
      'query($id: ID!) { inventoryItem(id: $id) { inventoryLevels(first: 5) { nodes { location { id } } } } }',
      { id: itemId },
    );
    assert.deepEqual(
      levels.inventoryItem.inventoryLevels.nodes.map((n: { location: { id: string } }) => n.location.id),
      ['gid://shopify/Location/101', 'gid://shopify/Location/102'],
    );
  });
});

describe('sim Admin GraphQL: orders, fulfillment, refunds, returns', () => {
  const FO_QUERY = `query($id: ID!) { order(id: $id) { name displayFulfillmentStatus fulfillmentOrders(first: 5) { nodes { id status assignedLocation { location { id } }
    lineItems(first: 10) { nodes { id remainingQuantity totalQuantity sku lineItem { id } } } } } } }`;

  async function placedOrder(sim: ReturnType<typeof testSimulator>['sim'], body: object = SAMPLE_ORDER) {
    const res = await control(sim, 'post', '/orders', body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.admin_graphql_api_id as string;
  }

  it('pages orders updated after a watermark with cursors', async () => {
    const { sim, clock } = testSimulator();
    await placedOrder(sim);
    await clock.advance(60_000);
    const watermark = new Date(clock.now()).toISOString();
    await clock.advance(60_000);
    for (let i = 0; i < 3; i++) await placedOrder(sim);
    const doc = `query($q: String!, $after: String) { orders(first: 2, after: $after, query: $q, sortKey: UPDATED_AT) { pageInfo { hasNextPage endCursor } nodes { name } } }`;
    const page1 = await gqlData(sim, doc, { q: `updated_at:>'${watermark}'` });
    assert.deepEqual(
      page1.orders.nodes.map((n: { name: string }) => n.name),
      ['#1002', '#1003'],
    );
    assert.equal(page1.orders.pageInfo.hasNextPage, true);
    const page2 = await gqlData(sim, doc, { q: `updated_at:>'${watermark}'`, after: page1.orders.pageInfo.endCursor });
    assert.deepEqual(
      page2.orders.nodes.map((n: { name: string }) => n.name),
      ['#1004'],
    );
    assert.equal(page2.orders.pageInfo.hasNextPage, false);
  });

  it('does not skip orders when the last order of a page is updated while paging by UPDATED_AT', async () => {
    const { sim, clock } = testSimulator();
    for (let i = 0; i < 3; i++) {
      await placedOrder(sim);
      await clock.advance(1000);
    }
    const doc = `query($after: String) { orders(first: 2, after: $after, sortKey: UPDATED_AT) { pageInfo { endCursor } nodes { name } } }`;
    const page1 = await gqlData(sim, doc);
    assert.deepEqual(
      page1.orders.nodes.map((n: { name: string }) => n.name),
      ['#1001', '#1002'],
    );
    await control(sim, 'patch', `/orders/${sim.state.orders[1]!.id}/address`, { shippingAddress: { city: 'Liège' } });
    const page2 = await gqlData(sim, doc, { after: page1.orders.pageInfo.endCursor });
    assert.deepEqual(
      page2.orders.nodes.map((n: { name: string }) => n.name),
      ['#1003', '#1002'],
    );
    const reversed = await gqlData(sim, '{ orders(first: 5, reverse: true, sortKey: UPDATED_AT) { nodes { name } } }');
    assert.deepEqual(
      reversed.orders.nodes.map((n: { name: string }) => n.name),
      ['#1002', '#1003', '#1001'],
    );
  });

  it('routes an order to a location that has the stock and fulfills it with tracking', async () => {
    const { sim } = testSimulator();
    // Main Warehouse has 10 mugs, Second 5: 12 mugs cannot ship from either → primary; 7 → Main.
    const orderId = await placedOrder(sim, { ...SAMPLE_ORDER, lines: [{ sku: 'SIM-MUG', quantity: 7 }] });
    const data = await gqlData(sim, FO_QUERY, { id: orderId });
    const fo = data.order.fulfillmentOrders.nodes[0];
    assert.equal(fo.assignedLocation.location.id, 'gid://shopify/Location/101');
    assert.equal(fo.status, 'OPEN');
    const line = fo.lineItems.nodes[0];
    const created = await gqlData(
      sim,
      `mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) { fulfillment { id status trackingInfo { company number url } fulfillmentLineItems(first: 5) { nodes { quantity } } } userErrors { field message } } }`,
      {
        f: {
          lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: fo.id, fulfillmentOrderLineItems: [{ id: line.id, quantity: 3 }] }],
          trackingInfo: { company: 'DHL Express', number: 'TRACK1', url: 'https://dhl.example/TRACK1' },
        },
      },
    );
    assert.deepEqual(created.fulfillmentCreate.userErrors, []);
    assert.deepEqual(created.fulfillmentCreate.fulfillment.trackingInfo, [
      { company: 'DHL Express', number: 'TRACK1', url: 'https://dhl.example/TRACK1' },
    ]);
    const after = await gqlData(sim, FO_QUERY, { id: orderId });
    assert.equal(after.order.displayFulfillmentStatus, 'PARTIALLY_FULFILLED');
    assert.equal(after.order.fulfillmentOrders.nodes[0].status, 'IN_PROGRESS');
    assert.equal(after.order.fulfillmentOrders.nodes[0].lineItems.nodes[0].remainingQuantity, 4);
    const level = (await control(sim, 'get', '/inventory?locationId=101&sku=SIM-MUG')).body[0];
    assert.deepEqual([level.available, level.committed, level.on_hand], [3, 4, 7]);
    const updated = await gqlData(
      sim,
      `mutation($id: ID!) { fulfillmentTrackingInfoUpdate(fulfillmentId: $id, trackingInfoInput: { company: "UPS", number: "1Z999" }) { fulfillment { trackingInfo { company number } } userErrors { message } } }`,
      { id: created.fulfillmentCreate.fulfillment.id },
    );
    assert.deepEqual(updated.fulfillmentTrackingInfoUpdate.fulfillment.trackingInfo, [{ company: 'UPS', number: '1Z999' }]);
  });

  it('rejects fulfilling more than remains', async () => {
    const { sim } = testSimulator();
    const orderId = await placedOrder(sim);
    const fo = (await gqlData(sim, FO_QUERY, { id: orderId })).order.fulfillmentOrders.nodes[0];
    const res = await gqlData(
      sim,
      `mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) { fulfillment { id } userErrors { message } } }`,
      {
        f: {
          lineItemsByFulfillmentOrder: [
            { fulfillmentOrderId: fo.id, fulfillmentOrderLineItems: [{ id: fo.lineItems.nodes[0].id, quantity: 3 }] },
          ],
        },
      },
    );
    assert.equal(res.fulfillmentCreate.fulfillment, null);
    assert.match(res.fulfillmentCreate.userErrors[0].message, /Invalid quantity 3 .* 2 remaining/);
  });

  it('cancels an order with orderCancel and releases committed stock', async () => {
    const { sim } = testSimulator();
    const orderId = await placedOrder(sim);
    assert.equal((await control(sim, 'get', '/inventory?locationId=101&sku=SIM-MUG')).body[0].committed, 2);
    const data = await gqlData(
      sim,
      `mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER, restock: true, refund: true) { job { id done } orderCancelUserErrors { message code } userErrors { message } } }`,
      { id: orderId },
    );
    assert.equal(data.orderCancel.job.done, true);
    const level = (await control(sim, 'get', '/inventory?locationId=101&sku=SIM-MUG')).body[0];
    assert.deepEqual([level.available, level.committed, level.on_hand], [10, 0, 10]);
    const order = await gqlData(sim, 'query($id: ID!) { order(id: $id) { cancelReason cancelledAt displayFinancialStatus } }', {
      id: orderId,
    });
    assert.equal(order.order.cancelReason, 'CUSTOMER');
    assert.equal(order.order.displayFinancialStatus, 'REFUNDED');
    const twice = await gqlData(
      sim,
      `mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER, restock: true) { orderCancelUserErrors { message code } } }`,
      { id: orderId },
    );
    assert.equal(twice.orderCancel.orderCancelUserErrors[0].code, 'INVALID');
  });

  it('creates a partial refund with refundCreate (idempotent) and restocks cancelled units', async () => {
    const { sim } = testSimulator();
    const orderId = await placedOrder(sim);
    const lineId = (await gqlData(sim, FO_QUERY, { id: orderId })).order.fulfillmentOrders.nodes[0].lineItems.nodes[0].lineItem.id;
    const doc = `mutation($input: RefundInput!) { refundCreate(input: $input) @idempotent(key: "refund-1") {
      refund { id totalRefundedSet { shopMoney { amount } } refundLineItems(first: 5) { nodes { quantity restockType subtotalSet { shopMoney { amount } } } } }
      order { displayFinancialStatus } userErrors { field message } } }`;
    const input = {
      orderId,
      refundLineItems: [{ lineItemId: lineId, quantity: 1, restockType: 'CANCEL', locationId: 'gid://shopify/Location/101' }],
      transactions: [{ orderId, amount: '11.49', gateway: 'bogus', kind: 'REFUND' }],
    };
    const data = await gqlData(sim, doc, { input });
    assert.deepEqual(data.refundCreate.userErrors, []);
    assert.equal(data.refundCreate.refund.totalRefundedSet.shopMoney.amount, '11.49');
    assert.deepEqual(data.refundCreate.refund.refundLineItems.nodes, [
      { quantity: 1, restockType: 'CANCEL', subtotalSet: { shopMoney: { amount: '9.50' } } },
    ]);
    assert.equal(data.refundCreate.order.displayFinancialStatus, 'PARTIALLY_REFUNDED');
    const again = await gqlData(sim, doc, { input });
    assert.equal(again.refundCreate.refund.id, data.refundCreate.refund.id);
    assert.equal(sim.state.refunds.length, 1);
    const level = (await control(sim, 'get', '/inventory?locationId=101&sku=SIM-MUG')).body[0];
    assert.deepEqual([level.available, level.committed, level.on_hand], [9, 1, 10]);
  });

  it('suggests a refund with Order.suggestedRefund whose transaction refundCreate accepts', async () => {
    const { sim } = testSimulator();
    const orderId = await placedOrder(sim);
    const lineId = (await gqlData(sim, FO_QUERY, { id: orderId })).order.fulfillmentOrders.nodes[0].lineItems.nodes[0].lineItem.id;
    const suggested = await gqlData(
      sim,
      `query($id: ID!, $items: [RefundLineItemInput!]) { order(id: $id) { suggestedRefund(refundLineItems: $items, refundShipping: true) {
        amountSet { shopMoney { amount } } subtotalSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } }
        shipping { amountSet { shopMoney { amount } } }
        suggestedTransactions { amountSet { shopMoney { amount } } gateway kind parentTransaction { id kind } } } } }`,
      { id: orderId, items: [{ lineItemId: lineId, quantity: 1, restockType: 'CANCEL' }] },
    );
    const s = suggested.order.suggestedRefund;
    // one mug 9.50 + half the 3.99 VAT (2.00, rounded) + shipping 5.00
    assert.equal(s.subtotalSet.shopMoney.amount, '9.50');
    assert.equal(s.totalTaxSet.shopMoney.amount, '2.00');
    assert.equal(s.shipping.amountSet.shopMoney.amount, '5.00');
    assert.equal(s.amountSet.shopMoney.amount, '16.50');
    const tx = s.suggestedTransactions[0];
    assert.equal(tx.kind, 'SUGGESTED_REFUND');
    assert.equal(tx.parentTransaction.kind, 'SALE');
    const refund = await gqlData(
      sim,
      `mutation($input: RefundInput!) { refundCreate(input: $input) @idempotent(key: "r-suggested") { refund { totalRefundedSet { shopMoney { amount } } } userErrors { message } } }`,
      {
        input: {
          orderId,
          refundLineItems: [{ lineItemId: lineId, quantity: 1, restockType: 'CANCEL' }],
          shipping: { fullRefund: true },
          transactions: [
            { orderId, parentId: tx.parentTransaction.id, amount: tx.amountSet.shopMoney.amount, gateway: tx.gateway, kind: 'REFUND' },
          ],
        },
      },
    );
    assert.deepEqual(refund.refundCreate.userErrors, []);
    assert.equal(refund.refundCreate.refund.totalRefundedSet.shopMoney.amount, '16.50');
    const over = await gqlData(
      sim,
      `mutation($input: RefundInput!) { refundCreate(input: $input) @idempotent(key: "r-over") { refund { id } userErrors { message } } }`,
      { input: { orderId, transactions: [{ orderId, amount: '100.00', gateway: 'bogus', kind: 'REFUND' }] } },
    );
    assert.match(over.refundCreate.userErrors[0].message, /exceeds the 11.49 available to refund/);
  });

  it('creates and processes a return with restock and a refund linked to it (Return.refunds, Refund.return, refunds/create)', async () => {
    const topics: string[] = [];
    const { sim, clock } = testSimulator({
      fetch: (_url, init) => {
        topics.push(init.headers['X-Shopify-Topic']!);
        return Promise.resolve({ status: 200 });
      },
    });
    await control(sim, 'post', '/webhooks/subscriptions', { topic: 'refunds/create', uri: 'https://receiver.example/hooks' });
    const orderId = await placedOrder(sim);
    const payment = (
      await gqlData(sim, `query($id: ID!) { order(id: $id) { transactions { id kind } } }`, { id: orderId })
    ).order.transactions.find((t: { kind: string }) => t.kind === 'SALE').id;
    const numeric = Number(orderId.split('/').pop());
    await control(sim, 'post', `/orders/${numeric}/fulfillments`, { tracking: { company: 'bpost', number: 'BP1' } });
    const returnable = await gqlData(
      sim,
      `query($id: ID!) { returnableFulfillments(orderId: $id, first: 5) { nodes { returnableFulfillmentLineItems(first: 5) { nodes { quantity fulfillmentLineItem { id } } } } } }`,
      { id: orderId },
    );
    const fli = returnable.returnableFulfillments.nodes[0].returnableFulfillmentLineItems.nodes[0];
    assert.equal(fli.quantity, 2);
    const created = await gqlData(
      sim,
      `mutation($input: ReturnInput!) { returnCreate(returnInput: $input) { return { id status returnLineItems(first: 5) { nodes { ... on ReturnLineItem { id quantity } } } reverseFulfillmentOrders(first: 1) { nodes { lineItems(first: 5) { nodes { id totalQuantity } } } } } userErrors { message } } }`,
      {
        input: {
          orderId,
          returnLineItems: [{ fulfillmentLineItemId: fli.fulfillmentLineItem.id, quantity: 1, returnReasonNote: 'too small' }],
        },
      },
    );
    const ret = created.returnCreate.return;
    assert.equal(ret.status, 'OPEN');
    const processWith = (parentId: string) =>
      gqlData(
        sim,
        `mutation($input: ReturnProcessInput!) { returnProcess(input: $input) { return { status } userErrors { field message } } }`,
        {
          input: {
            returnId: ret.id,
            returnLineItems: [
              {
                id: ret.returnLineItems.nodes[0].id,
                quantity: 1,
                dispositions: [
                  {
                    reverseFulfillmentOrderLineItemId: ret.reverseFulfillmentOrders.nodes[0].lineItems.nodes[0].id,
                    quantity: 1,
                    dispositionType: 'RESTOCKED',
                    locationId: 'gid://shopify/Location/101',
                  },
                ],
              },
            ],
            financialTransfer: {
              issueRefund: {
                orderTransactions: [{ parentId, transactionAmount: { amount: '9.50', currencyCode: 'EUR' } }],
              },
            },
            note: 'Odoo credit note RINV/1',
          },
        },
      );
    // The refund goes back to a payment of the order ("the transaction must be of kind CAPTURE or a SALE"): anything else is refused whole.
    const foreign = await processWith('gid://shopify/OrderTransaction/999999');
    assert.deepEqual(foreign.returnProcess.return, null);
    assert.deepEqual(foreign.returnProcess.userErrors[0].field, [
      'input',
      'financialTransfer',
      'issueRefund',
      'orderTransactions',
      '0',
      'parentId',
    ]);
    assert.equal(sim.state.refunds.length, 0);
    const processed = await processWith(payment);
    assert.deepEqual(processed.returnProcess, { return: { status: 'CLOSED' }, userErrors: [] });
    assert.equal(sim.state.refunds[0]!.returnId, Number(ret.id.split('/').pop()));
    // The refund is linked both ways, and is on the order with the note (what a read-back finds it by).
    const linked = await gqlData(
      sim,
      `query($id: ID!, $order: ID!) {
        return(id: $id) { refunds(first: 5) { nodes { id note return { id } totalRefundedSet { shopMoney { amount } } } } }
        order(id: $order) { refunds { id } }
      }`,
      { id: ret.id, order: orderId },
    );
    const [refund] = linked.return.refunds.nodes;
    assert.deepEqual(
      [refund.note, refund.return.id, refund.totalRefundedSet.shopMoney.amount],
      ['Odoo credit note RINV/1', ret.id, '9.50'],
    );
    assert.deepEqual(
      linked.order.refunds.map((r: { id: string }) => r.id),
      [refund.id],
    );
    await clock.advance(0);
    assert.deepEqual(topics, ['refunds/create']);
    const level = (await control(sim, 'get', '/inventory?locationId=101&sku=SIM-MUG')).body[0];
    assert.deepEqual([level.available, level.committed, level.on_hand], [9, 0, 9]);
  });
});

describe('sim Admin GraphQL: customers and webhook subscriptions', () => {
  it('creates, finds by email, upserts, updates and deletes customers', async () => {
    const { sim } = testSimulator();
    const created = await gqlData(
      sim,
      'mutation { customerCreate(input: { email: "grace@example.com", firstName: "Grace" }) { customer { id email } userErrors { message } } }',
    );
    const id = created.customerCreate.customer.id;
    const found = await gqlData(
      sim,
      '{ customers(first: 5, query: "email:grace@example.com") { nodes { id defaultEmailAddress { emailAddress } } } }',
    );
    assert.equal(found.customers.nodes[0].id, id);
    const set = await gqlData(
      sim,
      'mutation { customerSet(identifier: { email: "grace@example.com" }, input: { lastName: "Hopper" }) { customer { id lastName } userErrors { message } } }',
    );
    assert.deepEqual(set.customerSet.customer, { id, lastName: 'Hopper' });
    const taken = await gqlData(
      sim,
      'mutation { customerCreate(input: { email: "grace@example.com" }) { customer { id } userErrors { field message } } }',
    );
    assert.deepEqual(taken.customerCreate.userErrors, [{ field: ['email'], message: 'Email has already been taken' }]);
    const updated = await gqlData(sim, 'mutation($id: ID!) { customerUpdate(input: { id: $id, note: "vip" }) { customer { note } } }', {
      id,
    });
    assert.equal(updated.customerUpdate.customer.note, 'vip');
    const deleted = await gqlData(
      sim,
      'mutation($id: ID!) { customerDelete(input: { id: $id }) { deletedCustomerId userErrors { message } } }',
      { id },
    );
    assert.equal(deleted.customerDelete.deletedCustomerId, id);
  });

  it('manages webhook subscriptions through the API', async () => {
    const { sim } = testSimulator();
    const created = await gqlData(
      sim,
      'mutation { webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: { uri: "https://sidecar.example/webhooks", format: JSON }) { webhookSubscription { id topic uri } userErrors { message } } }',
    );
    const sub = created.webhookSubscriptionCreate.webhookSubscription;
    assert.equal(sub.topic, 'ORDERS_CREATE');
    const list = await gqlData(
      sim,
      '{ webhookSubscriptions(first: 10, topics: [ORDERS_CREATE]) { nodes { id uri endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } } } } }',
    );
    assert.deepEqual(list.webhookSubscriptions.nodes, [
      {
        id: sub.id,
        uri: 'https://sidecar.example/webhooks',
        endpoint: { __typename: 'WebhookHttpEndpoint', callbackUrl: 'https://sidecar.example/webhooks' },
      },
    ]);
    const dup = await gqlData(
      sim,
      'mutation { webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: { uri: "https://sidecar.example/webhooks" }) { userErrors { message } } }',
    );
    assert.equal(dup.webhookSubscriptionCreate.userErrors[0].message, 'Address for this topic has already been taken');
    const deleted = await gqlData(sim, 'mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId } }', {
      id: sub.id,
    });
    assert.equal(deleted.webhookSubscriptionDelete.deletedWebhookSubscriptionId, sub.id);
  });

  it('cannot subscribe to compliance topics through the API (no enum value)', async () => {
    const { sim } = testSimulator();
    const res = await gql(
      sim,
      'mutation { webhookSubscriptionCreate(topic: CUSTOMERS_REDACT, webhookSubscription: { uri: "https://x.example" }) { userErrors { message } } }',
    );
    assert.match(res.body.errors[0].message, /Value "CUSTOMERS_REDACT" does not exist in "WebhookSubscriptionTopic" enum/);
  });
});
