/** The CLI's argument handling and output, with an injected admin API (no sidecar). */
import assert from 'node:assert/strict';
import { parseArgs, parseIds, runCli, type AdminApi, type ApiAnswer } from './main.js';

function fakeApi(answers: Record<string, ApiAnswer>, calls: Array<[string, string, unknown]>): AdminApi {
  const answer = (method: string, path: string, body?: unknown) => {
    calls.push([method, path, body]);
    const found = answers[`${method} ${path}`];
    if (!found) throw new Error(`unexpected ${method} ${path}`);
    return Promise.resolve(found);
  };
  return { get: (path) => answer('GET', path), post: (path, body) => answer('POST', path, body) };
}
const ok = (body: unknown): ApiAnswer => ({ status: 200, body, text: JSON.stringify(body) });

describe('shopify-sync CLI (injected admin API)', () => {
  it('parses flags with values, boolean flags and positionals', () => {
    assert.deepEqual(parseArgs(['dlq', 'list', '--queue', 'orders', '--json', '--limit=5']), {
      positional: ['dlq', 'list'],
      flags: { queue: 'orders', json: true, limit: '5' },
    });
    assert.deepEqual(parseIds(['3', '7,9', '20-22']), [3, 7, 9, 20, 21, 22]);
    assert.throws(() => parseIds(['1-9000']), /at most 5000 ids/);
  });

  it('sends resync ids and a range to the admin API and prints what Odoo emitted', async () => {
    const calls: Array<[string, string, unknown]> = [];
    const out: string[] = [];
    const api = fakeApi({ 'POST /api/resync': ok({ kind: 'customers', queued: 3, missing_ids: [9] }) }, calls);
    const code = await runCli(['resync', 'customers', '4,5', '8-9'], { api, out: (t) => out.push(t), err: (t) => out.push(t) });
    assert.equal(code, 0);
    assert.deepEqual(calls, [['POST', '/api/resync', { kind: 'customers', ids: [4, 5, 8, 9] }]]);
    assert.deepEqual(out, ['3 outbox event(s) emitted by Odoo for customers; unknown ids: 9']);
  });

  it('follows an operation with one progress line per change, then prints the report headline', async () => {
    const calls: Array<[string, string, unknown]> = [];
    const out: string[] = [];
    const err: string[] = [];
    const states = [
      { state: 'running', done: 0, total: null, message: 'reading Shopify orders' },
      { state: 'running', done: 0, total: null, message: 'reading Shopify orders' },
      { state: 'running', done: 200, total: 350, message: 'comparing with Odoo' },
      { state: 'done', done: 350, total: 350, message: 'comparing with Odoo', result: { reportId: 12 } },
    ];
    const api: AdminApi = {
      post: (path, body) => (calls.push(['POST', path, body]), Promise.resolve({ status: 202, body: { operationId: 'op-1' }, text: '' })),
      get: (path) => {
        calls.push(['GET', path, undefined]);
        if (path === '/api/operations/op-1') return Promise.resolve(ok(states.shift()));
        return Promise.resolve(ok({ summary: { headline: '350 Shopify orders, 349 in Odoo, 1 missing, 0 mismatched, 1 repair jobs' } }));
      },
    };
    const code = await runCli(['reconcile', '--hours', '48', '--no-repair'], {
      api,
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      sleep: async () => {},
    });
    assert.equal(code, 0);
    assert.deepEqual(calls[0], ['POST', '/api/reconcile', { hours: 48, repair: false }]);
    assert.deepEqual(err, [
      'reconcile: running 0 reading Shopify orders',
      'reconcile: running 200/350 comparing with Odoo',
      'reconcile: done 350/350 comparing with Odoo',
    ]);
    assert.deepEqual(out, ['reconciliation report 12: 350 Shopify orders, 349 in Odoo, 1 missing, 0 mismatched, 1 repair jobs']);
  });

  it('exits 2 with usage on bad arguments and 1 with the server detail on an HTTP error', async () => {
    const err: string[] = [];
    const io = (api: AdminApi) => ({ api, out: () => {}, err: (t: string) => err.push(t) });
    assert.equal(await runCli(['integrity', '--all', '--seed', 'x'], io(fakeApi({}, []))), 2);
    assert.equal(err.pop(), 'integrity: --all excludes --sample and --seed');
    assert.equal(await runCli(['unblock', 'orders'], io(fakeApi({}, []))), 2);
    const refused = fakeApi({ 'GET /api/config': { status: 401, body: { error: 'unauthorized' }, text: '' } }, []);
    assert.equal(await runCli(['config', 'show'], io(refused)), 1);
    assert.equal(err.pop(), 'config show: the admin token was refused (set ADMIN_TOKEN)');
    const missing = fakeApi(
      {
        'POST /api/dlq/orders/abc/retry': {
          status: 404,
          body: { error: 'not_found', detail: 'no dead letter abc in orders.dlq' },
          text: '',
        },
      },
      [],
    );
    assert.equal(await runCli(['dlq', 'retry', 'orders', 'abc'], io(missing)), 1);
    assert.equal(err.pop(), 'dlq retry: HTTP 404: no dead letter abc in orders.dlq');
  });
});
