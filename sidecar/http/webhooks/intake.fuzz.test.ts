/**
 * Property-based fuzz of the webhook intake (fast-check) on a real PostgreSQL: hostile bodies
 * (any JSON value, U+0000 and lone surrogates in Shopify's own samples, bytes that are not UTF-8,
 * truncated and deeply nested JSON, bodies over the limit), any topic, another shop, wrong or
 * missing signatures, replayed webhook ids. Every delivery is either stored and answered 200
 * (its exact bytes kept, one job exactly when it is queued) or refused with a 4xx and a reason,
 * storing nothing: never a 5xx, never a row without its job or a job without its row.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import fc from 'fast-check';
import type pg from 'pg';
import { createPool } from '../../db/pool.js';
import { migrate } from '../../db/migrate.js';
import { createLogger } from '../../observability/logger.js';
import { WEBHOOK_TOPICS } from '../../jobs.js';
import type { EnqueueInTransaction } from '../../inbox/inbox.js';
import { MemoryTransport } from '../../../dev/testing/memory-transport.js';
import { testDatabase } from '../../../dev/testing/root-hooks.js';
import { webhookFixture } from '../../../dev/testing/fixtures.js';
import { fuzzRuns, nastyText, Tally } from '../../../dev/testing/fuzz.js';
import { createWebhookRouter } from './intake.js';

const SECRET = 'fuzz-webhook-secret-value';
const SHOP = 'fuzz-shop.myshopify.com';
const LIMIT = 64 * 1024;

/** Printable header text (HTTP refuses control characters in header values). */
const headerText = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => /^[\x21-\x7e][\x20-\x7e]*$/.test(s) && !s.endsWith(' '));

/** A sample payload of a processed topic with some of its string fields replaced by hostile text. */
const mutatedSample = fc
  .tuple(fc.constantFrom('orders/create', 'customers/create', 'products/update', 'refunds/create'), fc.array(nastyText, { maxLength: 4 }))
  .map(([topic, nasty]) => {
    const payload = JSON.parse(webhookFixture(topic).toString('utf8')) as Record<string, unknown>;
    // The entity id stays, so that many of them are routed and queued.
    const keys = Object.keys(payload).filter((k) => typeof payload[k] === 'string' && k !== 'admin_graphql_api_id');
    nasty.forEach((value, i) => {
      if (keys.length) payload[keys[(i * 7) % keys.length]!] = value;
    });
    return { topic, bytes: Buffer.from(JSON.stringify(payload), 'utf8') };
  });

/** A body, with the topic it was sampled from when it has one. */
const body: fc.Arbitrary<{ bytes: Buffer; topic?: string }> = fc.oneof(
  { weight: 4, arbitrary: mutatedSample },
  { weight: 3, arbitrary: fc.jsonValue().map((v) => ({ bytes: Buffer.from(JSON.stringify(v) ?? 'null', 'utf8') })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => ({ bytes: Buffer.from(a) })) },
  { weight: 1, arbitrary: mutatedSample.chain((s) => fc.nat(s.bytes.length).map((n) => ({ bytes: s.bytes.subarray(0, n) }))) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 30_000 }).map((d) => ({ bytes: Buffer.from(`{"a":${'['.repeat(d)}${']'.repeat(d)}}`) })),
  },
  { weight: 1, arbitrary: fc.constant({ bytes: Buffer.alloc(LIMIT + 1, 0x20) }) },
);

const delivery = fc.record({
  body,
  /** `sampled`: the topic of the sample the body came from (else orders/create). */
  topic: fc.oneof({ weight: 3, arbitrary: fc.constant('sampled') }, fc.constantFrom(...WEBHOOK_TOPICS), headerText),
  shop: fc.oneof(
    { weight: 6, arbitrary: fc.constant(SHOP) },
    fc.constant('FUZZ-SHOP.myshopify.com'),
    fc.constant('other-shop.myshopify.com'),
  ),
  signature: fc.oneof({ weight: 6, arbitrary: fc.constant('valid') }, fc.constantFrom('wrong', 'missing', 'other-secret')),
  webhookId: fc.oneof({ weight: 5, arbitrary: fc.uuid() }, fc.constantFrom('replayed-1', 'replayed-2'), fc.constant(null)),
});

