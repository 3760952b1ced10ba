import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { createLogger } from '../observability/logger.js';
import { MemoryTransport } from '../../dev/testing/memory-transport.js';
import { createOdooWakeRouter } from './odoo-wake.js';

const SECRET = 'shared-secret-0123456789';
// The addon's body and signature (shopify_sync_event.py _wake_body / _wake_signature).
const BODY = '{"type":"outbox.wake","db":"odoo"}';
const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

function app(secret: string, wakes: { n: number }) {
  const server = express();
  server.use(createOdooWakeRouter({ secret, onWake: () => (wakes.n += 1), logger: createLogger({ transports: [new MemoryTransport()] }) }));
  return server;
}

describe('odoo wake-up ping', () => {
  it('triggers a drain for a ping signed with the shared secret', async () => {
    const wakes = { n: 0 };
    const res = await request(app(SECRET, wakes))
      .post('/odoo/wake')
      .set('content-type', 'application/json')
      .set('x-shopify-sync-signature', sign(SECRET, BODY))
      .send(BODY);
    assert.equal(res.status, 202);
    assert.equal(wakes.n, 1);
  });

  it('refuses a ping signed with another secret, or unsigned', async () => {
    const wakes = { n: 0 };
    const bad = await request(app(SECRET, wakes))
      .post('/odoo/wake')
      .set('content-type', 'application/json')
      .set('x-shopify-sync-signature', sign('other-secret-value', BODY))
      .send(BODY);
    assert.equal(bad.status, 401);
    const unsigned = await request(app(SECRET, wakes)).post('/odoo/wake').set('content-type', 'application/json').send(BODY);
    assert.equal(unsigned.status, 401);
    assert.equal(wakes.n, 0);
  });

  it('is disabled when no secret is configured', async () => {
    const wakes = { n: 0 };
    const res = await request(app('', wakes)).post('/odoo/wake').set('x-shopify-sync-signature', sign('', BODY)).send(BODY);
    assert.equal(res.status, 404);
    assert.equal(wakes.n, 0);
  });
});
