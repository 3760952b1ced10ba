import assert from 'node:assert/strict';
import { createLogger, withLogContext } from './logger.js';
import { loadConfig, secretValues } from '../config/index.js';
import { testEnv } from '../../dev/testing/env.js';
import { MemoryTransport } from '../../dev/testing/memory-transport.js';

describe('logger', () => {
  it('writes one JSON line with the correlation id of the surrounding context', () => {
    const memory = new MemoryTransport();
    const logger = createLogger({ transports: [memory] });
    withLogContext({ correlationId: 'wh-123', flow: 'orders' }, () => logger.info('sync attempt', { outcome: 'done' }));
    assert.equal(memory.lines.length, 1);
    assert.equal(memory.lines[0]?.correlationId, 'wh-123');
    assert.equal(memory.lines[0]?.flow, 'orders');
    assert.equal(memory.lines[0]?.outcome, 'done');
  });

  it('never writes a configured secret, even inside messages, nested objects and errors', () => {
    const config = loadConfig(testEnv());
    const memory = new MemoryTransport();
    const logger = createLogger({ transports: [memory], secrets: secretValues(config) });
    logger.info(`calling with ${config.odoo.apiKey}`, { nested: { note: `Bearer ${config.adminToken}` } });
    logger.error('failed', { error: new Error(`db ${config.database.url} refused`) });
    logger.warn('headers', { headers: { 'X-Shopify-Access-Token': 'shpat_any', authorization: 'Bearer x' } });
    const text = JSON.stringify(memory.lines);
    for (const secret of secretValues(config)) assert.ok(!text.includes(secret), `secret leaked: ${secret.slice(0, 3)}…`);
    assert.ok(!text.includes('shpat_any'));
    assert.equal(memory.lines.length, 3);
    assert.match(String((memory.lines[1]?.error as { message: string }).message), /^db .*refused$/);
  });
});
