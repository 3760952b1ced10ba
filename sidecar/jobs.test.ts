/**
 * The job types module against the modules that must agree with it: the queue names, the
 * contract's outbox event types, the webhook routing table and the outbox routing. The type-level
 * checks fail the typecheck (`npx tsc`), the others this test.
 */
import assert from 'node:assert/strict';
import { WEBHOOK_ROUTES } from './inbox/routes.js';
import { OUTBOX_EVENT_QUEUES, WEBHOOK_TOPIC_QUEUES, WEBHOOK_TOPICS, isWebhookTopic, type JobQueue, type OutboxEventType } from './jobs.js';
import type { OutboxEventType as ContractOutboxEventType } from './odoo/contract.js';
import { FLOW_QUEUES, QUEUE_NAMES, isFlowQueue, type QueueName } from './queue/names.js';
import { routeEvent } from './relay/outbox.js';

/** True only when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

// Every queue has its jobs in QueueJobs, and nothing else does.
const queuesAgree: Equal<JobQueue, QueueName> = true;
// The outbox event types here are the contract's.
const eventsAgree: Equal<OutboxEventType, ContractOutboxEventType> = true;

describe('job types (jobs.ts)', () => {
  it('names exactly the queues of queue/names.ts, and the outbox event types of the contract', () => {
    assert.equal(queuesAgree && eventsAgree, true);
    assert.deepEqual(new Set(Object.values(WEBHOOK_TOPIC_QUEUES).filter((q) => !isFlowQueue(q))), new Set());
    assert.deepEqual(new Set(Object.values(OUTBOX_EVENT_QUEUES).filter((q) => !isFlowQueue(q))), new Set());
    assert.equal(QUEUE_NAMES.length, 17);
  });

  it('routes every routed topic, and only those, to the queue it names', () => {
    assert.deepEqual(Object.keys(WEBHOOK_ROUTES), [...WEBHOOK_TOPICS]);
    for (const topic of WEBHOOK_TOPICS) assert.equal(WEBHOOK_ROUTES[topic].queue, WEBHOOK_TOPIC_QUEUES[topic], topic);
    assert.equal(isWebhookTopic('app/uninstalled'), false);
    assert.equal(isWebhookTopic('toString'), false);
  });

  it('routes every outbox event type to the queue it names', () => {
    const payload = { order_gid: 'gid://shopify/Order/1', location_gid: 'gid://shopify/Location/2', product_id: 3 };
    for (const type of Object.keys(OUTBOX_EVENT_QUEUES) as OutboxEventType[]) {
      const event = {
        uuid: 'u',
        type,
        model: 'product.template' as const,
        res_id: 7,
        key: 'k',
        payload,
        created_at: '2026-01-01T00:00:00Z',
        attempts: 1,
      };
      assert.equal(routeEvent(event, 'shop.myshopify.com').queue, OUTBOX_EVENT_QUEUES[type], type);
    }
    // Every entity queue takes jobs from somewhere; payments from the orders and refunds flows
    // and the reconciliation (flows/payments/index.ts).
    const fed = new Set<string>([...Object.values(WEBHOOK_TOPIC_QUEUES), ...Object.values(OUTBOX_EVENT_QUEUES), 'payments']);
    assert.deepEqual(
      FLOW_QUEUES.filter((q) => !fed.has(q)),
      [],
    );
  });
});
