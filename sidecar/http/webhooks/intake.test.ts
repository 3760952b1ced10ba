import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import express from 'express';
import request from 'supertest';
import type pg from 'pg';
import { createPool } from '../../db/pool.js';
import { migrate } from '../../db/migrate.js';
import { createLogger } from '../../observability/logger.js';
import { MemoryTransport } from '../../../dev/testing/memory-transport.js';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { webhookFixture, webhookFixtures } from '../../../dev/testing/fixtures.js';
import { createWebhookRouter } from './intake.js';
import { purgeInbox, type EnqueueInTransaction } from '../../inbox/inbox.js';

const SECRET = 'webhook-secret-current';
const PREVIOUS = 'webhook-secret-previous';

/** Shopify's documented algorithm: base64(HMAC-SHA256(secret, raw body)), written independently of verify.ts. */
function shopifyHmac(secret: string, body: Buffer | string): string {
  return crypto.createHmac('sha256', secret).update(body).digest('base64');
}

/** The intake's clock: inbox rows are received at this instant, whatever the day the test runs. */
const NOW = Date.UTC(2026, 10, 27, 12);

describe('webhook intake', () => {
  let pool: pg.Pool;
  let memory: MemoryTransport;
  let failEnqueue = false;
  /** Every job the intake enqueued, as it sent it. */
  let enqueued: unknown[] = [];

  // The enqueue seam writes into a real table inside the intake's transaction.
  const enqueue: EnqueueInTransaction = async (client, job, route) => {
    if (failEnqueue) throw new Error('queue unavailable');
    enqueued.push(job);
    await client.query('INSERT INTO test_jobs (webhook_id, topic, entity_gid, queue, key) VALUES ($1, $2, $3, $4, $5)', [
      job.webhookId,
      job.topic,
      job.entityGid,
      route.queue,
      route.key,
    ]);
  };

  const apps = new Map<number, express.Express>();
  function app(maxBodyBytes = 64 * 1024) {
    const existing = apps.get(maxBodyBytes);
    if (existing) return existing;
    const server = express();
    apps.set(maxBodyBytes, server);
    const logger = createLogger({ transports: [memory], secrets: [SECRET, PREVIOUS] });
    server.use(
      createWebhookRouter({
        pool,
        shop: 'test-shop.myshopify.com',
        schema: 'app',
        secrets: [SECRET, PREVIOUS],
        maxBodyBytes,
        logger,
        clock: () => NOW,
        enqueue,
      }),
    );
    return server;
  }

  function post(body: Buffer | string, headers: Record<string, string>, maxBodyBytes?: number) {
    let req = request(app(maxBodyBytes)).post('/webhooks/shopify').set('content-type', 'application/json');
    for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
    // supertest JSON-encodes a Buffer when the content type is JSON: send the exact text instead.
    return req.send(Buffer.isBuffer(body) ? body.toString('utf8') : body);
  }

  function headersFor(body: Buffer | string, topic: string, webhookId: string, secret = SECRET): Record<string, string> {
    return {
      'X-Shopify-Topic': topic,
      'X-Shopify-Hmac-Sha256': shopifyHmac(secret, body),
      'X-Shopify-Shop-Domain': 'test-shop.myshopify.com',
      'X-Shopify-API-Version': '2026-10',
      'X-Shopify-Webhook-Id': webhookId,
      'X-Shopify-Event-Id': `evt-${webhookId}`,
      'X-Shopify-Triggered-At': '2026-11-27T10:00:00.000Z',
    };
  }

  async function counts(): Promise<{ inbox: number; jobs: number }> {
    const inbox = await pool.query('SELECT count(*)::int AS n FROM app.webhook_inbox');
    const jobs = await pool.query('SELECT count(*)::int AS n FROM test_jobs');
    return { inbox: inbox.rows[0].n, jobs: jobs.rows[0].n };
  }

  before(async () => {
    pool = createPool(await testDatabase('webhook_intake'), 10);
    await migrate(pool, 'app');
    await pool.query('CREATE TABLE test_jobs (webhook_id text, topic text, entity_gid text, queue text, key text)');
  });
  beforeEach(async () => {
    memory = new MemoryTransport();
    apps.clear();
    failEnqueue = false;
    enqueued = [];
    await pool.query('TRUNCATE app.webhook_inbox, test_jobs');
  });
  after(async () => pool.end());

  it("accepts a delivery signed with Shopify's algorithm, stores it and enqueues one job keyed by the order GID", async () => {
    const body = webhookFixture('orders/create');
    const res = await post(body, headersFor(body, 'orders/create', 'wh-1'));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { ok: true, outcome: 'queued' });
    const jobs = await pool.query('SELECT * FROM test_jobs');
    assert.deepEqual(jobs.rows, [
      {
        webhook_id: 'wh-1',
        topic: 'orders/create',
        entity_gid: 'gid://shopify/Order/820982911946154508',
        queue: 'orders',
        key: 'order:test-shop.myshopify.com:gid://shopify/Order/820982911946154508',
      },
    ]);
    const inbox = await pool.query("SELECT status, shop_domain, event_id, payload->>'name' AS name FROM app.webhook_inbox");
    assert.deepEqual(inbox.rows, [{ status: 'queued', shop_domain: 'test-shop.myshopify.com', event_id: 'evt-wh-1', name: '#9999' }]);
  });

  it("gives an order job the payload's currencies as a read hint: paid in the shop currency, or nothing", async () => {
    const shopCurrency = webhookFixture('orders/paid');
    const payload = JSON.parse(shopCurrency.toString('utf8')) as Record<string, unknown>;
    const otherCurrency = JSON.stringify({ ...payload, presentment_currency: 'EUR' });
    for (const [body, id] of [
      [shopCurrency, 'wh-hint-1'],
      [otherCurrency, 'wh-hint-2'],
    ] as const)
      assert.equal((await post(body, headersFor(body, 'orders/paid', id))).status, 200);
    assert.deepEqual(enqueued, [
      {
        source: 'webhook',
        topic: 'orders/paid',
        webhookId: 'wh-hint-1',
        entityGid: 'gid://shopify/Order/820982911946154508',
        triggeredAt: '2026-11-27T10:00:00.000Z',
        paidInShopCurrency: true,
      },
      {
        source: 'webhook',
        topic: 'orders/paid',
        webhookId: 'wh-hint-2',
        entityGid: 'gid://shopify/Order/820982911946154508',
        triggeredAt: '2026-11-27T10:00:00.000Z',
      },
    ]);
  });

  it('rejects a wrong HMAC with 401 and stores and enqueues nothing', async () => {
    const body = webhookFixture('orders/create');
    const res = await post(body, {
      ...headersFor(body, 'orders/create', 'wh-2'),
      'X-Shopify-Hmac-Sha256': shopifyHmac('some-other-secret', body),
    });
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_hmac');
    assert.deepEqual(await counts(), { inbox: 0, jobs: 0 });
  });

  it('rejects a missing HMAC with 401', async () => {
    const body = webhookFixture('orders/create');
    const headers = headersFor(body, 'orders/create', 'wh-3');
    delete headers['X-Shopify-Hmac-Sha256'];
    const res = await post(body, headers);
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'missing_hmac');
    assert.deepEqual(await counts(), { inbox: 0, jobs: 0 });
  });

  it('rejects a body signed over different bytes (re-serialised JSON) with 401', async () => {
    const body = webhookFixture('customers/create');
    const reserialised = JSON.stringify(JSON.parse(body.toString()));
    const res = await post(reserialised, headersFor(body, 'customers/create', 'wh-4'));
    assert.equal(res.status, 401);
  });

  it('accepts the previous secret during rotation', async () => {
    const body = webhookFixture('customers/update');
    const res = await post(body, headersFor(body, 'customers/update', 'wh-5', PREVIOUS));
    assert.equal(res.status, 200);
    assert.deepEqual(await counts(), { inbox: 1, jobs: 1 });
  });

  it('answers 413 for a body over the limit and stores nothing', async () => {
    const body = Buffer.from(JSON.stringify({ padding: 'x'.repeat(5000) }));
    const res = await post(body, headersFor(body, 'orders/create', 'wh-6'), 2048);
    assert.equal(res.status, 413);
    assert.equal(res.body.error, 'body_too_large');
    assert.deepEqual(await counts(), { inbox: 0, jobs: 0 });
  });

  it('keeps malformed JSON with a valid HMAC as an invalid row with its exact body, answers 200, logs the webhook id, enqueues nothing', async () => {
    const body = Buffer.from('{"id": 1, "broken": ');
    const res = await post(body, headersFor(body, 'orders/create', 'wh-7'));
    // Shopify signed it: refusing would only make it retry the same bytes until it deletes the subscription.
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { ok: true, outcome: 'invalid' });
    const jobs = await pool.query('SELECT count(*)::int AS n FROM test_jobs');
    assert.equal(jobs.rows[0].n, 0);
    const inbox = await pool.query('SELECT status, body FROM app.webhook_inbox WHERE webhook_id = $1', ['wh-7']);
    assert.deepEqual(inbox.rows, [{ status: 'invalid', body }]);
    assert.ok(memory.lines.some((l) => l.message === 'webhook rejected' && l.webhookId === 'wh-7' && l.reason === 'malformed_json'));
  });

  it('answers 400 when a required header is missing', async () => {
    const body = webhookFixture('orders/create');
    const headers = headersFor(body, 'orders/create', 'wh-8');
    delete headers['X-Shopify-Topic'];
    const res = await post(body, headers);
    assert.equal(res.status, 400);
    assert.equal(res.body.detail, 'x-shopify-topic header is missing');
  });

  it('acknowledges a duplicate webhook id with 200 and stores and enqueues it once, even when concurrent', async () => {
    const body = webhookFixture('orders/paid');
    const headers = headersFor(body, 'orders/paid', 'wh-dup');
    const results = await Promise.all([post(body, headers), post(body, headers), post(body, headers)]);
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200, 200],
    );
    assert.deepEqual(results.map((r) => r.body.outcome).sort(), ['duplicate', 'duplicate', 'queued']);
    assert.deepEqual(await counts(), { inbox: 1, jobs: 1 });
    const again = await post(body, headers);
    assert.equal(again.body.outcome, 'duplicate');
    assert.deepEqual(await counts(), { inbox: 1, jobs: 1 });
  });

  it('records an unknown topic with 200 and does not process it', async () => {
    const body = Buffer.from('{"id": 5}');
    const res = await post(body, headersFor(body, 'collections/create', 'wh-9'));
    assert.equal(res.status, 200);
    assert.equal(res.body.outcome, 'ignored');
    const inbox = await pool.query('SELECT status, reason FROM app.webhook_inbox');
    assert.deepEqual(inbox.rows, [{ status: 'ignored', reason: 'topic collections/create is not processed' }]);
    assert.equal((await counts()).jobs, 0);
  });

  it('records a processed topic whose payload lacks its entity id as invalid, without a job', async () => {
    const body = Buffer.from('{"name": "#1001"}');
    const res = await post(body, headersFor(body, 'orders/create', 'wh-noid'));
    assert.equal(res.status, 200);
    assert.equal(res.body.outcome, 'invalid');
    const inbox = await pool.query('SELECT status, reason FROM app.webhook_inbox');
    assert.deepEqual(inbox.rows, [{ status: 'invalid', reason: 'orders/create payload has no entity id' }]);
    assert.equal((await counts()).jobs, 0);
  });

  it('keeps IDs beyond 2^53 exact (refunds/create is keyed by its order id 820982911946154508)', async () => {
    const body = webhookFixture('refunds/create');
    await post(body, headersFor(body, 'refunds/create', 'wh-10'));
    const jobs = await pool.query('SELECT entity_gid, queue FROM test_jobs');
    assert.deepEqual(jobs.rows, [{ entity_gid: 'gid://shopify/Order/820982911946154508', queue: 'refunds' }]);
    const stored = await pool.query("SELECT payload->>'id' AS id FROM app.webhook_inbox");
    assert.equal(stored.rows[0].id, '890088186047892319');
  });

  it("stores nothing when the job cannot be enqueued, so Shopify's retry is not lost as a duplicate", async () => {
    const body = webhookFixture('orders/updated');
    failEnqueue = true;
    const res = await post(body, headersFor(body, 'orders/updated', 'wh-11'));
    assert.equal(res.status, 503);
    assert.deepEqual(await counts(), { inbox: 0, jobs: 0 });
    failEnqueue = false;
    const retry = await post(body, headersFor(body, 'orders/updated', 'wh-11'));
    assert.equal(retry.body.outcome, 'queued');
    assert.deepEqual(await counts(), { inbox: 1, jobs: 1 });
  });

  it("accepts every one of Shopify's published sample payloads as it is", async () => {
    const fixtures = webhookFixtures();
    assert.ok(fixtures.length >= 20, `expected the fixture set, found ${fixtures.length}`);
    for (const [i, fixture] of fixtures.entries()) {
      const res = await post(fixture.raw, headersFor(fixture.raw, fixture.topic, `fx-${i}`));
      assert.equal(res.status, 200, `${fixture.topic}: ${JSON.stringify(res.body)}`);
    }
    const routed = await pool.query('SELECT topic, entity_gid, key FROM test_jobs ORDER BY topic');
    const byTopic = Object.fromEntries(routed.rows.map((r) => [r.topic, r.key]));
    assert.equal(byTopic['customers/redact'], 'privacy:test-shop.myshopify.com:gid://shopify/Customer/191167');
    assert.equal(
      byTopic['inventory_levels/update'],
      'stock:gid://shopify/InventoryItem/271878346596884015:gid://shopify/Location/24826418',
    );
    assert.equal(byTopic['customers/delete'], 'customer:test-shop.myshopify.com:gid://shopify/Customer/706405506930370084');
    assert.equal(byTopic['returns/request'], 'return:test-shop.myshopify.com:gid://shopify/Order/4783296544821');
    assert.equal(byTopic['orders/edited'], 'order:test-shop.myshopify.com:gid://shopify/Order/820982911946154508');
    // Every fixture topic is routed except the ones the sidecar records without processing.
    const ignored = await pool.query("SELECT topic FROM app.webhook_inbox WHERE status <> 'queued' ORDER BY topic");
    assert.deepEqual(
      ignored.rows.map((r) => r.topic),
      ['app/uninstalled', 'order_transactions/create'],
    );
  });

  it('never logs the webhook secrets or payload personal data', async () => {
    const body = webhookFixture('customers/create');
    await post(body, headersFor(body, 'customers/create', 'wh-12'));
    await post(body, { ...headersFor(body, 'customers/create', 'wh-13'), 'X-Shopify-Hmac-Sha256': 'AAAA' });
    const text = JSON.stringify(memory.lines);
    assert.ok(memory.lines.length >= 2);
    for (const needle of [SECRET, PREVIOUS, 'bob@biller.com', 'Bob']) assert.ok(!text.includes(needle), `log contains ${needle}`);
  });

  it('purges payloads after the retention period but keeps the row for dedupe', async () => {
    const body = webhookFixture('customers/create');
    await post(body, headersFor(body, 'customers/create', 'wh-old'));
    await post(body, headersFor(body, 'customers/create', 'wh-new'));
    await pool.query("UPDATE app.webhook_inbox SET received_at = received_at - interval '8 days' WHERE webhook_id = 'wh-old'");
    const { rows: received } = await pool.query("SELECT received_at FROM app.webhook_inbox WHERE webhook_id = 'wh-new'");
    assert.equal((received[0].received_at as Date).getTime(), NOW, "rows are received at the intake clock's instant");
    assert.deepEqual(await purgeInbox(pool, 'app', 7, 30, NOW), { purged: 1, deleted: 0 });
    const rows = await pool.query(
      'SELECT webhook_id, payload IS NULL AND body IS NULL AS purged FROM app.webhook_inbox ORDER BY webhook_id',
    );
    assert.deepEqual(rows.rows, [
      { webhook_id: 'wh-new', purged: false },
      { webhook_id: 'wh-old', purged: true },
    ]);
  });

  it('refuses a delivery naming another shop with 403, stores nothing and logs it (the shop header is not signed)', async () => {
    const body = webhookFixture('orders/create');
    const res = await post(body, {
      ...headersFor(body, 'orders/create', 'wh-other-shop'),
      'X-Shopify-Shop-Domain': 'other-shop.myshopify.com',
    });
    assert.equal(res.status, 403);
    assert.equal(res.body.error, 'unknown_shop');
    assert.deepEqual(await counts(), { inbox: 0, jobs: 0 });
    const line = memory.lines.find((l) => l.message === 'webhook rejected' && l.reason === 'unknown_shop');
    assert.ok(line, 'the refusal is logged');
    // The configured shop in another case is the same shop.
    const upper = await post(body, {
      ...headersFor(body, 'orders/create', 'wh-upper-shop'),
      'X-Shopify-Shop-Domain': 'Test-Shop.myshopify.com',
    });
    assert.equal(upper.status, 200);
  });

  it('keeps the exact body of a delivery holding U+0000 and lone surrogates, and queues it', async () => {
    const order = JSON.parse(webhookFixture('orders/create').toString('utf8')) as Record<string, unknown>;
    const text = JSON.stringify({ ...order, note: 'a\u0000b', tags: 'x\ud800y' }).replace('a\\u0000b', 'a\\u0000b');
    assert.ok(text.includes('\\u0000') && text.includes('\\ud800'), 'the body carries the escapes as Shopify sends them');
    const res = await post(text, headersFor(text, 'orders/create', 'wh-nul'));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { ok: true, outcome: 'queued' });
    const { rows } = await pool.query(
      "SELECT status, body, payload->>'note' AS note, payload->>'tags' AS tags FROM app.webhook_inbox WHERE webhook_id = 'wh-nul'",
    );
    assert.equal(rows[0].status, 'queued');
    assert.ok(Buffer.from(text, 'utf8').equals(rows[0].body as Buffer), 'body holds the exact bytes');
    assert.equal(rows[0].note, 'a\uFFFDb');
    assert.equal(rows[0].tags, 'x\uFFFDy');
    assert.equal((await counts()).jobs, 1);
  });

  it('keeps a body nested deeper than the parser can read as an invalid row with its exact bytes, answered 200', async () => {
    const depth = 20_000;
    const text = `{"admin_graphql_api_id":"gid://shopify/Order/77","deep":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const res = await post(text, headersFor(text, 'orders/create', 'wh-deep'));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { ok: true, outcome: 'invalid' });
    const { rows } = await pool.query("SELECT status, length(body) AS bytes FROM app.webhook_inbox WHERE webhook_id = 'wh-deep'");
    assert.deepEqual(rows, [{ status: 'invalid', bytes: text.length }]);
  });
});
