/** What a failure report says a dead-lettered job was about, from the job alone (pure). */
import assert from 'node:assert/strict';
import type { AnyJob } from '../jobs.js';
import { failureReport, subjectOfJob } from './failure-report.js';

const ORDER = 'gid://shopify/Order/450789469';

describe('failure reports', () => {
  it('names the Odoo record of an outbox job and the Shopify ID of a webhook, a pull or a repair', () => {
    const cases: Array<[string, AnyJob, ReturnType<typeof subjectOfJob>]> = [
      [
        'a delivery of an order',
        {
          source: 'outbox',
          eventUuid: 'e1',
          type: 'delivery.done',
          model: 'stock.picking',
          resId: 12,
          payload: { order_gid: ORDER },
          createdAt: '2026-11-27T10:00:00Z',
        },
        { res_model: 'stock.picking', res_id: 12, shopify_gid: ORDER },
      ],
      [
        'a re-import asked from an Errors row (no Odoo record yet)',
        {
          source: 'outbox',
          eventUuid: 'e2',
          type: 'order.reimport',
          model: 'shopify.sync.failure',
          resId: 3,
          payload: { order_gid: ORDER },
          createdAt: '2026-11-27T10:00:00Z',
        },
        { shopify_gid: ORDER },
      ],
      [
        'a webhook',
        { source: 'webhook', topic: 'orders/create', webhookId: 'w', entityGid: ORDER, triggeredAt: null },
        { shopify_gid: ORDER },
      ],
      ['a pull', { source: 'pull', orderGid: ORDER, updatedAt: '2026-11-27T10:00:00Z' }, { shopify_gid: ORDER }],
      ['a repair', { source: 'repair', orderGid: ORDER, reportId: 4 }, { shopify_gid: ORDER }],
      [
        'a stock push',
        { source: 'push', product_id: 7, location_gid: 'gid://shopify/Location/1', reason: 'r' },
        { res_model: 'product.product', res_id: 7 },
      ],
      ['a scheduled tick', {}, {}],
    ];
    for (const [what, job, subject] of cases) assert.deepEqual(subjectOfJob(job), subject, what);
  });

  it('never passes on a malformed Shopify ID', () => {
    const job = { source: 'webhook', topic: 'orders/create', webhookId: 'w', entityGid: '450789469', triggeredAt: null } as AnyJob;
    assert.deepEqual(subjectOfJob(job), { shopify_gid: null });
  });

  it('builds the report with the attempt, the kind and the reason cut to 2000 characters', () => {
    const report = failureReport(
      { queue: 'orders', key: `order:shop.myshopify.com:${ORDER}`, jobId: 'j1', attempt: 6 },
      { kind: 'retryable', reason: `OdooRetryableError: ${'x'.repeat(3000)}` },
      { shopify_gid: ORDER, order_name: '#1001' },
      new Date('2026-11-27T10:00:00Z'),
    );
    assert.deepEqual(
      { ...report, message: report.message.length },
      {
        queue: 'orders',
        key: `order:shop.myshopify.com:${ORDER}`,
        job_id: 'j1',
        attempt: 6,
        kind: 'retryable',
        message: 2000,
        failed_at: '2026-11-27T10:00:00.000Z',
        shopify_gid: ORDER,
        order_name: '#1001',
      },
    );
  });
});