describe('webhook intake fuzz: every delivery is stored and acknowledged, or refused with a reason (fast-check)', function () {
  this.timeout(300_000);
  let pool: pg.Pool;
  let server: http.Server;
  let url: string;

  const enqueue: EnqueueInTransaction = async (client, job, route) => {
    await client.query('INSERT INTO fuzz_jobs (webhook_id, queue, key) VALUES ($1, $2, $3)', [job.webhookId, route.queue, route.key]);
  };

  before(async () => {
    pool = createPool(await testDatabase('webhook_intake_fuzz'), 10);
    await migrate(pool, 'app');
    await pool.query('CREATE TABLE fuzz_jobs (webhook_id text, queue text, key text)');
    const app = express();
    const logger = createLogger({ transports: [new MemoryTransport()], secrets: [SECRET] });
    app.use(
      createWebhookRouter({
        pool,
        shop: SHOP,
        schema: 'app',
        secrets: [SECRET],
        maxBodyBytes: LIMIT,
        logger,
        clock: () => Date.now(),
        enqueue,
      }),
    );
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/shopify`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await pool.end();
  });

  it('stores or refuses every delivery, never half of it', async () => {
    const tally = new Tally();
    await fc.assert(
      fc.asyncProperty(delivery, async ({ body: { bytes, topic: sampled }, ...d }) => {
        const topic = d.topic === 'sampled' ? (sampled ?? 'orders/create') : d.topic;
        const hmac =
          d.signature === 'valid' || d.signature === 'other-secret'
            ? crypto
                .createHmac('sha256', d.signature === 'valid' ? SECRET : 'another-secret-value')
                .update(bytes)
                .digest('base64')
            : 'AAAA';
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'x-shopify-topic': topic,
          'x-shopify-shop-domain': d.shop,
          ...(d.signature === 'missing' ? {} : { 'x-shopify-hmac-sha256': hmac }),
          ...(d.webhookId ? { 'x-shopify-webhook-id': d.webhookId } : {}),
        };
        const count = async () => {
          const { rows } = await pool.query<{ rows: number; jobs: number; row: string | null }>(
            `SELECT (SELECT count(*)::int FROM app.webhook_inbox) AS rows, (SELECT count(*)::int FROM fuzz_jobs) AS jobs,
                    (SELECT status FROM app.webhook_inbox WHERE webhook_id = $1) AS row`,
            [d.webhookId ?? ''],
          );
          return rows[0]!;
        };
        const before = await count();
        const res = await fetch(url, { method: 'POST', headers, body: bytes });
        const answer = (await res.json()) as { outcome?: string; error?: string };
        const after = await count();
        assert.ok([200, 400, 401, 403, 413].includes(res.status), `answered ${res.status} ${JSON.stringify(answer)}`);
        if (res.status !== 200) {
          assert.ok(answer.error, 'a refusal says why');
          assert.deepEqual([after.rows, after.jobs], [before.rows, before.jobs], 'a refused delivery stored nothing');
          tally.add(`refused_${res.status}_${answer.error}`);
          return;
        }
        if (answer.outcome === 'duplicate') {
          assert.equal(before.row !== null, true, 'a duplicate was stored before');
          assert.deepEqual([after.rows, after.jobs], [before.rows, before.jobs]);
          tally.add('duplicate');
          return;
        }
        assert.equal(after.rows, before.rows + 1, 'one row per new delivery');
        assert.equal(after.row, answer.outcome);
        assert.equal(after.jobs - before.jobs, answer.outcome === 'queued' ? 1 : 0, 'a job exactly when queued');
        const { rows } = await pool.query<{ body: Buffer }>('SELECT body FROM app.webhook_inbox WHERE webhook_id = $1', [d.webhookId]);
        assert.ok(rows[0]!.body.equals(bytes), 'the exact bytes are kept');
        tally.add(`stored_${answer.outcome}`);
      }),
      { numRuns: fuzzRuns(500) },
    );
    const { rows } = await pool.query<{ queued: number; jobs: number }>(
      "SELECT (SELECT count(*)::int FROM app.webhook_inbox WHERE status = 'queued') AS queued, (SELECT count(*)::int FROM fuzz_jobs) AS jobs",
    );
    assert.equal(rows[0]!.queued, rows[0]!.jobs, 'every queued row has its job and no job is without its row');
    console.log(`      fuzz intake: ${tally.total()} deliveries: ${tally.toString()}`);
    for (const outcome of ['stored_queued', 'stored_invalid', 'stored_ignored', 'duplicate']) assert.ok(tally.get(outcome) > 0, outcome);
  });
});
