import assert from 'node:assert/strict';
import request from 'supertest';
import { control, gql, subscribe, testSimulator, SAMPLE_ORDER, TOKEN } from './test-support.js';
import type { FetchLike } from './webhooks.js';

function recorder() {
  const seen: { topic: string; id: string; orderName: string | undefined }[] = [];
  const fetch: FetchLike = (_url, init) => {
    seen.push({
      topic: init.headers['X-Shopify-Topic']!,
      id: init.headers['X-Shopify-Webhook-Id']!,
      orderName: JSON.parse(init.body).name,
    });
    return Promise.resolve({ status: 200 });
  };
  return { seen, fetch };
}

describe('sim faults: Admin API', () => {
  it('answers 5xx when apiErrorRate is 1, with the configured status', async () => {
    const { sim } = testSimulator();
    await control(sim, 'put', '/faults', { apiErrorRate: 1 });
    const res = await gql(sim, '{ shop { name } }');
    assert.equal(res.status, 503);
    assert.deepEqual(res.body, { errors: 'Service Unavailable' });
    await control(sim, 'put', '/faults', { apiErrorStatus: 500 });
    assert.equal((await gql(sim, '{ shop { name } }')).status, 500);
    await control(sim, 'delete', '/faults');
    assert.equal((await gql(sim, '{ shop { name } }')).status, 200);
  });

  it('times out after executing the write when apiTimeoutAfterExecute is true', async () => {
    const { sim } = testSimulator();
    await control(sim, 'put', '/faults', { apiTimeoutRate: 1, apiTimeoutMs: 50 });
    await assert.rejects(
      request(sim.app)
        .post('/admin/api/2026-10/graphql.json')
        .set('X-Shopify-Access-Token', TOKEN)
        .send({ query: 'mutation { customerCreate(input: { email: "lost@example.com" }) { customer { id } } }' }),
      /socket hang up|ECONNRESET/,
    );
    assert.equal(sim.state.customers.filter((c) => c.email === 'lost@example.com').length, 1, 'the write happened');
  });

  it('times out without executing when apiTimeoutAfterExecute is false', async () => {
    const { sim } = testSimulator();
    await control(sim, 'put', '/faults', { apiTimeoutRate: 1, apiTimeoutMs: 50, apiTimeoutAfterExecute: false });
    await assert.rejects(
      request(sim.app)
        .post('/admin/api/2026-10/graphql.json')
        .set('X-Shopify-Access-Token', TOKEN)
        .send({ query: 'mutation { customerCreate(input: { email: "never@example.com" }) { customer { id } } }' }),
      /socket hang up|ECONNRESET/,
    );
    assert.equal(
      sim.state.customers.some((c) => c.email === 'never@example.com'),
      false,
    );
  });

  it('marks a version as deprecated with X-Shopify-API-Deprecated-Reason', async () => {
    const { sim } = testSimulator();
    await control(sim, 'put', '/faults', { deprecatedVersions: ['2026-07'] });
    const deprecated = await gql(sim, '{ shop { name } }', {}, '2026-07');
    assert.equal(deprecated.headers['x-shopify-api-deprecated-reason'], 'https://shopify.dev/api/usage/versioning#deprecation-practices');
    const current = await gql(sim, '{ shop { name } }', {}, '2026-10');
    assert.equal(current.headers['x-shopify-api-deprecated-reason'], undefined);
  });

  it('answers THROTTLED on demand for the next N requests', async () => {
    const { sim } = testSimulator();
    await control(sim, 'put', '/faults', { throttleNext: 2 });
    assert.equal((await gql(sim, '{ shop { name } }')).body.errors[0].extensions.code, 'THROTTLED');
    const second = await gql(sim, '{ shop { name } }');
    assert.equal(second.body.errors[0].extensions.code, 'THROTTLED');
    assert.equal(second.body.extensions.cost.throttleStatus.currentlyAvailable, 2000, 'a forced throttle charges nothing');
    assert.equal((await gql(sim, '{ shop { name } }')).body.data.shop.name, 'Simulated Shop');
  });

  it('draws rates from a seeded generator: same seed, same faults', async () => {
    const pattern = async (seed: number) => {
      const { sim } = testSimulator({ seed });
      await control(sim, 'put', '/faults', { apiErrorRate: 0.5 });
      const statuses: number[] = [];
      for (let i = 0; i < 16; i++) statuses.push((await gql(sim, '{ shop { name } }')).status);
      return statuses.join(',');
    };
    const a = await pattern(7);
    assert.equal(await pattern(7), a);
    assert.notEqual(await pattern(8), a);
    assert.ok(a.includes('503') && a.includes('200'));
  });

  it('rejects an unknown fault or a rate outside [0, 1]', async () => {
    const { sim } = testSimulator();
    assert.deepEqual((await control(sim, 'put', '/faults', { apiErrorRate: 2 })).body, {
      errors: [{ field: null, message: 'faults: apiErrorRate must be a number between 0 and 1 (got 2)' }],
    });
    assert.equal((await control(sim, 'put', '/faults', { explode: 1 })).status, 400);
  });
});

