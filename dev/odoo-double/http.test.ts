/** The double's fake /jsonrpc answers exactly in Odoo 18's wire shapes. */
import assert from 'node:assert/strict';
import { createOdooDouble } from './double.js';
import { detectOdooVersion } from '../../sidecar/odoo/transport.js';
import { serveOdooDouble, type OdooDoubleServer } from './http.js';

describe('Odoo double over /jsonrpc', () => {
  const credentials = { db: 'double', login: 'shopify-sidecar', apiKey: 'a'.repeat(40) };
  let server: OdooDoubleServer;
  const post = async (params: Record<string, unknown>) => {
    const res = await fetch(`${server.url}/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'call', params }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const executeKw = (method: string, doc: unknown, key = credentials.apiKey) =>
    post({ service: 'object', method: 'execute_kw', args: [credentials.db, 2, key, 'shopify.sync.api', method, [doc], {}] });

  beforeEach(async () => {
    server = await serveOdooDouble(createOdooDouble(), credentials);
  });
  afterEach(() => server.close());

  it('answers /web/webclient/version_info as Odoo 18 does, so ODOO_PROTOCOL=auto picks JSON-RPC', async () => {
    assert.deepEqual(await detectOdooVersion({ url: server.url, timeoutMs: 5000 }), { major: 18, version: '18.0' });
  });

  it('answers authenticate with the uid, or false (not an error) for a bad key', async () => {
    assert.deepEqual(
      (await post({ service: 'common', method: 'authenticate', args: ['double', 'shopify-sidecar', credentials.apiKey, {}] })).body,
      { jsonrpc: '2.0', id: 7, result: 2 },
    );
    assert.deepEqual((await post({ service: 'common', method: 'authenticate', args: ['double', 'shopify-sidecar', 'nope', {}] })).body, {
      jsonrpc: '2.0',
      id: 7,
      result: false,
    });
  });

  it('answers a ValidationError as HTTP 200 with code 200 "Odoo Server Error" and the exception in data', async () => {
    const { status, body } = await executeKw('cancel_order', { order_gid: '42' });
    assert.equal(status, 200);
    assert.deepEqual(body, {
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: 200,
        message: 'Odoo Server Error',
        data: {
          name: 'odoo.exceptions.ValidationError',
          debug: '',
          message: "cancel_order: order_gid '42' is not a Shopify GID (gid://shopify/<Type>/<digits>)",
          arguments: ["cancel_order: order_gid '42' is not a Shopify GID (gid://shopify/<Type>/<digits>)"],
          context: {},
        },
      },
    });
  });

  it('checks the key on every execute_kw (AccessDenied)', async () => {
    const { body } = await executeKw('contract_version', {}, 'stale-key');
    assert.equal((body.error as { data: { name: string } }).data.name, 'odoo.exceptions.AccessDenied');
  });

  it('answers a result', async () => {
    const { body } = await executeKw('ack_events', { uuids: [] });
    assert.deepEqual(body, { jsonrpc: '2.0', id: 7, result: { acknowledged: 0 } });
  });
});
