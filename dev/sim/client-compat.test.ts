/**
 * The sidecar talks to Shopify through @shopify/admin-api-client. The same client, pointed at the
 * simulator with `customFetchApi` (the client forces https://<shop>), must work unchanged:
 * data, extensions.cost, GraphQL errors and the deprecation header.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdminApiClient } from '@shopify/admin-api-client';
import { createSimulator, type Simulator } from './server.js';

describe('sim works with @shopify/admin-api-client', () => {
  let sim: Simulator;
  let server: Server;
  let base: string;

  before(async () => {
    sim = createSimulator({ accessToken: 'shpat_compat' });
    server = await sim.listen(0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => sim.close());

  function client(logs: { type: string }[] = []) {
    return createAdminApiClient({
      storeDomain: 'sim-shop.myshopify.com',
      apiVersion: '2026-10',
      accessToken: 'shpat_compat',
      customFetchApi: (url, init) => fetch(String(url).replace('https://sim-shop.myshopify.com', base), init),
      logger: (log) => logs.push(log),
    });
  }

  it('returns data and extensions.cost', async () => {
    const { data, errors, extensions } = await client().request('query { shop { name currencyCode } }');
    assert.equal(errors, undefined);
    assert.deepEqual(data, { shop: { name: 'Simulated Shop', currencyCode: 'EUR' } });
    assert.equal((extensions as { cost: { requestedQueryCost: number } }).cost.requestedQueryCost, 1);
  });

  it('surfaces THROTTLED as graphQLErrors with the code', async () => {
    sim.faults.set({ throttleNext: 1 });
    const { errors } = await client().request('query { shop { name } }');
    assert.equal(errors?.graphQLErrors?.[0]?.extensions?.code, 'THROTTLED');
  });

  it('logs the deprecation notice of a deprecated version', async () => {
    sim.faults.set({ deprecatedVersions: ['2026-10'] });
    const logs: { type: string }[] = [];
    await client(logs).request('query { shop { name } }');
    sim.faults.set({ deprecatedVersions: [] });
    assert.ok(logs.some((l) => l.type === 'HTTP-Response-GraphQL-Deprecation-Notice'));
  });
});