describe('sim faults: webhooks', () => {
  it('drops deliveries when webhookDropRate is 1', async () => {
    const { seen, fetch } = recorder();
    const { sim, clock } = testSimulator({ fetch });
    await subscribe(sim, 'ORDERS_CREATE', 'https://x.example');
    await control(sim, 'put', '/faults', { webhookDropRate: 1 });
    await control(sim, 'post', '/orders', SAMPLE_ORDER);
    await clock.advance(60_000);
    assert.equal(seen.length, 0);
    assert.equal(sim.state.deliveries[0]!.status, 'dropped');
  });

  it('keeps webhook ids unique when faults are switched off between deliveries', async () => {
    const { seen, fetch } = recorder();
    const { sim, clock } = testSimulator({ fetch });
    await subscribe(sim, 'ORDERS_CREATE', 'https://x.example');
    await control(sim, 'delete', '/faults');
    await control(sim, 'post', '/orders', { ...SAMPLE_ORDER, email: 'first@example.com' });
    await clock.advance(0);
    const off = await control(sim, 'delete', '/faults');
    assert.equal(off.body.webhookDropRate, 0);
    await control(sim, 'post', '/orders', { ...SAMPLE_ORDER, email: 'second@example.com' });
    await clock.advance(0);
    assert.equal(seen.length, 2);
    assert.notEqual(seen[0]!.id, seen[1]!.id);
  });

  it('delivers twice, with the same webhook id, when webhookDuplicateRate is 1', async () => {
    const { seen, fetch } = recorder();
    const { sim, clock } = testSimulator({ fetch });
    await subscribe(sim, 'ORDERS_CREATE', 'https://x.example');
    await control(sim, 'put', '/faults', { webhookDuplicateRate: 1 });
    await control(sim, 'post', '/orders', SAMPLE_ORDER);
    await clock.advance(0);
    assert.equal(seen.length, 2);
    assert.equal(seen[0]!.id, seen[1]!.id);
  });

  it('delays deliveries by webhookDelayMs when webhookDelayRate is 1', async () => {
    const { seen, fetch } = recorder();
    const { sim, clock } = testSimulator({ fetch });
    await subscribe(sim, 'ORDERS_CREATE', 'https://x.example');
    await control(sim, 'put', '/faults', { webhookDelayRate: 1, webhookDelayMs: 5000 });
    await control(sim, 'post', '/orders', SAMPLE_ORDER);
    await clock.advance(4999);
    assert.equal(seen.length, 0);
    await clock.advance(1);
    assert.equal(seen.length, 1);
  });

  it('reorders: a held delivery arrives after the next one', async () => {
    const { seen, fetch } = recorder();
    const { sim, clock } = testSimulator({ fetch });
    await subscribe(sim, 'ORDERS_CREATE', 'https://x.example');
    await control(sim, 'put', '/faults', { webhookReorderRate: 1 });
    await control(sim, 'post', '/orders', SAMPLE_ORDER);
    await control(sim, 'put', '/faults', { webhookReorderRate: 0 });
    await control(sim, 'post', '/orders', SAMPLE_ORDER);
    await clock.advance(0);
    assert.deepEqual(
      seen.map((s) => s.orderName),
      ['#1002', '#1001'],
    );
  });

  it('releases a held delivery after webhookReorderHoldMs when nothing follows', async () => {
    const { seen, fetch } = recorder();
    const { sim, clock } = testSimulator({ fetch });
    await subscribe(sim, 'ORDERS_CREATE', 'https://x.example');
    await control(sim, 'put', '/faults', { webhookReorderRate: 1, webhookReorderHoldMs: 3000 });
    await control(sim, 'post', '/orders', SAMPLE_ORDER);
    await clock.advance(2999);
    assert.equal(seen.length, 0);
    await clock.advance(1);
    assert.equal(seen.length, 1);
  });
});
