import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createOdooClient } from './client.js';
import { OdooConfigurationError, OdooError, OdooPermanentError, OdooRetryableError } from './errors.js';

type Handler = (params: { service: string; method: string; args: unknown[] }) => { status?: number; body: unknown; delayMs?: number };

/** A local server that answers like Odoo 18's /jsonrpc (the shapes of its results and errors). */
async function fakeOdoo(
  handler: Handler,
): Promise<{ url: string; calls: { service: string; method: string; args: unknown[] }[]; close: () => Promise<void> }> {
  const calls: { service: string; method: string; args: unknown[] }[] = [];
  const app = express();
  app.use(express.json());
  app.post('/jsonrpc', async (req, res) => {
    const { id, params } = req.body as { id: number; params: { service: string; method: string; args: unknown[] } };
    calls.push(params);
    const answer = handler(params);
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    const body = answer.body === undefined ? { jsonrpc: '2.0', id } : { jsonrpc: '2.0', id, ...(answer.body as object) };
    res.status(answer.status ?? 200).json(body);
  });
  app.post('/json/2/:model/:method', (req, res) => {
    calls.push({ service: 'json2', method: `${req.params.model}.${req.params.method}`, args: [req.body, req.get('authorization')] });
    const answer = handler({ service: 'json2', method: req.params.method, args: [req.body] });
    res.status(answer.status ?? 200).json(answer.body);
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const fault = (name: string, message: string) => ({
  error: { code: 200, message: 'Odoo Server Error', data: { name, message, arguments: [message], context: {} } },
});

function clientFor(url: string, overrides: Partial<Parameters<typeof createOdooClient>[0]> = {}) {
  return createOdooClient({
    url,
    db: 'odoo',
    user: 'sync',
    apiKey: 'key-0123456789',
    protocol: 'jsonrpc',
    requestTimeoutMs: 2000,
    ...overrides,
  });
}

async function rejection(promise: Promise<unknown>): Promise<OdooError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof OdooError, `expected OdooError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('odoo client (JSON-RPC)', () => {
  it('logs in once with the API key and calls execute_kw with it', async () => {
    const odoo = await fakeOdoo(({ service }) =>
      service === 'common' ? { body: { result: 7 } } : { body: { result: { contract_version: '1.0' } } },
    );
    try {
      const client = clientFor(odoo.url);
      assert.deepEqual(await client.executeKw('shopify.sync.api', 'contract_version', [{}]), { contract_version: '1.0' });
      await client.executeKw('shopify.sync.api', 'contract_version', [{}]);
      assert.deepEqual(
        odoo.calls.map((c) => `${c.service}.${c.method}`),
        ['common.authenticate', 'object.execute_kw', 'object.execute_kw'],
      );
      assert.deepEqual(odoo.calls[1]?.args, ['odoo', 7, 'key-0123456789', 'shopify.sync.api', 'contract_version', [{}], {}]);
    } finally {
      await odoo.close();
    }
  });

  it('treats an answer without a result key (a method returning None) as null', async () => {
    const odoo = await fakeOdoo(({ service }) => (service === 'common' ? { body: { result: 7 } } : { body: undefined }));
    try {
      assert.equal(await clientFor(odoo.url).executeKw('sale.order', 'action_lock', [[1]]), null);
    } finally {
      await odoo.close();
    }
  });

  it('turns a refused login (Odoo answers false) into a configuration error naming the user', async () => {
    const odoo = await fakeOdoo(() => ({ body: { result: false } }));
    try {
      const error = await rejection(clientFor(odoo.url).executeKw('res.partner', 'search', [[]]));
      assert.ok(error instanceof OdooConfigurationError);
      assert.equal(
        error.message,
        'odoo login: authentication failed for user "sync" on database "odoo" (check ODOO_USER and ODOO_API_KEY)',
      );
      assert.ok(!error.message.includes('key-0123456789'));
    } finally {
      await odoo.close();
    }
  });

  it('classifies Odoo exceptions: validation is permanent, access is configuration, serialization is retryable', async () => {
    const answers: Record<string, unknown> = {
      validate: fault('odoo.exceptions.ValidationError', 'order #1001 line 2: SKU "MUG-RED" is unknown in Odoo'),
      user: fault('odoo.exceptions.UserError', 'Nothing to invoice'),
      access: fault('odoo.exceptions.AccessError', "You are not allowed to access 'System Parameter'"),
      conflict: fault('psycopg2.errors.SerializationFailure', 'could not serialize access due to concurrent update'),
      crash: fault('builtins.RuntimeError', 'something odd'),
    };
    const odoo = await fakeOdoo(({ service, args }) =>
      service === 'common' ? { body: { result: 2 } } : { body: answers[String(args[4])] },
    );
    try {
      const client = clientFor(odoo.url);
      const validate = await rejection(client.executeKw('shopify.sync.api', 'validate', [{}]));
      assert.ok(validate instanceof OdooPermanentError);
      assert.equal(
        validate.message,
        'odoo shopify.sync.api.validate: ValidationError: order #1001 line 2: SKU "MUG-RED" is unknown in Odoo',
      );
      assert.equal(validate.odooName, 'odoo.exceptions.ValidationError');
      assert.ok((await rejection(client.executeKw('m', 'user', []))) instanceof OdooPermanentError);
      assert.ok((await rejection(client.executeKw('m', 'access', []))) instanceof OdooConfigurationError);
      assert.ok((await rejection(client.executeKw('m', 'conflict', []))) instanceof OdooRetryableError);
      const crash = await rejection(client.executeKw('m', 'crash', []));
      assert.equal(crash.kind, 'retryable');
    } finally {
      await odoo.close();
    }
  });

  it('retries nothing itself but marks HTTP 5xx, timeouts and refused connections as retryable', async () => {
    const odoo = await fakeOdoo(({ service, args }) => {
      if (service === 'common') return { body: { result: 2 } };
      return args[4] === 'slow' ? { body: { result: 1 }, delayMs: 500 } : { status: 502, body: {} };
    });
    try {
      const client = clientFor(odoo.url, { requestTimeoutMs: 150 });
      const bad = await rejection(client.executeKw('m', 'bad', []));
      assert.ok(bad instanceof OdooRetryableError);
      assert.equal(bad.message, 'odoo /jsonrpc: HTTP 502');
      const slow = await rejection(client.executeKw('m', 'slow', []));
      assert.ok(slow instanceof OdooRetryableError);
      assert.equal(slow.message, 'odoo /jsonrpc: timed out after 150 ms');
    } finally {
      await odoo.close();
    }
    const refused = await rejection(clientFor(odoo.url).executeKw('m', 'x', []));
    assert.ok(refused instanceof OdooRetryableError);
    assert.match(refused.message, /^odoo \/jsonrpc: connection failed/);
  });

  it('reports each call to the metrics hook with its outcome', async () => {
    const odoo = await fakeOdoo(({ service, args }) =>
      service === 'common'
        ? { body: { result: 2 } }
        : args[4] === 'ok'
          ? { body: { result: 1 } }
          : { body: fault('odoo.exceptions.UserError', 'no') },
    );
    const events: string[] = [];
    try {
      const client = clientFor(odoo.url, { onCall: (e) => events.push(`${e.model}.${e.method}:${e.outcome}`) });
      await client.executeKw('m', 'ok', []);
      await client.executeKw('m', 'no', []).catch(() => {});
      assert.deepEqual(events, ['m.ok:ok', 'm.no:permanent']);
    } finally {
      await odoo.close();
    }
  });
});

describe('odoo client (JSON-2 seam for Odoo 19)', () => {
  it('sends the document as a named argument with a bearer key and maps error bodies', async () => {
    const odoo = await fakeOdoo(({ method }) =>
      method === 'apply_order'
        ? { body: { status: 'created' } }
        : { status: 422, body: { name: 'odoo.exceptions.ValidationError', message: 'bad document' } },
    );
    try {
      const client = clientFor(odoo.url, { protocol: 'json2' });
      assert.deepEqual(await client.executeKw('shopify.sync.api', 'apply_order', [{ order_gid: 'gid://shopify/Order/1' }]), {
        status: 'created',
      });
      assert.deepEqual(odoo.calls[0]?.args, [{ document: { order_gid: 'gid://shopify/Order/1' } }, 'bearer key-0123456789']);
      const error = await rejection(client.executeKw('shopify.sync.api', 'apply_refund', [{}]));
      assert.ok(error instanceof OdooPermanentError);
      assert.equal(error.httpStatus, 422);
    } finally {
      await odoo.close();
    }
  });
});
