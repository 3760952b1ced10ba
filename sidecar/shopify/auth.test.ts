import assert from 'node:assert/strict';
import type pg from 'pg';
import { createPool } from '../db/pool.js';
import { migrate } from '../db/migrate.js';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { createClientCredentialsTokenProvider } from './auth.js';
import { createShopifyBudget } from './budget.js';
import { createShopifyClient } from './client.js';
import { ShopifyAuthError } from './errors.js';
import { fakeTime, recordingLogger, startFakeAdminApi, type FakeAdminApi } from '../../dev/fakes/shopify-admin-api.js';

const SHOP = 'auth-shop.myshopify.com';
const SECRET = 'test-client-secret';

describe('shopify access tokens', () => {
  let server: FakeAdminApi | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('gets a client-credentials token once, reuses it, and refreshes it 5 minutes before it expires', async () => {
    const time = fakeTime();
    server = await startFakeAdminApi({ clock: time.clock });
    const provider = createClientCredentialsTokenProvider({
      shopDomain: SHOP,
      clientId: 'client-1',
      clientSecret: SECRET,
      adminBaseUrl: server.url,
      clock: time.clock,
    });
    assert.equal(await provider.token(), 'shpca_test_1');
    assert.equal(await provider.token(), 'shpca_test_1');
    const [request] = server.tokenRequests();
    assert.equal(request?.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.deepEqual(Object.fromEntries(request.form!), {
      grant_type: 'client_credentials',
      client_id: 'client-1',
      client_secret: SECRET,
    });
    // expires_in 86399 s; refreshed from 86399 − 300 s on.
    time.advance((86399 - 300) * 1000 - 1);
    assert.equal(await provider.token(), 'shpca_test_1');
    time.advance(1);
    assert.equal(await provider.token(), 'shpca_test_2');
    assert.equal(server.tokenRequests().length, 2);
  });

  it('lets concurrent callers share one token request (single-flight)', async () => {
    server = await startFakeAdminApi({ tokenDelayMs: 50 });
    const provider = createClientCredentialsTokenProvider({
      shopDomain: SHOP,
      clientId: 'client-1',
      clientSecret: SECRET,
      adminBaseUrl: server.url,
    });
    const tokens = await Promise.all(Array.from({ length: 5 }, () => provider.token()));
    assert.deepEqual(tokens, Array(5).fill('shpca_test_1'));
    assert.equal(server.tokenRequests().length, 1);
  });

  it('reports a refused grant as a permanent ShopifyAuthError that does not contain the secret', async () => {
    server = await startFakeAdminApi();
    const wrong = 'wrong-secret-value-123';
    const provider = createClientCredentialsTokenProvider({
      shopDomain: SHOP,
      clientId: 'client-1',
      clientSecret: wrong,
      adminBaseUrl: server.url,
    });
    await assert.rejects(provider.token(), (error: unknown) => {
      assert.ok(error instanceof ShopifyAuthError);
      assert.equal(error.permanent, true);
      assert.equal(error.status, 400);
      assert.equal(error.message, 'Shopify refused the client-credentials grant (HTTP 400: invalid_client)');
      assert.ok(!JSON.stringify({ ...error, message: error.message }).includes(wrong));
      return true;
    });
  });

  describe('on a 401 from the Admin API', () => {
    let pool: pg.Pool;
    before(async () => {
      pool = createPool(await testDatabase('shopify_auth'), 3);
      await migrate(pool, 'app');
    });
    after(async () => {
      await pool.end();
    });

    it('refreshes the client-credentials token once and retries, without ever logging a token', async () => {
      server = await startFakeAdminApi({ checkTokens: true, responders: { Shop: () => ({ shop: { name: 'Acme' } }) } });
      const logger = recordingLogger();
      const client = createShopifyClient({
        shopDomain: SHOP,
        apiVersion: '2026-10',
        adminBaseUrl: server.url,
        auth: { kind: 'client_credentials', clientId: 'client-1', clientSecret: SECRET },
        requestTimeoutMs: 2000,
        maxRetries: 0,
        budget: createShopifyBudget({ pool, schema: 'app', shopDomain: SHOP }),
        logger,
      });
      await client.request('Shop', undefined, { lane: 'orders' });
      server.revokeTokens(); // e.g. the app was reinstalled: the cached token is dead
      assert.deepEqual(await client.request('Shop', undefined, { lane: 'orders' }), { shop: { name: 'Acme' } });
      assert.equal(server.tokenRequests().length, 2);
      assert.deepEqual(
        server.graphqlRequests().map((r) => r.headers['x-shopify-access-token']),
        ['shpca_test_1', 'shpca_test_1', 'shpca_test_2'],
      );
      assert.ok(logger.lines.some((l) => l.message === 'shopify: token rejected, refreshing once'));
      const logged = JSON.stringify(logger.lines);
      for (const secret of ['shpca_test_1', 'shpca_test_2', SECRET]) assert.ok(!logged.includes(secret), 'secret in logs');
    });

    it('gives up with a permanent ShopifyAuthError when a static token is rejected', async () => {
      server = await startFakeAdminApi({ checkTokens: true, staticToken: 'shpat_valid' });
      const client = createShopifyClient({
        shopDomain: SHOP,
        apiVersion: '2026-10',
        adminBaseUrl: server.url,
        auth: { kind: 'static', accessToken: 'shpat_revoked' },
        requestTimeoutMs: 2000,
        maxRetries: 3,
        budget: createShopifyBudget({ pool, schema: 'app', shopDomain: SHOP }),
        logger: recordingLogger(),
      });
      await assert.rejects(client.request('Shop', undefined, { lane: 'orders' }), (error: unknown) => {
        assert.ok(error instanceof ShopifyAuthError);
        assert.equal(error.status, 401);
        assert.equal(error.permanent, true);
        assert.ok(!error.message.includes('shpat_revoked'));
        return true;
      });
      assert.equal(server.graphqlRequests().length, 1);
    });
  });
});
