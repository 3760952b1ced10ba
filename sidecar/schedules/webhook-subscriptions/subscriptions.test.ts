/**
 * Webhook subscriptions end to end: the sidecar against the simulator's Admin API, real
 * PostgreSQL and pg-boss (the scheduled queue), over real HTTP.
 */
import assert from 'node:assert/strict';
import { WEBHOOK_TOPICS } from '../../jobs.js';
import { keys } from '../../queue/names.js';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { startStack, type Stack } from '../../../dev/testing/stack.js';
import { SUBSCRIPTIONS_QUEUE, type SubscriptionCheckResult } from './index.js';
import { COMPLIANCE_TOPICS, topicToEnum } from './map.js';

interface SimSubscription {
  id: number;
  topic: string;
  uri: string;
  source: 'api' | 'app';
}

describe('webhook subscriptions (simulator, PostgreSQL, scheduled check)', () => {
  let stack: Stack;
  let callback: string;
  const managed = WEBHOOK_TOPICS.filter((t) => !COMPLIANCE_TOPICS.includes(t));

  before(async () => {
    stack = await startStack({
      databaseUrl: await testDatabase('flow_webhook_subscriptions'),
      flows: [],
      env: { WEBHOOK_SUBSCRIPTIONS_MANAGE: 'true' },
    });
    callback = `${stack.sidecarUrl}/webhooks/shopify`;
  });
  after(async () => {
    await stack?.stop();
  });

  const subscriptions = () => stack.simControl<SimSubscription[]>('GET', '/webhooks/subscriptions');

  async function apiSubscribe(topic: string, uri: string): Promise<void> {
    const res = await fetch(`${stack.simUrl}/admin/api/2026-10/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': 'shpat_e2e_access_token' },
      body: JSON.stringify({
        query:
          'mutation($t: WebhookSubscriptionTopic!, $s: WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: $t, webhookSubscription: $s) { userErrors { message } } }',
        variables: { t: topicToEnum(topic), s: { uri, format: 'JSON' } },
      }),
    });
    const body = (await res.json()) as { data?: { webhookSubscriptionCreate: { userErrors: unknown[] } } };
    assert.deepEqual(body.data?.webhookSubscriptionCreate.userErrors, []);
  }

  /** Runs the check through its scheduled queue (as the cron tick would) and waits for its result. */
  async function scheduledCheck(): Promise<SubscriptionCheckResult> {
    const before = (await stack.sidecar.subscriptions.lastCheck())?.checkedAt;
    await stack.sidecar.queue.send(SUBSCRIPTIONS_QUEUE, {}, { key: keys.scheduled(SUBSCRIPTIONS_QUEUE) });
    return stack.waitFor('a new subscription check', async () => {
      const last = await stack.sidecar.subscriptions.lastCheck();
      return last && last.checkedAt !== before ? last : undefined;
    });
  }

  it('subscribes every processed topic at PUBLIC_URL on start, and reports the compliance topics as configuration warnings', async () => {
    const subs = await subscriptions();
    assert.deepEqual(subs.map((s) => s.topic).sort(), managed.map(topicToEnum).sort());
    assert.ok(
      subs.every((s) => s.uri === callback && s.source === 'api'),
      JSON.stringify(subs),
    );
    const last = await stack.sidecar.subscriptions.lastCheck();
    assert.ok(last?.ok);
    assert.equal(last.created.length, managed.length);
    assert.deepEqual(last.recreated, []);
    assert.deepEqual(
      last.warnings.map((w) => w.slice(0, w.indexOf(':'))),
      ['customers/redact', 'customers/data_request', 'shop/redact'],
    );
    // Deliveries reach the sidecar: an order placed in Shopify lands in the inbox.
    await stack.simControl('POST', '/products', { title: 'Mug', sku: 'SUB-MUG', price: '9.50' });
    await stack.simControl('POST', '/orders', { email: 'ada@example.com', lines: [{ sku: 'SUB-MUG', quantity: 1 }] });
    await stack.waitFor('orders/create in the inbox', async () => {
      const { rows } = await stack.sidecar.pool.query("SELECT 1 FROM shopify_sync.webhook_inbox WHERE topic = 'orders/create'");
      return rows.length > 0;
    });
  });

  it('recreates a subscription Shopify deleted, and reports it as an error', async () => {
    const paid = (await subscriptions()).find((s) => s.topic === 'ORDERS_PAID')!;
    // What Shopify does after 8 failed deliveries to an API-created subscription.
    await stack.simControl('DELETE', `/webhooks/subscriptions/${paid.id}`);
    const result = await scheduledCheck();
    assert.equal(result.recreated.length, 1);
    assert.equal(result.recreated[0]!.topic, 'orders/paid');
    assert.equal(result.recreated[0]!.previousId, `gid://shopify/WebhookSubscription/${paid.id}`);
    assert.deepEqual(result.created, []);
    const again = (await subscriptions()).filter((s) => s.topic === 'ORDERS_PAID');
    assert.equal(again.length, 1);
    assert.equal(again[0]!.uri, callback);
    assert.notEqual(again[0]!.id, paid.id);
    const logged = stack.logs.lines.find((e) => e.message === 'webhook subscription was deleted and has been recreated');
    assert.equal(logged?.level, 'error');
    assert.equal(logged?.topic, 'orders/paid');
  });

  it('leaves foreign subscriptions alone and moves ours from an old PUBLIC_URL to the current one', async () => {
    await apiSubscribe('orders/create', 'http://127.0.0.1:9/erp-other/hooks');
    await apiSubscribe('orders/cancelled', 'http://old-sidecar.example.com/webhooks/shopify');
    const result = await scheduledCheck();
    assert.deepEqual(result.replaced, [{ topic: 'ORDERS_CANCELLED', uri: 'http://old-sidecar.example.com/webhooks/shopify' }]);
    assert.deepEqual(
      result.foreign.map((f) => [f.topic, f.uri]),
      [['ORDERS_CREATE', 'http://127.0.0.1:9/erp-other/hooks']],
    );
    assert.deepEqual(result.created, []);
    const subs = await subscriptions();
    assert.ok(
      subs.some((s) => s.uri === 'http://127.0.0.1:9/erp-other/hooks'),
      'the foreign subscription is still there',
    );
    assert.ok(!subs.some((s) => s.uri.startsWith('http://old-sidecar.example.com')), 'ours at the old address is gone');
    assert.deepEqual(
      subs
        .filter((s) => s.uri === callback)
        .map((s) => s.topic)
        .sort(),
      managed.map(topicToEnum).sort(),
    );
  });
});
