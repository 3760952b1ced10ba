import assert from 'node:assert/strict';
import { WEBHOOK_TOPICS } from '../../jobs.js';
import { isWebhookSubscriptionTopic } from '../../shopify/enums.js';
import { deletedSince, isOurs, managedTopics, planSubscriptions, topicToEnum } from './map.js';

const URL_NOW = 'https://sync.example.com/webhooks/shopify';
const base = { callbackUrl: URL_NOW, apiVersion: '2026-10' };

describe('webhook subscription plan', () => {
  it('turns REST topics into WebhookSubscriptionTopic values', () => {
    assert.deepEqual(['orders/create', 'inventory_levels/update', 'returns/approve'].map(topicToEnum), [
      'ORDERS_CREATE',
      'INVENTORY_LEVELS_UPDATE',
      'RETURNS_APPROVE',
    ]);
  });

  it('has a WebhookSubscriptionTopic value of the pinned API for every processed topic it subscribes', () => {
    assert.deepEqual(
      managedTopics(WEBHOOK_TOPICS).filter((topic) => !isWebhookSubscriptionTopic(topicToEnum(topic))),
      [],
    );
  });

  it('never manages the compliance topics and warns about each of them', () => {
    assert.deepEqual(managedTopics(['orders/create', 'customers/redact', 'customers/data_request', 'shop/redact']), ['orders/create']);
    const plan = planSubscriptions({ ...base, topics: ['orders/create', 'shop/redact'], existing: [] });
    assert.deepEqual(plan.create, ['orders/create']);
    assert.equal(plan.warnings.length, 1);
    assert.match(plan.warnings[0]!, /^shop\/redact: compliance topic; Shopify accepts it only in the app configuration/);
  });

  it('recognises ours by the callback path, whatever the host', () => {
    const table: Array<[string, boolean]> = [
      [URL_NOW, true],
      ['https://old.example.com/webhooks/shopify', true],
      ['https://old.example.com/webhooks/shopify/', true],
      ['https://other-app.example.com/hooks', false],
      ['pubsub://project:topic', false],
      ['not a url', false],
    ];
    for (const [uri, ours] of table) assert.equal(isOurs(uri, URL_NOW), ours, uri);
  });

  it('creates the missing, keeps the present, replaces ours at an old address and leaves foreign ones', () => {
    const plan = planSubscriptions({
      ...base,
      topics: ['orders/create', 'orders/paid', 'customers/update'],
      existing: [
        { id: 'gid://shopify/WebhookSubscription/1', topic: 'ORDERS_CREATE', uri: URL_NOW },
        { id: 'gid://shopify/WebhookSubscription/2', topic: 'ORDERS_PAID', uri: 'https://old.example.com/webhooks/shopify' },
        { id: 'gid://shopify/WebhookSubscription/3', topic: 'ORDERS_PAID', uri: 'https://erp-other.example.com/shopify' },
        { id: 'gid://shopify/WebhookSubscription/4', topic: 'APP_UNINSTALLED', uri: URL_NOW },
      ],
    });
    assert.deepEqual(plan.create, ['orders/paid', 'customers/update']);
    assert.deepEqual(plan.present, [{ topic: 'orders/create', id: 'gid://shopify/WebhookSubscription/1' }]);
    assert.deepEqual(plan.remove, [
      { id: 'gid://shopify/WebhookSubscription/2', topic: 'ORDERS_PAID', uri: 'https://old.example.com/webhooks/shopify' },
    ]);
    assert.deepEqual(plan.foreign, [
      { id: 'gid://shopify/WebhookSubscription/3', topic: 'ORDERS_PAID', uri: 'https://erp-other.example.com/shopify' },
    ]);
    assert.deepEqual(plan.warnings, [
      `APP_UNINSTALLED: subscribed at ${URL_NOW} but the sidecar does not process it (deliveries are recorded as ignored)`,
    ]);
  });

  it('warns about narrowed payloads, filters and a webhook API version other than the pinned one', () => {
    const plan = planSubscriptions({
      ...base,
      topics: ['orders/create'],
      existing: [
        {
          id: 'S1',
          topic: 'ORDERS_CREATE',
          uri: URL_NOW,
          includeFields: ['id'],
          filter: 'financial_status:paid',
          apiVersion: { handle: '2026-07' },
        },
      ],
    });
    assert.deepEqual(plan.create, []);
    assert.deepEqual(plan.warnings, [
      'orders/create: subscription S1 narrows payloads with includeFields; the sidecar expects full payloads',
      'orders/create: subscription S1 has a filter (financial_status:paid); events it filters out are seen only by the pull',
      "orders/create: deliveries are serialized with API 2026-07, the sidecar is pinned to 2026-10; set the app's webhook API version to 2026-10",
    ]);
  });

  it('names the subscriptions seen before that are gone now', () => {
    const plan = planSubscriptions({
      ...base,
      topics: ['orders/create', 'orders/paid'],
      existing: [{ id: 'S1', topic: 'ORDERS_CREATE', uri: URL_NOW }],
    });
    assert.deepEqual(
      deletedSince(
        [
          { topic: 'orders/create', id: 'S1' },
          { topic: 'orders/paid', id: 'S2' },
        ],
        plan,
      ),
      [{ topic: 'orders/paid', id: 'S2' }],
    );
    assert.deepEqual(deletedSince([], plan), []);
  });
});
