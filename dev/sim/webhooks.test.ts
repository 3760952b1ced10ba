import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { control, subscribe, testSimulator, webhookReceiver, SAMPLE_ORDER, SECRET, gqlData } from './test-support.js';
import type { FetchLike } from './webhooks.js';

/** Shopify's documented check, written independently of the simulator: base64 HMAC-SHA256 of the raw body. */
function shopifyVerify(rawBody: string, header: string | undefined, secret: string): boolean {
  if (!header) return false;
  const digest = crypto.createHmac('sha256', secret).update(Buffer.from(rawBody, 'utf8')).digest('base64');
  const a = Buffer.from(digest, 'base64');
  const b = Buffer.from(header, 'base64');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

describe('sim webhooks: delivery', () => {
  it('POSTs orders/create with Shopify headers and a body signed with the app secret', async () => {
    const receiver = await webhookReceiver();
    // Real clock and a real HTTP receiver: the delivery goes over the network.
    const { sim } = testSimulator({ clock: undefined });
    try {
      await subscribe(sim, 'ORDERS_CREATE', receiver.url);
      const order = await control(sim, 'post', '/orders', SAMPLE_ORDER);
      await sim.idle();
      assert.equal(receiver.received.length, 1);
      const [delivery] = receiver.received;
      const h = delivery!.headers;
      assert.equal(h['x-shopify-topic'], 'orders/create');
      assert.equal(h['x-shopify-shop-domain'], 'sim-shop.myshopify.com');
      assert.equal(h['x-shopify-api-version'], '2026-10');
      assert.match(String(h['x-shopify-webhook-id']), /^[0-9a-f-]{36}$/);
      assert.match(String(h['x-shopify-event-id']), /^[0-9a-f-]{36}$/);
      assert.ok(!Number.isNaN(Date.parse(String(h['x-shopify-triggered-at']))));
      assert.equal(h['content-type'], 'application/json');
      assert.ok(shopifyVerify(delivery!.raw, String(h['x-shopify-hmac-sha256']), SECRET), 'HMAC verifies with the app secret');
      assert.ok(!shopifyVerify(delivery!.raw, String(h['x-shopify-hmac-sha256']), 'another secret'));
      assert.ok(!shopifyVerify(delivery!.raw + ' ', String(h['x-shopify-hmac-sha256']), SECRET));
      assert.equal(delivery!.body.admin_graphql_api_id, order.body.admin_graphql_api_id);
      const log = await control(sim, 'get', '/webhooks/deliveries?topic=orders/create');
      assert.equal(log.body[0].status, 'delivered');
      assert.equal(log.body[0].attempts[0].status, 200);
    } finally {
      await receiver.close();
    }
  });

  it('gives two subscriptions to one topic different webhook ids and the same event id', async () => {
    const seen: Record<string, string>[] = [];
    const fetch: FetchLike = (_url, init) => (seen.push(init.headers), Promise.resolve({ status: 200 }));
    const { sim, clock } = testSimulator({ fetch });
    await subscribe(sim, 'ORDERS_CREATE', 'https://one.example/hooks');
    await subscribe(sim, 'ORDERS_CREATE', 'https://two.example/hooks');
    await control(sim, 'post', '/orders', SAMPLE_ORDER);
    await clock.advance(0);
    assert.equal(seen.length, 2);
    assert.notEqual(seen[0]!['X-Shopify-Webhook-Id'], seen[1]!['X-Shopify-Webhook-Id']);
    assert.equal(seen[0]!['X-Shopify-Event-Id'], seen[1]!['X-Shopify-Event-Id']);
  });

  it('narrows the body to includeFields', async () => {
    const bodies: string[] = [];
    const fetch: FetchLike = (_url, init) => (bodies.push(init.body), Promise.resolve({ status: 200 }));
    const { sim, clock } = testSimulator({ fetch });
    await gqlData(
      sim,
      'mutation { webhookSubscriptionCreate(topic: ORDERS_PAID, webhookSubscription: { uri: "https://x.example", includeFields: ["id", "updated_at", "financial_status"] }) { userErrors { message } } }',
    );
    await control(sim, 'post', '/orders', SAMPLE_ORDER);
    await clock.advance(0);
    assert.deepEqual(Object.keys(JSON.parse(bodies[0]!)), ['id', 'financial_status', 'updated_at']);
  });
});

describe('sim webhooks: filters and timeouts', () => {
  it('applies a subscription filter (Shopify search syntax) to the payload', async () => {
    const names: string[] = [];
    const fetch: FetchLike = (_url, init) => (names.push(JSON.parse(init.body).name), Promise.resolve({ status: 200 }));
    const { sim, clock } = testSimulator({ fetch });
    await gqlData(
      sim,
      'mutation { webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: { uri: "https://x.example", filter: "financial_status:pending AND line_items.sku:SIM-MUG" }) { userErrors { message } } }',
    );
    await control(sim, 'post', '/orders', SAMPLE_ORDER);
    await control(sim, 'post', '/orders', { ...SAMPLE_ORDER, financialStatus: 'pending' });
    await control(sim, 'post', '/orders', { ...SAMPLE_ORDER, financialStatus: 'pending', lines: [{ sku: 'SIM-TSHIRT-S', quantity: 1 }] });
    await clock.advance(0);
    assert.deepEqual(names, ['#1002']);
  });

  it('counts a receiver that does not answer within the timeout as a failure', async () => {
    const slow = await import('node:http').then((http) => {
      const server = http.createServer(() => undefined);
      return new Promise<{ url: string; close: () => Promise<void> }>((resolve) =>
        server.listen(0, '127.0.0.1', () => {
          const port = (server.address() as { port: number }).port;
          resolve({
            url: `http://127.0.0.1:${port}/`,
            close: () =>
              new Promise((r) => {
                server.closeAllConnections();
                server.close(() => r());
              }),
          });
        }),
      );
    });
    const { sim } = testSimulator({ clock: undefined, webhookTimeoutMs: 100, webhookRetryDelaysMs: [] });
    try {
      await subscribe(sim, 'ORDERS_CREATE', slow.url);
      await control(sim, 'post', '/orders', SAMPLE_ORDER);
      await sim.idle();
      assert.equal(sim.state.deliveries[0]!.status, 'failed');
      assert.equal(sim.state.deliveries[0]!.attempts[0]!.error, 'timeout');
    } finally {
      await slow.close();
    }
  });

  it('spreads the default 8 retries over 4 hours', async () => {
    const { SHOPIFY_RETRY_DELAYS_MS } = await import('./webhooks.js');
    assert.equal(SHOPIFY_RETRY_DELAYS_MS.length, 8);
    assert.equal(
      SHOPIFY_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0),
      4 * 3600_000,
    );
    assert.deepEqual(
      [...SHOPIFY_RETRY_DELAYS_MS].sort((a, b) => a - b),
      SHOPIFY_RETRY_DELAYS_MS,
      'growing',
    );
  });
});

