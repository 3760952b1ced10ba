/**
 * The conformance suite against the in-process Odoo double (runs in `make test`), plus checks
 * that the schema validation around it really rejects what breaks the contract.
 */
import assert from 'node:assert/strict';
import { createOdooClient } from '../../sidecar/odoo/client.js';
import { createOdooContract } from '../../sidecar/odoo/contract.js';
import { createDoubleMerchant, createOdooDouble, serveOdooDouble, type OdooDoubleServer } from '../odoo-double/index.js';
import { OdooConfigurationError } from '../../sidecar/odoo/errors.js';
import type { OdooCaller } from '../../sidecar/odoo/types.js';
import { orderDoc } from './fixtures.js';
import { ContractViolation, createValidatingCaller, loadContractValidator } from './schemas.js';
import { defineConformanceScenarios } from './suite.js';
import type { ConformanceTarget } from './target.js';

/** The shop the double serves, as scripts/conformance-real-odoo.sh configures the real addon. */
const SHOP = { settings: { shop_domain: 'conformance.myshopify.com' } };

describe('Odoo contract conformance: in-process double', () => {
  const validator = loadContractValidator();
  let target: ConformanceTarget;
  let caller: OdooCaller;
  let unvalidated: OdooCaller;

  beforeEach(() => {
    const odoo = createOdooDouble(SHOP);
    unvalidated = odoo;
    caller = createValidatingCaller(odoo, validator);
    target = { contract: createOdooContract(caller), merchant: createDoubleMerchant(odoo) };
  });

  defineConformanceScenarios({
    target: () => target,
    caller: () => caller,
    unvalidatedCaller: () => unvalidated,
    validator: () => validator,
  });
});

describe('Odoo contract conformance: double behind /jsonrpc, through the real JSON-RPC client', () => {
  const validator = loadContractValidator();
  const credentials = { db: 'double', login: 'shopify-sidecar', apiKey: 'k'.repeat(40) };
  let target: ConformanceTarget;
  let caller: OdooCaller;
  let unvalidated: OdooCaller;
  let server: OdooDoubleServer;

  beforeEach(async () => {
    const odoo = createOdooDouble(SHOP);
    server = await serveOdooDouble(odoo, credentials);
    const client = createOdooClient({
      url: server.url,
      db: credentials.db,
      user: credentials.login,
      apiKey: credentials.apiKey,
      protocol: 'jsonrpc',
      requestTimeoutMs: 10_000,
    });
    unvalidated = client;
    caller = createValidatingCaller(client, validator);
    target = { contract: createOdooContract(caller), merchant: createDoubleMerchant(odoo) };
  });

  afterEach(async () => {
    await server.close();
  });

  defineConformanceScenarios({
    target: () => target,
    caller: () => caller,
    unvalidatedCaller: () => unvalidated,
    validator: () => validator,
  });

  it('refuses a wrong API key as a configuration error', async () => {
    const client = createOdooClient({
      url: server.url,
      db: credentials.db,
      user: credentials.login,
      apiKey: 'wrong',
      protocol: 'jsonrpc',
      requestTimeoutMs: 10_000,
    });
    await assert.rejects(createOdooContract(client).contractVersion({ sidecar_version: '0.1.0' }), (err: unknown) => {
      assert.ok(err instanceof OdooConfigurationError);
      assert.match(err.message, /^odoo login: authentication failed for user "shopify-sidecar" on database "double"/);
      return true;
    });
  });
});

describe('contract schema validation', () => {
  const validator = loadContractValidator();

  it('rejects an order document whose money is a float', () => {
    const doc = orderDoc({ currency: 'USD', lines: [{ sku: 'MUG-1', quantity: 1, price: '10.00' }] }) as unknown as Record<string, unknown>;
    assert.doesNotThrow(() => validator.validate('apply_order', 'params', doc));
    assert.throws(
      () => validator.validate('apply_order', 'params', { ...doc, total_price: 10 }),
      (err: unknown) => {
        assert.ok(err instanceof ContractViolation);
        assert.match(err.message, /apply_order_params does not match the schema: \/total_price must be string/);
        return true;
      },
    );
  });

  it('rejects a result with a status the contract does not define', () => {
    assert.throws(
      () =>
        validator.validate('apply_order', 'result', {
          status: 'created_maybe',
          sale_order_id: 1,
          name: 'S1',
          state: 'sale',
          amount_total: '1.00',
        }),
      /\/status must be equal to one of the allowed values/,
    );
  });

  it('rejects a numeric Shopify ID where a GID is required', () => {
    assert.throws(
      () => validator.validate('cancel_order', 'params', { order_gid: '450789469', cancelled_at: '2026-11-01T10:00:00Z', reason: null }),
      /\/order_gid must match pattern/,
    );
  });

  it('validates through the caller wrapper before the call reaches Odoo', async () => {
    const calls: string[] = [];
    const inner: OdooCaller = {
      executeKw<T>(_m: string, method: string) {
        calls.push(method);
        return Promise.resolve({ acknowledged: 0 } as T);
      },
    };
    const contract = createOdooContract(createValidatingCaller(inner, validator));
    await assert.rejects(contract.ackEvents({ uuids: 'not-a-list' as unknown as string[] }), ContractViolation);
    assert.deepEqual(calls, []);
    assert.deepEqual(await contract.ackEvents({ uuids: [] }), { acknowledged: 0 });
    assert.deepEqual(calls, ['ack_events']);
  });
});

describe('createOdooContract', () => {
  it('sends each document as the single positional argument to shopify.sync.api', async () => {
    const seen: unknown[][] = [];
    const caller: OdooCaller = {
      executeKw<T>(model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>) {
        seen.push([model, method, args, kwargs]);
        return Promise.resolve({} as T);
      },
    };
    const contract = createOdooContract(caller);
    await contract.pullEvents({ limit: 5, lease_seconds: 30 });
    await contract.exportProducts();
    assert.deepEqual(seen, [
      ['shopify.sync.api', 'pull_events', [{ limit: 5, lease_seconds: 30 }], undefined],
      ['shopify.sync.api', 'export_products', [{}], undefined],
    ]);
  });
});
