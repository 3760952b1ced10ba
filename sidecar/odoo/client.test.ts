import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createOdooClient } from './client.js';
import { OdooConfigurationError, OdooError, OdooPermanentError, OdooRetryableError } from './errors.js';

type Handler = (params: { service: string; method: string; args: unknown[] }) => { status?: number; body: unknown; delayMs?: number };

/**
 * A local server that answers like Odoo: `/jsonrpc` (17, 18 and 19), `/json/2/<model>/<method>`
 * (19) and `/web/webclient/version_info` (the shapes of their results and errors).
 */
async function fakeOdoo(
  handler: Handler,
  routes: { versionInfo?: () => { status?: number; body: unknown }; json2?: Handler } = {},
): Promise<{ url: string; calls: { service: string; method: string; args: unknown[] }[]; close: () => Promise<void> }> {
  const calls: { service: string; method: string; args: unknown[] }[] = [];
  const app = express();
  app.use(express.json({ strict: false }));
  app.post('/jsonrpc', async (req, res) => {
    const { id, params } = req.body as { id: number; params: { service: string; method: string; args: unknown[] } };
    calls.push(params);
    const answer = handler(params);
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    const body = answer.body === undefined ? { jsonrpc: '2.0', id } : { jsonrpc: '2.0', id, ...(answer.body as object) };
    res.status(answer.status ?? 200).json(body);
  });
  app.post('/json/2/:model/:method', async (req, res) => {
    calls.push({
      service: 'json2',
      method: `${req.params.model}.${req.params.method}`,
      args: [req.body, req.get('authorization'), req.get('x-odoo-database')],
    });
    const answer = (routes.json2 ?? handler)({ service: 'json2', method: req.params.method, args: [req.body] });
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (typeof answer.body === 'string' && answer.body.startsWith('<'))
      res
        .status(answer.status ?? 200)
        .type('html')
        .send(answer.body);
    else res.status(answer.status ?? 200).json(answer.body);
  });
  app.post('/web/webclient/version_info', (req, res) => {
    calls.push({ service: 'version_info', method: 'version_info', args: [] });
    if (!routes.versionInfo) {
      res.status(404).send('not found');
      return;
    }
    const answer = routes.versionInfo();
    res.status(answer.status ?? 200).json({ jsonrpc: '2.0', id: (req.body as { id?: number }).id ?? null, ...(answer.body as object) });
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

/** Odoo 19's JSON-2 error body: its serialised exception, with the HTTP status Odoo gives it. */
const json2Fault = (status: number, name: string, message: string) => ({
  status,
  body: { name, message, arguments: [message], context: {}, debug: 'Traceback …' },
});

describe('odoo client (JSON-2, Odoo 19)', () => {
  it('sends the document as a named argument with a bearer key, the database header and no login', async () => {
    const odoo = await fakeOdoo(() => ({ body: { status: 'created' } }));
    try {
      const client = clientFor(odoo.url, { protocol: 'json2' });
      assert.deepEqual(await client.executeKw('shopify.sync.api', 'apply_order', [{ order_gid: 'gid://shopify/Order/1' }]), {
        status: 'created',
      });
      await client.executeKw('sale.order', 'action_lock', [], { ids: [4], context: { lang: 'en_US' } });
      assert.deepEqual(
        odoo.calls.map((c) => c.method),
        ['shopify.sync.api.apply_order', 'sale.order.action_lock'],
      );
      assert.deepEqual(odoo.calls[0]?.args, [{ document: { order_gid: 'gid://shopify/Order/1' } }, 'bearer key-0123456789', 'odoo']);
      assert.deepEqual(odoo.calls[1]?.args[0], { ids: [4], context: { lang: 'en_US' } });
      const refused = await rejection(client.executeKw('res.partner', 'write', [[1], { name: 'x' }]));
      assert.ok(refused instanceof OdooPermanentError);
      assert.equal(refused.message, 'odoo res.partner.write: JSON-2 takes named arguments only (got 2 positional)');
    } finally {
      await odoo.close();
    }
  });

  it('reads a method returning None (JSON null) as null', async () => {
    const odoo = await fakeOdoo(() => ({ body: null }));
    try {
      assert.equal(await clientFor(odoo.url, { protocol: 'json2' }).executeKw('sale.order', 'action_lock', [], { ids: [1] }), null);
    } finally {
      await odoo.close();
    }
  });

  it('classifies errors as JSON-RPC does: validation and user errors permanent, access and a refused key configuration, conflicts and 5xx retryable', async () => {
    const answers: Record<string, { status: number; body: unknown }> = {
      validate: json2Fault(422, 'odoo.exceptions.ValidationError', 'order #1001 line 2: SKU "MUG-RED" is unknown in Odoo'),
      user: json2Fault(422, 'odoo.exceptions.UserError', 'Nothing to invoice'),
      missing: json2Fault(404, 'odoo.exceptions.MissingError', 'Record does not exist or has been deleted.'),
      access: json2Fault(403, 'odoo.exceptions.AccessError', "You are not allowed to access 'System Parameter'"),
      key: json2Fault(401, 'werkzeug.exceptions.Unauthorized', 'Invalid apikey'),
      conflict: json2Fault(500, 'psycopg2.errors.SerializationFailure', 'could not serialize access due to concurrent update'),
      locked: json2Fault(409, 'odoo.exceptions.LockError', 'Cannot lock the record: it is being modified'),
      crash: json2Fault(500, 'builtins.RuntimeError', 'something odd'),
      arguments: json2Fault(422, 'werkzeug.exceptions.UnprocessableEntity', "missing a required argument: 'document'"),
      gateway: { status: 502, body: '<html>Bad Gateway</html>' },
    };
    const odoo = await fakeOdoo(({ method }) => answers[method] ?? { status: 500, body: {} });
    try {
      const client = clientFor(odoo.url, { protocol: 'json2' });
      const call = (method: string) => rejection(client.executeKw('shopify.sync.api', method, [{}]));
      const validate = await call('validate');
      assert.ok(validate instanceof OdooPermanentError);
      assert.equal(
        validate.message,
        'odoo shopify.sync.api.validate: ValidationError: order #1001 line 2: SKU "MUG-RED" is unknown in Odoo',
      );
      assert.equal(validate.odooName, 'odoo.exceptions.ValidationError');
      assert.equal(validate.httpStatus, 422);
      assert.ok((await call('user')) instanceof OdooPermanentError);
      assert.ok((await call('missing')) instanceof OdooPermanentError);
      assert.ok((await call('arguments')) instanceof OdooPermanentError);
      assert.ok((await call('access')) instanceof OdooConfigurationError);
      const key = await call('key');
      assert.ok(key instanceof OdooConfigurationError);
      assert.equal(
        key.message,
        'odoo shopify.sync.api.key: werkzeug.exceptions.Unauthorized: Invalid apikey (check ODOO_USER and ODOO_API_KEY)',
      );
      assert.ok(!key.message.includes('key-0123456789'));
      assert.ok((await call('conflict')) instanceof OdooRetryableError);
      assert.ok((await call('locked')) instanceof OdooRetryableError);
      assert.equal((await call('crash')).kind, 'retryable');
      const gateway = await call('gateway');
      assert.ok(gateway instanceof OdooRetryableError);
      assert.equal(gateway.message, 'odoo shopify.sync.api.gateway: HTTP 502');
    } finally {
      await odoo.close();
    }
  });

  it('marks timeouts and refused connections as retryable', async () => {
    const odoo = await fakeOdoo(() => ({ body: { ok: true }, delayMs: 500 }));
    try {
      const slow = await rejection(clientFor(odoo.url, { protocol: 'json2', requestTimeoutMs: 150 }).executeKw('m', 'slow', []));
      assert.ok(slow instanceof OdooRetryableError);
      assert.equal(slow.message, 'odoo /json/2/m/slow: timed out after 150 ms');
    } finally {
      await odoo.close();
    }
    const refused = await rejection(clientFor(odoo.url, { protocol: 'json2' }).executeKw('m', 'x', []));
    assert.ok(refused instanceof OdooRetryableError);
  });
});

describe('odoo client (ODOO_PROTOCOL=auto)', () => {
  const versionInfo = (info: unknown[]) => () => ({
    body: { result: { server_version: `${String(info[0])}.${String(info[1])}`, server_version_info: info, protocol_version: 1 } },
  });

  for (const [info, protocol] of [
    [[17, 0, 0, 'final', 0, ''], 'jsonrpc'],
    [[18, 0, 0, 'final', 0, ''], 'jsonrpc'],
    [['saas~18', 3, 0, 'final', 0, ''], 'jsonrpc'],
    [[19, 0, 0, 'final', 0, ''], 'json2'],
  ] as const) {
    it(`speaks ${protocol} to Odoo ${String(info[0])}.${String(info[1])}, asking its version once`, async () => {
      const odoo = await fakeOdoo(({ service }) => (service === 'common' ? { body: { result: 7 } } : { body: { result: 'ok' } }), {
        versionInfo: versionInfo([...info]),
        json2: () => ({ body: 'ok' }),
      });
      const chosen: string[] = [];
      try {
        const logger = {
          info: (message: string, fields: Record<string, unknown>) => chosen.push(`${message} ${String(fields.protocol)}`),
          warn: (message: string) => chosen.push(message),
        };
        const client = clientFor(odoo.url, { protocol: 'auto', logger: logger as never });
        assert.equal(await client.executeKw('shopify.sync.api', 'contract_version', [{}]), 'ok');
        await client.executeKw('shopify.sync.api', 'contract_version', [{}]);
        const services = odoo.calls.map((c) => c.service);
        assert.deepEqual(
          services.filter((s) => s === 'version_info'),
          ['version_info'],
        );
        assert.deepEqual(
          services.filter((s) => s !== 'version_info'),
          protocol === 'json2' ? ['json2', 'json2'] : ['common', 'object', 'object'],
        );
        assert.deepEqual(chosen, [`odoo transport chosen ${protocol}`]);
      } finally {
        await odoo.close();
      }
    });
  }

  it('asks again after a failed detection, and names ODOO_URL when the answer is not Odoo', async () => {
    let answer: { status?: number; body: unknown } = { status: 503, body: {} };
    const odoo = await fakeOdoo(() => ({ body: { result: 7 } }), { versionInfo: () => answer });
    try {
      const client = clientFor(odoo.url, { protocol: 'auto' });
      const unavailable = await rejection(client.executeKw('m', 'x', []));
      assert.ok(unavailable instanceof OdooRetryableError);
      answer = { body: { result: { hello: 'world' } } };
      const other = await rejection(client.executeKw('m', 'x', []));
      assert.ok(other instanceof OdooConfigurationError);
      assert.equal(other.message, "odoo /web/webclient/version_info: the answer is not Odoo's version (check ODOO_URL)");
      assert.equal(odoo.calls.filter((c) => c.service === 'version_info').length, 2);
    } finally {
      await odoo.close();
    }
  });
});
