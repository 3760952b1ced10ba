import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { startStack, type Stack } from '../../dev/testing/stack.js';
import { webhookFixture } from '../../dev/testing/fixtures.js';
import { housekeepingSchedule } from './housekeeping.js';

describe('housekeeping', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack({ databaseUrl: await testDatabase('housekeeping_purge'), flows: [housekeepingSchedule] });
  });
  after(async () => {
    await stack?.stop();
  });

  it('purges webhook payloads past the retention period when its scheduled job runs', async () => {
    const body = webhookFixture('customers/create');
    const post = (id: string) =>
      fetch(`${stack.sidecarUrl}/webhooks/shopify`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': 'customers/create',
          'x-shopify-hmac-sha256': crypto.createHmac('sha256', stack.config.shopify.webhookSecrets[0]!).update(body).digest('base64'),
          'x-shopify-shop-domain': stack.config.shopify.shopDomain,
          'x-shopify-webhook-id': id,
        },
        body,
      });
    assert.equal((await post('hk-old')).status, 200);
    assert.equal((await post('hk-new')).status, 200);
    await stack.sidecar.pool.query(
      "UPDATE shopify_sync.webhook_inbox SET received_at = now() - interval '8 days' WHERE webhook_id = 'hk-old'",
    );
    // What the hourly schedule sends.
    await stack.sidecar.queue.send('webhooks.purge', {});
    const rows = await stack.waitFor('the old payload purged', async () => {
      const result = await stack.sidecar.pool.query(
        "SELECT webhook_id, payload IS NULL AS purged FROM shopify_sync.webhook_inbox WHERE webhook_id LIKE 'hk-%' ORDER BY webhook_id",
      );
      return result.rows[1]?.purged ? result.rows : undefined;
    });
    assert.deepEqual(rows, [
      { webhook_id: 'hk-new', purged: false },
      { webhook_id: 'hk-old', purged: true },
    ]);
  });
});
