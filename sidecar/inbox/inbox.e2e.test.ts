/**
 * Every inbox row ends: each routed topic (jobs.ts) delivered through the real webhook intake, with
 * Shopify's sample payload (dev/testing/fixtures/shopify-webhooks), on the whole stack with every
 * flow registered — real HTTP, HMAC, PostgreSQL, pg-boss, the simulator and the Odoo double. Each
 * row must end `processed`, `ignored` (with its reason) or `failed`, except the topics whose queue
 * no flow works yet, named below: those stay `queued`, their jobs waiting, and the list is checked
 * to be exactly the routed topics without a worker, so it can only shrink as flows are added.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { parse, stringify } from 'lossless-json';
import { webhookFixture } from '../../dev/testing/fixtures.js';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { startStack, type Stack } from '../../dev/testing/stack.js';
import { KEEP_ALIVE_TIMEOUT_MS } from '../app.js';
import { FLOWS } from '../flows/index.js';
import { WEBHOOK_TOPIC_QUEUES, WEBHOOK_TOPICS, type WebhookTopic } from '../jobs.js';

/**
 * Routed topics whose queue has no flow yet: none since the refunds, returns and privacy flows
 * landed. A topic added to jobs.ts without a flow fails the first test until it is listed here;
 * while any is listed, /readyz is red and an alert names its queue (the last test says so).
 */
const NO_FLOW_YET: readonly WebhookTopic[] = [];

type Payload = Record<string, unknown>;

/** Shopify's sample payload; returns/cancel, reopen and process have none, they take close's shape. */
function sampleOf(topic: WebhookTopic): Buffer {
  try {
    return webhookFixture(topic);
  } catch {
    return webhookFixture('returns/close');
  }
}
const RETURN_TOPICS = WEBHOOK_TOPICS.filter((t) => t.startsWith('returns/'));
/** A returns/* sample pointed at an order: nested (request, approve, decline) or by id (close). */
function aboutOrder(p: Payload, order: { id: number; admin_graphql_api_id: string }): void {
  if (typeof p.order === 'object' && p.order !== null)
    Object.assign(p.order, { id: order.id, admin_graphql_api_id: order.admin_graphql_api_id });
  else Object.assign(p, { order_id: order.id });
}

