/**
 * A refund's job that runs before its order is imported (orders and refunds have their own
 * queues; a backlog of orders makes it common, as `make chaos` showed) waits (a WaitingError,
 * retried) instead of going to the dead letters; once the order is imported (with its refunds
 * counted and applied by the orders flow), the job finds nothing left to apply.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createDoubleMerchant, createOdooDouble } from '../../../dev/odoo-double/index.js';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { startStack, type Stack } from '../../../dev/testing/stack.js';
import { RetryableError, WaitingError } from '../../queue/errors.js';
import type { JobContext } from '../../queue/queue.js';
import { handleFulfillmentJob } from '../fulfillments/index.js';
import { importOrder } from '../orders/apply.js';
import { handlePaymentsJob } from '../payments/index.js';
import { handleReturnJob } from '../returns/index.js';
import { handleRefundJob } from './index.js';

describe('a refund whose order is not imported yet', function () {
  this.timeout(90_000);
  let stack: Stack;
  const odoo = createOdooDouble({
    warehouses: [{ name: 'Main warehouse', code: 'WH', location_gid: 'gid://shopify/Location/101' }],
    settings: { company_currency: 'EUR' },
  });

  before(async () => {
    // No flow works the queues: the test runs the jobs itself, in the order a backlog gives.
    stack = await startStack({ databaseUrl: await testDatabase('refund_before_order'), flows: [], odoo });
    await createDoubleMerchant(odoo).createProduct({ name: 'Mug', price: '9.50', variants: [{ sku: 'EARLY-MUG' }] });
    await stack.simControl('POST', '/products', { title: 'Mug', sku: 'EARLY-MUG', price: '9.50', stock: { '101': 50 } });
  });
  after(async () => {
    await stack?.stop();
  });

  const jobOf = <T>(data: T, queue: JobContext<T>['queue']): JobContext<T> => ({
    data,
    key: null,
    attempt: 1,
    maxAttempts: 5,
    correlationId: 'early',
    jobId: crypto.randomUUID(),
    queue,
    signal: new AbortController().signal,
  });

  it('the returns, payments and Shopify fulfillments of an order not imported yet wait for it too', async () => {
    const order = await stack.simControl<{ admin_graphql_api_id: string }>('POST', '/orders', {
      email: 'early-others@example.com',
      lines: [{ sku: 'EARLY-MUG', quantity: 1 }],
      financialStatus: 'paid',
    });
    const gid = order.admin_graphql_api_id;
    const waitsForOrder = (error: unknown) =>
      error instanceof WaitingError && error.waitingFor === `order ${gid} in Odoo` && /not imported in Odoo yet/.test(error.message);
    const webhook = { source: 'webhook' as const, webhookId: 'early-other', entityGid: gid, triggeredAt: null };
    await assert.rejects(
      handleReturnJob(stack.flowContext(), jobOf({ ...webhook, topic: 'returns/request' as const }, 'returns')),
      waitsForOrder,
    );
    await assert.rejects(
      handlePaymentsJob(stack.flowContext(), jobOf({ source: 'order' as const, orderGid: gid }, 'payments')),
      waitsForOrder,
    );
    await assert.rejects(
      handleFulfillmentJob(stack.flowContext(), jobOf({ ...webhook, topic: 'fulfillments/create' as const }, 'fulfillments')),
      waitsForOrder,
    );
  });

  it('is retried (not dead-lettered) until the order is imported, then finds the refund applied', async () => {
    const order = await stack.simControl<{ id: number; admin_graphql_api_id: string; line_items: Array<{ id: number }> }>(
      'POST',
      '/orders',
      { email: 'early@example.com', lines: [{ sku: 'EARLY-MUG', quantity: 2 }], financialStatus: 'paid' },
    );
    await stack.simControl('POST', `/orders/${order.id}/refunds`, {
      lines: [{ lineItemId: order.line_items[0]!.id, quantity: 1, restockType: 'cancel' }],
    });
    const job = () =>
      handleRefundJob(stack.flowContext(), {
        data: {
          source: 'webhook',
          topic: 'refunds/create',
          webhookId: 'early-refund',
          entityGid: order.admin_graphql_api_id,
          triggeredAt: null,
        },
        key: null,
        attempt: 1,
        maxAttempts: 5,
        correlationId: 'early-refund',
        jobId: crypto.randomUUID(),
        queue: 'refunds',
        signal: new AbortController().signal,
      });
    // An expected wait (retried like any retryable error, logged at info, docs/queues.md "Waits").
    await assert.rejects(
      job(),
      (error: unknown) =>
        error instanceof WaitingError &&
        error instanceof RetryableError &&
        error.waitingFor === `order ${order.admin_graphql_api_id} in Odoo` &&
        /not imported in Odoo yet/.test(error.message),
    );
    assert.equal(odoo.state.refunds.size, 0);

    await importOrder(stack.flowContext(), order.admin_graphql_api_id);
    assert.deepEqual(
      [...odoo.state.refunds.values()].map((r) => r.state),
      ['applied'],
    );
    const outcome = await job();
    assert.equal(outcome.outcome, 'unchanged');
    assert.equal(odoo.state.refunds.size, 1);
  });
});
