import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { createHttpApp } from './app.js';
import { createAuthLimiter } from './auth-limiter.js';
import { createReadiness } from './readiness.js';
import { createLogger } from '../observability/logger.js';
import { MemoryTransport } from '../../dev/testing/memory-transport.js';

const TOKEN = 'admin-token-0123456789abcdef';

function appWith(checks: Parameters<typeof createReadiness>[0]) {
  const admin = express.Router();
  admin.get('/ping', (_req, res) => {
    res.json({ pong: true });
  });
  return createHttpApp({
    logger: createLogger({ transports: [new MemoryTransport()] }),
    adminToken: TOKEN,
    readiness: createReadiness(checks, { clock: () => Date.UTC(2026, 10, 27), timeoutMs: 100, cacheMs: 0 }),
    webhooks: express.Router(),
    admin,
  });
}

describe('http app', () => {
  it('answers /healthz without touching any dependency', async () => {
    const res = await request(
      appWith({
        database: () => Promise.reject(new Error('down')),
      }),
    ).get('/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('answers /readyz 200 when every check passes and 503 naming the failing one', async () => {
    const ok = await request(appWith({ database: async () => {}, odoo: async () => {} })).get('/readyz');
    assert.equal(ok.status, 200);
    assert.equal(ok.body.ready, true);
    const bad = await request(
      appWith({
        database: async () => {},
        odoo: () => Promise.reject(new Error('connection refused')),
      }),
    ).get('/readyz');
    assert.equal(bad.status, 503);
    assert.equal(bad.body.checks.odoo.ok, false);
    assert.equal(bad.body.checks.odoo.error, 'connection refused');
    assert.equal(bad.body.checks.database.ok, true);
  });

  it('fails a readiness check that does not answer within its timeout', async () => {
    const res = await request(appWith({ shopify: () => new Promise(() => {}) })).get('/readyz');
    assert.equal(res.status, 503);
    assert.equal(res.body.checks.shopify.error, 'no answer within 100 ms');
  });

  it('guards the admin API with the bearer token', async () => {
    const app = appWith({});
    assert.equal((await request(app).get('/admin/ping')).status, 401);
    assert.equal((await request(app).get('/admin/ping').set('authorization', 'Bearer wrong-token')).status, 401);
    assert.equal((await request(app).get('/admin/ping').set('authorization', `Basic ${TOKEN}`)).status, 401);
    const ok = await request(app).get('/admin/ping').set('authorization', `Bearer ${TOKEN}`);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { pong: true });
  });

  it('counts failed sign-ins per client behind a trusted proxy, and per connection otherwise', async () => {
    const throttledAfterTen = async (trustedProxies: string[]) => {
      const memory = new MemoryTransport();
      const logger = createLogger({ transports: [memory] });
      const app = createHttpApp({
        logger,
        adminToken: TOKEN,
        trustedProxies,
        limiter: createAuthLimiter({ logger, clock: () => 0 }),
        readiness: createReadiness({}, { clock: () => 0, timeoutMs: 100, cacheMs: 0 }),
        webhooks: express.Router(),
        admin: express.Router().get('/ping', (_req, res) => void res.json({ pong: true })),
      });
      // supertest connects from loopback; the guesser claims ten different client addresses.
      for (let i = 0; i < 10; i++)
        await request(app).get('/admin/ping').set('x-forwarded-for', `198.51.100.${i}`).set('authorization', 'Bearer wrong-token');
      const other = await request(app).get('/admin/ping').set('x-forwarded-for', '203.0.113.9').set('authorization', `Bearer ${TOKEN}`);
      return { otherClient: other.status, loggedAs: memory.lines.filter((l) => l.message === 'sign-in failed').map((l) => l.ip) };
    };
    const direct = await throttledAfterTen([]);
    assert.equal(direct.otherClient, 429, 'without a trusted proxy the header is ignored: one address, throttled');
    assert.ok(
      direct.loggedAs.every((ip) => ip === '::ffff:127.0.0.1' || ip === '127.0.0.1' || ip === '::1'),
      String(direct.loggedAs),
    );
    const proxied = await throttledAfterTen(['loopback']);
    assert.equal(proxied.otherClient, 200, 'behind a trusted proxy each client counts alone');
    assert.deepEqual(
      proxied.loggedAs,
      Array.from({ length: 10 }, (_, i) => `198.51.100.${i}`),
    );
  });

  it('caches readiness results so frequent probes do not load Odoo or Shopify', async () => {
    let calls = 0;
    let clock = 0;
    const report = createReadiness(
      {
        odoo: () => {
          calls += 1;
          return Promise.resolve();
        },
      },
      { cacheMs: 5000, clock: () => clock },
    );
    await report();
    await report();
    clock = 6000;
    await report();
    assert.equal(calls, 2);
  });
});
