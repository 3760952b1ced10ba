import assert from 'node:assert/strict';
import { orderGidOf } from './index.js';
import { updatedSinceQuery } from './pull.js';

describe('orders pull and job routing (pure parts)', () => {
  it('asks Shopify for orders updated at or after the instant, to the second, quoted', () => {
    assert.equal(updatedSinceQuery(new Date('2026-11-27T10:00:00.789Z')), "updated_at:>='2026-11-27T10:00:00Z'");
  });

  it('finds the order of a webhook, an outbox re-import, a pull, a resync and a repair job, and refuses a job without one', () => {
    const gid = 'gid://shopify/Order/450789469';
    assert.equal(orderGidOf({ source: 'webhook', topic: 'orders/edited', webhookId: 'w1', entityGid: gid, triggeredAt: null }), gid);
    assert.equal(
      orderGidOf({
        source: 'outbox',
        eventUuid: 'u1',
        type: 'order.reimport',
        model: 'sale.order',
        resId: 7,
        payload: { sale_order_id: 7, order_gid: gid },
        createdAt: '2026-11-27T10:00:00Z',
      }),
      gid,
    );
    assert.equal(orderGidOf({ source: 'pull', orderGid: gid, updatedAt: '2026-11-27T10:00:00Z' }), gid);
    assert.equal(orderGidOf({ source: 'resync', orderGid: gid }), gid);
    assert.equal(orderGidOf({ source: 'repair', orderGid: gid, reportId: 3 }), gid);
    assert.throws(
      () =>
        orderGidOf({
          source: 'outbox',
          eventUuid: 'u2',
          type: 'order.reimport',
          model: 'sale.order',
          resId: 7,
          payload: { sale_order_id: 7 },
          createdAt: '2026-11-27T10:00:00Z',
        }),
      (e: Error) => e.name === 'PermanentError' && e.message === 'orders: job without an order GID (outbox)',
    );
  });
});