describe('webhook inbox: every routed topic ends processed, ignored or failed (whole stack)', function () {
  this.timeout(90_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack({ databaseUrl: await testDatabase('inbox_every_topic') });
    await stack.sidecar.workersStarted;
  });
  after(async () => {
    await stack?.stop();
  });

  async function deliver(topic: string, webhookId: string, payload: Payload): Promise<void> {
    const body = stringify(payload)!;
    const secret = stack.config.shopify.webhookSecrets[0]!;
    const response = await fetch(`${stack.sidecarUrl}/webhooks/shopify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-hmac-sha256': crypto.createHmac('sha256', secret).update(body).digest('base64'),
        'x-shopify-shop-domain': stack.config.shopify.shopDomain,
        'x-shopify-api-version': stack.config.shopify.apiVersion,
        'x-shopify-webhook-id': webhookId,
      },
      body,
    });
    const answer = (await response.json()) as { outcome?: string };
    assert.deepEqual({ status: response.status, outcome: answer.outcome }, { status: 200, outcome: 'queued' }, topic);
  }

  const rows = async () =>
    (
      await stack.sidecar.pool.query<{ webhook_id: string; topic: string; status: string; reason: string | null }>(
        "SELECT webhook_id, topic, status, reason FROM shopify_sync.webhook_inbox WHERE webhook_id LIKE 'every-%' ORDER BY webhook_id",
      )
    ).rows;

  it('names exactly the routed topics whose queue no registered flow works', () => {
    const worked = new Set(FLOWS.flatMap((flow) => flow.queues));
    assert.deepEqual(
      WEBHOOK_TOPICS.filter((topic) => !worked.has(WEBHOOK_TOPIC_QUEUES[topic])),
      NO_FLOW_YET,
    );
  });

  it('ends the row of every routed topic, and leaves only the topics without a flow queued', async () => {
    // Real entities where a flow re-reads them: an order Odoo can import, a customer Shopify has.
    await stack.simControl('POST', '/products', { title: 'Inbox mug', sku: 'INBOX-MUG', price: '9.50', stock: { '101': 5 } });
    await stack.merchant!.createProduct({ name: 'Inbox mug', price: '9.50', variants: [{ sku: 'INBOX-MUG' }] });
    const order = await stack.simControl<{ id: number; admin_graphql_api_id: string }>('POST', '/orders', {
      email: 'inbox@example.com',
      lines: [{ sku: 'INBOX-MUG', quantity: 1, price: '9.50' }],
    });
    const customer = await stack.simControl<{ id: number; admin_graphql_api_id: string }>('POST', '/customers', {
      email: 'inbox-customer@example.com',
      firstName: 'Inbox',
      lastName: 'Customer',
    });
    /** Points each sample payload at those entities (the rest of the payload is Shopify's sample). */
    const about: Partial<Record<WebhookTopic, (p: Payload) => void>> = {
      'orders/create': (p) => Object.assign(p, { id: order.id, admin_graphql_api_id: order.admin_graphql_api_id }),
      'orders/updated': (p) => Object.assign(p, { id: order.id, admin_graphql_api_id: order.admin_graphql_api_id }),
      'orders/cancelled': (p) => Object.assign(p, { id: order.id, admin_graphql_api_id: order.admin_graphql_api_id }),
      'orders/paid': (p) => Object.assign(p, { id: order.id, admin_graphql_api_id: order.admin_graphql_api_id }),
      'orders/edited': (p) => Object.assign(p.order_edit as Payload, { order_id: order.id }),
      'refunds/create': (p) => Object.assign(p, { order_id: order.id }),
      ...Object.fromEntries(RETURN_TOPICS.map((t) => [t, (p: Payload) => aboutOrder(p, order)])),
      'fulfillments/create': (p) => Object.assign(p, { order_id: order.id }),
      'fulfillments/update': (p) => Object.assign(p, { order_id: order.id }),
      'customers/create': (p) => Object.assign(p, { id: customer.id, admin_graphql_api_id: customer.admin_graphql_api_id }),
      'customers/update': (p) => Object.assign(p, { id: customer.id, admin_graphql_api_id: customer.admin_graphql_api_id }),
      'customers/delete': (p) => Object.assign(p, { id: customer.id, admin_graphql_api_id: customer.admin_graphql_api_id }),
      // Location 101 is mapped to an Odoo warehouse; the sample's inventory item is bound to nothing.
      'inventory_levels/update': (p) => Object.assign(p, { location_id: 101 }),
    };
    for (const [i, topic] of WEBHOOK_TOPICS.entries()) {
      const payload = parse(sampleOf(topic).toString('utf8')) as Payload;
      about[topic]?.(payload);
      // A deletion is acted on only once Shopify no longer has the customer; the create and update
      // before it are handled first, or their jobs would re-read a customer already gone.
      if (topic === 'customers/delete') {
        await stack.waitFor(
          'the customer rows before the deletion ended',
          async () =>
            (await rows()).every((r) => !['customers/create', 'customers/update'].includes(r.topic) || r.status !== 'queued') || undefined,
        );
        await stack.simControl('DELETE', `/customers/${customer.id}`);
      }
      await deliver(topic, `every-${String(i).padStart(2, '0')}`, payload);
    }
    // And an order Shopify does not have (the sample's own id): its job fails for good.
    await deliver('orders/create', 'every-unknown-order', parse(webhookFixture('orders/create').toString('utf8')) as Payload);

    const ended = await stack.waitFor(
      'every row of a topic with a flow ended',
      async () => {
        const all = await rows();
        return all.every((r) => r.status !== 'queued' || NO_FLOW_YET.includes(r.topic as WebhookTopic)) ? all : undefined;
      },
      60_000,
    );
    const byId = new Map(ended.map((r) => [r.webhook_id, r]));
    const status = (topic: WebhookTopic) => byId.get(`every-${String(WEBHOOK_TOPICS.indexOf(topic)).padStart(2, '0')}`)!;
    const expected: Record<WebhookTopic, string> = {
      'orders/create': 'processed',
      'orders/updated': 'processed',
      'orders/cancelled': 'processed',
      'orders/paid': 'processed',
      'orders/edited': 'processed',
      // The order has no refund nor return in Shopify: the re-read finds nothing to apply.
      'refunds/create': 'ignored',
      'returns/request': 'ignored',
      'returns/approve': 'ignored',
      'returns/decline': 'ignored',
      'returns/cancel': 'ignored',
      'returns/close': 'ignored',
      'returns/reopen': 'ignored',
      'returns/process': 'ignored',
      'fulfillments/create': 'ignored',
      'fulfillments/update': 'ignored',
      // Imported, then the same content again (the echo guard), then deleted (the partner is kept).
      'customers/create': 'processed',
      'customers/update': 'ignored',
      'customers/delete': 'processed',
      'products/create': 'ignored',
      'products/update': 'ignored',
      'inventory_levels/update': 'ignored',
      // Shopify's sample payloads: a customer and a shop Odoo does not know, nothing erased (docs/operations.md).
      'customers/redact': 'processed',
      'customers/data_request': 'processed',
      'shop/redact': 'ignored',
    };
    assert.deepEqual(Object.fromEntries(WEBHOOK_TOPICS.map((t) => [t, status(t).status])), expected);
    for (const topic of WEBHOOK_TOPICS) {
      if (status(topic).status === 'ignored') assert.ok(status(topic).reason, `${topic}: an ignored row says why`);
    }
    const unknown = byId.get('every-unknown-order')!;
    assert.equal(unknown.status, 'failed');
    assert.match(
      unknown.reason ?? '',
      /PermanentError: orders: order gid:\/\/shopify\/Order\/820982911946154508 does not exist in Shopify/,
    );

    // The rows left queued are waiting for a worker, not being worked.
    const stats = new Map((await stack.sidecar.queue.queueStats()).map((s) => [s.queue, s]));
    for (const queue of new Set(NO_FLOW_YET.map((t) => WEBHOOK_TOPIC_QUEUES[t]))) {
      const waiting = NO_FLOW_YET.filter((t) => WEBHOOK_TOPIC_QUEUES[t] === queue).length;
      assert.deepEqual({ queued: stats.get(queue)?.queued, active: stats.get(queue)?.active }, { queued: waiting, active: 0 }, queue);
    }
  });

  it('keeps an idle delivery connection open longer than a proxy does (Keep-Alive: timeout=65)', async () => {
    // Node's 5 s default let a client reuse a connection the server was closing: a reset, not an answer.
    const agent = new http.Agent({ keepAlive: true });
    const header = await new Promise<string | undefined>((resolve, reject) => {
      http
        .get(`${stack.sidecarUrl}/healthz`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers['keep-alive']?.toString()));
        })
        .on('error', reject);
    });
    agent.destroy();
    assert.equal(header, `timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
    assert.ok(KEEP_ALIVE_TIMEOUT_MS > 60_000, "longer than the common proxies' 60 s idle timeout");
  });

  it('is ready without an unworked_queue alert when every routed topic has a worker (red, naming the queues, while NO_FLOW_YET lists any)', async () => {
    // Data-driven on both sides: when the last flow lands, NO_FLOW_YET is empty and this expects green.
    const expected = [...new Set(NO_FLOW_YET.map((t) => WEBHOOK_TOPIC_QUEUES[t]))];
    assert.deepEqual(
      stack.sidecar.unworkedQueues.map((u) => u.queue),
      expected,
    );
    const res = await fetch(`${stack.sidecarUrl}/readyz`);
    const body = (await res.json()) as { ready: boolean; checks: Record<string, { ok: boolean; error?: string }> };
    assert.equal(body.checks.workers!.ok, expected.length === 0);
    for (const queue of expected) assert.match(body.checks.workers!.error ?? '', new RegExp(`\\b${queue} \\(webhooks `), queue);
    if (expected.length) assert.equal(res.status, 503);
    const round = await stack.sidecar.alerter.evaluate();
    assert.deepEqual(
      round.active.filter((a) => a.key.startsWith('unworked_queue:')).map((a) => a.key),
      expected.map((q) => `unworked_queue:${q}`),
    );
  });
});
