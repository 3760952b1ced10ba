/** The webhook part of the status snapshot from the subscriptions schedule's last check (pure). */
import assert from 'node:assert/strict';
import { WEBHOOK_TOPICS } from '../jobs.js';
import { managedTopics } from '../schedules/webhook-subscriptions/map.js';
import { webhooksFromCheck } from './status.js';

describe('status snapshot: webhooks', () => {
  it('counts subscribed topics (present, created, recreated) and names the missing ones', () => {
    const required = managedTopics(WEBHOOK_TOPICS);
    const [first, second, third, ...rest] = required;
    const check = {
      checkedAt: '2026-11-27T10:00:00Z',
      callbackUrl: 'https://sidecar.example/webhooks/shopify',
      apiVersion: '2026-10',
      ok: false,
      created: [{ topic: first!, id: 'gid://shopify/WebhookSubscription/1' }],
      recreated: [
        { topic: second!, previousId: 'gid://shopify/WebhookSubscription/2', id: 'gid://shopify/WebhookSubscription/3' },
        { topic: third!, previousId: 'gid://shopify/WebhookSubscription/4', id: null },
      ],
      replaced: [],
      present: rest.slice(1).map((topic, i) => ({ topic, id: `gid://shopify/WebhookSubscription/${10 + i}` })),
      foreign: [],
      warnings: [],
      errors: [],
    };
    assert.deepEqual(webhooksFromCheck(check), {
      callback_url: 'https://sidecar.example/webhooks/shopify',
      subscribed: required.length - 2,
      required: required.length,
      missing: [third!, rest[0]!],
    });
  });
});
