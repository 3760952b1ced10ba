import assert from 'node:assert/strict';
import type pg from 'pg';
import { createPool } from '../db/pool.js';
import { migrate } from '../db/migrate.js';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { createShopifyBudget } from './budget.js';
import { createShopifyClient, type ShopifyClientOptions } from './client.js';
import {
  ShopifyGraphQLError,
  ShopifyHttpError,
  ShopifyNetworkError,
  ShopifyTimeoutError,
  ShopifyUserErrors,
  type ShopifyError,
} from './errors.js';
import {
  fakeTime,
  recordingLogger,
  startFakeAdminApi,
  type FakeAdminApi,
  type FakeAdminApiOptions,
} from '../../dev/fakes/shopify-admin-api.js';
import { idempotencyKey } from './idempotency.js';
import type { OrderByIdQuery } from './generated/operations.js';

const TOKEN = 'shpat_client_test_token';

describe('shopify client: retries, errors and headers', () => {
  let pool: pg.Pool;
  let server: FakeAdminApi | undefined;
  let seq = 0;

  before(async () => {
    pool = createPool(await testDatabase('shopify_client'), 5);
    await migrate(pool, 'app');
  });
  after(async () => {
    await pool.end();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** A client on virtual time against a roomy bucket, so every wait seen is a retry wait. */
  async function setup(serverOptions: FakeAdminApiOptions = {}, clientOptions: Partial<ShopifyClientOptions> = {}) {
    const time = fakeTime();
    server = await startFakeAdminApi({ clock: time.clock, ...serverOptions });
    const shopDomain = `client-${++seq}.myshopify.com`;
    const budget = createShopifyBudget({ pool, schema: 'app', shopDomain, clock: time.clock, sleep: time.sleep });
    const logger = recordingLogger();
    const client = createShopifyClient({
      shopDomain,
      apiVersion: '2026-10',
      adminBaseUrl: server.url,
      auth: { kind: 'static', accessToken: TOKEN },
      requestTimeoutMs: 2000,
      maxRetries: 3,
      budget,
      logger,
      clock: time.clock,
      sleep: time.sleep,
      random: () => 0.5, // jitter factor 0.5 + 0.5 × 0.5 = 0.75 of the exponential step
      ...clientOptions,
    });
    return { time, client, logger, server: server };
  }

  async function rejection(promise: Promise<unknown>): Promise<ShopifyError> {
    try {
      await promise;
    } catch (error) {
      return error as ShopifyError;
    }
    assert.fail('expected a rejection');
  }

  it('sends to adminBaseUrl/admin/api/{version}/graphql.json with the access token and returns data', async () => {
    const { client, server } = await setup({ responders: { Shop: () => ({ shop: { name: 'Acme' } }) } });
    assert.deepEqual(await client.request('Shop', undefined, { lane: 'orders' }), { shop: { name: 'Acme' } });
    const [sent] = server.graphqlRequests();
    assert.equal(sent?.path, '/admin/api/2026-10/graphql.json');
    assert.equal(sent?.headers['x-shopify-access-token'], TOKEN);
    assert.equal(sent?.operationName, 'Shop');
    assert.ok(Object.isFrozen(client));
  });

  it('retries 5xx answers with exponential backoff and jitter, then returns the data', async () => {
    const { client, time, server } = await setup({ responders: { Shop: () => ({ shop: { name: 'Acme' } }) } });
    server.faults.push({ status: 503 }, { status: 500 }, { status: 502 });
    assert.deepEqual(await client.request('Shop', undefined, { lane: 'orders' }), { shop: { name: 'Acme' } });
    // 500 ms × 2^(n−1) × 0.75
    assert.deepEqual(time.sleeps, [375, 750, 1500]);
    assert.equal(server.graphqlRequests().length, 4);
  });

  it('caps the backoff and gives up after maxRetries with a retryable ShopifyHttpError carrying status and request id', async () => {
    const { client, time, server } = await setup({}, { maxRetries: 4, backoff: { baseMs: 1000, capMs: 2000 } });
    for (let i = 0; i < 5; i++) server.faults.push({ status: 503, headers: { 'X-Request-Id': `req-503-${i}` } });
    const error = await rejection(client.request('Shop', undefined, { lane: 'orders' }));
    assert.ok(error instanceof ShopifyHttpError);
    assert.equal(error.status, 503);
    assert.equal(error.requestId, 'req-503-4');
    assert.equal(error.attempts, 5);
    assert.equal(error.retryable, true);
    assert.equal(error.permanent, false);
    assert.equal(error.message, 'Shopify Shop failed with HTTP 503');
    assert.deepEqual(time.sleeps, [750, 1500, 1500, 1500]);
    assert.equal(server.graphqlRequests().length, 5);
  });

  it('honours Retry-After on 429 (in seconds), and backs off when the header is absent', async () => {
    const { client, time, server } = await setup();
    server.faults.push(
      { status: 429, headers: { 'Retry-After': '2' } },
      { status: 429 },
      { status: 429, headers: { 'Retry-After': '0.5' } },
    );
    await client.request('Shop', undefined, { lane: 'orders' });
    assert.deepEqual(time.sleeps, [2000, 750, 500]);
    assert.equal(server.graphqlRequests().length, 4);
  });

  it('retries a dropped connection and timeouts, then gives up with ShopifyTimeoutError', async () => {
    const { client, time, server } = await setup({}, { requestTimeoutMs: 150 });
    server.faults.push({ drop: true }, { hang: true }, { hang: true }, { hang: true });
    const error = await rejection(client.request('Shop', undefined, { lane: 'orders' }));
    assert.ok(error instanceof ShopifyTimeoutError, String(error));
    assert.equal(error.message, 'Shopify Shop timed out after 150 ms');
    assert.equal(error.retryable, true);
    assert.equal(error.attempts, 4);
    assert.deepEqual(time.sleeps, [375, 750, 1500]);
  });

  it('reports a dropped connection as a ShopifyNetworkError', async () => {
    const { client, server } = await setup({}, { maxRetries: 0 });
    server.faults.push({ drop: true });
    const error = await rejection(client.request('Shop', undefined, { lane: 'orders' }));
    assert.ok(error instanceof ShopifyNetworkError, String(error));
    assert.equal(error.retryable, true);
  });

  it('types a request by operation name: its variables and result come from the generated document types', async () => {
    const order = { id: 'gid://shopify/Order/1', name: '#1001' };
    const { client, server } = await setup({ responders: { OrderById: () => ({ order }) } });
    const data: OrderByIdQuery = await client.request('OrderById', { id: order.id }, { lane: 'orders' });
    assert.deepEqual(data, { order });
    assert.deepEqual(server.graphqlRequests()[0]!.variables, { id: order.id });
    // What the compiler refuses (make typecheck): the calls are never made.
    const refused = () => [
      // @ts-expect-error -- OrderById declares $id, not $orderId
      client.request('OrderById', { orderId: order.id }, { lane: 'orders' }),
      // @ts-expect-error -- $id is required
      client.request('OrderById', undefined, { lane: 'orders' }),
      // @ts-expect-error -- an id is a string on the wire, never a number
      client.request('OrderById', { id: 450789469 }, { lane: 'orders' }),
      // @ts-expect-error -- the result is typed: OrderFields selects no totalWeight
      data.order?.totalWeight,
      // @ts-expect-error -- GraphQL text is no document name: only the documents of ./graphql are sent
      client.request('query { shop { name } }', undefined, { lane: 'orders' }),
      // @ts-expect-error -- a result type is not the caller's to state: it comes from the document
      client.request<{ shop: { name: string } }>('Shop', undefined, { lane: 'orders' }),
    ];
    assert.equal(typeof refused, 'function');
  });

  it('does not repeat an unkeyed mutation that timed out, and says it may have executed', async () => {
    const { client, time, server } = await setup({}, { requestTimeoutMs: 150 });
    server.faults.push({ hang: true });
    const variables = { fulfillment: { lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: 'gid://shopify/FulfillmentOrder/1' }] } };
    const error = await rejection(client.request('FulfillmentCreate', variables, { lane: 'fulfillments' }));
    assert.ok(error instanceof ShopifyTimeoutError);
    assert.equal(error.mayHaveExecuted, true);
    assert.equal(error.attempts, 1);
    assert.deepEqual(time.sleeps, []);
    assert.equal(server.graphqlRequests().length, 1);
  });

  it('turns mutation userErrors into a permanent ShopifyUserErrors with field paths and messages, without retrying', async () => {
    const { client, server } = await setup({
      responders: {
        CustomerUpdate: () => ({
          customerUpdate: { customer: null, userErrors: [{ field: ['input', 'email'], message: 'Email has already been taken' }] },
        }),
      },
    });
    const error = await rejection(
      client.request('CustomerUpdate', { input: { id: 'gid://shopify/Customer/1' } }, { lane: 'orders', retrySafe: true }),
    );
    assert.ok(error instanceof ShopifyUserErrors);
    assert.equal(error.permanent, true);
    assert.equal(error.retryable, false);
    assert.equal(error.mutation, 'customerUpdate');
    assert.deepEqual(error.userErrors, [{ field: ['input', 'email'], message: 'Email has already been taken', code: null }]);
    assert.equal(error.message, 'Shopify customerUpdate rejected the input: input.email: Email has already been taken');
    assert.equal(server.graphqlRequests().length, 1);
  });

  it('marks a stale changeFromQuantity as retryable, for the flow to re-read and try again', async () => {
    const { client } = await setup({
      responders: {
        InventorySetQuantities: () => ({
          inventorySetQuantities: {
            inventoryAdjustmentGroup: null,
            userErrors: [
              { field: ['input', 'quantities', '0', 'changeFromQuantity'], message: 'stale', code: 'CHANGE_FROM_QUANTITY_STALE' },
            ],
          },
        }),
      },
    });
    const error = await rejection(
      client.request(
        'InventorySetQuantities',
        { input: { name: 'on_hand', reason: 'correction', quantities: [] } },
        { lane: 'inventory', idempotencyKey: 'k-1' },
      ),
    );
    assert.ok(error instanceof ShopifyUserErrors);
    assert.deepEqual(error.codes, ['CHANGE_FROM_QUANTITY_STALE']);
    assert.equal(error.retryable, true);
  });

  it('treats GraphQL errors other than THROTTLED as permanent', async () => {
    const { client, server } = await setup();
    server.faults.push({
      status: 200,
      body: { errors: [{ message: "Field 'bogus' doesn't exist on type 'Shop'", extensions: { code: 'undefinedField' } }] },
    });
    const error = await rejection(client.request('Shop', undefined, { lane: 'orders' }));
    assert.ok(error instanceof ShopifyGraphQLError);
    assert.equal(error.permanent, true);
    assert.deepEqual(error.codes, ['undefinedField']);
    assert.equal(server.graphqlRequests().length, 1);
  });

  it('counts X-Shopify-API-Deprecated-Reason headers and logs each distinct reason once', async () => {
    const { client, server, logger } = await setup();
    const answer = (reason: string) => ({
      status: 200,
      headers: { 'X-Shopify-API-Deprecated-Reason': reason },
      body: { data: { shop: { name: 'Acme' } } },
    });
    const a = 'https://shopify.dev/api/usage/versioning#deprecation-practices Customer.email';
    const b = 'https://shopify.dev/api/usage/versioning#deprecation-practices InventoryItem.variant';
    server.faults.push(answer(a), answer(a), answer(b));
    for (let i = 0; i < 3; i++) await client.request('Shop', undefined, { lane: 'orders' });
    assert.deepEqual(client.deprecations(), { total: 3, byReason: { [a]: 2, [b]: 1 } });
    const warnings = logger.lines.filter((l) => l.message === 'shopify: deprecated API use');
    assert.deepEqual(
      warnings.map((w) => w.meta?.deprecationReason),
      [a, b],
    );
  });

  it('sends @idempotent with the deterministic key and reuses the same key on retry', async () => {
    const { client, server, time } = await setup({
      responders: {
        InventorySetQuantities: () => ({
          inventorySetQuantities: { inventoryAdjustmentGroup: { id: 'gid://shopify/InventoryAdjustmentGroup/1' }, userErrors: [] },
        }),
      },
    });
    const key = idempotencyKey({
      flow: 'inventory',
      entity: 'gid://shopify/InventoryItem/7@gid://shopify/Location/1',
      version: 'outbox-42',
    });
    const input = {
      name: 'on_hand',
      reason: 'correction',
      referenceDocumentUri: 'gid://odoo-sync/StockQuant/42',
      quantities: [
        { inventoryItemId: 'gid://shopify/InventoryItem/7', locationId: 'gid://shopify/Location/1', quantity: 5, changeFromQuantity: 3 },
      ],
    };
    server.faults.push({ status: 503 });
    await client.request('InventorySetQuantities', { input }, { lane: 'inventory', idempotencyKey: key });
    const sent = server.graphqlRequests();
    assert.equal(sent.length, 2, 'a keyed mutation is safe to retry after a 5xx');
    assert.deepEqual(time.sleeps, [375]);
    for (const request of sent) {
      assert.match(request.query, /inventorySetQuantities\(input: \$input\) @idempotent\(key: \$idempotencyKey\)/);
      assert.deepEqual(request.variables, { input, idempotencyKey: key });
    }
  });

  it('refuses a mutation that needs @idempotent without a key, and a key where it protects nothing, sending neither', async () => {
    const { client, server } = await setup();
    const input = { name: 'on_hand', reason: 'correction', quantities: [] };
    const error = await rejection(client.request('InventorySetQuantities', { input }, { lane: 'inventory' }));
    assert.ok(error instanceof ShopifyGraphQLError);
    assert.deepEqual(error.codes, ['IDEMPOTENCY_KEY_MISSING']);
    assert.equal(error.permanent, true);
    await assert.rejects(
      client.request(
        'FulfillmentCreate',
        { fulfillment: { lineItemsByFulfillmentOrder: [] } },
        { lane: 'fulfillments', idempotencyKey: 'key-0' },
      ),
      /FulfillmentCreate does not use @idempotent; resolve timeouts by reading back/,
    );
    assert.equal(server.graphqlRequests().length, 0);
  });
});
