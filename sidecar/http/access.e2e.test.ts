/**
 * Private by default (docs/configuration.md, "Network"): the server binds loopback unless told
 * otherwise, /metrics is not served on the main port without METRICS_TOKEN but on METRICS_PORT,
 * and failed sign-ins are logged (never the token tried) and throttled per address.
 */
import assert from 'node:assert/strict';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { freePort } from '../../dev/testing/postgres.js';
import { startStack, type Stack } from '../../dev/testing/stack.js';

describe('access: listen address, metrics, failed sign-ins (whole stack)', function () {
  this.timeout(60_000);
  let stack: Stack;
  let metricsPort: number;

  before(async () => {
    metricsPort = await freePort();
    stack = await startStack({ databaseUrl: await testDatabase('access_e2e'), flows: [], env: { METRICS_PORT: String(metricsPort) } });
  });
  after(async () => {
    await stack?.stop();
  });

  it('binds loopback by default', () => {
    assert.equal(stack.config.host, '127.0.0.1');
    assert.ok(stack.logs.lines.some((l) => l.message === 'sidecar listening' && l.host === '127.0.0.1'));
  });

  it('serves /metrics on the internal port only, without METRICS_TOKEN', async () => {
    const main = await fetch(`${stack.sidecarUrl}/metrics`);
    assert.equal(main.status, 404);
    const internal = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(internal.status, 200);
    assert.match(await internal.text(), /shopify_sync_/);
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/admin/queues`)).status, 404, 'nothing else there');
  });

  it('logs failed sign-ins without the token and throttles the address after 10, even with the right token', async () => {
    const guesses = Array.from({ length: 10 }, (_, i) => `guess-${i}-0123456789abcdef`);
    for (const guess of guesses) {
      const res = await fetch(`${stack.sidecarUrl}/admin/queues`, { headers: { authorization: `Bearer ${guess}` } });
      assert.equal(res.status, 401);
    }
    const login = await fetch(`${stack.sidecarUrl}/dashboard/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=dashboard-guess-0123456789',
    });
    assert.equal(login.status, 429, 'the dashboard shares the count');
    const right = await fetch(`${stack.sidecarUrl}/admin/queues`, { headers: { authorization: `Bearer ${stack.config.adminToken}` } });
    assert.equal(right.status, 429);
    assert.ok(Number(right.headers.get('retry-after')) > 0);
    const failed = stack.logs.lines.filter((l) => l.message === 'sign-in failed');
    assert.equal(failed.length, 10);
    assert.deepEqual(failed.at(-1), { ...failed.at(-1), ip: '127.0.0.1', surface: 'admin', failures: 10 });
    assert.equal(stack.logs.lines.filter((l) => l.message === 'sign-in throttled: too many failed attempts from this address').length, 1);
    const text = JSON.stringify(stack.logs.lines);
    for (const secret of [...guesses, 'dashboard-guess-0123456789', stack.config.adminToken])
      assert.ok(!text.includes(secret), 'a token in the log');
  });
});