describe('sim webhooks: delivery log', () => {
  it('keeps the log bounded, dropping the oldest finished deliveries first', async () => {
    const { sim, clock } = testSimulator({ fetch: () => Promise.resolve({ status: 200 }), maxDeliveriesKept: 3 });
    await subscribe(sim, 'ORDERS_CREATE', 'https://x.example');
    for (let i = 0; i < 5; i++) {
      await control(sim, 'post', '/orders', SAMPLE_ORDER);
      await clock.advance(0);
    }
    assert.deepEqual(
      sim.state.deliveries.map((d) => JSON.parse(d.body).name),
      ['#1003', '#1004', '#1005'],
    );
  });
});

describe('sim webhooks: retries and removal', () => {
  it('retries a failed delivery on the schedule with the original body, then succeeds', async () => {
    const attempts: { at: number; body: string; id: string }[] = [];
    let fail = 3;
    const { sim, clock } = testSimulator({
      fetch: (_url, init) => {
        attempts.push({ at: clock.now(), body: init.body, id: init.headers['X-Shopify-Webhook-Id']! });
        return Promise.resolve({ status: fail-- > 0 ? 500 : 200 });
      },
      webhookRetryDelaysMs: [1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000],
    });
    await subscribe(sim, 'ORDERS_CREATE', 'https://sidecar.example/hooks');
    const start = clock.now();
    await control(sim, 'post', '/orders', SAMPLE_ORDER);
    await control(sim, 'patch', `/orders/${sim.state.orders[0]!.id}/address`, { shippingAddress: { city: 'Ghent' } });
    await clock.advance(10_000);
    assert.deepEqual(
      attempts.map((a) => a.at - start),
      [0, 1000, 3000, 7000],
    );
    assert.equal(new Set(attempts.map((a) => a.body)).size, 1, 'retries carry the original payload');
    assert.equal(new Set(attempts.map((a) => a.id)).size, 1, 'and the same webhook id');
    assert.equal(sim.state.deliveries[0]!.status, 'delivered');
    assert.equal(sim.state.subscriptions[0]!.consecutiveFailures, 0);
  });

  it('deletes an API-created subscription after 8 consecutive failures', async () => {
    let calls = 0;
    const { sim, clock } = testSimulator({
      fetch: () => (calls++, Promise.resolve({ status: 503 })),
      webhookRetryDelaysMs: [10, 10, 10, 10, 10, 10, 10, 10],
    });
    await subscribe(sim, 'ORDERS_CREATE', 'https://down.example/hooks');
    await control(sim, 'post', '/orders', SAMPLE_ORDER);
    await clock.advance(1000);
    assert.equal(calls, 8);
    assert.equal(sim.state.subscriptions.length, 0);
    assert.equal(sim.state.deliveries[0]!.status, 'failed');
    const list = await gqlData(sim, '{ webhookSubscriptions(first: 5) { nodes { id } } }');
    assert.deepEqual(list.webhookSubscriptions.nodes, []);
  });

  it('counts failures across deliveries and resets the count on success', async () => {
    let status = 500;
    const { sim, clock } = testSimulator({ fetch: () => Promise.resolve({ status }), webhookRetryDelaysMs: [] });
    await subscribe(sim, 'ORDERS_CREATE', 'https://flaky.example/hooks');
    for (let i = 0; i < 7; i++) await control(sim, 'post', '/orders', SAMPLE_ORDER);
    await clock.advance(0);
    assert.equal(sim.state.subscriptions[0]!.consecutiveFailures, 7);
    status = 200;
    await control(sim, 'post', '/orders', SAMPLE_ORDER);
    await clock.advance(0);
    assert.equal(sim.state.subscriptions[0]!.consecutiveFailures, 0);
    assert.equal(sim.state.subscriptions.length, 1);
  });

  it('never removes an app-configured subscription (compliance topics)', async () => {
    let calls = 0;
    const { sim, clock } = testSimulator({
      fetch: () => (calls++, Promise.resolve({ status: 500 })),
      webhookRetryDelaysMs: [10, 10, 10, 10, 10, 10, 10, 10],
      appSubscriptions: [{ topic: 'shop/redact', uri: 'https://down.example/privacy' }],
    });
    await control(sim, 'post', '/privacy/shop-redact');
    await clock.advance(1000);
    assert.equal(calls, 9, 'first attempt and 8 retries');
    assert.equal(sim.state.subscriptions.length, 1);
    assert.equal(sim.state.deliveries[0]!.status, 'failed');
  });

  it('treats a redirect as a failure, as Shopify does', async () => {
    const { sim, clock } = testSimulator({ fetch: () => Promise.resolve({ status: 302 }), webhookRetryDelaysMs: [] });
    await subscribe(sim, 'ORDERS_CREATE', 'https://moved.example/hooks');
    await control(sim, 'post', '/orders', SAMPLE_ORDER);
    await clock.advance(0);
    assert.equal(sim.state.deliveries[0]!.status, 'failed');
    assert.equal(sim.state.deliveries[0]!.attempts[0]!.error, 'HTTP 302');
  });
});
