import assert from 'node:assert/strict';
import { MemoryTransport } from '../../dev/testing/memory-transport.js';
import { createLogger } from '../observability/logger.js';
import { OdooRetryableError, OdooPermanentError } from '../odoo/errors.js';
import { ShopifyHttpError, ShopifyNetworkError, ShopifyThrottledError } from '../shopify/errors.js';
import { createBreakers, guarded, isUnreachable, queuesNeeding } from './breaker.js';
import { QUEUE_NAMES } from './names.js';

describe('circuit breakers (Odoo, Shopify)', () => {
  const logger = createLogger({ transports: [new MemoryTransport()] });

  it('tells an unreachable side from a refused record', () => {
    assert.equal(isUnreachable(new OdooRetryableError('odoo /jsonrpc: connect ECONNREFUSED 127.0.0.1:8069')), true);
    assert.equal(isUnreachable(new OdooRetryableError('odoo /jsonrpc: HTTP 502', { httpStatus: 502 })), true);
    // A serialization conflict is Odoo answering: it is up.
    assert.equal(isUnreachable(new OdooRetryableError('conflict', { odooName: 'psycopg2.errors.SerializationFailure' })), false);
    assert.equal(isUnreachable(new OdooPermanentError('bad SKU', { odooName: 'odoo.exceptions.ValidationError' })), false);
    assert.equal(isUnreachable(new ShopifyNetworkError('socket hang up')), true);
    assert.equal(isUnreachable(new ShopifyHttpError('HTTP 503', { status: 503 })), true);
    assert.equal(isUnreachable(new ShopifyHttpError('HTTP 404', { status: 404 })), false);
    assert.equal(isUnreachable(new ShopifyThrottledError('Throttled')), false);
    assert.equal(isUnreachable(new Error('anything else')), false);
  });

  it('opens after N unanswered calls in a row, probes while open, and closes on the first answer', async () => {
    let odooUp = false;
    const changes: string[] = [];
    const breakers = createBreakers({
      failures: 3,
      probeMs: 20,
      clock: () => Date.now(),
      logger,
      probes: { odoo: () => (odooUp ? Promise.resolve() : Promise.reject(new Error('down'))), shopify: () => Promise.resolve() },
    });
    breakers.onChange((side, open) => changes.push(`${side}:${open ? 'open' : 'closed'}`));
    const down = () => guarded(breakers, 'odoo', () => Promise.reject(new OdooRetryableError('odoo /jsonrpc: connect ECONNREFUSED')));
    await down().catch(() => undefined);
    await down().catch(() => undefined);
    // An answer in between resets the count: the side is up.
    await guarded(breakers, 'odoo', () => Promise.resolve('ok'));
    await down().catch(() => undefined);
    await down().catch(() => undefined);
    assert.equal(breakers.isOpen('odoo'), false);
    await down().catch(() => undefined);
    assert.equal(breakers.isOpen('odoo'), true);
    assert.equal(breakers.state().odoo.lastError, 'odoo /jsonrpc: connect ECONNREFUSED');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(breakers.isOpen('odoo'), true, 'still down: the probes failed');
    odooUp = true;
    for (let i = 0; i < 50 && breakers.isOpen('odoo'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(breakers.isOpen('odoo'), false);
    assert.deepEqual(changes, ['odoo:open', 'odoo:closed']);
    assert.equal(breakers.isOpen('shopify'), false);
    breakers.stop();
  });

  it('pauses every queue whose jobs need a side that is down, and only those', () => {
    assert.deepEqual(queuesNeeding(new Set(['shopify']), ['orders.pull', 'webhooks.purge', 'orders']), ['orders.pull', 'orders']);
    assert.ok(!queuesNeeding(new Set(['odoo']), QUEUE_NAMES).includes('orders.pull'));
    assert.ok(!queuesNeeding(new Set(['odoo', 'shopify']), QUEUE_NAMES).includes('webhooks.purge'));
  });
});
