/**
 * The intake rides out a short database outage (docs/operations.md, "Database restarts"): storing
 * a verified delivery that fails for want of a connection is tried again for up to 3 s, so a
 * PostgreSQL restart that is over within that window is answered 200 with the row stored; a longer
 * one is answered 503 before Shopify's 5 s timeout. The database is a real PostgreSQL behind a TCP
 * proxy that an outage takes down (connections cut, new ones refused, as during a restart).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import express from 'express';
import request from 'supertest';
import type pg from 'pg';
import { startOutageProxy, type OutageProxy } from '../../../dev/chaos/network.js';
import { MemoryTransport } from '../../../dev/testing/memory-transport.js';
import { freePort } from '../../../dev/testing/postgres.js';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { webhookFixture } from '../../../dev/testing/fixtures.js';
import { createPool } from '../../db/pool.js';
import { migrate } from '../../db/migrate.js';
import { retryConnectionErrors } from '../../db/retry.js';
import { createLogger } from '../../observability/logger.js';
import type { EnqueueInTransaction } from '../../inbox/inbox.js';
import { createWebhookRouter } from './intake.js';

const SECRET = 'webhook-secret-outage';
const NOW = Date.UTC(2026, 10, 27, 12);
const RETRIED = 'webhook store retried: database unreachable';

async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('webhook intake during a database outage', function () {
  this.timeout(60_000);
  let direct: pg.Pool;
  let proxied: pg.Pool;
  let proxy: OutageProxy;
  let memory: MemoryTransport;
  let app: express.Express;

  const enqueue: EnqueueInTransaction = async (client, job, route) => {
    await client.query('INSERT INTO test_jobs (webhook_id, queue) VALUES ($1, $2)', [job.webhookId, route.queue]);
  };

  function post(webhookId: string) {
    const body = webhookFixture('orders/create');
    return request(app)
      .post('/webhooks/shopify')
      .set('content-type', 'application/json')
      .set('X-Shopify-Topic', 'orders/create')
      .set('X-Shopify-Hmac-Sha256', crypto.createHmac('sha256', SECRET).update(body).digest('base64'))
      .set('X-Shopify-Shop-Domain', 'test-shop.myshopify.com')
      .set('X-Shopify-Webhook-Id', webhookId)
      .send(body.toString('utf8'));
  }

  async function stored(webhookId: string): Promise<{ inbox: number; jobs: number }> {
    const inbox = await direct.query('SELECT count(*)::int AS n FROM app.webhook_inbox WHERE webhook_id = $1', [webhookId]);
    const jobs = await direct.query('SELECT count(*)::int AS n FROM test_jobs WHERE webhook_id = $1', [webhookId]);
    return { inbox: inbox.rows[0].n, jobs: jobs.rows[0].n };
  }

  before(async () => {
    const url = new URL(await testDatabase('webhook_intake_outage'));
    direct = createPool(url.toString(), 2);
    await migrate(direct, 'app');
    await direct.query('CREATE TABLE test_jobs (webhook_id text, queue text)');
    proxy = await startOutageProxy({ host: url.hostname, port: Number(url.port) }, await freePort());
    const through = new URL(url);
    through.port = new URL(proxy.url).port;
    proxied = createPool(through.toString(), 4);
  });
  beforeEach(async () => {
    memory = new MemoryTransport();
    app = express();
    app.use(
      createWebhookRouter({
        pool: proxied,
        shop: 'test-shop.myshopify.com',
        schema: 'app',
        secrets: [SECRET],
        maxBodyBytes: 64 * 1024,
        logger: createLogger({ transports: [memory], secrets: [SECRET] }),
        clock: () => NOW,
        enqueue,
      }),
    );
    await proxy.up().catch(() => undefined);
  });
  after(async () => {
    await proxied?.end();
    await proxy?.close();
    await direct?.end();
  });

  it('stores the delivery and answers 200 when the database is back within the window', async () => {
    await proxy.down();
    const answer = post('wh-outage-short').then((res) => res);
    await until('a retried store', () => memory.lines.some((l) => l.message === RETRIED));
    await proxy.up();
    const res = await answer;
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { ok: true, outcome: 'queued' });
    assert.deepEqual(await stored('wh-outage-short'), { inbox: 1, jobs: 1 });
  });

  it("answers 503 within Shopify's 5 s with nothing stored when the database stays away", async () => {
    await proxy.down();
    const started = performance.now();
    const res = await post('wh-outage-long');
    const ms = performance.now() - started;
    assert.equal(res.status, 503);
    assert.ok(ms < 5000, `answered after ${Math.round(ms)} ms`);
    assert.ok(memory.lines.filter((l) => l.message === RETRIED).length >= 2, 'tried again before giving up');
    await proxy.up();
    assert.deepEqual(await stored('wh-outage-long'), { inbox: 0, jobs: 0 });
  });
});

describe('retryConnectionErrors', () => {
  const budget = { retryForMs: 3000, answerWithinMs: 4500 };

  it('tries again after connection-class failures and returns the first success', async () => {
    let calls = 0;
    const result = await retryConnectionErrors(() => {
      calls += 1;
      if (calls === 1) return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      if (calls === 2)
        return Promise.reject(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }));
      return Promise.resolve('stored');
    }, budget);
    assert.deepEqual([result, calls], ['stored', 3]);
  });

  it('throws any other error at once (a refused statement is not retried)', async () => {
    let calls = 0;
    const refused = Object.assign(new Error('duplicate key'), { code: '23505' });
    await assert.rejects(
      retryConnectionErrors(() => {
        calls += 1;
        return Promise.reject(refused);
      }, budget),
      refused,
    );
    assert.equal(calls, 1);
  });
});
