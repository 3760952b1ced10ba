import assert from 'node:assert/strict';
import { agesFromRows } from '../queue/age.js';
import { FLOW_QUEUES } from '../queue/names.js';
import { describeUnworked, privacyDueConditions, queueAgeConditions, unworkedConditions, unworkedQueues } from './coverage.js';
import { alertPayload } from './alerts.js';

describe('coverage: fed queues without a worker, queue age, privacy due dates (pure)', () => {
  it('names every fed queue no worker takes, with the topics and outbox events that feed it', () => {
    const all = unworkedQueues(FLOW_QUEUES);
    assert.deepEqual(all, []);
    const without = unworkedQueues(FLOW_QUEUES.filter((q) => q !== 'refunds' && q !== 'returns'));
    assert.deepEqual(without, [
      { queue: 'refunds', topics: ['refunds/create'], events: ['credit_note.posted'] },
      {
        queue: 'returns',
        topics: [
          'returns/request',
          'returns/approve',
          'returns/decline',
          'returns/cancel',
          'returns/close',
          'returns/reopen',
          'returns/process',
        ],
        events: ['return.done'],
      },
    ]);
    assert.equal(
      describeUnworked(without),
      'queues fed but worked by no registered flow: refunds (webhooks refunds/create; outbox credit_note.posted), ' +
        'returns (webhooks returns/request, returns/approve, returns/decline, returns/cancel, returns/close, returns/reopen, ' +
        'returns/process; outbox return.done)',
    );
    const privacy = unworkedQueues(FLOW_QUEUES.filter((q) => q !== 'privacy'));
    assert.deepEqual(privacy, [
      { queue: 'privacy', topics: ['customers/redact', 'customers/data_request', 'shop/redact'], events: ['customer.erased'] },
    ]);
  });

  it('turns each unworked queue into an error alert naming it', () => {
    const [condition] = unworkedConditions([{ queue: 'refunds', topics: ['refunds/create'], events: [] }]);
    assert.equal(condition!.key, 'unworked_queue:refunds');
    assert.match(condition!.summary, /refunds \(webhooks refunds\/create\)/);
    const payload = alertPayload({ status: 'firing', ...condition!, shop: 's.myshopify.com', dashboardUrl: 'http://x/dashboard' });
    assert.equal((payload.payload as { severity: string }).severity, 'error');
  });

  it('alerts on a queue whose oldest ready job waited longer than the threshold, not at it', () => {
    const ages = agesFromRows(
      [
        { name: 'orders', seconds: '900' },
        { name: 'privacy', seconds: 901.5 },
      ],
      ['orders', 'privacy', 'customers'],
    );
    assert.deepEqual(ages, [
      { queue: 'orders', seconds: 900 },
      { queue: 'privacy', seconds: 901.5 },
      { queue: 'customers', seconds: 0 },
    ]);
    assert.deepEqual(
      queueAgeConditions(ages, 15).map((c) => [c.key, c.value, c.summary]),
      [['queue_age:privacy', 15, 'privacy queue: the oldest waiting job has waited 15 minutes (threshold 15)']],
    );
  });

  it('alerts on privacy requests near their due date, from Odoo and from deliveries never handled', () => {
    const conditions = privacyDueConditions({
      requests: [{ name: 'PR/00003', kind: 'customer_redact', state: 'waiting', due_date: '2026-12-27' }],
      unhandled: [{ webhookId: 'w-1', topic: 'customers/redact', receivedAt: new Date('2026-11-01T08:00:00Z') }],
      warnDays: 7,
    });
    assert.deepEqual(
      conditions.map((c) => [c.key, c.summary]),
      [
        [
          'privacy_due:PR/00003',
          'privacy request PR/00003 (customer_redact, waiting) is due 2026-12-27 and not done (Shopify → Privacy requests)',
        ],
        ['privacy_due:webhook:w-1', 'customers/redact delivery w-1 received 2026-11-01 is not handled yet; due 2026-12-01'],
      ],
    );
  });
});
